package ir

import (
	"context"
	"time"
)

// Step is one kernel launch of a plan: a node with its resolved precision and
// the nodes fused into it.
type Step struct {
	Node *Node
	// Precision is the type float data is computed in (Float, Half, BF16);
	// for layers without float data it is the type of their first output.
	Precision DataType
	// TF32 rounds GEMM/convolution operands to TF32 (Precision Float only).
	TF32 bool
	// OutTypes are the storage types of the outputs.
	OutTypes []DataType
	// Epilogue nodes are applied to output 0 in order (fused activations and
	// element-wise ops); their other inputs come from the plan.
	Epilogue []*Node
	// Free lists tensor IDs whose last use is this step.
	Free []int
}

// Members names the node and every node fused into it.
func (s *Step) Members() []string {
	m := []string{s.Node.Name}
	for _, e := range s.Epilogue {
		m = append(m, e.Name)
	}
	return m
}

// Plan is a built network: steps in execution order over a graph whose
// float tensors carry their resolved types.
type Plan struct {
	Graph   *Graph
	Steps   []*Step
	Inputs  []*Tensor
	Outputs []*Tensor
	// Profiles: per input name, min/opt/max dims.
	Profiles []Profile
	// Progress, when set, receives a backend's progress while it prepares
	// the plan (phase, done, total); BuilderConfig.SetProgress installs it.
	Progress func(phase string, done, total int)
}

// Profile is an optimization profile: per input, min/opt/max dims.
type Profile struct {
	Min, Opt, Max map[string][]int
}

// Backend executes plans.
type Backend interface {
	Name() string
	// Supports reports whether layers of kind k can run in precision p.
	Supports(k Kind, p DataType) bool
	// Prepare compiles a plan (weights packed, kernels chosen).
	Prepare(ctx context.Context, p *Plan) (Program, error)
}

// Program is a prepared plan, shared by execution contexts.
type Program interface {
	NewContext() (Runner, error)
	Close() error
}

// Placer is implemented by programs that can say where each step runs:
// "gpu" (device kernels) or "host" (the CPU kernels, with the data copied
// between device and host: a fallback, or host-side shape arithmetic).
type Placer interface {
	Placement(s *Step) string
}

// LayerTiming is one layer's time in a run.
type LayerTiming struct {
	Name string
	Time time.Duration
}

// Runner runs a program; one per execution context (not safe for concurrent use).
type Runner interface {
	// Run executes with inputs by name and returns outputs by name.
	Run(ctx context.Context, inputs map[string]*Data) (map[string]*Data, error)
	// SetProfiling turns per-layer timing on or off.
	SetProfiling(on bool)
	// Timings returns the per-step timings of the last run.
	Timings() []LayerTiming
	Close() error
}

// OutputReleaser is implemented by runners that recycle output buffers: the
// engine hands back the previous run's outputs (it has copied what callers
// read) before the next run.
type OutputReleaser interface {
	ReleaseOutputs(out map[string]*Data)
}
