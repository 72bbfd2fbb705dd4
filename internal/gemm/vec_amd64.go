//go:build amd64 && !purego

package gemm

//go:noescape
func axpyAVX2(n int, alpha float32, x, y *float32)

//go:noescape
func dotAVX2(n int, x, y *float32) float32

//go:noescape
func dwRow3AVX2(n int, y, x0, x1, x2 *float32, w0, w1, w2 float32)

//go:noescape
func clampAVX2(n int, x *float32, lo, hi float32)

//go:noescape
func dwPlaneAVX2(rows, n int, y *float32, ystride int, x *float32, xstride int, offs *int, w *float32, taps int, bias float32, flags int, lo, hi float32)

//go:noescape
func copyRowsAVX2(rows, n int, dst *float32, dstStride int, src *float32, srcStride int)

// dwPlane computes rows of a depthwise convolution: for r < rows and
// i < n, y[r*ystride+i] = bias + sum_t w[t]*x[r*xstride+offs[t]+i], then
// clamped to [lo, hi] when clampIt. maxOff is the largest of offs; x must
// hold 8 floats past the last one read.
func dwPlane(rows, n int, y []float32, ystride int, x []float32, xstride int, offs []int, maxOff int, w []float32, bias float32, clampIt bool, lo, hi float32) {
	if rows == 0 || n == 0 {
		return
	}
	if !useAVX2() {
		dwPlaneGo(rows, n, y, ystride, x, xstride, offs, w, bias, clampIt, lo, hi)
		return
	}
	_ = y[(rows-1)*ystride+n-1]
	_ = x[(rows-1)*xstride+maxOff+n+7]
	_ = w[len(offs)-1]
	flags := 0
	if clampIt {
		flags = 1
	}
	dwPlaneAVX2(rows, n, &y[0], ystride, &x[0], xstride, &offs[0], &w[0], len(offs), bias, flags, lo, hi)
}

//go:noescape
func deinterleave2AVX2(rows, pairs int, even, odd *float32, dstStride int, src *float32, srcStride int)

// deinterleave2 splits rows of 2*pairs floats of src into their even and
// odd elements.
func deinterleave2(rows, pairs int, even, odd []float32, dstStride int, src []float32, srcStride int) {
	if rows == 0 || pairs == 0 {
		return
	}
	_ = even[(rows-1)*dstStride+pairs-1]
	_ = odd[(rows-1)*dstStride+pairs-1]
	_ = src[(rows-1)*srcStride+2*pairs-1]
	if useAVX2() {
		deinterleave2AVX2(rows, pairs, &even[0], &odd[0], dstStride, &src[0], srcStride)
		return
	}
	deinterleave2Go(rows, pairs, even, odd, dstStride, src, srcStride)
}

//go:noescape
func gatherRowsAVX2(k int, dst, x *float32, offs *int, base, width int)

// gatherRows sets dst[p*width:(p+1)*width] = x[offs[p]+base:][:width] for
// every p; width is 16 or 32. maxOff bounds offs.
func gatherRows(dst, x []float32, offs []int, maxOff, base, width int) {
	if len(offs) == 0 {
		return
	}
	if !useAVX2() {
		gatherRowsGo(dst, x, offs, base, width)
		return
	}
	_ = dst[len(offs)*width-1]
	_ = x[maxOff+base+width-1]
	gatherRowsAVX2(len(offs), &dst[0], &x[0], &offs[0], base, width)
}

// copyRows copies rows of n floats from src (stride srcStride) to dst.
func copyRows(rows, n int, dst []float32, dstStride int, src []float32, srcStride int) {
	if rows == 0 || n == 0 {
		return
	}
	_ = dst[(rows-1)*dstStride+n-1]
	_ = src[(rows-1)*srcStride+n-1]
	if useAVX2() {
		copyRowsAVX2(rows, n, &dst[0], dstStride, &src[0], srcStride)
		return
	}
	copyRowsGo(rows, n, dst, dstStride, src, srcStride)
}

// useAVX2 gates the vector helpers; tests switch it off with the Go kernel.
func useAVX2() bool { return hasAVX2FMA && active != goKernel }

// row3 computes y[i] += w0*x0[i] + w1*x1[i] + w2*x2[i] for i < len(y).
func row3(y, x0, x1, x2 []float32, w0, w1, w2 float32) {
	if len(y) == 0 {
		return
	}
	x0, x1, x2 = x0[:len(y)], x1[:len(y)], x2[:len(y)]
	if useAVX2() {
		dwRow3AVX2(len(y), &y[0], &x0[0], &x1[0], &x2[0], w0, w1, w2)
		return
	}
	row3Go(y, x0, x1, x2, w0, w1, w2)
}

// clampSlice sets x[i] = min(max(x[i], lo), hi), keeping NaNs.
func clampSlice(x []float32, lo, hi float32) {
	if len(x) == 0 {
		return
	}
	if useAVX2() {
		clampAVX2(len(x), &x[0], lo, hi)
		return
	}
	clampGo(x, lo, hi)
}

// axpy computes y[i] += alpha*x[i] for i < len(y); len(x) >= len(y).
func axpy(alpha float32, x, y []float32) {
	if len(y) == 0 {
		return
	}
	x = x[:len(y)]
	if useAVX2() {
		axpyAVX2(len(y), alpha, &x[0], &y[0])
		return
	}
	axpyGo(alpha, x, y)
}

// dot returns sum x[i]*y[i] for i < len(x); len(y) >= len(x).
func dot(x, y []float32) float32 {
	if len(x) == 0 {
		return 0
	}
	y = y[:len(x)]
	if useAVX2() {
		return dotAVX2(len(x), &x[0], &y[0])
	}
	return dotGo(x, y)
}
