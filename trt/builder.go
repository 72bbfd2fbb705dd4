package trt

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gotrt/gotrt/trt/internal/cpu"
	"github.com/gotrt/gotrt/trt/internal/gpu"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// BuilderFlag allows the builder a reduced precision (TensorRT's BuilderFlag).
type BuilderFlag int

// Builder flags.
const (
	FlagFP16 BuilderFlag = 1 << iota
	FlagBF16
	// FlagTF32 lets FP32 convolutions and matrix multiplies use TF32 tensor
	// math (operands rounded to 10 mantissa bits). Set by default.
	FlagTF32
)

func (f BuilderFlag) String() string {
	var s []string
	for _, x := range []struct {
		f BuilderFlag
		n string
	}{{FlagFP16, "FP16"}, {FlagBF16, "BF16"}, {FlagTF32, "TF32"}} {
		if f&x.f != 0 {
			s = append(s, x.n)
		}
	}
	return strings.Join(s, "|")
}

// PrecisionConstraints says how binding per-layer precisions and output types
// are (TensorRT's kOBEY_PRECISION_CONSTRAINTS / kPREFER_PRECISION_CONSTRAINTS).
type PrecisionConstraints int

// Constraint modes.
const (
	// ConstraintsNone: per-layer settings are hints the builder ignores.
	ConstraintsNone PrecisionConstraints = iota
	// ConstraintsPrefer: honoured where the backend can; otherwise the builder
	// falls back and warns, naming the layer.
	ConstraintsPrefer
	// ConstraintsObey: honoured, or the build fails naming the layer.
	ConstraintsObey
)

func (c PrecisionConstraints) String() string {
	return [...]string{"none", "prefer", "obey"}[c]
}

// ParsePrecisionConstraints parses none|prefer|obey.
func ParsePrecisionConstraints(s string) (PrecisionConstraints, error) {
	switch strings.ToLower(s) {
	case "none", "":
		return ConstraintsNone, nil
	case "prefer":
		return ConstraintsPrefer, nil
	case "obey":
		return ConstraintsObey, nil
	}
	return 0, fmt.Errorf("unknown precision constraints %q (want none, prefer or obey)", s)
}

// OptimizationProfile gives min/opt/max dims for dynamic inputs.
type OptimizationProfile struct {
	min, opt, max map[string]Dims
}

// NewOptimizationProfile makes an empty profile.
func NewOptimizationProfile() *OptimizationProfile {
	return &OptimizationProfile{min: map[string]Dims{}, opt: map[string]Dims{}, max: map[string]Dims{}}
}

// SetDimensions sets min, opt and max dims of an input.
func (p *OptimizationProfile) SetDimensions(input string, minD, optD, maxD Dims) {
	p.min[input], p.opt[input], p.max[input] = minD, optD, maxD
}

// Dimensions returns min, opt and max dims of an input (nil if unset).
func (p *OptimizationProfile) Dimensions(input string) (minD, optD, maxD Dims) {
	return p.min[input], p.opt[input], p.max[input]
}

// Backend names an engine backend.
type Backend string

// Backends.
const (
	BackendCPU  Backend = "cpu"
	BackendCUDA Backend = "cuda"
	BackendAuto Backend = "auto"
)

var (
	backendsMu sync.Mutex
	backends   = map[Backend]func() (ir.Backend, error){
		BackendCPU:  func() (ir.Backend, error) { return cpu.Backend{}, nil },
		BackendCUDA: gpu.New,
	}
)

// RegisterBackend installs a backend factory (the CUDA backend registers
// itself when its package is imported).
func RegisterBackend(name Backend, f func() (ir.Backend, error)) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	backends[name] = f
}

func openBackend(name Backend) (ir.Backend, error) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if name == BackendAuto {
		if f, ok := backends[BackendCUDA]; ok {
			if b, err := f(); err == nil {
				return b, nil
			}
		}
		name = BackendCPU
	}
	f, ok := backends[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q (is its package linked in?)", ErrBackend, name)
	}
	b, err := f()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBackend, name, err)
	}
	return b, nil
}

