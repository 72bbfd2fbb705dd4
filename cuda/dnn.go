package cuda

import (
	"fmt"
	"sync"

	"github.com/gotrt/gotrt/internal/cgo"
)

// DNNDataType is a cudnnDataType_t.
type DNNDataType int32

// cuDNN data types.
const (
	DNNFloat    DNNDataType = 0
	DNNDouble   DNNDataType = 1
	DNNHalf     DNNDataType = 2
	DNNInt8     DNNDataType = 3
	DNNInt32    DNNDataType = 4
	DNNUint8    DNNDataType = 6
	DNNBFloat16 DNNDataType = 9
	DNNInt64    DNNDataType = 10
)

// MathType is a cudnnMathType_t: which kernels a convolution may use.
type MathType int32

// Math types. For FP32 data, MathDefault allows TF32 tensor cores on Ampere and later;
// pedantic FP32 needs MathFMA.
const (
	MathDefault                 MathType = 0
	MathTensorOp                MathType = 1
	MathTensorOpAllowConversion MathType = 2
	MathFMA                     MathType = 3
)

// TensorFormat is a cudnnTensorFormat_t.
type TensorFormat int32

// Tensor formats.
const (
	FormatNCHW TensorFormat = 0
	FormatNHWC TensorFormat = 1
)

// ConvMode is a cudnnConvolutionMode_t.
type ConvMode int32

// Convolution modes: deep-learning "convolution" is cross-correlation.
const (
	ModeConvolution      ConvMode = 0
	ModeCrossCorrelation ConvMode = 1
)

// ConvFwdAlgo is a cudnnConvolutionFwdAlgo_t.
type ConvFwdAlgo int32

// Forward convolution algorithms.
const (
	FwdAlgoImplicitGemm        ConvFwdAlgo = 0
	FwdAlgoImplicitPrecompGemm ConvFwdAlgo = 1
	FwdAlgoGemm                ConvFwdAlgo = 2
	FwdAlgoDirect              ConvFwdAlgo = 3
	FwdAlgoFFT                 ConvFwdAlgo = 4
	FwdAlgoFFTTiling           ConvFwdAlgo = 5
	FwdAlgoWinograd            ConvFwdAlgo = 6
	FwdAlgoWinogradNonfused    ConvFwdAlgo = 7
)

// ConvBwdDataAlgo is a cudnnConvolutionBwdDataAlgo_t.
type ConvBwdDataAlgo int32

// Backward-data algorithms (used for transposed convolution).
const (
	BwdDataAlgo0                ConvBwdDataAlgo = 0
	BwdDataAlgo1                ConvBwdDataAlgo = 1
	BwdDataAlgoFFT              ConvBwdDataAlgo = 2
	BwdDataAlgoFFTTiling        ConvBwdDataAlgo = 3
	BwdDataAlgoWinograd         ConvBwdDataAlgo = 4
	BwdDataAlgoWinogradNonfused ConvBwdDataAlgo = 5
)

func dnnErr(code int32, op, msg string) error { return newErrorMsg(LibCUDNN, code, op, msg) }

// DNN is a cuDNN handle bound to a context.
type DNN struct {
	ctx    *Context
	handle uintptr

	mu     sync.Mutex
	closed bool
}

// NewDNN creates a cuDNN handle, loading cuDNN if needed.
func (c *Context) NewDNN() (*DNN, error) {
	h, err := c.live()
	if err != nil {
		return nil, err
	}
	if err := requireLib(LibCUDNN); err != nil {
		return nil, err
	}
	dh, msg, code := cgo.DnnCreate(h)
	if err := dnnErr(code, "cudnnCreate", msg); err != nil {
		return nil, err
	}
	return &DNN{ctx: c, handle: dh}, nil
}

// CUDNNVersion returns the loaded cuDNN's version, e.g. "9.10.2" ("" if not loaded).
func CUDNNVersion() string { return libraryVersion(LibCUDNN) }

func (d *DNN) live() (ctx, h uintptr, err error) {
	if d == nil {
		return 0, 0, closedError("nil cuDNN handle")
	}
	d.mu.Lock()
	closed := d.closed
	d.mu.Unlock()
	if closed {
		return 0, 0, closedError("cuDNN handle")
	}
	c, err := d.ctx.live()
	return c, d.handle, err
}

