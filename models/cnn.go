package models

import (
	"fmt"
	"math"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// CNNOptions configures CNNDetector. Zero fields take the defaults noted.
type CNNOptions struct {
	// Batch, Height and Width are the input size (default 1x3x128x128).
	// Height and Width must be multiples of 32 (the deepest stride).
	Batch, Height, Width int
	// Dynamic makes the batch, height and width dims symbolic ("batch",
	// "height", "width"); give sizes with onnx.Options.InputShapes.
	Dynamic bool
	// Channels is the stem's channel count (default 16); stages have
	// 2x, 4x, 8x, 8x that.
	Channels int
	// Classes (default 8) and Anchors per cell (default 3) size the heads.
	Classes, Anchors int
	// Opset is the default-domain opset (13 to 17; default 13).
	Opset int
	// Seed seeds the weights.
	Seed uint64
}

func (o *CNNOptions) defaults() error {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&o.Batch, 1)
	def(&o.Height, 128)
	def(&o.Width, 128)
	def(&o.Channels, 16)
	def(&o.Classes, 8)
	def(&o.Anchors, 3)
	def(&o.Opset, 13)
	if err := checkPositive("CNNDetector sizes", o.Batch, o.Height, o.Width, o.Channels, o.Classes, o.Anchors); err != nil {
		return err
	}
	if o.Height%32 != 0 || o.Width%32 != 0 {
		return fmt.Errorf("models: CNNDetector height and width must be multiples of 32, got %dx%d", o.Height, o.Width)
	}
	if o.Opset < 13 || o.Opset > 17 {
		return fmt.Errorf("models: CNNDetector opset must be 13..17, got %d", o.Opset)
	}
	return nil
}

