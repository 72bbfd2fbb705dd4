package compare

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/tensor"
	"github.com/x448/float16"
)

var (
	nan  = math.NaN()
	pInf = math.Inf(1)
	nInf = math.Inf(-1)
)

func f64(dims []int, v ...float64) *tensor.Tensor {
	return &tensor.Tensor{Type: tensor.Double, Dims: dims, Data: v}
}

func f32(dims []int, v ...float32) *tensor.Tensor {
	return &tensor.Tensor{Type: tensor.Float, Dims: dims, Data: v}
}

func vec(v ...float64) *tensor.Tensor { return f64([]int{len(v)}, v...) }

func one(t *tensor.Tensor) map[string]*tensor.Tensor { return map[string]*tensor.Tensor{"out": t} }

// approx compares floats with a relative tolerance; NaN equals NaN.
func approx(a, b float64) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func opts(atol, rtol float64, stat ErrorStat) Options {
	return Options{Atol: Tolerances{Default: atol}, Rtol: Tolerances{Default: rtol}, CheckErrorStat: ErrorStats{Default: stat}}
}

func mustCompare(t *testing.T, got, want map[string]*tensor.Tensor, opt Options) *Report {
	t.Helper()
	rep, err := Outputs(got, want, nil, opt)
	if err != nil {
		t.Fatalf("Outputs: %v", err)
	}
	return rep
}

func TestComputeStats(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		dims []int
		want Stats
	}{
		{
			name: "four values",
			x:    []float64{1, 2, 3, 4},
			dims: []int{2, 2},
			// mean 2.5; var = (2.25+0.25+0.25+2.25)/4 = 1.25; median (2+3)/2;
			// p90 at position 0.9*3 = 2.7 -> 3 + 0.7*(4-3) = 3.7.
			want: Stats{Count: 4, Mean: 2.5, Var: 1.25, StdDev: math.Sqrt(1.25), Median: 2.5,
				Min: 1, MinIndex: 0, MinAt: []int{0, 0}, Max: 4, MaxIndex: 3, MaxAt: []int{1, 1},
				AvgMagnitude: 2.5, L2Norm: math.Sqrt(30), P90: 3.7, P95: 3.85, P99: 3.97},
		},
		{
			name: "odd count unsorted with negatives",
			x:    []float64{3, -1, 2},
			dims: []int{3},
			// mean 4/3; median 2; |x| mean 2; l2 sqrt(14); p90 at 1.8 -> 2 + 0.8*1
			want: Stats{Count: 3, Mean: 4.0 / 3, Var: (math.Pow(3-4.0/3, 2) + math.Pow(-1-4.0/3, 2) + math.Pow(2-4.0/3, 2)) / 3,
				Median: 2, Min: -1, MinIndex: 1, MinAt: []int{1}, Max: 3, MaxIndex: 0, MaxAt: []int{0},
				AvgMagnitude: 2, L2Norm: math.Sqrt(14), P90: 2.8, P95: 2.9, P99: 2.98},
		},
		{
			name: "first occurrence of ties",
			x:    []float64{5, 1, 5, 1},
			dims: []int{4},
			want: Stats{Count: 4, Mean: 3, Var: 4, Median: 3, Min: 1, MinIndex: 1, MinAt: []int{1},
				Max: 5, MaxIndex: 0, MaxAt: []int{0}, AvgMagnitude: 3, L2Norm: math.Sqrt(52), P90: 5, P95: 5, P99: 5},
		},
		{
			name: "NaN propagates and min/max point at the first NaN",
			x:    []float64{1, nan, 3, nan},
			dims: []int{2, 2},
			want: Stats{Count: 4, Mean: nan, Var: nan, Median: nan, Min: nan, MinIndex: 1, MinAt: []int{0, 1},
				Max: nan, MaxIndex: 1, MaxAt: []int{0, 1}, AvgMagnitude: nan, L2Norm: nan, P90: nan, P95: nan, P99: nan},
		},
		{
			name: "infinity",
			x:    []float64{1, pInf},
			dims: []int{2},
			// numpy: mean inf, var nan (inf-inf), median (1+inf)/2 = inf.
			want: Stats{Count: 2, Mean: pInf, Var: nan, Median: pInf, Min: 1, MinIndex: 0, MinAt: []int{0},
				Max: pInf, MaxIndex: 1, MaxAt: []int{1}, AvgMagnitude: pInf, L2Norm: pInf, P90: pInf, P95: pInf, P99: pInf},
		},
		{
			name: "scalar",
			x:    []float64{-2},
			dims: nil,
			want: Stats{Count: 1, Mean: -2, Median: -2, Min: -2, MinAt: []int{}, Max: -2, MaxAt: []int{},
				AvgMagnitude: 2, L2Norm: 2, P90: -2, P95: -2, P99: -2},
		},
		{
			name: "empty",
			x:    nil,
			dims: []int{0},
			want: Stats{MinIndex: -1, MaxIndex: -1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := computeStats(tc.x, tc.dims)
			tc.want.StdDev = math.Sqrt(tc.want.Var)
			if tc.want.Count == 0 {
				tc.want.StdDev = 0
			}
			floats := []struct {
				what string
				g, w float64
			}{
				{"mean", got.Mean, tc.want.Mean}, {"std", got.StdDev, tc.want.StdDev}, {"var", got.Var, tc.want.Var},
				{"median", got.Median, tc.want.Median}, {"min", got.Min, tc.want.Min}, {"max", got.Max, tc.want.Max},
				{"avg-magnitude", got.AvgMagnitude, tc.want.AvgMagnitude}, {"l2", got.L2Norm, tc.want.L2Norm},
				{"p90", got.P90, tc.want.P90}, {"p95", got.P95, tc.want.P95}, {"p99", got.P99, tc.want.P99},
			}
			for _, f := range floats {
				if !approx(f.g, f.w) {
					t.Errorf("%s = %v, want %v", f.what, f.g, f.w)
				}
			}
			if got.Count != tc.want.Count || got.MinIndex != tc.want.MinIndex || got.MaxIndex != tc.want.MaxIndex {
				t.Errorf("count/min index/max index = %d/%d/%d, want %d/%d/%d",
					got.Count, got.MinIndex, got.MaxIndex, tc.want.Count, tc.want.MinIndex, tc.want.MaxIndex)
			}
			if len(got.MinAt)+len(tc.want.MinAt) > 0 && !reflect.DeepEqual(got.MinAt, tc.want.MinAt) {
				t.Errorf("MinAt = %v, want %v", got.MinAt, tc.want.MinAt)
			}
			if len(got.MaxAt)+len(tc.want.MaxAt) > 0 && !reflect.DeepEqual(got.MaxAt, tc.want.MaxAt) {
				t.Errorf("MaxAt = %v, want %v", got.MaxAt, tc.want.MaxAt)
			}
		})
	}
}

