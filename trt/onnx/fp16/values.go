package fp16

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/x448/float16"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// clampValue moves v into [min, max] in magnitude the way onnxconverter-common
// does (zeros, infinities and NaN unchanged) and reports which bound applied:
// -1 small, +1 large, 0 none.
func clampValue(v, min, max float32) (float32, int) {
	switch {
	case v > 0 && v < min:
		return min, -1
	case v < 0 && v > -min:
		return -min, -1
	case v > max && !math.IsInf(float64(v), 1):
		return max, 1
	case v < -max && !math.IsInf(float64(v), -1):
		return -max, 1
	}
	return v, 0
}

// floatValues returns the values of a FLOAT tensor.
func floatValues(t *onnxpb.Tensor) ([]float32, error) {
	if t.DataLocation == onnxpb.LocationExternal {
		return nil, fmt.Errorf("%w: tensor %q has external data that is not loaded (load the model with onnxpb.LoadFile)",
			onnxpb.ErrUnsupported, t.Name)
	}
	h, err := t.ToHost()
	if err != nil {
		return nil, err
	}
	return h.Data.([]float32), nil
}

// toFloat16 returns a FLOAT16 copy of the FLOAT tensor t (same name, dims,
// doc string and unmodelled fields), its values clamped (see clampValue) and
// rounded to nearest even; the data is in RawData.
func toFloat16(t *onnxpb.Tensor, min, max float32) (*onnxpb.Tensor, Clamp, error) {
	vals, err := floatValues(t)
	c := Clamp{Tensor: t.Name}
	if err != nil {
		return nil, c, err
	}
	raw := make([]byte, 0, 2*len(vals))
	for _, v := range vals {
		v, k := clampValue(v, min, max)
		switch k {
		case -1:
			c.Small++
		case 1:
			c.Large++
		}
		raw = binary.LittleEndian.AppendUint16(raw, float16.Fromfloat32(v).Bits())
	}
	return &onnxpb.Tensor{
		Name:      t.Name,
		DataType:  onnxpb.ElemFloat16,
		Dims:      append([]int64(nil), t.Dims...),
		RawData:   raw,
		DocString: t.DocString,
		Unknown:   t.Unknown,
	}, c, nil
}

// cloneTensor copies t's header and shares nothing mutable that Convert
// changes (data slices are shared: Convert never writes into them).
func cloneTensor(t *onnxpb.Tensor, name string) *onnxpb.Tensor {
	c := *t
	c.Name = name
	c.Dims = append([]int64(nil), t.Dims...)
	return &c
}

// floatScalars turns a Constant's value_float / value_floats into a FLOAT
// tensor.
func floatScalars(name string, vals []float32, scalar bool) *onnxpb.Tensor {
	t := &onnxpb.Tensor{Name: name, DataType: onnxpb.ElemFloat, FloatData: append([]float32(nil), vals...)}
	if !scalar {
		t.Dims = []int64{int64(len(vals))}
	}
	return t
}
