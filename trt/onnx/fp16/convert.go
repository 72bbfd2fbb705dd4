package fp16

import (
	"fmt"
	"math/bits"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

const (
	f32 = onnxpb.ElemFloat
	f16 = onnxpb.ElemFloat16
	// elemOpaque marks a value that is neither a tensor nor a sequence of
	// tensors of a known type (map, optional, sparse tensor, opaque).
	elemOpaque onnxpb.ElemType = -1
	// seqBase + t marks a sequence of tensors of type t. Sequences are never
	// converted: the ops that make or read them stay FP32.
	seqBase onnxpb.ElemType = 64
)

func seqOf(t onnxpb.ElemType) onnxpb.ElemType {
	if t > 0 && t < 32 {
		return seqBase + t
	}
	return elemOpaque
}

func seqElem(t onnxpb.ElemType) onnxpb.ElemType {
	if t > seqBase && t < seqBase+32 {
		return t - seqBase
	}
	return 0
}

// req says what type a node input needs after conversion.
type req uint8

const (
	reqNone req = iota // not a FLOAT value: left alone
	reqAny             // FLOAT or FLOAT16, whichever the value is
	reqF16
	reqF32
)

// Bits of valueDef.uses.
const (
	useF16 = 1 << iota
	useF32
)

type defKind uint8

const (
	defInput defKind = iota
	defInit
	defSparse
	defNode
)

// valueDef is what Convert knows of one value (a name defined in a scope).
type valueDef struct {
	orig onnxpb.ElemType // type in the original model; 0 unknown
	kind defKind
	// tensor is the original FLOAT data of an initializer or Constant, kept
	// to make exact FP32 copies for FP32 consumers.
	tensor *onnxpb.Tensor
	uses   uint8           // useF16 | useF32 from consumers
	asInit bool            // a graph input that has an initializer
	forced onnxpb.ElemType // graph outputs: the type the name must have
	cur    onnxpb.ElemType // the name's type after conversion (set when emitted)
	done   bool
}

type castKey struct {
	name string
	to   onnxpb.ElemType
}

// scope is one graph being converted: the main graph or a subgraph.
type scope struct {
	parent   *scope
	g        *onnxpb.Graph
	top      bool
	frozen   bool // subgraph of a blocked node: everything stays FP32
	vals     map[string]*valueDef
	declared map[string]*onnxpb.ValueInfo
	// casts maps a value of this scope and a type to the name that holds
	// the value in that type (a Cast output, a renamed producer output, or
	// an FP32 copy of a constant).
	casts    map[castKey]string
	out      []*onnxpb.Node
	newInits []*onnxpb.Tensor
	newVI    []*onnxpb.ValueInfo
}

func (s *scope) lookup(name string) (*valueDef, *scope) {
	for sc := s; sc != nil; sc = sc.parent {
		if d, ok := sc.vals[name]; ok {
			return d, sc
		}
	}
	return nil, nil
}

func (s *scope) path() string {
	if s.top {
		return fmt.Sprintf("graph %q", s.g.Name)
	}
	return fmt.Sprintf("%s: subgraph %q", s.parent.path(), s.g.Name)
}

// nodeInfo is what the analysis found about one node.
type nodeInfo struct {
	sch     *schema
	blocked bool
	inT     []onnxpb.ElemType // original input types
	outT    []onnxpb.ElemType // original output types
	req     []req
	subs    []*scope
}

type converter struct {
	opt        Options
	rep        *Report
	blockOps   []blockRule
	blockNodes map[string]bool
	opset      map[string]int64
	irVersion  int64
	used       map[string]bool
	info       map[*onnxpb.Node]*nodeInfo
}

// Convert returns a copy of m with FLOAT tensors converted to FLOAT16, as
// onnxconverter-common's float16 converter does, and a report of what it did.
// m itself is not changed.
//
//   - FLOAT initializers (dense and sparse) and the values of Constant and
//     ConstantOfShape nodes become FLOAT16, clamped (Options.MinPositiveVal,
//     MaxFiniteVal) and rounded to nearest even — in subgraphs (If, Loop,
//     Scan) too. A constant that only FP32 consumers read stays FLOAT.
//   - Every FLOAT value becomes FLOAT16 (value_info, graph inputs and
//     outputs, subgraph inputs and outputs), except the main graph's inputs
//     and outputs with KeepIOTypes, the outputs of blocked nodes that only
//     FP32 consumers read, and outputs that an op's schema fixes to FLOAT
//     (e.g. LayerNormalization's Mean with stash_type FLOAT).
//   - Cast(to=FLOAT) becomes Cast(to=FLOAT16), unless only FP32 consumers
//     read it; EyeLike and random generators get dtype FLOAT16 when unblocked.
//   - Nodes whose op type is in Options.Blocklist, whose name is in
//     Options.NodeBlocklist, or whose op has no known ONNX schema (custom
//     domains, model-local functions) stay FP32. Inputs that the op's schema
//     at the model's opset allows only as tensor(float) (Resize and Upsample
//     scales, QuantizeLinear scales, ...) stay FLOAT.
//   - A Cast node is inserted at every FP32/FP16 boundary, with a unique name
//     (one per value and type, shared by its consumers); the graph stays in
//     topological order (Convert sorts an unsorted graph first).
//
// Types come from the ONNX operator schemas (see gen_schema.py) with the
// model's value_info as a fallback; a value whose type cannot be told, where
// it matters, is an error naming it (run ONNX shape inference first).
// Sequences (and maps, optionals) are not converted: the ops that make or
// read them stay FP32. Errors wrap onnxpb.ErrInvalid (a nil or inconsistent
// model) or onnxpb.ErrUnsupported (a sparse FLOAT tensor value, a
// default-domain opset below 6, external data not loaded).
func Convert(m *onnxpb.Model, opt Options) (_ *onnxpb.Model, _ *Report, err error) {
	defer func() {
		if r := recover(); r != nil { // a bug: report it, never panic across the API
			err = fmt.Errorf("fp16: %w: internal error: %v", onnxpb.ErrInvalid, r)
		}
	}()
	if m == nil {
		return nil, nil, fmt.Errorf("fp16: %w: nil model", onnxpb.ErrInvalid)
	}
	if m.Graph == nil {
		return nil, nil, fmt.Errorf("fp16: %w: the model has no graph", onnxpb.ErrInvalid)
	}
	opt = opt.withDefaults()
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	c := &converter{
		opt:        opt,
		rep:        &Report{},
		blockOps:   rules(opt.Blocklist),
		blockNodes: set(opt.NodeBlocklist),
		opset:      map[string]int64{},
		irVersion:  m.IRVersion,
		used:       map[string]bool{},
		info:       map[*onnxpb.Node]*nodeInfo{},
	}
	for _, o := range m.OpsetImports {
		c.opset[normDomain(o.Domain)] = o.Version
	}
	v, ok := c.opset[""]
	if !ok {
		return nil, nil, fmt.Errorf("fp16: %w: the model imports no default-domain (ai.onnx) opset", onnxpb.ErrInvalid)
	}
	if v < 6 {
		return nil, nil, fmt.Errorf("fp16: %w: default-domain opset %d: Cast with an integer 'to' needs opset 6 or later", onnxpb.ErrUnsupported, v)
	}
	// Work on a deep copy: encode and decode.
	b, err := onnxpb.Encode(m)
	if err != nil {
		return nil, nil, fmt.Errorf("fp16: %w", err)
	}
	out, err := onnxpb.Decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("fp16: %w", err)
	}
	if err := sortNodes(out.Graph); err != nil {
		return nil, nil, fmt.Errorf("fp16: %w", err)
	}
	collectNames(out.Graph, c.used)
	top := &scope{g: out.Graph, top: true}
	if err := c.analyze(top, nil); err != nil {
		return nil, nil, fmt.Errorf("fp16: %w", err)
	}
	if err := c.emit(top); err != nil {
		return nil, nil, fmt.Errorf("fp16: %w", err)
	}
	return out, c.rep, nil
}

