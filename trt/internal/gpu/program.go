package gpu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/cpu"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// placement is where a step runs.
type placement uint8

const (
	placeGPU       placement = iota // device kernels
	placeHost                       // host fallback: inputs copied to the host, CPU kernel, outputs back
	placeHostShape                  // shape arithmetic on values that are on the host anyway
)

// executor runs a device step. dims are the dims of the step's final outputs.
// It may return errFallback to run the step on the host instead (a
// configuration the device kernels do not cover, found at run time).
type executor interface {
	run(r *runner, ps *pstep, dims [][]int) error
}

var errFallback = errors.New("no device kernel for this configuration")

// pstep is a step as the program runs it.
type pstep struct {
	s     *ir.Step
	idx   int
	node  *ir.Node
	place placement
	ex    executor
	why   string // why the step is not on the GPU
	ins   []int  // slot of each head input (-1: absent)
	outs  []int  // slot of each final output
	free  []int  // slots whose last reader this step is
	// hostParam marks inputs whose values are needed on the host (shapes,
	// axes, pads, scales ...).
	hostParam  []bool
	staticDims [][]int // final output dims when known at build time
	acts       []act   // epilogue activations (device steps)

	hostOnce sync.Once
	host     *hostExec
	hostErr  error
}

// finalOutputs are the tensors a step produces: the last fused member's
// output 0, and the head's other outputs.
func finalOutputs(s *ir.Step) []*ir.Tensor {
	outs := append([]*ir.Tensor{}, s.Node.Outputs...)
	if len(s.Epilogue) > 0 {
		outs[0] = s.Epilogue[len(s.Epilogue)-1].Outputs[0]
	}
	return outs
}

// constVal is a constant: its host value (in the tensor's type) and, when a
// device step reads it, its place in the program's constant arena.
type constVal struct {
	host *ir.Data
	dev  *dbuf
}

type program struct {
	d      *device
	plan   *ir.Plan
	slotOf map[int]int
	tens   []*ir.Tensor // by slot
	steps  []*pstep
	byStep map[*ir.Step]*pstep
	consts map[int]*constVal // by slot
	arena  *cuda.Buffer
	// keyInputs are the plan inputs whose values are read on the host
	// (shape-like inputs): a CUDA graph is only valid for the same values.
	keyInputs []int
	inSlots   []int
	outSlots  []int
	isInput   []bool // by slot
	// biases holds FP32 copies of constant convolution biases.
	biases map[*ir.Node]*cuda.Buffer

	mu      sync.Mutex
	runners int
	closed  bool
	freed   bool
	// planMu guards planDNN, the cuDNN handle for algorithm searches.
	planMu  sync.Mutex
	planDNN *cuda.DNN
}

// hostParamInput reports whether input i of n is needed as a host value by
// the device kernels: parameter inputs, except index data that kernels read on
// the device (Gather/Scatter indices, OneHot indices, RNN sequence lengths).
func hostParamInput(n *ir.Node, i int) bool {
	if !ir.IsParamInput(n, i) {
		return false
	}
	switch n.Kind {
	case ir.KindGather, ir.KindScatter, ir.KindRNN:
		return false
	case ir.KindOneHot:
		return i != 0
	}
	return true
}

func isConstTensor(t *ir.Tensor) bool {
	return t != nil && t.Const != nil && (t.Producer == nil || t.Producer.Kind == ir.KindConstant)
}

