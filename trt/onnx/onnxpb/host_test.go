package onnxpb

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/x448/float16"

	"github.com/gotrt/gotrt/tensor"
)

func le16(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

func le32(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

func le64(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func TestToHost(t *testing.T) {
	h1, h2 := float16.Fromfloat32(1.5), float16.Fromfloat32(-2)
	b1, b2 := tensor.ToBF16(3), tensor.ToBF16(-0.5)
	for _, c := range []struct {
		name  string
		in    Tensor
		want  tensor.DataType
		wantV any
	}{
		{"float raw", Tensor{DataType: ElemFloat, Dims: []int64{2}, RawData: le32(math.Float32bits(1.5), math.Float32bits(-3))},
			tensor.Float, []float32{1.5, -3}},
		{"float typed", Tensor{DataType: ElemFloat, Dims: []int64{1, 2}, FloatData: []float32{1.5, -3}}, tensor.Float, []float32{1.5, -3}},
		{"float16 raw", Tensor{DataType: ElemFloat16, Dims: []int64{2}, RawData: le16(h1.Bits(), h2.Bits())},
			tensor.Half, []float16.Float16{h1, h2}},
		{"float16 typed", Tensor{DataType: ElemFloat16, Dims: []int64{2}, Int32Data: []int32{int32(h1.Bits()), int32(h2.Bits())}},
			tensor.Half, []float16.Float16{h1, h2}},
		{"bfloat16 raw", Tensor{DataType: ElemBFloat16, Dims: []int64{2}, RawData: le16(uint16(b1), uint16(b2))},
			tensor.BF16, []tensor.BF16Bits{b1, b2}},
		{"bfloat16 typed", Tensor{DataType: ElemBFloat16, Dims: []int64{2}, Int32Data: []int32{int32(b1), int32(b2)}},
			tensor.BF16, []tensor.BF16Bits{b1, b2}},
		{"double raw", Tensor{DataType: ElemDouble, Dims: []int64{1}, RawData: le64(math.Float64bits(math.Pi))},
			tensor.Double, []float64{math.Pi}},
		{"double typed", Tensor{DataType: ElemDouble, Dims: []int64{1}, DoubleData: []float64{math.E}}, tensor.Double, []float64{math.E}},
		{"int8 raw", Tensor{DataType: ElemInt8, Dims: []int64{3}, RawData: []byte{0xff, 0x80, 7}}, tensor.Int8, []int8{-1, -128, 7}},
		{"int8 typed", Tensor{DataType: ElemInt8, Dims: []int64{2}, Int32Data: []int32{-5, 100}}, tensor.Int8, []int8{-5, 100}},
		{"uint8 raw", Tensor{DataType: ElemUint8, Dims: []int64{2}, RawData: []byte{0xff, 1}}, tensor.UInt8, []uint8{255, 1}},
		{"uint8 typed", Tensor{DataType: ElemUint8, Dims: []int64{2}, Int32Data: []int32{200, 1}}, tensor.UInt8, []uint8{200, 1}},
		{"int16 raw", Tensor{DataType: ElemInt16, Dims: []int64{2}, RawData: le16(0xffff, 0x7fff)}, tensor.Int32, []int32{-1, 32767}},
		{"int16 typed", Tensor{DataType: ElemInt16, Dims: []int64{2}, Int32Data: []int32{-7, 9}}, tensor.Int32, []int32{-7, 9}},
		{"uint16 raw", Tensor{DataType: ElemUint16, Dims: []int64{2}, RawData: le16(0xffff, 1)}, tensor.Int32, []int32{65535, 1}},
		{"uint16 typed", Tensor{DataType: ElemUint16, Dims: []int64{1}, Int32Data: []int32{65535}}, tensor.Int32, []int32{65535}},
		{"int32 raw", Tensor{DataType: ElemInt32, Dims: []int64{2}, RawData: le32(0xffffffff, 5)}, tensor.Int32, []int32{-1, 5}},
		{"int32 typed", Tensor{DataType: ElemInt32, Dims: []int64{2}, Int32Data: []int32{-1, 5}}, tensor.Int32, []int32{-1, 5}},
		{"int64 raw", Tensor{DataType: ElemInt64, Dims: []int64{2}, RawData: le64(math.MaxUint64, 1<<40)}, tensor.Int64, []int64{-1, 1 << 40}},
		{"int64 typed", Tensor{DataType: ElemInt64, Dims: []int64{1}, Int64Data: []int64{-9}}, tensor.Int64, []int64{-9}},
		{"uint32 raw", Tensor{DataType: ElemUint32, Dims: []int64{2}, RawData: le32(0xffffffff, 3)}, tensor.Int64, []int64{math.MaxUint32, 3}},
		{"uint32 typed", Tensor{DataType: ElemUint32, Dims: []int64{1}, Uint64Data: []uint64{math.MaxUint32}}, tensor.Int64, []int64{math.MaxUint32}},
		{"uint64 raw", Tensor{DataType: ElemUint64, Dims: []int64{1}, RawData: le64(math.MaxInt64)}, tensor.Int64, []int64{math.MaxInt64}},
		{"uint64 typed", Tensor{DataType: ElemUint64, Dims: []int64{2}, Uint64Data: []uint64{0, 12}}, tensor.Int64, []int64{0, 12}},
		{"bool raw", Tensor{DataType: ElemBool, Dims: []int64{3}, RawData: []byte{0, 1, 2}}, tensor.Bool, []bool{false, true, true}},
		{"bool typed", Tensor{DataType: ElemBool, Dims: []int64{2}, Int32Data: []int32{1, 0}}, tensor.Bool, []bool{true, false}},
		{"scalar", Tensor{DataType: ElemFloat, RawData: le32(math.Float32bits(2))}, tensor.Float, []float32{2}},
		{"empty", Tensor{DataType: ElemInt64, Dims: []int64{0, 3}, RawData: []byte{}}, tensor.Int64, []int64{}},
		{"empty without data", Tensor{DataType: ElemFloat, Dims: []int64{2, 0}}, tensor.Float, []float32{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.Name = c.name
			h, err := c.in.ToHost()
			require.NoError(t, err)
			require.NoError(t, h.Validate())
			require.Equal(t, c.want, h.Type)
			require.Equal(t, c.wantV, h.Data)
			require.Equal(t, c.name, h.Name)
			require.Len(t, h.Dims, len(c.in.Dims))
			ht, err := ElemTypeToHost(c.in.DataType)
			require.NoError(t, err)
			require.Equal(t, c.want, ht)
		})
	}
}

func TestToHostErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Tensor
		is   error
		want string
	}{
		{"strings", Tensor{DataType: ElemString, Dims: []int64{1}, StringData: [][]byte{[]byte("a")}}, ErrUnsupported,
			`tensor "strings" (STRING): unsupported: ONNX element type STRING has no host tensor type`},
		{"complex", Tensor{DataType: ElemComplex64, Dims: []int64{1}, FloatData: []float32{1, 2}}, ErrUnsupported, "COMPLEX64"},
		{"fp8", Tensor{DataType: ElemFloat8E4M3FN, Dims: []int64{1}, RawData: []byte{1}}, ErrUnsupported, "FLOAT8E4M3FN"},
		{"undefined", Tensor{}, ErrUnsupported, "UNDEFINED"},
		{"unknown type", Tensor{DataType: 99}, ErrUnsupported, "ElemType(99)"},
		{"uint64 overflow", Tensor{DataType: ElemUint64, Dims: []int64{2}, Uint64Data: []uint64{1, math.MaxInt64 + 1}},
			ErrUnsupported, "element 1 (9223372036854775808) does not fit INT64"},
		{"uint64 raw overflow", Tensor{DataType: ElemUint64, Dims: []int64{1}, RawData: le64(math.MaxUint64)},
			ErrUnsupported, "does not fit INT64"},
		{"uint32 too big", Tensor{DataType: ElemUint32, Dims: []int64{1}, Uint64Data: []uint64{1 << 32}}, ErrMalformed, "does not fit UINT32"},
		{"no data", Tensor{DataType: ElemFloat, Dims: []int64{3}}, ErrMalformed, "no data (neither raw_data nor float_data for 3 elements)"},
		{"wrong field", Tensor{DataType: ElemFloat, Dims: []int64{1}, Int64Data: []int64{1}}, ErrMalformed, "no data"},
		{"raw size", Tensor{DataType: ElemInt32, Dims: []int64{2}, RawData: []byte{1, 2, 3}}, ErrMalformed, "needs 8 bytes of raw_data, has 3"},
		{"huge dims", Tensor{DataType: ElemFloat, Dims: []int64{1e12}, RawData: make([]byte, 8)}, ErrMalformed, "needs 4000000000000 bytes"},
		{"huge dims no data", Tensor{DataType: ElemFloat, Dims: []int64{1e6, 1e6}}, ErrMalformed, "no data"},
		{"external", Tensor{DataType: ElemFloat, Dims: []int64{1}, DataLocation: LocationExternal,
			ExternalData: []KeyValue{{"location", "w.bin"}}}, ErrExternalData, "external data not loaded"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.Name = c.name
			_, err := c.in.ToHost()
			require.ErrorIs(t, err, c.is)
			require.ErrorContains(t, err, c.want)
			require.ErrorContains(t, err, `tensor "`+c.name+`"`)
		})
	}
}

