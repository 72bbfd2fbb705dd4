package cuda

// GPU tests: they skip with "no CUDA device: ..." where the driver or a device is missing.
// Build them here and run them on a GPU machine:
//
//	go test -c -o bin/cuda.test ./cuda && ./bin/cuda.test -test.v

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

var gpu struct {
	once sync.Once
	dev  *Device
	ctx  *Context
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if gpu.ctx != nil {
		gpu.ctx.Close()
	}
	os.Exit(code)
}

// gpuContext returns the shared context of device 0, or skips the test.
func gpuContext(t testing.TB) *Context {
	t.Helper()
	gpu.once.Do(func() {
		if gpu.err = Load(); gpu.err != nil {
			return
		}
		n, err := DeviceCount()
		if err != nil {
			gpu.err = err
			return
		}
		if n == 0 {
			gpu.err = errors.New("the driver reports 0 devices")
			return
		}
		if gpu.dev, gpu.err = GetDevice(0); gpu.err != nil {
			return
		}
		gpu.ctx, gpu.err = gpu.dev.Context()
	})
	if gpu.err != nil {
		t.Skipf("no CUDA device: %v", gpu.err)
	}
	return gpu.ctx
}

func randFloats(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.Float64()*2 - 1)
	}
	return v
}

const saxpySrc = `
extern "C" __global__ void saxpy(float* y, const float* x, float a, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
extern "C" __global__ void spin(long long cycles) {
    long long start = clock64();
    while (clock64() - start < cycles) { }
}
`

func saxpyModule(t testing.TB, ctx *Context) *Module {
	t.Helper()
	prog, err := ctx.Compile(saxpySrc, "saxpy.cu")
	require.NoError(t, err)
	mod, err := ctx.LoadProgram(prog)
	require.NoError(t, err)
	t.Cleanup(func() { mod.Close() })
	return mod
}

func TestGPUDeviceQuery(t *testing.T) {
	ctx := gpuContext(t)
	info := gpu.dev.Info()
	t.Logf("device: %+v", info)
	for _, l := range Libraries() {
		t.Logf("library %s: loaded=%v path=%s version=%s missing=%v err=%v", l.Lib, l.Loaded, l.Path, l.Version, l.Missing, l.Err)
	}
	t.Logf("driver CUDA version %d", DriverVersion())
	require.NotEmpty(t, info.Name)
	require.GreaterOrEqual(t, info.ComputeCapability.Major, 5)
	require.Positive(t, info.TotalMemory)
	require.Positive(t, info.SMCount)
	require.Positive(t, info.ClockMHz)
	require.Equal(t, 32, info.WarpSize)
	require.Equal(t, info.ComputeCapability, gpu.dev.ComputeCapability())
	free, total, err := ctx.MemGetInfo()
	require.NoError(t, err)
	require.Positive(t, free)
	require.LessOrEqual(t, free, total)
	t.Logf("memory: %d MiB free of %d MiB", free>>20, total>>20)
	v, err := gpu.dev.Attribute(AttrMultiprocessorCount)
	require.NoError(t, err)
	require.Equal(t, info.SMCount, v)
}

func TestGPUAllocCopyRoundTrip(t *testing.T) {
	ctx := gpuContext(t)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 1 << 20
	src := randFloats(r, n)
	a, err := AllocFor[float32](ctx, n)
	require.NoError(t, err)
	defer a.Close()
	b, err := ctx.Alloc(n * 4)
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, CopyHtoD(a, src))
	require.NoError(t, CopyDtoD(b, a))
	got := make([]float32, n)
	require.NoError(t, CopyDtoH(got, b))
	require.Equal(t, src, got)

	// views
	view, err := b.Slice(4*100, 4*10)
	require.NoError(t, err)
	part := make([]float32, 10)
	require.NoError(t, CopyDtoH(part, view))
	require.Equal(t, src[100:110], part)
	require.NoError(t, view.Close())
	_, err = b.Slice(n*4-4, 8)
	require.ErrorIs(t, err, ErrInvalidValue)

	// memset
	require.NoError(t, b.Memset(0))
	require.NoError(t, CopyDtoH(part, b))
	require.Equal(t, make([]float32, 10), part)

	// pinned host memory and async copies on a stream
	s, err := ctx.NewStream()
	require.NoError(t, err)
	defer s.Close()
	hin, err := ctx.AllocHost(n*4, 0)
	require.NoError(t, err)
	defer hin.Close()
	hout, err := ctx.AllocHost(n*4, 0)
	require.NoError(t, err)
	defer hout.Close()
	copy(HostSlice[float32](hin), src)
	require.NoError(t, CopyHtoDAsync(a, hin, s))
	require.NoError(t, b.MemsetD32Async(0, s))
	require.NoError(t, CopyDtoDAsync(b, a, s))
	require.NoError(t, CopyDtoHAsync(hout, b, s))
	require.NoError(t, s.Synchronize())
	done, err := s.Done()
	require.NoError(t, err)
	require.True(t, done)
	require.Equal(t, src, HostSlice[float32](hout))

	// too large a copy is refused before the driver sees it; a closed view is refused too
	small, err := b.Slice(0, 16)
	require.NoError(t, err)
	require.ErrorIs(t, CopyHtoD(small, src), ErrInvalidValue)
	require.ErrorIs(t, CopyHtoD(view, src[:1]), ErrClosed)
	// Close is idempotent; use after Close is an error
	require.NoError(t, a.Close())
	require.NoError(t, a.Close())
	require.ErrorIs(t, CopyHtoD(a, src[:1]), ErrClosed)
}

