package ir

import (
	"errors"
	"fmt"
)

// Info is what is known about a tensor during inference: its type, its dims
// (-1 where unknown) and, where known, its value. At run time the backends call
// the same inference with every dim and every value known.
type Info struct {
	Type  DataType
	Dims  []int
	Value *Data
}

// Rank is len(Dims).
func (i *Info) Rank() int { return len(i.Dims) }

// Known reports whether every dim is known.
func (i *Info) Known() bool { return DimsKnown(i.Dims) }

// DimsKnown reports whether no dim is -1.
func DimsKnown(d []int) bool {
	for _, v := range d {
		if v < 0 {
			return false
		}
	}
	return true
}

// InferFunc computes the output types and dims of a node from its inputs
// (absent optional inputs are nil). It may also set output values where they
// are cheap to compute (e.g. Shape); general constant folding is done by the
// Evaluator.
type InferFunc func(n *Node, in []*Info) ([]*Info, error)

// OpDef describes a layer kind to the builder.
type OpDef struct {
	Infer InferFunc
	// ParamInputs lists inputs that are parameters rather than data: they keep
	// their own type instead of taking the layer's precision (e.g. Resize scales).
	ParamInputs []int
	// MinInputs/MaxInputs bound the input count (MaxInputs -1 = any).
	MinInputs, MaxInputs int
	// NoFold marks kinds that must not be constant-folded at build time.
	NoFold bool
}

var defs [kindCount]*OpDef

// Register installs the definition of kind k.
func Register(k Kind, d *OpDef) { defs[k] = d }

// Def returns the definition of kind k (nil if none is registered).
func Def(k Kind) *OpDef {
	if int(k) >= len(defs) {
		return nil
	}
	return defs[k]
}

// IsParamInput reports whether input i of n keeps its own type.
func IsParamInput(n *Node, i int) bool {
	d := Def(n.Kind)
	if d == nil {
		return false
	}
	for _, p := range d.ParamInputs {
		if p == i {
			return true
		}
	}
	return false
}

// Evaluator computes a node's outputs from known input values; the CPU backend
// installs it. Used for constant folding during network construction and build.
var Evaluator func(n *Node, in []*Data) ([]*Data, error)

// MaxFoldElements bounds the size of values folded during construction.
const MaxFoldElements = 1 << 26

// ErrShape marks shape and type errors.
var ErrShape = errors.New("shape error")

// Errorf makes a shape/type error.
func Errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrShape, fmt.Sprintf(format, args...))
}

// InputInfos collects the infos of n's inputs.
func InputInfos(n *Node) []*Info {
	in := make([]*Info, len(n.Inputs))
	for i, t := range n.Inputs {
		if t != nil {
			in[i] = &Info{Type: t.Type, Dims: t.Dims, Value: t.Const}
		}
	}
	return in
}

// InferNode runs inference for n and updates its output tensors, folding
// constants where every input value is known. The error names the layer.
func InferNode(n *Node) error {
	err := inferNode(n)
	if err != nil {
		n.Err = fmt.Errorf("layer %q (%s): %w", n.Name, n.Kind, err)
		for _, o := range n.Outputs {
			o.Const = nil
		}
		return n.Err
	}
	n.Err = nil
	return nil
}

func inferNode(n *Node) error {
	d := Def(n.Kind)
	if d == nil || d.Infer == nil {
		return fmt.Errorf("layer kind %s is not implemented", n.Kind)
	}
	if len(n.Inputs) < d.MinInputs || (d.MaxInputs >= 0 && len(n.Inputs) > d.MaxInputs) {
		return Errorf("has %d inputs, want %d..%d", len(n.Inputs), d.MinInputs, d.MaxInputs)
	}
	for i, t := range n.Inputs {
		if t == nil && i < d.MinInputs {
			return Errorf("input %d is missing", i)
		}
		if t != nil && t.Producer != nil && t.Producer.Err != nil {
			return fmt.Errorf("input %d (%q) comes from a layer that failed", i, t.Name)
		}
	}
	in := InputInfos(n)
	out, err := d.Infer(n, in)
	if err != nil {
		return err
	}
	if len(out) != len(n.Outputs) {
		return fmt.Errorf("internal: inference gave %d outputs for %d", len(out), len(n.Outputs))
	}
	allConst := !d.NoFold
	for _, x := range in {
		if x != nil && x.Value == nil {
			allConst = false
		}
	}
	for i, o := range out {
		t := n.Outputs[i]
		t.Type, t.Dims, t.Const = o.Type, append([]int{}, o.Dims...), o.Value
		if t.Const != nil {
			continue
		}
		if !allConst || !DimsKnown(o.Dims) || Volume(o.Dims) > MaxFoldElements {
			allConst = false
		}
	}
	if allConst && Evaluator != nil && n.Outputs[0].Const == nil {
		vals := make([]*Data, len(in))
		for i, x := range in {
			if x != nil {
				vals[i] = x.Value
			}
		}
		res, err := Evaluator(n, vals)
		if err != nil {
			return err
		}
		for i, r := range res {
			n.Outputs[i].Const = r
			n.Outputs[i].Dims = append([]int{}, r.Dims...)
		}
	}
	return nil
}

