package cpu

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Kernels of normalizations, top-k/arg-min-max/cumulative sums, einsum,
// recurrent layers and the index/fill layers (one-hot, trilu, non-zero, fill),
// with ONNX semantics. Statistics accumulate in float64; results are float32
// (the executor rounds them to the step's output types).

func init() {
	Register(ir.KindNormalization, kNorm)
	Register(ir.KindTopK, kTopK)
	Register(ir.KindArgMinMax, kArgMinMax)
	Register(ir.KindCumulative, kCumSum)
	Register(ir.KindEinsum, kEinsum)
	Register(ir.KindRNN, kRNN)
	Register(ir.KindOneHot, kOneHot)
	Register(ir.KindTrilu, kTrilu)
	Register(ir.KindNonZero, kNonZero)
	Register(ir.KindFill, kFill)
}

// nnInfos checks that every input holds as many values as its dims say and
// runs the kind's shape inference with the values known.
func nnInfos(c *Ctx, in []*ir.Data) ([]*ir.Info, error) {
	for i, d := range in {
		if d == nil {
			continue
		}
		n := ir.Volume(d.Dims)
		if n < 0 {
			return nil, fmt.Errorf("input %d has unknown dims %s", i, ir.DimsString(d.Dims))
		}
		if ir.IsIntLike(d.Type) {
			if len(d.I) != n {
				return nil, fmt.Errorf("input %d %v%s holds %d values", i, d.Type, ir.DimsString(d.Dims), len(d.I))
			}
		} else if len(d.F) != n {
			return nil, fmt.Errorf("input %d %v%s holds %d values", i, d.Type, ir.DimsString(d.Dims), len(d.F))
		}
	}
	return OutInfos(c.Node, in)
}

func nnIsNaN(v float32) bool { return v != v }

// nnMaxElements bounds the outputs whose size comes from run-time values.
const nnMaxElements = ir.MaxRangeElements

// nnCheckSize fails when dims hold more than nnMaxElements values.
func nnCheckSize(dims []int) error {
	n := 1
	for _, d := range dims {
		if d == 0 {
			return nil
		}
	}
	for _, d := range dims {
		if n > nnMaxElements/d {
			return fmt.Errorf("output %s has more than %d elements", ir.DimsString(dims), nnMaxElements)
		}
		n *= d
	}
	return nil
}

// ---- normalization -------------------------------------------------------------

func kNorm(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.NormParams)
	info, err := nnInfos(c, in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	out := &ir.Data{Type: info[0].Type, Dims: append([]int{}, x.Dims...)}
	if p.Kind == ir.NormBatch {
		out.F = c.Floats(len(x.F)) // every element written
	} else {
		out.F = make([]float32, len(x.F))
	}
	res := []*ir.Data{out}
	eps := float64(p.Epsilon)
	switch p.Kind {
	case ir.NormBatch:
		nnNormBatch(x, in[1], in[2], in[3], in[4], eps, out.F)
	case ir.NormInstance:
		nc := x.Dims[0] * x.Dims[1]
		nnBlockNorm(x.F, nc, ir.Volume(x.Dims[2:]), eps, ir.Float, func(b int) (float64, float64) {
			ch := b % x.Dims[1]
			return float64(in[1].F[ch]), float64(in[2].F[ch])
		}, out.F)
	case ir.NormGroup:
		g := p.Groups
		C, S := x.Dims[1], ir.Volume(x.Dims[2:])
		cpg := C / g
		sc, bi := in[1].F, in[2].F
		ng := x.Dims[0] * g
		size := cpg * S
		stats := make([]float64, 2*ng)
		ParallelFor(ng, max(1, 4096/max(size, 1)), func(lo, hi int) {
			for b := lo; b < hi; b++ {
				stats[2*b], stats[2*b+1] = nnMoments(x.F[b*size : (b+1)*size])
			}
		})
		ParallelFor(ng, max(1, 4096/max(size, 1)), func(lo, hi int) {
			for b := lo; b < hi; b++ {
				mean := nnStashRound(stats[2*b], p.StashType)
				inv := nnStashRound(1/math.Sqrt(stats[2*b+1]+eps), p.StashType)
				grp := b % g
				for j := 0; j < size; j++ {
					ch := grp*cpg + j/max(S, 1)
					k := ch
					if p.GroupScalePerGroup {
						k = grp
					}
					i := b*size + j
					out.F[i] = float32((float64(x.F[i])-mean)*inv*float64(sc[k]) + float64(bi[k]))
				}
			}
		})
	case ir.NormLayer:
		res, err = nnNormLayer(p, x, in, info, out, eps)
		if err != nil {
			return nil, err
		}
	case ir.NormLRN:
		nnNormLRN(p, x, out.F)
	case ir.NormLp:
		ax, _ := ir.NormAxis(p.Axis, len(x.Dims))
		outer, n, inner := axisSplit(x.Dims, ax)
		ParallelFor(outer*inner, max(1, 2048/max(n, 1)), func(lo, hi int) {
			for r := lo; r < hi; r++ {
				base := (r/inner)*n*inner + r%inner
				var s float64
				for j := 0; j < n; j++ {
					v := float64(x.F[base+j*inner])
					if p.P == 1 {
						s += math.Abs(v)
					} else {
						s += v * v
					}
				}
				if p.P == 2 {
					s = math.Sqrt(s)
				}
				for j := 0; j < n; j++ {
					i := base + j*inner
					if s == 0 {
						out.F[i] = 0
					} else {
						out.F[i] = float32(float64(x.F[i]) / s)
					}
				}
			}
		})
	case ir.NormMeanVariance:
		axes := p.Axes
		if axes == nil {
			axes = []int{0, 2, 3}
		}
		red := make([]bool, len(x.Dims))
		for _, a := range axes {
			ax, _ := ir.NormAxis(a, len(x.Dims))
			red[ax] = true
		}
		// ONNX's function body: (x - mean) / (sqrt(var) + 1e-9).
		e := 1e-9
		if p.Epsilon > 0 {
			e = float64(p.Epsilon)
		}
		nnGroupedNorm(x, red, func(mean, vr float64) (float64, float64) { return mean, 1 / (math.Sqrt(vr) + e) }, out.F)
	default:
		return nil, fmt.Errorf("unknown normalization %v", p.Kind)
	}
	return res, nil
}

