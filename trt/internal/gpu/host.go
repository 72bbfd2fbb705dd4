package gpu

import (
	"context"
	"fmt"

	"github.com/gotrt/gotrt/trt/internal/cpu"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// hostExec runs one step with the CPU backend's kernels: a one-step plan
// prepared by the CPU backend (so precision emulation, epilogues and output
// rounding are exactly the CPU backend's), shared by every runner.
type hostExec struct {
	prog   ir.Program
	inputs []*ir.Tensor // non-constant inputs, by name
	outs   []*ir.Tensor
}

func (ps *pstep) hostExec() (*hostExec, error) {
	ps.hostOnce.Do(func() { ps.host, ps.hostErr = newHostExec(ps.s) })
	return ps.host, ps.hostErr
}

func newHostExec(s *ir.Step) (*hostExec, error) {
	step := *s
	step.Free = nil
	h := &hostExec{outs: finalOutputs(s)}
	g := &ir.Graph{}
	seen := map[*ir.Tensor]bool{}
	for _, n := range append([]*ir.Node{s.Node}, s.Epilogue...) {
		for _, t := range n.Inputs {
			if t == nil || seen[t] {
				continue
			}
			seen[t] = true
			if t.Producer != nil && isMember(s, t.Producer) {
				continue // fused intermediate
			}
			g.Tensors = append(g.Tensors, t)
			if !isConstTensor(t) {
				h.inputs = append(h.inputs, t)
			}
		}
	}
	g.Tensors = append(g.Tensors, h.outs...)
	plan := &ir.Plan{Graph: g, Steps: []*ir.Step{&step}, Inputs: h.inputs, Outputs: h.outs}
	prog, err := cpu.Backend{}.Prepare(context.Background(), plan)
	if err != nil {
		return nil, err
	}
	h.prog = prog
	return h, nil
}

func isMember(s *ir.Step, n *ir.Node) bool {
	if s.Node == n {
		return true
	}
	for _, e := range s.Epilogue {
		if e == n {
			return true
		}
	}
	return false
}

// runHost runs a step placed on the host.
func (r *runner) runHost(ps *pstep) error {
	if ps.place == placeHostShape && ps.node.Kind == ir.KindShape {
		// Only the input's dims are needed.
		x := r.input(ps, 0)
		outs, err := ir.Def(ir.KindShape).Infer(ps.node, []*ir.Info{{Type: x.typ, Dims: x.dims}})
		if err != nil {
			return err
		}
		d := outs[0].Value
		if d == nil {
			return fmt.Errorf("shape of %v is not known", x.dims)
		}
		d = convertData(d, ps.s.OutTypes[0])
		v := r.setOut(ps, 0, d.Dims)
		v.host = d
		return nil
	}
	return r.runHostStep(ps, ps.place == placeHost)
}

// runHostStep copies the step's inputs to the host (where they are not
// already), runs the CPU kernel and keeps the outputs on the host; a device
// step that reads them uploads them. fallback marks host work on device data,
// which a CUDA graph cannot hold.
func (r *runner) runHostStep(ps *pstep, fallback bool) error {
	if r.capturing && fallback {
		return errCapture
	}
	h, err := ps.hostExec()
	if err != nil {
		return err
	}
	in := make(map[string]*ir.Data, len(h.inputs))
	for _, t := range h.inputs {
		sl := r.p.slotOf[t.ID]
		if !r.vals[sl].set {
			return fmt.Errorf("input %q has no value", t.Name)
		}
		if err := r.ensureHost(sl); err != nil {
			return err
		}
		in[t.Name] = r.vals[sl].host
	}
	cr, err := h.prog.NewContext()
	if err != nil {
		return err
	}
	defer cr.Close()
	res, err := cr.Run(context.Background(), in)
	if err != nil {
		return err
	}
	for i, t := range h.outs {
		d, ok := res[t.Name]
		if !ok || d == nil {
			return fmt.Errorf("host kernel gave no output %q", t.Name)
		}
		v := r.setOut(ps, i, d.Dims)
		v.host = d
	}
	if fallback {
		r.hostRan = true
	}
	return nil
}
