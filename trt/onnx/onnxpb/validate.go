package onnxpb

import "fmt"

// validateModel checks every tensor of a decoded model (see Tensor.Validate)
// and names the first bad one by its path. It runs after decoding, so that
// singular messages split over several records (which protobuf merges) are
// checked whole.
func validateModel(m *Model) error {
	if m.Graph != nil {
		if err := validateGraph(m.Graph, 1); err != nil {
			return errIn("graph "+quoteName(m.Graph.Name), err)
		}
	}
	for i, fn := range m.Functions {
		if err := validateNodes(fn.Nodes, 1); err != nil {
			return errIn(fmt.Sprintf("function %d (%s)", i, quoteName(fn.Name)), err)
		}
		for _, a := range fn.AttributeDef {
			if err := validateAttr(a, 1); err != nil {
				return errIn(fmt.Sprintf("function %d (%s): attribute_proto %s", i, quoteName(fn.Name), quoteName(a.Name)), err)
			}
		}
	}
	return nil
}

func validateGraph(g *Graph, depth int) error {
	if depth > MaxGraphDepth {
		return errTooDeep
	}
	for i, t := range g.Initializers {
		if err := t.Validate(); err != nil {
			return errIn(fmt.Sprintf("initializer %d (%s)", i, quoteName(t.Name)), err)
		}
	}
	for i, s := range g.SparseInitializers {
		if err := s.validate(); err != nil {
			return errIn(fmt.Sprintf("sparse_initializer %d", i), err)
		}
	}
	return validateNodes(g.Nodes, depth)
}

func validateNodes(nodes []*Node, depth int) error {
	for i, n := range nodes {
		for _, a := range n.Attributes {
			if err := validateAttr(a, depth); err != nil {
				return errIn(fmt.Sprintf("node %d (%s): attribute %s", i, quoteName(n.Name), quoteName(a.Name)), err)
			}
		}
	}
	return nil
}

func validateAttr(a *Attribute, depth int) error {
	if a.T != nil {
		if err := a.T.Validate(); err != nil {
			return errIn("tensor "+quoteName(a.T.Name), err)
		}
	}
	for i, t := range a.Tensors {
		if err := t.Validate(); err != nil {
			return errIn(fmt.Sprintf("tensors[%d] (%s)", i, quoteName(t.Name)), err)
		}
	}
	if a.SparseTensor != nil {
		if err := a.SparseTensor.validate(); err != nil {
			return errIn("sparse_tensor", err)
		}
	}
	for i, s := range a.SparseTensors {
		if err := s.validate(); err != nil {
			return errIn(fmt.Sprintf("sparse_tensors[%d]", i), err)
		}
	}
	if a.G != nil {
		if err := validateGraph(a.G, depth+1); err != nil {
			return errIn("graph "+quoteName(a.G.Name), err)
		}
	}
	for i, g := range a.Graphs {
		if err := validateGraph(g, depth+1); err != nil {
			return errIn(fmt.Sprintf("graphs[%d] (graph %s)", i, quoteName(g.Name)), err)
		}
	}
	return nil
}

func (s *SparseTensor) validate() error {
	if _, err := Volume(s.Dims); err != nil {
		return errIn("dims", err)
	}
	for _, t := range []*Tensor{s.Values, s.Indices} {
		if t == nil {
			continue
		}
		if err := t.Validate(); err != nil {
			return errIn("tensor "+quoteName(t.Name), err)
		}
	}
	return nil
}
