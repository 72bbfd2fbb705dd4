package onnx

import (
	"math"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// Importers of the neural-network operators: convolutions, matrix products,
// normalizations, pooling and the softmax family. Every opset version's
// attributes are honoured (opsets 1 to 21); the node's main layer (the one a
// user pins to FP32) is the convolution, matrix multiply, normalization,
// pooling or softmax layer.

func init() {
	Register("Conv", importConv)
	Register("ConvTranspose", importConvTranspose)
	Register("MatMul", importMatMul)
	Register("Gemm", importGemm)
	Register("BatchNormalization", importBatchNorm)
	Register("InstanceNormalization", importInstanceNorm)
	Register("LayerNormalization", importLayerNorm)
	Register("GroupNormalization", importGroupNorm)
	Register("LRN", importLRN)
	Register("LpNormalization", importLpNorm)
	Register("MeanVarianceNormalization", importMVN)
	Register("MaxPool", importPool(trt.PoolingMax))
	Register("AveragePool", importPool(trt.PoolingAverage))
	Register("LpPool", importPool(trt.PoolingLp))
	Register("GlobalMaxPool", importGlobalPool(trt.PoolingMax))
	Register("GlobalAveragePool", importGlobalPool(trt.PoolingAverage))
	Register("GlobalLpPool", importGlobalPool(trt.PoolingLp))
	Register("Softmax", importSoftmax(trt.SoftmaxNormal))
	Register("LogSoftmax", importSoftmax(trt.SoftmaxLog))
	Register("Hardmax", importSoftmax(trt.SoftmaxHardmax))
}

// ---- helpers shared by the nn, reduce, rnn and resize importers ---------------

// nnAttrs reads a node's attributes and keeps the first error.
type nnAttrs struct {
	n   *onnxpb.Node
	err error
}

func nnAttr(c *Ctx) *nnAttrs { return &nnAttrs{n: c.Node} }

func (a *nnAttrs) keep(err error) {
	if a.err == nil && err != nil {
		a.err = err
	}
}

func (a *nnAttrs) has(name string) bool { return a.n.HasAttr(name) }

func (a *nnAttrs) int(name string, def int64) int64 {
	v, err := a.n.AttrInt(name, def)
	a.keep(err)
	return v
}

func (a *nnAttrs) float(name string, def float32) float32 {
	v, err := a.n.AttrFloat(name, def)
	a.keep(err)
	return v
}

func (a *nnAttrs) str(name, def string) string {
	v, err := a.n.AttrString(name, def)
	a.keep(err)
	return v
}

func (a *nnAttrs) ints(name string, def []int64) []int64 {
	v, err := a.n.AttrInts(name, def)
	a.keep(err)
	return v
}

func (a *nnAttrs) floats(name string, def []float32) []float32 {
	v, err := a.n.AttrFloats(name, def)
	a.keep(err)
	return v
}

func (a *nnAttrs) strs(name string, def []string) []string {
	v, err := a.n.AttrStrings(name, def)
	a.keep(err)
	return v
}

// bool reads an INT attribute that must be 0 or 1.
func (a *nnAttrs) bool(c *Ctx, name string, def bool) bool {
	d := int64(0)
	if def {
		d = 1
	}
	v := a.int(name, d)
	if v != 0 && v != 1 && a.err == nil {
		a.err = c.Errorf("attribute %s must be 0 or 1, got %d", name, v)
	}
	return v != 0
}

// nnIn returns input i, or nil when the node does not give it.
func nnIn(in []*trt.Tensor, i int) *trt.Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// nnWantsOutput reports whether the node names output i.
func nnWantsOutput(c *Ctx, i int) bool {
	return i < len(c.Node.Outputs) && c.Node.Outputs[i] != ""
}

func nnInts(v []int64) []int {
	if v == nil {
		return nil
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// nnRequire checks that the required inputs are present.
func nnRequire(c *Ctx, in []*trt.Tensor, names ...string) error {
	for i, n := range names {
		if nnIn(in, i) == nil {
			return c.Errorf("input %d (%s) is required", i, n)
		}
	}
	return nil
}

// nnEmpty reports whether an optional input is an empty tensor (ONNX's way
// of leaving out an input before the trailing ones).
func nnEmpty(t *trt.Tensor) bool {
	if t == nil {
		return true
	}
	for _, d := range t.Dimensions() {
		if d == 0 {
			return true
		}
	}
	return false
}

// nnElemType maps an ONNX element type attribute (e.g. stash_type) to an
// engine type.
func nnElemType(c *Ctx, attr string, v int64) (tensor.DataType, error) {
	switch onnxpb.ElemType(v) {
	case onnxpb.ElemFloat:
		return tensor.Float, nil
	case onnxpb.ElemFloat16:
		return tensor.Half, nil
	case onnxpb.ElemBFloat16:
		return tensor.BF16, nil
	case onnxpb.ElemDouble:
		return 0, c.Unsupported("%s=%d (DOUBLE: engines have no double precision)", attr, v)
	}
	return 0, c.Errorf("%s=%d is not a floating-point element type", attr, v)
}

// nnWindow is the sliding-window configuration of a convolution or pooling.
type nnWindow struct {
	strides, dilations, pre, post []int
	autoPad                       string
}

// nnReadWindow reads auto_pad, strides, dilations and pads for r spatial dims.
func nnReadWindow(c *Ctx, a *nnAttrs, r int) (nnWindow, error) {
	var w nnWindow
	switch ap := a.str("auto_pad", "NOTSET"); ap {
	case "NOTSET", "":
	case "SAME_UPPER", "SAME_LOWER", "VALID":
		w.autoPad = ap
	default:
		return w, c.Errorf("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got %q", ap)
	}
	vec := func(name string, n, min int) ([]int, error) {
		v := a.ints(name, nil)
		if v == nil {
			return nil, nil
		}
		if len(v) != n {
			return nil, c.Errorf("attribute %s %v has %d values, want %d for %d spatial dims", name, v, len(v), n, r)
		}
		for _, x := range v {
			if x < int64(min) {
				return nil, c.Errorf("attribute %s %v has a value below %d", name, v, min)
			}
		}
		return nnInts(v), nil
	}
	var err error
	if w.strides, err = vec("strides", r, 1); err != nil {
		return w, err
	}
	if w.dilations, err = vec("dilations", r, 1); err != nil {
		return w, err
	}
	pads, err := vec("pads", 2*r, 0)
	if err != nil {
		return w, err
	}
	if pads != nil && w.autoPad == "" {
		w.pre, w.post = pads[:r], pads[r:]
	}
	return w, a.err
}

// nnKernelDims checks the kernel_shape attribute against the spatial dims of
// the weights and returns the kernel dims.
func nnKernelDims(c *Ctx, a *nnAttrs, wd trt.Dims) ([]int, error) {
	r := len(wd) - 2
	kernel := append([]int{}, wd[2:]...)
	if ks := a.ints("kernel_shape", nil); ks != nil {
		if len(ks) != r {
			return nil, c.Errorf("kernel_shape %v has %d values for weights %v", ks, len(ks), wd)
		}
		for i, k := range ks {
			if kernel[i] >= 0 && int64(kernel[i]) != k {
				return nil, c.Errorf("kernel_shape %v does not match weights %v", ks, wd)
			}
		}
	}
	for _, k := range kernel {
		if k < 0 {
			return nil, c.Unsupported("weights %v: the kernel's spatial dims must be known at build time", wd)
		}
	}
	return kernel, a.err
}

func nnFloorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// ---- convolution ----------------------------------------------------------------

func importConv(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X", "W"); err != nil {
		return nil, err
	}
	x, w, b := in[0], in[1], nnIn(in, 2)
	a := nnAttr(c)
	wd := w.Dimensions()
	r := len(wd) - 2
	if r < 1 {
		return nil, c.Errorf("weights W %v must have rank >= 3", wd)
	}
	if xr := len(x.Dimensions()); xr != r+2 {
		return nil, c.Errorf("input X %v has rank %d, weights W %v need rank %d", x.Dimensions(), xr, wd, r+2)
	}
	kernel, err := nnKernelDims(c, a, wd)
	if err != nil {
		return nil, err
	}
	win, err := nnReadWindow(c, a, r)
	if err != nil {
		return nil, err
	}
	group := a.int("group", 1)
	if a.err != nil {
		return nil, a.err
	}
	if group < 1 {
		return nil, c.Errorf("group must be positive, got %d", group)
	}
	p := &trt.ConvolutionParams{
		NbOutputMaps: max(wd[0], 0), KernelSize: kernel, Strides: win.strides, Dilations: win.dilations,
		PrePadding: win.pre, PostPadding: win.post, AutoPad: win.autoPad, Groups: int(group),
	}
	return one(c.Main(c.Net().AddConvolutionTensors(x, w, b, p))), nil
}

func importConvTranspose(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X", "W"); err != nil {
		return nil, err
	}
	x, w, b := in[0], in[1], nnIn(in, 2)
	a := nnAttr(c)
	wd := w.Dimensions()
	r := len(wd) - 2
	if r < 1 {
		return nil, c.Errorf("weights W %v must have rank >= 3", wd)
	}
	xd := x.Dimensions()
	if len(xd) != r+2 {
		return nil, c.Errorf("input X %v has rank %d, weights W %v need rank %d", xd, len(xd), wd, r+2)
	}
	kernel, err := nnKernelDims(c, a, wd)
	if err != nil {
		return nil, err
	}
	win, err := nnReadWindow(c, a, r)
	if err != nil {
		return nil, err
	}
	group := a.int("group", 1)
	outPad := a.ints("output_padding", nil)
	outShape := a.ints("output_shape", nil)
	if a.err != nil {
		return nil, a.err
	}
	if group < 1 {
		return nil, c.Errorf("group must be positive, got %d", group)
	}
	if outPad != nil && len(outPad) != r {
		return nil, c.Errorf("output_padding %v has %d values, want %d", outPad, len(outPad), r)
	}
	for _, v := range outPad {
		if v < 0 {
			return nil, c.Errorf("output_padding %v has a negative value", outPad)
		}
	}
	if outShape != nil {
		// Some exporters give the full output shape [N, C, spatial...].
		if len(outShape) == r+2 {
			outShape = outShape[2:]
		}
		if len(outShape) != r {
			return nil, c.Errorf("output_shape %v has %d values, want %d", outShape, len(outShape), r)
		}
		for _, v := range outShape {
			if v < 0 {
				return nil, c.Errorf("output_shape %v has a negative value", outShape)
			}
		}
	}
	s, d := win.strides, win.dilations
	if s == nil {
		s = nnOnes(r)
	}
	if d == nil {
		d = nnOnes(r)
	}
	op := nnInts(outPad)
	if op == nil {
		op = make([]int, r)
	}
	p := &trt.ConvolutionParams{
		NbOutputMaps: max(wd[1], 0) * int(group), KernelSize: kernel, Strides: win.strides, Dilations: win.dilations,
		PrePadding: win.pre, PostPadding: win.post, Groups: int(group), OutputPadding: nnInts(outPad),
	}
	if wd[1] < 0 {
		p.NbOutputMaps = 0
	}
	same := win.autoPad == "SAME_UPPER" || win.autoPad == "SAME_LOWER"
	if outShape != nil || same {
		// The pads follow from the output size (ONNX ConvTranspose):
		// total = stride*(in-1) + output_padding + (k-1)*dilation + 1 - out,
		// split with the larger half at the end for SAME_UPPER, at the start
		// otherwise. A negative total grows the output at the end.
		spatialKnown := true
		for _, v := range xd[2:] {
			if v < 0 {
				spatialKnown = false
			}
		}
		if !spatialKnown {
			// Left to the layer: it resolves the pads at run time.
			p.OutputShape = nnInts(outShape)
			p.AutoPad = win.autoPad
			p.PrePadding, p.PostPadding = nil, nil
		} else {
			pre, post := make([]int, r), make([]int, r)
			for i := range r {
				out := xd[2+i] * s[i]
				if outShape != nil {
					out = int(outShape[i])
				}
				total := s[i]*(xd[2+i]-1) + op[i] + (kernel[i]-1)*d[i] + 1 - out
				if win.autoPad == "SAME_UPPER" {
					pre[i] = nnFloorDiv(total, 2)
					post[i] = total - pre[i]
				} else {
					post[i] = nnFloorDiv(total, 2)
					pre[i] = total - post[i]
				}
				if post[i] < 0 {
					op[i] -= post[i]
					post[i] = 0
				}
				if pre[i] < 0 {
					return nil, c.Unsupported("auto_pad=%s, output_shape %v: the output needs negative leading padding (total padding %d) on spatial axis %d", win.autoPad, outShape, total, i)
				}
			}
			p.PrePadding, p.PostPadding, p.OutputPadding = pre, post, op
		}
	}
	return one(c.Main(c.Net().AddDeconvolutionTensors(x, w, b, p))), nil
}

func nnOnes(n int) []int {
	v := make([]int, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// ---- matrix products -------------------------------------------------------------

func importMatMul(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "A", "B"); err != nil {
		return nil, err
	}
	return one(c.Main(c.Net().AddMatrixMultiply(in[0], trt.MatrixOpNone, in[1], trt.MatrixOpNone))), nil
}

// importGemm: Y = alpha * op(A) op(B) + beta * C, C broadcast to Y. The
// matrix multiply is the main layer; the scaling and the bias are
// element-wise layers after it.
func importGemm(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "A", "B"); err != nil {
		return nil, err
	}
	A, B, C := in[0], in[1], nnIn(in, 2)
	a := nnAttr(c)
	alpha := a.float("alpha", 1)
	beta := a.float("beta", 1)
	transA := a.bool(c, "transA", false)
	transB := a.bool(c, "transB", false)
	if c.Opset < 7 {
		// broadcast (opsets 1 to 6) only allows C to broadcast; numpy
		// broadcasting covers both settings.
		a.bool(c, "broadcast", false)
	}
	if a.err != nil {
		return nil, a.err
	}
	if C == nil && c.Opset < 11 {
		return nil, c.Errorf("input C is required before opset 11")
	}
	for i, t := range []*trt.Tensor{A, B} {
		if r := len(t.Dimensions()); r != 2 {
			return nil, c.Errorf("input %s must be 2-D, got %v", [...]string{"A", "B"}[i], t.Dimensions())
		}
	}
	if C != nil && len(C.Dimensions()) > 2 {
		return nil, c.Errorf("input C %v must have rank <= 2", C.Dimensions())
	}
	if !A.Type().IsFloat() && (alpha != float32(math.Trunc(float64(alpha))) || beta != float32(math.Trunc(float64(beta)))) {
		return nil, c.Unsupported("alpha=%v, beta=%v on %v inputs (only integral scaling of integer matrices)", alpha, beta, A.Type())
	}
	op := func(t bool) trt.MatrixOperation {
		if t {
			return trt.MatrixOpTranspose
		}
		return trt.MatrixOpNone
	}
	mm := c.Main(c.Net().AddMatrixMultiply(A, op(transA), B, op(transB)))
	y := mm.Output(0)
	if alpha != 1 {
		y = c.Net().AddElementWise(y, c.ConstScalar(y.Type(), float64(alpha)), trt.ElementWiseProd).Output(0)
	}
	if C != nil && beta != 0 {
		if beta != 1 {
			C = c.Net().AddElementWise(C, c.ConstScalar(C.Type(), float64(beta)), trt.ElementWiseProd).Output(0)
		}
		y = c.Net().AddElementWise(y, C, trt.ElementWiseSum).Output(0)
	}
	return []*trt.Tensor{y}, nil
}

// ---- normalizations ---------------------------------------------------------------

// nnNoTrainingOutputs rejects optional outputs from index first on (the
// training outputs of BatchNormalization).
func nnNoTrainingOutputs(c *Ctx, first int) error {
	for i := first; i < len(c.Node.Outputs); i++ {
		if c.Node.Outputs[i] != "" {
			return c.Unsupported("training mode (output %d %q: running or saved statistics)", i, c.Node.Outputs[i])
		}
	}
	return nil
}

func importBatchNorm(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X", "scale", "B", "mean", "var"); err != nil {
		return nil, err
	}
	x := in[0]
	a := nnAttr(c)
	eps := a.float("epsilon", 1e-5)
	a.float("momentum", 0.9)
	spatial := true
	if c.Opset < 9 {
		spatial = a.bool(c, "spatial", true)
	}
	if c.Opset < 7 {
		if !a.bool(c, "is_test", false) {
			return nil, c.Unsupported("is_test=0 (training mode: opsets before 7 normalize with batch statistics unless is_test=1)")
		}
	}
	if c.Opset >= 14 && a.bool(c, "training_mode", false) {
		return nil, c.Unsupported("training_mode=1")
	}
	if a.err != nil {
		return nil, a.err
	}
	if err := nnNoTrainingOutputs(c, 1); err != nil {
		return nil, err
	}
	xr := len(x.Dimensions())
	if !spatial && xr > 2 {
		// Per-activation statistics: the parameters are [C, D1, ...] and
		// broadcast over N.
		for i, t := range in[1:5] {
			if len(t.Dimensions()) != xr-1 {
				return nil, c.Errorf("spatial=0 needs parameters of shape [C, D1, ...] for input %v, input %d is %v", x.Dimensions(), i+1, t.Dimensions())
			}
		}
		scale, bias, mean, vr := in[1], in[2], in[3], in[4]
		net := c.Net()
		den := net.AddElementWise(vr, c.ConstScalar(vr.Type(), float64(eps)), trt.ElementWiseSum).Output(0)
		den = net.AddUnary(den, trt.UnarySqrt).Output(0)
		k := net.AddElementWise(scale, den, trt.ElementWiseDiv).Output(0)
		y := net.AddElementWise(x, mean, trt.ElementWiseSub).Output(0)
		y = net.AddElementWise(y, k, trt.ElementWiseProd).Output(0)
		return one(c.Main(net.AddElementWise(y, bias, trt.ElementWiseSum))), nil
	}
	p := &trt.NormalizationParams{Kind: trt.NormKindBatch, Epsilon: eps}
	return one(c.Main(c.Net().AddNormalization(p, in[:5]...))), nil
}