// BuilderConfig configures a build (TensorRT's IBuilderConfig).
type BuilderConfig struct {
	flags       BuilderFlag
	constraints PrecisionConstraints
	profiles    []*OptimizationProfile
	backend     Backend
	progress    func(phase string, done, total int)
}

// NewBuilderConfig makes a config with TF32 allowed (as TensorRT does) on the
// CPU backend.
func NewBuilderConfig() *BuilderConfig {
	return &BuilderConfig{flags: FlagTF32, backend: BackendCPU}
}

// SetFlag allows a precision.
func (c *BuilderConfig) SetFlag(f BuilderFlag) { c.flags |= f }

// ClearFlag disallows a precision (clearing TF32 makes FP32 GEMM and
// convolution pedantic FP32).
func (c *BuilderConfig) ClearFlag(f BuilderFlag) { c.flags &^= f }

// Flag reports whether f is set.
func (c *BuilderConfig) Flag(f BuilderFlag) bool { return c.flags&f == f }

// Flags returns every flag set.
func (c *BuilderConfig) Flags() BuilderFlag { return c.flags }

// SetPrecisionConstraints sets how binding per-layer precisions are.
func (c *BuilderConfig) SetPrecisionConstraints(p PrecisionConstraints) { c.constraints = p }

// PrecisionConstraints returns the constraint mode.
func (c *BuilderConfig) PrecisionConstraints() PrecisionConstraints { return c.constraints }

// AddOptimizationProfile adds a profile (the first one is used for building).
func (c *BuilderConfig) AddOptimizationProfile(p *OptimizationProfile) int {
	c.profiles = append(c.profiles, p)
	return len(c.profiles) - 1
}

// SetBackend picks the engine backend (cpu, cuda or auto).
func (c *BuilderConfig) SetBackend(b Backend) { c.backend = b }

// Backend returns the backend.
func (c *BuilderConfig) Backend() Backend { return c.backend }

// SetProgress receives build progress (phase, done, total).
func (c *BuilderConfig) SetProgress(f func(phase string, done, total int)) { c.progress = f }

// Builder builds engines (TensorRT's IBuilder).
type Builder struct {
	logger Logger
}

// NewBuilder makes a builder; logger may be nil.
func NewBuilder(logger Logger) *Builder {
	if logger == nil {
		logger = nopLogger{}
	}
	return &Builder{logger: logger}
}

// CreateNetwork makes an empty network.
func (b *Builder) CreateNetwork(flags ...NetworkFlag) *Network { return NewNetwork(flags...) }

// CreateBuilderConfig makes a config.
func (b *Builder) CreateBuilderConfig() *BuilderConfig { return NewBuilderConfig() }

// CreateOptimizationProfile makes a profile.
func (b *Builder) CreateOptimizationProfile() *OptimizationProfile { return NewOptimizationProfile() }

// Close releases the builder.
func (b *Builder) Close() error { return nil }

// Build validates the network, folds constants, resolves every layer's
// precision, inserts conversions at precision boundaries, fuses what it can,
// plans memory and prepares the backend.
func (b *Builder) Build(ctx context.Context, net *Network, cfg *BuilderConfig) (*Engine, error) {
	if cfg == nil {
		cfg = NewBuilderConfig()
	}
	plan, info, err := b.plan(ctx, net, cfg)
	if err != nil {
		return nil, err
	}
	return newEngine(ctx, plan, info, cfg.backend, b.logger)
}

func (b *Builder) progress(cfg *BuilderConfig, phase string, done, total int) {
	if cfg.progress != nil {
		cfg.progress(phase, done, total)
	}
}

