package onnxpb

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// Decode parses a serialized ONNX ModelProto. The result does not share
// memory with b. Following protobuf, an empty input is an empty model; use
// LoadFile for the checks a model file must pass (non-empty, has a graph).
func Decode(b []byte) (*Model, error) {
	d := decoder{}
	m := &Model{}
	if err := d.model(b, m); err != nil {
		return nil, fmt.Errorf("onnxpb: decode model: %w", err)
	}
	if err := validateModel(m); err != nil {
		return nil, fmt.Errorf("onnxpb: decode model: %w", err)
	}
	return m, nil
}

// DecodeTensor parses a serialized ONNX TensorProto (for example an
// input_0.pb file of the ONNX backend tests). The result does not share
// memory with b.
func DecodeTensor(b []byte) (*Tensor, error) {
	d := decoder{}
	t := &Tensor{}
	if err := d.tensor(b, t); err != nil {
		return nil, fmt.Errorf("onnxpb: decode tensor %s: %w", quoteName(peekString(b, 8)), err)
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("onnxpb: decode tensor %s: %w", quoteName(t.Name), err)
	}
	return t, nil
}

// decoder holds the options of one decoding run.
type decoder struct {
	// alias lets RawData share memory with the input (LoadFile owns its
	// buffer, so it saves a copy of the weights).
	alias bool
}

// fieldNames maps the field numbers of one message type to their names, for
// error messages.
type fieldNames map[protowire.Number]string

// field is one decoded field record.
type field struct {
	num  protowire.Number
	typ  protowire.Type
	name string
	raw  []byte // the whole record, tag included
	val  []byte // payload of a length-delimited field
	v    uint64 // value of a varint or fixed-size field
}

func wireName(t protowire.Type) string {
	switch t {
	case protowire.VarintType:
		return "varint"
	case protowire.Fixed32Type:
		return "fixed32"
	case protowire.Fixed64Type:
		return "fixed64"
	case protowire.BytesType:
		return "bytes"
	case protowire.StartGroupType:
		return "start-group"
	case protowire.EndGroupType:
		return "end-group"
	}
	return "reserved wire type " + strconv.Itoa(int(t))
}

func (f *field) label() string {
	if f.name != "" {
		return fmt.Sprintf("field %s (%d)", f.name, f.num)
	}
	return fmt.Sprintf("field %d", f.num)
}

func (f *field) errf(format string, args ...any) error {
	return malformed("%s: %s", f.label(), fmt.Sprintf(format, args...))
}

func (f *field) want(t protowire.Type) error {
	if f.typ != t {
		return f.errf("wire type %s, want %s", wireName(f.typ), wireName(t))
	}
	return nil
}

// walk calls fn for each field of the message in b; fields for which fn
// reports false are appended to *unknown (when unknown is not nil).
func walk(b []byte, names fieldNames, unknown *[]byte, fn func(f *field) (bool, error)) error {
	for off := 0; off < len(b); {
		rest := b[off:]
		num, typ, n := protowire.ConsumeTag(rest)
		if n < 0 {
			return malformed("bad field tag at byte %d: %v", off, parseError(n))
		}
		f := field{num: num, typ: typ, name: names[num]}
		var m int
		switch typ {
		case protowire.VarintType:
			f.v, m = protowire.ConsumeVarint(rest[n:])
		case protowire.Fixed32Type:
			var v uint32
			v, m = protowire.ConsumeFixed32(rest[n:])
			f.v = uint64(v)
		case protowire.Fixed64Type:
			f.v, m = protowire.ConsumeFixed64(rest[n:])
		case protowire.BytesType:
			f.val, m = protowire.ConsumeBytes(rest[n:])
		default: // groups, stray end-group markers, reserved wire types
			m = protowire.ConsumeFieldValue(num, typ, rest[n:])
		}
		if m < 0 {
			return malformed("%s at byte %d: %s value: %v", f.label(), off, wireName(typ), parseError(m))
		}
		f.raw = rest[: n+m : n+m]
		off += n + m
		handled, err := fn(&f)
		if err != nil {
			return err
		}
		if !handled && unknown != nil {
			*unknown = append(*unknown, f.raw...)
		}
	}
	return nil
}

