package cpu

import (
	"fmt"
	"math"
	"sort"

	"github.com/gotrt/gotrt/internal/gemm"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

func init() {
	Register(ir.KindMatrixMultiply, kMatMul)
	Register(ir.KindSoftmax, kSoftmax)
	Register(ir.KindReduce, kReduce)
}

func kMatMul(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.MatMulParams)
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	ad, bd := append([]int{}, a.Dims...), append([]int{}, b.Dims...)
	if p.Op0 == ir.MatVector || len(ad) == 1 {
		ad = append(ad[:len(ad)-1:len(ad)-1], 1, ad[len(ad)-1])
	}
	if p.Op1 == ir.MatVector || len(bd) == 1 {
		bd = append(bd, 1)
	}
	ta, tb := p.Op0 == ir.MatTranspose, p.Op1 == ir.MatTranspose
	m, k := ad[len(ad)-2], ad[len(ad)-1]
	if ta {
		m, k = k, m
	}
	n := bd[len(bd)-1]
	if tb {
		n = bd[len(bd)-2]
	}
	batch, err := ir.Broadcast(ad[:len(ad)-2], bd[:len(bd)-2])
	if err != nil {
		return nil, err
	}
	if ir.IsIntLike(a.Type) {
		out := ir.NewData(info[0].Type, info[0].Dims)
		matmulInt(a, b, out, batch, ad, bd, m, n, k, ta, tb)
		return []*ir.Data{out}, nil
	}
	out := c.NewData(info[0].Type, info[0].Dims)
	af := c.RoundOperands(a.F)
	lda, ldb := k, n
	if ta {
		lda = m
	}
	if tb {
		ldb = k
	}
	act, skip := fusedActivation(c)
	opt := &gemm.Options{Relu: act.Relu, Clip: act.Clip, ClipMin: act.ClipMin, ClipMax: act.ClipMax}
	if !act.Relu && !act.Clip {
		opt = nil
	}
	c.skip = skip
	nb := ir.Volume(batch)
	if m == 0 || n == 0 || nb == 0 {
		return []*ir.Data{out}, nil
	}
	if k == 0 {
		// No products: zeros, then the fused activation.
		var v float32
		if act.Clip {
			v = min(max(v, act.ClipMin), act.ClipMax)
		}
		for i := range out.F {
			out.F[i] = v
		}
		return []*ir.Data{out}, nil
	}
	bBatched := ir.Volume(bd[:len(bd)-2]) > 1
	// A constant B without batch dims (a linear layer's weight): packed once
	// and shared by every runner, with A's batch folded into its rows when A
	// is not transposed (one [batch*m, k] x [k, n] GEMM).
	if constB := c.Node.Inputs[1] != nil && c.Node.Inputs[1].Const != nil; constB && !bBatched {
		v, err := c.State.Once(func() (any, error) {
			return gemm.PackB(tb, k, n, c.RoundOperands(b.F), ldb), nil
		})
		if err != nil {
			return nil, err
		}
		pb := v.(*gemm.PackedB)
		if pb.K() == k && pb.N() == n {
			if !ta && ir.Volume(ad[:len(ad)-2]) == nb {
				gemm.SgemmPackedB(false, nb*m, n, k, 1, af, lda, pb, 0, out.F, n, opt)
				return []*ir.Data{out}, nil
			}
			sa := BroadcastStrides(ad[:len(ad)-2], batch)
			bi := 0
			ForEachIndex(batch, [][]int{sa}, func(_ int, off []int) {
				gemm.SgemmPackedB(ta, m, n, k, 1, af[off[0]*m*k:], lda, pb, 0, out.F[bi*m*n:], n, opt)
				bi++
			})
			if len(batch) == 0 {
				gemm.SgemmPackedB(ta, m, n, k, 1, af, lda, pb, 0, out.F, n, opt)
			}
			return []*ir.Data{out}, nil
		}
	}
	bf := c.RoundOperands(b.F)
	sa := BroadcastStrides(ad[:len(ad)-2], batch)
	sb := BroadcastStrides(bd[:len(bd)-2], batch)
	// Offsets per batch (matrices are m*k and k*n elements).
	offA, offB := make([]int, nb), make([]int, nb)
	i := 0
	ForEachIndex(batch, [][]int{sa, sb}, func(_ int, off []int) {
		offA[i], offB[i] = off[0]*m*k, off[1]*k*n
		i++
	})
	if len(batch) == 0 {
		offA, offB = []int{0}, []int{0}
		nb = 1
	}
	// Regular strides (every batch of attention's Q*K^T): one batched call,
	// which spreads the items over the cores.
	if nb > 1 {
		strideA, okA := arith(offA)
		strideB, okB := arith(offB)
		if okA && okB {
			gemm.SgemmBatchedEx(ta, tb, m, n, k, 1, af, lda, bf, ldb, 0, out.F, n, nb, strideA, strideB, m*n, opt)
			return []*ir.Data{out}, nil
		}
	}
	for bi := 0; bi < nb; bi++ {
		gemm.SgemmEx(ta, tb, m, n, k, 1, af[offA[bi]:], lda, bf[offB[bi]:], ldb, 0, out.F[bi*m*n:], n, opt)
	}
	return []*ir.Data{out}, nil
}

