package gemm

// Convolutions run as GEMMs whose B operand is im2col(X) for one image and
// group: row p is (input channel, kd, kh, kw) in weight order, column j is
// the output pixel (od, oh, ow). im2col is never materialised. Instead the
// input is copied once into a padded, phase-split layout (padLayout) in
// which every tap of every output row is a contiguous run, so packing a
// B panel is a handful of copies: element (p, j) of im2col lives at
// tapOff[p] + pixBase(j) in that layout, both terms precomputed.

// padLayout is the layout of a zero-padded input: per channel, dp x hp
// rows, each row split into sw phase rows of plen floats (phase q holds
// padded columns q, q+sw, ...), so a column stride of sw becomes 1.
type padLayout struct {
	dp, hp, plen, rowLen int // rowLen = sw*plen
	copyNeeded           bool
}

func newPadLayout(g *geom) padLayout {
	sw := g.s[2]
	dp := g.in[0] + g.pb[0] + g.pe[0]
	hp := g.in[1] + g.pb[1] + g.pe[1]
	wp := g.in[2] + g.pb[2] + g.pe[2]
	plen := (wp + sw - 1) / sw
	return padLayout{
		dp: dp, hp: hp, plen: plen, rowLen: sw * plen,
		copyNeeded: sw > 1 || g.pb != [3]int{} || g.pe != [3]int{},
	}
}

// tapOffsets returns, for each im2col row p = (ci, kd, kh, kw), the offset
// of its first element in the padded layout (output pixel 0).
func tapOffsets(g *geom, pl *padLayout) []int {
	sw := g.s[2]
	offs := make([]int, 0, g.cg*g.kVol)
	for ci := 0; ci < g.cg; ci++ {
		for kd := 0; kd < g.k[0]; kd++ {
			for kh := 0; kh < g.k[1]; kh++ {
				for kw := 0; kw < g.k[2]; kw++ {
					c := kw * g.d[2] // padded column of output column 0
					offs = append(offs, ((ci*pl.dp+kd*g.d[0])*pl.hp+kh*g.d[1])*pl.rowLen+(c%sw)*pl.plen+c/sw)
				}
			}
		}
	}
	return offs
}

// padKey identifies the zero pattern of a padded buffer: buffers filled
// with the same key have zeros in the same places.
type padKey struct {
	lay          padLayout
	in, pb       [3]int
	sw, channels int
}

// padInput copies channels planes of x (each g.in) into ws.pad in layout
// lay and returns it, with 8 floats of slack at the end for vector
// over-reads. Padding zeros survive from the previous call with the same
// geometry, so usually only the data is rewritten.
func padInput(ws *workspace, g *geom, lay *padLayout, x []float32, channels int) []float32 {
	ID, IH, IW := g.in[0], g.in[1], g.in[2]
	sw, pw := g.s[2], g.pb[2]
	plane := lay.dp * lay.hp * lay.rowLen
	buf := grow(&ws.pad, channels*plane+8)
	key := padKey{lay: *lay, in: g.in, pb: g.pb, sw: sw, channels: channels}
	if !ws.padValid || ws.padKey != key {
		clear(buf)
		ws.padKey, ws.padValid = key, true
	}
	for ci := 0; ci < channels; ci++ {
		for z := 0; z < ID; z++ {
			dst := buf[ci*plane+((z+g.pb[0])*lay.hp+g.pb[1])*lay.rowLen:]
			src := x[(ci*ID+z)*IH*IW : (ci*ID+z+1)*IH*IW]
			if sw == 1 {
				copyRows(IH, IW, dst[pw:], lay.rowLen, src, IW)
				continue
			}
			if sw == 2 {
				// Source column s lands in phase (s+pw)%2 at (s+pw)/2.
				a, odd := pw/2, pw%2
				ev := dst[odd*lay.plen+a:]
				od := dst[(1-odd)*lay.plen+a+odd:]
				deinterleave2(IH, IW/2, ev, od, lay.rowLen, src, IW)
				if IW%2 == 1 {
					for y := 0; y < IH; y++ {
						ev[y*lay.rowLen+IW/2] = src[y*IW+IW-1]
					}
				}
				continue
			}
			// Phase q holds padded columns c = i*sw + q, i.e. source
			// columns c - pw.
			for y := 0; y < IH; y++ {
				row := dst[y*lay.rowLen : (y+1)*lay.rowLen]
				srow := src[y*IW : (y+1)*IW]
				for q := 0; q < sw; q++ {
					ph := row[q*lay.plen : (q+1)*lay.plen]
					i := 0
					if pw > q {
						i = (pw - q + sw - 1) / sw
					}
					for s := i*sw + q - pw; i < len(ph) && s < IW; i, s = i+1, s+sw {
						ph[i] = srow[s]
					}
				}
			}
		}
	}
	return buf
}

// convB is the im2col B operand of one image and group.
type convB struct {
	x      []float32 // input in layout pl (or the raw input when no copy is needed)
	g      *geom
	pl     *padLayout
	tapOff []int
	maxOff int // max(tapOff)
}

// segment is a run of output pixels of one output row inside a panel row.
type segment struct {
	dst, n int // position in the panel row, pixel count
	base   int // offset of the run's first pixel at tap offset 0
}

func (cb *convB) pack(dst []float32, nr, p0, kc, j0, nc int, ws *workspace) {
	g, pl := cb.g, cb.pl
	OH, OW := g.out[1], g.out[2]
	ohw := OH * OW
	taps := cb.tapOff[p0 : p0+kc]
	x := cb.x
	for jp := 0; jp < nc; jp += nr {
		cols := min(nr, nc-jp)
		panel := dst[jp*kc : jp*kc+kc*nr]
		segs := ws.segs[:0]
		pix := j0 + jp
		for off := 0; off < cols; {
			od := pix / ohw
			rem := pix - od*ohw
			oh := rem / OW
			ow := rem - oh*OW
			l := min(cols-off, OW-ow)
			segs = append(segs, segment{dst: off, n: l,
				base: (od*g.s[0]*pl.hp+oh*g.s[1])*pl.rowLen + ow})
			off += l
			pix += l
		}
		ws.segs = segs
		if len(segs) == 1 && cols == nr && (nr == 16 || nr == 32) {
			gatherRows(panel, x, taps, cb.maxOff, segs[0].base, nr)
			continue
		}
		for p, off := range taps {
			row := panel[p*nr : p*nr+nr]
			for _, s := range segs {
				out := row[s.dst : s.dst+s.n]
				src := x[off+s.base : off+s.base+s.n]
				if len(out) >= 16 {
					copy(out, src)
				} else {
					for t := range out {
						out[t] = src[t]
					}
				}
			}
			if cols < nr {
				clear(row[cols:])
			}
		}
	}
}
