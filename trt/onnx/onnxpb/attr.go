package onnxpb

import "fmt"

// Attr returns the attribute called name, or nil. If the name repeats, the
// last one wins.
func (n *Node) Attr(name string) *Attribute {
	var found *Attribute
	for _, a := range n.Attributes {
		if a != nil && a.Name == name {
			found = a
		}
	}
	return found
}

// HasAttr reports whether the node has an attribute called name.
func (n *Node) HasAttr(name string) bool { return n.Attr(name) != nil }

// attrOf returns the attribute called name when it has type want (or no
// type, as IR version 1 producers wrote), nil when it is absent, and an error
// when it has another type or refers to a function attribute.
func (n *Node) attrOf(name string, want AttrType) (*Attribute, error) {
	a := n.Attr(name)
	if a == nil {
		return nil, nil
	}
	if a.RefAttrName != "" {
		return nil, fmt.Errorf("onnxpb: node %s (%s): attribute %s refers to function attribute %s",
			quoteName(n.Name), n.OpType, quoteName(name), quoteName(a.RefAttrName))
	}
	if a.Type != want && a.Type != AttrUndefined {
		return nil, fmt.Errorf("onnxpb: node %s (%s): attribute %s is %v, want %v",
			quoteName(n.Name), n.OpType, quoteName(name), a.Type, want)
	}
	return a, nil
}

// AttrInt returns the INT attribute name, or def when the node lacks it. An
// attribute of another type is an error (and def is returned).
func (n *Node) AttrInt(name string, def int64) (int64, error) {
	a, err := n.attrOf(name, AttrInt)
	if a == nil {
		return def, err
	}
	return a.I, nil
}

// AttrFloat returns the FLOAT attribute name, or def when absent.
func (n *Node) AttrFloat(name string, def float32) (float32, error) {
	a, err := n.attrOf(name, AttrFloat)
	if a == nil {
		return def, err
	}
	return a.F, nil
}

// AttrString returns the STRING attribute name, or def when absent.
func (n *Node) AttrString(name string, def string) (string, error) {
	a, err := n.attrOf(name, AttrString)
	if a == nil {
		return def, err
	}
	return string(a.S), nil
}

// AttrInts returns the INTS attribute name, or def when absent.
func (n *Node) AttrInts(name string, def []int64) ([]int64, error) {
	a, err := n.attrOf(name, AttrInts)
	if a == nil {
		return def, err
	}
	return a.Ints, nil
}

// AttrFloats returns the FLOATS attribute name, or def when absent.
func (n *Node) AttrFloats(name string, def []float32) ([]float32, error) {
	a, err := n.attrOf(name, AttrFloats)
	if a == nil {
		return def, err
	}
	return a.Floats, nil
}

// AttrStrings returns the STRINGS attribute name as Go strings, or def when
// absent.
func (n *Node) AttrStrings(name string, def []string) ([]string, error) {
	a, err := n.attrOf(name, AttrStrings)
	if a == nil {
		return def, err
	}
	out := make([]string, len(a.Strings))
	for i, s := range a.Strings {
		out[i] = string(s)
	}
	return out, nil
}

// AttrTensor returns the TENSOR attribute name, or nil when absent.
func (n *Node) AttrTensor(name string) (*Tensor, error) {
	a, err := n.attrOf(name, AttrTensor)
	if a == nil {
		return nil, err
	}
	return a.T, nil
}

// AttrGraph returns the GRAPH attribute name (a subgraph of If, Loop, Scan),
// or nil when absent.
func (n *Node) AttrGraph(name string) (*Graph, error) {
	a, err := n.attrOf(name, AttrGraph)
	if a == nil {
		return nil, err
	}
	return a.G, nil
}
