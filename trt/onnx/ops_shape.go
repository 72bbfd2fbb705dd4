package onnx

import (
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

// Shape-manipulation operators: Reshape, Flatten, Transpose, Squeeze,
// Unsqueeze, Concat, Split, Slice, Expand, Tile, Shape, Size, DepthToSpace,
// SpaceToDepth. Parameters known at build time become static layer
// parameters; otherwise they stay tensors evaluated at run time.

func init() {
	Register("Reshape", importReshape)
	Register("Flatten", importFlatten)
	Register("Transpose", importTranspose)
	Register("Squeeze", importSqueeze)
	Register("Unsqueeze", importUnsqueeze)
	Register("Concat", importConcat)
	Register("Split", importSplit)
	Register("Slice", importSlice)
	Register("Expand", importExpand)
	Register("Tile", importTile)
	Register("Shape", importShape)
	Register("Size", importSize)
	Register("DepthToSpace", importDepthToSpace)
	Register("SpaceToDepth", importSpaceToDepth)
}

// ---- helpers ---------------------------------------------------------------

// needInputs checks that the node has at least n inputs, all present.
func needInputs(c *Ctx, in []*trt.Tensor, n int) error {
	if len(in) < n {
		return c.Errorf("needs %d inputs, has %d", n, len(in))
	}
	for i := 0; i < n; i++ {
		if in[i] == nil {
			return c.Errorf("input %d is required", i)
		}
	}
	return nil
}

// optInput returns input i or nil when absent.
func optInput(in []*trt.Tensor, i int) *trt.Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// resolveAxis resolves an axis attribute or input in [-rank, rank) (inclusive:
// in [-rank, rank], as Flatten's axis); negative axes count from the end.
func resolveAxis(c *Ctx, what string, axis int64, rank int, inclusive bool) (int, error) {
	r := int64(rank)
	hi := r
	if inclusive {
		hi++
	}
	if axis < -r || axis >= hi {
		return 0, c.Errorf("%s %d is out of range for rank %d", what, axis, rank)
	}
	if axis < 0 {
		axis += r
	}
	return int(axis), nil
}

// nonNegativeBefore11 rejects negative axes of operators whose versions
// before opset 11 take only non-negative ones (Flatten, Squeeze, Unsqueeze).
func nonNegativeBefore11(c *Ctx, what string, axes ...int64) error {
	if c.Opset >= 11 {
		return nil
	}
	for _, a := range axes {
		if a < 0 {
			return c.Errorf("%s %d is negative: %s takes negative axes from opset 11 (model has opset %d)", what, a, c.Node.OpType, c.Opset)
		}
	}
	return nil
}

// axesOperand returns the axes of Squeeze/Unsqueeze/Reduce-style operators: the
// attribute before opset `inputFrom`, input 1 after. ok is false when the
// axes are given but not known at build time; present is false when absent.
func axesOperand(c *Ctx, in []*trt.Tensor, inputFrom int) (axes []int64, present, ok bool, err error) {
	if c.Opset < inputFrom {
		if !c.Node.HasAttr("axes") {
			return nil, false, true, nil
		}
		v, err := c.Node.AttrInts("axes", nil)
		return v, true, true, err
	}
	t := optInput(in, 1)
	if t == nil {
		return nil, false, true, nil
	}
	v, known := c.IntsOf(t)
	return v, true, known, nil
}

// sdim is an output dim built for a reshape: a value known at build time
// (mk == nil) or an INT64 [1] tensor computed at run time by mk (made lazily,
// so that dims resolved statically leave no layers behind). axis >= 0 marks a
// dim copied unchanged from input axis `axis`.
type sdim struct {
	v    int
	mk   func() *trt.Tensor
	axis int
}

func (s sdim) static() bool { return s.mk == nil }

// inDim returns dim a of x as an sdim.
func inDim(c *Ctx, x *trt.Tensor, a int) sdim {
	d := x.Dimensions()
	if d[a] >= 0 {
		return sdim{v: d[a], axis: a}
	}
	return sdim{axis: a, mk: func() *trt.Tensor {
		e := a + 1
		return c.Net().AddShapeRange(x, a, &e).Output(0)
	}}
}

func litDim(v int) sdim { return sdim{v: v, axis: -1} }

func (s sdim) tensor(c *Ctx) *trt.Tensor {
	if s.mk != nil {
		return s.mk()
	}
	return c.ConstInts([]int64{int64(s.v)})
}

// sdimOp combines two sdims with an integer operation.
func sdimOp(c *Ctx, a, b sdim, op trt.ElementWiseOperation) sdim {
	if a.static() && b.static() {
		switch op {
		case trt.ElementWiseProd:
			return litDim(a.v * b.v)
		case trt.ElementWiseDiv, trt.ElementWiseFloorDiv:
			if b.v != 0 {
				return litDim(a.v / b.v)
			}
		}
	}
	return sdim{axis: -1, mk: func() *trt.Tensor {
		return c.Net().AddElementWise(a.tensor(c), b.tensor(c), op).Output(0)
	}}
}

func sdimMul(c *Ctx, a, b sdim) sdim { return sdimOp(c, a, b, trt.ElementWiseProd) }
func sdimDiv(c *Ctx, a, b sdim) sdim { return sdimOp(c, a, b, trt.ElementWiseDiv) }

// sdimProd multiplies input dims [from, to) of x.
func sdimProd(c *Ctx, x *trt.Tensor, from, to int) sdim {
	if to-from == 1 {
		return inDim(c, x, from)
	}
	d := x.Dimensions()
	p := 1
	for _, v := range d[from:to] {
		if v < 0 {
			return sdim{axis: -1, mk: func() *trt.Tensor {
				s := c.Net().AddShapeRange(x, from, &to).Output(0)
				return c.Net().AddReduce(s, trt.ReduceProd, []int{0}, true).Output(0)
			}}
		}
		p *= v
	}
	return litDim(p)
}

// reshapeTo reshapes x to dims. Static dims give a static shuffle; run-time
// dims copied from the same input axis become 0 placeholders and a single
// other run-time dim becomes -1; anything else is a run-time shape tensor.
func reshapeTo(c *Ctx, x *trt.Tensor, dims []sdim) *trt.ShuffleLayer {
	dyn, other := 0, -1 // run-time dims; the last one a placeholder cannot copy
	nOther := 0
	zeroCopies, anyZero := true, false // literal zeros sit where a placeholder copies the same value
	for i, s := range dims {
		switch {
		case !s.static():
			dyn++
			if s.axis != i {
				other = i
				nOther++
			}
		case s.v == 0:
			anyZero = true
			zeroCopies = zeroCopies && s.axis == i
		}
	}
	static := func(placeholder bool) *trt.ShuffleLayer {
		d := make(trt.Dims, len(dims))
		for i, s := range dims {
			switch {
			case s.static():
				d[i] = s.v
			case i == other:
				d[i] = -1
			default:
				d[i] = 0
			}
		}
		l := c.Net().AddShuffle(x)
		l.SetReshapeDimensions(d)
		l.SetZeroIsPlaceholder(placeholder)
		return l
	}
	switch {
	case dyn == 0:
		return static(false)
	case nOther == 0 && zeroCopies:
		return static(true)
	case nOther == 1 && !anyZero:
		return static(true)
	}
	parts := make([]*trt.Tensor, len(dims))
	for i, s := range dims {
		parts[i] = s.tensor(c)
	}
	shape := c.Net().AddConcatenation(parts, 0).Output(0)
	return c.Net().AddReshape(x, shape, false)
}

// ---- Reshape, Flatten, Transpose, Squeeze, Unsqueeze ----------------------

func importReshape(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	allowzero, err := c.Node.AttrInt("allowzero", 0)
	if err != nil {
		return nil, err
	}
	if allowzero != 0 && c.Opset < 14 {
		return nil, c.Errorf("allowzero needs opset 14 (model has opset %d)", c.Opset)
	}
	var shape []int64
	var shapeT *trt.Tensor
	if c.Opset < 5 {
		if !c.Node.HasAttr("shape") {
			return nil, c.Errorf("attribute shape is required before opset 5")
		}
		if shape, err = c.Node.AttrInts("shape", nil); err != nil {
			return nil, err
		}
	} else {
		if err := needInputs(c, in, 2); err != nil {
			return nil, err
		}
		shapeT = in[1]
		if t := shapeT.Type(); t != trt.Int64 && t != trt.Int32 {
			return nil, c.Errorf("shape input must be INT64, got %v", t)
		}
		if len(shapeT.Dimensions()) != 1 {
			return nil, c.Errorf("shape input must be 1-D, got dims %v", shapeT.Dimensions())
		}
		if v, ok := c.IntsOf(shapeT); ok {
			shape, shapeT = v, nil
		}
	}
	if shapeT != nil {
		return one(c.Main(c.Net().AddReshape(x, shapeT, allowzero == 0))), nil
	}
	neg, zero := 0, false
	d := make(trt.Dims, len(shape))
	for i, v := range shape {
		if v < -1 {
			return nil, c.Errorf("shape %v has an invalid value %d", shape, v)
		}
		if v == -1 {
			neg++
		}
		zero = zero || v == 0
		d[i] = int(v)
	}
	if neg > 1 {
		return nil, c.Errorf("shape %v has more than one -1", shape)
	}
	if neg > 0 && zero && allowzero != 0 {
		return nil, c.Errorf("shape %v has both -1 and 0 with allowzero=1", shape)
	}
	l := c.Net().AddShuffle(x)
	l.SetReshapeDimensions(d)
	l.SetZeroIsPlaceholder(allowzero == 0)
	return one(c.Main(l)), nil
}

func importFlatten(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	r := len(x.Dimensions())
	a, err := c.Node.AttrInt("axis", 1)
	if err != nil {
		return nil, err
	}
	if err := nonNegativeBefore11(c, "axis", a); err != nil {
		return nil, err
	}
	axis, err := resolveAxis(c, "axis", a, r, true)
	if err != nil {
		return nil, err
	}
	l := reshapeTo(c, x, []sdim{sdimProd(c, x, 0, axis), sdimProd(c, x, axis, r)})
	return one(c.Main(l)), nil
}

func importTranspose(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	r := len(x.Dimensions())
	perm := make([]int, r)
	for i := range perm {
		perm[i] = r - 1 - i
	}
	if c.Node.HasAttr("perm") {
		p, err := c.Node.AttrInts("perm", nil)
		if err != nil {
			return nil, err
		}
		if len(p) != r {
			return nil, c.Errorf("perm %v has %d values for rank %d", p, len(p), r)
		}
		seen := make([]bool, r)
		for i, v := range p {
			if v < 0 || v >= int64(r) || seen[v] {
				return nil, c.Errorf("perm %v is not a permutation of %d axes", p, r)
			}
			seen[v] = true
			perm[i] = int(v)
		}
	}
	l := c.Net().AddShuffle(x)
	l.SetFirstTranspose(perm)
	return one(c.Main(l)), nil
}

func importSqueeze(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	d := x.Dimensions()
	r := len(d)
	axes, present, known, err := axesOperand(c, in, 13)
	if err != nil {
		return nil, err
	}
	if !known {
		return squeezeDynamic(c, x, in[1])
	}
	if err := nonNegativeBefore11(c, "axis", axes...); err != nil {
		return nil, err
	}
	if len(axes) == 0 {
		present = false // an empty axes input squeezes every dim of extent 1, as ONNX Runtime does
	}
	drop := make([]bool, r)
	if !present {
		// Squeeze every dim of extent 1: all dims must be known.
		for i, v := range d {
			if v < 0 {
				return nil, c.Unsupported("Squeeze without axes on dims %v known only at run time", d)
			}
			drop[i] = v == 1
		}
	}
	for _, a := range axes {
		ax, err := resolveAxis(c, "axis", a, r, false)
		if err != nil {
			return nil, err
		}
		if drop[ax] && present {
			return nil, c.Errorf("axes %v repeat axis %d", axes, ax)
		}
		if d[ax] >= 0 && d[ax] != 1 {
			return nil, c.Errorf("cannot squeeze axis %d of extent %d (dims %v)", ax, d[ax], d)
		}
		drop[ax] = true
	}
	var dims []sdim
	for i := range d {
		if !drop[i] {
			dims = append(dims, inDim(c, x, i))
		}
	}
	return one(c.Main(reshapeTo(c, x, dims))), nil
}

func importUnsqueeze(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	r := len(x.Dimensions())
	axes, present, known, err := axesOperand(c, in, 13)
	if err != nil {
		return nil, err
	}
	if !present {
		return nil, c.Errorf("axes are required")
	}
	if !known {
		return unsqueezeDynamic(c, x, in[1])
	}
	if err := nonNegativeBefore11(c, "axis", axes...); err != nil {
		return nil, err
	}
	outR := r + len(axes)
	ins := make([]bool, outR)
	for _, a := range axes {
		ax, err := resolveAxis(c, "axis", a, outR, false)
		if err != nil {
			return nil, err
		}
		if ins[ax] {
			return nil, c.Errorf("axes %v repeat axis %d", axes, ax)
		}
		ins[ax] = true
	}
	dims := make([]sdim, outR)
	j := 0
	for i := range dims {
		if ins[i] {
			dims[i] = litDim(1)
		} else {
			dims[i] = inDim(c, x, j)
			j++
		}
	}
	return one(c.Main(reshapeTo(c, x, dims))), nil
}

// runtimeAxes checks an axes tensor known only at run time and returns it as
// INT64 with its (build-time) length.
func runtimeAxes(c *Ctx, axes *trt.Tensor) (*trt.Tensor, int, error) {
	d := axes.Dimensions()
	if len(d) != 1 {
		return nil, 0, c.Errorf("axes must be 1-D, got dims %v", d)
	}
	if d[0] < 0 {
		return nil, 0, c.Unsupported("%s axes of a length known only at run time (the output rank must be known at build time)", c.Node.OpType)
	}
	switch axes.Type() {
	case trt.Int64:
	case trt.Int32:
		axes = c.Net().AddCast(axes, trt.Int64).Output(0)
	default:
		return nil, 0, c.Errorf("axes must be INT64, got %v", axes.Type())
	}
	return axes, d[0], nil
}

// rangeInts is the INT64 constant [0, 1, ..., n-1].
func rangeInts(c *Ctx, n int) *trt.Tensor {
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(i)
	}
	return c.ConstInts(v)
}