func TestGPUNVRTCSaxpy(t *testing.T) {
	ctx := gpuContext(t)
	ma, mi, err := NVRTCVersion()
	require.NoError(t, err)
	archs, err := NVRTCSupportedArchs()
	require.NoError(t, err)
	t.Logf("NVRTC %d.%d, architectures %v", ma, mi, archs)

	cacheDir := t.TempDir()
	opts := CompileOptions{Arch: ctx.Device().ComputeCapability(), CacheDir: cacheDir}
	prog, err := CompileProgram(saxpySrc, "saxpy.cu", opts)
	require.NoError(t, err)
	require.False(t, prog.Cached)
	t.Logf("compiled for %s (cubin %v, %d bytes), options %v", prog.Arch, prog.IsCUBIN, len(prog.Code), prog.Options)
	require.True(t, prog.IsCUBIN, "NVRTC %d.%d should build a CUBIN for sm_%d", ma, mi, ctx.Device().ComputeCapability().SM())
	again, err := CompileProgram(saxpySrc, "saxpy.cu", opts)
	require.NoError(t, err)
	require.True(t, again.Cached, "second compile served from the cache")
	require.Equal(t, prog.Code, again.Code)

	// PTX path (driver JIT)
	opts.PreferPTX = true
	ptx, err := CompileProgram(saxpySrc, "saxpy.cu", opts)
	require.NoError(t, err)
	require.False(t, ptx.IsCUBIN)
	require.Contains(t, string(ptx.Code), ".entry saxpy")

	for _, p := range []*Program{again, ptx} {
		mod, err := ctx.LoadProgram(p)
		require.NoError(t, err)
		fn, err := mod.Function("saxpy")
		require.NoError(t, err)
		nregs, err := fn.Attribute(FuncNumRegs)
		require.NoError(t, err)
		blocks, err := fn.MaxActiveBlocksPerSM(256, 0)
		require.NoError(t, err)
		t.Logf("%s: %d registers, %d blocks of 256 per SM", p.Arch, nregs, blocks)

		const n = 100003
		r := rand.New(rand.NewPCG(3, 4))
		x, y := randFloats(r, n), randFloats(r, n)
		dx, err := AllocFor[float32](ctx, n)
		require.NoError(t, err)
		dy, err := AllocFor[float32](ctx, n)
		require.NoError(t, err)
		require.NoError(t, CopyHtoD(dx, x))
		require.NoError(t, CopyHtoD(dy, y))
		const a = float32(1.75)
		require.NoError(t, Launch(fn, D1((n+255)/256), D1(256), 0, nil, dy, dx.Ptr(), a, int32(n)))
		got := make([]float32, n)
		require.NoError(t, CopyDtoH(got, dy))
		for i := range got {
			want := float64(a)*float64(x[i]) + float64(y[i])
			require.InDelta(t, want, float64(got[i]), 1e-6, "element %d", i)
		}
		require.NoError(t, dx.Close())
		require.NoError(t, dy.Close())
		require.NoError(t, mod.Close())
		require.NoError(t, mod.Close())
		require.ErrorIs(t, Launch(fn, D1(1), D1(1), 0, nil, DevicePtr(0), DevicePtr(0), a, int32(0)), ErrClosed)
	}

	_, err = mustFunction(t, ctx, "no_such_kernel")
	require.Error(t, err)
}

func mustFunction(t *testing.T, ctx *Context, name string) (*Function, error) {
	mod := saxpyModule(t, ctx)
	return mod.Function(name)
}

func TestGPUNVRTCCompileErrorHasLog(t *testing.T) {
	ctx := gpuContext(t)
	_, err := ctx.Compile(`extern "C" __global__ void bad(float* p) { p[0] = undefined_name; }`, "bad.cu")
	require.Error(t, err)
	require.ErrorIs(t, err, ErrCompile)
	ce, ok := IsCompileError(err)
	require.True(t, ok)
	require.Contains(t, ce.Log, "undefined_name")
	require.Contains(t, err.Error(), "undefined_name")
	t.Logf("compile error as reported:\n%v", err)
}