func newProgram(ctx context.Context, d *device, plan *ir.Plan) (_ *program, err error) {
	p := &program{d: d, plan: plan, slotOf: map[int]int{}, byStep: map[*ir.Step]*pstep{},
		consts: map[int]*constVal{}, biases: map[*ir.Node]*cuda.Buffer{}}
	defer func() {
		if err != nil {
			p.free()
		}
	}()
	slot := func(t *ir.Tensor) int {
		if t == nil {
			return -1
		}
		if s, ok := p.slotOf[t.ID]; ok {
			return s
		}
		s := len(p.tens)
		p.slotOf[t.ID] = s
		p.tens = append(p.tens, t)
		return s
	}
	for _, t := range plan.Graph.Tensors {
		slot(t)
	}
	for _, t := range plan.Inputs {
		p.inSlots = append(p.inSlots, slot(t))
	}
	for _, t := range plan.Outputs {
		p.outSlots = append(p.outSlots, slot(t))
	}
	defer func() {
		p.isInput = make([]bool, len(p.tens))
		for _, sl := range p.inSlots {
			p.isInput[sl] = true
		}
	}()
	progress := func(phase string, done, total int) {
		if plan.Progress != nil {
			plan.Progress(phase, done, total)
		}
	}
	// Steps: slots, host parameters, static dims.
	for i, s := range plan.Steps {
		ps := &pstep{s: s, idx: i, node: s.Node}
		for j, t := range s.Node.Inputs {
			ps.ins = append(ps.ins, slot(t))
			ps.hostParam = append(ps.hostParam, t != nil && hostParamInput(s.Node, j))
		}
		known := true
		for _, t := range finalOutputs(s) {
			ps.outs = append(ps.outs, slot(t))
			if !ir.DimsKnown(t.Dims) {
				known = false
			}
		}
		if known {
			for _, t := range finalOutputs(s) {
				ps.staticDims = append(ps.staticDims, append([]int{}, t.Dims...))
			}
		}
		for _, id := range s.Free {
			if sl, ok := p.slotOf[id]; ok {
				ps.free = append(ps.free, sl)
			}
		}
		p.steps = append(p.steps, ps)
		p.byStep[s] = ps
	}
	for sl, t := range p.tens {
		if isConstTensor(t) {
			v := t.Const
			if v.Type != t.Type && deviceType(t.Type) {
				v = convertData(v, t.Type)
			}
			p.consts[sl] = &constVal{host: v}
		}
	}
	// Placement.
	hostVal := map[int]bool{}
	for sl := range p.consts {
		hostVal[sl] = true
	}
	for i, ps := range p.steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.place(ps, hostVal)
		progress("cuda: place layers", i+1, len(p.steps))
	}
	// Plan inputs read on the host.
	inputIdx := map[int]int{}
	for i, sl := range p.inSlots {
		inputIdx[sl] = i
	}
	keySet := map[int]bool{}
	for _, ps := range p.steps {
		for j, sl := range ps.ins {
			if sl < 0 {
				continue
			}
			if _, ok := inputIdx[sl]; !ok {
				continue
			}
			if (ps.place == placeGPU && ps.hostParam[j]) || (ps.place == placeHostShape && ps.node.Kind != ir.KindShape) {
				keySet[inputIdx[sl]] = true
			}
		}
	}
	for i := range p.inSlots {
		if keySet[i] {
			p.keyInputs = append(p.keyInputs, i)
		}
	}
	if err := p.uploadConsts(); err != nil {
		return nil, err
	}
	if err := p.prepareKernels(ctx, progress); err != nil {
		return nil, err
	}
	p.tracePlacement()
	return p, nil
}

// tracePlacement appends "kind<TAB>gpu|host<TAB>reason" per step to the file
// named by $GOTRT_CUDA_PLACEMENT (a debugging aid).
func (p *program) tracePlacement() {
	path := os.Getenv("GOTRT_CUDA_PLACEMENT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	for _, ps := range p.steps {
		if ps.node.Kind == ir.KindConstant {
			continue
		}
		fmt.Fprintf(f, "%s\t%s\t%s\n", ps.node.Kind, p.Placement(ps.s), p.HostReason(ps.s))
	}
}

// shapeStep reports whether a step is shape arithmetic: a Shape layer, or an
// integer layer whose inputs are all host values (constants and other shape
// arithmetic).
func shapeStep(ps *pstep, hostVal map[int]bool) bool {
	n := ps.node
	if n.Kind == ir.KindShape {
		return true
	}
	if !cpu.HasKernel(n.Kind) || len(ps.s.Epilogue) > 0 || len(n.Inputs) == 0 {
		return false
	}
	for _, t := range ps.s.OutTypes {
		if !ir.IsIntLike(t) {
			return false
		}
	}
	for _, sl := range ps.ins {
		if sl >= 0 && !hostVal[sl] {
			return false
		}
	}
	if ps.staticDims != nil {
		for _, d := range ps.staticDims {
			if ir.Volume(d) > 1<<16 {
				return false
			}
		}
	}
	return true
}

