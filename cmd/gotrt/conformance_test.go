package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/conformance"
)

func nodeTest(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(conformance.DefaultDataDir, name)
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		t.Skipf("ONNX node test %s not installed (make setup installs libonnx-testdata)", name)
	}
	return dir
}

func TestConformancePasses(t *testing.T) {
	add, relu := nodeTest(t, "test_add"), nodeTest(t, "test_relu")
	r := gotrt(t, "conformance", add, relu)
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "operator")
	require.Regexp(t, `(?m)^Add\s+1\s+0\s+0$`, r.stdout)
	require.Regexp(t, `(?m)^Relu\s+1\s+0\s+0$`, r.stdout)
	require.Contains(t, r.stdout, "2 passed, 0 failed, 0 skipped")

	r = gotrt(t, "conformance", "--verbose", add, relu)
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "PASSED  test_add")
	require.Contains(t, r.stdout, "PASSED  test_relu")

	r = gotrt(t, "conformance", "--json", add, relu)
	requireExit(t, r, exitOK)
	m := decodeJSON(t, r.stdout)
	require.Equal(t, 2.0, m["passed"])
	require.Equal(t, 0.0, m["failed"])
	require.Len(t, m["cases"].([]any), 2)
	require.Contains(t, m["per_op"], "Add")

	// A folder of cases, filtered.
	r = gotrt(t, "conformance", "--filter", "test_add", "-v", filepath.Dir(add))
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "PASSED  test_add")
	r = gotrt(t, "conformance", "--filter", "test_relu", filepath.Dir(add))
	requireExit(t, r, exitOK)
	require.Contains(t, r.stdout, "1 passed, 0 failed, 0 skipped")
}

func TestConformanceFailsAndSkips(t *testing.T) {
	add, sub := nodeTest(t, "test_add"), nodeTest(t, "test_sub")
	// A case whose expected output is wrong: test_add's model with
	// test_sub's expected output (same shape).
	dir := t.TempDir()
	bad := filepath.Join(dir, "test_add_wrong")
	copyFile(t, filepath.Join(add, "model.onnx"), filepath.Join(bad, "model.onnx"))
	for _, f := range []string{"input_0.pb", "input_1.pb"} {
		copyFile(t, filepath.Join(add, "test_data_set_0", f), filepath.Join(bad, "test_data_set_0", f))
	}
	copyFile(t, filepath.Join(sub, "test_data_set_0", "output_0.pb"), filepath.Join(bad, "test_data_set_0", "output_0.pb"))
	// A case with an operator gotrt does not import: skipped.
	skip := filepath.Join(dir, "test_foobar")
	copyFile(t, td("bad/unknown_op.onnx"), filepath.Join(skip, "model.onnx"))
	require.NoError(t, os.MkdirAll(filepath.Join(skip, "test_data_set_0"), 0o755))

	r := gotrt(t, "conformance", dir)
	requireExit(t, r, exitFailed)
	require.Contains(t, r.stdout, "FAILED  test_add_wrong")
	require.Contains(t, r.stdout, "0 passed, 1 failed, 1 skipped")

	r = gotrt(t, "conformance", "--json", dir)
	requireExit(t, r, exitFailed)
	m := decodeJSON(t, r.stdout)
	require.Equal(t, 1.0, m["failed"])
	require.Equal(t, 1.0, m["skipped"])
}

func TestConformanceBadUsage(t *testing.T) {
	r := gotrt(t, "conformance", filepath.Join(t.TempDir(), "nope"))
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "nope")
	r = gotrt(t, "conformance", "--backend", "tpu", "testdata")
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, `unknown backend "tpu"`)
	r = gotrt(t, "conformance", "testdata")
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "no test cases")

	add := nodeTest(t, "test_add")
	r = gotrt(t, "conformance", "--filter", "zzz", add)
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "no test cases match --filter")
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(to), 0o755))
	require.NoError(t, os.WriteFile(to, b, 0o644))
}