// Kernels in FP16/BF16 include cuda_fp16.h / cuda_bf16.h: CompileProgram adds
// -I CUDAIncludeDir() for them (NVRTC 13.0 does not find them by itself).
func TestGPUNVRTCHalfHeaders(t *testing.T) {
	ctx := gpuContext(t)
	src := `
#include <cuda_fp16.h>
#include <cuda_bf16.h>
extern "C" __global__ void cvt(__half* h, __nv_bfloat16* b, const float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { h[i] = __float2half_rn(x[i]); b[i] = __float2bfloat16_rn(x[i]); }
}`
	_, err := CompileProgram(src, "cvt.cu", CompileOptions{Arch: ctx.Device().ComputeCapability(), NoAutoInclude: true, NoCache: true})
	if err != nil {
		t.Logf("without -I: %v", firstLine(err.Error()))
	} else {
		t.Logf("NVRTC resolves cuda_fp16.h / cuda_bf16.h by itself")
	}
	prog, err := ctx.Compile(src, "cvt.cu")
	require.NoError(t, err)
	t.Logf("compiled with options %v", prog.Options)
	mod, err := ctx.LoadProgram(prog)
	require.NoError(t, err)
	defer mod.Close()
	fn, err := mod.Function("cvt")
	require.NoError(t, err)
	x := []float32{1, -2.5, 65504, 70000, 1e-8, 3.14159265, -0.1}
	n := len(x)
	dx, _ := AllocFor[float32](ctx, n)
	dh, _ := AllocFor[uint16](ctx, n)
	db, _ := AllocFor[uint16](ctx, n)
	defer dx.Close()
	defer dh.Close()
	defer db.Close()
	require.NoError(t, CopyHtoD(dx, x))
	require.NoError(t, Launch(fn, D1(1), D1(32), 0, nil, dh, db, dx, int32(n)))
	h := make([]uint16, n)
	b := make([]uint16, n)
	require.NoError(t, CopyDtoH(h, dh))
	require.NoError(t, CopyDtoH(b, db))
	for i, v := range x {
		require.Equal(t, uint16(Float32ToHalf(v)), h[i], "half of %g", v)
		require.Equal(t, uint16(Float32ToBFloat16(v)), b[i], "bf16 of %g", v)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func TestGPUEventsTiming(t *testing.T) {
	ctx := gpuContext(t)
	mod := saxpyModule(t, ctx)
	spin, err := mod.Function("spin")
	require.NoError(t, err)
	s, err := ctx.NewStream()
	require.NoError(t, err)
	defer s.Close()
	start, err := ctx.NewEvent()
	require.NoError(t, err)
	defer start.Close()
	end, err := ctx.NewEvent()
	require.NoError(t, err)
	defer end.Close()
	cycles := int64(gpu.dev.ClockMHz()) * 1000 * 2 // about 2 ms at the maximum clock
	require.NoError(t, start.Record(s))
	require.NoError(t, Launch(spin, D1(1), D1(1), 0, s, cycles))
	require.NoError(t, end.Record(s))
	require.NoError(t, end.Synchronize())
	done, err := end.Done()
	require.NoError(t, err)
	require.True(t, done)
	ms, err := Elapsed(start, end)
	require.NoError(t, err)
	t.Logf("spin of %d cycles: %.3f ms", cycles, ms)
	require.Greater(t, ms, float32(0.5))
	require.Less(t, ms, float32(1000))

	// stream ordering through events
	s2, err := ctx.NewStream()
	require.NoError(t, err)
	defer s2.Close()
	require.NoError(t, s2.WaitEvent(end))
	require.NoError(t, s2.Synchronize())
}

func TestGPUGraphCaptureReplay(t *testing.T) {
	ctx := gpuContext(t)
	fn, err := saxpyModule(t, ctx).Function("saxpy")
	require.NoError(t, err)
	const n = 4096
	r := rand.New(rand.NewPCG(5, 6))
	x, y := randFloats(r, n), randFloats(r, n)
	dx, _ := AllocFor[float32](ctx, n)
	dy, _ := AllocFor[float32](ctx, n)
	defer dx.Close()
	defer dy.Close()
	require.NoError(t, CopyHtoD(dx, x))
	require.NoError(t, CopyHtoD(dy, y))
	s, err := ctx.NewStream()
	require.NoError(t, err)
	defer s.Close()

	require.NoError(t, s.BeginCapture())
	for i := 0; i < 3; i++ {
		require.NoError(t, Launch(fn, D1(n/256), D1(256), 0, s, dy, dx, float32(0.5), int32(n)))
	}
	g, err := s.EndCapture()
	require.NoError(t, err)
	defer g.Close()
	// nothing ran during capture
	got := make([]float32, n)
	require.NoError(t, CopyDtoH(got, dy))
	require.Equal(t, y, got)

	exec, err := g.Instantiate()
	require.NoError(t, err)
	defer exec.Close()
	require.NoError(t, exec.Launch(s))
	require.NoError(t, exec.Launch(s))
	require.NoError(t, s.Synchronize())
	require.NoError(t, CopyDtoH(got, dy))
	for i := range got {
		want := float64(y[i]) + 6*0.5*float64(x[i])
		require.InDelta(t, want, float64(got[i]), 1e-5, "element %d", i)
	}
	require.NoError(t, g.Close())
	require.NoError(t, exec.Launch(s), "an executable graph outlives its graph")
	require.NoError(t, s.Synchronize())
	require.NoError(t, exec.Close())
	require.NoError(t, exec.Close())
	require.ErrorIs(t, exec.Launch(s), ErrClosed)
}

func TestGPUOutOfMemory(t *testing.T) {
	ctx := gpuContext(t)
	_, err := ctx.Alloc(1 << 40) // 1 TiB
	require.Error(t, err)
	require.ErrorIs(t, err, ErrOutOfMemory)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, 2, e.Code)
	require.Equal(t, "CUDA_ERROR_OUT_OF_MEMORY", e.Name)
	t.Logf("1 TiB allocation: %v", err)

	// the context is still usable
	b, err := ctx.Alloc(1 << 20)
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, CopyHtoD(b, []float32{1, 2, 3}))
	got := make([]float32, 3)
	require.NoError(t, CopyDtoH(got, b))
	require.Equal(t, []float32{1, 2, 3}, got)
	require.NoError(t, ctx.Synchronize())
}

func TestGPULaunchArgumentErrors(t *testing.T) {
	ctx := gpuContext(t)
	fn, err := saxpyModule(t, ctx).Function("saxpy")
	require.NoError(t, err)
	err = Launch(fn, D1(1), D1(1), 0, nil, DevicePtr(0), DevicePtr(0), float32(1), 5) // untyped int
	require.ErrorIs(t, err, ErrInvalidValue)
	require.Contains(t, err.Error(), "int32 or int64")
	err = Launch(fn, D1(1), D1(4096), 0, nil, DevicePtr(0), DevicePtr(0), float32(1), int32(0)) // too many threads
	require.ErrorIs(t, err, ErrInvalidValue)
	require.NoError(t, ctx.Synchronize(), "a refused launch leaves the context usable")
}

// Several goroutines, each with its own stream, use one context (the shims make it current
// on whatever thread each call runs on).
func TestGPUConcurrentGoroutines(t *testing.T) {
	ctx := gpuContext(t)
	fn, err := saxpyModule(t, ctx).Function("saxpy")
	require.NoError(t, err)
	const workers, n, iters = 8, 1 << 14, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs <- func() error {
				s, err := ctx.NewStream()
				if err != nil {
					return err
				}
				defer s.Close()
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(w + 1)
				}
				dx, err := AllocFor[float32](ctx, n)
				if err != nil {
					return err
				}
				defer dx.Close()
				dy, err := AllocFor[float32](ctx, n)
				if err != nil {
					return err
				}
				defer dy.Close()
				if err := CopyHtoD(dx, x); err != nil {
					return err
				}
				if err := dy.MemsetAsync(0, s); err != nil {
					return err
				}
				for i := 0; i < iters; i++ {
					if err := Launch(fn, D1(n/256), D1(256), 0, s, dy, dx, float32(1), int32(n)); err != nil {
						return err
					}
				}
				if err := s.Synchronize(); err != nil {
					return err
				}
				got := make([]float32, n)
				if err := CopyDtoH(got, dy); err != nil {
					return err
				}
				for i, v := range got {
					if v != float32(iters*(w+1)) {
						return fmt.Errorf("worker %d element %d = %g, want %d", w, i, v, iters*(w+1))
					}
				}
				return nil
			}()
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// ---- cuBLASLt ----

// roundTo rounds v as the GPU reads it in type dt.
func roundTo(v float32, dt DataType) float32 {
	switch dt {
	case R16F:
		return Float32ToHalf(v).Float32()
	case R16BF:
		return Float32ToBFloat16(v).Float32()
	}
	return v
}

