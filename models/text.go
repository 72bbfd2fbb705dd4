package models

import (
	"fmt"
	"math"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// TextOptions configures TextRecognizer. Zero fields take the defaults noted.
type TextOptions struct {
	// Batch and Width are the input size (default 1x1x32x128); the height
	// is fixed at 32. Width must be a multiple of 4; the sequence length is
	// Width/4.
	Batch, Width int
	// Dynamic makes the batch and width dims symbolic ("batch", "width").
	Dynamic bool
	// Channels of the first conv (default 16; then 2x and 4x).
	Channels int
	// DModel (default 64), Heads (default 4), FF (default 4*DModel) and
	// Layers (default 2) shape the transformer encoder.
	DModel, Heads, FF, Layers int
	// Classes is the CTC alphabet size including the blank (default 37).
	Classes int
	// MaxLen is the length of the positional table (default 256); the
	// sequence (Width/4) must not exceed it.
	MaxLen int
	// Opset is the default-domain opset (13 to 17; default 17).
	Opset int
	// Seed seeds the weights.
	Seed uint64
}

func (o *TextOptions) defaults() error {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&o.Batch, 1)
	def(&o.Width, 128)
	def(&o.Channels, 16)
	def(&o.DModel, 64)
	def(&o.Heads, 4)
	def(&o.FF, 4*o.DModel)
	def(&o.Layers, 2)
	def(&o.Classes, 37)
	def(&o.MaxLen, 256)
	def(&o.Opset, 17)
	if err := checkPositive("TextRecognizer sizes", o.Batch, o.Width, o.Channels, o.DModel, o.Heads, o.FF, o.Layers, o.Classes, o.MaxLen); err != nil {
		return err
	}
	if o.Width%4 != 0 {
		return fmt.Errorf("models: TextRecognizer width must be a multiple of 4, got %d", o.Width)
	}
	if !o.Dynamic && o.Width/4 > o.MaxLen {
		return fmt.Errorf("models: TextRecognizer sequence %d exceeds MaxLen %d", o.Width/4, o.MaxLen)
	}
	if o.DModel%o.Heads != 0 {
		return fmt.Errorf("models: TextRecognizer DModel %d is not a multiple of Heads %d", o.DModel, o.Heads)
	}
	if o.Opset < 13 || o.Opset > 17 {
		return fmt.Errorf("models: TextRecognizer opset must be 13..17, got %d", o.Opset)
	}
	return nil
}

