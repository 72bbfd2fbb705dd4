// Package trt is gotrt's TensorRT-shaped API: define a network (or import one
// from ONNX), configure a builder with precision flags and per-layer precision
// constraints, build an engine for a backend (the pure-Go CPU reference or
// CUDA), inspect it, serialize it and run it.
//
// The concepts and names follow TensorRT 10: Builder, Network, Tensor, Layer,
// BuilderConfig (FP16, BF16, TF32 flags; precision constraints None, Prefer,
// Obey), Engine, ExecutionContext, the engine inspector and the profiler.
package trt

import (
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/x448/float16"
)

// DataType is an element type (TensorRT's nvinfer1::DataType).
type DataType = tensor.DataType

// Element types.
const (
	Float = tensor.Float
	Half  = tensor.Half
	Int8  = tensor.Int8
	Int32 = tensor.Int32
	Bool  = tensor.Bool
	UInt8 = tensor.UInt8
	BF16  = tensor.BF16
	Int64 = tensor.Int64
)

// Dims are tensor dimensions; -1 marks a dimension known only at run time.
type Dims []int

func (d Dims) String() string { return ir.DimsString(d) }

// LayerKind is the kind of a layer (TensorRT's LayerType).
type LayerKind = ir.Kind

// Layer kinds.
const (
	LayerConstant       = ir.KindConstant
	LayerIdentity       = ir.KindIdentity
	LayerCast           = ir.KindCast
	LayerConvolution    = ir.KindConvolution
	LayerDeconvolution  = ir.KindDeconvolution
	LayerMatrixMultiply = ir.KindMatrixMultiply
	LayerElementWise    = ir.KindElementWise
	LayerUnary          = ir.KindUnary
	LayerActivation     = ir.KindActivation
	LayerParametricReLU = ir.KindParametricReLU
	LayerPooling        = ir.KindPooling
	LayerSoftmax        = ir.KindSoftmax
	LayerNormalization  = ir.KindNormalization
	LayerReduce         = ir.KindReduce
	LayerShuffle        = ir.KindShuffle
	LayerConcatenation  = ir.KindConcatenation
	LayerSplit          = ir.KindSplit
	LayerSlice          = ir.KindSlice
	LayerGather         = ir.KindGather
	LayerScatter        = ir.KindScatter
	LayerResize         = ir.KindResize
	LayerPadding        = ir.KindPadding
	LayerSelect         = ir.KindSelect
	LayerShape          = ir.KindShape
	LayerFill           = ir.KindFill
	LayerTopK           = ir.KindTopK
	LayerArgMinMax      = ir.KindArgMinMax
	LayerCumulative     = ir.KindCumulative
	LayerEinsum         = ir.KindEinsum
	LayerRNN            = ir.KindRNN
	LayerNonZero        = ir.KindNonZero
	LayerOneHot         = ir.KindOneHot
	LayerTrilu          = ir.KindTrilu
	LayerExpand         = ir.KindExpand
	LayerTile           = ir.KindTile
)

// Operation enums, re-exported from the network representation.
type (
	ElementWiseOperation = ir.ElementWiseOp
	UnaryOperation       = ir.UnaryOp
	ActivationType       = ir.ActivationType
	PoolingType          = ir.PoolingType
	ReduceOperation      = ir.ReduceOp
	MatrixOperation      = ir.MatrixOp
	GatherMode           = ir.GatherMode
	ScatterMode          = ir.ScatterMode
	ScatterReduction     = ir.ScatterReduction
	NormalizationKind    = ir.NormKind
	SoftmaxMode          = ir.SoftmaxMode
	RNNMode              = ir.RNNMode
	FillOperation        = ir.FillOp
)

// Element-wise operations.
const (
	ElementWiseSum            = ir.EwSum
	ElementWiseProd           = ir.EwProd
	ElementWiseMax            = ir.EwMax
	ElementWiseMin            = ir.EwMin
	ElementWiseSub            = ir.EwSub
	ElementWiseDiv            = ir.EwDiv
	ElementWisePow            = ir.EwPow
	ElementWiseFloorDiv       = ir.EwFloorDiv
	ElementWiseAnd            = ir.EwAnd
	ElementWiseOr             = ir.EwOr
	ElementWiseXor            = ir.EwXor
	ElementWiseEqual          = ir.EwEqual
	ElementWiseGreater        = ir.EwGreater
	ElementWiseLess           = ir.EwLess
	ElementWiseGreaterOrEqual = ir.EwGreaterOrEqual
	ElementWiseLessOrEqual    = ir.EwLessOrEqual
	ElementWiseMod            = ir.EwMod
	ElementWiseFMod           = ir.EwFMod
	ElementWiseBitShiftLeft   = ir.EwBitShiftLeft
	ElementWiseBitShiftRight  = ir.EwBitShiftRight
)

