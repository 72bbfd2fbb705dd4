package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/npz"
)

func TestRunPassesAgainstONNXRuntime(t *testing.T) {
	needORT(t)
	r := gotrt(t, "run", td("elementwise.onnx"), "--onnxrt")
	requireExit(t, r, exitOK)
	for _, want := range []string{
		"RUNNING | Command: gotrt run",
		"Input tensor: x [dtype=FP32, shape=[2, 8]] | generated with seed 1",
		"Input tensor: k [dtype=INT64, shape=[2, 8]]",
		"gotrt-cpu-fp32 | Finished engine building",
		"gotrt-cpu-fp32 | Completed 1 iteration(s)",
		"onnxrt | Completed 1 iteration(s)",
		"Accuracy Comparison | gotrt-cpu-fp32 vs. onnxrt",
		"Comparing Output: 'y'",
		"Comparing Output: 'z'",
		"PASSED | All outputs matched | Outputs: ['y', 'z']",
		"[I] PASSED | Runtime:",
	} {
		require.Contains(t, r.stdout, want)
	}
}

func TestRunModelsAgainstONNXRuntime(t *testing.T) {
	needORT(t)
	cases := []struct {
		model string
		ops   []string
		args  []string
	}{
		{"mlp.onnx", []string{"MatMul", "Softmax"}, []string{"--input-shapes", "x:[4,16]"}},
		{"conv.onnx", []string{"Conv", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm"}, nil},
		{"dynbatch.onnx", nil, []string{"--input-shapes", "x:[3,4]"}},
	}
	for _, c := range cases {
		t.Run(c.model, func(t *testing.T) {
			needOps(t, c.ops...)
			needModel(t, td(c.model))
			args := append([]string{"run", td(c.model), "--onnxrt", "--atol", "1e-4", "--rtol", "1e-3"}, c.args...)
			r := gotrt(t, args...)
			requireExit(t, r, exitOK)
			require.Contains(t, r.stdout, "PASSED | All outputs matched")
		})
	}
}

func TestRunDynamicBatch(t *testing.T) {
	// Without --input-shapes the dynamic dim is 1, with a warning.
	r := gotrt(t, "run", td("dynbatch.onnx"))
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "[W] Input tensor: x | has dynamic shape [batch, 4]; using [1, 4]")

	// Several inputs' shapes may follow one --input-shapes (here one input,
	// then the model path, which must not be taken for a shape).
	r = gotrt(t, "run", "--input-shapes", "x:[5,4]", td("dynbatch.onnx"), "--json")
	requireExit(t, r, exitOK)
	m := decodeJSON(t, r.stdout)
	out := m["runners"].([]any)[0].(map[string]any)["outputs"].([]any)[0].(map[string]any)
	require.Equal(t, []any{5.0, 4.0}, out["shape"])
}

func TestRunFP16TightToleranceFails(t *testing.T) {
	needORT(t)
	r := gotrt(t, "run", td("elementwise.onnx"), "--fp16", "--onnxrt", "--atol", "1e-7", "--rtol", "1e-7")
	requireExit(t, r, exitFailed)
	require.Contains(t, r.stdout, "gotrt-cpu-fp16 vs. onnxrt")
	require.Contains(t, r.stdout, "FAILED | Output: 'y' | Difference exceeds tolerance")
	require.Contains(t, r.stdout, "---- Histogram ----")
	require.Contains(t, r.stdout, "[E] FAILED | Runtime:")

	// FP16 error is ~1e-4 here: loose tolerances pass.
	r = gotrt(t, "run", td("elementwise.onnx"), "--fp16", "--onnxrt", "--atol", "1e-2", "--rtol", "1e-2")
	requireExit(t, r, exitOK)
}

func TestRunFP16AgainstSavedFP32(t *testing.T) {
	// The same check without ONNX Runtime: FP32 outputs saved, FP16 compared.
	dir := t.TempDir()
	ref := filepath.Join(dir, "fp32.npz")
	requireExit(t, gotrt(t, "run", td("elementwise.onnx"), "--save-outputs", ref), exitOK)
	r := gotrt(t, "run", td("elementwise.onnx"), "--fp16", "--load-outputs", ref, "--atol", "1e-7", "--rtol", "1e-7")
	requireExit(t, r, exitFailed)
	require.Contains(t, r.stdout, "FAILED")
	require.Contains(t, r.stdout, "gotrt-cpu-fp16 vs. fp32.npz")

	// Per-output tolerances and another statistic.
	r = gotrt(t, "run", td("elementwise.onnx"), "--fp16", "--load-outputs", ref,
		"--atol", "1e-7", "y:1e-2", "z:1e-2", "--check-error-stat", "max")
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "Checking max error")

	// --validate finds no NaN/Inf here.
	r = gotrt(t, "run", td("elementwise.onnx"), "--fp16", "--validate")
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "PASSED | Output Validation")
}

func TestRunSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.npz"), filepath.Join(dir, "out.npz")
	r := gotrt(t, "run", td("elementwise.onnx"), "--seed", "42", "--save-inputs", in, "--save-outputs", out)
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "Saved inputs to "+in)
	require.Contains(t, r.stdout, "Saved outputs of gotrt-cpu-fp32 to "+out)

	ins, err := npz.ReadNPZ(in)
	require.NoError(t, err)
	require.Len(t, ins, 2)
	require.Equal(t, "x", ins[0].Name)
	require.Equal(t, "k", ins[1].Name)
	outs, err := npz.ReadNPZ(out)
	require.NoError(t, err)
	require.Len(t, outs, 2)
	require.Equal(t, "y", outs[0].Name)
	require.Equal(t, "z", outs[1].Name)

	// The same inputs give exactly the same outputs.
	r = gotrt(t, "run", td("elementwise.onnx"), "--load-inputs", in, "--load-outputs", out, "--atol", "0", "--rtol", "0")
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "Loaded inputs from "+in)
	require.Contains(t, r.stdout, "PASSED | All outputs matched")
	require.Contains(t, r.stdout, "Minimum Required Tolerance: elemwise error | [abs=0] OR [rel=0]")

	// Another seed gives other inputs, so other outputs.
	r = gotrt(t, "run", td("elementwise.onnx"), "--seed", "43", "--load-outputs", out, "--atol", "0", "--rtol", "0")
	requireExit(t, r, exitFailed)

	// Loaded inputs fix a dynamic dim.
	dyn := filepath.Join(dir, "dyn.npz")
	requireExit(t, gotrt(t, "run", td("dynbatch.onnx"), "--input-shapes", "x:[6,4]", "--save-inputs", dyn), exitOK)
	r = gotrt(t, "run", td("dynbatch.onnx"), "--load-inputs", dyn, "--json")
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, `"shape": [`)
	m := decodeJSON(t, r.stdout)
	require.Equal(t, []any{6.0, 4.0}, m["inputs"].([]any)[0].(map[string]any)["shape"])
}

func TestRunJSON(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.npz")
	requireExit(t, gotrt(t, "run", td("elementwise.onnx"), "--save-outputs", ref), exitOK)

	r := gotrt(t, "run", td("elementwise.onnx"), "--load-outputs", ref, "--json", "--validate")
	requireExit(t, r, exitOK)
	m := decodeJSON(t, r.stdout)
	require.Equal(t, true, m["passed"])
	require.Contains(t, m["command"], "gotrt run")
	runners := m["runners"].([]any)
	require.Len(t, runners, 2)
	gr := runners[0].(map[string]any)
	require.Equal(t, "gotrt-cpu-fp32", gr["name"])
	require.Equal(t, "cpu", gr["backend"])
	require.Contains(t, gr, "inference_ms")
	require.Contains(t, gr, "layer_precisions")
	cmp := m["comparisons"].([]any)[0].(map[string]any)
	require.Equal(t, "ref.npz", cmp["want"])
	outs := cmp["report"].(map[string]any)["outputs"].([]any)
	require.Len(t, outs, 2)
	require.Equal(t, "y", outs[0].(map[string]any)["name"])
	require.Len(t, m["validations"].([]any), 1)
	require.Len(t, m["inputs"].([]any), 2)
	require.NotContains(t, r.stdout, "[I]", "JSON mode keeps logs off stdout")

	// A failing comparison: passed false, exit 1, still JSON.
	r = gotrt(t, "run", td("elementwise.onnx"), "--fp16", "--load-outputs", ref, "--json", "--atol", "0", "--rtol", "0")
	requireExit(t, r, exitFailed)
	m = decodeJSON(t, r.stdout)
	require.Equal(t, false, m["passed"])
	require.NotEmpty(t, m["failures"])

	// Bad input: exit 2, a JSON error on stdout, the message on stderr.
	r = gotrt(t, "run", td("bad/unknown_op.onnx"), "--json")
	requireExit(t, r, exitUsage)
	m = decodeJSON(t, r.stdout)
	require.Contains(t, m["error"], "FooBar")
	require.Equal(t, 2.0, m["exit_code"])
	require.Contains(t, r.stderr, "FooBar")
}

