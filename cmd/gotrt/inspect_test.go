package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInspectModel(t *testing.T) {
	r := gotrt(t, "inspect", td("elementwise.onnx"))
	requireExit(t, r, exitOK)
	for _, want := range []string{
		"==== ONNX Model ====",
		"ONNX opset: 17",
		"---- 2 Graph Input(s) ----",
		"x [dtype=FP32, shape=[2, 8]]",
		"k [dtype=INT64, shape=[2, 8]]",
		"scale [ElementWise] [Op: Mul]",
		"relu [Activation] [Op: Relu]",
		"-> {y [dtype=FP32, shape=[2, 8]]}",
	} {
		require.Contains(t, r.stdout, want)
	}
	require.NotContains(t, r.stdout, "gotrt Engine", "no build without --build or a precision flag")

	// Dynamic dims stay dynamic unless --input-shapes fixes them.
	r = gotrt(t, "inspect", td("dynbatch.onnx"))
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "x [dtype=FP32, shape=[?, 4]]")
	r = gotrt(t, "inspect", td("dynbatch.onnx"), "--input-shapes", "x:[7,4]")
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "y [dtype=FP32, shape=[7, 4]]")
}

func TestInspectModelPrecisions(t *testing.T) {
	r := gotrt(t, "inspect", td("elementwise.onnx"), "--fp16", "--precision-constraints", "obey", "--layer-precisions", "tanh:fp32")
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "==== gotrt Engine (gotrt-cpu-fp16-pinned) ====")
	require.Contains(t, r.stdout, "Engine: backend=cpu flags=FP16 constraints=obey")
	require.Contains(t, r.stdout, "tanh [Activation] FP32")
	require.Contains(t, r.stdout, "requested=FP32")
	require.Contains(t, r.stdout, "FP16")

	r = gotrt(t, "inspect", td("elementwise.onnx"), "--fp16", "--json")
	requireExit(t, r, exitOK)
	m := decodeJSON(t, r.stdout)
	require.Equal(t, "model", m["kind"])
	layers := m["layers"].([]any)
	require.NotEmpty(t, layers)
	names := map[string]map[string]any{}
	for _, l := range layers {
		lm := l.(map[string]any)
		names[lm["name"].(string)] = lm
	}
	require.Equal(t, "Mul", names["scale"]["onnx_op"])
	require.Equal(t, "ElementWise", names["scale"]["kind"])
	eng := m["engine"].(map[string]any)
	require.Equal(t, "FP16", eng["flags"])
	found := false
	for _, l := range eng["layers"].([]any) {
		lm := l.(map[string]any)
		if lm["name"] == "scale" {
			require.Equal(t, "FP16", lm["precision"])
			found = true
		}
	}
	require.True(t, found, "engine layers: %v", eng["layers"])
}

func TestConvertAndInspectEngine(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "model.plan")
	r := gotrt(t, "convert", td("elementwise.onnx"), "-o", plan, "--fp16")
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "Saved engine to "+plan)

	r = gotrt(t, "inspect", plan)
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "==== gotrt Engine ====")
	require.Contains(t, r.stdout, "Engine: backend=cpu flags=FP16")
	require.Contains(t, r.stdout, "sigmoid")

	r = gotrt(t, "inspect", plan, "--json")
	requireExit(t, r, exitOK)
	m := decodeJSON(t, r.stdout)
	require.Equal(t, "engine", m["kind"])
	require.Equal(t, "FP16", m["engine"].(map[string]any)["flags"])

	// Precision flags cannot change a built engine.
	r = gotrt(t, "inspect", plan, "--bf16")
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "--bf16 does not apply to a serialized engine")

	// A damaged engine is bad input, named.
	b, err := os.ReadFile(plan)
	require.NoError(t, err)
	bad := filepath.Join(dir, "bad.plan")
	require.NoError(t, os.WriteFile(bad, b[:len(b)/2], 0o644))
	r = gotrt(t, "inspect", bad)
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "truncated")
	b[len(b)-1] ^= 0xff
	require.NoError(t, os.WriteFile(bad, b, 0o644))
	r = gotrt(t, "inspect", bad)
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "checksum mismatch")
}