// moments returns the mean and the (population) variance of xs in float64.
func nnMoments(xs []float32) (mean, vr float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	var s float64
	for _, v := range xs {
		s += float64(v)
	}
	mean = s / float64(len(xs))
	var q float64
	for _, v := range xs {
		d := float64(v) - mean
		q += d * d
	}
	return mean, q / float64(len(xs))
}

// nnStashRound rounds a statistic to the compute type t (FP32 unless FP16/BF16
// is asked for; FP64 keeps it).
func nnStashRound(v float64, t ir.DataType) float64 {
	if t == ir.Double {
		return v
	}
	return float64(ir.RoundFloat(float32(v), t))
}

// nnBlockNorm normalizes nb contiguous blocks of size values:
// (x - mean) / sqrt(var + eps) * scale + bias, with scale and bias per block.
func nnBlockNorm(x []float32, nb, size int, eps float64, stash ir.DataType, sb func(b int) (float64, float64), y []float32) {
	ParallelFor(nb, max(1, 4096/max(size, 1)), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			xs := x[b*size : (b+1)*size]
			mean, vr := nnMoments(xs)
			mean = nnStashRound(mean, stash)
			inv := nnStashRound(1/math.Sqrt(vr+eps), stash)
			s, bi := sb(b)
			ys := y[b*size : (b+1)*size]
			for j, v := range xs {
				ys[j] = float32((float64(v)-mean)*inv*s + bi)
			}
		}
	})
}

func nnNormBatch(x, scale, bias, mean, vr *ir.Data, eps float64, y []float32) {
	C, inner := 1, 1
	if len(x.Dims) >= 2 {
		C = x.Dims[1]
		inner = ir.Volume(x.Dims[2:])
	}
	a := make([]float64, C)
	for ch := range a {
		a[ch] = float64(scale.F[ch]) / math.Sqrt(float64(vr.F[ch])+eps)
	}
	nb := len(x.F) / max(inner, 1)
	if inner == 0 {
		return
	}
	ParallelFor(nb, max(1, (1<<16)/inner), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			ch := b % C
			m, s, bi := float64(mean.F[ch]), a[ch], float64(bias.F[ch])
			for i := b * inner; i < (b+1)*inner; i++ {
				y[i] = float32((float64(x.F[i])-m)*s + bi)
			}
		}
	})
}

func nnNormLayer(p *ir.NormParams, x *ir.Data, in []*ir.Data, info []*ir.Info, out *ir.Data, eps float64) ([]*ir.Data, error) {
	r := len(x.Dims)
	ax, _ := ir.NormAxis(p.Axis, r)
	rows, size := ir.Volume(x.Dims[:ax]), ir.Volume(x.Dims[ax:])
	// Offsets of scale and bias (broadcast to x): a row part and a column part.
	offsets := func(d *ir.Data) (rowOff, colOff []int) {
		if d == nil {
			return nil, nil
		}
		s := BroadcastStrides(d.Dims, x.Dims)
		rowOff, colOff = make([]int, rows), make([]int, size)
		i := 0
		ForEachIndex(x.Dims[:ax], [][]int{s[:ax]}, func(_ int, off []int) { rowOff[i] = off[0]; i++ })
		i = 0
		ForEachIndex(x.Dims[ax:], [][]int{s[ax:]}, func(_ int, off []int) { colOff[i] = off[0]; i++ })
		return rowOff, colOff
	}
	var scale, bias *ir.Data
	if len(in) > 1 {
		scale = in[1]
	}
	if len(in) > 2 {
		bias = in[2]
	}
	sr, sc := offsets(scale)
	br, bc := offsets(bias)
	stash := p.StashType
	var means, invs []float32
	res := []*ir.Data{out}
	if len(info) > 1 {
		means, invs = make([]float32, rows), make([]float32, rows)
		for i := 1; i < len(info); i++ {
			d := &ir.Data{Type: info[i].Type, Dims: append([]int{}, info[i].Dims...)}
			if i == 1 {
				d.F = means
			} else {
				d.F = invs
			}
			res = append(res, d)
		}
	}
	ParallelFor(rows, max(1, 4096/max(size, 1)), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			xs := x.F[b*size : (b+1)*size]
			mean, vr := nnMoments(xs)
			mean = nnStashRound(mean, stash)
			inv := nnStashRound(1/math.Sqrt(vr+eps), stash)
			if means != nil {
				means[b], invs[b] = float32(mean), float32(inv)
			}
			ys := out.F[b*size : (b+1)*size]
			for j, v := range xs {
				y := (float64(v) - mean) * inv
				if scale != nil {
					y *= float64(scale.F[sr[b]+sc[j]])
				}
				if bias != nil {
					y += float64(bias.F[br[b]+bc[j]])
				}
				ys[j] = float32(y)
			}
		}
	})
	return res, nil
}