func encode(v []float32, dt DataType) []uint16 {
	out := make([]uint16, len(v))
	for i, x := range v {
		if dt == R16F {
			out[i] = uint16(Float32ToHalf(x))
		} else {
			out[i] = uint16(Float32ToBFloat16(x))
		}
	}
	return out
}

func decode(v []uint16, dt DataType) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		if dt == R16F {
			out[i] = Half(x).Float32()
		} else {
			out[i] = BFloat16(x).Float32()
		}
	}
	return out
}

func upload(t *testing.T, ctx *Context, v []float32, dt DataType) *Buffer {
	t.Helper()
	var b *Buffer
	var err error
	if dt == R32F {
		b, err = AllocFor[float32](ctx, len(v))
		require.NoError(t, err)
		require.NoError(t, CopyHtoD(b, v))
	} else {
		b, err = AllocFor[uint16](ctx, len(v))
		require.NoError(t, err)
		require.NoError(t, CopyHtoD(b, encode(v, dt)))
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func download(t *testing.T, b *Buffer, n int, dt DataType) []float32 {
	t.Helper()
	if dt == R32F {
		out := make([]float32, n)
		require.NoError(t, CopyDtoH(out, b))
		return out
	}
	raw := make([]uint16, n)
	require.NoError(t, CopyDtoH(raw, b))
	return decode(raw, dt)
}

// gemmRef computes the row-major batched GEMM in float64, with the stored (rounded) inputs;
// it also returns sum|a||b| per output element as the error scale.
func gemmRef(s GemmSpec, a, b []float32, bias []float32) (out, scale []float64) {
	out = make([]float64, s.Batch*s.M*s.N)
	scale = make([]float64, len(out))
	for bt := 0; bt < s.Batch; bt++ {
		for i := 0; i < s.M; i++ {
			for j := 0; j < s.N; j++ {
				var acc, sc float64
				for k := 0; k < s.K; k++ {
					var av, bv float32
					if s.TransA {
						av = a[int64(bt)*s.StrideA+int64(k*s.M+i)]
					} else {
						av = a[int64(bt)*s.StrideA+int64(i*s.K+k)]
					}
					if s.TransB {
						bv = b[int64(bt)*s.StrideB+int64(j*s.K+k)]
					} else {
						bv = b[int64(bt)*s.StrideB+int64(k*s.N+j)]
					}
					acc += float64(av) * float64(bv)
					sc += math.Abs(float64(av) * float64(bv))
				}
				if bias != nil {
					acc += float64(bias[j])
					sc += math.Abs(float64(bias[j]))
				}
				out[(bt*s.M+i)*s.N+j] = acc
				scale[(bt*s.M+i)*s.N+j] = sc
			}
		}
	}
	return out, scale
}

func maxRelErr(got []float32, ref, scale []float64) float64 {
	worst := 0.0
	for i := range got {
		e := math.Abs(float64(got[i])-ref[i]) / (scale[i] + 1e-30)
		if e > worst || math.IsNaN(e) {
			worst = e
		}
	}
	return worst
}

func TestGPUBlasLtGEMM(t *testing.T) {
	ctx := gpuContext(t)
	lt, err := ctx.NewBlasLt()
	if err != nil {
		t.Skipf("cuBLASLt not available: %v", err)
	}
	defer lt.Close()
	t.Logf("cuBLASLt %s", CUBLASLtVersion())
	const maxWS = 32 << 20
	ws, err := ctx.Alloc(maxWS)
	require.NoError(t, err)
	defer ws.Close()
	s, err := ctx.NewStream()
	require.NoError(t, err)
	defer s.Close()

	const M, N, K, B = 67, 45, 129, 3
	r := rand.New(rand.NewPCG(7, 8))
	aF := randFloats(r, B*M*K)
	bF := randFloats(r, B*K*N)
	biasF := randFloats(r, N)

	cases := []struct {
		name           string
		in, out        DataType
		compute        ComputeType
		transA, transB bool
		batch          int
		epilogue       Epilogue
		tol            float64
	}{
		// FP32 tolerances are far below TF32's error (about 1e-4 here): they prove no TF32.
		{"fp32-pedantic", R32F, R32F, Compute32FPedantic, false, false, 1, 0, 2e-6},
		{"fp32", R32F, R32F, Compute32F, false, false, 1, 0, 2e-6},
		{"fp32-pedantic-batched-transposed", R32F, R32F, Compute32FPedantic, true, true, B, 0, 2e-6},
		{"fp32-pedantic-bias", R32F, R32F, Compute32FPedantic, false, false, 1, EpilogueBias, 2e-6},
		{"tf32", R32F, R32F, Compute32FFastTF32, false, false, 1, 0, 4e-3},
		{"tf32-batched", R32F, R32F, Compute32FFastTF32, false, true, B, 0, 4e-3},
		{"fp16", R16F, R16F, Compute32F, false, false, 1, 0, 2e-3},
		{"fp16-batched-transposed", R16F, R16F, Compute32F, true, false, B, 0, 2e-3},
		{"fp16-in-fp32-out", R16F, R32F, Compute32F, false, false, 1, 0, 1e-5},
		{"bf16", R16BF, R16BF, Compute32F, false, false, 1, 0, 1e-2},
		{"bf16-batched", R16BF, R16BF, Compute32F, false, true, B, 0, 1e-2},
	}
	errs := map[string]float64{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := GemmSpec{M: M, N: N, K: K, TransA: c.transA, TransB: c.transB, Batch: c.batch,
				TypeA: c.in, TypeB: c.in, TypeC: c.out, Compute: c.compute, Epilogue: c.epilogue}
			if c.batch > 1 {
				spec.StrideA, spec.StrideB, spec.StrideC = M*K, K*N, M*N
			}
			nA, nB, nC := c.batch*M*K, c.batch*K*N, c.batch*M*N
			a := make([]float32, nA)
			b := make([]float32, nB)
			for i := range a {
				a[i] = roundTo(aF[i], c.in)
			}
			for i := range b {
				b[i] = roundTo(bF[i], c.in)
			}
			var bias []float32
			g, err := lt.NewGemm(spec, maxWS)
			require.NoError(t, err)
			defer g.Close()
			if c.epilogue == EpilogueBias {
				bias = biasF
				require.NoError(t, g.SetBias(upload(t, ctx, bias, c.out).Ptr(), 0))
			}
			da, db := upload(t, ctx, a, c.in), upload(t, ctx, b, c.in)
			dc := upload(t, ctx, make([]float32, nC), c.out)
			require.NoError(t, g.Run(1, da.Ptr(), db.Ptr(), 0, dc.Ptr(), ws, s))
			require.NoError(t, s.Synchronize())
			got := download(t, dc, nC, c.out)
			ref, scale := gemmRef(g.Spec(), a, b, bias)
			e := maxRelErr(got, ref, scale)
			errs[c.name] = e
			t.Logf("%s: max error %.3g (relative to sum|a·b|), workspace %d, %d candidates", c.name, e,
				g.WorkspaceSize(), len(g.Candidates()))
			require.LessOrEqual(t, e, c.tol)
		})
	}
	// FP32 never silently becomes TF32: the pedantic FP32 GEMM is far more exact than TF32.
	if p, ok := errs["fp32-pedantic"]; ok {
		if tf, ok := errs["tf32"]; ok {
			require.Less(t, p*10, tf, "pedantic FP32 error %.3g vs TF32 error %.3g", p, tf)
		}
	}

	// beta: C = A·B + C, reusing the plan
	spec := GemmSpec{M: M, N: N, K: K, TypeA: R32F, TypeC: R32F, Compute: Compute32FPedantic}
	g, err := lt.NewGemm(spec, maxWS)
	require.NoError(t, err)
	defer g.Close()
	cInit := randFloats(r, M*N)
	da, db, dc := upload(t, ctx, aF[:M*K], R32F), upload(t, ctx, bF[:K*N], R32F), upload(t, ctx, cInit, R32F)
	require.NoError(t, g.Run(2, da.Ptr(), db.Ptr(), 1, dc.Ptr(), ws, s))
	require.NoError(t, s.Synchronize())
	got := download(t, dc, M*N, R32F)
	ref, scale := gemmRef(g.Spec(), aF[:M*K], bF[:K*N], nil)
	for i := range ref {
		ref[i] = 2*ref[i] + float64(cInit[i])
		scale[i] = 2*scale[i] + math.Abs(float64(cInit[i]))
	}
	require.LessOrEqual(t, maxRelErr(got, ref, scale), 1e-5)
}