func TestFromHost(t *testing.T) {
	for _, typ := range []tensor.DataType{tensor.Float, tensor.Half, tensor.BF16, tensor.Double, tensor.Int8,
		tensor.UInt8, tensor.Int32, tensor.Int64, tensor.Bool} {
		t.Run(typ.String(), func(t *testing.T) {
			h, err := tensor.New("x", typ, []int{2, 3})
			require.NoError(t, err)
			switch d := h.Data.(type) {
			case []float32:
				d[1], d[5] = -1.25, float32(math.Inf(1))
			case []float16.Float16:
				d[1] = float16.Fromfloat32(-1.25)
			case []tensor.BF16Bits:
				d[1] = tensor.ToBF16(-1.25)
			case []float64:
				d[1] = -1.25
			case []int8:
				d[1] = -128
			case []uint8:
				d[1] = 255
			case []int32:
				d[1] = math.MinInt32
			case []int64:
				d[1] = math.MinInt64
			case []bool:
				d[1] = true
			}
			o, err := FromHost("onnx_x", h)
			require.NoError(t, err)
			require.Equal(t, "onnx_x", o.Name)
			require.Equal(t, []int64{2, 3}, o.Dims)
			require.Len(t, o.RawData, 6*typ.Size())
			et, err := HostToElemType(typ)
			require.NoError(t, err)
			require.Equal(t, et, o.DataType)
			back, err := o.ToHost()
			require.NoError(t, err)
			require.Equal(t, h.Data, back.Data)
			require.Equal(t, h.Dims, back.Dims)

			// And through the wire format.
			b, err := EncodeTensor(o)
			require.NoError(t, err)
			o2, err := DecodeTensor(b)
			require.NoError(t, err)
			require.Equal(t, o, o2)
		})
	}

	s, err := FromHost("s", &tensor.Tensor{Type: tensor.Int32, Data: []int32{7}})
	require.NoError(t, err)
	require.Nil(t, s.Dims)
	require.Equal(t, []byte{7, 0, 0, 0}, s.RawData)
	e, err := FromHost("e", &tensor.Tensor{Type: tensor.Float, Dims: []int{0}, Data: []float32{}})
	require.NoError(t, err)
	require.NotNil(t, e.RawData, "an empty tensor still has (empty) raw_data")

	_, err = FromHost("bad", &tensor.Tensor{Type: tensor.Float, Dims: []int{2}, Data: []float32{1}})
	require.ErrorContains(t, err, `FromHost "bad"`)
	_, err = FromHost("fp8", &tensor.Tensor{Type: tensor.FP8, Dims: []int{1}, Data: []uint8{1}})
	require.ErrorIs(t, err, ErrUnsupported)
	_, err = FromHost("nil", nil)
	require.ErrorIs(t, err, ErrInvalid)
}

