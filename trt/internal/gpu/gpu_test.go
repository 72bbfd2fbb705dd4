package gpu_test

// GPU tests of the CUDA backend. They skip with "no CUDA device: ..." where
// there is no GPU (CI). Build them here and run them on a GPU machine:
//
//	go test -c -o bin/gpu.test ./trt/internal/gpu && ./bin/gpu.test -test.v
//
// Agreement with the CPU backend is measured as max|gpu-cpu| / max|cpu| over
// each output (integer outputs must match exactly). Tolerances per precision:
//
//	FP32 (pedantic: TF32 off)      1e-5
//	TF32 (FP32 with TF32 GEMM/conv) 2e-3   operands rounded to 10 mantissa bits
//	FP16                            1e-2   half rounding at layer boundaries
//	BF16                            5e-2   8-bit mantissa
//
// The CPU backend emulates the same precisions (operands and layer outputs
// rounded), so differences come from accumulation order and from where
// roundings happen, not from the precision itself.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/internal/gpu"
	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/stretchr/testify/require"
	"github.com/x448/float16"
)

var bg = context.Background()

func needGPU(t testing.TB) {
	t.Helper()
	if _, err := gpu.New(); err != nil {
		if !errors.Is(err, cuda.ErrNotAvailable) {
			t.Fatalf("the CUDA backend does not start: %v", err)
		}
		t.Skipf("no CUDA device: %v", err)
	}
}

func TestDeviceInfo(t *testing.T) {
	needGPU(t)
	b, err := gpu.New()
	require.NoError(t, err)
	t.Logf("device: %s; driver %d; cuBLASLt %s; cuDNN %s", b.(interface{ Device() string }).Device(),
		cuda.DriverVersion(), cuda.CUBLASLtVersion(), cuda.CUDNNVersion())
	t.Logf("kernel library: %v", gpu.KernelLibraryStatus())
}

func TestNewWithoutGPU(t *testing.T) {
	_, err := gpu.New()
	if err == nil {
		t.Skip("a GPU is present")
	}
	require.ErrorIs(t, err, cuda.ErrNotAvailable)
	// auto falls back to the CPU backend
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{2})
	net.MarkOutput(net.AddActivation(x, trt.ActivationRelu).Output(0))
	cfg := trt.NewBuilderConfig()
	cfg.SetBackend(trt.BackendAuto)
	e, err := trt.NewBuilder(nil).Build(bg, net, cfg)
	require.NoError(t, err)
	defer e.Close()
	require.Equal(t, "cpu", e.Backend())
}

// ---- precision configurations ----------------------------------------------------

type precCase struct {
	name string
	cfg  func(*trt.BuilderConfig)
	tol  float64
}

var precs = []precCase{
	{"FP32", func(c *trt.BuilderConfig) { c.ClearFlag(trt.FlagTF32) }, 1e-5},
	{"TF32", func(c *trt.BuilderConfig) { c.SetFlag(trt.FlagTF32) }, 2e-3},
	{"FP16", func(c *trt.BuilderConfig) { c.ClearFlag(trt.FlagTF32); c.SetFlag(trt.FlagFP16) }, 1e-2},
	{"BF16", func(c *trt.BuilderConfig) { c.ClearFlag(trt.FlagTF32); c.SetFlag(trt.FlagBF16) }, 5e-2},
}

func build(t testing.TB, net *trt.Network, backend trt.Backend, pc precCase) *trt.Engine {
	t.Helper()
	cfg := trt.NewBuilderConfig()
	pc.cfg(cfg)
	cfg.SetBackend(backend)
	e, err := trt.NewBuilder(nil).Build(bg, net, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

func runOnce(t testing.TB, e *trt.Engine, in map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	c, err := e.CreateExecutionContext()
	require.NoError(t, err)
	defer c.Close()
	out, err := c.Run(bg, in)
	require.NoError(t, err)
	return out
}

// ---- data helpers ----------------------------------------------------------------

func randTensor(r *rand.Rand, typ trt.DataType, dims []int, lo, hi int) *tensor.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	t := &tensor.Tensor{Type: typ, Dims: append([]int{}, dims...)}
	switch typ {
	case trt.Float:
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.Float64()*2 - 1)
		}
		t.Data = v
	case trt.Half:
		v := make([]float16.Float16, n)
		for i := range v {
			v[i] = float16.Fromfloat32(float32(r.Float64()*2 - 1))
		}
		t.Data = v
	case trt.Int32:
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(lo + r.IntN(hi-lo))
		}
		t.Data = v
	case trt.Int64:
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(lo + r.IntN(hi-lo))
		}
		t.Data = v
	case trt.Bool:
		v := make([]bool, n)
		for i := range v {
			v[i] = r.IntN(2) == 1
		}
		t.Data = v
	default:
		panic(fmt.Sprintf("randTensor: %v", typ))
	}
	return t
}

func floats(t *tensor.Tensor) []float64 {
	switch v := t.Data.(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float16.Float16:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x.Float32())
		}
		return out
	case []tensor.BF16Bits:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x.Float32())
		}
		return out
	case []int32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []int64:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []int8:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []uint8:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []bool:
		out := make([]float64, len(v))
		for i, x := range v {
			if x {
				out[i] = 1
			}
		}
		return out
	}
	panic(fmt.Sprintf("floats: %T", t.Data))
}

