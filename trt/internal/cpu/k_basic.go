package cpu

import (
	"fmt"
	"math"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

func roundTF32(v float32) float32 { return tensor.RoundTF32(v) }

func init() {
	Register(ir.KindConstant, func(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
		return []*ir.Data{c.Node.Params.(*ir.ConstantParams).Value}, nil
	})
	Register(ir.KindIdentity, func(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
		return []*ir.Data{in[0].Clone()}, nil
	})
	Register(ir.KindCast, kCast)
	Register(ir.KindElementWise, kElementWise)
	Register(ir.KindUnary, kUnary)
	Register(ir.KindActivation, kActivation)
	Register(ir.KindParametricReLU, kPReLU)
	Register(ir.KindSelect, kSelect)
	Register(ir.KindShape, func(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
		info, err := OutInfos(c.Node, in)
		if err != nil {
			return nil, err
		}
		return []*ir.Data{info[0].Value.Clone()}, nil
	})
	Register(ir.KindConcatenation, kConcat)
	Register(ir.KindShuffle, kShuffle)
	Register(ir.KindExpand, kExpand)
	Register(ir.KindTile, kTile)
}

// kCast converts types. Float→int truncates toward zero (ONNX/numpy);
// NaN/Inf to int is implementation-defined: we give 0 for NaN and saturate Inf.
func kCast(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	to := c.Node.Params.(*ir.CastParams).To
	x := in[0]
	out := &ir.Data{Type: to, Dims: append([]int{}, x.Dims...)}
	switch {
	case ir.IsIntLike(to) && ir.IsIntLike(x.Type):
		out.I = make([]int64, len(x.I))
		for i, v := range x.I {
			out.I[i] = ir.WrapInt(v, to)
		}
	case ir.IsIntLike(to):
		out.I = make([]int64, len(x.F))
		for i, v := range x.F {
			out.I[i] = floatToInt(v, to)
		}
	case ir.IsIntLike(x.Type):
		out.F = make([]float32, len(x.I))
		for i, v := range x.I {
			out.F[i] = ir.RoundFloat(float32(v), to)
		}
	default:
		out.F = make([]float32, len(x.F))
		for i, v := range x.F {
			out.F[i] = ir.RoundFloat(v, to)
		}
	}
	return []*ir.Data{out}, nil
}

func floatToInt(v float32, to ir.DataType) int64 {
	if to == ir.Bool {
		if v != 0 {
			return 1
		}
		return 0
	}
	if v != v {
		return 0
	}
	f := float64(v)
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return ir.WrapInt(int64(f), to)
}

// binary applies f over broadcast inputs, splitting the work across cores.
func binaryF(a, b *ir.Data, dims []int, f func(x, y float32) float32) []float32 {
	n := ir.Volume(dims)
	out := make([]float32, n)
	switch {
	case equalDims(a.Dims, dims) && equalDims(b.Dims, dims):
		ParallelFor(n, 1<<14, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				out[i] = f(a.F[i], b.F[i])
			}
		})
	case equalDims(a.Dims, dims) && len(b.F) == 1:
		y := b.F[0]
		ParallelFor(n, 1<<14, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				out[i] = f(a.F[i], y)
			}
		})
	case equalDims(b.Dims, dims) && len(a.F) == 1:
		x := a.F[0]
		ParallelFor(n, 1<<14, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				out[i] = f(x, b.F[i])
			}
		})
	default:
		sa, sb := BroadcastStrides(a.Dims, dims), BroadcastStrides(b.Dims, dims)
		// Parallelise over the outermost dim when large enough.
		ForEachIndex(dims, [][]int{sa, sb}, func(i int, off []int) {
			out[i] = f(a.F[off[0]], b.F[off[1]])
		})
	}
	return out
}

func binaryI(a, b *ir.Data, dims []int, f func(x, y int64) int64) []int64 {
	n := ir.Volume(dims)
	out := make([]int64, n)
	sa, sb := BroadcastStrides(a.Dims, dims), BroadcastStrides(b.Dims, dims)
	ForEachIndex(dims, [][]int{sa, sb}, func(i int, off []int) {
		out[i] = f(a.I[off[0]], b.I[off[1]])
	})
	return out
}