func TestTypeMapping(t *testing.T) {
	for _, c := range []struct {
		onnx ElemType
		host tensor.DataType
	}{
		{ElemFloat, tensor.Float}, {ElemFloat16, tensor.Half}, {ElemBFloat16, tensor.BF16}, {ElemDouble, tensor.Double},
		{ElemInt8, tensor.Int8}, {ElemUint8, tensor.UInt8}, {ElemInt32, tensor.Int32}, {ElemInt64, tensor.Int64},
		{ElemBool, tensor.Bool},
	} {
		h, err := ElemTypeToHost(c.onnx)
		require.NoError(t, err)
		require.Equal(t, c.host, h)
		o, err := HostToElemType(c.host)
		require.NoError(t, err)
		require.Equal(t, c.onnx, o)
	}
	for _, c := range []struct {
		onnx ElemType
		host tensor.DataType
	}{{ElemInt16, tensor.Int32}, {ElemUint16, tensor.Int32}, {ElemUint32, tensor.Int64}, {ElemUint64, tensor.Int64}} {
		h, err := ElemTypeToHost(c.onnx)
		require.NoError(t, err)
		require.Equal(t, c.host, h, "%v widens", c.onnx)
	}
	for _, e := range []ElemType{ElemUndefined, ElemString, ElemComplex64, ElemComplex128, ElemFloat8E4M3FN,
		ElemFloat8E5M2, ElemInt4, ElemUint4, ElemFloat4E2M1, 1000} {
		_, err := ElemTypeToHost(e)
		require.ErrorIs(t, err, ErrUnsupported, "%v", e)
	}
	o, err := HostToElemType(tensor.FP8)
	require.NoError(t, err)
	require.Equal(t, ElemFloat8E4M3FN, o)
	o, err = HostToElemType(tensor.Int4)
	require.NoError(t, err)
	require.Equal(t, ElemInt4, o)
	_, err = HostToElemType(tensor.DataType(200))
	require.ErrorIs(t, err, ErrUnsupported)

	require.Equal(t, "BFLOAT16", ElemBFloat16.String())
	require.Equal(t, "INTS", AttrInts.String())
	require.Equal(t, "AttrType(99)", AttrType(99).String())
	require.Equal(t, "sequence", TypeSequence.String())
	require.Equal(t, "EXTERNAL", LocationExternal.String())
}