// axesCompare returns INT64 [k, n]: op(axes[a] mod n, j) as 0/1, for run-time
// axes of length k over positions j < n.
func axesCompare(c *Ctx, axes *trt.Tensor, k, n int, op trt.ElementWiseOperation) *trt.Tensor {
	net := c.Net()
	nt := c.ConstInts([]int64{int64(n)})
	ax := net.AddElementWise(axes, nt, trt.ElementWiseMod).Output(0) // negative axes count from the end
	col := net.AddShuffle(ax)
	col.SetReshapeDimensions(trt.Dims{k, 1})
	cmp := net.AddElementWise(col.Output(0), rangeInts(c, n), op).Output(0)
	return net.AddCast(cmp, trt.Int64).Output(0)
}

// squeezeDynamic squeezes axes known only at run time: the output rank is
// rank - len(axes), and the output shape is computed at run time.
func squeezeDynamic(c *Ctx, x, axesT *trt.Tensor) ([]*trt.Tensor, error) {
	axes, k, err := runtimeAxes(c, axesT)
	if err != nil {
		return nil, err
	}
	r := len(x.Dimensions())
	R := r - k
	if R < 0 {
		return nil, c.Errorf("%d axes to squeeze, the input has rank %d", k, r)
	}
	net := c.Net()
	if R == 0 {
		l := net.AddShuffle(x)
		l.SetReshapeDimensions(trt.Dims{})
		return one(c.Main(l)), nil
	}
	// mask[i] = 1 where axis i is squeezed; before[i] = number of squeezed
	// axes <= i; kept axis i goes to output position i - before[i].
	mask := net.AddReduce(axesCompare(c, axes, k, r, trt.ElementWiseEqual), trt.ReduceMax, []int{0}, false).Output(0)
	before := net.AddReduce(axesCompare(c, axes, k, r, trt.ElementWiseLessOrEqual), trt.ReduceSum, []int{0}, false).Output(0)
	pos := net.AddElementWise(rangeInts(c, r), before, trt.ElementWiseSub).Output(0)
	keep := net.AddElementWise(c.ConstInts([]int64{1}), mask, trt.ElementWiseSub).Output(0)
	outPos := net.AddShuffle(rangeInts(c, R))
	outPos.SetReshapeDimensions(trt.Dims{R, 1})
	sel := net.AddCast(net.AddElementWise(outPos.Output(0), pos, trt.ElementWiseEqual).Output(0), trt.Int64).Output(0) // [R, r]
	dims := net.AddElementWise(keep, net.AddShape(x).Output(0), trt.ElementWiseProd).Output(0)
	picked := net.AddElementWise(sel, dims, trt.ElementWiseProd).Output(0)
	shape := net.AddReduce(picked, trt.ReduceSum, []int{1}, false).Output(0)
	return one(c.Main(net.AddReshape(x, shape, false))), nil
}