func TestQuantileSorted(t *testing.T) {
	x := []float64{0, 0, 0, 10}
	tests := []struct{ q, want float64 }{
		{0, 0}, {0.5, 0}, {2.0 / 3, 0}, {0.75, 2.5}, {0.9, 7}, {1, 10},
	}
	for _, tc := range tests {
		if got := quantileSorted(x, tc.q); !approx(got, tc.want) {
			t.Errorf("quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := quantileOf([]float64{10, 0, nan}, 0.5); got == got {
		t.Errorf("quantile with NaN = %v, want NaN", got)
	}
}

func TestHistogram(t *testing.T) {
	counts := func(bins []Bin) []int {
		var c []int
		for _, b := range bins {
			c = append(c, b.Count)
		}
		return c
	}
	tests := []struct {
		name   string
		x      []float64
		lo, hi float64
		want   []int
	}{
		{"one per bin, max in the last bin", []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 10, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 2}},
		{"edges go to the upper bin", []float64{0.1, 0.2, 0.3}, 0, 1, []int{0, 1, 1, 1, 0, 0, 0, 0, 0, 0}},
		{"zero width range widens by 0.5", []float64{5, 5}, 5, 5, []int{0, 0, 0, 0, 0, 2, 0, 0, 0, 0}},
		{"non-finite values left out", []float64{0, nan, pInf, 1}, 0, 1, []int{1, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bins := histogram(tc.x, tc.lo, tc.hi)
			if got := counts(bins); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("counts = %v, want %v", got, tc.want)
			}
		})
	}
	if bins := histogram([]float64{1}, nan, 1); bins != nil {
		t.Errorf("histogram over a NaN range = %v, want nil", bins)
	}
}

