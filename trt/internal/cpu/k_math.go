package cpu

import (
	"fmt"
	"math"
	"sort"

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
	out := ir.NewData(info[0].Type, info[0].Dims)
	if ir.IsIntLike(a.Type) {
		matmulInt(a, b, out, batch, ad, bd, m, n, k, ta, tb)
		return []*ir.Data{out}, nil
	}
	af, bf := c.RoundOperands(a.F), c.RoundOperands(b.F)
	sa := BroadcastStrides(ad[:len(ad)-2], batch)
	sb := BroadcastStrides(bd[:len(bd)-2], batch)
	nb := ir.Volume(batch)
	lda, ldb := k, n
	if ta {
		lda = m
	}
	if tb {
		ldb = k
	}
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
	for bi := 0; bi < nb; bi++ {
		Sgemm(ta, tb, m, n, k, af[offA[bi]:], lda, bf[offB[bi]:], ldb, out.F[bi*m*n:], n)
	}
	return []*ir.Data{out}, nil
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
	out := &ir.Data{Type: x.Type, Dims: append([]int{}, x.Dims...), F: make([]float32, len(x.F))}
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
	ParallelFor(outer*inner, max(1, 2048/max(n, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			o, i := r/inner, r%inner
			base := o*n*inner + i
			softmaxRow(x.F, out.F, base, n, inner, p.Mode)
		}
	})
	return []*ir.Data{out}, nil
}

func softmaxRow(x, y []float32, base, n, stride int, mode ir.SoftmaxMode) {
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
	for j := 0; j < n; j++ {
		sum += math.Exp(float64(x[base+j*stride] - mx))
	}
	if mode == ir.SoftmaxLog {
		ls := math.Log(sum)
		for j := 0; j < n; j++ {
			y[base+j*stride] = float32(float64(x[base+j*stride]-mx) - ls)
		}
		return
	}
	for j := 0; j < n; j++ {
		y[base+j*stride] = float32(math.Exp(float64(x[base+j*stride]-mx)) / sum)
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
