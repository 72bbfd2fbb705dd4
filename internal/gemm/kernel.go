package gemm

import (
	"os"
	"unsafe"
)

// Tile epilogue flags understood by every micro-kernel.
const (
	flagBeta    = 1 << iota // acc += beta * C
	flagRowBias             // acc += rowBias[r]
	flagColBias             // acc += colBias[j]
	flagClamp               // acc = min(max(acc, lo), hi)
)

// kernelFunc computes one MR x NR tile of C from a packed A micro-panel
// (k steps of MR floats) and a packed B micro-panel (k steps of NR floats).
// Only the first mr rows and nr columns of C (and of the biases) are
// touched. See gen_kernels.go for the exact epilogue semantics.
type kernelFunc func(k int, a, b, c *float32, ldc, mr, nr int, beta float32, flags int, rowBias, colBias *float32, lo, hi float32)

// kernel describes one micro-kernel and the cache blocking that suits it.
type kernel struct {
	name   string
	mr, nr int
	fn     kernelFunc
	kcMax  int // depth of a packed block (L1: one B micro-panel + A micro-panel)
	mcMax  int // rows of a packed A block (L2)
	ncMax  int // columns of a packed B block (L3)
}

// goKernel is the portable micro-kernel: 4x4, plain Go.
var goKernel = &kernel{name: "go4x4", mr: 4, nr: 4, fn: kernelGo4x4, kcMax: 256, mcMax: 128, ncMax: 1024}

// kernels lists the micro-kernels this machine can run, fastest first:
// the assembly ones the CPU supports (kernel_amd64.go), then the Go one.
var kernels = append(platformKernels(), goKernel)

// active is the kernel used for new work. GOTRT_GEMM_KERNEL=<name> (for
// instance "go4x4" or "avx2_6x16") forces one, for testing fallbacks.
var active = pickKernel(os.Getenv("GOTRT_GEMM_KERNEL"))

func pickKernel(want string) *kernel {
	for _, k := range kernels {
		if k.name == want {
			return k
		}
	}
	return kernels[0]
}

// KernelName reports which micro-kernel Sgemm uses on this machine.
func KernelName() string { return active.name }

func kernelGo4x4(k int, a, b, c *float32, ldc, mr, nr int, beta float32, flags int, rowBias, colBias *float32, lo, hi float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	if k > 0 {
		as := unsafe.Slice(a, 4*k)
		bs := unsafe.Slice(b, 4*k)
		for len(as) >= 4 && len(bs) >= 4 {
			a0, a1, a2, a3 := as[0], as[1], as[2], as[3]
			b0, b1, b2, b3 := bs[0], bs[1], bs[2], bs[3]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
			c20 += a2 * b0
			c21 += a2 * b1
			c22 += a2 * b2
			c23 += a2 * b3
			c30 += a3 * b0
			c31 += a3 * b1
			c32 += a3 * b2
			c33 += a3 * b3
			as, bs = as[4:], bs[4:]
		}
	}
	acc := [4][4]float32{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	var rb, cb []float32
	if flags&flagRowBias != 0 {
		rb = unsafe.Slice(rowBias, mr)
	}
	if flags&flagColBias != 0 {
		cb = unsafe.Slice(colBias, nr)
	}
	for r := 0; r < mr; r++ {
		crow := unsafe.Slice((*float32)(unsafe.Add(unsafe.Pointer(c), uintptr(r*ldc)*4)), nr)
		for j := range crow {
			v := acc[r][j]
			if flags&flagBeta != 0 {
				v += beta * crow[j]
			}
			if rb != nil {
				v += rb[r]
			}
			if cb != nil {
				v += cb[j]
			}
			if flags&flagClamp != 0 {
				v = clamp(v, lo, hi)
			}
			crow[j] = v
		}
	}
}

// clamp returns min(max(v, lo), hi), passing NaN through like the assembly.
// Branch-free: relu on random signs would mispredict half the time.
func clamp(v, lo, hi float32) float32 {
	if v != v {
		return v
	}
	return min(max(v, lo), hi)
}
