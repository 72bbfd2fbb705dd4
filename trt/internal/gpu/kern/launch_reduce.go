package kern

import (
	"fmt"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// ---- softmax --------------------------------------------------------------------

type softmaxArgs struct {
	Out, In                             uint64
	OType, IType, Outer, N, Inner, Mode int64
}

func (l *Lib) softmax(c *Call) error {
	p := c.Node.Params.(*ir.SoftmaxParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	if len(x.Dims) == 0 {
		v := 1.0
		if p.Mode == ir.SoftmaxLog {
			v = 0
		}
		return l.fillConst(c, out, bitsOf(out.Type, v, 0, false))
	}
	ax, err := ir.NormAxis(p.Axis, len(x.Dims))
	if err != nil {
		return err
	}
	a := softmaxArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type), Mode: int64(p.Mode)}
	if p.Coerce {
		a.Outer, a.N, a.Inner = vol(x.Dims[:ax]), vol(x.Dims[ax:]), 1
	} else {
		a.Outer, a.N, a.Inner = vol(x.Dims[:ax]), int64(x.Dims[ax]), vol(x.Dims[ax+1:])
	}
	if a.Outer*a.N*a.Inner == 0 {
		return nil
	}
	if a.Inner == 1 {
		return l.launchBlocks(c, "softmax_rows", a.Outer, argBytes(&a))
	}
	return l.launch(c, "softmax_cols", a.Outer*a.Inner, argBytes(&a))
}

// ---- reduce ---------------------------------------------------------------------

type reduceArgs struct {
	Out, In                                     uint64
	OType, IType, Op, NOut, Count, KRank, RRank int64
	KDims, KStr, RDims, RStr                    [maxRank]int64
}

// splitAxes fills the kept and reduced dims (extent-1 dims dropped, adjacent
// dims of one class merged) of a packed tensor of dims; mask marks reduced
// axes. It reports whether the innermost non-unit dim is reduced.
func splitAxes(a *reduceArgs, dims []int, mask []bool) (innerReduced bool, err error) {
	st := packedStrides(dims)
	var kd, ks, rd, rs []int64
	lastRed := -1 // class of the previous non-unit dim: 0 kept, 1 reduced
	for i, n := range dims {
		if n == 1 {
			continue
		}
		red := mask[i]
		cls := 0
		if red {
			cls = 1
		}
		switch {
		case red && lastRed == 1:
			rd[len(rd)-1] *= int64(n)
			rs[len(rs)-1] = st[i]
		case !red && lastRed == 0:
			kd[len(kd)-1] *= int64(n)
			ks[len(ks)-1] = st[i]
		case red:
			rd, rs = append(rd, int64(n)), append(rs, st[i])
		default:
			kd, ks = append(kd, int64(n)), append(ks, st[i])
		}
		lastRed = cls
	}
	if len(kd) > maxRank || len(rd) > maxRank {
		return false, fmt.Errorf("%w: rank", ErrUnsupported)
	}
	a.KRank, a.RRank = int64(len(kd)), int64(len(rd))
	copy(a.KDims[:], kd)
	copy(a.KStr[:], ks)
	copy(a.RDims[:], rd)
	copy(a.RStr[:], rs)
	a.NOut, a.Count = 1, 1
	for _, v := range kd {
		a.NOut *= v
	}
	for _, v := range rd {
		a.Count *= v
	}
	for i := range dims {
		if dims[i] == 0 {
			if mask[i] {
				a.Count = 0
			} else {
				a.NOut = 0
			}
		}
	}
	return lastRed == 1, nil
}

