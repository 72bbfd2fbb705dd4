package trt

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Engine is a built network ready to run (TensorRT's ICudaEngine).
type Engine struct {
	plan    *ir.Plan
	info    *buildInfo
	prog    ir.Program
	backend ir.Backend
	logger  Logger

	mu     sync.Mutex
	closed bool
	ctxs   int
}

func newEngine(ctx context.Context, plan *ir.Plan, info *buildInfo, name Backend, logger Logger) (*Engine, error) {
	if name == "" {
		name = Backend(info.Backend)
	}
	be, err := openBackend(name)
	if err != nil {
		return nil, err
	}
	info.Backend = be.Name()
	prog, err := be.Prepare(ctx, plan)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBuild, err)
	}
	if logger == nil {
		logger = nopLogger{}
	}
	return &Engine{plan: plan, info: info, prog: prog, backend: be, logger: logger}, nil
}

// Serialize writes the engine plan: versioned and checksummed.
func (e *Engine) Serialize() ([]byte, error) {
	if e.isClosed() {
		return nil, ErrClosed
	}
	return encodePlan(e.plan, e.info)
}

// Deserialize loads a serialized engine for a backend (empty = the backend it
// was built for). A damaged, truncated or foreign plan is an error matching
// ErrBadPlan.
func Deserialize(ctx context.Context, b []byte, backend Backend, logger Logger) (*Engine, error) {
	plan, info, err := decodePlan(b)
	if err != nil {
		return nil, err
	}
	return newEngine(ctx, plan, info, backend, logger)
}

func (e *Engine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Close releases the engine's backend resources.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	return e.prog.Close()
}

// Backend names the backend the engine runs on.
func (e *Engine) Backend() string { return e.backend.Name() }

// IOTensor describes an engine input or output.
type IOTensor struct {
	Name  string
	Type  DataType
	Dims  Dims
	Input bool
}

// Inputs lists the engine inputs.
func (e *Engine) Inputs() []IOTensor {
	var out []IOTensor
	for _, t := range e.plan.Inputs {
		out = append(out, IOTensor{Name: t.Name, Type: t.Type, Dims: append(Dims{}, t.Dims...), Input: true})
	}
	return out
}

// Outputs lists the engine outputs.
func (e *Engine) Outputs() []IOTensor {
	var out []IOTensor
	for _, t := range e.plan.Outputs {
		out = append(out, IOTensor{Name: t.Name, Type: t.Type, Dims: append(Dims{}, t.Dims...)})
	}
	return out
}

// Warnings are the builder's warnings (fallbacks, ignored settings).
func (e *Engine) Warnings() []string { return append([]string{}, e.info.Warnings...) }

// LayerInfo is the inspector's record of one step of the engine.
type LayerInfo struct {
	Name      string       `json:"name"`
	Kind      string       `json:"kind"`
	Precision string       `json:"precision"`
	TF32      bool         `json:"tf32,omitempty"`
	Inputs    []TensorInfo `json:"inputs"`
	Outputs   []TensorInfo `json:"outputs"`
	// Fused lists the layers fused into this step (the step's own first).
	Fused []string `json:"fused_members,omitempty"`
	// Conversion marks a reformat the builder inserted at a precision boundary.
	Conversion bool `json:"conversion,omitempty"`
	// Requested is the per-layer precision that was asked for, if any.
	Requested string `json:"requested_precision,omitempty"`
	// Device is where the step runs on backends that place steps (CUDA):
	// "gpu", or "host" (host fallback with the CPU kernels, or host-side
	// shape arithmetic).
	Device string `json:"device,omitempty"`
}

// TensorInfo is a tensor in the inspector.
type TensorInfo struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Dims Dims   `json:"dims"`
}

// EngineInfo is the inspector's view of the whole engine.
type EngineInfo struct {
	Backend     string      `json:"backend"`
	Flags       string      `json:"flags"`
	Constraints string      `json:"precision_constraints"`
	Layers      []LayerInfo `json:"layers"`
	Folded      []string    `json:"folded_layers,omitempty"`
	Warnings    []string    `json:"warnings,omitempty"`
	Inputs      []IOTensor  `json:"inputs"`
	Outputs     []IOTensor  `json:"outputs"`
}

