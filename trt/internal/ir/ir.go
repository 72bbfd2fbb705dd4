// Package ir is gotrt's network representation, shared by the public trt API,
// the builder and the backends: a graph of nodes (layers) over tensors, the
// parameters of every layer kind, and static type and shape inference.
package ir

import (
	"fmt"
	"strings"

	"github.com/gotrt/gotrt/tensor"
)

// DataType is tensor.DataType.
type DataType = tensor.DataType

// Element types re-exported for brevity inside the backends.
const (
	Float  = tensor.Float
	Half   = tensor.Half
	Int8   = tensor.Int8
	Int32  = tensor.Int32
	Bool   = tensor.Bool
	UInt8  = tensor.UInt8
	BF16   = tensor.BF16
	Int64  = tensor.Int64
	Double = tensor.Double
)

// IsIntLike reports whether values of t are stored as int64 in Data.I.
func IsIntLike(t DataType) bool {
	switch t {
	case Int8, Int32, Bool, UInt8, Int64:
		return true
	}
	return false
}

// Tensor is a value in the graph.
type Tensor struct {
	ID       int
	Name     string
	Type     DataType
	Dims     []int // static dims; -1 where not known before run time
	Producer *Node // nil for network inputs
	Index    int   // output index in Producer
	Input    bool  // network input
	Output   bool  // network output
	Const    *Data // value, where known at build time
}

// Rank is len(Dims).
func (t *Tensor) Rank() int { return len(t.Dims) }

func (t *Tensor) String() string { return fmt.Sprintf("%q %v%v", t.Name, t.Type, DimsString(t.Dims)) }

// Node is a layer.
type Node struct {
	ID      int
	Name    string
	Kind    Kind
	Params  Params
	Inputs  []*Tensor // nil entries are absent optional inputs
	Outputs []*Tensor

	// Per-layer precision requests (TensorRT's setPrecision / setOutputType).
	Precision    DataType
	PrecisionSet bool
	OutTypes     []DataType
	OutTypeSet   []bool

	Err error // construction error (reported by the builder)
}

// Params is implemented by every layer kind's parameter struct.
type Params interface{ kind() Kind }

// Graph is a network.
type Graph struct {
	Nodes         []*Node
	Tensors       []*Tensor
	Inputs        []*Tensor
	Outputs       []*Tensor
	StronglyTyped bool
	nextTensor    int
	nextNode      int
}

// NewTensor creates a tensor owned by g.
func (g *Graph) NewTensor(name string, t DataType, dims []int) *Tensor {
	x := &Tensor{ID: g.nextTensor, Name: name, Type: t, Dims: append([]int{}, dims...)}
	g.nextTensor++
	g.Tensors = append(g.Tensors, x)
	return x
}

// AddInput adds a network input.
func (g *Graph) AddInput(name string, t DataType, dims []int) *Tensor {
	x := g.NewTensor(name, t, dims)
	x.Input = true
	g.Inputs = append(g.Inputs, x)
	return x
}

// AddNode appends a node with nout fresh output tensors named after the node.
func (g *Graph) AddNode(name string, p Params, inputs []*Tensor, nout int) *Node {
	n := &Node{ID: g.nextNode, Name: name, Kind: p.kind(), Params: p, Inputs: inputs}
	g.nextNode++
	if n.Name == "" {
		n.Name = fmt.Sprintf("(Unnamed Layer* %d) [%s]", n.ID, n.Kind)
	}
	for i := 0; i < nout; i++ {
		tn := n.Name + "_output"
		if nout > 1 {
			tn = fmt.Sprintf("%s_output_%d", n.Name, i)
		}
		t := g.NewTensor(tn, Float, nil)
		t.Producer, t.Index = n, i
		n.Outputs = append(n.Outputs, t)
	}
	n.OutTypes = make([]DataType, nout)
	n.OutTypeSet = make([]bool, nout)
	g.Nodes = append(g.Nodes, n)
	return n
}

