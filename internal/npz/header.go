package npz

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseHeader parses the Python dict literal of a .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// It accepts the subset of Python literals that numpy writes (strings in
// either quotes, True/False, tuples of integers with an optional trailing
// comma and Python 2 'L' suffixes) and requires exactly the keys descr,
// fortran_order and shape, as numpy does.
func parseHeader(s string) (header, error) {
	p := &lit{s: s}
	p.space()
	if !p.eat('{') {
		return header{}, errors.New("not a dict")
	}
	var (
		h                      header
		haveDescr, haveFortran bool
		haveShape              bool
		fortran                bool
	)
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return header{}, fmt.Errorf("key: %w", err)
		}
		p.space()
		if !p.eat(':') {
			return header{}, fmt.Errorf("missing ':' after key %q", key)
		}
		p.space()
		switch key {
		case "descr":
			if haveDescr {
				return header{}, errors.New("duplicate key 'descr'")
			}
			if p.peek() != '\'' && p.peek() != '"' {
				return header{}, errors.New("descr is not a string (structured dtypes are not supported)")
			}
			v, err := p.str()
			if err != nil {
				return header{}, fmt.Errorf("descr: %w", err)
			}
			if h.descr, err = parseDescr(v); err != nil {
				return header{}, err
			}
			haveDescr = true
		case "fortran_order":
			if haveFortran {
				return header{}, errors.New("duplicate key 'fortran_order'")
			}
			switch {
			case p.word("True"):
				fortran = true
			case p.word("False"):
			default:
				return header{}, errors.New("fortran_order is not True or False")
			}
			haveFortran = true
		case "shape":
			if haveShape {
				return header{}, errors.New("duplicate key 'shape'")
			}
			if h.shape, err = p.tuple(); err != nil {
				return header{}, fmt.Errorf("shape: %w", err)
			}
			haveShape = true
		default:
			return header{}, fmt.Errorf("unexpected key %q", key)
		}
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if p.eat('}') {
			break
		}
		return header{}, fmt.Errorf("expected ',' or '}' at offset %d", p.i)
	}
	// numpy pads the header with spaces and ends it with '\n'.
	if rest := strings.Trim(s[p.i:], " \t\r\n\x00"); rest != "" {
		return header{}, fmt.Errorf("trailing data %q after the dict", truncate(rest, 20))
	}
	switch {
	case !haveDescr:
		return header{}, errors.New("missing key 'descr'")
	case !haveFortran:
		return header{}, errors.New("missing key 'fortran_order'")
	case !haveShape:
		return header{}, errors.New("missing key 'shape'")
	}
	if fortran {
		return header{}, errors.New("fortran_order True is not supported (save the array in C order, e.g. with numpy.ascontiguousarray)")
	}
	return h, nil
}

// lit is a cursor over a Python literal.
type lit struct {
	s string
	i int
}

func (p *lit) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *lit) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *lit) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

// word consumes an identifier if it is w.
func (p *lit) word(w string) bool {
	if !strings.HasPrefix(p.s[p.i:], w) {
		return false
	}
	end := p.i + len(w)
	if end < len(p.s) && isIdent(p.s[end]) {
		return false
	}
	p.i = end
	return true
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// str reads a quoted string with the simple escapes numpy's repr can produce.
func (p *lit) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("expected a string at offset %d", p.i)
	}
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\\':
			if p.i >= len(p.s) {
				return "", errors.New("unterminated string")
			}
			e := p.s[p.i]
			p.i++
			switch e {
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case c == '\n':
			return "", errors.New("newline in string")
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated string")
}

// tuple reads a tuple of non-negative integers: (), (3,), (3, 4).
func (p *lit) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("not a tuple")
	}
	dims := []int{}
	for {
		p.space()
		if p.eat(')') {
			break
		}
		if len(dims) == maxDims {
			return nil, fmt.Errorf("more than %d dimensions", maxDims)
		}
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == start {
			return nil, fmt.Errorf("expected a non-negative integer at offset %d", start)
		}
		v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
		if err != nil || v > math.MaxInt {
			return nil, fmt.Errorf("dimension %q out of range", p.s[start:p.i])
		}
		p.eat('L') // Python 2 long
		dims = append(dims, int(v))
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if p.eat(')') {
			if len(dims) == 1 { // no comma after the only element
				return nil, errors.New("(n) is not a tuple; numpy writes (n,)")
			}
			break
		}
		return nil, fmt.Errorf("expected ',' or ')' at offset %d", p.i)
	}
	return dims, nil
}
