package onnx

import (
	"math"

	"github.com/gotrt/gotrt/trt"
)

// Data-movement and generator operators: Gather, GatherElements, GatherND,
// Scatter, ScatterElements, ScatterND, Pad, ConstantOfShape, Range, EyeLike,
// OneHot, NonZero, Compress, Trilu.

func init() {
	Register("Gather", importGather)
	Register("GatherElements", importGatherElements)
	Register("GatherND", importGatherND)
	Register("Scatter", importScatterElements)
	Register("ScatterElements", importScatterElements)
	Register("ScatterND", importScatterND)
	Register("Pad", importPad)
	Register("ConstantOfShape", importConstantOfShape)
	Register("Range", importRange)
	Register("EyeLike", importEyeLike)
	Register("OneHot", importOneHot)
	Register("NonZero", importNonZero)
	Register("Compress", importCompress)
	Register("Trilu", importTrilu)
}

func requireIndexType(c *Ctx, idx *trt.Tensor) error {
	if t := idx.Type(); t != trt.Int64 && t != trt.Int32 {
		return c.Errorf("indices must be INT32 or INT64, got %v", t)
	}
	return nil
}

// ---- Gather ------------------------------------------------------------------

func importGather(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 2); err != nil {
		return nil, err
	}
	if err := requireIndexType(c, in[1]); err != nil {
		return nil, err
	}
	a, err := c.Node.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	axis, err := resolveAxis(c, "axis", a, len(in[0].Dimensions()), false)
	if err != nil {
		return nil, err
	}
	return one(c.Main(c.Net().AddGatherV2(in[0], in[1], trt.GatherModeDefault, axis))), nil
}

func importGatherElements(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 2); err != nil {
		return nil, err
	}
	if err := requireIndexType(c, in[1]); err != nil {
		return nil, err
	}
	a, err := c.Node.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	r := len(in[0].Dimensions())
	axis, err := resolveAxis(c, "axis", a, r, false)
	if err != nil {
		return nil, err
	}
	if q := len(in[1].Dimensions()); q != r {
		return nil, c.Errorf("indices have rank %d, data has rank %d", q, r)
	}
	return one(c.Main(c.Net().AddGatherV2(in[0], in[1], trt.GatherModeElements, axis))), nil
}

func importGatherND(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 2); err != nil {
		return nil, err
	}
	if err := requireIndexType(c, in[1]); err != nil {
		return nil, err
	}
	b, err := c.Node.AttrInt("batch_dims", 0)
	if err != nil {
		return nil, err
	}
	if b != 0 && c.Opset < 12 {
		return nil, c.Errorf("batch_dims needs opset 12 (model has opset %d)", c.Opset)
	}
	r, q := len(in[0].Dimensions()), len(in[1].Dimensions())
	if b < 0 || int(b) >= min(r, q) {
		return nil, c.Errorf("batch_dims %d must be in [0, min(data rank %d, indices rank %d))", b, r, q)
	}
	l := c.Net().AddGatherV2(in[0], in[1], trt.GatherModeND, 0)
	l.SetNbElementWiseDims(int(b))
	return one(c.Main(l)), nil
}

// ---- Scatter ----------------------------------------------------------------

// scatterReduction reads the reduction attribute (opset 16: none, add, mul;
// opset 18: max, min).
func scatterReduction(c *Ctx) (trt.ScatterReduction, error) {
	red, err := c.Node.AttrString("reduction", "none")
	if err != nil {
		return 0, err
	}
	var r trt.ScatterReduction
	from := 16
	switch red {
	case "none":
		return trt.ScatterReduceNone, nil
	case "add":
		r = trt.ScatterReduceAdd
	case "mul":
		r = trt.ScatterReduceMul
	case "max":
		r, from = trt.ScatterReduceMax, 18
	case "min":
		r, from = trt.ScatterReduceMin, 18
	default:
		return 0, c.Errorf("reduction must be none, add, mul, max or min, got %q", red)
	}
	if c.Opset < from {
		return 0, c.Errorf("reduction %q needs opset %d (model has opset %d)", red, from, c.Opset)
	}
	return r, nil
}

