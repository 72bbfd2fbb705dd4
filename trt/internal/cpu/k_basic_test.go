package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/stretchr/testify/require"
)

// Independent float64 references for the basic kernels: plain loops over
// multi-indices, sharing no code with the kernels.

func kbNode(p ir.Params, nout int, ins []*ir.Data) *ir.Node {
	n := &ir.Node{Name: "t", Kind: ir.KindOf(p), Params: p}
	for _, d := range ins {
		if d == nil {
			n.Inputs = append(n.Inputs, nil)
			continue
		}
		n.Inputs = append(n.Inputs, &ir.Tensor{Type: d.Type, Dims: d.Dims, Const: d})
	}
	infos := ir.InputInfos(n)
	out, err := ir.Def(n.Kind).Infer(n, infos)
	if err != nil {
		panic(err)
	}
	for _, o := range out[:nout] {
		n.Outputs = append(n.Outputs, &ir.Tensor{Type: o.Type, Dims: o.Dims})
	}
	return n
}

func kbRun(t *testing.T, p ir.Params, ins ...*ir.Data) *ir.Data {
	t.Helper()
	n := kbNode(p, 1, ins)
	out, err := Eval(n, ins)
	require.NoError(t, err)
	return out[0]
}

func kbRand(rng *rand.Rand, dims []int, lo, hi float64) *ir.Data {
	d := ir.NewData(ir.Float, dims)
	for i := range d.F {
		d.F[i] = float32(lo + rng.Float64()*(hi-lo))
	}
	return d
}

// kbIndex converts a flat index to a multi-index.
func kbIndex(flat int, dims []int) []int {
	idx := make([]int, len(dims))
	for i := len(dims) - 1; i >= 0; i-- {
		if dims[i] > 0 {
			idx[i] = flat % dims[i]
			flat /= dims[i]
		}
	}
	return idx
}

// kbAt reads d at a (right-aligned, broadcast) multi-index of the output.
func kbAt(d *ir.Data, idx []int) float64 {
	off := len(idx) - len(d.Dims)
	flat := 0
	for i, n := range d.Dims {
		v := idx[off+i]
		if n == 1 {
			v = 0
		}
		flat = flat*n + v
	}
	return d.Float(flat)
}

func kbBroadcastDims(a, b []int) []int {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := range out {
		x, y := 1, 1
		if j := i - (r - len(a)); j >= 0 {
			x = a[j]
		}
		if j := i - (r - len(b)); j >= 0 {
			y = b[j]
		}
		out[i] = max(x, y)
		if x == 0 || y == 0 {
			out[i] = 0
		}
	}
	return out
}

func kbClose(t *testing.T, what string, got *ir.Data, dims []int, want []float64, tol float64) {
	t.Helper()
	require.Equal(t, dims, got.Dims, what)
	require.Equal(t, len(want), got.Len(), what)
	for i, w := range want {
		g := got.Float(i)
		if math.IsNaN(w) {
			require.True(t, math.IsNaN(g), "%s[%d]: want NaN, got %v", what, i, g)
			continue
		}
		require.InDelta(t, w, g, tol*(1+math.Abs(w)), "%s[%d]", what, i)
	}
}

var broadcastShapes = [][2][]int{
	{{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 1}, {1, 4}}, {{1}, {5}}, {{}, {2, 2}}, {{3, 1, 2}, {4, 1}},
	{{2, 1, 3, 1}, {1, 4, 1, 5}}, {{0, 3}, {1, 3}}, {{1, 1, 1, 1, 7}, {2, 1, 3, 1, 7}},
}

func TestElementWiseFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	ops := map[ir.ElementWiseOp]func(a, b float64) float64{
		ir.EwSum: func(a, b float64) float64 { return a + b }, ir.EwSub: func(a, b float64) float64 { return a - b },
		ir.EwProd: func(a, b float64) float64 { return a * b }, ir.EwDiv: func(a, b float64) float64 { return a / b },
		ir.EwMax: math.Max, ir.EwMin: math.Min, ir.EwPow: math.Pow,
		ir.EwFloorDiv: func(a, b float64) float64 { return math.Floor(a / b) },
		ir.EwFMod:     math.Mod,
		ir.EwMod: func(a, b float64) float64 {
			m := math.Mod(a, b)
			if m != 0 && (m < 0) != (b < 0) {
				m += b
			}
			return m
		},
	}
	for op, f := range ops {
		for _, sh := range broadcastShapes {
			a, b := kbRand(rng, sh[0], 0.5, 3), kbRand(rng, sh[1], -2, 2)
			if op == ir.EwPow {
				b = kbRand(rng, sh[1], -2, 2)
			}
			got := kbRun(t, &ir.ElementWiseParams{Op: op}, a, b)
			dims := kbBroadcastDims(sh[0], sh[1])
			want := make([]float64, ir.Volume(dims))
			for i := range want {
				idx := kbIndex(i, dims)
				want[i] = f(float64(float32(kbAt(a, idx))), float64(float32(kbAt(b, idx))))
			}
			kbClose(t, op.String(), got, dims, want, 1e-5)
		}
	}
}

func TestElementWiseCompareAndInt(t *testing.T) {
	a := &ir.Data{Type: ir.Int32, Dims: []int{2, 3}, I: []int64{-7, 7, 5, -5, 0, 2147483647}}
	b := &ir.Data{Type: ir.Int32, Dims: []int{3}, I: []int64{2, -2, 1}}
	cases := []struct {
		op   ir.ElementWiseOp
		want []int64
		typ  ir.DataType
	}{
		{ir.EwSum, []int64{-5, 5, 6, -3, -2, -2147483648}, ir.Int32}, // wraps at 32 bits
		{ir.EwDiv, []int64{-3, -3, 5, -2, 0, 2147483647}, ir.Int32},  // truncates toward zero
		{ir.EwFloorDiv, []int64{-4, -4, 5, -3, 0, 2147483647}, ir.Int32},
		{ir.EwMod, []int64{1, -1, 0, 1, 0, 0}, ir.Int32},
		{ir.EwFMod, []int64{-1, 1, 0, -1, 0, 0}, ir.Int32},
		{ir.EwGreater, []int64{0, 1, 1, 0, 1, 1}, ir.Bool},
		{ir.EwEqual, []int64{0, 0, 0, 0, 0, 0}, ir.Bool},
		{ir.EwLessOrEqual, []int64{1, 0, 0, 1, 0, 0}, ir.Bool},
	}
	for _, c := range cases {
		got := kbRun(t, &ir.ElementWiseParams{Op: c.op}, a, b)
		require.Equal(t, c.typ, got.Type, c.op.String())
		require.Equal(t, c.want, got.I, c.op.String())
	}
	x := &ir.Data{Type: ir.Bool, Dims: []int{4}, I: []int64{0, 0, 1, 1}}
	y := &ir.Data{Type: ir.Bool, Dims: []int{4}, I: []int64{0, 1, 0, 1}}
	require.Equal(t, []int64{0, 0, 0, 1}, kbRun(t, &ir.ElementWiseParams{Op: ir.EwAnd}, x, y).I)
	require.Equal(t, []int64{0, 1, 1, 1}, kbRun(t, &ir.ElementWiseParams{Op: ir.EwOr}, x, y).I)
	require.Equal(t, []int64{0, 1, 1, 0}, kbRun(t, &ir.ElementWiseParams{Op: ir.EwXor}, x, y).I)
	u := &ir.Data{Type: ir.UInt8, Dims: []int{3}, I: []int64{16, 4, 1}}
	s := &ir.Data{Type: ir.UInt8, Dims: []int{3}, I: []int64{1, 2, 3}}
	require.Equal(t, []int64{32, 16, 8}, kbRun(t, &ir.ElementWiseParams{Op: ir.EwBitShiftLeft}, u, s).I)
	require.Equal(t, []int64{8, 1, 0}, kbRun(t, &ir.ElementWiseParams{Op: ir.EwBitShiftRight}, u, s).I)
	// Float comparisons with NaN are false; max/min propagate NaN.
	f := &ir.Data{Type: ir.Float, Dims: []int{2}, F: []float32{float32(math.NaN()), 1}}
	g := &ir.Data{Type: ir.Float, Dims: []int{2}, F: []float32{1, 1}}
	require.Equal(t, []int64{0, 1}, kbRun(t, &ir.ElementWiseParams{Op: ir.EwEqual}, f, g).I)
	require.True(t, math.IsNaN(float64(kbRun(t, &ir.ElementWiseParams{Op: ir.EwMax}, f, g).F[0])))
}