// unsqueezeDynamic inserts axes known only at run time: the output rank is
// rank + len(axes), and the output shape is computed at run time.
func unsqueezeDynamic(c *Ctx, x, axesT *trt.Tensor) ([]*trt.Tensor, error) {
	axes, k, err := runtimeAxes(c, axesT)
	if err != nil {
		return nil, err
	}
	r := len(x.Dimensions())
	R := r + k
	net := c.Net()
	if r == 0 {
		ones := make(trt.Dims, R)
		for i := range ones {
			ones[i] = 1
		}
		l := net.AddShuffle(x)
		l.SetReshapeDimensions(ones)
		return one(c.Main(l)), nil
	}
	// mask[j] = 1 where output axis j is inserted; output axis j otherwise
	// copies input axis j - (number of inserted axes <= j).
	mask := net.AddReduce(axesCompare(c, axes, k, R, trt.ElementWiseEqual), trt.ReduceMax, []int{0}, false).Output(0)
	before := net.AddReduce(axesCompare(c, axes, k, R, trt.ElementWiseLessOrEqual), trt.ReduceSum, []int{0}, false).Output(0)
	src := net.AddElementWise(rangeInts(c, R), before, trt.ElementWiseSub).Output(0)
	src = net.AddElementWise(src, c.ConstInts([]int64{0}), trt.ElementWiseMax).Output(0)
	src = net.AddElementWise(src, c.ConstInts([]int64{int64(r - 1)}), trt.ElementWiseMin).Output(0)
	g := net.AddGatherV2(net.AddShape(x).Output(0), src, trt.GatherModeDefault, 0).Output(0)
	keep := net.AddElementWise(c.ConstInts([]int64{1}), mask, trt.ElementWiseSub).Output(0)
	kept := net.AddElementWise(g, keep, trt.ElementWiseProd).Output(0)
	shape := net.AddElementWise(kept, mask, trt.ElementWiseSum).Output(0)
	return one(c.Main(net.AddReshape(x, shape, false))), nil
}

