package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gotrt/gotrt/compare"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

// Options is what `gotrt run` does.
type Options struct {
	// Model is the .onnx file.
	Model string
	// InputShapes fixes input dims (--input-shapes).
	InputShapes map[string][]int
	// Precision of the gotrt engine.
	Precision Precision
	// Data controls generated inputs (seed, value ranges).
	Data DataOptions
	// LoadInputs reads the inputs from an .npz file instead of generating
	// them; SaveInputs writes the inputs used.
	LoadInputs, SaveInputs string
	// SaveOutputs writes the gotrt engine's outputs to an .npz file.
	SaveOutputs string
	// ONNXRuntime runs the model in ONNX Runtime and compares the engine's
	// outputs with it.
	ONNXRuntime bool
	// LoadOutputs compares the engine's outputs with the arrays of an .npz
	// file (e.g. written by SaveOutputs of an earlier run).
	LoadOutputs string
	// Compare sets tolerances and the checked statistic.
	Compare compare.Options
	// Validate checks every runner's outputs for NaN and Inf.
	Validate bool
	// Log receives progress and log lines; Report, if set, the detailed
	// comparison and validation reports (Polygraphy's layout).
	Log    *Logger
	Report interface{ Write([]byte) (int, error) }
}

// RunnerReport describes one runner (the gotrt engine, ONNX Runtime, or
// loaded outputs).
type RunnerReport struct {
	Name        string  `json:"name"`
	Kind        string  `json:"kind"` // "gotrt", "onnxrt" or "loaded"
	Backend     string  `json:"backend,omitempty"`
	Flags       string  `json:"flags,omitempty"`
	Constraints string  `json:"precision_constraints,omitempty"`
	Source      string  `json:"source,omitempty"`
	Version     string  `json:"version,omitempty"`
	BuildMS     float64 `json:"build_ms,omitempty"`
	LoadMS      float64 `json:"load_ms,omitempty"`
	InferenceMS float64 `json:"inference_ms"`
	// Iterations is always 1 for `gotrt run` (use `gotrt bench` to time).
	Iterations      int               `json:"iterations"`
	Outputs         []IOInfo          `json:"outputs"`
	Warnings        []string          `json:"warnings,omitempty"`
	LayerPrecisions map[string]string `json:"layer_precisions,omitempty"`
}

// Comparison is one runner compared with a reference.
type Comparison struct {
	Got    string          `json:"got"`
	Want   string          `json:"want"`
	Passed bool            `json:"passed"`
	Report *compare.Report `json:"report"`
}

// Validation is one runner's NaN/Inf check.
type Validation struct {
	Runner string
	Report *compare.ValidationReport
}

// MarshalJSON writes {"runner", "passed", "report"}.
func (v Validation) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := v.Report.WriteJSON(&buf); err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Runner string          `json:"runner"`
		Passed bool            `json:"passed"`
		Report json.RawMessage `json:"report"`
	}{v.Runner, v.Report.Passed, json.RawMessage(buf.Bytes())})
}

// InputReport says where an input came from.
type InputReport struct {
	IOInfo
	// Source: "generated" or the .npz file.
	Source string    `json:"source"`
	Seed   *int64    `json:"seed,omitempty"`
	Range  *ValRange `json:"range,omitempty"`
}

// MarshalJSON writes the info flat with the source.
func (r InputReport) MarshalJSON() ([]byte, error) {
	m := map[string]any{"name": r.Name, "dtype": r.Type.String(), "shape": nonNil(r.Dims), "source": r.Source}
	if r.Seed != nil {
		m["seed"] = *r.Seed
	}
	if r.Range != nil {
		m["range"] = []float64{r.Range.Lo, r.Range.Hi}
	}
	return json.Marshal(m)
}

