package onnxpb

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Encode serializes m as an ONNX ModelProto. Fields are written in field
// number order (as the reference protobuf implementation does), zero scalars
// and empty strings are omitted, nil byte slices are absent and non-nil ones
// present, and Unknown bytes follow the known fields of each message.
func Encode(m *Model) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("onnxpb: encode: %w: nil model", ErrInvalid)
	}
	b, err := encodeMsg(func(e *encoder) { e.model(m) })
	if err != nil {
		return nil, fmt.Errorf("onnxpb: encode model: %w", err)
	}
	return b, nil
}

// EncodeTensor serializes t as an ONNX TensorProto.
func EncodeTensor(t *Tensor) ([]byte, error) {
	if t == nil {
		return nil, fmt.Errorf("onnxpb: encode: %w: nil tensor", ErrInvalid)
	}
	b, err := encodeMsg(func(e *encoder) { e.tensor(t) })
	if err != nil {
		return nil, fmt.Errorf("onnxpb: encode tensor %s: %w", quoteName(t.Name), err)
	}
	return b, nil
}

func encodeMsg(fn func(e *encoder)) ([]byte, error) {
	s := &encoder{sizing: true}
	fn(s)
	if s.err != nil {
		return nil, s.err
	}
	e := &encoder{buf: make([]byte, 0, s.size)}
	fn(e)
	if e.err != nil {
		return nil, e.err
	}
	if len(e.buf) != s.size {
		return nil, fmt.Errorf("internal error: encoded %d bytes, sized %d", len(e.buf), s.size)
	}
	return e.buf, nil
}

// encoder writes messages in one of two modes: sizing (counting bytes only)
// and appending. A nested message is sized first so that its length prefix
// can be written before it; payloads are never copied twice.
type encoder struct {
	sizing bool
	size   int
	buf    []byte
	err    error
	depth  int // graph nesting
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
}

func (e *encoder) tag(num protowire.Number, typ protowire.Type) {
	if e.sizing {
		e.size += protowire.SizeTag(num)
	} else {
		e.buf = protowire.AppendTag(e.buf, num, typ)
	}
}

func (e *encoder) rawVarint(v uint64) {
	if e.sizing {
		e.size += protowire.SizeVarint(v)
	} else {
		e.buf = protowire.AppendVarint(e.buf, v)
	}
}

func (e *encoder) varint(num protowire.Number, v uint64) {
	e.tag(num, protowire.VarintType)
	e.rawVarint(v)
}

// int32 fields are sign-extended to 64 bits on the wire, as protobuf does.
func (e *encoder) int32(num protowire.Number, v int32) { e.varint(num, uint64(int64(v))) }

func (e *encoder) fixed32(num protowire.Number, v uint32) {
	e.tag(num, protowire.Fixed32Type)
	if e.sizing {
		e.size += 4
	} else {
		e.buf = protowire.AppendFixed32(e.buf, v)
	}
}

func (e *encoder) bytes(num protowire.Number, b []byte) {
	e.tag(num, protowire.BytesType)
	if e.sizing {
		e.size += protowire.SizeBytes(len(b))
	} else {
		e.buf = protowire.AppendBytes(e.buf, b)
	}
}

func (e *encoder) str(num protowire.Number, s string) {
	e.tag(num, protowire.BytesType)
	if e.sizing {
		e.size += protowire.SizeBytes(len(s))
	} else {
		e.buf = protowire.AppendString(e.buf, s)
	}
}

// optStr writes s unless it is empty.
func (e *encoder) optStr(num protowire.Number, s string) {
	if s != "" {
		e.str(num, s)
	}
}

func (e *encoder) raw(b []byte) {
	if e.sizing {
		e.size += len(b)
	} else {
		e.buf = append(e.buf, b...)
	}
}

