package compare

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteText prints the report in the layout of `polygraphy run`: per output
// the tolerance, the got and want value statistics, the error metrics
// (minimum required tolerance, absolute and relative difference statistics),
// histograms for failing outputs, and a PASSED/FAILED line; then a summary.
// gotLabel and wantLabel name the two runs (e.g. "gotrt-fp16", "onnxrt").
func (r *Report) WriteText(w io.Writer, gotLabel, wantLabel string) error {
	bw := bufio.NewWriter(w)
	p := &printer{w: bw}
	for i := range r.Outputs {
		writeOutput(p, &r.Outputs[i], gotLabel, wantLabel)
	}
	var names []string
	passed := 0
	for _, o := range r.Outputs {
		names = append(names, o.Name)
		if o.Passed {
			passed++
		}
	}
	if failed := r.Failed(); len(failed) > 0 {
		p.line(0, "FAILED | Mismatched outputs: [%s]", quoteJoin(failed))
	} else {
		p.line(0, "PASSED | All outputs matched | Outputs: [%s]", quoteJoin(names))
	}
	rate := 100.0
	if len(r.Outputs) > 0 {
		rate = 100 * float64(passed) / float64(len(r.Outputs))
	}
	p.line(0, "Accuracy Summary | %s vs. %s | Passed: %d/%d outputs | Pass Rate: %.1f%%",
		gotLabel, wantLabel, passed, len(r.Outputs), rate)
	return bw.Flush()
}

func writeOutput(p *printer, o *OutputResult, gotLabel, wantLabel string) {
	desc := func(label string, t fmt.Stringer, dims []int, present bool) string {
		if !present {
			return label + " (missing)"
		}
		return fmt.Sprintf("%s (dtype=%v, shape=%s)", label, t, formatIndex(dims))
	}
	gotDims := o.Dims
	if o.GotDims != nil {
		gotDims = o.GotDims
	}
	p.line(0, "Comparing Output: '%s' | %s vs. %s", o.Name,
		desc(gotLabel, o.GotType, gotDims, o.hasGot()),
		desc(wantLabel, o.WantType, o.Dims, o.hasWant()))

	tol := fmt.Sprintf("Tolerance: [abs=%s, rel=%s] | Checking %s error", g5(o.Atol), g5(o.Rtol), o.CheckErrorStat)
	if o.CheckErrorStat == Quantile {
		tol += fmt.Sprintf(" (quantile=%.4g)", o.ErrorQuantile)
	}
	p.line(1, "%s", tol)

	if o.hasGot() {
		p.stats(1, gotLabel+": "+o.Name, &o.Got)
	}
	if o.hasWant() {
		p.stats(1, wantLabel+": "+o.Name, &o.Want)
	}

	if o.Reason == "" {
		p.line(1, "Error Metrics: %s", o.Name)
		req := fmt.Sprintf("Minimum Required Tolerance: %s error | [abs=%s] OR [rel=%s]",
			o.CheckErrorStat, g5(o.CheckedAbs), g5(o.CheckedRel))
		switch o.CheckErrorStat {
		case Elemwise:
			req += " (each alone; with both set, less may do)"
		case Quantile:
			req += fmt.Sprintf(" (quantile=%.4g)", o.ErrorQuantile)
		}
		p.line(2, "%s", req)
		p.stats(2, "Absolute Difference", &o.AbsDiff)
		p.stats(2, "Relative Difference", &o.RelDiff)
		pct := 0.0
		if o.Elements > 0 {
			pct = 100 * float64(o.Mismatches) / float64(o.Elements)
		}
		p.line(2, "Mismatched elements: %d of %d (%.4g%%) exceed both atol and rtol", o.Mismatches, o.Elements, pct)
		p.line(2, "Smallest passing tolerance: abs=%s (with rel=%s) | rel=%s (with abs=%s)",
			g5(o.MinAtolToPass), g5(o.Rtol), g5(o.MinRtolToPass), g5(o.Atol))
	}
	if o.GotNaN+o.GotInf+o.WantNaN+o.WantInf > 0 {
		p.line(2, "Non-finite values: %s has %d NaN, %d Inf | %s has %d NaN, %d Inf",
			gotLabel, o.GotNaN, o.GotInf, wantLabel, o.WantNaN, o.WantInf)
	}

	tols := fmt.Sprintf("(rel=%s, abs=%s)", shortest(o.Rtol), shortest(o.Atol))
	switch {
	case o.Passed:
		p.line(1, "PASSED | Output: '%s' | Difference is within tolerance %s", o.Name, tols)
	case o.MissingFrom == SideGot:
		p.line(1, "FAILED | Output: '%s' | Not found in %s outputs", o.Name, gotLabel)
	case o.MissingFrom == SideWant:
		p.line(1, "FAILED | Output: '%s' | Not found in %s outputs", o.Name, wantLabel)
	case o.MissingFrom == SideBoth:
		p.line(1, "FAILED | Output: '%s' | Not found in %s or %s outputs", o.Name, gotLabel, wantLabel)
	case o.Reason != "":
		p.line(1, "FAILED | Output: '%s' | %s", o.Name, capitalize(o.Reason))
	default:
		p.line(1, "FAILED | Output: '%s' | Difference exceeds tolerance %s", o.Name, tols)
	}
}