func TestRunLayerPrecisions(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.npz")
	requireExit(t, gotrt(t, "run", td("elementwise.onnx"), "--save-outputs", ref), exitOK)
	// Pin every layer to FP32 with a wildcard: the FP16 engine then matches
	// FP32 exactly.
	r := gotrt(t, "run", td("elementwise.onnx"), "--fp16", "--precision-constraints", "obey",
		"--layer-precisions", "*:fp32", "--load-outputs", ref, "--atol", "0", "--rtol", "0", "--json")
	requireExit(t, r, exitOK)
	m := decodeJSON(t, r.stdout)
	gr := m["runners"].([]any)[0].(map[string]any)
	require.Equal(t, "gotrt-cpu-fp16-pinned", gr["name"])
	for layer, p := range gr["layer_precisions"].(map[string]any) {
		require.Equal(t, "FP32", p, layer)
	}
	// Output types: y's layer produces FP16 (rounded), so y differs.
	r = gotrt(t, "run", td("elementwise.onnx"), "--precision-constraints", "obey",
		"--layer-output-types", "relu:fp16", "--load-outputs", ref, "--atol", "0", "--rtol", "0")
	requireExit(t, r, exitFailed)
	require.Contains(t, r.stdout, "FAILED | Output: 'y'")
	require.Contains(t, r.stdout, "PASSED | Output: 'z'")
}

