package gemm

import (
	"errors"
	"fmt"
)

// ConvParams describes an ONNX-style convolution over N x C x spatial
// float32 tensors with 1 to 3 spatial dimensions (NCW, NCHW, NCDHW).
//
// Conv weights are M x C/Group x kernel; ConvTranspose weights are
// C x M/Group x kernel (ONNX layouts). Per-axis slices (Strides, Dilations,
// PadsBegin, PadsEnd, OutputPadding) have one entry per spatial axis, or are
// nil for the default (1 for strides and dilations, 0 otherwise).
type ConvParams struct {
	N, C, M            int   // batch, input channels, output channels
	Group              int   // channel groups; 0 means 1
	InShape            []int // input spatial dimensions
	Kernel             []int // kernel spatial dimensions
	Strides, Dilations []int
	PadsBegin, PadsEnd []int
	OutputPadding      []int // ConvTranspose only
}

// Activation is the element-wise function fused after a convolution and its
// bias: ReLU, then a clip to [ClipMin, ClipMax] (ReLU6 = Clip 0..6).
type Activation struct {
	Relu             bool
	Clip             bool
	ClipMin, ClipMax float32
}

// geom is ConvParams normalised to three spatial axes (leading axes of size
// one for 1-D and 2-D) and checked.
type geom struct {
	n, c, m, group int
	cg, mg         int // channels per group
	in, k, s, d    [3]int
	pb, pe, op     [3]int
	out            [3]int
	inVol, outVol  int
	kVol           int
}

func (p *ConvParams) geometry(transpose bool) (geom, error) {
	g := geom{n: p.N, c: p.C, m: p.M, group: max(p.Group, 1)}
	r := len(p.InShape)
	if r < 1 || r > 3 {
		return g, fmt.Errorf("gemm: conv with %d spatial dims (want 1..3)", r)
	}
	if p.N < 0 || p.C < 1 || p.M < 1 {
		return g, fmt.Errorf("gemm: bad conv sizes N=%d C=%d M=%d", p.N, p.C, p.M)
	}
	if p.C%g.group != 0 || p.M%g.group != 0 {
		return g, fmt.Errorf("gemm: channels C=%d M=%d not divisible by group=%d", p.C, p.M, g.group)
	}
	g.cg, g.mg = p.C/g.group, p.M/g.group
	axis := func(name string, v []int, def int) ([3]int, error) {
		a := [3]int{def, def, def}
		if v == nil {
			if name == "kernel" {
				return a, errors.New("gemm: conv kernel shape missing")
			}
			return a, nil
		}
		if len(v) != r {
			return a, fmt.Errorf("gemm: conv %s has %d entries, want %d", name, len(v), r)
		}
		copy(a[3-r:], v) // leading unused axes keep the neutral default
		return a, nil
	}
	var err error
	if g.in, err = axis("shape", p.InShape, 1); err != nil {
		return g, err
	}
	if g.k, err = axis("kernel", p.Kernel, 1); err != nil {
		return g, err
	}
	if g.s, err = axis("strides", p.Strides, 1); err != nil {
		return g, err
	}
	if g.d, err = axis("dilations", p.Dilations, 1); err != nil {
		return g, err
	}
	if g.pb, err = axis("pads_begin", p.PadsBegin, 0); err != nil {
		return g, err
	}
	if g.pe, err = axis("pads_end", p.PadsEnd, 0); err != nil {
		return g, err
	}
	if g.op, err = axis("output_padding", p.OutputPadding, 0); err != nil {
		return g, err
	}
	g.inVol, g.outVol, g.kVol = 1, 1, 1
	for i := 0; i < 3; i++ {
		if g.in[i] < 1 || g.k[i] < 1 || g.s[i] < 1 || g.d[i] < 1 || g.pb[i] < 0 || g.pe[i] < 0 || g.op[i] < 0 {
			return g, fmt.Errorf("gemm: bad conv geometry %+v", *p)
		}
		ext := g.d[i]*(g.k[i]-1) + 1
		if transpose {
			g.out[i] = g.s[i]*(g.in[i]-1) + g.op[i] + ext - g.pb[i] - g.pe[i]
		} else {
			if g.op[i] != 0 {
				return g, errors.New("gemm: output_padding is for ConvTranspose only")
			}
			g.out[i] = (g.in[i]+g.pb[i]+g.pe[i]-ext)/g.s[i] + 1
			if g.in[i]+g.pb[i]+g.pe[i] < ext {
				g.out[i] = 0
			}
		}
		if g.out[i] < 1 {
			return g, fmt.Errorf("gemm: conv output would be empty (%+v)", *p)
		}
		g.inVol *= g.in[i]
		g.outVol *= g.out[i]
		g.kVol *= g.k[i]
	}
	return g, nil
}

