//go:build !amd64 || purego

package cpu

import "github.com/gotrt/gotrt/trt/internal/ir"

const hasVecMath = false

func vecExp(dst, x []float32) int     { return 0 }
func vecSigmoid(dst, x []float32) int { return 0 }
func vecErf(dst, x []float32) int     { return 0 }

func vecBinary(op ir.ElementWiseOp, dst, a []float32, sa int, b []float32, sb int) int { return 0 }
