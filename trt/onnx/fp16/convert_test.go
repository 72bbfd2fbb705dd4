package fp16

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/x448/float16"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// FP16 tolerances for comparing the converted model's outputs with the
// original's in ONNX Runtime.
const (
	fp16RTol = 1e-2
	fp16ATol = 1e-3
)

type modelCase struct {
	name  string
	model func() *onnxpb.Model
	// inputs overrides random inputs (nil: random).
	inputs func(t testing.TB, m *onnxpb.Model) map[string]*tensor.Tensor
}

func boolInput(name string, v bool) *tensor.Tensor {
	return &tensor.Tensor{Name: name, Type: tensor.Bool, Dims: []int{}, Data: []bool{v}}
}

func ifInputs(cond bool) func(t testing.TB, m *onnxpb.Model) map[string]*tensor.Tensor {
	return func(t testing.TB, m *onnxpb.Model) map[string]*tensor.Tensor {
		in := randomInputs(t, m, 3)
		in["cond"] = boolInput("cond", cond)
		return in
	}
}

var modelCases = []modelCase{
	{name: "mlp", model: mlpModel},
	{name: "convnet", model: convModel},
	{name: "layernorm", model: layerNormModel},
	{name: "castconst", model: castConstModel},
	{name: "if_then", model: ifModel, inputs: ifInputs(true)},
	{name: "if_else", model: ifModel, inputs: ifInputs(false)},
	{name: "loop", model: loopModel},
	{name: "shapeops", model: shapeOpsModel},
}

// TestConvertModels converts each test model with I/O kept FLOAT and with
// I/O converted, checks the result's structure and types (and runs
// onnx.checker when python3 with onnx is present), and compares ONNX
// Runtime's outputs for the original and the converted model.
func TestConvertModels(t *testing.T) {
	checked := t.TempDir() // converted models, for one onnx.checker run
	for _, mc := range modelCases {
		for _, keep := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/keep_io=%v", mc.name, keep), func(t *testing.T) {
				m := mc.model()
				before, err := onnxpb.Encode(m)
				require.NoError(t, err)
				opt := DefaultOptions()
				opt.KeepIOTypes = keep
				cm, rep, err := Convert(m, opt)
				require.NoError(t, err)
				after, err := onnxpb.Encode(m)
				require.NoError(t, err)
				require.Equal(t, before, after, "Convert must not change its input")

				checkStructure(t, cm)
				checkIOTypes(t, m, cm, keep)
				checkNoFloatLeft(t, cm, rep)
				require.NoError(t, onnxpb.SaveFile(cm, filepath.Join(checked, fmt.Sprintf("%s_keep_%v.onnx", mc.name, keep))))
				compareORT(t, m, cm, keep, mc.inputs)
			})
		}
	}
	if !checkONNXDir(t, checked) {
		t.Log("python3 with onnx not found: onnx.checker skipped")
	}
}

// compareORT runs the original and the converted model in ONNX Runtime on
// the same inputs and requires FP16-close outputs.
func compareORT(t *testing.T, m, cm *onnxpb.Model, keep bool,
	inputs func(testing.TB, *onnxpb.Model) map[string]*tensor.Tensor) {
	t.Helper()
	if _, err := ortLibrary(); err != nil {
		t.Logf("ONNX Runtime not available, comparison skipped: %v", err)
		return
	}
	needORT(t)
	var in map[string]*tensor.Tensor
	if inputs != nil {
		in = inputs(t, m)
	} else {
		in = randomInputs(t, m, 1)
	}
	want := runORT(t, m, in)
	cin := in
	if !keep {
		cin = halfInputs(in)
	}
	got := runORT(t, cm, cin)
	require.Len(t, got, len(want))
	for name, w := range want {
		g := got[name]
		require.NotNil(t, g, name)
		if keep {
			require.Equal(t, w.Type, g.Type, name)
		} else if w.Type == tensor.Float {
			require.Equal(t, tensor.Half, g.Type, name)
		}
		d := compare(g, w, fp16RTol, fp16ATol)
		t.Logf("output %s: %d values, max abs diff %.3g, max rel diff %.3g", name, d.n, d.maxAbs, d.maxRel)
		require.Zero(t, d.fail, "output %s: %d of %d values outside rtol %g atol %g (max abs %g)",
			name, d.fail, d.n, fp16RTol, fp16ATol, d.maxAbs)
	}
}

