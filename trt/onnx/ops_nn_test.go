package onnx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/internal/cpu"
	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
	"github.com/stretchr/testify/require"
	"github.com/x448/float16"
)

// Table tests of the nn, reduce, rnn and resize importers: attribute and
// opset handling (softmax coercion, reduce axes as attribute or input, Gemm
// transposes and scaling, pads resolution, training-mode rejection, ...) and
// error cases. Each case imports a one-node model; cases with expected values
// build a CPU engine and run it, cases with expected dims only check the
// imported network (for layers whose CPU kernel may be missing).

type nntVal struct {
	name string
	h    *tensor.Tensor
	init bool
}

func nntIn(name string, h *tensor.Tensor) nntVal   { return nntVal{name: name, h: h} }
func nntInit(name string, h *tensor.Tensor) nntVal { return nntVal{name: name, h: h, init: true} }

func nntF(d []int, v ...float32) *tensor.Tensor {
	return &tensor.Tensor{Type: tensor.Float, Dims: d, Data: v}
}
func nntI(d []int, v ...int64) *tensor.Tensor {
	return &tensor.Tensor{Type: tensor.Int64, Dims: d, Data: v}
}
func nntB(d []int, v ...bool) *tensor.Tensor {
	return &tensor.Tensor{Type: tensor.Bool, Dims: d, Data: v}
}
func nntD(d ...int) []int { return d }

// nntRange is 0, 1, 2, ... scaled by s, of dims d.
func nntRange(s float32, d ...int) *tensor.Tensor {
	v := make([]float32, tensor.Volume(d))
	for i := range v {
		v[i] = float32(i) * s
	}
	return nntF(d, v...)
}

func nntAI(name string, v int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInt, I: v}
}
func nntAIs(name string, v ...int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrInts, Ints: v}
}
func nntAF(name string, v float32) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrFloat, F: v}
}
func nntAFs(name string, v ...float32) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrFloats, Floats: v}
}
func nntAS(name, v string) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttrString, S: []byte(v)}
}
func nntASs(name string, v ...string) *onnxpb.Attribute {
	a := &onnxpb.Attribute{Name: name, Type: onnxpb.AttrStrings}
	for _, s := range v {
		a.Strings = append(a.Strings, []byte(s))
	}
	return a
}

// nntNode makes the node under test, named "n0".
func nntNode(op string, ins, outs []string, attrs ...*onnxpb.Attribute) *onnxpb.Node {
	return &onnxpb.Node{Name: "n0", OpType: op, Inputs: ins, Outputs: outs, Attributes: attrs}
}

func nntS(s ...string) []string { return s }

type nntCase struct {
	name  string
	opset int
	node  *onnxpb.Node
	vals  []nntVal
	want  []*tensor.Tensor // expected outputs (nil entries are not checked)
	dims  [][]int          // expected output dims, checked on the imported network
	err   string           // substring of the import error
	unsup bool             // the error must be ErrUnsupported (else it must not be)
	tol   float64
	// kernel, when set, skips the run unless the CPU backend has it.
	kernel ir.Kind
}

func nntModel(t *testing.T, tc nntCase) *onnxpb.Model {
	g := &onnxpb.Graph{Name: "nn", Nodes: []*onnxpb.Node{tc.node}}
	for _, v := range tc.vals {
		if v.init {
			ot, err := onnxpb.FromHost(v.name, v.h)
			require.NoError(t, err)
			g.Initializers = append(g.Initializers, ot)
			continue
		}
		et, err := onnxpb.HostToElemType(v.h.Type)
		require.NoError(t, err)
		vi := &onnxpb.ValueInfo{Name: v.name, Kind: onnxpb.TypeTensor, ElemType: et, HasShape: true}
		for _, d := range v.h.Dims {
			vi.Shape = append(vi.Shape, onnxpb.Dim{Value: int64(d), Known: true})
		}
		g.Inputs = append(g.Inputs, vi)
	}
	for _, o := range tc.node.Outputs {
		if o != "" {
			g.Outputs = append(g.Outputs, &onnxpb.ValueInfo{Name: o, Kind: onnxpb.TypeTensor})
		}
	}
	return &onnxpb.Model{IRVersion: 8, OpsetImports: []onnxpb.OpsetID{{Version: int64(tc.opset)}}, Graph: g}
}

func nntRun(t *testing.T, cases []nntCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Import(nntModel(t, tc), Options{Name: "m"})
			if tc.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.err)
				require.Contains(t, err.Error(), `node "n0"`, "the error names the node")
				require.Equal(t, tc.unsup, errors.Is(err, ErrUnsupported), "unsupported classification of %v", err)
				return
			}
			require.NoError(t, err)
			outs := res.Outputs
			for i, d := range tc.dims {
				if d == nil {
					continue
				}
				require.Equal(t, fmt.Sprint(d), fmt.Sprint([]int(res.Network.Output(i).Dimensions())), "output %s dims", outs[i])
			}
			if tc.want == nil {
				return
			}
			if tc.kernel != 0 && !cpu.HasKernel(tc.kernel) {
				t.Skipf("no CPU kernel for %v yet", tc.kernel)
			}
			cfg := trt.NewBuilderConfig()
			cfg.ClearFlag(trt.FlagTF32)
			eng, err := trt.NewBuilder(nil).Build(context.Background(), res.Network, cfg)
			require.NoError(t, err, "build")
			defer eng.Close()
			ec, err := eng.CreateExecutionContext()
			require.NoError(t, err)
			defer ec.Close()
			feed := map[string]*tensor.Tensor{}
			for _, v := range tc.vals {
				if !v.init {
					h := *v.h
					h.Name = v.name
					feed[v.name] = &h
				}
			}
			got, err := ec.Run(context.Background(), feed)
			require.NoError(t, err, "run")
			tol := tc.tol
			if tol == 0 {
				tol = 1e-5
			}
			for i, w := range tc.want {
				if w == nil {
					continue
				}
				g := got[outs[i]]
				require.NotNil(t, g, "output %s", outs[i])
				require.Equal(t, w.Type, g.Type, "output %s type", outs[i])
				require.Equal(t, fmt.Sprint(w.Dims), fmt.Sprint(g.Dims), "output %s dims", outs[i])
				wf, gf := w.Float64s(), g.Float64s()
				for j := range wf {
					if math.Abs(wf[j]-gf[j]) > tol*(1+math.Abs(wf[j])) {
						require.Failf(t, "values differ", "output %s[%d]: got %v, want %v\ngot  %v\nwant %v", outs[i], j, gf[j], wf[j], gf, wf)
					}
				}
			}
		})
	}
}

// nntSoftmax applies softmax to rows of n consecutive values (stride 1) or,
// with inner > 1, to columns of the [outer, n, inner] view.
func nntSoftmax(x *tensor.Tensor, n, inner int, log bool) *tensor.Tensor {
	v := x.Data.([]float32)
	out := make([]float32, len(v))
	for o := 0; o < len(v)/(n*inner); o++ {
		for in := 0; in < inner; in++ {
			mx := math.Inf(-1)
			for j := 0; j < n; j++ {
				mx = math.Max(mx, float64(v[(o*n+j)*inner+in]))
			}
			var s float64
			for j := 0; j < n; j++ {
				s += math.Exp(float64(v[(o*n+j)*inner+in]) - mx)
			}
			for j := 0; j < n; j++ {
				e := float64(v[(o*n+j)*inner+in]) - mx
				if log {
					out[(o*n+j)*inner+in] = float32(e - math.Log(s))
				} else {
					out[(o*n+j)*inner+in] = float32(math.Exp(e) / s)
				}
			}
		}
	}
	return nntF(x.Dims, out...)
}