// Unary operations.
const (
	UnaryExp   = ir.UnExp
	UnaryLog   = ir.UnLog
	UnarySqrt  = ir.UnSqrt
	UnaryRecip = ir.UnRecip
	UnaryAbs   = ir.UnAbs
	UnaryNeg   = ir.UnNeg
	UnarySin   = ir.UnSin
	UnaryCos   = ir.UnCos
	UnaryTan   = ir.UnTan
	UnarySinh  = ir.UnSinh
	UnaryCosh  = ir.UnCosh
	UnaryAsin  = ir.UnAsin
	UnaryAcos  = ir.UnAcos
	UnaryAtan  = ir.UnAtan
	UnaryAsinh = ir.UnAsinh
	UnaryAcosh = ir.UnAcosh
	UnaryAtanh = ir.UnAtanh
	UnaryCeil  = ir.UnCeil
	UnaryFloor = ir.UnFloor
	UnaryErf   = ir.UnErf
	UnaryNot   = ir.UnNot
	UnarySign  = ir.UnSign
	UnaryRound = ir.UnRound
	UnaryIsInf = ir.UnIsInf
	UnaryIsNaN = ir.UnIsNaN
)

// Activation types.
const (
	ActivationRelu            = ir.ActRelu
	ActivationSigmoid         = ir.ActSigmoid
	ActivationTanh            = ir.ActTanh
	ActivationLeakyRelu       = ir.ActLeakyRelu
	ActivationElu             = ir.ActElu
	ActivationSelu            = ir.ActSelu
	ActivationSoftsign        = ir.ActSoftsign
	ActivationSoftplus        = ir.ActSoftplus
	ActivationClip            = ir.ActClip
	ActivationHardSigmoid     = ir.ActHardSigmoid
	ActivationScaledTanh      = ir.ActScaledTanh
	ActivationThresholdedRelu = ir.ActThresholdedRelu
	ActivationGeluErf         = ir.ActGeluErf
	ActivationGeluTanh        = ir.ActGeluTanh
	ActivationCelu            = ir.ActCelu
	ActivationMish            = ir.ActMish
	ActivationHardSwish       = ir.ActHardSwish
	ActivationShrink          = ir.ActShrink
)

// Pooling types.
const (
	PoolingMax     = ir.PoolMax
	PoolingAverage = ir.PoolAverage
	PoolingLp      = ir.PoolLp
)

// Reduce operations.
const (
	ReduceSum       = ir.ReduceSum
	ReduceProd      = ir.ReduceProd
	ReduceMax       = ir.ReduceMax
	ReduceMin       = ir.ReduceMin
	ReduceAvg       = ir.ReduceMean
	ReduceL1        = ir.ReduceL1
	ReduceL2        = ir.ReduceL2
	ReduceLogSum    = ir.ReduceLogSum
	ReduceLogSumExp = ir.ReduceLogSumExp
	ReduceSumSquare = ir.ReduceSumSquare
)

// Matrix operations.
const (
	MatrixOpNone      = ir.MatNone
	MatrixOpTranspose = ir.MatTranspose
	MatrixOpVector    = ir.MatVector
)

// Gather modes.
const (
	GatherModeDefault  = ir.GatherDefault
	GatherModeElements = ir.GatherElements
	GatherModeND       = ir.GatherND
)

// Scatter modes and reductions.
const (
	ScatterModeElements = ir.ScatterElements
	ScatterModeND       = ir.ScatterND
	ScatterReduceNone   = ir.ScatterNone
	ScatterReduceAdd    = ir.ScatterAdd
	ScatterReduceMul    = ir.ScatterMul
	ScatterReduceMax    = ir.ScatterMax
	ScatterReduceMin    = ir.ScatterMin
)