// MarshalJSON writes {"name", "dtype", "shape"}.
func (i IOInfo) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name  string `json:"name"`
		Dtype string `json:"dtype"`
		Shape []int  `json:"shape"`
	}{i.Name, i.Type.String(), nonNil(i.Dims)})
}

func nonNil(d []int) []int {
	if d == nil {
		return []int{}
	}
	return d
}

// Report is the result of Run.
type Report struct {
	Model       string         `json:"model"`
	Passed      bool           `json:"passed"`
	Inputs      []InputReport  `json:"inputs"`
	Runners     []RunnerReport `json:"runners"`
	Comparisons []Comparison   `json:"comparisons"`
	Validations []Validation   `json:"validations,omitempty"`
	Warnings    []string       `json:"warnings,omitempty"`
	// Failures says in words what failed.
	Failures []string `json:"failures,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ioList(ts map[string]*tensor.Tensor, order []string) []IOInfo {
	var out []IOInfo
	seen := map[string]bool{}
	for _, n := range order {
		if t := ts[n]; t != nil {
			seen[n] = true
			out = append(out, IOInfo{Name: n, Type: t.Type, Dims: append([]int{}, t.Dims...)})
		}
	}
	for n, t := range ts {
		if !seen[n] && t != nil {
			out = append(out, IOInfo{Name: n, Type: t.Type, Dims: append([]int{}, t.Dims...)})
		}
	}
	return out
}

func formatIOs(ios []IOInfo) string {
	var s []string
	for _, i := range ios {
		s = append(s, i.String())
	}
	return "{" + strings.Join(s, ", ") + "}"
}

// Run loads the model, makes or loads inputs, builds and runs the gotrt
// engine, runs the references, compares, validates and reports. The error is
// for work that could not be done (ErrBadInput for the user's input); a
// comparison or validation that fails is reported in Report.Passed.
func Run(ctx context.Context, opt Options) (*Report, error) {
	log := opt.Log
	rep := &Report{Model: opt.Model, Passed: true, Comparisons: []Comparison{}}
	if opt.LoadOutputs != "" && opt.LoadOutputs == opt.SaveOutputs {
		return nil, badInput("--load-outputs and --save-outputs name the same file %s", opt.LoadOutputs)
	}

	if opt.ONNXRuntime {
		if err := ORTAvailable(); err != nil {
			return nil, badInput("--onnxrt: %v", err)
		}
	}
	// Loaded inputs fix dynamic dims, so read them before the import.
	var loadedIn []*tensor.Tensor
	var dataShapes map[string][]int
	if opt.LoadInputs != "" {
		ts, err := ReadTensors(opt.LoadInputs)
		if err != nil {
			return nil, err
		}
		loadedIn = ts
		dataShapes = map[string][]int{}
		for _, t := range ts {
			dataShapes[t.Name] = t.Dims
		}
	}
	var loadedOut map[string]*tensor.Tensor
	if opt.LoadOutputs != "" {
		ts, err := ReadTensors(opt.LoadOutputs)
		if err != nil {
			return nil, err
		}
		loadedOut = map[string]*tensor.Tensor{}
		for _, t := range ts {
			loadedOut[t.Name] = t
		}
	}

	m, err := Load(ctx, opt.Model, LoadOptions{InputShapes: opt.InputShapes, DataShapes: dataShapes, DataSource: opt.LoadInputs, DefaultDim: 1})
	if err != nil {
		return nil, err
	}
	log.Infof("Loaded model %s | opset %d | %d node(s) | inputs: %s | outputs: %s", opt.Model, m.Import.Opset,
		len(m.Proto.Graph.Nodes), formatIOs(m.Inputs), formatIOs(m.Outputs))
	for _, w := range m.Warnings {
		log.Warnf("%s", w)
		rep.Warnings = append(rep.Warnings, w)
	}

	// Inputs.
	var inputs map[string]*tensor.Tensor
	if loadedIn != nil {
		inputs, err = MatchInputs(loadedIn, m.Inputs, opt.LoadInputs)
		if err != nil {
			return nil, err
		}
		log.Infof("Loaded inputs from %s: %s", opt.LoadInputs, formatIOs(ioList(inputs, m.InputNames())))
		for _, in := range ioList(inputs, m.InputNames()) {
			rep.Inputs = append(rep.Inputs, InputReport{IOInfo: in, Source: opt.LoadInputs})
		}
	} else {
		inputs, err = GenerateInputs(m.Inputs, opt.Data)
		if err != nil {
			return nil, err
		}
		seed := opt.Data.Seed
		for _, in := range ioList(inputs, m.InputNames()) {
			r := opt.Data.Ranges.For(in.Name)
			rep.Inputs = append(rep.Inputs, InputReport{IOInfo: in, Source: "generated", Seed: &seed, Range: &r})
			log.Infof("Input tensor: %s | generated with seed %d, values in %s", in, seed, rangeText(in.Type, r))
		}
	}
	if opt.SaveInputs != "" {
		if err := SaveTensors(opt.SaveInputs, inputs, m.InputNames()); err != nil {
			return nil, err
		}
		log.Infof("Saved inputs to %s", opt.SaveInputs)
	}

	// The gotrt engine.
	p := opt.Precision
	pre := p.Label("")
	log.Infof("%s | Building engine | backend=%s | flags=%s | precision constraints=%s%s", pre, p.backend(), p.Flags(), p.Constraints, ruleText(p))
	e, buildTime, err := m.Build(ctx, p, BuildOptions{Log: log, Label: pre})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	label := p.Label(e.Backend())
	log.Infof("%s | Finished engine building in %.3f seconds", label, buildTime.Seconds())
	if log != nil && log.Verbose {
		var b strings.Builder
		e.CreateEngineInspector().WriteText(&b)
		log.Verbosef("%s", strings.TrimRight(b.String(), "\n"))
	}
	got, inferTime, err := RunEngine(ctx, e, inputs)
	if err != nil {
		return nil, err
	}
	log.Infof("%s | Completed 1 iteration(s) in %.4g ms | Average inference time: %.4g ms.", label, ms(inferTime), ms(inferTime))
	log.Verbosef("%s | ---- Inference Output(s) ----\n%s", label, formatIOs(ioList(got, m.OutputNames())))
	rr := RunnerReport{Name: label, Kind: "gotrt", Backend: e.Backend(), Flags: p.Flags(), Constraints: p.Constraints.String(),
		BuildMS: ms(buildTime), InferenceMS: ms(inferTime), Iterations: 1, Outputs: ioList(got, m.OutputNames()),
		Warnings: e.Warnings(), LayerPrecisions: e.LayerPrecisions()}
	rep.Runners = append(rep.Runners, rr)
	rep.Warnings = append(rep.Warnings, e.Warnings()...)
	if opt.SaveOutputs != "" {
		if err := SaveTensors(opt.SaveOutputs, got, m.OutputNames()); err != nil {
			return nil, err
		}
		log.Infof("Saved outputs of %s to %s", label, opt.SaveOutputs)
	}

	outputs := map[string]map[string]*tensor.Tensor{label: got}
	type ref struct {
		name string
		out  map[string]*tensor.Tensor
	}
	var refs []ref
	if opt.ONNXRuntime {
		const ortLabel = "onnxrt"
		log.Infof("%s | Activating and starting inference (ONNX Runtime, CPUExecutionProvider)", ortLabel)
		res, err := RunONNXRuntime(ctx, opt.Model, inputs)
		if err != nil {
			return nil, err
		}
		log.Infof("%s | Completed 1 iteration(s) in %.4g ms | Average inference time: %.4g ms.", ortLabel, ms(res.Inference), ms(res.Inference))
		log.Verbosef("%s | ---- Inference Output(s) ----\n%s", ortLabel, formatIOs(ioList(res.Outputs, m.OutputNames())))
		rep.Runners = append(rep.Runners, RunnerReport{Name: ortLabel, Kind: "onnxrt", Version: res.Version, LoadMS: ms(res.Load),
			InferenceMS: ms(res.Inference), Iterations: 1, Outputs: ioList(res.Outputs, m.OutputNames())})
		refs = append(refs, ref{ortLabel, res.Outputs})
		outputs[ortLabel] = res.Outputs
	}
	if loadedOut != nil {
		name := filepath.Base(opt.LoadOutputs)
		if name == label || name == "onnxrt" {
			name = opt.LoadOutputs
		}
		log.Infof("Loaded outputs from %s: %s", opt.LoadOutputs, formatIOs(ioList(loadedOut, m.OutputNames())))
		rep.Runners = append(rep.Runners, RunnerReport{Name: name, Kind: "loaded", Source: opt.LoadOutputs,
			Outputs: ioList(loadedOut, m.OutputNames())})
		refs = append(refs, ref{name, loadedOut})
	}

	w := opt.Report
	if opt.Validate {
		for _, r := range rep.Runners {
			if r.Kind == "loaded" {
				continue
			}
			vr := compare.ValidateAll(outputs[r.Name], m.OutputNames())
			rep.Validations = append(rep.Validations, Validation{Runner: r.Name, Report: vr})
			if w != nil {
				pw := &prefixWriter{w: w, indent: ""}
				vr.WriteText(pw, r.Name)
				pw.Flush()
			}
			if !vr.Passed {
				rep.Passed = false
				rep.Failures = append(rep.Failures, fmt.Sprintf("%s: NaN or Inf in output(s) %s", r.Name, strings.Join(vr.Invalid(), ", ")))
			}
		}
	}
	for _, r := range refs {
		cr, err := compare.Outputs(got, r.out, m.OutputNames(), opt.Compare)
		if err != nil {
			return nil, badInput("comparing %s with %s: %v", label, r.name, err)
		}
		rep.Comparisons = append(rep.Comparisons, Comparison{Got: label, Want: r.name, Passed: cr.Passed, Report: cr})
		if w != nil {
			fmt.Fprintf(w, "[I] Accuracy Comparison | %s vs. %s\n", label, r.name)
			pw := &prefixWriter{w: w, indent: "    "}
			cr.WriteText(pw, label, r.name)
			pw.Flush()
		}
		if !cr.Passed {
			rep.Passed = false
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s vs. %s: mismatched output(s) %s", label, r.name, strings.Join(cr.Failed(), ", ")))
		}
	}
	return rep, nil
}

func rangeText(t tensor.DataType, r ValRange) string {
	switch {
	case t == tensor.Bool:
		return "{false, true}"
	case t.IsFloat():
		return fmt.Sprintf("[%g, %g)", r.Lo, r.Hi)
	}
	return fmt.Sprintf("[%g, %g] (integers)", r.Lo, r.Hi)
}

func ruleText(p Precision) string {
	var s string
	if len(p.LayerPrecisions) > 0 {
		s += " | layer precisions: " + rulesString(p.LayerPrecisions)
	}
	if len(p.LayerOutputTypes) > 0 {
		s += " | layer output types: " + rulesString(p.LayerOutputTypes)
	}
	return s
}

func rulesString(rs []constraintsRule) string {
	var s []string
	for _, r := range rs {
		var ts []string
		for _, t := range r.Types {
			ts = append(ts, strings.ToLower(t.String()))
		}
		if len(ts) == 1 {
			s = append(s, r.Pattern+":"+ts[0])
		} else {
			s = append(s, r.Pattern+":["+strings.Join(ts, ",")+"]")
		}
	}
	return strings.Join(s, ",")
}

// EngineLabel names an engine for reports from its backend and config.
func EngineLabel(e *trt.Engine, p Precision) string { return p.Label(e.Backend()) }
