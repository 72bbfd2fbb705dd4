package onnx

import (
	"math"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

func init() {
	binary := map[string]trt.ElementWiseOperation{
		"Add": trt.ElementWiseSum, "Sub": trt.ElementWiseSub, "Mul": trt.ElementWiseProd, "Div": trt.ElementWiseDiv,
		"Pow": trt.ElementWisePow, "And": trt.ElementWiseAnd, "Or": trt.ElementWiseOr, "Xor": trt.ElementWiseXor,
		"Equal": trt.ElementWiseEqual, "Greater": trt.ElementWiseGreater, "Less": trt.ElementWiseLess,
		"GreaterOrEqual": trt.ElementWiseGreaterOrEqual, "LessOrEqual": trt.ElementWiseLessOrEqual,
	}
	for op, ew := range binary {
		Register(op, func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
			if len(in) != 2 || in[0] == nil || in[1] == nil {
				return nil, c.Errorf("needs 2 inputs, has %d", len(in))
			}
			a, b, err := legacyBroadcast(c, in[0], in[1])
			if err != nil {
				return nil, err
			}
			if ew == trt.ElementWisePow && a.Type() != b.Type() {
				b = c.Net().AddCast(b, a.Type()).Output(0)
			}
			if a.Type() != b.Type() {
				return nil, c.Errorf("inputs have different types %v and %v", a.Type(), b.Type())
			}
			return one(c.Main(c.Net().AddElementWise(a, b, ew))), nil
		})
	}
	Register("Mod", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		fmod, err := c.Node.AttrInt("fmod", 0)
		if err != nil {
			return nil, err
		}
		op := trt.ElementWiseMod
		if fmod == 1 {
			op = trt.ElementWiseFMod
		} else if in[0].Type().IsFloat() {
			return nil, c.Errorf("fmod must be 1 for floating-point inputs")
		}
		return one(c.Main(c.Net().AddElementWise(in[0], in[1], op))), nil
	})
	Register("BitShift", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		dir, err := c.Node.AttrString("direction", "")
		if err != nil {
			return nil, err
		}
		var op trt.ElementWiseOperation
		switch dir {
		case "LEFT":
			op = trt.ElementWiseBitShiftLeft
		case "RIGHT":
			op = trt.ElementWiseBitShiftRight
		default:
			return nil, c.Errorf("direction must be LEFT or RIGHT, got %q", dir)
		}
		return one(c.Main(c.Net().AddElementWise(in[0], in[1], op))), nil
	})
	variadic := map[string]trt.ElementWiseOperation{"Sum": trt.ElementWiseSum, "Max": trt.ElementWiseMax, "Min": trt.ElementWiseMin, "Mean": trt.ElementWiseSum}
	for op, ew := range variadic {
		Register(op, func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
			if len(in) == 0 {
				return nil, c.Errorf("needs at least one input")
			}
			acc := in[0]
			var last trt.Layer
			for _, x := range in[1:] {
				last = c.Net().AddElementWise(acc, x, ew)
				acc = last.Output(0)
			}
			if op == "Mean" && len(in) > 1 {
				n := c.ConstScalar(acc.Type(), float64(len(in)))
				last = c.Net().AddElementWise(acc, n, trt.ElementWiseDiv)
				acc = last.Output(0)
			}
			if last == nil {
				last = c.Net().AddIdentity(acc)
				acc = last.Output(0)
			}
			return one(c.Main(last)), nil
		})
	}

	unary := map[string]trt.UnaryOperation{
		"Exp": trt.UnaryExp, "Log": trt.UnaryLog, "Sqrt": trt.UnarySqrt, "Reciprocal": trt.UnaryRecip,
		"Abs": trt.UnaryAbs, "Neg": trt.UnaryNeg, "Sin": trt.UnarySin, "Cos": trt.UnaryCos, "Tan": trt.UnaryTan,
		"Sinh": trt.UnarySinh, "Cosh": trt.UnaryCosh, "Asin": trt.UnaryAsin, "Acos": trt.UnaryAcos,
		"Atan": trt.UnaryAtan, "Asinh": trt.UnaryAsinh, "Acosh": trt.UnaryAcosh, "Atanh": trt.UnaryAtanh,
		"Ceil": trt.UnaryCeil, "Floor": trt.UnaryFloor, "Erf": trt.UnaryErf, "Not": trt.UnaryNot,
		"Sign": trt.UnarySign, "Round": trt.UnaryRound, "IsNaN": trt.UnaryIsNaN,
	}
	for op, u := range unary {
		Register(op, func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
			return one(c.Main(c.Net().AddUnary(in[0], u))), nil
		})
	}
	Register("IsInf", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		pos, _ := c.Node.AttrInt("detect_positive", 1)
		neg, _ := c.Node.AttrInt("detect_negative", 1)
		l := c.Net().AddUnary(in[0], trt.UnaryIsInf)
		l.SetIsInfDetect(pos != 0, neg != 0)
		return one(c.Main(l)), nil
	})

	// Activations: ONNX name -> type and (alpha, beta) attribute defaults.
	type act struct {
		t           trt.ActivationType
		alpha, beta float64
		aName       string
		bName       string
	}
	acts := map[string]act{
		"Relu": {t: trt.ActivationRelu}, "Sigmoid": {t: trt.ActivationSigmoid}, "Tanh": {t: trt.ActivationTanh},
		"LeakyRelu":       {t: trt.ActivationLeakyRelu, alpha: 0.01, aName: "alpha"},
		"Elu":             {t: trt.ActivationElu, alpha: 1, aName: "alpha"},
		"Selu":            {t: trt.ActivationSelu, alpha: 1.67326319217681884765625, beta: 1.05070102214813232421875, aName: "alpha", bName: "gamma"},
		"Softsign":        {t: trt.ActivationSoftsign},
		"Softplus":        {t: trt.ActivationSoftplus, alpha: 1, beta: 1},
		"HardSigmoid":     {t: trt.ActivationHardSigmoid, alpha: 0.2, beta: 0.5, aName: "alpha", bName: "beta"},
		"ThresholdedRelu": {t: trt.ActivationThresholdedRelu, alpha: 1, aName: "alpha"},
		"Celu":            {t: trt.ActivationCelu, alpha: 1, aName: "alpha"},
		"Mish":            {t: trt.ActivationMish},
		"HardSwish":       {t: trt.ActivationHardSwish, alpha: 1.0 / 6, beta: 0.5},
		"Shrink":          {t: trt.ActivationShrink, alpha: 0.5, beta: 0, aName: "lambd", bName: "bias"},
	}
	for op, a := range acts {
		Register(op, func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
			alpha, beta := a.alpha, a.beta
			if a.aName != "" {
				v, err := c.Node.AttrFloat(a.aName, float32(alpha))
				if err != nil {
					return nil, err
				}
				alpha = float64(v)
			}
			if a.bName != "" {
				v, err := c.Node.AttrFloat(a.bName, float32(beta))
				if err != nil {
					return nil, err
				}
				beta = float64(v)
			}
			if !in[0].Type().IsFloat() {
				if op == "Relu" || op == "LeakyRelu" {
					// Integer Relu (opset 14): max(x, 0).
					z := c.ConstScalar(in[0].Type(), 0)
					return one(c.Main(c.Net().AddElementWise(in[0], z, trt.ElementWiseMax))), nil
				}
				return nil, c.Errorf("input must be floating point, got %v", in[0].Type())
			}
			l := c.Net().AddActivation(in[0], a.t)
			l.SetAlpha(float32(alpha))
			l.SetBeta(float32(beta))
			return one(c.Main(l)), nil
		})
	}
	Register("Gelu", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		approx, err := c.Node.AttrString("approximate", "none")
		if err != nil {
			return nil, err
		}
		t := trt.ActivationGeluErf
		switch approx {
		case "none":
		case "tanh":
			t = trt.ActivationGeluTanh
		default:
			return nil, c.Errorf("approximate must be none or tanh, got %q", approx)
		}
		return one(c.Main(c.Net().AddActivation(in[0], t))), nil
	})
	Register("PRelu", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		slope := in[1]
		// ONNX allows unidirectional broadcast of the slope; legacy models
		// give a [C] slope for [N, C, H, W] inputs.
		if xr, sr := len(in[0].Dimensions()), len(slope.Dimensions()); sr == 1 && xr > 2 && slope.Dimensions()[0] != 1 &&
			slope.Dimensions()[0] == in[0].Dimensions()[1] && slope.Dimensions()[0] != in[0].Dimensions()[xr-1] {
			d := trt.Dims{slope.Dimensions()[0]}
			for i := 2; i < xr; i++ {
				d = append(d, 1)
			}
			sh := c.Net().AddShuffle(slope)
			sh.SetReshapeDimensions(d)
			slope = sh.Output(0)
		}
		return one(c.Main(c.Net().AddParametricReLU(in[0], slope))), nil
	})
	Register("Clip", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		x := in[0]
		lo, hi := math.Inf(-1), math.Inf(1)
		var loT, hiT *trt.Tensor
		if c.Opset < 11 {
			a, _ := c.Node.AttrFloat("min", float32(math.Inf(-1)))
			b, _ := c.Node.AttrFloat("max", float32(math.Inf(1)))
			lo, hi = float64(a), float64(b)
		} else {
			if len(in) > 1 && in[1] != nil {
				if v, ok := c.FloatsOf(in[1]); ok && len(v) == 1 {
					lo = v[0]
				} else {
					loT = in[1]
				}
			}
			if len(in) > 2 && in[2] != nil {
				if v, ok := c.FloatsOf(in[2]); ok && len(v) == 1 {
					hi = v[0]
				} else {
					hiT = in[2]
				}
			}
		}
		if x.Type().IsFloat() && loT == nil && hiT == nil {
			l := c.Net().AddActivation(x, trt.ActivationClip)
			l.SetAlpha(float32(lo))
			l.SetBeta(float32(hi))
			return one(c.Main(l)), nil
		}
		// Integer data or run-time bounds: max then min.
		out := x
		var last trt.Layer
		if loT != nil || !math.IsInf(lo, -1) {
			if loT == nil {
				loT = c.ConstScalar(x.Type(), lo)
			}
			last = c.Net().AddElementWise(out, loT, trt.ElementWiseMax)
			out = last.Output(0)
		}
		if hiT != nil || !math.IsInf(hi, 1) {
			if hiT == nil {
				hiT = c.ConstScalar(x.Type(), hi)
			}
			last = c.Net().AddElementWise(out, hiT, trt.ElementWiseMin)
			out = last.Output(0)
		}
		if last == nil {
			last = c.Net().AddIdentity(x)
		}
		return one(c.Main(last)), nil
	})
	Register("Identity", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		return one(c.Main(c.Net().AddIdentity(in[0]))), nil
	})
	Register("Cast", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		to, err := c.Node.AttrInt("to", 0)
		if err != nil {
			return nil, err
		}
		t, err := hostType(onnxElem(to))
		if err != nil {
			return nil, err
		}
		return one(c.Main(c.Net().AddCast(in[0], t))), nil
	})
	Register("CastLike", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		return one(c.Main(c.Net().AddCast(in[0], in[1].Type()))), nil
	})
	Register("Dropout", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		// Inference: identity; the optional mask is all true.
		if len(in) > 2 && in[2] != nil {
			if v, ok := c.IntsOf(in[2]); !ok || (len(v) == 1 && v[0] != 0) {
				return nil, c.Unsupported("training_mode=true")
			}
		}
		y := c.Main(c.Net().AddIdentity(in[0])).Output(0)
		outs := []*trt.Tensor{y}
		if len(c.Node.Outputs) > 1 && c.Node.Outputs[1] != "" {
			shape := c.Net().AddShape(in[0]).Output(0)
			f := c.Net().AddFill(&trt.FillParams{Op: trt.FillConstant, Type: tensor.Bool, Value: 1}, shape)
			outs = append(outs, f.Output(0))
		}
		return outs, nil
	})
}

// legacyBroadcast applies the opset < 7 "broadcast"/"axis" attributes: b is
// broadcast to a starting at axis.
func legacyBroadcast(c *Ctx, a, b *trt.Tensor) (*trt.Tensor, *trt.Tensor, error) {
	if c.Opset >= 7 {
		return a, b, nil
	}
	bc, _ := c.Node.AttrInt("broadcast", 0)
	if bc == 0 {
		return a, b, nil
	}
	ar, br := len(a.Dimensions()), len(b.Dimensions())
	axis, _ := c.Node.AttrInt("axis", int64(ar-br))
	if axis < 0 {
		axis += int64(ar)
	}
	d := trt.Dims{}
	for i := 0; i < int(axis); i++ {
		d = append(d, 1)
	}
	d = append(d, b.Dimensions()...)
	for len(d) < ar {
		d = append(d, 1)
	}
	sh := c.Net().AddShuffle(b)
	sh.SetReshapeDimensions(d)
	return a, sh.Output(0), nil
}

func one(l trt.Layer) []*trt.Tensor { return []*trt.Tensor{l.Output(0)} }
