// Package cpu is gotrt's pure-Go backend and the reference semantics of every
// layer kind: FP32, with FP16/BF16 emulated by rounding layer inputs and
// outputs (round-to-nearest-even, FP16 overflow to ±Inf), TF32 emulated by
// rounding GEMM/convolution operands, and FP32 accumulation throughout.
// Arithmetic and the float64-evaluated functions are correctly rounded; e^x,
// the sigmoid and erf use float32 vector approximations on AVX2 machines
// (within 1-2 ulp, fmath.go and vmath_amd64.go).
//
// Execution (runner.Run): kernels never write their inputs, so an output may
// share an input's data (a reshape, Identity); a runner recycles value
// buffers through a pool fed by the plan's Free lists with reference counts
// for shared data (pool.go); a Convolution or MatrixMultiply applies leading
// fused ReLU/clip members in its GEMM, and an ElementWise step its leading
// fused activations per output piece.
package cpu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Ctx is what a kernel sees of its step.
type Ctx struct {
	Node      *ir.Node
	Precision ir.DataType
	TF32      bool
	// State is per-node state shared by every runner of a program (e.g.
	// packed weights); kernels initialise it through Once.
	State *NodeState

	// pool, inside a runner, recycles output buffers (see pool.go); nil
	// for one-off evaluation.
	pool *bufPool
	// epilogue, inside a runner, lists the step's fused members; a kernel
	// that applies the leading ones itself (ReLU or clip inside the GEMM)
	// sets skip to their number.
	epilogue []*ir.Node
	skip     int
}

// NodeState caches per-node prepared data.
type NodeState struct {
	once sync.Once
	val  any
	err  error
}

// Once computes the node's prepared state once and returns it.
func (s *NodeState) Once(f func() (any, error)) (any, error) {
	if s == nil {
		return f()
	}
	s.once.Do(func() { s.val, s.err = f() })
	return s.val, s.err
}

// Kernel runs one node: it returns the outputs computed from in (nil entries
// are absent optional inputs). Float outputs are in float32; the executor
// rounds them to the step's output types. A kernel never writes its inputs
// (an output may share an input's data, and then must not be written
// either); it allocates outputs with Ctx.NewData and friends (pool.go).
type Kernel func(c *Ctx, in []*ir.Data) ([]*ir.Data, error)

var kernels = map[ir.Kind]Kernel{}

// Register installs the kernel of kind k.
func Register(k ir.Kind, f Kernel) { kernels[k] = f }

// HasKernel reports whether kind k has a CPU kernel.
func HasKernel(k ir.Kind) bool { _, ok := kernels[k]; return ok }

func init() {
	ir.Evaluator = func(n *ir.Node, in []*ir.Data) ([]*ir.Data, error) {
		return Eval(n, in)
	}
}

// Eval runs a node once in FP32 (constant folding).
func Eval(n *ir.Node, in []*ir.Data) ([]*ir.Data, error) {
	k, ok := kernels[n.Kind]
	if !ok {
		return nil, fmt.Errorf("layer %q: no CPU kernel for %s", n.Name, n.Kind)
	}
	out, err := k(&Ctx{Node: n, Precision: ir.Float}, in)
	if err != nil {
		return nil, fmt.Errorf("layer %q (%s): %w", n.Name, n.Kind, err)
	}
	for i, o := range out {
		if o != nil && i < len(n.Outputs) {
			out[i] = protectShared(o, in, n.Outputs[i].Type)
			finishOutput(out[i], n.Outputs[i].Type)
		}
	}
	return out, nil
}

// OutInfos runs the kind's shape inference with every input known.
func OutInfos(n *ir.Node, in []*ir.Data) ([]*ir.Info, error) {
	infos := make([]*ir.Info, len(in))
	for i, d := range in {
		if d != nil {
			infos[i] = &ir.Info{Type: d.Type, Dims: d.Dims, Value: d}
		}
	}
	return ir.Def(n.Kind).Infer(n, infos)
}

// finishOutput converts a kernel result to storage type t: float values are
// rounded, integer values wrapped; a float result for an integer type (or the
// reverse) is converted.
func finishOutput(d *ir.Data, t ir.DataType) {
	switch {
	case ir.IsIntLike(t) && d.I == nil && d.F != nil:
		d.I = make([]int64, len(d.F))
		for i, v := range d.F {
			d.I[i] = ir.WrapInt(int64(v), t)
		}
		d.F = nil
	case !ir.IsIntLike(t) && d.F == nil && d.I != nil:
		d.F = make([]float32, len(d.I))
		for i, v := range d.I {
			d.F[i] = float32(v)
		}
		d.I = nil
	}
	if ir.IsIntLike(t) {
		if t != ir.Int64 && d.Type != t {
			for i, v := range d.I {
				d.I[i] = ir.WrapInt(v, t)
			}
		}
	} else if t == ir.Half || t == ir.BF16 {
		for i, v := range d.F {
			d.F[i] = ir.RoundFloat(v, t)
		}
	}
	d.Type = t
}

