package kern

import "github.com/gotrt/gotrt/trt/internal/ir"

// Supports reports whether Launch has kernels for node n with step precision
// p and input types inTypes (one per node input; absent inputs may have any
// type). Output types are read from n.Outputs.
//
// Supported (every storage type: FP32, FP16, BF16, INT8, INT32, INT64, UINT8,
// BOOL, unless said otherwise; ranks up to 8):
//   - Identity, Cast: any pair of types.
//   - ElementWise: every op; float inputs (mixed float types allowed) for the
//     arithmetic ops and comparisons, integer/bool inputs of one type for
//     arithmetic, comparisons, logic (BOOL), MOD/FMOD and bit shifts.
//   - Unary: every op on floats; NOT/ABS/NEG/SIGN on integers.
//   - Activation (every type), ParametricReLU: float data.
//   - Select: BOOL condition, branches of one type (or mixed float types).
//   - Shuffle, Concatenation, Split, Slice, Expand, Tile, Padding (constant,
//     reflect, edge, wrap): any type, with conversion between types.
//   - Gather (default, elements, ND), Scatter (elements, ND; none/add/mul/max/min),
//     Trilu: any type, output type = data type; INT32/INT64 indices.
//   - Softmax, LogSoftmax, Hardmax (any axis, opset<13 coercion): float.
//   - Reduce: every op on floats, every op but LOG_SUM/LOG_SUM_EXP on integers.
//   - Normalization: batch, instance, layer (stash FP32/FP16/BF16, optional
//     mean/inv-std outputs), group, LRN, Lp (p 1 or 2), mean-variance: float.
//   - Pooling: max/average/Lp over 1 to 6 spatial dims (max also on integers),
//     indices output INT64.
//   - Resize: nearest, linear, cubic (antialias, exclude_outside, every
//     coordinate transformation), any type.
//   - Cumulative (sum), ArgMinMax: every type but BOOL.
//   - OneHot, Fill (constant, range, eye-like).
//
// Host values (Call.Values) are needed for the parameter inputs that shape
// the launch: Slice starts/ends/axes/steps, Padding pads/axes, Reduce axes,
// Resize roi/scales/sizes, Trilu k, OneHot depth, Fill range, Cumulative axis.
// Gather/Scatter/OneHot indices are read on the device (host values, where
// given, are validated).
func (l *Lib) Supports(n *ir.Node, p ir.DataType, inTypes []ir.DataType) bool {
	if n == nil {
		return false
	}
	if !storageType(p) {
		return false
	}
	in := func(i int) ir.DataType {
		if i < len(inTypes) {
			return inTypes[i]
		}
		if i < len(n.Inputs) && n.Inputs[i] != nil {
			return n.Inputs[i].Type
		}
		return ir.Float
	}
	has := func(i int) bool { return i < len(n.Inputs) && n.Inputs[i] != nil }
	outType := func(i int) ir.DataType {
		if i < len(n.Outputs) && n.Outputs[i] != nil {
			return n.Outputs[i].Type
		}
		return p
	}
	for i, t := range n.Inputs {
		if t == nil {
			continue
		}
		if !storageType(in(i)) || len(t.Dims) > maxRank {
			return false
		}
	}
	for _, t := range n.Outputs {
		if t == nil || !storageType(t.Type) || len(t.Dims) > maxRank {
			return false
		}
	}
	if len(n.Outputs) == 0 {
		return false
	}
	x := in(0)
	switch n.Kind {
	case ir.KindIdentity, ir.KindCast:
		return has(0)
	case ir.KindElementWise:
		op := n.Params.(*ir.ElementWiseParams).Op
		a, b := in(0), in(1)
		if isFloat(a) && isFloat(b) {
			return floatBinaryOp(op)
		}
		if a != b || isFloat(a) {
			return false
		}
		switch {
		case op.IsLogical():
			return a == ir.Bool
		case op == ir.EwBitShiftLeft || op == ir.EwBitShiftRight:
			return a != ir.Bool
		case a == ir.Bool:
			return op.IsComparison()
		}
		return true
	case ir.KindUnary:
		op := n.Params.(*ir.UnaryParams).Op
		if isFloat(x) {
			return op != ir.UnNot
		}
		switch op {
		case ir.UnNot:
			return x == ir.Bool
		case ir.UnAbs, ir.UnNeg, ir.UnSign:
			return x != ir.Bool
		}
		return false
	case ir.KindActivation:
		return isFloat(x) && n.Params.(*ir.ActivationParams).Type <= ir.ActShrink
	case ir.KindParametricReLU:
		return isFloat(x) && isFloat(in(1))
	case ir.KindSelect:
		a, b := in(1), in(2)
		return in(0) == ir.Bool && (a == b || (isFloat(a) && isFloat(b)))
	case ir.KindShuffle, ir.KindConcatenation, ir.KindSplit, ir.KindSlice, ir.KindExpand, ir.KindTile:
		return true
	case ir.KindPadding:
		switch n.Params.(*ir.PaddingParams).Mode {
		case "", "constant", "reflect", "edge", "wrap":
			return true
		}
		return false
	case ir.KindGather:
		return outType(0) == x && (in(1) == ir.Int32 || in(1) == ir.Int64)
	case ir.KindScatter:
		sp := n.Params.(*ir.ScatterParams)
		return outType(0) == x && in(2) == x && (in(1) == ir.Int32 || in(1) == ir.Int64) && sp.Reduction <= ir.ScatterMin
	case ir.KindTrilu:
		return outType(0) == x
	case ir.KindSoftmax:
		return isFloat(x)
	case ir.KindReduce:
		op := n.Params.(*ir.ReduceParams).Op
		if x == ir.Bool {
			return false
		}
		return isFloat(x) || (op != ir.ReduceLogSum && op != ir.ReduceLogSumExp)
	case ir.KindNormalization:
		np := n.Params.(*ir.NormParams)
		if !isFloat(x) {
			return false
		}
		for i := 1; i < len(n.Inputs); i++ {
			if has(i) && !isFloat(in(i)) {
				return false
			}
		}
		switch np.Kind {
		case ir.NormLayer, ir.NormGroup:
			return isFloat(np.StashType)
		case ir.NormLp:
			return np.P == 1 || np.P == 2
		case ir.NormBatch, ir.NormInstance, ir.NormLRN, ir.NormMeanVariance:
			return true
		}
		return false
	case ir.KindPooling:
		pp := n.Params.(*ir.PoolingParams)
		if has(0) && (len(n.Inputs[0].Dims) < 3 || len(n.Inputs[0].Dims) > 2+maxSpatial) {
			return false
		}
		if pp.WithIndices && (len(n.Outputs) < 2 || n.Outputs[1].Type != ir.Int64) {
			return false
		}
		return isFloat(x) || (pp.Type == ir.PoolMax && x != ir.Bool)
	case ir.KindResize:
		switch n.Params.(*ir.ResizeParams).Mode {
		case "", "nearest", "linear", "cubic":
			return true
		}
		return false
	case ir.KindCumulative, ir.KindArgMinMax:
		return x != ir.Bool
	case ir.KindOneHot:
		return has(2)
	case ir.KindFill:
		return n.Params.(*ir.FillParams).Op <= ir.FillEyeLike
	}
	return false
}