func (l *Lib) reduce(c *Call) error {
	p := c.Node.Params.(*ir.ReduceParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	axes := make([]int64, len(p.Axes))
	for i, v := range p.Axes {
		axes[i] = int64(v)
	}
	if c.present(1) {
		v := c.value(1)
		if v == nil {
			return fmt.Errorf("reduce axes must be known on the host")
		}
		axes = v.Ints()
	}
	mask, err := ir.ReduceAxes(axes, len(x.Dims), p.NoopWithEmptyAxes)
	if err != nil {
		return err
	}
	if !isFloat(x.Type) && (p.Op == ir.ReduceLogSum || p.Op == ir.ReduceLogSumExp) {
		return fmt.Errorf("%w: %v for %v", ErrUnsupported, p.Op, x.Type)
	}
	a := reduceArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type), Op: int64(p.Op)}
	innerRed, err := splitAxes(&a, x.Dims, mask)
	if err != nil {
		return err
	}
	if a.NOut != vol(out.Dims) {
		return fmt.Errorf("reduce gives %d values, output %s holds %d", a.NOut, ir.DimsString(out.Dims), vol(out.Dims))
	}
	if a.NOut == 0 {
		return nil
	}
	switch {
	case innerRed && a.Count >= 32:
		// a block per output, reading the reduced values contiguously
		return l.launchBlocks(c, "reduce_rows", a.NOut, argBytes(&a))
	case !innerRed && a.Count >= 16:
		// tiles of 32 adjacent outputs, the reduction split 8 ways
		f, err := l.fn("reduce_tile")
		if err != nil {
			return err
		}
		grid := l.grid((a.NOut+31)/32, 1)
		return cuda.Launch(f, cuda.D1(grid), cuda.Dim3{X: 32, Y: 8}, 0, c.Stream, argBytes(&a))
	}
	return l.launch(c, "reduce_cols", a.NOut, argBytes(&a))
}

// ---- normalization -------------------------------------------------------------------

// Row-normalization kinds (cu/reduce.cu).
const (
	normStd = iota
	normL1
	normL2
	normMVN
)

type affIdx struct {
	Mode, RDiv, RMod, RMul, JDiv, JMod, JMul int64
	Str                                      [maxRank]int64
}

type rowNormArgs struct {
	Out, In, Scale, Bias, Mean, InvStd                  uint64
	OType, IType, SType, BType, Stash, Kind, Rows, Size int64
	Eps                                                 float64
	Rank                                                int64
	XDims                                               [maxRank]int64
	SIdx, BIdx                                          affIdx
}

type batchNormArgs struct {
	Out, In, Scale, Bias, Mean, Var uint64
	OType, IType                    int64
	PType                           [4]int64
	N, C, Inner                     int64
	Eps                             float64
}

type lrnArgs struct {
	Out, In                       uint64
	OType, IType, N, C, S, Lo, Hi int64
	Alpha, Beta, Bias             float64
}

// perRow is the affine index (row/rdiv%rmod)*rmul + (j/jdiv%jmod)*jmul.
func perRow(rdiv, rmod, rmul, jdiv, jmod, jmul int64) affIdx {
	return affIdx{Mode: 1, RDiv: max(rdiv, 1), RMod: max(rmod, 1), RMul: rmul, JDiv: max(jdiv, 1), JMod: max(jmod, 1), JMul: jmul}
}