// msg writes a length-delimited submessage whose fields fn writes.
func (e *encoder) msg(num protowire.Number, fn func(e *encoder)) {
	if e.err != nil {
		return
	}
	if e.sizing {
		before := e.size
		fn(e)
		inner := e.size - before
		e.size += protowire.SizeTag(num) + protowire.SizeVarint(uint64(inner))
		return
	}
	s := &encoder{sizing: true, depth: e.depth}
	fn(s)
	if s.err != nil {
		e.err = s.err
		return
	}
	e.tag(num, protowire.BytesType)
	e.rawVarint(uint64(s.size))
	start := len(e.buf)
	fn(e)
	if e.err == nil && len(e.buf)-start != s.size {
		e.err = fmt.Errorf("internal error: field %d encoded as %d bytes, sized %d", num, len(e.buf)-start, s.size)
	}
}

func packedVarints[T int32 | int64 | uint64](e *encoder, num protowire.Number, vs []T) {
	if len(vs) == 0 {
		return
	}
	n := 0
	for _, v := range vs {
		n += protowire.SizeVarint(uint64(int64(v)))
	}
	e.tag(num, protowire.BytesType)
	e.rawVarint(uint64(n))
	if e.sizing {
		e.size += n
		return
	}
	for _, v := range vs {
		e.buf = protowire.AppendVarint(e.buf, uint64(int64(v)))
	}
}

func (e *encoder) packedFloat32s(num protowire.Number, vs []float32) {
	if len(vs) == 0 {
		return
	}
	e.tag(num, protowire.BytesType)
	e.rawVarint(uint64(4 * len(vs)))
	if e.sizing {
		e.size += 4 * len(vs)
		return
	}
	for _, v := range vs {
		e.buf = protowire.AppendFixed32(e.buf, math.Float32bits(v))
	}
}

func (e *encoder) packedFloat64s(num protowire.Number, vs []float64) {
	if len(vs) == 0 {
		return
	}
	e.tag(num, protowire.BytesType)
	e.rawVarint(uint64(8 * len(vs)))
	if e.sizing {
		e.size += 8 * len(vs)
		return
	}
	for _, v := range vs {
		e.buf = protowire.AppendFixed64(e.buf, math.Float64bits(v))
	}
}

func (e *encoder) model(m *Model) {
	if m.IRVersion != 0 {
		e.varint(1, uint64(m.IRVersion))
	}
	e.optStr(2, m.ProducerName)
	e.optStr(3, m.ProducerVersion)
	e.optStr(4, m.Domain)
	if m.ModelVersion != 0 {
		e.varint(5, uint64(m.ModelVersion))
	}
	e.optStr(6, m.DocString)
	if m.Graph != nil {
		e.msg(7, func(e *encoder) { e.graph(m.Graph) })
	}
	for _, o := range m.OpsetImports {
		e.msg(8, func(e *encoder) { e.opset(o) })
	}
	for _, kv := range m.MetadataProps {
		e.msg(14, func(e *encoder) { e.keyValue(kv) })
	}
	for i, fn := range m.Functions {
		if fn == nil {
			e.fail("function %d is nil", i)
			return
		}
		e.msg(25, func(e *encoder) { e.function(fn) })
	}
	e.raw(m.Unknown)
}

func (e *encoder) opset(o OpsetID) {
	e.str(1, o.Domain)
	e.varint(2, uint64(o.Version))
}

func (e *encoder) keyValue(kv KeyValue) {
	e.str(1, kv.Key)
	e.str(2, kv.Value)
}

