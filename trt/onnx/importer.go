// Package onnx imports ONNX models into trt networks. Layer names are the
// ONNX node names, as TensorRT's ONNX parser names them, so precision
// constraints found with gotrt transfer to TensorRT. Layers that an operator
// needs besides its main one are named after the node with a suffix.
//
// Shape computations fold into constants wherever the input dims are known
// (give dynamic dims with Options.InputShapes); otherwise they stay in the
// network and are evaluated at run time.
package onnx

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// Supported opset range of the default ONNX domain.
const (
	MinOpset = 1
	MaxOpset = 21
)

// ErrUnsupported marks models using an operator, attribute or type gotrt does
// not claim; errors.Is works on every import error caused by it.
var ErrUnsupported = errors.New("unsupported")

// ErrInvalidModel marks models that violate the ONNX spec.
var ErrInvalidModel = errors.New("invalid model")

// Options controls an import.
type Options struct {
	// InputShapes fixes the dims of inputs (overriding dynamic dims).
	InputShapes map[string][]int
	// StronglyTyped creates a strongly typed network: Cast nodes define the
	// precision of everything (for models exported with explicit casts).
	StronglyTyped bool
	// ForceInputShapes lets InputShapes override the dims the model declares
	// (by default a conflict is an error).
	ForceInputShapes bool
	// Name is used in error messages (e.g. the file name).
	Name string
}

// Result is an imported network with what the importer learnt.
type Result struct {
	Network *trt.Network
	Model   *onnxpb.Model
	Opset   int
	// Inputs and Outputs in graph order.
	Inputs, Outputs []string
	// NodeLayers maps each ONNX node name to the layers created for it.
	NodeLayers map[string][]string
}

// ImportFile loads and imports a model file.
func ImportFile(path string, opt Options) (*Result, error) {
	m, err := onnxpb.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if opt.Name == "" {
		opt.Name = filepath.Base(path)
	}
	return Import(m, opt)
}

// Import turns a decoded model into a network.
func Import(m *onnxpb.Model, opt Options) (*Result, error) {
	name := opt.Name
	if name == "" {
		name = "model"
	}
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("%s: %w: no graph", name, ErrInvalidModel)
	}
	opset := 0
	for _, o := range m.OpsetImports {
		if o.Domain == "" || o.Domain == "ai.onnx" {
			opset = int(o.Version)
		}
	}
	if opset == 0 {
		if len(m.OpsetImports) == 0 {
			opset = 1 // IR version 1..2 models have no opset import
		} else {
			return nil, fmt.Errorf("%s: %w: the model does not import the default ONNX domain", name, ErrUnsupported)
		}
	}
	if opset < MinOpset || opset > MaxOpset {
		return nil, fmt.Errorf("%s: %w: opset %d (gotrt supports opsets %d to %d)", name, ErrUnsupported, opset, MinOpset, MaxOpset)
	}
	var flags []trt.NetworkFlag
	if opt.StronglyTyped {
		flags = append(flags, trt.NetworkStronglyTyped)
	}
	imp := &importer{
		net:     trt.NewNetwork(flags...),
		opset:   opset,
		name:    name,
		opt:     opt,
		tensors: map[string]*trt.Tensor{},
		inits:   map[string]*onnxpb.Tensor{},
		res:     &Result{Model: m, Opset: opset, NodeLayers: map[string][]string{}},
		used:    map[string]bool{},
	}
	imp.res.Network = imp.net
	if err := imp.graph(m.Graph, true); err != nil {
		return nil, err
	}
	return imp.res, nil
}

type importer struct {
	net     *trt.Network
	opset   int
	name    string
	opt     Options
	tensors map[string]*trt.Tensor
	inits   map[string]*onnxpb.Tensor
	res     *Result
	used    map[string]bool // layer names taken
}

// hostType maps an ONNX element type to an engine type.
func hostType(et onnxpb.ElemType) (tensor.DataType, error) {
	t, err := onnxpb.ElemTypeToHost(et)
	if err != nil {
		return 0, fmt.Errorf("%w: element type %v", ErrUnsupported, et)
	}
	switch t {
	case tensor.Float, tensor.Half, tensor.BF16, tensor.Int8, tensor.UInt8, tensor.Int32, tensor.Int64, tensor.Bool:
		return t, nil
	}
	return 0, fmt.Errorf("%w: element type %v (engines have no %v)", ErrUnsupported, et, t)
}