// arith reports whether offs is 0, s, 2s, ... and returns s.
func arith(offs []int) (int, bool) {
	if len(offs) < 2 {
		return 0, true
	}
	s := offs[1] - offs[0]
	if offs[0] != 0 || s < 0 {
		return 0, false
	}
	for i, o := range offs {
		if o != i*s {
			return 0, false
		}
	}
	return s, true
}

func matmulInt(a, b, out *ir.Data, batch, ad, bd []int, m, n, k int, ta, tb bool) {
	sa := BroadcastStrides(ad[:len(ad)-2], batch)
	sb := BroadcastStrides(bd[:len(bd)-2], batch)
	bi := 0
	body := func(offA, offB int) {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s int64
				for p := 0; p < k; p++ {
					var x, y int64
					if ta {
						x = a.I[offA+p*m+i]
					} else {
						x = a.I[offA+i*k+p]
					}
					if tb {
						y = b.I[offB+j*k+p]
					} else {
						y = b.I[offB+p*n+j]
					}
					s += x * y
				}
				out.I[bi*m*n+i*n+j] = ir.WrapInt(s, out.Type)
			}
		}
		bi++
	}
	if len(batch) == 0 {
		body(0, 0)
		return
	}
	ForEachIndex(batch, [][]int{sa, sb}, func(_ int, off []int) { body(off[0]*m*k, off[1]*k*n) })
}

// Sgemm computes C[m,n] = op(A)[m,k] * op(B)[k,n] (row major, C overwritten)
// with FP32 accumulation, split across cores. It is replaced by the blocked
// kernel of internal/gemm where that is linked in.
var Sgemm = naiveSgemm

func naiveSgemm(ta, tb bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ParallelFor(m, max(1, 4096/max(n*k, 1)), func(lo, hi int) {
		row := make([]float32, n)
		for i := lo; i < hi; i++ {
			for j := range row {
				row[j] = 0
			}
			for p := 0; p < k; p++ {
				var av float32
				if ta {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if av == 0 {
					continue
				}
				if tb {
					for j := 0; j < n; j++ {
						row[j] += av * b[j*ldb+p]
					}
				} else {
					br := b[p*ldb : p*ldb+n]
					for j, bv := range br {
						row[j] += av * bv
					}
				}
			}
			copy(c[i*ldc:i*ldc+n], row)
		}
	})
}

// axisSplit returns outer, axis extent, inner sizes for axis ax of dims.
func axisSplit(dims []int, ax int) (outer, n, inner int) {
	return ir.Volume(dims[:ax]), dims[ax], ir.Volume(dims[ax+1:])
}

func kSoftmax(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.SoftmaxParams)
	x := in[0]
	out := &ir.Data{Type: x.Type, Dims: append([]int{}, x.Dims...), F: c.Floats(len(x.F))}
	if len(x.Dims) == 0 {
		if p.Mode == ir.SoftmaxLog {
			out.F[0] = 0
		} else {
			out.F[0] = 1
		}
		return []*ir.Data{out}, nil
	}
	ax, err := ir.NormAxis(p.Axis, len(x.Dims))
	if err != nil {
		return nil, err
	}
	var outer, n, inner int
	if p.Coerce {
		outer, n, inner = ir.Volume(x.Dims[:ax]), ir.Volume(x.Dims[ax:]), 1
	} else {
		outer, n, inner = axisSplit(x.Dims, ax)
	}
	ParallelFor(outer*inner, max(1, (1<<14)/max(n, 1)), func(lo, hi int) {
		var e []float64 // the row's exponentials, computed once
		if p.Mode == ir.SoftmaxNormal {
			e = make([]float64, n)
		}
		for r := lo; r < hi; r++ {
			o, i := r/inner, r%inner
			base := o*n*inner + i
			if inner == 1 && p.Mode == ir.SoftmaxNormal {
				softmaxContig(x.F[base:base+n], out.F[base:base+n], e)
				continue
			}
			softmaxRow(x.F, out.F, base, n, inner, p.Mode, e)
		}
	})
	return []*ir.Data{out}, nil
}

