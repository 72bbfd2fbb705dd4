package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gotrt/gotrt/constraints"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// LoadOptions controls Load.
type LoadOptions struct {
	// InputShapes fixes input dims (--input-shapes).
	InputShapes map[string][]int
	// DataShapes are the dims of input data the caller already has (e.g.
	// from --load-inputs): they fix dynamic dims of inputs InputShapes does
	// not name, and must agree with the dims the model declares. DataSource
	// names the data in messages.
	DataShapes map[string][]int
	DataSource string
	// DefaultDim replaces dynamic dims that neither InputShapes nor
	// DataShapes fix, with a warning (Polygraphy uses 1). Zero keeps them
	// dynamic.
	DefaultDim int
	// StronglyTyped imports a strongly typed network.
	StronglyTyped bool
}

// Model is an imported ONNX model from which engines are built.
type Model struct {
	Path  string
	Proto *onnxpb.Model
	// Import is the importer's result; Import.Network is the network that
	// Build configures (its per-layer settings are reset on every Build).
	Import *onnx.Result
	// Inputs and Outputs of the network, in graph order.
	Inputs, Outputs []IOInfo
	// Shapes are the input shapes the import used (given, from data, or
	// defaulted).
	Shapes map[string][]int
	// Warnings are what Load changed or noticed (defaulted dims).
	Warnings []string
}

// Network is the imported network.
func (m *Model) Network() *trt.Network { return m.Import.Network }

// OutputNames are the output names in graph order.
func (m *Model) OutputNames() []string {
	var s []string
	for _, o := range m.Outputs {
		s = append(s, o.Name)
	}
	return s
}

// InputNames are the input names in graph order.
func (m *Model) InputNames() []string {
	var s []string
	for _, o := range m.Inputs {
		s = append(s, o.Name)
	}
	return s
}

// ReadModel decodes an ONNX file (resolving external data inside its
// folder). Errors match ErrBadInput and name the file and the problem.
func ReadModel(path string) (m *onnxpb.Model, err error) {
	if err := checkFile(path); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, badInput("%s: cannot decode the model: %v", path, r)
		}
	}()
	m, err = onnxpb.LoadFile(path)
	if err != nil {
		return nil, badInput("%s", describeLoadError(path, err))
	}
	return m, nil
}

// describeLoadError keeps onnxpb's message, with the file first and the kind
// of problem in plain words after it where the message does not say it.
func describeLoadError(path string, err error) string {
	msg := strings.TrimPrefix(err.Error(), "onnxpb: ")
	msg = strings.TrimPrefix(msg, path+": ")
	kind := ""
	switch {
	case errors.Is(err, onnxpb.ErrUnsafePath):
		kind = "unsafe external data: "
	case errors.Is(err, onnxpb.ErrExternalData):
		kind = "bad external data: "
	case errors.Is(err, onnxpb.ErrMalformed):
		if !strings.Contains(msg, "malformed") && !strings.Contains(msg, "empty file") {
			kind = "malformed ONNX model: "
		}
	}
	return path + ": " + kind + msg
}

// Load reads and imports an ONNX model. Errors match ErrBadInput.
func Load(ctx context.Context, path string, opt LoadOptions) (*Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pm, err := ReadModel(path)
	if err != nil {
		return nil, err
	}
	return Import(ctx, path, pm, opt)
}