func (e *encoder) graph(g *Graph) {
	if e.depth >= MaxGraphDepth {
		e.fail("graphs nested more than %d deep (or a graph contains itself)", MaxGraphDepth)
		return
	}
	e.depth++
	defer func() { e.depth-- }()
	for i, n := range g.Nodes {
		if n == nil {
			e.fail("graph %s: node %d is nil", quoteName(g.Name), i)
			return
		}
		e.msg(1, func(e *encoder) { e.node(n) })
	}
	e.optStr(2, g.Name)
	for i, t := range g.Initializers {
		if t == nil {
			e.fail("graph %s: initializer %d is nil", quoteName(g.Name), i)
			return
		}
		e.msg(5, func(e *encoder) { e.tensor(t) })
	}
	e.optStr(10, g.DocString)
	for num, list := range [][]*ValueInfo{11: g.Inputs, 12: g.Outputs, 13: g.ValueInfo} {
		for i, v := range list {
			if v == nil {
				e.fail("graph %s: %s %d is nil", quoteName(g.Name), graphFields[protowire.Number(num)], i)
				return
			}
			e.msg(protowire.Number(num), func(e *encoder) { e.valueInfo(v) })
		}
	}
	for i, s := range g.SparseInitializers {
		if s == nil {
			e.fail("graph %s: sparse_initializer %d is nil", quoteName(g.Name), i)
			return
		}
		e.msg(15, func(e *encoder) { e.sparse(s) })
	}
	e.raw(g.Unknown)
}

func (e *encoder) node(n *Node) {
	for _, s := range n.Inputs {
		e.str(1, s) // positional: empty names (omitted optional inputs) are kept
	}
	for _, s := range n.Outputs {
		e.str(2, s)
	}
	e.optStr(3, n.Name)
	e.optStr(4, n.OpType)
	for i, a := range n.Attributes {
		if a == nil {
			e.fail("node %s: attribute %d is nil", quoteName(n.Name), i)
			return
		}
		e.msg(5, func(e *encoder) { e.attribute(a) })
	}
	e.optStr(6, n.DocString)
	e.optStr(7, n.Domain)
	e.optStr(8, n.Overload)
	e.raw(n.Unknown)
}

func (e *encoder) attribute(a *Attribute) {
	e.optStr(1, a.Name)
	if math.Float32bits(a.F) != 0 || a.Type == AttrFloat {
		e.fixed32(2, math.Float32bits(a.F))
	}
	if a.I != 0 || a.Type == AttrInt {
		e.varint(3, uint64(a.I))
	}
	if a.S != nil {
		e.bytes(4, a.S)
	}
	if a.T != nil {
		e.msg(5, func(e *encoder) { e.tensor(a.T) })
	}
	if a.G != nil {
		e.msg(6, func(e *encoder) { e.graph(a.G) })
	}
	for _, f := range a.Floats { // proto2 repeated scalars without [packed]: unpacked
		e.fixed32(7, math.Float32bits(f))
	}
	for _, v := range a.Ints {
		e.varint(8, uint64(v))
	}
	for _, s := range a.Strings {
		e.bytes(9, s)
	}
	for i, t := range a.Tensors {
		if t == nil {
			e.fail("attribute %s: tensors[%d] is nil", quoteName(a.Name), i)
			return
		}
		e.msg(10, func(e *encoder) { e.tensor(t) })
	}
	for i, g := range a.Graphs {
		if g == nil {
			e.fail("attribute %s: graphs[%d] is nil", quoteName(a.Name), i)
			return
		}
		e.msg(11, func(e *encoder) { e.graph(g) })
	}
	e.optStr(13, a.DocString)
	if a.Type != 0 {
		e.int32(20, int32(a.Type))
	}
	e.optStr(21, a.RefAttrName)
	if a.SparseTensor != nil {
		e.msg(22, func(e *encoder) { e.sparse(a.SparseTensor) })
	}
	for i, s := range a.SparseTensors {
		if s == nil {
			e.fail("attribute %s: sparse_tensors[%d] is nil", quoteName(a.Name), i)
			return
		}
		e.msg(23, func(e *encoder) { e.sparse(s) })
	}
	e.raw(a.Unknown)
}

