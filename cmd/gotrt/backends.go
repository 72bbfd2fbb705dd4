package main

// Engine backends other than the CPU register themselves with
// trt.RegisterBackend when their package is linked into the binary. HOOK:
// once the CUDA backend has a package that cmd/gotrt may import (the one in
// trt/internal/gpu is internal to trt), add its blank import here, e.g.
//
//	import _ "github.com/gotrt/gotrt/trt/gpu"
//
// Until then --backend cuda exits 2 with "the CUDA backend is not available
// (this gotrt has no CUDA backend registered)" and --backend auto runs on the
// CPU.