// relErr is max|got-ref| / max|ref| (NaN and Inf must agree exactly).
func relErr(ref, got *tensor.Tensor) (float64, error) {
	if ref.Type != got.Type {
		return 0, fmt.Errorf("type %v, want %v", got.Type, ref.Type)
	}
	if fmt.Sprint(ref.Dims) != fmt.Sprint(got.Dims) {
		return 0, fmt.Errorf("dims %v, want %v", got.Dims, ref.Dims)
	}
	a, b := floats(ref), floats(got)
	scale, diff := 0.0, 0.0
	for i := range a {
		switch {
		case math.IsNaN(a[i]) || math.IsInf(a[i], 0) || math.IsNaN(b[i]) || math.IsInf(b[i], 0):
			if !(math.IsNaN(a[i]) && math.IsNaN(b[i])) && a[i] != b[i] {
				return math.Inf(1), fmt.Errorf("element %d: %v, want %v", i, b[i], a[i])
			}
			continue
		}
		scale = max(scale, math.Abs(a[i]))
		diff = max(diff, math.Abs(a[i]-b[i]))
	}
	if !ref.Type.IsFloat() && diff != 0 {
		return diff, fmt.Errorf("integer output differs by up to %v", diff)
	}
	if scale == 0 {
		return diff, nil
	}
	return diff / max(scale, 1e-6), nil
}

func constW(net *trt.Network, r *rand.Rand, dims ...int) *trt.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.Float64()*2-1) * 0.5
	}
	return net.AddConstant(trt.Dims(dims), trt.FloatWeights(v)).Output(0)
}

func weights(r *rand.Rand, n int) trt.Weights {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.Float64()*2-1) * 0.5
	}
	return trt.FloatWeights(v)
}

func i64const(net *trt.Network, v ...int64) *trt.Tensor {
	return net.AddConstant(trt.Dims{len(v)}, trt.Int64Weights(v)).Output(0)
}

// ---- the layer table -------------------------------------------------------------

type netCase struct {
	name  string
	build func(net *trt.Network, r *rand.Rand)
	// ref, when set, builds the CPU reference network (same function)
	ref func(net *trt.Network, r *rand.Rand)
	// dims of dynamic inputs at run time
	dims map[string][]int
	// intRange of integer inputs
	lo, hi int
	// reduced: integer outputs may differ in reduced precision (ties)
	looseInts bool
	// onGPU lists layer kinds that must run on the GPU in every precision
	onGPU []string
	// onHost lists layer names that must run on the host
	onHost []string
}

func out(net *trt.Network, t *trt.Tensor, name string) {
	t.SetName(name)
	net.MarkOutput(t)
}