// MarkOutput marks t as a network output.
func (g *Graph) MarkOutput(t *Tensor) {
	if t.Output {
		return
	}
	t.Output = true
	g.Outputs = append(g.Outputs, t)
}

// UnmarkOutput removes t from the outputs.
func (g *Graph) UnmarkOutput(t *Tensor) {
	t.Output = false
	for i, o := range g.Outputs {
		if o == t {
			g.Outputs = append(g.Outputs[:i], g.Outputs[i+1:]...)
			return
		}
	}
}

// DimsString formats dims TensorRT-style: (1, 3, -1, 224).
func DimsString(d []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, v := range d {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, v)
	}
	b.WriteByte(')')
	return b.String()
}

// Data is a host tensor in the backends' working form: float types are held
// as float32 values (already rounded to the type), integer and bool types as
// int64 values (already wrapped to the type's range).
type Data struct {
	Type DataType
	Dims []int
	F    []float32
	I    []int64
}

// NewData allocates zeroed data.
func NewData(t DataType, dims []int) *Data {
	d := &Data{Type: t, Dims: append([]int{}, dims...)}
	n := tensor.Volume(dims)
	if IsIntLike(t) {
		d.I = make([]int64, n)
	} else {
		d.F = make([]float32, n)
	}
	return d
}

// Len is the element count.
func (d *Data) Len() int {
	if d.F != nil || !IsIntLike(d.Type) {
		return len(d.F)
	}
	return len(d.I)
}

// Float returns element i as float64 whatever the type.
func (d *Data) Float(i int) float64 {
	if IsIntLike(d.Type) {
		return float64(d.I[i])
	}
	return float64(d.F[i])
}

// Int returns element i as int64 whatever the type (floats truncated).
func (d *Data) Int(i int) int64 {
	if IsIntLike(d.Type) {
		return d.I[i]
	}
	return int64(d.F[i])
}

// Ints returns all elements as int64s (for shape-like inputs).
func (d *Data) Ints() []int64 {
	if IsIntLike(d.Type) {
		return d.I
	}
	out := make([]int64, len(d.F))
	for i, v := range d.F {
		out[i] = int64(v)
	}
	return out
}

// Clone deep-copies d.
func (d *Data) Clone() *Data {
	c := &Data{Type: d.Type, Dims: append([]int{}, d.Dims...)}
	if d.F != nil {
		c.F = append([]float32{}, d.F...)
	}
	if d.I != nil {
		c.I = append([]int64{}, d.I...)
	}
	return c
}

// ScalarInt makes a rank-0 Int64 value.
func ScalarInt(v int64) *Data { return &Data{Type: Int64, Dims: []int{}, I: []int64{v}} }

// IntVector makes a rank-1 Int64 value.
func IntVector(v []int64) *Data {
	return &Data{Type: Int64, Dims: []int{len(v)}, I: append([]int64{}, v...)}
}

// WrapInt wraps v to the range of integer type t (two's complement), and
// bools to 0/1.
func WrapInt(v int64, t DataType) int64 {
	switch t {
	case Int8:
		return int64(int8(v))
	case UInt8:
		return int64(uint8(v))
	case Int32:
		return int64(int32(v))
	case Bool:
		if v != 0 {
			return 1
		}
		return 0
	}
	return v
}

// RoundFloat rounds v to float type t.
func RoundFloat(v float32, t DataType) float32 {
	switch t {
	case Half:
		return tensor.RoundHalf(v)
	case BF16:
		return tensor.RoundBF16(v)
	}
	return v
}

// KindOf returns the layer kind of a parameter struct.
func KindOf(p Params) Kind { return p.kind() }

// SetCounters makes new tensor and node IDs of g follow its existing ones
// (after decoding a graph).
func SetCounters(g *Graph) {
	for _, t := range g.Tensors {
		g.nextTensor = max(g.nextTensor, t.ID+1)
	}
	for _, n := range g.Nodes {
		g.nextNode = max(g.nextNode, n.ID+1)
	}
}
