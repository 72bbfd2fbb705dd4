package models

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
	"github.com/stretchr/testify/require"
)

// Each model is checked in FP32 on the CPU backend against ONNX Runtime at
// atol 1e-4 / rtol 1e-3 (Polygraphy's elementwise rule), static and with
// dynamic dims built at two sizes. Sizes are small so the whole file runs
// in well under a minute on two cores.

type modelCase struct {
	name   string
	build  func() (*onnxpb.Model, error)
	shapes []map[string][]int // one engine per entry; nil entry: the model's static dims
	ops    []string           // op types the model must contain
}

func modelCases() []modelCase {
	return []modelCase{
		{
			name: "CNNDetector/static",
			build: func() (*onnxpb.Model, error) {
				return CNNDetector(CNNOptions{Height: 96, Width: 128, Channels: 16, Seed: 1})
			},
			shapes: []map[string][]int{nil},
			ops: []string{"Conv", "BatchNormalization", "Relu", "Add", "Clip", "Mul", "Div", "MaxPool", "GlobalAveragePool",
				"Resize", "Shape", "Slice", "Concat", "ConvTranspose", "Reshape", "Transpose", "Sigmoid", "Constant"},
		},
		{
			name: "CNNDetector/dynamic-batch-height-width",
			build: func() (*onnxpb.Model, error) {
				return CNNDetector(CNNOptions{Dynamic: true, Channels: 8, Opset: 17, Seed: 2})
			},
			shapes: []map[string][]int{
				{"images": {1, 3, 64, 64}},
				{"images": {3, 3, 64, 96}},
			},
		},
		{
			name: "TextRecognizer/static",
			build: func() (*onnxpb.Model, error) {
				return TextRecognizer(TextOptions{Width: 128, Channels: 16, DModel: 64, Heads: 4, Seed: 3})
			},
			shapes: []map[string][]int{nil},
			ops: []string{"Conv", "Relu", "MaxPool", "BatchNormalization", "Reshape", "Transpose", "MatMul", "Add",
				"Shape", "Gather", "Unsqueeze", "Slice", "ReduceMean", "Sub", "Pow", "Sqrt", "Div", "Mul",
				"Softmax", "Erf", "LogSoftmax"},
		},
		{
			name: "TextRecognizer/dynamic-batch-width",
			build: func() (*onnxpb.Model, error) {
				return TextRecognizer(TextOptions{Dynamic: true, Channels: 8, DModel: 32, Heads: 2, Opset: 13, Seed: 4})
			},
			shapes: []map[string][]int{
				{"image": {1, 1, 32, 64}},
				{"image": {3, 1, 32, 96}},
			},
		},
		{
			name:   "MLPClassifier/static",
			build:  func() (*onnxpb.Model, error) { return MLPClassifier(MLPOptions{Batch: 2, Seed: 5}) },
			shapes: []map[string][]int{nil},
			ops:    []string{"Gemm", "Relu", "Dropout", "Softmax"},
		},
		{
			name:  "MLPClassifier/dynamic-batch",
			build: func() (*onnxpb.Model, error) { return MLPClassifier(MLPOptions{Dynamic: true, Opset: 17, Seed: 6}) },
			shapes: []map[string][]int{
				{"features": {1, 64}},
				{"features": {3, 64}},
			},
		},
		{
			name:   "SpeechLSTM/static",
			build:  func() (*onnxpb.Model, error) { return SpeechLSTM(SpeechOptions{Seq: 20, Batch: 2, Seed: 7}) },
			shapes: []map[string][]int{nil},
			ops:    []string{"LSTM", "GRU", "Transpose", "Reshape", "Squeeze", "MatMul", "Add", "Gemm", "LogSoftmax"},
		},
		{
			name:  "SpeechLSTM/dynamic-seq-batch",
			build: func() (*onnxpb.Model, error) { return SpeechLSTM(SpeechOptions{Dynamic: true, Opset: 17, Seed: 8}) },
			shapes: []map[string][]int{
				{"features": {16, 1, 40}},
				{"features": {27, 3, 40}},
			},
		},
	}
}

