package onnx

import (
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

// Importers of reductions and of the other operators that work along axes:
// ArgMax/ArgMin, TopK, CumSum and Einsum.

// nnReduceOp is an ONNX reduction: its layer operation and the opset from
// which the axes are an input instead of an attribute.
type nnReduceOp struct {
	op         trt.ReduceOperation
	axesInput  int
	boolFromOp bool // opset 20 ReduceMax/ReduceMin take BOOL
}

var nnReduceOps = map[string]nnReduceOp{
	"ReduceSum":       {op: trt.ReduceSum, axesInput: 13},
	"ReduceMean":      {op: trt.ReduceAvg, axesInput: 18},
	"ReduceMax":       {op: trt.ReduceMax, axesInput: 18, boolFromOp: true},
	"ReduceMin":       {op: trt.ReduceMin, axesInput: 18, boolFromOp: true},
	"ReduceProd":      {op: trt.ReduceProd, axesInput: 18},
	"ReduceL1":        {op: trt.ReduceL1, axesInput: 18},
	"ReduceL2":        {op: trt.ReduceL2, axesInput: 18},
	"ReduceLogSum":    {op: trt.ReduceLogSum, axesInput: 18},
	"ReduceLogSumExp": {op: trt.ReduceLogSumExp, axesInput: 18},
	"ReduceSumSquare": {op: trt.ReduceSumSquare, axesInput: 18},
}

func init() {
	for name, r := range nnReduceOps {
		Register(name, func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) { return importReduce(c, in, r) })
	}
	Register("ArgMax", importArgMinMax(true))
	Register("ArgMin", importArgMinMax(false))
	Register("TopK", importTopK)
	Register("CumSum", importCumSum)
	Register("Einsum", importEinsum)
}

// importReduce: axes come from the attribute before opset 13 (ReduceSum) or
// 18 (the others), from the optional second input afterwards; empty axes
// reduce everything unless noop_with_empty_axes (from the same opsets).
func importReduce(c *Ctx, in []*trt.Tensor, r nnReduceOp) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "data"); err != nil {
		return nil, err
	}
	x := in[0]
	a := nnAttr(c)
	keep := a.bool(c, "keepdims", true)
	noop := false
	var axes []int64
	var axesT *trt.Tensor
	if c.Opset < r.axesInput {
		if nnIn(in, 1) != nil {
			return nil, c.Errorf("the axes input needs opset %d, the model has opset %d (axes is an attribute)", r.axesInput, c.Opset)
		}
		axes = a.ints("axes", nil)
	} else {
		if a.has("axes") {
			return nil, c.Errorf("attribute axes was replaced by an input in opset %d", r.axesInput)
		}
		noop = a.bool(c, "noop_with_empty_axes", false)
		if t := nnIn(in, 1); t != nil && !nnEmpty(t) {
			if v, ok := c.IntsOf(t); ok {
				axes = v
			} else {
				if tt := t.Type(); tt != tensor.Int64 && tt != tensor.Int32 {
					return nil, c.Errorf("axes must be INT64, got %v", tt)
				}
				axesT = t
			}
		}
	}
	if a.err != nil {
		return nil, a.err
	}
	rank := len(x.Dimensions())
	for _, ax := range axes {
		if ax < int64(-rank) || ax >= int64(max(rank, 1)) {
			return nil, c.Errorf("axes %v are out of range for input rank %d", axes, rank)
		}
	}
	// BOOL (ReduceMax/ReduceMin, opset 20): reduce as INT32 (OR/AND), cast back.
	isBool := x.Type() == tensor.Bool
	if isBool {
		if !r.boolFromOp {
			return nil, c.Errorf("input type BOOL is not allowed")
		}
		x = c.Net().AddCast(x, tensor.Int32).Output(0)
	}
	finish := func(l trt.Layer) ([]*trt.Tensor, error) {
		c.Main(l)
		y := l.Output(0)
		if isBool {
			y = c.Net().AddCast(y, tensor.Bool).Output(0)
		}
		return []*trt.Tensor{y}, nil
	}
	if axesT != nil {
		p := &trt.ReduceParams{Op: r.op, KeepDims: true, NoopWithEmptyAxes: noop}
		l := c.Main(c.Net().AddReduceDynamic(x, axesT, p))
		if keep {
			return finish(l)
		}
		// Axes known only at run time: reduce keeping dims, then drop the
		// reduced ones (their count is the static length of axes).
		y, err := nnDropAxes(c, l.Output(0), axesT, rank)
		if err != nil {
			return nil, err
		}
		if isBool {
			y = c.Net().AddCast(y, tensor.Bool).Output(0)
		}
		return []*trt.Tensor{y}, nil
	}
	if len(axes) == 0 && noop {
		// No reduction: each element is reduced on its own (the ONNX
		// reference squares for ReduceSumSquare, takes |x| for L1/L2, log
		// for LogSum).
		return finish(nnReduceSingletons(c, x, r.op))
	}
	var ax []int
	for _, v := range axes {
		if v < 0 {
			v += int64(rank)
		}
		ax = append(ax, int(v))
	}
	return finish(c.Net().AddReduce(x, r.op, ax, keep))
}

