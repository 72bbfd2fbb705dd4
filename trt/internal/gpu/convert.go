package gpu

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/cpu"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Device storage of each engine type: FP32 float, FP16 __half, BF16
// __nv_bfloat16, INT8/UINT8/BOOL one byte, INT32, INT64; FP64 (host-only in
// engines) as double.

// elemSize is the device size of one element of t.
func elemSize(t ir.DataType) int { return t.Size() }

// deviceType reports whether t has a device representation.
func deviceType(t ir.DataType) bool {
	switch t {
	case ir.Float, ir.Half, ir.BF16, ir.Int8, ir.UInt8, ir.Bool, ir.Int32, ir.Int64, ir.Double:
		return true
	}
	return false
}

// encodeInto writes d, converted to type t, into dst (len >= d.Len()*size(t)).
func encodeInto(dst []byte, d *ir.Data, t ir.DataType) error {
	n := ir.Volume(d.Dims)
	if n < 0 {
		return fmt.Errorf("encode: unknown dims %v", d.Dims)
	}
	if len(dst) < n*elemSize(t) {
		return fmt.Errorf("encode: %d bytes for %d %v values", len(dst), n, t)
	}
	le := binary.LittleEndian
	isInt := ir.IsIntLike(d.Type) || (d.F == nil && d.I != nil)
	get := func(i int) float32 {
		if isInt {
			return float32(d.I[i])
		}
		return d.F[i]
	}
	geti := func(i int) int64 {
		if isInt {
			return d.I[i]
		}
		return cpu.FloatToInt(d.F[i], t)
	}
	if (isInt && len(d.I) < n) || (!isInt && len(d.F) < n) {
		return fmt.Errorf("encode: %v data has %d values for dims %v", d.Type, d.Len(), d.Dims)
	}
	switch t {
	case ir.Float:
		for i := 0; i < n; i++ {
			le.PutUint32(dst[4*i:], math.Float32bits(get(i)))
		}
	case ir.Double:
		for i := 0; i < n; i++ {
			le.PutUint64(dst[8*i:], math.Float64bits(float64(get(i))))
		}
	case ir.Half:
		for i := 0; i < n; i++ {
			le.PutUint16(dst[2*i:], uint16(cuda.Float32ToHalf(get(i))))
		}
	case ir.BF16:
		for i := 0; i < n; i++ {
			le.PutUint16(dst[2*i:], uint16(cuda.Float32ToBFloat16(get(i))))
		}
	case ir.Int8, ir.UInt8:
		for i := 0; i < n; i++ {
			dst[i] = byte(geti(i))
		}
	case ir.Bool:
		for i := 0; i < n; i++ {
			v := byte(0)
			if isInt && d.I[i] != 0 || !isInt && d.F[i] != 0 {
				v = 1
			}
			dst[i] = v
		}
	case ir.Int32:
		for i := 0; i < n; i++ {
			le.PutUint32(dst[4*i:], uint32(int32(geti(i))))
		}
	case ir.Int64:
		for i := 0; i < n; i++ {
			le.PutUint64(dst[8*i:], uint64(geti(i)))
		}
	default:
		return fmt.Errorf("encode: type %v has no device representation", t)
	}
	return nil
}

// encode returns d converted to type t as device bytes.
func encode(d *ir.Data, t ir.DataType) ([]byte, error) {
	n := ir.Volume(d.Dims)
	if n < 0 {
		return nil, fmt.Errorf("encode: unknown dims %v", d.Dims)
	}
	b := make([]byte, n*elemSize(t))
	return b, encodeInto(b, d, t)
}

// decode reads n values of type t from src into working data of dims.
func decode(src []byte, t ir.DataType, dims []int) (*ir.Data, error) {
	n := ir.Volume(dims)
	if n < 0 || len(src) < n*elemSize(t) {
		return nil, fmt.Errorf("decode: %d bytes for %v%v", len(src), t, ir.DimsString(dims))
	}
	d := &ir.Data{Type: t, Dims: append([]int{}, dims...)}
	le := binary.LittleEndian
	if ir.IsIntLike(t) {
		d.I = make([]int64, n)
	} else {
		d.F = make([]float32, n)
	}
	switch t {
	case ir.Float:
		for i := range d.F {
			d.F[i] = math.Float32frombits(le.Uint32(src[4*i:]))
		}
	case ir.Double:
		for i := range d.F {
			d.F[i] = float32(math.Float64frombits(le.Uint64(src[8*i:])))
		}
	case ir.Half:
		for i := range d.F {
			d.F[i] = cuda.Half(le.Uint16(src[2*i:])).Float32()
		}
	case ir.BF16:
		for i := range d.F {
			d.F[i] = cuda.BFloat16(le.Uint16(src[2*i:])).Float32()
		}
	case ir.Int8:
		for i := range d.I {
			d.I[i] = int64(int8(src[i]))
		}
	case ir.UInt8:
		for i := range d.I {
			d.I[i] = int64(src[i])
		}
	case ir.Bool:
		for i := range d.I {
			if src[i] != 0 {
				d.I[i] = 1
			}
		}
	case ir.Int32:
		for i := range d.I {
			d.I[i] = int64(int32(le.Uint32(src[4*i:])))
		}
	case ir.Int64:
		for i := range d.I {
			d.I[i] = int64(le.Uint64(src[8*i:]))
		}
	default:
		return nil, fmt.Errorf("decode: type %v has no device representation", t)
	}
	return d, nil
}

// convertData converts working data to type t exactly as the CPU backend's
// Cast does.
func convertData(d *ir.Data, t ir.DataType) *ir.Data { return cpu.Convert(d, t) }
