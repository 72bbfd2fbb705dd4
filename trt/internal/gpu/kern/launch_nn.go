package kern

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// ---- pooling ------------------------------------------------------------------------

const maxSpatial = 6

type poolArgs struct {
	Out, In, Ind                                                         uint64
	OType, IType, Type, NOut, NSp, Plane, OPlane, CountPad, ColMajor, PW int64
	Sp, OSp, K, S, D, PB, PE                                             [maxSpatial]int64
}

func (l *Lib) pool(c *Call) error {
	p := c.Node.Params.(*ir.PoolingParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	r := len(x.Dims) - 2
	if r < 1 || r > maxSpatial {
		return fmt.Errorf("%w: pooling over %d spatial dims", ErrUnsupported, r)
	}
	if len(out.Dims) != r+2 {
		return fmt.Errorf("pooling output %s does not fit input %s", ir.DimsString(out.Dims), ir.DimsString(x.Dims))
	}
	sp, osp := x.Dims[2:], out.Dims[2:]
	var k, s, d, pb, pe []int
	if p.Global {
		k = sp
		s, d, pb, pe = make([]int, r), make([]int, r), make([]int, r), make([]int, r)
		for i := range s {
			s[i], d[i] = 1, 1
		}
	} else {
		k = p.WindowSize
		if s, d, pb, pe, err = ir.ResolveWindow(sp, k, p.Strides, p.Dilations, p.PrePadding, p.PostPadding, p.AutoPad); err != nil {
			return err
		}
	}
	if !isFloat(x.Type) && p.Type != ir.PoolMax {
		return fmt.Errorf("%w: %v pooling of %v", ErrUnsupported, p.Type, x.Type)
	}
	a := poolArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type), Type: int64(p.Type),
		NOut: vol(out.Dims), NSp: int64(r), Plane: vol(sp), OPlane: vol(osp), CountPad: b2i(p.CountIncludePad),
		ColMajor: b2i(p.StorageOrder == 1), PW: 2}
	if p.Type == ir.PoolLp && p.P > 0 {
		a.PW = int64(p.P)
	}
	for i := range r {
		a.Sp[i], a.OSp[i], a.K[i], a.S[i], a.D[i], a.PB[i], a.PE[i] = int64(sp[i]), int64(osp[i]), int64(k[i]), int64(s[i]), int64(d[i]), int64(pb[i]), int64(pe[i])
	}
	if p.WithIndices {
		if len(c.Out) < 2 || c.Out[1].Ptr == 0 {
			return fmt.Errorf("pooling indices output is missing")
		}
		if c.Out[1].Type != ir.Int64 {
			return fmt.Errorf("%w: pooling indices of type %v", ErrUnsupported, c.Out[1].Type)
		}
		a.Ind = uint64(c.Out[1].Ptr)
	}
	if a.OPlane == 0 {
		return nil
	}
	return l.launch(c, "pool", a.NOut, argBytes(&a))
}

// ---- resize -------------------------------------------------------------------------

type resizeArgs struct {
	Out, In                                                           uint64
	OType, IType, Total, Rank, Mode, CTM, Nearest, Exclude, Antialias int64
	CubicA, Extrap                                                    float64
	Ident, InD, OutD                                                  [maxRank]int64
	Scale, RoiS, RoiE                                                 [maxRank]float64
}

var resizeCTM = map[string]int64{"": 0, "half_pixel": 0, "half_pixel_symmetric": 1, "pytorch_half_pixel": 2,
	"align_corners": 3, "asymmetric": 4, "tf_half_pixel_for_nn": 5, "tf_crop_and_resize": 6}

var resizeNearest = map[string]int64{"": 0, "round_prefer_floor": 0, "round_prefer_ceil": 1, "floor": 2, "ceil": 3}

