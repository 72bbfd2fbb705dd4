package onnxpb

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/x448/float16"

	"github.com/gotrt/gotrt/tensor"
)

// ElemTypeToHost returns the host type that ToHost produces for ONNX type t.
// INT16 and UINT16 widen to Int32, UINT32 and UINT64 to Int64. Types without a
// host representation (STRING, COMPLEX*, FLOAT8*, 4-bit types, UNDEFINED)
// give an error wrapping ErrUnsupported.
func ElemTypeToHost(t ElemType) (tensor.DataType, error) {
	switch t {
	case ElemFloat:
		return tensor.Float, nil
	case ElemFloat16:
		return tensor.Half, nil
	case ElemBFloat16:
		return tensor.BF16, nil
	case ElemDouble:
		return tensor.Double, nil
	case ElemInt8:
		return tensor.Int8, nil
	case ElemUint8:
		return tensor.UInt8, nil
	case ElemInt16, ElemUint16, ElemInt32:
		return tensor.Int32, nil
	case ElemInt64, ElemUint32, ElemUint64:
		return tensor.Int64, nil
	case ElemBool:
		return tensor.Bool, nil
	}
	return 0, fmt.Errorf("%w: ONNX element type %v has no host tensor type", ErrUnsupported, t)
}

// HostToElemType returns the ONNX element type of host type t. FP8 maps to
// FLOAT8E4M3FN and Int4 to INT4 (TensorRT's kFP8 and kINT4), although host
// tensors of those types carry no data.
func HostToElemType(t tensor.DataType) (ElemType, error) {
	switch t {
	case tensor.Float:
		return ElemFloat, nil
	case tensor.Half:
		return ElemFloat16, nil
	case tensor.BF16:
		return ElemBFloat16, nil
	case tensor.Double:
		return ElemDouble, nil
	case tensor.Int8:
		return ElemInt8, nil
	case tensor.UInt8:
		return ElemUint8, nil
	case tensor.Int32:
		return ElemInt32, nil
	case tensor.Int64:
		return ElemInt64, nil
	case tensor.Bool:
		return ElemBool, nil
	case tensor.FP8:
		return ElemFloat8E4M3FN, nil
	case tensor.Int4:
		return ElemInt4, nil
	}
	return 0, fmt.Errorf("%w: host type %v has no ONNX element type", ErrUnsupported, t)
}

// ToHost converts t to a host tensor, reading RawData (little-endian) when
// present and otherwise the typed field ONNX uses for the element type. See
// ElemTypeToHost for the type mapping; a UINT64 value above MaxInt64 is an
// error. External data must have been resolved (LoadFile does it).
func (t *Tensor) ToHost() (*tensor.Tensor, error) {
	h, err := t.toHost()
	if err != nil {
		return nil, fmt.Errorf("onnxpb: tensor %s (%v): %w", quoteName(t.Name), t.DataType, err)
	}
	return h, nil
}

