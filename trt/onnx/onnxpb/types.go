package onnxpb

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of them (test with
// errors.Is) and add what is wrong and where.
var (
	// ErrMalformed: the bytes are not a valid encoding of the message, or
	// they violate an ONNX invariant that decoding checks (dims, data size,
	// nesting depth).
	ErrMalformed = errors.New("malformed ONNX protobuf")
	// ErrUnsupported: valid ONNX that this package cannot convert (e.g. a
	// STRING tensor to a host tensor).
	ErrUnsupported = errors.New("unsupported")
	// ErrUnsafePath: an external data location that is absolute or leaves the
	// model's directory.
	ErrUnsafePath = errors.New("external data path escapes the model directory")
	// ErrExternalData: external data that cannot be resolved (missing keys or
	// file, offset or length outside the file, wrong size).
	ErrExternalData = errors.New("bad external data")
	// ErrInvalid: a model or tensor given to Encode that cannot be encoded
	// (nil elements, nesting too deep).
	ErrInvalid = errors.New("invalid model")
)

// kindError is an error of one of the sentinel kinds whose message does
// not repeat the sentinel's text (the path and the problem say enough).
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// malformed returns an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return &kindError{kind: ErrMalformed, msg: fmt.Sprintf(format, args...)}
}

var errTooDeep = malformed("graphs nested more than %d deep", MaxGraphDepth)

// Limits applied while decoding and encoding.
const (
	// MaxGraphDepth is how deeply graphs may nest through GRAPH/GRAPHS
	// attributes (the main graph is depth 1).
	MaxGraphDepth = 64
	// MaxElements is the largest element count a tensor's dims may describe.
	MaxElements = 1 << 48
)

// ElemType is the element type of a tensor: the values of ONNX's
// TensorProto.DataType enum.
type ElemType int32

// ONNX element types.
const (
	ElemUndefined      ElemType = 0
	ElemFloat          ElemType = 1
	ElemUint8          ElemType = 2
	ElemInt8           ElemType = 3
	ElemUint16         ElemType = 4
	ElemInt16          ElemType = 5
	ElemInt32          ElemType = 6
	ElemInt64          ElemType = 7
	ElemString         ElemType = 8
	ElemBool           ElemType = 9
	ElemFloat16        ElemType = 10
	ElemDouble         ElemType = 11
	ElemUint32         ElemType = 12
	ElemUint64         ElemType = 13
	ElemComplex64      ElemType = 14
	ElemComplex128     ElemType = 15
	ElemBFloat16       ElemType = 16
	ElemFloat8E4M3FN   ElemType = 17
	ElemFloat8E4M3FNUZ ElemType = 18
	ElemFloat8E5M2     ElemType = 19
	ElemFloat8E5M2FNUZ ElemType = 20
	ElemUint4          ElemType = 21
	ElemInt4           ElemType = 22
	ElemFloat4E2M1     ElemType = 23
)

var elemNames = map[ElemType]string{
	ElemUndefined: "UNDEFINED", ElemFloat: "FLOAT", ElemUint8: "UINT8", ElemInt8: "INT8",
	ElemUint16: "UINT16", ElemInt16: "INT16", ElemInt32: "INT32", ElemInt64: "INT64",
	ElemString: "STRING", ElemBool: "BOOL", ElemFloat16: "FLOAT16", ElemDouble: "DOUBLE",
	ElemUint32: "UINT32", ElemUint64: "UINT64", ElemComplex64: "COMPLEX64",
	ElemComplex128: "COMPLEX128", ElemBFloat16: "BFLOAT16", ElemFloat8E4M3FN: "FLOAT8E4M3FN",
	ElemFloat8E4M3FNUZ: "FLOAT8E4M3FNUZ", ElemFloat8E5M2: "FLOAT8E5M2",
	ElemFloat8E5M2FNUZ: "FLOAT8E5M2FNUZ", ElemUint4: "UINT4", ElemInt4: "INT4",
	ElemFloat4E2M1: "FLOAT4E2M1",
}

// String returns the ONNX name of t ("FLOAT", "FLOAT16", ...).
func (t ElemType) String() string {
	if s, ok := elemNames[t]; ok {
		return s
	}
	return fmt.Sprintf("ElemType(%d)", int32(t))
}

