package compare

import (
	"flag"
	"reflect"
	"strings"
	"testing"
)

func TestTolerancesParse(t *testing.T) {
	tests := []struct {
		name    string
		start   Tolerances
		spec    []string
		want    Tolerances
		wantErr string
	}{
		{name: "bare value sets default", spec: []string{"1e-3"}, want: Tolerances{Default: 1e-3}},
		{name: "per output", spec: []string{"out0:1e-2"}, want: Tolerances{PerOutput: map[string]float64{"out0": 1e-2}}},
		{name: "comma separated", spec: []string{"1e-4,out0:1e-2, out1:0.5"},
			want: Tolerances{Default: 1e-4, PerOutput: map[string]float64{"out0": 1e-2, "out1": 0.5}}},
		{name: "repeated flags, last default wins", spec: []string{"1", "out0:2", "3"},
			want: Tolerances{Default: 3, PerOutput: map[string]float64{"out0": 2}}},
		{name: "name with colons splits at the last", spec: []string{"model/conv:0:0.25"},
			want: Tolerances{PerOutput: map[string]float64{"model/conv:0": 0.25}}},
		{name: "keeps an existing default", start: Tolerances{Default: 1e-5}, spec: []string{"y:1"},
			want: Tolerances{Default: 1e-5, PerOutput: map[string]float64{"y": 1}}},
		{name: "empty items ignored", spec: []string{"", ",,"}, want: Tolerances{}},
		{name: "not a number", spec: []string{"abc"}, wantErr: "invalid number"},
		{name: "missing value", spec: []string{"out:"}, wantErr: "invalid number"},
		{name: "missing name", spec: []string{":1"}, wantErr: "empty output name"},
		{name: "negative", spec: []string{"-1"}, wantErr: "non-negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tol := tc.start
			err := tol.Parse(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tol.Default != tc.want.Default || len(tol.PerOutput) != len(tc.want.PerOutput) ||
				(len(tc.want.PerOutput) > 0 && !reflect.DeepEqual(tol.PerOutput, tc.want.PerOutput)) {
				t.Errorf("got %+v, want %+v", tol, tc.want)
			}
		})
	}
}

func TestTolerancesFor(t *testing.T) {
	tol := Tolerances{Default: 1e-5, PerOutput: map[string]float64{"a": 1e-2, "z": 0}}
	for name, want := range map[string]float64{"a": 1e-2, "z": 0, "other": 1e-5} {
		if got := tol.For(name); got != want {
			t.Errorf("For(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestTolerancesAsFlag(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	atol := Tolerances{Default: DefaultAtol}
	var stat ErrorStats
	fs.Var(&atol, "atol", "")
	fs.Var(&stat, "check-error-stat", "")
	if err := fs.Parse([]string{"--atol", "1e-3", "--atol", "y:0.5", "--check-error-stat", "max,y:median"}); err != nil {
		t.Fatal(err)
	}
	if atol.For("x") != 1e-3 || atol.For("y") != 0.5 || stat.For("x") != Max || stat.For("y") != Median {
		t.Errorf("atol=%s stat=%s", atol.String(), stat.String())
	}
	if got, want := atol.String(), "0.001,y:0.5"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := stat.String(), "max,y:median"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestErrorStatsParse(t *testing.T) {
	var s ErrorStats
	if s.For("x") != Elemwise {
		t.Errorf("zero ErrorStats = %v, want elemwise", s.For("x"))
	}
	if err := s.Parse([]string{"MEAN", "out1:quantile"}); err != nil {
		t.Fatal(err)
	}
	if s.For("x") != Mean || s.For("out1") != Quantile {
		t.Errorf("got %v/%v, want mean/quantile", s.For("x"), s.For("out1"))
	}
	for _, bad := range []string{"avg", "out:p99", "out:"} {
		if err := s.Parse([]string{bad}); err == nil || !strings.Contains(err.Error(), "invalid error statistic") {
			t.Errorf("Parse(%q) err = %v", bad, err)
		}
	}
}