// ---- cuDNN ----

type convCase struct {
	N, C, H, W, K, R, S   int
	pad, stride, dil, grp int
}

func (c convCase) outHW() (int, int) {
	oh := (c.H+2*c.pad-c.dil*(c.R-1)-1)/c.stride + 1
	ow := (c.W+2*c.pad-c.dil*(c.S-1)-1)/c.stride + 1
	return oh, ow
}

// convRef is a direct NCHW cross-correlation in float64, with sum|x·w| as the error scale.
func convRef(c convCase, x, w []float32) (out, scale []float64) {
	oh, ow := c.outHW()
	cg := c.C / c.grp
	kg := c.K / c.grp
	out = make([]float64, c.N*c.K*oh*ow)
	scale = make([]float64, len(out))
	for n := 0; n < c.N; n++ {
		for k := 0; k < c.K; k++ {
			g := k / kg
			for y := 0; y < oh; y++ {
				for xx := 0; xx < ow; xx++ {
					var acc, sc float64
					for ci := 0; ci < cg; ci++ {
						ch := g*cg + ci
						for r := 0; r < c.R; r++ {
							iy := y*c.stride - c.pad + r*c.dil
							if iy < 0 || iy >= c.H {
								continue
							}
							for s := 0; s < c.S; s++ {
								ix := xx*c.stride - c.pad + s*c.dil
								if ix < 0 || ix >= c.W {
									continue
								}
								p := float64(x[((n*c.C+ch)*c.H+iy)*c.W+ix]) * float64(w[((k*cg+ci)*c.R+r)*c.S+s])
								acc += p
								sc += math.Abs(p)
							}
						}
					}
					i := ((n*c.K+k)*oh+y)*ow + xx
					out[i], scale[i] = acc, sc
				}
			}
		}
	}
	return out, scale
}

// deconvRef is the transposed convolution (backward data, groups 1): dx from dy and w.
func deconvRef(c convCase, dy, w []float32) (out, scale []float64) {
	oh, ow := c.outHW()
	out = make([]float64, c.N*c.C*c.H*c.W)
	scale = make([]float64, len(out))
	for n := 0; n < c.N; n++ {
		for k := 0; k < c.K; k++ {
			for y := 0; y < oh; y++ {
				for xx := 0; xx < ow; xx++ {
					g := float64(dy[((n*c.K+k)*oh+y)*ow+xx])
					for ch := 0; ch < c.C; ch++ {
						for r := 0; r < c.R; r++ {
							iy := y*c.stride - c.pad + r*c.dil
							if iy < 0 || iy >= c.H {
								continue
							}
							for s := 0; s < c.S; s++ {
								ix := xx*c.stride - c.pad + s*c.dil
								if ix < 0 || ix >= c.W {
									continue
								}
								p := g * float64(w[((k*c.C+ch)*c.R+r)*c.S+s])
								i := ((n*c.C+ch)*c.H+iy)*c.W + ix
								out[i] += p
								scale[i] += math.Abs(p)
							}
						}
					}
				}
			}
		}
	}
	return out, scale
}

// pickAlgo returns the first usable algorithm reported with the math type asked for, else
// the first usable one (for MathFMA: the first with default math, the descriptor keeping
// MathFMA).
func pickAlgo(t *testing.T, perf []ConvAlgoPerf, math MathType) *ConvAlgoPerf {
	t.Helper()
	t.Logf("algorithms: %+v", perf)
	prefs := []func(ConvAlgoPerf) bool{
		func(p ConvAlgoPerf) bool { return p.Math == math },
		func(ConvAlgoPerf) bool { return math != MathFMA },
	}
	if math == MathFMA {
		prefs = append(prefs, func(p ConvAlgoPerf) bool { return p.Math == MathDefault })
	}
	for _, ok := range prefs {
		for i := range perf {
			if perf[i].Status == 0 && ok(perf[i]) {
				return &perf[i]
			}
		}
	}
	t.Fatalf("no usable algorithm among %+v", perf)
	return nil
}

