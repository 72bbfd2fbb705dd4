package models

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/compare"
	"github.com/gotrt/gotrt/internal/ort"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
	"github.com/stretchr/testify/require"
)

// requireORT skips the test or benchmark when ONNX Runtime's library is
// absent.
func requireORT(tb testing.TB) {
	tb.Helper()
	if _, err := ort.LibraryPath(); err != nil {
		tb.Skipf("ONNX Runtime is not available, so there is no reference to compare with: %v", err)
	}
}

// encodeDecode serializes m and reads it back, as a user's file would be
// read, returning both the bytes (for ONNX Runtime) and the decoded model
// (for gotrt's importer).
func encodeDecode(tb testing.TB, m *onnxpb.Model) ([]byte, *onnxpb.Model) {
	tb.Helper()
	raw, err := Encode(m)
	require.NoError(tb, err)
	dm, err := onnxpb.Decode(raw)
	require.NoError(tb, err)
	return raw, dm
}

// buildCPU imports m with the given input shapes and builds an FP32 engine
// (TF32 off, as Polygraphy's default) on the CPU backend.
func buildCPU(tb testing.TB, m *onnxpb.Model, shapes map[string][]int) (*trt.Engine, []string) {
	tb.Helper()
	res, err := onnx.Import(m, onnx.Options{InputShapes: shapes, Name: m.Graph.Name})
	require.NoError(tb, err, "import")
	cfg := trt.NewBuilderConfig()
	cfg.ClearFlag(trt.FlagTF32)
	cfg.SetBackend(trt.BackendCPU)
	eng, err := trt.NewBuilder(nil).Build(context.Background(), res.Network, cfg)
	require.NoError(tb, err, "build")
	tb.Cleanup(func() { eng.Close() })
	return eng, res.Outputs
}

// newORT opens an ONNX Runtime session on the model bytes with intra-op
// threads = GOMAXPROCS, the same parallelism gotrt's CPU backend uses.
func newORT(tb testing.TB, raw []byte) *ort.Session {
	tb.Helper()
	s, err := ort.NewSession(raw, ort.WithIntraOpThreads(runtime.GOMAXPROCS(0)))
	require.NoError(tb, err, "ONNX Runtime session")
	tb.Cleanup(func() { s.Close() })
	return s
}

// tolerances of the "must hold" check: atol 1e-4, rtol 1e-3, elementwise.
func fp32Tolerances() compare.Options {
	return compare.Options{
		Atol:           compare.Tolerances{Default: 1e-4},
		Rtol:           compare.Tolerances{Default: 1e-3},
		CheckErrorStat: compare.ErrorStats{Default: compare.Elemwise},
	}
}

// checkAgainstORT runs the gotrt CPU engine built for shapes and ONNX
// Runtime on the same random inputs and requires every output to pass
// Polygraphy's elementwise rule at atol 1e-4 / rtol 1e-3.
func checkAgainstORT(t *testing.T, raw []byte, m *onnxpb.Model, sess *ort.Session, shapes map[string][]int, seed uint64) {
	t.Helper()
	inputs, err := RandomInputs(m, shapes, seed)
	require.NoError(t, err)
	eng, outs := buildCPU(t, m, shapes)
	ec, err := eng.CreateExecutionContext()
	require.NoError(t, err)
	defer ec.Close()
	got, err := ec.Run(context.Background(), inputs)
	require.NoError(t, err, "gotrt run")
	want, err := sess.Run(inputs)
	require.NoError(t, err, "ONNX Runtime run")
	rep, err := compare.Outputs(got, want, outs, fp32Tolerances())
	require.NoError(t, err)
	var b strings.Builder
	for _, o := range rep.Outputs {
		fmt.Fprintf(&b, "%s %v: passed=%v max|d|=%.3g max rel=%.3g mismatches=%d/%d (ORT: mean %.3g std %.3g range [%.3g, %.3g]) %s\n",
			o.Name, o.Dims, o.Passed, o.AbsDiff.Max, o.RelDiff.Max, o.Mismatches, o.Elements,
			o.Want.Mean, o.Want.StdDev, o.Want.Min, o.Want.Max, o.Reason)
	}
	t.Logf("shapes %v\n%s", shapes, b.String())
	require.True(t, rep.Passed, "gotrt CPU FP32 vs ONNX Runtime at atol 1e-4 / rtol 1e-3:\n%s", b.String())
	// The outputs must not be degenerate (all zero or constant), or the
	// comparison says nothing.
	for _, name := range outs {
		requireNonDegenerate(t, name, want[name])
	}
}

func requireNonDegenerate(t *testing.T, name string, h *tensor.Tensor) {
	t.Helper()
	v := h.Float64s()
	require.NotEmpty(t, v, name)
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	require.Greater(t, hi-lo, 1e-3, "output %s is (nearly) constant: [%g, %g]", name, lo, hi)
}

// opTypes counts the node op types of m.
func opTypes(m *onnxpb.Model) map[string]int {
	ops := map[string]int{}
	for _, n := range m.Graph.Nodes {
		ops[n.OpType]++
	}
	return ops
}

func sortedOps(m *onnxpb.Model) string {
	ops := opTypes(m)
	var s []string
	for k, v := range ops {
		s = append(s, fmt.Sprintf("%s:%d", k, v))
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}