// Inspector reports how the engine was built (TensorRT's IEngineInspector).
type Inspector struct{ e *Engine }

// CreateEngineInspector makes an inspector.
func (e *Engine) CreateEngineInspector() *Inspector { return &Inspector{e} }

// Info returns every layer's record.
func (in *Inspector) Info() *EngineInfo {
	e := in.e
	ei := &EngineInfo{Backend: e.backend.Name(), Flags: e.info.Flags.String(), Constraints: e.info.Constraints.String(),
		Folded: e.info.Folded, Warnings: e.info.Warnings, Inputs: e.Inputs(), Outputs: e.Outputs()}
	for _, s := range e.plan.Steps {
		ei.Layers = append(ei.Layers, e.layerInfo(s))
	}
	return ei
}

// layerInfo is a step's record with the device it runs on.
func (e *Engine) layerInfo(s *ir.Step) LayerInfo {
	li := layerInfo(s)
	if p, ok := e.prog.(ir.Placer); ok {
		li.Device = p.Placement(s)
	}
	return li
}

func precisionName(s *ir.Step) string {
	if s.TF32 {
		return "TF32"
	}
	return s.Precision.String()
}

func layerInfo(s *ir.Step) LayerInfo {
	n := s.Node
	li := LayerInfo{Name: n.Name, Kind: n.Kind.String(), Precision: precisionName(s), TF32: s.TF32}
	if cp, ok := n.Params.(*ir.CastParams); ok && cp.Inserted {
		li.Conversion = true
	}
	if n.PrecisionSet {
		li.Requested = n.Precision.String()
	}
	for _, t := range n.Inputs {
		if t != nil {
			li.Inputs = append(li.Inputs, TensorInfo{Name: t.Name, Type: t.Type.String(), Dims: append(Dims{}, t.Dims...)})
		}
	}
	last := n
	if len(s.Epilogue) > 0 {
		li.Fused = s.Members()
		last = s.Epilogue[len(s.Epilogue)-1]
	}
	for i, t := range last.Outputs {
		typ := t.Type
		if i < len(s.OutTypes) {
			typ = s.OutTypes[i]
		}
		li.Outputs = append(li.Outputs, TensorInfo{Name: t.Name, Type: typ.String(), Dims: append(Dims{}, t.Dims...)})
	}
	return li
}

// LayerInformation returns one layer's record as JSON (TensorRT's
// getLayerInformation with kJSON).
func (in *Inspector) LayerInformation(i int) (string, error) {
	if i < 0 || i >= len(in.e.plan.Steps) {
		return "", fmt.Errorf("layer index %d out of range (engine has %d)", i, len(in.e.plan.Steps))
	}
	b, err := json.Marshal(in.e.layerInfo(in.e.plan.Steps[i]))
	return string(b), err
}

// NumLayers is the number of engine steps.
func (in *Inspector) NumLayers() int { return len(in.e.plan.Steps) }

// WriteJSON writes the engine information as indented JSON.
func (in *Inspector) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(in.Info())
}

// OneLine formats a layer record on one line.
func (li LayerInfo) OneLine() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s", li.Name, li.Kind, li.Precision)
	var ins, outs []string
	for _, t := range li.Inputs {
		ins = append(ins, fmt.Sprintf("%s:%s%v", t.Name, t.Type, t.Dims))
	}
	for _, t := range li.Outputs {
		outs = append(outs, fmt.Sprintf("%s:%s%v", t.Name, t.Type, t.Dims))
	}
	fmt.Fprintf(&b, " (%s) -> (%s)", strings.Join(ins, ", "), strings.Join(outs, ", "))
	if len(li.Fused) > 0 {
		fmt.Fprintf(&b, " fused={%s}", strings.Join(li.Fused, ", "))
	}
	if li.Conversion {
		b.WriteString(" [conversion added by builder]")
	}
	if li.Requested != "" {
		fmt.Fprintf(&b, " requested=%s", li.Requested)
	}
	if li.Device != "" && li.Kind != "Constant" {
		fmt.Fprintf(&b, " on=%s", li.Device)
	}
	return b.String()
}

