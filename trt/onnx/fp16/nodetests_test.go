package fp16

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/x448/float16"

	"github.com/gotrt/gotrt/internal/ort"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// onnxTestData holds ONNX's backend test cases (Debian: libonnx-testdata).
const onnxTestData = "/usr/include/onnx/backend/test/data"

// TestBackendTestModels converts every model of ONNX's backend tests (node,
// simple, pytorch-converted, pytorch-operator) with the default options and
// runs the original and the converted model in ONNX Runtime on the test's
// inputs: every model must convert (except the refusals listed below), load
// and match within FP16 tolerances (rtol 1e-2, atol 1e-3); with Python and
// onnx present, onnx.checker must accept every converted model.
//
// Survey modes (environment): GOTRT_FP16_SWEEP_NOKEEP=1 converts the I/O
// too, GOTRT_FP16_SWEEP_NOBLOCK=1 blocks nothing, GOTRT_FP16_SWEEP_EXACT=1
// counts outputs identical to FP32; GOTRT_FP16_SWEEP=1 logs instead of
// failing.
func TestBackendTestModels(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the backend test models")
	}
	dirs, _ := filepath.Glob(filepath.Join(onnxTestData, "*", "*"))
	if len(dirs) == 0 {
		t.Skipf("ONNX backend test data not found under %s (install libonnx-testdata)", onnxTestData)
	}
	needORT(t)
	survey := os.Getenv("GOTRT_FP16_SWEEP") != ""
	sort.Strings(dirs)
	saveDir := t.TempDir()
	var lines []string
	counts := map[string]int{}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		status, detail := sweepOne(dir, saveDir)
		counts[status]++
		if status == "convert" && expectedRefusal(detail) {
			counts["refused"]++
			continue
		}
		if status != "ok" && status != "skip" && status != "exact" {
			lines = append(lines, fmt.Sprintf("%-8s %s: %s", status, name, detail))
		}
	}
	t.Logf("%d models: %v", len(dirs), counts)
	if survey {
		t.Logf("\n%s", strings.Join(lines, "\n"))
	} else {
		require.Empty(t, lines)
		require.Greater(t, counts["ok"]+counts["exact"], 900)
	}
	if py := pythonWithONNX(); py != "" {
		out, err := exec.Command(py, "-c", checkAllPy, saveDir).CombinedOutput()
		require.NoError(t, err, "onnx.checker on the converted models:\n%s", out)
		t.Logf("onnx.checker: %s", strings.TrimSpace(string(out)))
	}
}

// expectedRefusal: models Convert rejects by design (opset below 6, no
// default-domain opset: the training-domain tests).
func expectedRefusal(msg string) bool {
	return strings.Contains(msg, "needs opset 6 or later") || strings.Contains(msg, "imports no default-domain")
}

// checkAllPy runs onnx.checker on every model in a folder; a failure counts
// only where the original backend test model passes the checker.
const checkAllPy = `
import glob, os, sys
import onnx
root = "` + onnxTestData + `"
bad, n = [], 0
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.onnx"))):
    n += 1
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
    except Exception as e:
        orig = glob.glob(os.path.join(root, "*", os.path.basename(f)[:-5], "model.onnx"))
        try:
            onnx.checker.check_model(onnx.load(orig[0]), full_check=True)
        except Exception:
            continue
        bad.append("%s: %s" % (os.path.basename(f), str(e).splitlines()[0]))
print("%d converted models checked, %d rejected" % (n, len(bad)))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
`

// sweepOne converts one backend test model (saving the result in saveDir),
// runs both models on the test's inputs and compares: "ok", "exact" (same
// outputs as FP32), "diff", "ort" (the converted model fails in ONNX
// Runtime), "type", "convert" (Convert failed) or "skip" (the original does
// not load or run).
func sweepOne(dir, saveDir string) (status, detail string) {
	m, err := onnxpb.LoadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return "skip", err.Error()
	}
	opt := DefaultOptions()
	if os.Getenv("GOTRT_FP16_SWEEP_NOBLOCK") != "" {
		opt.Blocklist = []string{}
	}
	noKeep := os.Getenv("GOTRT_FP16_SWEEP_NOKEEP") != ""
	opt.KeepIOTypes = !noKeep
	cm, _, err := Convert(m, opt)
	if err != nil {
		return "convert", err.Error()
	}
	if err := onnxpb.SaveFile(cm, filepath.Join(saveDir, filepath.Base(dir)+".onnx")); err != nil {
		return "save", err.Error()
	}
	ins := map[string]*tensor.Tensor{}
	files, _ := filepath.Glob(filepath.Join(dir, "test_data_set_0", "input_*.pb"))
	sort.Strings(files)
	init := map[string]bool{}
	for _, it := range m.Graph.Initializers {
		init[it.Name] = true
	}
	var names []string
	for _, vi := range m.Graph.Inputs {
		if !init[vi.Name] {
			names = append(names, vi.Name)
		}
	}
	if len(files) != len(names) || len(names) == 0 {
		return "skip", "inputs"
	}
	for i, f := range files {
		tp, err := onnxpb.LoadTensorFile(f)
		if err != nil {
			return "skip", err.Error()
		}
		h, err := tp.ToHost()
		if err != nil {
			return "skip", err.Error()
		}
		ins[names[i]] = h
	}
	run := func(m *onnxpb.Model) (map[string]*tensor.Tensor, error) {
		ins := ins
		if noKeep && m == cm {
			ins = halfInputs(ins)
		}
		b, err := onnxpb.Encode(m)
		if err != nil {
			return nil, err
		}
		s, err := ort.NewSession(b, ort.WithIntraOpThreads(1))
		if err != nil {
			return nil, err
		}
		defer s.Close()
		return s.Run(ins)
	}
	want, err := run(m)
	if err != nil {
		return "skip", "original: " + err.Error()
	}
	got, err := run(cm)
	if err != nil {
		return "ort", err.Error()
	}
	worst := ""
	exact := true
	for k, w := range want {
		g := got[k]
		if g == nil {
			return "ort", "missing output " + k
		}
		if noKeep && w.Type == tensor.Float && g.Type == tensor.Half {
			// converted output
		} else if g.Type != w.Type {
			return "type", fmt.Sprintf("output %s: %v, want %v", k, g.Type, w.Type)
		}
		d := compare(g, w, 1e-2, 1e-3)
		if d.maxAbs != 0 || w.Type != tensor.Float {
			exact = false
		}
		if d.fail > 0 {
			worst += fmt.Sprintf("%s: %d/%d outside, max abs %.3g rel %.3g; ", k, d.fail, d.n, d.maxAbs, d.maxRel)
		}
	}
	if worst != "" {
		return "diff", worst
	}
	if exact && os.Getenv("GOTRT_FP16_SWEEP_EXACT") != "" {
		return "exact", ""
	}
	return "ok", ""
}

// halfInputs converts FLOAT inputs to FLOAT16.
func halfInputs(in map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for k, v := range in {
		if v.Type != tensor.Float {
			out[k] = v
			continue
		}
		h, _ := tensor.New(v.Name, tensor.Half, v.Dims)
		d := h.Data.([]float16.Float16)
		for i, x := range v.Data.([]float32) {
			d[i] = float16.Fromfloat32(x)
		}
		out[k] = h
	}
	return out
}
