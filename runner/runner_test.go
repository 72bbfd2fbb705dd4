package runner

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/x448/float16"

	"github.com/gotrt/gotrt/compare"
	"github.com/gotrt/gotrt/constraints"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

func TestParseInputShapes(t *testing.T) {
	got, err := ParseInputShapes([]string{"x:[1,3,224,224],mask:[1, 224]", "scalar:[]", "a:b:[2]"})
	require.NoError(t, err)
	require.Equal(t, map[string][]int{"x": {1, 3, 224, 224}, "mask": {1, 224}, "scalar": {}, "a:b": {2}}, got)

	for _, bad := range []struct{ spec, want string }{
		{"x:[a]", `dim "a" is not a non-negative integer`},
		{"x:[-1,3]", `dim "-1"`},
		{"x:[1,3", "missing closing ']'"},
		{"x=[1,3]", "':' before '['"},
		{"[1,3]", "no input name"},
		{":[1]", "empty input name"},
		{"x:[1],x:[2]", `input "x" is given twice`},
		{"x:[4294967296,4294967296]", "too large"},
		{"x:[65536,65536,65536]", "elements"},
	} {
		_, err := ParseInputShapes([]string{bad.spec})
		require.ErrorContains(t, err, bad.want, bad.spec)
	}
}

func FuzzParseInputShapes(f *testing.F) {
	for _, s := range []string{"x:[1,3]", "a:[],b:[2,2]", "x:[", "::[[]]", "x:[1,,2]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseInputShapes([]string{s})
		if err != nil {
			return
		}
		for name, dims := range m {
			require.NotEmpty(t, name)
			vol := 1.0
			for _, d := range dims {
				require.GreaterOrEqual(t, d, 0)
				vol *= float64(d)
			}
			require.LessOrEqual(t, vol, float64(MaxElements))
		}
	})
}

func TestParseValRanges(t *testing.T) {
	v, err := ParseValRanges([]string{"[-1,1]", "ids:[0,9],mask:[0, 1]"})
	require.NoError(t, err)
	require.Equal(t, ValRange{-1, 1}, v.For("x"))
	require.Equal(t, ValRange{0, 9}, v.For("ids"))
	require.Equal(t, ValRange{0, 1}, v.For("mask"))
	var none ValRanges
	require.Equal(t, DefaultValRange, none.For("x"))

	for _, bad := range []string{"[1]", "[a,b]", "[2,1]", "x:[nan,1]", "x:[0,inf]", "x:0,1"} {
		_, err := ParseValRanges([]string{bad})
		require.Error(t, err, bad)
	}
}