// WriteText writes one line per layer.
func (in *Inspector) WriteText(w io.Writer) {
	info := in.Info()
	fmt.Fprintf(w, "Engine: backend=%s flags=%s constraints=%s layers=%d\n", info.Backend, info.Flags, info.Constraints, len(info.Layers))
	for _, l := range info.Layers {
		fmt.Fprintln(w, l.OneLine())
	}
	if len(info.Folded) > 0 {
		fmt.Fprintf(w, "Folded into constants: %s\n", strings.Join(info.Folded, ", "))
	}
	for _, wn := range info.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", wn)
	}
}

// LayerPrecisions maps each computing layer's name to the precision it ran
// in; fused members report their step's precision. Constants and the
// conversions the builder inserted are left out (the inspector lists them).
func (e *Engine) LayerPrecisions() map[string]string {
	m := map[string]string{}
	for _, s := range e.plan.Steps {
		if cp, ok := s.Node.Params.(*ir.CastParams); ok && cp.Inserted {
			continue
		}
		if s.Node.Kind == ir.KindConstant {
			continue
		}
		for _, name := range s.Members() {
			m[name] = precisionName(s)
		}
	}
	return m
}

// Profiler receives per-layer timings after each run (TensorRT's IProfiler).
type Profiler interface {
	ReportLayerTime(layerName string, ms float32)
}

// ExecutionContext runs an engine; create one per goroutine.
type ExecutionContext struct {
	e        *Engine
	r        ir.Runner
	shapes   map[string]Dims
	inputs   map[string]*ir.Data
	outputs  map[string]*ir.Data
	profiler Profiler
	closed   bool
}

// CreateExecutionContext makes a context.
func (e *Engine) CreateExecutionContext() (*ExecutionContext, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	r, err := e.prog.NewContext()
	if err != nil {
		return nil, err
	}
	e.ctxs++
	return &ExecutionContext{e: e, r: r, shapes: map[string]Dims{}, inputs: map[string]*ir.Data{}}, nil
}

// Close releases the context.
func (c *ExecutionContext) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	return c.r.Close()
}

// SetProfiler installs a profiler (nil removes it).
func (c *ExecutionContext) SetProfiler(p Profiler) {
	c.profiler = p
	c.r.SetProfiling(p != nil)
}

func (c *ExecutionContext) input(name string) (*ir.Tensor, error) {
	for _, t := range c.e.plan.Inputs {
		if t.Name == name {
			return t, nil
		}
	}
	var names []string
	for _, t := range c.e.plan.Inputs {
		names = append(names, t.Name)
	}
	return nil, fmt.Errorf("%w: engine has no input %q (inputs: %s)", ErrInvalidInput, name, strings.Join(names, ", "))
}

// SetInputShape sets the run-time dims of a dynamic input.
func (c *ExecutionContext) SetInputShape(name string, d Dims) error {
	t, err := c.input(name)
	if err != nil {
		return err
	}
	if err := c.checkDims(t, d); err != nil {
		return err
	}
	c.shapes[name] = append(Dims{}, d...)
	return nil
}

func (c *ExecutionContext) checkDims(t *ir.Tensor, d Dims) error {
	if len(d) != len(t.Dims) {
		return fmt.Errorf("%w: input %q has rank %d, got dims %v", ErrInvalidInput, t.Name, len(t.Dims), d)
	}
	for i, v := range d {
		if v < 0 || (t.Dims[i] >= 0 && t.Dims[i] != v) {
			return fmt.Errorf("%w: input %q dims %v do not match the engine's %s", ErrInvalidInput, t.Name, d, ir.DimsString(t.Dims))
		}
	}
	if len(c.e.plan.Profiles) > 0 {
		p := c.e.plan.Profiles[0]
		if mn, mx := p.Min[t.Name], p.Max[t.Name]; mn != nil && mx != nil {
			for i, v := range d {
				if v < mn[i] || v > mx[i] {
					return fmt.Errorf("%w: input %q dims %v are outside the optimization profile [%v, %v]", ErrInvalidInput, t.Name, d, mn, mx)
				}
			}
		}
	}
	return nil
}

