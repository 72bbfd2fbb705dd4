package cpu

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/stretchr/testify/require"
)

// Runner-level tests of buffer reuse: plans built by hand (steps, fused
// epilogues, Free lists as the builder's liveness computes them) run by a
// pooled runner and compared with a runner that allocates every value.

type tplan struct {
	g     *ir.Graph
	steps []*ir.Step
}

func newTPlan() *tplan { return &tplan{g: &ir.Graph{}} }

func (p *tplan) input(name string, dims ...int) *ir.Tensor {
	return p.g.AddInput(name, ir.Float, dims)
}

func (p *tplan) constant(d *ir.Data) *ir.Tensor {
	t := p.g.NewTensor(fmt.Sprintf("const%d", len(p.g.Tensors)), d.Type, d.Dims)
	t.Const = d
	return t
}

func (p *tplan) node(params ir.Params, nout int, ins ...*ir.Tensor) *ir.Node {
	n := p.g.AddNode("", params, ins, nout)
	outs, err := ir.Def(n.Kind).Infer(n, ir.InputInfos(n))
	if err != nil {
		panic(err)
	}
	for i, o := range n.Outputs {
		o.Type, o.Dims = outs[i].Type, outs[i].Dims
		n.OutTypes[i] = outs[i].Type
	}
	return n
}

// op appends a step and returns its output 0.
func (p *tplan) op(params ir.Params, ins ...*ir.Tensor) *ir.Tensor {
	n := p.node(params, 1, ins...)
	p.steps = append(p.steps, &ir.Step{Node: n, Precision: ir.Float, OutTypes: append([]ir.DataType{}, n.OutTypes...)})
	return n.Outputs[0]
}

// fuse appends a node to the last step's epilogue (it consumes the step's
// current output 0; other inputs from the plan).
func (p *tplan) fuse(params ir.Params, extra ...*ir.Tensor) *ir.Tensor {
	s := p.steps[len(p.steps)-1]
	last := s.Node
	if len(s.Epilogue) > 0 {
		last = s.Epilogue[len(s.Epilogue)-1]
	}
	n := p.node(params, 1, append([]*ir.Tensor{last.Outputs[0]}, extra...)...)
	s.Epilogue = append(s.Epilogue, n)
	return n.Outputs[0]
}

// build marks the outputs and computes Free lists as trt's liveness does.
func (p *tplan) build(outputs ...*ir.Tensor) *ir.Plan {
	for _, o := range outputs {
		p.g.MarkOutput(o)
	}
	plan := &ir.Plan{Graph: p.g, Steps: p.steps, Inputs: p.g.Inputs, Outputs: p.g.Outputs}
	last := map[int]int{}
	for i, s := range plan.Steps {
		for _, n := range append([]*ir.Node{s.Node}, s.Epilogue...) {
			for _, t := range n.Inputs {
				if t != nil {
					last[t.ID] = i
				}
			}
			for _, o := range n.Outputs {
				if _, ok := last[o.ID]; !ok {
					last[o.ID] = i
				}
			}
		}
	}
	for id, i := range last {
		t := p.g.Tensors[id]
		if t.Output || t.Const != nil {
			continue
		}
		plan.Steps[i].Free = append(plan.Steps[i].Free, id)
	}
	return plan
}

func reshapeP(dims ...int) *ir.ShuffleParams {
	return &ir.ShuffleParams{ReshapeDims: dims, Reshape: true}
}

func ew(op ir.ElementWiseOp) *ir.ElementWiseParams { return &ir.ElementWiseParams{Op: op} }

func act(t ir.ActivationType, a, b float32) *ir.ActivationParams {
	return &ir.ActivationParams{Type: t, Alpha: a, Beta: b}
}