func (l *Lib) resize(c *Call) error {
	p := c.Node.Params.(*ir.ResizeParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	r := len(x.Dims)
	var scales []float64
	var sizes []int64
	if sc := c.value(2); sc != nil && sc.Len() > 0 {
		scales = make([]float64, sc.Len())
		for i := range scales {
			scales[i] = sc.Float(i)
		}
	} else if c.present(2) && len(c.In) > 2 && vol(c.In[2].Dims) > 0 {
		return fmt.Errorf("resize scales must be known on the host")
	}
	if sz := c.value(3); sz != nil && sz.Len() > 0 {
		sizes = sz.Ints()
	} else if c.present(3) && len(c.In) > 3 && vol(c.In[3].Dims) > 0 {
		return fmt.Errorf("resize sizes must be known on the host")
	}
	if scales == nil && sizes == nil {
		if p.Scales != nil {
			scales = make([]float64, len(p.Scales))
			for i, v := range p.Scales {
				scales[i] = float64(v)
			}
		}
		if p.Sizes != nil {
			sizes = make([]int64, len(p.Sizes))
			for i, v := range p.Sizes {
				sizes[i] = int64(v)
			}
		}
	}
	spec, err := ir.ResolveResize(p, x.Dims, scales, sizes)
	if err != nil {
		return err
	}
	if !slices.Equal(spec.Out, out.Dims) {
		return fmt.Errorf("resize gives %s, output is %s", ir.DimsString(spec.Out), ir.DimsString(out.Dims))
	}
	total := vol(out.Dims)
	if total == 0 {
		return nil
	}
	ctm, ok := resizeCTM[p.CoordinateTransform]
	if !ok {
		return fmt.Errorf("unknown resize coordinate_transformation_mode %q", p.CoordinateTransform)
	}
	nm, ok := resizeNearest[p.NearestMode]
	if !ok {
		return fmt.Errorf("unknown resize nearest_mode %q", p.NearestMode)
	}
	mode := int64(0)
	switch p.Mode {
	case "", "nearest":
	case "linear":
		mode = 1
	case "cubic":
		mode = 2
	default:
		return fmt.Errorf("unknown resize mode %q", p.Mode)
	}
	a := resizeArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), OType: int64(out.Type), IType: int64(x.Type), Total: total,
		Rank: int64(r), Mode: mode, CTM: ctm, Nearest: nm, Exclude: b2i(p.ExcludeOutside), Antialias: b2i(p.Antialias),
		CubicA: float64(p.CubicCoeffA), Extrap: float64(p.ExtrapolationValue)}
	if a.CubicA == 0 {
		a.CubicA = -0.75
	}
	for i := range r {
		a.InD[i], a.OutD[i], a.Scale[i] = int64(x.Dims[i]), int64(out.Dims[i]), spec.Scales[i]
		a.RoiS[i], a.RoiE[i] = 0, 1
		if out.Dims[i] > 0 && x.Dims[i] == 0 {
			return fmt.Errorf("resize cannot make %d values from an empty axis", out.Dims[i])
		}
		if ctm <= 4 && spec.Scales[i] == 1 && x.Dims[i] == out.Dims[i] {
			a.Ident[i] = 1
		}
	}
	if ctm == 6 {
		if roi := c.value(1); roi != nil && roi.Len() > 0 {
			na := len(spec.Axes)
			if roi.Len() != 2*na {
				return fmt.Errorf("resize roi has %d values, want %d (start and end of %d axes)", roi.Len(), 2*na, na)
			}
			for i, ax := range spec.Axes {
				a.RoiS[ax], a.RoiE[ax] = roi.Float(i), roi.Float(na+i)
			}
		} else if c.present(1) && len(c.In) > 1 && vol(c.In[1].Dims) > 0 {
			return fmt.Errorf("resize roi must be known on the host")
		}
	}
	if mode != 0 && p.Antialias {
		radius := 1.0
		if mode == 2 {
			radius = 2
		}
		for i := range r {
			if s := spec.Scales[i]; s < 1 {
				start := int(math.Floor(-radius/s)) + 1
				if n := 2 - 2*start; n > 1<<16 {
					return fmt.Errorf("resize antialias filter of %d taps (scale %v) is too large", n, s)
				}
			}
		}
	}
	return l.launch(c, "resize", total, argBytes(&a))
}

// ---- one-hot, fill ----------------------------------------------------------------------

type oneHotArgs struct {
	Out, Idx, Vals                          uint64
	OType, IType, VType, Total, Depth, Post int64
}