// ---- Concat, Split, Slice ---------------------------------------------------

func importConcat(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if len(in) == 0 {
		return nil, c.Errorf("needs at least one input")
	}
	var xs []*trt.Tensor
	for i, x := range in {
		if x == nil {
			return nil, c.Errorf("input %d is missing", i)
		}
		xs = append(xs, x)
	}
	if c.Opset >= 4 && !c.Node.HasAttr("axis") {
		return nil, c.Errorf("attribute axis is required")
	}
	a, err := c.Node.AttrInt("axis", 1) // opset 1 default
	if err != nil {
		return nil, err
	}
	axis, err := resolveAxis(c, "axis", a, len(xs[0].Dimensions()), false)
	if err != nil {
		return nil, err
	}
	return one(c.Main(c.Net().AddConcatenation(xs, axis))), nil
}

func importSplit(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	d := x.Dimensions()
	a, err := c.Node.AttrInt("axis", 0)
	if err != nil {
		return nil, err
	}
	axis, err := resolveAxis(c, "axis", a, len(d), false)
	if err != nil {
		return nil, err
	}
	nout := len(c.Node.Outputs)
	if nout == 0 {
		return nil, c.Errorf("has no outputs")
	}
	var sizes []int64
	var sizesT *trt.Tensor
	hasSizes := false
	switch {
	case c.Opset < 13:
		if c.Node.HasAttr("split") {
			if sizes, err = c.Node.AttrInts("split", nil); err != nil {
				return nil, err
			}
			hasSizes = true
		} else if c.Opset < 2 && optInput(in, 1) != nil {
			sizesT, hasSizes = in[1], true
		}
	default:
		if t := optInput(in, 1); t != nil {
			sizesT, hasSizes = t, true
		}
	}
	if sizesT != nil {
		if v, ok := c.IntsOf(sizesT); ok {
			sizes, sizesT = v, nil
		}
	}
	numOut := int64(-1)
	if c.Node.HasAttr("num_outputs") {
		if c.Opset < 18 {
			return nil, c.Errorf("attribute num_outputs needs opset 18 (model has opset %d)", c.Opset)
		}
		if numOut, err = c.Node.AttrInt("num_outputs", 0); err != nil {
			return nil, err
		}
		if hasSizes {
			return nil, c.Errorf("gives both the split input and num_outputs")
		}
		if numOut < 1 || int(numOut) != nout {
			return nil, c.Errorf("num_outputs is %d but the node has %d outputs", numOut, nout)
		}
	}
	if sizesT != nil {
		if dd := sizesT.Dimensions(); len(dd) != 1 || (dd[0] >= 0 && dd[0] != nout) {
			return nil, c.Errorf("split input has dims %v, want [%d]", dd, nout)
		}
		l := c.Net().AddSplit(x, axis, nil, nout, sizesT)
		c.Main(l)
		return layerOutputs(l, nout), nil
	}
	if hasSizes {
		if len(sizes) != nout {
			return nil, c.Errorf("split %v gives %d pieces, the node has %d outputs", sizes, len(sizes), nout)
		}
		s := make([]int, len(sizes))
		sum := int64(0)
		for i, v := range sizes {
			if v < 0 {
				return nil, c.Errorf("split %v has a negative size", sizes)
			}
			s[i] = int(v)
			sum += v
		}
		if d[axis] >= 0 && sum != int64(d[axis]) {
			return nil, c.Errorf("split %v sums to %d, axis %d has extent %d", sizes, sum, axis, d[axis])
		}
		l := c.Net().AddSplit(x, axis, s, 0, nil)
		c.Main(l)
		return layerOutputs(l, nout), nil
	}
	// Equal pieces: before opset 18 (or without num_outputs) the extent must
	// divide evenly; with num_outputs the last piece may be smaller.
	if numOut < 0 && d[axis] >= 0 && d[axis]%nout != 0 {
		return nil, c.Errorf("axis %d of extent %d does not split into %d equal pieces", axis, d[axis], nout)
	}
	if d[axis] >= 0 {
		// Static sizes: ceil division, the last piece smaller (opset 18).
		k := (d[axis] + nout - 1) / nout
		s := make([]int, nout)
		for i := range s {
			s[i] = max(min(k, d[axis]-i*k), 0)
		}
		if numOut > 0 && nout > 1 && (nout-1)*k >= d[axis] && d[axis] > 0 {
			return nil, c.Errorf("axis %d of extent %d cannot give %d non-empty pieces", axis, d[axis], nout)
		}
		l := c.Net().AddSplit(x, axis, s, 0, nil)
		c.Main(l)
		return layerOutputs(l, nout), nil
	}
	l := c.Net().AddSplit(x, axis, nil, nout, nil)
	c.Main(l)
	return layerOutputs(l, nout), nil
}