func dnnType(dt DataType) DNNDataType {
	switch dt {
	case R16F:
		return DNNHalf
	case R16BF:
		return DNNBFloat16
	}
	return DNNFloat
}

func TestGPUCudnnConvolution(t *testing.T) {
	ctx := gpuContext(t)
	dnn, err := ctx.NewDNN()
	if err != nil {
		t.Skipf("cuDNN not available: %v", err)
	}
	defer dnn.Close()
	t.Logf("cuDNN %s", CUDNNVersion())
	s, err := ctx.NewStream()
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, dnn.SetStream(s))

	base := convCase{N: 2, C: 16, H: 17, W: 19, K: 32, R: 3, S: 3, pad: 1, stride: 1, dil: 1, grp: 1}
	strided := convCase{N: 2, C: 8, H: 20, W: 20, K: 16, R: 5, S: 5, pad: 2, stride: 2, dil: 1, grp: 1}
	grouped := convCase{N: 1, C: 16, H: 12, W: 12, K: 16, R: 3, S: 3, pad: 2, stride: 1, dil: 2, grp: 4}
	cases := []struct {
		name string
		cc   convCase
		dt   DataType
		math MathType
		tol  float64
	}{
		{"fp32-pedantic", base, R32F, MathFMA, 2e-6},
		{"fp32-pedantic-strided", strided, R32F, MathFMA, 2e-6},
		{"fp32-pedantic-grouped-dilated", grouped, R32F, MathFMA, 2e-6},
		{"tf32", base, R32F, MathTensorOp, 4e-3},
		{"fp16", base, R16F, MathTensorOp, 2e-3},
		{"fp16-grouped-dilated", grouped, R16F, MathTensorOp, 2e-3},
		{"bf16", base, R16BF, MathTensorOp, 1e-2},
	}
	errs := map[string]float64{}
	r := rand.New(rand.NewPCG(9, 10))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cc := c.cc
			oh, ow := cc.outHW()
			x := randFloats(r, cc.N*cc.C*cc.H*cc.W)
			w := randFloats(r, cc.K*(cc.C/cc.grp)*cc.R*cc.S)
			for i := range x {
				x[i] = roundTo(x[i], c.dt)
			}
			for i := range w {
				w[i] = roundTo(w[i], c.dt)
			}
			dt := dnnType(c.dt)
			xd, err := NewTensorDesc(dt, []int{cc.N, cc.C, cc.H, cc.W}, nil)
			require.NoError(t, err)
			defer xd.Close()
			wd, err := NewFilterDesc(dt, []int{cc.K, cc.C / cc.grp, cc.R, cc.S})
			require.NoError(t, err)
			defer wd.Close()
			conv, err := NewConvDesc(ConvParams{Pads: []int{cc.pad, cc.pad}, Strides: []int{cc.stride, cc.stride},
				Dilations: []int{cc.dil, cc.dil}, Groups: cc.grp, Mode: ModeCrossCorrelation, ComputeType: DNNFloat, Math: c.math})
			require.NoError(t, err)
			defer conv.Close()
			dims, err := ConvOutputDims(conv, xd, wd)
			require.NoError(t, err)
			require.Equal(t, []int{cc.N, cc.K, oh, ow}, dims)
			yd, err := NewTensorDesc(dt, dims, nil)
			require.NoError(t, err)
			defer yd.Close()

			perf, err := dnn.ConvForwardAlgorithms(xd, wd, conv, yd, false)
			require.NoError(t, err)
			pick := pickAlgo(t, perf, c.math)
			if c.math != MathFMA {
				require.NoError(t, conv.SetMath(pick.Math))
			}
			wsSize, err := dnn.ConvForwardWorkspaceSize(xd, wd, conv, yd, ConvFwdAlgo(pick.Algo))
			require.NoError(t, err)
			var ws *Buffer
			if wsSize > 0 {
				ws, err = ctx.Alloc(int(wsSize))
				require.NoError(t, err)
				defer ws.Close()
			}
			dx, dw := upload(t, ctx, x, c.dt), upload(t, ctx, w, c.dt)
			nY := cc.N * cc.K * oh * ow
			dy := upload(t, ctx, make([]float32, nY), c.dt)
			require.NoError(t, dnn.ConvForward(1, xd, dx.Ptr(), wd, dw.Ptr(), conv, ConvFwdAlgo(pick.Algo), ws, 0, yd, dy.Ptr()))
			require.NoError(t, s.Synchronize())
			got := download(t, dy, nY, c.dt)
			ref, scale := convRef(cc, x, w)
			e := maxRelErr(got, ref, scale)
			errs[c.name] = e
			t.Logf("%s: algo %d math %d workspace %d: max error %.3g", c.name, pick.Algo, pick.Math, wsSize, e)
			require.LessOrEqual(t, e, c.tol)
		})
	}
	if p, ok := errs["fp32-pedantic"]; ok {
		if tf, ok := errs["tf32"]; ok {
			t.Logf("conv error: pedantic FP32 %.3g, TF32 %.3g", p, tf)
			if tf > 1e-5 { // the TF32 algorithm did round to TF32
				require.Less(t, p*10, tf, "pedantic FP32 convolution must be far more exact than TF32")
			}
		}
	}

	// find (timed) algorithms work too
	cc := base
	xd, _ := NewTensorDesc(DNNFloat, []int{cc.N, cc.C, cc.H, cc.W}, nil)
	wd, _ := NewFilterDesc(DNNFloat, []int{cc.K, cc.C, cc.R, cc.S})
	conv, err := NewConvDesc(ConvParams{Pads: []int{1, 1}, Mode: ModeCrossCorrelation, ComputeType: DNNFloat, Math: MathFMA})
	require.NoError(t, err)
	yd, _ := NewTensorDesc(DNNFloat, []int{cc.N, cc.K, cc.H, cc.W}, nil)
	found, err := dnn.ConvForwardAlgorithms(xd, wd, conv, yd, true)
	require.NoError(t, err)
	require.NotEmpty(t, found)
	t.Logf("timed: best algo %d %.4f ms", found[0].Algo, found[0].TimeMs)
	for _, d := range []interface{ Close() error }{xd, wd, conv, yd} {
		require.NoError(t, d.Close())
		require.NoError(t, d.Close())
	}

	// bad parameters come back as ErrInvalidValue with cuDNN's message
	_, err = NewTensorDesc(DNNFloat, []int{1, -3, 4, 4}, nil)
	require.ErrorIs(t, err, ErrInvalidValue)
	t.Logf("bad descriptor: %v", err)
}

