package fp16

import (
	"container/heap"
	"fmt"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// subgraphs returns the graphs held in n's attributes, in attribute order.
func subgraphs(n *onnxpb.Node) []*onnxpb.Graph {
	var gs []*onnxpb.Graph
	for _, a := range n.Attributes {
		if a == nil {
			continue
		}
		if a.G != nil {
			gs = append(gs, a.G)
		}
		for _, g := range a.Graphs {
			if g != nil {
				gs = append(gs, g)
			}
		}
	}
	return gs
}

// freeVars adds to out the names that g (and its subgraphs) read without
// defining them.
func freeVars(g *onnxpb.Graph, out map[string]bool) {
	def := map[string]bool{}
	for _, v := range g.Inputs {
		def[v.Name] = true
	}
	for _, t := range g.Initializers {
		def[t.Name] = true
	}
	for _, s := range g.SparseInitializers {
		if s.Values != nil {
			def[s.Values.Name] = true
		}
	}
	use := func(name string) {
		if name != "" && !def[name] {
			out[name] = true
		}
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			use(in)
		}
		for _, sg := range subgraphs(n) {
			inner := map[string]bool{}
			freeVars(sg, inner)
			for name := range inner {
				use(name)
			}
		}
		for _, o := range n.Outputs {
			if o != "" {
				def[o] = true
			}
		}
	}
	for _, v := range g.Outputs {
		use(v.Name)
	}
}

// nodeDeps returns the names node n reads: its inputs and its subgraphs'
// free variables.
func nodeDeps(n *onnxpb.Node) []string {
	deps := append([]string(nil), n.Inputs...)
	for _, sg := range subgraphs(n) {
		fv := map[string]bool{}
		freeVars(sg, fv)
		for name := range fv {
			deps = append(deps, name)
		}
	}
	return deps
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// sortNodes puts g's nodes (and, recursively, its subgraphs' nodes) in
// topological order, keeping the original order where it already is one.
// Names not produced by a node of g count as available (inputs,
// initializers, outer scopes); a cycle is an error.
func sortNodes(g *onnxpb.Graph) error {
	for _, n := range g.Nodes {
		if n == nil {
			return fmt.Errorf("%w: graph %q has a nil node", onnxpb.ErrInvalid, g.Name)
		}
		for _, sg := range subgraphs(n) {
			if err := sortNodes(sg); err != nil {
				return err
			}
		}
	}
	producer := map[string]int{}
	for i, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o == "" {
				continue
			}
			if p, ok := producer[o]; ok {
				return fmt.Errorf("%w: graph %q: value %q is defined twice (by nodes %s and %s)",
					onnxpb.ErrInvalid, g.Name, o, nodeLabel(g.Nodes[p]), nodeLabel(n))
			}
			producer[o] = i
		}
	}
	deps := make([][]int, len(g.Nodes))
	sorted := true
	for i, n := range g.Nodes {
		for _, name := range nodeDeps(n) {
			if p, ok := producer[name]; ok && p != i {
				deps[i] = append(deps[i], p)
				if p > i {
					sorted = false
				}
			} else if ok && p == i {
				return fmt.Errorf("%w: graph %q: node %s reads its own output %q", onnxpb.ErrInvalid, g.Name, nodeLabel(n), name)
			}
		}
	}
	if sorted {
		return nil
	}
	indeg := make([]int, len(g.Nodes))
	users := make([][]int, len(g.Nodes))
	for i, ds := range deps {
		for _, p := range ds {
			indeg[i]++
			users[p] = append(users[p], i)
		}
	}
	h := &intHeap{}
	for i := range g.Nodes {
		if indeg[i] == 0 {
			*h = append(*h, i)
		}
	}
	heap.Init(h)
	order := make([]*onnxpb.Node, 0, len(g.Nodes))
	for h.Len() > 0 {
		i := heap.Pop(h).(int)
		order = append(order, g.Nodes[i])
		for _, u := range users[i] {
			if indeg[u]--; indeg[u] == 0 {
				heap.Push(h, u)
			}
		}
	}
	if len(order) != len(g.Nodes) {
		for i, d := range indeg {
			if d > 0 {
				return fmt.Errorf("%w: graph %q has a cycle through node %s", onnxpb.ErrInvalid, g.Name, nodeLabel(g.Nodes[i]))
			}
		}
	}
	g.Nodes = order
	return nil
}

// nodeLabel names a node in messages and reports: its name, or
// "OpType(first output)" when it has none.
func nodeLabel(n *onnxpb.Node) string {
	if n.Name != "" {
		return n.Name
	}
	out := ""
	if len(n.Outputs) > 0 {
		out = n.Outputs[0]
	}
	return fmt.Sprintf("%s(%s)", n.OpType, out)
}
