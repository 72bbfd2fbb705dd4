package gemm

// runDepthwise computes a grouped convolution with one input channel per
// group (depthwise, any channel multiplier, any rank, stride, dilation and
// padding) directly. Each input plane is copied once into the padded,
// phase-split layout of im2col.go, where every kernel tap of an output row
// is a contiguous run; an output row is then one pass of dwRow over the
// taps, with bias and activation fused. Parallel over input planes.
func (pl *ConvPlan) runDepthwise(x, bias, y []float32, opt *Options) {
	g := &pl.g
	ep := opt.resolve(0, 0)
	clampIt := ep.flags&flagClamp != 0
	planes := g.n * g.c
	flops := 2 * float64(g.kVol) * float64(g.outVol) * float64(g.n*g.m)
	t := min(threadsFor(flops, numThreads()), planes)
	lay := &pl.pad
	OD, OH, OW := g.out[0], g.out[1], g.out[2]
	parallelFor(t, func(w int) {
		ws := getWS()
		defer putWS(ws)
		for pi := w * planes / t; pi < (w+1)*planes/t; pi++ {
			ni, ci := pi/g.c, pi%g.c
			xp := padInput(ws, g, lay, x[(ni*g.c+ci)*g.inVol:(ni*g.c+ci+1)*g.inVol], 1)
			for mi := 0; mi < g.mg; mi++ {
				oc := ci*g.mg + mi
				var b float32
				if bias != nil {
					b = bias[oc]
				}
				wk := pl.w[oc*g.kVol : (oc+1)*g.kVol]
				yp := y[(ni*g.m+oc)*g.outVol : (ni*g.m+oc+1)*g.outVol]
				for od := 0; od < OD; od++ {
					base := od * g.s[0] * lay.hp * lay.rowLen
					dwPlane(OH, OW, yp[od*OH*OW:], OW, xp[base:], g.s[1]*lay.rowLen,
						pl.tapOff, pl.maxOff, wk, b, clampIt, ep.lo, ep.hi)
				}
			}
		}
	})
}
