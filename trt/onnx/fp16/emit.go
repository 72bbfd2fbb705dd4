package fp16

import (
	"fmt"
	"slices"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// ---------------------------------------------------------------------------
// Emission: rewrite the graph, scope by scope, in topological order.

// target decides the type value d has under its own name: the type a graph
// output must have; FLOAT16 if any consumer needs FLOAT16; FLOAT if the
// consumers that care all need FLOAT; otherwise natural, the type its
// producer gives.
func (c *converter) target(s *scope, d *valueDef, natural onnxpb.ElemType) onnxpb.ElemType {
	switch {
	case s.frozen:
		return f32
	case d.forced != 0:
		return d.forced
	case d.uses&useF16 != 0:
		return f16
	case d.uses&useF32 != 0:
		return f32
	}
	return natural
}

func (c *converter) emit(s *scope) error {
	g := s.g
	inT := c.inputType(s)
	inputVI := map[string]*onnxpb.ValueInfo{}
	for _, in := range g.Inputs {
		d := s.vals[in.Name]
		if d == nil || d.kind == defInit { // no name; an initializer's declaration
			inputVI[in.Name] = in
			continue
		}
		d.cur, d.done = d.orig, true
		if d.orig == f32 {
			d.cur = inT
			if inT == f16 {
				setElem(in, f16)
				c.rep.ConvertedValues++
			}
		}
	}
	for i, t := range g.Initializers {
		d := s.vals[t.Name]
		if d == nil || d.tensor != t { // no name; a second initializer of the name
			continue
		}
		d.cur, d.done = d.orig, true
		if d.orig != f32 {
			continue
		}
		d.cur = c.target(s, d, f16)
		if d.cur == f32 {
			c.rep.KeptFloat = append(c.rep.KeptFloat, t.Name)
			continue
		}
		nt, err := c.half(t)
		if err != nil {
			return fmt.Errorf("%s: %w", s.path(), err)
		}
		g.Initializers[i] = nt
		c.rep.ConvertedInitializers = append(c.rep.ConvertedInitializers, t.Name)
		if vi := inputVI[t.Name]; vi != nil && vi.Kind == onnxpb.TypeTensor && vi.ElemType == f32 {
			setElem(vi, f16)
			c.rep.ConvertedValues++
		}
	}
	for i, sp := range g.SparseInitializers {
		d := s.vals[sp.Values.Name]
		if d == nil || d.kind != defSparse {
			continue
		}
		d.cur, d.done = d.orig, true
		if d.orig != f32 {
			continue
		}
		d.cur = c.target(s, d, f16)
		if d.cur == f32 {
			c.rep.KeptFloat = append(c.rep.KeptFloat, sp.Values.Name)
			continue
		}
		nv, err := c.half(sp.Values)
		if err != nil {
			return fmt.Errorf("%s: %w", s.path(), err)
		}
		nsp := *sp
		nsp.Values = nv
		g.SparseInitializers[i] = &nsp
		c.rep.ConvertedInitializers = append(c.rep.ConvertedInitializers, sp.Values.Name)
	}
	for _, n := range g.Nodes {
		if err := c.emitNode(s, n); err != nil {
			return err
		}
	}
	want := c.outputWant(s)
	for _, o := range g.Outputs {
		d, ds := s.lookup(o.Name)
		if d.orig != f32 {
			continue
		}
		if ds != s {
			// A subgraph output that is an outer value: take it in the
			// subgraph's output type (output names of subgraphs are free).
			o.Name = c.need(s, o.Name, want)
		} else if d.cur != want {
			return fmt.Errorf("fp16: internal error: %s: output %q is %v, want %v", s.path(), o.Name, d.cur, want)
		}
		if want == f16 && o.Kind == onnxpb.TypeTensor && o.ElemType == f32 {
			setElem(o, f16)
			c.rep.ConvertedValues++
		}
	}
	for _, vi := range g.ValueInfo {
		d, ds := s.lookup(vi.Name)
		if d == nil || ds != s || d.orig != f32 || vi.Kind != onnxpb.TypeTensor {
			continue
		}
		if d.cur == f16 && vi.ElemType == f32 {
			setElem(vi, f16)
			c.rep.ConvertedValues++
		}
	}
	g.Nodes = s.out
	g.Initializers = append(g.Initializers, s.newInits...)
	if c.irVersion < 4 {
		// Before IR version 4 every initializer is also a graph input.
		for _, t := range s.newInits {
			vi := &onnxpb.ValueInfo{Name: t.Name, Kind: onnxpb.TypeTensor, ElemType: t.DataType, HasShape: true}
			for _, d := range t.Dims {
				vi.Shape = append(vi.Shape, onnxpb.Dim{Value: d, Known: true})
			}
			g.Inputs = append(g.Inputs, vi)
		}
	}
	g.ValueInfo = append(g.ValueInfo, s.newVI...)
	return nil
}

func setElem(vi *onnxpb.ValueInfo, t onnxpb.ElemType) {
	vi.ElemType = t
	vi.RawType = nil // the type is now described by Kind/ElemType/Shape
}

// half converts a FLOAT tensor to FLOAT16 with the options' clamping and
// reports what was clamped.
func (c *converter) half(t *onnxpb.Tensor) (*onnxpb.Tensor, error) { return c.halfAs(t, t.Name) }

// halfAs is half for a tensor reported as name (the value a Constant makes).
func (c *converter) halfAs(t *onnxpb.Tensor, name string) (*onnxpb.Tensor, error) {
	nt, cl, err := toFloat16(t, c.opt.MinPositiveVal, c.opt.MaxFiniteVal)
	if err != nil {
		return nil, err
	}
	cl.Tensor = name
	if cl.Small+cl.Large > 0 {
		c.rep.Clamped = append(c.rep.Clamped, cl)
	}
	return nt, nil
}

func (c *converter) emitNode(s *scope, n *onnxpb.Node) error {
	ni := c.info[n]
	for _, sub := range ni.subs {
		if err := c.emit(sub); err != nil {
			return err
		}
	}
	for i, name := range n.Inputs {
		switch ni.req[i] {
		case reqF16:
			n.Inputs[i] = c.need(s, name, f16)
		case reqF32:
			n.Inputs[i] = c.need(s, name, f32)
		}
	}
	prod := append([]onnxpb.ElemType(nil), ni.outT...)
	if !ni.blocked {
		if err := c.rewrite(s, n, ni, prod); err != nil {
			return err
		}
	}
	s.out = append(s.out, n)
	for j, name := range n.Outputs {
		if name == "" {
			continue
		}
		d := s.vals[name]
		d.cur, d.done = d.orig, true
		if d.orig != f32 {
			continue
		}
		d.cur = c.target(s, d, prod[j])
		if prod[j] == d.cur {
			continue
		}
		// The node makes the other type: it writes a new name, and a Cast
		// gives the value its type under its own name.
		suffix := "_fp32"
		if prod[j] == f16 {
			suffix = "_fp16"
		}
		tmp := c.fresh(name + suffix)
		n.Outputs[j] = tmp
		s.casts[castKey{name, prod[j]}] = tmp
		s.addValueInfo(name, tmp, prod[j])
		s.out = append(s.out, c.castNode(tmp, name, d.cur))
	}
	return nil
}

// rewrite changes an unblocked node for FP16 and sets prod, the types its
// outputs will have.
func (c *converter) rewrite(s *scope, n *onnxpb.Node, ni *nodeInfo, prod []onnxpb.ElemType) error {
	// tgt is the type output 0 will have under its name, for ops that can
	// make either type.
	tgt := func() onnxpb.ElemType { return c.target(s, s.vals[n.Outputs[0]], f16) }
	floatOut := len(n.Outputs) > 0 && n.Outputs[0] != "" && ni.outT[0] == f32
	if normDomain(n.Domain) == "" {
		switch n.OpType {
		case "Constant":
			if floatOut {
				prod[0] = tgt()
				if prod[0] == f16 {
					return c.halfConstant(s, n)
				}
				c.rep.KeptFloat = append(c.rep.KeptFloat, n.Outputs[0])
			}
			return nil
		case "Cast":
			if floatOut {
				prod[0] = tgt()
				if prod[0] == f16 {
					setIntAttr(n, "to", int64(f16))
					c.rep.RewrittenCasts = append(c.rep.RewrittenCasts, nodeLabel(n))
				}
			}
			return nil
		case "ConstantOfShape":
			if floatOut {
				prod[0] = tgt()
				if prod[0] == f16 {
					return c.halfConstantOfShape(n)
				}
			}
			return nil
		case "EyeLike", "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli":
			if floatOut {
				prod[0] = tgt()
				setIntAttr(n, "dtype", int64(prod[0]))
			}
			return nil
		case "If", "Loop", "Scan":
			for j, t := range ni.outT {
				if t == f32 {
					prod[j] = f16
				}
			}
			return nil
		}
	}
	// Generic: an output whose type constraint binds a FLOAT input takes
	// the type that input was given; others keep their type (a fixed type,
	// or one that an attribute decides).
	for j, t := range ni.outT {
		if t != f32 {
			continue
		}
		p, ok := ni.sch.outParam(j)
		if !ok || p.tc == "" {
			continue
		}
		for i, name := range n.Inputs {
			ip, ok := ni.sch.inParam(i)
			if !ok || ip.tc != p.tc || name == "" || ni.inT[i] != f32 {
				continue
			}
			switch ni.req[i] {
			case reqF16:
				prod[j] = f16
			case reqF32:
				prod[j] = f32
			}
			break
		}
	}
	return nil
}

func setIntAttr(n *onnxpb.Node, name string, v int64) {
	if a := n.Attr(name); a != nil {
		a.Type, a.I = onnxpb.AttrInt, v
		return
	}
	n.Attributes = append(n.Attributes, &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInt, I: v})
}

