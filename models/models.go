// Package models builds ONNX models of the kinds gotrt's users bring, in Go,
// with seeded random weights: a YOLO/SSD-like CNN detector, a conv +
// transformer text recognizer, an MLP classifier and a recurrent speech
// model. They are written the way torch.onnx.export writes such networks
// (node names like "/backbone/stem/conv/Conv", LayerNorm, GELU and
// HardSwish decomposed into primitive ops, shape subgraphs for dynamic
// dims, opsets 13 to 17), so that tests and benchmarks exercise the
// patterns real models have without committing model files.
//
// Weights use He initialization before ReLU-like activations and Xavier
// (or PyTorch's defaults) elsewhere, so activations stay of order one and
// FP32 comparisons at atol 1e-4 / rtol 1e-3 are meaningful.
//
// Every builder returns a *onnxpb.Model; Encode gives its bytes (for ONNX
// Runtime, or for a file), and RandomInputs makes matching inputs.
package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// Encode serializes m (onnxpb.Encode).
func Encode(m *onnxpb.Model) ([]byte, error) { return onnxpb.Encode(m) }

// RandomInputs makes a float input tensor for every graph input of m,
// with values from N(0, 1) drawn from seed. Dims come from shapes where given
// (by input name), else from the model; a symbolic dim without a size in
// shapes is an error.
func RandomInputs(m *onnxpb.Model, shapes map[string][]int, seed uint64) (map[string]*tensor.Tensor, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("models: model has no graph")
	}
	inits := map[string]bool{}
	for _, t := range m.Graph.Initializers {
		inits[t.Name] = true
	}
	rng := rand.New(rand.NewPCG(seed, 0x5851f42d4c957f2d))
	out := map[string]*tensor.Tensor{}
	for _, in := range m.Graph.Inputs {
		if inits[in.Name] {
			continue
		}
		if in.ElemType != onnxpb.ElemFloat {
			return nil, fmt.Errorf("models: input %q has type %v; only FLOAT inputs are generated", in.Name, in.ElemType)
		}
		dims, ok := shapes[in.Name]
		if !ok {
			for i, d := range in.Shape {
				if !d.Known {
					return nil, fmt.Errorf("models: input %q: dim %d (%q) is dynamic; give its size", in.Name, i, d.Param)
				}
				dims = append(dims, int(d.Value))
			}
		} else if len(dims) != len(in.Shape) {
			return nil, fmt.Errorf("models: input %q has rank %d, shape %v given", in.Name, len(in.Shape), dims)
		}
		h, err := tensor.New(in.Name, tensor.Float, dims)
		if err != nil {
			return nil, fmt.Errorf("models: input %q: %w", in.Name, err)
		}
		v := h.Data.([]float32)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		out[in.Name] = h
	}
	return out, nil
}
