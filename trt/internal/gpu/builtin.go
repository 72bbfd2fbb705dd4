package gpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// The backend's own kernels: type conversions (Cast, and the conversions the
// builder inserts at precision boundaries) and the activation/bias epilogue
// that follows a convolution, a GEMM or a library kernel. Everything else comes
// from the kernel library (package kern).

var typeTag = map[ir.DataType]string{
	ir.Float: "f32", ir.Half: "f16", ir.BF16: "bf16", ir.Double: "f64",
	ir.Int8: "i8", ir.UInt8: "u8", ir.Bool: "b8", ir.Int32: "i32", ir.Int64: "i64",
}

var typeC = map[string]string{
	"f32": "float", "f16": "f16", "bf16": "bf16", "f64": "double",
	"i8": "signed char", "u8": "unsigned char", "b8": "bool8", "i32": "int", "i64": "long long",
}

const builtinHead = `
// No CUDA headers: FP16 and BF16 values are their 16-bit patterns, converted
// with PTX cvt (FP16: round to nearest even, overflow to Inf) and integer
// arithmetic (BF16: round to nearest even).
typedef long long i64;
typedef unsigned short u16;
typedef unsigned int u32;
struct bool8 { unsigned char v; };
struct f16 { u16 v; };
struct bf16 { u16 v; };

__device__ __forceinline__ float h2f(u16 h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
__device__ __forceinline__ u16 f2h(float f) { u16 h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
__device__ __forceinline__ float b2f(u16 b) { return __uint_as_float(((u32)b) << 16); }
__device__ __forceinline__ u16 f2b(float f) {
	u32 x = __float_as_uint(f);
	if ((x & 0x7fffffffu) > 0x7f800000u) return (u16)((x >> 16) | 0x40u);
	x += 0x7fffu + ((x >> 16) & 1u);
	return (u16)(x >> 16);
}

template <typename T> struct isf { static const bool v = false; };
template <> struct isf<float> { static const bool v = true; };
template <> struct isf<f16> { static const bool v = true; };
template <> struct isf<bf16> { static const bool v = true; };
template <> struct isf<double> { static const bool v = true; };

__device__ __forceinline__ double ldd(const float* p, i64 i) { return p[i]; }
__device__ __forceinline__ double ldd(const f16* p, i64 i) { return (double)h2f(p[i].v); }
__device__ __forceinline__ double ldd(const bf16* p, i64 i) { return (double)b2f(p[i].v); }
__device__ __forceinline__ double ldd(const double* p, i64 i) { return (double)(float)p[i]; }

__device__ __forceinline__ i64 ldi(const signed char* p, i64 i) { return p[i]; }
__device__ __forceinline__ i64 ldi(const unsigned char* p, i64 i) { return p[i]; }
__device__ __forceinline__ i64 ldi(const bool8* p, i64 i) { return p[i].v != 0; }
__device__ __forceinline__ i64 ldi(const int* p, i64 i) { return p[i]; }
__device__ __forceinline__ i64 ldi(const i64* p, i64 i) { return p[i]; }

// float -> storage (round to nearest even; FP16 overflow gives Inf)
__device__ __forceinline__ void stf(float* p, i64 i, float v) { p[i] = v; }
__device__ __forceinline__ void stf(f16* p, i64 i, float v) { p[i].v = f2h(v); }
__device__ __forceinline__ void stf(bf16* p, i64 i, float v) { p[i].v = f2b(v); }
__device__ __forceinline__ void stf(double* p, i64 i, float v) { p[i] = (double)v; }

__device__ __forceinline__ void sti(signed char* p, i64 i, i64 v) { p[i] = (signed char)v; }
__device__ __forceinline__ void sti(unsigned char* p, i64 i, i64 v) { p[i] = (unsigned char)v; }
__device__ __forceinline__ void sti(bool8* p, i64 i, i64 v) { p[i].v = v != 0; }
__device__ __forceinline__ void sti(int* p, i64 i, i64 v) { p[i] = (int)v; }
__device__ __forceinline__ void sti(i64* p, i64 i, i64 v) { p[i] = v; }

// float -> integer as the CPU backend: truncate, NaN 0, saturate to int64.
__device__ __forceinline__ i64 ftoi(float v) {
	if (v != v) return 0;
	double f = v;
	if (f >= 9.2233720368547758e18) return 0x7fffffffffffffffLL;
	if (f <= -9.2233720368547758e18) return (i64)0x8000000000000000ULL;
	return (i64)f;
}

template <typename TI, typename TO, bool FI, bool FO> struct conv;
template <typename TI, typename TO> struct conv<TI, TO, true, true> {
	static __device__ void run(const TI* x, TO* y, i64 i) { stf(y, i, (float)ldd(x, i)); } };
template <typename TI, typename TO> struct conv<TI, TO, false, true> {
	static __device__ void run(const TI* x, TO* y, i64 i) { stf(y, i, (float)ldi(x, i)); } };
template <typename TI, typename TO> struct conv<TI, TO, false, false> {
	static __device__ void run(const TI* x, TO* y, i64 i) { sti(y, i, ldi(x, i)); } };
template <typename TI, typename TO> struct conv<TI, TO, true, false> {
	static __device__ void run(const TI* x, TO* y, i64 i) { sti(y, i, ftoi((float)ldd(x, i))); } };
template <typename TI> struct conv<TI, bool8, true, false> {
	static __device__ void run(const TI* x, bool8* y, i64 i) { y[i].v = ((float)ldd(x, i)) != 0.0f; } };

template <typename TI, typename TO>
__device__ void cast_body(const TI* x, TO* y, i64 n) {
	for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x)
		conv<TI, TO, isf<TI>::v, isf<TO>::v>::run(x, y, i);
}

struct Acts { int n; int op[4]; float a[4]; float b[4]; };

__device__ double activate(int t, double x, double a, double b) {
	switch (t) {
	case 0: return (x > 0 || x != x) ? x : 0.0;                              // RELU
	case 1: return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); // SIGMOID
	case 2: return tanh(x);
	case 3: return x >= 0 ? x : a * x;                                       // LEAKY_RELU
	case 4: return x >= 0 ? x : a * (exp(x) - 1.0);                          // ELU
	case 5: return x > 0 ? b * x : b * a * (exp(x) - 1.0);                   // SELU
	case 6: return x / (1.0 + fabs(x));                                      // SOFTSIGN
	case 7: { double bx = b * x; return bx > 30 ? a * bx : a * log1p(exp(bx)); } // SOFTPLUS
	case 8: { if (x != x) return x; float v = (float)x; return (double)fminf(fmaxf(v, (float)a), (float)b); } // CLIP
	case 9: return fmax(0.0, fmin(1.0, a * x + b));                          // HARD_SIGMOID
	case 10: return a * tanh(b * x);                                         // SCALED_TANH
	case 11: return x > a ? x : 0.0;                                         // THRESHOLDED_RELU
	case 12: return 0.5 * x * (1.0 + erf(x / 1.4142135623730951));           // GELU_ERF
	case 13: return 0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); // GELU_TANH
	case 14: return fmax(0.0, x) + fmin(0.0, a * (exp(x / a) - 1.0));        // CELU
	case 15: { double sp = x < 30 ? log1p(exp(x)) : x; return x * tanh(sp); } // MISH
	case 16: return x * fmax(0.0, fmin(1.0, a * x + b));                     // HARD_SWISH
	case 17: return x < -a ? x + b : (x > a ? x - b : 0.0);                  // SHRINK
	}
	return nan("");
}

// y = acts(x + bias[channel]); channel = (i / inner) % C. Values go through
// FP32 between activations, as on the CPU backend.
template <typename TI, typename TO>
__device__ void act_body(const TI* x, TO* y, i64 n, const float* bias, i64 inner, i64 C, Acts acts) {
	for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
		float v = (float)ldd(x, i);
		if (bias) v += bias[(i / inner) % C];
		for (int k = 0; k < acts.n; k++) v = (float)activate(acts.op[k], (double)v, (double)acts.a[k], (double)acts.b[k]);
		stf(y, i, v);
	}
}
`