// halfConstant makes a Constant node's FLOAT value FLOAT16.
func (c *converter) halfConstant(s *scope, n *onnxpb.Node) error {
	for i, a := range n.Attributes {
		var src *onnxpb.Tensor
		switch a.Name {
		case "value":
			src = a.T
		case "value_float":
			src = floatScalars("", []float32{a.F}, true)
		case "value_floats":
			src = floatScalars("", a.Floats, false)
		case "sparse_value":
			if a.SparseTensor == nil || a.SparseTensor.Values == nil {
				continue
			}
			nv, err := c.halfAs(a.SparseTensor.Values, n.Outputs[0])
			if err != nil {
				return fmt.Errorf("%s: Constant %s: %w", s.path(), nodeLabel(n), err)
			}
			sp := *a.SparseTensor
			sp.Values = nv
			n.Attributes[i] = &onnxpb.Attribute{Name: a.Name, Type: onnxpb.AttrSparseTensor, SparseTensor: &sp, DocString: a.DocString}
			c.rep.ConvertedConstants = append(c.rep.ConvertedConstants, n.Outputs[0])
			return nil
		default:
			continue
		}
		if src == nil {
			continue
		}
		nt, err := c.halfAs(src, n.Outputs[0])
		if err != nil {
			return fmt.Errorf("%s: Constant %s: %w", s.path(), nodeLabel(n), err)
		}
		if nt.Name == "" {
			nt.Name = n.Outputs[0]
		}
		n.Attributes[i] = &onnxpb.Attribute{Name: "value", Type: onnxpb.AttrTensor, T: nt, DocString: a.DocString}
		c.rep.ConvertedConstants = append(c.rep.ConvertedConstants, n.Outputs[0])
		return nil
	}
	return fmt.Errorf("%w: %s: Constant %s has no FLOAT value", onnxpb.ErrInvalid, s.path(), nodeLabel(n))
}