// nnNormLRN: y = x / (bias + alpha/size * sum of x^2 over the channel window)^beta,
// the window [c - floor((size-1)/2), c + ceil((size-1)/2)].
func nnNormLRN(p *ir.NormParams, x *ir.Data, y []float32) {
	N, C := x.Dims[0], x.Dims[1]
	S := ir.Volume(x.Dims[2:])
	lo := (p.Size - 1) / 2
	hi := p.Size - 1 - lo
	alpha, beta, bias := float64(p.Alpha)/float64(p.Size), float64(p.Beta), float64(p.Bias)
	ParallelFor(N*C, max(1, 2048/max(S*p.Size, 1)), func(a, b int) {
		acc := make([]float64, S)
		for nc := a; nc < b; nc++ {
			n, ch := nc/C, nc%C
			for i := range acc {
				acc[i] = 0
			}
			for k := max(ch-lo, 0); k <= min(ch+hi, C-1); k++ {
				xs := x.F[(n*C+k)*S : (n*C+k+1)*S]
				for i, v := range xs {
					acc[i] += float64(v) * float64(v)
				}
			}
			base := nc * S
			for i := range S {
				y[base+i] = float32(float64(x.F[base+i]) / math.Pow(bias+alpha*acc[i], beta))
			}
		}
	})
}

// nnGroupedNorm normalizes x over the axes marked in red: f maps a group's mean
// and variance to the value subtracted and the factor applied.
func nnGroupedNorm(x *ir.Data, red []bool, f func(mean, vr float64) (float64, float64), y []float32) {
	dims := x.Dims
	kept := make([]int, len(dims))
	for i, d := range dims {
		kept[i] = d
		if red[i] {
			kept[i] = 1
		}
	}
	ng := ir.Volume(kept)
	gs := BroadcastStrides(kept, dims)
	cnt := 1
	for i, d := range dims {
		if red[i] {
			cnt *= d
		}
	}
	sum := make([]float64, ng)
	ForEachIndex(dims, [][]int{gs}, func(i int, off []int) { sum[off[0]] += float64(x.F[i]) })
	for g := range sum {
		sum[g] /= float64(max(cnt, 1))
	}
	q := make([]float64, ng)
	ForEachIndex(dims, [][]int{gs}, func(i int, off []int) {
		d := float64(x.F[i]) - sum[off[0]]
		q[off[0]] += d * d
	})
	sub, mul := make([]float64, ng), make([]float64, ng)
	for g := range q {
		sub[g], mul[g] = f(sum[g], q[g]/float64(max(cnt, 1)))
	}
	ForEachIndex(dims, [][]int{gs}, func(i int, off []int) {
		y[i] = float32((float64(x.F[i]) - sub[off[0]]) * mul[off[0]])
	})
}

// ---- top-k, arg-min/max, cumulative sum ----------------------------------------

// nnTopKOrder orders values for top-k: NaN counts as larger than any number
// (ONNX Runtime), equal values keep the lower index first.
func nnTopKOrder(largest bool) func(a, b float32, ia, ib int) int {
	return func(a, b float32, ia, ib int) int {
		an, bn := nnIsNaN(a), nnIsNaN(b)
		switch {
		case an && bn, !an && !bn && a == b:
			return cmp.Compare(ia, ib)
		case an:
			if largest {
				return -1
			}
			return 1
		case bn:
			if largest {
				return 1
			}
			return -1
		case a > b:
			if largest {
				return -1
			}
			return 1
		}
		if largest {
			return 1
		}
		return -1
	}
}

func kTopK(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.TopKParams)
	if _, err := nnInfos(c, in); err != nil {
		return nil, err
	}
	x := in[0]
	ax, _ := ir.NormAxis(p.Axis, len(x.Dims))
	k := p.K
	if len(in) > 1 && in[1] != nil {
		v := in[1].Ints()
		if len(v) != 1 {
			return nil, fmt.Errorf("top-k k must be a single value, got %v", v)
		}
		k = int(v[0])
	}
	outer, n, inner := axisSplit(x.Dims, ax)
	if k < 0 || k > n {
		return nil, fmt.Errorf("top-k k=%d out of range for axis %d of extent %d", k, ax, n)
	}
	dims := append([]int{}, x.Dims...)
	dims[ax] = k
	vals := ir.NewData(x.Type, dims)
	idx := ir.NewData(ir.Int64, dims)
	isInt := ir.IsIntLike(x.Type)
	fb := nnTopKOrder(p.Largest)
	ParallelFor(outer*inner, max(1, 1024/max(n, 1)), func(lo, hi int) {
		order := make([]int, n)
		for r := lo; r < hi; r++ {
			base := (r/inner)*n*inner + r%inner
			obase := (r/inner)*k*inner + r%inner
			for j := range order {
				order[j] = j
			}
			if isInt {
				xs := x.I
				slices.SortFunc(order, func(a, b int) int {
					va, vb := xs[base+a*inner], xs[base+b*inner]
					if va == vb {
						return cmp.Compare(a, b)
					}
					if (va > vb) == p.Largest {
						return -1
					}
					return 1
				})
				for j := 0; j < k; j++ {
					vals.I[obase+j*inner] = xs[base+order[j]*inner]
					idx.I[obase+j*inner] = int64(order[j])
				}
				continue
			}
			xs := x.F
			slices.SortFunc(order, func(a, b int) int { return fb(xs[base+a*inner], xs[base+b*inner], a, b) })
			for j := 0; j < k; j++ {
				vals.F[obase+j*inner] = xs[base+order[j]*inner]
				idx.I[obase+j*inner] = int64(order[j])
			}
		}
	})
	return []*ir.Data{vals, idx}, nil
}

