package conformance

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestONNXNodeTests runs ONNX's official node tests (Debian's
// libonnx-testdata) on the CPU backend: none may fail.
func TestONNXNodeTests(t *testing.T) {
	if _, err := os.Stat(DefaultDataDir); err != nil {
		t.Skipf("ONNX backend test data not installed at %s (make setup installs libonnx-testdata)", DefaultDataDir)
	}
	cases, err := Find(DefaultDataDir)
	require.NoError(t, err)
	filter := os.Getenv("GOTRT_CONFORMANCE_FILTER")
	var rs []Result
	for _, c := range cases {
		if filter != "" && !strings.Contains(c.Name, filter) {
			continue
		}
		r := Run(context.Background(), c, Options{})
		rs = append(rs, r)
		if r.Status == Failed {
			t.Errorf("%s", r)
		} else if testing.Verbose() && r.Status == Skipped {
			t.Logf("%s", r)
		}
	}
	s := Summarize(rs)
	t.Logf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
}
