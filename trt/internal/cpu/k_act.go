package cpu

import (
	"math"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Row loops of the unary and activation kernels: one tight loop per op, the
// op chosen before the loop.

// unaryRow returns the row loop of a float unary op, or nil for the ops
// evaluated per element through math's float64 functions.
func unaryRow(op ir.UnaryOp) func(dst, x []float32) {
	switch op {
	case ir.UnExp:
		return expRow
	case ir.UnErf:
		return erfRow
	case ir.UnLog:
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				dst[i] = float32(math.Log(float64(v)))
			}
		}
	case ir.UnSqrt:
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				dst[i] = float32(math.Sqrt(float64(v)))
			}
		}
	case ir.UnRecip:
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				dst[i] = 1 / v
			}
		}
	case ir.UnAbs:
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				dst[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
			}
		}
	case ir.UnNeg:
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				dst[i] = -v
			}
		}
	}
	return nil
}

// activationRow returns the row loop of an activation, or nil for those
// evaluated per element by Activate.
func activationRow(t ir.ActivationType, alpha, beta float32) func(dst, x []float32) {
	switch t {
	case ir.ActRelu:
		return reluRow
	case ir.ActClip:
		lo, hi := alpha, beta
		return func(dst, x []float32) { clipRow(dst, x, lo, hi) }
	case ir.ActSigmoid:
		return sigmoidRow
	case ir.ActTanh:
		return tanhRow
	case ir.ActLeakyRelu:
		a := float64(alpha)
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				if v < 0 {
					v = float32(a * float64(v))
				}
				dst[i] = v
			}
		}
	case ir.ActHardSigmoid, ir.ActHardSwish:
		a, b := float64(alpha), float64(beta)
		swish := t == ir.ActHardSwish
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				u := float64(v)
				h := a*u + b
				// NaN-propagating clamp to [0, 1] (as math.Max/Min).
				if h <= 0 {
					h = 0
				} else if h > 1 {
					h = 1
				}
				if swish {
					h *= u
				}
				dst[i] = float32(h)
			}
		}
	case ir.ActGeluErf:
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				dst[i] = geluErff(v)
			}
		}
	case ir.ActGeluTanh:
		return func(dst, x []float32) {
			for i, v := range x[:len(dst)] {
				dst[i] = geluTanhf(v)
			}
		}
	}
	return nil
}

// reluRow: max(x, 0), keeping NaN (Go's max is branch-free; -0 gives +0).
func reluRow(dst, x []float32) {
	for i, v := range x[:len(dst)] {
		dst[i] = max(v, 0)
	}
}

// clipRow clamps to [lo, hi] as Activate does (Go's min and max: NaN stays,
// -0 is below +0).
func clipRow(dst, x []float32, lo, hi float32) {
	for i, v := range x[:len(dst)] {
		dst[i] = min(max(v, lo), hi)
	}
}