func TestModelsMatchONNXRuntime(t *testing.T) {
	requireORT(t)
	for _, tc := range modelCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.build()
			require.NoError(t, err)
			ops := opTypes(m)
			for _, op := range tc.ops {
				require.Contains(t, ops, op, "model lacks %s", op)
			}
			t.Logf("%d nodes: %s", len(m.Graph.Nodes), sortedOps(m))
			raw, dm := encodeDecode(t, m)
			sess := newORT(t, raw)
			for i, shapes := range tc.shapes {
				checkAgainstORT(t, raw, dm, sess, shapes, uint64(100+i))
			}
		})
	}
}

// TestModelsDeterministic: the same options give the same bytes; another
// seed gives other weights.
func TestModelsDeterministic(t *testing.T) {
	for _, tc := range modelCases() {
		m1, err := tc.build()
		require.NoError(t, err)
		m2, err := tc.build()
		require.NoError(t, err)
		b1, err := Encode(m1)
		require.NoError(t, err)
		b2, err := Encode(m2)
		require.NoError(t, err)
		require.True(t, bytes.Equal(b1, b2), tc.name)
	}
	a, err := MLPClassifier(MLPOptions{Seed: 1})
	require.NoError(t, err)
	b, err := MLPClassifier(MLPOptions{Seed: 2})
	require.NoError(t, err)
	ab, _ := Encode(a)
	bb, _ := Encode(b)
	require.False(t, bytes.Equal(ab, bb))
}

// TestNodeNames: names follow PyTorch's exporter and are unique.
func TestNodeNames(t *testing.T) {
	for _, tc := range modelCases() {
		m, err := tc.build()
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, n := range m.Graph.Nodes {
			require.NotEmpty(t, n.Name)
			require.Equal(t, byte('/'), n.Name[0], n.Name)
			require.False(t, seen[n.Name], "duplicate node name %s in %s", n.Name, tc.name)
			seen[n.Name] = true
		}
	}
	m, err := CNNDetector(CNNOptions{})
	require.NoError(t, err)
	names := map[string]string{}
	for _, n := range m.Graph.Nodes {
		names[n.Name] = n.OpType
	}
	require.Equal(t, "Conv", names["/backbone/stem/conv/Conv"])
	require.Equal(t, "BatchNormalization", names["/backbone/stem/bn/BatchNormalization"])
	require.Equal(t, "ConvTranspose", names["/neck/deconv/ConvTranspose"])
	require.Equal(t, "Resize", names["/neck/up4/Resize"])
}

func TestOptionErrors(t *testing.T) {
	_, err := CNNDetector(CNNOptions{Height: 100})
	require.Error(t, err)
	_, err = CNNDetector(CNNOptions{Opset: 11})
	require.Error(t, err)
	_, err = TextRecognizer(TextOptions{DModel: 30, Heads: 4})
	require.Error(t, err)
	_, err = TextRecognizer(TextOptions{Width: 66})
	require.Error(t, err)
	_, err = MLPClassifier(MLPOptions{Hidden: []int{0}})
	require.Error(t, err)
	_, err = SpeechLSTM(SpeechOptions{Opset: 13})
	require.Error(t, err)
	m, err := MLPClassifier(MLPOptions{Dynamic: true})
	require.NoError(t, err)
	_, err = RandomInputs(m, nil, 1)
	require.ErrorContains(t, err, "dynamic")
}

// TestGotrtRunONNXRT runs every model through the library behind
// `gotrt run MODEL --onnxrt --atol 1e-4 --rtol 1e-3 --validate` (its own
// input generator, uniform [0, 1) inputs), with the dynamic models at both
// sizes given as --input-shapes.
func TestGotrtRunONNXRT(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	for i, tc := range modelCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.build()
			require.NoError(t, err)
			path := filepath.Join(dir, fmt.Sprintf("model%d.onnx", i))
			require.NoError(t, onnxpb.SaveFile(m, path))
			for _, shapes := range tc.shapes {
				rep, err := runner.Run(context.Background(), runner.Options{
					Model:       path,
					InputShapes: shapes,
					ONNXRuntime: true,
					Compare:     fp32Tolerances(),
					Validate:    true,
				})
				require.NoError(t, err)
				require.True(t, rep.Passed, "shapes %v: %v", shapes, rep.Failures)
			}
		})
	}
}