func kArgMinMax(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.ArgMinMaxParams)
	info, err := nnInfos(c, in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	ax, _ := ir.NormAxis(p.Axis, len(x.Dims))
	outer, n, inner := axisSplit(x.Dims, ax)
	out := ir.NewData(ir.Int64, info[0].Dims)
	if n == 0 && outer*inner > 0 {
		return nil, fmt.Errorf("arg-min/max over an empty axis %d", ax)
	}
	isInt := ir.IsIntLike(x.Type)
	// ONNX Runtime's scan: the first element is the start, a later one takes
	// over when strictly better (or equal, selecting the last index). A NaN
	// compares false: it wins only in the first place (checked against ONNX
	// Runtime 1.30).
	ParallelFor(outer*inner, max(1, 4096/max(n, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			base := (r/inner)*n*inner + r%inner
			best := 0
			for j := 1; j < n; j++ {
				var gt, eq bool
				if isInt {
					a, b := x.I[base+j*inner], x.I[base+best*inner]
					eq = a == b
					gt = (p.Max && a > b) || (!p.Max && a < b)
				} else {
					a, b := x.F[base+j*inner], x.F[base+best*inner]
					eq = a == b
					gt = (p.Max && a > b) || (!p.Max && a < b)
				}
				if gt || (eq && p.SelectLastIndex) {
					best = j
				}
			}
			out.I[r] = int64(best)
		}
	})
	return []*ir.Data{out}, nil
}

func kCumSum(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.CumulativeParams)
	if _, err := nnInfos(c, in); err != nil {
		return nil, err
	}
	x := in[0]
	av := in[1].Ints()
	if len(av) != 1 {
		return nil, fmt.Errorf("cumulative axis must be a scalar, got %v", av)
	}
	ax, err := ir.NormAxis(int(av[0]), len(x.Dims))
	if err != nil {
		return nil, err
	}
	if x.Type == ir.Bool {
		return nil, fmt.Errorf("cumulative sum does not take BOOL")
	}
	outer, n, inner := axisSplit(x.Dims, ax)
	out := ir.NewData(x.Type, x.Dims)
	isInt := ir.IsIntLike(x.Type)
	ParallelFor(outer*inner, max(1, 4096/max(n, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			base := (r/inner)*n*inner + r%inner
			var sf float64
			var si int64
			for s := 0; s < n; s++ {
				j := s
				if p.Reverse {
					j = n - 1 - s
				}
				i := base + j*inner
				if isInt {
					if p.Exclusive {
						out.I[i] = ir.WrapInt(si, x.Type)
						si += x.I[i]
					} else {
						si += x.I[i]
						out.I[i] = ir.WrapInt(si, x.Type)
					}
					continue
				}
				if p.Exclusive {
					out.F[i] = float32(sf)
					sf += float64(x.F[i])
				} else {
					sf += float64(x.F[i])
					out.F[i] = float32(sf)
				}
			}
		}
	})
	return []*ir.Data{out}, nil
}

// ---- one-hot, trilu, non-zero, fill --------------------------------------------

func kOneHot(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.OneHotParams)
	info, err := nnInfos(c, in)
	if err != nil {
		return nil, err
	}
	idx, depthD, vals := in[0], in[1], in[2]
	if depthD.Len() != 1 {
		return nil, fmt.Errorf("one-hot depth must be a scalar")
	}
	depth := depthD.Int(0)
	if !ir.IsIntLike(depthD.Type) && (math.IsNaN(float64(depthD.F[0])) || math.IsInf(float64(depthD.F[0]), 0)) {
		return nil, fmt.Errorf("one-hot depth %v is not finite", depthD.F[0])
	}
	if depth < 1 || depth > math.MaxInt32 {
		return nil, fmt.Errorf("one-hot depth %d must be positive", depth)
	}
	ax, _ := ir.NormAxisInclusive(p.Axis, len(idx.Dims))
	dims := append(append(append([]int{}, idx.Dims[:ax]...), int(depth)), idx.Dims[ax:]...)
	if ir.DimsKnown(info[0].Dims) && !slices.Equal(info[0].Dims, dims) {
		return nil, fmt.Errorf("one-hot output %s differs from inferred %s", ir.DimsString(dims), ir.DimsString(info[0].Dims))
	}
	if err := nnCheckSize(dims); err != nil {
		return nil, err
	}
	out := ir.NewData(vals.Type, dims)
	post := ir.Volume(idx.Dims[ax:])
	n := idx.Len()
	if ir.IsIntLike(vals.Type) {
		for i := range out.I {
			out.I[i] = vals.I[0]
		}
	} else {
		for i := range out.F {
			out.F[i] = vals.F[0]
		}
	}
	for e := 0; e < n; e++ {
		var v int64
		if ir.IsIntLike(idx.Type) {
			v = idx.I[e]
		} else {
			// Float indices hit only where they hold an integer (ONNX
			// Runtime and the ONNX reference compare values).
			f := float64(idx.F[e])
			if f != math.Trunc(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<53 {
				continue
			}
			v = int64(f)
		}
		if v < 0 {
			v += depth
		}
		if v < 0 || v >= depth {
			continue
		}
		o := ((e/post)*int(depth)+int(v))*post + e%post
		if ir.IsIntLike(vals.Type) {
			out.I[o] = vals.I[1]
		} else {
			out.F[o] = vals.F[1]
		}
	}
	return []*ir.Data{out}, nil
}

func kTrilu(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.TriluParams)
	if _, err := nnInfos(c, in); err != nil {
		return nil, err
	}
	x := in[0]
	var k int64
	if len(in) > 1 && in[1] != nil {
		v := in[1].Ints()
		if len(v) != 1 {
			return nil, fmt.Errorf("trilu k must be a scalar, got %v", v)
		}
		k = v[0]
	}
	r := len(x.Dims)
	R, C := x.Dims[r-2], x.Dims[r-1]
	out := x.Clone()
	n := x.Len()
	for i := 0; i < n; i++ {
		col := int64(i % max(C, 1))
		row := int64((i / max(C, 1)) % max(R, 1))
		keep := col-row <= k
		if p.Upper {
			keep = col-row >= k
		}
		if keep {
			continue
		}
		if out.I != nil {
			out.I[i] = 0
		} else {
			out.F[i] = 0
		}
	}
	return []*ir.Data{out}, nil
}

