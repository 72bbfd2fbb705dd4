package compare

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/gotrt/gotrt/tensor"
)

// zeroEpsilon replaces reference values that are exactly zero when the
// relative difference is computed (float64 machine epsilon, as Polygraphy).
const zeroEpsilon = 2.220446049250313e-16

// Side names which of the two result sets an output is missing from.
type Side string

// The two sides of a comparison.
const (
	SideGot  Side = "got"
	SideWant Side = "want"
	SideBoth Side = "both" // named in the order but absent on both sides
)

// hasGot and hasWant report whether the output exists on that side.
func (o *OutputResult) hasGot() bool  { return o.MissingFrom != SideGot && o.MissingFrom != SideBoth }
func (o *OutputResult) hasWant() bool { return o.MissingFrom != SideWant && o.MissingFrom != SideBoth }

// OutputResult is the comparison of one output.
type OutputResult struct {
	Name string
	// Dims are the dims of the reference (want) output, or of got when want
	// is missing. GotDims is set as well when the shapes differ.
	Dims    []int
	GotDims []int

	Passed bool
	// Reason says why the output failed without a numeric comparison
	// (missing, shape or dtype mismatch); empty otherwise.
	Reason string
	// MissingFrom is set when the output exists on one side only.
	MissingFrom Side

	GotType, WantType tensor.DataType

	// The settings applied to this output.
	Atol, Rtol     float64
	CheckErrorStat ErrorStat
	ErrorQuantile  float64 // only meaningful for the quantile statistic

	Got, Want        Stats
	AbsDiff, RelDiff Stats

	// CheckedAbs and CheckedRel are the checked statistic of the absolute
	// and relative difference (max for elemwise): Polygraphy's "Minimum
	// Required Tolerance", which holds when only one kind of tolerance is
	// used. NaN when the outputs were not compared.
	CheckedAbs, CheckedRel float64
	// MinAtolToPass is the smallest atol that passes with Rtol unchanged;
	// MinRtolToPass the smallest rtol that passes with Atol unchanged. +Inf
	// or NaN means no value of that tolerance alone can pass (e.g. NaN
	// outputs); NaN also when the outputs were not compared.
	MinAtolToPass, MinRtolToPass float64

	GotNaN, GotInf, WantNaN, WantInf int
	// Elements is the number of elements compared; Mismatches how many of
	// them fail the elementwise rule (whatever statistic is checked).
	Elements, Mismatches int
}

// Report is the comparison of all outputs.
type Report struct {
	Outputs []OutputResult
	Passed  bool
}

// Failed returns the names of the outputs that did not pass.
func (r *Report) Failed() []string {
	var names []string
	for _, o := range r.Outputs {
		if !o.Passed {
			names = append(names, o.Name)
		}
	}
	return names
}

// Output returns the result for the named output, or nil.
func (r *Report) Output(name string) *OutputResult {
	for i := range r.Outputs {
		if r.Outputs[i].Name == name {
			return &r.Outputs[i]
		}
	}
	return nil
}

// Outputs compares got against want, output by output. order gives the
// outputs to report first, in that order; outputs of got or want not named
// in it follow in name order. An output present on one side only, with a
// different shape, or of a different dtype class (float, integer, bool)
// fails with a Reason; so does a name in order that neither side has. The
// error is for invalid options, malformed tensors, or nothing to compare.
func Outputs(got, want map[string]*tensor.Tensor, order []string, opt Options) (*Report, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	for _, m := range []map[string]*tensor.Tensor{got, want} {
		for name, t := range m {
			if t == nil {
				continue
			}
			if err := t.Validate(); err != nil {
				return nil, fmt.Errorf("compare: output %q: %w", name, err)
			}
		}
	}
	names := outputOrder(got, want, order)
	if len(names) == 0 {
		return nil, fmt.Errorf("compare: no outputs to compare")
	}
	rep := &Report{Passed: true}
	for _, name := range names {
		res := compareOne(name, got[name], want[name], &opt)
		rep.Passed = rep.Passed && res.Passed
		rep.Outputs = append(rep.Outputs, res)
	}
	return rep, nil
}

