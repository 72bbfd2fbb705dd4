package kern

import (
	_ "embed"
	"math"
)

// CUDA sources, compiled with NVRTC by New (one program per file, each
// preceded by common.cuh).
var (
	//go:embed cu/common.cuh
	srcCommon string
	//go:embed cu/ew.cu
	srcEW string
	//go:embed cu/move.cu
	srcMove string
	//go:embed cu/reduce.cu
	srcReduce string
	//go:embed cu/nn.cu
	srcNN string
)

func float32bits(f float32) uint32 { return math.Float32bits(f) }
