package gpu

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// convWorkspace bounds the workspace of a convolution algorithm.
const convWorkspace = 256 << 20

// convExec runs Convolution (cuDNN forward) and Deconvolution (cuDNN backward
// data) with FMA math for pedantic FP32 and tensor-op math for TF32, FP16 and
// BF16 (FP32 accumulation throughout); algorithms are chosen by timing
// (cudnnFind). Bias, fused activations and a change of output type run in the
// backend's epilogue kernel.
type convExec struct {
	deconv    bool
	p         *ir.ConvParams
	prec, out ir.DataType
	tf32      bool
	acts      []act
	hasBias   bool
	constBias bool
	bias      *cuda.Buffer // FP32 copy of a constant bias

	mu    sync.Mutex
	plans map[string]*convPlan
}

type convPlan struct {
	fallback string
	xd, yd   *cuda.TensorDesc // input and output (dy and dx for a deconvolution)
	wd       *cuda.FilterDesc
	cd       *cuda.ConvDesc
	algo     int32
	ws       uint64
	inner, C int
	// Asymmetric padding: cuDNN pads symmetrically, so a convolution's input
	// is padded by the difference first (pad), and a deconvolution's output
	// is computed larger and cropped (crop), both with the library's Padding
	// kernel into scratch memory of dims padDims.
	pad, crop *ir.Node
	padDims   []int
}

func newConvExec(ps *pstep) *convExec {
	n := ps.node
	e := &convExec{prec: ps.s.Precision, out: ps.s.OutTypes[0], tf32: ps.s.TF32, acts: ps.acts,
		plans: map[string]*convPlan{}}
	switch q := n.Params.(type) {
	case *ir.ConvParams:
		e.p = q
	case *ir.DeconvParams:
		e.p, e.deconv = &q.ConvParams, true
	}
	if len(n.Inputs) > 2 && n.Inputs[2] != nil {
		e.hasBias = true
		e.constBias = isConstTensor(n.Inputs[2])
	}
	return e
}

func dnnType(t ir.DataType) cuda.DNNDataType {
	switch t {
	case ir.Half:
		return cuda.DNNHalf
	case ir.BF16:
		return cuda.DNNBFloat16
	}
	return cuda.DNNFloat
}

func (e *convExec) pedantic() bool { return e.prec == ir.Float && !e.tf32 }

func (e *convExec) prepare(p *program, ps *pstep) (string, error) {
	n := ps.node
	if e.constBias {
		b := convertData(n.Inputs[2].Const, ir.Float)
		host, err := encode(b, ir.Float)
		if err != nil {
			return "", err
		}
		if len(host) > 0 {
			buf, err := p.d.ctx.Alloc(len(host))
			if err != nil {
				return "", err
			}
			p.biases[n] = buf
			e.bias = buf
			if err := cuda.CopyHtoD(buf, host); err != nil {
				return "", err
			}
		}
	}
	x, w := n.Inputs[0], n.Inputs[1]
	if ps.staticDims == nil || !ir.DimsKnown(x.Dims) || !ir.DimsKnown(w.Dims) {
		return "", nil
	}
	pl, err := e.planFor(p, x.Dims, w.Dims, ps.staticDims[0])
	if err != nil {
		return "", err
	}
	return pl.fallback, nil
}

func (e *convExec) planFor(p *program, x, w, y []int) (*convPlan, error) {
	key := dimsKey(x, w, y)
	e.mu.Lock()
	defer e.mu.Unlock()
	if pl, ok := e.plans[key]; ok {
		return pl, nil
	}
	pl, err := e.makePlan(p, x, w, y)
	if err != nil {
		if errors.Is(err, cuda.ErrOutOfMemory) || errors.Is(err, cuda.ErrClosed) {
			return nil, err
		}
		// cuDNN rejects the configuration: run it on the host.
		pl = &convPlan{fallback: "cuDNN: " + err.Error()}
	}
	e.plans[key] = pl
	return pl, nil
}

func (pl *convPlan) close() {
	pl.xd.Close()
	pl.yd.Close()
	pl.wd.Close()
	pl.cd.Close()
}