// halfConstantOfShape makes ConstantOfShape fill with FLOAT16.
func (c *converter) halfConstantOfShape(n *onnxpb.Node) error {
	a := n.Attr("value")
	if a == nil || a.T == nil {
		if a != nil {
			n.Attributes = slices.DeleteFunc(n.Attributes, func(x *onnxpb.Attribute) bool { return x == a })
		}
		// The default value is a FLOAT zero.
		n.Attributes = append(n.Attributes, &onnxpb.Attribute{Name: "value", Type: onnxpb.AttrTensor,
			T: &onnxpb.Tensor{DataType: f16, Dims: []int64{1}, RawData: []byte{0, 0}}})
	} else {
		nt, err := c.halfAs(a.T, n.Outputs[0])
		if err != nil {
			return fmt.Errorf("ConstantOfShape %s: %w", nodeLabel(n), err)
		}
		a.T = nt
	}
	c.rep.ConvertedConstants = append(c.rep.ConvertedConstants, n.Outputs[0])
	return nil
}

// need returns a name that holds value name in type t, as seen from scope s:
// the name itself, or a Cast output (or an FP32/FP16 copy of a constant)
// made once in the scope that defines the value and shared by all consumers.
func (c *converter) need(s *scope, name string, t onnxpb.ElemType) string {
	d, ds := s.lookup(name)
	if !d.done {
		panic(fmt.Sprintf("fp16: internal error: %q used before it is emitted", name)) // topological order guarantees it
	}
	if d.cur == t {
		return name
	}
	key := castKey{name, t}
	if v, ok := ds.casts[key]; ok {
		return v
	}
	suffix := "_fp32"
	if t == f16 {
		suffix = "_fp16"
	}
	tmp := c.fresh(name + suffix)
	if d.tensor != nil && d.orig == f32 && d.tensor.DataType == f32 && d.tensor.DataLocation != onnxpb.LocationExternal {
		// A constant: a copy in the other type, made from the original
		// FLOAT data (exact for FP32 consumers).
		nt := cloneTensor(d.tensor, tmp)
		if t == f16 {
			if h, err := c.halfAs(d.tensor, tmp); err == nil {
				nt = h
				nt.Name = tmp
			} else {
				nt = nil
			}
		}
		if nt != nil {
			switch d.kind {
			case defInit:
				ds.newInits = append(ds.newInits, nt)
			default: // a Constant node's output
				ds.out = append(ds.out, &onnxpb.Node{
					Name: c.fresh(tmp + "_const"), OpType: "Constant", Outputs: []string{tmp},
					Attributes: []*onnxpb.Attribute{{Name: "value", Type: onnxpb.AttrTensor, T: nt}},
				})
			}
			c.rep.FloatCopies = append(c.rep.FloatCopies, tmp)
			ds.casts[key] = tmp
			ds.addValueInfo(name, tmp, t)
			return tmp
		}
	}
	ds.out = append(ds.out, c.castNode(name, tmp, t))
	ds.casts[key] = tmp
	ds.addValueInfo(name, tmp, t)
	return tmp
}

func (c *converter) castNode(from, to string, t onnxpb.ElemType) *onnxpb.Node {
	suffix := "_cast_fp32"
	if t == f16 {
		suffix = "_cast_fp16"
	}
	name := c.fresh(from + suffix)
	c.rep.InsertedCasts = append(c.rep.InsertedCasts, name)
	return &onnxpb.Node{
		Name: name, OpType: "Cast", Inputs: []string{from}, Outputs: []string{to},
		Attributes: []*onnxpb.Attribute{{Name: "to", Type: onnxpb.AttrInt, I: int64(t)}},
	}
}

// addValueInfo declares name tmp, a copy of value name in type t, with the
// shape declared for name (when there is one).
func (s *scope) addValueInfo(name, tmp string, t onnxpb.ElemType) {
	vi := s.declared[name]
	if vi == nil || vi.Kind != onnxpb.TypeTensor {
		return
	}
	s.newVI = append(s.newVI, &onnxpb.ValueInfo{
		Name: tmp, Kind: onnxpb.TypeTensor, ElemType: t,
		Shape: append([]onnxpb.Dim(nil), vi.Shape...), HasShape: vi.HasShape,
	})
}