// Backend is the CPU backend.
type Backend struct{}

// Name is "cpu".
func (Backend) Name() string { return "cpu" }

// Supports: every kind with a kernel runs in FP32, FP16 and BF16.
func (Backend) Supports(k ir.Kind, p ir.DataType) bool {
	if !HasKernel(k) {
		return false
	}
	return p == ir.Float || p == ir.Half || p == ir.BF16
}

// Prepare makes a program of a plan.
func (Backend) Prepare(ctx context.Context, p *ir.Plan) (ir.Program, error) {
	prog := &program{plan: p, states: map[*ir.Node]*NodeState{}}
	for _, s := range p.Steps {
		if !HasKernel(s.Node.Kind) {
			return nil, fmt.Errorf("layer %q: no CPU kernel for %s", s.Node.Name, s.Node.Kind)
		}
		prog.states[s.Node] = &NodeState{}
		for _, e := range s.Epilogue {
			prog.states[e] = &NodeState{}
		}
	}
	return prog, nil
}

type program struct {
	plan   *ir.Plan
	states map[*ir.Node]*NodeState
	closed bool
}

func (p *program) NewContext() (ir.Runner, error) {
	if p.closed {
		return nil, errors.New("program is closed")
	}
	return &runner{prog: p}, nil
}

func (p *program) Close() error { p.closed = true; return nil }

type runner struct {
	prog    *program
	profile bool
	timings []ir.LayerTiming
	pool    *bufPool
}

func (r *runner) SetProfiling(on bool)      { r.profile = on }
func (r *runner) Timings() []ir.LayerTiming { return r.timings }
func (r *runner) Close() error              { r.pool = nil; return nil }

// Run executes the plan. Inputs are checked by the caller (engine).
//
// Intermediate values live in buffers of the runner's pool: a value's buffer
// goes back to the pool when the plan's Free lists drop the last tensor that
// holds it, and the next step that needs one of that size reuses it. The
// values returned are never recycled, nor are constants and inputs.
func (r *runner) Run(ctx context.Context, inputs map[string]*ir.Data) (map[string]*ir.Data, error) {
	if r.pool == nil && !noPool {
		r.pool = newBufPool()
	}
	r.pool.forgetHanded()
	out, err := r.run(ctx, inputs)
	if r.pool != nil {
		r.pool.reset()
	}
	return out, err
}

func (r *runner) run(ctx context.Context, inputs map[string]*ir.Data) (map[string]*ir.Data, error) {
	plan := r.prog.plan
	vals := make(map[int]*ir.Data, len(plan.Graph.Tensors))
	for _, t := range plan.Inputs {
		d, ok := inputs[t.Name]
		if !ok {
			return nil, fmt.Errorf("input %q is missing", t.Name)
		}
		vals[t.ID] = d
	}
	for _, t := range plan.Graph.Tensors {
		if t.Const != nil && (t.Producer == nil || t.Producer.Kind == ir.KindConstant) {
			vals[t.ID] = t.Const
		}
	}
	if r.profile {
		r.timings = r.timings[:0]
	}
	for _, s := range plan.Steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		if err := r.step(s, vals); err != nil {
			return nil, err
		}
		if r.profile {
			r.timings = append(r.timings, ir.LayerTiming{Name: s.Node.Name, Time: time.Since(start)})
		}
		for _, id := range s.Free {
			if d, ok := vals[id]; ok {
				r.pool.unref(d)
				delete(vals, id)
			}
		}
	}
	out := make(map[string]*ir.Data, len(plan.Outputs))
	for _, t := range plan.Outputs {
		d, ok := vals[t.ID]
		if !ok {
			return nil, fmt.Errorf("output %q was not computed", t.Name)
		}
		// An output that shares a constant's or an input's data is copied:
		// the caller owns what Run returns.
		for _, x := range inputs {
			if sameData(d, x) {
				d = cloneData(d)
			}
		}
		if t.Const == nil {
			for _, c := range plan.Graph.Tensors {
				if c.Const != nil && sameData(d, c.Const) {
					d = cloneData(d)
					break
				}
			}
		}
		r.pool.disown(d)
		out[t.Name] = d
	}
	return out, nil
}