// softmaxContig is softmaxRow for a contiguous row in normal mode.
func softmaxContig(x, y []float32, e []float64) {
	y = y[:len(x)]
	e = e[:len(x)]
	// Go's max is branch-free and propagates NaN (a row holding NaN is all
	// NaN, as in softmaxRow).
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	var sum float64
	if hasVecMath {
		// Vector e^(x-max) in float32 (1 ulp), summed in float64.
		for j, v := range x {
			y[j] = v - mx
		}
		expRow(y, y)
		for _, v := range y {
			sum += float64(v)
		}
		inv := 1 / sum
		for j, v := range y {
			y[j] = float32(float64(v) * inv)
		}
		return
	}
	for j, v := range x {
		ev := math.Exp(float64(v - mx))
		e[j] = ev
		sum += ev
	}
	for j, ev := range e {
		y[j] = float32(ev / sum)
	}
}

// softmaxRow computes one softmax row of n values at base with stride; e
// (n values) holds the exponentials in normal mode so that each is computed
// once.
func softmaxRow(x, y []float32, base, n, stride int, mode ir.SoftmaxMode, e []float64) {
	mx := float32(math.Inf(-1))
	arg := 0
	for j := 0; j < n; j++ {
		if v := x[base+j*stride]; v > mx || v != v {
			mx, arg = v, j
			if v != v {
				break
			}
		}
	}
	if mode == ir.SoftmaxHardmax {
		for j := 0; j < n; j++ {
			y[base+j*stride] = 0
		}
		y[base+arg*stride] = 1
		return
	}
	var sum float64
	if mode == ir.SoftmaxNormal {
		for j := 0; j < n; j++ {
			e[j] = math.Exp(float64(x[base+j*stride] - mx))
			sum += e[j]
		}
		for j := 0; j < n; j++ {
			y[base+j*stride] = float32(e[j] / sum)
		}
		return
	}
	// Log mode.
	for j := 0; j < n; j++ {
		sum += math.Exp(float64(x[base+j*stride] - mx))
	}
	ls := math.Log(sum)
	for j := 0; j < n; j++ {
		y[base+j*stride] = float32(float64(x[base+j*stride]-mx) - ls)
	}
}

