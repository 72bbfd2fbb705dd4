package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/stretchr/testify/require"
)

// Tests of the kernels' fast paths against plain per-element references
// (broadcast offsets from ForEachIndex, the scalar op) or against the
// generic paths they bypass (genericOnly), on random shapes with the
// broadcasting edge cases, NaN/Inf/±0 in the data, and sizes large enough to
// take the parallel and tiled branches.

// ftEval runs node n on in without a pool (Eval) and inside a pooled,
// poisoned context (as a runner would), requires both to agree bit for bit
// (so a fast path writes every element it returns), and returns the Eval
// result.
func ftEval(t *testing.T, n *ir.Node, in []*ir.Data) []*ir.Data {
	t.Helper()
	want, err := Eval(n, in)
	require.NoError(t, err)
	defer SetPoison(true)()
	c := &Ctx{Node: n, Precision: ir.Float, pool: newBufPool()}
	got, err := kernels[n.Kind](c, in)
	require.NoError(t, err)
	for i := range want {
		finishOutput(got[i], n.Outputs[i].Type)
		requireSameBits(t, fmt.Sprintf("%s output %d pooled", n.Kind, i), want[i], got[i])
	}
	return want
}

// requireSameBits compares two values exactly (NaN equal to NaN; -0 and +0
// differ).
func requireSameBits(t *testing.T, what string, want, got *ir.Data) {
	t.Helper()
	require.Equal(t, want.Dims, got.Dims, what)
	require.Equal(t, len(want.F), len(got.F), what)
	require.Equal(t, len(want.I), len(got.I), what)
	for i := range want.F {
		if math.Float32bits(want.F[i]) != math.Float32bits(got.F[i]) && !(want.F[i] != want.F[i] && got.F[i] != got.F[i]) {
			t.Fatalf("%s: element %d = %v, want %v", what, i, got.F[i], want.F[i])
		}
	}
	for i := range want.I {
		if want.I[i] != got.I[i] {
			t.Fatalf("%s: element %d = %v, want %v", what, i, got.I[i], want.I[i])
		}
	}
}

// ftValues fills n floats: mostly uniform in [-4, 4], some specials.
func ftValues(rng *rand.Rand, n int, specials bool) []float32 {
	sp := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1, -1, 2, 0.5}
	v := make([]float32, n)
	for i := range v {
		if specials && rng.IntN(10) == 0 {
			v[i] = sp[rng.IntN(len(sp))]
		} else {
			v[i] = float32(rng.Float64()*8 - 4)
		}
	}
	return v
}

func ftData(rng *rand.Rand, dims []int, specials bool) *ir.Data {
	return &ir.Data{Type: ir.Float, Dims: append([]int{}, dims...), F: ftValues(rng, ir.Volume(dims), specials)}
}

// ftShapePairs are broadcast pairs: the model patterns, the edge cases, and
// random ones.
func ftShapePairs(rng *rand.Rand) [][2][]int {
	pairs := [][2][]int{
		{{2, 5, 8}, {8}},             // bias [D] over [N,T,D]
		{{2, 5, 8}, {2, 5, 1}},       // LayerNorm mean [N,T,1]
		{{2, 3, 4, 5}, {1, 3, 1, 1}}, // per-channel [1,C,1,1]
		{{2, 3, 4, 5}, {3, 1, 1}},    // [C,1,1]
		{{3, 4}, {}},                 // scalar
		{{}, {3, 4}},                 // scalar on the left
		{{1}, {}},                    // [1] vs scalar
		{{}, {}},                     // both scalars
		{{3, 1}, {1, 4}},             // both broadcast
		{{1, 4}, {3, 1}},
		{{2, 1, 4}, {1, 3, 1}},
		{{5, 1, 1, 7}, {6, 1}},
		{{4, 0, 3}, {3}},       // empty
		{{1, 1, 1}, {1, 1}},    // all ones
		{{6, 7}, {6, 7}},       // same shape
		{{2, 3, 4}, {2, 1, 4}}, // middle broadcast
		{{70000}, {70000}},     // large: one row split into segments
		{{3, 40000}, {3, 1}},   // few long rows, repeated operand
		{{40000, 3}, {3}},      // many short rows
		{{2, 128, 256}, {256}},
	}
	for range 60 {
		r := rng.IntN(5)
		out := make([]int, r)
		for i := range out {
			out[i] = 1 + rng.IntN(5)
		}
		mk := func() []int {
			k := rng.IntN(r + 1)
			d := append([]int{}, out[r-k:]...)
			for i := range d {
				if rng.IntN(3) == 0 {
					d[i] = 1
				}
			}
			return d
		}
		a, b := mk(), mk()
		if rng.IntN(2) == 0 {
			a = append([]int{}, out...)
		}
		pairs = append(pairs, [2][]int{a, b})
	}
	return pairs
}