// plan does the backend-neutral part of the build.
func (b *Builder) plan(ctx context.Context, net *Network, cfg *BuilderConfig) (*ir.Plan, *buildInfo, error) {
	if net == nil {
		return nil, nil, fmt.Errorf("%w: nil network", ErrInvalidNetwork)
	}
	net.dirty = true
	if err := net.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidNetwork, err)
	}
	if _, err := net.g.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidNetwork, err)
	}
	be, err := openBackend(cfg.backend)
	if err != nil {
		return nil, nil, err
	}
	// Work on a copy so the network can change after the build.
	g, err := cloneGraph(net.g)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBuild, err)
	}
	prof, err := b.checkInputs(g, cfg)
	if err != nil {
		return nil, nil, err
	}
	order, err := g.Validate()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidNetwork, err)
	}
	for i, n := range order {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if err := ir.InferNode(n); err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInvalidNetwork, err)
		}
		b.progress(cfg, "infer", i+1, len(order))
	}
	r := &resolver{b: b, cfg: cfg, g: g, be: be, info: &buildInfo{Backend: be.Name(), Flags: cfg.flags, Constraints: cfg.constraints}}
	plan, err := r.run(ctx, order)
	if err != nil {
		return nil, nil, err
	}
	plan.Profiles = prof
	plan.Progress = cfg.progress
	return plan, r.info, nil
}

// checkInputs validates input types and dims against the profiles.
func (b *Builder) checkInputs(g *ir.Graph, cfg *BuilderConfig) ([]ir.Profile, error) {
	var profs []ir.Profile
	for _, p := range cfg.profiles {
		ip := ir.Profile{Min: map[string][]int{}, Opt: map[string][]int{}, Max: map[string][]int{}}
		for name := range p.opt {
			ip.Min[name], ip.Opt[name], ip.Max[name] = p.min[name], p.opt[name], p.max[name]
		}
		profs = append(profs, ip)
	}
	for _, t := range g.Inputs {
		switch t.Type {
		case Float, Half, BF16, Int8, UInt8, Int32, Int64, Bool:
		default:
			return nil, fmt.Errorf("%w: input %q has unsupported type %v", ErrInvalidNetwork, t.Name, t.Type)
		}
		if ir.DimsKnown(t.Dims) {
			continue
		}
		if len(profs) == 0 {
			continue // dims resolved at run time; shapes inferred per run
		}
		p := profs[0]
		mn, op, mx := p.Min[t.Name], p.Opt[t.Name], p.Max[t.Name]
		if op == nil {
			return nil, fmt.Errorf("%w: input %q has dynamic dims %s but the optimization profile does not set them", ErrInvalidNetwork, t.Name, ir.DimsString(t.Dims))
		}
		for _, d := range [][]int{mn, op, mx} {
			if len(d) != len(t.Dims) {
				return nil, fmt.Errorf("%w: profile dims %v of input %q do not match its rank %d", ErrInvalidNetwork, d, t.Name, len(t.Dims))
			}
		}
		for i := range t.Dims {
			if mn[i] > op[i] || op[i] > mx[i] || mn[i] < 0 {
				return nil, fmt.Errorf("%w: profile of input %q needs 0 <= min <= opt <= max, got %v %v %v", ErrInvalidNetwork, t.Name, mn, op, mx)
			}
			if t.Dims[i] >= 0 && (mn[i] != t.Dims[i] || mx[i] != t.Dims[i]) {
				return nil, fmt.Errorf("%w: profile of input %q changes static dim %d", ErrInvalidNetwork, t.Name, i)
			}
			if mn[i] == mx[i] {
				t.Dims[i] = mn[i] // fixed by the profile
			}
		}
	}
	return profs, nil
}

// buildInfo is what the inspector reports beyond the plan.
type buildInfo struct {
	Backend     string
	Flags       BuilderFlag
	Constraints PrecisionConstraints
	Warnings    []string
	Folded      []string // layers folded into constants
}

type resolver struct {
	b    *Builder
	cfg  *BuilderConfig
	g    *ir.Graph
	be   ir.Backend
	info *buildInfo
	// resolved storage type of each tensor
	steps []*ir.Step
	// converted holds constants already converted to a type at build time.
	converted map[convKey]*ir.Tensor
}