func TestUnaryAndActivations(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	x := kbRand(rng, []int{3, 5}, -0.95, 0.95)
	pos := kbRand(rng, []int{7}, 1.05, 5)
	un := map[ir.UnaryOp]func(float64) float64{
		ir.UnExp: math.Exp, ir.UnSin: math.Sin, ir.UnCos: math.Cos, ir.UnTan: math.Tan, ir.UnAbs: math.Abs,
		ir.UnNeg: func(v float64) float64 { return -v }, ir.UnAsin: math.Asin, ir.UnAcos: math.Acos, ir.UnAtan: math.Atan,
		ir.UnSinh: math.Sinh, ir.UnCosh: math.Cosh, ir.UnAsinh: math.Asinh, ir.UnAtanh: math.Atanh,
		ir.UnCeil: math.Ceil, ir.UnFloor: math.Floor, ir.UnErf: math.Erf, ir.UnRound: math.RoundToEven,
		ir.UnSign: func(v float64) float64 {
			if v > 0 {
				return 1
			}
			if v < 0 {
				return -1
			}
			return 0
		},
	}
	for op, f := range un {
		got := kbRun(t, &ir.UnaryParams{Op: op}, x)
		want := make([]float64, len(x.F))
		for i, v := range x.F {
			want[i] = f(float64(v))
		}
		kbClose(t, op.String(), got, x.Dims, want, 1e-6)
	}
	for op, f := range map[ir.UnaryOp]func(float64) float64{ir.UnLog: math.Log, ir.UnSqrt: math.Sqrt,
		ir.UnRecip: func(v float64) float64 { return 1 / v }, ir.UnAcosh: math.Acosh} {
		got := kbRun(t, &ir.UnaryParams{Op: op}, pos)
		want := make([]float64, len(pos.F))
		for i, v := range pos.F {
			want[i] = f(float64(v))
		}
		kbClose(t, op.String(), got, pos.Dims, want, 1e-6)
	}
	special := &ir.Data{Type: ir.Float, Dims: []int{4}, F: []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0}}
	require.Equal(t, []int64{1, 0, 0, 0}, kbRun(t, &ir.UnaryParams{Op: ir.UnIsInf, DetectPositive: true}, special).I)
	require.Equal(t, []int64{0, 0, 1, 0}, kbRun(t, &ir.UnaryParams{Op: ir.UnIsNaN}, special).I)

	xs := kbRand(rng, []int{2, 3, 4}, -4, 4)
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	acts := []struct {
		p ir.ActivationParams
		f func(v float64) float64
	}{
		{ir.ActivationParams{Type: ir.ActRelu}, func(v float64) float64 { return math.Max(v, 0) }},
		{ir.ActivationParams{Type: ir.ActSigmoid}, sig},
		{ir.ActivationParams{Type: ir.ActTanh}, math.Tanh},
		{ir.ActivationParams{Type: ir.ActLeakyRelu, Alpha: 0.1}, func(v float64) float64 { return math.Max(v, 0.1*v) }},
		{ir.ActivationParams{Type: ir.ActElu, Alpha: 0.7}, func(v float64) float64 {
			if v >= 0 {
				return v
			}
			return 0.7 * (math.Exp(v) - 1)
		}},
		{ir.ActivationParams{Type: ir.ActSelu, Alpha: 1.67326, Beta: 1.0507}, func(v float64) float64 {
			if v > 0 {
				return 1.0507 * v
			}
			return 1.0507 * 1.67326 * (math.Exp(v) - 1)
		}},
		{ir.ActivationParams{Type: ir.ActSoftsign}, func(v float64) float64 { return v / (1 + math.Abs(v)) }},
		{ir.ActivationParams{Type: ir.ActSoftplus, Alpha: 1, Beta: 1}, func(v float64) float64 { return math.Log(1 + math.Exp(v)) }},
		{ir.ActivationParams{Type: ir.ActClip, Alpha: -1, Beta: 2}, func(v float64) float64 { return math.Min(math.Max(v, -1), 2) }},
		{ir.ActivationParams{Type: ir.ActHardSigmoid, Alpha: 0.2, Beta: 0.5}, func(v float64) float64 { return math.Max(0, math.Min(1, 0.2*v+0.5)) }},
		{ir.ActivationParams{Type: ir.ActScaledTanh, Alpha: 2, Beta: 0.5}, func(v float64) float64 { return 2 * math.Tanh(0.5*v) }},
		{ir.ActivationParams{Type: ir.ActThresholdedRelu, Alpha: 1}, func(v float64) float64 {
			if v > 1 {
				return v
			}
			return 0
		}},
		{ir.ActivationParams{Type: ir.ActGeluErf}, func(v float64) float64 { return v * 0.5 * (1 + math.Erf(v/math.Sqrt2)) }},
		{ir.ActivationParams{Type: ir.ActGeluTanh}, func(v float64) float64 {
			return 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
		}},
		{ir.ActivationParams{Type: ir.ActCelu, Alpha: 2}, func(v float64) float64 { return math.Max(0, v) + math.Min(0, 2*(math.Exp(v/2)-1)) }},
		{ir.ActivationParams{Type: ir.ActMish}, func(v float64) float64 { return v * math.Tanh(math.Log(1+math.Exp(v))) }},
		{ir.ActivationParams{Type: ir.ActHardSwish, Alpha: 1.0 / 6, Beta: 0.5}, func(v float64) float64 { return v * math.Max(0, math.Min(1, v/6+0.5)) }},
		{ir.ActivationParams{Type: ir.ActShrink, Alpha: 1.5, Beta: 0.25}, func(v float64) float64 {
			if v < -1.5 {
				return v + 0.25
			}
			if v > 1.5 {
				return v - 0.25
			}
			return 0
		}},
	}
	for _, a := range acts {
		p := a.p
		got := kbRun(t, &p, xs)
		want := make([]float64, len(xs.F))
		for i, v := range xs.F {
			want[i] = a.f(float64(v))
		}
		kbClose(t, p.Type.String(), got, xs.Dims, want, 1e-5)
	}
}