func importInstanceNorm(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "input", "scale", "B"); err != nil {
		return nil, err
	}
	a := nnAttr(c)
	eps := a.float("epsilon", 1e-5)
	if a.err != nil {
		return nil, a.err
	}
	p := &trt.NormalizationParams{Kind: trt.NormKindInstance, Epsilon: eps}
	return one(c.Main(c.Net().AddNormalization(p, in[:3]...))), nil
}

func importLayerNorm(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X", "Scale"); err != nil {
		return nil, err
	}
	x, scale, bias := in[0], in[1], nnIn(in, 2)
	a := nnAttr(c)
	axis := a.int("axis", -1)
	eps := a.float("epsilon", 1e-5)
	stashV := a.int("stash_type", int64(onnxpb.ElemFloat))
	if a.err != nil {
		return nil, a.err
	}
	stash, err := nnElemType(c, "stash_type", stashV)
	if err != nil {
		return nil, err
	}
	r := len(x.Dimensions())
	if axis < int64(-r) || axis >= int64(r) {
		return nil, c.Errorf("axis %d is out of range for input rank %d", axis, r)
	}
	if axis < 0 {
		axis += int64(r)
	}
	p := &trt.NormalizationParams{Kind: trt.NormKindLayer, Epsilon: eps, Axis: int(axis), StashType: stash}
	ins := []*trt.Tensor{x, scale}
	if bias != nil {
		ins = append(ins, bias)
	}
	y := c.Main(c.Net().AddNormalization(p, ins...)).Output(0)
	outs := []*trt.Tensor{y}
	if !nnWantsOutput(c, 1) && !nnWantsOutput(c, 2) {
		return outs, nil
	}
	// Mean and InvStdDev: the statistics over the normalized axes, in the
	// stash type, computed with reduce layers (the normalization layer has
	// one output).
	net := c.Net()
	xs := x
	if x.Type() != stash {
		xs = net.AddCast(x, stash).Output(0)
	}
	axes := make([]int, 0, r-int(axis))
	for i := int(axis); i < r; i++ {
		axes = append(axes, i)
	}
	mean := net.AddReduce(xs, trt.ReduceAvg, axes, true).Output(0)
	dev := net.AddElementWise(xs, mean, trt.ElementWiseSub).Output(0)
	vr := net.AddReduce(net.AddElementWise(dev, dev, trt.ElementWiseProd).Output(0), trt.ReduceAvg, axes, true).Output(0)
	vr = net.AddElementWise(vr, c.ConstScalar(stash, float64(eps)), trt.ElementWiseSum).Output(0)
	inv := net.AddUnary(net.AddUnary(vr, trt.UnarySqrt).Output(0), trt.UnaryRecip).Output(0)
	return append(outs, mean, inv), nil
}