func layerOutputs(l trt.Layer, n int) []*trt.Tensor {
	out := make([]*trt.Tensor, n)
	for i := range out {
		out[i] = l.Output(i)
	}
	return out
}

func importSlice(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	r := len(x.Dimensions())
	if c.Opset < 10 {
		starts, err := c.Node.AttrInts("starts", nil)
		if err != nil {
			return nil, err
		}
		ends, err := c.Node.AttrInts("ends", nil)
		if err != nil {
			return nil, err
		}
		if !c.Node.HasAttr("starts") || !c.Node.HasAttr("ends") {
			return nil, c.Errorf("attributes starts and ends are required before opset 10")
		}
		axes, err := c.Node.AttrInts("axes", nil)
		if err != nil {
			return nil, err
		}
		if err := checkSlice(c, starts, ends, axes, nil, r); err != nil {
			return nil, err
		}
		return one(c.Main(c.Net().AddSliceStatic(x, starts, ends, axes, nil))), nil
	}
	if err := needInputs(c, in, 3); err != nil {
		return nil, err
	}
	for i := 1; i < len(in) && i < 5; i++ {
		if in[i] == nil {
			continue
		}
		if t := in[i].Type(); t != trt.Int64 && t != trt.Int32 {
			return nil, c.Errorf("input %d must be INT32 or INT64, got %v", i, t)
		}
	}
	starts, ok1 := c.IntsOf(in[1])
	ends, ok2 := c.IntsOf(in[2])
	axesT, stepsT := optInput(in, 3), optInput(in, 4)
	axes, ok3 := c.IntsOf(axesT)
	steps, ok4 := c.IntsOf(stepsT)
	if ok1 && ok2 && (ok3 || axesT == nil) && (ok4 || stepsT == nil) {
		if err := checkSlice(c, starts, ends, axes, steps, r); err != nil {
			return nil, err
		}
		return one(c.Main(c.Net().AddSliceStatic(x, starts, ends, axes, steps))), nil
	}
	return one(c.Main(c.Net().AddSlice(x, in[1], in[2], axesT, stepsT))), nil
}