// checkStructure checks that every graph of m is in topological order, that
// every value is defined once (across scopes) and every node name is unique.
func checkStructure(t *testing.T, m *onnxpb.Model) {
	t.Helper()
	values := map[string]bool{}
	nodes := map[string]bool{}
	var walk func(g *onnxpb.Graph, outer []map[string]bool)
	walk = func(g *onnxpb.Graph, outer []map[string]bool) {
		def := map[string]bool{}
		scopes := append(slices.Clone(outer), def)
		defined := func(name string) bool {
			for _, s := range scopes {
				if s[name] {
					return true
				}
			}
			return false
		}
		add := func(name string) {
			if name == "" {
				return
			}
			require.False(t, values[name], "value %q defined twice", name)
			values[name] = true
			def[name] = true
		}
		for _, v := range g.Inputs {
			add(v.Name)
		}
		for _, it := range g.Initializers {
			if !def[it.Name] { // an input's default value
				add(it.Name)
			}
		}
		for _, sp := range g.SparseInitializers {
			add(sp.Values.Name)
		}
		for _, n := range g.Nodes {
			if n.Name != "" {
				require.False(t, nodes[n.Name], "node name %q used twice", n.Name)
				nodes[n.Name] = true
			}
			for _, in := range n.Inputs {
				require.True(t, in == "" || defined(in), "graph %q: node %s reads %q before it is defined", g.Name, n.Name, in)
			}
			for _, sg := range subgraphs(n) {
				walk(sg, scopes)
			}
			for _, o := range n.Outputs {
				add(o)
			}
		}
		for _, o := range g.Outputs {
			require.True(t, defined(o.Name), "graph %q: output %q not defined", g.Name, o.Name)
		}
	}
	walk(m.Graph, nil)
}

// checkIOTypes: FLOAT inputs and outputs stay FLOAT with KeepIOTypes, and
// become FLOAT16 without; others keep their types.
func checkIOTypes(t *testing.T, m, cm *onnxpb.Model, keep bool) {
	t.Helper()
	check := func(orig, conv []*onnxpb.ValueInfo) {
		require.Len(t, conv, len(orig))
		for i, o := range orig {
			c := conv[i]
			require.Equal(t, o.Name, c.Name)
			want := o.ElemType
			if o.ElemType == onnxpb.ElemFloat && !keep {
				want = onnxpb.ElemFloat16
			}
			require.Equal(t, want, c.ElemType, "value %q", o.Name)
			require.Equal(t, len(o.Shape), len(c.Shape), "value %q", o.Name)
			for k := range o.Shape {
				require.Equal(t, o.Shape[k], c.Shape[k], "value %q", o.Name)
			}
		}
	}
	check(m.Graph.Inputs, cm.Graph.Inputs)
	check(m.Graph.Outputs, cm.Graph.Outputs)
}

// checkNoFloatLeft: every FLOAT initializer and Constant left in the model
// (any graph) is one the report says was kept or copied in FP32.
func checkNoFloatLeft(t *testing.T, m *onnxpb.Model, rep *Report) {
	t.Helper()
	kept := map[string]bool{}
	for _, k := range append(slices.Clone(rep.KeptFloat), rep.FloatCopies...) {
		kept[k] = true
	}
	var walk func(g *onnxpb.Graph)
	walk = func(g *onnxpb.Graph) {
		for _, it := range g.Initializers {
			if it.DataType == onnxpb.ElemFloat {
				require.True(t, kept[it.Name], "initializer %q is still FLOAT", it.Name)
			}
		}
		for _, n := range g.Nodes {
			if n.OpType == "Constant" {
				if a := n.Attr("value"); a != nil && a.T != nil && a.T.DataType == onnxpb.ElemFloat {
					require.True(t, kept[n.Outputs[0]], "Constant %q is still FLOAT", n.Outputs[0])
				}
				require.Nil(t, n.Attr("value_float"))
				require.Nil(t, n.Attr("value_floats"))
			}
			for _, sg := range subgraphs(n) {
				walk(sg)
			}
		}
	}
	walk(m.Graph)
}