// ftRefBinary is the per-element reference of a broadcast binary op.
func ftRefBinary[T, R any](a, b []T, ad, bd []int, f func(x, y T) R) ([]R, []int) {
	dims, err := ir.Broadcast(ad, bd)
	if err != nil {
		panic(err)
	}
	out := make([]R, ir.Volume(dims))
	ForEachIndex(dims, [][]int{BroadcastStrides(ad, dims), BroadcastStrides(bd, dims)}, func(i int, off []int) {
		out[i] = f(a[off[0]], b[off[1]])
	})
	return out, dims
}

func TestElementWiseFastPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	floatOps := []ir.ElementWiseOp{ir.EwSum, ir.EwSub, ir.EwProd, ir.EwDiv, ir.EwMax, ir.EwMin, ir.EwPow, ir.EwFloorDiv, ir.EwFMod, ir.EwMod}
	cmpOps := []ir.ElementWiseOp{ir.EwEqual, ir.EwGreater, ir.EwLess, ir.EwGreaterOrEqual, ir.EwLessOrEqual}
	intOps := []ir.ElementWiseOp{ir.EwSum, ir.EwSub, ir.EwProd, ir.EwDiv, ir.EwMax, ir.EwMin, ir.EwMod, ir.EwFloorDiv, ir.EwGreater}
	for _, sh := range ftShapePairs(rng) {
		a, b := ftData(rng, sh[0], true), ftData(rng, sh[1], true)
		for _, op := range floatOps {
			name := fmt.Sprintf("%v %v %v", op, sh[0], sh[1])
			out := ftEval(t, kbNode(&ir.ElementWiseParams{Op: op}, 1, []*ir.Data{a, b}), []*ir.Data{a, b})[0]
			want, dims := ftRefBinary(a.F, b.F, a.Dims, b.Dims, ewScalarF(op))
			requireSameBits(t, name, &ir.Data{Dims: dims, F: want}, out)
		}
		for _, op := range cmpOps {
			out := ftEval(t, kbNode(&ir.ElementWiseParams{Op: op}, 1, []*ir.Data{a, b}), []*ir.Data{a, b})[0]
			want, dims := ftRefBinary(a.F, b.F, a.Dims, b.Dims, func(x, y float32) int64 {
				switch op {
				case ir.EwEqual:
					return b2i(x == y)
				case ir.EwGreater:
					return b2i(x > y)
				case ir.EwLess:
					return b2i(x < y)
				case ir.EwGreaterOrEqual:
					return b2i(x >= y)
				}
				return b2i(x <= y)
			})
			requireSameBits(t, fmt.Sprintf("%v %v %v", op, sh[0], sh[1]), &ir.Data{Dims: dims, I: want}, out)
		}
		ai := &ir.Data{Type: ir.Int32, Dims: a.Dims, I: make([]int64, len(a.F))}
		bi := &ir.Data{Type: ir.Int32, Dims: b.Dims, I: make([]int64, len(b.F))}
		for i := range ai.I {
			ai.I[i] = int64(rng.IntN(2001) - 1000)
		}
		for i := range bi.I {
			bi.I[i] = int64(rng.IntN(21) - 10)
		}
		for _, op := range intOps {
			f, err := intOp(op, ir.Int32)
			require.NoError(t, err)
			out := ftEval(t, kbNode(&ir.ElementWiseParams{Op: op}, 1, []*ir.Data{ai, bi}), []*ir.Data{ai, bi})[0]
			want, dims := ftRefBinary(ai.I, bi.I, ai.Dims, bi.Dims, f)
			if !op.IsComparison() {
				for i, v := range want {
					want[i] = ir.WrapInt(v, ir.Int32)
				}
			}
			requireSameBits(t, fmt.Sprintf("int %v %v %v", op, sh[0], sh[1]), &ir.Data{Dims: dims, I: want}, out)
		}
		// PReLU, Select and Expand share the row machinery.
		out := ftEval(t, kbNode(&ir.PReLUParams{}, 1, []*ir.Data{a, b}), []*ir.Data{a, b})[0]
		want, dims := ftRefBinary(a.F, b.F, a.Dims, b.Dims, func(x, s float32) float32 {
			if x < 0 {
				return x * s
			}
			return x
		})
		requireSameBits(t, fmt.Sprintf("prelu %v %v", sh[0], sh[1]), &ir.Data{Dims: dims, F: want}, out)
		cond := &ir.Data{Type: ir.Bool, Dims: b.Dims, I: make([]int64, len(b.F))}
		for i := range cond.I {
			cond.I[i] = int64(rng.IntN(2))
		}
		sel := ftEval(t, kbNode(&ir.SelectParams{}, 1, []*ir.Data{cond, a, b}), []*ir.Data{cond, a, b})[0]
		sdims, _ := ir.Broadcast(cond.Dims, dims)
		swant := make([]float32, ir.Volume(sdims))
		ForEachIndex(sdims, [][]int{BroadcastStrides(cond.Dims, sdims), BroadcastStrides(a.Dims, sdims), BroadcastStrides(b.Dims, sdims)}, func(i int, off []int) {
			if cond.I[off[0]] != 0 {
				swant[i] = a.F[off[1]]
			} else {
				swant[i] = b.F[off[2]]
			}
		})
		requireSameBits(t, fmt.Sprintf("select %v %v", sh[0], sh[1]), &ir.Data{Dims: sdims, F: swant}, sel)
		exp := BroadcastTo(b, dims)
		ewant, _ := ftRefBinary(a.F, b.F, a.Dims, b.Dims, func(_, y float32) float32 { return y })
		requireSameBits(t, fmt.Sprintf("expand %v to %v", sh[1], dims), &ir.Data{Dims: dims, F: ewant}, exp)
	}
}

