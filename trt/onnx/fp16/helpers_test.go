package fp16

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/ort"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// needORT skips the test when the ONNX Runtime library is absent.
func needORT(t testing.TB) {
	t.Helper()
	if _, err := ort.LibraryPath(); err != nil {
		if errors.Is(err, ort.ErrNotFound) {
			t.Skipf("ONNX Runtime not available (run `make setup`): %v", err)
		}
		t.Fatal(err)
	}
	require.NoError(t, ort.Init())
}

// runORT runs a model in ONNX Runtime.
func runORT(t testing.TB, m *onnxpb.Model, in map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	b, err := onnxpb.Encode(m)
	require.NoError(t, err)
	s, err := ort.NewSession(b, ort.WithIntraOpThreads(1))
	require.NoError(t, err)
	defer s.Close()
	out, err := s.Run(in)
	require.NoError(t, err)
	return out
}

// diffStats compares two outputs as float64: the largest absolute and
// relative differences, and the largest excess over atol+rtol*|want|.
type diffStats struct {
	maxAbs, maxRel float64
	fail           int // elements outside atol + rtol*|want|
	n              int
}

func compare(got, want *tensor.Tensor, rtol, atol float64) diffStats {
	g, w := got.Float64s(), want.Float64s()
	var d diffStats
	d.n = len(w)
	if len(g) != len(w) {
		d.fail = max(len(g), len(w))
		d.maxAbs = math.Inf(1)
		return d
	}
	for i := range w {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) || w[i] == g[i] {
			continue
		}
		a := math.Abs(g[i] - w[i])
		if math.IsNaN(a) {
			a = math.Inf(1)
		}
		d.maxAbs = max(d.maxAbs, a)
		if w[i] != 0 {
			d.maxRel = max(d.maxRel, a/math.Abs(w[i]))
		}
		if !(a <= atol+rtol*math.Abs(w[i])) {
			d.fail++
		}
	}
	return d
}

// randomInputs makes random inputs for the model's graph inputs (static
// shapes; symbolic dims take 2), uniform in [-1, 1) for floats.
func randomInputs(t testing.TB, m *onnxpb.Model, seed uint64) map[string]*tensor.Tensor {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	init := map[string]bool{}
	for _, it := range m.Graph.Initializers {
		init[it.Name] = true
	}
	in := map[string]*tensor.Tensor{}
	for _, vi := range m.Graph.Inputs {
		if init[vi.Name] {
			continue
		}
		dims := make([]int, len(vi.Shape))
		for i, d := range vi.Shape {
			dims[i] = 2
			if d.Known {
				dims[i] = int(d.Value)
			}
		}
		dt, err := onnxpb.ElemTypeToHost(vi.ElemType)
		require.NoError(t, err)
		h, err := tensor.New(vi.Name, dt, dims)
		require.NoError(t, err)
		switch d := h.Data.(type) {
		case []float32:
			for i := range d {
				d[i] = float32(r.Float64()*2 - 1)
			}
		case []int64:
			for i := range d {
				d[i] = int64(r.IntN(4))
			}
		}
		in[vi.Name] = h
	}
	return in
}

var (
	pythonOnce sync.Once
	pythonPath string
)

// pythonWithONNX finds a Python that can import onnx: $GOTRT_PYTHON,
// python3 on PATH, or /usr/bin/python3 (Debian's python3-onnx); "" if none.
func pythonWithONNX() string {
	pythonOnce.Do(func() {
		cands := []string{os.Getenv("GOTRT_PYTHON"), "python3", "/usr/bin/python3"}
		for _, c := range cands {
			if c == "" {
				continue
			}
			p, err := exec.LookPath(c)
			if err != nil {
				continue
			}
			if exec.Command(p, "-c", "import onnx").Run() == nil {
				pythonPath = p
				return
			}
		}
	})
	return pythonPath
}

// checkONNX runs onnx.checker (full check) on a model when Python with onnx
// is present; it returns false when it could not run.
func checkONNX(t testing.TB, m *onnxpb.Model) bool {
	t.Helper()
	py := pythonWithONNX()
	if py == "" {
		return false
	}
	p := filepath.Join(t.TempDir(), "model.onnx")
	require.NoError(t, onnxpb.SaveFile(m, p))
	out, err := exec.Command(py, "-c",
		"import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True)", p).CombinedOutput()
	require.NoError(t, err, "onnx.checker: %s", out)
	return true
}

// checkONNXDir runs onnx.checker (full check) on every .onnx file of dir in
// one Python process; false when Python with onnx is absent.
func checkONNXDir(t testing.TB, dir string) bool {
	t.Helper()
	py := pythonWithONNX()
	if py == "" {
		return false
	}
	out, err := exec.Command(py, "-c", `
import glob, os, sys
import onnx
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.onnx"))):
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
    except Exception as e:
        sys.exit("%s: %s" % (os.path.basename(f), e))
`, dir).CombinedOutput()
	require.NoError(t, err, "onnx.checker: %s", out)
	return true
}

func ortLibrary() (string, error) { return ort.LibraryPath() }