type convKey struct {
	t  *ir.Tensor
	to ir.DataType
}

func (r *resolver) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.info.Warnings = append(r.info.Warnings, msg)
	logf(r.b.logger, SeverityWarning, "%s", msg)
}

func hasFloatData(n *ir.Node) bool {
	switch n.Kind {
	case ir.KindShape, ir.KindCast, ir.KindConstant:
		return false
	}
	for _, o := range n.Outputs {
		if o.Type.IsFloat() {
			return true
		}
	}
	for i, t := range n.Inputs {
		if t != nil && t.Type.IsFloat() && !ir.IsParamInput(n, i) {
			return true
		}
	}
	return false
}

func isReduced(t ir.DataType) bool { return t == ir.Half || t == ir.BF16 }

// choose resolves the compute precision of a float layer.
func (r *resolver) choose(n *ir.Node) (ir.DataType, error) {
	if r.g.StronglyTyped {
		var p ir.DataType = ir.Float
		found := false
		for i, t := range n.Inputs {
			if t == nil || !t.Type.IsFloat() || ir.IsParamInput(n, i) {
				continue
			}
			if found && t.Type != p {
				return 0, fmt.Errorf("%w: strongly typed network: layer %q (%s) mixes %v and %v inputs; add a Cast", ErrInvalidNetwork, n.Name, n.Kind, p, t.Type)
			}
			p, found = t.Type, true
		}
		if !found {
			for _, o := range n.Outputs {
				if o.Type.IsFloat() {
					p = o.Type
					break
				}
			}
		}
		if n.PrecisionSet {
			r.warn("layer %q: per-layer precision is ignored in a strongly typed network", n.Name)
		}
		return p, nil
	}
	if n.PrecisionSet && r.cfg.constraints != ConstraintsNone {
		p := n.Precision
		var why string
		switch {
		case !p.IsFloat() || p == ir.Double:
			why = fmt.Sprintf("%v is not a floating-point compute precision", p)
		case !r.be.Supports(n.Kind, p):
			why = fmt.Sprintf("the %s backend has no %v implementation of %s layers", r.be.Name(), p, n.Kind)
		}
		if why == "" {
			return p, nil
		}
		if r.cfg.constraints == ConstraintsObey {
			return 0, fmt.Errorf("%w: layer %q (%s): precision %v requested with obey constraints: %s", ErrPrecision, n.Name, n.Kind, p, why)
		}
		r.warn("layer %q (%s): precision %v cannot be honoured (%s); falling back", n.Name, n.Kind, p, why)
	}
	if r.cfg.Flag(FlagFP16) && r.be.Supports(n.Kind, ir.Half) {
		return ir.Half, nil
	}
	if r.cfg.Flag(FlagBF16) && r.be.Supports(n.Kind, ir.BF16) {
		return ir.BF16, nil
	}
	return ir.Float, nil
}