var cases = []netCase{
	{name: "matmul", onGPU: []string{"MatrixMultiply"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{4, 32})
		out(n, n.AddMatrixMultiply(x, trt.MatrixOpNone, constW(n, r, 32, 16), trt.MatrixOpNone).Output(0), "y")
	}},
	{name: "matmul-batched", onGPU: []string{"MatrixMultiply"}, build: func(n *trt.Network, r *rand.Rand) {
		a := n.AddInput("a", trt.Float, trt.Dims{3, 8, 16})
		b := n.AddInput("b", trt.Float, trt.Dims{3, 16, 16})
		out(n, n.AddMatrixMultiply(a, trt.MatrixOpNone, b, trt.MatrixOpNone).Output(0), "y")
	}},
	{name: "matmul-broadcast", build: func(n *trt.Network, r *rand.Rand) {
		a := n.AddInput("a", trt.Float, trt.Dims{2, 3, 8, 16})
		b := n.AddInput("b", trt.Float, trt.Dims{3, 16, 16})
		out(n, n.AddMatrixMultiply(a, trt.MatrixOpNone, b, trt.MatrixOpNone).Output(0), "y")
	}},
	{name: "matmul-broadcast-general", build: func(n *trt.Network, r *rand.Rand) {
		a := n.AddInput("a", trt.Float, trt.Dims{2, 1, 8, 16})
		b := n.AddInput("b", trt.Float, trt.Dims{1, 3, 16, 16})
		out(n, n.AddMatrixMultiply(a, trt.MatrixOpNone, b, trt.MatrixOpNone).Output(0), "y")
	}},
	{name: "matmul-transposed", onGPU: []string{"MatrixMultiply"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{2, 16, 8})
		out(n, n.AddMatrixMultiply(x, trt.MatrixOpTranspose, constW(n, r, 12, 16), trt.MatrixOpTranspose).Output(0), "y")
	}},
	{name: "matvec", onGPU: []string{"MatrixMultiply"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{6, 10})
		v := n.AddInput("v", trt.Float, trt.Dims{10})
		out(n, n.AddMatrixMultiply(x, trt.MatrixOpNone, v, trt.MatrixOpVector).Output(0), "y")
	}},
	{name: "matmul-relu", onGPU: []string{"MatrixMultiply"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{8, 24})
		mm := n.AddMatrixMultiply(x, trt.MatrixOpNone, constW(n, r, 24, 40), trt.MatrixOpNone)
		out(n, n.AddActivation(mm.Output(0), trt.ActivationRelu).Output(0), "y")
	}},
	{name: "matmul-gelu", onGPU: []string{"MatrixMultiply"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{8, 24})
		mm := n.AddMatrixMultiply(x, trt.MatrixOpNone, constW(n, r, 24, 40), trt.MatrixOpNone)
		g := n.AddActivation(mm.Output(0), trt.ActivationGeluErf)
		out(n, n.AddActivation(g.Output(0), trt.ActivationSigmoid).Output(0), "y")
	}},
	{name: "mlp-bias-tanh", build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{4, 24})
		mm := n.AddMatrixMultiply(x, trt.MatrixOpNone, constW(n, r, 24, 16), trt.MatrixOpNone)
		add := n.AddElementWise(mm.Output(0), constW(n, r, 1, 16), trt.ElementWiseSum)
		out(n, n.AddActivation(add.Output(0), trt.ActivationTanh).Output(0), "y")
	}},
	{name: "conv2d-bias-relu", onGPU: []string{"Convolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{2, 8, 10, 10})
		c := n.AddConvolutionNd(x, 16, trt.Dims{3, 3}, weights(r, 16*8*9), weights(r, 16))
		c.SetPaddingNd(trt.Dims{1, 1})
		out(n, n.AddActivation(c.Output(0), trt.ActivationRelu).Output(0), "y")
	}},
	{name: "conv2d-grouped-strided-dilated", onGPU: []string{"Convolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{1, 8, 13, 13})
		c := n.AddConvolutionNd(x, 8, trt.Dims{3, 3}, weights(r, 8*2*9), weights(r, 8))
		c.SetNbGroups(4)
		c.SetStrideNd(trt.Dims{2, 2})
		c.SetDilationNd(trt.Dims{2, 2})
		c.SetPaddingNd(trt.Dims{2, 2})
		out(n, c.Output(0), "y")
	}},
	{name: "conv1d", onGPU: []string{"Convolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{2, 4, 20})
		c := n.AddConvolutionNd(x, 6, trt.Dims{5}, weights(r, 6*4*5), weights(r, 6))
		c.SetPaddingNd(trt.Dims{2})
		out(n, n.AddActivation(c.Output(0), trt.ActivationLeakyRelu).Output(0), "y")
	}},
	{name: "conv3d", onGPU: []string{"Convolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{1, 2, 6, 6, 6})
		c := n.AddConvolutionNd(x, 4, trt.Dims{3, 3, 3}, weights(r, 4*2*27), trt.Weights{})
		out(n, c.Output(0), "y")
	}},
	{name: "conv2d-same-upper-asymmetric", onGPU: []string{"Convolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{1, 3, 10, 10})
		c := n.AddConvolutionNd(x, 4, trt.Dims{3, 3}, weights(r, 4*3*9), weights(r, 4))
		c.SetStrideNd(trt.Dims{2, 2})
		c.SetPaddingMode("SAME_UPPER")
		out(n, c.Output(0), "y")
	}},
	{name: "deconv2d", onGPU: []string{"Deconvolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{1, 8, 5, 5})
		d := n.AddDeconvolutionNd(x, 4, trt.Dims{3, 3}, weights(r, 8*4*9), weights(r, 4))
		d.SetStrideNd(trt.Dims{2, 2})
		d.SetPaddingNd(trt.Dims{1, 1})
		d.SetOutputPadding(trt.Dims{1, 1})
		out(n, d.Output(0), "y")
	}},
	{name: "deconv2d-asymmetric", onGPU: []string{"Deconvolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{1, 4, 5, 5})
		d := n.AddDeconvolutionNd(x, 3, trt.Dims{3, 3}, weights(r, 4*3*9), weights(r, 3))
		d.SetStrideNd(trt.Dims{2, 2})
		d.SetPrePadding(trt.Dims{1, 0})
		d.SetPostPadding(trt.Dims{0, 1})
		out(n, d.Output(0), "y")
	}},
	// The CPU backend panics on SAME_* deconvolutions (cpu.kConv: deconvFullSize
	// gives no dims), so its reference is the same layer with the explicit
	// pads SAME_UPPER resolves to (0 before, 1 after).
	{name: "deconv2d-same-upper", onGPU: []string{"Deconvolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{1, 4, 5, 5})
		d := n.AddDeconvolutionNd(x, 3, trt.Dims{3, 3}, weights(r, 4*3*9), trt.Weights{})
		d.SetStrideNd(trt.Dims{2, 2})
		d.SetPaddingMode("SAME_UPPER")
		out(n, d.Output(0), "y")
	}, ref: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{1, 4, 5, 5})
		d := n.AddDeconvolutionNd(x, 3, trt.Dims{3, 3}, weights(r, 4*3*9), trt.Weights{})
		d.SetStrideNd(trt.Dims{2, 2})
		d.SetPrePadding(trt.Dims{0, 0})
		d.SetPostPadding(trt.Dims{1, 1})
		out(n, d.Output(0), "y")
	}},
	{name: "deconv2d-grouped", onGPU: []string{"Deconvolution"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{2, 4, 6, 6})
		d := n.AddDeconvolutionTensors(x, constW(n, r, 4, 3, 2, 2), nil,
			&trt.ConvolutionParams{NbOutputMaps: 6, KernelSize: trt.Dims{2, 2}, Strides: trt.Dims{2, 2}, Groups: 2})
		out(n, n.AddActivation(d.Output(0), trt.ActivationElu).Output(0), "y")
	}},
	{name: "cast-int-roundtrip", onGPU: []string{"Cast"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{4, 16})
		i := n.AddCast(x, trt.Int32)
		out(n, i.Output(0), "i")
		b := n.AddCast(x, trt.Bool)
		out(n, b.Output(0), "b")
		out(n, n.AddCast(i.Output(0), trt.Float).Output(0), "f")
		out(n, n.AddCast(b.Output(0), trt.Int64).Output(0), "l")
	}},
	{name: "int-input-casts", onGPU: []string{"Cast"}, lo: -300, hi: 300, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Int32, trt.Dims{64})
		out(n, n.AddCast(x, trt.Int8).Output(0), "i8")
		out(n, n.AddCast(x, trt.UInt8).Output(0), "u8")
		out(n, n.AddCast(x, trt.Half).Output(0), "h")
		out(n, n.AddCast(x, trt.Int64).Output(0), "l")
	}},
	{name: "activations", onGPU: []string{"Activation"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{3, 50})
		t := x
		for i, a := range []trt.ActivationType{trt.ActivationSigmoid, trt.ActivationTanh, trt.ActivationLeakyRelu,
			trt.ActivationElu, trt.ActivationSelu, trt.ActivationSoftsign, trt.ActivationSoftplus, trt.ActivationClip,
			trt.ActivationHardSigmoid, trt.ActivationScaledTanh, trt.ActivationThresholdedRelu, trt.ActivationGeluErf,
			trt.ActivationGeluTanh, trt.ActivationCelu, trt.ActivationMish, trt.ActivationHardSwish, trt.ActivationShrink} {
			l := n.AddActivation(x, a)
			if a == trt.ActivationClip {
				l.SetAlpha(-0.3)
				l.SetBeta(0.4)
			}
			out(n, l.Output(0), fmt.Sprintf("a%d", i))
			t = l.Output(0)
		}
		_ = t
	}},
	{name: "elementwise", build: func(n *trt.Network, r *rand.Rand) {
		a := n.AddInput("a", trt.Float, trt.Dims{4, 8})
		b := n.AddInput("b", trt.Float, trt.Dims{1, 8})
		for i, op := range []trt.ElementWiseOperation{trt.ElementWiseSum, trt.ElementWiseProd, trt.ElementWiseMax,
			trt.ElementWiseMin, trt.ElementWiseSub} {
			out(n, n.AddElementWise(a, b, op).Output(0), fmt.Sprintf("e%d", i))
		}
		out(n, n.AddElementWise(a, b, trt.ElementWiseGreater).Output(0), "gt")
	}},
	{name: "unary", build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{40})
		out(n, n.AddUnary(x, trt.UnaryExp).Output(0), "exp")
		ab := n.AddUnary(x, trt.UnaryAbs)
		out(n, n.AddUnary(ab.Output(0), trt.UnarySqrt).Output(0), "sqrt")
		out(n, n.AddUnary(x, trt.UnaryNeg).Output(0), "neg")
	}},
	{name: "softmax-reduce", build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{2, 3, 16})
		out(n, n.AddSoftMax(x, -1).Output(0), "sm")
		out(n, n.AddReduce(x, trt.ReduceSum, []int{2}, false).Output(0), "sum")
		out(n, n.AddReduce(x, trt.ReduceAvg, []int{1, 2}, true).Output(0), "mean")
		out(n, n.AddReduce(x, trt.ReduceMax, []int{0}, false).Output(0), "max")
	}},
	{name: "pooling", build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{1, 3, 8, 8})
		mp := n.AddPoolingNd(x, trt.PoolingMax, trt.Dims{2, 2})
		mp.SetStrideNd(trt.Dims{2, 2})
		out(n, mp.Output(0), "max")
		ap := n.AddPoolingNd(x, trt.PoolingAverage, trt.Dims{3, 3})
		ap.SetPaddingNd(trt.Dims{1, 1})
		out(n, ap.Output(0), "avg")
		out(n, n.AddGlobalPooling(x, trt.PoolingAverage).Output(0), "gap")
	}},
	{name: "data-movement", build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{2, 3, 4})
		y := n.AddInput("y", trt.Float, trt.Dims{2, 2, 4})
		out(n, n.AddConcatenation([]*trt.Tensor{x, y}, 1).Output(0), "cat")
		out(n, n.AddSliceStatic(x, []int64{0, 1, 0}, []int64{2, 3, 4}, nil, []int64{1, 1, 2}).Output(0), "slice")
		tr := n.AddShuffle(x)
		tr.SetFirstTranspose([]int{2, 0, 1})
		out(n, tr.Output(0), "transpose")
		rs := n.AddShuffle(x)
		rs.SetReshapeDimensions(trt.Dims{6, 4})
		out(n, rs.Output(0), "reshape")
		g := n.AddGather(x, i64const(n, 2, 0, 1, 1), 2)
		out(n, g.Output(0), "gather")
	}},
	{name: "gather-input-indices", lo: 0, hi: 5, build: func(n *trt.Network, r *rand.Rand) {
		tab := constW(n, r, 5, 8)
		idx := n.AddInput("idx", trt.Int32, trt.Dims{3, 2})
		out(n, n.AddGather(tab, idx, 0).Output(0), "emb")
	}},
	{name: "shape-arithmetic", dims: map[string][]int{"x": {4, 6}}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{-1, 6})
		sh := n.AddShape(x)
		b := n.AddGather(sh.Output(0), i64const(n, 0), 0)
		two := i64const(n, 2)
		bb := n.AddElementWise(b.Output(0), two, trt.ElementWiseProd)
		dims := n.AddConcatenation([]*trt.Tensor{bb.Output(0), i64const(n, 3)}, 0)
		rs := n.AddReshape(x, dims.Output(0), false)
		out(n, n.AddActivation(rs.Output(0), trt.ActivationSigmoid).Output(0), "y")
		out(n, sh.Output(0), "shape")
	}},
	{name: "nonzero-host", onHost: []string{"nz"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{3, 5})
		gt := n.AddElementWise(x, n.AddConstant(trt.Dims{1, 1}, trt.FloatWeights([]float32{0})).Output(0), trt.ElementWiseGreater)
		nz := n.AddNonZero(gt.Output(0))
		nz.SetName("nz")
		out(n, nz.Output(0), "idx")
		mm := n.AddMatrixMultiply(x, trt.MatrixOpNone, constW(n, r, 5, 4), trt.MatrixOpNone)
		out(n, mm.Output(0), "mm")
	}},
	{name: "topk", looseInts: true, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{3, 20})
		tk := n.AddTopK(x, true, 4, 1, nil)
		out(n, tk.Output(0), "v")
		out(n, tk.Output(1), "i")
	}},
	{name: "layernorm", build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{2, 4, 16})
		ln := n.AddNormalization(&trt.NormalizationParams{Kind: trt.NormKindLayer, Epsilon: 1e-5, Axis: -1},
			x, constW(n, r, 16), constW(n, r, 16))
		out(n, ln.Output(0), "y")
	}},
	{name: "identity-output", onGPU: []string{"Identity"}, build: func(n *trt.Network, r *rand.Rand) {
		x := n.AddInput("x", trt.Float, trt.Dims{5, 7})
		out(n, n.AddIdentity(x).Output(0), "y")
	}},
}

