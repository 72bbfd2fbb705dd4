package fp16

import (
	"math/rand/v2"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// builder makes small ONNX models for the tests.
type builder struct {
	g *onnxpb.Graph
	r *rand.Rand
}

func newBuilder(name string) *builder {
	return &builder{g: &onnxpb.Graph{Name: name}, r: rand.New(rand.NewPCG(42, 7))}
}

func dims(ds []int64) []onnxpb.Dim {
	out := make([]onnxpb.Dim, len(ds))
	for i, d := range ds {
		out[i] = onnxpb.Dim{Value: d, Known: true}
	}
	return out
}

func tensorVI(name string, t onnxpb.ElemType, ds ...int64) *onnxpb.ValueInfo {
	return &onnxpb.ValueInfo{Name: name, Kind: onnxpb.TypeTensor, ElemType: t, Shape: dims(ds), HasShape: true}
}

func (b *builder) input(name string, t onnxpb.ElemType, ds ...int64) {
	b.g.Inputs = append(b.g.Inputs, tensorVI(name, t, ds...))
}

func (b *builder) output(name string, t onnxpb.ElemType, ds ...int64) {
	b.g.Outputs = append(b.g.Outputs, tensorVI(name, t, ds...))
}

func floatTensor(name string, vals []float32, ds ...int64) *onnxpb.Tensor {
	return &onnxpb.Tensor{Name: name, DataType: onnxpb.ElemFloat, Dims: ds, FloatData: vals}
}

func (b *builder) init(name string, vals []float32, ds ...int64) {
	b.g.Initializers = append(b.g.Initializers, floatTensor(name, vals, ds...))
}

// randInit adds a FLOAT initializer with values uniform in [-scale, scale).
func (b *builder) randInit(name string, scale float32, ds ...int64) {
	n := int64(1)
	for _, d := range ds {
		n *= d
	}
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = (float32(b.r.Float64())*2 - 1) * scale
	}
	b.init(name, vals, ds...)
}

func (b *builder) initI64(name string, vals []int64, ds ...int64) {
	b.g.Initializers = append(b.g.Initializers, &onnxpb.Tensor{Name: name, DataType: onnxpb.ElemInt64, Dims: ds, Int64Data: vals})
}

func (b *builder) node(op, name string, ins, outs []string, attrs ...*onnxpb.Attribute) *onnxpb.Node {
	n := &onnxpb.Node{Name: name, OpType: op, Inputs: ins, Outputs: outs, Attributes: attrs}
	b.g.Nodes = append(b.g.Nodes, n)
	return n
}

func (b *builder) model(opset int64) *onnxpb.Model {
	return &onnxpb.Model{IRVersion: 8, ProducerName: "gotrt-fp16-test",
		OpsetImports: []onnxpb.OpsetID{{Version: opset}}, Graph: b.g}
}

func aInt(name string, v int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInt, I: v}
}

func aInts(name string, v ...int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInts, Ints: v}
}

func aFloat(name string, v float32) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrFloat, F: v}
}

func aString(name, v string) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrString, S: []byte(v)}
}

func aTensor(name string, t *onnxpb.Tensor) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrTensor, T: t}
}

func aGraph(name string, g *onnxpb.Graph) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrGraph, G: g}
}

// mlpModel: x[2,16] → MatMul → Add → Relu → MatMul → Add → Softmax → y[2,8].
func mlpModel() *onnxpb.Model {
	b := newBuilder("mlp")
	b.input("x", onnxpb.ElemFloat, 2, 16)
	b.randInit("w1", 0.5, 16, 32)
	b.randInit("b1", 0.1, 32)
	b.randInit("w2", 0.5, 32, 8)
	b.randInit("b2", 0.1, 8)
	b.node("MatMul", "fc1", []string{"x", "w1"}, []string{"h1"})
	b.node("Add", "fc1_bias", []string{"h1", "b1"}, []string{"h2"})
	b.node("Relu", "relu", []string{"h2"}, []string{"h3"})
	b.node("MatMul", "fc2", []string{"h3", "w2"}, []string{"h4"})
	b.node("Add", "fc2_bias", []string{"h4", "b2"}, []string{"logits"})
	b.node("Softmax", "softmax", []string{"logits"}, []string{"y"}, aInt("axis", -1))
	b.output("y", onnxpb.ElemFloat, 2, 8)
	return b.model(13)
}