func (r *resolver) run(ctx context.Context, order []*ir.Node) (*ir.Plan, error) {
	g := r.g
	if r.cfg.constraints == ConstraintsNone && !g.StronglyTyped {
		var set []string
		for _, n := range order {
			if n.PrecisionSet || anyTrue(n.OutTypeSet) {
				set = append(set, n.Name)
			}
		}
		if len(set) > 0 {
			r.warn("%d layer(s) have per-layer precisions or output types (e.g. %q) but precision constraints are none: they are ignored; use prefer or obey", len(set), set[0])
		}
	}
	// Remember each tensor's type as the network defines it: network inputs
	// and outputs keep these.
	declared := map[*ir.Tensor]ir.DataType{}
	for _, t := range g.Tensors {
		declared[t] = t.Type
	}
	var nodes []*ir.Node
	for i, n := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.b.progress(r.cfg, "resolve precision", i+1, len(order))
		if n.PrecisionSet && !g.StronglyTyped && r.cfg.constraints != ConstraintsNone && !hasFloatData(n) &&
			n.Kind != ir.KindConstant && len(n.Outputs) > 0 && n.Precision != n.Outputs[0].Type {
			msg := fmt.Sprintf("layer %q (%s) has no floating-point data; precision %v cannot apply", n.Name, n.Kind, n.Precision)
			if r.cfg.constraints == ConstraintsObey {
				return nil, fmt.Errorf("%w: %s", ErrPrecision, msg)
			}
			r.warn("%s; ignored", msg)
		}
		if n.Kind != ir.KindConstant && allConst(n) {
			r.info.Folded = append(r.info.Folded, n.Name)
			continue // folded: outputs are constants
		}
		step := &ir.Step{Node: n, OutTypes: make([]ir.DataType, len(n.Outputs))}
		if n.Kind == ir.KindConstant {
			step.Precision = n.Outputs[0].Type
			step.OutTypes[0] = n.Outputs[0].Type
			nodes = append(nodes, n)
			r.steps = append(r.steps, step)
			continue
		}
		if hasFloatData(n) {
			p, err := r.choose(n)
			if err != nil {
				return nil, err
			}
			step.Precision = p
			isGemm := n.Kind == ir.KindConvolution || n.Kind == ir.KindDeconvolution || n.Kind == ir.KindMatrixMultiply
			step.TF32 = p == ir.Float && isGemm && r.cfg.Flag(FlagTF32) && !g.StronglyTyped
			// Convert float data inputs to p.
			if !g.StronglyTyped {
				for i, t := range n.Inputs {
					if t == nil || !t.Type.IsFloat() || ir.IsParamInput(n, i) || t.Type == p {
						continue
					}
					n.Inputs[i] = r.convert(t, p, n, i, &nodes)
				}
			}
			for i, o := range n.Outputs {
				ot := o.Type
				if o.Type.IsFloat() && !g.StronglyTyped {
					ot = p
				}
				if n.OutTypeSet[i] && !g.StronglyTyped && r.cfg.constraints != ConstraintsNone {
					want := n.OutTypes[i]
					if want.IsFloat() != o.Type.IsFloat() || want == ir.Double {
						msg := fmt.Sprintf("layer %q (%s): output %d type %v cannot hold %v values", n.Name, n.Kind, i, want, o.Type)
						if r.cfg.constraints == ConstraintsObey {
							return nil, fmt.Errorf("%w: %s", ErrPrecision, msg)
						}
						r.warn("%s; ignored", msg)
					} else {
						ot = want
					}
				}
				step.OutTypes[i] = ot
			}
		} else {
			if len(n.Outputs) > 0 {
				step.Precision = n.Outputs[0].Type
			}
			for i, o := range n.Outputs {
				step.OutTypes[i] = o.Type
			}
		}
		for i, o := range n.Outputs {
			o.Type = step.OutTypes[i]
		}
		nodes = append(nodes, n)
		r.steps = append(r.steps, step)
	}
	// Network outputs keep their declared types.
	for _, t := range g.Outputs {
		want := declared[t]
		if t.Const != nil && (t.Producer == nil || allConst(t.Producer)) {
			if t.Type != want {
				t.Const = convertData(t.Const, want)
				t.Type = want
			}
			continue
		}
		if t.Type == want || t.Input {
			continue
		}
		// Producer writes a fresh tensor; a conversion writes the named output.
		inner := g.NewTensor(t.Name+"_"+t.Type.String(), t.Type, t.Dims)
		inner.Producer, inner.Index = t.Producer, t.Index
		t.Producer.Outputs[t.Index] = inner
		for _, n := range g.Nodes {
			for i, x := range n.Inputs {
				if x == t {
					n.Inputs[i] = inner
				}
			}
		}
		cast := r.castNode(inner, want, fmt.Sprintf("Reformatting CopyNode for Output Tensor %q", t.Name))
		cast.Outputs[0].Output = false
		// Replace the cast's fresh output with the named output tensor.
		t.Producer, t.Index, t.Type = cast, 0, want
		cast.Outputs[0] = t
		nodes = append(nodes, cast)
		r.steps = append(r.steps, &ir.Step{Node: cast, Precision: want, OutTypes: []ir.DataType{want}})
	}
	r.eliminateDead()
	r.fuse()
	plan := &ir.Plan{Graph: g, Steps: r.steps, Inputs: g.Inputs, Outputs: g.Outputs}
	liveness(plan)
	return plan, nil
}