func kReduce(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.ReduceParams)
	x := in[0]
	axes := make([]int64, len(p.Axes))
	for i, a := range p.Axes {
		axes[i] = int64(a)
	}
	if len(in) > 1 && in[1] != nil {
		axes = in[1].Ints()
	}
	mask, err := ir.ReduceAxes(axes, len(x.Dims), p.NoopWithEmptyAxes)
	if err != nil {
		return nil, err
	}
	// Output dims (keepdims form for indexing).
	kd := make([]int, len(x.Dims))
	var outDims []int
	for i, d := range x.Dims {
		if mask[i] {
			kd[i] = 1
			if p.KeepDims {
				outDims = append(outDims, 1)
			}
		} else {
			kd[i] = d
			outDims = append(outDims, d)
		}
	}
	if outDims == nil {
		outDims = []int{}
	}
	nOut := ir.Volume(kd)
	// Group input elements by output position: iterate over input with
	// strides that map to the output.
	ost := BroadcastStrides(kd, x.Dims)
	count := 1
	for i, d := range x.Dims {
		if mask[i] {
			count *= d
		}
	}
	if ir.IsIntLike(x.Type) {
		acc := make([]int64, nOut)
		init := int64(0)
		switch p.Op {
		case ir.ReduceProd:
			init = 1
		case ir.ReduceMax:
			init = math.MinInt64
		case ir.ReduceMin:
			init = math.MaxInt64
		}
		for i := range acc {
			acc[i] = init
		}
		ForEachIndex(x.Dims, [][]int{ost}, func(i int, off []int) {
			v := x.I[i]
			o := off[0]
			switch p.Op {
			case ir.ReduceSum, ir.ReduceMean:
				acc[o] += v
			case ir.ReduceProd:
				acc[o] *= v
			case ir.ReduceMax:
				acc[o] = max(acc[o], v)
			case ir.ReduceMin:
				acc[o] = min(acc[o], v)
			case ir.ReduceL1:
				acc[o] += max(v, -v)
			case ir.ReduceSumSquare, ir.ReduceL2:
				acc[o] += v * v
			}
		})
		for i := range acc {
			switch p.Op {
			case ir.ReduceMean:
				if count > 0 {
					acc[i] /= int64(count)
				}
			case ir.ReduceL2:
				acc[i] = int64(math.Sqrt(float64(acc[i])))
			case ir.ReduceLogSum, ir.ReduceLogSumExp:
				return nil, fmt.Errorf("%v is not defined for %v", p.Op, x.Type)
			}
			acc[i] = ir.WrapInt(acc[i], x.Type)
		}
		return []*ir.Data{{Type: x.Type, Dims: outDims, I: acc}}, nil
	}
	if outer, red, inner, ok := reduceBlock(x.Dims, mask); ok && !genericOnly {
		switch p.Op {
		case ir.ReduceSum, ir.ReduceMean, ir.ReduceSumSquare, ir.ReduceL1, ir.ReduceL2,
			ir.ReduceMax, ir.ReduceMin, ir.ReduceProd, ir.ReduceLogSum:
			res := c.Floats(nOut)
			reduceRows(p.Op, x.F, res, outer, red, inner)
			return []*ir.Data{{Type: x.Type, Dims: outDims, F: res}}, nil
		}
	}
	acc := make([]float64, nOut)
	var init float64
	switch p.Op {
	case ir.ReduceProd:
		init = 1
	case ir.ReduceMax:
		init = math.Inf(-1)
	case ir.ReduceMin:
		init = math.Inf(1)
	}
	for i := range acc {
		acc[i] = init
	}
	var mx []float64
	if p.Op == ir.ReduceLogSumExp {
		mx = make([]float64, nOut)
		for i := range mx {
			mx[i] = math.Inf(-1)
		}
		ForEachIndex(x.Dims, [][]int{ost}, func(i int, off []int) {
			mx[off[0]] = math.Max(mx[off[0]], float64(x.F[i]))
		})
		for i, m := range mx {
			if math.IsInf(m, 0) {
				mx[i] = 0
			}
		}
		for i := range acc {
			acc[i] = 0
		}
	}
	ForEachIndex(x.Dims, [][]int{ost}, func(i int, off []int) {
		v := float64(x.F[i])
		o := off[0]
		switch p.Op {
		case ir.ReduceSum, ir.ReduceMean, ir.ReduceLogSum:
			acc[o] += v
		case ir.ReduceProd:
			acc[o] *= v
		case ir.ReduceMax:
			if v > acc[o] || v != v {
				acc[o] = v
			}
		case ir.ReduceMin:
			if v < acc[o] || v != v {
				acc[o] = v
			}
		case ir.ReduceL1:
			acc[o] += math.Abs(v)
		case ir.ReduceL2, ir.ReduceSumSquare:
			acc[o] += v * v
		case ir.ReduceLogSumExp:
			acc[o] += math.Exp(v - mx[o])
		}
	})
	res := make([]float32, nOut)
	for i, v := range acc {
		switch p.Op {
		case ir.ReduceMean:
			v /= float64(count)
		case ir.ReduceL2:
			v = math.Sqrt(v)
		case ir.ReduceLogSum:
			v = math.Log(v)
		case ir.ReduceLogSumExp:
			v = math.Log(v) + mx[i]
		}
		res[i] = float32(v)
	}
	return []*ir.Data{{Type: x.Type, Dims: outDims, F: res}}, nil
}

