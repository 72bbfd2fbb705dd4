//go:build !amd64 || purego

package gemm

// axpy computes y[i] += alpha*x[i] for i < len(y); len(x) >= len(y).
func axpy(alpha float32, x, y []float32) { axpyGo(alpha, x[:len(y)], y) }

// dot returns sum x[i]*y[i] for i < len(x); len(y) >= len(x).
func dot(x, y []float32) float32 { return dotGo(x, y[:len(x)]) }

// row3 computes y[i] += w0*x0[i] + w1*x1[i] + w2*x2[i] for i < len(y).
func row3(y, x0, x1, x2 []float32, w0, w1, w2 float32) { row3Go(y, x0, x1, x2, w0, w1, w2) }

// clampSlice sets x[i] = min(max(x[i], lo), hi), keeping NaNs.
func clampSlice(x []float32, lo, hi float32) { clampGo(x, lo, hi) }

// dwPlane computes rows of a depthwise convolution (see vec_amd64.go).
func dwPlane(rows, n int, y []float32, ystride int, x []float32, xstride int, offs []int, maxOff int, w []float32, bias float32, clampIt bool, lo, hi float32) {
	dwPlaneGo(rows, n, y, ystride, x, xstride, offs, w, bias, clampIt, lo, hi)
}

// copyRows copies rows of n floats from src (stride srcStride) to dst.
func copyRows(rows, n int, dst []float32, dstStride int, src []float32, srcStride int) {
	copyRowsGo(rows, n, dst, dstStride, src, srcStride)
}

// deinterleave2 splits rows of 2*pairs floats of src into their even and
// odd elements.
func deinterleave2(rows, pairs int, even, odd []float32, dstStride int, src []float32, srcStride int) {
	deinterleave2Go(rows, pairs, even, odd, dstStride, src, srcStride)
}

// gatherRows sets dst[p*width:(p+1)*width] = x[offs[p]+base:][:width] for
// every p.
func gatherRows(dst, x []float32, offs []int, maxOff, base, width int) {
	gatherRowsGo(dst, x, offs, base, width)
}