func (l *Lib) oneHot(c *Call) error {
	p := c.Node.Params.(*ir.OneHotParams)
	idx, err := c.input(0)
	if err != nil {
		return err
	}
	dv := c.value(1)
	if dv == nil || dv.Len() != 1 {
		return fmt.Errorf("one-hot depth must be a scalar known on the host")
	}
	depth := dv.Int(0)
	if !ir.IsIntLike(dv.Type) && (math.IsNaN(float64(dv.F[0])) || math.IsInf(float64(dv.F[0]), 0)) {
		return fmt.Errorf("one-hot depth %v is not finite", dv.F[0])
	}
	if depth < 1 || depth > math.MaxInt32 {
		return fmt.Errorf("one-hot depth %d must be positive", depth)
	}
	vals, err := c.input(2)
	if err != nil {
		return fmt.Errorf("one-hot values: %w", err)
	}
	if vol(vals.Dims) != 2 {
		return fmt.Errorf("one-hot values must have 2 elements")
	}
	ax, err := ir.NormAxisInclusive(p.Axis, len(idx.Dims))
	if err != nil {
		return err
	}
	out := c.Out[0]
	a := oneHotArgs{Out: uint64(out.Ptr), Idx: uint64(idx.Ptr), Vals: uint64(vals.Ptr), OType: int64(out.Type),
		IType: int64(idx.Type), VType: int64(vals.Type), Total: vol(out.Dims), Depth: depth, Post: vol(idx.Dims[ax:])}
	if a.Total != vol(idx.Dims)*depth {
		return fmt.Errorf("one-hot output %s does not hold %d x %d values", ir.DimsString(out.Dims), vol(idx.Dims), depth)
	}
	if a.Post == 0 {
		return nil
	}
	return l.launch(c, "onehot", a.Total, argBytes(&a))
}

type fillArgs struct {
	Out                                       uint64
	OType, Op, Total, Cols, K, IStart, IDelta int64
	FStart, FDelta                            float64
	Bits                                      uint64
}

// fillConst sets every element of out to the storage bits.
func (l *Lib) fillConst(c *Call, out Tensor, bits uint64) error {
	a := fillArgs{Out: uint64(out.Ptr), OType: int64(out.Type), Op: 0, Total: vol(out.Dims), Bits: bits}
	return l.launch(c, "fill", a.Total, argBytes(&a))
}

func (l *Lib) fill(c *Call) error {
	p := c.Node.Params.(*ir.FillParams)
	out := c.Out[0]
	n := vol(out.Dims)
	switch p.Op {
	case ir.FillConstant:
		var bits uint64
		if ir.IsIntLike(out.Type) {
			v := ir.WrapInt(int64(p.Value), out.Type)
			if out.Type == ir.Bool && p.Value != 0 {
				v = 1
			}
			bits = bitsOf(out.Type, 0, v, true)
		} else {
			bits = bitsOf(out.Type, float64(float32(p.Value)), 0, false)
		}
		return l.fillConst(c, out, bits)
	case ir.FillRange:
		s, lim, d := c.value(0), c.value(1), c.value(2)
		if s == nil || lim == nil || d == nil {
			return fmt.Errorf("range start, limit and delta must be known on the host")
		}
		cnt, err := ir.RangeCount(s, lim, d)
		if err != nil {
			return err
		}
		if int64(cnt) != n {
			return fmt.Errorf("range has %d values, output %s holds %d", cnt, ir.DimsString(out.Dims), n)
		}
		a := fillArgs{Out: uint64(out.Ptr), OType: int64(out.Type), Op: 1, Total: n}
		if ir.IsIntLike(s.Type) {
			a.IStart, a.IDelta = s.Int(0), d.Int(0)
			if !ir.IsIntLike(out.Type) {
				a.FStart, a.FDelta = float64(s.Int(0)), float64(d.Int(0))
			}
		} else {
			a.FStart, a.FDelta = float64(float32(s.Float(0))), float64(float32(d.Float(0)))
			a.IStart, a.IDelta = int64(a.FStart), int64(a.FDelta)
		}
		return l.launch(c, "fill", n, argBytes(&a))
	case ir.FillEyeLike:
		if len(out.Dims) != 2 {
			return fmt.Errorf("eye-like needs a 2-D output")
		}
		a := fillArgs{Out: uint64(out.Ptr), OType: int64(out.Type), Op: 2, Total: n, Cols: int64(max(out.Dims[1], 1)), K: int64(p.K)}
		return l.launch(c, "fill", n, argBytes(&a))
	}
	return fmt.Errorf("unknown fill op %d", p.Op)
}