// cloneData copies d's values into fresh memory.
func cloneData(d *ir.Data) *ir.Data { return d.Clone() }

// ReleaseOutputs hands the values that the latest Run returned back to the
// runner, whose next Run may then reuse their memory. The caller must not
// use them (or anything sharing their data) afterwards; values of earlier
// runs, or not from this runner, are ignored. A caller that copies the
// outputs out (as the engine's ExecutionContext does) saves the next run
// from allocating fresh memory for them, which on a VM costs page faults of
// several microseconds per 4 KiB.
func (r *runner) ReleaseOutputs(out map[string]*ir.Data) {
	for _, d := range out {
		r.pool.takeBack(d)
	}
}

func (r *runner) gather(n *ir.Node, vals map[int]*ir.Data) ([]*ir.Data, error) {
	in := make([]*ir.Data, len(n.Inputs))
	for i, t := range n.Inputs {
		if t == nil {
			continue
		}
		d, ok := vals[t.ID]
		if !ok {
			if t.Const != nil {
				d = t.Const
			} else {
				return nil, fmt.Errorf("layer %q: input %q has no value", n.Name, t.Name)
			}
		}
		in[i] = d
	}
	return in, nil
}

func (r *runner) step(s *ir.Step, vals map[int]*ir.Data) error {
	n := s.Node
	if n.Kind == ir.KindConstant {
		vals[n.Outputs[0].ID] = n.Outputs[0].Const
		return nil
	}
	in, err := r.gather(n, vals)
	if err != nil {
		return err
	}
	c := &Ctx{Node: n, Precision: s.Precision, TF32: s.TF32, State: r.prog.states[n], pool: r.pool}
	out, err := r.kernel(s, c, in)
	if err != nil {
		return fmt.Errorf("layer %q (%s): %w", n.Name, n.Kind, err)
	}
	if len(out) != len(n.Outputs) {
		return fmt.Errorf("layer %q: kernel returned %d outputs, want %d", n.Name, len(out), len(n.Outputs))
	}
	allIn := in
	prev := n
	if c.skip > 0 {
		prev = s.Epilogue[c.skip-1] // applied by the kernel
	}
	for _, e := range s.Epilogue[c.skip:] {
		// The fused node consumes output 0 of the previous member; its other
		// inputs come from the plan.
		ein := make([]*ir.Data, len(e.Inputs))
		for i, t := range e.Inputs {
			switch {
			case t == nil:
			case t.Producer == prev:
				ein[i] = out[0]
			default:
				d, ok := vals[t.ID]
				if !ok && t.Const != nil {
					d, ok = t.Const, true
				}
				if !ok {
					return fmt.Errorf("layer %q: input %q has no value", e.Name, t.Name)
				}
				ein[i] = d
				allIn = append(allIn[:len(allIn):len(allIn)], d)
			}
		}
		ec := &Ctx{Node: e, Precision: s.Precision, State: r.prog.states[e], pool: r.pool}
		var eo []*ir.Data
		if checkInputs {
			eo, err = checkedKernel(kernels[e.Kind], ec, ein)
		} else {
			eo, err = kernels[e.Kind](ec, ein)
		}
		if err != nil {
			return fmt.Errorf("layer %q (%s, fused into %q): %w", e.Name, e.Kind, n.Name, err)
		}
		out[0] = eo[0]
		prev = e
	}
	for i, o := range out {
		out[i] = protectShared(o, allIn, s.OutTypes[i])
		finishOutput(out[i], s.OutTypes[i])
	}
	final := s.Node
	if len(s.Epilogue) > 0 {
		final = s.Epilogue[len(s.Epilogue)-1]
		vals[final.Outputs[0].ID] = out[0]
		r.pool.ref(out[0])
		for i := 1; i < len(out); i++ {
			vals[s.Node.Outputs[i].ID] = out[i]
			r.pool.ref(out[i])
		}
	} else {
		for i, o := range out {
			vals[final.Outputs[i].ID] = o
			r.pool.ref(o)
		}
	}
	r.pool.endStep()
	return nil
}

// kernel runs the step's node (with the leading epilogue members it can fuse
// itself: c.skip says how many).
func (r *runner) kernel(s *ir.Step, c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	c.epilogue = s.Epilogue
	if checkInputs {
		return checkedKernel(kernels[s.Node.Kind], c, in)
	}
	return kernels[s.Node.Kind](c, in)
}

