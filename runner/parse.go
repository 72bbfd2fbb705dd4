package runner

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gotrt/gotrt/constraints"
)

// splitNamedList splits "name:[a,b,...]" (or "[a,b]" when allowBare) into the
// name and the list elements. The name is everything before the ':' that
// precedes the last '['.
func splitNamedList(item string, allowBare bool) (name string, elems []string, err error) {
	if !strings.HasSuffix(item, "]") {
		return "", nil, fmt.Errorf("%q: want NAME:[...] (missing closing ']')", item)
	}
	open := strings.LastIndexByte(item, '[')
	if open < 0 {
		return "", nil, fmt.Errorf("%q: want NAME:[...] (missing '[')", item)
	}
	if open == 0 {
		if !allowBare {
			return "", nil, fmt.Errorf("%q: want NAME:[...] (no input name)", item)
		}
	} else {
		if item[open-1] != ':' {
			return "", nil, fmt.Errorf("%q: want NAME:[...] (':' before '[')", item)
		}
		name = strings.TrimSpace(item[:open-1])
		if name == "" {
			return "", nil, fmt.Errorf("%q: empty input name before ':'", item)
		}
	}
	body := strings.TrimSpace(item[open+1 : len(item)-1])
	if body != "" {
		for _, e := range strings.Split(body, ",") {
			elems = append(elems, strings.TrimSpace(e))
		}
	}
	return name, elems, nil
}

// MaxDim bounds each dim given on the command line (and the element count of
// a generated input), so that a typo cannot ask for terabytes.
const (
	MaxDim      = 1 << 31
	MaxElements = 1 << 32
)

// ParseInputShapes reads Polygraphy's --input-shapes syntax: items
// "name:[d0,d1,...]" given as separate strings or separated by commas outside
// brackets ("x:[1,3,224,224],mask:[1,224]"); "name:[]" is a scalar. Dims are
// non-negative integers. A name given twice is an error.
func ParseInputShapes(specs []string) (map[string][]int, error) {
	out := map[string][]int{}
	for _, spec := range specs {
		for _, item := range constraints.SplitItems(spec) {
			name, elems, err := splitNamedList(item, false)
			if err != nil {
				return nil, err
			}
			dims := make([]int, 0, len(elems))
			vol := 1.0
			for _, e := range elems {
				d, err := strconv.Atoi(e)
				if err != nil || d < 0 {
					return nil, fmt.Errorf("%q: dim %q is not a non-negative integer", item, e)
				}
				if d > MaxDim {
					return nil, fmt.Errorf("%q: dim %d is too large", item, d)
				}
				vol *= float64(d)
				dims = append(dims, d)
			}
			if vol > MaxElements {
				return nil, fmt.Errorf("%q: shape has %.3g elements, more than gotrt accepts (%d)", item, vol, int64(MaxElements))
			}
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("input %q is given twice", name)
			}
			out[name] = dims
		}
	}
	return out, nil
}

// ValRange is the range generated input values are drawn from: [Lo, Hi) for
// floating-point inputs, [ceil(Lo), floor(Hi)] for integer inputs.
type ValRange struct{ Lo, Hi float64 }

// DefaultValRange is Polygraphy's default val_range.
var DefaultValRange = ValRange{0, 1}

func (r ValRange) String() string {
	return fmt.Sprintf("[%s, %s]", strconv.FormatFloat(r.Lo, 'g', -1, 64), strconv.FormatFloat(r.Hi, 'g', -1, 64))
}

// ValRanges is a default range with per-input overrides.
type ValRanges struct {
	Default  *ValRange // nil: DefaultValRange
	PerInput map[string]ValRange
}

// For returns the range of the named input.
func (v ValRanges) For(name string) ValRange {
	if r, ok := v.PerInput[name]; ok {
		return r
	}
	if v.Default != nil {
		return *v.Default
	}
	return DefaultValRange
}

// ParseValRanges reads Polygraphy's --val-range syntax: "[lo,hi]" sets the
// default range, "name:[lo,hi]" one input's; items may be separate strings or
// separated by commas outside brackets. lo must not exceed hi.
func ParseValRanges(specs []string) (ValRanges, error) {
	var v ValRanges
	for _, spec := range specs {
		for _, item := range constraints.SplitItems(spec) {
			name, elems, err := splitNamedList(item, true)
			if err != nil {
				return v, err
			}
			if len(elems) != 2 {
				return v, fmt.Errorf("%q: want [min,max] with two numbers", item)
			}
			var lohi [2]float64
			for i, e := range elems {
				f, err := strconv.ParseFloat(e, 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					return v, fmt.Errorf("%q: %q is not a finite number", item, e)
				}
				lohi[i] = f
			}
			if lohi[0] > lohi[1] {
				return v, fmt.Errorf("%q: min %v is greater than max %v", item, lohi[0], lohi[1])
			}
			r := ValRange{lohi[0], lohi[1]}
			if name == "" {
				v.Default = &r
				continue
			}
			if v.PerInput == nil {
				v.PerInput = map[string]ValRange{}
			}
			v.PerInput[name] = r
		}
	}
	return v, nil
}

// FormatDims writes dims as [d0, d1, ...] with -1 shown as "?".
func FormatDims(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		if d < 0 {
			parts[i] = "?"
		} else {
			parts[i] = strconv.Itoa(d)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
