// Package tensor holds gotrt's host-side tensor: a data type, dimensions and a
// typed Go slice. It is shared by the builder API, the ONNX tools, the ONNX
// Runtime reference and the comparison code, so that data moves between them
// without conversion layers.
package tensor

import (
	"fmt"
	"math"

	"github.com/x448/float16"
)

// DataType is the element type of a tensor. The names follow TensorRT's
// nvinfer1::DataType; Double exists only on the host side (ONNX Runtime and
// numpy files use it) and is never an engine type.
type DataType uint8

// Element types.
const (
	Float DataType = iota
	Half
	Int8
	Int32
	Bool
	UInt8
	FP8
	BF16
	Int64
	Int4
	Double
)

var typeNames = [...]string{
	Float: "FP32", Half: "FP16", Int8: "INT8", Int32: "INT32", Bool: "BOOL", UInt8: "UINT8",
	FP8: "FP8", BF16: "BF16", Int64: "INT64", Int4: "INT4", Double: "FP64",
}

func (t DataType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("DataType(%d)", uint8(t))
}

// ParseDataType accepts the names used on command lines and in constraint
// files: fp32/float/float32, fp16/half/float16, bf16/bfloat16, int8, int32,
// int64, bool, uint8, fp64/double.
func ParseDataType(s string) (DataType, error) {
	switch lower(s) {
	case "fp32", "float", "float32", "kfloat":
		return Float, nil
	case "fp16", "half", "float16", "khalf":
		return Half, nil
	case "bf16", "bfloat16", "kbf16":
		return BF16, nil
	case "int8", "kint8":
		return Int8, nil
	case "int32", "kint32":
		return Int32, nil
	case "int64", "kint64":
		return Int64, nil
	case "bool", "kbool":
		return Bool, nil
	case "uint8", "kuint8":
		return UInt8, nil
	case "fp64", "double", "float64":
		return Double, nil
	case "fp8", "kfp8":
		return FP8, nil
	}
	return 0, fmt.Errorf("unknown data type %q (want fp32, fp16, bf16, int8, int32, int64, bool, uint8)", s)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// IsFloat reports whether t is a floating-point type.
func (t DataType) IsFloat() bool {
	return t == Float || t == Half || t == BF16 || t == FP8 || t == Double
}

// Size is the size of one element in bytes (Bool and Int4 count as one byte).
func (t DataType) Size() int {
	switch t {
	case Float, Int32:
		return 4
	case Half, BF16:
		return 2
	case Int64, Double:
		return 8
	default:
		return 1
	}
}

// Tensor is a host tensor. Data holds a slice whose element type matches Type:
//
//	Float []float32, Half []float16.Float16, BF16 []BF16Bits, Double []float64,
//	Int8 []int8, UInt8 []uint8, Int32 []int32, Int64 []int64, Bool []bool.
type Tensor struct {
	Name string
	Type DataType
	Dims []int
	Data any
}

// Volume is the product of dims (1 for a scalar).
func Volume(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// Len is the number of elements of t.Data.
func (t *Tensor) Len() int {
	switch d := t.Data.(type) {
	case []float32:
		return len(d)
	case []float16.Float16:
		return len(d)
	case []BF16Bits:
		return len(d)
	case []float64:
		return len(d)
	case []int8:
		return len(d)
	case []uint8:
		return len(d)
	case []int32:
		return len(d)
	case []int64:
		return len(d)
	case []bool:
		return len(d)
	}
	return -1
}

// Validate checks that Data has the Go type that Type asks for and the element
// count that Dims asks for.
func (t *Tensor) Validate() error {
	ok := false
	switch t.Data.(type) {
	case []float32:
		ok = t.Type == Float
	case []float16.Float16:
		ok = t.Type == Half
	case []BF16Bits:
		ok = t.Type == BF16
	case []float64:
		ok = t.Type == Double
	case []int8:
		ok = t.Type == Int8
	case []uint8:
		ok = t.Type == UInt8
	case []int32:
		ok = t.Type == Int32
	case []int64:
		ok = t.Type == Int64
	case []bool:
		ok = t.Type == Bool
	}
	if !ok {
		if want := goTypeName(t.Type); want != "" {
			return fmt.Errorf("tensor %q: type %v needs data of type %s, got %T", t.Name, t.Type, want, t.Data)
		}
		return fmt.Errorf("tensor %q: unsupported host type %v", t.Name, t.Type)
	}
	for _, d := range t.Dims {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in %v", t.Name, t.Dims)
		}
	}
	if n := t.Len(); n != Volume(t.Dims) {
		return fmt.Errorf("tensor %q: dims %v need %d elements, data has %d", t.Name, t.Dims, Volume(t.Dims), n)
	}
	return nil
}

func goTypeName(t DataType) string {
	switch t {
	case Float:
		return "[]float32"
	case Half:
		return "[]float16.Float16"
	case BF16:
		return "[]tensor.BF16Bits"
	case Double:
		return "[]float64"
	case Int8:
		return "[]int8"
	case UInt8:
		return "[]uint8"
	case Int32:
		return "[]int32"
	case Int64:
		return "[]int64"
	case Bool:
		return "[]bool"
	}
	return ""
}

// New allocates a zeroed tensor of the given type and dims.
func New(name string, t DataType, dims []int) (*Tensor, error) {
	n := Volume(dims)
	var data any
	switch t {
	case Float:
		data = make([]float32, n)
	case Half:
		data = make([]float16.Float16, n)
	case BF16:
		data = make([]BF16Bits, n)
	case Double:
		data = make([]float64, n)
	case Int8:
		data = make([]int8, n)
	case UInt8:
		data = make([]uint8, n)
	case Int32:
		data = make([]int32, n)
	case Int64:
		data = make([]int64, n)
	case Bool:
		data = make([]bool, n)
	default:
		return nil, fmt.Errorf("tensor %q: unsupported host type %v", name, t)
	}
	return &Tensor{Name: name, Type: t, Dims: append([]int(nil), dims...), Data: data}, nil
}

// Float64s returns the elements converted to float64 (bools as 0/1).
func (t *Tensor) Float64s() []float64 {
	out := make([]float64, t.Len())
	switch d := t.Data.(type) {
	case []float32:
		for i, v := range d {
			out[i] = float64(v)
		}
	case []float16.Float16:
		for i, v := range d {
			out[i] = float64(v.Float32())
		}
	case []BF16Bits:
		for i, v := range d {
			out[i] = float64(v.Float32())
		}
	case []float64:
		copy(out, d)
	case []int8:
		for i, v := range d {
			out[i] = float64(v)
		}
	case []uint8:
		for i, v := range d {
			out[i] = float64(v)
		}
	case []int32:
		for i, v := range d {
			out[i] = float64(v)
		}
	case []int64:
		for i, v := range d {
			out[i] = float64(v)
		}
	case []bool:
		for i, v := range d {
			if v {
				out[i] = 1
			}
		}
	}
	return out
}

// BF16Bits is a bfloat16 value: the upper 16 bits of an IEEE float32.
type BF16Bits uint16

// Float32 widens b exactly.
func (b BF16Bits) Float32() float32 { return math.Float32frombits(uint32(b) << 16) }

// ToBF16 rounds f to bfloat16 with round-to-nearest-even. NaN stays NaN (quiet),
// overflow rounds to ±Inf.
func ToBF16(f float32) BF16Bits {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 { // NaN: keep sign, force a quiet payload bit
		return BF16Bits(u>>16 | 0x40)
	}
	lsb := (u >> 16) & 1
	u += 0x7fff + lsb
	return BF16Bits(u >> 16)
}

// RoundBF16 rounds f to the nearest bfloat16 value (RNE) and returns it as float32.
func RoundBF16(f float32) float32 { return ToBF16(f).Float32() }

// RoundHalf rounds f to the nearest IEEE half value (RNE; overflow gives ±Inf,
// as on hardware) and returns it as float32.
func RoundHalf(f float32) float32 { return float16.Fromfloat32(f).Float32() }

// RoundTF32 rounds f to TF32 (10 explicit mantissa bits, float32's exponent
// range) with round-to-nearest-even, as tensor cores read FP32 operands.
func RoundTF32(f float32) float32 {
	u := math.Float32bits(f)
	if u&0x7fffffff >= 0x7f800000 { // Inf or NaN stay as they are
		return f
	}
	lsb := (u >> 13) & 1
	u += 0xfff + lsb
	u &^= 0x1fff
	return math.Float32frombits(u)
}

// RoundSlice rounds every element of xs in place to type t (Half, BF16 or
// TF32 when tf32 is set with t == Float). Float without tf32 is a no-op.
func RoundSlice(xs []float32, t DataType, tf32 bool) {
	switch {
	case t == Half:
		for i, v := range xs {
			xs[i] = RoundHalf(v)
		}
	case t == BF16:
		for i, v := range xs {
			xs[i] = RoundBF16(v)
		}
	case t == Float && tf32:
		for i, v := range xs {
			xs[i] = RoundTF32(v)
		}
	}
}