func (e *encoder) tensor(t *Tensor) {
	for _, d := range t.Dims { // proto2 `repeated int64 dims = 1` is not packed
		e.varint(1, uint64(d))
	}
	if t.DataType != 0 {
		e.int32(2, int32(t.DataType))
	}
	e.packedFloat32s(4, t.FloatData)
	packedVarints(e, 5, t.Int32Data)
	for _, s := range t.StringData {
		e.bytes(6, s)
	}
	packedVarints(e, 7, t.Int64Data)
	e.optStr(8, t.Name)
	if t.RawData != nil {
		e.bytes(9, t.RawData)
	}
	e.packedFloat64s(10, t.DoubleData)
	packedVarints(e, 11, t.Uint64Data)
	e.optStr(12, t.DocString)
	for _, kv := range t.ExternalData {
		e.msg(13, func(e *encoder) { e.keyValue(kv) })
	}
	if t.DataLocation != 0 {
		e.int32(14, int32(t.DataLocation))
	}
	e.raw(t.Unknown)
}

func (e *encoder) sparse(s *SparseTensor) {
	if s.Values != nil {
		e.msg(1, func(e *encoder) { e.tensor(s.Values) })
	}
	if s.Indices != nil {
		e.msg(2, func(e *encoder) { e.tensor(s.Indices) })
	}
	for _, d := range s.Dims {
		e.varint(3, uint64(d))
	}
	e.raw(s.Unknown)
}

func (e *encoder) valueInfo(v *ValueInfo) {
	e.optStr(1, v.Name)
	switch {
	case v.RawType != nil:
		e.bytes(2, v.RawType)
	case v.Kind == TypeTensor || v.Kind == TypeSparseTensor:
		e.msg(2, func(e *encoder) {
			e.msg(protowire.Number(v.Kind), func(e *encoder) { e.tensorType(v) })
			e.optStr(6, v.Denotation)
		})
	case v.Kind == TypeNone:
		if v.Denotation != "" {
			e.msg(2, func(e *encoder) { e.str(6, v.Denotation) })
		}
	default:
		e.fail("value %s: a %v type needs RawType", quoteName(v.Name), v.Kind)
		return
	}
	e.optStr(3, v.DocString)
	e.raw(v.Unknown)
}

func (e *encoder) tensorType(v *ValueInfo) {
	if v.ElemType != 0 {
		e.int32(1, int32(v.ElemType))
	}
	if !v.HasShape && len(v.Shape) == 0 {
		return
	}
	e.msg(2, func(e *encoder) {
		for _, d := range v.Shape {
			e.msg(1, func(e *encoder) {
				if d.Known {
					e.varint(1, uint64(d.Value))
				} else if d.Param != "" {
					e.str(2, d.Param)
				}
				e.optStr(3, d.Denotation)
			})
		}
	})
}

func (e *encoder) function(fn *Function) {
	e.optStr(1, fn.Name)
	for _, s := range fn.Inputs {
		e.str(4, s)
	}
	for _, s := range fn.Outputs {
		e.str(5, s)
	}
	for _, s := range fn.Attributes {
		e.str(6, s)
	}
	for i, n := range fn.Nodes {
		if n == nil {
			e.fail("function %s: node %d is nil", quoteName(fn.Name), i)
			return
		}
		e.msg(7, func(e *encoder) { e.node(n) })
	}
	e.optStr(8, fn.DocString)
	for _, o := range fn.OpsetImports {
		e.msg(9, func(e *encoder) { e.opset(o) })
	}
	e.optStr(10, fn.Domain)
	for i, a := range fn.AttributeDef {
		if a == nil {
			e.fail("function %s: attribute_proto %d is nil", quoteName(fn.Name), i)
			return
		}
		e.msg(11, func(e *encoder) { e.attribute(a) })
	}
	for i, v := range fn.ValueInfo {
		if v == nil {
			e.fail("function %s: value_info %d is nil", quoteName(fn.Name), i)
			return
		}
		e.msg(12, func(e *encoder) { e.valueInfo(v) })
	}
	e.optStr(13, fn.Overload)
	e.raw(fn.Unknown)
}