func (p *program) place(ps *pstep, hostVal map[int]bool) {
	n, s := ps.node, ps.s
	defer func() {
		if ps.place == placeHostShape {
			for _, sl := range ps.outs {
				hostVal[sl] = true
			}
		}
	}()
	if n.Kind == ir.KindConstant {
		ps.place, ps.ex = placeGPU, constExec{}
		return
	}
	if shapeStep(ps, hostVal) {
		ps.place = placeHostShape
		return
	}
	ps.place = placeHost
	for _, t := range n.Inputs {
		if t != nil && (!deviceType(t.Type) || t.Type == ir.Double) {
			ps.why = fmt.Sprintf("input type %v", t.Type)
			return
		}
	}
	for _, t := range s.OutTypes {
		if !deviceType(t) || t == ir.Double {
			ps.why = fmt.Sprintf("output type %v", t)
			return
		}
	}
	if len(s.Epilogue) > 0 {
		acts, ok := actsOf(s.Epilogue)
		if !ok || !isFloatTag(s.OutTypes[0]) {
			ps.why = "epilogue"
			return
		}
		ps.acts = acts
	}
	inTypes := make([]ir.DataType, len(n.Inputs))
	for i, t := range n.Inputs {
		if t != nil {
			inTypes[i] = t.Type
		}
	}
	floatData := isFloatTag(s.Precision) && len(n.Inputs) > 0 && n.Inputs[0] != nil && isFloatTag(n.Inputs[0].Type)
	var ex executor
	switch n.Kind {
	case ir.KindCast, ir.KindIdentity:
		if canCast(inTypes[0], s.OutTypes[0]) {
			ex = castExec{}
		}
	case ir.KindShuffle:
		if sp := n.Params.(*ir.ShuffleParams); canCast(inTypes[0], s.OutTypes[0]) {
			e := &reshapeExec{p: sp, libOK: p.d.lib != nil && p.d.lib.Supports(n, s.Precision, inTypes)}
			if e.libOK || e.viewStatic(n.Inputs[0].Dims, ps.staticDims) {
				ex = e
			}
		}
	case ir.KindActivation:
		if floatData && isFloatTag(s.OutTypes[0]) {
			if acts, ok := actsOf(append([]*ir.Node{n}, s.Epilogue...)); ok {
				ex = &actExec{acts: acts}
			}
		}
	case ir.KindMatrixMultiply:
		if floatData && p.d.lt != nil && inTypes[0] == inTypes[1] && inTypes[0] == s.Precision && isFloatTag(s.OutTypes[0]) {
			ex = newGemmExec(ps)
		}
	case ir.KindConvolution, ir.KindDeconvolution:
		if floatData && p.d.hasDNN && len(n.Inputs[0].Dims) >= 3 && len(n.Inputs[0].Dims) <= 5 &&
			inTypes[1] == s.Precision && inTypes[0] == s.Precision && isFloatTag(s.OutTypes[0]) &&
			(len(n.Inputs) < 3 || n.Inputs[2] == nil || isFloatTag(inTypes[2])) {
			ex = newConvExec(ps)
		}
	}
	if ex == nil && p.d.lib != nil && p.d.lib.Supports(n, s.Precision, inTypes) {
		ex = &kernExec{}
	}
	if ex == nil {
		switch {
		case p.d.lib == nil:
			ps.why = "no kernel library: " + p.d.libErr.Error()
		default:
			ps.why = "no device kernel"
		}
		return
	}
	ps.place, ps.ex = placeGPU, ex
}

// devReads reports whether a device step reads input slot j's data on the
// device.
func (ps *pstep) devReads(j int) bool {
	return ps.place == placeGPU && ps.ins[j] >= 0 && !ps.hostParam[j]
}