// rawSize returns the number of raw_data bytes that n elements of type t
// occupy, and false where the size is not defined (STRING, unknown types).
func (t ElemType) rawSize(n int64) (int64, bool) {
	switch t {
	case ElemFloat, ElemInt32, ElemUint32:
		return n * 4, true
	case ElemUint8, ElemInt8, ElemBool, ElemFloat8E4M3FN, ElemFloat8E4M3FNUZ, ElemFloat8E5M2, ElemFloat8E5M2FNUZ:
		return n, true
	case ElemUint16, ElemInt16, ElemFloat16, ElemBFloat16:
		return n * 2, true
	case ElemInt64, ElemUint64, ElemDouble, ElemComplex64:
		return n * 8, true
	case ElemComplex128:
		return n * 16, true
	case ElemUint4, ElemInt4, ElemFloat4E2M1:
		return (n + 1) / 2, true
	}
	return 0, false
}

// typedField names the TensorProto field that holds non-raw data of type t,
// and the number of values it holds for n elements.
func (t ElemType) typedField(n int64) (field string, count int64, ok bool) {
	switch t {
	case ElemFloat:
		return "float_data", n, true
	case ElemComplex64:
		return "float_data", 2 * n, true
	case ElemInt32, ElemInt16, ElemInt8, ElemUint16, ElemUint8, ElemBool, ElemFloat16, ElemBFloat16,
		ElemFloat8E4M3FN, ElemFloat8E4M3FNUZ, ElemFloat8E5M2, ElemFloat8E5M2FNUZ:
		return "int32_data", n, true
	case ElemUint4, ElemInt4, ElemFloat4E2M1:
		return "int32_data", (n + 1) / 2, true
	case ElemString:
		return "string_data", n, true
	case ElemInt64:
		return "int64_data", n, true
	case ElemDouble:
		return "double_data", n, true
	case ElemComplex128:
		return "double_data", 2 * n, true
	case ElemUint32, ElemUint64:
		return "uint64_data", n, true
	}
	return "", 0, false
}

// DataLocation says where a tensor's data lives (TensorProto.DataLocation).
type DataLocation int32

// Data locations.
const (
	LocationDefault  DataLocation = 0
	LocationExternal DataLocation = 1
)

func (l DataLocation) String() string {
	switch l {
	case LocationDefault:
		return "DEFAULT"
	case LocationExternal:
		return "EXTERNAL"
	}
	return fmt.Sprintf("DataLocation(%d)", int32(l))
}

// AttrType is the type of an attribute (AttributeProto.AttributeType).
type AttrType int32

// Attribute types.
const (
	AttrUndefined     AttrType = 0
	AttrFloat         AttrType = 1
	AttrInt           AttrType = 2
	AttrString        AttrType = 3
	AttrTensor        AttrType = 4
	AttrGraph         AttrType = 5
	AttrFloats        AttrType = 6
	AttrInts          AttrType = 7
	AttrStrings       AttrType = 8
	AttrTensors       AttrType = 9
	AttrGraphs        AttrType = 10
	AttrSparseTensor  AttrType = 11
	AttrSparseTensors AttrType = 12
	AttrTypeProto     AttrType = 13
	AttrTypeProtos    AttrType = 14
)

var attrNames = [...]string{"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS",
	"STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"}

// String returns the ONNX name of t ("INT", "FLOATS", ...).
func (t AttrType) String() string {
	if t >= 0 && int(t) < len(attrNames) {
		return attrNames[t]
	}
	return fmt.Sprintf("AttrType(%d)", int32(t))
}

// TypeKind says which case of ONNX's TypeProto a value has.
type TypeKind int32

// Value kinds. The values are the field numbers of the TypeProto oneof.
const (
	TypeNone         TypeKind = 0 // no type information
	TypeTensor       TypeKind = 1
	TypeSequence     TypeKind = 4
	TypeMap          TypeKind = 5
	TypeOpaque       TypeKind = 7
	TypeSparseTensor TypeKind = 8
	TypeOptional     TypeKind = 9
)