func TestElemwiseBoundaries(t *testing.T) {
	// All values are exact binary fractions, so the boundaries are exact.
	tests := []struct {
		name       string
		got, want  []float64
		atol, rtol float64
		pass       bool
		mismatches int
	}{
		{"abs equal to atol passes", []float64{1.5}, []float64{1}, 0.5, 0, true, 0},
		{"abs just above atol and rel above rtol fails", []float64{1.5}, []float64{1}, 0.4375, 0.25, false, 1},
		{"rel equal to rtol passes", []float64{1.5}, []float64{1}, 0, 0.5, true, 0},
		{"either tolerance suffices (OR)", []float64{1.5}, []float64{1}, 0.5, 0, true, 0},
		{"rtol is relative to want, not got", []float64{1}, []float64{2}, 0, 0.5, true, 0},
		{"swapped: rel = 1/1", []float64{2}, []float64{1}, 0, 0.5, false, 1},
		{"one element of two fails", []float64{2, 101}, []float64{1, 100}, 0.5, 0.0625, false, 1},
		{"exact zero tolerance on equal values", []float64{0, -3, 7}, []float64{0, -3, 7}, 0, 0, true, 0},
		{"zero reference uses epsilon, small diff passes rtol", []float64{1e-20}, []float64{0}, 0, 1, true, 0},
		{"zero reference with real difference fails rtol", []float64{1e-3}, []float64{0}, 0, 1e6, false, 1},
		{"NaN in got fails", []float64{nan}, []float64{1}, 1e30, 1e30, false, 1},
		{"NaN in want fails", []float64{1}, []float64{nan}, 1e30, 1e30, false, 1},
		{"NaN in both fails", []float64{nan}, []float64{nan}, 1e30, 1e30, false, 1},
		{"matching infinities fail by default", []float64{pInf}, []float64{pInf}, 1e30, 1e30, false, 1},
		{"finite vs infinite fails", []float64{1}, []float64{pInf}, 1e30, 1e30, false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustCompare(t, one(vec(tc.got...)), one(vec(tc.want...)), opts(tc.atol, tc.rtol, Elemwise))
			o := rep.Outputs[0]
			if o.Passed != tc.pass || rep.Passed != tc.pass {
				t.Errorf("passed = %v (report %v), want %v; abs max %v rel max %v", o.Passed, rep.Passed, tc.pass, o.AbsDiff.Max, o.RelDiff.Max)
			}
			if o.Mismatches != tc.mismatches {
				t.Errorf("mismatches = %d, want %d", o.Mismatches, tc.mismatches)
			}
		})
	}
}

func TestInfinitiesCompareEqual(t *testing.T) {
	tests := []struct {
		name      string
		got, want []float64
		pass      bool
	}{
		{"same sign infinities", []float64{pInf, nInf, 1}, []float64{pInf, nInf, 1}, true},
		{"opposite infinities", []float64{pInf}, []float64{nInf}, false},
		{"infinity vs finite", []float64{pInf}, []float64{1}, false},
		{"NaN still fails", []float64{nan}, []float64{nan}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := opts(1e-5, 1e-5, Elemwise)
			opt.InfinitiesCompareEqual = true
			o := mustCompare(t, one(vec(tc.got...)), one(vec(tc.want...)), opt).Outputs[0]
			if o.Passed != tc.pass {
				t.Errorf("passed = %v, want %v", o.Passed, tc.pass)
			}
		})
	}
}