// convModel: Conv → BatchNormalization → Relu → MaxPool → Resize(scales) →
// Conv → GlobalAveragePool → Flatten → Gemm, x[1,3,16,16] → y[1,4].
func convModel() *onnxpb.Model {
	b := newBuilder("convnet")
	b.input("x", onnxpb.ElemFloat, 1, 3, 16, 16)
	b.randInit("conv1_w", 0.4, 8, 3, 3, 3)
	b.randInit("conv1_b", 0.1, 8)
	b.init("bn_scale", []float32{1, 0.9, 1.1, 1.2, 0.8, 1, 1.05, 0.95}, 8)
	b.init("bn_bias", []float32{0, 0.1, -0.1, 0.05, 0, 0.2, -0.2, 0}, 8)
	b.init("bn_mean", []float32{0.1, 0, -0.1, 0.2, 0, 0.05, 0, -0.05}, 8)
	b.init("bn_var", []float32{1, 1.5, 0.8, 1.2, 0.9, 1, 1.1, 2}, 8)
	b.init("resize_scales", []float32{1, 1, 2, 2}, 4)
	b.randInit("conv2_w", 0.3, 8, 8, 3, 3)
	b.randInit("fc_w", 0.5, 4, 8)
	b.randInit("fc_b", 0.1, 4)
	b.node("Conv", "conv1", []string{"x", "conv1_w", "conv1_b"}, []string{"c1"}, aInts("pads", 1, 1, 1, 1), aInts("kernel_shape", 3, 3))
	b.node("BatchNormalization", "bn1", []string{"c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, []string{"bn1_out"}, aFloat("epsilon", 1e-5))
	b.node("Relu", "relu1", []string{"bn1_out"}, []string{"r1"})
	b.node("MaxPool", "pool1", []string{"r1"}, []string{"p1"}, aInts("kernel_shape", 2, 2), aInts("strides", 2, 2))
	b.node("Resize", "up1", []string{"p1", "", "resize_scales"}, []string{"u1"}, aString("mode", "nearest"))
	b.node("Conv", "conv2", []string{"u1", "conv2_w"}, []string{"c2"}, aInts("pads", 1, 1, 1, 1), aInts("kernel_shape", 3, 3))
	b.node("GlobalAveragePool", "gap", []string{"c2"}, []string{"g"})
	b.node("Flatten", "flatten", []string{"g"}, []string{"f"}, aInt("axis", 1))
	b.node("Gemm", "fc", []string{"f", "fc_w", "fc_b"}, []string{"y"}, aInt("transB", 1))
	b.output("y", onnxpb.ElemFloat, 1, 4)
	return b.model(13)
}

// layerNormModel: LayerNorm written out: ReduceMean, Sub, Pow, ReduceMean,
// Add(eps), Sqrt, Div, Mul(gamma), Add(beta); x[2,4,16] → y[2,4,16].
func layerNormModel() *onnxpb.Model {
	b := newBuilder("layernorm")
	b.input("x", onnxpb.ElemFloat, 2, 4, 16)
	b.init("two", []float32{2})
	b.init("eps", []float32{1e-5})
	b.randInit("gamma", 1, 16)
	b.randInit("beta", 0.2, 16)
	b.node("ReduceMean", "ln_mean", []string{"x"}, []string{"mean"}, aInts("axes", -1))
	b.node("Sub", "ln_sub", []string{"x", "mean"}, []string{"d"})
	b.node("Pow", "ln_pow", []string{"d", "two"}, []string{"d2"})
	b.node("ReduceMean", "ln_var", []string{"d2"}, []string{"var"}, aInts("axes", -1))
	b.node("Add", "ln_add_eps", []string{"var", "eps"}, []string{"var_eps"})
	b.node("Sqrt", "ln_sqrt", []string{"var_eps"}, []string{"std"})
	b.node("Div", "ln_div", []string{"d", "std"}, []string{"n"})
	b.node("Mul", "ln_gamma", []string{"n", "gamma"}, []string{"ng"})
	b.node("Add", "ln_beta", []string{"ng", "beta"}, []string{"y"})
	b.output("y", onnxpb.ElemFloat, 2, 4, 16)
	return b.model(13)
}

// castConstModel: y = (Cast(idx, to=FLOAT) + x) * c * 0.5 + k, with c and
// 0.5 Constant nodes (value, value_float) and k an initializer.
func castConstModel() *onnxpb.Model {
	b := newBuilder("castconst")
	b.input("x", onnxpb.ElemFloat, 4)
	b.input("idx", onnxpb.ElemInt64, 4)
	b.init("big", []float32{1, -1, 0.25, 0.5}, 4)
	b.node("Constant", "c", nil, []string{"c_out"}, aTensor("value", floatTensor("", []float32{0.5, 2, -1, 3}, 4)))
	b.node("Constant", "c_scalar", nil, []string{"c_half"}, aFloat("value_float", 0.5))
	b.node("Cast", "to_float", []string{"idx"}, []string{"idx_f"}, aInt("to", int64(onnxpb.ElemFloat)))
	b.node("Add", "add", []string{"idx_f", "x"}, []string{"s"})
	b.node("Mul", "mul", []string{"s", "c_out"}, []string{"p"})
	b.node("Mul", "mul_half", []string{"p", "c_half"}, []string{"p2"})
	b.node("Add", "add_big", []string{"p2", "big"}, []string{"y"})
	b.output("y", onnxpb.ElemFloat, 4)
	return b.model(13)
}

// ifModel: (y, z) = If(cond) then (x + Constant(1.5), x * Constant(c2))
// else (x * w, Identity(x)), reading x and w from the main graph.
func ifModel() *onnxpb.Model { return ifModelWith(3) }

func ifModelWith(c2 float32) *onnxpb.Model {
	b := newBuilder("ifmodel")
	b.input("x", onnxpb.ElemFloat, 2, 3)
	b.input("cond", onnxpb.ElemBool)
	b.randInit("w", 1, 2, 3)
	then := newBuilder("then")
	then.node("Constant", "then_c", nil, []string{"tc"}, aTensor("value", floatTensor("", []float32{1.5})))
	then.node("Add", "then_add", []string{"x", "tc"}, []string{"then_y"})
	then.node("Constant", "then_c2", nil, []string{"tc2"}, aTensor("value", floatTensor("", []float32{c2})))
	then.node("Mul", "then_mul", []string{"x", "tc2"}, []string{"then_z"})
	then.output("then_y", onnxpb.ElemFloat, 2, 3)
	then.output("then_z", onnxpb.ElemFloat, 2, 3)
	els := newBuilder("else")
	els.node("Mul", "else_mul", []string{"x", "w"}, []string{"else_y"})
	els.output("else_y", onnxpb.ElemFloat, 2, 3)
	els.node("Identity", "else_id", []string{"x"}, []string{"else_z"})
	els.output("else_z", onnxpb.ElemFloat, 2, 3)
	b.node("If", "if", []string{"cond"}, []string{"y", "z"}, aGraph("then_branch", then.g), aGraph("else_branch", els.g))
	b.output("y", onnxpb.ElemFloat, 2, 3)
	b.output("z", onnxpb.ElemFloat, 2, 3)
	return b.model(13)
}

// loopModel: a Loop that adds delta to a carried value trip times and
// collects each step (scan output); x[3], y[3], steps[trip,3].
func loopModel() *onnxpb.Model {
	b := newBuilder("loopmodel")
	b.input("x", onnxpb.ElemFloat, 3)
	b.initI64("trip", []int64{4})
	b.init("delta", []float32{0.25, -0.5, 1e-9}, 3)
	body := newBuilder("body")
	body.input("i", onnxpb.ElemInt64)
	body.input("cond_in", onnxpb.ElemBool)
	body.input("acc", onnxpb.ElemFloat, 3)
	body.node("Identity", "body_cond", []string{"cond_in"}, []string{"cond_out"})
	body.node("Constant", "body_c", nil, []string{"half"}, aFloat("value_float", 0.5))
	body.node("Mul", "body_mul", []string{"delta", "half"}, []string{"step"})
	body.node("Add", "body_add", []string{"acc", "step"}, []string{"acc_out"})
	body.node("Identity", "body_scan", []string{"acc_out"}, []string{"scan_out"})
	body.output("cond_out", onnxpb.ElemBool)
	body.output("acc_out", onnxpb.ElemFloat, 3)
	body.output("scan_out", onnxpb.ElemFloat, 3)
	b.node("Loop", "loop", []string{"trip", "", "x"}, []string{"y", "steps"}, aGraph("body", body.g))
	b.output("y", onnxpb.ElemFloat, 3)
	b.output("steps", onnxpb.ElemFloat, 4, 3)
	return b.model(13)
}

// shapeOpsModel: y = x + ConstantOfShape(Shape(x), 0.5) +
// ConstantOfShape(Shape(x)) + Range(0, 3, 1), x[2,3].
func shapeOpsModel() *onnxpb.Model {
	b := newBuilder("shapeops")
	b.input("x", onnxpb.ElemFloat, 2, 3)
	b.init("start", []float32{0})
	b.init("limit", []float32{3})
	b.init("delta", []float32{1})
	b.node("Shape", "shape", []string{"x"}, []string{"s"})
	b.node("ConstantOfShape", "half", []string{"s"}, []string{"k"}, aTensor("value", floatTensor("", []float32{0.5}, 1)))
	b.node("ConstantOfShape", "zeros", []string{"s"}, []string{"z"})
	b.node("Range", "range", []string{"start", "limit", "delta"}, []string{"r"})
	b.node("Add", "add1", []string{"x", "k"}, []string{"a1"})
	b.node("Add", "add2", []string{"a1", "z"}, []string{"a2"})
	b.node("Add", "add3", []string{"a2", "r"}, []string{"y"})
	b.output("y", onnxpb.ElemFloat, 2, 3)
	return b.model(13)
}