func (k TypeKind) String() string {
	switch k {
	case TypeNone:
		return "none"
	case TypeTensor:
		return "tensor"
	case TypeSequence:
		return "sequence"
	case TypeMap:
		return "map"
	case TypeOpaque:
		return "opaque"
	case TypeSparseTensor:
		return "sparse_tensor"
	case TypeOptional:
		return "optional"
	}
	return fmt.Sprintf("TypeKind(%d)", int32(k))
}

// Model is an ONNX ModelProto.
type Model struct {
	IRVersion       int64
	OpsetImports    []OpsetID
	ProducerName    string
	ProducerVersion string
	Domain          string
	ModelVersion    int64
	DocString       string
	Graph           *Graph
	MetadataProps   []KeyValue
	Functions       []*Function
	// Unknown holds the wire bytes of fields this package does not model
	// (training_info, configuration, later additions); Encode writes them
	// back after the known fields.
	Unknown []byte
}

// OpsetID is an OperatorSetIdProto: an operator set domain ("" or "ai.onnx"
// for the default domain) and its version. Unknown fields are dropped.
type OpsetID struct {
	Domain  string
	Version int64
}

// KeyValue is a StringStringEntryProto. Unknown fields are dropped.
type KeyValue struct {
	Key, Value string
}

// Graph is an ONNX GraphProto.
type Graph struct {
	Name               string
	Nodes              []*Node
	Initializers       []*Tensor
	SparseInitializers []*SparseTensor
	Inputs             []*ValueInfo
	Outputs            []*ValueInfo
	ValueInfo          []*ValueInfo
	DocString          string
	// Unknown holds unmodelled fields (quantization_annotation,
	// metadata_props, later additions) as wire bytes.
	Unknown []byte
}

// Node is an ONNX NodeProto.
type Node struct {
	Name       string
	OpType     string
	Domain     string
	Overload   string // NodeProto.overload (IR 10): selects a function overload
	Inputs     []string
	Outputs    []string
	Attributes []*Attribute
	DocString  string
	Unknown    []byte // unmodelled fields (metadata_props, device_configurations, ...)
}

// Attribute is an ONNX AttributeProto. Type says which value field is in use;
// attributes written by IR version 1 producers may leave it UNDEFINED.
// Inside functions, RefAttrName makes the attribute a reference to an
// attribute of the calling node, and the value fields are unused.
type Attribute struct {
	Name          string
	Type          AttrType
	RefAttrName   string
	DocString     string
	F             float32
	I             int64
	S             []byte
	T             *Tensor
	G             *Graph
	SparseTensor  *SparseTensor
	Floats        []float32
	Ints          []int64
	Strings       [][]byte
	Tensors       []*Tensor
	Graphs        []*Graph
	SparseTensors []*SparseTensor
	Unknown       []byte // unmodelled fields (tp, type_protos, later additions)
}

// Tensor is an ONNX TensorProto. Data is in RawData (little-endian, as ONNX
// requires) or in the typed field that ONNX assigns to the element type
// (FloatData for FLOAT and COMPLEX64; Int32Data for INT32, INT16, INT8,
// UINT16, UINT8, BOOL, FLOAT16, BFLOAT16 and FLOAT8 types; Int64Data for
// INT64; DoubleData for DOUBLE and COMPLEX128; Uint64Data for UINT32 and
// UINT64; StringData for STRING). A tensor with DataLocation EXTERNAL keeps
// its data in a file named by ExternalData (keys location, offset, length,
// checksum); LoadFile reads it into RawData.
type Tensor struct {
	Name         string
	DataType     ElemType
	Dims         []int64
	RawData      []byte // nil: absent; non-nil (possibly empty): present
	FloatData    []float32
	Int32Data    []int32
	Int64Data    []int64
	DoubleData   []float64
	Uint64Data   []uint64
	StringData   [][]byte
	DataLocation DataLocation
	ExternalData []KeyValue
	DocString    string
	Unknown      []byte // unmodelled fields (segment, metadata_props, ...)
}

// SparseTensor is an ONNX SparseTensorProto: Values holds the non-default
// values (a 1-D tensor of NNZ elements), Indices their positions (an INT64
// tensor of shape [NNZ] with linearized indices, or [NNZ, rank]), and Dims
// the shape of the dense tensor. Converting sparse tensors is left to the
// importer, which may reject them.
type SparseTensor struct {
	Values  *Tensor
	Indices *Tensor
	Dims    []int64
	Unknown []byte
}