func (e *convExec) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, pl := range e.plans {
		pl.close()
	}
	e.plans = map[string]*convPlan{}
}

func (e *convExec) makePlan(p *program, x, w, y []int) (_ *convPlan, err error) {
	pl := &convPlan{}
	pl.C, pl.inner = y[1], ir.Volume(y[2:])
	r := len(x) - 2
	kernel := w[2:]
	var s, dl, pb, pe []int
	if e.deconv {
		s, dl, pb, pe, err = ir.ResolveWindow(make([]int, r), kernel, e.p.Strides, e.p.Dilations, e.p.PrePadding, e.p.PostPadding, "")
	} else {
		s, dl, pb, pe, err = ir.ResolveWindow(x[2:], kernel, e.p.Strides, e.p.Dilations, e.p.PrePadding, e.p.PostPadding, e.p.AutoPad)
	}
	if err != nil {
		return nil, err
	}
	if e.deconv {
		op := e.p.OutputPadding
		if op == nil {
			op = make([]int, r)
		}
		if e.p.OutputShape != nil || e.p.AutoPad == "SAME_UPPER" || e.p.AutoPad == "SAME_LOWER" {
			pb, pe = make([]int, r), make([]int, r)
			for i := range r {
				full := s[i]*(x[2+i]-1) + (kernel[i]-1)*dl[i] + 1
				total := full + op[i] - y[2+i]
				if total < 0 {
					pl.fallback = "output larger than the input allows"
					return pl, nil
				}
				if e.p.AutoPad == "SAME_UPPER" {
					pb[i], pe[i] = total/2, total-total/2
				} else {
					pb[i], pe[i] = total-total/2, total/2
				}
			}
		}
		for i := range r {
			if op[i] >= s[i] {
				pl.fallback = "output padding not below the stride"
				return pl, nil
			}
		}
	}
	asym := false
	for i := range r {
		if pb[i] != pe[i] {
			asym = true
		}
	}
	if asym {
		// Pad (or crop) the difference; cuDNN pads min(pb, pe).
		pads := make([]int, 2*(r+2))
		big := append([]int{}, x...)
		if e.deconv {
			big = append([]int{}, y...)
		}
		sym := make([]int, r)
		for i := range r {
			m := min(pb[i], pe[i])
			sym[i] = m
			pads[2+i], pads[r+2+2+i] = pb[i]-m, pe[i]-m
			big[2+i] += pb[i] + pe[i] - 2*m
		}
		lib := p.d.lib
		if lib == nil {
			pl.fallback = "asymmetric padding (no kernel library)"
			return pl, nil
		}
		from, to := x, big
		if e.deconv {
			from, to = big, y
			for i := range pads {
				pads[i] = -pads[i]
			}
		}
		node := &ir.Node{Name: "asymmetric padding", Kind: ir.KindPadding,
			Params:  &ir.PaddingParams{Mode: "constant", Pads: pads},
			Inputs:  []*ir.Tensor{{Name: "x", Type: e.prec, Dims: from}},
			Outputs: []*ir.Tensor{{Name: "y", Type: e.prec, Dims: to}}}
		if !lib.Supports(node, e.prec, []ir.DataType{e.prec}) {
			pl.fallback = "asymmetric padding"
			return pl, nil
		}
		pl.padDims = big
		if e.deconv {
			pl.crop, y = node, big
		} else {
			pl.pad, x = node, big
		}
		pb, pe = sym, sym
	}
	groups := max(e.p.Groups, 1)
	x4, w4, y4 := x, w, y
	if r == 1 {
		// cuDNN wants 2-D at least: [N, C, 1, W].
		ins := func(d []int) []int { return []int{d[0], d[1], 1, d[2]} }
		x4, w4, y4 = ins(x), ins(w), ins(y)
		s, dl, pb = []int{1, s[0]}, []int{1, dl[0]}, []int{0, pb[0]}
	}
	if ir.Volume(x) == 0 || ir.Volume(y) == 0 || ir.Volume(w) == 0 {
		pl.fallback = "empty tensor"
		return pl, nil
	}
	dt := dnnType(e.prec)
	defer func() {
		if err != nil {
			pl.close()
		}
	}()
	if pl.xd, err = cuda.NewTensorDesc(dt, x4, nil); err != nil {
		return nil, err
	}
	if pl.yd, err = cuda.NewTensorDesc(dt, y4, nil); err != nil {
		return nil, err
	}
	if pl.wd, err = cuda.NewFilterDesc(dt, w4); err != nil {
		return nil, err
	}
	math := cuda.MathTensorOp
	if e.pedantic() {
		math = cuda.MathFMA
	}
	if pl.cd, err = cuda.NewConvDesc(cuda.ConvParams{Pads: pb, Strides: s, Dilations: dl, Groups: groups,
		Mode: cuda.ModeCrossCorrelation, ComputeType: cuda.DNNFloat, Math: math}); err != nil {
		return nil, err
	}
	// The forward convolution of the (deconvolution's) output must give the input.
	fx, fy := pl.xd, pl.yd
	if e.deconv {
		fx, fy = pl.yd, pl.xd
	}
	got, err := cuda.ConvOutputDims(pl.cd, fx, pl.wd)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(got, fy.Dims) {
		pl.close()
		return &convPlan{fallback: fmt.Sprintf("cuDNN output dims %v, want %v", got, fy.Dims)}, nil
	}
	if err := e.chooseAlgo(p, pl); err != nil {
		return nil, err
	}
	return pl, nil
}

