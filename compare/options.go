package compare

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Polygraphy's defaults for CompareFunc.simple.
const (
	DefaultAtol          = 1e-5
	DefaultRtol          = 1e-5
	DefaultErrorQuantile = 0.99
)

// ErrorStat names the error statistic that decides pass or fail
// (Polygraphy's check_error_stat).
type ErrorStat string

// The error statistics Polygraphy knows.
const (
	Elemwise ErrorStat = "elemwise"
	Max      ErrorStat = "max"
	Mean     ErrorStat = "mean"
	Median   ErrorStat = "median"
	Quantile ErrorStat = "quantile"
)

// ParseErrorStat accepts elemwise, max, mean, median or quantile.
func ParseErrorStat(s string) (ErrorStat, error) {
	switch st := ErrorStat(strings.ToLower(strings.TrimSpace(s))); st {
	case Elemwise, Max, Mean, Median, Quantile:
		return st, nil
	}
	return "", fmt.Errorf("invalid error statistic %q (valid: elemwise, max, mean, median, quantile)", s)
}

// Tolerances is a value with per-output overrides, as Polygraphy's
// --atol/--rtol/--error-quantile take it: a bare value sets the default,
// name:value sets one output.
type Tolerances struct {
	Default   float64
	PerOutput map[string]float64
}

// For returns the value for the named output: its own if set, else Default.
func (t Tolerances) For(name string) float64 {
	if v, ok := t.PerOutput[name]; ok {
		return v
	}
	return t.Default
}

// isZero reports whether nothing was set.
func (t Tolerances) isZero() bool { return t.Default == 0 && len(t.PerOutput) == 0 }

// Parse reads items of the form "1e-3" (sets Default) or "name:1e-3" (sets
// that output). Each spec element may hold several items separated by commas,
// so both repeated flags and "--atol 1e-3,out0:1e-2" work. The name is
// everything before the last colon, so names that contain colons work.
func (t *Tolerances) Parse(spec []string) error {
	return parseItems(spec, func(name, val string) error {
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("invalid number %q", val)
		}
		if v < 0 || v != v {
			return fmt.Errorf("value %q must be a non-negative number", val)
		}
		if name == "" {
			t.Default = v
			return nil
		}
		if t.PerOutput == nil {
			t.PerOutput = map[string]float64{}
		}
		t.PerOutput[name] = v
		return nil
	})
}

// Set parses one flag value (flag.Value), so the flag can be repeated.
func (t *Tolerances) Set(s string) error { return t.Parse([]string{s}) }

// String formats t in the form Parse reads (flag.Value).
func (t *Tolerances) String() string {
	if t == nil {
		return ""
	}
	items := []string{strconv.FormatFloat(t.Default, 'g', -1, 64)}
	for _, n := range sortedKeys(t.PerOutput) {
		items = append(items, n+":"+strconv.FormatFloat(t.PerOutput[n], 'g', -1, 64))
	}
	return strings.Join(items, ",")
}

// ErrorStats is the checked statistic with per-output overrides, in the same
// [name:]value form as Tolerances. An empty Default means elemwise.
type ErrorStats struct {
	Default   ErrorStat
	PerOutput map[string]ErrorStat
}

// For returns the statistic for the named output.
func (s ErrorStats) For(name string) ErrorStat {
	if v, ok := s.PerOutput[name]; ok && v != "" {
		return v
	}
	if s.Default == "" {
		return Elemwise
	}
	return s.Default
}

// Parse reads items "max" or "name:mean" (comma-separated or repeated).
func (s *ErrorStats) Parse(spec []string) error {
	return parseItems(spec, func(name, val string) error {
		st, err := ParseErrorStat(val)
		if err != nil {
			return err
		}
		if name == "" {
			s.Default = st
			return nil
		}
		if s.PerOutput == nil {
			s.PerOutput = map[string]ErrorStat{}
		}
		s.PerOutput[name] = st
		return nil
	})
}