func (imp *importer) graph(g *onnxpb.Graph, top bool) error {
	for _, t := range g.Initializers {
		imp.inits[t.Name] = t
	}
	if len(g.SparseInitializers) > 0 && top {
		return fmt.Errorf("%s: %w: sparse initializers", imp.name, ErrUnsupported)
	}
	if top {
		for _, vi := range g.Inputs {
			if _, ok := imp.inits[vi.Name]; ok {
				continue // an initializer with a default value
			}
			if vi.Kind != onnxpb.TypeTensor {
				return fmt.Errorf("%s: input %q: %w: non-tensor input", imp.name, vi.Name, ErrUnsupported)
			}
			dt, err := hostType(vi.ElemType)
			if err != nil {
				return fmt.Errorf("%s: input %q: %w", imp.name, vi.Name, err)
			}
			dims, err := imp.inputDims(vi)
			if err != nil {
				return err
			}
			imp.tensors[vi.Name] = imp.net.AddInput(vi.Name, dt, dims)
			imp.res.Inputs = append(imp.res.Inputs, vi.Name)
		}
		for name := range imp.opt.InputShapes {
			if _, ok := imp.tensors[name]; !ok {
				return fmt.Errorf("%s: --input-shapes names %q, which is not a model input (inputs: %s)", imp.name, name, strings.Join(imp.res.Inputs, ", "))
			}
		}
	}
	for i, n := range g.Nodes {
		if err := imp.node(i, n); err != nil {
			return err
		}
	}
	if !top {
		return nil
	}
	for _, vi := range g.Outputs {
		t, err := imp.tensor(vi.Name)
		if err != nil {
			return fmt.Errorf("%s: graph output %q: %w", imp.name, vi.Name, err)
		}
		if t.IsNetworkInput() || t.IsNetworkOutput() {
			// An input passed straight through, or an output listed twice:
			// outputs need their own tensor.
			id := imp.net.AddIdentity(t)
			id.SetName(imp.uniqueName(vi.Name + "_identity"))
			t = id.Output(0)
		}
		t.SetName(vi.Name)
		imp.net.MarkOutput(t)
		imp.res.Outputs = append(imp.res.Outputs, vi.Name)
	}
	return imp.net.Err()
}

func (imp *importer) inputDims(vi *onnxpb.ValueInfo) ([]int, error) {
	if s, ok := imp.opt.InputShapes[vi.Name]; ok {
		if imp.opt.ForceInputShapes {
			return append([]int{}, s...), nil
		}
		if vi.HasShape && len(vi.Shape) != len(s) {
			return nil, fmt.Errorf("%s: input %q has rank %d, --input-shapes gives %v", imp.name, vi.Name, len(vi.Shape), s)
		}
		for i, d := range s {
			if d < 0 {
				return nil, fmt.Errorf("%s: input %q: shape %v has a negative dim", imp.name, vi.Name, s)
			}
			if vi.HasShape && vi.Shape[i].Known && vi.Shape[i].Value != int64(d) {
				return nil, fmt.Errorf("%s: input %q dim %d is %d in the model, --input-shapes gives %d", imp.name, vi.Name, i, vi.Shape[i].Value, d)
			}
		}
		return append([]int{}, s...), nil
	}
	if !vi.HasShape {
		return nil, fmt.Errorf("%s: input %q has no shape in the model: give it with --input-shapes", imp.name, vi.Name)
	}
	dims := make([]int, len(vi.Shape))
	for i, d := range vi.Shape {
		if d.Known && d.Value >= 0 {
			dims[i] = int(d.Value)
		} else {
			dims[i] = -1
		}
	}
	return dims, nil
}

// tensor returns the network tensor of an ONNX value, creating constants for
// initializers on first use.
func (imp *importer) tensor(name string) (*trt.Tensor, error) {
	if t, ok := imp.tensors[name]; ok {
		return t, nil
	}
	if init, ok := imp.inits[name]; ok {
		h, err := init.ToHost()
		if err != nil {
			return nil, fmt.Errorf("initializer %q: %w", name, errWrapUnsupported(err))
		}
		if _, err := hostType(mustElem(h.Type)); err != nil {
			return nil, fmt.Errorf("initializer %q: %w", name, err)
		}
		t, err := imp.constant(h, name)
		if err != nil {
			return nil, err
		}
		imp.tensors[name] = t
		return t, nil
	}
	return nil, fmt.Errorf("%w: value %q is used but no node, input or initializer produces it", ErrInvalidModel, name)
}

func mustElem(t tensor.DataType) onnxpb.ElemType {
	e, err := onnxpb.HostToElemType(t)
	if err != nil {
		return onnxpb.ElemUndefined
	}
	return e
}