func TestMinTolerancesElemwise(t *testing.T) {
	// abs = [1, 1, 0.25], rel = [1, 0.01, 0.25]
	got := vec(2, 101, 1.25)
	want := vec(1, 100, 1)
	o := mustCompare(t, one(got), one(want), opts(0.5, 0.0625, Elemwise)).Outputs[0]
	// Polygraphy's "minimum required tolerance": max abs and max rel.
	if o.CheckedAbs != 1 || o.CheckedRel != 1 {
		t.Errorf("checked = %v/%v, want 1/1", o.CheckedAbs, o.CheckedRel)
	}
	// With rtol 0.0625 fixed, elements with rel > rtol are 0 (abs 1) and 2
	// (abs 0.25): atol must reach 1.
	if o.MinAtolToPass != 1 {
		t.Errorf("MinAtolToPass = %v, want 1", o.MinAtolToPass)
	}
	// With atol 0.5 fixed, elements with abs > atol are 0 (rel 1) and 1
	// (rel 0.01): rtol must reach 1.
	if o.MinRtolToPass != 1 {
		t.Errorf("MinRtolToPass = %v, want 1", o.MinRtolToPass)
	}
	// And the minimums do pass.
	if !mustCompare(t, one(got), one(want), opts(o.MinAtolToPass, 0.0625, Elemwise)).Passed {
		t.Error("MinAtolToPass does not pass")
	}
	if !mustCompare(t, one(got), one(want), opts(0.5, o.MinRtolToPass, Elemwise)).Passed {
		t.Error("MinRtolToPass does not pass")
	}
	// Both together can be far below the single-tolerance requirement:
	// abs = [1, 0.25], rel = [0.01, 1].
	g2, w2 := one(vec(101, 0.5)), one(vec(100, 0.25))
	o2 := mustCompare(t, g2, w2, opts(0.25, 0.01, Elemwise)).Outputs[0]
	if !o2.Passed || o2.CheckedAbs != 1 || o2.CheckedRel != 1 {
		t.Errorf("atol 0.25 + rtol 0.01: passed=%v checked %v/%v, want pass with checked 1/1", o2.Passed, o2.CheckedAbs, o2.CheckedRel)
	}
	if o2.MinAtolToPass != 0.25 || o2.MinRtolToPass != 0.01 {
		t.Errorf("min atol/rtol = %v/%v, want 0.25/0.01", o2.MinAtolToPass, o2.MinRtolToPass)
	}
	// NaN: no tolerance can pass.
	o = mustCompare(t, one(vec(nan)), one(vec(1)), opts(0, 0, Elemwise)).Outputs[0]
	if o.MinAtolToPass == o.MinAtolToPass || o.MinRtolToPass == o.MinRtolToPass {
		t.Errorf("with NaN, min tolerances = %v/%v, want NaN", o.MinAtolToPass, o.MinRtolToPass)
	}
}

func TestErrorStats(t *testing.T) {
	// want all 1, got [1,1,1,11]: abs = rel = [0,0,0,10].
	// max 10, mean 2.5, median 0, q0.75 = 2.5, q0.99 = 9.7.
	got := one(vec(1, 1, 1, 11))
	want := one(vec(1, 1, 1, 1))
	tests := []struct {
		name       string
		stat       ErrorStat
		quantile   float64
		atol, rtol float64
		pass       bool
		checked    float64
		minA, minR float64
	}{
		{"max fails", Max, 0, 5, 5, false, 10, 10, 10},
		{"max passes on rtol alone (OR)", Max, 0, 5, 10, true, 10, 0, 10},
		{"max passes on atol alone (OR)", Max, 0, 10, 0, true, 10, 10, 0},
		{"mean passes", Mean, 0, 3, 0, true, 2.5, 2.5, 0},
		{"mean at the boundary passes", Mean, 0, 2.5, 2.5, true, 2.5, 0, 0},
		{"mean fails", Mean, 0, 2, 2, false, 2.5, 2.5, 2.5},
		{"median passes with zero tolerances", Median, 0, 0, 0, true, 0, 0, 0},
		{"quantile 0.75 passes", Quantile, 0.75, 2.5, 0, true, 2.5, 2.5, 0},
		{"quantile 0.75 fails", Quantile, 0.75, 2.4375, 0, false, 2.5, 2.5, 2.5},
		{"quantile defaults to 0.99 and passes", Quantile, 0, 9.8, 0, true, 9.7, 9.7, 0},
		{"quantile defaults to 0.99 and fails", Quantile, 0, 9.6, 0, false, 9.7, 9.7, 9.7},
		{"elemwise fails", Elemwise, 0, 9.75, 9.75, false, 10, 10, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := opts(tc.atol, tc.rtol, tc.stat)
			if tc.quantile != 0 {
				opt.ErrorQuantile = Tolerances{Default: tc.quantile}
			}
			o := mustCompare(t, got, want, opt).Outputs[0]
			if o.Passed != tc.pass {
				t.Errorf("passed = %v, want %v", o.Passed, tc.pass)
			}
			if !approx(o.CheckedAbs, tc.checked) || !approx(o.CheckedRel, tc.checked) {
				t.Errorf("checked = %v/%v, want %v", o.CheckedAbs, o.CheckedRel, tc.checked)
			}
			if !approx(o.MinAtolToPass, tc.minA) || !approx(o.MinRtolToPass, tc.minR) {
				t.Errorf("min atol/rtol = %v/%v, want %v/%v", o.MinAtolToPass, o.MinRtolToPass, tc.minA, tc.minR)
			}
			if o.Mismatches != 1 && tc.atol < 10 && tc.rtol < 10 {
				t.Errorf("mismatches = %d, want 1 (elementwise count)", o.Mismatches)
			}
		})
	}
	// A NaN poisons every statistic, so no statistic check can pass.
	for _, st := range []ErrorStat{Max, Mean, Median, Quantile} {
		o := mustCompare(t, one(vec(1, 1, nan)), one(vec(1, 1, 1)), opts(1e30, 1e30, st)).Outputs[0]
		if o.Passed {
			t.Errorf("%s with a NaN passed", st)
		}
	}
}