func findNode(g *onnxpb.Graph, name string) *onnxpb.Node {
	for _, n := range g.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// producer returns the node of g that writes value name.
func producer(g *onnxpb.Graph, name string) *onnxpb.Node {
	for _, n := range g.Nodes {
		if slices.Contains(n.Outputs, name) {
			return n
		}
	}
	return nil
}

func consumers(g *onnxpb.Graph, name string) []*onnxpb.Node {
	var ns []*onnxpb.Node
	for _, n := range g.Nodes {
		if slices.Contains(n.Inputs, name) {
			ns = append(ns, n)
		}
	}
	return ns
}

func initializer(g *onnxpb.Graph, name string) *onnxpb.Tensor {
	for _, it := range g.Initializers {
		if it.Name == name {
			return it
		}
	}
	return nil
}

func castTo(t *testing.T, n *onnxpb.Node) onnxpb.ElemType {
	t.Helper()
	require.NotNil(t, n)
	require.Equal(t, "Cast", n.OpType, "node %s", n.Name)
	return onnxpb.ElemType(n.Attr("to").I)
}

func halfValues(t *testing.T, tp *onnxpb.Tensor) []float32 {
	t.Helper()
	require.Equal(t, onnxpb.ElemFloat16, tp.DataType, "tensor %q", tp.Name)
	h, err := tp.ToHost()
	require.NoError(t, err)
	out := make([]float32, h.Len())
	for i, v := range h.Data.([]float16.Float16) {
		out[i] = v.Float32()
	}
	return out
}

// TestKeepIOCasts: with KeepIOTypes the FLOAT input is followed by one Cast
// to FLOAT16 shared by its consumers, and the output comes from a Cast to
// FLOAT; without, there is no Cast at all.
func TestKeepIOCasts(t *testing.T) {
	cm, rep, err := Convert(layerNormModel(), DefaultOptions())
	require.NoError(t, err)
	g := cm.Graph
	// x feeds ReduceMean and Sub: one Cast.
	cs := consumers(g, "x")
	require.Len(t, cs, 1)
	require.Equal(t, onnxpb.ElemFloat16, castTo(t, cs[0]))
	require.Len(t, consumers(g, cs[0].Outputs[0]), 2)
	require.Equal(t, onnxpb.ElemFloat, castTo(t, producer(g, "y")))
	require.Len(t, rep.InsertedCasts, 2)

	opt := DefaultOptions()
	opt.KeepIOTypes = false
	cm, rep, err = Convert(layerNormModel(), opt)
	require.NoError(t, err)
	require.Empty(t, rep.InsertedCasts)
	for _, n := range cm.Graph.Nodes {
		require.NotEqual(t, "Cast", n.OpType)
	}
	// Pow's exponent and the epsilon became FLOAT16 too.
	require.Equal(t, []float32{2}, halfValues(t, initializer(cm.Graph, "two")))
	require.InDelta(t, 1e-5, halfValues(t, initializer(cm.Graph, "eps"))[0], 1e-7)
}

// TestResizeScalesStayFloat: Resize's scales input is tensor(float) only:
// its initializer stays FLOAT without a Cast, and the report says so.
func TestResizeScalesStayFloat(t *testing.T) {
	cm, rep, err := Convert(convModel(), DefaultOptions())
	require.NoError(t, err)
	g := cm.Graph
	require.Equal(t, onnxpb.ElemFloat, initializer(g, "resize_scales").DataType)
	require.Equal(t, "resize_scales", findNode(g, "up1").Inputs[2])
	require.Contains(t, rep.KeptFloat, "resize_scales")
	require.Contains(t, rep.FloatOnlyInputs, FloatInput{Node: "up1", OpType: "Resize", Input: 2, Name: "scales", Value: "resize_scales"})
	for _, name := range []string{"conv1_w", "conv1_b", "bn_scale", "bn_bias", "bn_mean", "bn_var", "conv2_w", "fc_w", "fc_b"} {
		require.Equal(t, onnxpb.ElemFloat16, initializer(g, name).DataType, name)
		require.Contains(t, rep.ConvertedInitializers, name)
	}
	require.Empty(t, rep.Blocked)
}

// TestMixedInitializerUse: an initializer read both as Resize scales (FP32)
// and by a Mul (FP16) is converted, and Resize gets an exact FP32 copy.
func TestMixedInitializerUse(t *testing.T) {
	b := newBuilder("mixed")
	b.input("x", onnxpb.ElemFloat, 1, 1, 2, 2)
	b.input("v", onnxpb.ElemFloat, 4)
	b.init("s", []float32{1, 1, 2, 2.1}, 4)
	b.node("Resize", "up", []string{"x", "", "s"}, []string{"y"}, aString("mode", "nearest"))
	b.node("Mul", "mul", []string{"v", "s"}, []string{"z"})
	b.output("y", onnxpb.ElemFloat, 1, 1, 4, 4)
	b.output("z", onnxpb.ElemFloat, 4)
	m := b.model(13)
	cm, rep, err := Convert(m, DefaultOptions())
	require.NoError(t, err)
	g := cm.Graph
	require.Equal(t, onnxpb.ElemFloat16, initializer(g, "s").DataType)
	scales := findNode(g, "up").Inputs[2]
	require.NotEqual(t, "s", scales)
	cp := initializer(g, scales)
	require.NotNil(t, cp)
	require.Equal(t, onnxpb.ElemFloat, cp.DataType)
	require.Equal(t, []float32{1, 1, 2, 2.1}, cp.FloatData, "the copy holds the original values")
	require.Equal(t, []string{scales}, rep.FloatCopies)
	checkStructure(t, cm)
	checkONNX(t, cm)
	compareORT(t, m, cm, true, nil)

	// IR version 3: initializers are graph inputs too, the copy included.
	m.IRVersion = 3
	for _, it := range m.Graph.Initializers {
		m.Graph.Inputs = append(m.Graph.Inputs, tensorVI(it.Name, it.DataType, it.Dims...))
	}
	cm, _, err = Convert(m, DefaultOptions())
	require.NoError(t, err)
	names := []string{}
	for _, in := range cm.Graph.Inputs {
		names = append(names, in.Name)
	}
	require.Equal(t, []string{"x", "v", "s", scales}, names)
	require.Equal(t, onnxpb.ElemFloat16, cm.Graph.Inputs[2].ElemType, "s, a weight declared as an input, is converted")
	require.Equal(t, onnxpb.ElemFloat, cm.Graph.Inputs[3].ElemType)
	require.Equal(t, onnxpb.ElemFloat, cm.Graph.Inputs[0].ElemType)
	checkStructure(t, cm)
	checkONNX(t, cm)
}

// TestClamping: initializer and Constant values outside FP16's comfortable
// range are clamped as onnxconverter-common does (defaults 1e-7 and 1e4).
func TestClamping(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	vals := []float32{1e5, -1e5, 7e4, 1e-9, -1e-9, 0, inf, -inf, nan, 0.5, 1e4, 1e-7, 65504}
	mk := func() *onnxpb.Model {
		b := newBuilder("clamp")
		b.input("x", onnxpb.ElemFloat, int64(len(vals)))
		b.init("k", vals, int64(len(vals)))
		b.node("Constant", "c", nil, []string{"c_out"}, aTensor("value", floatTensor("", []float32{1e5, 3e-8}, 2)))
		b.node("Add", "add", []string{"x", "k"}, []string{"y"})
		b.node("Mul", "mul", []string{"c_out", "c_out"}, []string{"z"})
		b.output("y", onnxpb.ElemFloat, int64(len(vals)))
		b.output("z", onnxpb.ElemFloat, 2)
		return b.model(13)
	}
	cm, rep, err := Convert(mk(), DefaultOptions())
	require.NoError(t, err)
	got := halfValues(t, initializer(cm.Graph, "k"))
	h := func(f float32) float32 { return tensor.RoundHalf(f) }
	want := []float32{1e4, -1e4, 1e4, h(1e-7), -h(1e-7), 0, inf, -inf, nan, 0.5, 1e4, h(1e-7), 1e4}
	for i := range want {
		if math.IsNaN(float64(want[i])) {
			require.True(t, math.IsNaN(float64(got[i])), "element %d", i)
			continue
		}
		require.Equal(t, want[i], got[i], "element %d (%g)", i, vals[i])
	}
	require.Equal(t, float32(1.1920929e-7), h(1e-7), "1e-7 becomes FP16's 2^-23")
	cv := halfValues(t, findNode(cm.Graph, "c").Attr("value").T)
	require.Equal(t, []float32{1e4, h(1e-7)}, cv)
	require.ElementsMatch(t, []Clamp{{Tensor: "k", Small: 2, Large: 4}, {Tensor: "c_out", Small: 1, Large: 1}}, rep.Clamped)
	require.Contains(t, rep.String(), "clamped: 8 values in 2 tensors (3 small, 5 large)")

	// Custom bounds: keep every finite FP16 value.
	opt := DefaultOptions()
	opt.MinPositiveVal, opt.MaxFiniteVal = 5.96e-8, 65504
	cm, rep, err = Convert(mk(), opt)
	require.NoError(t, err)
	got = halfValues(t, initializer(cm.Graph, "k"))
	require.Equal(t, []float32{65504, -65504, 65504, h(5.96e-8), -h(5.96e-8), 0}, got[:6])
	require.Equal(t, float32(7e4), vals[2])
	require.Equal(t, h(1e4), got[10])

	// Bad bounds.
	opt.MinPositiveVal, opt.MaxFiniteVal = 1, 1e6
	_, _, err = Convert(mk(), opt)
	require.ErrorContains(t, err, "clamping bounds")
}

// TestClampValue covers the clamping rule itself.
func TestClampValue(t *testing.T) {
	for _, tc := range []struct {
		in, want float32
		kind     int
	}{
		{2e4, 1e4, 1}, {-2e4, -1e4, 1}, {1e4, 1e4, 0}, {5e-8, 1e-7, -1}, {-5e-8, -1e-7, -1},
		{1e-7, 1e-7, 0}, {0, 0, 0}, {float32(math.Inf(-1)), float32(math.Inf(-1)), 0}, {3, 3, 0},
	} {
		got, kind := clampValue(tc.in, 1e-7, 1e4)
		assert.Equal(t, tc.want, got, "%g", tc.in)
		assert.Equal(t, tc.kind, kind, "%g", tc.in)
	}
}

// TestCastRewrite: Cast(to=FLOAT) becomes Cast(to=FLOAT16), Constants
// (value and value_float) become FLOAT16; a Cast whose only consumer is
// blocked stays to=FLOAT with no Cast pair around the blocked node.
func TestCastRewrite(t *testing.T) {
	cm, rep, err := Convert(castConstModel(), DefaultOptions())
	require.NoError(t, err)
	g := cm.Graph
	require.Equal(t, onnxpb.ElemFloat16, castTo(t, findNode(g, "to_float")))
	require.Equal(t, []string{"to_float"}, rep.RewrittenCasts)
	require.ElementsMatch(t, []string{"c_out", "c_half"}, rep.ConvertedConstants)
	require.Equal(t, []float32{0.5, 2, -1, 3}, halfValues(t, findNode(g, "c").Attr("value").T))
	require.Equal(t, []float32{0.5}, halfValues(t, findNode(g, "c_scalar").Attr("value").T))

	opt := DefaultOptions()
	opt.NodeBlocklist = []string{"add"}
	cm, rep, err = Convert(castConstModel(), opt)
	require.NoError(t, err)
	g = cm.Graph
	require.Equal(t, onnxpb.ElemFloat, castTo(t, findNode(g, "to_float")))
	require.Empty(t, rep.RewrittenCasts)
	add := findNode(g, "add")
	require.Equal(t, "idx_f", add.Inputs[0], "no Cast between the FP32 Cast and the blocked node")
	require.Equal(t, "x", add.Inputs[1], "the FLOAT graph input feeds the blocked node directly")
	require.Equal(t, []Blocked{{Node: "add", OpType: "Add", Reason: "in NodeBlocklist"}}, rep.Blocked)
	require.Equal(t, onnxpb.ElemFloat16, castTo(t, producer(g, "s")), "the blocked node's output is cast for the FP16 Mul")
	checkStructure(t, cm)
	checkONNX(t, cm)
	compareORT(t, castConstModel(), cm, true, nil)
}

// TestBlocklist: a blocklisted op stays FP32 with Casts around it; two
// adjacent blocked nodes have no Casts between them; an initializer only a
// blocked node reads stays FLOAT.
func TestBlocklist(t *testing.T) {
	opt := DefaultOptions()
	opt.Blocklist = append(opt.Blocklist, "Relu")
	cm, rep, err := Convert(mlpModel(), opt)
	require.NoError(t, err)
	g := cm.Graph
	relu := findNode(g, "relu")
	in := producer(g, relu.Inputs[0])
	require.Equal(t, onnxpb.ElemFloat, castTo(t, in))
	// h2's only consumer is FP32: the Add writes a new name and the Cast
	// to FLOAT gives h2 itself.
	require.Equal(t, []string{"h2"}, in.Outputs)
	require.Equal(t, "fc1_bias", producer(g, in.Inputs[0]).Name)
	require.NotEqual(t, "h3", relu.Outputs[0])
	out := consumers(g, relu.Outputs[0])
	require.Len(t, out, 1)
	require.Equal(t, onnxpb.ElemFloat16, castTo(t, out[0]))
	require.Equal(t, []string{"h3"}, out[0].Outputs)
	require.Equal(t, []Blocked{{Node: "relu", OpType: "Relu", Reason: `Blocklist entry "Relu"`}}, rep.Blocked)
	checkStructure(t, cm)
	checkONNX(t, cm)
	compareORT(t, mlpModel(), cm, true, nil)

	// Relu and fc2 blocked: h3 stays FLOAT between them, w2 stays FLOAT.
	opt.NodeBlocklist = []string{"fc2"}
	cm, rep, err = Convert(mlpModel(), opt)
	require.NoError(t, err)
	g = cm.Graph
	require.Equal(t, "h3", findNode(g, "relu").Outputs[0])
	require.Equal(t, []string{"h3", "w2"}, findNode(g, "fc2").Inputs)
	require.Equal(t, onnxpb.ElemFloat, initializer(g, "w2").DataType)
	require.Contains(t, rep.KeptFloat, "w2")
	require.Len(t, rep.Blocked, 2)
	checkStructure(t, cm)
	checkONNX(t, cm)
	compareORT(t, mlpModel(), cm, true, nil)

	// An empty, non-nil list blocks nothing; a conditional entry blocks by
	// attribute value.
	opt = DefaultOptions()
	opt.Blocklist = []string{"Softmax:axis=1"}
	_, rep, err = Convert(mlpModel(), opt)
	require.NoError(t, err)
	require.Empty(t, rep.Blocked, "softmax has axis=-1")
	opt.Blocklist = []string{"Softmax:axis=-1"}
	_, rep, err = Convert(mlpModel(), opt)
	require.NoError(t, err)
	require.Len(t, rep.Blocked, 1)
}

// TestSubgraphs: Constants inside If branches and a Loop body become
// FLOAT16 (and are clamped); subgraph inputs and outputs are FLOAT16; an
// outer FLOAT graph input read in a branch is cast once, outside it.
func TestSubgraphs(t *testing.T) {
	cm, rep, err := Convert(ifModelWith(1e5), DefaultOptions())
	require.NoError(t, err)
	ifn := findNode(cm.Graph, "if")
	then, els := ifn.Attr("then_branch").G, ifn.Attr("else_branch").G
	require.Equal(t, []float32{1.5}, halfValues(t, findNode(then, "then_c").Attr("value").T))
	require.Equal(t, []float32{1e4}, halfValues(t, findNode(then, "then_c2").Attr("value").T))
	for _, o := range append(slices.Clone(then.Outputs), els.Outputs...) {
		require.Equal(t, onnxpb.ElemFloat16, o.ElemType, o.Name)
	}
	// x is a FLOAT graph input: the branches read its FLOAT16 cast, made in
	// the main graph before the If.
	xh := findNode(then, "then_add").Inputs[0]
	require.NotEqual(t, "x", xh)
	require.Equal(t, onnxpb.ElemFloat16, castTo(t, producer(cm.Graph, xh)))
	require.Equal(t, xh, findNode(els, "else_mul").Inputs[0])
	require.Equal(t, xh, findNode(els, "else_id").Inputs[0])
	require.Equal(t, onnxpb.ElemFloat16, initializer(cm.Graph, "w").DataType)
	require.Contains(t, rep.ConvertedConstants, "tc2")

	cm, _, err = Convert(loopModel(), DefaultOptions())
	require.NoError(t, err)
	body := findNode(cm.Graph, "loop").Attr("body").G
	require.Equal(t, onnxpb.ElemFloat16, body.Inputs[2].ElemType)
	require.Equal(t, onnxpb.ElemFloat16, body.Outputs[1].ElemType)
	require.Equal(t, []float32{0.5}, halfValues(t, findNode(body, "body_c").Attr("value").T))
	require.Equal(t, []float32{0.25, -0.5, tensor.RoundHalf(1e-7)}, halfValues(t, initializer(cm.Graph, "delta")))
}

// TestShapeOps: ConstantOfShape fills with FLOAT16 (an explicit zero where it
// had no value); Range is blocked (default list; FP16 Range is not in the
// schema either) and its scalar inputs stay FLOAT.
func TestShapeOps(t *testing.T) {
	cm, rep, err := Convert(shapeOpsModel(), DefaultOptions())
	require.NoError(t, err)
	g := cm.Graph
	require.Equal(t, []float32{0.5}, halfValues(t, findNode(g, "half").Attr("value").T))
	require.Equal(t, []float32{0}, halfValues(t, findNode(g, "zeros").Attr("value").T))
	require.ElementsMatch(t, []string{"k", "z"}, rep.ConvertedConstants)
	require.Equal(t, []Blocked{{Node: "range", OpType: "Range", Reason: `Blocklist entry "Range"`}}, rep.Blocked)
	for _, name := range []string{"start", "limit", "delta"} {
		require.Equal(t, onnxpb.ElemFloat, initializer(g, name).DataType)
	}
	require.Equal(t, onnxpb.ElemFloat16, castTo(t, producer(g, "r")))
	require.Equal(t, "x", findNode(g, "shape").Inputs[0], "Shape reads the FLOAT input itself")
}

// TestUnsortedGraph: nodes out of order are put in topological order.
func TestUnsortedGraph(t *testing.T) {
	m := mlpModel()
	slices.Reverse(m.Graph.Nodes)
	cm, _, err := Convert(m, DefaultOptions())
	require.NoError(t, err)
	checkStructure(t, cm)
	compareORT(t, mlpModel(), cm, true, nil)
}

// TestCustomOp: a node of an unknown domain stays FP32; its output type comes
// from value_info; without value_info, reading its output is an error naming
// the value.
func TestCustomOp(t *testing.T) {
	mk := func(withVI bool) *onnxpb.Model {
		b := newBuilder("custom")
		b.input("x", onnxpb.ElemFloat, 4)
		b.node("Relu", "r0", []string{"x"}, []string{"a"})
		n := b.node("MyOp", "mine", []string{"a"}, []string{"b"})
		n.Domain = "com.example"
		b.node("Relu", "r1", []string{"b"}, []string{"y"})
		b.output("y", onnxpb.ElemFloat, 4)
		if withVI {
			b.g.ValueInfo = append(b.g.ValueInfo, tensorVI("b", onnxpb.ElemFloat, 4))
		}
		m := b.model(13)
		m.OpsetImports = append(m.OpsetImports, onnxpb.OpsetID{Domain: "com.example", Version: 1})
		return m
	}
	cm, rep, err := Convert(mk(true), DefaultOptions())
	require.NoError(t, err)
	require.Len(t, rep.Blocked, 1)
	require.Contains(t, rep.Blocked[0].Reason, "no ONNX schema")
	g := cm.Graph
	require.Equal(t, onnxpb.ElemFloat, castTo(t, producer(g, findNode(g, "mine").Inputs[0])))
	require.Equal(t, onnxpb.ElemFloat16, castTo(t, producer(g, "b")))
	checkStructure(t, cm)

	_, _, err = Convert(mk(false), DefaultOptions())
	require.ErrorIs(t, err, onnxpb.ErrInvalid)
	require.ErrorContains(t, err, `cannot tell the type of "b"`)
}

// TestSequencesStayFloat: ops on sequences are kept FP32.
func TestSequencesStayFloat(t *testing.T) {
	b := newBuilder("seq")
	b.input("x", onnxpb.ElemFloat, 2, 3)
	b.initI64("pos", []int64{0})
	b.node("Relu", "r", []string{"x"}, []string{"a"})
	b.node("SequenceConstruct", "mkseq", []string{"a", "a"}, []string{"s"})
	b.node("SequenceAt", "at", []string{"s", "pos"}, []string{"e"})
	b.node("Relu", "r2", []string{"e"}, []string{"y"})
	b.output("y", onnxpb.ElemFloat, 2, 3)
	m := b.model(13)
	cm, rep, err := Convert(m, DefaultOptions())
	require.NoError(t, err)
	require.Len(t, rep.Blocked, 2)
	checkStructure(t, cm)
	checkONNX(t, cm)
	compareORT(t, m, cm, true, nil)
}

// TestConvertErrors: bad models give errors naming the problem.
func TestConvertErrors(t *testing.T) {
	_, _, err := Convert(nil, DefaultOptions())
	require.ErrorIs(t, err, onnxpb.ErrInvalid)
	require.ErrorContains(t, err, "nil model")

	_, _, err = Convert(&onnxpb.Model{OpsetImports: []onnxpb.OpsetID{{Version: 13}}}, DefaultOptions())
	require.ErrorIs(t, err, onnxpb.ErrInvalid)
	require.ErrorContains(t, err, "no graph")

	cases := []struct {
		name string
		edit func(m *onnxpb.Model)
		is   error
		msg  string
	}{
		{"sparse input", func(m *onnxpb.Model) {
			m.Graph.Inputs[0].Kind = onnxpb.TypeSparseTensor
		}, onnxpb.ErrUnsupported, `value "x" is a sparse FLOAT tensor`},
		{"old opset", func(m *onnxpb.Model) {
			m.OpsetImports[0].Version = 5
		}, onnxpb.ErrUnsupported, "opset 5"},
		{"no default opset", func(m *onnxpb.Model) {
			m.OpsetImports = []onnxpb.OpsetID{{Domain: "ai.onnx.ml", Version: 3}}
		}, onnxpb.ErrInvalid, "no default-domain"},
		{"undefined input", func(m *onnxpb.Model) {
			m.Graph.Nodes[0].Inputs[1] = "nowhere"
		}, onnxpb.ErrInvalid, `node fc1 (MatMul) reads "nowhere"`},
		{"undefined output", func(m *onnxpb.Model) {
			m.Graph.Outputs[0].Name = "nothing"
		}, onnxpb.ErrInvalid, `output "nothing" is not produced`},
		{"defined twice", func(m *onnxpb.Model) {
			m.Graph.Nodes[1].Outputs[0] = "h1"
		}, onnxpb.ErrInvalid, `value "h1" is defined twice`},
		{"cycle", func(m *onnxpb.Model) {
			m.Graph.Nodes[0].Inputs[0] = "y"
		}, onnxpb.ErrInvalid, "cycle"},
		{"external data", func(m *onnxpb.Model) {
			w := m.Graph.Initializers[0]
			w.FloatData = nil
			w.DataLocation = onnxpb.LocationExternal
			w.ExternalData = []onnxpb.KeyValue{{Key: "location", Value: "w.bin"}}
		}, onnxpb.ErrUnsupported, `tensor "w1" has external data`},
		{"declared type conflict", func(m *onnxpb.Model) {
			m.Graph.ValueInfo = append(m.Graph.ValueInfo, tensorVI("h1", onnxpb.ElemInt64, 2, 32))
		}, onnxpb.ErrInvalid, `output "h1" of node fc1 (MatMul) is declared INT64 but the op makes FLOAT`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := mlpModel()
			tc.edit(m)
			_, _, err := Convert(m, DefaultOptions())
			require.ErrorIs(t, err, tc.is)
			require.ErrorContains(t, err, tc.msg)
			require.ErrorContains(t, err, "fp16: ")
		})
	}
}