// chooseAlgo times cuDNN's algorithms (falling back to its heuristics) and
// keeps the fastest that fits the workspace bound.
func (e *convExec) chooseAlgo(p *program, pl *convPlan) error {
	p.planMu.Lock()
	defer p.planMu.Unlock()
	h, err := p.dnnForPlanning()
	if err != nil {
		return err
	}
	list := func(find bool) ([]cuda.ConvAlgoPerf, error) {
		if e.deconv {
			return h.ConvBackwardDataAlgorithms(pl.wd, pl.xd, pl.cd, pl.yd, find)
		}
		return h.ConvForwardAlgorithms(pl.xd, pl.wd, pl.cd, pl.yd, find)
	}
	perfs, err := list(true)
	if err != nil || !anyUsable(perfs) {
		if perfs, err = list(false); err != nil {
			return err
		}
	}
	var pick *cuda.ConvAlgoPerf
	prefs := []func(cuda.ConvAlgoPerf) bool{func(q cuda.ConvAlgoPerf) bool { return true }}
	if e.pedantic() {
		prefs = []func(cuda.ConvAlgoPerf) bool{
			func(q cuda.ConvAlgoPerf) bool { return q.Math == cuda.MathFMA },
			func(q cuda.ConvAlgoPerf) bool {
				return q.Math != cuda.MathTensorOp && q.Math != cuda.MathTensorOpAllowConversion
			},
		}
	}
	for _, ok := range prefs {
		for i := range perfs {
			if perfs[i].Status == 0 && perfs[i].Memory <= convWorkspace && ok(perfs[i]) {
				pick = &perfs[i]
				break
			}
		}
		if pick != nil {
			break
		}
	}
	if pick == nil {
		return fmt.Errorf("cuDNN has no usable algorithm (%+v)", perfs)
	}
	if !e.pedantic() {
		// TF32/FP16/BF16: the math type the algorithm was measured with.
		if err := pl.cd.SetMath(pick.Math); err != nil {
			return err
		}
	}
	pl.algo = pick.Algo
	var ws uint64
	if e.deconv {
		ws, err = h.ConvBackwardDataWorkspaceSize(pl.wd, pl.xd, pl.cd, pl.yd, cuda.ConvBwdDataAlgo(pick.Algo))
	} else {
		ws, err = h.ConvForwardWorkspaceSize(pl.xd, pl.wd, pl.cd, pl.yd, cuda.ConvFwdAlgo(pick.Algo))
	}
	if err != nil {
		return err
	}
	pl.ws = max(ws, pick.Memory)
	return nil
}

func anyUsable(ps []cuda.ConvAlgoPerf) bool {
	for _, q := range ps {
		if q.Status == 0 {
			return true
		}
	}
	return false
}

