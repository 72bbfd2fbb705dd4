package gemm

// Packed layout. A block of op(A) covering rows [i0, i0+mc) and depth
// [p0, p0+kc) is stored as ceil(mc/MR) micro-panels of kc*MR floats; panel q
// holds rows i0+q*MR.. with element (i, p) at p*MR + i. Rows past mc are
// zero. op(B) blocks are the mirror image: NR-column micro-panels of kc*NR
// floats with element (p, j) at p*NR + j. Whole pre-packed operands
// (PackedA, PackedB) are the concatenation of such blocks over the depth,
// see packedOffset.

// packA packs rows [i0, i0+mc) x depth [p0, p0+kc) of op(A), scaled by alpha.
func packA(dst []float32, mr int, trans bool, a []float32, lda, i0, mc, p0, kc int, alpha float32) {
	for ip := 0; ip < mc; ip += mr {
		rows := min(mr, mc-ip)
		d := dst[ip*kc : ip*kc+kc*mr]
		if trans {
			// op(A)[i][p] = a[p*lda + i]: MR contiguous floats per depth step.
			base := p0*lda + i0 + ip
			for p := 0; p < kc; p++ {
				src := a[base+p*lda : base+p*lda+rows]
				dp := d[p*mr : p*mr+mr]
				if alpha == 1 {
					copy(dp, src)
				} else {
					for i, v := range src {
						dp[i] = alpha * v
					}
				}
				clear(dp[rows:])
			}
			continue
		}
		// op(A)[i][p] = a[i*lda + p]: interleave MR rows.
		base := (i0+ip)*lda + p0
		if rows == 6 && mr == 6 && alpha == 1 {
			r0 := a[base : base+kc]
			r1 := a[base+lda : base+lda+kc]
			r2 := a[base+2*lda : base+2*lda+kc]
			r3 := a[base+3*lda : base+3*lda+kc]
			r4 := a[base+4*lda : base+4*lda+kc]
			r5 := a[base+5*lda : base+5*lda+kc]
			for p := range r0 {
				q := d[p*6 : p*6+6 : p*6+6]
				q[0], q[1], q[2], q[3], q[4], q[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
			continue
		}
		if rows == 4 && mr == 4 && alpha == 1 {
			r0 := a[base : base+kc]
			r1 := a[base+lda : base+lda+kc]
			r2 := a[base+2*lda : base+2*lda+kc]
			r3 := a[base+3*lda : base+3*lda+kc]
			for p := range r0 {
				q := d[p*4 : p*4+4 : p*4+4]
				q[0], q[1], q[2], q[3] = r0[p], r1[p], r2[p], r3[p]
			}
			continue
		}
		// Generic: four rows at a time, then the rest.
		i := 0
		for ; i+4 <= rows; i += 4 {
			r0 := a[base+i*lda : base+i*lda+kc]
			r1 := a[base+(i+1)*lda : base+(i+1)*lda+kc]
			r2 := a[base+(i+2)*lda : base+(i+2)*lda+kc]
			r3 := a[base+(i+3)*lda : base+(i+3)*lda+kc]
			for p := range r0 {
				q := d[p*mr+i : p*mr+i+4 : p*mr+i+4]
				q[0], q[1], q[2], q[3] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p]
			}
		}
		for ; i < rows; i++ {
			r0 := a[base+i*lda : base+i*lda+kc]
			for p, v := range r0 {
				d[p*mr+i] = alpha * v
			}
		}
		if rows < mr {
			for p := 0; p < kc; p++ {
				clear(d[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packB packs depth [p0, p0+kc) x columns [j0, j0+nc) of op(B), scaled by alpha.
func packB(dst []float32, nr int, trans bool, b []float32, ldb, p0, kc, j0, nc int, alpha float32) {
	for jp := 0; jp < nc; jp += nr {
		cols := min(nr, nc-jp)
		d := dst[jp*kc : jp*kc+kc*nr]
		if !trans {
			// op(B)[p][j] = b[p*ldb + j]: NR contiguous floats per depth step.
			base := p0*ldb + j0 + jp
			switch {
			case cols == 16 && nr == 16 && alpha == 1:
				for p := 0; p < kc; p++ {
					*(*[16]float32)(d[p*16:]) = *(*[16]float32)(b[base+p*ldb:])
				}
			case cols == 32 && nr == 32 && alpha == 1:
				for p := 0; p < kc; p++ {
					*(*[32]float32)(d[p*32:]) = *(*[32]float32)(b[base+p*ldb:])
				}
			default:
				for p := 0; p < kc; p++ {
					src := b[base+p*ldb : base+p*ldb+cols]
					dp := d[p*nr : p*nr+nr]
					if alpha == 1 {
						copy(dp, src)
					} else {
						for j, v := range src {
							dp[j] = alpha * v
						}
					}
					clear(dp[cols:])
				}
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb + p]: interleave NR rows of b.
		base := (j0+jp)*ldb + p0
		j := 0
		for ; j+4 <= cols; j += 4 {
			r0 := b[base+j*ldb : base+j*ldb+kc]
			r1 := b[base+(j+1)*ldb : base+(j+1)*ldb+kc]
			r2 := b[base+(j+2)*ldb : base+(j+2)*ldb+kc]
			r3 := b[base+(j+3)*ldb : base+(j+3)*ldb+kc]
			for p := range r0 {
				q := d[p*nr+j : p*nr+j+4 : p*nr+j+4]
				q[0], q[1], q[2], q[3] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p]
			}
		}
		for ; j < cols; j++ {
			r0 := b[base+j*ldb : base+j*ldb+kc]
			for p, v := range r0 {
				d[p*nr+j] = alpha * v
			}
		}
		if cols < nr {
			for p := 0; p < kc; p++ {
				clear(d[p*nr+cols : p*nr+nr])
			}
		}
	}
}