func (t *Tensor) toHost() (*tensor.Tensor, error) {
	ht, err := ElemTypeToHost(t.DataType)
	if err != nil {
		return nil, err
	}
	if t.DataLocation == LocationExternal {
		return nil, fmt.Errorf("%w: external data not loaded (use LoadFile)", ErrExternalData)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	n, _ := Volume(t.Dims) // validated
	dims := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		dims[i] = int(d)
	}
	raw := t.RawData
	if raw == nil {
		field, want, _ := t.DataType.typedField(n)
		if t.typedLen(field) != want {
			return nil, malformed("no data (neither raw_data nor %s for %d elements)", field, n)
		}
	}
	// The data size now matches n, so n is bounded by the input size.
	h, err := tensor.New(t.Name, ht, dims)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	switch d := h.Data.(type) {
	case []float32:
		if raw != nil {
			for i := range d {
				d[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
			}
		} else {
			copy(d, t.FloatData)
		}
	case []float16.Float16:
		if raw != nil {
			for i := range d {
				d[i] = float16.Frombits(le.Uint16(raw[2*i:]))
			}
		} else {
			for i, v := range t.Int32Data {
				d[i] = float16.Frombits(uint16(v))
			}
		}
	case []tensor.BF16Bits:
		if raw != nil {
			for i := range d {
				d[i] = tensor.BF16Bits(le.Uint16(raw[2*i:]))
			}
		} else {
			for i, v := range t.Int32Data {
				d[i] = tensor.BF16Bits(uint16(v))
			}
		}
	case []float64:
		if raw != nil {
			for i := range d {
				d[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
			}
		} else {
			copy(d, t.DoubleData)
		}
	case []int8:
		if raw != nil {
			for i := range d {
				d[i] = int8(raw[i])
			}
		} else {
			for i, v := range t.Int32Data {
				d[i] = int8(v)
			}
		}
	case []uint8:
		if raw != nil {
			copy(d, raw)
		} else {
			for i, v := range t.Int32Data {
				d[i] = uint8(v)
			}
		}
	case []bool:
		if raw != nil {
			for i := range d {
				d[i] = raw[i] != 0
			}
		} else {
			for i, v := range t.Int32Data {
				d[i] = v != 0
			}
		}
	case []int32:
		for i := range d {
			switch {
			case raw == nil && t.DataType == ElemInt16:
				d[i] = int32(int16(t.Int32Data[i]))
			case raw == nil && t.DataType == ElemUint16:
				d[i] = int32(uint16(t.Int32Data[i]))
			case raw == nil:
				d[i] = t.Int32Data[i]
			case t.DataType == ElemInt16:
				d[i] = int32(int16(le.Uint16(raw[2*i:])))
			case t.DataType == ElemUint16:
				d[i] = int32(le.Uint16(raw[2*i:]))
			default:
				d[i] = int32(le.Uint32(raw[4*i:]))
			}
		}
	case []int64:
		for i := range d {
			var u uint64
			switch {
			case raw == nil && t.DataType == ElemInt64:
				d[i] = t.Int64Data[i]
				continue
			case raw == nil:
				u = t.Uint64Data[i]
			case t.DataType == ElemUint32:
				u = uint64(le.Uint32(raw[4*i:]))
			default:
				u = le.Uint64(raw[8*i:])
				if t.DataType == ElemInt64 {
					d[i] = int64(u)
					continue
				}
			}
			if t.DataType == ElemUint32 && u > math.MaxUint32 {
				return nil, malformed("element %d (%d) does not fit UINT32", i, u)
			}
			if u > math.MaxInt64 {
				return nil, fmt.Errorf("%w: element %d (%d) does not fit INT64", ErrUnsupported, i, u)
			}
			d[i] = int64(u)
		}
	}
	return h, nil
}

// FromHost converts a host tensor to an ONNX tensor with the data in
// RawData (little-endian). The host tensor must pass tensor.Validate.
func FromHost(name string, h *tensor.Tensor) (*Tensor, error) {
	if h == nil {
		return nil, fmt.Errorf("onnxpb: FromHost %s: %w: nil tensor", quoteName(name), ErrInvalid)
	}
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("onnxpb: FromHost %s: %w: %w", quoteName(name), ErrUnsupported, err)
	}
	et, err := HostToElemType(h.Type)
	if err != nil {
		return nil, fmt.Errorf("onnxpb: FromHost %s: %w", quoteName(name), err)
	}
	t := &Tensor{Name: name, DataType: et, Dims: make([]int64, len(h.Dims))}
	if len(h.Dims) == 0 {
		t.Dims = nil
	}
	for i, d := range h.Dims {
		t.Dims[i] = int64(d)
	}
	le := binary.LittleEndian
	raw := make([]byte, 0, h.Len()*h.Type.Size())
	switch d := h.Data.(type) {
	case []float32:
		for _, v := range d {
			raw = le.AppendUint32(raw, math.Float32bits(v))
		}
	case []float16.Float16:
		for _, v := range d {
			raw = le.AppendUint16(raw, v.Bits())
		}
	case []tensor.BF16Bits:
		for _, v := range d {
			raw = le.AppendUint16(raw, uint16(v))
		}
	case []float64:
		for _, v := range d {
			raw = le.AppendUint64(raw, math.Float64bits(v))
		}
	case []int8:
		for _, v := range d {
			raw = append(raw, byte(v))
		}
	case []uint8:
		raw = append(raw, d...)
	case []int32:
		for _, v := range d {
			raw = le.AppendUint32(raw, uint32(v))
		}
	case []int64:
		for _, v := range d {
			raw = le.AppendUint64(raw, uint64(v))
		}
	case []bool:
		for _, v := range d {
			if v {
				raw = append(raw, 1)
			} else {
				raw = append(raw, 0)
			}
		}
	}
	t.RawData = raw
	return t, nil
}
