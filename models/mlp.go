package models

import (
	"fmt"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// MLPOptions configures MLPClassifier. Zero fields take the defaults noted.
type MLPOptions struct {
	// Batch is the input batch (default 1).
	Batch int
	// Dynamic makes the batch dim symbolic ("batch").
	Dynamic bool
	// Features (default 64), Hidden (default [256, 128]) and Classes
	// (default 10) size the layers.
	Features int
	Hidden   []int
	Classes  int
	// Opset is the default-domain opset (13 to 17; default 13).
	Opset int
	// Seed seeds the weights.
	Seed uint64
}

// MLPClassifier builds a tabular classifier as exported from PyTorch: for
// each hidden layer Gemm (transB=1) + Relu, with a Dropout (inference mode,
// an identity) after the first; then a Gemm to Classes and a Softmax.
// Input "features" [N, Features]; output "probabilities" [N, Classes].
func MLPClassifier(opt MLPOptions) (*onnxpb.Model, error) {
	if opt.Batch == 0 {
		opt.Batch = 1
	}
	if opt.Features == 0 {
		opt.Features = 64
	}
	if opt.Hidden == nil {
		opt.Hidden = []int{256, 128}
	}
	if opt.Classes == 0 {
		opt.Classes = 10
	}
	if opt.Opset == 0 {
		opt.Opset = 13
	}
	if err := checkPositive("MLPClassifier sizes", append([]int{opt.Batch, opt.Features, opt.Classes}, opt.Hidden...)...); err != nil {
		return nil, err
	}
	if opt.Opset < 13 || opt.Opset > 17 {
		return nil, fmt.Errorf("models: MLPClassifier opset must be 13..17, got %d", opt.Opset)
	}
	b := newBuilder("main_graph", opt.Opset, opt.Seed)
	x := b.input("features", dimOf(opt.Batch, opt.Dynamic, "batch"), dim{size: opt.Features})
	in := opt.Features
	for i, h := range opt.Hidden {
		sc, pr := fmt.Sprintf("/layers/layers.%d", 3*i), fmt.Sprintf("layers.%d", 3*i)
		x = b.gemm(sc, pr, x, in, h, 2)
		x = b.relu(fmt.Sprintf("/layers/layers.%d", 3*i+1), x)
		if i == 0 {
			// nn.Dropout(p=0.1) exported in eval mode with its ratio.
			ratio := b.constF(fmt.Sprintf("/layers/layers.%d", 3*i+2), 0.1)
			x = b.op1(fmt.Sprintf("/layers/layers.%d", 3*i+2), "Dropout", []string{x, ratio})
		}
		in = h
	}
	x = b.gemm("/head", "head", x, in, opt.Classes, 1)
	x = b.op1("", "Softmax", []string{x}, attrInt("axis", 1))
	b.output(x, "probabilities")
	return b.model(), nil
}