func importScatterElements(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 3); err != nil {
		return nil, err
	}
	if err := requireIndexType(c, in[1]); err != nil {
		return nil, err
	}
	red, err := scatterReduction(c)
	if err != nil {
		return nil, err
	}
	a, err := c.Node.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	r := len(in[0].Dimensions())
	axis, err := resolveAxis(c, "axis", a, r, false)
	if err != nil {
		return nil, err
	}
	if len(in[1].Dimensions()) != r || len(in[2].Dimensions()) != r {
		return nil, c.Errorf("data %v, indices %v and updates %v must have the same rank",
			in[0].Dimensions(), in[1].Dimensions(), in[2].Dimensions())
	}
	l := c.Net().AddScatter(in[0], in[1], in[2], trt.ScatterModeElements, axis)
	l.SetReduction(red)
	return one(c.Main(l)), nil
}

func importScatterND(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 3); err != nil {
		return nil, err
	}
	if t := in[1].Type(); t != trt.Int64 {
		return nil, c.Errorf("indices must be INT64, got %v", t)
	}
	red, err := scatterReduction(c)
	if err != nil {
		return nil, err
	}
	l := c.Net().AddScatter(in[0], in[1], in[2], trt.ScatterModeND, 0)
	l.SetReduction(red)
	return one(c.Main(l)), nil
}

// ---- Pad --------------------------------------------------------------------

func importPad(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	r := len(x.Dimensions())
	mode, err := c.Node.AttrString("mode", "constant")
	if err != nil {
		return nil, err
	}
	switch mode {
	case "constant", "reflect", "edge":
	case "wrap":
		if c.Opset < 19 {
			return nil, c.Errorf("mode wrap needs opset 19 (model has opset %d)", c.Opset)
		}
	default:
		return nil, c.Errorf("mode must be constant, reflect, edge or wrap, got %q", mode)
	}
	p := &trt.PaddingParams{Mode: mode}
	if c.Opset < 11 {
		name := "pads"
		if c.Opset < 2 {
			name = "paddings"
		}
		if !c.Node.HasAttr(name) {
			return nil, c.Errorf("attribute %s is required before opset 11", name)
		}
		pads, err := c.Node.AttrInts(name, nil)
		if err != nil {
			return nil, err
		}
		if len(pads) != 2*r {
			return nil, c.Errorf("%s %v need %d values for rank %d", name, pads, 2*r, r)
		}
		v, err := c.Node.AttrFloat("value", 0)
		if err != nil {
			return nil, err
		}
		p.Pads = int64sToInts(pads)
		p.Value = v
		return one(c.Main(c.Net().AddPadding(x, nil, nil, nil, p))), nil
	}
	if err := needInputs(c, in, 2); err != nil {
		return nil, err
	}
	padsT, valueT, axesT := in[1], optInput(in, 2), optInput(in, 3)
	if t := padsT.Type(); t != trt.Int64 {
		return nil, c.Errorf("pads must be INT64, got %v", t)
	}
	if axesT != nil && c.Opset < 18 {
		return nil, c.Errorf("the axes input needs opset 18 (model has opset %d)", c.Opset)
	}
	if valueT != nil {
		if valueT.Type() != x.Type() {
			return nil, c.Errorf("constant_value has type %v, data has %v", valueT.Type(), x.Type())
		}
		if d := valueT.Dimensions(); dimsVolume(d) == 0 {
			valueT = nil // an empty value means the default 0
		} else if len(d) > 1 || (len(d) == 1 && d[0] != 1) {
			return nil, c.Errorf("constant_value must be a scalar, got dims %v", d)
		}
	}
	if valueT != nil {
		if v, ok := c.FloatsOf(valueT); ok && len(v) == 1 && float64(float32(v[0])) == v[0] {
			p.Value, valueT = float32(v[0]), nil
		}
	}
	pads, okP := c.IntsOf(padsT)
	var axes []int64
	okA := true
	if axesT != nil {
		if t := axesT.Type(); t != trt.Int64 && t != trt.Int32 {
			return nil, c.Errorf("axes must be INT32 or INT64, got %v", t)
		}
		axes, okA = c.IntsOf(axesT)
	}
	if okP && okA {
		// Static pads over every axis.
		ax := make([]int, r)
		for i := range ax {
			ax[i] = i
		}
		if axesT != nil {
			ax = ax[:0]
			seen := map[int]bool{}
			for _, a := range axes {
				n, err := resolveAxis(c, "axis", a, r, false)
				if err != nil {
					return nil, err
				}
				if seen[n] {
					return nil, c.Errorf("axes %v repeat axis %d", axes, n)
				}
				seen[n] = true
				ax = append(ax, n)
			}
		}
		if len(pads) != 2*len(ax) {
			return nil, c.Errorf("pads %v need %d values for %d axes", pads, 2*len(ax), len(ax))
		}
		full := make([]int, 2*r)
		for i, a := range ax {
			full[a] = int(pads[i])
			full[a+r] = int(pads[i+len(ax)])
		}
		p.Pads = full
		return one(c.Main(c.Net().AddPadding(x, nil, valueT, nil, p))), nil
	}
	if !okA {
		return nil, c.Unsupported("Pad axes computed at run time")
	}
	return one(c.Main(c.Net().AddPadding(x, padsT, valueT, axesT, p))), nil
}