func rules(xs []string) []blockRule {
	rs := make([]blockRule, len(xs))
	for i, x := range xs {
		rs[i] = parseBlockRule(x)
	}
	return rs
}

// blockedByOp returns the Blocklist entry that n matches, or "".
func (c *converter) blockedByOp(n *onnxpb.Node) string {
	for i, r := range c.blockOps {
		if r.matches(n) {
			return c.opt.Blocklist[i]
		}
	}
	return ""
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// collectNames records every node and value name of g and its subgraphs.
func collectNames(g *onnxpb.Graph, used map[string]bool) {
	add := func(s string) {
		if s != "" {
			used[s] = true
		}
	}
	for _, vs := range [][]*onnxpb.ValueInfo{g.Inputs, g.Outputs, g.ValueInfo} {
		for _, v := range vs {
			if v != nil {
				add(v.Name)
			}
		}
	}
	for _, t := range g.Initializers {
		if t != nil {
			add(t.Name)
		}
	}
	for _, sp := range g.SparseInitializers {
		if sp != nil && sp.Values != nil {
			add(sp.Values.Name)
		}
	}
	for _, n := range g.Nodes {
		add(n.Name)
		for _, x := range n.Inputs {
			add(x)
		}
		for _, x := range n.Outputs {
			add(x)
		}
		for _, sg := range subgraphs(n) {
			collectNames(sg, used)
		}
	}
}

// fresh returns a name based on base that no node or value has, and takes it.
func (c *converter) fresh(base string) string {
	name := base
	for i := 1; c.used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	c.used[name] = true
	return name
}

// declaredType returns the type a ValueInfo declares: 0 when it has none,
// the element type for a tensor, seqOf(elem) for a sequence of tensors,
// elemOpaque for other types, and an error for a sparse FLOAT tensor, which
// Convert cannot convert.
func declaredType(vi *onnxpb.ValueInfo) (onnxpb.ElemType, error) {
	switch vi.Kind {
	case onnxpb.TypeNone:
		return 0, nil
	case onnxpb.TypeTensor:
		return vi.ElemType, nil
	case onnxpb.TypeSparseTensor:
		if vi.ElemType == f32 {
			return 0, fmt.Errorf("%w: value %q is a sparse FLOAT tensor; only dense tensors (and sequences, kept FP32) are supported", onnxpb.ErrUnsupported, vi.Name)
		}
		return elemOpaque, nil
	case onnxpb.TypeSequence:
		return seqOf(sequenceElem(vi.RawType)), nil
	}
	return elemOpaque, nil
}

// ---------------------------------------------------------------------------
// Analysis: original types, blocked nodes, what each input needs.

func (c *converter) analyze(s *scope, hints []onnxpb.ElemType) error {
	g := s.g
	s.vals = map[string]*valueDef{}
	s.declared = map[string]*onnxpb.ValueInfo{}
	s.casts = map[castKey]string{}
	for _, vs := range [][]*onnxpb.ValueInfo{g.Inputs, g.Outputs, g.ValueInfo} {
		for _, vi := range vs {
			if vi == nil {
				return fmt.Errorf("%w: %s has a nil value info", onnxpb.ErrInvalid, s.path())
			}
			if _, err := declaredType(vi); err != nil {
				return fmt.Errorf("%s: %w", s.path(), err)
			}
			if _, ok := s.declared[vi.Name]; !ok {
				s.declared[vi.Name] = vi
			}
		}
	}
	define := func(name string, d *valueDef) error {
		if name == "" {
			return nil
		}
		if old, ok := s.vals[name]; ok {
			if old.kind == defInput && d.kind == defInit && !old.asInit {
				// A graph input with a default value (all weights before IR
				// version 4, and exports that keep initializers as inputs):
				// a weight, converted like an initializer, its input
				// declaration following.
				old.kind, old.tensor, old.orig, old.asInit = defInit, d.tensor, d.orig, true
				return nil
			}
			return fmt.Errorf("%w: %s: value %q is defined twice", onnxpb.ErrInvalid, s.path(), name)
		}
		s.vals[name] = d
		return nil
	}
	for i, in := range g.Inputs {
		t, _ := declaredType(in)
		if t == 0 && i < len(hints) {
			t = hints[i]
		}
		if err := define(in.Name, &valueDef{orig: t, kind: defInput}); err != nil {
			return err
		}
	}
	for _, t := range g.Initializers {
		if t == nil {
			return fmt.Errorf("%w: %s has a nil initializer", onnxpb.ErrInvalid, s.path())
		}
		if err := define(t.Name, &valueDef{orig: t.DataType, kind: defInit, tensor: t}); err != nil {
			return err
		}
	}
	for _, sp := range g.SparseInitializers {
		if sp == nil || sp.Values == nil {
			return fmt.Errorf("%w: %s has a sparse initializer without values", onnxpb.ErrInvalid, s.path())
		}
		if err := define(sp.Values.Name, &valueDef{orig: sp.Values.DataType, kind: defSparse}); err != nil {
			return err
		}
	}
	for _, n := range g.Nodes {
		if err := c.analyzeNode(s, n, define); err != nil {
			return err
		}
	}
	want := c.outputWant(s)
	for _, o := range g.Outputs {
		d, ds := s.lookup(o.Name)
		if d == nil {
			return fmt.Errorf("%w: %s: output %q is not produced by any node, input or initializer", onnxpb.ErrInvalid, s.path(), o.Name)
		}
		if d.orig == 0 {
			if t, _ := declaredType(o); t != 0 {
				d.orig = t
			}
		}
		if d.orig != f32 {
			continue
		}
		if ds == s {
			if d.forced != 0 && d.forced != want {
				return fmt.Errorf("%w: %s: output %q listed with conflicting types", onnxpb.ErrInvalid, s.path(), o.Name)
			}
			d.forced = want
		} else {
			d.uses |= useBit(want)
		}
	}
	return nil
}

// outputWant is the type the FLOAT outputs of scope s get.
func (c *converter) outputWant(s *scope) onnxpb.ElemType {
	if s.frozen || (s.top && c.opt.KeepIOTypes) {
		return f32
	}
	return f16
}

// inputType is the type the FLOAT inputs of scope s get.
func (c *converter) inputType(s *scope) onnxpb.ElemType { return c.outputWant(s) }

func useBit(t onnxpb.ElemType) uint8 {
	if t == f16 {
		return useF16
	}
	return useF32
}

func isControlFlow(n *onnxpb.Node) bool {
	if normDomain(n.Domain) != "" {
		return false
	}
	switch n.OpType {
	case "If", "Loop", "Scan":
		return true
	}
	return false
}

func (c *converter) analyzeNode(s *scope, n *onnxpb.Node, define func(string, *valueDef) error) error {
	ni := &nodeInfo{inT: make([]onnxpb.ElemType, len(n.Inputs))}
	c.info[n] = ni
	for i, name := range n.Inputs {
		if name == "" {
			continue
		}
		d, _ := s.lookup(name)
		if d == nil {
			return fmt.Errorf("%w: %s: node %s (%s) reads %q, which nothing defines", onnxpb.ErrInvalid, s.path(), nodeLabel(n), n.OpType, name)
		}
		ni.inT[i] = d.orig
	}
	domain := normDomain(n.Domain)
	version, haveOpset := c.opset[domain]
	if haveOpset {
		ni.sch = lookupSchema(domain, n.OpType, version)
	}
	subs := subgraphs(n)
	reason := ""
	switch {
	case s.frozen:
		reason = "in a blocked node's subgraph"
	case n.Name != "" && c.blockNodes[n.Name]:
		reason = "in NodeBlocklist"
	case c.blockedByOp(n) != "":
		reason = fmt.Sprintf("Blocklist entry %q", c.blockedByOp(n))
	case ni.sch == nil && !haveOpset:
		reason = fmt.Sprintf("domain %q is not imported", n.Domain)
	case ni.sch == nil:
		reason = fmt.Sprintf("no ONNX schema for %s in domain %q at opset %d (custom op or model-local function)", n.OpType, n.Domain, version)
	case len(subs) > 0 && !isControlFlow(n):
		reason = "op with subgraphs other than If, Loop and Scan"
	case !isControlFlow(n) && nonTensorOp(ni.sch):
		reason = "sequence or optional op (sequences stay FP32)"
	}
	if reason != "" {
		ni.blocked = true
		if !s.frozen {
			c.rep.Blocked = append(c.rep.Blocked, Blocked{Node: nodeLabel(n), OpType: n.OpType, Reason: reason})
		}
	}
	// Subgraphs first: If, Loop and Scan take their output types from them.
	for gi, sg := range subs {
		sub := &scope{parent: s, g: sg, frozen: s.frozen || ni.blocked}
		if err := c.analyze(sub, subgraphHints(n, ni, gi, sg)); err != nil {
			return err
		}
		ni.subs = append(ni.subs, sub)
	}
	outT, err := c.inferOutputs(s, n, ni)
	if err != nil {
		return err
	}
	ni.outT = outT
	for j, name := range n.Outputs {
		d := &valueDef{orig: outT[j], kind: defNode}
		if j == 0 && domain == "" && n.OpType == "Constant" && outT[0] == f32 {
			d.tensor = constantTensor(n)
		}
		if err := define(name, d); err != nil {
			return err
		}
	}
	ni.req, err = c.requirements(s, n, ni)
	if err != nil {
		return err
	}
	for i, name := range n.Inputs {
		switch ni.req[i] {
		case reqF16:
			d, _ := s.lookup(name)
			d.uses |= useF16
		case reqF32:
			d, _ := s.lookup(name)
			d.uses |= useF32
		}
	}
	return nil
}

// nonTensorOp reports whether a schema has a parameter that cannot be a
// tensor (a sequence, map or optional): such ops stay FP32.
func nonTensorOp(sch *schema) bool {
	for _, ps := range [][]param{sch.in, sch.out} {
		for _, p := range ps {
			if !p.tensorTypes() {
				return true
			}
		}
	}
	return false
}

// subgraphHints gives the types of a subgraph's inputs where the subgraph
// does not declare them: Loop's body takes (iteration, condition, loop
// carried values...), Scan's body its state and scan input slices.
func subgraphHints(n *onnxpb.Node, ni *nodeInfo, gi int, sg *onnxpb.Graph) []onnxpb.ElemType {
	if !isControlFlow(n) {
		return nil
	}
	switch n.OpType {
	case "Loop":
		h := []onnxpb.ElemType{onnxpb.ElemInt64, onnxpb.ElemBool}
		if len(ni.inT) > 2 {
			h = append(h, ni.inT[2:]...)
		}
		return h
	case "Scan":
		off := len(n.Inputs) - len(sg.Inputs)
		if off < 0 {
			return nil
		}
		return append([]onnxpb.ElemType(nil), ni.inT[off:]...)
	}
	return nil
}

// graphOutputTypes returns the original types of a subgraph's outputs.
func graphOutputTypes(sub *scope) []onnxpb.ElemType {
	ts := make([]onnxpb.ElemType, len(sub.g.Outputs))
	for i, o := range sub.g.Outputs {
		if d, _ := sub.lookup(o.Name); d != nil {
			ts[i] = d.orig
		}
	}
	return ts
}

func attrInt(n *onnxpb.Node, name string) (int64, bool) {
	a := n.Attr(name)
	if a == nil || (a.Type != onnxpb.AttrInt && a.Type != onnxpb.AttrUndefined) {
		return 0, false
	}
	return a.I, true
}

// constantTensor returns the original FLOAT value of a Constant node (nil
// for a sparse value).
func constantTensor(n *onnxpb.Node) *onnxpb.Tensor {
	for _, a := range n.Attributes {
		switch a.Name {
		case "value":
			if a.T != nil && a.T.DataType == f32 {
				return a.T
			}
		case "value_float":
			return floatScalars("", []float32{a.F}, true)
		case "value_floats":
			return floatScalars("", a.Floats, false)
		}
	}
	return nil
}

// constantType is the type of a Constant node's output.
func constantType(n *onnxpb.Node) onnxpb.ElemType {
	for _, a := range n.Attributes {
		switch a.Name {
		case "value":
			if a.T != nil {
				return a.T.DataType
			}
		case "sparse_value":
			if a.SparseTensor != nil && a.SparseTensor.Values != nil {
				return a.SparseTensor.Values.DataType
			}
		case "value_float", "value_floats":
			return f32
		case "value_int", "value_ints":
			return onnxpb.ElemInt64
		case "value_string", "value_strings":
			return onnxpb.ElemString
		}
	}
	return 0
}

// inferOutputs returns the original types of n's outputs: from special rules
// for ops whose output type an attribute or a subgraph decides, from the
// schema's type constraints, and from value_info as a fallback.
func (c *converter) inferOutputs(s *scope, n *onnxpb.Node, ni *nodeInfo) ([]onnxpb.ElemType, error) {
	out := make([]onnxpb.ElemType, len(n.Outputs))
	special := false
	firstIn := func() onnxpb.ElemType {
		if len(ni.inT) > 0 {
			return ni.inT[0]
		}
		return 0
	}
	dtype := func(def onnxpb.ElemType) onnxpb.ElemType {
		if v, ok := attrInt(n, "dtype"); ok {
			return onnxpb.ElemType(v)
		}
		return def
	}
	if normDomain(n.Domain) == "" && len(out) > 0 {
		special = true
		switch n.OpType {
		case "Constant":
			out[0] = constantType(n)
		case "Cast":
			if v, ok := attrInt(n, "to"); ok {
				out[0] = onnxpb.ElemType(v)
			}
		case "CastLike":
			if len(ni.inT) > 1 {
				out[0] = ni.inT[1]
			}
		case "ConstantOfShape":
			out[0] = f32
			if a := n.Attr("value"); a != nil && a.T != nil {
				out[0] = a.T.DataType
			}
		case "EyeLike", "RandomNormalLike", "RandomUniformLike", "Bernoulli":
			out[0] = dtype(firstIn())
		case "RandomNormal", "RandomUniform":
			out[0] = dtype(f32)
		case "Multinomial":
			out[0] = dtype(onnxpb.ElemInt32)
		case "LayerNormalization":
			out[0] = firstIn()
			st := int64(1)
			if v, ok := attrInt(n, "stash_type"); ok {
				st = v
			}
			for j := 1; j < len(out); j++ {
				out[j] = onnxpb.ElemType(st)
			}
		case "QuantizeLinear":
			switch v, ok := attrInt(n, "output_dtype"); {
			case len(ni.inT) > 2 && n.Inputs[2] != "":
				out[0] = ni.inT[2]
			case ok && v != 0:
				out[0] = onnxpb.ElemType(v)
			default:
				out[0] = onnxpb.ElemUint8
			}
		case "If":
			if len(ni.subs) > 0 {
				copy(out, graphOutputTypes(ni.subs[0]))
				if len(ni.subs) > 1 {
					for j, t := range graphOutputTypes(ni.subs[1]) {
						if j < len(out) && out[j] == 0 {
							out[j] = t
						}
					}
				}
			}
		case "Loop":
			if len(ni.subs) > 0 {
				if ts := graphOutputTypes(ni.subs[0]); len(ts) > 0 {
					copy(out, ts[1:])
				}
			}
		case "Scan":
			if len(ni.subs) > 0 {
				copy(out, graphOutputTypes(ni.subs[0]))
			}
		case "SequenceEmpty":
			out[0] = seqOf(dtype(f32))
		case "SequenceConstruct", "SplitToSequence":
			out[0] = seqOf(firstIn())
		case "SequenceAt", "ConcatFromSequence":
			out[0] = seqElem(firstIn())
		default:
			special = false
		}
	}
	if !special && ni.sch != nil {
		for j := range out {
			p, ok := ni.sch.outParam(j)
			if !ok {
				continue
			}
			if p.tc != "" && !p.hetero {
				for i, name := range n.Inputs {
					ip, ok := ni.sch.inParam(i)
					if ok && ip.tc == p.tc && name != "" && ni.inT[i] != 0 {
						out[j] = ni.inT[i]
						break
					}
				}
			}
			if out[j] != 0 {
				continue
			}
			switch tm := p.mask & 0xffffffff; {
			case tm == 0 && bits.OnesCount64(p.mask>>32&0x7fffffff) == 1:
				out[j] = seqOf(onnxpb.ElemType(bits.TrailingZeros64(p.mask >> 32)))
			case tm == 0:
				out[j] = elemOpaque
			case bits.OnesCount64(tm) == 1:
				out[j] = onnxpb.ElemType(bits.TrailingZeros64(tm))
			}
		}
	}
	// Fallback and cross-check: value_info.
	for j, name := range n.Outputs {
		if name == "" {
			continue
		}
		vi := s.declared[name]
		if vi == nil {
			continue
		}
		t, _ := declaredType(vi)
		switch {
		case t == 0:
		case out[j] == 0:
			out[j] = t
		case out[j] != t && (out[j] == f32 || t == f32):
			return nil, fmt.Errorf("%w: %s: output %q of node %s (%s) is declared %v but the op makes %v",
				onnxpb.ErrInvalid, s.path(), name, nodeLabel(n), n.OpType, t, out[j])
		}
	}
	return out, nil
}

// requirements decides, for each FLOAT input of n, which type it needs after
// conversion.
func (c *converter) requirements(s *scope, n *onnxpb.Node, ni *nodeInfo) ([]req, error) {
	rs := make([]req, len(n.Inputs))
	for i, name := range n.Inputs {
		if name == "" {
			continue
		}
		t := ni.inT[i]
		if ni.blocked {
			if t == f32 {
				rs[i] = reqF32
			}
			continue
		}
		p, ok := ni.sch.inParam(i)
		if t == 0 {
			if ok && p.allows(f32) {
				return nil, fmt.Errorf("%w: %s: cannot tell the type of %q (input %d of node %s, %s); add value_info for it (run ONNX shape inference) or block the node",
					onnxpb.ErrInvalid, s.path(), name, i, nodeLabel(n), n.OpType)
			}
			continue
		}
		if t != f32 {
			continue
		}
		switch {
		case !ok:
			rs[i] = reqF32
		case !p.allows(f16):
			rs[i] = reqF32
			c.rep.FloatOnlyInputs = append(c.rep.FloatOnlyInputs, FloatInput{
				Node: nodeLabel(n), OpType: n.OpType, Input: i, Name: p.name, Value: name})
		case !p.hetero && !boundElsewhere(ni.sch, n, i, p) && typeAgnostic(n):
			rs[i] = reqAny
		default:
			rs[i] = reqF16
		}
	}
	return rs, nil
}

// typeAgnostic reports whether n reads only the shape or the type of an input
// whose type constraint binds nothing else (Shape, Cast, EyeLike...): such an
// input may stay FLOAT without a Cast. Elsewhere an unbound input (Pow's
// exponent, GridSample's grid, Resize's roi) still becomes FLOAT16, as in an
// FP16 engine.
func typeAgnostic(n *onnxpb.Node) bool {
	if normDomain(n.Domain) != "" {
		return false
	}
	switch n.OpType {
	case "Shape", "Size", "Cast", "CastLike", "EyeLike", "RandomNormalLike", "RandomUniformLike":
		return true
	}
	return false
}

// boundElsewhere reports whether input i's type constraint also binds an
// output or another present input, so its type must follow theirs.
func boundElsewhere(sch *schema, n *onnxpb.Node, i int, p param) bool {
	if p.tc == "" {
		return false
	}
	for _, o := range sch.out {
		if o.tc == p.tc {
			return true
		}
	}
	for k, name := range n.Inputs {
		if k == i || name == "" {
			continue
		}
		if q, ok := sch.inParam(k); ok && q.tc == p.tc {
			return true
		}
	}
	return false
}
