package gemm

// colBudget caps the im2col-shaped buffer of a transposed convolution, in
// floats; the input pixels are processed in chunks that fit.
const colBudget = 1 << 17

// runTranspose computes each (image, group) of a transposed convolution as
// col = W_g^T * X_g (a GEMM, rows = output channel x kernel offset, columns
// = input pixels) and scatters col into Y (col2im).
func (pl *ConvPlan) runTranspose(x, bias, y []float32, opt *Options) {
	g := &pl.g
	rows := g.mg * g.kVol
	chunk := max(1, min(g.inVol, colBudget/rows))
	ws := getWS()
	defer putWS(ws)
	ep := opt.resolve(0, 0)
	threads := numThreads()
	for ni := 0; ni < g.n; ni++ {
		for gi := 0; gi < g.group; gi++ {
			xg := x[(ni*g.c+gi*g.cg)*g.inVol : (ni*g.c+(gi+1)*g.cg)*g.inVol]
			yg := y[(ni*g.m+gi*g.mg)*g.outVol : (ni*g.m+(gi+1)*g.mg)*g.outVol]
			for oc := 0; oc < g.mg; oc++ {
				var b float32
				if bias != nil {
					b = bias[gi*g.mg+oc]
				}
				plane := yg[oc*g.outVol : (oc+1)*g.outVol]
				for i := range plane {
					plane[i] = b
				}
			}
			for j0 := 0; j0 < g.inVol; j0 += chunk {
				jn := min(chunk, g.inVol-j0)
				col := grow(&ws.aux, rows*jn)
				j := job{
					kern: pl.kern, m: rows, n: jn, k: g.cg, alpha: 1,
					b: xg[j0:], ldb: g.inVol, c: col, ldc: jn,
				}
				if pl.packed != nil {
					j.pa = pl.packed[gi]
				} else {
					j.a, j.lda, j.transA = pl.w[gi*g.cg*rows:(gi+1)*g.cg*rows], rows, true
				}
				j.run(threads)
				flops := float64(rows) * float64(jn)
				t := min(threadsFor(flops*8, threads), g.mg)
				parallelFor(t, func(w int) {
					for oc := w * g.mg / t; oc < (w+1)*g.mg/t; oc++ {
						col2im(g, col[oc*g.kVol*jn:(oc+1)*g.kVol*jn], j0, jn, yg[oc*g.outVol:(oc+1)*g.outVol])
					}
				})
			}
			if ep.flags&flagClamp != 0 {
				clampSlice(yg, ep.lo, ep.hi)
			}
		}
	}
}

// col2im adds one output channel's columns (kVol rows of jn input pixels
// starting at pixel j0) into its output plane.
func col2im(g *geom, col []float32, j0, jn int, plane []float32) {
	ID, IH, IW := g.in[0], g.in[1], g.in[2]
	KD, KH, KW := g.k[0], g.k[1], g.k[2]
	OD, OH, OW := g.out[0], g.out[1], g.out[2]
	sw := g.s[2]
	_ = ID
	for kd := 0; kd < KD; kd++ {
		for kh := 0; kh < KH; kh++ {
			for kw := 0; kw < KW; kw++ {
				crow := col[((kd*KH+kh)*KW+kw)*jn : ((kd*KH+kh)*KW+kw+1)*jn]
				// Walk the chunk's pixels one input row at a time.
				for j := j0; j < j0+jn; {
					iz := j / (IH * IW)
					rem := j - iz*IH*IW
					iy := rem / IW
					ix := rem - iy*IW
					l := min(j0+jn-j, IW-ix)
					src := crow[j-j0 : j-j0+l]
					j += l
					oz := iz*g.s[0] - g.pb[0] + kd*g.d[0]
					oy := iy*g.s[1] - g.pb[1] + kh*g.d[1]
					if uint(oz) >= uint(OD) || uint(oy) >= uint(OH) {
						continue
					}
					orow := plane[(oz*OH+oy)*OW : (oz*OH+oy+1)*OW]
					// Pixel t goes to output column ox0 + t*sw.
					ox0 := ix*sw - g.pb[2] + kw*g.d[2]
					lo, hi := 0, l
					if ox0 < 0 {
						lo = (-ox0 + sw - 1) / sw
					}
					if ox0+(l-1)*sw >= OW {
						hi = 0
						if ox0 < OW {
							hi = (OW-1-ox0)/sw + 1
						}
					}
					if lo >= hi {
						continue
					}
					if sw == 1 {
						axpy(1, src[lo:hi], orow[ox0+lo:ox0+hi])
						continue
					}
					dst := orow[ox0+lo*sw:]
					for t, v := range src[lo:hi] {
						dst[t*sw] += v
					}
				}
			}
		}
	}
}