// Normalization kinds.
const (
	NormKindBatch        = ir.NormBatch
	NormKindInstance     = ir.NormInstance
	NormKindLayer        = ir.NormLayer
	NormKindGroup        = ir.NormGroup
	NormKindLRN          = ir.NormLRN
	NormKindLp           = ir.NormLp
	NormKindMeanVariance = ir.NormMeanVariance
)

// Softmax modes.
const (
	SoftmaxNormal  = ir.SoftmaxNormal
	SoftmaxLog     = ir.SoftmaxLog
	SoftmaxHardmax = ir.SoftmaxHardmax
)

// RNN cells.
const (
	RNNVanilla = ir.RNNRelu
	RNNLSTM    = ir.RNNLSTM
	RNNGRU     = ir.RNNGRU
)

// Fill operations.
const (
	FillConstant = ir.FillConstant
	FillRange    = ir.FillRange
	FillEyeLike  = ir.FillEyeLike
)

// Weights are constant values handed to the network (kernels, biases,
// constants). Use the constructors.
type Weights struct {
	Type DataType
	f    []float32
	i    []int64
}

// FloatWeights makes FP32 weights.
func FloatWeights(v []float32) Weights { return Weights{Type: Float, f: v} }

// HalfWeights makes FP16 weights.
func HalfWeights(v []float16.Float16) Weights {
	f := make([]float32, len(v))
	for i, h := range v {
		f[i] = h.Float32()
	}
	return Weights{Type: Half, f: f}
}

// Int32Weights makes INT32 weights.
func Int32Weights(v []int32) Weights {
	w := Weights{Type: Int32, i: make([]int64, len(v))}
	for i, x := range v {
		w.i[i] = int64(x)
	}
	return w
}

// Int64Weights makes INT64 weights.
func Int64Weights(v []int64) Weights { return Weights{Type: Int64, i: v} }

// BoolWeights makes BOOL weights.
func BoolWeights(v []bool) Weights {
	w := Weights{Type: Bool, i: make([]int64, len(v))}
	for i, x := range v {
		if x {
			w.i[i] = 1
		}
	}
	return w
}

// WeightsFromHost converts a host tensor's data to weights.
func WeightsFromHost(t *tensor.Tensor) (Weights, error) {
	d, err := toData(t)
	if err != nil {
		return Weights{}, err
	}
	return Weights{Type: d.Type, f: d.F, i: d.I}, nil
}

// Count is the number of values.
func (w Weights) Count() int {
	if ir.IsIntLike(w.Type) {
		return len(w.i)
	}
	return len(w.f)
}

// IsEmpty reports whether w holds no values (an absent bias).
func (w Weights) IsEmpty() bool { return w.Count() == 0 }

func (w Weights) data(dims []int) *ir.Data {
	return &ir.Data{Type: w.Type, Dims: append([]int{}, dims...), F: w.f, I: w.i}
}

// Errors returned by the builder and the runtime. Use errors.Is.
var (
	ErrInvalidNetwork = errors.New("invalid network")
	ErrBuild          = errors.New("build failed")
	ErrPrecision      = errors.New("precision constraint cannot be honoured")
	ErrInvalidInput   = errors.New("invalid input")
	ErrBadPlan        = errors.New("invalid or damaged engine plan")
	ErrClosed         = errors.New("use of a closed object")
	ErrBackend        = errors.New("backend not available")
)

// Severity is a log message's severity (TensorRT's ILogger::Severity).
type Severity int

// Severities.
const (
	SeverityInternalError Severity = iota
	SeverityError
	SeverityWarning
	SeverityInfo
	SeverityVerbose
)

func (s Severity) String() string {
	return [...]string{"F", "E", "W", "I", "V"}[s]
}

// Logger receives builder and runtime messages.
type Logger interface {
	Log(s Severity, msg string)
}

// LoggerFunc adapts a function to Logger.
type LoggerFunc func(s Severity, msg string)

// Log calls f.
func (f LoggerFunc) Log(s Severity, msg string) { f(s, msg) }

type nopLogger struct{}

func (nopLogger) Log(Severity, string) {}

func logf(l Logger, s Severity, format string, args ...any) {
	if l != nil {
		l.Log(s, fmt.Sprintf(format, args...))
	}
}