func inputsFor(t testing.TB, e *trt.Engine, c netCase, r *rand.Rand) map[string]*tensor.Tensor {
	in := map[string]*tensor.Tensor{}
	lo, hi := c.lo, c.hi
	if hi <= lo {
		lo, hi = 0, 4
	}
	for _, io := range e.Inputs() {
		dims := []int(io.Dims)
		if d, ok := c.dims[io.Name]; ok {
			dims = d
		}
		in[io.Name] = randTensor(r, io.Type, dims, lo, hi)
	}
	return in
}

func TestLayerAgreementWithCPU(t *testing.T) {
	needGPU(t)
	summary := map[string][]string{}
	for _, c := range cases {
		for _, pc := range precs {
			t.Run(c.name+"/"+pc.name, func(t *testing.T) {
				net := trt.NewNetwork()
				c.build(net, rand.New(rand.NewPCG(1, 2)))
				require.NoError(t, net.Err())
				refNet := net
				if c.ref != nil {
					refNet = trt.NewNetwork()
					c.ref(refNet, rand.New(rand.NewPCG(1, 2)))
					require.NoError(t, refNet.Err())
				}
				ecpu := build(t, refNet, trt.BackendCPU, pc)
				egpu := build(t, net, trt.BackendCUDA, pc)
				require.Equal(t, "cuda", egpu.Backend())
				in := inputsFor(t, ecpu, c, rand.New(rand.NewPCG(3, 4)))
				want := runOnce(t, ecpu, in)
				// Three runs: step by step, captured as a graph, replayed.
				ctx, err := egpu.CreateExecutionContext()
				require.NoError(t, err)
				defer ctx.Close()
				var got map[string]*tensor.Tensor
				for i := 0; i < 3; i++ {
					got, err = ctx.Run(bg, in)
					require.NoError(t, err, "run %d", i)
					worst := 0.0
					for name, ref := range want {
						g, ok := got[name]
						require.True(t, ok, "output %s", name)
						e, err := relErr(ref, g)
						if err != nil && c.looseInts && pc.name != "FP32" && !ref.Type.IsFloat() {
							continue
						}
						require.NoError(t, err, "output %s (run %d)", name, i)
						require.LessOrEqual(t, e, pc.tol, "output %s (run %d)", name, i)
						worst = max(worst, e)
					}
					if i == 0 {
						t.Logf("max relative error %.3g (tolerance %.0e)", worst, pc.tol)
					}
				}
				info := egpu.CreateEngineInspector().Info()
				var places []string
				for _, l := range info.Layers {
					if l.Kind == "Constant" {
						continue
					}
					require.Contains(t, []string{"gpu", "host"}, l.Device, "layer %s", l.Name)
					places = append(places, fmt.Sprintf("%s:%s", l.Kind, l.Device))
					for _, k := range c.onGPU {
						if l.Kind == k {
							require.Equal(t, "gpu", l.Device, "layer %s (%s)", l.Name, l.Kind)
						}
					}
					for _, name := range c.onHost {
						if l.Name == name {
							require.Equal(t, "host", l.Device, "layer %s", l.Name)
						}
					}
				}
				if pc.name == "FP16" {
					summary[c.name] = places
				}
			})
		}
	}
	for _, c := range cases {
		t.Logf("%-30s %s", c.name, strings.Join(summary[c.name], " "))
	}
}