// checkSlice validates static slice parameters.
func checkSlice(c *Ctx, starts, ends, axes, steps []int64, r int) error {
	if len(starts) != len(ends) {
		return c.Errorf("starts %v and ends %v differ in length", starts, ends)
	}
	if axes != nil && len(axes) != len(starts) {
		return c.Errorf("axes %v and starts %v differ in length", axes, starts)
	}
	if steps != nil && len(steps) != len(starts) {
		return c.Errorf("steps %v and starts %v differ in length", steps, starts)
	}
	seen := map[int]bool{}
	for _, a := range axes {
		ax, err := resolveAxis(c, "axis", a, r, false)
		if err != nil {
			return err
		}
		if seen[ax] {
			return c.Errorf("axes %v repeat axis %d", axes, ax)
		}
		seen[ax] = true
	}
	if axes == nil && len(starts) > r {
		return c.Errorf("starts %v has more values than the rank %d", starts, r)
	}
	for _, s := range steps {
		if s == 0 {
			return c.Errorf("steps %v has a zero step", steps)
		}
	}
	return nil
}

// ---- Expand, Tile, Shape, Size ----------------------------------------------

func importExpand(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 2); err != nil {
		return nil, err
	}
	shape := in[1]
	if t := shape.Type(); t != trt.Int64 {
		if t != trt.Int32 {
			return nil, c.Errorf("shape input must be INT64, got %v", t)
		}
		shape = c.Net().AddCast(shape, trt.Int64).Output(0)
	}
	if v, ok := c.IntsOf(shape); ok && shape.Producer() != nil && shape.Producer().Kind() != trt.LayerConstant {
		shape = c.ConstInts(v)
	}
	return one(c.Main(c.Net().AddExpand(in[0], shape))), nil
}

