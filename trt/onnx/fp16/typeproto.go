package fp16

import (
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// eachField calls fn for each field of the protobuf message b; for
// length-delimited fields val holds the bytes, for varints v the value. It
// stops at the first malformed field.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, val []byte, v uint64)) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return
		}
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			val, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return
			}
			fn(num, typ, val, 0)
			b = b[n:]
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return
			}
			fn(num, typ, nil, v)
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return
			}
			b = b[n:]
		}
	}
}

// sequenceElem returns the element type of a serialized TypeProto that is a
// sequence of tensors, or 0.
func sequenceElem(b []byte) onnxpb.ElemType {
	var elem onnxpb.ElemType
	eachField(b, func(num protowire.Number, typ protowire.Type, val []byte, _ uint64) {
		if num != 4 || typ != protowire.BytesType { // sequence_type
			return
		}
		eachField(val, func(num protowire.Number, typ protowire.Type, inner []byte, _ uint64) {
			if num != 1 || typ != protowire.BytesType { // elem_type: TypeProto
				return
			}
			eachField(inner, func(num protowire.Number, typ protowire.Type, tt []byte, _ uint64) {
				if num != 1 || typ != protowire.BytesType { // tensor_type
					return
				}
				eachField(tt, func(num protowire.Number, typ protowire.Type, _ []byte, v uint64) {
					if num == 1 && typ == protowire.VarintType && v > 0 && v < 32 {
						elem = onnxpb.ElemType(v)
					}
				})
			})
		})
	})
	return elem
}