func TestPerOutputSettings(t *testing.T) {
	got := map[string]*tensor.Tensor{"a": vec(1.25), "b": vec(1.25), "c": vec(1, 1, 1, 11)}
	want := map[string]*tensor.Tensor{"a": vec(1), "b": vec(1), "c": vec(1, 1, 1, 1)}
	var opt Options
	if err := opt.Atol.Parse([]string{"0.125", "b:0.25,c:3"}); err != nil {
		t.Fatal(err)
	}
	if err := opt.CheckErrorStat.Parse([]string{"c:mean"}); err != nil {
		t.Fatal(err)
	}
	rep := mustCompare(t, got, want, opt)
	wantPass := map[string]bool{"a": false, "b": true, "c": true}
	wantAtol := map[string]float64{"a": 0.125, "b": 0.25, "c": 3}
	wantStat := map[string]ErrorStat{"a": Elemwise, "b": Elemwise, "c": Mean}
	for _, o := range rep.Outputs {
		if o.Passed != wantPass[o.Name] || o.Atol != wantAtol[o.Name] || o.CheckErrorStat != wantStat[o.Name] {
			t.Errorf("%s: passed=%v atol=%v stat=%v, want %v %v %v", o.Name, o.Passed, o.Atol, o.CheckErrorStat,
				wantPass[o.Name], wantAtol[o.Name], wantStat[o.Name])
		}
		if o.Rtol != 0 {
			t.Errorf("%s: rtol = %v, want 0 (zero Options)", o.Name, o.Rtol)
		}
	}
	if rep.Passed || !reflect.DeepEqual(rep.Failed(), []string{"a"}) {
		t.Errorf("report passed=%v failed=%v, want false [a]", rep.Passed, rep.Failed())
	}
}