type printer struct{ w io.Writer }

func (p *printer) line(indent int, format string, args ...any) {
	fmt.Fprintf(p.w, "%s%s\n", strings.Repeat("    ", indent), fmt.Sprintf(format, args...))
}

func (p *printer) stats(indent int, label string, s *Stats) {
	p.line(indent, "%s | Stats: %s", label, formatStats(s))
	if s.Histogram != nil {
		for _, l := range histogramLines(s.Histogram) {
			p.line(indent+1, "%s", l)
		}
	}
}

func formatStats(s *Stats) string {
	if s.Count == 0 {
		return "empty (0 elements)"
	}
	return fmt.Sprintf("mean=%s, std-dev=%s, var=%s, median=%s, min=%s at %s, max=%s at %s, avg-magnitude=%s, p90=%s, p95=%s, p99=%s",
		g5(s.Mean), g5(s.StdDev), g5(s.Var), g5(s.Median),
		g5(s.Min), formatIndex(s.MinAt), g5(s.Max), formatIndex(s.MaxAt),
		g5(s.AvgMagnitude), g5(s.P90), g5(s.P95), g5(s.P99))
}

// histogramLines draws bins as a table with a bar scaled to the fullest bin.
func histogramLines(bins []Bin) []string {
	const barWidth = 40
	maxCount := 0
	for _, b := range bins {
		maxCount = max(maxCount, b.Count)
	}
	ranges := make([]string, len(bins))
	rw := len("Bin Range")
	for i, b := range bins {
		closer := ")"
		if i == len(bins)-1 {
			closer = "]"
		}
		ranges[i] = fmt.Sprintf("[%s, %s%s", g3(b.Lo), g3(b.Hi), closer)
		rw = max(rw, len(ranges[i]))
	}
	cw := max(len("Num Elems"), len(strconv.Itoa(maxCount)))
	lines := []string{
		"---- Histogram ----",
		fmt.Sprintf("%-*s | %*s | Visualization", rw, "Bin Range", cw, "Num Elems"),
	}
	for i, b := range bins {
		bar := 0
		if maxCount > 0 {
			bar = barWidth * b.Count / maxCount
		}
		lines = append(lines, strings.TrimRight(fmt.Sprintf("%-*s | %*d | %s", rw, ranges[i], cw, b.Count, strings.Repeat("#", bar)), " "))
	}
	return lines
}

// formatIndex writes an index or shape as a Python tuple: (), (3,), (1, 2).
func formatIndex(idx []int) string {
	switch len(idx) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", idx[0])
	}
	parts := make([]string, len(idx))
	for i, v := range idx {
		parts[i] = strconv.Itoa(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// g5 formats like Python's "{:.5g}" (nan, inf, -inf for non-finite values).
func g5(v float64) string { return gfmt(v, 5) }

func g3(v float64) string { return gfmt(v, 3) }

func gfmt(v float64, prec int) string {
	switch {
	case v != v:
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', prec, 64)
}

// shortest formats a tolerance with the fewest digits that read back exactly.
func shortest(v float64) string {
	switch {
	case v != v:
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