func equalDims(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func kElementWise(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	op := c.Node.Params.(*ir.ElementWiseParams).Op
	a, b := in[0], in[1]
	dims, err := ir.Broadcast(a.Dims, b.Dims)
	if err != nil {
		return nil, err
	}
	if ir.IsIntLike(a.Type) != ir.IsIntLike(b.Type) {
		return nil, fmt.Errorf("%v inputs have mismatched types %v and %v", op, a.Type, b.Type)
	}
	if ir.IsIntLike(a.Type) {
		f, err := intOp(op, a.Type)
		if err != nil {
			return nil, err
		}
		res := binaryI(a, b, dims, f)
		t := a.Type
		if op.IsComparison() {
			t = ir.Bool
		} else {
			for i, v := range res {
				res[i] = ir.WrapInt(v, t)
			}
		}
		return []*ir.Data{{Type: t, Dims: dims, I: res}}, nil
	}
	if op.IsComparison() {
		var f func(x, y float32) bool
		switch op {
		case ir.EwEqual:
			f = func(x, y float32) bool { return x == y }
		case ir.EwGreater:
			f = func(x, y float32) bool { return x > y }
		case ir.EwLess:
			f = func(x, y float32) bool { return x < y }
		case ir.EwGreaterOrEqual:
			f = func(x, y float32) bool { return x >= y }
		case ir.EwLessOrEqual:
			f = func(x, y float32) bool { return x <= y }
		}
		res := make([]int64, ir.Volume(dims))
		sa, sb := BroadcastStrides(a.Dims, dims), BroadcastStrides(b.Dims, dims)
		ForEachIndex(dims, [][]int{sa, sb}, func(i int, off []int) {
			res[i] = b2i(f(a.F[off[0]], b.F[off[1]]))
		})
		return []*ir.Data{{Type: ir.Bool, Dims: dims, I: res}}, nil
	}
	var f func(x, y float32) float32
	switch op {
	case ir.EwSum:
		f = func(x, y float32) float32 { return x + y }
	case ir.EwSub:
		f = func(x, y float32) float32 { return x - y }
	case ir.EwProd:
		f = func(x, y float32) float32 { return x * y }
	case ir.EwDiv:
		f = func(x, y float32) float32 { return x / y }
	case ir.EwMax:
		f = func(x, y float32) float32 {
			if x != x || y != y {
				return float32(math.NaN())
			}
			return max(x, y)
		}
	case ir.EwMin:
		f = func(x, y float32) float32 {
			if x != x || y != y {
				return float32(math.NaN())
			}
			return min(x, y)
		}
	case ir.EwPow:
		f = func(x, y float32) float32 { return float32(math.Pow(float64(x), float64(y))) }
	case ir.EwFloorDiv:
		f = func(x, y float32) float32 { return float32(math.Floor(float64(x) / float64(y))) }
	case ir.EwFMod:
		f = func(x, y float32) float32 { return float32(math.Mod(float64(x), float64(y))) }
	case ir.EwMod:
		f = func(x, y float32) float32 {
			m := math.Mod(float64(x), float64(y))
			if m != 0 && (m < 0) != (y < 0) {
				m += float64(y)
			}
			return float32(m)
		}
	default:
		return nil, fmt.Errorf("%v is not defined for %v", op, a.Type)
	}
	return []*ir.Data{{Type: a.Type, Dims: dims, F: binaryF(a, b, dims, f)}}, nil
}

func intOp(op ir.ElementWiseOp, t ir.DataType) (func(x, y int64) int64, error) {
	unsigned := t == ir.UInt8
	switch op {
	case ir.EwSum:
		return func(x, y int64) int64 { return x + y }, nil
	case ir.EwSub:
		return func(x, y int64) int64 { return x - y }, nil
	case ir.EwProd:
		return func(x, y int64) int64 { return x * y }, nil
	case ir.EwDiv:
		// Integer division truncates toward zero (C, ONNX Runtime); x/0 gives 0.
		return func(x, y int64) int64 {
			if y == 0 {
				return 0
			}
			return x / y
		}, nil
	case ir.EwFloorDiv:
		return func(x, y int64) int64 {
			if y == 0 {
				return 0
			}
			q := x / y
			if (x%y != 0) && ((x < 0) != (y < 0)) {
				q--
			}
			return q
		}, nil
	case ir.EwMax:
		return func(x, y int64) int64 { return max(x, y) }, nil
	case ir.EwMin:
		return func(x, y int64) int64 { return min(x, y) }, nil
	case ir.EwPow:
		return func(x, y int64) int64 { return int64(math.Pow(float64(x), float64(y))) }, nil
	case ir.EwMod:
		return func(x, y int64) int64 {
			if y == 0 {
				return 0
			}
			m := x % y
			if m != 0 && (m < 0) != (y < 0) {
				m += y
			}
			return m
		}, nil
	case ir.EwFMod:
		return func(x, y int64) int64 {
			if y == 0 {
				return 0
			}
			return x % y
		}, nil
	case ir.EwAnd:
		return func(x, y int64) int64 { return b2i(x != 0 && y != 0) }, nil
	case ir.EwOr:
		return func(x, y int64) int64 { return b2i(x != 0 || y != 0) }, nil
	case ir.EwXor:
		return func(x, y int64) int64 { return b2i((x != 0) != (y != 0)) }, nil
	case ir.EwEqual:
		return func(x, y int64) int64 { return b2i(x == y) }, nil
	case ir.EwGreater:
		return func(x, y int64) int64 { return b2i(x > y) }, nil
	case ir.EwLess:
		return func(x, y int64) int64 { return b2i(x < y) }, nil
	case ir.EwGreaterOrEqual:
		return func(x, y int64) int64 { return b2i(x >= y) }, nil
	case ir.EwLessOrEqual:
		return func(x, y int64) int64 { return b2i(x <= y) }, nil
	case ir.EwBitShiftLeft:
		return func(x, y int64) int64 {
			if y < 0 || y >= 64 {
				return 0
			}
			return x << uint(y)
		}, nil
	case ir.EwBitShiftRight:
		return func(x, y int64) int64 {
			if y < 0 || y >= 64 {
				return 0
			}
			if unsigned || x >= 0 {
				return int64(uint64(x) >> uint(y))
			}
			return x >> uint(y)
		}, nil
	}
	return nil, fmt.Errorf("%v is not defined for %v", op, t)
}

func mapF(x *ir.Data, f func(float32) float32) *ir.Data {
	out := &ir.Data{Type: x.Type, Dims: append([]int{}, x.Dims...), F: make([]float32, len(x.F))}
	ParallelFor(len(x.F), 1<<13, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out.F[i] = f(x.F[i])
		}
	})
	return out
}