func TestStructuralFailures(t *testing.T) {
	h := func(v ...float32) *tensor.Tensor {
		d := make([]float16.Float16, len(v))
		for i, x := range v {
			d[i] = float16.Fromfloat32(x)
		}
		return &tensor.Tensor{Type: tensor.Half, Dims: []int{len(v)}, Data: d}
	}
	tests := []struct {
		name      string
		got, want *tensor.Tensor
		pass      bool
		reason    string
		missing   Side
	}{
		{"missing from got", nil, vec(1), false, "missing from the results under test", SideGot},
		{"missing from want", vec(1), nil, false, "missing from the reference results", SideWant},
		{"shape mismatch", f64([]int{2, 2}, 1, 2, 3, 4), f64([]int{4}, 1, 2, 3, 4), false, "different shapes: (2, 2) vs. (4,)", ""},
		{"rank mismatch with same volume", f64([]int{1, 3}, 1, 2, 3), f64([]int{3}, 1, 2, 3), false, "different shapes", ""},
		{"float vs integer", vec(1, 2), &tensor.Tensor{Type: tensor.Int32, Dims: []int{2}, Data: []int32{1, 2}}, false, "floating-point output (FP64) with a integer output (INT32)", ""},
		{"bool vs integer", &tensor.Tensor{Type: tensor.Bool, Dims: []int{1}, Data: []bool{true}}, &tensor.Tensor{Type: tensor.Int8, Dims: []int{1}, Data: []int8{1}}, false, "bool", ""},
		{"FP16 vs FP32 is compared", h(1, 0.5), f32([]int{2}, 1, 0.5), true, "", ""},
		{"INT32 vs INT64 is compared", &tensor.Tensor{Type: tensor.Int32, Dims: []int{2}, Data: []int32{1, 2}}, &tensor.Tensor{Type: tensor.Int64, Dims: []int{2}, Data: []int64{1, 2}}, true, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, want := map[string]*tensor.Tensor{}, map[string]*tensor.Tensor{}
			if tc.got != nil {
				got["out"] = tc.got
			}
			if tc.want != nil {
				want["out"] = tc.want
			}
			rep := mustCompare(t, got, want, DefaultOptions())
			if len(rep.Outputs) != 1 {
				t.Fatalf("got %d outputs, want 1", len(rep.Outputs))
			}
			o := rep.Outputs[0]
			if o.Passed != tc.pass || rep.Passed != tc.pass {
				t.Errorf("passed = %v, want %v (reason %q)", o.Passed, tc.pass, o.Reason)
			}
			if !strings.Contains(o.Reason, tc.reason) || (tc.reason == "") != (o.Reason == "") {
				t.Errorf("reason = %q, want it to contain %q", o.Reason, tc.reason)
			}
			if o.MissingFrom != tc.missing {
				t.Errorf("missing from = %q, want %q", o.MissingFrom, tc.missing)
			}
		})
	}
}

func TestIntegerAndBool(t *testing.T) {
	i32 := &tensor.Tensor{Type: tensor.Int32, Dims: []int{3}, Data: []int32{1, 2, 3}}
	i64 := &tensor.Tensor{Type: tensor.Int64, Dims: []int{3}, Data: []int64{1, 2, 4}}
	o := mustCompare(t, one(i32), one(i64), DefaultOptions()).Outputs[0]
	if o.Passed || o.Mismatches != 1 || o.AbsDiff.Max != 1 || o.AbsDiff.MaxIndex != 2 {
		t.Errorf("int compare: passed=%v mismatches=%d max abs %v at %d", o.Passed, o.Mismatches, o.AbsDiff.Max, o.AbsDiff.MaxIndex)
	}
	opt := DefaultOptions()
	opt.Atol = Tolerances{Default: 1}
	if o := mustCompare(t, one(i32), one(i64), opt).Outputs[0]; !o.Passed {
		t.Error("int compare with atol 1 should pass")
	}
	zeros := &tensor.Tensor{Type: tensor.Int32, Dims: []int{2}, Data: []int32{0, 0}}
	if o := mustCompare(t, one(zeros), one(zeros), opts(0, 0, Mean)).Outputs[0]; !o.Passed || o.RelDiff.Mean != 0 {
		t.Errorf("0 vs 0 integers: passed=%v rel mean=%v, want pass and 0", o.Passed, o.RelDiff.Mean)
	}
	b1 := &tensor.Tensor{Type: tensor.Bool, Dims: []int{3}, Data: []bool{true, false, true}}
	b2 := &tensor.Tensor{Type: tensor.Bool, Dims: []int{3}, Data: []bool{true, true, true}}
	o = mustCompare(t, one(b1), one(b2), DefaultOptions()).Outputs[0]
	if o.Passed || o.Mismatches != 1 || o.AbsDiff.Max != 1 {
		t.Errorf("bool compare: passed=%v mismatches=%d max abs %v", o.Passed, o.Mismatches, o.AbsDiff.Max)
	}
}

func TestNonFiniteCounts(t *testing.T) {
	o := mustCompare(t, one(vec(nan, pInf, 1, nInf)), one(vec(1, 1, nan, 1)), DefaultOptions()).Outputs[0]
	if o.GotNaN != 1 || o.GotInf != 2 || o.WantNaN != 1 || o.WantInf != 0 {
		t.Errorf("counts = got %d/%d want %d/%d, want 1/2 1/0", o.GotNaN, o.GotInf, o.WantNaN, o.WantInf)
	}
	if o.Mismatches != 4 || o.Elements != 4 {
		t.Errorf("mismatches %d of %d, want 4 of 4", o.Mismatches, o.Elements)
	}
}