func TestNNSoftmax(t *testing.T) {
	x := nntRange(0.1, 2, 3, 4)
	nntRun(t, []nntCase{
		{name: "softmax opset 11 coerces to 2-D at default axis 1", opset: 11,
			node: nntNode("Softmax", nntS("x"), nntS("y")), vals: []nntVal{nntIn("x", x)},
			want: []*tensor.Tensor{nntSoftmax(x, 12, 1, false)}},
		{name: "softmax opset 13 default axis -1", opset: 13,
			node: nntNode("Softmax", nntS("x"), nntS("y")), vals: []nntVal{nntIn("x", x)},
			want: []*tensor.Tensor{nntSoftmax(x, 4, 1, false)}},
		{name: "softmax opset 13 axis 1 is per axis", opset: 13,
			node: nntNode("Softmax", nntS("x"), nntS("y"), nntAI("axis", 1)), vals: []nntVal{nntIn("x", x)},
			want: []*tensor.Tensor{nntSoftmax(x, 3, 4, false)}},
		{name: "logsoftmax opset 12 axis 0 coerces everything", opset: 12,
			node: nntNode("LogSoftmax", nntS("x"), nntS("y"), nntAI("axis", 0)), vals: []nntVal{nntIn("x", x)},
			want: []*tensor.Tensor{nntSoftmax(x, 24, 1, true)}},
		{name: "logsoftmax opset 11 negative axis", opset: 11,
			node: nntNode("LogSoftmax", nntS("x"), nntS("y"), nntAI("axis", -1)), vals: []nntVal{nntIn("x", x)},
			want: []*tensor.Tensor{nntSoftmax(x, 4, 1, true)}},
		{name: "hardmax opset 13 axis 0", opset: 13,
			node: nntNode("Hardmax", nntS("x"), nntS("y"), nntAI("axis", 0)),
			vals: []nntVal{nntIn("x", nntF(nntD(2, 2), 1, 5, 3, 2))},
			want: []*tensor.Tensor{nntF(nntD(2, 2), 0, 1, 1, 0)}},
		{name: "hardmax opset 11 default axis 1 coerces", opset: 11,
			node: nntNode("Hardmax", nntS("x"), nntS("y")),
			vals: []nntVal{nntIn("x", nntF(nntD(1, 2, 2), 1, 5, 7, 2))},
			want: []*tensor.Tensor{nntF(nntD(1, 2, 2), 0, 0, 1, 0)}},
		{name: "axis out of range", opset: 13, err: "axis 3 is out of range",
			node: nntNode("Softmax", nntS("x"), nntS("y"), nntAI("axis", 3)), vals: []nntVal{nntIn("x", x)}},
		{name: "axis of the wrong type", opset: 13, err: "attribute \"axis\" is FLOAT",
			node: nntNode("Softmax", nntS("x"), nntS("y"), nntAF("axis", 1)), vals: []nntVal{nntIn("x", x)}},
	})
}

func TestNNReduce(t *testing.T) {
	x := nntF(nntD(2, 3), 1, 2, 3, 4, 5, 6)
	in := []nntVal{nntIn("x", x)}
	withAxes := func(a ...int64) []nntVal { return []nntVal{nntIn("x", x), nntInit("axes", nntI(nntD(len(a)), a...))} }
	nntRun(t, []nntCase{
		{name: "ReduceSum opset 11 axes attribute", opset: 11, vals: in,
			node: nntNode("ReduceSum", nntS("x"), nntS("y"), nntAIs("axes", 1), nntAI("keepdims", 0)),
			want: []*tensor.Tensor{nntF(nntD(2), 6, 15)}},
		{name: "ReduceSum opset 13 axes input", opset: 13, vals: withAxes(0),
			node: nntNode("ReduceSum", nntS("x", "axes"), nntS("y")),
			want: []*tensor.Tensor{nntF(nntD(1, 3), 5, 7, 9)}},
		{name: "ReduceSum opset 13 without axes reduces all", opset: 13, vals: in,
			node: nntNode("ReduceSum", nntS("x"), nntS("y")),
			want: []*tensor.Tensor{nntF(nntD(1, 1), 21)}},
		{name: "ReduceSum opset 13 noop_with_empty_axes", opset: 13, vals: in,
			node: nntNode("ReduceSum", nntS("x", ""), nntS("y"), nntAI("noop_with_empty_axes", 1)),
			want: []*tensor.Tensor{x}},
		{name: "ReduceSumSquare opset 18 noop squares", opset: 18, vals: in,
			node: nntNode("ReduceSumSquare", nntS("x"), nntS("y"), nntAI("noop_with_empty_axes", 1)),
			want: []*tensor.Tensor{nntF(nntD(2, 3), 1, 4, 9, 16, 25, 36)}},
		{name: "ReduceSum opset 13 run-time axes keepdims 0",
			opset: 13, vals: []nntVal{nntIn("x", x), nntIn("axes", nntI(nntD(1), -1))},
			node: nntNode("ReduceSum", nntS("x", "axes"), nntS("y"), nntAI("keepdims", 0)),
			want: []*tensor.Tensor{nntF(nntD(2), 6, 15)}},
		{name: "ReduceMean opset 17 axes attribute", opset: 17, vals: in,
			node: nntNode("ReduceMean", nntS("x"), nntS("y"), nntAIs("axes", -1)),
			want: []*tensor.Tensor{nntF(nntD(2, 1), 2, 5)}},
		{name: "ReduceMean opset 18 axes input", opset: 18, vals: withAxes(-1),
			node: nntNode("ReduceMean", nntS("x", "axes"), nntS("y"), nntAI("keepdims", 0)),
			want: []*tensor.Tensor{nntF(nntD(2), 2, 5)}},
		{name: "ReduceL2 opset 11", opset: 11, vals: in,
			node: nntNode("ReduceL2", nntS("x"), nntS("y"), nntAIs("axes", 0), nntAI("keepdims", 0)),
			want: []*tensor.Tensor{nntF(nntD(3), float32(math.Sqrt(17)), float32(math.Sqrt(29)), float32(math.Sqrt(45)))}},
		{name: "ReduceLogSumExp opset 13 all axes", opset: 13, vals: in,
			node: nntNode("ReduceLogSumExp", nntS("x"), nntS("y"), nntAI("keepdims", 0)),
			want: []*tensor.Tensor{nntF(nntD(), float32(6+math.Log(1+math.Exp(-1)+math.Exp(-2)+math.Exp(-3)+math.Exp(-4)+math.Exp(-5))))}},
		{name: "ReduceMax opset 20 BOOL", opset: 20,
			vals: []nntVal{nntIn("x", nntB(nntD(2, 2), false, true, false, false)), nntInit("axes", nntI(nntD(1), 1))},
			node: nntNode("ReduceMax", nntS("x", "axes"), nntS("y"), nntAI("keepdims", 0)),
			want: []*tensor.Tensor{nntB(nntD(2), true, false)}},
		{name: "ReduceMin opset 20 BOOL", opset: 20,
			vals: []nntVal{nntIn("x", nntB(nntD(2, 2), true, true, false, true))},
			node: nntNode("ReduceMin", nntS("x"), nntS("y"), nntAI("keepdims", 0)),
			want: []*tensor.Tensor{nntB(nntD(), false)}},
		{name: "axes attribute at opset 13", opset: 13, vals: in, err: "attribute axes was replaced by an input",
			node: nntNode("ReduceSum", nntS("x"), nntS("y"), nntAIs("axes", 1))},
		{name: "axes input before opset 18", opset: 17, vals: withAxes(1), err: "the axes input needs opset 18",
			node: nntNode("ReduceMean", nntS("x", "axes"), nntS("y"))},
		{name: "axes out of range", opset: 11, vals: in, err: "out of range",
			node: nntNode("ReduceProd", nntS("x"), nntS("y"), nntAIs("axes", 2))},
		{name: "keepdims not boolean", opset: 11, vals: in, err: "keepdims must be 0 or 1",
			node: nntNode("ReduceMax", nntS("x"), nntS("y"), nntAI("keepdims", 2))},
		{name: "BOOL ReduceSum", opset: 13, vals: []nntVal{nntIn("x", nntB(nntD(2), true, false))}, err: "BOOL",
			node: nntNode("ReduceSum", nntS("x"), nntS("y"))},
	})
}

