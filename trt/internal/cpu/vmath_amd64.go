//go:build amd64 && !purego

package cpu

import "github.com/gotrt/gotrt/internal/gemm"

// AVX2+FMA vector forms of e^x and the sigmoid (vmath_amd64.s), 8 lanes at
// a time, in float32 arithmetic: Cephes' expf reduction and polynomial, 2^k
// applied in two steps so that subnormal results and overflow to +Inf are
// right, NaN passed through. TestVectorMath bounds their error against the
// float64 functions (within 1e-6 relative; in practice 1-3 ulp).

//go:noescape
func expAVX2(dst, src *float32, n int)

//go:noescape
func sigmoidAVX2(dst, src *float32, n int)

//go:noescape
func erfAVX2(dst, src *float32, n int)

// hasVecMath reports AVX2 and FMA with the OS saving YMM state (detected once,
// by the GEMM package).
var hasVecMath = gemm.HasAVX2FMA()

// vecExp sets dst[i] = e^x[i] for the leading multiple of 8 and returns how
// many it did (0 without AVX2).
func vecExp(dst, x []float32) int {
	n := min(len(dst), len(x)) &^ 7
	if !hasVecMath || n == 0 {
		return 0
	}
	expAVX2(&dst[0], &x[0], n)
	return n
}

// vecSigmoid is vecExp for the sigmoid.
func vecSigmoid(dst, x []float32) int {
	n := min(len(dst), len(x)) &^ 7
	if !hasVecMath || n == 0 {
		return 0
	}
	sigmoidAVX2(&dst[0], &x[0], n)
	return n
}

// vecErf is vecExp for erf.
func vecErf(dst, x []float32) int {
	n := min(len(dst), len(x)) &^ 7
	if !hasVecMath || n == 0 {
		return 0
	}
	erfAVX2(&dst[0], &x[0], n)
	return n
}
