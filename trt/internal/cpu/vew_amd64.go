//go:build amd64 && !purego

package cpu

import "github.com/gotrt/gotrt/trt/internal/ir"

// AVX2 rows of +, -, *, / (vew_amd64.s): IEEE single-precision operations,
// so bit-identical to the scalar loops they replace.

//go:noescape
func addVV(dst, a, b *float32, n int)

//go:noescape
func subVV(dst, a, b *float32, n int)

//go:noescape
func mulVV(dst, a, b *float32, n int)

//go:noescape
func divVV(dst, a, b *float32, n int)

//go:noescape
func addVS(dst, a *float32, s float32, n int)

//go:noescape
func subVS(dst, a *float32, s float32, n int)

//go:noescape
func mulVS(dst, a *float32, s float32, n int)

//go:noescape
func divVS(dst, a *float32, s float32, n int)

//go:noescape
func subSV(dst *float32, s float32, b *float32, n int)

//go:noescape
func divSV(dst *float32, s float32, b *float32, n int)

// vecBinary computes dst = a op b over the leading multiple of 8 of dst
// for +, -, *, / with a and b contiguous (sa, sb = 1) or one of them a
// repeated value (stride 0), and returns how many it did.
func vecBinary(op ir.ElementWiseOp, dst, a []float32, sa int, b []float32, sb int) int {
	n := len(dst) &^ 7
	if !hasVecMath || n == 0 {
		return 0
	}
	d := &dst[0]
	switch {
	case sa == 1 && sb == 1:
		x, y := &a[:n][0], &b[:n][0]
		switch op {
		case ir.EwSum:
			addVV(d, x, y, n)
		case ir.EwSub:
			subVV(d, x, y, n)
		case ir.EwProd:
			mulVV(d, x, y, n)
		case ir.EwDiv:
			divVV(d, x, y, n)
		default:
			return 0
		}
	case sa == 1:
		x, s := &a[:n][0], b[0]
		switch op {
		case ir.EwSum:
			addVS(d, x, s, n)
		case ir.EwSub:
			subVS(d, x, s, n)
		case ir.EwProd:
			mulVS(d, x, s, n)
		case ir.EwDiv:
			divVS(d, x, s, n)
		default:
			return 0
		}
	case sb == 1:
		s, y := a[0], &b[:n][0]
		switch op {
		case ir.EwSum:
			addVS(d, y, s, n)
		case ir.EwSub:
			subSV(d, s, y, n)
		case ir.EwProd:
			mulVS(d, y, s, n)
		case ir.EwDiv:
			divSV(d, s, y, n)
		default:
			return 0
		}
	default:
		return 0
	}
	return n
}
