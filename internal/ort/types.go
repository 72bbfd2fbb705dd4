package ort

import (
	"fmt"
	"runtime"
	"strings"

	onnx "github.com/yalue/onnxruntime_go"

	"github.com/gotrt/gotrt/tensor"
)

// ElementType is an ONNX tensor element type; the values are those of
// onnx.TensorProto.DataType (and of ONNX Runtime's ONNXTensorElementDataType).
type ElementType int32

// ONNX element types.
const (
	Undefined  ElementType = 0
	Float      ElementType = 1
	Uint8      ElementType = 2
	Int8       ElementType = 3
	Uint16     ElementType = 4
	Int16      ElementType = 5
	Int32      ElementType = 6
	Int64      ElementType = 7
	String     ElementType = 8
	Bool       ElementType = 9
	Float16    ElementType = 10
	Double     ElementType = 11
	Uint32     ElementType = 12
	Uint64     ElementType = 13
	Complex64  ElementType = 14
	Complex128 ElementType = 15
	BFloat16   ElementType = 16
)

// String is the lower-case ONNX name of the type ("float", "float16", ...).
func (e ElementType) String() string {
	s := onnx.TensorElementDataType(e).String()
	if rest, ok := strings.CutPrefix(s, "ONNX_TENSOR_ELEMENT_DATA_TYPE_"); ok {
		return strings.ToLower(rest)
	}
	return fmt.Sprintf("element type %d", int32(e))
}

// DataType is the host tensor type that holds elements of type e; ok is false
// when package tensor has none (uint16, int16, uint32, uint64, string, ...).
func (e ElementType) DataType() (t tensor.DataType, ok bool) {
	switch e {
	case Float:
		return tensor.Float, true
	case Float16:
		return tensor.Half, true
	case BFloat16:
		return tensor.BF16, true
	case Double:
		return tensor.Double, true
	case Int8:
		return tensor.Int8, true
	case Uint8:
		return tensor.UInt8, true
	case Int32:
		return tensor.Int32, true
	case Int64:
		return tensor.Int64, true
	case Bool:
		return tensor.Bool, true
	}
	return 0, false
}

// ElementTypeOf is the ONNX element type of host type t; ok is false for
// host types that this package cannot pass to ONNX Runtime (FP8, INT4).
func ElementTypeOf(t tensor.DataType) (e ElementType, ok bool) {
	switch t {
	case tensor.Float:
		return Float, true
	case tensor.Half:
		return Float16, true
	case tensor.BF16:
		return BFloat16, true
	case tensor.Double:
		return Double, true
	case tensor.Int8:
		return Int8, true
	case tensor.UInt8:
		return Uint8, true
	case tensor.Int32:
		return Int32, true
	case tensor.Int64:
		return Int64, true
	case tensor.Bool:
		return Bool, true
	}
	return Undefined, false
}

// IOInfo describes a model input or output as ONNX Runtime reports it.
type IOInfo struct {
	Name string
	// Kind is "tensor" for tensors; otherwise "sequence", "map", "optional",
	// "sparse_tensor", "opaque" or "unknown" (Run supports tensors only).
	Kind string
	// Type is the element type (tensors only).
	Type ElementType
	// Shape has -1 for dimensions that are symbolic or unknown. ONNX Runtime
	// reports scalars and tensors of unknown rank alike, as an empty shape.
	Shape []int64
}

// IsTensor reports whether the value is a dense tensor.
func (i IOInfo) IsTensor() bool { return i.Kind == "tensor" }

// Static reports whether every dimension of Shape is known.
func (i IOInfo) Static() bool {
	for _, d := range i.Shape {
		if d < 0 {
			return false
		}
	}
	return true
}

func (i IOInfo) String() string {
	if !i.IsTensor() {
		return fmt.Sprintf("%s (%s)", i.Name, i.Kind)
	}
	return fmt.Sprintf("%s (%s %v)", i.Name, i.Type, i.Shape)
}

func kindName(t onnx.ONNXType) string {
	switch t {
	case onnx.ONNXTypeTensor:
		return "tensor"
	case onnx.ONNXTypeSequence:
		return "sequence"
	case onnx.ONNXTypeMap:
		return "map"
	case onnx.ONNXTypeOpaque:
		return "opaque"
	case onnx.ONNXTypeSparseTensor:
		return "sparse_tensor"
	case onnx.ONNXTypeOptional:
		return "optional"
	}
	return "unknown"
}

func infoFrom(in []onnx.InputOutputInfo) []IOInfo {
	out := make([]IOInfo, len(in))
	for i, v := range in {
		out[i] = IOInfo{Name: v.Name, Kind: kindName(v.OrtValueType)}
		if out[i].IsTensor() {
			out[i].Type = ElementType(v.DataType)
			out[i].Shape = append([]int64{}, v.Dimensions...)
		}
	}
	return out
}

// GraphOptimization is ONNX Runtime's graph optimization level. The zero value
// is OptimizeAll, ONNX Runtime's own default.
type GraphOptimization int

// Graph optimization levels.
const (
	OptimizeAll      GraphOptimization = iota // ORT_ENABLE_ALL (default)
	OptimizeExtended                          // ORT_ENABLE_EXTENDED
	OptimizeBasic                             // ORT_ENABLE_BASIC
	OptimizeDisabled                          // ORT_DISABLE_ALL
)

func (g GraphOptimization) String() string {
	switch g {
	case OptimizeAll:
		return "all"
	case OptimizeExtended:
		return "extended"
	case OptimizeBasic:
		return "basic"
	case OptimizeDisabled:
		return "disabled"
	}
	return fmt.Sprintf("GraphOptimization(%d)", int(g))
}

func (g GraphOptimization) ort() (onnx.GraphOptimizationLevel, error) {
	switch g {
	case OptimizeAll:
		return onnx.GraphOptimizationLevelEnableAll, nil
	case OptimizeExtended:
		return onnx.GraphOptimizationLevelEnableExtended, nil
	case OptimizeBasic:
		return onnx.GraphOptimizationLevelEnableBasic, nil
	case OptimizeDisabled:
		return onnx.GraphOptimizationLevelDisableAll, nil
	}
	return 0, fmt.Errorf("ort: unknown graph optimization level %d", int(g))
}

type options struct {
	intraOpThreads int
	graphOpt       GraphOptimization
	name           string
}

// Option configures a Session.
type Option func(*options)

// WithIntraOpThreads sets the number of threads ONNX Runtime uses inside one
// operator. n <= 0 means runtime.NumCPU() (the default).
func WithIntraOpThreads(n int) Option { return func(o *options) { o.intraOpThreads = n } }

// WithGraphOptimization sets the graph optimization level (default
// OptimizeAll).
func WithGraphOptimization(g GraphOptimization) Option {
	return func(o *options) { o.graphOpt = g }
}

// WithName names the model in error messages (default: the file path for
// NewSessionFromFile, "model" otherwise).
func WithName(name string) Option { return func(o *options) { o.name = name } }

func (o *options) threads() int {
	if o.intraOpThreads > 0 {
		return o.intraOpThreads
	}
	return runtime.NumCPU()
}