// nnDropAxes removes from y (rank r) the axes listed by the run-time tensor
// axes, whose length must be known: the kept axes are the r-n smallest of
// score[i] = i + r*[i in axes].
func nnDropAxes(c *Ctx, y, axes *trt.Tensor, r int) (*trt.Tensor, error) {
	ad := axes.Dimensions()
	if len(ad) != 1 || ad[0] < 0 {
		return nil, c.Unsupported("keepdims=0 with axes %v known only at run time and of unknown length", ad)
	}
	n := ad[0]
	if n > r {
		return nil, c.Errorf("axes has %d values for input rank %d", n, r)
	}
	net := c.Net()
	if axes.Type() != tensor.Int64 {
		axes = net.AddCast(axes, tensor.Int64).Output(0)
	}
	rk := c.ConstScalar(tensor.Int64, float64(r))
	ax := net.AddElementWise(axes, rk, trt.ElementWiseMod).Output(0)
	col := net.AddShuffle(ax)
	col.SetReshapeDimensions(trt.Dims{n, 1})
	iota := make([]int64, r)
	for i := range iota {
		iota[i] = int64(i)
	}
	it := c.ConstInts(iota)
	hit := net.AddCast(net.AddElementWise(col.Output(0), it, trt.ElementWiseEqual).Output(0), tensor.Int64).Output(0)
	mask := net.AddReduce(hit, trt.ReduceMax, []int{0}, false).Output(0)
	score := net.AddElementWise(it, net.AddElementWise(mask, rk, trt.ElementWiseProd).Output(0), trt.ElementWiseSum).Output(0)
	kept := net.AddTopK(score, false, r-n, 0, nil).Output(1)
	shape := net.AddGather(net.AddShape(y).Output(0), kept, 0).Output(0)
	return net.AddReshape(y, shape, false).Output(0), nil
}

// nnReduceSingletons is a reduction over no axis: op applied to one element.
func nnReduceSingletons(c *Ctx, x *trt.Tensor, op trt.ReduceOperation) trt.Layer {
	net := c.Net()
	switch op {
	case trt.ReduceL1, trt.ReduceL2:
		return net.AddUnary(x, trt.UnaryAbs)
	case trt.ReduceSumSquare:
		return net.AddElementWise(x, x, trt.ElementWiseProd)
	case trt.ReduceLogSum:
		return net.AddUnary(x, trt.UnaryLog)
	}
	return net.AddIdentity(x)
}

