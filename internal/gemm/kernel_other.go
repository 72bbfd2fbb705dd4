//go:build !amd64 || purego

package gemm

func platformKernels() []*kernel { return nil }