func anyTrue(b []bool) bool {
	for _, v := range b {
		if v {
			return true
		}
	}
	return false
}

func allConst(n *ir.Node) bool {
	for _, o := range n.Outputs {
		if o.Const == nil {
			return false
		}
	}
	return len(n.Outputs) > 0
}

// castNode adds an inserted conversion of t to type to.
func (r *resolver) castNode(t *ir.Tensor, to ir.DataType, name string) *ir.Node {
	n := r.g.AddNode(name, &ir.CastParams{To: to, Inserted: true}, []*ir.Tensor{t}, 1)
	n.Outputs[0].Type, n.Outputs[0].Dims = to, append([]int{}, t.Dims...)
	n.Outputs[0].Name = fmt.Sprintf("%s_%s", t.Name, to)
	return n
}

// convert returns t converted to type p for input i of consumer, reusing an
// existing conversion of t. Constants are converted at build time.
func (r *resolver) convert(t *ir.Tensor, p ir.DataType, consumer *ir.Node, i int, nodes *[]*ir.Node) *ir.Tensor {
	if t.Const != nil {
		// Constant: convert the weights now, once per type.
		key := convKey{t, p}
		if c, ok := r.converted[key]; ok {
			return c
		}
		v := convertData(t.Const, p)
		n := r.g.AddNode("Weights "+t.Name+" to "+p.String(), &ir.ConstantParams{Value: v}, nil, 1)
		n.Outputs[0].Type, n.Outputs[0].Dims, n.Outputs[0].Const = p, append([]int{}, t.Dims...), v
		n.Outputs[0].Name = t.Name + "_" + p.String()
		*nodes = append(*nodes, n)
		r.steps = append(r.steps, &ir.Step{Node: n, Precision: p, OutTypes: []ir.DataType{p}})
		if r.converted == nil {
			r.converted = map[convKey]*ir.Tensor{}
		}
		r.converted[key] = n.Outputs[0]
		return n.Outputs[0]
	}
	for _, s := range r.steps {
		if cp, ok := s.Node.Params.(*ir.CastParams); ok && cp.Inserted && s.Node.Inputs[0] == t && cp.To == p {
			return s.Node.Outputs[0]
		}
	}
	name := fmt.Sprintf("Reformatting CopyNode for Input Tensor %d to %s", i, consumer.Name)
	n := r.castNode(t, p, name)
	*nodes = append(*nodes, n)
	r.steps = append(r.steps, &ir.Step{Node: n, Precision: p, OutTypes: []ir.DataType{p}})
	return n.Outputs[0]
}

func convertData(d *ir.Data, to ir.DataType) *ir.Data { return cpu.Convert(d, to) }

// eliminateDead drops steps none of whose outputs reach a network output
// (e.g. FP32 weights that were converted to FP16 at build time).
func (r *resolver) eliminateDead() {
	live := map[*ir.Tensor]bool{}
	for _, t := range r.g.Outputs {
		live[t] = true
	}
	keep := make([]bool, len(r.steps))
	for i := len(r.steps) - 1; i >= 0; i-- {
		n := r.steps[i].Node
		for _, o := range n.Outputs {
			if live[o] {
				keep[i] = true
			}
		}
		if keep[i] {
			for _, t := range n.Inputs {
				if t != nil {
					live[t] = true
				}
			}
		}
	}
	var steps []*ir.Step
	for i, s := range r.steps {
		if keep[i] {
			steps = append(steps, s)
		}
	}
	r.steps = steps
	// The plan keeps only live nodes and tensors; a constant's value lives in
	// its output tensor alone.
	var nodes []*ir.Node
	for _, s := range r.steps {
		nodes = append(nodes, s.Node)
		nodes = append(nodes, s.Epilogue...)
	}
	for _, s := range r.steps {
		for _, n := range append([]*ir.Node{s.Node}, s.Epilogue...) {
			for _, t := range n.Outputs {
				live[t] = true
			}
		}
	}
	for _, t := range r.g.Inputs {
		live[t] = true
	}
	var tensors []*ir.Tensor
	for _, t := range r.g.Tensors {
		if live[t] {
			if t.Producer != nil && !containsNode(nodes, t.Producer) {
				t.Producer = nil // folded: its value is in t.Const
			}
			tensors = append(tensors, t)
		}
	}
	for _, n := range nodes {
		if n.Kind == ir.KindConstant {
			n.Params = &ir.ConstantParams{}
		}
	}
	r.g.Nodes, r.g.Tensors = nodes, tensors
}