func f64(f func(float64) float64) func(float32) float32 {
	return func(v float32) float32 { return float32(f(float64(v))) }
}

func kUnary(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.UnaryParams)
	x := in[0]
	if ir.IsIntLike(x.Type) {
		out := &ir.Data{Type: x.Type, Dims: append([]int{}, x.Dims...), I: make([]int64, len(x.I))}
		for i, v := range x.I {
			switch p.Op {
			case ir.UnNot:
				out.I[i] = b2i(v == 0)
			case ir.UnAbs:
				out.I[i] = ir.WrapInt(max(v, -v), x.Type)
			case ir.UnNeg:
				out.I[i] = ir.WrapInt(-v, x.Type)
			case ir.UnSign:
				out.I[i] = b2i(v > 0) - b2i(v < 0)
			default:
				return nil, fmt.Errorf("%v is not defined for %v", p.Op, x.Type)
			}
		}
		return []*ir.Data{out}, nil
	}
	if p.Op == ir.UnIsInf || p.Op == ir.UnIsNaN {
		out := &ir.Data{Type: ir.Bool, Dims: append([]int{}, x.Dims...), I: make([]int64, len(x.F))}
		for i, v := range x.F {
			if p.Op == ir.UnIsNaN {
				out.I[i] = b2i(v != v)
			} else {
				out.I[i] = b2i((p.DetectPositive && math.IsInf(float64(v), 1)) || (p.DetectNegative && math.IsInf(float64(v), -1)))
			}
		}
		return []*ir.Data{out}, nil
	}
	var f func(float32) float32
	switch p.Op {
	case ir.UnExp:
		f = f64(math.Exp)
	case ir.UnLog:
		f = f64(math.Log)
	case ir.UnSqrt:
		f = f64(math.Sqrt)
	case ir.UnRecip:
		f = func(v float32) float32 { return 1 / v }
	case ir.UnAbs:
		f = func(v float32) float32 { return float32(math.Abs(float64(v))) }
	case ir.UnNeg:
		f = func(v float32) float32 { return -v }
	case ir.UnSin:
		f = f64(math.Sin)
	case ir.UnCos:
		f = f64(math.Cos)
	case ir.UnTan:
		f = f64(math.Tan)
	case ir.UnSinh:
		f = f64(math.Sinh)
	case ir.UnCosh:
		f = f64(math.Cosh)
	case ir.UnAsin:
		f = f64(math.Asin)
	case ir.UnAcos:
		f = f64(math.Acos)
	case ir.UnAtan:
		f = f64(math.Atan)
	case ir.UnAsinh:
		f = f64(math.Asinh)
	case ir.UnAcosh:
		f = f64(math.Acosh)
	case ir.UnAtanh:
		f = f64(math.Atanh)
	case ir.UnCeil:
		f = f64(math.Ceil)
	case ir.UnFloor:
		f = f64(math.Floor)
	case ir.UnErf:
		f = f64(math.Erf)
	case ir.UnSign:
		f = func(v float32) float32 {
			switch {
			case v > 0:
				return 1
			case v < 0:
				return -1
			}
			return v // 0, -0 and NaN stay
		}
	case ir.UnRound:
		f = f64(math.RoundToEven)
	default:
		return nil, fmt.Errorf("%v is not defined for %v", p.Op, x.Type)
	}
	return []*ir.Data{mapF(x, f)}, nil
}

