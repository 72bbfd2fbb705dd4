# GPU test binaries for the device machine (no Go there): build here, carry bin/, run there.
#
#   make -f mk/gpu.mk gpu-test-bins
#   device run (carry: ["bin"]):  ./bin/cuda.test -test.v 2>&1 | tee $OUT/cuda.log
#
# Include from the top-level Makefile with:  include mk/gpu.mk

GPU_BIN ?= bin

.PHONY: gpu-test-bins gpu-test-local

gpu-test-bins:
	mkdir -p $(GPU_BIN)
	go test -c -o $(GPU_BIN)/cuda.test ./cuda
	go test -c -o $(GPU_BIN)/cgo.test ./internal/cgo

# Runs the same binaries here (the GPU tests skip without a device).
gpu-test-local: gpu-test-bins
	./$(GPU_BIN)/cgo.test
	./$(GPU_BIN)/cuda.test
