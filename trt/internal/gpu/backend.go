// Package gpu is gotrt's CUDA backend: it runs a plan on an NVIDIA GPU with
// tensors on the device in their real types (FP32 float, FP16 __half, BF16
// __nv_bfloat16, INT8, UINT8/BOOL bytes, INT32, INT64).
//
// Matrix multiplies go to cuBLASLt and convolutions to cuDNN, with explicit
// compute types: pedantic FP32 (CUBLAS_COMPUTE_32F_PEDANTIC, CUDNN_FMA_MATH)
// unless the step allows TF32, FP16/BF16 operands with FP32 accumulation.
// Conversions and activation/bias epilogues are the backend's own NVRTC
// kernels; every other layer runs on the kernel library (package kern) where
// it has a kernel, and otherwise as a host fallback: the inputs are copied to
// the host, the CPU backend's kernel runs, the outputs go back to the device.
// Shape arithmetic (Shape layers and integer layers fed only by them and by
// constants) runs on the host, where its values are needed.
//
// A Program (one per engine) holds the constants, uploaded once, and the GEMM
// and convolution plans; it is read-only after Prepare apart from plan caches
// behind locks, so that several goroutines can run their own Runners. A Runner
// has its own stream, a size-bucketed memory pool that the plan's Free lists
// recycle, pinned staging buffers, and, once a run has repeated with the same
// input shapes and needed no host round trip, a CUDA graph of the whole engine
// that later runs replay.
package gpu

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/cpu"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// device is the process-wide state of the GPU: its primary context, the
// cuBLASLt handle, the compiled kernels and a pool of cuDNN handles. It lives
// as long as the process (compiling kernels and creating handles is slow;
// engines come and go).
type device struct {
	dev *cuda.Device
	ctx *cuda.Context
	bi  *builtins

	lt    *cuda.BlasLt // nil without cuBLASLt
	ltErr error
	ltMu  sync.Mutex // serializes cublasLtMatmul calls on the shared handle

	hasDNN bool
	dnnErr error
	dnnMu  sync.Mutex
	dnns   []*cuda.DNN // idle cuDNN handles

	lib    kernelLib // nil without the kernel library
	libErr error
}

var shared struct {
	once sync.Once
	d    *device
	err  error
}

func openDevice() (*device, error) {
	shared.once.Do(func() { shared.d, shared.err = initDevice() })
	return shared.d, shared.err
}

func initDevice() (*device, error) {
	if err := cuda.Load(); err != nil {
		return nil, err
	}
	n, err := cuda.DeviceCount()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: %w", cuda.ErrNotAvailable, cuda.ErrNoDevice)
	}
	dev, err := cuda.GetDevice(0)
	if err != nil {
		return nil, err
	}
	ctx, err := dev.Context()
	if err != nil {
		return nil, err
	}
	d := &device{dev: dev, ctx: ctx}
	if d.bi, err = compileBuiltins(ctx); err != nil {
		ctx.Close()
		return nil, err
	}
	d.lt, d.ltErr = ctx.NewBlasLt()
	if d.dnnErr = cuda.LoadLibrary(cuda.LibCUDNN); d.dnnErr == nil {
		d.hasDNN = true
	}
	if newKernelLib != nil {
		d.lib, d.libErr = newKernelLib(ctx)
		if d.libErr != nil {
			d.lib = nil
		}
	} else {
		d.libErr = errors.New("the kernel library is not linked in")
	}
	return d, nil
}

// getDNN takes an idle cuDNN handle (or makes one) bound to stream s.
func (d *device) getDNN(s *cuda.Stream) (*cuda.DNN, error) {
	if !d.hasDNN {
		return nil, d.dnnErr
	}
	d.dnnMu.Lock()
	var h *cuda.DNN
	if n := len(d.dnns); n > 0 {
		h = d.dnns[n-1]
		d.dnns = d.dnns[:n-1]
	}
	d.dnnMu.Unlock()
	if h == nil {
		var err error
		if h, err = d.ctx.NewDNN(); err != nil {
			return nil, err
		}
	}
	if err := h.SetStream(s); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// putDNN returns a handle to the idle list.
func (d *device) putDNN(h *cuda.DNN) {
	if h == nil {
		return
	}
	h.SetStream(nil)
	d.dnnMu.Lock()
	d.dnns = append(d.dnns, h)
	d.dnnMu.Unlock()
}

// Backend is the CUDA backend.
type Backend struct{ d *device }

// New opens the first GPU. Where there is none (or no CUDA driver) the error
// matches cuda.ErrNotAvailable, and "--backend auto" falls back to the CPU.
func New() (ir.Backend, error) {
	d, err := openDevice()
	if err != nil {
		return nil, err
	}
	return &Backend{d: d}, nil
}

// Name is "cuda".
func (*Backend) Name() string { return "cuda" }

// Device describes the GPU.
func (b *Backend) Device() string { return b.d.dev.String() }

// Supports: every kind the CPU backend has runs in FP32, FP16 and BF16: on the
// GPU where a kernel exists, otherwise as a host fallback that emulates the
// precision exactly as the CPU backend does.
func (b *Backend) Supports(k ir.Kind, p ir.DataType) bool {
	if !cpu.HasKernel(k) {
		return false
	}
	return p == ir.Float || p == ir.Half || p == ir.BF16
}

// Prepare uploads the constants, places every step and plans its kernels.
func (b *Backend) Prepare(ctx context.Context, p *ir.Plan) (ir.Program, error) {
	return newProgram(ctx, b.d, p)
}

// KernelLibraryStatus says whether the kernel library (package kern) is in
// use, and why not.
func KernelLibraryStatus() error {
	d, err := openDevice()
	if err != nil {
		return err
	}
	if d.lib == nil {
		return d.libErr
	}
	return nil
}
