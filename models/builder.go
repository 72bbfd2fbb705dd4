package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// builder assembles one ONNX graph the way PyTorch's exporter writes it:
// nodes named "/scope/Op" (a repeated name in the same scope gets "_1",
// "_2", ...), outputs named "<node>_output_0", scalar and shape constants
// as Constant nodes, and parameters as initializers named like a state
// dict ("backbone.conv1.weight").
type builder struct {
	g     *onnxpb.Graph
	rng   *rand.Rand
	opset int
	used  map[string]int
}

func newBuilder(name string, opset int, seed uint64) *builder {
	return &builder{
		g:     &onnxpb.Graph{Name: name},
		rng:   rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		opset: opset,
		used:  map[string]int{},
	}
}

// model wraps the graph in a ModelProto as torch.onnx.export writes it.
func (b *builder) model() *onnxpb.Model {
	ir := int64(8)
	if b.opset >= 19 {
		ir = 9
	}
	return &onnxpb.Model{
		IRVersion:       ir,
		OpsetImports:    []onnxpb.OpsetID{{Version: int64(b.opset)}},
		ProducerName:    "pytorch",
		ProducerVersion: "2.5.0",
		Graph:           b.g,
	}
}

// dim is one input dimension: a fixed size, or a symbolic one when param is
// not empty.
type dim struct {
	size  int
	param string
}

func (b *builder) input(name string, dims ...dim) string {
	vi := &onnxpb.ValueInfo{Name: name, Kind: onnxpb.TypeTensor, ElemType: onnxpb.ElemFloat, HasShape: true}
	for _, d := range dims {
		if d.param != "" {
			vi.Shape = append(vi.Shape, onnxpb.Dim{Param: d.param})
		} else {
			vi.Shape = append(vi.Shape, onnxpb.Dim{Value: int64(d.size), Known: true})
		}
	}
	b.g.Inputs = append(b.g.Inputs, vi)
	return name
}

// output declares a graph output. The exporter gives outputs their Python
// names; the node writing it is renamed accordingly.
func (b *builder) output(internal, name string) {
	for _, n := range b.g.Nodes {
		for i, o := range n.Outputs {
			if o == internal {
				n.Outputs[i] = name
			}
		}
	}
	for _, n := range b.g.Nodes {
		for i, in := range n.Inputs {
			if in == internal {
				n.Inputs[i] = name
			}
		}
	}
	b.g.Outputs = append(b.g.Outputs, &onnxpb.ValueInfo{Name: name, Kind: onnxpb.TypeTensor, ElemType: onnxpb.ElemFloat})
}

// node adds a node named scope + "/" + op (made unique) with nout outputs and
// returns its output names.
func (b *builder) node(scope, op string, ins []string, nout int, attrs ...*onnxpb.Attribute) []string {
	name := scope + "/" + op
	if k := b.used[name]; k > 0 {
		b.used[name] = k + 1
		name += "_" + strconv.Itoa(k)
	} else {
		b.used[name] = 1
	}
	n := &onnxpb.Node{Name: name, OpType: op, Inputs: ins, Attributes: attrs}
	for i := 0; i < nout; i++ {
		n.Outputs = append(n.Outputs, name+"_output_"+strconv.Itoa(i))
	}
	b.g.Nodes = append(b.g.Nodes, n)
	return n.Outputs
}

// op1 adds a node with one output.
func (b *builder) op1(scope, op string, ins []string, attrs ...*onnxpb.Attribute) string {
	return b.node(scope, op, ins, 1, attrs...)[0]
}

// Attributes.

func attrInt(name string, v int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInt, I: v}
}

func attrInts(name string, v ...int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInts, Ints: v}
}

func attrFloat(name string, v float32) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrFloat, F: v}
}

func attrString(name, v string) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrString, S: []byte(v)}
}

// Parameters and constants.

