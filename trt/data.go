package trt

import (
	"fmt"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/x448/float16"
)

// HostTensor is a host tensor: tensor.Tensor.
type HostTensor = tensor.Tensor

// toData converts a host tensor to the backends' working form.
func toData(t *tensor.Tensor) (*ir.Data, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	d := &ir.Data{Type: t.Type, Dims: append([]int{}, t.Dims...)}
	switch v := t.Data.(type) {
	case []float32:
		d.F = append([]float32{}, v...)
	case []float16.Float16:
		d.F = make([]float32, len(v))
		for i, x := range v {
			d.F[i] = x.Float32()
		}
	case []tensor.BF16Bits:
		d.F = make([]float32, len(v))
		for i, x := range v {
			d.F[i] = x.Float32()
		}
	case []int8:
		d.I = make([]int64, len(v))
		for i, x := range v {
			d.I[i] = int64(x)
		}
	case []uint8:
		d.I = make([]int64, len(v))
		for i, x := range v {
			d.I[i] = int64(x)
		}
	case []int32:
		d.I = make([]int64, len(v))
		for i, x := range v {
			d.I[i] = int64(x)
		}
	case []int64:
		d.I = append([]int64{}, v...)
	case []bool:
		d.I = make([]int64, len(v))
		for i, x := range v {
			if x {
				d.I[i] = 1
			}
		}
	default:
		return nil, fmt.Errorf("tensor %q: type %v is not supported by engines", t.Name, t.Type)
	}
	return d, nil
}

// fromData converts working data to a host tensor of the data's type.
func fromData(d *ir.Data) *tensor.Tensor {
	t := &tensor.Tensor{Type: d.Type, Dims: append([]int{}, d.Dims...)}
	switch d.Type {
	case Float:
		t.Data = append([]float32{}, d.F...)
	case Half:
		v := make([]float16.Float16, len(d.F))
		for i, x := range d.F {
			v[i] = float16.Fromfloat32(x)
		}
		t.Data = v
	case BF16:
		v := make([]tensor.BF16Bits, len(d.F))
		for i, x := range d.F {
			v[i] = tensor.ToBF16(x)
		}
		t.Data = v
	case Int8:
		v := make([]int8, len(d.I))
		for i, x := range d.I {
			v[i] = int8(x)
		}
		t.Data = v
	case UInt8:
		v := make([]uint8, len(d.I))
		for i, x := range d.I {
			v[i] = uint8(x)
		}
		t.Data = v
	case Int32:
		v := make([]int32, len(d.I))
		for i, x := range d.I {
			v[i] = int32(x)
		}
		t.Data = v
	case Int64:
		t.Data = append([]int64{}, d.I...)
	case Bool:
		v := make([]bool, len(d.I))
		for i, x := range d.I {
			v[i] = x != 0
		}
		t.Data = v
	}
	return t
}
