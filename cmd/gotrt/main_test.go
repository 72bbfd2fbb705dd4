package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/ort"
	"github.com/gotrt/gotrt/trt/onnx"
)

// result is what one in-process run of the CLI gave.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + string(rune('0'+r.code)) + "\n--- stdout:\n" + r.stdout + "\n--- stderr:\n" + r.stderr
}

// gotrt runs the CLI in-process with stdout and stderr captured.
func gotrt(t *testing.T, args ...string) result {
	t.Helper()
	var o, e bytes.Buffer
	oldOut, oldErr := stdout, stderr
	stdout, stderr = &o, &e
	defer func() { stdout, stderr = oldOut, oldErr }()
	code := mainCode(args)
	r := result{code, o.String(), e.String()}
	for _, s := range []string{r.stdout, r.stderr} {
		require.NotContains(t, s, "goroutine ", "looks like a panic: %s", r)
		require.NotContains(t, s, "internal error", "%s", r)
	}
	return r
}

// requireExit checks the exit code, printing the output when it differs.
func requireExit(t *testing.T, r result, code int) {
	t.Helper()
	require.Equal(t, code, r.code, "%s", r)
}

func td(name string) string { return filepath.Join("testdata", name) }

// needORT skips tests that compare with ONNX Runtime where it is missing.
func needORT(t *testing.T) {
	t.Helper()
	if _, err := ort.LibraryPath(); err != nil {
		t.Skipf("ONNX Runtime not available (make setup fetches it): %v", err)
	}
}

// needOps skips tests whose model uses operators gotrt does not import yet.
func needOps(t *testing.T, ops ...string) {
	t.Helper()
	for _, op := range ops {
		if !onnx.Supports(op) {
			t.Skipf("the ONNX importer has no %s yet", op)
		}
	}
}

// needModel skips a test whose model gotrt cannot build and run yet (an
// operator importer or CPU kernel still being written).
func needModel(t *testing.T, model string) {
	t.Helper()
	r := gotrt(t, "run", model)
	if r.code != 0 {
		t.Skipf("gotrt cannot run %s yet: %s", model, strings.TrimSpace(r.stderr))
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), "stdout is not JSON: %s", s)
	return m
}

func TestTestdataIsSmall(t *testing.T) {
	var total int64
	filepath.Walk("testdata", func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			total += fi.Size()
		}
		return nil
	})
	require.Less(t, total, int64(100<<10), "testdata must stay under 100 KB")
}

func TestUsageAndHelp(t *testing.T) {
	r := gotrt(t)
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, "run")

	r = gotrt(t, "nosuchcommand")
	requireExit(t, r, exitUsage)
	require.Contains(t, r.stderr, `unknown command "nosuchcommand"`)

	for _, cmd := range []string{"run", "inspect", "convert", "bench", "conformance"} {
		r = gotrt(t, cmd, "--help")
		requireExit(t, r, exitOK)
		require.Contains(t, r.stdout, "usage: gotrt "+cmd, cmd)
	}
}