// Activate evaluates activation t at v.
func Activate(t ir.ActivationType, alpha, beta float32, v float32) float32 {
	x := float64(v)
	a, b := float64(alpha), float64(beta)
	switch t {
	case ir.ActRelu:
		if v > 0 || v != v {
			return v
		}
		return 0
	case ir.ActSigmoid:
		return float32(sigmoid(x))
	case ir.ActTanh:
		return float32(math.Tanh(x))
	case ir.ActLeakyRelu:
		if v >= 0 {
			return v
		}
		return float32(a * x)
	case ir.ActElu:
		if v >= 0 {
			return v
		}
		return float32(a * (math.Exp(x) - 1))
	case ir.ActSelu:
		if v > 0 {
			return float32(b * x)
		}
		return float32(b * a * (math.Exp(x) - 1))
	case ir.ActSoftsign:
		return float32(x / (1 + math.Abs(x)))
	case ir.ActSoftplus:
		bx := b * x
		if bx > 30 {
			return float32(a * bx)
		}
		return float32(a * math.Log1p(math.Exp(bx)))
	case ir.ActClip:
		if v != v {
			return v
		}
		return min(max(v, alpha), beta)
	case ir.ActHardSigmoid:
		return float32(math.Max(0, math.Min(1, a*x+b)))
	case ir.ActScaledTanh:
		return float32(a * math.Tanh(b*x))
	case ir.ActThresholdedRelu:
		if x > a {
			return v
		}
		return 0
	case ir.ActGeluErf:
		return float32(0.5 * x * (1 + math.Erf(x/math.Sqrt2)))
	case ir.ActGeluTanh:
		return float32(0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x))))
	case ir.ActCelu:
		return float32(math.Max(0, x) + math.Min(0, a*(math.Exp(x/a)-1)))
	case ir.ActMish:
		sp := x
		if x < 30 {
			sp = math.Log1p(math.Exp(x))
		}
		return float32(x * math.Tanh(sp))
	case ir.ActHardSwish:
		return float32(x * math.Max(0, math.Min(1, a*x+b)))
	case ir.ActShrink:
		switch {
		case x < -a:
			return float32(x + b)
		case x > a:
			return float32(x - b)
		}
		return 0
	}
	return float32(math.NaN())
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func kActivation(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.ActivationParams)
	t, a, b := p.Type, p.Alpha, p.Beta
	if t == ir.ActRelu {
		return []*ir.Data{mapF(in[0], func(v float32) float32 {
			if v < 0 {
				return 0
			}
			return v
		})}, nil
	}
	return []*ir.Data{mapF(in[0], func(v float32) float32 { return Activate(t, a, b, v) })}, nil
}

func kPReLU(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	dims, err := ir.Broadcast(in[0].Dims, in[1].Dims)
	if err != nil {
		return nil, err
	}
	return []*ir.Data{{Type: in[0].Type, Dims: dims, F: binaryF(in[0], in[1], dims, func(x, s float32) float32 {
		if x < 0 {
			return x * s
		}
		return x
	})}}, nil
}