func TestOutputOrder(t *testing.T) {
	got := map[string]*tensor.Tensor{"b": vec(1), "a": vec(1), "z": vec(1)}
	want := map[string]*tensor.Tensor{"b": vec(1), "a": vec(1), "c": vec(1)}
	rep, err := Outputs(got, want, []string{"z", "b"}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range rep.Outputs {
		names = append(names, o.Name)
	}
	if w := []string{"z", "b", "a", "c"}; !reflect.DeepEqual(names, w) {
		t.Errorf("order = %v, want %v", names, w)
	}
	if r := rep.Output("c"); r == nil || r.MissingFrom != SideGot {
		t.Errorf("Output(c) = %+v, want missing from got", r)
	}
}

func TestOutputsErrors(t *testing.T) {
	good := one(vec(1))
	tests := []struct {
		name string
		opt  Options
		got  map[string]*tensor.Tensor
		msg  string
	}{
		{"bad stat", Options{CheckErrorStat: ErrorStats{Default: "avg"}}, good, "invalid error statistic"},
		{"bad per-output stat", Options{CheckErrorStat: ErrorStats{PerOutput: map[string]ErrorStat{"out": "p99"}}}, good, "invalid error statistic"},
		{"negative atol", Options{Atol: Tolerances{Default: -1}}, good, "atol"},
		{"NaN rtol", Options{Rtol: Tolerances{PerOutput: map[string]float64{"out": nan}}}, good, "rtol"},
		{"quantile above 1", Options{ErrorQuantile: Tolerances{Default: 1.5}}, good, "quantile"},
		{"malformed tensor", DefaultOptions(), one(&tensor.Tensor{Type: tensor.Float, Dims: []int{2}, Data: []float32{1}}), "dims [2] need 2 elements"},
		{"wrong Go type", DefaultOptions(), one(&tensor.Tensor{Type: tensor.Float, Dims: []int{1}, Data: []float64{1}}), "needs data of type"},
	}
	if _, err := Outputs(nil, map[string]*tensor.Tensor{"x": nil}, nil, DefaultOptions()); err == nil || !strings.Contains(err.Error(), "no outputs") {
		t.Errorf("nothing to compare: err = %v", err)
	}
	// A requested name that neither side has fails, rather than being skipped.
	rep, err := Outputs(good, good, []string{"ghost"}, DefaultOptions())
	if err != nil || rep.Passed || rep.Outputs[0].Name != "ghost" || rep.Outputs[0].MissingFrom != SideBoth {
		t.Fatalf("ghost output: err=%v rep=%+v", err, rep)
	}
	var buf strings.Builder
	rep.WriteText(&buf, "a", "b")
	if !strings.Contains(buf.String(), "Comparing Output: 'ghost' | a (missing) vs. b (missing)") ||
		!strings.Contains(buf.String(), "FAILED | Output: 'ghost' | Not found in a or b outputs") {
		t.Errorf("ghost text:\n%s", buf.String())
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Outputs(tc.got, good, nil, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want it to mention %q", err, tc.msg)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	opt := DefaultOptions()
	if opt.Atol.For("x") != 1e-5 || opt.Rtol.For("x") != 1e-5 || opt.CheckErrorStat.For("x") != Elemwise || opt.quantileFor("x") != 0.99 {
		t.Errorf("defaults = %v %v %v %v", opt.Atol.For("x"), opt.Rtol.For("x"), opt.CheckErrorStat.For("x"), opt.quantileFor("x"))
	}
	var zero Options
	if zero.CheckErrorStat.For("x") != Elemwise || zero.quantileFor("x") != 0.99 {
		t.Error("zero Options should check elemwise with quantile 0.99")
	}
	// Polygraphy's default tolerance passes FP32 rounding noise...
	if !mustCompare(t, one(vec(1.0000001)), one(vec(1)), opt).Passed {
		t.Error("1e-7 difference should pass the defaults")
	}
	// ...but not FP16 rounding.
	if mustCompare(t, one(vec(1.0009765625)), one(vec(1)), opt).Passed {
		t.Error("one FP16 ulp at 1.0 should fail the defaults")
	}
}