func kNonZero(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	if _, err := nnInfos(c, in); err != nil {
		return nil, err
	}
	x := in[0]
	dims := x.Dims
	if len(dims) == 0 {
		dims = []int{1}
	}
	n := x.Len()
	var nz []int
	for i := 0; i < n; i++ {
		if (x.I != nil && x.I[i] != 0) || (x.F != nil && x.F[i] != 0) {
			nz = append(nz, i)
		}
	}
	r := len(dims)
	out := ir.NewData(ir.Int64, []int{r, len(nz)})
	st := Strides(dims)
	for j, i := range nz {
		for d := 0; d < r; d++ {
			out.I[d*len(nz)+j] = int64((i / st[d]) % dims[d])
		}
	}
	return []*ir.Data{out}, nil
}

func kFill(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.FillParams)
	info, err := nnInfos(c, in)
	if err != nil {
		return nil, err
	}
	switch p.Op {
	case ir.FillConstant:
		v := in[0].Ints()
		dims := make([]int, len(v))
		for i, d := range v {
			if d < 0 || d > math.MaxInt32 {
				return nil, fmt.Errorf("fill shape %v has an invalid value", v)
			}
			dims[i] = int(d)
		}
		if err := nnCheckSize(dims); err != nil {
			return nil, err
		}
		out := ir.NewData(p.Type, dims)
		if ir.IsIntLike(p.Type) {
			iv := ir.WrapInt(int64(p.Value), p.Type)
			if p.Type == ir.Bool && p.Value != 0 {
				iv = 1
			}
			for i := range out.I {
				out.I[i] = iv
			}
		} else {
			fv := ir.RoundFloat(float32(p.Value), p.Type)
			for i := range out.F {
				out.F[i] = fv
			}
		}
		return []*ir.Data{out}, nil
	case ir.FillRange:
		n, err := ir.RangeCount(in[0], in[1], in[2])
		if err != nil {
			return nil, err
		}
		t := in[0].Type
		out := ir.NewData(t, []int{n})
		if ir.IsIntLike(t) {
			s, d := in[0].I[0], in[2].I[0]
			for i := range out.I {
				out.I[i] = s + int64(i)*d
			}
		} else {
			s, d := float64(in[0].F[0]), float64(in[2].F[0])
			for i := range out.F {
				out.F[i] = float32(s + float64(i)*d)
			}
		}
		return []*ir.Data{out}, nil
	case ir.FillEyeLike:
		dims := info[0].Dims
		out := ir.NewData(p.Type, dims)
		R, C := dims[0], dims[1]
		for i := 0; i < R; i++ {
			j := i + p.K
			if j < 0 || j >= C {
				continue
			}
			if out.I != nil {
				out.I[i*C+j] = 1
			} else {
				out.F[i*C+j] = 1
			}
		}
		return []*ir.Data{out}, nil
	}
	return nil, fmt.Errorf("unknown fill op %d", p.Op)
}

// ---- einsum --------------------------------------------------------------------

// nnETen is an einsum intermediate: a contiguous tensor whose axes carry labels.
type nnETen struct {
	labels []int
	dims   []int
	f      []float32
	i      []int64
	ints   bool // values in i (else f)
}

func (t *nnETen) isInt() bool { return t.ints }

// nnETenFrom takes the diagonal of repeated labels and drops axes of extent 1
// (they broadcast) of operand d.
func nnETenFrom(d *ir.Data, labels []int) *nnETen {
	st := Strides(d.Dims)
	var ul, ud, us []int
	for ax, l := range labels {
		if d.Dims[ax] == 1 {
			continue
		}
		j := slices.Index(ul, l)
		if j < 0 {
			ul, ud, us = append(ul, l), append(ud, d.Dims[ax]), append(us, st[ax])
		} else {
			us[j] += st[ax]
		}
	}
	isInt := ir.IsIntLike(d.Type)
	t := &nnETen{labels: ul, dims: ud, ints: isInt}
	n := ir.Volume(ud)
	if isInt {
		t.i = make([]int64, n)
	} else {
		t.f = make([]float32, n)
	}
	ForEachIndex(ud, [][]int{us}, func(i int, off []int) {
		if isInt {
			t.i[i] = d.I[off[0]]
		} else {
			t.f[i] = d.F[off[0]]
		}
	})
	return t
}

// sumOut sums t over the labels for which keep is false.
func (t *nnETen) sumOut(keep func(l int) bool) *nnETen {
	var kl, kd []int
	red := false
	for j, l := range t.labels {
		if keep(l) {
			kl, kd = append(kl, l), append(kd, t.dims[j])
		} else {
			red = true
		}
	}
	if !red {
		return t
	}
	r := &nnETen{labels: kl, dims: kd, ints: t.ints}
	n := ir.Volume(kd)
	// Strides into the result, 0 along summed axes.
	rs := make([]int, len(t.labels))
	st := Strides(kd)
	k := 0
	for j, l := range t.labels {
		if keep(l) {
			rs[j] = st[k]
			k++
		}
	}
	if t.isInt() {
		r.i = make([]int64, n)
		ForEachIndex(t.dims, [][]int{rs}, func(i int, off []int) { r.i[off[0]] += t.i[i] })
		return r
	}
	acc := make([]float64, n)
	ForEachIndex(t.dims, [][]int{rs}, func(i int, off []int) { acc[off[0]] += float64(t.f[i]) })
	r.f = make([]float32, n)
	for i, v := range acc {
		r.f[i] = float32(v)
	}
	return r
}