func (e *convExec) run(r *runner, ps *pstep, dims [][]int) error {
	for j, sl := range ps.ins {
		if sl >= 0 && !(j == 2 && e.constBias && e.bias != nil) {
			if err := r.ensureDevice(sl); err != nil {
				return err
			}
		}
	}
	x, w := r.input(ps, 0), r.input(ps, 1)
	pl, err := e.planFor(r.p, x.dims, w.dims, dims[0])
	if err != nil {
		return err
	}
	if pl.fallback != "" {
		return errFallback
	}
	out := r.setOut(ps, 0, dims[0])
	if err := r.alloc(out); err != nil {
		return err
	}
	if out.n == 0 {
		return nil
	}
	target := out.ptr()
	if out.typ != e.prec {
		tb, err := r.temp(out.n * elemSize(e.prec))
		if err != nil {
			return err
		}
		target = tb.Ptr()
	}
	dnn, err := r.getDNN()
	if err != nil {
		return err
	}
	xp := x.ptr()
	if pl.pad != nil {
		tb, err := r.temp(ir.Volume(pl.padDims) * elemSize(e.prec))
		if err != nil {
			return err
		}
		if err := r.padKernel(pl.pad, e.prec, x.ptr(), x.dims, tb.Ptr(), pl.padDims); err != nil {
			return err
		}
		xp = tb.Ptr()
	}
	ws, err := r.workspace(pl.ws)
	if err != nil {
		return err
	}
	if e.deconv {
		yp := target
		if pl.crop != nil {
			tb, err := r.temp(ir.Volume(pl.padDims) * elemSize(e.prec))
			if err != nil {
				return err
			}
			yp = tb.Ptr()
		}
		err = dnn.ConvBackwardData(1, pl.wd, w.ptr(), pl.xd, xp, pl.cd, cuda.ConvBwdDataAlgo(pl.algo), ws, 0, pl.yd, yp)
		if err == nil && pl.crop != nil {
			err = r.padKernel(pl.crop, e.prec, yp, pl.padDims, target, dims[0])
		}
	} else {
		err = dnn.ConvForward(1, pl.xd, xp, pl.wd, w.ptr(), pl.cd, cuda.ConvFwdAlgo(pl.algo), ws, 0, pl.yd, target)
	}
	if err != nil {
		return err
	}
	if !e.hasBias && len(e.acts) == 0 && out.typ == e.prec {
		return nil
	}
	var bias cuda.DevicePtr
	if e.hasBias {
		if e.bias != nil {
			bias = e.bias.Ptr()
		} else {
			b := r.input(ps, 2)
			tb, err := r.temp(b.n * 4)
			if err != nil {
				return err
			}
			if err := r.d.bi.cast(r.stream, b.ptr(), b.typ, tb.Ptr(), ir.Float, b.n); err != nil {
				return err
			}
			bias = tb.Ptr()
		}
	}
	return r.d.bi.epilogue(r.stream, target, e.prec, out.ptr(), out.typ, out.n, bias, pl.inner, pl.C, e.acts)
}

// getDNN returns the runner's cuDNN handle, bound to its stream.
func (r *runner) getDNN() (*cuda.DNN, error) {
	if r.dnn != nil {
		return r.dnn, nil
	}
	if r.capturing {
		return nil, errCapture
	}
	h, err := r.d.getDNN(r.stream)
	if err != nil {
		return nil, err
	}
	r.dnn = h
	return h, nil
}

// padKernel pads (or, with negative pads, crops) x into y with the kernel
// library's Padding kernel.
func (r *runner) padKernel(n *ir.Node, t ir.DataType, x cuda.DevicePtr, xd []int, y cuda.DevicePtr, yd []int) error {
	if r.d.lib == nil {
		return errFallback
	}
	return r.d.lib.Launch(&kCall{Node: n, Precision: t, Stream: r.stream,
		In: []kTensor{{Ptr: x, Type: t, Dims: xd}}, Values: []*ir.Data{nil}, Out: []kTensor{{Ptr: y, Type: t, Dims: yd}}})
}
