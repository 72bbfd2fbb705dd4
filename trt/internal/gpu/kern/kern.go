// Package kern is gotrt's library of NVRTC-compiled CUDA kernels for the
// layers that are not GEMMs or convolutions: element-wise math, data
// movement, reductions, normalizations, pooling, resize and the index
// layers. Semantics are those of the CPU backend (trt/internal/cpu), which is
// the reference: float data is loaded in its storage type (FP32, FP16, BF16),
// computed in FP32 (statistics and accumulations in FP32, a few exact-match
// operations in FP64) and rounded to the output type on store (round to
// nearest even; FP16 overflow gives ±Inf). Integer layers compute in int64
// and wrap to the output type on store.
//
// Storage types on the device: FP32 float, FP16 and BF16 as their 16-bit
// patterns (the layouts of __half and __nv_bfloat16), INT32, INT64, and
// INT8, UINT8 and BOOL as one byte. Element types may differ between inputs
// and outputs where the CPU kernel converts (Cast, the element-wise family,
// reductions and normalizations load any type and store any type); pure data
// movement kinds convert between types too, except Gather, Scatter and Trilu,
// which need the output type of their data input (see Supports).
//
// Every launch passes its parameters by value (no host-to-device copies, no
// scratch memory), so a stream that runs Launch calls can be captured into a
// CUDA graph. Kernels use grid-stride loops of 256 threads and 64-bit
// indexing where a tensor holds 2^31 elements or more.
package kern

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Tensor is a device tensor: packed row-major data at Ptr (0 = absent
// optional input).
type Tensor struct {
	Ptr  cuda.DevicePtr
	Type ir.DataType
	Dims []int
}

// Call is one layer launch.
type Call struct {
	Node      *ir.Node    // kind + params
	Precision ir.DataType // step precision (Float/Half/BF16) for float data
	In        []Tensor
	Values    []*ir.Data // host values of parameter inputs (ir.IsParamInput) and constants, nil otherwise
	Out       []Tensor   // allocated by the caller, dims from ir inference
	Stream    *cuda.Stream
}

// ErrUnsupported marks a call that the library has no kernel for.
var ErrUnsupported = errors.New("kern: not supported")

// Lib is a compiled kernel library bound to a context. It is safe for
// concurrent use.
type Lib struct {
	ctx     *cuda.Context
	mods    []*cuda.Module
	fns     map[string]*cuda.Function
	maxGrid int
	mu      sync.Mutex
	closed  bool
}

// Options passed to NVRTC. FMA contraction is off so that the index and
// coordinate arithmetic (resize, floor division ...) matches the host
// reference bit for bit.
var compileOptions = []string{"--fmad=false", "-std=c++17"}

// module is one NVRTC program: common.cuh followed by one source file.
type module struct {
	name string
	src  string
}

func modules() []module {
	return []module{
		{"gotrt_kern_ew.cu", srcCommon + srcEW},
		{"gotrt_kern_move.cu", srcCommon + srcMove},
		{"gotrt_kern_reduce.cu", srcCommon + srcReduce},
		{"gotrt_kern_nn.cu", srcCommon + srcNN},
	}
}

// kernelNames lists the entry points of each module (same order as modules).
func kernelNames() [][]string {
	var ew []string
	for _, c := range []string{"ew_cast", "ew_unary_f", "ew_unary_i", "ew_act", "ew_bin_f", "ew_bin_i", "ew_prelu", "ew_select"} {
		for _, v := range []string{"_f32", "_f64", "_g32", "_g64"} {
			ew = append(ew, c+v)
		}
	}
	var mv []string
	for _, e := range []string{"e1", "e2", "e4", "e8", "cv"} {
		mv = append(mv, "map_"+e+"_32", "map_"+e+"_64", "copy2d_"+e)
		if e != "cv" {
			mv = append(mv, "transpose_"+e, "trilu_"+e, "gather_"+e)
		}
	}
	mv = append(mv, "copy_v16", "copy_b1", "scatter")
	red := []string{"softmax_rows", "softmax_cols", "reduce_rows", "reduce_cols", "reduce_tile", "rownorm", "lpnorm_cols",
		"mvn_general", "batchnorm", "lrn", "cumsum_cols", "argminmax_cols"}
	nn := []string{"pool", "resize", "onehot", "fill"}
	return [][]string{ew, mv, red, nn}
}

// New compiles the library's kernels for ctx's device (NVRTC, through the
// cuda package's on-disk cache) and loads them.
func New(ctx *cuda.Context) (*Lib, error) {
	if ctx == nil {
		return nil, errors.New("kern: nil context")
	}
	mods, err := compileAll(ctx, modules())
	if err != nil {
		return nil, err
	}
	l := &Lib{ctx: ctx, mods: mods, fns: map[string]*cuda.Function{}}
	for i, names := range kernelNames() {
		for _, n := range names {
			f, err := mods[i].Function(n)
			if err != nil {
				l.Close()
				return nil, fmt.Errorf("kern: kernel %s: %w", n, err)
			}
			l.fns[n] = f
		}
	}
	l.maxGrid = 132 * 32
	if dev := ctx.Device(); dev != nil && dev.SMCount() > 0 {
		l.maxGrid = dev.SMCount() * 32
	}
	return l, nil
}

// compileAll compiles the modules concurrently and loads them.
func compileAll(ctx *cuda.Context, ms []module) ([]*cuda.Module, error) {
	progs := make([]*cuda.Program, len(ms))
	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			progs[i], errs[i] = ctx.Compile(m.src, m.name, compileOptions...)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("kern: compiling kernels: %w", err)
	}
	out := make([]*cuda.Module, len(ms))
	for i, p := range progs {
		m, err := ctx.LoadProgram(p)
		if err != nil {
			for _, o := range out[:i] {
				o.Close()
			}
			return nil, fmt.Errorf("kern: loading %s: %w", ms[i].name, err)
		}
		out[i] = m
	}
	return out, nil
}