// reduceBlock reports whether the reduced axes of dims (mask) are one block
// of consecutive axes, axes of size 1 aside, and returns the sizes before,
// of and after it.
func reduceBlock(dims []int, mask []bool) (outer, red, inner int, ok bool) {
	outer, red, inner = 1, 1, 1
	state := 0 // 0: before the block, 1: in it, 2: after it
	for i, d := range dims {
		if d == 1 {
			continue
		}
		switch {
		case mask[i] && state == 2:
			return 0, 0, 0, false
		case mask[i]:
			state = 1
			red *= d
		case state == 0:
			outer *= d
		default:
			state = 2
			inner *= d
		}
	}
	return outer, red, inner, true
}

// reduceRows reduces x viewed as [outer, red, inner] over its middle axis
// into y [outer, inner], accumulating in float64 in index order (as the
// generic path does).
func reduceRows(op ir.ReduceOp, x, y []float32, outer, red, inner int) {
	var init float64
	switch op {
	case ir.ReduceProd:
		init = 1
	case ir.ReduceMax:
		init = math.Inf(-1)
	case ir.ReduceMin:
		init = math.Inf(1)
	}
	finish := func(v float64) float32 {
		switch op {
		case ir.ReduceMean:
			v /= float64(red)
		case ir.ReduceL2:
			v = math.Sqrt(v)
		case ir.ReduceLogSum:
			v = math.Log(v)
		}
		return float32(v)
	}
	// add folds one value into an accumulator.
	add := func(a []float64, xs []float32) {
		xs = xs[:len(a)]
		switch op {
		case ir.ReduceSum, ir.ReduceMean, ir.ReduceLogSum:
			for j, v := range xs {
				a[j] += float64(v)
			}
		case ir.ReduceSumSquare, ir.ReduceL2:
			for j, v := range xs {
				a[j] += float64(v) * float64(v)
			}
		case ir.ReduceL1:
			for j, v := range xs {
				a[j] += math.Abs(float64(v))
			}
		case ir.ReduceProd:
			for j, v := range xs {
				a[j] *= float64(v)
			}
		case ir.ReduceMax:
			for j, v := range xs {
				if u := float64(v); u > a[j] || u != u {
					a[j] = u
				}
			}
		case ir.ReduceMin:
			for j, v := range xs {
				if u := float64(v); u < a[j] || u != u {
					a[j] = u
				}
			}
		}
	}
	if inner == 1 {
		ParallelFor(outer, max(1, (1<<16)/max(red, 1)), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				xs := x[o*red : (o+1)*red]
				a := init
				switch op {
				case ir.ReduceSum, ir.ReduceMean, ir.ReduceLogSum:
					for _, v := range xs {
						a += float64(v)
					}
				case ir.ReduceSumSquare, ir.ReduceL2:
					for _, v := range xs {
						a += float64(v) * float64(v)
					}
				default:
					acc := [1]float64{init}
					for r := range xs {
						add(acc[:], xs[r:r+1])
					}
					a = acc[0]
				}
				y[o] = finish(a)
			}
		})
		return
	}
	// Rows of inner values: accumulate row by row, in chunks of columns.
	const chunk = 1024
	chunks := (inner + chunk - 1) / chunk
	ParallelFor(outer*chunks, max(1, (1<<16)/max(red*min(inner, chunk), 1)), func(lo, hi int) {
		acc := make([]float64, min(inner, chunk))
		for u := lo; u < hi; u++ {
			o, ch := u/chunks, u%chunks
			j0, j1 := ch*chunk, min(inner, ch*chunk+chunk)
			a := acc[:j1-j0]
			for j := range a {
				a[j] = init
			}
			for r := range red {
				base := (o*red+r)*inner + j0
				add(a, x[base:base+len(a)])
			}
			yo := y[o*inner+j0 : o*inner+j1]
			for j, v := range a {
				yo[j] = finish(v)
			}
		}
	})
}

// sortIdx sorts idx by key (stable), ascending or descending.
func sortIdx(idx []int, key func(int) float64, desc bool) {
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := key(idx[i]), key(idx[j])
		if desc {
			return a > b
		}
		return a < b
	})
}
