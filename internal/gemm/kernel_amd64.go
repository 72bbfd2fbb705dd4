//go:build amd64 && !purego

package gemm

//go:generate go run gen_kernels.go

//go:noescape
func sgemmKernelAVX2_6x16(k int, a, b, c *float32, ldc, mr, nr int, beta float32, flags int, rowBias, colBias *float32, lo, hi float32)

//go:noescape
func sgemmKernelAVX512_12x32(k int, a, b, c *float32, ldc, mr, nr int, beta float32, flags int, rowBias, colBias *float32, lo, hi float32)

//go:noescape
func sgemmKernelAVX512_8x32(k int, a, b, c *float32, ldc, mr, nr int, beta float32, flags int, rowBias, colBias *float32, lo, hi float32)

var (
	avx2Kernel        = &kernel{name: "avx2_6x16", mr: 6, nr: 16, fn: sgemmKernelAVX2_6x16, kcMax: 384, mcMax: 192, ncMax: 2048}
	avx512Kernel      = &kernel{name: "avx512_8x32", mr: 8, nr: 32, fn: sgemmKernelAVX512_8x32, kcMax: 256, mcMax: 192, ncMax: 2048}
	avx512Kernel12x32 = &kernel{name: "avx512_12x32", mr: 12, nr: 32, fn: sgemmKernelAVX512_12x32, kcMax: 384, mcMax: 96, ncMax: 2048}
)

func platformKernels() []*kernel {
	var ks []*kernel
	if hasAVX512F {
		ks = append(ks, avx512Kernel, avx512Kernel12x32)
	}
	if hasAVX2FMA {
		ks = append(ks, avx2Kernel)
	}
	return ks
}
