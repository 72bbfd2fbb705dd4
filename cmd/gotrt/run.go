package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gotrt/gotrt/compare"
	"github.com/gotrt/gotrt/runner"
)

func init() {
	register("run", "run a model on a gotrt engine and compare with ONNX Runtime or saved outputs (Polygraphy's run)", cmdRun)
}

const runUsage = `gotrt run MODEL.onnx [--backend cpu|cuda|auto] [--fp16] [--bf16] [--tf32]
        [--precision-constraints none|prefer|obey] [--layer-precisions NAME:TYPE ...] [--layer-output-types NAME:TYPE ...]
        [--input-shapes NAME:[D0,D1,...] ...] [--seed N] [--val-range [NAME:][MIN,MAX] ...]
        [--load-inputs F.npz] [--save-inputs F.npz] [--save-outputs F.npz]
        [--onnxrt] [--load-outputs F.npz] [--atol [NAME:]V ...] [--rtol [NAME:]V ...]
        [--check-error-stat [NAME:]elemwise|max|mean|median|quantile] [--error-quantile [NAME:]Q]
        [--infinities-compare-equal] [--validate] [--json] [--verbose]

Builds a gotrt engine for MODEL, runs it once on seeded random inputs (floats
uniform in [0,1), integers in {0,1}, as Polygraphy; or --load-inputs), and
compares its outputs with ONNX Runtime (--onnxrt) and/or saved outputs
(--load-outputs), as 'polygraphy run' does. --save-outputs saves the gotrt
engine's outputs. Exit status: 0 passed, 1 failed, 2 bad usage or input.`

func cmdRun(args []string) error {
	fs := newFlagSet("run", runUsage)
	var pf precisionFlags
	pf.register(fs)
	shapes := fs.list("input-shapes", "input shapes, NAME:[D0,D1,...] (several: space- or comma-separated); dynamic dims not given are 1")
	seed := fs.Int64("seed", runner.DefaultSeed, "seed of the generated inputs")
	valRange := fs.list("val-range", "range of generated values, [MIN,MAX] or NAME:[MIN,MAX] (default [0,1])")
	loadInputs := fs.String("load-inputs", "", "read the inputs from an .npz file (one array per input, by name)")
	saveInputs := fs.String("save-inputs", "", "write the inputs to an .npz file")
	saveOutputs := fs.String("save-outputs", "", "write the gotrt engine's outputs to an .npz file")
	onnxrt := fs.Bool("onnxrt", false, "run the model in ONNX Runtime too and compare with it")
	loadOutputs := fs.String("load-outputs", "", "compare with the outputs saved in an .npz file")
	atol := fs.list("atol", "absolute tolerance, V or NAME:V per output (default 1e-5)")
	rtol := fs.list("rtol", "relative tolerance, V or NAME:V per output (default 1e-5)")
	stat := fs.list("check-error-stat", "error statistic that decides: elemwise, max, mean, median or quantile (or NAME:STAT)")
	quantile := fs.list("error-quantile", "quantile (0..1) for --check-error-stat quantile, Q or NAME:Q (default 0.99)")
	infEqual := fs.Bool("infinities-compare-equal", false, "matching ±Inf values compare equal")
	validate := fs.Bool("validate", false, "check the outputs for NaN and Inf")
	jsonOut := fs.Bool("json", false, "write a machine-readable report to stdout (logs go to stderr)")
	verbose := fs.Bool("verbose", false, "more detail: the engine's layers and precisions, output shapes")
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
	opt := runner.Options{Model: model, LoadInputs: *loadInputs, SaveInputs: *saveInputs, SaveOutputs: *saveOutputs,
		ONNXRuntime: *onnxrt, LoadOutputs: *loadOutputs, Validate: *validate}
	if opt.Precision, err = pf.precision(); err != nil {
		return err
	}
	if opt.InputShapes, err = parseShapes(shapes); err != nil {
		return err
	}
	ranges, err := runner.ParseValRanges(*valRange)
	if err != nil {
		return usagef("--val-range: %v", err)
	}
	if *loadInputs != "" && (fs.isSet("seed") || len(*valRange) > 0) {
		return usagef("--load-inputs reads the inputs: --seed and --val-range do not apply")
	}
	opt.Data = runner.DataOptions{Seed: *seed, Ranges: ranges}
	if opt.Compare, err = compareOptions(*atol, *rtol, *stat, *quantile); err != nil {
		return err
	}
	opt.Compare.InfinitiesCompareEqual = *infEqual

	cmd := commandLine(append([]string{"run"}, args...))
	log := &runner.Logger{W: stdout, Verbose: *verbose}
	if *jsonOut {
		log = &runner.Logger{W: stderr, Verbose: *verbose, Quiet: true}
	} else {
		opt.Report = stdout
	}
	opt.Log = log
	ctx, stop := signalContext()
	defer stop()

	start := time.Now()
	log.Infof("RUNNING | Command: %s", cmd)
	rep, err := runner.Run(ctx, opt)
	runtime := time.Since(start)
	if err != nil {
		cerr := runnerError(err)
		if *jsonOut {
			code := exitFailed
			if _, ok := cerr.(usageError); ok {
				code = exitUsage
			}
			writeJSON(map[string]any{"command": cmd, "passed": false, "error": err.Error(), "exit_code": code})
		} else if _, ok := cerr.(usageError); !ok {
			log.Errorf("FAILED | Runtime: %.3fs | Command: %s", runtime.Seconds(), cmd)
		}
		return cerr
	}
	if *jsonOut {
		out := struct {
			Command  string  `json:"command"`
			RuntimeS float64 `json:"runtime_s"`
			*runner.Report
		}{cmd, runtime.Seconds(), rep}
		if err := writeJSON(out); err != nil {
			return failf("writing the report: %v", err)
		}
	} else {
		if len(opt.Compare.Atol.PerOutput)+len(opt.Compare.Rtol.PerOutput) > 0 {
			warnUnknownOutputs(log, rep, opt.Compare)
		}
		if rep.Passed {
			log.Infof("PASSED | Runtime: %.3fs | Command: %s", runtime.Seconds(), cmd)
		} else {
			for _, f := range rep.Failures {
				log.Errorf("%s", f)
			}
			log.Errorf("FAILED | Runtime: %.3fs | Command: %s", runtime.Seconds(), cmd)
		}
	}
	if !rep.Passed {
		return errFailed
	}
	return nil
}

