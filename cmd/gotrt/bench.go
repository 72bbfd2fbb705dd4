package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/gotrt/gotrt/bench"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

func init() {
	register("bench", "measure an engine's latency and throughput (trtexec's summary)", cmdBench)
}

const benchUsage = `gotrt bench MODEL.onnx [--warmup MS] [--iterations N] [--duration S]
        [--backend cpu|cuda|auto] [--fp16] [--bf16] [--tf32] [--precision-constraints none|prefer|obey]
        [--layer-precisions NAME:TYPE ...] [--layer-output-types NAME:TYPE ...]
        [--input-shapes NAME:[D0,...] ...] [--seed N] [--load-inputs F.npz] [--json] [--verbose]

Builds an engine, binds seeded random inputs (or --load-inputs) once, warms up
for --warmup ms, then times engine executions until at least --iterations
runs and --duration seconds have passed (trtexec's --warmUp, --iterations,
--duration; --duration -1 runs until Ctrl-C), and prints trtexec's
performance summary. Each latency is one execution on the host clock
(inputs already bound; outputs stay on the engine).`

func cmdBench(args []string) error {
	fs := newFlagSet("bench", benchUsage)
	var pf precisionFlags
	pf.register(fs)
	shapes := fs.list("input-shapes", "input shapes, NAME:[D0,D1,...] (dynamic dims not given are 1)")
	seed := fs.Int64("seed", runner.DefaultSeed, "seed of the generated inputs")
	loadInputs := fs.String("load-inputs", "", "read the inputs from an .npz file")
	warmup := fs.Float64("warmup", float64(bench.DefaultWarmup/time.Millisecond), "warm-up time in milliseconds")
	iterations := fs.Int("iterations", bench.DefaultIterations, "time at least this many runs")
	duration := fs.Float64("duration", bench.DefaultDuration.Seconds(), "time for at least this many seconds (-1: until interrupted)")
	jsonOut := fs.Bool("json", false, "write the summary as JSON to stdout")
	verbose := fs.Bool("verbose", false, "progress while timing, the engine's layers")
	dumpProfile := fs.Bool("dump-profile", false, "after timing, run a separate profiling pass and print per-layer times (trtexec's --dumpProfile)")
	fs.BoolVar(verbose, "v", false, "same as --verbose")
	pos, err := fs.parse(args)
	if err == errHelp {
		return nil
	} else if err != nil {
		return err
	}
	model, err := wantOne(fs, pos, "MODEL.onnx")
	if err != nil {
		return err
	}
	p, err := pf.precision()
	if err != nil {
		return err
	}
	sh, err := parseShapes(shapes)
	if err != nil {
		return err
	}
	switch {
	case !(*warmup >= 0) || math.IsInf(*warmup, 0):
		return usagef("--warmup must be a non-negative number of milliseconds, got %v", *warmup)
	case *iterations < 1:
		return usagef("--iterations must be at least 1, got %d", *iterations)
	case math.IsNaN(*duration) || math.IsInf(*duration, 0) || (*duration < 0 && *duration != -1):
		return usagef("--duration must be a non-negative number of seconds, or -1, got %v", *duration)
	}
	if *loadInputs != "" && fs.isSet("seed") {
		return usagef("--load-inputs reads the inputs: --seed does not apply")
	}
	cmd := commandLine(append([]string{"bench"}, args...))
	log := &runner.Logger{W: stdout, Verbose: *verbose}
	if *jsonOut {
		log = &runner.Logger{W: stderr, Verbose: *verbose, Quiet: true}
	}
	ctx, stop := signalContext()
	defer stop()

	var loaded []*tensor.Tensor
	var dataShapes map[string][]int
	if *loadInputs != "" {
		if loaded, err = runner.ReadTensors(*loadInputs); err != nil {
			return runnerError(err)
		}
		dataShapes = map[string][]int{}
		for _, t := range loaded {
			dataShapes[t.Name] = t.Dims
		}
	}
	m, err := runner.Load(ctx, model, runner.LoadOptions{InputShapes: sh, DataShapes: dataShapes, DataSource: *loadInputs, DefaultDim: 1})
	if err != nil {
		return runnerError(err)
	}
	for _, w := range m.Warnings {
		log.Warnf("%s", w)
	}
	var inputs map[string]*tensor.Tensor
	if loaded != nil {
		inputs, err = runner.MatchInputs(loaded, m.Inputs, *loadInputs)
	} else {
		inputs, err = runner.GenerateInputs(m.Inputs, runner.DataOptions{Seed: *seed})
	}
	if err != nil {
		return runnerError(err)
	}
	var shapeText []string
	for _, in := range m.Inputs {
		shapeText = append(shapeText, in.Name+"="+compactDims(inputs[in.Name].Dims))
	}
	log.Infof("=== Model Options ===")
	log.Infof("Format: ONNX")
	log.Infof("Model: %s", model)
	log.Infof("=== Build Options ===")
	log.Infof("Backend: %s", p.Backend)
	log.Infof("Precision: %s", strings.ReplaceAll(p.Flags(), "|", "+"))
	log.Infof("Precision constraints: %s", p.Constraints)
	log.Infof("=== Inference Options ===")
	log.Infof("Shapes: %s", strings.Join(shapeText, ", "))
	log.Infof("Warmup: %s ms | Iterations: %d | Duration: %s s", fmtNum(*warmup), *iterations, fmtNum(*duration))

	label := p.Label("")
	e, took, err := m.Build(ctx, p, runner.BuildOptions{Log: log, Label: label})
	if err != nil {
		return runnerError(err)
	}
	defer e.Close()
	label = p.Label(e.Backend())
	log.Infof("Engine built in %.3f sec (%s)", took.Seconds(), label)
	if *verbose {
		writeEngineText(log.Writer(), e)
	}
	ec, err := e.CreateExecutionContext()
	if err != nil {
		return failf("creating an execution context: %v", err)
	}
	defer ec.Close()
	for name, t := range inputs {
		if err := ec.SetInput(name, t); err != nil {
			return runnerError(fmt.Errorf("%w", err))
		}
	}
	opt := bench.Options{
		Warmup:     time.Duration(*warmup * float64(time.Millisecond)),
		Iterations: *iterations,
		Duration:   time.Duration(*duration * float64(time.Second)),
	}
	if *duration < 0 {
		opt.Duration = -1
	}
	if *verbose || *duration < 0 || *duration >= 10 {
		opt.Progress = log.Writer()
		if *jsonOut && !*verbose {
			opt.Progress = stderr
		}
		opt.ProgressInterval = 2 * time.Second
	}
	s, err := bench.Run(ctx, opt, func() error { return ec.Execute(ctx) })
	interrupted := err != nil && ctx.Err() != nil
	if err != nil && !interrupted {
		return failf("%v", err)
	}
	if interrupted && s.Iterations == 0 {
		return failf("interrupted before any timed run")
	}
	var prof []layerTime
	if *dumpProfile {
		if prof, err = profileLayers(ctx, e, ec, max(10, min(*iterations, 100))); err != nil {
			return failf("profiling: %v", err)
		}
	}
	if *jsonOut {
		b, err := json.Marshal(s)
		if err != nil {
			return failf("%v", err)
		}
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			return failf("%v", err)
		}
		out["command"] = cmd
		out["model"] = model
		out["engine"] = label
		out["backend"] = e.Backend()
		out["precision"] = p.Flags()
		out["precision_constraints"] = p.Constraints.String()
		out["build_s"] = took.Seconds()
		out["input_shapes"] = inputShapeMap(m, inputs)
		if prof != nil {
			out["profile"] = prof
		}
		return writeJSON(out)
	}
	if err := s.WriteText(stdout); err != nil {
		return failf("%v", err)
	}
	if prof != nil {
		writeProfile(stdout, prof)
	}
	fmt.Fprintf(stdout, "&&&& PASSED gotrt.bench # %s\n", cmd)
	return nil
}