// TestConvertFile converts a model file and reads the result back.
func TestConvertFile(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.onnx"), filepath.Join(dir, "out.onnx")
	require.NoError(t, onnxpb.SaveFile(convModel(), in))
	rep, err := ConvertFile(in, out, DefaultOptions())
	require.NoError(t, err)
	require.NotEmpty(t, rep.ConvertedInitializers)
	m, err := onnxpb.LoadFile(out)
	require.NoError(t, err)
	require.Equal(t, onnxpb.ElemFloat, m.Graph.Inputs[0].ElemType)
	require.Equal(t, onnxpb.ElemFloat16, initializer(m.Graph, "conv1_w").DataType)

	_, err = ConvertFile(filepath.Join(dir, "missing.onnx"), out, DefaultOptions())
	require.Error(t, err)
}

// TestReportString: the summary names blocked nodes and counts.
func TestReportString(t *testing.T) {
	opt := DefaultOptions()
	opt.NodeBlocklist = []string{"relu"}
	_, rep, err := Convert(mlpModel(), opt)
	require.NoError(t, err)
	s := rep.String()
	require.Contains(t, s, "converted: 4 initializers")
	require.Contains(t, s, "blocked relu (Relu): in NodeBlocklist")
	require.Contains(t, s, "inserted 4 Cast nodes")
}