// checkedKernel runs k and fails if it changed any of its inputs (the
// GOTRT_CPU_CHECK_INPUTS test mode).
func checkedKernel(k Kernel, c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	saved := make([]*ir.Data, len(in))
	for i, x := range in {
		if x != nil {
			saved[i] = x.Clone()
		}
	}
	out, err := k(c, in)
	for i, x := range in {
		if x == nil {
			continue
		}
		same := len(x.F) == len(saved[i].F) && len(x.I) == len(saved[i].I) && slices.Equal(x.Dims, saved[i].Dims) && x.Type == saved[i].Type
		for j := 0; same && j < len(x.F); j++ {
			same = math.Float32bits(x.F[j]) == math.Float32bits(saved[i].F[j])
		}
		for j := 0; same && j < len(x.I); j++ {
			same = x.I[j] == saved[i].I[j]
		}
		if !same {
			return nil, fmt.Errorf("internal: kernel %s wrote its input %d", c.Node.Kind, i)
		}
	}
	return out, err
}

// protectShared makes sure that finishing output o (storing it as type t)
// cannot write through to an input: an output that is one of the inputs is
// re-wrapped, and one that shares an input's data is copied when finishing
// would rewrite the values.
func protectShared(o *ir.Data, in []*ir.Data, t ir.DataType) *ir.Data {
	for _, x := range in {
		if x == nil {
			continue
		}
		if o == x {
			o = &ir.Data{Type: x.Type, Dims: append([]int{}, x.Dims...), F: x.F, I: x.I}
		}
		if sameData(o, x) && finishWrites(o, t) {
			return o.Clone()
		}
	}
	return o
}

// finishWrites reports whether finishOutput(d, t) rewrites d's values in place.
func finishWrites(d *ir.Data, t ir.DataType) bool {
	if ir.IsIntLike(t) {
		return d.I != nil && t != ir.Int64 && d.Type != t
	}
	return d.F != nil && (t == ir.Half || t == ir.BF16)
}

// ---- helpers for kernels -------------------------------------------------------

// Workers is the number of goroutines kernels split work over.
func Workers() int { return runtime.GOMAXPROCS(0) }

// ParallelFor splits [0, n) into chunks of at least grain items and runs fn
// on them concurrently (serially when small). Up to Workers() goroutines,
// the caller among them, take chunks in turn, so a goroutine whose core is
// busy elsewhere delays at most the chunk it holds. Waking an idle core
// costs tens of microseconds on a VM, so callers size grain for chunks
// worth at least that.
func ParallelFor(n, grain int, fn func(lo, hi int)) {
	w := Workers()
	if grain < 1 {
		grain = 1
	}
	if w <= 1 || n <= grain {
		fn(0, n)
		return
	}
	chunks := min(w*4, (n+grain-1)/grain)
	size := (n + chunks - 1) / chunks
	chunks = (n + size - 1) / size
	var next atomic.Int64
	work := func() {
		for {
			c := int(next.Add(1)) - 1
			if c >= chunks {
				return
			}
			lo := c * size
			fn(lo, min(lo+size, n))
		}
	}
	var wg sync.WaitGroup
	for range min(w, chunks) - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// Strides returns row-major strides of dims.
func Strides(dims []int) []int {
	s := make([]int, len(dims))
	acc := 1
	for i := len(dims) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= dims[i]
	}
	return s
}

// BroadcastStrides returns strides into a tensor of dims in, viewed as dims out
// (stride 0 along broadcast dims).
func BroadcastStrides(in, out []int) []int {
	s := make([]int, len(out))
	is := Strides(in)
	off := len(out) - len(in)
	for i := range in {
		if in[i] != 1 {
			s[off+i] = is[i]
		}
	}
	return s
}

// ForEachIndex calls fn(outIndex, srcOffsets...) over every element of dims,
// with offsets into each source computed from its strides.
func ForEachIndex(dims []int, strides [][]int, fn func(i int, off []int)) {
	n := ir.Volume(dims)
	r := len(dims)
	off := make([]int, len(strides))
	if n == 0 {
		return
	}
	idx := make([]int, r)
	for i := 0; i < n; i++ {
		fn(i, off)
		for d := r - 1; d >= 0; d-- {
			idx[d]++
			for k := range strides {
				off[k] += strides[k][d]
			}
			if idx[d] < dims[d] {
				break
			}
			for k := range strides {
				off[k] -= strides[k][d] * idx[d]
			}
			idx[d] = 0
		}
	}
}

// RoundOperands returns xs rounded for a GEMM/convolution operand in the
// step's precision (a copy when rounding applies).
func (c *Ctx) RoundOperands(xs []float32) []float32 {
	if c.Precision == ir.Float && c.TF32 {
		out := make([]float32, len(xs))
		copy(out, xs)
		for i, v := range out {
			out[i] = roundTF32(v)
		}
		return out
	}
	return xs
}