// aliasPlan exercises sharing: reshape chains of intermediates that end in
// outputs, outputs that are reshapes of an input or a constant, an output
// that later steps read, Identity, fused epilogues, packed MatMul with a
// fused ReLU, convolution with a fused clip, and buffers of every size
// freed and reused.
func aliasPlan(rng *rand.Rand) *ir.Plan {
	p := newTPlan()
	x := p.input("x", 2, 3, 4)
	c := p.constant(ftData(rng, []int{2, 3, 4}, false))
	r1 := p.op(reshapeP(6, 4), x)                        // shares the input
	s := p.op(ew(ir.EwSum), r1, p.op(reshapeP(6, 4), c)) // reshape of a constant, consumed
	r2 := p.op(reshapeP(24), s)
	chain := p.op(reshapeP(2, 12), r2) // output: the end of a reshape chain
	u := p.op(ew(ir.EwProd), r2, r2)
	relu := p.fuse(act(ir.ActRelu, 0, 0))
	relu = p.fuse(ew(ir.EwSum), p.constant(&ir.Data{Type: ir.Float, Dims: []int{}, F: []float32{0.25}}))
	_ = u
	r4 := p.op(reshapeP(4, 6), relu)
	constOut := p.op(reshapeP(24), c) // output sharing a constant
	inOut := p.op(reshapeP(24), x)    // output sharing the input
	ident := p.op(&ir.IdentityParams{}, x)
	tr := p.op(&ir.ShuffleParams{FirstTranspose: []int{1, 0}}, r1)
	soft := p.op(&ir.SoftmaxParams{Axis: 1}, tr)
	w := p.constant(ftData(rng, []int{4, 5}, false))
	mm := p.op(&ir.MatMulParams{}, r1, w)
	mm = p.fuse(act(ir.ActRelu, 0, 0))
	cat := p.op(&ir.ConcatParams{Axis: 0}, chain, p.op(reshapeP(2, 12), relu)) // reads an output
	img := p.op(reshapeP(1, 2, 3, 4), r1)
	k := p.constant(ftData(rng, []int{3, 2, 3, 3}, false))
	conv := p.op(&ir.ConvParams{NbOutputMaps: 3, KernelSize: []int{3, 3}, PrePadding: []int{1, 1}, PostPadding: []int{1, 1}, Groups: 1}, img, k)
	conv = p.fuse(act(ir.ActClip, -0.5, 0.5))
	pool := p.op(&ir.PoolingParams{Type: ir.PoolMax, WindowSize: []int{2, 2}, Strides: []int{2, 2}}, conv)
	red := p.op(&ir.ReduceParams{Op: ir.ReduceMean, Axes: []int{1}, KeepDims: true}, p.op(reshapeP(2, 3), pool))
	return p.build(chain, r4, constOut, inOut, ident, soft, mm, cat, red)
}

func tpInputs(rng *rand.Rand, plan *ir.Plan) map[string]*ir.Data {
	in := map[string]*ir.Data{}
	for _, t := range plan.Inputs {
		in[t.Name] = ftData(rng, t.Dims, false)
	}
	return in
}

func runRef(t *testing.T, prog ir.Program, in map[string]*ir.Data) map[string]*ir.Data {
	t.Helper()
	defer SetNoPool(true)()
	r, err := prog.NewContext()
	require.NoError(t, err)
	out, err := r.Run(context.Background(), in)
	require.NoError(t, err)
	return out
}

func cloneAll(m map[string]*ir.Data) map[string]*ir.Data {
	c := map[string]*ir.Data{}
	for k, v := range m {
		c[k] = v.Clone()
	}
	return c
}

func TestRunnerBufferReuse(t *testing.T) {
	defer SetPoison(true)()
	defer SetCheckInputs(true)()
	rng := rand.New(rand.NewPCG(21, 22))
	plan := aliasPlan(rng)
	var consts []*ir.Data
	var constCopies []*ir.Data
	for _, tn := range plan.Graph.Tensors {
		if tn.Const != nil {
			consts = append(consts, tn.Const)
			constCopies = append(constCopies, tn.Const.Clone())
		}
	}
	prog, err := Backend{}.Prepare(context.Background(), plan)
	require.NoError(t, err)
	r, err := prog.NewContext()
	require.NoError(t, err)
	var returned []map[string]*ir.Data // what Run returned
	var snapshots []map[string]*ir.Data
	for it := range 6 {
		in := tpInputs(rng, plan)
		inCopy := cloneAll(in)
		out, err := r.Run(context.Background(), in)
		require.NoError(t, err)
		want := runRef(t, prog, in)
		for name, w := range want {
			requireSameBits(t, fmt.Sprintf("run %d output %s", it, name), w, out[name])
			for _, x := range in {
				require.False(t, sameData(out[name], x), "output %s shares an input", name)
			}
			for _, c := range consts {
				require.False(t, sameData(out[name], c), "output %s shares a constant", name)
			}
		}
		for name, x := range in {
			requireSameBits(t, "input "+name, inCopy[name], x)
		}
		returned = append(returned, out)
		snapshots = append(snapshots, cloneAll(out))
		// Nothing returned before was recycled by this run.
		for i := range returned {
			for name := range returned[i] {
				requireSameBits(t, fmt.Sprintf("run %d output %s after run %d", i, name, it), snapshots[i][name], returned[i][name])
			}
		}
	}
	for i, c := range consts {
		requireSameBits(t, "constant", constCopies[i], c)
	}
	// The pool does reuse: a steady-state run allocates only what it
	// returns.
	pr := r.(*runner)
	before := len(pr.pool.owned)
	_, err = r.Run(context.Background(), tpInputs(rng, plan))
	require.NoError(t, err)
	require.LessOrEqual(t, len(pr.pool.owned), before+1, "buffers leak from the pool")
}