func (l *Lib) norm(c *Call) error {
	p := c.Node.Params.(*ir.NormParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	n := vol(x.Dims)
	if n == 0 {
		return nil
	}
	r := len(x.Dims)
	a := rowNormArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type),
		Stash: int64(ir.Float), Eps: float64(p.Epsilon), Rank: int64(r)}
	for i, d := range x.Dims {
		a.XDims[i] = int64(d)
	}
	setScaleBias := func(si, bi int) error {
		if si > 0 {
			s, err := c.input(si)
			if err != nil {
				return fmt.Errorf("scale: %w", err)
			}
			a.Scale, a.SType = uint64(s.Ptr), int64(s.Type)
		}
		if bi > 0 {
			b, err := c.input(bi)
			if err != nil {
				return fmt.Errorf("bias: %w", err)
			}
			a.Bias, a.BType = uint64(b.Ptr), int64(b.Type)
		}
		return nil
	}
	switch p.Kind {
	case ir.NormBatch:
		var ps [4]Tensor
		for i := range ps {
			if ps[i], err = c.input(i + 1); err != nil {
				return err
			}
		}
		ch, inner := 1, int64(1)
		if r >= 2 {
			ch, inner = x.Dims[1], vol(x.Dims[2:])
		}
		b := batchNormArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), Scale: uint64(ps[0].Ptr), Bias: uint64(ps[1].Ptr),
			Mean: uint64(ps[2].Ptr), Var: uint64(ps[3].Ptr), OType: int64(out.Type), IType: int64(x.Type),
			N: n, C: int64(ch), Inner: inner, Eps: float64(p.Epsilon)}
		for i := range ps {
			b.PType[i] = int64(ps[i].Type)
		}
		if inner == 0 {
			return nil
		}
		return l.launch(c, "batchnorm", n, argBytes(&b))
	case ir.NormInstance:
		if r < 2 {
			return fmt.Errorf("instance normalization needs rank >= 2")
		}
		ch := int64(x.Dims[1])
		a.Kind, a.Rows, a.Size = normStd, int64(x.Dims[0])*ch, vol(x.Dims[2:])
		if err := setScaleBias(1, 2); err != nil {
			return err
		}
		a.SIdx = perRow(1, ch, 1, 1, 1, 0)
		a.BIdx = a.SIdx
	case ir.NormGroup:
		if r < 2 || p.Groups <= 0 || x.Dims[1]%p.Groups != 0 {
			return fmt.Errorf("group normalization of %s with %d groups", ir.DimsString(x.Dims), p.Groups)
		}
		g := int64(p.Groups)
		cpg := int64(x.Dims[1]) / g
		s := vol(x.Dims[2:])
		a.Kind, a.Rows, a.Size = normStd, int64(x.Dims[0])*g, cpg*s
		a.Stash = int64(p.StashType)
		if err := setScaleBias(1, 2); err != nil {
			return err
		}
		if p.GroupScalePerGroup {
			a.SIdx = perRow(1, g, 1, 1, 1, 0)
		} else {
			a.SIdx = perRow(1, g, cpg, s, cpg, 1)
		}
		a.BIdx = a.SIdx
	case ir.NormLayer:
		ax, err := ir.NormAxis(p.Axis, r)
		if err != nil {
			return err
		}
		a.Kind, a.Rows, a.Size = normStd, vol(x.Dims[:ax]), vol(x.Dims[ax:])
		a.Stash = int64(p.StashType)
		si, bi := 0, 0
		if c.present(1) {
			si = 1
		}
		if c.present(2) {
			bi = 2
		}
		if err := setScaleBias(si, bi); err != nil {
			return err
		}
		layerIdx := func(d []int) affIdx {
			bs := broadcastStrides(d, x.Dims)
			trailing := true
			ps := packedStrides(x.Dims)
			for i := range r {
				if (i < ax && bs[i] != 0) || (i >= ax && x.Dims[i] != 1 && bs[i] != ps[i]) {
					trailing = false
				}
			}
			if trailing {
				return perRow(1, 1, 0, 1, a.Size, 1)
			}
			f := affIdx{Mode: 2}
			copy(f.Str[:], bs)
			return f
		}
		if si > 0 {
			a.SIdx = layerIdx(c.In[1].Dims)
		}
		if bi > 0 {
			a.BIdx = layerIdx(c.In[2].Dims)
		}
		if len(c.Out) > 1 && c.Out[1].Ptr != 0 {
			a.Mean = uint64(c.Out[1].Ptr)
		}
		if len(c.Out) > 2 && c.Out[2].Ptr != 0 {
			a.InvStd = uint64(c.Out[2].Ptr)
		}
	case ir.NormLRN:
		if r < 2 || p.Size <= 0 {
			return fmt.Errorf("LRN of %s with size %d", ir.DimsString(x.Dims), p.Size)
		}
		lo := int64(p.Size-1) / 2
		b := lrnArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type), N: n,
			C: int64(x.Dims[1]), S: vol(x.Dims[2:]), Lo: lo, Hi: int64(p.Size-1) - lo,
			Alpha: float64(p.Alpha) / float64(p.Size), Beta: float64(p.Beta), Bias: float64(p.Bias)}
		return l.launch(c, "lrn", n, argBytes(&b))
	case ir.NormLp:
		ax, err := ir.NormAxis(p.Axis, r)
		if err != nil {
			return err
		}
		if p.P != 1 && p.P != 2 {
			return fmt.Errorf("%w: Lp normalization with p = %d", ErrUnsupported, p.P)
		}
		outer, nn, inner := vol(x.Dims[:ax]), int64(x.Dims[ax]), vol(x.Dims[ax+1:])
		if inner != 1 {
			return l.launch(c, "lpnorm_cols", outer*inner, out.Ptr, x.Ptr, int64(out.Type), int64(x.Type), outer, nn, inner, int64(p.P))
		}
		a.Kind, a.Rows, a.Size = normL1, outer, nn
		if p.P == 2 {
			a.Kind = normL2
		}
	case ir.NormMeanVariance:
		axes := p.Axes
		if axes == nil {
			axes = []int{0, 2, 3}
		}
		mask := make([]bool, r)
		for _, v := range axes {
			ax, err := ir.NormAxis(v, r)
			if err != nil {
				return err
			}
			mask[ax] = true
		}
		eps := 1e-9
		if p.Epsilon > 0 {
			eps = float64(p.Epsilon)
		}
		ra := reduceArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type)}
		if _, err := splitAxes(&ra, x.Dims, mask); err != nil {
			return err
		}
		if ra.NOut == 0 || ra.Count == 0 {
			return nil
		}
		// reduced dims contiguous and innermost: rows
		if ra.RRank <= 1 && (ra.RRank == 0 || ra.RStr[0] == 1) {
			a.Kind, a.Rows, a.Size, a.Eps = normMVN, ra.NOut, ra.Count, eps
			break
		}
		return l.launchBlocks(c, "mvn_general", ra.NOut, argBytes(&ra), eps)
	default:
		return fmt.Errorf("unknown normalization %v", p.Kind)
	}
	if a.Rows == 0 {
		return nil
	}
	return l.launchBlocks(c, "rownorm", a.Rows, argBytes(&a))
}

