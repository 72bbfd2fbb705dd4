//go:build amd64 && !purego

package gemm

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// x86 feature bits this package cares about, read once at start-up. The OS
// must have enabled the matching register state (XCR0) as well as the CPU
// reporting the instruction set, exactly as the Go runtime's internal/cpu does.
var hasAVX2FMA, hasAVX512F = detectX86()

// HasAVX2FMA reports whether the CPU and OS support AVX2 and FMA, for other
// packages' assembly (the CPU backend's vector math) to share one detection.
func HasAVX2FMA() bool { return hasAVX2FMA }

func detectX86() (avx2fma, avx512f bool) {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		bitFMA     = 1 << 12
		bitOSXSAVE = 1 << 27
		bitAVX     = 1 << 28
	)
	if ecx1&bitOSXSAVE == 0 || ecx1&bitAVX == 0 {
		return false, false
	}
	xcr0, _ := xgetbv()
	osYMM := xcr0&0x6 == 0x6            // XMM and YMM state
	osZMM := osYMM && xcr0&0xe0 == 0xe0 // opmask, ZMM_Hi256, Hi16_ZMM
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		bitAVX2    = 1 << 5
		bitAVX512F = 1 << 16
	)
	avx2fma = osYMM && ecx1&bitFMA != 0 && ebx7&bitAVX2 != 0
	avx512f = avx2fma && osZMM && ebx7&bitAVX512F != 0
	return avx2fma, avx512f
}
