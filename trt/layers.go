package trt

import (
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Per-kind layer types. Each embeds the common Layer behaviour and adds the
// kind's parameters. Changing a parameter re-runs shape inference lazily.

func (l *layerBase) changed() { l.net.dirty = true }

// ConstantLayer outputs constant weights.
type ConstantLayer struct{ layerBase }

// IdentityLayer copies its input.
type IdentityLayer struct{ layerBase }

// CastLayer converts its input to another type.
type CastLayer struct{ layerBase }

// ToType is the target type.
func (l *CastLayer) ToType() DataType { return l.n.Params.(*ir.CastParams).To }

// SetToType sets the target type.
func (l *CastLayer) SetToType(t DataType) { l.n.Params.(*ir.CastParams).To = t; l.changed() }

// ConvolutionLayer is an N-D convolution (TensorRT's IConvolutionLayer).
// Inputs: x, kernel, optional bias (kernel and bias may be any tensors).
type ConvolutionLayer struct{ layerBase }

func (l *ConvolutionLayer) p() *ir.ConvParams {
	if d, ok := l.n.Params.(*ir.DeconvParams); ok {
		return &d.ConvParams
	}
	return l.n.Params.(*ir.ConvParams)
}

// SetStrideNd sets the strides.
func (l *ConvolutionLayer) SetStrideNd(d Dims) { l.p().Strides = d; l.changed() }

// StrideNd returns the strides.
func (l *ConvolutionLayer) StrideNd() Dims { return l.p().Strides }

// SetPaddingNd sets symmetric padding.
func (l *ConvolutionLayer) SetPaddingNd(d Dims) {
	l.p().PrePadding, l.p().PostPadding = d, d
	l.changed()
}

// SetPrePadding sets the padding before each spatial dim.
func (l *ConvolutionLayer) SetPrePadding(d Dims) { l.p().PrePadding = d; l.changed() }

// SetPostPadding sets the padding after each spatial dim.
func (l *ConvolutionLayer) SetPostPadding(d Dims) { l.p().PostPadding = d; l.changed() }

// SetDilationNd sets the dilations.
func (l *ConvolutionLayer) SetDilationNd(d Dims) { l.p().Dilations = d; l.changed() }

// SetNbGroups sets the group count.
func (l *ConvolutionLayer) SetNbGroups(g int) { l.p().Groups = g; l.changed() }

// NbGroups returns the group count.
func (l *ConvolutionLayer) NbGroups() int { return max(l.p().Groups, 1) }

// SetPaddingMode sets ONNX auto_pad: "SAME_UPPER", "SAME_LOWER", "VALID" or "".
func (l *ConvolutionLayer) SetPaddingMode(m string) { l.p().AutoPad = m; l.changed() }

// DeconvolutionLayer is an N-D transposed convolution.
type DeconvolutionLayer struct{ ConvolutionLayer }

// SetOutputPadding sets ONNX output_padding.
func (l *DeconvolutionLayer) SetOutputPadding(d Dims) { l.p().OutputPadding = d; l.changed() }

// SetOutputShape fixes the spatial output dims (ONNX output_shape).
func (l *DeconvolutionLayer) SetOutputShape(d Dims) { l.p().OutputShape = d; l.changed() }

// MatrixMultiplyLayer multiplies matrices, batched with broadcasting.
type MatrixMultiplyLayer struct{ layerBase }

// SetOperation sets the operation on input i (0 or 1).
func (l *MatrixMultiplyLayer) SetOperation(i int, op MatrixOperation) {
	p := l.n.Params.(*ir.MatMulParams)
	if i == 0 {
		p.Op0 = op
	} else {
		p.Op1 = op
	}
	l.changed()
}

// ElementWiseLayer applies a binary operation with broadcasting.
type ElementWiseLayer struct{ layerBase }

// Operation returns the operation.
func (l *ElementWiseLayer) Operation() ElementWiseOperation {
	return l.n.Params.(*ir.ElementWiseParams).Op
}

// SetOperation sets the operation.
func (l *ElementWiseLayer) SetOperation(op ElementWiseOperation) {
	l.n.Params.(*ir.ElementWiseParams).Op = op
	l.changed()
}

// UnaryLayer applies a unary function.
type UnaryLayer struct{ layerBase }

// Operation returns the operation.
func (l *UnaryLayer) Operation() UnaryOperation { return l.n.Params.(*ir.UnaryParams).Op }

// SetIsInfDetect selects which infinities IsInf reports.
func (l *UnaryLayer) SetIsInfDetect(positive, negative bool) {
	p := l.n.Params.(*ir.UnaryParams)
	p.DetectPositive, p.DetectNegative = positive, negative
}

// ActivationLayer applies an activation function.
type ActivationLayer struct{ layerBase }

// ActivationType returns the function.
func (l *ActivationLayer) ActivationType() ActivationType {
	return l.n.Params.(*ir.ActivationParams).Type
}

// SetAlpha sets the alpha parameter.
func (l *ActivationLayer) SetAlpha(a float32) { l.n.Params.(*ir.ActivationParams).Alpha = a }

// SetBeta sets the beta parameter.
func (l *ActivationLayer) SetBeta(b float32) { l.n.Params.(*ir.ActivationParams).Beta = b }

// Alpha returns alpha.
func (l *ActivationLayer) Alpha() float32 { return l.n.Params.(*ir.ActivationParams).Alpha }

// Beta returns beta.
func (l *ActivationLayer) Beta() float32 { return l.n.Params.(*ir.ActivationParams).Beta }

// ParametricReLULayer is PReLU with a slope tensor broadcast to the input.
type ParametricReLULayer struct{ layerBase }

// PoolingLayer pools over spatial dims.
type PoolingLayer struct{ layerBase }

func (l *PoolingLayer) p() *ir.PoolingParams { return l.n.Params.(*ir.PoolingParams) }

// SetStrideNd sets strides.
func (l *PoolingLayer) SetStrideNd(d Dims) { l.p().Strides = d; l.changed() }

// SetPaddingNd sets symmetric padding.
func (l *PoolingLayer) SetPaddingNd(d Dims) { l.p().PrePadding, l.p().PostPadding = d, d; l.changed() }

// SetPrePadding sets padding before.
func (l *PoolingLayer) SetPrePadding(d Dims) { l.p().PrePadding = d; l.changed() }

// SetPostPadding sets padding after.
func (l *PoolingLayer) SetPostPadding(d Dims) { l.p().PostPadding = d; l.changed() }

// SetDilationNd sets dilations (max pooling).
func (l *PoolingLayer) SetDilationNd(d Dims) { l.p().Dilations = d; l.changed() }

// SetCeilMode rounds output extents up.
func (l *PoolingLayer) SetCeilMode(c bool) { l.p().CeilMode = c; l.changed() }

// SetAverageCountExcludesPadding: TensorRT's flag (true = padding not counted).
func (l *PoolingLayer) SetAverageCountExcludesPadding(b bool) { l.p().CountIncludePad = !b }

// SetPaddingMode sets ONNX auto_pad.
func (l *PoolingLayer) SetPaddingMode(m string) { l.p().AutoPad = m; l.changed() }

// SetP sets Lp pooling's p.
func (l *PoolingLayer) SetP(p int) { l.p().P = p }

// SetWithIndices adds a second output with the argmax flat indices (max pooling).
func (l *PoolingLayer) SetWithIndices(b bool, storageOrder int) {
	l.p().WithIndices, l.p().StorageOrder = b, storageOrder
}

// SoftmaxLayer is softmax, log-softmax or hardmax along one axis.
type SoftmaxLayer struct{ layerBase }

// SetAxis sets the axis (negative counts from the end).
func (l *SoftmaxLayer) SetAxis(a int) { l.n.Params.(*ir.SoftmaxParams).Axis = a; l.changed() }

// SetMode sets softmax, log-softmax or hardmax.
func (l *SoftmaxLayer) SetMode(m SoftmaxMode) { l.n.Params.(*ir.SoftmaxParams).Mode = m }

// SetCoerce2D applies ONNX opset<13 semantics: flatten to 2-D at the axis.
func (l *SoftmaxLayer) SetCoerce2D(b bool) { l.n.Params.(*ir.SoftmaxParams).Coerce = b }

// NormalizationLayer is batch, instance, layer, group, LRN, Lp or
// mean-variance normalization.
type NormalizationLayer struct{ layerBase }

// Params gives access to the normalization parameters.
func (l *NormalizationLayer) Params() *NormalizationParams {
	return l.n.Params.(*ir.NormParams)
}

// NormalizationParams configures a normalization layer.
type NormalizationParams = ir.NormParams

// ReduceLayer reduces over axes.
type ReduceLayer struct{ layerBase }

// ShuffleLayer transposes, reshapes and transposes (TensorRT's IShuffleLayer).
type ShuffleLayer struct{ layerBase }

func (l *ShuffleLayer) p() *ir.ShuffleParams { return l.n.Params.(*ir.ShuffleParams) }

// SetFirstTranspose sets the permutation applied before the reshape.
func (l *ShuffleLayer) SetFirstTranspose(perm []int) { l.p().FirstTranspose = perm; l.changed() }

// SetReshapeDimensions sets static reshape dims (0 copies when
// ZeroIsPlaceholder, -1 infers).
func (l *ShuffleLayer) SetReshapeDimensions(d Dims) {
	l.p().ReshapeDims, l.p().Reshape = d, true
	l.changed()
}

// SetSecondTranspose sets the permutation applied after the reshape.
func (l *ShuffleLayer) SetSecondTranspose(perm []int) { l.p().SecondTranspose = perm; l.changed() }

// SetZeroIsPlaceholder: 0 in reshape dims copies the input dim (default true).
func (l *ShuffleLayer) SetZeroIsPlaceholder(b bool) { l.p().ZeroIsPlaceholder = b; l.changed() }

// ConcatenationLayer joins tensors along an axis.
type ConcatenationLayer struct{ layerBase }

// SetAxis sets the axis.
func (l *ConcatenationLayer) SetAxis(a int) { l.n.Params.(*ir.ConcatParams).Axis = a; l.changed() }

// SplitLayer splits a tensor into pieces along an axis.
type SplitLayer struct{ layerBase }

// SliceLayer slices with ONNX semantics.
type SliceLayer struct{ layerBase }

// GatherLayer gathers (default, elements or ND).
type GatherLayer struct{ layerBase }

// SetNbElementWiseDims sets GatherND's batch dims (TensorRT's name).
func (l *GatherLayer) SetNbElementWiseDims(b int) {
	l.n.Params.(*ir.GatherParams).BatchDims = b
	l.changed()
}

// ScatterLayer scatters updates into data.
type ScatterLayer struct{ layerBase }

// SetReduction sets how updates combine with data.
func (l *ScatterLayer) SetReduction(r ScatterReduction) { l.n.Params.(*ir.ScatterParams).Reduction = r }

// ResizeLayer resizes with ONNX Resize semantics.
type ResizeLayer struct{ layerBase }

// Params gives access to the resize parameters.
func (l *ResizeLayer) Params() *ResizeParams { return l.n.Params.(*ir.ResizeParams) }

// ResizeParams configures a resize layer.
type ResizeParams = ir.ResizeParams

// PaddingLayer pads (constant, reflect, edge, wrap).
type PaddingLayer struct{ layerBase }

// SelectLayer picks elements from two tensors by a condition.
type SelectLayer struct{ layerBase }

// ShapeLayer outputs the shape of its input.
type ShapeLayer struct{ layerBase }

// FillLayer makes constant-filled, range or identity tensors.
type FillLayer struct{ layerBase }

// TopKLayer finds the k largest or smallest values.
type TopKLayer struct{ layerBase }

// ArgMinMaxLayer finds the index of the largest or smallest value.
type ArgMinMaxLayer struct{ layerBase }

// CumulativeLayer computes cumulative sums.
type CumulativeLayer struct{ layerBase }

// EinsumLayer evaluates an Einstein summation.
type EinsumLayer struct{ layerBase }

// RNNLayer is an LSTM, GRU or vanilla RNN over a sequence (ONNX semantics).
type RNNLayer struct{ layerBase }

// Params gives access to the recurrent cell parameters.
func (l *RNNLayer) Params() *RNNParams { return l.n.Params.(*ir.RNNParams) }

// RNNParams configures a recurrent layer.
type RNNParams = ir.RNNParams

// NonZeroLayer outputs the indices of non-zero elements.
type NonZeroLayer struct{ layerBase }

// OneHotLayer expands indices to one-hot vectors.
type OneHotLayer struct{ layerBase }

// TriluLayer keeps the upper or lower triangle.
type TriluLayer struct{ layerBase }

// ExpandLayer broadcasts its input to a shape.
type ExpandLayer struct{ layerBase }

// TileLayer repeats its input.
type TileLayer struct{ layerBase }

// ---- constructors -------------------------------------------------------------

func (n *Network) base(p ir.Params, nout int, inputs ...*Tensor) layerBase {
	return layerBase{n: n.addNode(p, nout, inputs...), net: n}
}

// AddConstant adds a constant of dims d.
func (n *Network) AddConstant(d Dims, w Weights) *ConstantLayer {
	l := &ConstantLayer{n.base(&ir.ConstantParams{Value: w.data(d)}, 1)}
	n.add(l)
	return l
}

// AddIdentity adds an identity layer.
func (n *Network) AddIdentity(x *Tensor) *IdentityLayer {
	l := &IdentityLayer{n.base(&ir.IdentityParams{}, 1, x)}
	n.add(l)
	return l
}

// AddCast converts x to type t.
func (n *Network) AddCast(x *Tensor, t DataType) *CastLayer {
	l := &CastLayer{n.base(&ir.CastParams{To: t}, 1, x)}
	n.add(l)
	return l
}

// constTensor adds a constant and returns its output (nil for empty weights).
func (n *Network) constTensor(d Dims, w Weights) *Tensor {
	if w.IsEmpty() {
		return nil
	}
	return n.AddConstant(d, w).Output(0)
}

// AddConvolutionNd adds a convolution with nbOutputMaps outputs, kernel of
// spatial size kernelSize, and weights laid out [M, C/groups, k...]. Bias may
// be empty. Set groups with SetNbGroups before building; the kernel tensor is
// created from the weights, so the input channel count must be known.
func (n *Network) AddConvolutionNd(x *Tensor, nbOutputMaps int, kernelSize Dims, kernel, bias Weights) *ConvolutionLayer {
	kc := 1
	if nbOutputMaps > 0 && len(kernelSize) > 0 {
		kc = kernel.Count() / nbOutputMaps / max(volume(kernelSize), 1)
	}
	kd := append(Dims{nbOutputMaps, kc}, kernelSize...)
	kt := n.constTensor(kd, kernel)
	bt := n.constTensor(Dims{nbOutputMaps}, bias)
	return n.AddConvolutionTensors(x, kt, bt, &ir.ConvParams{NbOutputMaps: nbOutputMaps, KernelSize: kernelSize})
}

// AddConvolutionTensors adds a convolution whose kernel and (optional) bias
// are tensors. params may be nil (defaults).
func (n *Network) AddConvolutionTensors(x, kernel, bias *Tensor, params *ir.ConvParams) *ConvolutionLayer {
	if params == nil {
		params = &ir.ConvParams{}
	}
	ins := []*Tensor{x, kernel}
	if bias != nil {
		ins = append(ins, bias)
	}
	l := &ConvolutionLayer{n.base(params, 1, ins...)}
	n.add(l)
	return l
}

// ConvolutionParams configures convolution and deconvolution layers.
type ConvolutionParams = ir.ConvParams

// AddDeconvolutionNd adds a transposed convolution; weights [C, M/groups, k...].
func (n *Network) AddDeconvolutionNd(x *Tensor, nbOutputMaps int, kernelSize Dims, kernel, bias Weights) *DeconvolutionLayer {
	kc := 1
	if nbOutputMaps > 0 && len(kernelSize) > 0 {
		kc = kernel.Count() / nbOutputMaps / max(volume(kernelSize), 1)
	}
	kd := append(Dims{kc, nbOutputMaps}, kernelSize...)
	kt := n.constTensor(kd, kernel)
	bt := n.constTensor(Dims{nbOutputMaps}, bias)
	return n.AddDeconvolutionTensors(x, kt, bt, &ir.ConvParams{NbOutputMaps: nbOutputMaps, KernelSize: kernelSize})
}

// AddDeconvolutionTensors adds a transposed convolution with tensor kernel/bias.
func (n *Network) AddDeconvolutionTensors(x, kernel, bias *Tensor, params *ir.ConvParams) *DeconvolutionLayer {
	if params == nil {
		params = &ir.ConvParams{}
	}
	ins := []*Tensor{x, kernel}
	if bias != nil {
		ins = append(ins, bias)
	}
	l := &DeconvolutionLayer{ConvolutionLayer{n.base(&ir.DeconvParams{ConvParams: *params}, 1, ins...)}}
	n.add(l)
	return l
}

func volume(d Dims) int {
	v := 1
	for _, x := range d {
		v *= x
	}
	return v
}

// AddMatrixMultiply multiplies op0(a) by op1(b).
func (n *Network) AddMatrixMultiply(a *Tensor, op0 MatrixOperation, b *Tensor, op1 MatrixOperation) *MatrixMultiplyLayer {
	l := &MatrixMultiplyLayer{n.base(&ir.MatMulParams{Op0: op0, Op1: op1}, 1, a, b)}
	n.add(l)
	return l
}

// AddElementWise applies op to a and b with broadcasting.
func (n *Network) AddElementWise(a, b *Tensor, op ElementWiseOperation) *ElementWiseLayer {
	l := &ElementWiseLayer{n.base(&ir.ElementWiseParams{Op: op}, 1, a, b)}
	n.add(l)
	return l
}

// AddUnary applies op to x.
func (n *Network) AddUnary(x *Tensor, op UnaryOperation) *UnaryLayer {
	l := &UnaryLayer{n.base(&ir.UnaryParams{Op: op, DetectPositive: true, DetectNegative: true}, 1, x)}
	n.add(l)
	return l
}

// AddActivation applies an activation; set alpha/beta with SetAlpha/SetBeta.
func (n *Network) AddActivation(x *Tensor, t ActivationType) *ActivationLayer {
	p := &ir.ActivationParams{Type: t}
	switch t { // ONNX defaults
	case ActivationLeakyRelu:
		p.Alpha = 0.01
	case ActivationElu, ActivationCelu, ActivationThresholdedRelu, ActivationSoftplus:
		p.Alpha, p.Beta = 1, 1
	case ActivationSelu:
		p.Alpha, p.Beta = 1.6732632423543772, 1.0507009873554805
	case ActivationHardSigmoid:
		p.Alpha, p.Beta = 0.2, 0.5
	case ActivationHardSwish:
		p.Alpha, p.Beta = 1.0/6, 0.5
	case ActivationScaledTanh:
		p.Alpha, p.Beta = 1, 1
	case ActivationShrink:
		p.Alpha = 0.5
	}
	l := &ActivationLayer{n.base(p, 1, x)}
	n.add(l)
	return l
}

// AddParametricReLU applies PReLU with slope broadcast to x.
func (n *Network) AddParametricReLU(x, slope *Tensor) *ParametricReLULayer {
	l := &ParametricReLULayer{n.base(&ir.PReLUParams{}, 1, x, slope)}
	n.add(l)
	return l
}

// AddPoolingNd pools x with a window.
func (n *Network) AddPoolingNd(x *Tensor, t PoolingType, window Dims) *PoolingLayer {
	p := &ir.PoolingParams{Type: t, WindowSize: window, P: 2}
	l := &PoolingLayer{n.base(p, 1, x)}
	n.add(l)
	return l
}

// AddGlobalPooling pools over all spatial dims.
func (n *Network) AddGlobalPooling(x *Tensor, t PoolingType) *PoolingLayer {
	l := &PoolingLayer{n.base(&ir.PoolingParams{Type: t, Global: true, P: 2}, 1, x)}
	n.add(l)
	return l
}

// AddPoolingWithIndices is max pooling with a second output of argmax
// indices (ONNX MaxPool's Indices).
func (n *Network) AddPoolingWithIndices(x *Tensor, p *ir.PoolingParams) *PoolingLayer {
	p.WithIndices = true
	l := &PoolingLayer{n.base(p, 2, x)}
	n.add(l)
	return l
}

// PoolingParams configures a pooling layer.
type PoolingParams = ir.PoolingParams

// AddPooling adds a pooling layer from full parameters.
func (n *Network) AddPooling(x *Tensor, p *PoolingParams) *PoolingLayer {
	nout := 1
	if p.WithIndices {
		nout = 2
	}
	l := &PoolingLayer{n.base(p, nout, x)}
	n.add(l)
	return l
}

// AddSoftMax applies softmax along axis (TensorRT's default axis is the last
// for rank < 4; here it is given explicitly).
func (n *Network) AddSoftMax(x *Tensor, axis int) *SoftmaxLayer {
	l := &SoftmaxLayer{n.base(&ir.SoftmaxParams{Axis: axis}, 1, x)}
	n.add(l)
	return l
}

// AddNormalization adds a normalization layer; inputs depend on the kind
// (batch: x, scale, bias, mean, var; instance/group: x, scale, bias; layer:
// x, [scale], [bias]; others: x).
func (n *Network) AddNormalization(p *NormalizationParams, inputs ...*Tensor) *NormalizationLayer {
	l := &NormalizationLayer{n.base(p, 1, inputs...)}
	n.add(l)
	return l
}

// AddReduce reduces x over axes (empty = all).
func (n *Network) AddReduce(x *Tensor, op ReduceOperation, axes []int, keepDims bool) *ReduceLayer {
	l := &ReduceLayer{n.base(&ir.ReduceParams{Op: op, Axes: axes, KeepDims: keepDims}, 1, x)}
	n.add(l)
	return l
}

// ReduceParams configures a reduce layer.
type ReduceParams = ir.ReduceParams

// AddReduceDynamic reduces over axes given by a tensor at run time.
func (n *Network) AddReduceDynamic(x, axes *Tensor, p *ReduceParams) *ReduceLayer {
	l := &ReduceLayer{n.base(p, 1, x, axes)}
	n.add(l)
	return l
}

// AddShuffle adds a shuffle layer (identity until configured).
func (n *Network) AddShuffle(x *Tensor) *ShuffleLayer {
	l := &ShuffleLayer{n.base(&ir.ShuffleParams{ZeroIsPlaceholder: true}, 1, x)}
	n.add(l)
	return l
}

// AddReshape reshapes x to the dims held by the shape tensor (run-time reshape).
func (n *Network) AddReshape(x, shape *Tensor, zeroIsPlaceholder bool) *ShuffleLayer {
	l := &ShuffleLayer{n.base(&ir.ShuffleParams{ZeroIsPlaceholder: zeroIsPlaceholder, Reshape: true}, 1, x, shape)}
	n.add(l)
	return l
}

// AddConcatenation joins inputs along axis.
func (n *Network) AddConcatenation(inputs []*Tensor, axis int) *ConcatenationLayer {
	l := &ConcatenationLayer{n.base(&ir.ConcatParams{Axis: axis}, 1, inputs...)}
	n.add(l)
	return l
}

// AddSplit splits x along axis into len(sizes) pieces, or into nout equal
// pieces when sizes is nil. sizesTensor, when not nil, gives sizes at run time.
func (n *Network) AddSplit(x *Tensor, axis int, sizes []int, nout int, sizesTensor *Tensor) *SplitLayer {
	if sizes != nil {
		nout = len(sizes)
	}
	ins := []*Tensor{x}
	if sizesTensor != nil {
		ins = append(ins, sizesTensor)
	}
	l := &SplitLayer{n.base(&ir.SplitParams{Axis: axis, Sizes: sizes}, nout, ins...)}
	n.add(l)
	return l
}

// AddSlice slices with ONNX semantics; axes and steps may be nil.
func (n *Network) AddSlice(x, starts, ends, axes, steps *Tensor) *SliceLayer {
	ins := []*Tensor{x, starts, ends}
	if axes != nil || steps != nil {
		ins = append(ins, axes)
	}
	if steps != nil {
		ins = append(ins, steps)
	}
	l := &SliceLayer{n.base(&ir.SliceParams{}, 1, ins...)}
	n.add(l)
	return l
}

// AddSliceStatic slices with static ONNX-style starts/ends/axes/steps.
func (n *Network) AddSliceStatic(x *Tensor, starts, ends, axes, steps []int64) *SliceLayer {
	c := func(v []int64) *Tensor {
		if v == nil {
			return nil
		}
		return n.AddConstant(Dims{len(v)}, Int64Weights(v)).Output(0)
	}
	return n.AddSlice(x, c(starts), c(ends), c(axes), c(steps))
}

// AddGather gathers from data with indices along axis.
func (n *Network) AddGather(data, indices *Tensor, axis int) *GatherLayer {
	return n.AddGatherV2(data, indices, GatherModeDefault, axis)
}

// AddGatherV2 gathers with a mode (default/elements: axis; ND: batch dims via
// SetNbElementWiseDims).
func (n *Network) AddGatherV2(data, indices *Tensor, mode GatherMode, axis int) *GatherLayer {
	l := &GatherLayer{n.base(&ir.GatherParams{Mode: mode, Axis: axis}, 1, data, indices)}
	n.add(l)
	return l
}

// AddScatter scatters updates into data at indices.
func (n *Network) AddScatter(data, indices, updates *Tensor, mode ScatterMode, axis int) *ScatterLayer {
	l := &ScatterLayer{n.base(&ir.ScatterParams{Mode: mode, Axis: axis}, 1, data, indices, updates)}
	n.add(l)
	return l
}

// AddResize resizes x. roi, scales and sizes are optional tensors (ONNX
// Resize inputs); without them p.Scales or p.Sizes apply.
func (n *Network) AddResize(x, roi, scales, sizes *Tensor, p *ResizeParams) *ResizeLayer {
	ins := []*Tensor{x, roi, scales, sizes}
	for len(ins) > 1 && ins[len(ins)-1] == nil {
		ins = ins[:len(ins)-1]
	}
	l := &ResizeLayer{n.base(p, 1, ins...)}
	n.add(l)
	return l
}

// PaddingParams configures a padding layer.
type PaddingParams = ir.PaddingParams

// AddPadding pads x; pads, value and axes are optional tensors (ONNX Pad
// inputs); without them p.Pads and p.Value apply.
func (n *Network) AddPadding(x, pads, value, axes *Tensor, p *PaddingParams) *PaddingLayer {
	ins := []*Tensor{x, pads, value, axes}
	for len(ins) > 1 && ins[len(ins)-1] == nil {
		ins = ins[:len(ins)-1]
	}
	l := &PaddingLayer{n.base(p, 1, ins...)}
	n.add(l)
	return l
}

// AddSelect picks from a where cond is true, else from b.
func (n *Network) AddSelect(cond, a, b *Tensor) *SelectLayer {
	l := &SelectLayer{n.base(&ir.SelectParams{}, 1, cond, a, b)}
	n.add(l)
	return l
}

// AddShape outputs the dims of x as INT64.
func (n *Network) AddShape(x *Tensor) *ShapeLayer {
	l := &ShapeLayer{n.base(&ir.ShapeParams{}, 1, x)}
	n.add(l)
	return l
}

// AddShapeRange outputs dims [start, end) of x (ONNX Shape-15).
func (n *Network) AddShapeRange(x *Tensor, start int, end *int) *ShapeLayer {
	p := &ir.ShapeParams{Start: start}
	if end != nil {
		p.End, p.HasEnd = *end, true
	}
	l := &ShapeLayer{n.base(p, 1, x)}
	n.add(l)
	return l
}

// FillParams configures a fill layer.
type FillParams = ir.FillParams

// AddFill adds a fill layer (constant of shape, range, eye-like).
func (n *Network) AddFill(p *FillParams, inputs ...*Tensor) *FillLayer {
	l := &FillLayer{n.base(p, 1, inputs...)}
	n.add(l)
	return l
}

// AddTopK keeps the k largest (or smallest) values along axis; kTensor, when
// not nil, gives k at run time. Outputs: values, indices (INT64).
func (n *Network) AddTopK(x *Tensor, largest bool, k, axis int, kTensor *Tensor) *TopKLayer {
	ins := []*Tensor{x}
	if kTensor != nil {
		ins = append(ins, kTensor)
	}
	l := &TopKLayer{n.base(&ir.TopKParams{K: k, Axis: axis, Largest: largest, Sorted: true}, 2, ins...)}
	n.add(l)
	return l
}

// ArgMinMaxParams configures an arg-max/arg-min layer.
type ArgMinMaxParams = ir.ArgMinMaxParams

// AddArgMinMax adds ONNX ArgMax/ArgMin.
func (n *Network) AddArgMinMax(x *Tensor, p *ArgMinMaxParams) *ArgMinMaxLayer {
	l := &ArgMinMaxLayer{n.base(p, 1, x)}
	n.add(l)
	return l
}

// AddCumulative adds a cumulative sum along the axis held by the scalar tensor axis.
func (n *Network) AddCumulative(x, axis *Tensor, exclusive, reverse bool) *CumulativeLayer {
	l := &CumulativeLayer{n.base(&ir.CumulativeParams{Exclusive: exclusive, Reverse: reverse}, 1, x, axis)}
	n.add(l)
	return l
}

// AddEinsum evaluates equation over inputs.
func (n *Network) AddEinsum(inputs []*Tensor, equation string) *EinsumLayer {
	l := &EinsumLayer{n.base(&ir.EinsumParams{Equation: equation}, 1, inputs...)}
	n.add(l)
	return l
}

// AddRNN adds an ONNX-style recurrent layer. inputs: X, W, R, [B],
// [sequence_lens], [initial_h], [initial_c], [P] (nil for absent). Outputs: Y,
// Y_h and, for LSTM, Y_c.
func (n *Network) AddRNN(p *RNNParams, inputs ...*Tensor) *RNNLayer {
	nout := 2
	if p.Mode == RNNLSTM {
		nout = 3
	}
	for len(inputs) > 3 && inputs[len(inputs)-1] == nil {
		inputs = inputs[:len(inputs)-1]
	}
	l := &RNNLayer{n.base(p, nout, inputs...)}
	n.add(l)
	return l
}

// AddNonZero outputs the indices of non-zero elements, [rank, count].
func (n *Network) AddNonZero(x *Tensor) *NonZeroLayer {
	l := &NonZeroLayer{n.base(&ir.NonZeroParams{}, 1, x)}
	n.add(l)
	return l
}

// AddOneHot expands indices with depth (scalar) and values ([off, on]).
func (n *Network) AddOneHot(indices, values, depth *Tensor, axis int) *OneHotLayer {
	l := &OneHotLayer{n.base(&ir.OneHotParams{Axis: axis}, 1, indices, depth, values)}
	n.add(l)
	return l
}

// AddTrilu keeps the upper (or lower) triangle above diagonal k (optional scalar tensor).
func (n *Network) AddTrilu(x *Tensor, upper bool, k *Tensor) *TriluLayer {
	ins := []*Tensor{x}
	if k != nil {
		ins = append(ins, k)
	}
	l := &TriluLayer{n.base(&ir.TriluParams{Upper: upper}, 1, ins...)}
	n.add(l)
	return l
}

// AddExpand broadcasts x to the shape held by shape (INT64).
func (n *Network) AddExpand(x, shape *Tensor) *ExpandLayer {
	l := &ExpandLayer{n.base(&ir.ExpandParams{}, 1, x, shape)}
	n.add(l)
	return l
}

// AddTile repeats x by repeats (INT64, one per dim).
func (n *Network) AddTile(x, repeats *Tensor) *TileLayer {
	l := &TileLayer{n.base(&ir.TileParams{}, 1, x, repeats)}
	n.add(l)
	return l
}
