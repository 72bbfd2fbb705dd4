package cpu

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gotrt/gotrt/internal/gemm"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

func init() {
	Sgemm = func(ta, tb bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
		gemm.Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
	}
	Register(ir.KindConvolution, kConv)
	Register(ir.KindDeconvolution, kConv)
}

// convCache holds prepared plans (packed weights) per input shape for a node
// whose kernel is constant; it is shared by every runner of a program.
type convCache struct {
	mu    sync.Mutex
	plans map[string]*gemm.ConvPlan
}

func kConv(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	var p *ir.ConvParams
	deconv := false
	switch q := c.Node.Params.(type) {
	case *ir.ConvParams:
		p = q
	case *ir.DeconvParams:
		p, deconv = &q.ConvParams, true
	}
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	x, w := in[0], in[1]
	r := len(x.Dims) - 2
	if r > 3 {
		return nil, fmt.Errorf("%d-D convolution is not supported (1-D to 3-D are)", r)
	}
	kernel := w.Dims[2:]
	var pb, pe []int
	if deconv {
		_, _, pb, pe, err = ir.ResolveWindow(make([]int, r), kernel, p.Strides, p.Dilations, p.PrePadding, p.PostPadding, "")
		if err != nil {
			return nil, err
		}
	} else {
		_, _, pb, pe, err = ir.ResolveWindow(x.Dims[2:], kernel, p.Strides, p.Dilations, p.PrePadding, p.PostPadding, p.AutoPad)
		if err != nil {
			return nil, err
		}
	}
	gp := &gemm.ConvParams{N: x.Dims[0], C: x.Dims[1], M: info[0].Dims[1], Group: max(p.Groups, 1),
		InShape: x.Dims[2:], Kernel: kernel, Strides: p.Strides, Dilations: p.Dilations, PadsBegin: pb, PadsEnd: pe}
	out := c.NewData(info[0].Type, info[0].Dims)
	if deconv {
		gp.OutputPadding = p.OutputPadding
		// With an explicit output shape or SAME padding, ONNX derives the pads:
		// total = stride*(in-1) + output_padding + (k-1)*dilation + 1 - out.
		if p.OutputShape != nil || p.AutoPad == "SAME_UPPER" || p.AutoPad == "SAME_LOWER" {
			full, err := deconvFullSize(gp)
			if err != nil {
				return nil, err
			}
			gp.PadsBegin, gp.PadsEnd = make([]int, r), make([]int, r)
			for i := range r {
				op := 0
				if i < len(p.OutputPadding) {
					op = p.OutputPadding[i]
				}
				total := full[i] + op - info[0].Dims[2+i]
				if total < 0 {
					return nil, fmt.Errorf("deconvolution output extent %d is larger than the input allows (%d)", info[0].Dims[2+i], full[i]+op)
				}
				if p.AutoPad == "SAME_UPPER" {
					gp.PadsBegin[i], gp.PadsEnd[i] = total/2, total-total/2
				} else {
					gp.PadsBegin[i], gp.PadsEnd[i] = total-total/2, total/2
				}
			}
		}
	}
	xs := c.RoundOperands(x.F)
	var bias []float32
	if len(in) > 2 && in[2] != nil {
		bias = in[2].F
	}
	key := dimsKey(x.Dims)
	var plan *gemm.ConvPlan
	constW := c.Node.Inputs != nil && len(c.Node.Inputs) > 1 && c.Node.Inputs[1] != nil && c.Node.Inputs[1].Const != nil
	if constW && c.State != nil {
		v, _ := c.State.Once(func() (any, error) { return &convCache{plans: map[string]*gemm.ConvPlan{}}, nil })
		cc := v.(*convCache)
		cc.mu.Lock()
		plan = cc.plans[key]
		cc.mu.Unlock()
		if plan == nil {
			if plan, err = prepareConv(gp, c.RoundOperands(w.F), deconv); err != nil {
				return nil, err
			}
			cc.mu.Lock()
			cc.plans[key] = plan
			cc.mu.Unlock()
		}
	} else if plan, err = prepareConv(gp, c.RoundOperands(w.F), deconv); err != nil {
		return nil, err
	}
	if got := plan.OutShape(); !slices.Equal(got, info[0].Dims) {
		return nil, fmt.Errorf("internal: convolution plan output %v differs from inferred %v", got, info[0].Dims)
	}
	act, skip := fusedActivation(c)
	if err := plan.Run(xs, bias, out.F, act); err != nil {
		return nil, err
	}
	c.skip = skip
	return []*ir.Data{out}, nil
}

// fusedActivation returns the activation that the GEMM epilogue can apply
// for the step's leading fused members (ReLU, clip, or ReLU then clip) and
// how many members that covers. The executor skips those members. The
// result is the same as running them after: the GEMM's clamp is
// min(max(v, lo), hi) on the float32 value, before the output is rounded to
// its storage type (only the sign of a zero may differ from the ReLU
// kernel's, which keeps -0).
func fusedActivation(c *Ctx) (gemm.Activation, int) {
	var act gemm.Activation
	n := 0
	for _, e := range c.epilogue {
		p, ok := e.Params.(*ir.ActivationParams)
		if !ok || e.Kind != ir.KindActivation {
			break
		}
		switch {
		case p.Type == ir.ActRelu && !act.Relu && !act.Clip:
			act.Relu = true
		case p.Type == ir.ActClip && !act.Clip:
			act.Clip, act.ClipMin, act.ClipMax = true, p.Alpha, p.Beta
		default:
			return act, n
		}
		n++
	}
	return act, n
}

func prepareConv(gp *gemm.ConvParams, w []float32, deconv bool) (*gemm.ConvPlan, error) {
	if deconv {
		return gemm.PrepareConvTranspose(gp, w)
	}
	return gemm.PrepareConv(gp, w)
}

// deconvFullSize is the transposed-convolution output without padding.
func deconvFullSize(gp *gemm.ConvParams) ([]int, error) {
	q := *gp
	q.PadsBegin, q.PadsEnd, q.OutputPadding = nil, nil, nil
	s, err := q.TransposeOutShape()
	if err != nil {
		return nil, err
	}
	return s, nil
}

func dimsKey(d []int) string {
	var b strings.Builder
	for _, v := range d {
		fmt.Fprintf(&b, "%d,", v)
	}
	return b.String()
}