func (b *builder) initializer(name string, dims []int64, v []float32) string {
	raw := make([]byte, 4*len(v))
	for i, f := range v {
		u := math.Float32bits(f)
		raw[4*i], raw[4*i+1], raw[4*i+2], raw[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	b.g.Initializers = append(b.g.Initializers, &onnxpb.Tensor{Name: name, DataType: onnxpb.ElemFloat, Dims: dims, RawData: raw})
	return name
}

func volume(dims []int64) int {
	n := 1
	for _, d := range dims {
		n *= int(d)
	}
	return n
}

// normal adds an initializer drawn from N(mean, std²).
func (b *builder) normal(name string, dims []int64, mean, std float64) string {
	v := make([]float32, volume(dims))
	for i := range v {
		v[i] = float32(mean + std*b.rng.NormFloat64())
	}
	return b.initializer(name, dims, v)
}

// uniform adds an initializer drawn from U(lo, hi).
func (b *builder) uniform(name string, dims []int64, lo, hi float64) string {
	v := make([]float32, volume(dims))
	for i := range v {
		v[i] = float32(lo + (hi-lo)*b.rng.Float64())
	}
	return b.initializer(name, dims, v)
}

// constTensor adds a Constant node holding t.
func (b *builder) constTensor(scope string, t *onnxpb.Tensor) string {
	return b.op1(scope, "Constant", nil, &onnxpb.Attribute{Name: "value", Type: onnxpb.AttrTensor, T: t})
}

// constF adds a float scalar Constant (as the exporter does for Python
// numbers in expressions).
func (b *builder) constF(scope string, v float32) string {
	u := math.Float32bits(v)
	return b.constTensor(scope, &onnxpb.Tensor{DataType: onnxpb.ElemFloat, RawData: []byte{byte(u), byte(u >> 8), byte(u >> 16), byte(u >> 24)}})
}

// constI adds an INT64 vector Constant.
func (b *builder) constI(scope string, v ...int64) string {
	return b.constTensor(scope, &onnxpb.Tensor{DataType: onnxpb.ElemInt64, Dims: []int64{int64(len(v))}, Int64Data: v})
}

// constIScalar adds an INT64 scalar Constant.
func (b *builder) constIScalar(scope string, v int64) string {
	return b.constTensor(scope, &onnxpb.Tensor{DataType: onnxpb.ElemInt64, Int64Data: []int64{v}})
}

// Layers.

// convSpec describes a Conv: kernel (kh, kw), stride, symmetric padding,
// groups, bias, and the He gain² of its initialization.
type convSpec struct {
	cin, cout  int
	kh, kw     int
	stride     int
	padH, padW int
	group      int
	bias       bool
	gainSq     float64 // He gain²: 2 before ReLU-like activations, 1 before linear ones
	strideH    int     // overrides stride for H when set
}

// conv adds a Conv with He-initialized weights (std = sqrt(gain²/fan_in)).
func (b *builder) conv(scope, param, x string, s convSpec) string {
	if s.group == 0 {
		s.group = 1
	}
	if s.stride == 0 {
		s.stride = 1
	}
	if s.gainSq == 0 {
		s.gainSq = 2
	}
	fanIn := s.cin / s.group * s.kh * s.kw
	w := b.normal(param+".weight", []int64{int64(s.cout), int64(s.cin / s.group), int64(s.kh), int64(s.kw)}, 0, math.Sqrt(s.gainSq/float64(fanIn)))
	ins := []string{x, w}
	if s.bias {
		bound := 1 / math.Sqrt(float64(fanIn))
		ins = append(ins, b.uniform(param+".bias", []int64{int64(s.cout)}, -bound, bound))
	}
	return b.op1(scope, "Conv", ins,
		attrInts("dilations", 1, 1),
		attrInt("group", int64(s.group)),
		attrInts("kernel_shape", int64(s.kh), int64(s.kw)),
		attrInts("pads", int64(s.padH), int64(s.padW), int64(s.padH), int64(s.padW)),
		attrInts("strides", int64(s.stride), int64(s.stride)))
}

// batchNorm adds an inference BatchNormalization with running statistics
// that a trained network might have.
func (b *builder) batchNorm(scope, param, x string, c int) string {
	d := []int64{int64(c)}
	gamma := b.uniform(param+".weight", d, 0.8, 1.2)
	beta := b.normal(param+".bias", d, 0, 0.1)
	mean := b.normal(param+".running_mean", d, 0, 0.1)
	variance := b.uniform(param+".running_var", d, 0.6, 1.4)
	return b.op1(scope, "BatchNormalization", []string{x, gamma, beta, mean, variance},
		attrFloat("epsilon", 1e-5), attrFloat("momentum", 0.9))
}

func (b *builder) relu(scope, x string) string { return b.op1(scope, "Relu", []string{x}) }

// clip06 adds Clip(x, 0, 6) with min and max as Constant inputs (opset 11+).
func (b *builder) clip06(scope, x string) string {
	lo := b.constF(scope, 0)
	hi := b.constF(scope, 6)
	return b.op1(scope, "Clip", []string{x, lo, hi})
}

// hardSwish writes x * Clip(x + 3, 0, 6) / 6, as older exporters and
// hand-written MobileNetV3/YOLOv5 code produce it.
func (b *builder) hardSwish(scope, x string) string {
	three := b.constF(scope, 3)
	a := b.op1(scope, "Add", []string{x, three})
	c := b.clip06(scope, a)
	m := b.op1(scope, "Mul", []string{x, c})
	six := b.constF(scope, 6)
	return b.op1(scope, "Div", []string{m, six})
}

// hardSigmoid writes Clip(x + 3, 0, 6) / 6.
func (b *builder) hardSigmoid(scope, x string) string {
	three := b.constF(scope, 3)
	a := b.op1(scope, "Add", []string{x, three})
	c := b.clip06(scope, a)
	six := b.constF(scope, 6)
	return b.op1(scope, "Div", []string{c, six})
}

// linear adds y = x·W + b as MatMul + Add (PyTorch's export of nn.Linear on
// inputs of rank > 2), with W stored transposed ([in, out]) and Xavier
// initialization scaled by gain².
func (b *builder) linear(scope, param, x string, in, out int, gainSq float64) string {
	w := b.normal(param+".weight", []int64{int64(in), int64(out)}, 0, math.Sqrt(gainSq*2/float64(in+out)))
	bound := 1 / math.Sqrt(float64(in))
	bias := b.uniform(param+".bias", []int64{int64(out)}, -bound, bound)
	mm := b.op1(scope, "MatMul", []string{x, w})
	return b.op1(scope, "Add", []string{bias, mm})
}

// gemm adds nn.Linear on a matrix as Gemm(x, W, b, transB=1) with W [out, in].
func (b *builder) gemm(scope, param, x string, in, out int, gainSq float64) string {
	w := b.normal(param+".weight", []int64{int64(out), int64(in)}, 0, math.Sqrt(gainSq/float64(in)))
	bound := 1 / math.Sqrt(float64(in))
	bias := b.uniform(param+".bias", []int64{int64(out)}, -bound, bound)
	return b.op1(scope, "Gemm", []string{x, w, bias},
		attrFloat("alpha", 1), attrFloat("beta", 1), attrInt("transB", 1))
}

// reduceMean over axes, keepdims=1: axes as attribute before opset 18, as a
// Constant input from 18 on.
func (b *builder) reduceMean(scope, x string, axes ...int64) string {
	if b.opset >= 18 {
		a := b.constI(scope, axes...)
		return b.op1(scope, "ReduceMean", []string{x, a}, attrInt("keepdims", 1))
	}
	return b.op1(scope, "ReduceMean", []string{x}, attrInts("axes", axes...), attrInt("keepdims", 1))
}

// unsqueeze with axes as an input (opset 13+) or attribute.
func (b *builder) unsqueeze(scope, x string, axes ...int64) string {
	if b.opset >= 13 {
		return b.op1(scope, "Unsqueeze", []string{x, b.constI(scope, axes...)})
	}
	return b.op1(scope, "Unsqueeze", []string{x}, attrInts("axes", axes...))
}

// squeeze with axes as an input (opset 13+) or attribute.
func (b *builder) squeeze(scope, x string, axes ...int64) string {
	if b.opset >= 13 {
		return b.op1(scope, "Squeeze", []string{x, b.constI(scope, axes...)})
	}
	return b.op1(scope, "Squeeze", []string{x}, attrInts("axes", axes...))
}

func (b *builder) reshape(scope, x string, shape ...int64) string {
	return b.op1(scope, "Reshape", []string{x, b.constI(scope, shape...)})
}

func (b *builder) transpose(scope, x string, perm ...int64) string {
	return b.op1(scope, "Transpose", []string{x}, attrInts("perm", perm...))
}

// layerNorm writes LayerNorm over the last axis decomposed as PyTorch's
// exporter did before opset 17 (and as many hand-written models still do):
// ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div, Mul gamma, Add beta.
func (b *builder) layerNorm(scope, param, x string, d int) string {
	mean := b.reduceMean(scope, x, -1)
	xc := b.op1(scope, "Sub", []string{x, mean})
	two := b.constF(scope, 2)
	sq := b.op1(scope, "Pow", []string{xc, two})
	v := b.reduceMean(scope, sq, -1)
	eps := b.constF(scope, 1e-5)
	ve := b.op1(scope, "Add", []string{v, eps})
	sd := b.op1(scope, "Sqrt", []string{ve})
	n := b.op1(scope, "Div", []string{xc, sd})
	gamma := b.uniform(param+".weight", []int64{int64(d)}, 0.8, 1.2)
	beta := b.normal(param+".bias", []int64{int64(d)}, 0, 0.05)
	m := b.op1(scope, "Mul", []string{n, gamma})
	return b.op1(scope, "Add", []string{m, beta})
}

// gelu writes the exact GELU as the exporter does: x * 0.5 * (1 + erf(x / sqrt 2)).
func (b *builder) gelu(scope, x string) string {
	s2 := b.constF(scope, float32(math.Sqrt2))
	d := b.op1(scope, "Div", []string{x, s2})
	e := b.op1(scope, "Erf", []string{d})
	one := b.constF(scope, 1)
	a := b.op1(scope, "Add", []string{e, one})
	m := b.op1(scope, "Mul", []string{x, a})
	half := b.constF(scope, 0.5)
	return b.op1(scope, "Mul", []string{m, half})
}

func dimOf(size int, dynamic bool, param string) dim {
	if dynamic {
		return dim{param: param}
	}
	return dim{size: size}
}

func checkPositive(what string, vs ...int) error {
	for _, v := range vs {
		if v <= 0 {
			return fmt.Errorf("models: %s must be positive, got %d", what, v)
		}
	}
	return nil
}
