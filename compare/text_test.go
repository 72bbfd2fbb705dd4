package compare

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/tensor"
)

func sampleReport(t *testing.T, opt Options) *Report {
	t.Helper()
	got := map[string]*tensor.Tensor{
		"ok":    f32([]int{1, 3}, 1, 2, 3),
		"bad":   f32([]int{2, 2}, 1, 2.5, 3, 4),
		"extra": f32([]int{1}, 1),
	}
	want := map[string]*tensor.Tensor{
		"ok":  f32([]int{1, 3}, 1, 2, 3),
		"bad": f32([]int{2, 2}, 1, 2, 3, 4),
	}
	rep, err := Outputs(got, want, []string{"ok", "bad", "extra"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestWriteText(t *testing.T) {
	rep := sampleReport(t, DefaultOptions())
	var buf bytes.Buffer
	if err := rep.WriteText(&buf, "gotrt-fp16", "onnxrt"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Comparing Output: 'ok' | gotrt-fp16 (dtype=FP32, shape=(1, 3)) vs. onnxrt (dtype=FP32, shape=(1, 3))",
		"    Tolerance: [abs=1e-05, rel=1e-05] | Checking elemwise error",
		"    gotrt-fp16: ok | Stats: mean=2, std-dev=0.8165, var=0.66667, median=2, min=1 at (0, 0), max=3 at (0, 2), avg-magnitude=2, p90=2.8, p95=2.9, p99=2.98",
		"    onnxrt: bad | Stats: mean=2.5, std-dev=1.118, var=1.25, median=2.5, min=1 at (0, 0), max=4 at (1, 1)",
		"    Error Metrics: bad",
		"        Minimum Required Tolerance: elemwise error | [abs=0.5] OR [rel=0.25]",
		"        Absolute Difference | Stats: mean=0.125, std-dev=0.21651, var=0.046875, median=0, min=0 at (0, 0), max=0.5 at (0, 1)",
		"        Relative Difference | Stats: mean=0.0625,",
		"        Mismatched elements: 1 of 4 (25%)",
		"        Smallest passing tolerance: abs=0.5 (with rel=1e-05) | rel=0.25 (with abs=1e-05)",
		"    PASSED | Output: 'ok' | Difference is within tolerance (rel=1e-05, abs=1e-05)",
		"    FAILED | Output: 'bad' | Difference exceeds tolerance (rel=1e-05, abs=1e-05)",
		"    FAILED | Output: 'extra' | Not found in onnxrt outputs",
		"FAILED | Mismatched outputs: ['bad', 'extra']",
		"Accuracy Summary | gotrt-fp16 vs. onnxrt | Passed: 1/3 outputs | Pass Rate: 33.3%",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n--- output ---\n%s", want, out)
		}
	}
	// Histograms only for the failing comparison: got, want, abs and rel.
	if n := strings.Count(out, "---- Histogram ----"); n != 4 {
		t.Errorf("%d histograms, want 4\n%s", n, out)
	}
	okSection := out[:strings.Index(out, "Comparing Output: 'bad'")]
	if strings.Contains(okSection, "Histogram") {
		t.Errorf("passing output shows a histogram:\n%s", okSection)
	}
}

func TestWriteTextHistogramOption(t *testing.T) {
	opt := DefaultOptions()
	opt.Histogram = true
	rep := sampleReport(t, opt)
	var buf bytes.Buffer
	rep.WriteText(&buf, "a", "b")
	// ok: 4 histograms, bad: 4, extra (not compared): its value histogram.
	if n := strings.Count(buf.String(), "---- Histogram ----"); n != 9 {
		t.Errorf("%d histograms, want 9\n%s", n, buf.String())
	}
}

func TestWriteTextAllPassed(t *testing.T) {
	rep, err := Outputs(one(vec(1, 2)), one(vec(1, 2)), nil, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rep.WriteText(&buf, "x", "y")
	for _, want := range []string{
		"PASSED | All outputs matched | Outputs: ['out']",
		"Passed: 1/1 outputs | Pass Rate: 100.0%",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q\n%s", want, buf.String())
		}
	}
}

func TestWriteTextStructural(t *testing.T) {
	got := map[string]*tensor.Tensor{"s": f64([]int{2, 2}, 1, 2, 3, 4), "d": vec(1)}
	want := map[string]*tensor.Tensor{"s": f64([]int{4}, 1, 2, 3, 4), "d": &tensor.Tensor{Type: tensor.Int32, Dims: []int{1}, Data: []int32{1}},
		"m": vec(nan)}
	opt := DefaultOptions()
	opt.CheckErrorStat = ErrorStats{Default: Quantile}
	rep, err := Outputs(got, want, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rep.WriteText(&buf, "got", "want")
	out := buf.String()
	for _, w := range []string{
		"Comparing Output: 's' | got (dtype=FP64, shape=(2, 2)) vs. want (dtype=FP64, shape=(4,))",
		"FAILED | Output: 's' | Will not compare outputs of different shapes: (2, 2) vs. (4,)",
		"FAILED | Output: 'd' | Will not compare a floating-point output (FP64) with a integer output (INT32)",
		"Comparing Output: 'm' | got (missing) vs. want (dtype=FP64, shape=(1,))",
		"want: m | Stats: mean=nan",
		"Non-finite values: got has 0 NaN, 0 Inf | want has 1 NaN, 0 Inf",
		"FAILED | Output: 'm' | Not found in got outputs",
		"Checking quantile error (quantile=0.99)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q\n%s", w, out)
		}
	}
	if strings.Contains(out, "Error Metrics") {
		t.Errorf("error metrics printed for outputs that were not compared\n%s", out)
	}
}

func TestWriteJSON(t *testing.T) {
	got := map[string]*tensor.Tensor{"y": vec(1, nan, 3), "only": vec(1)}
	want := map[string]*tensor.Tensor{"y": vec(1, 2, 3)}
	rep, err := Outputs(got, want, nil, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Passed  bool             `json:"passed"`
		Failed  []string         `json:"failed"`
		Outputs []map[string]any `json:"outputs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, buf.String())
	}
	if doc.Passed || len(doc.Outputs) != 2 || strings.Join(doc.Failed, ",") != "only,y" {
		t.Fatalf("passed=%v failed=%v outputs=%d", doc.Passed, doc.Failed, len(doc.Outputs))
	}
	only, y := doc.Outputs[0], doc.Outputs[1]
	if only["missing_from"] != "want" || only["want"] != nil || only["abs_diff"] != nil || only["got"] == nil {
		t.Errorf("missing output encoded as %v", only)
	}
	for _, key := range []string{"name", "dims", "passed", "got_dtype", "want_dtype", "atol", "rtol", "check_error_stat",
		"got", "want", "abs_diff", "rel_diff", "checked_abs", "checked_rel", "min_atol_to_pass", "min_rtol_to_pass",
		"got_nan", "got_inf", "want_nan", "want_inf", "elements", "mismatches"} {
		if _, ok := y[key]; !ok {
			t.Errorf("output JSON lacks %q: %v", key, y)
		}
	}
	abs := y["abs_diff"].(map[string]any)
	if abs["mean"] != "nan" || abs["max_index"] != float64(1) || y["got_nan"] != float64(1) || y["mismatches"] != float64(1) {
		t.Errorf("abs_diff = %v", abs)
	}
	for _, key := range []string{"std_dev", "avg_magnitude", "l2_norm", "min_at", "p99", "histogram"} {
		if _, ok := abs[key]; !ok {
			t.Errorf("stats JSON lacks %q", key)
		}
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct{ got, want string }{
		{formatIndex(nil), "()"},
		{formatIndex([]int{3}), "(3,)"},
		{formatIndex([]int{0, 24, 17}), "(0, 24, 17)"},
		{g5(1e-05), "1e-05"},
		{g5(0.000109671), "0.00010967"},
		{g5(123456), "1.2346e+05"},
		{g5(nan), "nan"},
		{g5(pInf), "inf"},
		{g5(nInf), "-inf"},
		{shortest(1e-05), "1e-05"},
		{shortest(0.001), "0.001"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
