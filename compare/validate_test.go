package compare

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/tensor"
	"github.com/x448/float16"
)

func TestValidate(t *testing.T) {
	h := &tensor.Tensor{Type: tensor.Half, Dims: []int{3}, Data: []float16.Float16{
		float16.Fromfloat32(1), float16.Fromfloat32(float32(math.Inf(1))), float16.NaN(),
	}}
	tests := []struct {
		name     string
		t        *tensor.Tensor
		nan, inf int
	}{
		{"finite", vec(1, 2), 0, 0},
		{"nan and infinities", vec(nan, pInf, nInf, 0, nan), 2, 2},
		{"fp16", h, 1, 1},
		{"fp16 overflow after rounding", f32([]int{1}, tensor.RoundHalf(70000)), 0, 1},
		{"integers cannot be non-finite", &tensor.Tensor{Type: tensor.Int32, Dims: []int{1}, Data: []int32{7}}, 0, 0},
		{"nil", nil, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, i := Validate("x", tc.t)
			if n != tc.nan || i != tc.inf {
				t.Errorf("Validate = %d NaN, %d Inf, want %d, %d", n, i, tc.nan, tc.inf)
			}
		})
	}
}

func TestValidateAll(t *testing.T) {
	outs := map[string]*tensor.Tensor{
		"b": vec(1, nan),
		"a": vec(1, 2),
		"c": vec(pInf, 1, nan),
		"n": nil,
	}
	rep := ValidateAll(outs, []string{"c"})
	var names []string
	for _, v := range rep.Outputs {
		names = append(names, v.Name)
	}
	if !reflect.DeepEqual(names, []string{"c", "a", "b"}) {
		t.Errorf("order = %v", names)
	}
	if rep.Passed || !reflect.DeepEqual(rep.Invalid(), []string{"c", "b"}) {
		t.Errorf("passed=%v invalid=%v", rep.Passed, rep.Invalid())
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf, "gotrt-fp16"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{
		"Output Validation | Runners: ['gotrt-fp16']",
		"    gotrt-fp16 | Validating output: c (check_inf=True, check_nan=True)",
		"        NaN Detected | 1 of 3 elements are NaN",
		"        Inf Detected | 1 of 3 elements are infinite",
		"        FAILED | Errors detected in output: c",
		"        PASSED | Output: a is valid",
		"        mean=1.5, std-dev=0.5",
		"    FAILED | Output Validation | Outputs with NaN or Inf: ['c', 'b']",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q\n%s", w, out)
		}
	}
	buf.Reset()
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Passed  bool
		Invalid []string
		Outputs []struct {
			Name  string
			Valid bool
			NaN   int `json:"nan"`
			Inf   int `json:"inf"`
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if doc.Passed || doc.Outputs[0].Name != "c" || doc.Outputs[0].NaN != 1 || doc.Outputs[0].Inf != 1 || !doc.Outputs[1].Valid {
		t.Errorf("JSON = %+v", doc)
	}

	ok := ValidateAll(map[string]*tensor.Tensor{"a": vec(1)}, nil)
	buf.Reset()
	ok.WriteText(&buf, "r")
	if !ok.Passed || !strings.Contains(buf.String(), "    PASSED | Output Validation") {
		t.Errorf("passing validation:\n%s", buf.String())
	}
}