func int64sToInts(v []int64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// ---- ConstantOfShape, Range, EyeLike -----------------------------------------

func importConstantOfShape(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	shape := in[0]
	if t := shape.Type(); t != trt.Int64 {
		return nil, c.Errorf("input must be INT64, got %v", t)
	}
	if d := shape.Dimensions(); len(d) != 1 {
		return nil, c.Errorf("input must be 1-D, got dims %v", d)
	}
	p := &trt.FillParams{Op: trt.FillConstant, Type: trt.Float}
	if c.Node.HasAttr("value") {
		t, err := c.Node.AttrTensor("value")
		if err != nil {
			return nil, err
		}
		h, err := t.ToHost()
		if err != nil {
			return nil, errWrapUnsupported(err)
		}
		if h.Len() != 1 {
			return nil, c.Errorf("value must hold one element, has %d", h.Len())
		}
		dt, err := hostType(mustElem(h.Type))
		if err != nil {
			return nil, err
		}
		p.Type = dt
		switch d := h.Data.(type) {
		case []int64:
			if d[0] > 1<<53 || d[0] < -(1<<53) {
				return nil, c.Unsupported("INT64 value %d beyond 2^53", d[0])
			}
			p.Value = float64(d[0])
		default:
			p.Value = h.Float64s()[0]
		}
	}
	if v, ok := c.IntsOf(shape); ok {
		for _, x := range v {
			if x < 0 {
				return nil, c.Errorf("shape %v has a negative value", v)
			}
		}
	}
	return one(c.Main(c.Net().AddFill(p, shape))), nil
}

func importRange(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 3); err != nil {
		return nil, err
	}
	t := in[0].Type()
	for i, x := range in[:3] {
		if x.Type() != t {
			return nil, c.Errorf("start, limit and delta must have the same type: input %d is %v, start is %v", i, x.Type(), t)
		}
		if d := x.Dimensions(); len(d) > 1 || dimsVolume(d) != 1 && dimsVolume(d) >= 0 {
			return nil, c.Errorf("input %d must be a scalar, got dims %v", i, d)
		}
	}
	switch t {
	case trt.Float, trt.Half, trt.BF16, trt.Int32, trt.Int64:
	default:
		return nil, c.Errorf("type %v is not allowed", t)
	}
	if v, ok := c.FloatsOf(in[2]); ok && len(v) == 1 && v[0] == 0 {
		return nil, c.Errorf("delta is 0")
	}
	return one(c.Main(c.Net().AddFill(&trt.FillParams{Op: trt.FillRange, Type: t}, in[0], in[1], in[2]))), nil
}

