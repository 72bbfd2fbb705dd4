// Package cuda is gotrt's idiomatic Go API over the CUDA driver, NVRTC, cuBLASLt and cuDNN.
//
// The libraries are opened with dlopen at run time by package internal/cgo (gotrt's only
// cgo); nothing links against CUDA, so programs build on machines without it and Load
// returns an error matching ErrNotAvailable there.
//
// Layers, as in Rust's cudarc: internal/cgo holds the raw function tables and C shims;
// errors.go turns status codes into *Error values (library, code, name, operation) that
// match this package's sentinels with errors.Is; the rest is the safe API:
//
//	if err := cuda.Load(); err != nil { ... }          // errors.Is(err, cuda.ErrNotAvailable)
//	dev, _ := cuda.GetDevice(0)                         // name, compute capability, memory, clocks
//	ctx, _ := dev.Context()                             // primary context; Close releases it
//	buf, _ := ctx.Alloc(n * 4)                          // device memory; Close frees it
//	_ = cuda.CopyHtoD(buf, hostFloats)
//	prog, _ := ctx.Compile(src, "k.cu")                 // NVRTC, cached on disk
//	mod, _ := ctx.LoadProgram(prog)
//	fn, _ := mod.Function("saxpy")
//	_ = cuda.Launch(fn, cuda.D1(blocks), cuda.D1(256), 0, stream, buf, float32(2), int32(n))
//
// Streams, events, pinned host buffers and asynchronous copies, CUDA graphs (stream
// capture), cuBLASLt GEMMs with explicit compute types (BlasLt, Gemm) and cuDNN
// convolutions (DNN) complete it. Every resource has an idempotent Close. Every call that
// touches the device makes the resource's context current on the calling thread in the same
// cgo call, so resources may be used from any goroutine.
//
// Library search: $GOTRT_CUDA_LIB_PATH (colon-separated directories), WithSearchDirs, the
// dynamic loader's path, then standard locations (/usr/local/cuda/lib64, the driver's
// /usr/local/nvidia/lib64, Python packages' nvidia/*/lib ...).
package cuda