func TestRunBadInputs(t *testing.T) {
	dir := t.TempDir()
	textNPZ := filepath.Join(dir, "notnpz.npz")
	require.NoError(t, writeFileAtomic(textNPZ, []byte("hello")))
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{td("nope.onnx")}, "nope.onnx: no such file"},
		{"directory", []string{"testdata"}, "is a directory"},
		{"empty file", []string{td("bad/empty.onnx")}, "empty file"},
		{"text file", []string{td("bad/text.onnx")}, "looks like text"},
		{"truncated", []string{td("bad/truncated.onnx")}, "truncated"},
		{"unknown op", []string{td("bad/unknown_op.onnx")}, "FooBar"},
		{"missing initializer", []string{td("bad/missing_init.onnx")}, `"w_missing"`},
		{"external data escaping", []string{td("bad/escape/model.onnx")}, "escapes the model directory"},
		{"no model", []string{"--fp16"}, "missing MODEL.onnx"},
		{"two models", []string{td("elementwise.onnx"), td("mlp.onnx")}, "one MODEL.onnx expected"},
		{"unknown flag", []string{td("elementwise.onnx"), "--frobnicate"}, "flag provided but not defined: -frobnicate"},
		{"flag without value", []string{td("elementwise.onnx"), "--seed"}, "flag needs an argument"},
		{"bad seed", []string{td("elementwise.onnx"), "--seed", "x"}, `invalid value "x" for flag -seed`},
		{"bad shape dim", []string{td("dynbatch.onnx"), "--input-shapes", "x:[a]"}, `--input-shapes: "x:[a]": dim "a" is not a non-negative integer`},
		{"bad shape syntax", []string{td("dynbatch.onnx"), "--input-shapes", "x=[1,4]"}, "--input-shapes"},
		{"shape of unknown input", []string{td("dynbatch.onnx"), "--input-shapes", "nope:[1,4]"}, `"nope", which is not a model input`},
		{"shape of wrong rank", []string{td("dynbatch.onnx"), "--input-shapes", "x:[1,4,1]"}, "rank"},
		{"shape against static dim", []string{td("elementwise.onnx"), "--input-shapes", "x:[3,8]"}, `input "x"`},
		{"bad atol", []string{td("elementwise.onnx"), "--atol", "abc"}, `--atol: item "abc": invalid number "abc"`},
		{"negative rtol", []string{td("elementwise.onnx"), "--rtol", "-1"}, "--rtol"},
		{"bad error stat", []string{td("elementwise.onnx"), "--check-error-stat", "worst"}, `invalid error statistic "worst"`},
		{"bad quantile", []string{td("elementwise.onnx"), "--error-quantile", "1.5"}, "--error-quantile"},
		{"unknown backend", []string{td("elementwise.onnx"), "--backend", "tpu"}, `unknown backend "tpu"`},
		{"bad constraints", []string{td("elementwise.onnx"), "--precision-constraints", "maybe"}, "unknown precision constraints"},
		{"bad layer rule", []string{td("elementwise.onnx"), "--layer-precisions", "relu"}, "--layer-precisions: bad layer rule"},
		{"bad layer type", []string{td("elementwise.onnx"), "--layer-precisions", "relu:fp17"}, "unknown data type"},
		{"rule matching nothing", []string{td("elementwise.onnx"), "--layer-precisions", "nosuch*:fp32", "--precision-constraints", "obey"}, `rule "nosuch*" matches no layer`},
		{"bad val range", []string{td("elementwise.onnx"), "--val-range", "[1,0]"}, "min 1 is greater than max 0"},
		{"missing inputs file", []string{td("elementwise.onnx"), "--load-inputs", filepath.Join(dir, "nope.npz")}, "nope.npz: no such file"},
		{"inputs file not npz", []string{td("elementwise.onnx"), "--load-inputs", textNPZ}, "notnpz.npz"},
		{"missing outputs file", []string{td("elementwise.onnx"), "--load-outputs", filepath.Join(dir, "nope.npz")}, "nope.npz: no such file"},
		{"seed with loaded inputs", []string{td("elementwise.onnx"), "--load-inputs", textNPZ, "--seed", "3"}, "--seed and --val-range do not apply"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := gotrt(t, append([]string{"run"}, c.args...)...)
			requireExit(t, r, exitUsage)
			require.Contains(t, r.stderr, c.want)
			require.True(t, strings.HasPrefix(r.stderr, "gotrt run: "), "%s", r)
		})
	}
}

func TestRunLoadInputsMismatch(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.npz")
	requireExit(t, gotrt(t, "run", td("dynbatch.onnx"), "--save-inputs", in), exitOK)
	// dynbatch's input x does not fit elementwise's inputs x [2,8] and k.
	r := gotrt(t, "run", td("elementwise.onnx"), "--load-inputs", in)
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, `array "x" has shape [1, 4], the model input needs [2, 8]`)
}

func TestRunCUDABackend(t *testing.T) {
	r := gotrt(t, "run", td("elementwise.onnx"), "--backend", "cuda")
	if r.code == exitOK {
		return // a CUDA backend is registered and a GPU is present
	}
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "CUDA backend is not available")
	// auto falls back to the CPU.
	r = gotrt(t, "run", td("elementwise.onnx"), "--backend", "auto")
	requireExit(t, r, exitOK)
}

func TestRunWithoutONNXRuntime(t *testing.T) {
	t.Setenv("GOTRT_ORT_LIB", filepath.Join(t.TempDir(), "libonnxruntime.so.1"))
	r := gotrt(t, "run", td("elementwise.onnx"), "--onnxrt")
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "ONNX Runtime library not found")
	require.NotContains(t, r.stdout, "Building engine", "checked before any work")
}