func TestPReLUSelectCast(t *testing.T) {
	x := &ir.Data{Type: ir.Float, Dims: []int{2, 3}, F: []float32{-1, 2, -3, 4, -5, 6}}
	s := &ir.Data{Type: ir.Float, Dims: []int{3}, F: []float32{0.1, 0.2, 0.3}}
	kbClose(t, "prelu", kbRun(t, &ir.PReLUParams{}, x, s), []int{2, 3}, []float64{-0.1, 2, -0.9, 4, -1.0, 6}, 1e-6)
	cond := &ir.Data{Type: ir.Bool, Dims: []int{2, 1}, I: []int64{1, 0}}
	y := &ir.Data{Type: ir.Float, Dims: []int{}, F: []float32{9}}
	kbClose(t, "select", kbRun(t, &ir.SelectParams{}, cond, x, y), []int{2, 3}, []float64{-1, 2, -3, 9, 9, 9}, 0)
	f := &ir.Data{Type: ir.Float, Dims: []int{6}, F: []float32{-2.7, 2.7, 300, float32(math.NaN()), 1e10, 65519}}
	require.Equal(t, []int64{-2, 2, 44}, kbRun(t, &ir.CastParams{To: ir.Int8}, &ir.Data{Type: ir.Float, Dims: []int{3}, F: []float32{-2.7, 2.7, 300}}).I)
	h := kbRun(t, &ir.CastParams{To: ir.Half}, f)
	require.Equal(t, float32(65504), h.F[5])
	require.True(t, math.IsInf(float64(h.F[4]), 1))
	i := &ir.Data{Type: ir.Int64, Dims: []int{3}, I: []int64{0, 3, -1}}
	require.Equal(t, []int64{0, 1, 1}, kbRun(t, &ir.CastParams{To: ir.Bool}, i).I)
}

func TestMatMulAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	cases := []struct {
		a, b   []int
		op0    ir.MatrixOp
		op1    ir.MatrixOp
		tf32   bool
		expect []int
	}{
		{[]int{3, 4}, []int{4, 5}, ir.MatNone, ir.MatNone, false, []int{3, 5}},
		{[]int{4, 3}, []int{4, 5}, ir.MatTranspose, ir.MatNone, false, []int{3, 5}},
		{[]int{3, 4}, []int{5, 4}, ir.MatNone, ir.MatTranspose, false, []int{3, 5}},
		{[]int{2, 1, 3, 4}, []int{5, 4, 6}, ir.MatNone, ir.MatNone, false, []int{2, 5, 3, 6}},
		{[]int{4}, []int{2, 4, 3}, ir.MatNone, ir.MatNone, false, []int{2, 3}},
		{[]int{2, 3, 4}, []int{4}, ir.MatNone, ir.MatNone, false, []int{2, 3}},
		{[]int{1, 1}, []int{1, 1}, ir.MatNone, ir.MatNone, false, []int{1, 1}},
		{[]int{17, 33}, []int{33, 65}, ir.MatNone, ir.MatNone, true, []int{17, 65}},
	}
	for _, c := range cases {
		a, b := kbRand(rng, c.a, -1, 1), kbRand(rng, c.b, -1, 1)
		n := kbNode(&ir.MatMulParams{Op0: c.op0, Op1: c.op1}, 1, []*ir.Data{a, b})
		out, err := kernels[ir.KindMatrixMultiply](&Ctx{Node: n, Precision: ir.Float, TF32: c.tf32}, []*ir.Data{a, b})
		require.NoError(t, err)
		got := out[0]
		require.Equal(t, c.expect, got.Dims)
		// Reference: promote vectors, broadcast batch, float64 sum.
		ad, bd := append([]int{}, c.a...), append([]int{}, c.b...)
		if len(ad) == 1 {
			ad = []int{1, ad[0]}
		}
		if len(bd) == 1 {
			bd = []int{bd[0], 1}
		}
		m, k := ad[len(ad)-2], ad[len(ad)-1]
		if c.op0 == ir.MatTranspose {
			m, k = k, m
		}
		nn := bd[len(bd)-1]
		if c.op1 == ir.MatTranspose {
			nn = bd[len(bd)-2]
		}
		batch := kbBroadcastDims(ad[:len(ad)-2], bd[:len(bd)-2])
		nb := ir.Volume(batch)
		want := make([]float64, 0, nb*m*nn)
		rd := func(d *ir.Data, dd []int, bidx []int, r, c int, trans bool) float64 {
			if trans {
				r, c = c, r
			}
			idx := append(append([]int{}, bidx[len(bidx)-(len(dd)-2):]...), r, c)
			flat := 0
			for i, n := range dd {
				v := idx[i]
				if n == 1 {
					v = 0
				}
				flat = flat*n + v
			}
			return float64(d.F[flat])
		}
		for bi := 0; bi < max(nb, 1); bi++ {
			bidx := kbIndex(bi, batch)
			for i := 0; i < m; i++ {
				for j := 0; j < nn; j++ {
					s := 0.0
					for p := 0; p < k; p++ {
						x := rd(a, ad, bidx, i, p, c.op0 == ir.MatTranspose)
						y := rd(b, bd, bidx, p, j, c.op1 == ir.MatTranspose)
						if c.tf32 {
							x, y = float64(roundTF32(float32(x))), float64(roundTF32(float32(y)))
						}
						s += x * y
					}
					want = append(want, s)
				}
			}
		}
		kbClose(t, "matmul", got, c.expect, want, 1e-5)
	}
}

