package onnx

import (
	"strings"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

// Importers of Resize (opsets 10 to 19) and of its predecessor Upsample.

func init() {
	Register("Resize", importResize)
	Register("Upsample", importUpsample)
}

// Opset 10 Resize and Upsample: the output coordinate maps to the input by
// x_in = x_out / scale (asymmetric); nearest takes the floor, as PyTorch's
// nearest interpolation that these opsets were exported from and TensorRT's
// parser do.
func nnLegacyResize(mode string) *trt.ResizeParams {
	return &trt.ResizeParams{Mode: mode, CoordinateTransform: "asymmetric", NearestMode: "floor", CubicCoeffA: -0.75}
}

func importResize(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X"); err != nil {
		return nil, err
	}
	x := in[0]
	a := nnAttr(c)
	mode := a.str("mode", "nearest")
	if c.Opset < 11 {
		if a.err != nil {
			return nil, a.err
		}
		if mode != "nearest" && mode != "linear" {
			return nil, c.Errorf("mode must be nearest or linear in opset 10, got %q", mode)
		}
		scales := nnIn(in, 1)
		if scales == nil {
			return nil, c.Errorf("input 1 (scales) is required")
		}
		if err := nnCheckScales(c, scales, "scales"); err != nil {
			return nil, err
		}
		return one(c.Main(c.Net().AddResize(x, nil, scales, nil, nnLegacyResize(mode)))), nil
	}
	switch mode {
	case "nearest", "linear", "cubic":
	default:
		if a.err == nil {
			return nil, c.Errorf("mode must be nearest, linear or cubic, got %q", mode)
		}
	}
	p := &trt.ResizeParams{Mode: mode}
	p.CoordinateTransform = a.str("coordinate_transformation_mode", "half_pixel")
	switch p.CoordinateTransform {
	case "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize",
		"tf_half_pixel_for_nn": // opsets 11 and 12; ONNX Runtime and TensorRT keep it later
	case "half_pixel_symmetric":
		if c.Opset < 19 && a.err == nil {
			return nil, c.Errorf("coordinate_transformation_mode half_pixel_symmetric needs opset 19")
		}
	default:
		if a.err == nil {
			return nil, c.Errorf("unknown coordinate_transformation_mode %q", p.CoordinateTransform)
		}
	}
	p.NearestMode = a.str("nearest_mode", "round_prefer_floor")
	switch p.NearestMode {
	case "round_prefer_floor", "round_prefer_ceil", "floor", "ceil":
	default:
		if a.err == nil {
			return nil, c.Errorf("unknown nearest_mode %q", p.NearestMode)
		}
	}
	p.CubicCoeffA = a.float("cubic_coeff_a", -0.75)
	p.ExcludeOutside = a.bool(c, "exclude_outside", false)
	p.ExtrapolationValue = a.float("extrapolation_value", 0)
	if c.Opset >= 18 {
		p.Antialias = a.bool(c, "antialias", false)
		p.Axes = nnInts(a.ints("axes", nil))
		p.KeepAspectRatioPolicy = a.str("keep_aspect_ratio_policy", "stretch")
		switch p.KeepAspectRatioPolicy {
		case "stretch", "not_larger", "not_smaller":
		default:
			if a.err == nil {
				return nil, c.Errorf("unknown keep_aspect_ratio_policy %q", p.KeepAspectRatioPolicy)
			}
		}
	}
	if a.err != nil {
		return nil, a.err
	}
	if p.CubicCoeffA == 0 && mode == "cubic" {
		// The layer reads 0 as "unset" (-0.75).
		return nil, c.Unsupported("cubic_coeff_a=0")
	}
	rank := len(x.Dimensions())
	if p.Axes != nil {
		seen := map[int]bool{}
		for i, ax := range p.Axes {
			if ax < -rank || ax >= rank {
				return nil, c.Errorf("axes %v are out of range for input rank %d", p.Axes, rank)
			}
			if ax < 0 {
				p.Axes[i] += rank
			}
			if seen[p.Axes[i]] {
				return nil, c.Errorf("axes %v repeat axis %d", p.Axes, p.Axes[i])
			}
			seen[p.Axes[i]] = true
		}
	}
	roi, scales, sizes := nnIn(in, 1), nnIn(in, 2), nnIn(in, 3)
	if nnEmpty(scales) {
		scales = nil
	}
	if nnEmpty(sizes) {
		sizes = nil
	}
	switch {
	case scales == nil && sizes == nil:
		return nil, c.Errorf("needs scales or sizes")
	case scales != nil && sizes != nil:
		return nil, c.Errorf("takes scales or sizes, not both")
	case scales != nil:
		if err := nnCheckScales(c, scales, "scales"); err != nil {
			return nil, err
		}
	default:
		if t := sizes.Type(); t != tensor.Int64 {
			return nil, c.Errorf("sizes must be INT64, got %v", t)
		}
		if v, ok := c.IntsOf(sizes); ok {
			if want := nnResizeAxisCount(p, rank); len(v) != want {
				return nil, c.Errorf("sizes %v have %d values for %d resized axes", v, len(v), want)
			}
		}
	}
	// The roi only matters to tf_crop_and_resize.
	if p.CoordinateTransform != "tf_crop_and_resize" || nnEmpty(roi) {
		roi = nil
	}
	if roi != nil {
		if !roi.Type().IsFloat() {
			return nil, c.Errorf("roi must be floating point, got %v", roi.Type())
		}
		if v, ok := c.FloatsOf(roi); ok {
			if want := 2 * nnResizeAxisCount(p, rank); len(v) != want {
				return nil, c.Errorf("roi %v has %d values, want %d", v, len(v), want)
			}
		}
	}
	return one(c.Main(c.Net().AddResize(x, roi, scales, sizes, p))), nil
}

