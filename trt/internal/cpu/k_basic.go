package cpu

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

func roundTF32(v float32) float32 { return tensor.RoundTF32(v) }

func init() {
	Register(ir.KindConstant, func(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
		return []*ir.Data{c.Node.Params.(*ir.ConstantParams).Value}, nil
	})
	Register(ir.KindIdentity, func(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
		// Shares the data (kernels never write their inputs).
		x := in[0]
		return []*ir.Data{{Type: x.Type, Dims: append([]int{}, x.Dims...), F: x.F, I: x.I}}, nil
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
	return []*ir.Data{convert(in[0], c.Node.Params.(*ir.CastParams).To)}, nil
}

// Convert returns d converted to type t as the Cast layer does (floats
// rounded to t, integers wrapped, float→int truncated toward zero with NaN
// giving 0 and saturation at the int64 range); d itself when it already has
// type t. Shared with the CUDA backend and the builder.
func Convert(d *ir.Data, t ir.DataType) *ir.Data {
	if d.Type == t {
		return d
	}
	return convert(d, t)
}

// convert always makes a new buffer.
func convert(x *ir.Data, to ir.DataType) *ir.Data {
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
			out.I[i] = FloatToInt(v, to)
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
	return out
}

// FloatToInt converts one float to integer type to like Cast.
func FloatToInt(v float32, to ir.DataType) int64 {
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
	n := ir.Volume(dims)
	if ir.IsIntLike(a.Type) {
		f, err := intOp(op, a.Type)
		if err != nil {
			return nil, err
		}
		res := c.Ints(n)
		binaryRowsI(a.I, b.I, a.Dims, b.Dims, dims, res, f)
		t := a.Type
		if op.IsComparison() {
			t = ir.Bool
		} else if t != ir.Int64 {
			for i, v := range res {
				res[i] = ir.WrapInt(v, t)
			}
		}
		return []*ir.Data{{Type: t, Dims: dims, I: res}}, nil
	}
	if op.IsComparison() {
		switch op {
		case ir.EwEqual, ir.EwGreater, ir.EwLess, ir.EwGreaterOrEqual, ir.EwLessOrEqual:
		default:
			return nil, fmt.Errorf("%v is not defined for %v", op, a.Type)
		}
		res := c.Ints(n)
		compareRows(op, a.F, b.F, a.Dims, b.Dims, dims, res)
		return []*ir.Data{{Type: ir.Bool, Dims: dims, I: res}}, nil
	}
	f := ewScalarF(op)
	if f == nil {
		return nil, fmt.Errorf("%v is not defined for %v", op, a.Type)
	}
	out := c.Floats(n)
	// Fused activations (HardSwish's x+3 then clip) run on each finished
	// piece of the output instead of as a pass of their own.
	post, skip := fusedRows(c)
	c.skip = skip
	if op == ir.EwPow && len(b.F) == 1 && slices.Equal(a.Dims, dims) {
		// One exponent (LayerNorm's x^2): no broadcast, special exponents.
		y := b.F[0]
		ParallelFor(n, ewGrain, func(lo, hi int) {
			powScalarRow(out[lo:hi], a.F[lo:hi], y)
			if post != nil {
				post(out[lo:hi])
			}
		})
		return []*ir.Data{{Type: a.Type, Dims: dims, F: out}}, nil
	}
	binaryRows(ewOp(op), a.F, b.F, a.Dims, b.Dims, dims, out, f, post)
	return []*ir.Data{{Type: a.Type, Dims: dims, F: out}}, nil
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

// mapF applies f to every element of x (into pooled memory inside a runner).
func mapF(c *Ctx, x *ir.Data, f func(float32) float32) *ir.Data {
	return mapRows(c, x, func(dst, src []float32) {
		for i, v := range src[:len(dst)] {
			dst[i] = f(v)
		}
	})
}

// mapRows runs row (a tight loop over dst = g(src)) over x split across the
// cores.
func mapRows(c *Ctx, x *ir.Data, row func(dst, src []float32)) *ir.Data {
	out := &ir.Data{Type: x.Type, Dims: append([]int{}, x.Dims...), F: c.Floats(len(x.F))}
	ParallelFor(len(x.F), 1<<15, func(lo, hi int) { row(out.F[lo:hi], x.F[lo:hi]) })
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
	if row := unaryRow(p.Op); row != nil {
		return []*ir.Data{mapRows(c, x, row)}, nil
	}
	var f func(float32) float32
	switch p.Op {
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
	return []*ir.Data{mapF(c, x, f)}, nil
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
		return sigmoidf(v)
	case ir.ActTanh:
		return tanhf(v)
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
		return geluErff(v)
	case ir.ActGeluTanh:
		return geluTanhf(v)
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

func kActivation(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.ActivationParams)
	if row := activationRow(p.Type, p.Alpha, p.Beta); row != nil {
		return []*ir.Data{mapRows(c, in[0], row)}, nil
	}
	t, a, b := p.Type, p.Alpha, p.Beta
	return []*ir.Data{mapF(c, in[0], func(v float32) float32 { return Activate(t, a, b, v) })}, nil
}

func kPReLU(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	dims, err := ir.Broadcast(in[0].Dims, in[1].Dims)
	if err != nil {
		return nil, err
	}
	out := c.Floats(ir.Volume(dims))
	binaryRows(opPRelu, in[0].F, in[1].F, in[0].Dims, in[1].Dims, dims, out, func(x, s float32) float32 {
		if x < 0 {
			return x * s
		}
		return x
	}, nil)
	return []*ir.Data{{Type: in[0].Type, Dims: dims, F: out}}, nil
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
	out := c.NewData(a.Type, dims)
	if ir.IsIntLike(a.Type) {
		selectRows(cond.I, a.I, b.I, cond.Dims, a.Dims, b.Dims, dims, out.I)
	} else {
		selectRows(cond.I, a.F, b.F, cond.Dims, a.Dims, b.Dims, dims, out.F)
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
	out := c.NewData(in[0].Type, dims)
	outer := ir.Volume(dims[:ax])
	inner := ir.Volume(dims[ax+1:])
	rowOut := dims[ax] * inner
	// Every (outer index, input) pair is one contiguous block copy.
	type block struct{ src, dst, n, x int }
	var blocks []block
	for o := 0; o < outer; o++ {
		pos := 0
		for k, x := range in {
			row := x.Dims[ax] * inner
			// Long blocks are cut so that a few inputs still spread.
			for j := 0; j < row; j += 1 << 16 {
				blocks = append(blocks, block{o*row + j, o*rowOut + pos + j, min(1<<16, row-j), k})
			}
			pos += row
		}
	}
	isF := out.F != nil
	avg := max(1, ir.Volume(dims)/max(1, len(blocks)))
	ParallelFor(len(blocks), max(1, (1<<17)/avg), func(lo, hi int) {
		for _, b := range blocks[lo:hi] {
			if isF {
				copy(out.F[b.dst:b.dst+b.n], in[b.x].F[b.src:b.src+b.n])
			} else {
				copy(out.I[b.dst:b.dst+b.n], in[b.x].I[b.src:b.src+b.n])
			}
		}
	})
	return []*ir.Data{out}, nil
}

// Transpose permutes x: out dims[i] = x dims[perm[i]].
func Transpose(x *ir.Data, perm []int) *ir.Data { return transpose(nil, x, perm) }

func transpose(c *Ctx, x *ir.Data, perm []int) *ir.Data {
	out := c.NewData(x.Type, ir.Permute(x.Dims, perm))
	if x.F != nil || !ir.IsIntLike(x.Type) {
		permuteInto(out.F, x.F, x.Dims, perm)
	} else {
		permuteInto(out.I, x.I, x.Dims, perm)
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

// kShuffle: transpose, reshape, transpose. A reshape alone (or with
// identity permutations) shares the input's data: kernels never write their
// inputs, and the executor counts the shared buffer's references.
func kShuffle(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.ShuffleParams)
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	outDims := append([]int{}, info[0].Dims...)
	if ir.Volume(outDims) != x.Len() {
		return nil, fmt.Errorf("shuffle output %v does not hold the input's %d values", outDims, x.Len())
	}
	first := p.FirstTranspose != nil && !isIdentityPerm(p.FirstTranspose)
	second := p.SecondTranspose != nil && !isIdentityPerm(p.SecondTranspose)
	if first {
		x = transpose(c, x, p.FirstTranspose)
	}
	if second {
		// Reshape to the pre-transpose dims, then permute.
		inv := make([]int, len(p.SecondTranspose))
		for i, v := range p.SecondTranspose {
			inv[v] = i
		}
		x = transpose(c, &ir.Data{Type: x.Type, Dims: ir.Permute(outDims, inv), F: x.F, I: x.I}, p.SecondTranspose)
	}
	return []*ir.Data{{Type: x.Type, Dims: outDims, F: x.F, I: x.I}}, nil
}

// permuteInto writes src (dims in) permuted by perm into dst.
//
// Axes of size 1 are dropped and output-adjacent axes that are also adjacent
// (in order) in the input merged. If the innermost output axis is then
// contiguous in the input, contiguous runs are copied; otherwise the work is
// a batch of 2-D transposes between the output's innermost axis and the
// input's, done in cache tiles. Both split over the cores.
func permuteInto[T float32 | int64](dst, src []T, in []int, perm []int) {
	n := ir.Volume(in)
	if n == 0 {
		return
	}
	is := Strides(in)
	var sz, st []int // output axes after collapsing: size, input stride
	for _, p := range perm {
		d, s := in[p], is[p]
		if d == 1 {
			continue
		}
		if m := len(sz); m > 0 && st[m-1] == s*d {
			sz[m-1] *= d
			st[m-1] = s
			continue
		}
		sz = append(sz, d)
		st = append(st, s)
	}
	r := len(sz)
	if r <= 1 {
		copy(dst[:n], src[:n])
		return
	}
	os := Strides(sz) // output strides of the collapsed axes
	if st[r-1] == 1 {
		// Copy runs of sz[r-1] contiguous values.
		run := sz[r-1]
		rows := n / run
		ParallelFor(rows, max(1, (1<<16)/run), func(lo, hi int) {
			idx := make([]int, r-1)
			off := 0
			q := lo
			for d := r - 2; d >= 0; d-- {
				idx[d] = q % sz[d]
				q /= sz[d]
				off += idx[d] * st[d]
			}
			for row := lo; row < hi; row++ {
				o := row * run
				if run >= 16 {
					copy(dst[o:o+run], src[off:off+run])
				} else {
					for j := range run {
						dst[o+j] = src[off+j]
					}
				}
				for d := r - 2; d >= 0; d-- {
					idx[d]++
					off += st[d]
					if idx[d] < sz[d] {
						break
					}
					off -= st[d] * sz[d]
					idx[d] = 0
				}
			}
		})
		return
	}
	// 2-D tiles: a is the output's innermost axis, b the input's.
	a := r - 1
	b := -1
	for i, s := range st {
		if s == 1 {
			b = i
		}
	}
	na, nb := sz[a], sz[b]
	sa, ob := st[a], os[b]
	var outerSz, outerIn, outerOut []int
	for i := range r {
		if i != a && i != b {
			outerSz = append(outerSz, sz[i])
			outerIn = append(outerIn, st[i])
			outerOut = append(outerOut, os[i])
		}
	}
	outer := ir.Volume(outerSz)
	const tile = 16
	strips := (nb + tile - 1) / tile
	ParallelFor(outer*strips, max(1, (1<<15)/(tile*na)), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			q, strip := u/strips, u%strips
			ibase, obase := 0, 0
			for d := len(outerSz) - 1; d >= 0; d-- {
				k := q % outerSz[d]
				q /= outerSz[d]
				ibase += k * outerIn[d]
				obase += k * outerOut[d]
			}
			jb0, jb1 := strip*tile, min(nb, strip*tile+tile)
			for ja0 := 0; ja0 < na; ja0 += tile {
				ja1 := min(na, ja0+tile)
				for jb := jb0; jb < jb1; jb++ {
					o := obase + jb*ob
					i := ibase + jb
					d := dst[o+ja0 : o+ja1]
					for j := range d {
						d[j] = src[i+(ja0+j)*sa]
					}
				}
			}
		}
	})
}

func kExpand(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	return []*ir.Data{broadcastTo(c, in[0], info[0].Dims)}, nil
}

// BroadcastTo materialises x broadcast to dims.
func BroadcastTo(x *ir.Data, dims []int) *ir.Data { return broadcastTo(nil, x, dims) }

func broadcastTo(c *Ctx, x *ir.Data, dims []int) *ir.Data {
	out := c.NewData(x.Type, dims)
	if x.F != nil || !ir.IsIntLike(x.Type) {
		broadcastRows(x.F, x.Dims, dims, out.F)
	} else {
		broadcastRows(x.I, x.Dims, dims, out.I)
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
