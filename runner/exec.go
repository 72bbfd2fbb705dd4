package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gotrt/gotrt/internal/ort"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

// RunEngine runs an engine once on inputs and returns its outputs and the
// time the run took (binding the inputs, executing, reading the outputs).
// Inputs the engine rejects (type, shape) give errors matching ErrBadInput.
func RunEngine(ctx context.Context, e *trt.Engine, inputs map[string]*tensor.Tensor) (out map[string]*tensor.Tensor, elapsed time.Duration, err error) {
	ec, err := e.CreateExecutionContext()
	if err != nil {
		return nil, 0, err
	}
	defer ec.Close()
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("engine run: internal error: %v", r)
		}
	}()
	start := time.Now()
	out, err = ec.Run(ctx, inputs)
	elapsed = time.Since(start)
	if err != nil {
		if errors.Is(err, trt.ErrInvalidInput) {
			return nil, elapsed, badInput("%v", err)
		}
		return nil, elapsed, fmt.Errorf("engine run: %w", err)
	}
	return out, elapsed, nil
}

// ORTResult is what RunONNXRuntime returns.
type ORTResult struct {
	Outputs map[string]*tensor.Tensor
	// Load is the session creation time, Inference the run's.
	Load, Inference time.Duration
	Version         string
}

// ORTAvailable reports whether ONNX Runtime's library can be found, and if
// not, why (with how to get it).
func ORTAvailable() error {
	_, err := ort.LibraryPath()
	return err
}

// RunONNXRuntime runs the model file in ONNX Runtime (CPU) on inputs. A
// missing ONNX Runtime library gives an error matching ErrBadInput that says
// how to get it. ONNX Runtime runs cannot be interrupted: ctx is checked
// before and after.
func RunONNXRuntime(ctx context.Context, path string, inputs map[string]*tensor.Tensor) (*ORTResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	s, err := ort.NewSessionFromFile(path)
	if err != nil {
		if errors.Is(err, ort.ErrNotFound) {
			return nil, badInput("--onnxrt: %v", err)
		}
		return nil, fmt.Errorf("ONNX Runtime could not load the model: %w", err)
	}
	defer s.Close()
	res := &ORTResult{Load: time.Since(start)}
	res.Version, _ = ort.Version()
	// Feed ONNX Runtime exactly the inputs it lists.
	feed := map[string]*tensor.Tensor{}
	for _, in := range s.Inputs() {
		t, ok := inputs[in.Name]
		if !ok {
			return nil, fmt.Errorf("ONNX Runtime lists input %q, which gotrt's import of the model does not have", in.Name)
		}
		feed[in.Name] = t
	}
	start = time.Now()
	out, err := s.Run(feed)
	res.Inference = time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("ONNX Runtime run failed: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Outputs = out
	return res, nil
}