// Set parses one flag value (flag.Value).
func (s *ErrorStats) Set(v string) error { return s.Parse([]string{v}) }

// String formats s in the form Parse reads (flag.Value).
func (s *ErrorStats) String() string {
	if s == nil {
		return ""
	}
	def := s.Default
	if def == "" {
		def = Elemwise
	}
	items := []string{string(def)}
	for _, n := range sortedKeys(s.PerOutput) {
		items = append(items, n+":"+string(s.PerOutput[n]))
	}
	return strings.Join(items, ",")
}

func parseItems(spec []string, set func(name, val string) error) error {
	for _, arg := range spec {
		for _, item := range strings.Split(arg, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			name, val := "", item
			if i := strings.LastIndexByte(item, ':'); i >= 0 {
				name, val = strings.TrimSpace(item[:i]), strings.TrimSpace(item[i+1:])
				if name == "" {
					return fmt.Errorf("item %q: empty output name before ':'", item)
				}
			}
			if err := set(name, val); err != nil {
				return fmt.Errorf("item %q: %w", item, err)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Options controls a comparison. The zero value compares exactly
// (atol = rtol = 0) with the elemwise check; DefaultOptions gives
// Polygraphy's defaults.
type Options struct {
	Atol, Rtol Tolerances
	// CheckErrorStat is the statistic that decides pass/fail; empty means
	// elemwise.
	CheckErrorStat ErrorStats
	// ErrorQuantile is the quantile (0..1) for the "quantile" statistic. Left
	// entirely zero it means Polygraphy's default, 0.99.
	ErrorQuantile Tolerances
	// InfinitiesCompareEqual makes matching ±Inf elements count as equal
	// (absdiff 0) instead of NaN.
	InfinitiesCompareEqual bool
	// Histogram keeps value and error histograms for passing outputs too;
	// they are always kept for failing outputs (as Polygraphy prints them
	// only on failure).
	Histogram bool
}

// DefaultOptions returns Polygraphy's defaults: atol = rtol = 1e-5, elemwise,
// quantile 0.99.
func DefaultOptions() Options {
	return Options{
		Atol:           Tolerances{Default: DefaultAtol},
		Rtol:           Tolerances{Default: DefaultRtol},
		CheckErrorStat: ErrorStats{Default: Elemwise},
		ErrorQuantile:  Tolerances{Default: DefaultErrorQuantile},
	}
}

func (o *Options) quantileFor(name string) float64 {
	if o.ErrorQuantile.isZero() {
		return DefaultErrorQuantile
	}
	return o.ErrorQuantile.For(name)
}

func (o *Options) validate() error {
	check := func(what string, t Tolerances, lo, hi float64) error {
		vals := map[string]float64{"default": t.Default}
		for k, v := range t.PerOutput {
			vals["output "+strconv.Quote(k)] = v
		}
		for where, v := range vals {
			if !(v >= lo && v <= hi) {
				return fmt.Errorf("compare: %s for %s is %v, want a value in [%v, %v]", what, where, v, lo, hi)
			}
		}
		return nil
	}
	inf := math.Inf(1)
	if err := check("atol", o.Atol, 0, inf); err != nil {
		return err
	}
	if err := check("rtol", o.Rtol, 0, inf); err != nil {
		return err
	}
	if !o.ErrorQuantile.isZero() {
		if err := check("error quantile", o.ErrorQuantile, 0, 1); err != nil {
			return err
		}
	}
	stats := map[string]ErrorStat{"default": o.CheckErrorStat.Default}
	for k, v := range o.CheckErrorStat.PerOutput {
		stats["output "+strconv.Quote(k)] = v
	}
	for where, st := range stats {
		if st == "" {
			continue
		}
		if _, err := ParseErrorStat(string(st)); err != nil || ErrorStat(strings.ToLower(string(st))) != st {
			return fmt.Errorf("compare: check_error_stat for %s: invalid error statistic %q (valid: elemwise, max, mean, median, quantile)", where, st)
		}
	}
	return nil
}