// Close unloads the kernels. It is idempotent.
func (l *Lib) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	var errs []error
	for _, m := range l.mods {
		errs = append(errs, m.Close())
	}
	return errors.Join(errs...)
}

func (l *Lib) fn(name string) (*cuda.Function, error) {
	f, ok := l.fns[name]
	if !ok {
		return nil, fmt.Errorf("kern: internal: no kernel %s", name)
	}
	return f, nil
}

// grid returns the block count of a grid-stride launch over n items.
func (l *Lib) grid(n int64, per int64) int {
	b := (n + per - 1) / per
	if b < 1 {
		b = 1
	}
	if b > int64(l.maxGrid) {
		b = int64(l.maxGrid)
	}
	return int(b)
}

// launch runs kernel name over n items (grid-stride, 256 threads).
func (l *Lib) launch(c *Call, name string, n int64, args ...any) error {
	if n <= 0 {
		return nil
	}
	f, err := l.fn(name)
	if err != nil {
		return err
	}
	return cuda.Launch(f, cuda.D1(l.grid(n, 256)), cuda.D1(256), 0, c.Stream, args...)
}

// launchBlocks runs kernel name with one block of 256 threads per item (grid-stride over items).
func (l *Lib) launchBlocks(c *Call, name string, items int64, args ...any) error {
	if items <= 0 {
		return nil
	}
	f, err := l.fn(name)
	if err != nil {
		return err
	}
	return cuda.Launch(f, cuda.D1(l.grid(items, 1)), cuda.D1(256), 0, c.Stream, args...)
}

// argBytes passes *v (a struct of 8-byte fields mirroring a C struct) by value.
func argBytes[T any](v *T) cuda.ArgBytes {
	return cuda.ArgBytes{Data: unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v)), Align: 8}
}

// Launch runs the layer of c on c.Stream. It returns an error wrapping
// ErrUnsupported for calls Supports would refuse.
func (l *Lib) Launch(c *Call) error {
	if c == nil || c.Node == nil {
		return errors.New("kern: nil call")
	}
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return fmt.Errorf("kern: %w", cuda.ErrClosed)
	}
	for i, t := range c.In {
		if !storageType(t.Type) && t.Ptr != 0 {
			return fmt.Errorf("kern: layer %q input %d: %w: type %v", c.Node.Name, i, ErrUnsupported, t.Type)
		}
	}
	for i, t := range c.Out {
		if !storageType(t.Type) {
			return fmt.Errorf("kern: layer %q output %d: %w: type %v", c.Node.Name, i, ErrUnsupported, t.Type)
		}
		if len(t.Dims) > maxRank {
			return fmt.Errorf("kern: layer %q output %d: %w: rank %d > %d", c.Node.Name, i, ErrUnsupported, len(t.Dims), maxRank)
		}
	}
	for i, t := range c.In {
		if len(t.Dims) > maxRank {
			return fmt.Errorf("kern: layer %q input %d: %w: rank %d > %d", c.Node.Name, i, ErrUnsupported, len(t.Dims), maxRank)
		}
	}
	var err error
	switch c.Node.Kind {
	case ir.KindIdentity:
		err = l.copyOrCast(c, c.Out[0], c.In[0])
	case ir.KindCast:
		err = l.copyOrCast(c, c.Out[0], c.In[0])
	case ir.KindElementWise:
		err = l.elementWise(c)
	case ir.KindUnary:
		err = l.unary(c)
	case ir.KindActivation:
		p := c.Node.Params.(*ir.ActivationParams)
		err = l.ew(c, "ew_act", int64(p.Type), float64(p.Alpha), float64(p.Beta), 0, c.Out[0], c.In[0])
	case ir.KindParametricReLU:
		err = l.ew(c, "ew_prelu", 0, 0, 0, 0, c.Out[0], c.In[0], c.In[1])
	case ir.KindSelect:
		err = l.ew(c, "ew_select", 0, 0, 0, 0, c.Out[0], c.In[0], c.In[1], c.In[2])
	case ir.KindShuffle:
		err = l.shuffle(c)
	case ir.KindConcatenation:
		err = l.concat(c)
	case ir.KindSplit:
		err = l.split(c)
	case ir.KindSlice:
		err = l.slice(c)
	case ir.KindExpand:
		err = l.expand(c)
	case ir.KindTile:
		err = l.tile(c)
	case ir.KindPadding:
		err = l.pad(c)
	case ir.KindGather:
		err = l.gather(c)
	case ir.KindScatter:
		err = l.scatter(c)
	case ir.KindTrilu:
		err = l.trilu(c)
	case ir.KindSoftmax:
		err = l.softmax(c)
	case ir.KindReduce:
		err = l.reduce(c)
	case ir.KindNormalization:
		err = l.norm(c)
	case ir.KindPooling:
		err = l.pool(c)
	case ir.KindResize:
		err = l.resize(c)
	case ir.KindCumulative:
		err = l.cumsum(c)
	case ir.KindArgMinMax:
		err = l.argMinMax(c)
	case ir.KindOneHot:
		err = l.oneHot(c)
	case ir.KindFill:
		err = l.fill(c)
	default:
		err = fmt.Errorf("%w: layer kind %s", ErrUnsupported, c.Node.Kind)
	}
	if err != nil {
		return fmt.Errorf("kern: layer %q (%s): %w", c.Node.Name, c.Node.Kind, err)
	}
	return nil
}

