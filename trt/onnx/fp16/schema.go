package fp16

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// schemaRow is one operator schema version as gen_schema.py writes it.
type schemaRow struct {
	domain, op string
	since      int64
	in, out    string
}

// param is a formal input or output of an operator schema.
type param struct {
	name string
	// tc names the type constraint ("T", "T1", ...); empty for a fixed type
	// such as tensor(float), which binds nothing else.
	tc string
	// mask is the set of allowed types: bit i for tensor(elem type i), bit
	// 32+i for seq(tensor(elem type i)), bit 63 for anything else.
	mask     uint64
	optional bool
	variadic bool
	hetero   bool // variadic whose members may have different types (Loop, If, Scan)
}

func (p param) allows(t onnxpb.ElemType) bool { return t >= 0 && t < 32 && p.mask&(1<<uint(t)) != 0 }

// tensorTypes reports whether the parameter can be a tensor at all.
func (p param) tensorTypes() bool { return p.mask&0xffffffff != 0 }

type schema struct {
	domain, op string
	since      int64
	in, out    []param
}

// inParam returns the formal parameter of actual input i (the last formal
// parameter takes the rest when it is variadic), and false when there is none.
func (s *schema) inParam(i int) (param, bool) { return paramAt(s.in, i) }

func (s *schema) outParam(i int) (param, bool) { return paramAt(s.out, i) }

func paramAt(ps []param, i int) (param, bool) {
	if i < len(ps) {
		return ps[i], true
	}
	if len(ps) > 0 && ps[len(ps)-1].variadic {
		return ps[len(ps)-1], true
	}
	return param{}, false
}

var (
	schemaOnce  sync.Once
	schemaIndex map[string][]*schema // key: domain "\x00" op; sorted by since
)

func parseParams(s string) []param {
	var ps []param
	for _, f := range strings.Fields(s) {
		var p param
		switch f[len(f)-1] {
		case '?':
			p.optional = true
			f = f[:len(f)-1]
		case '*':
			p.variadic = true
			f = f[:len(f)-1]
		case '+':
			p.variadic, p.hetero = true, true
			f = f[:len(f)-1]
		}
		parts := strings.Split(f, ":")
		if len(parts) != 3 {
			panic("fp16: bad schema parameter " + f) // generated table: cannot happen
		}
		p.name, p.tc = parts[0], parts[1]
		m, err := strconv.ParseUint(parts[2], 16, 64)
		if err != nil {
			panic("fp16: bad schema mask " + f)
		}
		p.mask = m
		ps = append(ps, p)
	}
	return ps
}

func buildSchemaIndex() {
	schemaIndex = make(map[string][]*schema)
	for _, r := range schemaRows {
		s := &schema{domain: r.domain, op: r.op, since: r.since, in: parseParams(r.in), out: parseParams(r.out)}
		k := r.domain + "\x00" + r.op
		schemaIndex[k] = append(schemaIndex[k], s)
	}
	for _, v := range schemaIndex {
		sort.Slice(v, func(i, j int) bool { return v[i].since < v[j].since })
	}
}

// normDomain maps the default domain's two spellings to "".
func normDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

// lookupSchema returns the schema of op in domain that is in force at the
// given opset version (the newest version not above it), or nil.
func lookupSchema(domain, op string, version int64) *schema {
	schemaOnce.Do(buildSchemaIndex)
	v := schemaIndex[normDomain(domain)+"\x00"+op]
	var best *schema
	for _, s := range v {
		if s.since <= version {
			best = s
		}
	}
	return best
}