func errWrapUnsupported(err error) error {
	if errors.Is(err, onnxpb.ErrUnsupported) {
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return err
}

// constant adds a constant layer holding h.
func (imp *importer) constant(h *tensor.Tensor, name string) (*trt.Tensor, error) {
	w, err := trt.WeightsFromHost(h)
	if err != nil {
		return nil, fmt.Errorf("constant %q: %w", name, errWrapUnsupported(err))
	}
	l := imp.net.AddConstant(trt.Dims(h.Dims), w)
	l.SetName(imp.uniqueName(name))
	l.Output(0).SetName(name)
	return l.Output(0), nil
}

func (imp *importer) uniqueName(base string) string {
	name := base
	for i := 1; imp.used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	imp.used[name] = true
	return name
}

// NodeName is the layer name the importer gives node i (TensorRT's ONNX
// parser naming): the node name, or its first output, or node_<i>_<op>.
func NodeName(n *onnxpb.Node, i int) string {
	if n.Name != "" {
		return n.Name
	}
	for _, o := range n.Outputs {
		if o != "" {
			return o
		}
	}
	return fmt.Sprintf("node_%d_%s", i, n.OpType)
}

// Ctx is what an operator importer sees.
type Ctx struct {
	imp   *importer
	Node  *onnxpb.Node
	Name  string // layer name for the main layer
	Opset int
	main  trt.Layer
	first int // index of the first layer created for this node
}

// Net is the network under construction.
func (c *Ctx) Net() *trt.Network { return c.imp.net }

// Main marks l as the node's main layer (named after the node).
func (c *Ctx) Main(l trt.Layer) trt.Layer { c.main = l; return l }

// Errorf makes an error about the node.
func (c *Ctx) Errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// Unsupported makes an error about an unsupported feature of the node.
func (c *Ctx) Unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// Const adds a constant.
func (c *Ctx) Const(h *tensor.Tensor) *trt.Tensor {
	t, err := c.imp.constant(h, c.Name+"_const")
	if err != nil {
		// WeightsFromHost only fails for unsupported host types, which the
		// callers never pass.
		panic(err)
	}
	return t
}

// ConstInts adds an INT64 vector constant.
func (c *Ctx) ConstInts(v []int64) *trt.Tensor {
	return c.Const(&tensor.Tensor{Type: tensor.Int64, Dims: []int{len(v)}, Data: append([]int64{}, v...)})
}

// ConstScalar adds a rank-0 constant of type t with value v.
func (c *Ctx) ConstScalar(t tensor.DataType, v float64) *trt.Tensor {
	h, _ := tensor.New("", t, []int{})
	switch d := h.Data.(type) {
	case []float32:
		d[0] = float32(v)
	case []int64:
		d[0] = int64(v)
	case []int32:
		d[0] = int32(v)
	case []bool:
		d[0] = v != 0
	case []int8:
		d[0] = int8(v)
	case []uint8:
		d[0] = uint8(v)
	default:
		// Half and BF16: make an FP32 scalar and cast it.
		f := c.Const(&tensor.Tensor{Type: tensor.Float, Dims: []int{}, Data: []float32{float32(v)}})
		return c.Net().AddCast(f, t).Output(0)
	}
	return c.Const(h)
}

// IntsOf returns the value of a tensor known at build time as int64s.
func (c *Ctx) IntsOf(t *trt.Tensor) ([]int64, bool) {
	if t == nil {
		return nil, false
	}
	h := t.ConstValue()
	if h == nil {
		return nil, false
	}
	switch d := h.Data.(type) {
	case []int64:
		return d, true
	case []int32:
		out := make([]int64, len(d))
		for i, v := range d {
			out[i] = int64(v)
		}
		return out, true
	}
	f := h.Float64s()
	out := make([]int64, len(f))
	for i, v := range f {
		out[i] = int64(v)
	}
	return out, true
}

// FloatsOf returns the value of a tensor known at build time as float64s.
func (c *Ctx) FloatsOf(t *trt.Tensor) ([]float64, bool) {
	if t == nil {
		return nil, false
	}
	h := t.ConstValue()
	if h == nil {
		return nil, false
	}
	return h.Float64s(), true
}

// OpFunc imports one node: in holds its inputs (nil for absent optional
// ones); it returns the tensors of its outputs in order (nil for outputs it
// does not produce).
type OpFunc func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error)

var ops = map[string]OpFunc{}

// Register installs the importer of an ONNX operator (default domain).
func Register(op string, f OpFunc) { ops[op] = f }