func TestNNArgTopKCumSumEinsum(t *testing.T) {
	x := nntF(nntD(2, 3), 3, 1, 3, 0, 5, 5)
	in := []nntVal{nntIn("x", x)}
	nntRun(t, []nntCase{
		{name: "ArgMax default", opset: 11, vals: in, node: nntNode("ArgMax", nntS("x"), nntS("y"), nntAI("axis", 1)),
			want: []*tensor.Tensor{nntI(nntD(2, 1), 0, 1)}},
		{name: "ArgMax select_last_index", opset: 12, vals: in,
			node: nntNode("ArgMax", nntS("x"), nntS("y"), nntAI("axis", 1), nntAI("keepdims", 0), nntAI("select_last_index", 1)),
			want: []*tensor.Tensor{nntI(nntD(2), 2, 2)}},
		{name: "ArgMin axis 0", opset: 13, vals: in, node: nntNode("ArgMin", nntS("x"), nntS("y"), nntAI("keepdims", 0)),
			want: []*tensor.Tensor{nntI(nntD(3), 1, 0, 0)}},
		{name: "ArgMax axis out of range", opset: 13, vals: in, err: "axis 2 is out of range",
			node: nntNode("ArgMax", nntS("x"), nntS("y"), nntAI("axis", 2))},
		{name: "TopK opset 1 k attribute", opset: 1, vals: in,
			node: nntNode("TopK", nntS("x"), nntS("v", "i"), nntAI("k", 2)),
			want: []*tensor.Tensor{nntF(nntD(2, 2), 3, 3, 5, 5), nntI(nntD(2, 2), 0, 2, 1, 2)}},
		{name: "TopK opset 10 K input", opset: 10, vals: []nntVal{nntIn("x", x), nntInit("k", nntI(nntD(1), 1))},
			node: nntNode("TopK", nntS("x", "k"), nntS("v", "i"), nntAI("axis", 0)),
			want: []*tensor.Tensor{nntF(nntD(1, 3), 3, 5, 5), nntI(nntD(1, 3), 0, 1, 1)}},
		{name: "TopK opset 11 smallest", opset: 11, vals: []nntVal{nntIn("x", x), nntInit("k", nntI(nntD(1), 2))},
			node: nntNode("TopK", nntS("x", "k"), nntS("v", "i"), nntAI("largest", 0)),
			want: []*tensor.Tensor{nntF(nntD(2, 2), 1, 3, 0, 5), nntI(nntD(2, 2), 1, 0, 0, 1)}},
		{name: "TopK opset 10 with k attribute", opset: 10, vals: []nntVal{nntIn("x", x), nntInit("k", nntI(nntD(1), 1))},
			err: "attribute k was replaced", node: nntNode("TopK", nntS("x", "k"), nntS("v", "i"), nntAI("k", 1))},
		{name: "TopK opset 1 without k", opset: 1, vals: in, err: "attribute k is required",
			node: nntNode("TopK", nntS("x"), nntS("v", "i"))},
		{name: "CumSum exclusive reverse", opset: 14, vals: []nntVal{nntIn("x", x), nntInit("a", nntI(nntD(), 1))},
			node: nntNode("CumSum", nntS("x", "a"), nntS("y"), nntAI("exclusive", 1), nntAI("reverse", 1)),
			want: []*tensor.Tensor{nntF(nntD(2, 3), 4, 3, 0, 10, 5, 0)}},
		{name: "CumSum axis out of range", opset: 14, vals: []nntVal{nntIn("x", x), nntInit("a", nntI(nntD(), -3))},
			err: "out of range", node: nntNode("CumSum", nntS("x", "a"), nntS("y"))},
		{name: "Einsum matmul", opset: 12,
			vals: []nntVal{nntIn("a", x), nntIn("b", nntF(nntD(3, 1), 1, 1, 1))},
			node: nntNode("Einsum", nntS("a", "b"), nntS("y"), nntAS("equation", "ij, jk -> ik")),
			want: []*tensor.Tensor{nntF(nntD(2, 1), 7, 10)}},
		{name: "Einsum without equation", opset: 12, vals: in, err: "equation is required",
			node: nntNode("Einsum", nntS("x"), nntS("y"))},
	})
}

func TestNNGemmMatMul(t *testing.T) {
	a := nntF(nntD(2, 3), 1, 2, 3, 4, 5, 6)
	b := nntF(nntD(4, 3), 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1) // used as Bᵀ
	// A Bᵀ = [[1 2 3 6] [4 5 6 15]]
	cv := nntF(nntD(4), 10, 20, 30, 40)
	nntRun(t, []nntCase{
		{name: "transB alpha beta C broadcast", opset: 13,
			vals: []nntVal{nntIn("a", a), nntIn("b", b), nntInit("c", cv)},
			node: nntNode("Gemm", nntS("a", "b", "c"), nntS("y"), nntAI("transB", 1), nntAF("alpha", 2), nntAF("beta", 0.5)),
			want: []*tensor.Tensor{nntF(nntD(2, 4), 7, 14, 21, 32, 13, 20, 27, 50)}},
		{name: "transA", opset: 13,
			vals: []nntVal{nntIn("a", nntF(nntD(3, 2), 1, 4, 2, 5, 3, 6)), nntIn("b", nntF(nntD(3, 1), 1, 1, 1))},
			node: nntNode("Gemm", nntS("a", "b"), nntS("y"), nntAI("transA", 1)),
			want: []*tensor.Tensor{nntF(nntD(2, 1), 6, 15)}},
		{name: "opset 6 broadcast attribute", opset: 6,
			vals: []nntVal{nntIn("a", a), nntIn("b", b), nntInit("c", nntF(nntD(1), 1))},
			node: nntNode("Gemm", nntS("a", "b", "c"), nntS("y"), nntAI("transB", 1), nntAI("broadcast", 1)),
			want: []*tensor.Tensor{nntF(nntD(2, 4), 2, 3, 4, 7, 5, 6, 7, 16)}},
		{name: "beta 0 ignores C", opset: 11,
			vals: []nntVal{nntIn("a", a), nntIn("b", b), nntInit("c", cv)},
			node: nntNode("Gemm", nntS("a", "b", "c"), nntS("y"), nntAI("transB", 1), nntAF("beta", 0)),
			want: []*tensor.Tensor{nntF(nntD(2, 4), 1, 2, 3, 6, 4, 5, 6, 15)}},
		{name: "no C from opset 11", opset: 11, vals: []nntVal{nntIn("a", a), nntIn("b", b)},
			node: nntNode("Gemm", nntS("a", "b"), nntS("y"), nntAI("transB", 1)),
			want: []*tensor.Tensor{nntF(nntD(2, 4), 1, 2, 3, 6, 4, 5, 6, 15)}},
		{name: "C required before opset 11", opset: 9, vals: []nntVal{nntIn("a", a), nntIn("b", b)},
			err: "input C is required", node: nntNode("Gemm", nntS("a", "b"), nntS("y"), nntAI("transB", 1))},
		{name: "transB not boolean", opset: 13, vals: []nntVal{nntIn("a", a), nntIn("b", b)},
			err: "transB must be 0 or 1", node: nntNode("Gemm", nntS("a", "b"), nntS("y"), nntAI("transB", 2))},
		{name: "3-D A", opset: 13, vals: []nntVal{nntIn("a", nntRange(1, 1, 2, 3)), nntIn("b", b)},
			err: "must be 2-D", node: nntNode("Gemm", nntS("a", "b"), nntS("y"), nntAI("transB", 1))},
		{name: "MatMul vector by matrix", opset: 13,
			vals: []nntVal{nntIn("a", nntF(nntD(2), 1, 2)), nntIn("b", a)},
			node: nntNode("MatMul", nntS("a", "b"), nntS("y")),
			want: []*tensor.Tensor{nntF(nntD(3), 9, 12, 15)}},
	})
}