// parseError describes a protowire error code.
func parseError(n int) string {
	err := protowire.ParseError(n)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated (unexpected EOF)"
	}
	return err.Error()
}

// Scalar accessors; each checks the wire type.

func (f *field) str() (string, error) {
	if err := f.want(protowire.BytesType); err != nil {
		return "", err
	}
	return string(f.val), nil
}

func (f *field) bytes(alias bool) ([]byte, error) {
	if err := f.want(protowire.BytesType); err != nil {
		return nil, err
	}
	if len(f.val) == 0 {
		return []byte{}, nil // present but empty: keep presence
	}
	if alias {
		return f.val[:len(f.val):len(f.val)], nil
	}
	return slices.Clone(f.val), nil
}

func (f *field) int64() (int64, error) {
	if err := f.want(protowire.VarintType); err != nil {
		return 0, err
	}
	return int64(f.v), nil
}

func (f *field) int32() (int32, error) {
	if err := f.want(protowire.VarintType); err != nil {
		return 0, err
	}
	return int32(f.v), nil // protobuf int32 semantics: low 32 bits
}

func (f *field) float32() (float32, error) {
	if err := f.want(protowire.Fixed32Type); err != nil {
		return 0, err
	}
	return math.Float32frombits(uint32(f.v)), nil
}

// Repeated scalars, accepted packed or unpacked. Packed payloads are counted
// before the slice grows, so the allocation is bounded by the input size.

func appendVarints[T any](f *field, dst []T, conv func(uint64) T) ([]T, error) {
	switch f.typ {
	case protowire.VarintType:
		return append(dst, conv(f.v)), nil
	case protowire.BytesType:
		n := 0
		for _, c := range f.val {
			if c < 0x80 {
				n++
			}
		}
		if n == 0 {
			if len(f.val) != 0 {
				return dst, f.errf("truncated packed varint")
			}
			return dst, nil
		}
		dst = slices.Grow(dst, n)
		for b := f.val; len(b) > 0; {
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return dst, f.errf("packed varint: %v", parseError(m))
			}
			dst = append(dst, conv(v))
			b = b[m:]
		}
		return dst, nil
	}
	return dst, f.errf("wire type %s, want varint or packed bytes", wireName(f.typ))
}

func appendFixed32s[T any](f *field, dst []T, conv func(uint32) T) ([]T, error) {
	switch f.typ {
	case protowire.Fixed32Type:
		return append(dst, conv(uint32(f.v))), nil
	case protowire.BytesType:
		if len(f.val)%4 != 0 {
			return dst, f.errf("packed fixed32 payload of %d bytes is not a multiple of 4", len(f.val))
		}
		if len(f.val) == 0 {
			return dst, nil
		}
		dst = slices.Grow(dst, len(f.val)/4)
		for b := f.val; len(b) > 0; b = b[4:] {
			v, _ := protowire.ConsumeFixed32(b)
			dst = append(dst, conv(v))
		}
		return dst, nil
	}
	return dst, f.errf("wire type %s, want fixed32 or packed bytes", wireName(f.typ))
}

func appendFixed64s[T any](f *field, dst []T, conv func(uint64) T) ([]T, error) {
	switch f.typ {
	case protowire.Fixed64Type:
		return append(dst, conv(f.v)), nil
	case protowire.BytesType:
		if len(f.val)%8 != 0 {
			return dst, f.errf("packed fixed64 payload of %d bytes is not a multiple of 8", len(f.val))
		}
		if len(f.val) == 0 {
			return dst, nil
		}
		dst = slices.Grow(dst, len(f.val)/8)
		for b := f.val; len(b) > 0; b = b[8:] {
			v, _ := protowire.ConsumeFixed64(b)
			dst = append(dst, conv(v))
		}
		return dst, nil
	}
	return dst, f.errf("wire type %s, want fixed64 or packed bytes", wireName(f.typ))
}

