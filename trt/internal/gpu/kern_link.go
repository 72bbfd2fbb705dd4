package gpu

import (
	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/gpu/kern"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// The kernel library, package kern, behind the backend's kernelLib interface.

func init() {
	newKernelLib = func(ctx *cuda.Context) (kernelLib, error) {
		l, err := kern.New(ctx)
		if err != nil {
			return nil, err
		}
		return kernAdapter{l}, nil
	}
}

type kernAdapter struct{ l *kern.Lib }

func (a kernAdapter) Supports(n *ir.Node, p ir.DataType, inTypes []ir.DataType) bool {
	return a.l.Supports(n, p, inTypes)
}

func (a kernAdapter) Close() error { return a.l.Close() }

func kernTensors(ts []kTensor) []kern.Tensor {
	out := make([]kern.Tensor, len(ts))
	for i, t := range ts {
		out[i] = kern.Tensor{Ptr: t.Ptr, Type: t.Type, Dims: t.Dims}
	}
	return out
}

func (a kernAdapter) Launch(c *kCall) error {
	return a.l.Launch(&kern.Call{Node: c.Node, Precision: c.Precision, In: kernTensors(c.In), Values: c.Values,
		Out: kernTensors(c.Out), Stream: c.Stream})
}