// TestRunnerConcurrent runs one program from several runners at once (run
// it with -race): each runner's pool is its own; packed weights and conv
// plans are shared.
func TestRunnerConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	plan := aliasPlan(rng)
	prog, err := Backend{}.Prepare(context.Background(), plan)
	require.NoError(t, err)
	const workers, iters = 4, 8
	inputs := make([]map[string]*ir.Data, iters)
	wants := make([]map[string]*ir.Data, iters)
	for i := range inputs {
		inputs[i] = tpInputs(rng, plan)
		wants[i] = runRef(t, prog, inputs[i])
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := prog.NewContext()
			if err != nil {
				errs <- err
				return
			}
			for k := range 3 * iters {
				i := (k + w) % iters
				out, err := r.Run(context.Background(), inputs[i])
				if err != nil {
					errs <- err
					return
				}
				for name, want := range wants[i] {
					got := out[name]
					for j := range want.F {
						if math.Float32bits(want.F[j]) != math.Float32bits(got.F[j]) {
							errs <- fmt.Errorf("worker %d run %d output %s[%d] = %v, want %v", w, k, name, j, got.F[j], want.F[j])
							return
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestRunnerRandomPlans compares pooled and unpooled runners on random
// plans mixing reshapes (shared data), transposes, element-wise ops with
// broadcasting, fused activations, matmuls, reductions and softmax, with
// random outputs (some of them read again later).
func TestRunnerRandomPlans(t *testing.T) {
	defer SetPoison(true)()
	defer SetCheckInputs(true)()
	rng := rand.New(rand.NewPCG(25, 26))
	for trial := range 40 {
		p := newTPlan()
		live := []*ir.Tensor{p.input("x", 4, 6), p.input("y", 6)}
		var outs []*ir.Tensor
		pick := func() *ir.Tensor { return live[rng.IntN(len(live))] }
		for range 6 + rng.IntN(10) {
			x := pick()
			vol := ir.Volume(x.Dims)
			var y *ir.Tensor
			switch rng.IntN(9) {
			case 0:
				y = p.op(reshapeP(vol), x)
			case 1:
				if vol%6 == 0 {
					y = p.op(reshapeP(vol/6, 6), x)
				} else {
					y = p.op(reshapeP(1, vol), x)
				}
			case 2:
				if len(x.Dims) >= 2 {
					perm := rng.Perm(len(x.Dims))
					y = p.op(&ir.ShuffleParams{FirstTranspose: perm}, x)
				} else {
					y = p.op(&ir.IdentityParams{}, x)
				}
			case 3:
				o := pick()
				if _, err := ir.Broadcast(x.Dims, o.Dims); err != nil {
					o = p.constant(ftData(rng, x.Dims[len(x.Dims)-1:], false))
				}
				y = p.op(ew([]ir.ElementWiseOp{ir.EwSum, ir.EwSub, ir.EwProd, ir.EwMax}[rng.IntN(4)]), x, o)
				if rng.IntN(2) == 0 {
					y = p.fuse(act(ir.ActRelu, 0, 0))
				}
			case 4:
				y = p.op(act([]ir.ActivationType{ir.ActSigmoid, ir.ActTanh, ir.ActRelu}[rng.IntN(3)], 0, 0), x)
			case 5:
				k := x.Dims[len(x.Dims)-1]
				y = p.op(&ir.MatMulParams{}, x, p.constant(ftData(rng, []int{k, 1 + rng.IntN(7)}, false)))
				if rng.IntN(2) == 0 {
					y = p.fuse(act(ir.ActClip, -1, 1))
				}
			case 6:
				y = p.op(&ir.SoftmaxParams{Axis: len(x.Dims) - 1}, x)
			case 7:
				y = p.op(&ir.ReduceParams{Op: ir.ReduceSum, Axes: []int{len(x.Dims) - 1}, KeepDims: true}, x)
			case 8:
				y = p.op(&ir.ConcatParams{Axis: 0}, x, x)
			}
			live = append(live, y)
			if rng.IntN(4) == 0 {
				outs = append(outs, y)
			}
		}
		outs = append(outs, live[len(live)-1])
		plan := p.build(outs...)
		prog, err := Backend{}.Prepare(context.Background(), plan)
		require.NoError(t, err)
		r, err := prog.NewContext()
		require.NoError(t, err)
		for run := range 3 {
			in := tpInputs(rng, plan)
			got, err := r.Run(context.Background(), in)
			require.NoError(t, err)
			want := runRef(t, prog, in)
			for name, w := range want {
				requireSameBits(t, fmt.Sprintf("trial %d run %d output %s", trial, run, name), w, got[name])
			}
		}
	}
}

// TestRunnerFusedActivation: the ReLU or clip fused into a convolution's or
// matmul's GEMM gives the values of running it as its own step, and an
// epilogue member after it still runs.
func TestRunnerFusedActivation(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	kd, bd, wd := ftData(rng, []int{4, 3, 3, 3}, false), ftData(rng, []int{4}, false), ftData(rng, []int{64, 5}, false)
	build := func(fused bool) *ir.Plan {
		p := newTPlan()
		x := p.input("x", 1, 3, 8, 8)
		k := p.constant(kd)
		b := p.constant(bd)
		conv := &ir.ConvParams{NbOutputMaps: 4, KernelSize: []int{3, 3}, PrePadding: []int{1, 1}, PostPadding: []int{1, 1}, Groups: 1}
		var y, z *ir.Tensor
		if fused {
			p.op(conv, x, k, b)
			p.fuse(act(ir.ActRelu, 0, 0))
			p.fuse(act(ir.ActClip, 0, 3))
			y = p.fuse(act(ir.ActSigmoid, 0, 0))
		} else {
			y = p.op(conv, x, k, b)
			y = p.op(act(ir.ActRelu, 0, 0), y)
			y = p.op(act(ir.ActClip, 0, 3), y)
			y = p.op(act(ir.ActSigmoid, 0, 0), y)
		}
		m := p.op(reshapeP(4, 64), y)
		w := p.constant(wd)
		if fused {
			p.op(&ir.MatMulParams{}, m, w)
			p.fuse(act(ir.ActClip, -2, 2))
			z = p.fuse(act(ir.ActRelu, 0, 0)) // clip then ReLU: only the clip goes in
		} else {
			z = p.op(&ir.MatMulParams{}, m, w)
			z = p.op(act(ir.ActClip, -2, 2), z)
			z = p.op(act(ir.ActRelu, 0, 0), z)
		}
		return p.build(z)
	}
	fusedPlan := build(true)
	plainPlan := build(false)
	in := tpInputs(rng, fusedPlan)
	run := func(plan *ir.Plan) *ir.Data {
		prog, err := Backend{}.Prepare(context.Background(), plan)
		require.NoError(t, err)
		r, err := prog.NewContext()
		require.NoError(t, err)
		out, err := r.Run(context.Background(), in)
		require.NoError(t, err)
		return out[plan.Outputs[0].Name]
	}
	got, want := run(fusedPlan), run(plainPlan)
	require.Equal(t, want.Dims, got.Dims)
	for i := range want.F {
		require.Equal(t, want.F[i], got.F[i], "element %d", i) // == treats ±0 alike
	}
}

// TestRunnerHalfReshape: a reshape step stored in FP16 whose input is FP32
// data must not round the input in place.
func TestRunnerHalfReshape(t *testing.T) {
	p := newTPlan()
	x := p.input("x", 2, 3)
	y := p.op(reshapeP(6), x)
	p.steps[0].OutTypes = []ir.DataType{ir.Half}
	z := p.op(ew(ir.EwSum), y, y)
	plan := p.build(z)
	prog, err := Backend{}.Prepare(context.Background(), plan)
	require.NoError(t, err)
	r, err := prog.NewContext()
	require.NoError(t, err)
	in := map[string]*ir.Data{"x": {Type: ir.Float, Dims: []int{2, 3}, F: []float32{0.1, 0.2, 0.3, 1.0001, 2, 3}}}
	keep := in["x"].Clone()
	out, err := r.Run(context.Background(), in)
	require.NoError(t, err)
	requireSameBits(t, "input", keep, in["x"])
	require.Equal(t, 2*ir.RoundFloat(0.1, ir.Half), out[z.Name].F[0])
}

// TestRunnerReleaseOutputs: outputs handed back are reused by the next run
// (no fresh buffers in steady state); those of older runs are ignored.
func TestRunnerReleaseOutputs(t *testing.T) {
	defer SetPoison(true)()
	rng := rand.New(rand.NewPCG(29, 30))
	plan := aliasPlan(rng)
	prog, err := Backend{}.Prepare(context.Background(), plan)
	require.NoError(t, err)
	r, err := prog.NewContext()
	require.NoError(t, err)
	pr := r.(*runner)
	var old map[string]*ir.Data
	var oldCopy map[string]*ir.Data
	for it := range 6 {
		in := tpInputs(rng, plan)
		out, err := r.Run(context.Background(), in)
		require.NoError(t, err)
		want := runRef(t, prog, in)
		for name, w := range want {
			requireSameBits(t, fmt.Sprintf("run %d output %s", it, name), w, out[name])
		}
		if it == 1 {
			old, oldCopy = out, cloneAll(out) // never released
			continue
		}
		if it > 2 {
			r.(*runner).ReleaseOutputs(old) // an older run's: ignored
		}
		n := len(pr.pool.owned)
		r.(*runner).ReleaseOutputs(out)
		if it >= 3 {
			// Taken back: owned again, and the next run needs nothing new.
			require.Greater(t, len(pr.pool.owned), n)
		}
	}
	for name := range old {
		requireSameBits(t, "unreleased output "+name, oldCopy[name], old[name])
	}
	before := len(pr.pool.owned)
	out, err := r.Run(context.Background(), tpInputs(rng, plan))
	require.NoError(t, err)
	pr.ReleaseOutputs(out)
	require.Equal(t, before, len(pr.pool.owned), "steady state allocates nothing")
}

// TestRunnerFusedElementWise: activations fused after an element-wise op
// (applied per output piece by the kernel, up to the first one without a
// row loop) give the values of separate steps.
func TestRunnerFusedElementWise(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	cd := ftData(rng, []int{1, 16, 1, 1}, true)
	chain := []*ir.ActivationParams{act(ir.ActClip, 0, 6), act(ir.ActSigmoid, 0, 0), act(ir.ActElu, 1, 0), act(ir.ActRelu, 0, 0)}
	build := func(fused bool) *ir.Plan {
		p := newTPlan()
		x := p.input("x", 2, 16, 30, 30)
		y := p.op(ew(ir.EwSum), x, p.constant(cd))
		for _, a := range chain {
			if fused {
				y = p.fuse(a)
			} else {
				y = p.op(a, y)
			}
		}
		z := p.op(ew(ir.EwPow), y, p.constant(&ir.Data{Type: ir.Float, Dims: []int{}, F: []float32{2}}))
		if fused {
			z = p.fuse(act(ir.ActTanh, 0, 0))
		} else {
			z = p.op(act(ir.ActTanh, 0, 0), z)
		}
		return p.build(y, z)
	}
	in := map[string]*ir.Data{"x": ftData(rng, []int{2, 16, 30, 30}, true)}
	run := func(plan *ir.Plan) map[string]*ir.Data {
		prog, err := Backend{}.Prepare(context.Background(), plan)
		require.NoError(t, err)
		r, err := prog.NewContext()
		require.NoError(t, err)
		out, err := r.Run(context.Background(), in)
		require.NoError(t, err)
		return out
	}
	fp, pp := build(true), build(false)
	got, want := run(fp), run(pp)
	for i, o := range pp.Outputs {
		g, w := got[fp.Outputs[i].Name], want[o.Name]
		requireSameBits(t, "output "+o.Name, w, g)
	}
}