// permute returns t with its axes in the order of labels (a permutation of
// t.labels); t itself when already in that order.
func (t *nnETen) permute(labels []int) *nnETen {
	if slices.Equal(labels, t.labels) {
		return t
	}
	st := Strides(t.dims)
	dims, ss := make([]int, len(labels)), make([]int, len(labels))
	for j, l := range labels {
		k := slices.Index(t.labels, l)
		dims[j], ss[j] = t.dims[k], st[k]
	}
	r := &nnETen{labels: labels, dims: dims, ints: t.ints}
	n := ir.Volume(dims)
	if t.isInt() {
		r.i = make([]int64, n)
		ForEachIndex(dims, [][]int{ss}, func(i int, off []int) { r.i[i] = t.i[off[0]] })
	} else {
		r.f = make([]float32, n)
		ForEachIndex(dims, [][]int{ss}, func(i int, off []int) { r.f[i] = t.f[off[0]] })
	}
	return r
}

// einsumContract multiplies a and b and sums the labels they share that keep
// rejects, as a batched matrix product [batch, m, k] x [batch, k, n].
func einsumContract(c *Ctx, a, b *nnETen, keep func(l int) bool) *nnETen {
	inA := func(l int) bool { return slices.Contains(a.labels, l) }
	inB := func(l int) bool { return slices.Contains(b.labels, l) }
	a = a.sumOut(func(l int) bool { return keep(l) || inB(l) })
	b = b.sumOut(func(l int) bool { return keep(l) || inA(l) })
	var bl, ml, kl, nl []int
	size := map[int]int{}
	for j, l := range a.labels {
		size[l] = a.dims[j]
		switch {
		case inB(l) && keep(l):
			bl = append(bl, l)
		case inB(l):
			kl = append(kl, l)
		default:
			ml = append(ml, l)
		}
	}
	for j, l := range b.labels {
		size[l] = b.dims[j]
		if !inA(l) {
			nl = append(nl, l)
		}
	}
	prod := func(ls []int) int {
		p := 1
		for _, l := range ls {
			p *= size[l]
		}
		return p
	}
	nb, m, k, n := prod(bl), prod(ml), prod(kl), prod(nl)
	a = a.permute(slices.Concat(bl, ml, kl))
	b = b.permute(slices.Concat(bl, kl, nl))
	rl := slices.Concat(bl, ml, nl)
	r := &nnETen{labels: rl, ints: a.ints}
	for _, l := range rl {
		r.dims = append(r.dims, size[l])
	}
	if a.isInt() {
		r.i = make([]int64, nb*m*n)
		ParallelFor(nb*m, max(1, 4096/max(n*k, 1)), func(lo, hi int) {
			for bm := lo; bm < hi; bm++ {
				bi, i := bm/m, bm%m
				for j := 0; j < n; j++ {
					var s int64
					for p := 0; p < k; p++ {
						s += a.i[(bi*m+i)*k+p] * b.i[(bi*k+p)*n+j]
					}
					r.i[(bi*m+i)*n+j] = s
				}
			}
		})
		return r
	}
	r.f = make([]float32, nb*m*n)
	if m*n == 0 || k == 0 {
		return r
	}
	af, bf := c.RoundOperands(a.f), c.RoundOperands(b.f)
	for bi := 0; bi < nb; bi++ {
		Sgemm(false, false, m, n, k, af[bi*m*k:], k, bf[bi*k*n:], n, r.f[bi*m*n:], n)
	}
	return r
}

func kEinsum(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.EinsumParams)
	info, err := nnInfos(c, in)
	if err != nil {
		return nil, err
	}
	ranks := make([]int, len(in))
	for i, d := range in {
		ranks[i] = len(d.Dims)
	}
	sp, err := ir.ParseEinsum(p.Equation, ranks)
	if err != nil {
		return nil, err
	}
	isInt := ir.IsIntLike(info[0].Type)
	ops := make([]*nnETen, len(in))
	for i, d := range in {
		if ir.IsIntLike(d.Type) != isInt {
			return nil, fmt.Errorf("einsum inputs mix integer and float types")
		}
		ops[i] = nnETenFrom(d, sp.Inputs[i])
	}
	inOut := func(l int) bool { return slices.Contains(sp.Output, l) }
	// usedAfter reports whether label l occurs in an operand after j.
	usedAfter := func(j, l int) bool {
		for _, o := range ops[j+1:] {
			if slices.Contains(o.labels, l) {
				return true
			}
		}
		return false
	}
	usedElsewhere := func(j, l int) bool {
		if inOut(l) || usedAfter(j, l) {
			return true
		}
		for _, o := range ops[:j] {
			if slices.Contains(o.labels, l) {
				return true
			}
		}
		return false
	}
	for j := range ops {
		ops[j] = ops[j].sumOut(func(l int) bool { return usedElsewhere(j, l) })
	}
	cur := ops[0]
	for j := 1; j < len(ops); j++ {
		cur = einsumContract(c, cur, ops[j], func(l int) bool { return inOut(l) || usedAfter(j, l) })
	}
	cur = cur.sumOut(inOut)
	// Map onto the output (labels cur lacks have extent 1).
	dims := info[0].Dims
	st := Strides(cur.dims)
	os := make([]int, len(sp.Output))
	for j, l := range sp.Output {
		if k := slices.Index(cur.labels, l); k >= 0 {
			os[j] = st[k]
		}
	}
	out := ir.NewData(info[0].Type, dims)
	ForEachIndex(dims, [][]int{os}, func(i int, off []int) {
		if isInt {
			out.I[i] = ir.WrapInt(cur.i[off[0]], out.Type)
		} else {
			out.F[i] = cur.f[off[0]]
		}
	})
	return []*ir.Data{out}, nil
}