func importGroupNorm(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X", "scale", "bias"); err != nil {
		return nil, err
	}
	a := nnAttr(c)
	eps := a.float("epsilon", 1e-5)
	if !a.has("num_groups") {
		return nil, c.Errorf("attribute num_groups is required")
	}
	groups := a.int("num_groups", 0)
	stash := tensor.Float
	if c.Opset >= 21 {
		v := a.int("stash_type", int64(onnxpb.ElemFloat))
		if a.err == nil {
			var err error
			if stash, err = nnElemType(c, "stash_type", v); err != nil {
				return nil, err
			}
		}
	}
	if a.err != nil {
		return nil, a.err
	}
	if groups < 1 {
		return nil, c.Errorf("num_groups must be positive, got %d", groups)
	}
	p := &trt.NormalizationParams{
		Kind: trt.NormKindGroup, Epsilon: eps, Groups: int(groups), StashType: stash,
		// Opset 18 has one scale and bias per group; opset 21 one per channel.
		GroupScalePerGroup: c.Opset < 21,
	}
	return one(c.Main(c.Net().AddNormalization(p, in[:3]...))), nil
}

func importLRN(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X"); err != nil {
		return nil, err
	}
	a := nnAttr(c)
	if !a.has("size") {
		return nil, c.Errorf("attribute size is required")
	}
	size := a.int("size", 0)
	alpha := a.float("alpha", 1e-4)
	beta := a.float("beta", 0.75)
	bias := a.float("bias", 1)
	if a.err != nil {
		return nil, a.err
	}
	if size < 1 {
		return nil, c.Errorf("size must be positive, got %d", size)
	}
	p := &trt.NormalizationParams{Kind: trt.NormKindLRN, Size: int(size), Alpha: alpha, Beta: beta, Bias: bias}
	return one(c.Main(c.Net().AddNormalization(p, in[0]))), nil
}