// FP32 without TF32 is exact FP32 on the GPU; TF32 is measurably coarser: FP32
// never silently becomes TF32.
func TestPedanticFP32IsNotTF32(t *testing.T) {
	needGPU(t)
	const M, K, N = 64, 1024, 64
	r := rand.New(rand.NewPCG(5, 6))
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{M, K})
	wv := make([]float32, K*N)
	for i := range wv {
		wv[i] = float32(r.Float64()*2 - 1)
	}
	mm := net.AddMatrixMultiply(x, trt.MatrixOpNone, net.AddConstant(trt.Dims{K, N}, trt.FloatWeights(wv)).Output(0), trt.MatrixOpNone)
	out(net, mm.Output(0), "y")
	in := map[string]*tensor.Tensor{"x": randTensor(r, trt.Float, []int{M, K}, 0, 0)}
	xv := in["x"].Data.([]float32)
	ref := make([]float64, M*N)
	scale := 0.0
	for i := 0; i < M; i++ {
		for j := 0; j < N; j++ {
			s := 0.0
			for k := 0; k < K; k++ {
				s += float64(xv[i*K+k]) * float64(wv[k*N+j])
			}
			ref[i*N+j] = s
			scale = max(scale, math.Abs(s))
		}
	}
	errOf := func(pc precCase) float64 {
		e := build(t, net, trt.BackendCUDA, pc)
		got := floats(runOnce(t, e, in)["y"])
		worst := 0.0
		for i := range ref {
			worst = max(worst, math.Abs(got[i]-ref[i])/scale)
		}
		return worst
	}
	ped, tf := errOf(precs[0]), errOf(precs[1])
	t.Logf("GEMM %dx%dx%d: pedantic FP32 error %.3g, TF32 error %.3g (relative to max |y|)", M, K, N, ped, tf)
	require.Less(t, ped, 1e-5)
	require.Less(t, ped*10, tf, "TF32 must be coarser than pedantic FP32")
}

