package onnxpb

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// The ONNX backend test data that Debian's onnx packages install.
const onnxTestData = "/usr/include/onnx/backend/test/data"

// corpusModels returns the model.onnx files of the ONNX backend tests (node,
// pytorch-converted, pytorch-operator, simple), skipping the test when they
// are not installed.
func corpusModels(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(onnxTestData, "*", "*", "model.onnx"))
	if len(files) == 0 {
		t.Skipf("ONNX backend test data not found under %s", onnxTestData)
	}
	sort.Strings(files)
	return files
}

func nodeModel(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(onnxTestData, "node", name, "model.onnx")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("ONNX backend test data not found: %v", err)
	}
	return p
}

func testModel(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(onnxTestData, dir, name, "model.onnx")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("ONNX backend test data not found: %v", err)
	}
	return p
}
