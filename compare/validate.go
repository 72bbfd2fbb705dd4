package compare

import (
	"bufio"
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/gotrt/gotrt/tensor"
)

// Validate counts the NaN and ±Inf elements of t (for `--validate`). A nil
// tensor has none. name is only for the caller's messages; it does not
// affect the count.
func Validate(name string, t *tensor.Tensor) (nanCount, infCount int) {
	if t == nil {
		return 0, 0
	}
	// Integer and bool tensors cannot hold NaN or Inf.
	if !t.Type.IsFloat() {
		return 0, 0
	}
	return countNonFinite(t.Float64s())
}

// ValidationResult is the NaN/Inf check of one output.
type ValidationResult struct {
	Name  string
	Type  tensor.DataType
	Dims  []int
	NaN   int
	Inf   int
	Stats Stats
}

// Valid reports whether the output holds neither NaN nor Inf.
func (v *ValidationResult) Valid() bool { return v.NaN == 0 && v.Inf == 0 }

// ValidationReport is the NaN/Inf check of a set of outputs, as
// `polygraphy run --validate` does it (check_nan and check_inf both on).
type ValidationReport struct {
	Outputs []ValidationResult
	Passed  bool
}

// Invalid returns the names of outputs with NaN or Inf.
func (r *ValidationReport) Invalid() []string {
	var names []string
	for i := range r.Outputs {
		if !r.Outputs[i].Valid() {
			names = append(names, r.Outputs[i].Name)
		}
	}
	return names
}

// ValidateAll checks every output for NaN and Inf. order gives the outputs to
// report first; the others follow in name order. Nil tensors are skipped.
func ValidateAll(outputs map[string]*tensor.Tensor, order []string) *ValidationReport {
	rep := &ValidationReport{Passed: true}
	seen := map[string]bool{}
	var names []string
	for _, n := range order {
		if t := outputs[n]; t != nil && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	var rest []string
	for n, t := range outputs {
		if t != nil && !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	for _, n := range append(names, rest...) {
		t := outputs[n]
		v := ValidationResult{Name: n, Type: t.Type, Dims: append([]int(nil), t.Dims...)}
		vals := t.Float64s()
		v.NaN, v.Inf = countNonFinite(vals)
		v.Stats = computeStats(vals, t.Dims)
		rep.Passed = rep.Passed && v.Valid()
		rep.Outputs = append(rep.Outputs, v)
	}
	return rep
}

// WriteText prints, per output, its statistics and whether NaN or Inf were
// found, then an overall PASSED/FAILED line. label names the run.
func (r *ValidationReport) WriteText(w io.Writer, label string) error {
	bw := bufio.NewWriter(w)
	p := &printer{w: bw}
	p.line(0, "Output Validation | Runners: ['%s']", label)
	for i := range r.Outputs {
		v := &r.Outputs[i]
		p.line(1, "%s | Validating output: %s (check_inf=True, check_nan=True)", label, v.Name)
		p.line(2, "%s", formatStats(&v.Stats))
		n := v.Stats.Count
		if v.NaN > 0 {
			p.line(2, "NaN Detected | %d of %d elements are NaN", v.NaN, n)
		}
		if v.Inf > 0 {
			p.line(2, "Inf Detected | %d of %d elements are infinite", v.Inf, n)
		}
		if v.Valid() {
			p.line(2, "PASSED | Output: %s is valid", v.Name)
		} else {
			p.line(2, "FAILED | Errors detected in output: %s", v.Name)
		}
	}
	if r.Passed {
		p.line(1, "PASSED | Output Validation")
	} else {
		p.line(1, "FAILED | Output Validation | Outputs with NaN or Inf: [%s]", quoteJoin(r.Invalid()))
	}
	return bw.Flush()
}

// WriteJSON writes the validation report as indented JSON (snake_case).
func (r *ValidationReport) WriteJSON(w io.Writer) error {
	type out struct {
		Name  string `json:"name"`
		Dtype string `json:"dtype"`
		Dims  []int  `json:"dims"`
		Valid bool   `json:"valid"`
		NaN   int    `json:"nan"`
		Inf   int    `json:"inf"`
		Stats Stats  `json:"stats"`
	}
	j := struct {
		Passed  bool     `json:"passed"`
		Invalid []string `json:"invalid"`
		Outputs []out    `json:"outputs"`
	}{Passed: r.Passed, Invalid: append([]string{}, r.Invalid()...), Outputs: []out{}}
	for i := range r.Outputs {
		v := &r.Outputs[i]
		dims := v.Dims
		if dims == nil {
			dims = []int{}
		}
		j.Outputs = append(j.Outputs, out{v.Name, v.Type.String(), dims, v.Valid(), v.NaN, v.Inf, v.Stats})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}