// TestPowScalarExponents: the exponents done without math.Pow (2, 0.5, 1)
// give exactly math.Pow's result, specials included.
func TestPowScalarExponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := ftValues(rng, 5000, true)
	x = append(x, 0, float32(math.Copysign(0, -1)), float32(math.Inf(-1)), float32(math.Inf(1)), float32(math.NaN()),
		-3, 1e-30, -1e-30, 1e30, -1e30, math.SmallestNonzeroFloat32, math.MaxFloat32, -math.MaxFloat32)
	xd := &ir.Data{Type: ir.Float, Dims: []int{len(x)}, F: x}
	for _, y := range []float32{2, 0.5, 1, 3, -1, 0, -0.5, 1.5, -2, float32(math.NaN()), float32(math.Inf(1))} {
		yd := &ir.Data{Type: ir.Float, Dims: []int{}, F: []float32{y}}
		out := ftEval(t, kbNode(&ir.ElementWiseParams{Op: ir.EwPow}, 1, []*ir.Data{xd, yd}), []*ir.Data{xd, yd})[0]
		want := make([]float32, len(x))
		for i, v := range x {
			want[i] = float32(math.Pow(float64(v), float64(y)))
		}
		requireSameBits(t, fmt.Sprintf("pow(x, %v)", y), &ir.Data{Dims: xd.Dims, F: want}, out)
	}
}

func ftRefTranspose(x *ir.Data, perm []int) *ir.Data {
	dims := ir.Permute(x.Dims, perm)
	xs := Strides(x.Dims)
	st := make([]int, len(perm))
	for i, p := range perm {
		st[i] = xs[p]
	}
	out := &ir.Data{Type: x.Type, Dims: dims}
	if x.F != nil {
		out.F = make([]float32, ir.Volume(dims))
		ForEachIndex(dims, [][]int{st}, func(i int, off []int) { out.F[i] = x.F[off[0]] })
	} else {
		out.I = make([]int64, ir.Volume(dims))
		ForEachIndex(dims, [][]int{st}, func(i int, off []int) { out.I[i] = x.I[off[0]] })
	}
	return out
}

func TestTransposeFastPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		dims, perm []int
	}{
		{[]int{3, 80, 3136}, []int{0, 2, 1}},      // detector head: 2-D tiles
		{[]int{1, 128, 8, 32}, []int{0, 2, 1, 3}}, // attention heads: runs of 32
		{[]int{1, 8, 128, 32}, []int{0, 2, 3, 1}}, // K^T
		{[]int{200, 1, 256}, []int{1, 0, 2}},      // size-1 axis moved: a copy
		{[]int{17, 33}, []int{1, 0}},              // odd 2-D
		{[]int{2, 3, 4, 5, 6}, []int{4, 2, 0, 3, 1}},
		{[]int{5}, []int{0}},
		{[]int{}, []int{}},
		{[]int{4, 0, 3}, []int{2, 1, 0}},
	}
	for range 80 {
		r := 1 + rng.IntN(6)
		d := make([]int, r)
		for i := range d {
			d[i] = 1 + rng.IntN(6)
		}
		cases = append(cases, struct{ dims, perm []int }{d, rng.Perm(r)})
	}
	for _, tc := range cases {
		x := ftData(rng, tc.dims, true)
		requireSameBits(t, fmt.Sprintf("transpose %v %v", tc.dims, tc.perm), ftRefTranspose(x, tc.perm), Transpose(x, tc.perm))
		xi := &ir.Data{Type: ir.Int64, Dims: tc.dims, I: make([]int64, ir.Volume(tc.dims))}
		for i := range xi.I {
			xi.I[i] = rng.Int64()
		}
		requireSameBits(t, fmt.Sprintf("int transpose %v %v", tc.dims, tc.perm), ftRefTranspose(xi, tc.perm), Transpose(xi, tc.perm))
		// Through the Shuffle kernel, pooled.
		p := &ir.ShuffleParams{FirstTranspose: tc.perm}
		out := ftEval(t, kbNode(p, 1, []*ir.Data{x}), []*ir.Data{x})[0]
		requireSameBits(t, "shuffle", ftRefTranspose(x, tc.perm), out)
	}
}

// TestShuffleReshapeShares: a reshape-only shuffle shares its input's data
// (no copy) and leaves the input as it was; one with a transpose does not.
func TestShuffleReshapeShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := ftData(rng, []int{2, 3, 4}, false)
	keep := x.Clone()
	n := kbNode(&ir.ShuffleParams{ReshapeDims: []int{6, 4}, Reshape: true}, 1, []*ir.Data{x})
	out, err := Eval(n, []*ir.Data{x})
	require.NoError(t, err)
	require.Equal(t, []int{6, 4}, out[0].Dims)
	require.True(t, sameData(out[0], x), "reshape copied its input")
	require.Equal(t, []int{2, 3, 4}, x.Dims)
	n = kbNode(&ir.ShuffleParams{ReshapeDims: []int{4, 6}, Reshape: true, SecondTranspose: []int{1, 0}}, 1, []*ir.Data{x})
	out, err = Eval(n, []*ir.Data{x})
	require.NoError(t, err)
	require.False(t, sameData(out[0], x))
	require.Equal(t, []int{6, 4}, out[0].Dims)
	requireSameBits(t, "input untouched", keep, x)
	// Identity shares too.
	out, err = Eval(kbNode(&ir.IdentityParams{}, 1, []*ir.Data{x}), []*ir.Data{x})
	require.NoError(t, err)
	require.True(t, sameData(out[0], x))
}

// TestFinishSharedOutput: rounding a shared output to FP16 copies it first;
// the input keeps its FP32 values.
func TestFinishSharedOutput(t *testing.T) {
	x := &ir.Data{Type: ir.Float, Dims: []int{3}, F: []float32{0.1, 1.0001, 3}}
	keep := x.Clone()
	o := &ir.Data{Type: ir.Float, Dims: []int{3}, F: x.F}
	o = protectShared(o, []*ir.Data{x}, ir.Half)
	finishOutput(o, ir.Half)
	requireSameBits(t, "input", keep, x)
	require.Equal(t, ir.RoundFloat(0.1, ir.Half), o.F[0])
	// An output that is the input's own Data is re-wrapped.
	o = protectShared(x, []*ir.Data{x}, ir.Float)
	require.NotSame(t, x, o)
	finishOutput(o, ir.Int32)
	require.Equal(t, ir.Float, x.Type)
	requireSameBits(t, "input", keep, x)
}

func TestUnaryActivationRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := ftData(rng, []int{3, 7001}, true) // odd length: vector body and scalar tail
	x.F = append(x.F[:0:0], x.F...)
	exact := map[ir.UnaryOp]func(float64) float64{
		ir.UnLog: math.Log, ir.UnSqrt: math.Sqrt, ir.UnAbs: math.Abs,
		ir.UnRecip: func(v float64) float64 { return 1 / v },
		ir.UnNeg:   func(v float64) float64 { return -v },
	}
	for op, f := range exact {
		out := ftEval(t, kbNode(&ir.UnaryParams{Op: op}, 1, []*ir.Data{x}), []*ir.Data{x})[0]
		want := make([]float32, len(x.F))
		for i, v := range x.F {
			want[i] = float32(f(float64(v)))
		}
		requireSameBits(t, fmt.Sprint(op), &ir.Data{Dims: x.Dims, F: want}, out)
	}
	close := func(name string, got []float32, f func(float64) float64) {
		t.Helper()
		for i, v := range x.F {
			w := float32(f(float64(v)))
			g := got[i]
			switch {
			case w != w:
				require.True(t, g != g, "%s(%v) = %v, want NaN", name, v, g)
			case math.IsInf(float64(w), 0):
				require.Equal(t, w, g, "%s(%v)", name, v)
			default:
				require.InDelta(t, w, g, 1e-6*math.Abs(float64(w))+1e-30, "%s(%v)", name, v)
			}
		}
	}
	for op, f := range map[ir.UnaryOp]func(float64) float64{ir.UnExp: math.Exp, ir.UnErf: math.Erf} {
		out := ftEval(t, kbNode(&ir.UnaryParams{Op: op}, 1, []*ir.Data{x}), []*ir.Data{x})[0]
		close(fmt.Sprint(op), out.F, f)
	}
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	for _, tc := range []struct {
		t    ir.ActivationType
		a, b float32
		f    func(float64) float64
	}{
		{ir.ActSigmoid, 0, 0, sig},
		{ir.ActTanh, 0, 0, math.Tanh},
		{ir.ActGeluErf, 0, 0, func(v float64) float64 { return 0.5 * v * math.Erfc(-v/math.Sqrt2) }},
		{ir.ActRelu, 0, 0, func(v float64) float64 { return math.Max(v, 0) }},
		{ir.ActClip, -1, 2.5, func(v float64) float64 { return math.Min(math.Max(v, -1), 2.5) }},
		{ir.ActLeakyRelu, 0.1, 0, func(v float64) float64 {
			if v < 0 {
				return float64(float32(0.1)) * v
			}
			return v
		}},
		{ir.ActHardSigmoid, 0.2, 0.5, func(v float64) float64 { return math.Max(0, math.Min(1, float64(float32(0.2))*v+0.5)) }},
		{ir.ActHardSwish, 1.0 / 6, 0.5, func(v float64) float64 { return v * math.Max(0, math.Min(1, float64(float32(1.0/6))*v+0.5)) }},
	} {
		p := &ir.ActivationParams{Type: tc.t, Alpha: tc.a, Beta: tc.b}
		out := ftEval(t, kbNode(p, 1, []*ir.Data{x}), []*ir.Data{x})[0]
		close(fmt.Sprint(tc.t), out.F, tc.f)
		// The row loops agree with Activate (the per-element definition),
		// up to the sign of zero and the 1-2 ulp of the vector forms.
		for i, v := range x.F {
			w := Activate(tc.t, tc.a, tc.b, v)
			if w != w {
				require.True(t, out.F[i] != out.F[i])
				continue
			}
			require.InDelta(t, w, out.F[i], 3e-7*math.Abs(float64(w))+1e-30, "%v(%v) against Activate", tc.t, v)
		}
	}
}

func TestSoftmaxExpOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	rows := [][]float32{
		{1, 2, 3},
		{-inf, 0, 1},
		{-inf, -inf, -inf},
		{inf, 0, 1},
		{nan, 0, 1},
		{100, -100, 0, 50},
		ftValues(rng, 1000, false),
		ftValues(rng, 13, false),
	}
	for _, row := range rows {
		for _, axisLast := range []bool{true, false} {
			x := &ir.Data{Type: ir.Float, Dims: []int{1, len(row)}, F: row}
			axis := 1
			if !axisLast {
				x = &ir.Data{Type: ir.Float, Dims: []int{len(row), 1}, F: row}
				axis = 0
			}
			out := ftEval(t, kbNode(&ir.SoftmaxParams{Axis: axis}, 1, []*ir.Data{x}), []*ir.Data{x})[0]
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, float64(v))
			}
			var sum float64
			for _, v := range row {
				sum += math.Exp(float64(v) - mx)
			}
			for j, v := range row {
				w := float32(math.Exp(float64(v)-mx) / sum)
				g := out.F[j]
				if w != w {
					require.True(t, g != g, "softmax %v[%d] = %v, want NaN", row[:min(4, len(row))], j, g)
					continue
				}
				require.InDelta(t, w, g, 1e-6*math.Abs(float64(w))+1e-12, "softmax %v[%d]", row[:min(4, len(row))], j)
			}
		}
	}
}

func TestReduceFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	ops := []ir.ReduceOp{ir.ReduceSum, ir.ReduceMean, ir.ReduceSumSquare, ir.ReduceL1, ir.ReduceL2, ir.ReduceMax, ir.ReduceMin, ir.ReduceProd, ir.ReduceLogSum, ir.ReduceLogSumExp}
	shapes := [][]int{{2, 128, 256}, {4, 1, 6, 1, 5}, {7}, {3, 4, 5, 6}, {1, 1, 1}, {2, 0, 3}, {3, 2000}}
	for range 40 {
		r := 1 + rng.IntN(5)
		d := make([]int, r)
		for i := range d {
			d[i] = 1 + rng.IntN(5)
		}
		shapes = append(shapes, d)
	}
	for _, dims := range shapes {
		x := ftData(rng, dims, true)
		for range 4 {
			var axes []int
			for i := range dims {
				if rng.IntN(2) == 0 {
					axes = append(axes, i)
				}
			}
			if len(axes) == 0 {
				axes = []int{len(dims) - 1}
			}
			for _, op := range ops {
				for _, keep := range []bool{true, false} {
					p := &ir.ReduceParams{Op: op, Axes: axes, KeepDims: keep}
					n := kbNode(p, 1, []*ir.Data{x})
					fast := ftEval(t, n, []*ir.Data{x})[0]
					genericOnly = true
					slow, err := Eval(n, []*ir.Data{x})
					genericOnly = false
					require.NoError(t, err)
					requireSameBits(t, fmt.Sprintf("%v %v axes %v", op, dims, axes), slow[0], fast)
				}
			}
		}
	}
}

func TestPoolingFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for i := range 300 {
		kh, kw := 1+rng.IntN(4), 1+rng.IntN(4)
		sh, sw := 1+rng.IntN(3), 1+rng.IntN(3)
		H, W := kh+rng.IntN(9), kw+rng.IntN(9)
		pb := []int{rng.IntN(kh), rng.IntN(kw)}
		pe := []int{rng.IntN(kh), rng.IntN(kw)}
		x := ftData(rng, []int{1 + rng.IntN(2), 1 + rng.IntN(3), H, W}, i%2 == 0)
		if i%5 == 0 { // windows of NaN and -Inf only
			for j := range x.F {
				if rng.IntN(2) == 0 {
					x.F[j] = float32(math.NaN())
				} else if rng.IntN(2) == 0 {
					x.F[j] = float32(math.Inf(-1))
				}
			}
		}
		for _, typ := range []ir.PoolingType{ir.PoolMax, ir.PoolAverage} {
			p := &ir.PoolingParams{Type: typ, WindowSize: []int{kh, kw}, Strides: []int{sh, sw},
				PrePadding: pb, PostPadding: pe, CountIncludePad: rng.IntN(2) == 0}
			n := kbNode(p, 1, []*ir.Data{x})
			fast := ftEval(t, n, []*ir.Data{x})[0]
			genericOnly = true
			slow, err := Eval(n, []*ir.Data{x})
			genericOnly = false
			require.NoError(t, err)
			// The fast max uses Go's max: +0 may stand for -0.
			for j := range fast.F {
				if fast.F[j] == 0 && slow[0].F[j] == 0 {
					fast.F[j] = slow[0].F[j]
				}
			}
			requireSameBits(t, fmt.Sprintf("%v %v k%dx%d s%dx%d pads %v %v incl %v", typ, x.Dims, kh, kw, sh, sw, pb, pe, p.CountIncludePad), slow[0], fast)
		}
	}
}