// Import imports a decoded model (path names it in messages).
func Import(ctx context.Context, path string, pm *onnxpb.Model, opt LoadOptions) (m *Model, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m = &Model{Path: path, Proto: pm, Shapes: map[string][]int{}}
	inits := map[string]bool{}
	for _, t := range pm.Graph.Initializers {
		inits[t.Name] = true
	}
	declared := map[string]bool{}
	for _, vi := range pm.Graph.Inputs {
		if inits[vi.Name] {
			continue
		}
		declared[vi.Name] = true
		if s, ok := opt.InputShapes[vi.Name]; ok {
			m.Shapes[vi.Name] = s
			continue
		}
		if s, ok := opt.DataShapes[vi.Name]; ok {
			src := opt.DataSource
			if src == "" {
				src = "the input data"
			}
			if vi.HasShape {
				if len(vi.Shape) != len(s) {
					return nil, badInput("%s: array %q has shape %s, the model input has rank %d %s", src, vi.Name, FormatDims(s), len(vi.Shape), declaredDims(vi))
				}
				for i, d := range vi.Shape {
					if d.Known && d.Value >= 0 && d.Value != int64(s[i]) {
						return nil, badInput("%s: array %q has shape %s, the model input needs %s", src, vi.Name, FormatDims(s), declaredDims(vi))
					}
				}
			}
			m.Shapes[vi.Name] = s
			continue
		}
		if opt.DefaultDim > 0 && vi.HasShape {
			dims := make([]int, len(vi.Shape))
			dynamic := false
			for i, d := range vi.Shape {
				if d.Known && d.Value >= 0 {
					dims[i] = int(d.Value)
				} else {
					dims[i] = opt.DefaultDim
					dynamic = true
				}
			}
			if dynamic {
				m.Shapes[vi.Name] = dims
				m.Warnings = append(m.Warnings, fmt.Sprintf("Input tensor: %s | has dynamic shape %s; using %s (set it with --input-shapes %s:%s)",
					vi.Name, declaredDims(vi), FormatDims(dims), vi.Name, compactDims(dims)))
			}
		}
	}
	for name := range opt.InputShapes {
		if !declared[name] {
			return nil, badInput("--input-shapes names %q, which is not a model input (inputs: %s)", name, strings.Join(inputOrder(pm, declared), ", "))
		}
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, badInput("%s: the importer failed on this model: %v", path, r)
		}
	}()
	res, err := onnx.Import(pm, onnx.Options{InputShapes: m.Shapes, StronglyTyped: opt.StronglyTyped, Name: filepath.Base(path)})
	if err != nil {
		return nil, badInput("%v", err)
	}
	m.Import = res
	net := res.Network
	if err := net.Err(); err != nil {
		return nil, badInput("%s: %v", filepath.Base(path), err)
	}
	for i := 0; i < net.NumInputs(); i++ {
		t := net.Input(i)
		m.Inputs = append(m.Inputs, IOInfo{Name: t.Name(), Type: t.Type(), Dims: t.Dimensions()})
	}
	for i := 0; i < net.NumOutputs(); i++ {
		t := net.Output(i)
		m.Outputs = append(m.Outputs, IOInfo{Name: t.Name(), Type: t.Type(), Dims: t.Dimensions()})
	}
	return m, nil
}

func inputOrder(pm *onnxpb.Model, declared map[string]bool) []string {
	var s []string
	for _, vi := range pm.Graph.Inputs {
		if declared[vi.Name] {
			s = append(s, vi.Name)
		}
	}
	return s
}