func TestGPUCudnnConvTranspose(t *testing.T) {
	ctx := gpuContext(t)
	dnn, err := ctx.NewDNN()
	if err != nil {
		t.Skipf("cuDNN not available: %v", err)
	}
	defer dnn.Close()
	// dx (N,C,H,W) = convᵀ(dy (N,K,oh,ow), w (K,C,R,S)): ConvTranspose from K to C channels.
	cc := convCase{N: 2, C: 8, H: 15, W: 15, K: 16, R: 3, S: 3, pad: 1, stride: 2, dil: 1, grp: 1}
	oh, ow := cc.outHW()
	r := rand.New(rand.NewPCG(11, 12))
	dyv := randFloats(r, cc.N*cc.K*oh*ow)
	w := randFloats(r, cc.K*cc.C*cc.R*cc.S)
	wd, err := NewFilterDesc(DNNFloat, []int{cc.K, cc.C, cc.R, cc.S})
	require.NoError(t, err)
	defer wd.Close()
	dyd, err := NewTensorDesc(DNNFloat, []int{cc.N, cc.K, oh, ow}, nil)
	require.NoError(t, err)
	defer dyd.Close()
	dxd, err := NewTensorDesc(DNNFloat, []int{cc.N, cc.C, cc.H, cc.W}, nil)
	require.NoError(t, err)
	defer dxd.Close()
	conv, err := NewConvDesc(ConvParams{Pads: []int{1, 1}, Strides: []int{2, 2}, Mode: ModeCrossCorrelation,
		ComputeType: DNNFloat, Math: MathFMA})
	require.NoError(t, err)
	defer conv.Close()
	perf, err := dnn.ConvBackwardDataAlgorithms(wd, dyd, conv, dxd, false)
	require.NoError(t, err)
	pick := pickAlgo(t, perf, MathFMA)
	wsSize, err := dnn.ConvBackwardDataWorkspaceSize(wd, dyd, conv, dxd, ConvBwdDataAlgo(pick.Algo))
	require.NoError(t, err)
	var ws *Buffer
	if wsSize > 0 {
		ws, err = ctx.Alloc(int(wsSize))
		require.NoError(t, err)
		defer ws.Close()
	}
	ddy, dw := upload(t, ctx, dyv, R32F), upload(t, ctx, w, R32F)
	ddx := upload(t, ctx, make([]float32, cc.N*cc.C*cc.H*cc.W), R32F)
	require.NoError(t, dnn.ConvBackwardData(1, wd, dw.Ptr(), dyd, ddy.Ptr(), conv, ConvBwdDataAlgo(pick.Algo), ws, 0, dxd, ddx.Ptr()))
	require.NoError(t, ctx.Synchronize())
	got := download(t, ddx, cc.N*cc.C*cc.H*cc.W, R32F)
	ref, scale := deconvRef(cc, dyv, w)
	e := maxRelErr(got, ref, scale)
	t.Logf("conv transpose: algo %d, max error %.3g", pick.Algo, e)
	require.LessOrEqual(t, e, 2e-6)

	// bias add (1,C,1,1) broadcast
	bias := randFloats(r, cc.C)
	bd, err := NewTensorDesc(DNNFloat, []int{1, cc.C, 1, 1}, nil)
	require.NoError(t, err)
	defer bd.Close()
	dbias := upload(t, ctx, bias, R32F)
	require.NoError(t, dnn.AddTensor(1, bd, dbias.Ptr(), 1, dxd, ddx.Ptr()))
	require.NoError(t, ctx.Synchronize())
	got2 := download(t, ddx, len(got), R32F)
	for i := range got2 {
		ch := (i / (cc.H * cc.W)) % cc.C
		require.InDelta(t, float64(got[i])+float64(bias[ch]), float64(got2[i]), 1e-5)
	}
}