// ---- cumulative sum, arg-min/max ---------------------------------------------------------

type scanArgs struct {
	Out, In                                                       uint64
	OType, IType, Outer, N, Inner, Exclusive, Reverse, AMax, Last int64
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (l *Lib) cumsum(c *Call) error {
	p := c.Node.Params.(*ir.CumulativeParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	v := c.value(1)
	if v == nil {
		return fmt.Errorf("cumulative axis must be known on the host")
	}
	av := v.Ints()
	if len(av) != 1 {
		return fmt.Errorf("cumulative axis must be a scalar, got %v", av)
	}
	ax, err := ir.NormAxis(int(av[0]), len(x.Dims))
	if err != nil {
		return err
	}
	if x.Type == ir.Bool {
		return fmt.Errorf("%w: cumulative sum of BOOL", ErrUnsupported)
	}
	out := c.Out[0]
	a := scanArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type),
		Outer: vol(x.Dims[:ax]), N: int64(x.Dims[ax]), Inner: vol(x.Dims[ax+1:]), Exclusive: b2i(p.Exclusive), Reverse: b2i(p.Reverse)}
	return l.launch(c, "cumsum_cols", a.Outer*a.Inner, argBytes(&a))
}

func (l *Lib) argMinMax(c *Call) error {
	p := c.Node.Params.(*ir.ArgMinMaxParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	ax, err := ir.NormAxis(p.Axis, len(x.Dims))
	if err != nil {
		return err
	}
	out := c.Out[0]
	a := scanArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type),
		Outer: vol(x.Dims[:ax]), N: int64(x.Dims[ax]), Inner: vol(x.Dims[ax+1:]), AMax: b2i(p.Max), Last: b2i(p.SelectLastIndex)}
	if a.N == 0 && a.Outer*a.Inner > 0 {
		return fmt.Errorf("arg-min/max over an empty axis %d", ax)
	}
	return l.launch(c, "argminmax_cols", a.Outer*a.Inner, argBytes(&a))
}
