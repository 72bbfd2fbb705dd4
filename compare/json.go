package compare

import (
	"encoding/json"
	"io"
	"math"
	"strconv"
)

// jsonFloat encodes NaN and ±Inf as the strings "nan", "inf" and "-inf",
// which plain JSON numbers cannot express.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case v != v:
		return []byte(`"nan"`), nil
	case math.IsInf(v, 1):
		return []byte(`"inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

type jsonBin struct {
	Lo    jsonFloat `json:"lo"`
	Hi    jsonFloat `json:"hi"`
	Count int       `json:"count"`
}

type jsonStats struct {
	Count        int       `json:"count"`
	Mean         jsonFloat `json:"mean"`
	StdDev       jsonFloat `json:"std_dev"`
	Var          jsonFloat `json:"var"`
	Median       jsonFloat `json:"median"`
	Min          jsonFloat `json:"min"`
	MinIndex     int       `json:"min_index"`
	MinAt        []int     `json:"min_at"`
	Max          jsonFloat `json:"max"`
	MaxIndex     int       `json:"max_index"`
	MaxAt        []int     `json:"max_at"`
	AvgMagnitude jsonFloat `json:"avg_magnitude"`
	L2Norm       jsonFloat `json:"l2_norm"`
	P90          jsonFloat `json:"p90"`
	P95          jsonFloat `json:"p95"`
	P99          jsonFloat `json:"p99"`
	Histogram    []jsonBin `json:"histogram,omitempty"`
}

// MarshalJSON writes snake_case keys; NaN and Inf become "nan"/"inf"/"-inf".
func (s Stats) MarshalJSON() ([]byte, error) {
	j := jsonStats{
		Count: s.Count, Mean: jsonFloat(s.Mean), StdDev: jsonFloat(s.StdDev), Var: jsonFloat(s.Var),
		Median: jsonFloat(s.Median), Min: jsonFloat(s.Min), MinIndex: s.MinIndex, MinAt: s.MinAt,
		Max: jsonFloat(s.Max), MaxIndex: s.MaxIndex, MaxAt: s.MaxAt,
		AvgMagnitude: jsonFloat(s.AvgMagnitude), L2Norm: jsonFloat(s.L2Norm),
		P90: jsonFloat(s.P90), P95: jsonFloat(s.P95), P99: jsonFloat(s.P99),
	}
	for _, b := range s.Histogram {
		j.Histogram = append(j.Histogram, jsonBin{jsonFloat(b.Lo), jsonFloat(b.Hi), b.Count})
	}
	return json.Marshal(j)
}

type jsonOutput struct {
	Name           string    `json:"name"`
	Dims           []int     `json:"dims"`
	GotDims        []int     `json:"got_dims,omitempty"`
	Passed         bool      `json:"passed"`
	Reason         string    `json:"reason,omitempty"`
	MissingFrom    Side      `json:"missing_from,omitempty"`
	GotDtype       string    `json:"got_dtype,omitempty"`
	WantDtype      string    `json:"want_dtype,omitempty"`
	Atol           jsonFloat `json:"atol"`
	Rtol           jsonFloat `json:"rtol"`
	CheckErrorStat ErrorStat `json:"check_error_stat"`
	ErrorQuantile  jsonFloat `json:"error_quantile,omitempty"`
	Got            *Stats    `json:"got,omitempty"`
	Want           *Stats    `json:"want,omitempty"`
	AbsDiff        *Stats    `json:"abs_diff,omitempty"`
	RelDiff        *Stats    `json:"rel_diff,omitempty"`
	CheckedAbs     jsonFloat `json:"checked_abs"`
	CheckedRel     jsonFloat `json:"checked_rel"`
	MinAtolToPass  jsonFloat `json:"min_atol_to_pass"`
	MinRtolToPass  jsonFloat `json:"min_rtol_to_pass"`
	GotNaN         int       `json:"got_nan"`
	GotInf         int       `json:"got_inf"`
	WantNaN        int       `json:"want_nan"`
	WantInf        int       `json:"want_inf"`
	Elements       int       `json:"elements"`
	Mismatches     int       `json:"mismatches"`
}

// MarshalJSON writes snake_case keys; statistics that were not computed
// (a missing side, or differences of outputs that were not compared) are
// left out.
func (o OutputResult) MarshalJSON() ([]byte, error) {
	j := jsonOutput{
		Name: o.Name, Dims: o.Dims, GotDims: o.GotDims, Passed: o.Passed, Reason: o.Reason,
		MissingFrom: o.MissingFrom, Atol: jsonFloat(o.Atol), Rtol: jsonFloat(o.Rtol),
		CheckErrorStat: o.CheckErrorStat, ErrorQuantile: jsonFloat(o.ErrorQuantile),
		CheckedAbs: jsonFloat(o.CheckedAbs), CheckedRel: jsonFloat(o.CheckedRel),
		MinAtolToPass: jsonFloat(o.MinAtolToPass), MinRtolToPass: jsonFloat(o.MinRtolToPass),
		GotNaN: o.GotNaN, GotInf: o.GotInf, WantNaN: o.WantNaN, WantInf: o.WantInf,
		Elements: o.Elements, Mismatches: o.Mismatches,
	}
	if j.Dims == nil {
		j.Dims = []int{}
	}
	if o.hasGot() {
		j.GotDtype = o.GotType.String()
		j.Got = &o.Got
	}
	if o.hasWant() {
		j.WantDtype = o.WantType.String()
		j.Want = &o.Want
	}
	if o.Reason == "" {
		j.AbsDiff, j.RelDiff = &o.AbsDiff, &o.RelDiff
	}
	return json.Marshal(j)
}

// MarshalJSON writes {"passed": ..., "outputs": [...]}.
func (r *Report) MarshalJSON() ([]byte, error) {
	outs := r.Outputs
	if outs == nil {
		outs = []OutputResult{}
	}
	return json.Marshal(struct {
		Passed  bool           `json:"passed"`
		Failed  []string       `json:"failed"`
		Outputs []OutputResult `json:"outputs"`
	}{r.Passed, append([]string{}, r.Failed()...), outs})
}

// WriteJSON writes the report as indented JSON with snake_case keys.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
