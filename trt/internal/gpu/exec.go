package gpu

import (
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// constExec: constants are set up before the steps run.
type constExec struct{}

func (constExec) run(*runner, *pstep, [][]int) error { return nil }

// alias makes out share the storage (and host value) of slot xs with new
// dims. A network input is uploaded first, into its own slot, so that a CUDA
// graph that replays the upload reads each run's data.
func (r *runner) alias(out *tval, xs int) error {
	x := &r.vals[xs]
	if x.d == nil && r.p.isInput[xs] {
		if err := r.ensureDevice(xs); err != nil {
			return err
		}
	}
	out.d = x.d
	if x.d != nil && x.d.b != nil {
		x.d.refs++
	}
	if x.host != nil {
		h := *x.host
		h.Dims = out.dims
		out.host = &h
	}
	return nil
}

// convertInto writes x converted to out's type into fresh storage of out.
func (r *runner) convertInto(out *tval, xs int) error {
	if err := r.ensureDevice(xs); err != nil {
		return err
	}
	x := &r.vals[xs]
	if err := r.alloc(out); err != nil {
		return err
	}
	return r.d.bi.cast(r.stream, x.ptr(), x.typ, out.ptr(), out.typ, out.n)
}

// castExec: Cast and Identity (an alias when the type does not change).
type castExec struct{}

func (castExec) run(r *runner, ps *pstep, dims [][]int) error {
	x := r.input(ps, 0)
	out := r.setOut(ps, 0, x.dims)
	if out.typ == x.typ {
		return r.alias(out, ps.ins[0])
	}
	return r.convertInto(out, ps.ins[0])
}

// reshapeExec: a Shuffle whose transposes keep the memory order is a view of
// its input; other shuffles need a library kernel.
type reshapeExec struct {
	p     *ir.ShuffleParams
	libOK bool // the kernel library has the general shuffle
}

// trivialPerm reports whether permuting dims by perm keeps the order of the
// elements (only extents of 1 move).
func trivialPerm(dims, perm []int) bool {
	if perm == nil {
		return true
	}
	last := -1
	for _, ax := range perm {
		if ax < 0 || ax >= len(dims) {
			return false
		}
		if dims[ax] == 1 {
			continue
		}
		if ax < last {
			return false
		}
		last = ax
	}
	return true
}

// isView reports whether the shuffle of an input of dims x giving y keeps
// the memory order.
func (e *reshapeExec) isView(x, y []int) bool {
	if e.p.FirstTranspose != nil && !trivialPerm(x, e.p.FirstTranspose) {
		return false
	}
	if e.p.SecondTranspose != nil {
		// dims before the second transpose: invert it on the output dims
		pre := make([]int, len(y))
		for i, ax := range e.p.SecondTranspose {
			if ax >= 0 && ax < len(pre) && i < len(y) {
				pre[ax] = y[i]
			}
		}
		if !trivialPerm(pre, e.p.SecondTranspose) {
			return false
		}
	}
	return true
}

// viewStatic reports whether the shuffle is a view for its build-time dims
// (false when they are not known and a transpose is present).
func (e *reshapeExec) viewStatic(x []int, out [][]int) bool {
	if e.p.FirstTranspose == nil && e.p.SecondTranspose == nil {
		return true
	}
	if !ir.DimsKnown(x) || out == nil {
		return false
	}
	return e.isView(x, out[0])
}

func (e *reshapeExec) run(r *runner, ps *pstep, dims [][]int) error {
	x := r.input(ps, 0)
	if !e.isView(x.dims, dims[0]) {
		return e.fallback(r, ps, dims)
	}
	out := r.setOut(ps, 0, dims[0])
	if out.typ == x.typ {
		return r.alias(out, ps.ins[0])
	}
	return r.convertInto(out, ps.ins[0])
}

func (e *reshapeExec) fallback(r *runner, ps *pstep, dims [][]int) error {
	if e.libOK {
		return kernExec{}.run(r, ps, dims)
	}
	return errFallback
}

// actExec: a stand-alone activation (with any activations fused after it).
type actExec struct{ acts []act }

func (e *actExec) run(r *runner, ps *pstep, dims [][]int) error {
	if err := r.ensureDevice(ps.ins[0]); err != nil {
		return err
	}
	x := r.input(ps, 0)
	out := r.setOut(ps, 0, dims[0])
	if err := r.alloc(out); err != nil {
		return err
	}
	return r.d.bi.epilogue(r.stream, x.ptr(), x.typ, out.ptr(), out.typ, out.n, 0, 1, 1, e.acts)
}

// kernExec runs a step on the kernel library.
type kernExec struct{}

func (kernExec) run(r *runner, ps *pstep, dims [][]int) error {
	lib := r.d.lib
	if lib == nil {
		return errFallback
	}
	n := ps.node
	c := &kCall{Node: n, Precision: ps.s.Precision, Stream: r.stream,
		In: make([]kTensor, len(ps.ins)), Values: make([]*ir.Data, len(ps.ins))}
	for j, sl := range ps.ins {
		if sl < 0 {
			continue
		}
		t := n.Inputs[j]
		if !ps.hostParam[j] {
			if err := r.ensureDevice(sl); err != nil {
				return err
			}
		}
		v := &r.vals[sl]
		c.In[j] = kTensor{Ptr: v.ptr(), Type: v.typ, Dims: v.dims}
		if ps.hostParam[j] || isConstTensor(t) {
			c.Values[j] = v.host
		}
	}
	// Outputs: float outputs come in the step's precision from the library;
	// another output type (or an epilogue) goes through the backend's
	// conversion kernel.
	c.Out = make([]kTensor, len(ps.outs))
	conv := make([]bool, len(ps.outs))
	for i := range ps.outs {
		out := r.setOut(ps, i, dims[i])
		if err := r.alloc(out); err != nil {
			return err
		}
		kt := kTensor{Ptr: out.ptr(), Type: out.typ, Dims: out.dims}
		if isFloatTag(out.typ) && isFloatTag(ps.s.Precision) && out.typ != ps.s.Precision {
			tb, err := r.temp(out.n * elemSize(ps.s.Precision))
			if err != nil {
				return err
			}
			kt = kTensor{Ptr: tb.Ptr(), Type: ps.s.Precision, Dims: out.dims}
			conv[i] = true
		}
		c.Out[i] = kt
	}
	if err := lib.Launch(c); err != nil {
		return err
	}
	for i := range ps.outs {
		out := &r.vals[ps.outs[i]]
		var acts []act
		if i == 0 {
			acts = ps.acts
		}
		switch {
		case conv[i] || len(acts) > 0:
			if err := r.d.bi.epilogue(r.stream, c.Out[i].Ptr, c.Out[i].Type, out.ptr(), out.typ, out.n, 0, 1, 1, acts); err != nil {
				return err
			}
		}
	}
	return nil
}