// SetInput binds the data of an input. The host tensor's type must match the
// engine input's type and its dims the engine's (dynamic dims take the tensor's).
func (c *ExecutionContext) SetInput(name string, h *HostTensor) error {
	t, err := c.input(name)
	if err != nil {
		return err
	}
	if h == nil {
		return fmt.Errorf("%w: input %q: nil tensor", ErrInvalidInput, name)
	}
	if h.Type != t.Type {
		return fmt.Errorf("%w: input %q needs %v data, got %v", ErrInvalidInput, name, t.Type, h.Type)
	}
	if err := c.checkDims(t, h.Dims); err != nil {
		return err
	}
	if s, ok := c.shapes[name]; ok && !slices.Equal(s, h.Dims) {
		return fmt.Errorf("%w: input %q dims %v differ from the shape set with SetInputShape %v", ErrInvalidInput, name, h.Dims, s)
	}
	hh := *h
	hh.Name = name
	d, err := toData(&hh)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidInput, err)
	}
	c.inputs[name] = d
	return nil
}

// Execute runs the engine on the bound inputs.
func (c *ExecutionContext) Execute(ctx context.Context) error {
	if c.closed || c.e.isClosed() {
		return ErrClosed
	}
	for _, t := range c.e.plan.Inputs {
		if _, ok := c.inputs[t.Name]; !ok {
			return fmt.Errorf("%w: input %q is not set", ErrInvalidInput, t.Name)
		}
	}
	// Callers only ever see copies of the outputs (Output), so the previous
	// run's buffers can go back to the runner's pool.
	if rel, ok := c.r.(ir.OutputReleaser); ok && c.outputs != nil {
		rel.ReleaseOutputs(c.outputs)
	}
	c.outputs = nil
	out, err := c.r.Run(ctx, c.inputs)
	if err != nil {
		return err
	}
	c.outputs = out
	if c.profiler != nil {
		for _, lt := range c.r.Timings() {
			c.profiler.ReportLayerTime(lt.Name, float32(lt.Time.Seconds()*1e3))
		}
	}
	return nil
}

// Output returns an output of the last run as a host tensor of the output's type.
func (c *ExecutionContext) Output(name string) (*HostTensor, error) {
	d, ok := c.outputs[name]
	if !ok {
		if c.outputs == nil {
			return nil, fmt.Errorf("output %q: the context has not run", name)
		}
		return nil, fmt.Errorf("engine has no output %q", name)
	}
	h := fromData(d)
	h.Name = name
	return h, nil
}

// Run binds inputs, executes and returns every output by name.
func (c *ExecutionContext) Run(ctx context.Context, inputs map[string]*HostTensor) (map[string]*HostTensor, error) {
	for name, h := range inputs {
		if err := c.SetInput(name, h); err != nil {
			return nil, err
		}
	}
	if len(inputs) != len(c.e.plan.Inputs) {
		return nil, fmt.Errorf("%w: engine has %d inputs, got %d", ErrInvalidInput, len(c.e.plan.Inputs), len(inputs))
	}
	if err := c.Execute(ctx); err != nil {
		return nil, err
	}
	out := map[string]*HostTensor{}
	for _, t := range c.e.plan.Outputs {
		h, err := c.Output(t.Name)
		if err != nil {
			return nil, err
		}
		out[t.Name] = h
	}
	return out, nil
}

// LayerTimes is a simple Profiler that accumulates per-layer times.
type LayerTimes struct {
	mu    sync.Mutex
	Order []string
	Total map[string]time.Duration
	Runs  int
}

// ReportLayerTime implements Profiler.
func (p *LayerTimes) ReportLayerTime(name string, ms float32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Total == nil {
		p.Total = map[string]time.Duration{}
	}
	if _, ok := p.Total[name]; !ok {
		p.Order = append(p.Order, name)
	}
	p.Total[name] += time.Duration(float64(ms) * 1e6)
}
