package gemm

func axpyGo(alpha float32, x, y []float32) {
	x = x[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		yy := y[i : i+4 : i+4]
		xx := x[i : i+4 : i+4]
		yy[0] += alpha * xx[0]
		yy[1] += alpha * xx[1]
		yy[2] += alpha * xx[2]
		yy[3] += alpha * xx[3]
	}
	for ; i < len(y); i++ {
		y[i] += alpha * x[i]
	}
}

func row3Go(y, x0, x1, x2 []float32, w0, w1, w2 float32) {
	x0, x1, x2 = x0[:len(y)], x1[:len(y)], x2[:len(y)]
	for i := range y {
		y[i] += w0*x0[i] + w1*x1[i] + w2*x2[i]
	}
}

func dwPlaneGo(rows, n int, y []float32, ystride int, x []float32, xstride int, offs []int, w []float32, bias float32, clampIt bool, lo, hi float32) {
	for r := 0; r < rows; r++ {
		yr := y[r*ystride : r*ystride+n]
		xr := x[r*xstride:]
		for i := range yr {
			yr[i] = bias
		}
		for t, o := range offs {
			wt := w[t]
			src := xr[o : o+n]
			for i := range yr {
				yr[i] += wt * src[i]
			}
		}
		if clampIt {
			clampGo(yr, lo, hi)
		}
	}
}

func deinterleave2Go(rows, pairs int, even, odd []float32, dstStride int, src []float32, srcStride int) {
	for r := 0; r < rows; r++ {
		e := even[r*dstStride : r*dstStride+pairs]
		o := odd[r*dstStride : r*dstStride+pairs]
		s := src[r*srcStride : r*srcStride+2*pairs]
		for i := range e {
			e[i], o[i] = s[2*i], s[2*i+1]
		}
	}
}

func gatherRowsGo(dst, x []float32, offs []int, base, width int) {
	for p, off := range offs {
		copy(dst[p*width:(p+1)*width], x[off+base:off+base+width])
	}
}

func copyRowsGo(rows, n int, dst []float32, dstStride int, src []float32, srcStride int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*dstStride:r*dstStride+n], src[r*srcStride:r*srcStride+n])
	}
}

func clampGo(x []float32, lo, hi float32) {
	for i, v := range x {
		x[i] = clamp(v, lo, hi)
	}
}

func dotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xx := x[i : i+4 : i+4]
		yy := y[i : i+4 : i+4]
		s0 += xx[0] * yy[0]
		s1 += xx[1] * yy[1]
		s2 += xx[2] * yy[2]
		s3 += xx[3] * yy[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// gemv handles m == 1 or n == 1 with plain matrix operands directly (dot
// products or axpys over the rows), skipping packing that would cost more
// than the product. It reports whether it did.
func (j *job) gemv(threads int) bool {
	if j.pa != nil || j.pb != nil || j.conv != nil || (j.m != 1 && j.n != 1) {
		return false
	}
	m, n, k := j.m, j.n, j.k
	flops := 2 * float64(m) * float64(n) * float64(k)
	ws := getWS()
	defer putWS(ws)
	if m == 1 {
		// x = op(A) row 0, contiguous.
		x := j.a[:k]
		if j.transA && j.lda != 1 {
			x = grow(&ws.aux, k)
			for p := range x {
				x[p] = j.a[p*j.lda]
			}
		}
		t := min(threadsFor(flops, threads), max(1, n/64))
		c := j.c[:n]
		parallelFor(t, func(w int) {
			lo, hi := w*n/t, (w+1)*n/t
			cs := c[lo:hi]
			if !j.transB {
				for i := range cs {
					if j.beta == 0 {
						cs[i] = 0
					} else {
						cs[i] *= j.beta
					}
				}
				for p := 0; p < k; p++ {
					axpy(j.alpha*x[p], j.b[p*j.ldb+lo:p*j.ldb+hi], cs)
				}
			} else {
				for i := range cs {
					v := j.alpha * dot(x, j.b[(lo+i)*j.ldb:])
					if j.beta != 0 {
						v += j.beta * cs[i]
					}
					cs[i] = v
				}
			}
			if j.ep.flags != 0 {
				for i := range cs {
					cs[i] = j.ep.apply(cs[i], 0, lo+i)
				}
			}
		})
		return true
	}
	// n == 1: y = op(B) column 0, contiguous.
	y := j.b[:k]
	if !j.transB && j.ldb != 1 {
		y = grow(&ws.aux, k)
		for p := range y {
			y[p] = j.b[p*j.ldb]
		}
	}
	t := min(threadsFor(flops, threads), max(1, m/64))
	if j.transA {
		// op(A)[i][p] = a[p*lda+i]: accumulate rows of A into a temporary.
		tmp := grow(&ws.tile, m)
		clear(tmp)
		for p := 0; p < k; p++ {
			axpy(y[p], j.a[p*j.lda:p*j.lda+m], tmp)
		}
		for i := 0; i < m; i++ {
			j.storeGemv(i, tmp[i])
		}
		return true
	}
	parallelFor(t, func(w int) {
		for i := w * m / t; i < (w+1)*m/t; i++ {
			j.storeGemv(i, dot(j.a[i*j.lda:i*j.lda+k], y))
		}
	})
	return true
}

func (j *job) storeGemv(i int, s float32) {
	c := &j.c[i*j.ldc]
	v := j.alpha * s
	if j.beta != 0 {
		v += j.beta * *c
	}
	*c = j.ep.apply(v, i, 0)
}