// ---- helpers ----------------------------------------------------------------------

const maxRank = 8

func storageType(t ir.DataType) bool {
	switch t {
	case ir.Float, ir.Half, ir.BF16, ir.Int8, ir.Int32, ir.Int64, ir.Bool, ir.UInt8:
		return true
	}
	return false
}

func isFloat(t ir.DataType) bool { return t == ir.Float || t == ir.Half || t == ir.BF16 }

func vol(d []int) int64 {
	n := int64(1)
	for _, v := range d {
		n *= int64(v)
	}
	return n
}

func packedStrides(d []int) []int64 {
	s := make([]int64, len(d))
	acc := int64(1)
	for i := len(d) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= int64(d[i])
	}
	return s
}

// broadcastStrides returns strides of a tensor of dims in viewed as dims out.
func broadcastStrides(in, out []int) []int64 {
	s := make([]int64, len(out))
	is := packedStrides(in)
	off := len(out) - len(in)
	for i := range in {
		if in[i] != 1 {
			s[off+i] = is[i]
		}
	}
	return s
}

// value returns the host value of input i: from c.Values, or the node's
// constant.
func (c *Call) value(i int) *ir.Data {
	if i < len(c.Values) && c.Values[i] != nil {
		return c.Values[i]
	}
	if i < len(c.Node.Inputs) && c.Node.Inputs[i] != nil && c.Node.Inputs[i].Const != nil {
		return c.Node.Inputs[i].Const
	}
	return nil
}

// present reports whether input i is given.
func (c *Call) present(i int) bool {
	if i < len(c.In) && c.In[i].Ptr != 0 {
		return true
	}
	return i < len(c.Node.Inputs) && c.Node.Inputs[i] != nil
}

// input returns input i, failing when it has no device data.
func (c *Call) input(i int) (Tensor, error) {
	if i >= len(c.In) || c.In[i].Ptr == 0 {
		if i < len(c.In) && vol(c.In[i].Dims) == 0 {
			return c.In[i], nil
		}
		return Tensor{}, fmt.Errorf("input %d has no device data", i)
	}
	return c.In[i], nil
}

// bitsOf returns the storage bits of value v in type t (floats rounded,
// integers wrapped, bool v != 0).
func bitsOf(t ir.DataType, f float64, i int64, isInt bool) uint64 {
	switch t {
	case ir.Float:
		if isInt {
			f = float64(float32(i))
		}
		return uint64(float32bits(float32(f)))
	case ir.Half:
		if isInt {
			f = float64(float32(i))
		}
		return uint64(cuda.Float32ToHalf(float32(f)))
	case ir.BF16:
		if isInt {
			f = float64(float32(i))
		}
		return uint64(cuda.Float32ToBFloat16(float32(f)))
	}
	if !isInt {
		i = int64(f)
	}
	v := ir.WrapInt(i, t)
	switch t {
	case ir.Int8, ir.UInt8, ir.Bool:
		return uint64(v) & 0xff
	case ir.Int32:
		return uint64(v) & 0xffffffff
	}
	return uint64(v)
}

func elemSuffix(t ir.DataType) string {
	switch t.Size() {
	case 1:
		return "e1"
	case 2:
		return "e2"
	case 4:
		return "e4"
	}
	return "e8"
}
