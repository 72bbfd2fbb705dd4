package gpu

import (
	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// The NVRTC kernel library (package kern) is reached through this interface,
// so that the backend builds and runs (GEMM, convolution, conversions, host
// fallback) without it; kern_link.go installs it.

// kTensor is a device tensor handed to a library kernel (Ptr 0: absent
// optional input, or an empty tensor).
type kTensor struct {
	Ptr  cuda.DevicePtr
	Type ir.DataType
	Dims []int
}

// kCall is one library kernel launch.
type kCall struct {
	Node      *ir.Node
	Precision ir.DataType
	In        []kTensor
	// Values are host values of parameter inputs (ir.IsParamInput, except
	// index-like data such as Gather indices) and of constants; nil otherwise.
	Values []*ir.Data
	Out    []kTensor
	Stream *cuda.Stream
}

type kernelLib interface {
	Supports(n *ir.Node, p ir.DataType, inTypes []ir.DataType) bool
	Launch(c *kCall) error
	Close() error
}

// newKernelLib makes the kernel library of a context; nil while package kern
// is not linked in.
var newKernelLib func(ctx *cuda.Context) (kernelLib, error)