var floatTags = []string{"f32", "f16", "bf16"}

func builtinSource() string {
	var b strings.Builder
	b.WriteString(builtinHead)
	tags := []string{"f32", "f16", "bf16", "f64", "i8", "u8", "b8", "i32", "i64"}
	for _, a := range tags {
		for _, o := range tags {
			fmt.Fprintf(&b, "extern \"C\" __global__ void cast_%s_%s(const %s* x, %s* y, i64 n) { cast_body(x, y, n); }\n",
				a, o, typeC[a], typeC[o])
		}
	}
	for _, a := range floatTags {
		for _, o := range floatTags {
			fmt.Fprintf(&b, "extern \"C\" __global__ void act_%s_%s(const %s* x, %s* y, i64 n, const float* bias, i64 inner, i64 C, Acts acts) { act_body(x, y, n, bias, inner, C, acts); }\n",
				a, o, typeC[a], typeC[o])
		}
	}
	return b.String()
}

// builtins are the compiled kernels (one set per process).
type builtins struct {
	mod   *cuda.Module
	fns   map[string]*cuda.Function
	mu    sync.Mutex
	sms   int
	close func()
}

func compileBuiltins(ctx *cuda.Context) (*builtins, error) {
	prog, err := ctx.Compile(builtinSource(), "gotrt_gpu_builtin.cu", "-std=c++17")
	if err != nil {
		return nil, fmt.Errorf("compiling the backend's kernels: %w", err)
	}
	mod, err := ctx.LoadProgram(prog)
	if err != nil {
		return nil, err
	}
	sms := ctx.Device().SMCount()
	if sms <= 0 {
		sms = 80
	}
	return &builtins{mod: mod, fns: map[string]*cuda.Function{}, sms: sms}, nil
}