func TestConvertDynamicAndErrors(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "dyn.plan")
	requireExit(t, gotrt(t, "convert", td("dynbatch.onnx"), "-o", plan), exitOK)
	r := gotrt(t, "inspect", plan)
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "x [dtype=FP32, shape=[?, 4]]")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{td("elementwise.onnx")}, "missing -o"},
		{[]string{"-o", plan}, "missing input model"},
		{[]string{td("elementwise.onnx"), "-o", td("elementwise.onnx")}, "would overwrite the input model"},
		{[]string{td("bad/unknown_op.onnx"), "-o", plan}, "FooBar"},
		{[]string{td("elementwise.onnx"), "-o", plan, "--keep-io-types=false"}, "only with --fp-to-fp16"},
		{[]string{"--fp-to-fp16", td("elementwise.onnx"), "-o", plan, "--fp16"}, "--fp16 does not apply to --fp-to-fp16"},
		{[]string{td("elementwise.onnx"), "-o", filepath.Join(dir, "no", "such", "dir.plan")}, "no such file or directory"},
	} {
		r := gotrt(t, append([]string{"convert"}, c.args...)...)
		requireExit(t, r, exitUsage)
		require.Contains(t, r.stderr, c.want)
	}
}

func TestConvertFPToFP16(t *testing.T) {
	if fpToFP16 == nil {
		t.Skip("this build has no FP16 converter (package trt/onnx/fp16)")
	}
	dir := t.TempDir()
	for _, keep := range []string{"true", "false"} {
		out := filepath.Join(dir, "fp16-"+keep+".onnx")
		r := gotrt(t, "convert", "--fp-to-fp16", td("elementwise.onnx"), "-o", out, "--keep-io-types="+keep)
		requireExit(t, r, exitOK)
		require.Contains(t, r.stdout, "Saved FP16 model to "+out)
		r = gotrt(t, "inspect", out, "--json")
		requireExit(t, r, exitOK)
		m := decodeJSON(t, r.stdout)
		want := map[string]string{"true": "FP32", "false": "FP16"}[keep]
		require.Equal(t, want, m["inputs"].([]any)[0].(map[string]any)["dtype"], "keep-io-types=%s", keep)

		t.Run("run --onnxrt keep-io-types="+keep, func(t *testing.T) {
			needORT(t)
			r := gotrt(t, "run", out, "--onnxrt", "--atol", "1e-2", "--rtol", "1e-2")
			requireExit(t, r, exitOK)
		})
	}
	r := gotrt(t, "convert", "--fp-to-fp16", td("bad/empty.onnx"), "-o", filepath.Join(dir, "x.onnx"))
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "empty file")
}

func TestInspectBadInputs(t *testing.T) {
	for _, c := range []struct {
		file, want string
	}{
		{td("nope.onnx"), "no such file"},
		{td("bad/empty.onnx"), "empty file"},
		{td("bad/text.onnx"), "looks like text"},
		{td("bad/truncated.onnx"), "truncated"},
		{td("bad/unknown_op.onnx"), "FooBar"},
		{td("bad/missing_init.onnx"), "w_missing"},
		{td("bad/escape/model.onnx"), "escapes the model directory"},
	} {
		for _, cmd := range [][]string{{"inspect"}, {"bench", "--duration", "0", "--warmup", "0"}, {"convert", "-o", filepath.Join(t.TempDir(), "x.plan")}} {
			r := gotrt(t, append(cmd, c.file)...)
			requireExit(t, r, exitUsage)
			require.Contains(t, r.stderr, c.want, "%v %s", cmd, c.file)
		}
	}
}