// ---- recurrent layers ----------------------------------------------------------

type rnnFunc func(float64) float64

// rnnActivation makes ONNX's RNN activation name (case-insensitive).
func rnnActivation(name string, a, b float64) (rnnFunc, error) {
	switch strings.ToLower(name) {
	case "relu":
		return func(x float64) float64 { return math.Max(x, 0) }, nil
	case "tanh":
		return math.Tanh, nil
	case "sigmoid":
		return sigmoid, nil
	case "affine":
		return func(x float64) float64 { return a*x + b }, nil
	case "leakyrelu":
		return func(x float64) float64 {
			if x >= 0 {
				return x
			}
			return a * x
		}, nil
	case "thresholdedrelu":
		return func(x float64) float64 {
			if x > a {
				return x
			}
			return 0
		}, nil
	case "scaledtanh":
		return func(x float64) float64 { return a * math.Tanh(b*x) }, nil
	case "hardsigmoid":
		return func(x float64) float64 { return math.Max(0, math.Min(1, a*x+b)) }, nil
	case "elu":
		return func(x float64) float64 {
			if x >= 0 {
				return x
			}
			return a * (math.Exp(x) - 1)
		}, nil
	case "softsign":
		return func(x float64) float64 { return x / (1 + math.Abs(x)) }, nil
	case "softplus":
		return func(x float64) float64 {
			if x > 30 {
				return x
			}
			return math.Log1p(math.Exp(x))
		}, nil
	}
	return nil, fmt.Errorf("unknown RNN activation %q", name)
}

// rnnActivations resolves the activations of every direction as ONNX Runtime
// does: defaults per cell, one set repeated for both directions, alpha and beta
// consumed in order by the functions that take them.
func rnnActivations(p *ir.RNNParams, nd int) ([][]rnnFunc, error) {
	na := ir.RNNActivationCount(p.Mode)
	names := p.Activations
	if len(names) == 0 {
		switch p.Mode {
		case ir.RNNLSTM:
			names = []string{"Sigmoid", "Tanh", "Tanh"}
		case ir.RNNGRU:
			names = []string{"Sigmoid", "Tanh"}
		default:
			names = []string{"Tanh"}
		}
	}
	if len(names) == na && nd == 2 {
		names = append(slices.Clone(names), names...)
	}
	if len(names) != na*nd {
		return nil, fmt.Errorf("%d RNN activations given, want %d per direction", len(p.Activations), na)
	}
	ai, bi := 0, 0
	out := make([][]rnnFunc, nd)
	for i, n := range names {
		ua, ub, a, b, ok := ir.RNNActivationArgs(n)
		if !ok {
			return nil, fmt.Errorf("unknown RNN activation %q", n)
		}
		if ua && ai < len(p.ActivationAlpha) {
			a = p.ActivationAlpha[ai]
			ai++
		}
		if ub && bi < len(p.ActivationBeta) {
			b = p.ActivationBeta[bi]
			bi++
		}
		f, err := rnnActivation(n, float64(a), float64(b))
		if err != nil {
			return nil, err
		}
		out[i/na] = append(out[i/na], f)
	}
	return out, nil
}