func importTile(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 2); err != nil {
		return nil, err
	}
	x := in[0]
	r := len(x.Dimensions())
	if c.Opset < 6 {
		// Tile-1: inputs tiles and axis (scalars): repeat along one axis.
		if err := needInputs(c, in, 3); err != nil {
			return nil, err
		}
		tiles, ok1 := c.IntsOf(in[1])
		axis, ok2 := c.IntsOf(in[2])
		if !ok1 || !ok2 {
			return nil, c.Unsupported("Tile-1 tiles and axis computed at run time")
		}
		if len(tiles) != 1 || len(axis) != 1 {
			return nil, c.Errorf("Tile-1 tiles and axis must be scalars, got %v and %v", tiles, axis)
		}
		ax, err := resolveAxis(c, "axis", axis[0], r, false)
		if err != nil {
			return nil, err
		}
		if tiles[0] < 0 {
			return nil, c.Errorf("tiles %d is negative", tiles[0])
		}
		rep := make([]int64, r)
		for i := range rep {
			rep[i] = 1
		}
		rep[ax] = tiles[0]
		return one(c.Main(c.Net().AddTile(x, c.ConstInts(rep)))), nil
	}
	rep := in[1]
	if t := rep.Type(); t != trt.Int64 {
		if t != trt.Int32 {
			return nil, c.Errorf("repeats must be INT64, got %v", t)
		}
		rep = c.Net().AddCast(rep, trt.Int64).Output(0)
	}
	if v, ok := c.IntsOf(rep); ok {
		if len(v) != r {
			return nil, c.Errorf("repeats %v has %d values for rank %d", v, len(v), r)
		}
		for _, x := range v {
			if x < 0 {
				return nil, c.Errorf("repeats %v has a negative value", v)
			}
		}
	}
	return one(c.Main(c.Net().AddTile(x, rep))), nil
}

func importShape(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	start, err := c.Node.AttrInt("start", 0)
	if err != nil {
		return nil, err
	}
	var end *int
	if c.Node.HasAttr("end") {
		e, err := c.Node.AttrInt("end", 0)
		if err != nil {
			return nil, err
		}
		ei := int(e)
		end = &ei
	}
	if (start != 0 || end != nil) && c.Opset < 15 {
		return nil, c.Errorf("attributes start and end need opset 15 (model has opset %d)", c.Opset)
	}
	if start == 0 && end == nil {
		return one(c.Main(c.Net().AddShape(in[0]))), nil
	}
	return one(c.Main(c.Net().AddShapeRange(in[0], int(start), end))), nil
}