func declaredDims(vi *onnxpb.ValueInfo) string {
	if !vi.HasShape {
		return "(unknown rank)"
	}
	parts := make([]string, len(vi.Shape))
	for i, d := range vi.Shape {
		switch {
		case d.Known && d.Value >= 0:
			parts[i] = fmt.Sprint(d.Value)
		case d.Param != "":
			parts[i] = d.Param
		default:
			parts[i] = "?"
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func compactDims(d []int) string {
	return strings.ReplaceAll(FormatDims(d), " ", "")
}

// Precision is an engine's precision configuration.
type Precision struct {
	// Backend: cpu, cuda or auto (empty means cpu).
	Backend trt.Backend
	// FP16, BF16 and TF32 allow those precisions. Unlike the trt builder
	// config (TF32 on by default, as in TensorRT), TF32 is off unless asked
	// for, as in Polygraphy.
	FP16, BF16, TF32 bool
	// Constraints says how binding the per-layer rules are.
	Constraints trt.PrecisionConstraints
	// LayerPrecisions and LayerOutputTypes pin layers by name pattern.
	LayerPrecisions, LayerOutputTypes []constraints.Rule
}

// Flags formats the allowed precisions: "FP32", "FP16", "FP16|TF32".
func (p Precision) Flags() string {
	var s []string
	if p.FP16 {
		s = append(s, "FP16")
	}
	if p.BF16 {
		s = append(s, "BF16")
	}
	if p.TF32 {
		s = append(s, "TF32")
	}
	if len(s) == 0 {
		return "FP32"
	}
	return strings.Join(s, "|")
}

// Label names an engine with this precision on a backend, for reports:
// "gotrt-cpu-fp32", "gotrt-cuda-fp16+tf32", "gotrt-cpu-fp16-pinned" (with
// per-layer rules).
func (p Precision) Label(backend string) string {
	if backend == "" {
		backend = string(p.backend())
	}
	l := "gotrt-" + backend + "-" + strings.ToLower(strings.ReplaceAll(p.Flags(), "|", "+"))
	if len(p.LayerPrecisions)+len(p.LayerOutputTypes) > 0 && p.Constraints != trt.ConstraintsNone {
		l += "-pinned"
	}
	return l
}

func (p Precision) backend() trt.Backend {
	if p.Backend == "" {
		return trt.BackendCPU
	}
	return p.Backend
}

// Config makes the builder config.
func (p Precision) Config() *trt.BuilderConfig {
	cfg := trt.NewBuilderConfig()
	cfg.ClearFlag(trt.FlagTF32)
	if p.TF32 {
		cfg.SetFlag(trt.FlagTF32)
	}
	if p.FP16 {
		cfg.SetFlag(trt.FlagFP16)
	}
	if p.BF16 {
		cfg.SetFlag(trt.FlagBF16)
	}
	cfg.SetPrecisionConstraints(p.Constraints)
	cfg.SetBackend(p.backend())
	return cfg
}

// ParseBackend accepts cpu, cuda or auto.
func ParseBackend(s string) (trt.Backend, error) {
	switch b := trt.Backend(strings.ToLower(strings.TrimSpace(s))); b {
	case trt.BackendCPU, trt.BackendCUDA, trt.BackendAuto:
		return b, nil
	}
	return "", fmt.Errorf("unknown backend %q (want cpu, cuda or auto)", s)
}

// Apply resets every layer's precision and output types, then applies the
// rules. A rule that matches no layer is an error (ErrBadInput).
func (p Precision) Apply(net *trt.Network) error {
	for _, l := range net.Layers() {
		l.ResetPrecision()
		for i := 0; i < l.NumOutputs(); i++ {
			l.ResetOutputType(i)
		}
	}
	if err := constraints.ApplyPrecisions(net, p.LayerPrecisions); err != nil {
		return badInput("--layer-precisions: %v", err)
	}
	if err := constraints.ApplyOutputTypes(net, p.LayerOutputTypes); err != nil {
		return badInput("--layer-output-types: %v", err)
	}
	return nil
}

// BuildOptions controls Model.Build.
type BuildOptions struct {
	Log *Logger
	// Label names the engine in log lines.
	Label string
}

// Build applies the precision configuration to the network and builds an
// engine; it logs builder warnings and, on long builds, progress.
func (m *Model) Build(ctx context.Context, p Precision, opt BuildOptions) (*trt.Engine, time.Duration, error) {
	if err := p.Apply(m.Network()); err != nil {
		return nil, 0, err
	}
	return BuildNetwork(ctx, m.Network(), p, opt)
}

// BuildNetwork builds net with p's builder config (the per-layer rules are
// not applied: see Precision.Apply).
func BuildNetwork(ctx context.Context, net *trt.Network, p Precision, opt BuildOptions) (*trt.Engine, time.Duration, error) {
	log := opt.Log
	cfg := p.Config()
	prog := NewProgress(log)
	label := opt.Label
	if label == "" {
		label = "gotrt"
	}
	cfg.SetProgress(func(phase string, done, total int) {
		prog.Update(fmt.Sprintf("%s | Building engine: %s", label, phase), done, total)
	})
	logger := trt.LoggerFunc(func(s trt.Severity, msg string) {
		switch s {
		case trt.SeverityInternalError, trt.SeverityError:
			log.Errorf("%s", msg)
		case trt.SeverityWarning:
			log.Warnf("%s", msg)
		default:
			log.Verbosef("%s", msg)
		}
	})
	start := time.Now()
	e, err := buildSafely(ctx, net, cfg, logger)
	elapsed := time.Since(start)
	if err != nil {
		return nil, elapsed, classifyBuildError(p, err)
	}
	return e, elapsed, nil
}

func buildSafely(ctx context.Context, net *trt.Network, cfg *trt.BuilderConfig, logger trt.Logger) (e *trt.Engine, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("%w: internal error: %v", trt.ErrBuild, r)
		}
	}()
	return trt.NewBuilder(logger).Build(ctx, net, cfg)
}

// classifyBuildError marks the errors caused by the input: an unavailable
// backend and an invalid network.
func classifyBuildError(p Precision, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, trt.ErrBackend):
		if p.backend() == trt.BackendCUDA {
			why := "this gotrt has no CUDA backend registered"
			if !strings.Contains(err.Error(), "linked in") {
				why = err.Error()
			}
			return badInput("the CUDA backend is not available (%s): use --backend cpu, or --backend auto to run on the GPU where present and on the CPU otherwise", why)
		}
		return badInput("%v", err)
	case errors.Is(err, trt.ErrInvalidNetwork):
		return badInput("building the engine: %v", err)
	}
	return fmt.Errorf("building the engine: %w", err)
}

type constraintsRule = constraints.Rule