func kRNN(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.RNNParams)
	info, err := nnInfos(c, in)
	if err != nil {
		return nil, err
	}
	get := func(i int) *ir.Data {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	x, w, r := in[0], in[1], in[2]
	nd, _ := ir.RNNDirections(p.Direction)
	acts, err := rnnActivations(p, nd)
	if err != nil {
		return nil, err
	}
	G := ir.RNNGates(p.Mode)
	H := r.Dims[2]
	I := x.Dims[2]
	seq, batch := x.Dims[0], x.Dims[1]
	if p.Layout == 1 {
		seq, batch = batch, seq
	}
	GH := G * H
	lens := make([]int, batch)
	for b := range lens {
		lens[b] = seq
	}
	if s := get(4); s != nil {
		for b, v := range s.Ints() {
			if v < 0 || v > int64(seq) {
				return nil, fmt.Errorf("sequence_lens[%d] = %d is outside [0, %d]", b, v, seq)
			}
			lens[b] = int(v)
		}
	}
	outs := make([]*ir.Data, len(info))
	for i := range outs {
		outs[i] = ir.NewData(info[i].Type, info[i].Dims)
	}
	var yc *ir.Data
	if len(outs) > 2 {
		yc = outs[2]
	}
	// Offsets of step t of batch b in X rows, and of (d, b) in state tensors.
	xrow := func(t, b int) int {
		if p.Layout == 1 {
			return b*seq + t
		}
		return t*batch + b
	}
	yoff := func(t, d, b int) int {
		if p.Layout == 1 {
			return ((b*seq+t)*nd + d) * H
		}
		return ((t*nd+d)*batch + b) * H
	}
	soff := func(d, b int) int {
		if p.Layout == 1 {
			return (b*nd + d) * H
		}
		return (d*batch + b) * H
	}
	clip := float64(p.Clip)
	cl := func(v float64) float64 {
		if clip > 0 {
			return math.Max(-clip, math.Min(clip, v))
		}
		return v
	}
	xf := c.RoundOperands(x.F)
	wf := c.RoundOperands(w.F)
	rf := c.RoundOperands(r.F)
	bias := make([]float64, 2*GH)
	for d := 0; d < nd; d++ {
		reverse := strings.EqualFold(p.Direction, "reverse") || d == 1
		f := acts[d]
		for i := range bias {
			bias[i] = 0
		}
		if B := get(3); B != nil {
			for i := range bias {
				bias[i] = float64(B.F[d*2*GH+i])
			}
		}
		wb, rb := bias[:GH], bias[GH:]
		var peep []float32
		if P := get(7); P != nil {
			peep = P.F[d*3*H : (d+1)*3*H]
		}
		// Input projection for every step at once: [seq*batch, I] x W_dᵀ.
		xw := make([]float32, seq*batch*GH)
		if I > 0 && seq*batch > 0 {
			Sgemm(false, true, seq*batch, GH, I, xf, I, wf[d*GH*I:], I, xw, GH)
		}
		Rd := rf[d*GH*H : (d+1)*GH*H]
		h := make([]float32, batch*H)
		cs := make([]float32, batch*H)
		if s := get(5); s != nil {
			for b := 0; b < batch; b++ {
				copy(h[b*H:(b+1)*H], s.F[soff(d, b):soff(d, b)+H])
			}
		}
		if s := get(6); s != nil {
			for b := 0; b < batch; b++ {
				copy(cs[b*H:(b+1)*H], s.F[soff(d, b):soff(d, b)+H])
			}
		}
		hr := make([]float32, batch*GH)
		var rh, hrh []float32
		if p.Mode == ir.RNNGRU && !p.LinearBeforeReset {
			rh, hrh = make([]float32, batch*H), make([]float32, batch*H)
		}
		for s := 0; s < seq; s++ {
			hin := c.RoundOperands(h)
			if H > 0 && batch > 0 {
				if rh != nil {
					Sgemm(false, true, batch, 2*H, H, hin, H, Rd, H, hr, 2*H)
				} else {
					Sgemm(false, true, batch, GH, H, hin, H, Rd, H, hr, GH)
				}
			}
			if rh != nil {
				// GRU, reset before the linear map: r first, then (r ⊙ h) R_hᵀ.
				for b := 0; b < batch; b++ {
					if s >= lens[b] {
						continue
					}
					t := s
					if reverse {
						t = lens[b] - 1 - s
					}
					xr := xw[xrow(t, b)*GH:]
					for j := 0; j < H; j++ {
						g := float64(xr[H+j]) + float64(hr[b*2*H+H+j]) + wb[H+j] + rb[H+j]
						rh[b*H+j] = float32(f[0](cl(g)) * float64(h[b*H+j]))
					}
				}
				if H > 0 && batch > 0 {
					Sgemm(false, true, batch, H, H, c.RoundOperands(rh), H, Rd[2*H*H:], H, hrh, H)
				}
			}
			for b := 0; b < batch; b++ {
				if s >= lens[b] {
					continue
				}
				t := s
				if reverse {
					t = lens[b] - 1 - s
				}
				xr := xw[xrow(t, b)*GH : (xrow(t, b)+1)*GH]
				hb := h[b*H : (b+1)*H]
				cb := cs[b*H : (b+1)*H]
				switch p.Mode {
				case ir.RNNLSTM:
					hrb := hr[b*GH : (b+1)*GH]
					for j := 0; j < H; j++ {
						pre := func(gate int) float64 {
							return float64(xr[gate*H+j]) + float64(hrb[gate*H+j]) + wb[gate*H+j] + rb[gate*H+j]
						}
						cp := float64(cb[j])
						gi, gf := pre(0), pre(2)
						if peep != nil {
							gi += float64(peep[j]) * cp
							gf += float64(peep[2*H+j]) * cp
						}
						iv := f[0](cl(gi))
						fv := f[0](cl(gf))
						if p.InputForget {
							fv = 1 - iv
						}
						cv := f[1](cl(pre(3)))
						cn := fv*cp + iv*cv
						gov := pre(1)
						if peep != nil {
							gov += float64(peep[H+j]) * cn
						}
						ov := f[0](cl(gov))
						cb[j] = float32(cn)
						hb[j] = float32(ov * f[2](cn))
					}
				case ir.RNNGRU:
					if rh != nil {
						hrb := hr[b*2*H : (b+1)*2*H]
						for j := 0; j < H; j++ {
							z := f[0](cl(float64(xr[j]) + float64(hrb[j]) + wb[j] + rb[j]))
							g := float64(xr[2*H+j]) + float64(hrh[b*H+j]) + rb[2*H+j] + wb[2*H+j]
							hh := f[1](cl(g))
							hb[j] = float32((1-z)*hh + z*float64(hb[j]))
						}
						break
					}
					hrb := hr[b*GH : (b+1)*GH]
					for j := 0; j < H; j++ {
						z := f[0](cl(float64(xr[j]) + float64(hrb[j]) + wb[j] + rb[j]))
						rv := f[0](cl(float64(xr[H+j]) + float64(hrb[H+j]) + wb[H+j] + rb[H+j]))
						g := float64(xr[2*H+j]) + rv*(float64(hrb[2*H+j])+rb[2*H+j]) + wb[2*H+j]
						hh := f[1](cl(g))
						hb[j] = float32((1-z)*hh + z*float64(hb[j]))
					}
				default:
					hrb := hr[b*GH : (b+1)*GH]
					for j := 0; j < H; j++ {
						hb[j] = float32(f[0](cl(float64(xr[j]) + float64(hrb[j]) + wb[j] + rb[j])))
					}
				}
				copy(outs[0].F[yoff(t, d, b):yoff(t, d, b)+H], hb)
			}
		}
		for b := 0; b < batch; b++ {
			if lens[b] == 0 {
				continue // zero-length sequences give zero states
			}
			if len(outs) > 1 {
				copy(outs[1].F[soff(d, b):soff(d, b)+H], h[b*H:(b+1)*H])
			}
			if yc != nil {
				copy(yc.F[soff(d, b):soff(d, b)+H], cs[b*H:(b+1)*H])
			}
		}
	}
	return outs, nil
}