// uploadConsts puts every constant a device step reads into one arena.
func (p *program) uploadConsts() error {
	need := map[int]bool{}
	for _, ps := range p.steps {
		for j, sl := range ps.ins {
			if ps.devReads(j) {
				need[sl] = true
			}
		}
	}
	const align = 256
	total := 0
	type item struct {
		slot, off, n int
	}
	var items []item
	for sl := range need {
		c, ok := p.consts[sl]
		if !ok {
			continue
		}
		t := p.tens[sl]
		n := ir.Volume(c.host.Dims) * elemSize(t.Type)
		if n == 0 {
			c.dev = &dbuf{}
			continue
		}
		items = append(items, item{sl, total, n})
		total += (n + align - 1) / align * align
	}
	if total == 0 {
		return nil
	}
	host := make([]byte, total)
	for _, it := range items {
		if err := encodeInto(host[it.off:it.off+it.n], p.consts[it.slot].host, p.tens[it.slot].Type); err != nil {
			return fmt.Errorf("constant %q: %w", p.tens[it.slot].Name, err)
		}
	}
	buf, err := p.d.ctx.Alloc(total)
	if err != nil {
		return fmt.Errorf("uploading %d bytes of constants: %w", total, err)
	}
	p.arena = buf
	if err := cuda.CopyHtoD(buf, host); err != nil {
		return err
	}
	base := buf.Ptr()
	for _, it := range items {
		p.consts[it.slot].dev = &dbuf{ptr: base + cuda.DevicePtr(it.off)}
	}
	return nil
}

// prepareKernels plans the GEMMs and convolutions whose shapes are known at
// build time, timing cuDNN's algorithms.
func (p *program) prepareKernels(ctx context.Context, progress func(string, int, int)) error {
	var todo []*pstep
	for _, ps := range p.steps {
		if _, ok := ps.ex.(preparer); ok {
			todo = append(todo, ps)
		}
	}
	for i, ps := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		why, err := ps.ex.(preparer).prepare(p, ps)
		if err != nil {
			return fmt.Errorf("layer %q (%s): %w", ps.node.Name, ps.node.Kind, err)
		}
		if why != "" {
			// The device kernels do not cover this configuration.
			if c, ok := ps.ex.(closer); ok {
				c.close()
			}
			ps.place, ps.ex, ps.why = placeHost, nil, why
		}
		progress("cuda: choose kernels", i+1, len(todo))
	}
	return nil
}

// preparer is an executor with build-time work. A non-empty fallback says
// the step's (static) configuration has no device kernel.
type preparer interface {
	prepare(p *program, ps *pstep) (fallback string, err error)
}

// dnnForPlanning returns the program's cuDNN handle for algorithm searches;
// the caller holds p.planMu.
func (p *program) dnnForPlanning() (*cuda.DNN, error) {
	if p.planDNN != nil {
		return p.planDNN, nil
	}
	h, err := p.d.getDNN(nil)
	if err != nil {
		return nil, err
	}
	p.planDNN = h
	return h, nil
}

// Placement says where a step runs: "gpu" or "host".
func (p *program) Placement(s *ir.Step) string {
	ps, ok := p.byStep[s]
	if !ok || ps.place != placeGPU {
		return "host"
	}
	return "gpu"
}

// HostReason says why a step is not on the GPU ("" when it is).
func (p *program) HostReason(s *ir.Step) string {
	ps, ok := p.byStep[s]
	if !ok {
		return "unknown step"
	}
	switch ps.place {
	case placeHostShape:
		return "shape arithmetic"
	case placeHost:
		return ps.why
	}
	return ""
}

func (p *program) NewContext() (ir.Runner, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("cuda: program is closed")
	}
	p.runners++
	p.mu.Unlock()
	r, err := newRunner(p)
	if err != nil {
		p.runnerDone()
	}
	return r, err
}

// runnerDone is called when a runner closes: the program's memory goes once
// the program is closed and no runner uses it.
func (p *program) runnerDone() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runners--
	if p.closed && p.runners == 0 {
		p.freeLocked()
	}
}

// Close releases the program: at once when no execution context is open,
// otherwise when the last one closes.
func (p *program) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if p.runners == 0 {
		p.freeLocked()
	}
	return nil
}

func (p *program) free() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.freeLocked()
}

func (p *program) freeLocked() {
	if p.freed {
		return
	}
	p.freed = true
	for _, ps := range p.steps {
		if c, ok := ps.ex.(closer); ok {
			c.close()
		}
	}
	for _, b := range p.biases {
		b.Close()
	}
	if p.arena != nil {
		p.arena.Close()
	}
	p.planMu.Lock()
	if p.planDNN != nil {
		p.d.putDNN(p.planDNN)
		p.planDNN = nil
	}
	p.planMu.Unlock()
}

// closer is an executor holding device resources (plans, descriptors).
type closer interface{ close() }