func TestSoftmaxReduce(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := kbRand(rng, []int{2, 3, 4}, -3, 3)
	for _, axis := range []int{0, 1, 2, -1} {
		for _, mode := range []ir.SoftmaxMode{ir.SoftmaxNormal, ir.SoftmaxLog, ir.SoftmaxHardmax} {
			got := kbRun(t, &ir.SoftmaxParams{Axis: axis, Mode: mode}, x)
			ax := (axis + 3) % 3
			want := make([]float64, len(x.F))
			for i := range want {
				idx := kbIndex(i, x.Dims)
				mx, sum, arg := math.Inf(-1), 0.0, 0
				for j := 0; j < x.Dims[ax]; j++ {
					id := append([]int{}, idx...)
					id[ax] = j
					if v := kbAt(x, id); v > mx {
						mx, arg = v, j
					}
				}
				for j := 0; j < x.Dims[ax]; j++ {
					id := append([]int{}, idx...)
					id[ax] = j
					sum += math.Exp(kbAt(x, id) - mx)
				}
				v := kbAt(x, idx)
				switch mode {
				case ir.SoftmaxNormal:
					want[i] = math.Exp(v-mx) / sum
				case ir.SoftmaxLog:
					want[i] = v - mx - math.Log(sum)
				case ir.SoftmaxHardmax:
					if idx[ax] == arg {
						want[i] = 1
					}
				}
			}
			kbClose(t, "softmax", got, x.Dims, want, 1e-5)
		}
	}
	ops := map[ir.ReduceOp]func(v []float64) float64{
		ir.ReduceSum: func(v []float64) float64 {
			s := 0.0
			for _, x := range v {
				s += x
			}
			return s
		},
		ir.ReduceMean: func(v []float64) float64 {
			s := 0.0
			for _, x := range v {
				s += x
			}
			return s / float64(len(v))
		},
		ir.ReduceMax: func(v []float64) float64 {
			s := math.Inf(-1)
			for _, x := range v {
				s = math.Max(s, x)
			}
			return s
		},
		ir.ReduceMin: func(v []float64) float64 {
			s := math.Inf(1)
			for _, x := range v {
				s = math.Min(s, x)
			}
			return s
		},
		ir.ReduceProd: func(v []float64) float64 {
			s := 1.0
			for _, x := range v {
				s *= x
			}
			return s
		},
		ir.ReduceL1: func(v []float64) float64 {
			s := 0.0
			for _, x := range v {
				s += math.Abs(x)
			}
			return s
		},
		ir.ReduceL2: func(v []float64) float64 {
			s := 0.0
			for _, x := range v {
				s += x * x
			}
			return math.Sqrt(s)
		},
		ir.ReduceSumSquare: func(v []float64) float64 {
			s := 0.0
			for _, x := range v {
				s += x * x
			}
			return s
		},
		ir.ReduceLogSumExp: func(v []float64) float64 {
			s := 0.0
			for _, x := range v {
				s += math.Exp(x)
			}
			return math.Log(s)
		},
	}
	pos := kbRand(rng, []int{2, 3, 4}, 0.5, 1.5)
	for op, f := range ops {
		for _, axes := range [][]int{{0}, {1, 2}, {-1}, nil, {0, 2}} {
			for _, keep := range []bool{true, false} {
				got := kbRun(t, &ir.ReduceParams{Op: op, Axes: axes, KeepDims: keep}, pos)
				mask := make([]bool, 3)
				for _, a := range axes {
					mask[(a+3)%3] = true
				}
				if len(axes) == 0 {
					mask = []bool{true, true, true}
				}
				var od, kd []int
				for i, d := range pos.Dims {
					if mask[i] {
						kd = append(kd, 1)
						if keep {
							od = append(od, 1)
						}
					} else {
						kd = append(kd, d)
						od = append(od, d)
					}
				}
				if od == nil {
					od = []int{}
				}
				groups := make([][]float64, ir.Volume(kd))
				for i, v := range pos.F {
					idx := kbIndex(i, pos.Dims)
					flat := 0
					for d := range idx {
						if !mask[d] {
							flat = flat*kd[d] + idx[d]
						}
					}
					groups[flat] = append(groups[flat], float64(v))
				}
				want := make([]float64, len(groups))
				for i, g := range groups {
					want[i] = f(g)
				}
				kbClose(t, op.String(), got, od, want, 1e-5)
			}
		}
	}
}