// SetStream makes the handle's work go to stream s (nil: the legacy default stream).
func (d *DNN) SetStream(s *Stream) error {
	c, h, err := d.live()
	if err != nil {
		return err
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	msg, code := cgo.DnnSetStream(c, h, st)
	return dnnErr(code, "cudnnSetStream", msg)
}

// Close destroys the handle. It is idempotent.
func (d *DNN) Close() error {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	c, err := d.ctx.live()
	if err != nil {
		return err
	}
	msg, code := cgo.DnnDestroy(c, d.handle)
	return dnnErr(code, "cudnnDestroy", msg)
}

func toInt32s(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

// PackedStrides returns the strides of a packed row-major (NCHW...) tensor of dims.
func PackedStrides(dims []int) []int {
	s := make([]int, len(dims))
	acc := 1
	for i := len(dims) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= dims[i]
	}
	return s
}

// TensorDesc describes a tensor for cuDNN.
type TensorDesc struct {
	handle  uintptr
	Type    DNNDataType
	Dims    []int
	Strides []int
	once    sync.Once
}

// NewTensorDesc creates a tensor descriptor (3 to 8 dims; nil strides: packed row-major).
func NewTensorDesc(t DNNDataType, dims, strides []int) (*TensorDesc, error) {
	if err := requireLib(LibCUDNN); err != nil {
		return nil, err
	}
	if strides == nil {
		strides = PackedStrides(dims)
	}
	if len(strides) != len(dims) {
		return nil, fmt.Errorf("%w: %d dims, %d strides", ErrInvalidValue, len(dims), len(strides))
	}
	h, msg, code := cgo.DnnTensorCreate(int32(t), toInt32s(dims), toInt32s(strides))
	if err := dnnErr(code, "cudnnSetTensorNdDescriptor", msg); err != nil {
		return nil, err
	}
	return &TensorDesc{handle: h, Type: t, Dims: append([]int(nil), dims...), Strides: append([]int(nil), strides...)}, nil
}

// Close destroys the descriptor. It is idempotent.
func (t *TensorDesc) Close() error {
	var err error
	if t != nil {
		t.once.Do(func() { err = dnnErr(cgo.DnnTensorDestroy(t.handle), "cudnnDestroyTensorDescriptor", "") })
	}
	return err
}

// FilterDesc describes convolution weights for cuDNN.
type FilterDesc struct {
	handle uintptr
	Type   DNNDataType
	Dims   []int // K, C/groups, spatial...
	once   sync.Once
}

// NewFilterDesc creates a filter descriptor of dims (K, C/groups, kH, kW ...) in NCHW order.
func NewFilterDesc(t DNNDataType, dims []int) (*FilterDesc, error) {
	if err := requireLib(LibCUDNN); err != nil {
		return nil, err
	}
	h, msg, code := cgo.DnnFilterCreate(int32(t), int32(FormatNCHW), toInt32s(dims))
	if err := dnnErr(code, "cudnnSetFilterNdDescriptor", msg); err != nil {
		return nil, err
	}
	return &FilterDesc{handle: h, Type: t, Dims: append([]int(nil), dims...)}, nil
}

// Close destroys the descriptor. It is idempotent.
func (f *FilterDesc) Close() error {
	var err error
	if f != nil {
		f.once.Do(func() { err = dnnErr(cgo.DnnFilterDestroy(f.handle), "cudnnDestroyFilterDescriptor", "") })
	}
	return err
}

// ConvParams are the parameters of a convolution descriptor.
type ConvParams struct {
	Pads, Strides, Dilations []int // one per spatial dimension (nil strides/dilations: 1)
	Groups                   int   // 0 or 1: no groups
	Mode                     ConvMode
	// ComputeType is the accumulation type: DNNFloat for FP32, FP16 and BF16 data.
	ComputeType DNNDataType
	// Math selects the kernels: MathFMA for pedantic FP32, MathDefault or MathTensorOp to
	// allow TF32 (FP32 data) and tensor cores (FP16/BF16 data).
	Math MathType
}

// ConvDesc describes a convolution for cuDNN.
type ConvDesc struct {
	handle uintptr
	Params ConvParams
	once   sync.Once
}

// NewConvDesc creates a convolution descriptor.
func NewConvDesc(p ConvParams) (*ConvDesc, error) {
	if err := requireLib(LibCUDNN); err != nil {
		return nil, err
	}
	n := len(p.Pads)
	ones := func(v []int) []int {
		if v != nil {
			return v
		}
		o := make([]int, n)
		for i := range o {
			o[i] = 1
		}
		return o
	}
	p.Strides, p.Dilations = ones(p.Strides), ones(p.Dilations)
	if len(p.Strides) != n || len(p.Dilations) != n || n == 0 {
		return nil, fmt.Errorf("%w: convolution with %d pads, %d strides, %d dilations", ErrInvalidValue,
			n, len(p.Strides), len(p.Dilations))
	}
	groups := p.Groups
	if groups <= 0 {
		groups = 1
	}
	h, msg, code := cgo.DnnConvCreate(toInt32s(p.Pads), toInt32s(p.Strides), toInt32s(p.Dilations),
		int32(p.Mode), int32(p.ComputeType), int32(groups), int32(p.Math))
	if err := dnnErr(code, "cudnnSetConvolutionNdDescriptor", msg); err != nil {
		return nil, err
	}
	return &ConvDesc{handle: h, Params: p}, nil
}

// SetMath changes the math type (e.g. to the one an algorithm query reported).
func (c *ConvDesc) SetMath(m MathType) error {
	msg, code := cgo.DnnConvSetMath(c.handle, int32(m))
	if err := dnnErr(code, "cudnnSetConvolutionMathType", msg); err != nil {
		return err
	}
	c.Params.Math = m
	return nil
}

// Close destroys the descriptor. It is idempotent.
func (c *ConvDesc) Close() error {
	var err error
	if c != nil {
		c.once.Do(func() { err = dnnErr(cgo.DnnConvDestroy(c.handle), "cudnnDestroyConvolutionDescriptor", "") })
	}
	return err
}

// ConvOutputDims returns the dims of the output of conv applied to x with w.
func ConvOutputDims(conv *ConvDesc, x *TensorDesc, w *FilterDesc) ([]int, error) {
	out, msg, code := cgo.DnnConvOutputDims(conv.handle, x.handle, w.handle, len(x.Dims))
	if err := dnnErr(code, "cudnnGetConvolutionNdForwardOutputDim", msg); err != nil {
		return nil, err
	}
	dims := make([]int, len(out))
	for i, v := range out {
		dims[i] = int(v)
	}
	return dims, nil
}

// ConvAlgoPerf is one algorithm proposed (or timed) by cuDNN.
type ConvAlgoPerf struct {
	Algo          int32 // ConvFwdAlgo or ConvBwdDataAlgo
	Status        int32 // 0: usable
	TimeMs        float32
	Memory        uint64 // workspace bytes
	Deterministic bool
	Math          MathType
}

func toPerf(in []cgo.DnnAlgoPerf) []ConvAlgoPerf {
	out := make([]ConvAlgoPerf, 0, len(in))
	for _, p := range in {
		out = append(out, ConvAlgoPerf{Algo: p.Algo, Status: p.Status, TimeMs: p.Time, Memory: p.Memory,
			Deterministic: p.Determinism == 1, Math: MathType(p.MathType)})
	}
	return out
}

// ConvForwardAlgorithms returns cuDNN's forward algorithms for the problem, best first:
// ranked by heuristics (cudnnGetConvolutionForwardAlgorithm_v7) or, with find, timed on the
// device (cudnnFindConvolutionForwardAlgorithm, which allocates its own scratch memory).
// Entries whose Status is not 0 cannot run.
func (d *DNN) ConvForwardAlgorithms(x *TensorDesc, w *FilterDesc, conv *ConvDesc, y *TensorDesc, find bool) ([]ConvAlgoPerf, error) {
	c, h, err := d.live()
	if err != nil {
		return nil, err
	}
	op := "cudnnGetConvolutionForwardAlgorithm_v7"
	if find {
		op = "cudnnFindConvolutionForwardAlgorithm"
	}
	res, msg, code := cgo.DnnConvFwdAlgos(c, h, x.handle, w.handle, conv.handle, y.handle, find, 8)
	if err := dnnErr(code, op, msg); err != nil {
		return nil, err
	}
	return toPerf(res), nil
}

// ConvForwardWorkspaceSize returns the workspace algo needs.
func (d *DNN) ConvForwardWorkspaceSize(x *TensorDesc, w *FilterDesc, conv *ConvDesc, y *TensorDesc, algo ConvFwdAlgo) (uint64, error) {
	c, h, err := d.live()
	if err != nil {
		return 0, err
	}
	n, msg, code := cgo.DnnConvFwdWorkspace(c, h, x.handle, w.handle, conv.handle, y.handle, int32(algo))
	return n, dnnErr(code, "cudnnGetConvolutionForwardWorkspaceSize", msg)
}

func wsArgs(ws *Buffer) (uint64, uint64, error) {
	if ws == nil {
		return 0, 0, nil
	}
	p, err := ws.live()
	return uint64(p), uint64(ws.size), err
}

// ConvForward computes y = alpha·conv(x, w) + beta·y on the handle's stream.
func (d *DNN) ConvForward(alpha float64, x *TensorDesc, xp DevicePtr, w *FilterDesc, wp DevicePtr, conv *ConvDesc,
	algo ConvFwdAlgo, ws *Buffer, beta float64, y *TensorDesc, yp DevicePtr) error {
	c, h, err := d.live()
	if err != nil {
		return err
	}
	wsp, wsn, err := wsArgs(ws)
	if err != nil {
		return err
	}
	msg, code := cgo.DnnConvFwd(c, h, alpha, x.handle, uint64(xp), w.handle, uint64(wp), conv.handle, int32(algo),
		wsp, wsn, beta, y.handle, uint64(yp), y.Type == DNNDouble)
	return dnnErr(code, "cudnnConvolutionForward", msg)
}

// ConvBackwardDataAlgorithms returns cuDNN's backward-data algorithms (the transposed
// convolution dx = convᵀ(dy, w)), best first; see ConvForwardAlgorithms.
func (d *DNN) ConvBackwardDataAlgorithms(w *FilterDesc, dy *TensorDesc, conv *ConvDesc, dx *TensorDesc, find bool) ([]ConvAlgoPerf, error) {
	c, h, err := d.live()
	if err != nil {
		return nil, err
	}
	op := "cudnnGetConvolutionBackwardDataAlgorithm_v7"
	if find {
		op = "cudnnFindConvolutionBackwardDataAlgorithm"
	}
	res, msg, code := cgo.DnnConvBwdDataAlgos(c, h, w.handle, dy.handle, conv.handle, dx.handle, find, 8)
	if err := dnnErr(code, op, msg); err != nil {
		return nil, err
	}
	return toPerf(res), nil
}

// ConvBackwardDataWorkspaceSize returns the workspace algo needs.
func (d *DNN) ConvBackwardDataWorkspaceSize(w *FilterDesc, dy *TensorDesc, conv *ConvDesc, dx *TensorDesc, algo ConvBwdDataAlgo) (uint64, error) {
	c, h, err := d.live()
	if err != nil {
		return 0, err
	}
	n, msg, code := cgo.DnnConvBwdDataWorkspace(c, h, w.handle, dy.handle, conv.handle, dx.handle, int32(algo))
	return n, dnnErr(code, "cudnnGetConvolutionBackwardDataWorkspaceSize", msg)
}

// ConvBackwardData computes dx = alpha·convᵀ(dy, w) + beta·dx, the transposed convolution
// (ONNX ConvTranspose with dy as its input and dx as its output).
func (d *DNN) ConvBackwardData(alpha float64, w *FilterDesc, wp DevicePtr, dy *TensorDesc, dyp DevicePtr, conv *ConvDesc,
	algo ConvBwdDataAlgo, ws *Buffer, beta float64, dx *TensorDesc, dxp DevicePtr) error {
	c, h, err := d.live()
	if err != nil {
		return err
	}
	wsp, wsn, err := wsArgs(ws)
	if err != nil {
		return err
	}
	msg, code := cgo.DnnConvBwdData(c, h, alpha, w.handle, uint64(wp), dy.handle, uint64(dyp), conv.handle, int32(algo),
		wsp, wsn, beta, dx.handle, uint64(dxp), dx.Type == DNNDouble)
	return dnnErr(code, "cudnnConvolutionBackwardData", msg)
}

// AddTensor computes c = alpha·a + beta·c, broadcasting a (e.g. a 1×C×1×1 bias).
func (d *DNN) AddTensor(alpha float64, a *TensorDesc, ap DevicePtr, beta float64, cd *TensorDesc, cp DevicePtr) error {
	c, h, err := d.live()
	if err != nil {
		return err
	}
	msg, code := cgo.DnnAddTensor(c, h, alpha, a.handle, uint64(ap), beta, cd.handle, uint64(cp), cd.Type == DNNDouble)
	return dnnErr(code, "cudnnAddTensor", msg)
}
