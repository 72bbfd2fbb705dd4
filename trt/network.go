package trt

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// NetworkFlag is a network creation option (TensorRT's NetworkDefinitionCreationFlag).
type NetworkFlag int

// Network flags.
const (
	// NetworkStronglyTyped takes every tensor type from the graph (inputs and
	// Cast layers); builder precision flags and per-layer precisions do not apply.
	NetworkStronglyTyped NetworkFlag = 1 << iota
)

// Network is a network definition (TensorRT's INetworkDefinition). Layer
// construction never fails immediately: a layer whose parameters or inputs are
// invalid records an error, reported by Err, Layer.Err and Builder.Build.
type Network struct {
	g       *ir.Graph
	layers  []Layer
	tensors map[*ir.Tensor]*Tensor
	dirty   bool
	closed  bool
}

// Tensor is a tensor of a network (TensorRT's ITensor).
type Tensor struct {
	t   *ir.Tensor
	net *Network
}

// Layer is the behaviour common to every layer (TensorRT's ILayer).
type Layer interface {
	Name() string
	SetName(string)
	Kind() LayerKind
	NumInputs() int
	Input(i int) *Tensor
	// SetInput replaces input i (or appends it when i == NumInputs()).
	SetInput(i int, t *Tensor)
	NumOutputs() int
	Output(i int) *Tensor
	// SetPrecision asks the builder to run the layer in precision p (Float,
	// Half or BF16). How binding it is depends on the BuilderConfig's
	// precision constraints.
	SetPrecision(p DataType)
	Precision() DataType
	PrecisionIsSet() bool
	ResetPrecision()
	// SetOutputType asks for output i to be produced in type t.
	SetOutputType(i int, t DataType)
	OutputType(i int) DataType
	OutputTypeIsSet(i int) bool
	ResetOutputType(i int)
	// Err is the layer's construction error, if any.
	Err() error
	node() *ir.Node
}

type layerBase struct {
	n   *ir.Node
	net *Network
}

func (l *layerBase) node() *ir.Node { return l.n }
func (l *layerBase) Name() string   { return l.n.Name }

// SetName renames the layer; outputs that still carry the default names
// derived from the old layer name are renamed with it.
func (l *layerBase) SetName(s string) {
	old := l.n.Name
	l.n.Name = s
	for _, o := range l.n.Outputs {
		if strings.HasPrefix(o.Name, old+"_output") {
			o.Name = s + strings.TrimPrefix(o.Name, old)
		}
	}
}
func (l *layerBase) Kind() LayerKind { return l.n.Kind }
func (l *layerBase) NumInputs() int  { return len(l.n.Inputs) }
func (l *layerBase) NumOutputs() int { return len(l.n.Outputs) }
func (l *layerBase) Err() error      { return l.n.Err }

func (l *layerBase) Input(i int) *Tensor {
	if i < 0 || i >= len(l.n.Inputs) || l.n.Inputs[i] == nil {
		return nil
	}
	return l.net.wrap(l.n.Inputs[i])
}

func (l *layerBase) SetInput(i int, t *Tensor) {
	var x *ir.Tensor
	if t != nil {
		x = t.t
	}
	switch {
	case i >= 0 && i < len(l.n.Inputs):
		l.n.Inputs[i] = x
	case i == len(l.n.Inputs):
		l.n.Inputs = append(l.n.Inputs, x)
	default:
		l.n.Err = fmt.Errorf("layer %q: SetInput(%d): index out of range (layer has %d inputs)", l.n.Name, i, len(l.n.Inputs))
		return
	}
	l.net.dirty = true
}

func (l *layerBase) Output(i int) *Tensor {
	if i < 0 || i >= len(l.n.Outputs) {
		return nil
	}
	return l.net.wrap(l.n.Outputs[i])
}

func (l *layerBase) SetPrecision(p DataType) { l.n.Precision, l.n.PrecisionSet = p, true }
func (l *layerBase) Precision() DataType {
	if l.n.PrecisionSet {
		return l.n.Precision
	}
	return Float
}
func (l *layerBase) PrecisionIsSet() bool { return l.n.PrecisionSet }
func (l *layerBase) ResetPrecision()      { l.n.PrecisionSet = false }

func (l *layerBase) SetOutputType(i int, t DataType) {
	if i < 0 || i >= len(l.n.Outputs) {
		l.n.Err = fmt.Errorf("layer %q: SetOutputType(%d): index out of range (layer has %d outputs)", l.n.Name, i, len(l.n.Outputs))
		return
	}
	l.n.OutTypes[i], l.n.OutTypeSet[i] = t, true
}

func (l *layerBase) OutputType(i int) DataType {
	if i < 0 || i >= len(l.n.Outputs) {
		return Float
	}
	if l.n.OutTypeSet[i] {
		return l.n.OutTypes[i]
	}
	return l.n.Outputs[i].Type
}

func (l *layerBase) OutputTypeIsSet(i int) bool {
	return i >= 0 && i < len(l.n.Outputs) && l.n.OutTypeSet[i]
}

func (l *layerBase) ResetOutputType(i int) {
	if i >= 0 && i < len(l.n.Outputs) {
		l.n.OutTypeSet[i] = false
	}
}

// Name of the tensor.
func (t *Tensor) Name() string { return t.t.Name }

// SetName renames the tensor.
func (t *Tensor) SetName(s string) { t.t.Name = s }

// Type is the tensor's data type as the network defines it (before the
// builder chooses precisions).
func (t *Tensor) Type() DataType { t.net.infer(); return t.t.Type }