func toInt64(v uint64) int64     { return int64(v) }
func toInt32(v uint64) int32     { return int32(v) }
func toUint64(v uint64) uint64   { return v }
func toFloat32(v uint32) float32 { return math.Float32frombits(v) }
func toFloat64(v uint64) float64 { return math.Float64frombits(v) }
func quoteName(s string) string  { return strconv.Quote(shorten(s)) }

// errIn prefixes err with where it happened; nil stays nil. The nesting
// depth error is not prefixed: its path would repeat MaxGraphDepth times.
func errIn(what string, err error) error {
	if err == nil || errors.Is(err, errTooDeep) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

func shorten(s string) string {
	const max = 80
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// peekString returns the last string value of field num in the message b,
// scanning as far as the bytes are well formed. It names messages in errors
// when their decoding failed (a graph's name comes after its nodes).
func peekString(b []byte, num protowire.Number) string {
	s := ""
	for len(b) > 0 {
		n, typ, m := protowire.ConsumeField(b)
		if m < 0 {
			break
		}
		if n == num && typ == protowire.BytesType {
			_, _, t := protowire.ConsumeTag(b)
			v, k := protowire.ConsumeBytes(b[t:])
			if k >= 0 {
				s = string(v)
			}
		}
		b = b[m:]
	}
	return s
}

var modelFields = fieldNames{1: "ir_version", 2: "producer_name", 3: "producer_version", 4: "domain",
	5: "model_version", 6: "doc_string", 7: "graph", 8: "opset_import", 14: "metadata_props",
	20: "training_info", 25: "functions"}

func (d *decoder) model(b []byte, m *Model) error {
	return walk(b, modelFields, &m.Unknown, func(f *field) (bool, error) {
		var err error
		switch f.num {
		case 1:
			m.IRVersion, err = f.int64()
		case 2:
			m.ProducerName, err = f.str()
		case 3:
			m.ProducerVersion, err = f.str()
		case 4:
			m.Domain, err = f.str()
		case 5:
			m.ModelVersion, err = f.int64()
		case 6:
			m.DocString, err = f.str()
		case 7:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			if m.Graph == nil {
				m.Graph = &Graph{}
			}
			if err = d.graph(f.val, m.Graph, 1); err != nil {
				err = errIn("graph "+quoteName(peekString(f.val, 2)), err)
			}
		case 8:
			var o OpsetID
			if o, err = decodeOpset(f); err == nil {
				m.OpsetImports = append(m.OpsetImports, o)
			} else {
				err = errIn(fmt.Sprintf("opset_import %d", len(m.OpsetImports)), err)
			}
		case 14:
			var kv KeyValue
			if kv, err = decodeKeyValue(f); err == nil {
				m.MetadataProps = append(m.MetadataProps, kv)
			} else {
				err = errIn(fmt.Sprintf("metadata_props %d", len(m.MetadataProps)), err)
			}
		case 25:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			fn := &Function{}
			if err = d.function(f.val, fn); err != nil {
				err = errIn(fmt.Sprintf("function %d (%s)", len(m.Functions), quoteName(peekString(f.val, 1))), err)
				break
			}
			m.Functions = append(m.Functions, fn)
		default:
			return false, nil
		}
		return true, err
	})
}

var opsetFields = fieldNames{1: "domain", 2: "version"}

func decodeOpset(f *field) (OpsetID, error) {
	var o OpsetID
	if err := f.want(protowire.BytesType); err != nil {
		return o, err
	}
	err := walk(f.val, opsetFields, nil, func(g *field) (bool, error) {
		var err error
		switch g.num {
		case 1:
			o.Domain, err = g.str()
		case 2:
			o.Version, err = g.int64()
		default:
			return false, nil
		}
		return true, err
	})
	return o, err
}

var kvFields = fieldNames{1: "key", 2: "value"}

func decodeKeyValue(f *field) (KeyValue, error) {
	var kv KeyValue
	if err := f.want(protowire.BytesType); err != nil {
		return kv, err
	}
	err := walk(f.val, kvFields, nil, func(g *field) (bool, error) {
		var err error
		switch g.num {
		case 1:
			kv.Key, err = g.str()
		case 2:
			kv.Value, err = g.str()
		default:
			return false, nil
		}
		return true, err
	})
	return kv, err
}

var graphFields = fieldNames{1: "node", 2: "name", 5: "initializer", 10: "doc_string", 11: "input",
	12: "output", 13: "value_info", 14: "quantization_annotation", 15: "sparse_initializer", 16: "metadata_props"}

func (d *decoder) graph(b []byte, g *Graph, depth int) error {
	if depth > MaxGraphDepth {
		return errTooDeep
	}
	return walk(b, graphFields, &g.Unknown, func(f *field) (bool, error) {
		var err error
		switch f.num {
		case 1:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			n := &Node{}
			if err = d.node(f.val, n, depth); err != nil {
				err = errIn(fmt.Sprintf("node %d (%s)", len(g.Nodes), quoteName(peekString(f.val, 3))), err)
				break
			}
			g.Nodes = append(g.Nodes, n)
		case 2:
			g.Name, err = f.str()
		case 5:
			var t *Tensor
			if t, err = d.newTensor(f); err != nil {
				err = errIn(fmt.Sprintf("initializer %d (%s)", len(g.Initializers), quoteName(peekString(f.val, 8))), err)
				break
			}
			g.Initializers = append(g.Initializers, t)
		case 10:
			g.DocString, err = f.str()
		case 11, 12, 13:
			list := &g.Inputs
			if f.num == 12 {
				list = &g.Outputs
			} else if f.num == 13 {
				list = &g.ValueInfo
			}
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			v := &ValueInfo{}
			if err = decodeValueInfo(f.val, v); err != nil {
				err = errIn(fmt.Sprintf("%s %d (%s)", f.name, len(*list), quoteName(peekString(f.val, 1))), err)
				break
			}
			*list = append(*list, v)
		case 15:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			s := &SparseTensor{}
			if err = d.sparse(f.val, s); err != nil {
				err = errIn(fmt.Sprintf("sparse_initializer %d", len(g.SparseInitializers)), err)
				break
			}
			g.SparseInitializers = append(g.SparseInitializers, s)
		default:
			return false, nil
		}
		return true, err
	})
}

var nodeFields = fieldNames{1: "input", 2: "output", 3: "name", 4: "op_type", 5: "attribute", 6: "doc_string",
	7: "domain", 8: "overload", 9: "metadata_props", 10: "device_configurations"}

func (d *decoder) node(b []byte, n *Node, depth int) error {
	return walk(b, nodeFields, &n.Unknown, func(f *field) (bool, error) {
		var err error
		var s string
		switch f.num {
		case 1:
			if s, err = f.str(); err == nil {
				n.Inputs = append(n.Inputs, s)
			}
		case 2:
			if s, err = f.str(); err == nil {
				n.Outputs = append(n.Outputs, s)
			}
		case 3:
			n.Name, err = f.str()
		case 4:
			n.OpType, err = f.str()
		case 5:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			a := &Attribute{}
			if err = d.attribute(f.val, a, depth); err != nil {
				err = errIn("attribute "+quoteName(peekString(f.val, 1)), err)
				break
			}
			n.Attributes = append(n.Attributes, a)
		case 6:
			n.DocString, err = f.str()
		case 7:
			n.Domain, err = f.str()
		case 8:
			n.Overload, err = f.str()
		default:
			return false, nil
		}
		return true, err
	})
}

var attrFields = fieldNames{1: "name", 2: "f", 3: "i", 4: "s", 5: "t", 6: "g", 7: "floats", 8: "ints",
	9: "strings", 10: "tensors", 11: "graphs", 13: "doc_string", 14: "tp", 15: "type_protos", 20: "type",
	21: "ref_attr_name", 22: "sparse_tensor", 23: "sparse_tensors"}

func (d *decoder) attribute(b []byte, a *Attribute, depth int) error {
	return walk(b, attrFields, &a.Unknown, func(f *field) (bool, error) {
		var err error
		switch f.num {
		case 1:
			a.Name, err = f.str()
		case 2:
			a.F, err = f.float32()
		case 3:
			a.I, err = f.int64()
		case 4:
			a.S, err = f.bytes(false)
		case 5:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			if a.T == nil {
				a.T = &Tensor{}
			}
			if err = d.tensor(f.val, a.T); err != nil {
				err = errIn("t", err)
			}
		case 6:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			if a.G == nil {
				a.G = &Graph{}
			}
			if err = d.graph(f.val, a.G, depth+1); err != nil {
				err = errIn("graph "+quoteName(peekString(f.val, 2)), err)
			}
		case 7:
			a.Floats, err = appendFixed32s(f, a.Floats, toFloat32)
		case 8:
			a.Ints, err = appendVarints(f, a.Ints, toInt64)
		case 9:
			var s []byte
			if s, err = f.bytes(false); err == nil {
				a.Strings = append(a.Strings, s)
			}
		case 10:
			var t *Tensor
			if t, err = d.newTensor(f); err != nil {
				err = errIn(fmt.Sprintf("tensors[%d] (%s)", len(a.Tensors), quoteName(peekString(f.val, 8))), err)
				break
			}
			a.Tensors = append(a.Tensors, t)
		case 11:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			g := &Graph{}
			if err = d.graph(f.val, g, depth+1); err != nil {
				err = errIn(fmt.Sprintf("graphs[%d] (graph %s)", len(a.Graphs), quoteName(peekString(f.val, 2))), err)
				break
			}
			a.Graphs = append(a.Graphs, g)
		case 13:
			a.DocString, err = f.str()
		case 20:
			var t int32
			t, err = f.int32()
			a.Type = AttrType(t)
		case 21:
			a.RefAttrName, err = f.str()
		case 22:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			if a.SparseTensor == nil {
				a.SparseTensor = &SparseTensor{}
			}
			if err = d.sparse(f.val, a.SparseTensor); err != nil {
				err = errIn("sparse_tensor", err)
			}
		case 23:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			s := &SparseTensor{}
			if err = d.sparse(f.val, s); err != nil {
				err = errIn(fmt.Sprintf("sparse_tensors[%d]", len(a.SparseTensors)), err)
				break
			}
			a.SparseTensors = append(a.SparseTensors, s)
		default:
			return false, nil
		}
		return true, err
	})
}

var tensorFields = fieldNames{1: "dims", 2: "data_type", 3: "segment", 4: "float_data", 5: "int32_data",
	6: "string_data", 7: "int64_data", 8: "name", 9: "raw_data", 10: "double_data", 11: "uint64_data",
	12: "doc_string", 13: "external_data", 14: "data_location", 16: "metadata_props"}

func (d *decoder) newTensor(f *field) (*Tensor, error) {
	if err := f.want(protowire.BytesType); err != nil {
		return nil, err
	}
	t := &Tensor{}
	if err := d.tensor(f.val, t); err != nil {
		return nil, err
	}
	return t, nil
}

func (d *decoder) tensor(b []byte, t *Tensor) error {
	return walk(b, tensorFields, &t.Unknown, func(f *field) (bool, error) {
		var err error
		switch f.num {
		case 1:
			t.Dims, err = appendVarints(f, t.Dims, toInt64)
		case 2:
			var v int32
			v, err = f.int32()
			t.DataType = ElemType(v)
		case 4:
			t.FloatData, err = appendFixed32s(f, t.FloatData, toFloat32)
		case 5:
			t.Int32Data, err = appendVarints(f, t.Int32Data, toInt32)
		case 6:
			var s []byte
			if s, err = f.bytes(false); err == nil {
				t.StringData = append(t.StringData, s)
			}
		case 7:
			t.Int64Data, err = appendVarints(f, t.Int64Data, toInt64)
		case 8:
			t.Name, err = f.str()
		case 9:
			t.RawData, err = f.bytes(d.alias)
		case 10:
			t.DoubleData, err = appendFixed64s(f, t.DoubleData, toFloat64)
		case 11:
			t.Uint64Data, err = appendVarints(f, t.Uint64Data, toUint64)
		case 12:
			t.DocString, err = f.str()
		case 13:
			var kv KeyValue
			if kv, err = decodeKeyValue(f); err == nil {
				t.ExternalData = append(t.ExternalData, kv)
			} else {
				err = errIn(fmt.Sprintf("external_data %d", len(t.ExternalData)), err)
			}
		case 14:
			var v int32
			v, err = f.int32()
			t.DataLocation = DataLocation(v)
		default:
			return false, nil
		}
		return true, err
	})
}

var sparseFields = fieldNames{1: "values", 2: "indices", 3: "dims"}

func (d *decoder) sparse(b []byte, s *SparseTensor) error {
	return walk(b, sparseFields, &s.Unknown, func(f *field) (bool, error) {
		var err error
		switch f.num {
		case 1, 2:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			p := &s.Values
			if f.num == 2 {
				p = &s.Indices
			}
			if *p == nil {
				*p = &Tensor{}
			}
			if err = d.tensor(f.val, *p); err != nil {
				err = errIn(f.name, err)
			}
		case 3:
			s.Dims, err = appendVarints(f, s.Dims, toInt64)
		default:
			return false, nil
		}
		return true, err
	})
}

var valueInfoFields = fieldNames{1: "name", 2: "type", 3: "doc_string", 4: "metadata_props"}

func decodeValueInfo(b []byte, v *ValueInfo) error {
	var typ []byte // occurrences of the type field, concatenated (= merged)
	err := walk(b, valueInfoFields, &v.Unknown, func(f *field) (bool, error) {
		var err error
		switch f.num {
		case 1:
			v.Name, err = f.str()
		case 2:
			if err = f.want(protowire.BytesType); err == nil {
				typ = append(typ, f.val...)
			}
		case 3:
			v.DocString, err = f.str()
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil || typ == nil {
		return err
	}
	if err := decodeType(typ, v); err != nil {
		return errIn("type", err)
	}
	return nil
}

var typeFields = fieldNames{1: "tensor_type", 4: "sequence_type", 5: "map_type", 6: "denotation",
	7: "opaque_type", 8: "sparse_tensor_type", 9: "optional_type"}

// decodeType fills v from a TypeProto. Tensor and sparse tensor types are
// decoded into ElemType/Shape; anything else (or a tensor type with fields
// this package does not model) also keeps the bytes in RawType.
func decodeType(b []byte, v *ValueInfo) error {
	keepRaw := false
	var unknown []byte
	err := walk(b, typeFields, &unknown, func(f *field) (bool, error) {
		switch f.num {
		case 1, 4, 5, 7, 8, 9:
			if err := f.want(protowire.BytesType); err != nil {
				return true, err
			}
			kind := TypeKind(f.num)
			if kind != v.Kind { // a new oneof case replaces the old one
				v.ElemType, v.Shape, v.HasShape = 0, nil, false
			}
			v.Kind = kind
			if kind != TypeTensor && kind != TypeSparseTensor {
				keepRaw = true
				return true, nil
			}
			clean, err := decodeTensorType(f.val, v)
			if err != nil {
				return true, errIn(f.name, err)
			}
			keepRaw = keepRaw || !clean
		case 6:
			var err error
			v.Denotation, err = f.str()
			return true, err
		default:
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if keepRaw || len(unknown) > 0 {
		v.RawType = slices.Clone(b)
	} else {
		v.RawType = nil
	}
	return nil
}

var tensorTypeFields = fieldNames{1: "elem_type", 2: "shape"}
var shapeFields = fieldNames{1: "dim"}
var dimFields = fieldNames{1: "dim_value", 2: "dim_param", 3: "denotation"}

func decodeTensorType(b []byte, v *ValueInfo) (clean bool, err error) {
	var unknown []byte
	err = walk(b, tensorTypeFields, &unknown, func(f *field) (bool, error) {
		switch f.num {
		case 1:
			t, err := f.int32()
			v.ElemType = ElemType(t)
			return true, err
		case 2:
			if err := f.want(protowire.BytesType); err != nil {
				return true, err
			}
			v.HasShape = true
			err := walk(f.val, shapeFields, &unknown, func(g *field) (bool, error) {
				if g.num != 1 {
					return false, nil
				}
				if err := g.want(protowire.BytesType); err != nil {
					return true, err
				}
				var dim Dim
				err := walk(g.val, dimFields, &unknown, func(h *field) (bool, error) {
					var err error
					switch h.num {
					case 1:
						dim.Value, err = h.int64()
						dim.Known, dim.Param = true, ""
					case 2:
						dim.Param, err = h.str()
						dim.Known, dim.Value = false, 0
					case 3:
						dim.Denotation, err = h.str()
					default:
						return false, nil
					}
					return true, err
				})
				if err != nil {
					return true, errIn(fmt.Sprintf("dim %d", len(v.Shape)), err)
				}
				v.Shape = append(v.Shape, dim)
				return true, nil
			})
			return true, errIn("shape", err)
		}
		return false, nil
	})
	return len(unknown) == 0, err
}

var functionFields = fieldNames{1: "name", 4: "input", 5: "output", 6: "attribute", 7: "node", 8: "doc_string",
	9: "opset_import", 10: "domain", 11: "attribute_proto", 12: "value_info", 13: "overload", 14: "metadata_props"}

func (d *decoder) function(b []byte, fn *Function) error {
	return walk(b, functionFields, &fn.Unknown, func(f *field) (bool, error) {
		var err error
		var s string
		switch f.num {
		case 1:
			fn.Name, err = f.str()
		case 4:
			if s, err = f.str(); err == nil {
				fn.Inputs = append(fn.Inputs, s)
			}
		case 5:
			if s, err = f.str(); err == nil {
				fn.Outputs = append(fn.Outputs, s)
			}
		case 6:
			if s, err = f.str(); err == nil {
				fn.Attributes = append(fn.Attributes, s)
			}
		case 7:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			n := &Node{}
			if err = d.node(f.val, n, 1); err != nil {
				err = errIn(fmt.Sprintf("node %d (%s)", len(fn.Nodes), quoteName(peekString(f.val, 3))), err)
				break
			}
			fn.Nodes = append(fn.Nodes, n)
		case 8:
			fn.DocString, err = f.str()
		case 9:
			var o OpsetID
			if o, err = decodeOpset(f); err == nil {
				fn.OpsetImports = append(fn.OpsetImports, o)
			}
		case 10:
			fn.Domain, err = f.str()
		case 11:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			a := &Attribute{}
			if err = d.attribute(f.val, a, 1); err != nil {
				err = errIn("attribute_proto "+quoteName(peekString(f.val, 1)), err)
				break
			}
			fn.AttributeDef = append(fn.AttributeDef, a)
		case 12:
			if err = f.want(protowire.BytesType); err != nil {
				break
			}
			v := &ValueInfo{}
			if err = decodeValueInfo(f.val, v); err != nil {
				err = errIn(fmt.Sprintf("value_info %d (%s)", len(fn.ValueInfo), quoteName(peekString(f.val, 1))), err)
				break
			}
			fn.ValueInfo = append(fn.ValueInfo, v)
		case 13:
			fn.Overload, err = f.str()
		default:
			return false, nil
		}
		return true, err
	})
}