func TestShuffleConcatExpandTileShape(t *testing.T) {
	x := ir.NewData(ir.Float, []int{2, 3, 4})
	for i := range x.F {
		x.F[i] = float32(i)
	}
	got := kbRun(t, &ir.ShuffleParams{FirstTranspose: []int{2, 0, 1}, Reshape: true, ReshapeDims: []int{4, 0, -1}, ZeroIsPlaceholder: true, SecondTranspose: []int{1, 0, 2}}, x)
	require.Equal(t, []int{2, 4, 3}, got.Dims)
	// Reference: out[a][b][c] = T(x)[b][a][c] where T(x)[k][i][j] = x[i][j][k].
	for a := 0; a < 2; a++ {
		for b := 0; b < 4; b++ {
			for c := 0; c < 3; c++ {
				require.Equal(t, x.F[a*12+c*4+b], got.F[a*12+b*3+c])
			}
		}
	}
	y := ir.NewData(ir.Float, []int{2, 1, 4})
	for i := range y.F {
		y.F[i] = float32(100 + i)
	}
	cat := kbRun(t, &ir.ConcatParams{Axis: 1}, x, y)
	require.Equal(t, []int{2, 4, 4}, cat.Dims)
	require.Equal(t, float32(100), cat.F[12])
	require.Equal(t, float32(12), cat.F[16])
	e := kbRun(t, &ir.ExpandParams{}, &ir.Data{Type: ir.Int64, Dims: []int{3, 1}, I: []int64{1, 2, 3}}, ir.IntVector([]int64{2, 1, 2}))
	require.Equal(t, []int{2, 3, 2}, e.Dims)
	require.Equal(t, []int64{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, e.I)
	tl := kbRun(t, &ir.TileParams{}, &ir.Data{Type: ir.Float, Dims: []int{2}, F: []float32{1, 2}}, ir.IntVector([]int64{3}))
	require.Equal(t, []float32{1, 2, 1, 2, 1, 2}, tl.F)
	s := kbRun(t, &ir.ShapeParams{Start: -2}, x)
	require.Equal(t, []int64{3, 4}, s.I)
}

func TestReducedPrecisionOutputs(t *testing.T) {
	// The executor rounds float outputs to the step's output type.
	d := &ir.Data{Type: ir.Float, Dims: []int{3}, F: []float32{1.0009765625 + 1e-4, 70000, 1.00390625}}
	finishOutput(d, ir.Half)
	require.Equal(t, []float32{1.0009765625, float32(math.Inf(1)), 1.00390625}, d.F)
	b := &ir.Data{Type: ir.Float, Dims: []int{1}, F: []float32{1.00390625}} // 1 + 2^-8: BF16 tie → even (1)
	finishOutput(b, ir.BF16)
	require.Equal(t, float32(1), b.F[0])
}