// outShape returns the spatial output shape with the caller's rank.
func (g *geom) outShape(rank int) []int {
	return append([]int(nil), g.out[3-rank:]...)
}

// OutShape returns the spatial output dimensions of the convolution.
func (p *ConvParams) OutShape() ([]int, error) {
	g, err := p.geometry(false)
	if err != nil {
		return nil, err
	}
	return g.outShape(len(p.InShape)), nil
}

// TransposeOutShape returns the spatial output dimensions of the transposed
// convolution (ConvTranspose) with these parameters.
func (p *ConvParams) TransposeOutShape() ([]int, error) {
	g, err := p.geometry(true)
	if err != nil {
		return nil, err
	}
	return g.outShape(len(p.InShape)), nil
}

type convKind int

const (
	convIm2col    convKind = iota // implicit im2col + GEMM per group
	convPointwise                 // 1x1, stride 1, no pad: the input is B
	convDepthwise                 // one input channel per group: direct loops
	convTranspose                 // GEMM + col2im
)

// ConvPlan is a convolution or transposed convolution with its weights
// prepared (packed for the GEMM micro-kernel) once, to run many times. It is
// immutable and safe for concurrent use.
type ConvPlan struct {
	g      geom
	rank   int
	kind   convKind
	kern   *kernel
	packed []*PackedA // per group; nil when running on raw weights
	w      []float32  // raw weights (depthwise, or unpacked one-shot use)
	pad    padLayout  // im2col, depthwise: padded input layout
	tapOff []int      // im2col, depthwise: offset of each im2col row in it
	maxOff int        // max(tapOff)
}

// PrepareConv checks p, chooses an algorithm and pre-packs the weights w
// (M x C/Group x kernel) for repeated Run calls.
func PrepareConv(p *ConvParams, w []float32) (*ConvPlan, error) {
	return prepareConv(p, w, true)
}

func prepareConv(p *ConvParams, w []float32, pack bool) (*ConvPlan, error) {
	g, err := p.geometry(false)
	if err != nil {
		return nil, err
	}
	kdim := g.cg * g.kVol
	if len(w) < g.m*kdim {
		return nil, fmt.Errorf("gemm: conv weights have %d floats, want %d", len(w), g.m*kdim)
	}
	pl := &ConvPlan{g: g, rank: len(p.InShape), kern: active, w: w[:g.m*kdim]}
	switch {
	case g.cg == 1 && g.group > 1:
		pl.kind = convDepthwise
		pl.pad = newPadLayout(&g)
		pl.tapOff = tapOffsets(&g, &pl.pad)
		for _, o := range pl.tapOff {
			pl.maxOff = max(pl.maxOff, o)
		}
		if pack {
			pl.w = append([]float32(nil), pl.w...)
		}
		return pl, nil
	case g.kVol == 1 && g.s == [3]int{1, 1, 1} && g.pb == [3]int{} && g.pe == [3]int{}:
		pl.kind = convPointwise
	default:
		pl.kind = convIm2col
		pl.pad = newPadLayout(&g)
		pl.tapOff = tapOffsets(&g, &pl.pad)
		for _, o := range pl.tapOff {
			pl.maxOff = max(pl.maxOff, o)
		}
	}
	if pack {
		pl.packed = make([]*PackedA, g.group)
		for gi := range pl.packed {
			pl.packed[gi] = packAWith(pl.kern, false, g.mg, kdim, pl.w[gi*g.mg*kdim:], kdim)
		}
		pl.w = nil
	}
	return pl, nil
}

// PrepareConvTranspose is PrepareConv for a transposed convolution; w is
// C x M/Group x kernel.
func PrepareConvTranspose(p *ConvParams, w []float32) (*ConvPlan, error) {
	return prepareConvTranspose(p, w, true)
}

func prepareConvTranspose(p *ConvParams, w []float32, pack bool) (*ConvPlan, error) {
	g, err := p.geometry(true)
	if err != nil {
		return nil, err
	}
	rows := g.mg * g.kVol // columns of each group's weight matrix
	if len(w) < g.c*rows {
		return nil, fmt.Errorf("gemm: conv-transpose weights have %d floats, want %d", len(w), g.c*rows)
	}
	pl := &ConvPlan{g: g, rank: len(p.InShape), kind: convTranspose, kern: active, w: w[:g.c*rows]}
	if pack {
		// Group gi's GEMM is col = W_gi^T * X_gi with W_gi a cg x rows block.
		pl.packed = make([]*PackedA, g.group)
		for gi := range pl.packed {
			pl.packed[gi] = packAWith(pl.kern, true, rows, g.cg, pl.w[gi*g.cg*rows:], rows)
		}
		pl.w = nil
	}
	return pl, nil
}