func (b *builtins) fn(name string) (*cuda.Function, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if f, ok := b.fns[name]; ok {
		return f, nil
	}
	f, err := b.mod.Function(name)
	if err != nil {
		return nil, err
	}
	b.fns[name] = f
	return f, nil
}

func (b *builtins) grid(n int) (cuda.Dim3, cuda.Dim3) {
	const threads = 256
	blocks := (n + threads - 1) / threads
	blocks = max(1, min(blocks, b.sms*16))
	return cuda.D1(blocks), cuda.D1(threads)
}

// canCast reports whether a conversion between the types has a kernel.
func canCast(from, to ir.DataType) bool {
	_, a := typeTag[from]
	_, c := typeTag[to]
	return a && c
}

// cast converts n elements of x (type from) into y (type to).
func (b *builtins) cast(s *cuda.Stream, x cuda.DevicePtr, from ir.DataType, y cuda.DevicePtr, to ir.DataType, n int) error {
	if n == 0 {
		return nil
	}
	f, err := b.fn("cast_" + typeTag[from] + "_" + typeTag[to])
	if err != nil {
		return err
	}
	g, t := b.grid(n)
	return cuda.Launch(f, g, t, 0, s, x, y, int64(n))
}

// act is one activation of an epilogue.
type act struct {
	op   ir.ActivationType
	a, b float32
}

func actsOf(nodes []*ir.Node) ([]act, bool) {
	var out []act
	for _, n := range nodes {
		p, ok := n.Params.(*ir.ActivationParams)
		if !ok || int(p.Type) > int(ir.ActShrink) {
			return nil, false
		}
		out = append(out, act{p.Type, p.Alpha, p.Beta})
	}
	return out, true
}

func isFloatTag(t ir.DataType) bool { return t == ir.Float || t == ir.Half || t == ir.BF16 }

// epilogue computes y = acts(x + bias[c]) over n elements (c = (i/inner)%C),
// converting from type tx to ty (both FP32, FP16 or BF16). bias is FP32 or 0;
// x and y may be the same memory when the types match.
func (b *builtins) epilogue(s *cuda.Stream, x cuda.DevicePtr, tx ir.DataType, y cuda.DevicePtr, ty ir.DataType, n int,
	bias cuda.DevicePtr, inner, C int, acts []act) error {
	if n == 0 {
		return nil
	}
	if !isFloatTag(tx) || !isFloatTag(ty) {
		return fmt.Errorf("epilogue from %v to %v is not supported", tx, ty)
	}
	f, err := b.fn("act_" + typeTag[tx] + "_" + typeTag[ty])
	if err != nil {
		return err
	}
	if inner <= 0 {
		inner = 1
	}
	if C <= 0 {
		C = 1
	}
	for first := true; first || len(acts) > 0; first = false {
		k := min(len(acts), 4)
		arg := make([]byte, 52)
		le := binary.LittleEndian
		le.PutUint32(arg[0:], uint32(k))
		for i := 0; i < k; i++ {
			le.PutUint32(arg[4+4*i:], uint32(acts[i].op))
			le.PutUint32(arg[20+4*i:], math.Float32bits(acts[i].a))
			le.PutUint32(arg[36+4*i:], math.Float32bits(acts[i].b))
		}
		g, t := b.grid(n)
		if err := cuda.Launch(f, g, t, 0, s, x, y, int64(n), bias, int64(inner), int64(C), cuda.ArgBytes{Data: arg, Align: 4}); err != nil {
			return err
		}
		acts = acts[k:]
		// Further groups run in place on the output.
		x, tx, bias = y, ty, 0
		if len(acts) > 0 {
			if f, err = b.fn("act_" + typeTag[ty] + "_" + typeTag[ty]); err != nil {
				return err
			}
		}
	}
	return nil
}