func kSelect(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	cond, a, b := in[0], in[1], in[2]
	dims, err := ir.Broadcast(cond.Dims, a.Dims)
	if err == nil {
		dims, err = ir.Broadcast(dims, b.Dims)
	}
	if err != nil {
		return nil, err
	}
	out := ir.NewData(a.Type, dims)
	st := [][]int{BroadcastStrides(cond.Dims, dims), BroadcastStrides(a.Dims, dims), BroadcastStrides(b.Dims, dims)}
	if ir.IsIntLike(a.Type) {
		ForEachIndex(dims, st, func(i int, off []int) {
			if cond.I[off[0]] != 0 {
				out.I[i] = a.I[off[1]]
			} else {
				out.I[i] = b.I[off[2]]
			}
		})
	} else {
		ForEachIndex(dims, st, func(i int, off []int) {
			if cond.I[off[0]] != 0 {
				out.F[i] = a.F[off[1]]
			} else {
				out.F[i] = b.F[off[2]]
			}
		})
	}
	return []*ir.Data{out}, nil
}

func kConcat(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	dims := info[0].Dims
	ax, _ := ir.NormAxis(c.Node.Params.(*ir.ConcatParams).Axis, len(dims))
	out := ir.NewData(in[0].Type, dims)
	outer := ir.Volume(dims[:ax])
	inner := ir.Volume(dims[ax+1:])
	rowOut := dims[ax] * inner
	pos := 0
	for _, x := range in {
		row := x.Dims[ax] * inner
		for o := 0; o < outer; o++ {
			if out.F != nil {
				copy(out.F[o*rowOut+pos:o*rowOut+pos+row], x.F[o*row:(o+1)*row])
			} else {
				copy(out.I[o*rowOut+pos:o*rowOut+pos+row], x.I[o*row:(o+1)*row])
			}
		}
		pos += row
	}
	return []*ir.Data{out}, nil
}

// Transpose permutes x: out dims[i] = x dims[perm[i]].
func Transpose(x *ir.Data, perm []int) *ir.Data {
	dims := ir.Permute(x.Dims, perm)
	out := ir.NewData(x.Type, dims)
	xs := Strides(x.Dims)
	st := make([]int, len(perm))
	for i, p := range perm {
		st[i] = xs[p]
	}
	if x.F != nil {
		ForEachIndex(dims, [][]int{st}, func(i int, off []int) { out.F[i] = x.F[off[0]] })
	} else {
		ForEachIndex(dims, [][]int{st}, func(i int, off []int) { out.I[i] = x.I[off[0]] })
	}
	return out
}

func isIdentityPerm(p []int) bool {
	for i, v := range p {
		if v != i {
			return false
		}
	}
	return true
}

func kShuffle(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.ShuffleParams)
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if p.FirstTranspose != nil && !isIdentityPerm(p.FirstTranspose) {
		x = Transpose(x, p.FirstTranspose)
	} else {
		x = x.Clone()
	}
	if p.SecondTranspose != nil && !isIdentityPerm(p.SecondTranspose) {
		// Reshape to the pre-transpose dims, then permute.
		inv := make([]int, len(p.SecondTranspose))
		for i, v := range p.SecondTranspose {
			inv[v] = i
		}
		x.Dims = ir.Permute(info[0].Dims, inv)
		x = Transpose(x, p.SecondTranspose)
	}
	x.Dims = append([]int{}, info[0].Dims...)
	return []*ir.Data{x}, nil
}

func kExpand(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	return []*ir.Data{BroadcastTo(in[0], info[0].Dims)}, nil
}

// BroadcastTo materialises x broadcast to dims.
func BroadcastTo(x *ir.Data, dims []int) *ir.Data {
	out := ir.NewData(x.Type, dims)
	st := [][]int{BroadcastStrides(x.Dims, dims)}
	if x.F != nil {
		ForEachIndex(dims, st, func(i int, off []int) { out.F[i] = x.F[off[0]] })
	} else {
		ForEachIndex(dims, st, func(i int, off []int) { out.I[i] = x.I[off[0]] })
	}
	return out
}

func kTile(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	dims := info[0].Dims
	out := ir.NewData(x.Type, dims)
	xs := Strides(x.Dims)
	r := len(dims)
	idx := make([]int, r)
	for i := 0; i < ir.Volume(dims); i++ {
		src := 0
		for d := 0; d < r; d++ {
			src += (idx[d] % x.Dims[d]) * xs[d]
		}
		if x.F != nil {
			out.F[i] = x.F[src]
		} else {
			out.I[i] = x.I[src]
		}
		for d := r - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < dims[d] {
				break
			}
			idx[d] = 0
		}
	}
	return []*ir.Data{out}, nil
}