// CNNDetector builds a small single-stage detector in the style of
// YOLO/SSD-lite models exported from PyTorch:
//
//   - backbone: Conv+BatchNormalization+Relu stem (stride 2), then stages of
//     depthwise 3x3 (or 5x5) and pointwise 1x1 convolutions, each followed by
//     BatchNormalization and HardSwish written as x*Clip(x+3,0,6)/6
//     (Add/Clip/Mul/Div), squeeze-and-excitation blocks
//     (GlobalAveragePool/Conv/Relu/Conv/HardSigmoid as Add/Clip/Div/Mul),
//     and MaxPool, down to stride 32;
//   - neck: an FPN-like top-down path with 1x1 lateral convs, a nearest
//     Resize by scales (stride 32 to 16), a linear Resize to the lateral's
//     size computed from Shape/Slice/Concat (stride 16 to 8), 3x3 smoothing,
//     and a ConvTranspose upsampler to stride 4 whose output is concatenated
//     with the stride-4 backbone feature;
//   - heads on strides 4, 8 and 16: 1x1 convs reshaped and transposed to
//     [N, anchors*cells, k], concatenated over levels: outputs "boxes"
//     [N, A, 4] and "scores" [N, A, classes] (Sigmoid).
//
// Input "images" [N, 3, H, W].
func CNNDetector(opt CNNOptions) (*onnxpb.Model, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	b := newBuilder("main_graph", opt.Opset, opt.Seed)
	C := opt.Channels
	x := b.input("images", dimOf(opt.Batch, opt.Dynamic, "batch"), dim{size: 3},
		dimOf(opt.Height, opt.Dynamic, "height"), dimOf(opt.Width, opt.Dynamic, "width"))

	// Stem: stride 2.
	x = b.conv("/backbone/stem/conv", "backbone.stem.conv", x, convSpec{cin: 3, cout: C, kh: 3, kw: 3, stride: 2, padH: 1, padW: 1})
	x = b.batchNorm("/backbone/stem/bn", "backbone.stem.bn", x, C)
	x = b.relu("/backbone/stem/act", x)

	// dwBlock: depthwise kxk (stride s) + BN + HardSwish, pointwise + BN + HardSwish.
	dwBlock := func(name string, x string, cin, cout, k, s int) string {
		sc, pr := "/backbone/"+name, "backbone."+name
		x = b.conv(sc+"/dw/conv", pr+".dw.conv", x, convSpec{cin: cin, cout: cin, kh: k, kw: k, stride: s, padH: k / 2, padW: k / 2, group: cin})
		x = b.batchNorm(sc+"/dw/bn", pr+".dw.bn", x, cin)
		x = b.hardSwish(sc+"/dw/act", x)
		x = b.conv(sc+"/pw/conv", pr+".pw.conv", x, convSpec{cin: cin, cout: cout, kh: 1, kw: 1})
		x = b.batchNorm(sc+"/pw/bn", pr+".pw.bn", x, cout)
		return b.hardSwish(sc+"/pw/act", x)
	}
	// se: squeeze-and-excitation with HardSigmoid gating.
	se := func(name string, x string, c int) string {
		sc, pr := "/backbone/"+name+"/se", "backbone."+name+".se"
		p := b.op1(sc+"/avgpool", "GlobalAveragePool", []string{x})
		p = b.conv(sc+"/fc1", pr+".fc1", p, convSpec{cin: c, cout: c / 4, kh: 1, kw: 1, bias: true})
		p = b.relu(sc+"/relu", p)
		p = b.conv(sc+"/fc2", pr+".fc2", p, convSpec{cin: c / 4, cout: c, kh: 1, kw: 1, bias: true, gainSq: 1})
		p = b.hardSigmoid(sc+"/gate", p)
		return b.op1(sc, "Mul", []string{x, p})
	}

	// Stage 1: stride 4.
	x = dwBlock("layer1", x, C, 2*C, 3, 1)
	c2 := b.op1("/backbone/layer1/pool", "MaxPool", []string{x},
		attrInt("ceil_mode", 0), attrInts("kernel_shape", 2, 2), attrInts("pads", 0, 0, 0, 0), attrInts("strides", 2, 2))
	// Stage 2: stride 8.
	x = dwBlock("layer2", c2, 2*C, 4*C, 3, 2)
	c3 := se("layer2", x, 4*C)
	// Stage 3: stride 16.
	c4 := dwBlock("layer3", c3, 4*C, 8*C, 3, 2)
	// Stage 4: stride 32.
	x = b.op1("/backbone/layer4/pool", "MaxPool", []string{c4},
		attrInt("ceil_mode", 0), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1), attrInts("strides", 2, 2))
	x = dwBlock("layer4", x, 8*C, 8*C, 5, 1)
	c5 := se("layer4", x, 8*C)

	// Neck.
	F := 4 * C
	lat := func(name, x string, cin int) string {
		return b.conv("/neck/"+name, "neck."+name, x, convSpec{cin: cin, cout: F, kh: 1, kw: 1, bias: true, gainSq: 1})
	}
	p5 := lat("lateral5", c5, 8*C)
	// Nearest x2 by scales, as F.interpolate(scale_factor=2) exports.
	scales := b.constTensor("/neck/up5", &onnxpb.Tensor{DataType: onnxpb.ElemFloat, Dims: []int64{4}, FloatData: []float32{1, 1, 2, 2}})
	up5 := b.op1("/neck/up5", "Resize", []string{p5, "", scales},
		attrString("coordinate_transformation_mode", "asymmetric"), attrFloat("cubic_coeff_a", -0.75),
		attrString("mode", "nearest"), attrString("nearest_mode", "floor"))
	p4 := b.op1("/neck", "Add", []string{lat("lateral4", c4, 8*C), up5})
	p4 = b.op1("/neck", "Mul", []string{p4, b.constF("/neck", float32(1/math.Sqrt2))})

	// Linear resize to the lateral's spatial size, as
	// F.interpolate(p4, size=l3.shape[-2:], mode="bilinear") exports:
	// sizes = Concat(Shape(p4)[:2], Shape(l3)[2:]).
	l3 := lat("lateral3", c3, 4*C)
	sh4 := b.op1("/neck/up4", "Shape", []string{p4})
	nc := b.op1("/neck/up4", "Slice", []string{sh4, b.constI("/neck/up4", 0), b.constI("/neck/up4", 2), b.constI("/neck/up4", 0)})
	sh3 := b.op1("/neck/up4", "Shape", []string{l3})
	hw := b.op1("/neck/up4", "Slice", []string{sh3, b.constI("/neck/up4", 2), b.constI("/neck/up4", 4), b.constI("/neck/up4", 0)})
	sizes := b.op1("/neck/up4", "Concat", []string{nc, hw}, attrInt("axis", 0))
	up4 := b.op1("/neck/up4", "Resize", []string{p4, "", "", sizes},
		attrString("coordinate_transformation_mode", "pytorch_half_pixel"), attrFloat("cubic_coeff_a", -0.75),
		attrString("mode", "linear"), attrString("nearest_mode", "floor"))
	p3 := b.op1("/neck", "Add", []string{l3, up4})
	p3 = b.conv("/neck/smooth3/conv", "neck.smooth3.conv", p3, convSpec{cin: F, cout: F, kh: 3, kw: 3, padH: 1, padW: 1, bias: true})
	p3 = b.relu("/neck/smooth3/act", p3)

	// ConvTranspose x2 to stride 4, concatenated with the backbone's stride-4 feature.
	wT := b.normal("neck.deconv.weight", []int64{int64(F), int64(F / 2), 2, 2}, 0, math.Sqrt(2/float64(F)))
	bT := b.uniform("neck.deconv.bias", []int64{int64(F / 2)}, -0.05, 0.05)
	p2 := b.op1("/neck/deconv", "ConvTranspose", []string{p3, wT, bT},
		attrInts("dilations", 1, 1), attrInt("group", 1), attrInts("kernel_shape", 2, 2),
		attrInts("pads", 0, 0, 0, 0), attrInts("strides", 2, 2))
	p2 = b.relu("/neck/deconv/act", p2)
	p2 = b.op1("/neck/cat", "Concat", []string{p2, c2}, attrInt("axis", 1))
	p2 = b.conv("/neck/fuse/conv", "neck.fuse.conv", p2, convSpec{cin: F/2 + 2*C, cout: F / 2, kh: 3, kw: 3, padH: 1, padW: 1})
	p2 = b.batchNorm("/neck/fuse/bn", "neck.fuse.bn", p2, F/2)
	p2 = b.hardSwish("/neck/fuse/act", p2)

	// Heads.
	A, K := opt.Anchors, opt.Classes
	var boxes, scores []string
	head := func(level int, x string, cin int) {
		sc, pr := fmt.Sprintf("/head/%d", level), fmt.Sprintf("head.%d", level)
		t := b.conv(sc+"/stem/conv", pr+".stem.conv", x, convSpec{cin: cin, cout: cin, kh: 3, kw: 3, padH: 1, padW: 1, group: cin})
		t = b.hardSwish(sc+"/stem/act", t)
		out := func(kind string, k int) string {
			y := b.conv(sc+"/"+kind+"/conv", pr+"."+kind+".conv", t, convSpec{cin: cin, cout: A * k, kh: 1, kw: 1, bias: true, gainSq: 1})
			y = b.reshape(sc+"/"+kind, y, 0, int64(A), int64(k), -1)
			y = b.transpose(sc+"/"+kind, y, 0, 1, 3, 2)
			return b.reshape(sc+"/"+kind, y, 0, -1, int64(k))
		}
		boxes = append(boxes, out("box", 4))
		scores = append(scores, out("cls", K))
	}
	head(0, p2, F/2)
	head(1, p3, F)
	head(2, p4, F)
	bx := b.op1("/head", "Concat", boxes, attrInt("axis", 1))
	sc := b.op1("/head", "Concat", scores, attrInt("axis", 1))
	sc = b.op1("/head", "Sigmoid", []string{sc})
	b.output(bx, "boxes")
	b.output(sc, "scores")
	return b.model(), nil
}