func nnResizeAxisCount(p *trt.ResizeParams, rank int) int {
	if p.Axes != nil {
		return len(p.Axes)
	}
	return rank
}

// nnCheckScales checks a scales input known at build time.
func nnCheckScales(c *Ctx, scales *trt.Tensor, what string) error {
	if !scales.Type().IsFloat() {
		return c.Errorf("%s must be FLOAT, got %v", what, scales.Type())
	}
	v, ok := c.FloatsOf(scales)
	if !ok {
		return nil
	}
	for _, s := range v {
		if !(s > 0) {
			return c.Errorf("%s %v must be positive", what, v)
		}
	}
	return nil
}

// importUpsample: opset 1 (experimental) has height_scale/width_scale, opsets
// 7 and 8 a scales attribute, opset 9 a scales input (deprecated in 10, where
// TensorRT's parser and ONNX Runtime still take it).
func importUpsample(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X"); err != nil {
		return nil, err
	}
	x := in[0]
	a := nnAttr(c)
	mode := strings.ToLower(a.str("mode", "nearest"))
	switch mode {
	case "nearest", "linear":
	case "bilinear": // opset 1
		mode = "linear"
	default:
		if a.err == nil {
			return nil, c.Errorf("mode must be nearest or linear, got %q", mode)
		}
	}
	p := nnLegacyResize(mode)
	rank := len(x.Dimensions())
	var scales *trt.Tensor
	switch {
	case c.Opset < 7:
		hs, ws := a.float("height_scale", 0), a.float("width_scale", 0)
		if a.err != nil {
			return nil, a.err
		}
		if rank != 4 {
			return nil, c.Errorf("input X %v must be 4-D (height_scale and width_scale)", x.Dimensions())
		}
		if !(hs > 0) || !(ws > 0) {
			return nil, c.Errorf("height_scale %v and width_scale %v must be positive", hs, ws)
		}
		p.Scales = []float32{1, 1, hs, ws}
	case c.Opset < 9:
		if !a.has("scales") {
			return nil, c.Errorf("attribute scales is required before opset 9")
		}
		s := a.floats("scales", nil)
		if a.err != nil {
			return nil, a.err
		}
		if len(s) != rank {
			return nil, c.Errorf("scales %v have %d values for input rank %d", s, len(s), rank)
		}
		for _, v := range s {
			if !(v > 0) {
				return nil, c.Errorf("scales %v must be positive", s)
			}
		}
		p.Scales = append([]float32{}, s...)
	default:
		scales = nnIn(in, 1)
		if scales == nil {
			return nil, c.Errorf("input 1 (scales) is required from opset 9")
		}
		if a.err != nil {
			return nil, a.err
		}
		if err := nnCheckScales(c, scales, "scales"); err != nil {
			return nil, err
		}
	}
	if a.err != nil {
		return nil, a.err
	}
	return one(c.Main(c.Net().AddResize(x, nil, scales, nil, p))), nil
}