// OutShape returns the full output shape N x M x spatial.
func (pl *ConvPlan) OutShape() []int {
	return append([]int{pl.g.n, pl.g.m}, pl.g.outShape(pl.rank)...)
}

// Conv computes y = act(conv(x, w) + bias) in one call, without keeping the
// packed weights (use PrepareConv for layers run repeatedly). bias may be
// nil; y must hold N x M x OutShape floats and is overwritten.
func Conv(p *ConvParams, x, w, bias, y []float32, act Activation) error {
	pl, err := prepareConv(p, w, false)
	if err != nil {
		return err
	}
	return pl.Run(x, bias, y, act)
}

// Conv2D is Conv; it accepts 1-D and 3-D parameters as well.
func Conv2D(p *ConvParams, x, w, bias, y []float32, act Activation) error {
	return Conv(p, x, w, bias, y, act)
}

// ConvTranspose computes y = act(convTranspose(x, w) + bias) in one call.
func ConvTranspose(p *ConvParams, x, w, bias, y []float32, act Activation) error {
	pl, err := prepareConvTranspose(p, w, false)
	if err != nil {
		return err
	}
	return pl.Run(x, bias, y, act)
}

// Run computes y = act(conv(x) + bias) for x of N x C x InShape floats; bias
// (M floats) may be nil; y (N x M x OutShape floats) is overwritten.
func (pl *ConvPlan) Run(x, bias, y []float32, act Activation) error {
	g := &pl.g
	if len(x) < g.n*g.c*g.inVol {
		return fmt.Errorf("gemm: conv input has %d floats, want %d", len(x), g.n*g.c*g.inVol)
	}
	if len(y) < g.n*g.m*g.outVol {
		return fmt.Errorf("gemm: conv output has %d floats, want %d", len(y), g.n*g.m*g.outVol)
	}
	if bias != nil && len(bias) < g.m {
		return fmt.Errorf("gemm: conv bias has %d floats, want %d", len(bias), g.m)
	}
	if g.n == 0 {
		return nil
	}
	opt := Options{Relu: act.Relu, Clip: act.Clip, ClipMin: act.ClipMin, ClipMax: act.ClipMax}
	switch pl.kind {
	case convDepthwise:
		pl.runDepthwise(x, bias, y, &opt)
	case convTranspose:
		pl.runTranspose(x, bias, y, &opt)
	default:
		pl.runGEMM(x, bias, y, &opt)
	}
	return nil
}

// runGEMM computes each (image, group) as Y_g = W_g * im2col(X_g).
func (pl *ConvPlan) runGEMM(x, bias, y []float32, opt *Options) {
	g := &pl.g
	kdim := g.cg * g.kVol
	items := g.n * g.group
	runItems(items, 2*float64(g.mg)*float64(kdim)*float64(g.outVol), func(it, threads int) {
		ni, gi := it/g.group, it%g.group
		o := *opt
		if bias != nil {
			o.BiasRow = bias[gi*g.mg : (gi+1)*g.mg]
		}
		xg := x[(ni*g.c+gi*g.cg)*g.inVol : (ni*g.c+(gi+1)*g.cg)*g.inVol]
		j := job{
			kern: pl.kern, m: g.mg, n: g.outVol, k: kdim, alpha: 1,
			c: y[(ni*g.m+gi*g.mg)*g.outVol : (ni*g.m+(gi+1)*g.mg)*g.outVol], ldc: g.outVol,
			ep: o.resolve(g.mg, g.outVol),
		}
		if pl.packed != nil {
			j.pa = pl.packed[gi]
		} else {
			j.a, j.lda = pl.w[gi*g.mg*kdim:(gi+1)*g.mg*kdim], kdim
		}
		if pl.kind == convPointwise {
			j.b, j.ldb = xg, g.inVol
		} else {
			cb := &convB{x: xg, g: g, pl: &pl.pad, tapOff: pl.tapOff, maxOff: pl.maxOff}
			if pl.pad.copyNeeded {
				ws := getWS()
				defer putWS(ws)
				cb.x = padInput(ws, g, &pl.pad, xg, g.cg)
			}
			j.conv = cb
		}
		j.run(threads)
	})
}