// TextRecognizer builds a CRNN/ViTSTR-like scene-text recognizer:
//
//   - CNN: Conv+Relu+MaxPool x2, Conv+BatchNormalization+Relu+MaxPool(2x1),
//     taking [N,1,32,W] to [N,4C,4,W/4];
//   - Reshape/Transpose to a sequence [N, W/4, 16C], a linear projection
//     (MatMul+Add) to DModel, and a learned positional table sliced to the
//     sequence length with Shape/Gather/Unsqueeze/Slice;
//   - Layers pre-norm transformer encoder blocks: LayerNorm decomposed into
//     ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add, multi-head
//     self-attention (MatMul projections, Reshape/Transpose to heads,
//     MatMul, Div by sqrt(d_head), Softmax, MatMul, Transpose/Reshape back,
//     output projection), GELU written with Erf, residual Adds;
//   - final LayerNorm, a linear classifier, LogSoftmax, and a Transpose to
//     the CTC layout: output "logits" [W/4, N, Classes].
//
// Input "image" [N, 1, 32, W].
func TextRecognizer(opt TextOptions) (*onnxpb.Model, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	b := newBuilder("main_graph", opt.Opset, opt.Seed)
	C, D, H := opt.Channels, opt.DModel, opt.Heads
	dh := D / H
	x := b.input("image", dimOf(opt.Batch, opt.Dynamic, "batch"), dim{size: 1}, dim{size: 32}, dimOf(opt.Width, opt.Dynamic, "width"))

	pool := func(scope, x string, kh, kw int) string {
		return b.op1(scope, "MaxPool", []string{x}, attrInt("ceil_mode", 0), attrInts("kernel_shape", int64(kh), int64(kw)),
			attrInts("pads", 0, 0, 0, 0), attrInts("strides", int64(kh), int64(kw)))
	}
	x = b.conv("/cnn/conv1", "cnn.conv1", x, convSpec{cin: 1, cout: C, kh: 3, kw: 3, padH: 1, padW: 1, bias: true})
	x = b.relu("/cnn/relu1", x)
	x = pool("/cnn/pool1", x, 2, 2) // 16 x W/2
	x = b.conv("/cnn/conv2", "cnn.conv2", x, convSpec{cin: C, cout: 2 * C, kh: 3, kw: 3, padH: 1, padW: 1, bias: true})
	x = b.relu("/cnn/relu2", x)
	x = pool("/cnn/pool2", x, 2, 2) // 8 x W/4
	x = b.conv("/cnn/conv3", "cnn.conv3", x, convSpec{cin: 2 * C, cout: 4 * C, kh: 3, kw: 3, padH: 1, padW: 1})
	x = b.batchNorm("/cnn/bn3", "cnn.bn3", x, 4*C)
	x = b.relu("/cnn/relu3", x)
	x = pool("/cnn/pool3", x, 2, 1) // 4 x W/4

	// To a sequence: [N, 4C, 4, T] -> [N, 16C, T] -> [N, T, 16C].
	x = b.reshape("/seq", x, 0, int64(16*C), -1)
	x = b.transpose("/seq", x, 0, 2, 1)
	x = b.linear("/proj", "proj", x, 16*C, D, 1)

	// Positional table sliced to T = Shape(x)[1].
	pos := b.normal("pos_embed", []int64{int64(opt.MaxLen), int64(D)}, 0, 0.1)
	sh := b.op1("/pos", "Shape", []string{x})
	t := b.op1("/pos", "Gather", []string{sh, b.constIScalar("/pos", 1)}, attrInt("axis", 0))
	t = b.unsqueeze("/pos", t, 0)
	pe := b.op1("/pos", "Slice", []string{pos, b.constI("/pos", 0), t, b.constI("/pos", 0)})
	x = b.op1("/pos", "Add", []string{x, pe})

	for l := 0; l < opt.Layers; l++ {
		sc := fmt.Sprintf("/encoder/layers.%d", l)
		pr := fmt.Sprintf("encoder.layers.%d", l)
		// Self-attention.
		y := b.layerNorm(sc+"/norm1", pr+".norm1", x, D)
		heads := func(name string, perm ...int64) string {
			p := b.linear(sc+"/self_attn/"+name, pr+".self_attn."+name, y, D, D, 1)
			p = b.reshape(sc+"/self_attn/"+name, p, 0, 0, int64(H), int64(dh))
			return b.transpose(sc+"/self_attn/"+name, p, perm...)
		}
		q := heads("q_proj", 0, 2, 1, 3) // [N, H, T, dh]
		k := heads("k_proj", 0, 2, 3, 1) // [N, H, dh, T]
		v := heads("v_proj", 0, 2, 1, 3) // [N, H, T, dh]
		s := b.op1(sc+"/self_attn", "MatMul", []string{q, k})
		s = b.op1(sc+"/self_attn", "Div", []string{s, b.constF(sc+"/self_attn", float32(math.Sqrt(float64(dh))))})
		s = b.op1(sc+"/self_attn", "Softmax", []string{s}, attrInt("axis", -1))
		a := b.op1(sc+"/self_attn", "MatMul", []string{s, v})
		a = b.transpose(sc+"/self_attn", a, 0, 2, 1, 3)
		a = b.reshape(sc+"/self_attn", a, 0, 0, int64(D))
		a = b.linear(sc+"/self_attn/out_proj", pr+".self_attn.out_proj", a, D, D, 1)
		x = b.op1(sc, "Add", []string{x, a})
		// Feed-forward.
		y = b.layerNorm(sc+"/norm2", pr+".norm2", x, D)
		y = b.linear(sc+"/linear1", pr+".linear1", y, D, opt.FF, 2)
		y = b.gelu(sc+"/activation", y)
		y = b.linear(sc+"/linear2", pr+".linear2", y, opt.FF, D, 1)
		x = b.op1(sc, "Add", []string{x, y})
	}
	x = b.layerNorm("/encoder/norm", "encoder.norm", x, D)
	x = b.linear("/classifier", "classifier", x, D, opt.Classes, 1)
	x = b.op1("", "LogSoftmax", []string{x}, attrInt("axis", -1))
	x = b.transpose("", x, 1, 0, 2)
	b.output(x, "logits")
	return b.model(), nil
}