func TestInspectorReportsPlacement(t *testing.T) {
	needGPU(t)
	net := trt.NewNetwork()
	r := rand.New(rand.NewPCG(7, 8))
	x := net.AddInput("x", trt.Float, trt.Dims{4, 8})
	mm := net.AddMatrixMultiply(x, trt.MatrixOpNone, constW(net, r, 8, 8), trt.MatrixOpNone)
	mm.SetName("fc")
	relu := net.AddActivation(mm.Output(0), trt.ActivationRelu)
	relu.SetName("relu")
	nz := net.AddNonZero(relu.Output(0))
	nz.SetName("nonzero")
	out(net, nz.Output(0), "idx")
	out(net, relu.Output(0), "act")
	e := build(t, net, trt.BackendCUDA, precs[0])
	info := e.CreateEngineInspector().Info()
	dev := map[string]string{}
	for _, l := range info.Layers {
		dev[l.Name] = l.Device
	}
	require.Equal(t, "gpu", dev["fc"])
	require.Equal(t, "host", dev["nonzero"])
	var buf bytes.Buffer
	e.CreateEngineInspector().WriteText(&buf)
	t.Logf("\n%s", buf.String())
	require.Contains(t, buf.String(), "on=gpu")
	require.Contains(t, buf.String(), "on=host")
	js, err := e.CreateEngineInspector().LayerInformation(0)
	require.NoError(t, err)
	require.Contains(t, js, `"device"`)
}

func mlpNet(r *rand.Rand, dynamic bool) *trt.Network {
	net := trt.NewNetwork()
	b := 8
	if dynamic {
		b = -1
	}
	x := net.AddInput("x", trt.Float, trt.Dims{b, 3, 12, 12})
	c := net.AddConvolutionNd(x, 8, trt.Dims{3, 3}, weights(r, 8*3*9), weights(r, 8))
	c.SetPaddingNd(trt.Dims{1, 1})
	relu := net.AddActivation(c.Output(0), trt.ActivationRelu)
	sh := net.AddShuffle(relu.Output(0))
	sh.SetReshapeDimensions(trt.Dims{0, 8 * 12 * 12})
	mm := net.AddMatrixMultiply(sh.Output(0), trt.MatrixOpNone, constW(net, r, 8*12*12, 10), trt.MatrixOpNone)
	out(net, net.AddActivation(mm.Output(0), trt.ActivationSigmoid).Output(0), "y")
	return net
}

func TestGraphReplayIsIdentical(t *testing.T) {
	needGPU(t)
	net := mlpNet(rand.New(rand.NewPCG(9, 10)), false)
	e := build(t, net, trt.BackendCUDA, precs[0])
	r := rand.New(rand.NewPCG(11, 12))
	inA := map[string]*tensor.Tensor{"x": randTensor(r, trt.Float, []int{8, 3, 12, 12}, 0, 0)}
	inB := map[string]*tensor.Tensor{"x": randTensor(r, trt.Float, []int{8, 3, 12, 12}, 0, 0)}
	// eager references from a fresh context each
	refA, refB := runOnce(t, e, inA)["y"], runOnce(t, e, inB)["y"]
	ctx, err := e.CreateExecutionContext()
	require.NoError(t, err)
	defer ctx.Close()
	c0, r0 := gpu.GraphStats()
	seq := []map[string]*tensor.Tensor{inA, inA, inB, inA, inB, inB}
	refs := []*tensor.Tensor{refA, refA, refB, refA, refB, refB}
	for i, in := range seq {
		got, err := ctx.Run(bg, in)
		require.NoError(t, err)
		require.Equal(t, refs[i].Data, got["y"].Data, "run %d differs from the eager run", i)
	}
	c1, r1 := gpu.GraphStats()
	t.Logf("graph captures %d, replays %d", c1-c0, r1-r0)
	require.Equal(t, int64(1), c1-c0, "one capture")
	require.Equal(t, int64(4), r1-r0, "four replays")
}

func TestDynamicShapesAndProfiling(t *testing.T) {
	needGPU(t)
	net := mlpNet(rand.New(rand.NewPCG(13, 14)), true)
	ecpu := build(t, net, trt.BackendCPU, precs[0])
	egpu := build(t, net, trt.BackendCUDA, precs[0])
	ctx, err := egpu.CreateExecutionContext()
	require.NoError(t, err)
	defer ctx.Close()
	prof := &trt.LayerTimes{}
	ctx.SetProfiler(prof)
	r := rand.New(rand.NewPCG(15, 16))
	for _, b := range []int{2, 5, 2, 1, 5} {
		in := map[string]*tensor.Tensor{"x": randTensor(r, trt.Float, []int{b, 3, 12, 12}, 0, 0)}
		want := runOnce(t, ecpu, in)["y"]
		got, err := ctx.Run(bg, in)
		require.NoError(t, err)
		e, err := relErr(want, got["y"])
		require.NoError(t, err)
		require.LessOrEqual(t, e, 1e-5, "batch %d", b)
	}
	require.NotEmpty(t, prof.Order)
	var total float64
	for _, name := range prof.Order {
		total += prof.Total[name].Seconds()
	}
	t.Logf("profiled layers: %v, total %.3f ms", prof.Order, total*1e3)
	require.Greater(t, total, 0.0)
}