// TestZeroOptions: the zero Options converts I/O and uses the default
// blocklist and clamping.
func TestZeroOptions(t *testing.T) {
	cm, _, err := Convert(mlpModel(), Options{})
	require.NoError(t, err)
	require.Equal(t, onnxpb.ElemFloat16, cm.Graph.Inputs[0].ElemType)
}

func TestSchemaLookup(t *testing.T) {
	s := lookupSchema("", "Resize", 13)
	require.NotNil(t, s)
	require.Equal(t, int64(13), s.since)
	p, ok := s.inParam(2)
	require.True(t, ok)
	require.Equal(t, "scales", p.name)
	require.True(t, p.allows(onnxpb.ElemFloat))
	require.False(t, p.allows(onnxpb.ElemFloat16))
	require.Nil(t, lookupSchema("", "Resize", 9))
	require.Equal(t, int64(10), lookupSchema("ai.onnx", "Resize", 10).since)
	sum := lookupSchema("", "Sum", 13)
	p, ok = sum.inParam(5)
	require.True(t, ok, "variadic")
	require.True(t, p.variadic)
	require.Nil(t, lookupSchema("com.example", "Relu", 1))
}

// TestSparseInitializer: a sparse FLOAT initializer's values become FLOAT16.
func TestSparseInitializer(t *testing.T) {
	b := newBuilder("sparse")
	b.input("x", onnxpb.ElemFloat, 4)
	b.g.SparseInitializers = []*onnxpb.SparseTensor{{
		Values:  floatTensor("sp", []float32{0.5, -1e5}, 2),
		Indices: &onnxpb.Tensor{DataType: onnxpb.ElemInt64, Dims: []int64{2}, Int64Data: []int64{1, 3}},
		Dims:    []int64{4},
	}}
	b.node("Add", "add", []string{"x", "sp"}, []string{"y"})
	b.output("y", onnxpb.ElemFloat, 4)
	m := b.model(13)
	cm, rep, err := Convert(m, DefaultOptions())
	require.NoError(t, err)
	require.Equal(t, []float32{0.5, -1e4}, halfValues(t, cm.Graph.SparseInitializers[0].Values))
	require.Equal(t, []string{"sp"}, rep.ConvertedInitializers)
	require.Equal(t, []Clamp{{Tensor: "sp", Large: 1}}, rep.Clamped)
	checkStructure(t, cm) // (onnx.checker 1.12 rejects sparse initializers read as dense, the original too)
	if _, err := ortLibrary(); err == nil {
		needORT(t)
		out := runORT(t, cm, map[string]*tensor.Tensor{"x": {Name: "x", Type: tensor.Float, Dims: []int{4}, Data: []float32{1, 2, 3, 4}}})
		require.Equal(t, []float64{1, 2.5, 3, -9996}, out["y"].Float64s())
	}
}
