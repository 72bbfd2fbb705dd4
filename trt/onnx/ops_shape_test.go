package onnx

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
	"github.com/stretchr/testify/require"
)

// Table tests of the shape, data and control importers: opset-dependent
// attributes and inputs, static and run-time parameters, dynamic dims and
// error classification. Each case builds a one-node (or few-node) model,
// imports it, builds a CPU engine and compares the outputs.

// sVal is a graph value of a test model.
type sVal struct {
	name string
	h    *tensor.Tensor
	dims []int // dims the model declares (-1: dynamic); nil: h.Dims
	init bool  // an initializer instead of a graph input
}

func sIn(name string, h *tensor.Tensor) sVal               { return sVal{name: name, h: h} }
func sInit(name string, h *tensor.Tensor) sVal             { return sVal{name: name, h: h, init: true} }
func sDyn(name string, h *tensor.Tensor, dims ...int) sVal { return sVal{name: name, h: h, dims: dims} }

func sF32(dims []int, v ...float32) *tensor.Tensor {
	return &tensor.Tensor{Type: tensor.Float, Dims: dims, Data: v}
}

func sI64(dims []int, v ...int64) *tensor.Tensor {
	return &tensor.Tensor{Type: tensor.Int64, Dims: dims, Data: v}
}

func sBool(dims []int, v ...bool) *tensor.Tensor {
	return &tensor.Tensor{Type: tensor.Bool, Dims: dims, Data: v}
}

// arange is a float tensor 0, 1, 2, ... of dims d.
func sArange(d ...int) *tensor.Tensor {
	v := make([]float32, tensor.Volume(d))
	for i := range v {
		v[i] = float32(i)
	}
	return sF32(d, v...)
}

func sDims(d ...int) []int { return d }

func sAI(name string, v int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInt, I: v}
}
func sAIs(name string, v ...int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInts, Ints: v}
}
func sAS(name, v string) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrString, S: []byte(v)}
}
func sAF(name string, v float32) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrFloat, F: v}
}
func sAG(name string, g *onnxpb.Graph) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrGraph, G: g}
}
func sAT(t *testing.T, name string, h *tensor.Tensor) *onnxpb.Attribute {
	ot, err := onnxpb.FromHost(name, h)
	require.NoError(t, err)
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrTensor, T: ot}
}

func sNode(op string, ins, outs []string, attrs ...*onnxpb.Attribute) *onnxpb.Node {
	return &onnxpb.Node{OpType: op, Inputs: ins, Outputs: outs, Attributes: attrs}
}

func sNames(s ...string) []string { return s }

func sValueInfo(t *testing.T, v sVal) *onnxpb.ValueInfo {
	et, err := onnxpb.HostToElemType(v.h.Type)
	require.NoError(t, err)
	d := v.dims
	if d == nil {
		d = v.h.Dims
	}
	vi := &onnxpb.ValueInfo{Name: v.name, Kind: onnxpb.TypeTensor, ElemType: et, HasShape: true}
	for _, x := range d {
		vi.Shape = append(vi.Shape, onnxpb.Dim{Value: int64(x), Known: x >= 0})
	}
	return vi
}

func sModel(t *testing.T, opset int, nodes []*onnxpb.Node, vals []sVal, outs []string) *onnxpb.Model {
	g := &onnxpb.Graph{Name: "test", Nodes: nodes}
	for _, v := range vals {
		if v.init {
			ot, err := onnxpb.FromHost(v.name, v.h)
			require.NoError(t, err)
			g.Initializers = append(g.Initializers, ot)
		} else {
			g.Inputs = append(g.Inputs, sValueInfo(t, v))
		}
	}
	for _, o := range outs {
		g.Outputs = append(g.Outputs, &onnxpb.ValueInfo{Name: o, Kind: onnxpb.TypeTensor})
	}
	return &onnxpb.Model{IRVersion: 8, OpsetImports: []onnxpb.OpsetID{{Version: int64(opset)}}, Graph: g}
}

// sRun imports m, builds a CPU engine (a profile covers dynamic inputs
// from the fed dims to twice them) and runs it on the graph inputs.
func sRun(t *testing.T, m *onnxpb.Model, vals []sVal) (map[string]*tensor.Tensor, *Result, error) {
	t.Helper()
	res, err := Import(m, Options{Name: t.Name()})
	if err != nil {
		return nil, nil, err
	}
	cfg := trt.NewBuilderConfig()
	cfg.ClearFlag(trt.FlagTF32)
	prof := trt.NewOptimizationProfile()
	feed := map[string]*tensor.Tensor{}
	dynamic := false
	for _, v := range vals {
		if v.init {
			continue
		}
		h := *v.h
		h.Name = v.name
		feed[v.name] = &h
		if v.dims != nil {
			dynamic = true
			hi := append([]int{}, v.h.Dims...)
			for i, d := range v.dims {
				if d < 0 {
					hi[i] *= 2
				}
			}
			prof.SetDimensions(v.name, v.h.Dims, v.h.Dims, hi)
		}
	}
	if dynamic {
		cfg.AddOptimizationProfile(prof)
	}
	eng, err := trt.NewBuilder(nil).Build(context.Background(), res.Network, cfg)
	require.NoError(t, err, "build")
	defer eng.Close()
	ec, err := eng.CreateExecutionContext()
	require.NoError(t, err)
	defer ec.Close()
	out, err := ec.Run(context.Background(), feed)
	require.NoError(t, err, "run")
	return out, res, nil
}

type sCase struct {
	name  string
	opset int
	nodes []*onnxpb.Node // outputs of the last node are the graph outputs
	vals  []sVal
	want  []*tensor.Tensor
	err   string // substring of the import error
	unsup bool   // the error must be ErrUnsupported (else it must not be)
}

func sRunCases(t *testing.T, cases []sCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			outs := tc.nodes[len(tc.nodes)-1].Outputs
			m := sModel(t, tc.opset, tc.nodes, tc.vals, outs)
			got, _, err := sRun(t, m, tc.vals)
			if tc.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.err)
				require.Equal(t, tc.unsup, errors.Is(err, ErrUnsupported), "unsupported classification of %v", err)
				return
			}
			require.NoError(t, err)
			require.Len(t, tc.want, len(outs))
			for i, o := range outs {
				sRequireTensor(t, tc.want[i], got[o], o)
			}
		})
	}
}

func sRequireTensor(t *testing.T, want, got *tensor.Tensor, name string) {
	t.Helper()
	require.NotNil(t, got, "output %s", name)
	require.Equal(t, want.Type, got.Type, "output %s type", name)
	require.Equal(t, fmt.Sprint(want.Dims), fmt.Sprint(got.Dims), "output %s dims", name)
	require.Equal(t, want.Float64s(), got.Float64s(), "output %s values", name)
}

