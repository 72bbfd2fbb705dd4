package ir

import "fmt"

// Kind is a layer kind (TensorRT's LayerType, extended where gotrt has a
// dedicated layer for an ONNX operator).
type Kind uint8

// Layer kinds.
const (
	KindConstant Kind = iota
	KindIdentity
	KindCast
	KindConvolution
	KindDeconvolution
	KindMatrixMultiply
	KindElementWise
	KindUnary
	KindActivation
	KindParametricReLU
	KindPooling
	KindSoftmax
	KindNormalization
	KindReduce
	KindShuffle
	KindConcatenation
	KindSplit
	KindSlice
	KindGather
	KindScatter
	KindResize
	KindPadding
	KindSelect
	KindShape
	KindFill
	KindTopK
	KindArgMinMax
	KindCumulative
	KindEinsum
	KindRNN
	KindNonZero
	KindOneHot
	KindTrilu
	KindExpand
	KindTile
	kindCount
)

var kindNames = [...]string{
	KindConstant: "Constant", KindIdentity: "Identity", KindCast: "Cast", KindConvolution: "Convolution",
	KindDeconvolution: "Deconvolution", KindMatrixMultiply: "MatrixMultiply", KindElementWise: "ElementWise",
	KindUnary: "Unary", KindActivation: "Activation", KindParametricReLU: "ParametricReLU",
	KindPooling: "Pooling", KindSoftmax: "Softmax", KindNormalization: "Normalization", KindReduce: "Reduce",
	KindShuffle: "Shuffle", KindConcatenation: "Concatenation", KindSplit: "Split", KindSlice: "Slice",
	KindGather: "Gather", KindScatter: "Scatter", KindResize: "Resize", KindPadding: "Padding",
	KindSelect: "Select", KindShape: "Shape", KindFill: "Fill", KindTopK: "TopK", KindArgMinMax: "ArgMinMax",
	KindCumulative: "Cumulative", KindEinsum: "Einsum", KindRNN: "RNN", KindNonZero: "NonZero",
	KindOneHot: "OneHot", KindTrilu: "Trilu", KindExpand: "Expand", KindTile: "Tile",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// AllKinds lists every layer kind.
func AllKinds() []Kind {
	out := make([]Kind, kindCount)
	for i := range out {
		out[i] = Kind(i)
	}
	return out
}

// ---- parameter structs -------------------------------------------------------

// ConstantParams: output 0 = Value.
type ConstantParams struct{ Value *Data }

// IdentityParams copies its input.
type IdentityParams struct{}

// CastParams converts input 0 to To. Inserted marks conversions the builder added.
type CastParams struct {
	To       DataType
	Inserted bool
}

// ConvParams: inputs x [N,C,spatial...], w [M, C/G, k...], optional bias [M].
// Deconvolution uses the same struct: w [C, M/G, k...], OutputPadding applies;
// OutputShape (spatial dims) overrides the computed size when non-nil.
type ConvParams struct {
	NbOutputMaps  int
	KernelSize    []int
	Strides       []int
	PrePadding    []int
	PostPadding   []int
	Dilations     []int
	Groups        int
	AutoPad       string // "", "SAME_UPPER", "SAME_LOWER", "VALID"
	OutputPadding []int  // deconvolution only
	OutputShape   []int  // deconvolution only
}

// MatrixOp is TensorRT's MatrixOperation.
type MatrixOp uint8

// Matrix operations.
const (
	MatNone MatrixOp = iota
	MatTranspose
	MatVector
)

// MatMulParams: C = op0(A) x op1(B), batched with broadcasting of leading dims.
type MatMulParams struct{ Op0, Op1 MatrixOp }

// ElementWiseOp is a binary operation with numpy broadcasting.
type ElementWiseOp uint8

// Binary operations.
const (
	EwSum ElementWiseOp = iota
	EwProd
	EwMax
	EwMin
	EwSub
	EwDiv
	EwPow
	EwFloorDiv
	EwAnd
	EwOr
	EwXor
	EwEqual
	EwGreater
	EwLess
	EwGreaterOrEqual
	EwLessOrEqual
	EwMod  // integer modulo with the sign of the divisor (numpy/python)
	EwFMod // C fmod: sign of the dividend
	EwBitShiftLeft
	EwBitShiftRight
)

var ewNames = [...]string{"SUM", "PROD", "MAX", "MIN", "SUB", "DIV", "POW", "FLOOR_DIV", "AND", "OR", "XOR",
	"EQUAL", "GREATER", "LESS", "GREATER_OR_EQUAL", "LESS_OR_EQUAL", "MOD", "FMOD", "BITSHIFT_LEFT", "BITSHIFT_RIGHT"}

func (o ElementWiseOp) String() string {
	if int(o) < len(ewNames) {
		return ewNames[o]
	}
	return fmt.Sprintf("ElementWiseOp(%d)", uint8(o))
}

// IsComparison reports whether the op yields Bool.
func (o ElementWiseOp) IsComparison() bool {
	return o == EwEqual || o == EwGreater || o == EwLess || o == EwGreaterOrEqual || o == EwLessOrEqual
}

// IsLogical reports whether the op takes and yields Bool.
func (o ElementWiseOp) IsLogical() bool { return o == EwAnd || o == EwOr || o == EwXor }

// ElementWiseParams: inputs a, b.
type ElementWiseParams struct{ Op ElementWiseOp }

// UnaryOp is TensorRT's UnaryOperation plus a few ONNX ones.
type UnaryOp uint8

// Unary operations.
const (
	UnExp UnaryOp = iota
	UnLog
	UnSqrt
	UnRecip
	UnAbs
	UnNeg
	UnSin
	UnCos
	UnTan
	UnSinh
	UnCosh
	UnAsin
	UnAcos
	UnAtan
	UnAsinh
	UnAcosh
	UnAtanh
	UnCeil
	UnFloor
	UnErf
	UnNot
	UnSign
	UnRound // half to even
	UnIsInf // params: DetectPositive/DetectNegative
	UnIsNaN
)

var unNames = [...]string{"EXP", "LOG", "SQRT", "RECIP", "ABS", "NEG", "SIN", "COS", "TAN", "SINH", "COSH",
	"ASIN", "ACOS", "ATAN", "ASINH", "ACOSH", "ATANH", "CEIL", "FLOOR", "ERF", "NOT", "SIGN", "ROUND", "ISINF", "ISNAN"}

func (o UnaryOp) String() string {
	if int(o) < len(unNames) {
		return unNames[o]
	}
	return fmt.Sprintf("UnaryOp(%d)", uint8(o))
}

// UnaryParams: input x.
type UnaryParams struct {
	Op UnaryOp
	// IsInf only: which infinities count (both true = either).
	DetectPositive, DetectNegative bool
}

// ActivationType is TensorRT's ActivationType plus ONNX activations.
type ActivationType uint8

// Activations. Alpha/Beta meanings follow TensorRT (and ONNX where TensorRT has none).
const (
	ActRelu            ActivationType = iota
	ActSigmoid                        //
	ActTanh                           //
	ActLeakyRelu                      // alpha
	ActElu                            // alpha
	ActSelu                           // alpha, beta=gamma
	ActSoftsign                       //
	ActSoftplus                       // alpha*log(exp(beta*x)+1) (TensorRT); ONNX: alpha=beta=1
	ActClip                           // clamp to [alpha, beta]
	ActHardSigmoid                    // max(0, min(1, alpha*x+beta))
	ActScaledTanh                     // alpha*tanh(beta*x)
	ActThresholdedRelu                // x > alpha ? x : 0
	ActGeluErf                        //
	ActGeluTanh                       //
	ActCelu                           // alpha
	ActMish                           //
	ActHardSwish                      // x*max(0,min(1,alpha*x+beta)); ONNX alpha=1/6 beta=0.5
	ActShrink                         // alpha=lambd, beta=bias
)

var actNames = [...]string{"RELU", "SIGMOID", "TANH", "LEAKY_RELU", "ELU", "SELU", "SOFTSIGN", "SOFTPLUS", "CLIP",
	"HARD_SIGMOID", "SCALED_TANH", "THRESHOLDED_RELU", "GELU_ERF", "GELU_TANH", "CELU", "MISH", "HARD_SWISH", "SHRINK"}

func (a ActivationType) String() string {
	if int(a) < len(actNames) {
		return actNames[a]
	}
	return fmt.Sprintf("ActivationType(%d)", uint8(a))
}

// ActivationParams: input x.
type ActivationParams struct {
	Type        ActivationType
	Alpha, Beta float32
}

// PReLUParams: inputs x, slope (broadcast to x).
type PReLUParams struct{}

// PoolingType selects the pooling function.
type PoolingType uint8

// Pooling types.
const (
	PoolMax PoolingType = iota
	PoolAverage
	PoolLp
)

// PoolingParams: input x [N,C,spatial...]. Global pools over all spatial dims.
type PoolingParams struct {
	Type              PoolingType
	WindowSize        []int
	Strides           []int
	PrePadding        []int
	PostPadding       []int
	Dilations         []int
	AutoPad           string
	CeilMode          bool
	CountIncludePad   bool // average
	P                 int  // Lp
	Global            bool
	StorageOrder      int  // MaxPool indices: 0 row major, 1 column major
	WithIndices       bool // MaxPool second output (Int64 flat indices)
	AverageExcludePad bool // unused: CountIncludePad is the switch
}

// SoftmaxMode selects the function of the softmax layer.
type SoftmaxMode uint8

// Softmax modes.
const (
	SoftmaxNormal SoftmaxMode = iota
	SoftmaxLog
	SoftmaxHardmax
	// SoftmaxLegacy flattens to 2-D at Axis (ONNX opset < 13 semantics).
)

// SoftmaxParams: input x.
type SoftmaxParams struct {
	Axis   int
	Mode   SoftmaxMode
	Coerce bool // opset < 13: coerce input to 2-D at Axis
}

// NormKind selects the normalization.
type NormKind uint8

// Normalizations.
const (
	NormBatch        NormKind = iota // inputs x, scale, bias, mean, var; per channel (axis 1)
	NormInstance                     // inputs x, scale [C], bias [C]; over spatial dims
	NormLayer                        // inputs x, scale, bias (broadcast over Axis..); over dims >= Axis
	NormGroup                        // inputs x, scale, bias; Groups groups over (C/G, spatial)
	NormLRN                          // input x; Size, Alpha, Beta, Bias
	NormLp                           // input x; P (1 or 2) along Axis
	NormMeanVariance                 // input x; over Axes (normalize variance)
)

var normNames = [...]string{"BATCH", "INSTANCE", "LAYER", "GROUP", "LRN", "LP", "MVN"}

func (k NormKind) String() string {
	if int(k) < len(normNames) {
		return normNames[k]
	}
	return fmt.Sprintf("NormKind(%d)", uint8(k))
}

// NormParams configures the normalization layer.
type NormParams struct {
	Kind      NormKind
	Epsilon   float32
	Axis      int   // Layer: first normalized axis; Lp: axis
	Axes      []int // MVN
	Groups    int
	Size      int // LRN
	Alpha     float32
	Beta      float32
	Bias      float32
	P         int
	StashType DataType // LayerNormalization's stash_type (compute type); Float by default
	// GroupScalePerGroup: scale/bias have one value per group (ONNX opset 18
	// GroupNormalization) instead of per channel (opset 21).
	GroupScalePerGroup bool
}

// ReduceOp is the reduction.
type ReduceOp uint8

// Reductions.
const (
	ReduceSum ReduceOp = iota
	ReduceProd
	ReduceMax
	ReduceMin
	ReduceMean
	ReduceL1
	ReduceL2
	ReduceLogSum
	ReduceLogSumExp
	ReduceSumSquare
)

var reduceNames = [...]string{"SUM", "PROD", "MAX", "MIN", "AVG", "L1", "L2", "LOG_SUM", "LOG_SUM_EXP", "SUM_SQUARE"}

func (o ReduceOp) String() string {
	if int(o) < len(reduceNames) {
		return reduceNames[o]
	}
	return fmt.Sprintf("ReduceOp(%d)", uint8(o))
}

// ReduceParams: input x, optional input 1 = axes (Int64 vector) overriding Axes.
// Empty axes reduce everything unless NoopWithEmptyAxes.
type ReduceParams struct {
	Op                ReduceOp
	Axes              []int
	KeepDims          bool
	NoopWithEmptyAxes bool
}

// ShuffleParams: transpose, reshape, transpose. Input 1, when present, is the
// reshape dims as an Int64/Int32 tensor and overrides ReshapeDims.
type ShuffleParams struct {
	FirstTranspose    []int // nil = identity
	ReshapeDims       []int // nil = no reshape; 0 copies (unless ZeroIsPlaceholder false), -1 infers
	SecondTranspose   []int
	ZeroIsPlaceholder bool
	Reshape           bool // a reshape happens (ReshapeDims or input 1)
}

// ConcatParams joins inputs along Axis.
type ConcatParams struct{ Axis int }

// SplitParams splits input 0 along Axis into len(outputs) pieces of Sizes
// (equal pieces when Sizes is nil; input 1 may give sizes at run time).
type SplitParams struct {
	Axis  int
	Sizes []int
}

// SliceParams has ONNX Slice semantics: inputs x, starts, ends, [axes], [steps],
// all Int64/Int32 tensors (constants for static slices). Clamping as ONNX.
type SliceParams struct{}

// GatherMode is TensorRT's GatherMode.
type GatherMode uint8

// Gather modes.
const (
	GatherDefault GatherMode = iota
	GatherElements
	GatherND
)

// GatherParams: inputs data, indices (negative indices wrap).
type GatherParams struct {
	Mode      GatherMode
	Axis      int
	BatchDims int // ND
}

// ScatterMode selects the scatter.
type ScatterMode uint8

// Scatter modes.
const (
	ScatterElements ScatterMode = iota
	ScatterND
)

// ScatterReduction combines updates.
type ScatterReduction uint8

// Scatter reductions.
const (
	ScatterNone ScatterReduction = iota
	ScatterAdd
	ScatterMul
	ScatterMax
	ScatterMin
)

// ScatterParams: inputs data, indices, updates.
type ScatterParams struct {
	Mode      ScatterMode
	Axis      int
	Reduction ScatterReduction
}

// ResizeParams has ONNX Resize semantics: inputs x, [roi], [scales], [sizes]
// (absent optional inputs are nil). Scales/Sizes fields are used when the inputs
// are absent (TensorRT-style static configuration).
type ResizeParams struct {
	Mode                  string // "nearest", "linear", "cubic"
	CoordinateTransform   string // half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_crop_and_resize, half_pixel_symmetric
	NearestMode           string // round_prefer_floor, round_prefer_ceil, floor, ceil
	CubicCoeffA           float32
	ExcludeOutside        bool
	ExtrapolationValue    float32
	Antialias             bool
	Axes                  []int
	KeepAspectRatioPolicy string // stretch, not_larger, not_smaller
	Scales                []float32
	Sizes                 []int
}

// PaddingParams: inputs x, [pads (Int64 2*r or 2*len(axes))], [constant value], [axes].
// Pads/Value fields are used when the inputs are absent.
type PaddingParams struct {
	Mode  string // constant, reflect, edge, wrap
	Pads  []int  // begin..., end...
	Value float32
}

// SelectParams: inputs condition (Bool), then, else; broadcast.
type SelectParams struct{}

// ShapeParams: output Int64 [rank] = dims of input 0, sliced [Start, End) (ONNX Shape-15).
type ShapeParams struct {
	Start, End int
	HasEnd     bool
}

// FillOp selects the fill.
type FillOp uint8

// Fill operations.
const (
	FillConstant FillOp = iota // input 0: shape (Int64); Value of type Type
	FillRange                  // inputs start, limit, delta (scalars); ONNX Range
	FillEyeLike                // input 0 provides the shape; K diagonal offset
)

// FillParams configures the fill layer.
type FillParams struct {
	Op    FillOp
	Type  DataType
	Value float64
	K     int
}

// TopKParams: input x, optional input 1 = k. Outputs values, indices (Int64).
type TopKParams struct {
	K       int
	Axis    int
	Largest bool
	Sorted  bool
}

// ArgMinMaxParams: ONNX ArgMax/ArgMin. Output Int64.
type ArgMinMaxParams struct {
	Max             bool
	Axis            int
	KeepDims        bool
	SelectLastIndex bool
}

// CumulativeParams: inputs x, axis (scalar). Sum only.
type CumulativeParams struct {
	Exclusive, Reverse bool
}

// EinsumParams: any number of inputs.
type EinsumParams struct{ Equation string }

// RNNMode selects the cell.
type RNNMode uint8

// RNN cells.
const (
	RNNRelu RNNMode = iota // plain RNN (activations give the function)
	RNNLSTM
	RNNGRU
)

// RNNParams follows ONNX RNN/LSTM/GRU: inputs X, W, R, [B], [sequence_lens],
// [initial_h], [initial_c (LSTM)], [P (LSTM peepholes)]. Outputs Y, Y_h, [Y_c].
type RNNParams struct {
	Mode              RNNMode
	HiddenSize        int
	Direction         string // forward, reverse, bidirectional
	Activations       []string
	ActivationAlpha   []float32
	ActivationBeta    []float32
	Clip              float32 // 0 = none
	LinearBeforeReset bool    // GRU
	InputForget       bool    // LSTM
	Layout            int     // 0: [seq, batch, ...], 1: [batch, seq, ...]
}

// NonZeroParams: output Int64 [rank, nnz].
type NonZeroParams struct{}

// OneHotParams: inputs indices, depth (scalar), values ([off, on]).
type OneHotParams struct{ Axis int }

// TriluParams: inputs x, [k].
type TriluParams struct{ Upper bool }

// ExpandParams: inputs x, shape (Int64); numpy broadcast of x to shape.
type ExpandParams struct{}

// TileParams: inputs x, repeats (Int64).
type TileParams struct{}

func (*ConstantParams) kind() Kind    { return KindConstant }
func (*IdentityParams) kind() Kind    { return KindIdentity }
func (*CastParams) kind() Kind        { return KindCast }
func (*MatMulParams) kind() Kind      { return KindMatrixMultiply }
func (*ElementWiseParams) kind() Kind { return KindElementWise }
func (*UnaryParams) kind() Kind       { return KindUnary }
func (*ActivationParams) kind() Kind  { return KindActivation }
func (*PReLUParams) kind() Kind       { return KindParametricReLU }
func (*PoolingParams) kind() Kind     { return KindPooling }
func (*SoftmaxParams) kind() Kind     { return KindSoftmax }
func (*NormParams) kind() Kind        { return KindNormalization }
func (*ReduceParams) kind() Kind      { return KindReduce }
func (*ShuffleParams) kind() Kind     { return KindShuffle }
func (*ConcatParams) kind() Kind      { return KindConcatenation }
func (*SplitParams) kind() Kind       { return KindSplit }
func (*SliceParams) kind() Kind       { return KindSlice }
func (*GatherParams) kind() Kind      { return KindGather }
func (*ScatterParams) kind() Kind     { return KindScatter }
func (*ResizeParams) kind() Kind      { return KindResize }
func (*PaddingParams) kind() Kind     { return KindPadding }
func (*SelectParams) kind() Kind      { return KindSelect }
func (*ShapeParams) kind() Kind       { return KindShape }
func (*FillParams) kind() Kind        { return KindFill }
func (*TopKParams) kind() Kind        { return KindTopK }
func (*ArgMinMaxParams) kind() Kind   { return KindArgMinMax }
func (*CumulativeParams) kind() Kind  { return KindCumulative }
func (*EinsumParams) kind() Kind      { return KindEinsum }
func (*RNNParams) kind() Kind         { return KindRNN }
func (*NonZeroParams) kind() Kind     { return KindNonZero }
func (*OneHotParams) kind() Kind      { return KindOneHot }
func (*TriluParams) kind() Kind       { return KindTrilu }
func (*ExpandParams) kind() Kind      { return KindExpand }
func (*TileParams) kind() Kind        { return KindTile }

// DeconvParams wraps ConvParams for the deconvolution kind.
type DeconvParams struct{ ConvParams }

func (*ConvParams) kind() Kind   { return KindConvolution }
func (*DeconvParams) kind() Kind { return KindDeconvolution }