func importSize(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	d := x.Dimensions()
	if v := dimsVolume(d); v >= 0 {
		h := &tensor.Tensor{Type: tensor.Int64, Dims: []int{}, Data: []int64{int64(v)}}
		return []*trt.Tensor{c.Const(h)}, nil
	}
	s := c.Net().AddShape(x).Output(0)
	return one(c.Main(c.Net().AddReduce(s, trt.ReduceProd, []int{0}, false))), nil
}

// dimsVolume is the product of d (-1 if a dim is unknown).
func dimsVolume(d trt.Dims) int {
	v := 1
	for _, x := range d {
		if x < 0 {
			return -1
		}
		v *= x
	}
	return v
}

// ---- DepthToSpace, SpaceToDepth --------------------------------------------

func blockSizeAttr(c *Ctx, x *trt.Tensor) (int, error) {
	if !c.Node.HasAttr("blocksize") {
		return 0, c.Errorf("attribute blocksize is required")
	}
	b, err := c.Node.AttrInt("blocksize", 0)
	if err != nil {
		return 0, err
	}
	if b < 1 {
		return 0, c.Errorf("blocksize %d must be positive", b)
	}
	if r := len(x.Dimensions()); r != 4 {
		return 0, c.Errorf("input must be 4-D [N, C, H, W], got dims %v", x.Dimensions())
	}
	return int(b), nil
}

func importDepthToSpace(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	b, err := blockSizeAttr(c, x)
	if err != nil {
		return nil, err
	}
	mode, err := c.Node.AttrString("mode", "DCR")
	if err != nil {
		return nil, err
	}
	if mode != "DCR" && mode != "CRD" {
		return nil, c.Errorf("mode must be DCR or CRD, got %q", mode)
	}
	if mode == "CRD" && c.Opset < 11 {
		return nil, c.Errorf("mode CRD needs opset 11 (model has opset %d)", c.Opset)
	}
	d := x.Dimensions()
	if d[1] >= 0 && d[1]%(b*b) != 0 {
		return nil, c.Errorf("channels %d are not divisible by blocksize² = %d", d[1], b*b)
	}
	n, ch, h, w := inDim(c, x, 0), inDim(c, x, 1), inDim(c, x, 2), inDim(c, x, 3)
	bb := litDim(b)
	cOut := sdimDiv(c, ch, litDim(b*b))
	var first []sdim
	var perm []int
	if mode == "DCR" {
		first = []sdim{n, bb, bb, cOut, h, w}
		perm = []int{0, 3, 4, 1, 5, 2}
	} else {
		first = []sdim{n, cOut, bb, bb, h, w}
		perm = []int{0, 1, 4, 2, 5, 3}
	}
	for i := range first {
		first[i].axis = -1
	}
	first[0].axis = 0
	s1 := reshapeTo(c, x, first)
	s1.SetSecondTranspose(perm)
	// The output of s1 is [N, C/b², H, b, W, b].
	y := s1.Output(0)
	final := []sdim{n, cOut, sdimMul(c, h, bb), sdimMul(c, w, bb)}
	final[1].axis = -1
	return one(c.Main(reshapeTo(c, y, final))), nil
}

func importSpaceToDepth(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	b, err := blockSizeAttr(c, x)
	if err != nil {
		return nil, err
	}
	d := x.Dimensions()
	for _, a := range []int{2, 3} {
		if d[a] >= 0 && d[a]%b != 0 {
			return nil, c.Errorf("dim %d (%d) is not divisible by blocksize %d", a, d[a], b)
		}
	}
	n, ch, h, w := inDim(c, x, 0), inDim(c, x, 1), inDim(c, x, 2), inDim(c, x, 3)
	bb := litDim(b)
	hb, wb := sdimDiv(c, h, bb), sdimDiv(c, w, bb)
	first := []sdim{n, ch, hb, bb, wb, bb}
	for i := 1; i < len(first); i++ {
		first[i].axis = -1
	}
	first[1].axis = 1
	s1 := reshapeTo(c, x, first)
	s1.SetSecondTranspose([]int{0, 3, 5, 1, 2, 4})
	// [N, b, b, C, H/b, W/b] -> [N, C*b*b, H/b, W/b]
	final := []sdim{n, sdimMul(c, ch, litDim(b*b)), hb, wb}
	for i := 1; i < len(final); i++ {
		final[i].axis = -1
	}
	return one(c.Main(reshapeTo(c, s1.Output(0), final))), nil
}