func importEyeLike(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if d := x.Dimensions(); len(d) != 2 {
		return nil, c.Errorf("input must be 2-D, got dims %v", d)
	}
	k, err := c.Node.AttrInt("k", 0)
	if err != nil {
		return nil, err
	}
	t := x.Type()
	if c.Node.HasAttr("dtype") {
		dt, err := c.Node.AttrInt("dtype", 0)
		if err != nil {
			return nil, err
		}
		if t, err = hostType(onnxElem(dt)); err != nil {
			return nil, err
		}
	}
	if k > math.MaxInt32 || k < math.MinInt32 {
		k = max(min(k, math.MaxInt32), math.MinInt32) // beyond any extent: all zeros
	}
	return one(c.Main(c.Net().AddFill(&trt.FillParams{Op: trt.FillEyeLike, Type: t, K: int(k)}, x))), nil
}

// ---- OneHot, NonZero, Compress, Trilu ---------------------------------------

func importOneHot(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 3); err != nil {
		return nil, err
	}
	idx, depth, values := in[0], in[1], in[2]
	a, err := c.Node.AttrInt("axis", -1)
	if err != nil {
		return nil, err
	}
	r := len(idx.Dimensions())
	if a < -int64(r)-1 || a > int64(r) {
		return nil, c.Errorf("axis %d is out of range for output rank %d", a, r+1)
	}
	if t := idx.Type(); t == trt.Bool {
		return nil, c.Errorf("indices must be numeric, got %v", t)
	}
	if d := depth.Dimensions(); dimsVolume(d) >= 0 && dimsVolume(d) != 1 {
		return nil, c.Errorf("depth must be a scalar (or a 1-element tensor), got dims %v", d)
	}
	if d := values.Dimensions(); len(d) != 1 || (d[0] >= 0 && d[0] != 2) {
		return nil, c.Errorf("values must have dims [2], got %v", d)
	}
	return one(c.Main(c.Net().AddOneHot(idx, values, depth, int(a)))), nil
}

func importNonZero(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	return one(c.Main(c.Net().AddNonZero(in[0]))), nil
}

func importCompress(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 2); err != nil {
		return nil, err
	}
	x, cond := in[0], in[1]
	if cond.Type() != trt.Bool {
		return nil, c.Errorf("condition must be BOOL, got %v", cond.Type())
	}
	if d := cond.Dimensions(); len(d) != 1 {
		return nil, c.Errorf("condition must be 1-D, got dims %v", d)
	}
	// Indices of the true elements: NonZero gives [1, n]; flatten to [n].
	nz := c.Net().AddNonZero(cond).Output(0)
	fl := c.Net().AddShuffle(nz)
	fl.SetReshapeDimensions(trt.Dims{-1})
	idx := fl.Output(0)
	axis := 0
	if c.Node.HasAttr("axis") {
		a, err := c.Node.AttrInt("axis", 0)
		if err != nil {
			return nil, err
		}
		if axis, err = resolveAxis(c, "axis", a, len(x.Dimensions()), false); err != nil {
			return nil, err
		}
		if ext, n := x.Dimensions()[axis], cond.Dimensions()[0]; ext >= 0 && n > ext {
			return nil, c.Errorf("condition has %d elements, axis %d has extent %d", n, axis, ext)
		}
	} else {
		s := c.Net().AddShuffle(x)
		s.SetReshapeDimensions(trt.Dims{-1})
		x = s.Output(0)
	}
	return one(c.Main(c.Net().AddGatherV2(x, idx, trt.GatherModeDefault, axis))), nil
}

func importTrilu(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	upper, err := c.Node.AttrInt("upper", 1)
	if err != nil {
		return nil, err
	}
	if d := in[0].Dimensions(); len(d) < 2 {
		return nil, c.Errorf("input must have rank >= 2, got dims %v", d)
	}
	k := optInput(in, 1)
	if k != nil {
		if t := k.Type(); t != trt.Int64 {
			return nil, c.Errorf("k must be INT64, got %v", t)
		}
		if v, ok := c.IntsOf(k); ok {
			if len(v) != 1 {
				return nil, c.Errorf("k must be a scalar, got %v", v)
			}
			if v[0] == 0 {
				k = nil // the default diagonal
			}
		}
	}
	return one(c.Main(c.Net().AddTrilu(in[0], upper != 0, k))), nil
}