func TestConcurrentContexts(t *testing.T) {
	needGPU(t)
	net := mlpNet(rand.New(rand.NewPCG(17, 18)), false)
	ecpu := build(t, net, trt.BackendCPU, precs[0])
	egpu := build(t, net, trt.BackendCUDA, precs[0])
	const G, N = 8, 20
	r := rand.New(rand.NewPCG(19, 20))
	ins := make([]map[string]*tensor.Tensor, G*2)
	wants := make([]*tensor.Tensor, len(ins))
	for i := range ins {
		ins[i] = map[string]*tensor.Tensor{"x": randTensor(r, trt.Float, []int{8, 3, 12, 12}, 0, 0)}
		wants[i] = runOnce(t, ecpu, ins[i])["y"]
	}
	var wg sync.WaitGroup
	errs := make(chan error, G)
	for g := 0; g < G; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, err := egpu.CreateExecutionContext()
			if err != nil {
				errs <- err
				return
			}
			defer ctx.Close()
			for i := 0; i < N; i++ {
				k := 2*g + i%2
				got, err := ctx.Run(bg, ins[k])
				if err != nil {
					errs <- err
					return
				}
				e, err := relErr(wants[k], got["y"])
				if err == nil && e > 1e-5 {
					err = fmt.Errorf("goroutine %d run %d: error %.3g", g, i, e)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestOutOfMemoryIsAnErrorAndEngineStaysUsable(t *testing.T) {
	needGPU(t)
	net := trt.NewNetwork()
	a := net.AddInput("a", trt.Float, trt.Dims{-1, 1})
	b := net.AddInput("b", trt.Float, trt.Dims{1, -1})
	out(net, net.AddMatrixMultiply(a, trt.MatrixOpNone, b, trt.MatrixOpNone).Output(0), "y")
	e := build(t, net, trt.BackendCUDA, precs[0])
	ctx, err := e.CreateExecutionContext()
	require.NoError(t, err)
	defer ctx.Close()
	// 300k x 300k FP32 = 360 GB: more than any GPU has.
	const big = 300000
	r := rand.New(rand.NewPCG(21, 22))
	_, err = ctx.Run(bg, map[string]*tensor.Tensor{
		"a": randTensor(r, trt.Float, []int{big, 1}, 0, 0), "b": randTensor(r, trt.Float, []int{1, big}, 0, 0)})
	require.Error(t, err)
	t.Logf("huge input: %v", err)
	require.True(t, errors.Is(err, cuda.ErrOutOfMemory), "error must match cuda.ErrOutOfMemory: %v", err)
	// still usable
	small := map[string]*tensor.Tensor{"a": {Type: trt.Float, Dims: []int{2, 1}, Data: []float32{1, 2}},
		"b": {Type: trt.Float, Dims: []int{1, 3}, Data: []float32{3, 4, 5}}}
	got, err := ctx.Run(bg, small)
	require.NoError(t, err)
	require.Equal(t, []float32{3, 4, 5, 6, 8, 10}, got["y"].Data)
}

func memFree(t testing.TB) uint64 {
	dev, err := cuda.GetDevice(0)
	require.NoError(t, err)
	c, err := dev.Context()
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Synchronize())
	free, _, err := c.MemGetInfo()
	require.NoError(t, err)
	return free
}

func TestNoLeakOver1000Cycles(t *testing.T) {
	needGPU(t)
	cycles := 1000
	if testing.Short() {
		cycles = 50
	}
	r := rand.New(rand.NewPCG(23, 24))
	in := map[string]*tensor.Tensor{"x": randTensor(r, trt.Float, []int{8, 3, 12, 12}, 0, 0)}
	n := 0
	cycle := func() {
		net := mlpNet(rand.New(rand.NewPCG(25, 26)), false)
		cfg := trt.NewBuilderConfig()
		cfg.SetBackend(trt.BackendCUDA)
		if n++; n%2 == 0 {
			cfg.SetFlag(trt.FlagFP16)
		}
		e, err := trt.NewBuilder(nil).Build(bg, net, cfg)
		require.NoError(t, err)
		ctx, err := e.CreateExecutionContext()
		require.NoError(t, err)
		for i := 0; i < 3; i++ { // eager, capture, replay
			_, err = ctx.Run(bg, in)
			require.NoError(t, err)
		}
		require.NoError(t, ctx.Close())
		require.NoError(t, e.Close())
	}
	for i := 0; i < 5; i++ {
		cycle()
	}
	before := memFree(t)
	for i := 0; i < cycles; i++ {
		cycle()
	}
	after := memFree(t)
	leak := int64(before) - int64(after)
	t.Logf("%d build/run/close cycles: free memory %d -> %d bytes (change %d bytes)", cycles, before, after, -leak)
	require.Less(t, leak, int64(8<<20), "device memory leaked")
}

func TestBuildProgress(t *testing.T) {
	needGPU(t)
	net := mlpNet(rand.New(rand.NewPCG(27, 28)), false)
	cfg := trt.NewBuilderConfig()
	cfg.SetBackend(trt.BackendCUDA)
	phases := map[string]int{}
	cfg.SetProgress(func(phase string, done, total int) { phases[phase] = total })
	e, err := trt.NewBuilder(nil).Build(bg, net, cfg)
	require.NoError(t, err)
	defer e.Close()
	t.Logf("progress phases: %v", phases)
	require.Contains(t, phases, "cuda: choose kernels")
}

// Closing the engine before its contexts keeps the contexts working until they close.
func TestEngineCloseBeforeContext(t *testing.T) {
	needGPU(t)
	net := mlpNet(rand.New(rand.NewPCG(29, 30)), false)
	cfg := trt.NewBuilderConfig()
	cfg.SetBackend(trt.BackendCUDA)
	e, err := trt.NewBuilder(nil).Build(bg, net, cfg)
	require.NoError(t, err)
	ctx, err := e.CreateExecutionContext()
	require.NoError(t, err)
	require.NoError(t, e.Close())
	_, err = ctx.Run(bg, map[string]*tensor.Tensor{"x": randTensor(rand.New(rand.NewPCG(1, 1)), trt.Float, []int{8, 3, 12, 12}, 0, 0)})
	require.ErrorIs(t, err, trt.ErrClosed)
	require.NoError(t, ctx.Close())
}

var _ = ir.Float

// Per-layer precisions and output types (obey constraints): the GEMM,
// convolution and library paths that write another type than they compute in.
func TestPerLayerPrecisionAndOutputTypes(t *testing.T) {
	needGPU(t)
	r := rand.New(rand.NewPCG(31, 32))
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{2, 8, 6, 6})
	c := net.AddConvolutionNd(x, 8, trt.Dims{3, 3}, weights(r, 8*8*9), weights(r, 8))
	c.SetPaddingNd(trt.Dims{1, 1})
	c.SetPrecision(trt.Float)
	c.SetOutputType(0, trt.Half)
	out(net, c.Output(0), "conv_fp32_to_fp16")
	x2 := net.AddInput("x2", trt.Float, trt.Dims{16, 32})
	m1 := net.AddMatrixMultiply(x2, trt.MatrixOpNone, constW(net, r, 32, 24), trt.MatrixOpNone)
	m1.SetPrecision(trt.Half)
	m1.SetOutputType(0, trt.Float)
	out(net, m1.Output(0), "mm_fp16_to_fp32")
	m2 := net.AddMatrixMultiply(x2, trt.MatrixOpNone, constW(net, r, 32, 24), trt.MatrixOpNone)
	m2.SetPrecision(trt.Float)
	m2.SetOutputType(0, trt.BF16)
	out(net, m2.Output(0), "mm_fp32_to_bf16")
	sm := net.AddSoftMax(x2, 1)
	sm.SetPrecision(trt.Half)
	sm.SetOutputType(0, trt.Float)
	out(net, sm.Output(0), "softmax_fp16_to_fp32")
	pc := precCase{"mixed", func(c *trt.BuilderConfig) {
		c.ClearFlag(trt.FlagTF32)
		c.SetFlag(trt.FlagFP16)
		c.SetFlag(trt.FlagBF16)
		c.SetPrecisionConstraints(trt.ConstraintsObey)
	}, 2e-2}
	ecpu := build(t, net, trt.BackendCPU, pc)
	egpu := build(t, net, trt.BackendCUDA, pc)
	in := map[string]*tensor.Tensor{"x": randTensor(r, trt.Float, []int{2, 8, 6, 6}, 0, 0),
		"x2": randTensor(r, trt.Float, []int{16, 32}, 0, 0)}
	want := runOnce(t, ecpu, in)
	got := runOnce(t, egpu, in)
	for name, ref := range want {
		e, err := relErr(ref, got[name])
		require.NoError(t, err, name)
		t.Logf("%s: max relative error %.3g", name, e)
		require.LessOrEqual(t, e, pc.tol, name)
	}
	var buf bytes.Buffer
	egpu.CreateEngineInspector().WriteText(&buf)
	t.Logf("\n%s", buf.String())
}

// A shape given as an input: the graph is keyed by its values too.
func TestShapeInputKeysTheGraph(t *testing.T) {
	needGPU(t)
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{-1})
	shape := net.AddInput("shape", trt.Int64, trt.Dims{2})
	rs := net.AddReshape(x, shape, false)
	out(net, net.AddActivation(rs.Output(0), trt.ActivationSigmoid).Output(0), "y")
	ecpu := build(t, net, trt.BackendCPU, precs[0])
	egpu := build(t, net, trt.BackendCUDA, precs[0])
	ctx, err := egpu.CreateExecutionContext()
	require.NoError(t, err)
	defer ctx.Close()
	r := rand.New(rand.NewPCG(33, 34))
	c0, r0 := gpu.GraphStats()
	for i, sh := range [][]int64{{4, 6}, {4, 6}, {4, 6}, {6, 4}, {6, 4}, {6, 4}, {4, 6}, {3, 8}} {
		in := map[string]*tensor.Tensor{"x": randTensor(r, trt.Float, []int{24}, 0, 0),
			"shape": {Type: trt.Int64, Dims: []int{2}, Data: sh}}
		want := runOnce(t, ecpu, in)["y"]
		got, err := ctx.Run(bg, in)
		require.NoError(t, err)
		require.Equal(t, []int{int(sh[0]), int(sh[1])}, got["y"].Dims, "run %d", i)
		e, err := relErr(want, got["y"])
		require.NoError(t, err)
		require.LessOrEqual(t, e, 1e-6, "run %d", i)
	}
	c1, r1 := gpu.GraphStats()
	t.Logf("graph captures %d, replays %d", c1-c0, r1-r0)
	require.Equal(t, int64(2), c1-c0)
	require.Equal(t, int64(2), r1-r0)
}

