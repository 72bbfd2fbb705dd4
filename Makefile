# gotrt — build, test and demo targets. `make test` and `make demo` work on a
# fresh machine: `setup` installs what the tests need (Go modules, ONNX's
# backend test data from Debian, ONNX Runtime's library from npm).
GO ?= go
export GOFLAGS ?= -buildvcs=false
# go-nvml's cgo preamble uses deprecated NVML declarations: keep the build quiet.
export CGO_CFLAGS ?= -O2 -g -Wno-deprecated-declarations
BIN := bin

.PHONY: all build test setup demo vet fmt gpu-bins clean fuzz bench

all: build

build:
	$(GO) build ./...

setup:
	@bash scripts/setup.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

test: setup vet
	$(GO) test -count=1 -timeout 20m ./...

demo:
	$(GO) run ./examples/fp16-overflow

fuzz:
	$(GO) test ./trt/ -run '^$$' -fuzz FuzzDeserialize -fuzztime 30s

bench:
	$(GO) test ./internal/gemm/ -run '^$$' -bench . -benchtime 2x

# Build the CLI and the GPU test binaries to carry to a machine with a GPU
# (the device machine has no Go), then run them there from the repository root:
#   ./bin/gpu.test -test.v; ./bin/trt_internal_gpu_kern.test -test.v; ./bin/cuda.test -test.v
#   ./bin/gotrt conformance --backend cuda DIR
# GPU tests skip with a message where there is no GPU.
gpu-bins:
	mkdir -p $(BIN)
	CGO_ENABLED=1 $(GO) build -o $(BIN)/gotrt ./cmd/gotrt
	for p in cuda internal/cgo trt/internal/gpu trt/internal/gpu/kern; do \
		if [ -d $$p ]; then $(GO) test -c -o $(BIN)/$$(echo $$p | tr / _).test ./$$p || exit 1; fi; \
	done

clean:
	rm -rf $(BIN)