func importLpNorm(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "input"); err != nil {
		return nil, err
	}
	a := nnAttr(c)
	axis := a.int("axis", -1)
	pv := a.int("p", 2)
	if a.err != nil {
		return nil, a.err
	}
	if pv != 1 && pv != 2 {
		return nil, c.Errorf("p must be 1 or 2, got %d", pv)
	}
	r := len(in[0].Dimensions())
	if axis < int64(-r) || axis >= int64(r) {
		return nil, c.Errorf("axis %d is out of range for input rank %d", axis, r)
	}
	p := &trt.NormalizationParams{Kind: trt.NormKindLp, Axis: int(axis), P: int(pv)}
	return one(c.Main(c.Net().AddNormalization(p, in[0]))), nil
}

func importMVN(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := nnRequire(c, in, "X"); err != nil {
		return nil, err
	}
	x := in[0]
	r := len(x.Dimensions())
	a := nnAttr(c)
	var axes []int
	normVar := true
	if a.has("across_channels") || a.has("normalize_variance") {
		// The experimental version before opset 9: statistics per sample
		// (and per channel unless across_channels).
		across := a.bool(c, "across_channels", false)
		normVar = a.bool(c, "normalize_variance", true)
		first := 2
		if across {
			first = 1
		}
		for i := first; i < r; i++ {
			axes = append(axes, i)
		}
	} else {
		axes = nnInts(a.ints("axes", []int64{0, 2, 3}))
	}
	if a.err != nil {
		return nil, a.err
	}
	seen := make([]bool, r)
	for _, ax := range axes {
		if ax < -r || ax >= r {
			return nil, c.Errorf("axes %v are out of range for input rank %d", axes, r)
		}
		if ax < 0 {
			ax += r
		}
		if seen[ax] {
			return nil, c.Errorf("axes %v repeat axis %d", axes, ax)
		}
		seen[ax] = true
	}
	if !normVar {
		mean := c.Net().AddReduce(x, trt.ReduceAvg, axes, true).Output(0)
		return one(c.Main(c.Net().AddElementWise(x, mean, trt.ElementWiseSub))), nil
	}
	if axes == nil {
		axes = []int{} // no axes given in the legacy form: nothing to normalize over
	}
	p := &trt.NormalizationParams{Kind: trt.NormKindMeanVariance, Axes: axes}
	return one(c.Main(c.Net().AddNormalization(p, x))), nil
}