// Volume is the product of dims (-1 if any is unknown).
func Volume(d []int) int {
	v := 1
	for _, x := range d {
		if x < 0 {
			return -1
		}
		v *= x
	}
	return v
}

// NormAxis maps a possibly negative axis into [0, rank).
func NormAxis(axis, rank int) (int, error) {
	if axis < -rank || axis >= rank || (rank == 0 && axis != 0) {
		return 0, Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

// NormAxisInclusive maps an axis into [0, rank] (for insertion points).
func NormAxisInclusive(axis, rank int) (int, error) {
	if axis < -rank-1 || axis > rank {
		return 0, Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank + 1
	}
	return axis, nil
}

// Broadcast computes the numpy broadcast of a and b (-1 = unknown).
func Broadcast(a, b []int) ([]int, error) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := 0; i < r; i++ {
		x, y := 1, 1
		if j := i - (r - len(a)); j >= 0 {
			x = a[j]
		}
		if j := i - (r - len(b)); j >= 0 {
			y = b[j]
		}
		switch {
		case x == y:
			out[i] = x
		case x == 1:
			out[i] = y
		case y == 1:
			out[i] = x
		case x < 0:
			out[i] = y
		case y < 0:
			out[i] = x
		default:
			return nil, Errorf("dims %s and %s do not broadcast", DimsString(a), DimsString(b))
		}
	}
	return out, nil
}

// Same returns the info of a single output with the type and dims of x.
func Same(x *Info) []*Info { return []*Info{{Type: x.Type, Dims: x.Dims}} }

// SameAs returns one output with dims of x and type t.
func SameAs(x *Info, t DataType) []*Info { return []*Info{{Type: t, Dims: x.Dims}} }

// RequireFloat fails unless x is a float type.
func RequireFloat(what string, x *Info) error {
	if !x.Type.IsFloat() {
		return Errorf("%s must be a floating-point tensor, got %v", what, x.Type)
	}
	return nil
}

// RequireInt fails unless x is an integer type.
func RequireInt(what string, x *Info) error {
	if x.Type != Int32 && x.Type != Int64 {
		return Errorf("%s must be an INT32 or INT64 tensor, got %v", what, x.Type)
	}
	return nil
}

// IntsOf returns the value of a shape-like info, or nil if it is not known.
func IntsOf(x *Info) []int64 {
	if x == nil || x.Value == nil {
		return nil
	}
	return x.Value.Ints()
}

// Validate checks the whole graph: every layer input is produced inside the
// graph (no dangling tensors), there are no cycles, outputs exist. It returns
// the nodes in topological order.
func (g *Graph) Validate() ([]*Node, error) {
	owned := map[*Tensor]bool{}
	for _, t := range g.Tensors {
		owned[t] = true
	}
	inGraph := map[*Node]bool{}
	for _, n := range g.Nodes {
		inGraph[n] = true
	}
	for _, n := range g.Nodes {
		for i, t := range n.Inputs {
			if t == nil {
				continue
			}
			if !owned[t] {
				return nil, fmt.Errorf("layer %q: input %d (%q) does not belong to this network", n.Name, i, t.Name)
			}
			if t.Producer == nil && !t.Input {
				return nil, fmt.Errorf("layer %q: input %d (%q) is dangling: no layer produces it and it is not a network input", n.Name, i, t.Name)
			}
			if t.Producer != nil && !inGraph[t.Producer] {
				return nil, fmt.Errorf("layer %q: input %d (%q) is produced by a removed layer", n.Name, i, t.Name)
			}
		}
	}
	if len(g.Outputs) == 0 {
		return nil, errors.New("network has no outputs: mark at least one tensor as output")
	}
	for _, t := range g.Outputs {
		if !owned[t] {
			return nil, fmt.Errorf("output %q does not belong to this network", t.Name)
		}
	}
	// Kahn's algorithm over node dependencies.
	indeg := map[*Node]int{}
	users := map[*Node][]*Node{}
	for _, n := range g.Nodes {
		seen := map[*Node]bool{}
		for _, t := range n.Inputs {
			if t != nil && t.Producer != nil && !seen[t.Producer] {
				seen[t.Producer] = true
				indeg[n]++
				users[t.Producer] = append(users[t.Producer], n)
			}
		}
	}
	var order, queue []*Node
	for _, n := range g.Nodes {
		if indeg[n] == 0 {
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		order = append(order, n)
		for _, u := range users[n] {
			indeg[u]--
			if indeg[u] == 0 {
				queue = append(queue, u)
			}
		}
	}
	if len(order) != len(g.Nodes) {
		for _, n := range g.Nodes {
			if indeg[n] > 0 {
				return nil, fmt.Errorf("network has a cycle through layer %q", n.Name)
			}
		}
	}
	return order, nil
}