func inputShapeMap(m *runner.Model, inputs map[string]*tensor.Tensor) map[string][]int {
	out := map[string][]int{}
	for _, in := range m.Inputs {
		out[in.Name] = append([]int{}, inputs[in.Name].Dims...)
	}
	return out
}

func compactDims(d []int) string { return strings.ReplaceAll(runner.FormatDims(d), " ", "") }

func fmtNum(v float64) string { return fmt.Sprintf("%g", v) }

// layerTime is one row of --dump-profile.
type layerTime struct {
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Device  string  `json:"device,omitempty"`
	AvgMs   float64 `json:"avg_ms"`
	Percent float64 `json:"percent"`
}

// profileLayers runs the engine n more times with a profiler attached (a run
// separate from the timed one, since per-layer timing perturbs it) and returns
// per-layer average times, slowest first.
func profileLayers(ctx context.Context, e *trt.Engine, ec *trt.ExecutionContext, n int) ([]layerTime, error) {
	lt := &trt.LayerTimes{}
	ec.SetProfiler(lt)
	defer ec.SetProfiler(nil)
	for i := 0; i < n; i++ {
		if err := ec.Execute(ctx); err != nil {
			return nil, err
		}
	}
	info := map[string]trt.LayerInfo{}
	for _, l := range e.CreateEngineInspector().Info().Layers {
		info[l.Name] = l
	}
	var total time.Duration
	for _, d := range lt.Total {
		total += d
	}
	var rows []layerTime
	for _, name := range lt.Order {
		d := lt.Total[name]
		r := layerTime{Name: name, Kind: info[name].Kind, Device: info[name].Device, AvgMs: float64(d) / float64(n) / 1e6}
		if total > 0 {
			r.Percent = 100 * float64(d) / float64(total)
		}
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].AvgMs > rows[j].AvgMs })
	return rows, nil
}

func writeProfile(w io.Writer, rows []layerTime) {
	var sum float64
	for _, r := range rows {
		sum += r.AvgMs
	}
	fmt.Fprintf(w, "[I] === Profile (%d layers, slowest first; %.4f ms per run in total) ===\n", len(rows), sum)
	fmt.Fprintf(w, "[I] %10s %7s  %-6s %-16s %s\n", "avg ms", "%", "device", "kind", "layer")
	for _, r := range rows {
		fmt.Fprintf(w, "[I] %10.4f %6.1f%%  %-6s %-16s %s\n", r.AvgMs, r.Percent, r.Device, r.Kind, r.Name)
	}
}
