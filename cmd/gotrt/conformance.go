package main

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/gotrt/gotrt/conformance"
	"github.com/gotrt/gotrt/runner"
)

func init() {
	register("conformance", "run ONNX backend test cases (model.onnx + test_data_set_*) and summarize per operator", cmdConformance)
}

const conformanceUsage = `gotrt conformance [DIR...] [--backend cpu|cuda|auto] [--filter PATTERN] [--verbose] [--json]

Runs the ONNX backend test cases under each DIR (a folder with model.onnx and
test_data_set_*/input_*.pb, output_*.pb, or a folder of such folders; default
` + conformance.DefaultDataDir + `, Debian's libonnx-testdata) and compares with
the expected outputs (rtol 1e-3, atol 1e-7). Prints failures (every case with
--verbose), a per-operator summary and 'N passed, N failed, N skipped'.
Exit status 1 if any case failed.`

func cmdConformance(args []string) error {
	fs := newFlagSet("conformance", conformanceUsage)
	backend := fs.String("backend", "cpu", "engine backend: cpu, cuda or auto")
	filter := fs.String("filter", "", "only cases whose name matches: a glob with * ? [..], else a substring")
	rtol := fs.Float64("rtol", conformance.DefaultRtol, "relative tolerance")
	atol := fs.Float64("atol", conformance.DefaultAtol, "absolute tolerance")
	verbose := fs.Bool("verbose", false, "list every case with its status")
	fs.BoolVar(verbose, "v", false, "same as --verbose")
	jsonOut := fs.Bool("json", false, "write the results as JSON to stdout")
	dirs, err := fs.parse(args)
	if err == errHelp {
		return nil
	} else if err != nil {
		return err
	}
	b, err := runner.ParseBackend(*backend)
	if err != nil {
		return usagef("--backend: %v", err)
	}
	if !(*rtol >= 0) || !(*atol >= 0) {
		return usagef("--rtol and --atol must be non-negative")
	}
	if strings.ContainsAny(*filter, "*?[") {
		if _, err := path.Match(*filter, ""); err != nil {
			return usagef("--filter: bad pattern %q: %v", *filter, err)
		}
	}
	if len(dirs) == 0 {
		dirs = []string{conformance.DefaultDataDir}
	}
	cases, err := conformance.Find(dirs...)
	if err != nil {
		return usagef("%v", err)
	}
	var selected []conformance.Case
	for _, c := range cases {
		if matchFilter(*filter, c.Name) {
			selected = append(selected, c)
		}
	}
	if len(selected) == 0 {
		return usagef("no test cases match --filter %q (of %d found)", *filter, len(cases))
	}
	ctx, stop := signalContext()
	defer stop()
	prog := runner.NewProgress(&runner.Logger{W: stderr})
	prog.Interval = 5 * time.Second

	start := time.Now()
	var rs []conformance.Result
	for i, c := range selected {
		if ctx.Err() != nil {
			return failf("interrupted after %d of %d cases", i, len(selected))
		}
		r := runCase(ctx, c, conformance.Options{Backend: b, Rtol: *rtol, Atol: *atol})
		rs = append(rs, r)
		if !*jsonOut && (*verbose || r.Status == conformance.Failed) {
			fmt.Fprintln(stdout, r.String())
		}
		if !*verbose {
			prog.Update("conformance", i+1, len(selected))
		}
	}
	s := conformance.Summarize(rs)
	if *jsonOut {
		if err := writeJSON(conformanceJSON(rs, s, b, time.Since(start))); err != nil {
			return failf("%v", err)
		}
	} else {
		s.WriteText(stdout)
	}
	if s.Failed > 0 {
		return errFailed
	}
	return nil
}

// runCase runs one case; a panic inside fails that case only.
func runCase(ctx context.Context, c conformance.Case, opt conformance.Options) (r conformance.Result) {
	defer func() {
		if p := recover(); p != nil {
			r = conformance.Result{Case: c, Status: conformance.Failed, Reason: fmt.Sprintf("internal error: %v", p)}
		}
	}()
	return conformance.Run(ctx, c, opt)
}

func matchFilter(filter, name string) bool {
	if filter == "" {
		return true
	}
	if strings.ContainsAny(filter, "*?[") {
		ok, _ := path.Match(filter, name)
		return ok
	}
	return strings.Contains(name, filter)
}

func conformanceJSON(rs []conformance.Result, s *conformance.Summary, backend any, took time.Duration) map[string]any {
	type caseJSON struct {
		Name      string   `json:"name"`
		Dir       string   `json:"dir"`
		Status    string   `json:"status"`
		Reason    string   `json:"reason,omitempty"`
		Ops       []string `json:"ops"`
		ElapsedMS float64  `json:"elapsed_ms"`
	}
	type opJSON struct {
		Passed  int `json:"passed"`
		Failed  int `json:"failed"`
		Skipped int `json:"skipped"`
	}
	cases := []caseJSON{}
	for _, r := range rs {
		ops := r.Ops
		if ops == nil {
			ops = []string{}
		}
		cases = append(cases, caseJSON{r.Case.Name, r.Case.Dir, r.Status.String(), r.Reason, ops, float64(r.Elapsed) / 1e6})
	}
	perOp := map[string]opJSON{}
	var ops []string
	for op := range s.PerOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		c := s.PerOp[op]
		perOp[op] = opJSON{c.Passed, c.Failed, c.Skipped}
	}
	return map[string]any{"backend": backend, "passed": s.Passed, "failed": s.Failed, "skipped": s.Skipped,
		"total": len(rs), "elapsed_s": took.Seconds(), "per_op": perOp, "cases": cases}
}