// warnUnknownOutputs warns about per-output tolerances naming no output (a
// typo would otherwise pass silently).
func warnUnknownOutputs(log *runner.Logger, rep *runner.Report, o compare.Options) {
	known := map[string]bool{}
	for _, r := range rep.Runners {
		for _, out := range r.Outputs {
			known[out.Name] = true
		}
	}
	for _, t := range []struct {
		flag string
		m    map[string]float64
	}{{"--atol", o.Atol.PerOutput}, {"--rtol", o.Rtol.PerOutput}} {
		for name := range t.m {
			if !known[name] {
				log.Warnf("%s names output %q, which the model does not have", t.flag, name)
			}
		}
	}
}

// compareOptions builds comparison options from the flags, on Polygraphy's
// defaults.
func compareOptions(atol, rtol, stat, quantile []string) (compare.Options, error) {
	o := compare.DefaultOptions()
	if err := o.Atol.Parse(atol); err != nil {
		return o, usagef("--atol: %v", err)
	}
	if err := o.Rtol.Parse(rtol); err != nil {
		return o, usagef("--rtol: %v", err)
	}
	if err := o.CheckErrorStat.Parse(stat); err != nil {
		return o, usagef("--check-error-stat: %v", err)
	}
	if err := o.ErrorQuantile.Parse(quantile); err != nil {
		return o, usagef("--error-quantile: %v", err)
	}
	check := func(v float64, where string) error {
		if v < 0 || v > 1 {
			return usagef("--error-quantile: %s is %s, want a value in [0, 1]", where, strconv.FormatFloat(v, 'g', -1, 64))
		}
		return nil
	}
	if err := check(o.ErrorQuantile.Default, "the default"); err != nil {
		return o, err
	}
	for n, v := range o.ErrorQuantile.PerOutput {
		if err := check(v, "output "+strconv.Quote(n)); err != nil {
			return o, err
		}
	}
	return o, nil
}

// writeJSON writes v as indented JSON to stdout.
func writeJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}