// SetType sets the type of a network input or output.
func (t *Tensor) SetType(dt DataType) {
	if t.t.Input || t.t.Output {
		t.t.Type = dt
		t.net.dirty = true
	}
}

// Dimensions are the tensor's dims (-1 where known only at run time).
func (t *Tensor) Dimensions() Dims { t.net.infer(); return append(Dims{}, t.t.Dims...) }

// SetDimensions changes the dims of a network input.
func (t *Tensor) SetDimensions(d Dims) {
	if t.t.Input {
		t.t.Dims = append([]int{}, d...)
		t.net.dirty = true
	}
}

// IsNetworkInput reports whether t is a network input.
func (t *Tensor) IsNetworkInput() bool { return t.t.Input }

// IsNetworkOutput reports whether t is a network output.
func (t *Tensor) IsNetworkOutput() bool { return t.t.Output }

// IsShapeTensor reports whether t holds shape values (INT32/INT64 computed
// from shapes).
func (t *Tensor) IsShapeTensor() bool {
	return (t.t.Type == Int64 || t.t.Type == Int32) && t.t.Producer != nil && t.t.Producer.Kind == ir.KindShape
}

// ConstValue returns the tensor's value where the network knows it at build
// time (constants and folded subgraphs), or nil.
func (t *Tensor) ConstValue() *HostTensor {
	t.net.infer()
	if t.t.Const == nil {
		return nil
	}
	h := fromData(t.t.Const)
	h.Name = t.t.Name
	return h
}

// Producer is the layer producing t (nil for network inputs).
func (t *Tensor) Producer() Layer {
	if t.t.Producer == nil {
		return nil
	}
	for _, l := range t.net.layers {
		if l.node() == t.t.Producer {
			return l
		}
	}
	return nil
}

func (t *Tensor) String() string { return t.t.String() }

// NewNetwork creates an empty network. Builder.CreateNetwork does the same.
func NewNetwork(flags ...NetworkFlag) *Network {
	n := &Network{g: &ir.Graph{}, tensors: map[*ir.Tensor]*Tensor{}}
	for _, f := range flags {
		if f&NetworkStronglyTyped != 0 {
			n.g.StronglyTyped = true
		}
	}
	return n
}

// StronglyTyped reports whether the network was created strongly typed.
func (n *Network) StronglyTyped() bool { return n.g.StronglyTyped }

func (n *Network) wrap(t *ir.Tensor) *Tensor {
	if t == nil {
		return nil
	}
	if w, ok := n.tensors[t]; ok {
		return w
	}
	w := &Tensor{t: t, net: n}
	n.tensors[t] = w
	return w
}

// infer re-runs type and shape inference over the whole network when a layer
// was changed after creation.
func (n *Network) infer() {
	if !n.dirty {
		return
	}
	n.dirty = false
	order, err := n.g.Validate()
	if err != nil {
		// Report structure problems at build time; infer what we can.
		order = n.g.Nodes
	}
	for _, nd := range order {
		_ = ir.InferNode(nd)
	}
}

// Err returns the first construction error of any layer, naming the layer.
func (n *Network) Err() error {
	n.infer()
	var errs []error
	for _, l := range n.layers {
		if e := l.Err(); e != nil {
			errs = append(errs, e)
		}
	}
	return errors.Join(errs...)
}

// AddInput adds a network input of type t and dims d (-1 for dims set at run
// time within the optimization profile).
func (n *Network) AddInput(name string, t DataType, d Dims) *Tensor {
	return n.wrap(n.g.AddInput(name, t, d))
}

// MarkOutput marks t as a network output.
func (n *Network) MarkOutput(t *Tensor) { n.g.MarkOutput(t.t) }

// UnmarkOutput removes t from the network outputs.
func (n *Network) UnmarkOutput(t *Tensor) { n.g.UnmarkOutput(t.t) }

// NumInputs is the number of network inputs.
func (n *Network) NumInputs() int { return len(n.g.Inputs) }

// Input returns network input i.
func (n *Network) Input(i int) *Tensor { return n.wrap(n.g.Inputs[i]) }

// NumOutputs is the number of network outputs.
func (n *Network) NumOutputs() int { return len(n.g.Outputs) }

// Output returns network output i.
func (n *Network) Output(i int) *Tensor { return n.wrap(n.g.Outputs[i]) }

// NumLayers is the number of layers.
func (n *Network) NumLayers() int { return len(n.layers) }

// Layer returns layer i.
func (n *Network) Layer(i int) Layer { return n.layers[i] }

// LayerByName finds a layer by name (nil if none).
func (n *Network) LayerByName(name string) Layer {
	for _, l := range n.layers {
		if l.Name() == name {
			return l
		}
	}
	return nil
}

// Layers returns all layers in creation order.
func (n *Network) Layers() []Layer { return append([]Layer{}, n.layers...) }

// addNode creates a node, infers its outputs and wraps it.
func (n *Network) addNode(p ir.Params, nout int, inputs ...*Tensor) *ir.Node {
	ins := make([]*ir.Tensor, len(inputs))
	var bad error
	for i, t := range inputs {
		if t == nil {
			continue
		}
		if t.net != n {
			bad = fmt.Errorf("input %d (%q) belongs to another network", i, t.t.Name)
		}
		ins[i] = t.t
	}
	nd := n.g.AddNode("", p, ins, nout)
	n.infer()
	if bad != nil {
		nd.Err = fmt.Errorf("layer %q (%s): %w", nd.Name, nd.Kind, bad)
	} else {
		_ = ir.InferNode(nd)
	}
	return nd
}

func (n *Network) add(l Layer) { n.layers = append(n.layers, l) }