// SupportedOps lists the operators gotrt imports.
func SupportedOps() []string {
	var out []string
	for k := range ops {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Supports reports whether op (default domain) is imported.
func Supports(op string) bool { _, ok := ops[op]; return ok }

func (imp *importer) node(i int, n *onnxpb.Node) error {
	name := NodeName(n, i)
	where := fmt.Sprintf("%s: node %q (%s, opset %d)", imp.name, name, n.OpType, imp.opset)
	if n.Domain != "" && n.Domain != "ai.onnx" {
		return fmt.Errorf("%s: %w: operator domain %q", where, ErrUnsupported, n.Domain)
	}
	f, ok := ops[n.OpType]
	if !ok {
		return fmt.Errorf("%s: %w: operator %s is not supported", where, ErrUnsupported, n.OpType)
	}
	in := make([]*trt.Tensor, len(n.Inputs))
	for j, x := range n.Inputs {
		if x == "" {
			continue
		}
		t, err := imp.tensor(x)
		if err != nil {
			return fmt.Errorf("%s: input %d: %w", where, j, err)
		}
		in[j] = t
	}
	c := &Ctx{imp: imp, Node: n, Name: name, Opset: imp.opset, first: imp.net.NumLayers()}
	out, err := safeCall(f, c, in)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	// Name the layers created for this node.
	layers := imp.net.Layers()[c.first:]
	main := c.main
	if main == nil && len(layers) > 0 {
		main = layers[len(layers)-1]
		for _, l := range layers {
			if l.Kind() != trt.LayerConstant {
				main = l
			}
		}
		// Prefer the last non-constant layer feeding output 0.
		if len(out) > 0 && out[0] != nil {
			if p := out[0].Producer(); p != nil && inLayers(layers, p) {
				main = p
			}
		}
	}
	var names []string
	for k, l := range layers {
		if l == main {
			l.SetName(imp.uniqueName(name))
		} else if !strings.HasPrefix(l.Name(), name) || l.Kind() != trt.LayerConstant {
			l.SetName(imp.uniqueName(fmt.Sprintf("%s/%s_%d", name, l.Kind(), k)))
		}
		names = append(names, l.Name())
	}
	for _, l := range layers {
		if err := l.Err(); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	// Bind outputs.
	for j, oname := range n.Outputs {
		if oname == "" {
			continue
		}
		if j >= len(out) || out[j] == nil {
			return fmt.Errorf("%s: output %d (%q) is not produced by gotrt's importer: %w", where, j, oname, ErrUnsupported)
		}
		t := out[j]
		p := t.Producer()
		if p == nil || !inLayers(layers, p) || t.IsNetworkOutput() {
			// The node passes a tensor through (Identity, Dropout, Reshape
			// to the same shape...): give the output its own layer.
			id := imp.net.AddIdentity(t)
			id.SetName(imp.uniqueName(name + "/passthrough"))
			names = append(names, id.Name())
			t = id.Output(0)
		}
		t.SetName(oname)
		imp.tensors[oname] = t
	}
	imp.res.NodeLayers[name] = names
	return nil
}

func inLayers(ls []trt.Layer, l trt.Layer) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func safeCall(f OpFunc, c *Ctx, in []*trt.Tensor) (out []*trt.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: importer failure: %v", ErrInvalidModel, r)
		}
	}()
	return f(c, in)
}

func onnxElem(v int64) onnxpb.ElemType { return onnxpb.ElemType(v) }

func init() {
	Register("Constant", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		n := c.Node
		var h *tensor.Tensor
		switch {
		case n.HasAttr("value"):
			t, err := n.AttrTensor("value")
			if err != nil {
				return nil, err
			}
			if h, err = t.ToHost(); err != nil {
				return nil, errWrapUnsupported(err)
			}
		case n.HasAttr("value_float"):
			v, err := n.AttrFloat("value_float", 0)
			if err != nil {
				return nil, err
			}
			h = &tensor.Tensor{Type: tensor.Float, Dims: []int{}, Data: []float32{v}}
		case n.HasAttr("value_floats"):
			v, err := n.AttrFloats("value_floats", nil)
			if err != nil {
				return nil, err
			}
			h = &tensor.Tensor{Type: tensor.Float, Dims: []int{len(v)}, Data: v}
		case n.HasAttr("value_int"):
			v, err := n.AttrInt("value_int", 0)
			if err != nil {
				return nil, err
			}
			h = &tensor.Tensor{Type: tensor.Int64, Dims: []int{}, Data: []int64{v}}
		case n.HasAttr("value_ints"):
			v, err := n.AttrInts("value_ints", nil)
			if err != nil {
				return nil, err
			}
			h = &tensor.Tensor{Type: tensor.Int64, Dims: []int{len(v)}, Data: v}
		case n.HasAttr("value_string"), n.HasAttr("value_strings"):
			return nil, c.Unsupported("string constants")
		default:
			return nil, c.Unsupported("constant without a tensor, float or int value")
		}
		if _, err := hostType(mustElem(h.Type)); err != nil {
			return nil, err
		}
		w, err := trt.WeightsFromHost(h)
		if err != nil {
			return nil, errWrapUnsupported(err)
		}
		return one(c.Main(c.Net().AddConstant(trt.Dims(h.Dims), w))), nil
	})
}