func TestNNConv(t *testing.T) {
	x := nntRange(1, 1, 1, 5, 5)
	w := nntRange(1, 1, 1, 3, 3)
	xw := []nntVal{nntIn("x", x), nntInit("w", w)}
	conv := func(attrs ...*onnxpb.Attribute) *onnxpb.Node {
		return nntNode("Conv", nntS("x", "w"), nntS("y"), attrs...)
	}
	deconvIn := []nntVal{nntIn("x", nntRange(1, 1, 1, 3, 3)), nntInit("w", nntRange(1, 1, 2, 3, 3))}
	deconv := func(attrs ...*onnxpb.Attribute) *onnxpb.Node {
		return nntNode("ConvTranspose", nntS("x", "w"), nntS("y"), attrs...)
	}
	// 1-D transposed convolution of [1 2 3] with [1 1 1], stride 2: the
	// full output is [1 1 3 2 5 3 3]; the pads crop it.
	x1 := []nntVal{nntIn("x", nntF(nntD(1, 1, 3), 1, 2, 3)), nntInit("w", nntF(nntD(1, 1, 3), 1, 1, 1))}
	d1 := func(want []float32, attrs ...*onnxpb.Attribute) nntCase {
		return nntCase{opset: 11, vals: x1, node: deconv(append(attrs, nntAIs("strides", 2))...),
			dims: [][]int{{1, 1, len(want)}}, want: []*tensor.Tensor{nntF(nntD(1, 1, len(want)), want...)},
			kernel: ir.KindDeconvolution}
	}
	cases := []nntCase{
		{name: "pads and strides", opset: 11, vals: xw, node: conv(nntAIs("pads", 1, 1, 1, 1), nntAIs("strides", 2, 2)),
			dims: [][]int{{1, 1, 3, 3}}},
		{name: "asymmetric pads", opset: 11, vals: xw, node: conv(nntAIs("pads", 1, 0, 1, 0)),
			dims: [][]int{{1, 1, 5, 3}}},
		{name: "auto_pad SAME_UPPER", opset: 1, vals: xw, node: conv(nntAS("auto_pad", "SAME_UPPER"), nntAIs("strides", 2, 2)),
			dims: [][]int{{1, 1, 3, 3}}},
		{name: "auto_pad VALID ignores pads", opset: 11, vals: xw, node: conv(nntAS("auto_pad", "VALID"), nntAIs("pads", 1, 1, 1, 1)),
			dims: [][]int{{1, 1, 3, 3}}},
		{name: "dilations", opset: 11, vals: xw, node: conv(nntAIs("dilations", 2, 2)), dims: [][]int{{1, 1, 1, 1}}},
		{name: "groups", opset: 11, vals: []nntVal{nntIn("x", nntRange(1, 1, 4, 5, 5)), nntInit("w", nntRange(1, 6, 2, 3, 3)), nntInit("b", nntRange(1, 6))},
			node: nntNode("Conv", nntS("x", "w", "b"), nntS("y"), nntAI("group", 2)), dims: [][]int{{1, 6, 3, 3}}},
		{name: "kernel_shape mismatch", opset: 11, vals: xw, node: conv(nntAIs("kernel_shape", 2, 2)), err: "does not match weights"},
		{name: "pads length", opset: 11, vals: xw, node: conv(nntAIs("pads", 1, 1)), err: "pads [1 1] has 2 values, want 4"},
		{name: "negative pads", opset: 11, vals: xw, node: conv(nntAIs("pads", -1, 0, 0, 0)), err: "below 0"},
		{name: "zero stride", opset: 11, vals: xw, node: conv(nntAIs("strides", 0, 1)), err: "below 1"},
		{name: "bad auto_pad", opset: 11, vals: xw, node: conv(nntAS("auto_pad", "SAME")), err: "auto_pad must be"},
		{name: "group 0", opset: 11, vals: xw, node: conv(nntAI("group", 0)), err: "group must be positive"},
		{name: "rank mismatch", opset: 11, vals: []nntVal{nntIn("x", nntRange(1, 1, 5, 5)), nntInit("w", w)}, node: conv(), err: "has rank 3"},
		{name: "deconv default", opset: 11, vals: deconvIn, node: deconv(), dims: [][]int{{1, 2, 5, 5}}},
		{name: "deconv output_shape", opset: 11, vals: deconvIn, node: deconv(nntAIs("strides", 3, 2), nntAIs("output_shape", 10, 8)),
			dims: [][]int{{1, 2, 10, 8}}},
		{name: "deconv full output_shape", opset: 11, vals: deconvIn, node: deconv(nntAIs("strides", 3, 2), nntAIs("output_shape", 1, 2, 10, 8)),
			dims: [][]int{{1, 2, 10, 8}}},
		{name: "deconv output_padding", opset: 11, vals: deconvIn, node: deconv(nntAIs("strides", 3, 2), nntAIs("output_padding", 1, 1)),
			dims: [][]int{{1, 2, 10, 8}}},
		{name: "deconv SAME_UPPER", opset: 11, vals: deconvIn, node: deconv(nntAS("auto_pad", "SAME_UPPER"), nntAIs("strides", 2, 2)),
			dims: [][]int{{1, 2, 6, 6}}},
		{name: "deconv pads dilations", opset: 11, vals: deconvIn, node: deconv(nntAIs("pads", 1, 2, 1, 2), nntAIs("dilations", 2, 2)),
			dims: [][]int{{1, 2, 5, 3}}},
		{name: "deconv groups", opset: 11, vals: []nntVal{nntIn("x", nntRange(1, 1, 2, 3, 3)), nntInit("w", nntRange(1, 2, 1, 3, 3))},
			node: deconv(nntAI("group", 2)), dims: [][]int{{1, 2, 5, 5}}},
		{name: "deconv SAME_UPPER negative leading padding", opset: 11, unsup: true, err: "negative leading padding",
			vals: []nntVal{nntIn("x", nntF(nntD(1, 1, 2), 1, 2)), nntInit("w", nntF(nntD(1, 1, 1), 1))},
			node: deconv(nntAS("auto_pad", "SAME_UPPER"), nntAIs("strides", 2))},
		{name: "deconv SAME_LOWER negative padding grows the end", opset: 11, kernel: ir.KindDeconvolution,
			vals: []nntVal{nntIn("x", nntF(nntD(1, 1, 2), 1, 2)), nntInit("w", nntF(nntD(1, 1, 1), 1))},
			node: deconv(nntAS("auto_pad", "SAME_LOWER"), nntAIs("strides", 2)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 4), 1, 0, 2, 0)}},
		{name: "deconv output_padding length", opset: 11, vals: deconvIn, node: deconv(nntAIs("output_padding", 1)), err: "output_padding [1] has 1 values"},
		{name: "deconv output_shape length", opset: 11, vals: deconvIn, node: deconv(nntAIs("output_shape", 1, 2, 3)), err: "output_shape [1 2 3] has 3 values"},
	}
	for _, c := range []struct {
		name  string
		want  []float32
		attrs []*onnxpb.Attribute
	}{
		{"1-D SAME_UPPER crops the end", []float32{1, 1, 3, 2, 5, 3}, []*onnxpb.Attribute{nntAS("auto_pad", "SAME_UPPER")}},
		{"1-D SAME_LOWER crops the start", []float32{1, 3, 2, 5, 3, 3}, []*onnxpb.Attribute{nntAS("auto_pad", "SAME_LOWER")}},
		{"1-D output_shape crops the start", []float32{1, 3, 2, 5, 3, 3}, []*onnxpb.Attribute{nntAIs("output_shape", 6)}},
		{"1-D output_shape grows the end", []float32{1, 1, 3, 2, 5, 3, 3, 0}, []*onnxpb.Attribute{nntAIs("output_shape", 8)}},
		{"1-D pads", []float32{1, 3, 2, 5}, []*onnxpb.Attribute{nntAIs("pads", 1, 2)}},
		{"1-D output_padding", []float32{1, 1, 3, 2, 5, 3, 3, 0}, []*onnxpb.Attribute{nntAIs("output_padding", 1)}},
	} {
		tc := d1(c.want, c.attrs...)
		tc.name = c.name
		cases = append(cases, tc)
	}
	nntRun(t, cases)
}

