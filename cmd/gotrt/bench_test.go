package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBenchText(t *testing.T) {
	r := gotrt(t, "bench", td("elementwise.onnx"), "--warmup", "10", "--iterations", "20", "--duration", "0")
	requireExit(t, r, exitOK)
	for _, want := range []string{
		"[I] Model: testdata/elementwise.onnx",
		"[I] Precision: FP32",
		"[I] Shapes: x=[2,8], k=[2,8]",
		"[I] Timing trace has ",
		"[I] === Performance summary ===",
		"[I] Throughput: ",
		"[I] Latency: min = ",
		", percentile(90%) = ",
		", percentile(99%) = ",
		"&&&& PASSED gotrt.bench",
	} {
		require.Contains(t, r.stdout, want)
	}
}

func TestBenchJSON(t *testing.T) {
	r := gotrt(t, "bench", td("dynbatch.onnx"), "--input-shapes", "x:[16,4]", "--fp16", "--warmup", "0",
		"--iterations", "5", "--duration", "0", "--json")
	requireExit(t, r, exitOK)
	m := decodeJSON(t, r.stdout)
	require.Greater(t, m["throughput_qps"].(float64), 0.0)
	require.GreaterOrEqual(t, m["iterations"].(float64), 5.0)
	lat := m["latency_ms"].(map[string]any)
	for _, k := range []string{"min", "max", "mean", "median", "p90", "p95", "p99"} {
		require.Contains(t, lat, k)
		require.Greater(t, lat[k].(float64), 0.0, k)
	}
	require.LessOrEqual(t, lat["min"].(float64), lat["median"].(float64))
	require.LessOrEqual(t, lat["p99"].(float64), lat["max"].(float64))
	require.Equal(t, "FP16", m["precision"])
	require.Equal(t, []any{16.0, 4.0}, m["input_shapes"].(map[string]any)["x"])
}

func TestBenchBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--iterations", "0"}, "--iterations must be at least 1"},
		{[]string{"--warmup", "-5"}, "--warmup must be a non-negative"},
		{[]string{"--duration", "-3"}, "--duration must be"},
		{[]string{"--input-shapes", "x:[a]"}, `dim "a"`},
		{[]string{"--backend", "tpu"}, `unknown backend "tpu"`},
	} {
		r := gotrt(t, append([]string{"bench", td("elementwise.onnx")}, c.args...)...)
		requireExit(t, r, exitUsage)
		require.Contains(t, r.stderr, c.want)
	}
}