func outputOrder(got, want map[string]*tensor.Tensor, order []string) []string {
	seen := map[string]bool{}
	var names []string
	for _, n := range order {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	var rest []string
	for _, m := range []map[string]*tensor.Tensor{got, want} {
		for n, t := range m {
			if t != nil && !seen[n] {
				seen[n] = true
				rest = append(rest, n)
			}
		}
	}
	sort.Strings(rest)
	return append(names, rest...)
}

type dtypeClass int

const (
	classFloat dtypeClass = iota
	classInt
	classBool
)

func classOf(t tensor.DataType) dtypeClass {
	switch {
	case t == tensor.Bool:
		return classBool
	case t.IsFloat():
		return classFloat
	}
	return classInt
}

func (c dtypeClass) String() string {
	return [...]string{"floating-point", "integer", "bool"}[c]
}

func compareOne(name string, g, w *tensor.Tensor, opt *Options) OutputResult {
	res := OutputResult{
		Name:           name,
		Atol:           opt.Atol.For(name),
		Rtol:           opt.Rtol.For(name),
		CheckErrorStat: opt.CheckErrorStat.For(name),
		MinAtolToPass:  math.NaN(),
		MinRtolToPass:  math.NaN(),
		CheckedAbs:     math.NaN(),
		CheckedRel:     math.NaN(),
	}
	if res.CheckErrorStat == Quantile {
		res.ErrorQuantile = opt.quantileFor(name)
	}
	var gv, wv []float64
	if g != nil {
		gv = g.Float64s()
		res.GotType = g.Type
		res.Got = computeStats(gv, g.Dims)
		res.GotNaN, res.GotInf = countNonFinite(gv)
	}
	if w != nil {
		wv = w.Float64s()
		res.WantType = w.Type
		res.Want = computeStats(wv, w.Dims)
		res.WantNaN, res.WantInf = countNonFinite(wv)
	}
	keepHist := opt.Histogram
	var abs, rel []float64
	switch {
	case g == nil && w == nil:
		res.MissingFrom = SideBoth
		res.Reason = "output is missing from both results"
	case g == nil:
		res.Dims = append([]int(nil), w.Dims...)
		res.MissingFrom = SideGot
		res.Reason = "output is missing from the results under test"
	case w == nil:
		res.Dims = append([]int(nil), g.Dims...)
		res.MissingFrom = SideWant
		res.Reason = "output is missing from the reference results"
	default:
		res.Dims = append([]int(nil), w.Dims...)
		if !slices.Equal(g.Dims, w.Dims) {
			res.GotDims = append([]int(nil), g.Dims...)
			res.Reason = fmt.Sprintf("will not compare outputs of different shapes: %s vs. %s",
				formatIndex(g.Dims), formatIndex(w.Dims))
		} else if cg, cw := classOf(g.Type), classOf(w.Type); cg != cw {
			res.Reason = fmt.Sprintf("will not compare a %s output (%v) with a %s output (%v)", cg, g.Type, cw, w.Type)
		} else {
			abs, rel = compareValues(&res, gv, wv, w.Dims, opt)
			keepHist = keepHist || !res.Passed
		}
	}
	if res.Reason != "" {
		res.Passed = false
	}
	if keepHist {
		if lo, hi, ok := finiteRange(gv, wv); ok {
			if g != nil {
				res.Got.Histogram = histogram(gv, lo, hi)
			}
			if w != nil {
				res.Want.Histogram = histogram(wv, lo, hi)
			}
		}
		if lo, hi, ok := finiteRange(abs); ok {
			res.AbsDiff.Histogram = histogram(abs, lo, hi)
		}
		if lo, hi, ok := finiteRange(rel); ok {
			res.RelDiff.Histogram = histogram(rel, lo, hi)
		}
	}
	return res
}

// compareValues fills the numeric part of res and returns the absolute and
// relative differences.
func compareValues(res *OutputResult, gv, wv []float64, dims []int, opt *Options) (abs, rel []float64) {
	n := len(gv)
	abs = make([]float64, n)
	rel = make([]float64, n)
	for i := range gv {
		a, b := gv[i], wv[i]
		d := math.Abs(a - b)
		if opt.InfinitiesCompareEqual && math.IsInf(a, 0) && a == b {
			d = 0
		}
		abs[i] = d
		den := math.Abs(b)
		if b == 0 {
			den = zeroEpsilon
		}
		rel[i] = d / den
	}
	res.Elements = n
	res.AbsDiff = computeStats(abs, dims)
	res.RelDiff = computeStats(rel, dims)

	atol, rtol := res.Atol, res.Rtol
	// Elementwise rule, counted always; and the exact minimum tolerances.
	minAtol, minRtol := 0.0, 0.0
	for i := range abs {
		absBad := abs[i] > atol || abs[i] != abs[i]
		relBad := rel[i] > rtol || rel[i] != rel[i]
		if absBad && relBad {
			res.Mismatches++
		}
		if relBad { // this element needs atol >= abs[i]
			minAtol = maxNaN(minAtol, abs[i])
		}
		if absBad {
			minRtol = maxNaN(minRtol, rel[i])
		}
	}

	var sa, sr float64
	switch res.CheckErrorStat {
	case Elemwise, Max:
		sa, sr = res.AbsDiff.Max, res.RelDiff.Max
	case Mean:
		sa, sr = res.AbsDiff.Mean, res.RelDiff.Mean
	case Median:
		sa, sr = res.AbsDiff.Median, res.RelDiff.Median
	case Quantile:
		sa, sr = quantileOf(abs, res.ErrorQuantile), quantileOf(rel, res.ErrorQuantile)
	}
	if n == 0 {
		sa, sr = 0, 0
	}
	res.CheckedAbs, res.CheckedRel = sa, sr

	if res.CheckErrorStat == Elemwise {
		res.Passed = res.Mismatches == 0
		res.MinAtolToPass, res.MinRtolToPass = minAtol, minRtol
		return abs, rel
	}
	absBad := sa > atol || sa != sa
	relBad := sr > rtol || sr != sr
	res.Passed = !(absBad && relBad)
	// With the other tolerance fixed: if it already passes, any value of this
	// one does (0); otherwise this one must reach the statistic.
	res.MinAtolToPass, res.MinRtolToPass = 0, 0
	if relBad {
		res.MinAtolToPass = sa
	}
	if absBad {
		res.MinRtolToPass = sr
	}
	return abs, rel
}

// maxNaN is max that lets NaN win (a NaN requirement can never be met).
func maxNaN(a, b float64) float64 {
	if a != a || b != b {
		return math.NaN()
	}
	return math.Max(a, b)
}

func countNonFinite(x []float64) (nan, inf int) {
	for _, v := range x {
		switch {
		case v != v:
			nan++
		case math.IsInf(v, 0):
			inf++
		}
	}
	return nan, inf
}