func importArgMinMax(isMax bool) OpFunc {
	return func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		if err := nnRequire(c, in, "data"); err != nil {
			return nil, err
		}
		x := in[0]
		a := nnAttr(c)
		axis := a.int("axis", 0)
		keep := a.bool(c, "keepdims", true)
		last := false
		if c.Opset >= 12 {
			last = a.bool(c, "select_last_index", false)
		}
		if a.err != nil {
			return nil, a.err
		}
		r := int64(len(x.Dimensions()))
		if axis < -r || axis >= r {
			return nil, c.Errorf("axis %d is out of range for input rank %d", axis, r)
		}
		p := &trt.ArgMinMaxParams{Max: isMax, Axis: int(axis), KeepDims: keep, SelectLastIndex: last}
		return one(c.Main(c.Net().AddArgMinMax(x, p))), nil
	}
}

// importTopK: k is an attribute before opset 10, an input afterwards;
// largest and sorted from opset 11 (sorted=0 allows any order, so sorted
// output is valid for it).
func importTopK(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X"); err != nil {
		return nil, err
	}
	x := in[0]
	a := nnAttr(c)
	axis := a.int("axis", -1)
	largest := true
	if c.Opset >= 11 {
		largest = a.bool(c, "largest", true)
		a.bool(c, "sorted", true)
	}
	k := -1
	var kT *trt.Tensor
	if c.Opset < 10 {
		if !a.has("k") {
			return nil, c.Errorf("attribute k is required before opset 10")
		}
		k = int(a.int("k", 0))
	} else {
		if a.has("k") {
			return nil, c.Errorf("attribute k was replaced by the input K in opset 10")
		}
		t := nnIn(in, 1)
		if t == nil {
			return nil, c.Errorf("input 1 (K) is required")
		}
		if tt := t.Type(); tt != tensor.Int64 && tt != tensor.Int32 {
			return nil, c.Errorf("K must be INT64, got %v", tt)
		}
		if v, ok := c.IntsOf(t); ok {
			if len(v) != 1 {
				return nil, c.Errorf("K must hold one value, got %v", v)
			}
			k = int(v[0])
		} else {
			kT = t
		}
	}
	if a.err != nil {
		return nil, a.err
	}
	if kT == nil && k < 0 {
		return nil, c.Errorf("k must be non-negative, got %d", k)
	}
	r := int64(len(x.Dimensions()))
	if axis < -r || axis >= r {
		return nil, c.Errorf("axis %d is out of range for input rank %d", axis, r)
	}
	l := c.Main(c.Net().AddTopK(x, largest, max(k, 0), int(axis), kT))
	return []*trt.Tensor{l.Output(0), l.Output(1)}, nil
}

func importCumSum(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "x", "axis"); err != nil {
		return nil, err
	}
	a := nnAttr(c)
	exclusive := a.bool(c, "exclusive", false)
	reverse := a.bool(c, "reverse", false)
	if a.err != nil {
		return nil, a.err
	}
	ax := in[1]
	if tt := ax.Type(); tt != tensor.Int64 && tt != tensor.Int32 {
		return nil, c.Errorf("axis must be INT32 or INT64, got %v", tt)
	}
	if v, ok := c.IntsOf(ax); ok {
		r := int64(len(in[0].Dimensions()))
		if len(v) != 1 {
			return nil, c.Errorf("axis must be a scalar, got %v", v)
		}
		if v[0] < -r || v[0] >= r {
			return nil, c.Errorf("axis %d is out of range for input rank %d", v[0], r)
		}
	}
	return one(c.Main(c.Net().AddCumulative(in[0], ax, exclusive, reverse))), nil
}

func importEinsum(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	a := nnAttr(c)
	if !a.has("equation") {
		return nil, c.Errorf("attribute equation is required")
	}
	eq := a.str("equation", "")
	if a.err != nil {
		return nil, a.err
	}
	if len(in) == 0 {
		return nil, c.Errorf("needs at least one input")
	}
	for i, t := range in {
		if t == nil {
			return nil, c.Errorf("input %d is empty", i)
		}
	}
	return one(c.Main(c.Net().AddEinsum(in, eq))), nil
}
