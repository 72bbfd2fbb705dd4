package ir

import "math"

func init() {
	Register(KindResize, &OpDef{MinInputs: 1, MaxInputs: 4, ParamInputs: []int{1, 2, 3}, Infer: inferResize})
}

// ResizeSpec is a resolved resize: the output dims and, per input axis, the
// scale used by the coordinate transformation (1 on axes not resized).
type ResizeSpec struct {
	Out    []int
	Scales []float64
	Axes   []int // the resized axes, normalized, in the order of scales/sizes
}

// ResizeAxes normalizes p.Axes against rank r (nil = every axis).
func ResizeAxes(p *ResizeParams, r int) ([]int, error) {
	if p.Axes == nil {
		axes := make([]int, r)
		for i := range axes {
			axes[i] = i
		}
		return axes, nil
	}
	seen := make([]bool, r)
	axes := make([]int, len(p.Axes))
	for i, a := range p.Axes {
		ax, err := NormAxis(a, r)
		if err != nil {
			return nil, err
		}
		if seen[ax] {
			return nil, Errorf("resize axis %d repeats in %v", ax, p.Axes)
		}
		seen[ax] = true
		axes[i] = ax
	}
	return axes, nil
}

// ResolveResize computes the output dims of an ONNX Resize of an input with
// dims (-1 = unknown) from exactly one of scales and sizes (nil = absent),
// each with one value per resized axis (p.Axes, or every axis).
//
// With scales, an output extent is floor(extent*scale), computed in float32
// as ONNX shape inference and ONNX Runtime do; the coordinate transformation
// uses the scale as given. With sizes, the scale is size/extent, or with
// keep_aspect_ratio_policy not_larger/not_smaller the smallest/largest such
// scale over the resized axes, which then also fixes the output extents
// (round half up). The roi does not change the output dims (as ONNX Runtime
// and the ONNX reference implementation).
func ResolveResize(p *ResizeParams, dims []int, scales []float64, sizes []int64) (*ResizeSpec, error) {
	r := len(dims)
	axes, err := ResizeAxes(p, r)
	if err != nil {
		return nil, err
	}
	sp := &ResizeSpec{Out: append([]int{}, dims...), Scales: make([]float64, r), Axes: axes}
	for i := range sp.Scales {
		sp.Scales[i] = 1
	}
	switch {
	case scales != nil && sizes != nil:
		return nil, Errorf("resize takes scales or sizes, not both")
	case scales == nil && sizes == nil:
		return nil, Errorf("resize needs scales or sizes")
	case scales != nil:
		if len(scales) != len(axes) {
			return nil, Errorf("resize scales %v have %d values for %d axes", scales, len(scales), len(axes))
		}
		for i, ax := range axes {
			s := scales[i]
			if !(s > 0) || math.IsInf(s, 0) {
				return nil, Errorf("resize scale %v on axis %d must be positive and finite", s, ax)
			}
			sp.Scales[ax] = s
			if dims[ax] >= 0 {
				o := math.Floor(float64(float32(dims[ax]) * float32(s)))
				if o > math.MaxInt32 {
					return nil, Errorf("resize output extent %v on axis %d is too large", o, ax)
				}
				sp.Out[ax] = int(o)
			}
		}
		return sp, nil
	}
	if len(sizes) != len(axes) {
		return nil, Errorf("resize sizes %v have %d values for %d axes", sizes, len(sizes), len(axes))
	}
	for i, ax := range axes {
		if sizes[i] < 0 || sizes[i] > math.MaxInt32 {
			return nil, Errorf("resize size %d on axis %d is out of range", sizes[i], ax)
		}
	}
	policy := p.KeepAspectRatioPolicy
	switch policy {
	case "", "stretch":
		for i, ax := range axes {
			sp.Out[ax] = int(sizes[i])
			if dims[ax] > 0 {
				sp.Scales[ax] = float64(sizes[i]) / float64(dims[ax])
			} else if dims[ax] == 0 && sizes[i] != 0 {
				return nil, Errorf("resize cannot make %d values from an empty axis %d", sizes[i], ax)
			}
		}
		return sp, nil
	case "not_larger", "not_smaller":
	default:
		return nil, Errorf("unknown keep_aspect_ratio_policy %q", policy)
	}
	scale := math.NaN()
	for i, ax := range axes {
		if dims[ax] < 0 {
			for _, a := range axes {
				sp.Out[a] = -1
			}
			return sp, nil
		}
		if dims[ax] == 0 {
			return nil, Errorf("resize keep_aspect_ratio_policy %q needs non-empty axes, axis %d is empty", policy, ax)
		}
		s := float64(sizes[i]) / float64(dims[ax])
		if math.IsNaN(scale) || (policy == "not_larger" && s < scale) || (policy == "not_smaller" && s > scale) {
			scale = s
		}
	}
	for _, ax := range axes {
		sp.Scales[ax] = scale
		sp.Out[ax] = int(scale*float64(dims[ax]) + 0.5)
	}
	return sp, nil
}

