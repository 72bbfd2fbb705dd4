//go:build amd64 && !purego

package cpu

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

func cpuidVM(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbvVM() (eax, edx uint32)

// hasVecMath reports AVX2 and FMA with the OS saving YMM state.
var hasVecMath = func() bool {
	maxID, _, _, _ := cpuidVM(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuidVM(1, 0)
	const (
		bitFMA     = 1 << 12
		bitOSXSAVE = 1 << 27
		bitAVX     = 1 << 28
	)
	if ecx1&bitOSXSAVE == 0 || ecx1&bitAVX == 0 || ecx1&bitFMA == 0 {
		return false
	}
	if xcr0, _ := xgetbvVM(); xcr0&0x6 != 0x6 {
		return false
	}
	_, ebx7, _, _ := cpuidVM(7, 0)
	return ebx7&(1<<5) != 0 // AVX2
}()

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