func TestNNNormalization(t *testing.T) {
	x := nntF(nntD(1, 2, 1, 2), 1, 3, 2, 6)
	ones := nntF(nntD(2), 1, 1)
	zeros := nntF(nntD(2), 0, 0)
	bn := func(eps float32) []nntVal {
		return []nntVal{nntIn("x", x), nntInit("s", nntF(nntD(2), 2, 1)), nntInit("b", nntF(nntD(2), 1, 0)),
			nntInit("m", nntF(nntD(2), 1, 2)), nntInit("v", nntF(nntD(2), 4-eps, 1-eps))}
	}
	bnOut := nntF(nntD(1, 2, 1, 2), 1, 3, 0, 4) // (x-m)/sqrt(v+eps)*s+b
	bnNode := func(attrs ...*onnxpb.Attribute) *onnxpb.Node {
		return nntNode("BatchNormalization", nntS("x", "s", "b", "m", "v"), nntS("y"), attrs...)
	}
	// spatial=0: per-activation parameters [C, D] on [N, C, D].
	xs := nntF(nntD(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8)
	pa := func(v ...float32) *tensor.Tensor { return nntF(nntD(2, 2), v...) }
	ln := nntF(nntD(2, 3), 1, 2, 3, 2, 2, 8)
	lnMean := nntF(nntD(2, 1), 2, 4)
	lnInv := nntF(nntD(2, 1), float32(1/math.Sqrt(2.0/3+1e-5)), float32(1/math.Sqrt(8+1e-5)))
	lnY := make([]float32, 6)
	for i, v := range ln.Data.([]float32) {
		m, s := lnMean.Data.([]float32)[i/3], lnInv.Data.([]float32)[i/3]
		lnY[i] = (v-m)*s*2 + 1
	}
	gx := nntF(nntD(1, 4, 1), 1, 3, 5, 9)
	nntRun(t, []nntCase{
		{name: "BatchNormalization opset 15", opset: 15, vals: bn(1e-5), node: bnNode(), want: []*tensor.Tensor{bnOut}},
		{name: "BatchNormalization opset 6 is_test", opset: 6, vals: bn(0.5), node: bnNode(nntAI("is_test", 1), nntAF("epsilon", 0.5)),
			want: []*tensor.Tensor{bnOut}},
		{name: "BatchNormalization opset 6 training", opset: 6, vals: bn(1e-5), node: bnNode(), err: "is_test=0", unsup: true},
		{name: "BatchNormalization training_mode", opset: 15, vals: bn(1e-5), node: bnNode(nntAI("training_mode", 1)),
			err: "training_mode=1", unsup: true},
		{name: "BatchNormalization running mean output", opset: 9, vals: bn(1e-5),
			node: nntNode("BatchNormalization", nntS("x", "s", "b", "m", "v"), nntS("y", "rm")), err: "training mode", unsup: true},
		{name: "BatchNormalization opset 7 spatial=0", opset: 7,
			vals: []nntVal{nntIn("x", xs), nntInit("s", pa(1, 2, 1, 1)), nntInit("b", pa(0, 0, 1, 0)),
				nntInit("m", pa(1, 1, 1, 1)), nntInit("v", pa(4, 4, 1, 1))},
			node: bnNode(nntAI("spatial", 0), nntAF("epsilon", 0)),
			want: []*tensor.Tensor{nntF(nntD(2, 2, 2), 0, 1, 3, 3, 2, 5, 7, 7)}},
		{name: "BatchNormalization spatial=0 with per-channel parameters", opset: 7, vals: bn(1e-5),
			node: bnNode(nntAI("spatial", 0)), err: "spatial=0 needs parameters of shape"},
		{name: "InstanceNormalization", opset: 6,
			vals: []nntVal{nntIn("x", x), nntInit("s", ones), nntInit("b", zeros)},
			node: nntNode("InstanceNormalization", nntS("x", "s", "b"), nntS("y"), nntAF("epsilon", 0)),
			want: []*tensor.Tensor{nntF(nntD(1, 2, 1, 2), -1, 1, -1, 1)}},
		{name: "LayerNormalization with Mean and InvStdDev", opset: 17,
			vals: []nntVal{nntIn("x", ln), nntInit("s", nntF(nntD(3), 2, 2, 2)), nntInit("b", nntF(nntD(3), 1, 1, 1))},
			node: nntNode("LayerNormalization", nntS("x", "s", "b"), nntS("y", "mean", "inv")),
			want: []*tensor.Tensor{nntF(nntD(2, 3), lnY...), lnMean, lnInv}},
		{name: "LayerNormalization InvStdDev only", opset: 17,
			vals: []nntVal{nntIn("x", ln), nntInit("s", nntF(nntD(3), 2, 2, 2)), nntInit("b", nntF(nntD(3), 1, 1, 1))},
			node: nntNode("LayerNormalization", nntS("x", "s", "b"), nntS("y", "", "inv")),
			want: []*tensor.Tensor{nntF(nntD(2, 3), lnY...), lnInv}},
		{name: "LayerNormalization axis 0 without bias", opset: 17,
			vals: []nntVal{nntIn("x", nntF(nntD(2, 1), 1, 3)), nntInit("s", nntF(nntD(2, 1), 1, 1))},
			node: nntNode("LayerNormalization", nntS("x", "s"), nntS("y"), nntAI("axis", 0), nntAF("epsilon", 0)),
			want: []*tensor.Tensor{nntF(nntD(2, 1), -1, 1)}},
		{name: "LayerNormalization stash_type DOUBLE", opset: 17, vals: []nntVal{nntIn("x", ln), nntInit("s", nntF(nntD(3), 2, 2, 2))},
			node: nntNode("LayerNormalization", nntS("x", "s"), nntS("y"), nntAI("stash_type", 11)), err: "stash_type=11", unsup: true},
		{name: "LayerNormalization stash_type INT64", opset: 17, vals: []nntVal{nntIn("x", ln), nntInit("s", nntF(nntD(3), 2, 2, 2))},
			node: nntNode("LayerNormalization", nntS("x", "s"), nntS("y"), nntAI("stash_type", 7)), err: "not a floating-point element type"},
		{name: "LayerNormalization axis out of range", opset: 17, vals: []nntVal{nntIn("x", ln), nntInit("s", nntF(nntD(3), 2, 2, 2))},
			node: nntNode("LayerNormalization", nntS("x", "s"), nntS("y"), nntAI("axis", 2)), err: "axis 2 is out of range"},
		{name: "GroupNormalization opset 18 scale per group", opset: 18,
			vals: []nntVal{nntIn("x", gx), nntInit("s", nntF(nntD(2), 1, 2)), nntInit("b", nntF(nntD(2), 0, 1))},
			node: nntNode("GroupNormalization", nntS("x", "s", "b"), nntS("y"), nntAI("num_groups", 2), nntAF("epsilon", 0)),
			want: []*tensor.Tensor{nntF(nntD(1, 4, 1), -1, 1, -1, 3)}},
		{name: "GroupNormalization opset 21 scale per channel", opset: 21,
			vals: []nntVal{nntIn("x", gx), nntInit("s", nntF(nntD(4), 1, 2, 3, 4)), nntInit("b", nntF(nntD(4), 0, 0, 1, 1))},
			node: nntNode("GroupNormalization", nntS("x", "s", "b"), nntS("y"), nntAI("num_groups", 2), nntAF("epsilon", 0)),
			want: []*tensor.Tensor{nntF(nntD(1, 4, 1), -1, 2, -2, 5)}},
		{name: "GroupNormalization opset 21 per-group scale", opset: 21,
			vals: []nntVal{nntIn("x", gx), nntInit("s", nntF(nntD(2), 1, 2)), nntInit("b", nntF(nntD(2), 0, 1))},
			node: nntNode("GroupNormalization", nntS("x", "s", "b"), nntS("y"), nntAI("num_groups", 2)), err: "one per channel"},
		{name: "GroupNormalization without num_groups", opset: 18,
			vals: []nntVal{nntIn("x", gx), nntInit("s", ones), nntInit("b", zeros)},
			node: nntNode("GroupNormalization", nntS("x", "s", "b"), nntS("y")), err: "num_groups is required"},
		{name: "LRN", opset: 13, vals: []nntVal{nntIn("x", nntF(nntD(1, 2, 1, 1), 1, 2))},
			node: nntNode("LRN", nntS("x"), nntS("y"), nntAI("size", 3), nntAF("alpha", 3), nntAF("beta", 1), nntAF("bias", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 2, 1, 1), 1.0/6, 2.0/6)}},
		{name: "LRN without size", opset: 13, vals: []nntVal{nntIn("x", x)}, node: nntNode("LRN", nntS("x"), nntS("y")), err: "size is required"},
		{name: "LpNormalization p=1 axis 1", opset: 1, vals: []nntVal{nntIn("x", nntF(nntD(2, 2), 1, 3, -2, 2))},
			node: nntNode("LpNormalization", nntS("x"), nntS("y"), nntAI("p", 1), nntAI("axis", 1)),
			want: []*tensor.Tensor{nntF(nntD(2, 2), 0.25, 0.75, -0.5, 0.5)}},
		{name: "LpNormalization p=3", opset: 1, vals: []nntVal{nntIn("x", x)}, node: nntNode("LpNormalization", nntS("x"), nntS("y"), nntAI("p", 3)),
			err: "p must be 1 or 2"},
		{name: "MeanVarianceNormalization axes", opset: 13, vals: []nntVal{nntIn("x", nntF(nntD(2, 2), 1, 3, 5, 5))},
			node: nntNode("MeanVarianceNormalization", nntS("x"), nntS("y"), nntAIs("axes", 1)),
			want: []*tensor.Tensor{nntF(nntD(2, 2), -1, 1, 0, 0)}},
		{name: "MeanVarianceNormalization legacy mean only", opset: 1, vals: []nntVal{nntIn("x", nntF(nntD(1, 1, 2), 1, 3))},
			node: nntNode("MeanVarianceNormalization", nntS("x"), nntS("y"), nntAI("normalize_variance", 0)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 2), -1, 1)}},
		{name: "MeanVarianceNormalization repeated axes", opset: 13, vals: []nntVal{nntIn("x", x)},
			node: nntNode("MeanVarianceNormalization", nntS("x"), nntS("y"), nntAIs("axes", 1, -3)), err: "repeat axis 1"},
	})
}