// resizeOperand reports whether an optional resize input is present (a nil
// info or an empty tensor is absent) and its value (nil if not known).
func resizeOperand(in []*Info, i int) (present bool, val *Data) {
	if len(in) <= i || in[i] == nil {
		return false, nil
	}
	x := in[i]
	if x.Value != nil {
		return x.Value.Len() > 0, x.Value
	}
	return x.Volume() != 0, nil
}

func inferResize(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ResizeParams)
	x := in[0]
	r := x.Rank()
	switch p.Mode {
	case "", "nearest", "linear", "cubic":
	default:
		return nil, Errorf("unknown resize mode %q", p.Mode)
	}
	switch p.CoordinateTransform {
	case "", "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
		"tf_crop_and_resize", "tf_half_pixel_for_nn":
	default:
		return nil, Errorf("unknown resize coordinate_transformation_mode %q", p.CoordinateTransform)
	}
	switch p.NearestMode {
	case "", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil":
	default:
		return nil, Errorf("unknown resize nearest_mode %q", p.NearestMode)
	}
	if len(in) > 1 && in[1] != nil {
		if err := RequireFloat("resize roi", in[1]); err != nil {
			return nil, err
		}
	}
	if len(in) > 2 && in[2] != nil {
		if err := RequireFloat("resize scales", in[2]); err != nil {
			return nil, err
		}
	}
	if len(in) > 3 && in[3] != nil {
		if err := RequireInt("resize sizes", in[3]); err != nil {
			return nil, err
		}
	}
	axes, err := ResizeAxes(p, r)
	if err != nil {
		return nil, err
	}
	hasScales, sv := resizeOperand(in, 2)
	hasSizes, zv := resizeOperand(in, 3)
	if (hasScales && sv == nil) || (hasSizes && zv == nil) {
		// Known only at run time.
		d := append([]int{}, x.Dims...)
		for _, a := range axes {
			d[a] = -1
		}
		return []*Info{{Type: x.Type, Dims: d}}, nil
	}
	var scales []float64
	var sizes []int64
	switch {
	case hasScales:
		scales = make([]float64, sv.Len())
		for i := range scales {
			scales[i] = sv.Float(i)
		}
	case hasSizes:
		sizes = zv.Ints()
	case p.Scales != nil && p.Sizes != nil:
		return nil, Errorf("resize takes scales or sizes, not both")
	case p.Scales != nil:
		scales = make([]float64, len(p.Scales))
		for i, s := range p.Scales {
			scales[i] = float64(s)
		}
	case p.Sizes != nil:
		sizes = make([]int64, len(p.Sizes))
		for i, s := range p.Sizes {
			sizes[i] = int64(s)
		}
	}
	if hasScales && hasSizes {
		return nil, Errorf("resize takes scales or sizes, not both")
	}
	sp, err := ResolveResize(p, x.Dims, scales, sizes)
	if err != nil {
		return nil, err
	}
	return []*Info{{Type: x.Type, Dims: sp.Out}}, nil
}