// Latency of a small CNN: CPU backend, CUDA step by step (profiling keeps it
// eager) and CUDA graph replay.
func TestLatency(t *testing.T) {
	needGPU(t)
	for _, pc := range []precCase{precs[0], precs[2]} {
		net := mlpNet(rand.New(rand.NewPCG(35, 36)), false)
		in := map[string]*tensor.Tensor{"x": randTensor(rand.New(rand.NewPCG(1, 2)), trt.Float, []int{8, 3, 12, 12}, 0, 0)}
		measure := func(e *trt.Engine, profile bool, n int) float64 {
			ctx, err := e.CreateExecutionContext()
			require.NoError(t, err)
			defer ctx.Close()
			if profile {
				ctx.SetProfiler(&trt.LayerTimes{})
			}
			for i := 0; i < 3; i++ {
				_, err := ctx.Run(bg, in)
				require.NoError(t, err)
			}
			start := time.Now()
			for i := 0; i < n; i++ {
				_, err := ctx.Run(bg, in)
				require.NoError(t, err)
			}
			return time.Since(start).Seconds() * 1e6 / float64(n)
		}
		cpuUs := measure(build(t, net, trt.BackendCPU, pc), false, 20)
		e := build(t, net, trt.BackendCUDA, pc)
		eagerUs := measure(e, true, 200)
		graphUs := measure(e, false, 200)
		t.Logf("%s conv+relu+matmul+sigmoid, batch 8: CPU %.0f us, CUDA eager (profiled) %.0f us, CUDA graph %.0f us per run",
			pc.name, cpuUs, eagerUs, graphUs)
	}
}