// Dim is one dimension of a value's shape: a known size (Known, Value), a
// symbolic size (Param), or unknown (neither).
type Dim struct {
	Value      int64
	Param      string
	Known      bool
	Denotation string
}

// ValueInfo is an ONNX ValueInfoProto: the name and type of a graph input,
// output or intermediate value.
//
// For tensor and sparse-tensor values, ElemType and Shape describe the type;
// HasShape is false when the type carries no shape at all (rank unknown),
// while a scalar has HasShape set and an empty Shape.
//
// RawType holds the TypeProto bytes verbatim when the type cannot be
// represented by the fields above: sequence, map, optional and opaque types,
// or a tensor type with fields this package does not model. When RawType is
// non-nil, Encode writes it instead of Kind/ElemType/Shape (ElemType and Shape
// are still filled for tensor kinds, for information); set it to nil after
// changing the type.
type ValueInfo struct {
	Name       string
	Kind       TypeKind
	ElemType   ElemType
	Shape      []Dim
	HasShape   bool
	Denotation string // TypeProto.denotation
	DocString  string
	RawType    []byte
	Unknown    []byte // unmodelled fields (metadata_props, ...)
}

// Function is an ONNX FunctionProto (model-local function).
type Function struct {
	Name         string
	Domain       string
	Overload     string
	Inputs       []string
	Outputs      []string
	Attributes   []string     // names of attributes without defaults
	AttributeDef []*Attribute // attribute_proto: attributes with default values
	Nodes        []*Node
	ValueInfo    []*ValueInfo
	OpsetImports []OpsetID
	DocString    string
	Unknown      []byte // unmodelled fields (metadata_props, ...)
}

// Volume returns the number of elements the dims describe (1 for a scalar),
// or an error if a dim is negative or the product exceeds MaxElements.
func Volume(dims []int64) (int64, error) {
	n := int64(1)
	for _, d := range dims {
		if d < 0 {
			return 0, malformed("negative dimension in %v", dims)
		}
		if d == 0 {
			n = 0
			continue
		}
		if n > MaxElements/d {
			return 0, malformed("dims %v describe more than %d elements", dims, int64(MaxElements))
		}
		n *= d
	}
	return n, nil
}

// ExternalValue returns the value of an external_data key, and whether it is
// present (the last occurrence wins).
func (t *Tensor) ExternalValue(key string) (string, bool) {
	v, ok := "", false
	for _, kv := range t.ExternalData {
		if kv.Key == key {
			v, ok = kv.Value, true
		}
	}
	return v, ok
}

// Validate checks the tensor's dims and, unless the data is external, that
// the inline data (RawData if present, otherwise the typed field for the
// element type) holds exactly as many elements as the dims describe. A tensor
// without any inline data passes (ToHost reports it). Decode validates every
// tensor it reads.
func (t *Tensor) Validate() error {
	n, err := Volume(t.Dims)
	if err != nil {
		return err
	}
	if t.DataLocation == LocationExternal {
		return nil
	}
	if t.RawData != nil {
		want, ok := t.DataType.rawSize(n)
		if ok && int64(len(t.RawData)) != want {
			return malformed("%v tensor with dims %v needs %d bytes of raw_data, has %d", t.DataType, t.Dims, want, len(t.RawData))
		}
		return nil
	}
	field, want, ok := t.DataType.typedField(n)
	if !ok {
		return nil
	}
	got := t.typedLen(field)
	if got != 0 && got != want {
		return malformed("%v tensor with dims %v needs %d values in %s, has %d", t.DataType, t.Dims, want, field, got)
	}
	return nil
}

func (t *Tensor) typedLen(field string) int64 {
	switch field {
	case "float_data":
		return int64(len(t.FloatData))
	case "int32_data":
		return int64(len(t.Int32Data))
	case "int64_data":
		return int64(len(t.Int64Data))
	case "double_data":
		return int64(len(t.DoubleData))
	case "uint64_data":
		return int64(len(t.Uint64Data))
	case "string_data":
		return int64(len(t.StringData))
	}
	return 0
}