func TestGenerateInputs(t *testing.T) {
	ins := []IOInfo{
		{Name: "f", Type: tensor.Float, Dims: []int{4, 100}},
		{Name: "h", Type: tensor.Half, Dims: []int{50}},
		{Name: "b16", Type: tensor.BF16, Dims: []int{50}},
		{Name: "d", Type: tensor.Double, Dims: []int{50}},
		{Name: "i", Type: tensor.Int64, Dims: []int{1000}},
		{Name: "i32", Type: tensor.Int32, Dims: []int{1000}},
		{Name: "u8", Type: tensor.UInt8, Dims: []int{10}},
		{Name: "i8", Type: tensor.Int8, Dims: []int{10}},
		{Name: "b", Type: tensor.Bool, Dims: []int{1000}},
		{Name: "s", Type: tensor.Float, Dims: []int{}},
	}
	a, err := GenerateInputs(ins, DataOptions{Seed: 1})
	require.NoError(t, err)
	b, err := GenerateInputs(ins, DataOptions{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, a, b, "the same seed gives the same data")
	c, err := GenerateInputs(ins, DataOptions{Seed: 2})
	require.NoError(t, err)
	require.NotEqual(t, a["f"].Data, c["f"].Data)

	// An input's values do not depend on the other inputs.
	only, err := GenerateInputs(ins[:1], DataOptions{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, a["f"], only["f"])

	for name, tt := range a {
		require.NoError(t, tt.Validate(), name)
		require.Equal(t, name, tt.Name)
	}
	for _, v := range a["f"].Data.([]float32) {
		require.True(t, v >= 0 && v < 1, "%v", v)
	}
	for _, v := range a["h"].Data.([]float16.Float16) {
		require.True(t, v.Float32() >= 0 && v.Float32() <= 1)
	}
	// Integers: {0, 1}, both present.
	seen := map[int64]bool{}
	for _, v := range a["i"].Data.([]int64) {
		require.True(t, v == 0 || v == 1, "%d", v)
		seen[v] = true
	}
	require.Len(t, seen, 2)
	nt := 0
	for _, v := range a["b"].Data.([]bool) {
		if v {
			nt++
		}
	}
	require.InDelta(t, 500, nt, 100)
	require.Equal(t, 1, a["s"].Len())

	// Ranges.
	r, err := ParseValRanges([]string{"[-2,2]", "i:[-3,5]"})
	require.NoError(t, err)
	g, err := GenerateInputs(ins, DataOptions{Seed: 3, Ranges: r})
	require.NoError(t, err)
	minF, maxF := math.Inf(1), math.Inf(-1)
	for _, v := range g["f"].Data.([]float32) {
		minF, maxF = math.Min(minF, float64(v)), math.Max(maxF, float64(v))
	}
	require.True(t, minF >= -2 && minF < -1.5 && maxF < 2 && maxF > 1.5, "%v %v", minF, maxF)
	seen = map[int64]bool{}
	for _, v := range g["i"].Data.([]int64) {
		require.True(t, v >= -3 && v <= 5)
		seen[v] = true
	}
	require.Len(t, seen, 9)
	for _, v := range g["u8"].Data.([]uint8) {
		require.LessOrEqual(t, v, uint8(2), "the default range is clipped to UINT8")
	}

	// Errors.
	_, err = GenerateInputs([]IOInfo{{Name: "x", Type: tensor.Float, Dims: []int{-1, 3}}}, DataOptions{})
	require.ErrorContains(t, err, "--input-shapes")
	require.True(t, IsBadInput(err))
	r, _ = ParseValRanges([]string{"u8:[-1,1]"})
	_, err = GenerateInputs(ins, DataOptions{Ranges: r})
	require.ErrorContains(t, err, "does not fit UINT8")
	r, _ = ParseValRanges([]string{"i:[0.2,0.8]"})
	_, err = GenerateInputs(ins, DataOptions{Ranges: r})
	require.ErrorContains(t, err, "holds no INT64 value")
	r, _ = ParseValRanges([]string{"nope:[0,1]"})
	_, err = GenerateInputs(ins, DataOptions{Ranges: r})
	require.ErrorContains(t, err, `"nope", which is not a model input`)
	_, err = GenerateInputs([]IOInfo{{Name: "x", Type: tensor.Float, Dims: []int{1 << 20, 1 << 20}}}, DataOptions{})
	require.ErrorContains(t, err, "elements")
}

func TestConvertAndMatchInputs(t *testing.T) {
	d := &tensor.Tensor{Name: "x", Type: tensor.Double, Dims: []int{2}, Data: []float64{1.5, -2}}
	f, err := Convert(d, tensor.Float)
	require.NoError(t, err)
	require.Equal(t, []float32{1.5, -2}, f.Data)
	h, err := Convert(d, tensor.Half)
	require.NoError(t, err)
	require.Equal(t, float32(1.5), h.Data.([]float16.Float16)[0].Float32())

	i64 := &tensor.Tensor{Name: "i", Type: tensor.Int64, Dims: []int{2}, Data: []int64{1, 300}}
	i32, err := Convert(i64, tensor.Int32)
	require.NoError(t, err)
	require.Equal(t, []int32{1, 300}, i32.Data)
	_, err = Convert(i64, tensor.Int8)
	require.ErrorContains(t, err, "value 300 does not fit INT8")
	_, err = Convert(d, tensor.Int64)
	require.ErrorContains(t, err, "has type FP64, the model needs INT64")
	big := &tensor.Tensor{Type: tensor.Int64, Dims: []int{1}, Data: []int64{1<<62 + 1}}
	same, err := Convert(big, tensor.Int64)
	require.NoError(t, err)
	require.Equal(t, big, same)

	ins := []IOInfo{{Name: "x", Type: tensor.Float, Dims: []int{-1, 2}}, {Name: "k", Type: tensor.Int64, Dims: []int{2}}}
	x := &tensor.Tensor{Name: "x", Type: tensor.Double, Dims: []int{3, 2}, Data: make([]float64, 6)}
	k := &tensor.Tensor{Name: "k", Type: tensor.Int32, Dims: []int{2}, Data: []int32{0, 1}}
	m, err := MatchInputs([]*tensor.Tensor{x, k}, ins, "in.npz")
	require.NoError(t, err)
	require.Equal(t, tensor.Float, m["x"].Type)
	require.Equal(t, tensor.Int64, m["k"].Type)

	_, err = MatchInputs([]*tensor.Tensor{x}, ins, "in.npz")
	require.ErrorContains(t, err, "in.npz: no array for model input(s) k")
	extra := &tensor.Tensor{Name: "zz", Type: tensor.Float, Dims: []int{}, Data: []float32{0}}
	_, err = MatchInputs([]*tensor.Tensor{x, k, extra}, ins, "in.npz")
	require.ErrorContains(t, err, "zz are not model inputs")
	bad := &tensor.Tensor{Name: "x", Type: tensor.Float, Dims: []int{3, 3}, Data: make([]float32, 9)}
	_, err = MatchInputs([]*tensor.Tensor{bad, k}, ins, "in.npz")
	require.ErrorContains(t, err, `array "x" has shape [3, 3], the model input needs [?, 2]`)
	require.True(t, IsBadInput(err))
}

func TestPrecision(t *testing.T) {
	var p Precision
	cfg := p.Config()
	require.False(t, cfg.Flag(trt.FlagTF32), "TF32 is off unless asked (Polygraphy)")
	require.Equal(t, trt.BackendCPU, cfg.Backend())
	require.Equal(t, "FP32", p.Flags())
	require.Equal(t, "gotrt-cpu-fp32", p.Label(""))

	rules, err := constraints.ParseRules([]string{"fc*:fp32"})
	require.NoError(t, err)
	p = Precision{Backend: trt.BackendAuto, FP16: true, TF32: true, Constraints: trt.ConstraintsObey, LayerPrecisions: rules}
	cfg = p.Config()
	require.True(t, cfg.Flag(trt.FlagTF32))
	require.True(t, cfg.Flag(trt.FlagFP16))
	require.Equal(t, trt.ConstraintsObey, cfg.PrecisionConstraints())
	require.Equal(t, "FP16|TF32", p.Flags())
	require.Equal(t, "gotrt-cuda-fp16+tf32-pinned", p.Label("cuda"))

	for _, s := range []string{"cpu", "CUDA", "auto"} {
		_, err := ParseBackend(s)
		require.NoError(t, err)
	}
	_, err = ParseBackend("tpu")
	require.Error(t, err)
}

// nodeTest returns an ONNX backend node test folder, or skips.
func nodeTest(t *testing.T, name string) string {
	dir := filepath.Join("/usr/include/onnx/backend/test/data/node", name)
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		t.Skipf("ONNX node test %s not installed", name)
	}
	return dir
}

func TestRunPipeline(t *testing.T) {
	model := filepath.Join(nodeTest(t, "test_add"), "model.onnx")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.npz"), filepath.Join(dir, "out.npz")
	var log bytes.Buffer
	rep, err := Run(context.Background(), Options{Model: model, SaveInputs: in, SaveOutputs: out,
		Data: DataOptions{Seed: 5}, Compare: compare.DefaultOptions(), Log: &Logger{W: &log}})
	require.NoError(t, err)
	require.True(t, rep.Passed)
	require.Len(t, rep.Runners, 1)
	require.Equal(t, "gotrt-cpu-fp32", rep.Runners[0].Name)
	require.Contains(t, log.String(), "[I] Saved inputs to "+in)

	var report bytes.Buffer
	rep, err = Run(context.Background(), Options{Model: model, LoadInputs: in, LoadOutputs: out,
		Precision: Precision{FP16: true}, Compare: compare.Options{}, Report: &report})
	require.NoError(t, err)
	require.False(t, rep.Passed, "FP16 differs from FP32 at zero tolerance")
	require.Len(t, rep.Comparisons, 1)
	require.Equal(t, "gotrt-cpu-fp16", rep.Comparisons[0].Got)
	require.Contains(t, report.String(), "[E]     FAILED | Mismatched outputs: ['sum']")
	require.NotEmpty(t, rep.Failures)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Run(ctx, Options{Model: model})
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.onnx")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	text := filepath.Join(dir, "text.onnx")
	require.NoError(t, os.WriteFile(text, []byte("ir_version: 8\ngraph {}\n"), 0o644))
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "nope.onnx"), "no such file"},
		{dir, "is a directory"},
		{empty, "empty file"},
		{text, "looks like text"},
	} {
		_, err := Load(context.Background(), c.path, LoadOptions{})
		require.ErrorContains(t, err, c.want)
		require.True(t, IsBadInput(err))
		require.True(t, strings.HasPrefix(err.Error(), c.path), err.Error())
	}
}
