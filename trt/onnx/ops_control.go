package onnx

import (
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// Control flow and selection: If (condition known at build time) and Where.

func init() {
	Register("If", importIf)
	Register("Where", importWhere)
}

// importIf inlines the branch chosen by a condition known at build time, as
// TensorRT's ONNX parser does for constant conditions. The branch's nodes are
// imported as ordinary nodes: each keeps its own name as layer name (made
// unique by prefixing the If node's name when it is taken), and may refer to
// outer-scope values by name. A condition known only at run time is not
// supported (engines have no conditional layers).
func importIf(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 1); err != nil {
		return nil, err
	}
	cond := in[0]
	if cond.Type() != trt.Bool {
		return nil, c.Errorf("condition must be BOOL, got %v", cond.Type())
	}
	v, ok := c.FloatsOf(cond)
	if !ok {
		return nil, c.Unsupported("If with a condition known only at run time (only conditions known at build time are inlined)")
	}
	if len(v) != 1 {
		return nil, c.Errorf("condition must hold one element, has %d", len(v))
	}
	branch := "else_branch"
	if v[0] != 0 {
		branch = "then_branch"
	}
	g, err := c.Node.AttrGraph(branch)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, c.Errorf("attribute %s is required", branch)
	}
	if len(g.Outputs) != len(c.Node.Outputs) {
		return nil, c.Errorf("%s has %d outputs, the node has %d", branch, len(g.Outputs), len(c.Node.Outputs))
	}
	if len(g.SparseInitializers) > 0 {
		return nil, c.Unsupported("sparse initializers in %s", branch)
	}
	for _, vi := range g.Outputs {
		// Sequences, maps and optionals have no engine representation.
		if vi.Kind != onnxpb.TypeNone && vi.Kind != onnxpb.TypeTensor {
			return nil, c.Unsupported("%s output %q is a %v, not a tensor", branch, vi.Name, vi.Kind)
		}
	}
	imp := c.imp
	for _, t := range g.Initializers {
		imp.inits[t.Name] = t
	}
	for i, n := range g.Nodes {
		cp := *n
		base := NodeName(n, i)
		if _, taken := imp.res.NodeLayers[base]; taken || imp.used[base] {
			base = c.Name + "/" + base
		}
		cp.Name = base
		if err := imp.node(i, &cp); err != nil {
			return nil, err
		}
	}
	out := make([]*trt.Tensor, len(g.Outputs))
	for i, vi := range g.Outputs {
		t, err := imp.tensor(vi.Name)
		if err != nil {
			return nil, c.Errorf("%s output %q: %v", branch, vi.Name, err)
		}
		out[i] = t
	}
	// The branch's layers belong to (and are named after) their own nodes;
	// what the If node adds from here on (identities binding its outputs)
	// is its own.
	c.first = imp.net.NumLayers()
	return out, nil
}

func importWhere(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
	if err := needInputs(c, in, 3); err != nil {
		return nil, err
	}
	cond, x, y := in[0], in[1], in[2]
	if cond.Type() != trt.Bool {
		return nil, c.Errorf("condition must be BOOL, got %v", cond.Type())
	}
	if x.Type() != y.Type() {
		return nil, c.Errorf("X and Y have different types %v and %v", x.Type(), y.Type())
	}
	return one(c.Main(c.Net().AddSelect(cond, x, y))), nil
}