// cuBLASLt and cuDNN calls can be captured into a CUDA graph and replayed (the GPU backend
// replays whole engines as graphs).
func TestGPUGraphCaptureLibraries(t *testing.T) {
	ctx := gpuContext(t)
	lt, err := ctx.NewBlasLt()
	if err != nil {
		t.Skipf("cuBLASLt not available: %v", err)
	}
	defer lt.Close()
	dnn, err := ctx.NewDNN()
	if err != nil {
		t.Skipf("cuDNN not available: %v", err)
	}
	defer dnn.Close()
	s, err := ctx.NewStream()
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, dnn.SetStream(s))
	r := rand.New(rand.NewPCG(13, 14))

	// GEMM
	const M, N, K = 64, 48, 96
	g, err := lt.NewGemm(GemmSpec{M: M, N: N, K: K, TypeA: R32F, TypeC: R32F, Compute: Compute32FPedantic}, 4<<20)
	require.NoError(t, err)
	defer g.Close()
	var ws *Buffer
	if g.WorkspaceSize() > 0 {
		ws, err = ctx.Alloc(int(g.WorkspaceSize()))
		require.NoError(t, err)
		defer ws.Close()
	}
	a, b := randFloats(r, M*K), randFloats(r, K*N)
	da, db := upload(t, ctx, a, R32F), upload(t, ctx, b, R32F)
	dc := upload(t, ctx, make([]float32, M*N), R32F)

	// conv
	cc := convCase{N: 1, C: 8, H: 10, W: 10, K: 8, R: 3, S: 3, pad: 1, stride: 1, dil: 1, grp: 1}
	x, w := randFloats(r, cc.C*cc.H*cc.W), randFloats(r, cc.K*cc.C*9)
	xd, err := NewTensorDesc(DNNFloat, []int{1, cc.C, cc.H, cc.W}, nil)
	require.NoError(t, err)
	defer xd.Close()
	wd, err := NewFilterDesc(DNNFloat, []int{cc.K, cc.C, 3, 3})
	require.NoError(t, err)
	defer wd.Close()
	yd, err := NewTensorDesc(DNNFloat, []int{1, cc.K, cc.H, cc.W}, nil)
	require.NoError(t, err)
	defer yd.Close()
	conv, err := NewConvDesc(ConvParams{Pads: []int{1, 1}, Mode: ModeCrossCorrelation, ComputeType: DNNFloat, Math: MathFMA})
	require.NoError(t, err)
	defer conv.Close()
	perf, err := dnn.ConvForwardAlgorithms(xd, wd, conv, yd, false)
	require.NoError(t, err)
	pick := pickAlgo(t, perf, MathFMA)
	cws, err := dnn.ConvForwardWorkspaceSize(xd, wd, conv, yd, ConvFwdAlgo(pick.Algo))
	require.NoError(t, err)
	var cwsBuf *Buffer
	if cws > 0 {
		cwsBuf, err = ctx.Alloc(int(cws))
		require.NoError(t, err)
		defer cwsBuf.Close()
	}
	dx, dw := upload(t, ctx, x, R32F), upload(t, ctx, w, R32F)
	dy := upload(t, ctx, make([]float32, cc.K*cc.H*cc.W), R32F)

	require.NoError(t, s.BeginCapture())
	require.NoError(t, g.Run(1, da.Ptr(), db.Ptr(), 0, dc.Ptr(), ws, s))
	require.NoError(t, dnn.ConvForward(1, xd, dx.Ptr(), wd, dw.Ptr(), conv, ConvFwdAlgo(pick.Algo), cwsBuf, 0, yd, dy.Ptr()))
	graph, err := s.EndCapture()
	require.NoError(t, err)
	defer graph.Close()
	exec, err := graph.Instantiate()
	require.NoError(t, err)
	defer exec.Close()
	for i := 0; i < 3; i++ {
		require.NoError(t, exec.Launch(s))
	}
	require.NoError(t, s.Synchronize())
	ref, scale := gemmRef(g.Spec(), a, b, nil)
	require.LessOrEqual(t, maxRelErr(download(t, dc, M*N, R32F), ref, scale), 2e-6)
	cref, cscale := convRef(cc, x, w)
	require.LessOrEqual(t, maxRelErr(download(t, dy, len(cref), R32F), cref, cscale), 2e-6)
}

// GEMM throughput per precision at 4096³ (a baseline for the performance work; H100 dense
// peaks: about 60 TFLOP/s FP32 without tensor cores, 400+ TF32, 800+ FP16/BF16).
func TestGPUGemmThroughput(t *testing.T) {
	ctx := gpuContext(t)
	lt, err := ctx.NewBlasLt()
	if err != nil {
		t.Skipf("cuBLASLt not available: %v", err)
	}
	defer lt.Close()
	const n = 4096
	ws, err := ctx.Alloc(32 << 20)
	require.NoError(t, err)
	defer ws.Close()
	s, err := ctx.NewStream()
	require.NoError(t, err)
	defer s.Close()
	start, _ := ctx.NewEvent()
	end, _ := ctx.NewEvent()
	defer start.Close()
	defer end.Close()
	for _, c := range []struct {
		name    string
		in, out DataType
		compute ComputeType
	}{
		{"fp32-pedantic", R32F, R32F, Compute32FPedantic},
		{"tf32", R32F, R32F, Compute32FFastTF32},
		{"fp16", R16F, R16F, Compute32F},
		{"bf16", R16BF, R16BF, Compute32F},
	} {
		g, err := lt.NewGemm(GemmSpec{M: n, N: n, K: n, TypeA: c.in, TypeC: c.out, Compute: c.compute}, 32<<20)
		require.NoError(t, err)
		da, err := ctx.Alloc(n * n * c.in.Size())
		require.NoError(t, err)
		db, err := ctx.Alloc(n * n * c.in.Size())
		require.NoError(t, err)
		dc, err := ctx.Alloc(n * n * c.out.Size())
		require.NoError(t, err)
		require.NoError(t, da.Memset(0x3c)) // small finite values in every format
		require.NoError(t, db.Memset(0x3c))
		for i := 0; i < 3; i++ {
			require.NoError(t, g.Run(1, da.Ptr(), db.Ptr(), 0, dc.Ptr(), ws, s))
		}
		const iters = 10
		require.NoError(t, start.Record(s))
		for i := 0; i < iters; i++ {
			require.NoError(t, g.Run(1, da.Ptr(), db.Ptr(), 0, dc.Ptr(), ws, s))
		}
		require.NoError(t, end.Record(s))
		require.NoError(t, end.Synchronize())
		ms, err := Elapsed(start, end)
		require.NoError(t, err)
		tflops := 2 * float64(n) * n * n * iters / (float64(ms) / 1e3) / 1e12
		t.Logf("%s %dx%dx%d: %.3f ms per GEMM, %.0f TFLOP/s", c.name, n, n, n, ms/iters, tflops)
		for _, b := range []*Buffer{da, db, dc} {
			require.NoError(t, b.Close())
		}
		require.NoError(t, g.Close())
	}
}

// Runs last in this file: every library gotrt loads binds its whole function table.
func TestGPULibrariesBindFully(t *testing.T) {
	gpuContext(t)
	for _, lib := range []Library{LibNVRTC, LibCUBLASLt, LibCUDNN} {
		if err := LoadLibrary(lib); err != nil {
			t.Errorf("%s: %v", lib, err)
		}
	}
	for _, l := range Libraries() {
		t.Logf("%s %s from %s", l.Lib, l.Version, l.Path)
		require.True(t, l.Loaded, "%s not loaded: %v", l.Lib, l.Err)
		require.Empty(t, l.Missing, "%s lacks functions of gotrt's table", l.Lib)
	}
}