func containsNode(ns []*ir.Node, n *ir.Node) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}

// fuse merges activations into the producing convolution, matrix multiply or
// element-wise step where both run in the same precision, the intermediate
// tensor has no other consumer, is no network output and has no explicit
// output type: fusion never crosses a precision boundary.
func (r *resolver) fuse() {
	consumers := map[*ir.Tensor]int{}
	for _, s := range r.steps {
		for _, t := range s.Node.Inputs {
			if t != nil {
				consumers[t]++
			}
		}
	}
	byNode := map[*ir.Node]*ir.Step{}
	for _, s := range r.steps {
		byNode[s.Node] = s
	}
	var kept []*ir.Step
	absorbed := map[*ir.Step]bool{}
	owner := map[*ir.Step]*ir.Step{}
	for _, s := range r.steps {
		n := s.Node
		if n.Kind != ir.KindActivation || len(n.Inputs) != 1 {
			continue
		}
		src := n.Inputs[0]
		if src.Producer == nil {
			continue
		}
		ps := byNode[src.Producer]
		if ps == nil {
			continue
		}
		if o, ok := owner[ps]; ok {
			ps = o
		}
		head := ps.Node
		switch head.Kind {
		case ir.KindConvolution, ir.KindDeconvolution, ir.KindMatrixMultiply, ir.KindElementWise:
		default:
			continue
		}
		last := head
		if len(ps.Epilogue) > 0 {
			last = ps.Epilogue[len(ps.Epilogue)-1]
		}
		if src.Producer != last || src.Index != 0 || consumers[src] != 1 || src.Output ||
			ps.Precision != s.Precision || ps.OutTypes[0] != s.OutTypes[0] || last.OutTypeSet[0] ||
			len(head.Outputs) != 1 || !src.Type.IsFloat() {
			continue
		}
		ps.Epilogue = append(ps.Epilogue, n)
		absorbed[s] = true
		owner[s] = ps
	}
	for _, s := range r.steps {
		if !absorbed[s] {
			kept = append(kept, s)
		}
	}
	r.steps = kept
}

// liveness records, per step, the tensors whose last reader it is.
func liveness(p *ir.Plan) {
	last := map[int]int{}
	for i, s := range p.Steps {
		for _, n := range append([]*ir.Node{s.Node}, s.Epilogue...) {
			for _, t := range n.Inputs {
				if t != nil {
					last[t.ID] = i
				}
			}
			// Intermediate outputs of fused members die inside the step.
			for _, o := range n.Outputs {
				if _, ok := last[o.ID]; !ok {
					last[o.ID] = i
				}
			}
		}
	}
	keep := map[int]bool{}
	for _, t := range p.Outputs {
		keep[t.ID] = true
	}
	for _, t := range p.Graph.Tensors {
		if t.Const != nil {
			keep[t.ID] = true
		}
	}
	ids := make([]int, 0, len(last))
	for id := range last {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		if keep[id] {
			continue
		}
		s := p.Steps[last[id]]
		s.Free = append(s.Free, id)
	}
}

var errNoGraph = errors.New("no graph")