// ---- pooling ------------------------------------------------------------------------

func importPool(t trt.PoolingType) OpFunc {
	return func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		if err := nnRequire(c, in, "X"); err != nil {
			return nil, err
		}
		x := in[0]
		a := nnAttr(c)
		if !a.has("kernel_shape") {
			return nil, c.Errorf("attribute kernel_shape is required")
		}
		ks := a.ints("kernel_shape", nil)
		if a.err != nil {
			return nil, a.err
		}
		r := len(ks)
		if r < 1 {
			return nil, c.Errorf("kernel_shape must not be empty")
		}
		for _, k := range ks {
			if k < 1 {
				return nil, c.Errorf("kernel_shape %v must be positive", ks)
			}
		}
		if xr := len(x.Dimensions()); xr != r+2 {
			return nil, c.Errorf("input X %v has rank %d, kernel_shape %v needs rank %d", x.Dimensions(), xr, ks, r+2)
		}
		win, err := nnReadWindow(c, a, r)
		if err != nil {
			return nil, err
		}
		p := &trt.PoolingParams{
			Type: t, WindowSize: nnInts(ks), Strides: win.strides, Dilations: win.dilations,
			PrePadding: win.pre, PostPadding: win.post, AutoPad: win.autoPad, P: 2,
		}
		// ceil_mode: MaxPool and AveragePool from opset 10, LpPool from 18.
		p.CeilMode = a.bool(c, "ceil_mode", false)
		switch t {
		case trt.PoolingMax:
			if c.Opset >= 8 {
				so := a.int("storage_order", 0)
				if so != 0 && so != 1 && a.err == nil {
					return nil, c.Errorf("storage_order must be 0 or 1, got %d", so)
				}
				p.StorageOrder = int(so)
			}
			p.WithIndices = nnWantsOutput(c, 1)
			if p.WithIndices && c.Opset < 8 {
				return nil, c.Errorf("MaxPool has the Indices output from opset 8")
			}
		case trt.PoolingAverage:
			// count_include_pad from opset 7 (before, padding never counts).
			p.CountIncludePad = a.bool(c, "count_include_pad", false)
		case trt.PoolingLp:
			pv, err := nnLpP(c, a)
			if err != nil {
				return nil, err
			}
			p.P = pv
		}
		if a.err != nil {
			return nil, a.err
		}
		l := c.Main(c.Net().AddPooling(x, p))
		if p.WithIndices {
			return []*trt.Tensor{l.Output(0), l.Output(1)}, nil
		}
		return one(l), nil
	}
}