func TestNNPooling(t *testing.T) {
	x1 := []nntVal{nntIn("x", nntF(nntD(1, 1, 3), 1, 2, 3))}
	x2 := []nntVal{nntIn("x", nntF(nntD(1, 1, 2, 3), 1, 6, 2, 4, 5, 3))}
	x4 := []nntVal{nntIn("x", nntF(nntD(1, 1, 4), 1, 2, 3, 4))}
	nntRun(t, []nntCase{
		{name: "MaxPool with Indices", opset: 8, vals: x2,
			node: nntNode("MaxPool", nntS("x"), nntS("y", "i"), nntAIs("kernel_shape", 2, 2)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 2), 6, 6), nntI(nntD(1, 1, 1, 2), 1, 1)}},
		{name: "MaxPool Indices column major", opset: 12, vals: x2,
			node: nntNode("MaxPool", nntS("x"), nntS("y", "i"), nntAIs("kernel_shape", 2, 2), nntAIs("strides", 1, 1), nntAI("storage_order", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 2), 6, 6), nntI(nntD(1, 1, 1, 2), 2, 2)}},
		{name: "MaxPool dilations ceil_mode", opset: 10, vals: x4,
			node: nntNode("MaxPool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2), nntAIs("dilations", 2), nntAIs("strides", 2), nntAI("ceil_mode", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 2), 3, 3)}},
		{name: "MaxPool bad storage_order", opset: 12, vals: x2, err: "storage_order must be 0 or 1",
			node: nntNode("MaxPool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2, 2), nntAI("storage_order", 2))},
		{name: "MaxPool Indices before opset 8", opset: 7, vals: x2, err: "Indices output from opset 8",
			node: nntNode("MaxPool", nntS("x"), nntS("y", "i"), nntAIs("kernel_shape", 2, 2))},
		{name: "MaxPool without kernel_shape", opset: 12, vals: x2, err: "kernel_shape is required",
			node: nntNode("MaxPool", nntS("x"), nntS("y"))},
		{name: "MaxPool kernel_shape rank", opset: 12, vals: x2, err: "needs rank 3",
			node: nntNode("MaxPool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2))},
		{name: "AveragePool count_include_pad", opset: 7, vals: x1,
			node: nntNode("AveragePool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2), nntAIs("pads", 1, 1), nntAI("count_include_pad", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 4), 0.5, 1.5, 2.5, 1.5)}},
		{name: "AveragePool excludes padding", opset: 7, vals: x1,
			node: nntNode("AveragePool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2), nntAIs("pads", 1, 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 4), 1, 1.5, 2.5, 3)}},
		{name: "AveragePool ceil_mode", opset: 10, vals: x4,
			node: nntNode("AveragePool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 3), nntAIs("strides", 2), nntAI("ceil_mode", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 2), 2, 3.5)}},
		{name: "AveragePool SAME_LOWER", opset: 11, vals: x4,
			node: nntNode("AveragePool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2), nntAS("auto_pad", "SAME_LOWER")),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 4), 1, 1.5, 2.5, 3.5)}},
		{name: "AveragePool opset 19 dilations", opset: 19, vals: x4,
			node: nntNode("AveragePool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2), nntAIs("dilations", 2)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 2), 2, 3)}},
		{name: "LpPool opset 1 float p", opset: 1, vals: x1,
			node: nntNode("LpPool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2), nntAF("p", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 2), 3, 5)}},
		{name: "LpPool opset 11 int p", opset: 11, vals: x1,
			node: nntNode("LpPool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 3)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1), float32(math.Sqrt(14)))}},
		{name: "LpPool fractional p", opset: 1, vals: x1, err: "p=1.5", unsup: true,
			node: nntNode("LpPool", nntS("x"), nntS("y"), nntAIs("kernel_shape", 2), nntAF("p", 1.5))},
		{name: "GlobalLpPool p=1", opset: 2, vals: x2, node: nntNode("GlobalLpPool", nntS("x"), nntS("y"), nntAI("p", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 1), 21)}},
		{name: "GlobalAveragePool", opset: 1, vals: x2, node: nntNode("GlobalAveragePool", nntS("x"), nntS("y")),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 1), 3.5)}},
		{name: "GlobalMaxPool", opset: 1, vals: x2, node: nntNode("GlobalMaxPool", nntS("x"), nntS("y")),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 1), 6)}},
	})
}

func TestNNRecurrent(t *testing.T) {
	// One step, one batch, one input, hidden size 1: h = f(W x + R h0 + Wb + Rb).
	vals := func(h0 float32) []nntVal {
		return []nntVal{nntIn("x", nntF(nntD(1, 1, 1), 2)), nntInit("w", nntF(nntD(1, 1, 1), 0.5)),
			nntInit("r", nntF(nntD(1, 1, 1), 1)), nntInit("b", nntF(nntD(1, 2), -3, 0.5)),
			nntInit("h0", nntF(nntD(1, 1, 1), h0))}
	}
	rnn := func(outs []string, attrs ...*onnxpb.Attribute) *onnxpb.Node {
		return nntNode("RNN", nntS("x", "w", "r", "b", "", "h0"), outs, append(attrs, nntAI("hidden_size", 1))...)
	}
	lstmVals := []nntVal{nntIn("x", nntF(nntD(1, 1, 1), 1)), nntInit("w", nntF(nntD(1, 4, 1), 0, 0, 0, 0)), nntInit("r", nntF(nntD(1, 4, 1), 0, 0, 0, 0))}
	nntRun(t, []nntCase{
		{name: "RNN Relu activation", opset: 7, vals: vals(0.25), node: rnn(nntS("y", "yh"), nntASs("activations", "Relu")),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 1), 0), nntF(nntD(1, 1, 1), 0)}, dims: [][]int{{1, 1, 1, 1}, {1, 1, 1}}},
		{name: "RNN Affine with alpha beta", opset: 7, vals: vals(1), node: rnn(nntS("", "yh"), nntASs("activations", "Affine"),
			nntAFs("activation_alpha", 2), nntAFs("activation_beta", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1), 2*(1-3+0.5+1)+1)}},
		{name: "RNN clip", opset: 7, vals: vals(3), node: rnn(nntS("y"), nntASs("activations", "affine"), nntAF("clip", 0.5)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 1), 0.5)}},
		{name: "RNN layout 1", opset: 14, vals: vals(0), node: rnn(nntS("y"), nntAI("layout", 1)), dims: [][]int{{1, 1, 1, 1}}},
		{name: "LSTM three outputs", opset: 14, vals: lstmVals,
			node: nntNode("LSTM", nntS("x", "w", "r"), nntS("y", "yh", "yc"), nntAI("hidden_size", 1)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 1), float32(0.5*math.Tanh(0))), nntF(nntD(1, 1, 1), 0), nntF(nntD(1, 1, 1), 0)}},
		{name: "RNN with a Y_c output", opset: 7, vals: vals(0), node: rnn(nntS("y", "yh", "yc")), err: "at most 2 outputs"},
		{name: "bad direction", opset: 7, vals: vals(0), node: rnn(nntS("y"), nntAS("direction", "both")), err: "direction must be"},
		{name: "activation count", opset: 7, vals: vals(0), node: rnn(nntS("y"), nntASs("activations", "Tanh", "Tanh", "Tanh")), err: "want 1 per direction"},
		{name: "unknown activation", opset: 7, vals: vals(0), node: rnn(nntS("y"), nntASs("activations", "Gelu")), err: "unknown activation \"Gelu\""},
		{name: "negative clip", opset: 7, vals: vals(0), node: rnn(nntS("y"), nntAF("clip", -1)), err: "clip must be positive"},
		{name: "bad layout", opset: 14, vals: vals(0), node: rnn(nntS("y"), nntAI("layout", 2)), err: "layout must be 0 or 1"},
		{name: "bad linear_before_reset", opset: 14, vals: lstmVals,
			node: nntNode("GRU", nntS("x", "w", "r"), nntS("y"), nntAI("linear_before_reset", 3)), err: "linear_before_reset must be 0 or 1"},
	})
}

func TestNNResize(t *testing.T) {
	x := nntRange(1, 1, 1, 4, 4)
	x2 := nntF(nntD(1, 1, 2, 2), 1, 2, 3, 4)
	sc := func(v ...float32) nntVal { return nntInit("s", nntF(nntD(len(v)), v...)) }
	sz := func(v ...int64) nntVal { return nntInit("z", nntI(nntD(len(v)), v...)) }
	up := nntF(nntD(1, 1, 4, 4), 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4)
	nntRun(t, []nntCase{
		{name: "opset 10 nearest downsample: asymmetric floor", opset: 10, vals: []nntVal{nntIn("x", x), sc(1, 1, 0.5, 0.5)},
			node: nntNode("Resize", nntS("x", "s"), nntS("y")), want: []*tensor.Tensor{nntF(nntD(1, 1, 2, 2), 0, 2, 8, 10)}},
		{name: "opset 10 linear upsample: asymmetric", opset: 10, vals: []nntVal{nntIn("x", nntF(nntD(1, 2), 0, 4)), sc(1, 2)},
			node: nntNode("Resize", nntS("x", "s"), nntS("y"), nntAS("mode", "linear")), want: []*tensor.Tensor{nntF(nntD(1, 4), 0, 2, 4, 4)}},
		{name: "opset 10 cubic", opset: 10, vals: []nntVal{nntIn("x", x), sc(1, 1, 2, 2)}, err: "mode must be nearest or linear in opset 10",
			node: nntNode("Resize", nntS("x", "s"), nntS("y"), nntAS("mode", "cubic"))},
		{name: "opset 11 sizes with empty roi and scales", opset: 11,
			vals: []nntVal{nntIn("x", x2), nntInit("roi", nntF(nntD(0))), nntInit("s", nntF(nntD(0))), sz(1, 1, 4, 4)},
			node: nntNode("Resize", nntS("x", "roi", "s", "z"), nntS("y"), nntAS("coordinate_transformation_mode", "asymmetric")),
			want: []*tensor.Tensor{up}},
		{name: "opset 13 scales, half_pixel nearest", opset: 13, vals: []nntVal{nntIn("x", x2), sc(1, 1, 2, 2)},
			node: nntNode("Resize", nntS("x", "", "s"), nntS("y")), want: []*tensor.Tensor{up}},
		{name: "opset 13 align_corners linear", opset: 13, vals: []nntVal{nntIn("x", nntF(nntD(1, 2), 0, 3)), sz(1, 4)},
			node: nntNode("Resize", nntS("x", "", "", "z"), nntS("y"), nntAS("mode", "linear"), nntAS("coordinate_transformation_mode", "align_corners")),
			want: []*tensor.Tensor{nntF(nntD(1, 4), 0, 1, 2, 3)}},
		{name: "opset 18 axes", opset: 18, vals: []nntVal{nntIn("x", x2), sc(2, 2)},
			node: nntNode("Resize", nntS("x", "", "s"), nntS("y"), nntAIs("axes", -2, -1)), want: []*tensor.Tensor{up}},
		{name: "opset 18 keep_aspect_ratio_policy not_larger", opset: 18, vals: []nntVal{nntIn("x", x), sz(2, 3)},
			node: nntNode("Resize", nntS("x", "", "", "z"), nntS("y"), nntAIs("axes", 2, 3), nntAS("keep_aspect_ratio_policy", "not_larger")),
			dims: [][]int{{1, 1, 2, 2}}},
		{name: "opset 19 half_pixel_symmetric", opset: 19, vals: []nntVal{nntIn("x", x), sc(1, 1, 0.5, 0.5)},
			node: nntNode("Resize", nntS("x", "", "s"), nntS("y"), nntAS("mode", "linear"), nntAS("coordinate_transformation_mode", "half_pixel_symmetric")),
			dims: [][]int{{1, 1, 2, 2}}},
		{name: "half_pixel_symmetric before opset 19", opset: 18, vals: []nntVal{nntIn("x", x), sc(1, 1, 0.5, 0.5)}, err: "needs opset 19",
			node: nntNode("Resize", nntS("x", "", "s"), nntS("y"), nntAS("coordinate_transformation_mode", "half_pixel_symmetric"))},
		{name: "neither scales nor sizes", opset: 13, vals: []nntVal{nntIn("x", x)}, err: "needs scales or sizes",
			node: nntNode("Resize", nntS("x"), nntS("y"))},
		{name: "scales and sizes", opset: 13, vals: []nntVal{nntIn("x", x), sc(1, 1, 2, 2), sz(1, 1, 8, 8)}, err: "not both",
			node: nntNode("Resize", nntS("x", "", "s", "z"), nntS("y"))},
		{name: "sizes count", opset: 13, vals: []nntVal{nntIn("x", x), sz(8, 8)}, err: "have 2 values for 4 resized axes",
			node: nntNode("Resize", nntS("x", "", "", "z"), nntS("y"))},
		{name: "unknown mode", opset: 13, vals: []nntVal{nntIn("x", x), sc(1, 1, 2, 2)}, err: "mode must be nearest, linear or cubic",
			node: nntNode("Resize", nntS("x", "", "s"), nntS("y"), nntAS("mode", "area"))},
		{name: "unknown nearest_mode", opset: 13, vals: []nntVal{nntIn("x", x), sc(1, 1, 2, 2)}, err: "unknown nearest_mode",
			node: nntNode("Resize", nntS("x", "", "s"), nntS("y"), nntAS("nearest_mode", "round"))},
		{name: "unknown keep_aspect_ratio_policy", opset: 18, vals: []nntVal{nntIn("x", x), sz(8, 8, 8, 8)}, err: "unknown keep_aspect_ratio_policy",
			node: nntNode("Resize", nntS("x", "", "", "z"), nntS("y"), nntAS("keep_aspect_ratio_policy", "fit"))},
		{name: "Upsample opset 7 scales attribute", opset: 7, vals: []nntVal{nntIn("x", x2)},
			node: nntNode("Upsample", nntS("x"), nntS("y"), nntAFs("scales", 1, 1, 2, 2)), want: []*tensor.Tensor{up}},
		{name: "Upsample opset 9 scales input", opset: 9, vals: []nntVal{nntIn("x", x2), sc(1, 1, 2, 2)},
			node: nntNode("Upsample", nntS("x", "s"), nntS("y")), want: []*tensor.Tensor{up}},
		{name: "Upsample opset 1 bilinear", opset: 1, vals: []nntVal{nntIn("x", nntF(nntD(1, 1, 1, 2), 0, 4))},
			node: nntNode("Upsample", nntS("x"), nntS("y"), nntAS("mode", "bilinear"), nntAF("height_scale", 1), nntAF("width_scale", 2)),
			want: []*tensor.Tensor{nntF(nntD(1, 1, 1, 4), 0, 2, 4, 4)}},
		{name: "Upsample opset 7 without scales", opset: 7, vals: []nntVal{nntIn("x", x2)}, err: "scales is required",
			node: nntNode("Upsample", nntS("x"), nntS("y"))},
		{name: "Upsample scales count", opset: 8, vals: []nntVal{nntIn("x", x2)}, err: "have 2 values for input rank 4",
			node: nntNode("Upsample", nntS("x"), nntS("y"), nntAFs("scales", 2, 2))},
	})
}

// TestNNMainLayer checks that the layer named after the node is the one a
// user pins to FP32: the matrix multiply of a Gemm, the normalization of a
// LayerNormalization with statistics outputs.
func TestNNMainLayer(t *testing.T) {
	for _, tc := range []struct {
		opset int
		node  *onnxpb.Node
		vals  []nntVal
		kind  trt.LayerKind
	}{
		{13, nntNode("Gemm", nntS("a", "b", "c"), nntS("y"), nntAF("alpha", 2), nntAF("beta", 3)),
			[]nntVal{nntIn("a", nntRange(1, 2, 2)), nntIn("b", nntRange(1, 2, 2)), nntInit("c", nntRange(1, 2))}, trt.LayerMatrixMultiply},
		{17, nntNode("LayerNormalization", nntS("x", "s"), nntS("y", "m", "i")),
			[]nntVal{nntIn("x", nntRange(1, 2, 2)), nntInit("s", nntRange(1, 2))}, trt.LayerNormalization},
		{13, nntNode("ReduceSum", nntS("x", "a"), nntS("y"), nntAI("keepdims", 0)),
			[]nntVal{nntIn("x", nntRange(1, 2, 2)), nntIn("a", nntI(nntD(1), 0))}, trt.LayerReduce},
		{11, nntNode("Conv", nntS("x", "w"), nntS("y")),
			[]nntVal{nntIn("x", nntRange(1, 1, 1, 3, 3)), nntInit("w", nntRange(1, 1, 1, 2, 2))}, trt.LayerConvolution},
	} {
		t.Run(tc.node.OpType, func(t *testing.T) {
			res, err := Import(nntModel(t, nntCase{opset: tc.opset, node: tc.node, vals: tc.vals}), Options{})
			require.NoError(t, err)
			l := res.Network.LayerByName("n0")
			require.NotNil(t, l)
			require.Equal(t, tc.kind, l.Kind())
			for _, n := range res.NodeLayers["n0"] {
				require.True(t, n == "n0" || strings.HasPrefix(n, "n0"), "layer %q is named after the node", n)
			}
		})
	}
}

func nntH(d []int, v ...float32) *tensor.Tensor {
	h := make([]float16.Float16, len(v))
	for i, x := range v {
		h[i] = float16.Fromfloat32(x)
	}
	return &tensor.Tensor{Type: tensor.Half, Dims: d, Data: h}
}

// TestNNHalf checks FP16 models: scalars of Gemm, LayerNormalization's
// statistics in the FP32 stash type, BatchNormalization with FP32 statistics
// (opset 15 allows T1/T2 to differ from T).
func TestNNHalf(t *testing.T) {
	nntRun(t, []nntCase{
		{name: "Gemm FP16 alpha beta", opset: 13, tol: 1e-3,
			vals: []nntVal{nntIn("a", nntH(nntD(1, 2), 1, 2)), nntIn("b", nntH(nntD(2, 1), 3, 4)), nntInit("c", nntH(nntD(1), 1))},
			node: nntNode("Gemm", nntS("a", "b", "c"), nntS("y"), nntAF("alpha", 0.5), nntAF("beta", 2)),
			want: []*tensor.Tensor{nntH(nntD(1, 1), 7.5)}},
		{name: "LayerNormalization FP16 with FP32 statistics", opset: 17, tol: 2e-3,
			vals: []nntVal{nntIn("x", nntH(nntD(1, 2), 1, 3)), nntInit("s", nntH(nntD(2), 1, 1))},
			node: nntNode("LayerNormalization", nntS("x", "s"), nntS("y", "m", "i"), nntAF("epsilon", 0)),
			want: []*tensor.Tensor{nntH(nntD(1, 2), -1, 1), nntF(nntD(1, 1), 2), nntF(nntD(1, 1), 1)}},
		{name: "BatchNormalization FP16 with FP32 statistics", opset: 15, tol: 1e-3,
			vals: []nntVal{nntIn("x", nntH(nntD(1, 1, 2), 1, 3)), nntInit("s", nntF(nntD(1), 2)), nntInit("b", nntF(nntD(1), 1)),
				nntInit("m", nntF(nntD(1), 1)), nntInit("v", nntF(nntD(1), 4))},
			node: nntNode("BatchNormalization", nntS("x", "s", "b", "m", "v"), nntS("y"), nntAF("epsilon", 0)),
			want: []*tensor.Tensor{nntH(nntD(1, 1, 2), 1, 3)}},
		{name: "Gemm INT64 fractional alpha", opset: 13, unsup: true, err: "alpha=0.5",
			vals: []nntVal{nntIn("a", nntI(nntD(1, 1), 1)), nntIn("b", nntI(nntD(1, 1), 1))},
			node: nntNode("Gemm", nntS("a", "b"), nntS("y"), nntAF("alpha", 0.5))},
	})
}