func sReshaped(h *tensor.Tensor, d ...int) *tensor.Tensor {
	c := *h
	c.Dims = d
	return &c
}

func TestShapeReshapeFlattenTranspose(t *testing.T) {
	x := sArange(2, 3, 4)
	sRunCases(t, []sCase{
		{name: "reshape opset 1 shape attribute", opset: 1,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x"), sNames("y"), sAIs("shape", 0, -1))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{sReshaped(x, 2, 12)}},
		{name: "reshape opset 1 without shape", opset: 1,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", x)}, err: "attribute shape is required"},
		{name: "reshape opset 5 zero copies", opset: 5,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x", "s"), sNames("y"))},
			vals:  []sVal{sIn("x", x), sInit("s", sI64(sDims(3), 0, 4, -1))}, want: []*tensor.Tensor{sReshaped(x, 2, 4, 3)}},
		{name: "reshape opset 14 allowzero keeps zero", opset: 14,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x", "s"), sNames("y"), sAI("allowzero", 1))},
			vals:  []sVal{sIn("x", sF32(sDims(0, 4))), sInit("s", sI64(sDims(2), 4, 0))}, want: []*tensor.Tensor{sF32(sDims(4, 0))}},
		{name: "reshape opset 14 zero copies without allowzero", opset: 14,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x", "s"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(0, 4))), sInit("s", sI64(sDims(2), 4, 0))}, err: "cannot reshape"},
		{name: "reshape allowzero before opset 14", opset: 13,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x", "s"), sNames("y"), sAI("allowzero", 1))},
			vals:  []sVal{sIn("x", x), sInit("s", sI64(sDims(2), 6, 4))}, err: "allowzero needs opset 14"},
		{name: "reshape allowzero with -1 and 0", opset: 14,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x", "s"), sNames("y"), sAI("allowzero", 1))},
			vals:  []sVal{sIn("x", x), sInit("s", sI64(sDims(2), -1, 0))}, err: "both -1 and 0"},
		{name: "reshape two -1", opset: 13,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x", "s"), sNames("y"))},
			vals:  []sVal{sIn("x", x), sInit("s", sI64(sDims(2), -1, -1))}, err: "more than one -1"},
		{name: "reshape run-time shape", opset: 13,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x", "s"), sNames("y"))},
			vals:  []sVal{sIn("x", x), sIn("s", sI64(sDims(3), 4, 0, -1))}, want: []*tensor.Tensor{sReshaped(x, 4, 3, 2)}},
		{name: "reshape dynamic input", opset: 13,
			nodes: []*onnxpb.Node{sNode("Reshape", sNames("x", "s"), sNames("y"))},
			vals:  []sVal{sDyn("x", x, -1, 3, 4), sInit("s", sI64(sDims(2), 0, -1))}, want: []*tensor.Tensor{sReshaped(x, 2, 12)}},
		{name: "flatten default axis", opset: 9,
			nodes: []*onnxpb.Node{sNode("Flatten", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{sReshaped(x, 2, 12)}},
		{name: "flatten axis 0", opset: 9,
			nodes: []*onnxpb.Node{sNode("Flatten", sNames("x"), sNames("y"), sAI("axis", 0))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{sReshaped(x, 1, 24)}},
		{name: "flatten axis = rank", opset: 9,
			nodes: []*onnxpb.Node{sNode("Flatten", sNames("x"), sNames("y"), sAI("axis", 3))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{sReshaped(x, 24, 1)}},
		{name: "flatten negative axis opset 11", opset: 11,
			nodes: []*onnxpb.Node{sNode("Flatten", sNames("x"), sNames("y"), sAI("axis", -1))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{sReshaped(x, 6, 4)}},
		{name: "flatten negative axis opset 9", opset: 9,
			nodes: []*onnxpb.Node{sNode("Flatten", sNames("x"), sNames("y"), sAI("axis", -1))},
			vals:  []sVal{sIn("x", x)}, err: "takes negative axes from opset 11"},
		{name: "flatten axis out of range", opset: 13,
			nodes: []*onnxpb.Node{sNode("Flatten", sNames("x"), sNames("y"), sAI("axis", 4))},
			vals:  []sVal{sIn("x", x)}, err: "out of range"},
		{name: "flatten dynamic dims", opset: 13,
			nodes: []*onnxpb.Node{sNode("Flatten", sNames("x"), sNames("y"), sAI("axis", 2))},
			vals:  []sVal{sDyn("x", x, -1, -1, 4)}, want: []*tensor.Tensor{sReshaped(x, 6, 4)}},
		{name: "flatten all dynamic", opset: 13,
			nodes: []*onnxpb.Node{sNode("Flatten", sNames("x"), sNames("y"), sAI("axis", 2))},
			vals:  []sVal{sDyn("x", x, -1, -1, -1)}, want: []*tensor.Tensor{sReshaped(x, 6, 4)}},
		{name: "transpose default reverses", opset: 13,
			nodes: []*onnxpb.Node{sNode("Transpose", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(2, 3))}, want: []*tensor.Tensor{sF32(sDims(3, 2), 0, 3, 1, 4, 2, 5)}},
		{name: "transpose perm", opset: 1,
			nodes: []*onnxpb.Node{sNode("Transpose", sNames("x"), sNames("y"), sAIs("perm", 1, 0))},
			vals:  []sVal{sIn("x", sArange(2, 3))}, want: []*tensor.Tensor{sF32(sDims(3, 2), 0, 3, 1, 4, 2, 5)}},
		{name: "transpose bad perm", opset: 13,
			nodes: []*onnxpb.Node{sNode("Transpose", sNames("x"), sNames("y"), sAIs("perm", 0, 0))},
			vals:  []sVal{sIn("x", sArange(2, 3))}, err: "not a permutation"},
	})
}

func TestShapeSqueezeUnsqueeze(t *testing.T) {
	x := sArange(1, 3, 1, 2)
	sRunCases(t, []sCase{
		{name: "squeeze opset 11 axes attribute", opset: 11,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x"), sNames("y"), sAIs("axes", 0, -2))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{sReshaped(x, 3, 2)}},
		{name: "squeeze opset 11 without axes", opset: 11,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{sReshaped(x, 3, 2)}},
		{name: "squeeze opset 9 negative axis", opset: 9,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x"), sNames("y"), sAIs("axes", -2))},
			vals:  []sVal{sIn("x", x)}, err: "takes negative axes from opset 11"},
		{name: "squeeze opset 13 ignores the attribute form", opset: 13,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", x), sInit("a", sI64(sDims(1), 2))}, want: []*tensor.Tensor{sReshaped(x, 1, 3, 2)}},
		{name: "squeeze opset 13 without axes", opset: 13,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{sReshaped(x, 3, 2)}},
		{name: "squeeze opset 13 run-time axes", opset: 13,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", x), sIn("a", sI64(sDims(2), -2, 0))}, want: []*tensor.Tensor{sReshaped(x, 3, 2)}},
		{name: "squeeze run-time axes and dynamic dims", opset: 13,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sDyn("x", x, -1, -1, 1, -1), sIn("a", sI64(sDims(1), 2))}, want: []*tensor.Tensor{sReshaped(x, 1, 3, 2)}},
		{name: "squeeze dynamic dims", opset: 13,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sDyn("x", x, 1, -1, 1, -1), sInit("a", sI64(sDims(2), 0, 2))}, want: []*tensor.Tensor{sReshaped(x, 3, 2)}},
		{name: "squeeze without axes on dynamic dims", opset: 13,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x"), sNames("y"))},
			vals:  []sVal{sDyn("x", x, 1, -1, 1, 2)}, err: "without axes", unsup: true},
		{name: "squeeze a dim that is not 1", opset: 13,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", x), sInit("a", sI64(sDims(1), 1))}, err: "cannot squeeze axis 1"},
		{name: "unsqueeze opset 11 axes attribute", opset: 11,
			nodes: []*onnxpb.Node{sNode("Unsqueeze", sNames("x"), sNames("y"), sAIs("axes", -1, 0))},
			vals:  []sVal{sIn("x", sArange(3, 2))}, want: []*tensor.Tensor{sReshaped(sArange(3, 2), 1, 3, 2, 1)}},
		{name: "unsqueeze opset 11 requires axes", opset: 11,
			nodes: []*onnxpb.Node{sNode("Unsqueeze", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(3, 2))}, err: "axes are required"},
		{name: "unsqueeze opset 13 axes input", opset: 13,
			nodes: []*onnxpb.Node{sNode("Unsqueeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(3, 2)), sInit("a", sI64(sDims(2), 3, 1))}, want: []*tensor.Tensor{sReshaped(sArange(3, 2), 3, 1, 2, 1)}},
		{name: "unsqueeze opset 13 run-time axes", opset: 13,
			nodes: []*onnxpb.Node{sNode("Unsqueeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(3, 2)), sIn("a", sI64(sDims(2), -1, 1))}, want: []*tensor.Tensor{sReshaped(sArange(3, 2), 3, 1, 2, 1)}},
		{name: "unsqueeze run-time axes of a scalar", opset: 13,
			nodes: []*onnxpb.Node{sNode("Unsqueeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(), 7)), sIn("a", sI64(sDims(2), 0, 1))}, want: []*tensor.Tensor{sF32(sDims(1, 1), 7)}},
		{name: "unsqueeze dynamic dims", opset: 13,
			nodes: []*onnxpb.Node{sNode("Unsqueeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sDyn("x", sArange(3, 2), -1, -1), sInit("a", sI64(sDims(1), 0))}, want: []*tensor.Tensor{sReshaped(sArange(3, 2), 1, 3, 2)}},
		{name: "unsqueeze repeated axis", opset: 13,
			nodes: []*onnxpb.Node{sNode("Unsqueeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(3, 2)), sInit("a", sI64(sDims(2), 0, -4))}, err: "repeat axis 0"},
	})
}

func TestShapeConcatSplitSlice(t *testing.T) {
	a, b := sArange(2, 2), sF32(sDims(2, 1), 10, 11)
	sRunCases(t, []sCase{
		{name: "concat opset 1 default axis 1", opset: 1,
			nodes: []*onnxpb.Node{sNode("Concat", sNames("a", "b"), sNames("y"))},
			vals:  []sVal{sIn("a", a), sIn("b", b)}, want: []*tensor.Tensor{sF32(sDims(2, 3), 0, 1, 10, 2, 3, 11)}},
		{name: "concat opset 4 needs axis", opset: 4,
			nodes: []*onnxpb.Node{sNode("Concat", sNames("a", "b"), sNames("y"))},
			vals:  []sVal{sIn("a", a), sIn("b", b)}, err: "axis is required"},
		{name: "concat negative axis", opset: 13,
			nodes: []*onnxpb.Node{sNode("Concat", sNames("a", "b"), sNames("y"), sAI("axis", -1))},
			vals:  []sVal{sIn("a", a), sIn("b", b)}, want: []*tensor.Tensor{sF32(sDims(2, 3), 0, 1, 10, 2, 3, 11)}},
		{name: "split opset 11 attribute", opset: 11,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q"), sAIs("split", 1, 4))},
			vals:  []sVal{sIn("x", sArange(5))}, want: []*tensor.Tensor{sF32(sDims(1), 0), sF32(sDims(4), 1, 2, 3, 4)}},
		{name: "split opset 13 input", opset: 13,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x", "s"), sNames("p", "q"))},
			vals:  []sVal{sIn("x", sArange(5)), sInit("s", sI64(sDims(2), 3, 2))}, want: []*tensor.Tensor{sF32(sDims(3), 0, 1, 2), sF32(sDims(2), 3, 4)}},
		{name: "split opset 13 run-time sizes", opset: 13,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x", "s"), sNames("p", "q"))},
			vals:  []sVal{sIn("x", sArange(5)), sIn("s", sI64(sDims(2), 0, 5))}, want: []*tensor.Tensor{sF32(sDims(0)), sF32(sDims(5), 0, 1, 2, 3, 4)}},
		{name: "split equal parts", opset: 13,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q"), sAI("axis", -1))},
			vals:  []sVal{sIn("x", sArange(1, 4))}, want: []*tensor.Tensor{sF32(sDims(1, 2), 0, 1), sF32(sDims(1, 2), 2, 3)}},
		{name: "split uneven before opset 18", opset: 13,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q", "r"))},
			vals:  []sVal{sIn("x", sArange(7))}, err: "does not split into 3 equal pieces"},
		{name: "split opset 18 num_outputs uneven", opset: 18,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q", "r"), sAI("num_outputs", 3))},
			vals:  []sVal{sIn("x", sArange(7))}, want: []*tensor.Tensor{sF32(sDims(3), 0, 1, 2), sF32(sDims(3), 3, 4, 5), sF32(sDims(1), 6)}},
		{name: "split opset 18 num_outputs dynamic", opset: 18,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q"), sAI("num_outputs", 2))},
			vals:  []sVal{sDyn("x", sArange(5), -1)}, want: []*tensor.Tensor{sF32(sDims(3), 0, 1, 2), sF32(sDims(2), 3, 4)}},
		{name: "split num_outputs before opset 18", opset: 13,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q"), sAI("num_outputs", 2))},
			vals:  []sVal{sIn("x", sArange(4))}, err: "num_outputs needs opset 18"},
		{name: "split num_outputs differs from outputs", opset: 18,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q"), sAI("num_outputs", 3))},
			vals:  []sVal{sIn("x", sArange(6))}, err: "num_outputs is 3 but the node has 2 outputs"},
		{name: "split num_outputs and split input", opset: 18,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x", "s"), sNames("p", "q"), sAI("num_outputs", 2))},
			vals:  []sVal{sIn("x", sArange(4)), sInit("s", sI64(sDims(2), 2, 2))}, err: "both"},
		{name: "split sizes do not sum", opset: 11,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q"), sAIs("split", 1, 1))},
			vals:  []sVal{sIn("x", sArange(5))}, err: "sums to 2"},
		{name: "slice opset 1 attributes", opset: 1,
			nodes: []*onnxpb.Node{sNode("Slice", sNames("x"), sNames("y"), sAIs("starts", 1), sAIs("ends", 1000), sAIs("axes", 1))},
			vals:  []sVal{sIn("x", sArange(2, 3))}, want: []*tensor.Tensor{sF32(sDims(2, 2), 1, 2, 4, 5)}},
		{name: "slice opset 10 inputs with steps", opset: 10,
			nodes: []*onnxpb.Node{sNode("Slice", sNames("x", "s", "e", "a", "st"), sNames("y"))},
			vals: []sVal{sIn("x", sArange(2, 3)), sInit("s", sI64(sDims(1), -1)), sInit("e", sI64(sDims(1), -100)),
				sInit("a", sI64(sDims(1), 1)), sInit("st", sI64(sDims(1), -2))},
			want: []*tensor.Tensor{sF32(sDims(2, 2), 2, 0, 5, 3)}},
		{name: "slice run-time starts", opset: 13,
			nodes: []*onnxpb.Node{sNode("Slice", sNames("x", "s", "e"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(4)), sIn("s", sI64(sDims(1), 1)), sInit("e", sI64(sDims(1), 3))},
			want:  []*tensor.Tensor{sF32(sDims(2), 1, 2)}},
		{name: "slice zero step", opset: 13,
			nodes: []*onnxpb.Node{sNode("Slice", sNames("x", "s", "e", "a", "st"), sNames("y"))},
			vals: []sVal{sIn("x", sArange(4)), sInit("s", sI64(sDims(1), 0)), sInit("e", sI64(sDims(1), 3)),
				sInit("a", sI64(sDims(1), 0)), sInit("st", sI64(sDims(1), 0))},
			err: "zero step"},
	})
}

func TestShapeExpandTileShapeSize(t *testing.T) {
	sRunCases(t, []sCase{
		{name: "expand", opset: 13,
			nodes: []*onnxpb.Node{sNode("Expand", sNames("x", "s"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(2, 1), 1, 2)), sInit("s", sI64(sDims(3), 2, 1, 2))},
			want:  []*tensor.Tensor{sF32(sDims(2, 2, 2), 1, 1, 2, 2, 1, 1, 2, 2)}},
		{name: "tile opset 6", opset: 6,
			nodes: []*onnxpb.Node{sNode("Tile", sNames("x", "r"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(2), 1, 2)), sInit("r", sI64(sDims(1), 2))}, want: []*tensor.Tensor{sF32(sDims(4), 1, 2, 1, 2)}},
		{name: "tile opset 1 tiles and axis", opset: 1,
			nodes: []*onnxpb.Node{sNode("Tile", sNames("x", "n", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(1, 2)), sInit("n", sI64(sDims(), 3)), sInit("a", sI64(sDims(), 0))},
			want:  []*tensor.Tensor{sF32(sDims(3, 2), 0, 1, 0, 1, 0, 1)}},
		{name: "tile repeats of the wrong length", opset: 13,
			nodes: []*onnxpb.Node{sNode("Tile", sNames("x", "r"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(2), 1, 2)), sInit("r", sI64(sDims(2), 2, 2))}, err: "2 values for rank 1"},
		{name: "shape", opset: 1,
			nodes: []*onnxpb.Node{sNode("Shape", sNames("x"), sNames("y"))},
			vals:  []sVal{sDyn("x", sArange(2, 3, 4), -1, 3, -1)}, want: []*tensor.Tensor{sI64(sDims(3), 2, 3, 4)}},
		{name: "shape opset 15 start end", opset: 15,
			nodes: []*onnxpb.Node{sNode("Shape", sNames("x"), sNames("y"), sAI("start", -2), sAI("end", -1))},
			vals:  []sVal{sIn("x", sArange(2, 3, 4))}, want: []*tensor.Tensor{sI64(sDims(1), 3)}},
		{name: "shape start before opset 15", opset: 14,
			nodes: []*onnxpb.Node{sNode("Shape", sNames("x"), sNames("y"), sAI("start", 1))},
			vals:  []sVal{sIn("x", sArange(2, 3, 4))}, err: "need opset 15"},
		{name: "size static", opset: 13,
			nodes: []*onnxpb.Node{sNode("Size", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(2, 3, 4))}, want: []*tensor.Tensor{sI64(sDims(), 24)}},
		{name: "size dynamic", opset: 13,
			nodes: []*onnxpb.Node{sNode("Size", sNames("x"), sNames("y"))},
			vals:  []sVal{sDyn("x", sArange(2, 3, 4), -1, 3, -1)}, want: []*tensor.Tensor{sI64(sDims(), 24)}},
	})
}

// sDepthToSpaceRef computes DepthToSpace from the ONNX definition.
func sDepthToSpaceRef(x *tensor.Tensor, b int, crd bool) *tensor.Tensor {
	n, c, h, w := x.Dims[0], x.Dims[1], x.Dims[2], x.Dims[3]
	co := c / (b * b)
	in := x.Data.([]float32)
	out := make([]float32, len(in))
	for ni := 0; ni < n; ni++ {
		for ci := 0; ci < co; ci++ {
			for hi := 0; hi < h*b; hi++ {
				for wi := 0; wi < w*b; wi++ {
					i, j := hi%b, wi%b
					src := (i*b+j)*co + ci // DCR
					if crd {
						src = ci*b*b + i*b + j
					}
					out[((ni*co+ci)*h*b+hi)*w*b+wi] = in[((ni*c+src)*h+hi/b)*w+wi/b]
				}
			}
		}
	}
	return sF32(sDims(n, co, h*b, w*b), out...)
}

func TestShapeDepthSpace(t *testing.T) {
	x := sArange(1, 8, 2, 3)
	dcr, crd := sDepthToSpaceRef(x, 2, false), sDepthToSpaceRef(x, 2, true)
	// The ONNX operator documentation's examples.
	require.Equal(t, []float32{0, 12, 1, 13, 2, 14}, dcr.Data.([]float32)[:6])
	require.Equal(t, []float32{0, 6, 1, 7, 2, 8}, crd.Data.([]float32)[:6])
	x2 := sArange(2, 18, 2, 2)
	sRunCases(t, []sCase{
		{name: "depthtospace default DCR", opset: 1,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"), sAI("blocksize", 2))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{dcr}},
		{name: "depthtospace DCR", opset: 13,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"), sAI("blocksize", 2), sAS("mode", "DCR"))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{dcr}},
		{name: "depthtospace CRD", opset: 11,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"), sAI("blocksize", 2), sAS("mode", "CRD"))},
			vals:  []sVal{sIn("x", x)}, want: []*tensor.Tensor{crd}},
		{name: "depthtospace CRD dynamic", opset: 13,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"), sAI("blocksize", 3), sAS("mode", "CRD"))},
			vals:  []sVal{sDyn("x", x2, -1, -1, -1, -1)}, want: []*tensor.Tensor{sDepthToSpaceRef(x2, 3, true)}},
		{name: "depthtospace DCR dynamic batch", opset: 13,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"), sAI("blocksize", 3))},
			vals:  []sVal{sDyn("x", x2, -1, 18, 2, 2)}, want: []*tensor.Tensor{sDepthToSpaceRef(x2, 3, false)}},
		{name: "depthtospace CRD before opset 11", opset: 9,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"), sAI("blocksize", 2), sAS("mode", "CRD"))},
			vals:  []sVal{sIn("x", x)}, err: "CRD needs opset 11"},
		{name: "depthtospace bad mode", opset: 13,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"), sAI("blocksize", 2), sAS("mode", "XYZ"))},
			vals:  []sVal{sIn("x", x)}, err: "mode must be DCR or CRD"},
		{name: "depthtospace channels not divisible", opset: 13,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"), sAI("blocksize", 3))},
			vals:  []sVal{sIn("x", x)}, err: "not divisible"},
		{name: "depthtospace without blocksize", opset: 13,
			nodes: []*onnxpb.Node{sNode("DepthToSpace", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", x)}, err: "blocksize is required"},
		{name: "spacetodepth inverts DCR", opset: 13,
			nodes: []*onnxpb.Node{sNode("SpaceToDepth", sNames("x"), sNames("y"), sAI("blocksize", 2))},
			vals:  []sVal{sIn("x", dcr)}, want: []*tensor.Tensor{x}},
		{name: "spacetodepth dynamic", opset: 13,
			nodes: []*onnxpb.Node{sNode("SpaceToDepth", sNames("x"), sNames("y"), sAI("blocksize", 3))},
			vals:  []sVal{sDyn("x", sDepthToSpaceRef(x2, 3, false), -1, -1, -1, -1)}, want: []*tensor.Tensor{x2}},
		{name: "spacetodepth round trip", opset: 13,
			nodes: []*onnxpb.Node{
				sNode("DepthToSpace", sNames("x"), sNames("d"), sAI("blocksize", 2), sAS("mode", "DCR")),
				sNode("SpaceToDepth", sNames("d"), sNames("y"), sAI("blocksize", 2))},
			vals: []sVal{sIn("x", x)}, want: []*tensor.Tensor{x}},
	})
}

func TestDataGatherScatterPad(t *testing.T) {
	data := sArange(3, 2)
	sRunCases(t, []sCase{
		{name: "gather negative index", opset: 13,
			nodes: []*onnxpb.Node{sNode("Gather", sNames("x", "i"), sNames("y"))},
			vals:  []sVal{sIn("x", data), sInit("i", sI64(sDims(2), -1, 0))}, want: []*tensor.Tensor{sF32(sDims(2, 2), 4, 5, 0, 1)}},
		{name: "gather negative axis opset 1", opset: 1,
			nodes: []*onnxpb.Node{sNode("Gather", sNames("x", "i"), sNames("y"), sAI("axis", -1))},
			vals:  []sVal{sIn("x", data), sInit("i", sI64(sDims(1), 1))}, want: []*tensor.Tensor{sF32(sDims(3, 1), 1, 3, 5)}},
		{name: "gather axis out of range", opset: 13,
			nodes: []*onnxpb.Node{sNode("Gather", sNames("x", "i"), sNames("y"), sAI("axis", 2))},
			vals:  []sVal{sIn("x", data), sInit("i", sI64(sDims(1), 1))}, err: "axis 2 is out of range"},
		{name: "gather float indices", opset: 13,
			nodes: []*onnxpb.Node{sNode("Gather", sNames("x", "i"), sNames("y"))},
			vals:  []sVal{sIn("x", data), sInit("i", sF32(sDims(1), 1))}, err: "indices must be INT32 or INT64"},
		{name: "gathernd batch_dims", opset: 12,
			nodes: []*onnxpb.Node{sNode("GatherND", sNames("x", "i"), sNames("y"), sAI("batch_dims", 1))},
			vals:  []sVal{sIn("x", sArange(2, 2, 2)), sInit("i", sI64(sDims(2, 1), 1, 0))}, want: []*tensor.Tensor{sF32(sDims(2, 2), 2, 3, 4, 5)}},
		{name: "gathernd batch_dims before opset 12", opset: 11,
			nodes: []*onnxpb.Node{sNode("GatherND", sNames("x", "i"), sNames("y"), sAI("batch_dims", 1))},
			vals:  []sVal{sIn("x", sArange(2, 2, 2)), sInit("i", sI64(sDims(2, 1), 1, 0))}, err: "batch_dims needs opset 12"},
		{name: "scatter opset 9", opset: 9,
			nodes: []*onnxpb.Node{sNode("Scatter", sNames("x", "i", "u"), sNames("y"), sAI("axis", 1))},
			vals:  []sVal{sIn("x", sF32(sDims(1, 3), 0, 0, 0)), sInit("i", sI64(sDims(1, 2), 2, 0)), sIn("u", sF32(sDims(1, 2), 5, 6))},
			want:  []*tensor.Tensor{sF32(sDims(1, 3), 6, 0, 5)}},
		{name: "scatterelements reduction add opset 16", opset: 16,
			nodes: []*onnxpb.Node{sNode("ScatterElements", sNames("x", "i", "u"), sNames("y"), sAI("axis", 1), sAS("reduction", "add"))},
			vals:  []sVal{sIn("x", sF32(sDims(1, 3), 1, 1, 1)), sInit("i", sI64(sDims(1, 2), 2, 2)), sIn("u", sF32(sDims(1, 2), 5, 6))},
			want:  []*tensor.Tensor{sF32(sDims(1, 3), 1, 1, 12)}},
		{name: "scatterelements reduction max opset 18", opset: 18,
			nodes: []*onnxpb.Node{sNode("ScatterElements", sNames("x", "i", "u"), sNames("y"), sAI("axis", 1), sAS("reduction", "max"))},
			vals:  []sVal{sIn("x", sF32(sDims(1, 3), 1, 7, 1)), sInit("i", sI64(sDims(1, 2), 1, 2)), sIn("u", sF32(sDims(1, 2), 5, 6))},
			want:  []*tensor.Tensor{sF32(sDims(1, 3), 1, 7, 6)}},
		{name: "scatterelements reduction max opset 16", opset: 16,
			nodes: []*onnxpb.Node{sNode("ScatterElements", sNames("x", "i", "u"), sNames("y"), sAS("reduction", "max"))},
			vals:  []sVal{sIn("x", sF32(sDims(3))), sInit("i", sI64(sDims(1), 1)), sIn("u", sF32(sDims(1), 5))},
			err:   `reduction "max" needs opset 18`},
		{name: "scatternd reduction mul", opset: 16,
			nodes: []*onnxpb.Node{sNode("ScatterND", sNames("x", "i", "u"), sNames("y"), sAS("reduction", "mul"))},
			vals:  []sVal{sIn("x", sF32(sDims(3), 1, 2, 3)), sInit("i", sI64(sDims(2, 1), 2, 2)), sIn("u", sF32(sDims(2), 5, 2))},
			want:  []*tensor.Tensor{sF32(sDims(3), 1, 2, 30)}},
		{name: "scatternd bad reduction", opset: 18,
			nodes: []*onnxpb.Node{sNode("ScatterND", sNames("x", "i", "u"), sNames("y"), sAS("reduction", "avg"))},
			vals:  []sVal{sIn("x", sF32(sDims(3), 1, 2, 3)), sInit("i", sI64(sDims(1, 1), 2)), sIn("u", sF32(sDims(1), 5))},
			err:   "reduction must be"},
		{name: "pad opset 1 paddings", opset: 1,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x"), sNames("y"), sAIs("paddings", 1, 0, 0, 0), sAF("value", 9))},
			vals:  []sVal{sIn("x", sF32(sDims(1, 2), 1, 2))}, want: []*tensor.Tensor{sF32(sDims(2, 2), 9, 9, 1, 2)}},
		{name: "pad opset 2 pads edge", opset: 2,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x"), sNames("y"), sAIs("pads", 0, 1, 0, 2), sAS("mode", "edge"))},
			vals:  []sVal{sIn("x", sF32(sDims(1, 2), 1, 2))}, want: []*tensor.Tensor{sF32(sDims(1, 5), 1, 1, 2, 2, 2)}},
		{name: "pad opset 11 inputs", opset: 11,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p", "v"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(1, 2), 1, 2)), sInit("p", sI64(sDims(4), 0, 1, 0, 0)), sInit("v", sF32(sDims(), 7))},
			want:  []*tensor.Tensor{sF32(sDims(1, 3), 7, 1, 2)}},
		{name: "pad opset 11 run-time pads and value", opset: 11,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p", "v"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(1, 2), 1, 2)), sIn("p", sI64(sDims(4), 0, 0, 0, 1)), sIn("v", sF32(sDims(), 7))},
			want:  []*tensor.Tensor{sF32(sDims(1, 3), 1, 2, 7)}},
		{name: "pad int64 value", opset: 13,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p", "v"), sNames("y"))},
			vals:  []sVal{sIn("x", sI64(sDims(1), 1)), sInit("p", sI64(sDims(2), 1, 0)), sInit("v", sI64(sDims(), 1<<40+1))},
			want:  []*tensor.Tensor{sI64(sDims(2), 1<<40+1, 1)}},
		{name: "pad opset 18 axes reflect", opset: 18,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p", "", "a"), sNames("y"), sAS("mode", "reflect"))},
			vals:  []sVal{sIn("x", sArange(2, 3)), sInit("p", sI64(sDims(2), 1, 1)), sInit("a", sI64(sDims(1), -1))},
			want:  []*tensor.Tensor{sF32(sDims(2, 5), 1, 0, 1, 2, 1, 4, 3, 4, 5, 4)}},
		{name: "pad axes before opset 18", opset: 13,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p", "", "a"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(2, 3)), sInit("p", sI64(sDims(2), 1, 1)), sInit("a", sI64(sDims(1), -1))},
			err:   "axes input needs opset 18"},
		{name: "pad wrap opset 19", opset: 19,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p"), sNames("y"), sAS("mode", "wrap"))},
			vals:  []sVal{sIn("x", sF32(sDims(3), 1, 2, 3)), sInit("p", sI64(sDims(2), 1, 2))}, want: []*tensor.Tensor{sF32(sDims(6), 3, 1, 2, 3, 1, 2)}},
		{name: "pad wrap opset 18", opset: 18,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p"), sNames("y"), sAS("mode", "wrap"))},
			vals:  []sVal{sIn("x", sF32(sDims(3), 1, 2, 3)), sInit("p", sI64(sDims(2), 1, 2))}, err: "wrap needs opset 19"},
		{name: "pad negative pads crop", opset: 13,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(3), 1, 2, 3)), sInit("p", sI64(sDims(2), -1, 1))}, want: []*tensor.Tensor{sF32(sDims(3), 2, 3, 0)}},
		{name: "pad wrong pad count", opset: 13,
			nodes: []*onnxpb.Node{sNode("Pad", sNames("x", "p"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(3), 1, 2, 3)), sInit("p", sI64(sDims(4), 1, 1, 1, 1))}, err: "need 2 values"},
	})
}

func TestDataGenerators(t *testing.T) {
	sRunCases(t, []sCase{
		{name: "constantofshape default float zero", opset: 9,
			nodes: []*onnxpb.Node{sNode("ConstantOfShape", sNames("s"), sNames("y"))},
			vals:  []sVal{sInit("s", sI64(sDims(2), 2, 1))}, want: []*tensor.Tensor{sF32(sDims(2, 1), 0, 0)}},
		{name: "constantofshape run-time shape", opset: 9,
			nodes: []*onnxpb.Node{sNode("ConstantOfShape", sNames("s"), sNames("y"), sAT(t, "value", sI64(sDims(1), -3)))},
			vals:  []sVal{sIn("s", sI64(sDims(1), 3))}, want: []*tensor.Tensor{sI64(sDims(3), -3, -3, -3)}},
		{name: "constantofshape scalar", opset: 9,
			nodes: []*onnxpb.Node{sNode("ConstantOfShape", sNames("s"), sNames("y"), sAT(t, "value", sF32(sDims(1), 2)))},
			vals:  []sVal{sInit("s", sI64(sDims(0)))}, want: []*tensor.Tensor{sF32(sDims(), 2)}},
		{name: "range int64", opset: 11,
			nodes: []*onnxpb.Node{sNode("Range", sNames("a", "b", "d"), sNames("y"))},
			vals:  []sVal{sIn("a", sI64(sDims(), 10)), sIn("b", sI64(sDims(), 4)), sIn("d", sI64(sDims(), -3))}, want: []*tensor.Tensor{sI64(sDims(2), 10, 7)}},
		{name: "range mixed types", opset: 11,
			nodes: []*onnxpb.Node{sNode("Range", sNames("a", "b", "d"), sNames("y"))},
			vals:  []sVal{sIn("a", sI64(sDims(), 1)), sIn("b", sF32(sDims(), 4)), sIn("d", sI64(sDims(), 1))}, err: "same type"},
		{name: "eyelike k and dtype", opset: 9,
			nodes: []*onnxpb.Node{sNode("EyeLike", sNames("x"), sNames("y"), sAI("k", 1), sAI("dtype", int64(onnxpb.ElemInt64)))},
			vals:  []sVal{sIn("x", sF32(sDims(2, 3), 0, 0, 0, 0, 0, 0))}, want: []*tensor.Tensor{sI64(sDims(2, 3), 0, 1, 0, 0, 0, 1)}},
		{name: "eyelike input type", opset: 9,
			nodes: []*onnxpb.Node{sNode("EyeLike", sNames("x"), sNames("y"), sAI("k", -1))},
			vals:  []sVal{sIn("x", sF32(sDims(2, 2), 5, 5, 5, 5))}, want: []*tensor.Tensor{sF32(sDims(2, 2), 0, 0, 1, 0)}},
		{name: "onehot negative axis", opset: 11,
			nodes: []*onnxpb.Node{sNode("OneHot", sNames("i", "d", "v"), sNames("y"), sAI("axis", -2))},
			vals:  []sVal{sIn("i", sI64(sDims(2), 1, -1)), sInit("d", sF32(sDims(), 3)), sInit("v", sF32(sDims(2), 0, 5))},
			want:  []*tensor.Tensor{sF32(sDims(3, 2), 0, 0, 5, 0, 0, 5)}},
		{name: "onehot negative axis opset 9", opset: 9,
			nodes: []*onnxpb.Node{sNode("OneHot", sNames("i", "d", "v"), sNames("y"), sAI("axis", -2))},
			vals:  []sVal{sIn("i", sI64(sDims(2), 1, 0)), sInit("d", sF32(sDims(), 3)), sInit("v", sF32(sDims(2), 0, 5))},
			want:  []*tensor.Tensor{sF32(sDims(3, 2), 0, 5, 5, 0, 0, 0)}},
		{name: "onehot axis out of range", opset: 11,
			nodes: []*onnxpb.Node{sNode("OneHot", sNames("i", "d", "v"), sNames("y"), sAI("axis", -3))},
			vals:  []sVal{sIn("i", sI64(sDims(2), 1, 0)), sInit("d", sF32(sDims(), 3)), sInit("v", sF32(sDims(2), 0, 5))},
			err:   "out of range"},
		{name: "nonzero", opset: 9,
			nodes: []*onnxpb.Node{sNode("NonZero", sNames("x"), sNames("y"))},
			vals:  []sVal{sIn("x", sF32(sDims(2, 2), 1, 0, 0, 3))}, want: []*tensor.Tensor{sI64(sDims(2, 2), 0, 1, 0, 1)}},
		{name: "compress flattened", opset: 11,
			nodes: []*onnxpb.Node{sNode("Compress", sNames("x", "c"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(2, 2)), sIn("c", sBool(sDims(3), false, true, true))}, want: []*tensor.Tensor{sF32(sDims(2), 1, 2)}},
		{name: "compress negative axis", opset: 11,
			nodes: []*onnxpb.Node{sNode("Compress", sNames("x", "c"), sNames("y"), sAI("axis", -1))},
			vals:  []sVal{sIn("x", sArange(2, 2)), sIn("c", sBool(sDims(1), true))}, want: []*tensor.Tensor{sF32(sDims(2, 1), 0, 2)}},
		{name: "compress condition too long", opset: 11,
			nodes: []*onnxpb.Node{sNode("Compress", sNames("x", "c"), sNames("y"), sAI("axis", 0))},
			vals:  []sVal{sIn("x", sArange(2, 2)), sIn("c", sBool(sDims(3), true, true, true))}, err: "condition has 3 elements"},
		{name: "trilu lower with k", opset: 14,
			nodes: []*onnxpb.Node{sNode("Trilu", sNames("x", "k"), sNames("y"), sAI("upper", 0))},
			vals:  []sVal{sIn("x", sArange(2, 2)), sInit("k", sI64(sDims(), -1))}, want: []*tensor.Tensor{sF32(sDims(2, 2), 0, 0, 2, 0)}},
		{name: "trilu upper run-time k", opset: 14,
			nodes: []*onnxpb.Node{sNode("Trilu", sNames("x", "k"), sNames("y"))},
			vals:  []sVal{sIn("x", sArange(2, 2)), sIn("k", sI64(sDims(), 1))}, want: []*tensor.Tensor{sF32(sDims(2, 2), 0, 1, 0, 0)}},
		{name: "where", opset: 9,
			nodes: []*onnxpb.Node{sNode("Where", sNames("c", "a", "b"), sNames("y"))},
			vals:  []sVal{sIn("c", sBool(sDims(2), true, false)), sIn("a", sF32(sDims(2), 1, 2)), sIn("b", sF32(sDims(1), 9))},
			want:  []*tensor.Tensor{sF32(sDims(2), 1, 9)}},
		{name: "where mixed types", opset: 9,
			nodes: []*onnxpb.Node{sNode("Where", sNames("c", "a", "b"), sNames("y"))},
			vals:  []sVal{sIn("c", sBool(sDims(2), true, false)), sIn("a", sF32(sDims(2), 1, 2)), sIn("b", sI64(sDims(1), 9))},
			err:   "different types"},
	})
}

func TestControlIf(t *testing.T) {
	branch := func(name string, op string, out string) *onnxpb.Graph {
		// Refers to the outer value "x" by name; Neg or Abs then Identity.
		return &onnxpb.Graph{Name: name,
			Nodes: []*onnxpb.Node{
				{Name: "inner", OpType: op, Inputs: sNames("x"), Outputs: sNames(out + "_t")},
				{OpType: "Identity", Inputs: sNames(out + "_t"), Outputs: sNames(out)},
			},
			Outputs: []*onnxpb.ValueInfo{{Name: out, Kind: onnxpb.TypeTensor}},
		}
	}
	x := sF32(sDims(2), -1, 2)
	ifNode := func() *onnxpb.Node {
		n := sNode("If", sNames("c"), sNames("y"), sAG("then_branch", branch("then", "Neg", "t")), sAG("else_branch", branch("else", "Abs", "e")))
		n.Name = "if"
		return n
	}
	sRunCases(t, []sCase{
		{name: "constant true", opset: 13, nodes: []*onnxpb.Node{ifNode()},
			vals: []sVal{sIn("x", x), sInit("c", sBool(sDims(), true))}, want: []*tensor.Tensor{sF32(sDims(2), 1, -2)}},
		{name: "constant false", opset: 13, nodes: []*onnxpb.Node{ifNode()},
			vals: []sVal{sIn("x", x), sInit("c", sBool(sDims(1), false))}, want: []*tensor.Tensor{sF32(sDims(2), 1, 2)}},
		{name: "folded condition", opset: 13,
			nodes: []*onnxpb.Node{sNode("Size", sNames("x"), sNames("n")), sNode("Equal", sNames("n", "two"), sNames("c")), ifNode()},
			vals:  []sVal{sIn("x", x), sInit("two", sI64(sDims(), 2))}, want: []*tensor.Tensor{sF32(sDims(2), 1, -2)}},
		{name: "run-time condition", opset: 13, nodes: []*onnxpb.Node{ifNode()},
			vals: []sVal{sIn("x", x), sIn("c", sBool(sDims(), true))}, err: "known only at run time", unsup: true},
		{name: "condition not bool", opset: 13, nodes: []*onnxpb.Node{ifNode()},
			vals: []sVal{sIn("x", x), sInit("c", sF32(sDims(), 1))}, err: "condition must be BOOL"},
	})

	// Layer names: the inlined nodes keep their names; a name already taken
	// is prefixed with the If node's name.
	outer := sNode("Relu", sNames("x"), sNames("r"))
	outer.Name = "inner"
	n := ifNode()
	n.Inputs = sNames("c")
	vals := []sVal{sIn("x", x), sInit("c", sBool(sDims(), true))}
	m := sModel(t, 13, []*onnxpb.Node{outer, n}, vals, sNames("y", "r"))
	_, res, err := sRun(t, m, vals)
	require.NoError(t, err)
	require.Contains(t, res.NodeLayers, "inner")
	require.Contains(t, res.NodeLayers, "if/inner")
	require.Contains(t, res.NodeLayers, "t") // the nameless Identity, named by its output
	require.NotNil(t, res.Network.LayerByName("if/inner"))
	require.Equal(t, trt.LayerUnary, res.Network.LayerByName("if/inner").Kind())
}

// TestShapeDynamicStaysDynamic checks that parameters unknown at build time
// are not frozen: the same engine runs at two input sizes.
func TestShapeDynamicStaysDynamic(t *testing.T) {
	cases := []struct {
		name  string
		opset int
		nodes []*onnxpb.Node
		vals  []sVal
		outs  []string
		sizes [][]int
		want  func(x *tensor.Tensor) []*tensor.Tensor
	}{
		{name: "flatten unsqueeze squeeze shape", opset: 13,
			nodes: []*onnxpb.Node{
				sNode("Flatten", sNames("x"), sNames("f"), sAI("axis", 2)),
				sNode("Unsqueeze", sNames("f", "a"), sNames("u")),
				sNode("Squeeze", sNames("u", "a"), sNames("s")),
				sNode("Shape", sNames("s"), sNames("y")),
			},
			vals: []sVal{sDyn("x", sArange(2, 3, 4), -1, -1, -1), sInit("a", sI64(sDims(1), 0))}, outs: sNames("y", "s"),
			sizes: [][]int{{2, 3, 4}, {5, 1, 7}},
			want: func(x *tensor.Tensor) []*tensor.Tensor {
				d := x.Dims
				return []*tensor.Tensor{sI64(sDims(2), int64(d[0]*d[1]), int64(d[2])), sReshaped(x, d[0]*d[1], d[2])}
			}},
		{name: "depthtospace spacetodepth size", opset: 13,
			nodes: []*onnxpb.Node{
				sNode("DepthToSpace", sNames("x"), sNames("d"), sAI("blocksize", 2)),
				sNode("SpaceToDepth", sNames("d"), sNames("s"), sAI("blocksize", 2)),
				sNode("Size", sNames("d"), sNames("n")),
			},
			vals: []sVal{sDyn("x", sArange(1, 8, 2, 3), -1, -1, -1, -1)}, outs: sNames("d", "s", "n"),
			sizes: [][]int{{1, 8, 2, 3}, {2, 4, 3, 1}},
			want: func(x *tensor.Tensor) []*tensor.Tensor {
				return []*tensor.Tensor{sDepthToSpaceRef(x, 2, false), x, sI64(sDims(), int64(tensor.Volume(x.Dims)))}
			}},
		{name: "split num_outputs", opset: 18,
			nodes: []*onnxpb.Node{sNode("Split", sNames("x"), sNames("p", "q"), sAI("num_outputs", 2))},
			vals:  []sVal{sDyn("x", sArange(5), -1)}, outs: sNames("p", "q"),
			sizes: [][]int{{5}, {8}},
			want: func(x *tensor.Tensor) []*tensor.Tensor {
				n := x.Dims[0]
				k := (n + 1) / 2
				v := x.Data.([]float32)
				return []*tensor.Tensor{sF32(sDims(k), v[:k]...), sF32(sDims(n-k), v[k:]...)}
			}},
		{name: "squeeze run-time axes", opset: 13,
			nodes: []*onnxpb.Node{sNode("Squeeze", sNames("x", "a"), sNames("y"))},
			vals:  []sVal{sDyn("x", sArange(1, 3, 1), -1, -1, -1), sIn("a", sI64(sDims(2), 0, 2))}, outs: sNames("y"),
			sizes: [][]int{{1, 3, 1}, {1, 5, 1}},
			want: func(x *tensor.Tensor) []*tensor.Tensor {
				return []*tensor.Tensor{sReshaped(x, x.Dims[1])}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := sModel(t, tc.opset, tc.nodes, tc.vals, tc.outs)
			res, err := Import(m, Options{})
			require.NoError(t, err)
			cfg := trt.NewBuilderConfig()
			p := trt.NewOptimizationProfile()
			lo, hi := make(trt.Dims, len(tc.sizes[0])), make(trt.Dims, len(tc.sizes[0]))
			for i := range lo {
				lo[i], hi[i] = 1, 16
			}
			p.SetDimensions("x", lo, trt.Dims(tc.sizes[0]), hi)
			cfg.AddOptimizationProfile(p)
			eng, err := trt.NewBuilder(nil).Build(context.Background(), res.Network, cfg)
			require.NoError(t, err)
			defer eng.Close()
			ec, err := eng.CreateExecutionContext()
			require.NoError(t, err)
			defer ec.Close()
			for _, d := range tc.sizes {
				feed := map[string]*tensor.Tensor{}
				for _, v := range tc.vals {
					if !v.init && v.name != "x" {
						feed[v.name] = v.h
					}
				}
				h := sArange(d...)
				h.Name = "x"
				feed["x"] = h
				out, err := ec.Run(context.Background(), feed)
				require.NoError(t, err, "dims %v", d)
				for i, w := range tc.want(h) {
					sRequireTensor(t, w, out[tc.outs[i]], tc.outs[i])
				}
			}
		})
	}
}