// nnLpP reads LpPool's p: a FLOAT attribute in opset 1, an INT from opset 2.
func nnLpP(c *Ctx, a *nnAttrs) (int, error) {
	at := c.Node.Attr("p")
	if at == nil {
		return 2, nil
	}
	var v float64
	switch at.Type {
	case onnxpb.AttrFloat:
		v = float64(at.F)
	case onnxpb.AttrInt, onnxpb.AttrUndefined:
		v = float64(at.I)
	default:
		return 0, c.Errorf("attribute p must be an INT (or a FLOAT in opset 1), got %v", at.Type)
	}
	if v != math.Trunc(v) {
		return 0, c.Unsupported("p=%v (only integral p)", v)
	}
	if v < 1 {
		return 0, c.Errorf("p must be >= 1, got %v", v)
	}
	return int(v), nil
}

func importGlobalPool(t trt.PoolingType) OpFunc {
	return func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		if err := nnRequire(c, in, "X"); err != nil {
			return nil, err
		}
		x := in[0]
		if r := len(x.Dimensions()); r < 3 {
			return nil, c.Errorf("input X %v must be [N, C, spatial...]", x.Dimensions())
		}
		l := c.Net().AddGlobalPooling(x, t)
		if t == trt.PoolingLp {
			pv, err := nnLpP(c, nnAttr(c))
			if err != nil {
				return nil, err
			}
			l.SetP(pv)
		}
		return one(c.Main(l)), nil
	}
}

// ---- softmax family -------------------------------------------------------------

// importSoftmax: before opset 13 the input is coerced to 2-D at axis
// (default 1); from opset 13 the function applies along axis (default -1).
func importSoftmax(mode trt.SoftmaxMode) OpFunc {
	return func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		if err := nnRequire(c, in, "input"); err != nil {
			return nil, err
		}
		x := in[0]
		def := int64(-1)
		if c.Opset < 13 {
			def = 1
		}
		a := nnAttr(c)
		axis := a.int("axis", def)
		if a.err != nil {
			return nil, a.err
		}
		r := int64(len(x.Dimensions()))
		if r == 0 {
			if axis != 0 && axis != -1 {
				return nil, c.Errorf("axis %d is out of range for a scalar input", axis)
			}
			axis = 0
		} else if axis < -r || axis >= r {
			return nil, c.Errorf("axis %d is out of range for input rank %d", axis, r)
		}
		l := c.Net().AddSoftMax(x, int(axis))
		l.SetMode(mode)
		l.SetCoerce2D(c.Opset < 13)
		return one(c.Main(l)), nil
	}
}
