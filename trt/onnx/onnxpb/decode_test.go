package onnxpb

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

func loadModel(t *testing.T, path string) *Model {
	t.Helper()
	m, err := LoadFile(path)
	require.NoError(t, err)
	return m
}

func hostFloats(t *testing.T, tt *Tensor) []float32 {
	t.Helper()
	h, err := tt.ToHost()
	require.NoError(t, err)
	return h.Data.([]float32)
}

func shapeOf(vals ...int64) []Dim {
	var s []Dim
	for _, v := range vals {
		s = append(s, Dim{Value: v, Known: true})
	}
	return s
}

// Expectations below were read with python's onnx 1.12 (onnx.load,
// numpy_helper.to_array) from Debian's copy of the ONNX backend tests.

func TestDecodeConv2d(t *testing.T) {
	m := loadModel(t, testModel(t, "pytorch-converted", "test_Conv2d"))
	require.EqualValues(t, 3, m.IRVersion)
	require.Equal(t, "pytorch", m.ProducerName)
	require.Equal(t, "0.3", m.ProducerVersion)
	require.Equal(t, []OpsetID{{Domain: "", Version: 6}}, m.OpsetImports)
	g := m.Graph
	require.Equal(t, "torch-jit-export", g.Name)
	require.Len(t, g.Nodes, 1)
	n := g.Nodes[0]
	require.Equal(t, "Conv", n.OpType)
	require.Equal(t, []string{"0", "1", "2"}, n.Inputs)
	require.Equal(t, []string{"3"}, n.Outputs)
	for _, c := range []struct {
		name string
		want []int64
	}{
		{"dilations", []int64{1, 1}},
		{"kernel_shape", []int64{3, 2}},
		{"pads", []int64{0, 0, 0, 0}},
		{"strides", []int64{1, 1}},
	} {
		got, err := n.AttrInts(c.name, nil)
		require.NoError(t, err)
		require.Equal(t, c.want, got, c.name)
	}
	group, err := n.AttrInt("group", 7)
	require.NoError(t, err)
	require.EqualValues(t, 1, group)
	auto, err := n.AttrString("auto_pad", "NOTSET")
	require.NoError(t, err)
	require.Equal(t, "NOTSET", auto)
	_, err = n.AttrFloat("pads", 0)
	require.ErrorContains(t, err, `attribute "pads" is INTS, want FLOAT`)

	require.Len(t, g.Initializers, 2)
	w := g.Initializers[0]
	require.Equal(t, "1", w.Name)
	require.Equal(t, ElemFloat, w.DataType)
	require.Equal(t, []int64{4, 3, 3, 2}, w.Dims)
	wv := hostFloats(t, w)
	require.Len(t, wv, 72)
	require.Equal(t, []float32{-0.1429409235715866, -0.08505815267562866, -0.0018995553255081177, 0.1322888284921646}, wv[:4])
	require.Equal(t, float32(-0.10345208644866943), wv[71])
	require.Equal(t, []float32{-0.17454391717910767, 0.09345827996730804, 0.04685764014720917, 0.18244947493076324},
		hostFloats(t, g.Initializers[1]))

	require.Len(t, g.Inputs, 3) // IR 3 lists initializers as inputs too
	require.Equal(t, &ValueInfo{Name: "0", Kind: TypeTensor, ElemType: ElemFloat, Shape: shapeOf(2, 3, 7, 5), HasShape: true}, g.Inputs[0])
	require.Equal(t, &ValueInfo{Name: "3", Kind: TypeTensor, ElemType: ElemFloat, Shape: shapeOf(2, 4, 5, 4), HasShape: true}, g.Outputs[0])
}

func TestDecodeBatchNorm(t *testing.T) {
	n := loadModel(t, testModel(t, "pytorch-converted", "test_BatchNorm2d_eval")).Graph.Nodes[0]
	require.Equal(t, "BatchNormalization", n.OpType)
	eps, err := n.AttrFloat("epsilon", 0)
	require.NoError(t, err)
	require.Equal(t, float32(9.999999747378752e-06), eps)
	mom, err := n.AttrFloat("momentum", 0)
	require.NoError(t, err)
	require.Equal(t, float32(0.8999999761581421), mom)
	isTest, err := n.AttrInt("is_test", 0)
	require.NoError(t, err)
	require.EqualValues(t, 1, isTest)
	require.True(t, n.HasAttr("epsilon"))
	require.False(t, n.HasAttr("spatial"))
}

func TestDecodeConstantTensorAttribute(t *testing.T) {
	m := loadModel(t, nodeModel(t, "test_constant"))
	require.EqualValues(t, 7, m.IRVersion)
	require.Equal(t, "backend-test", m.ProducerName)
	n := m.Graph.Nodes[0]
	require.Equal(t, "Constant", n.OpType)
	v, err := n.AttrTensor("value")
	require.NoError(t, err)
	require.Equal(t, []int64{5, 5}, v.Dims)
	require.Equal(t, ElemFloat, v.DataType)
	require.Equal(t, []float32{1.764052391052246, 0.40015721321105957, 0.978738009929657, 2.2408931255340576,
		1.8675580024719238, -0.9772778749465942}, hostFloats(t, v)[:6])
	missing, err := n.AttrTensor("sparse_value")
	require.NoError(t, err)
	require.Nil(t, missing)
}

func TestDecodeSubgraphs(t *testing.T) {
	m := loadModel(t, nodeModel(t, "test_if"))
	n := m.Graph.Nodes[0]
	require.Equal(t, "If", n.OpType)
	require.Equal(t, &ValueInfo{Name: "cond", Kind: TypeTensor, ElemType: ElemBool, HasShape: true}, m.Graph.Inputs[0])
	for _, c := range []struct{ attr, name, out string }{
		{"then_branch", "then_body", "then_out"},
		{"else_branch", "else_body", "else_out"},
	} {
		g, err := n.AttrGraph(c.attr)
		require.NoError(t, err)
		require.Equal(t, c.name, g.Name)
		require.Len(t, g.Nodes, 1)
		require.Equal(t, "Constant", g.Nodes[0].OpType)
		require.Equal(t, []string{c.out}, g.Nodes[0].Outputs)
		require.Equal(t, c.out, g.Outputs[0].Name)
	}

	loop := loadModel(t, nodeModel(t, "test_loop11")).Graph.Nodes[0]
	body, err := loop.AttrGraph("body")
	require.NoError(t, err)
	require.Equal(t, "loop_body", body.Name)
	var ops []string
	for _, bn := range body.Nodes {
		ops = append(ops, bn.OpType)
	}
	require.Equal(t, []string{"Identity", "Constant", "Constant", "Add", "Unsqueeze", "Unsqueeze", "Slice", "Add", "Identity"}, ops)
	require.Equal(t, []string{"x", "slice_start", "slice_end"}, body.Nodes[6].Inputs)
}

func TestDecodeStrings(t *testing.T) {
	n := loadModel(t, nodeModel(t, "test_strnormalizer_export_monday_casesensintive_lower")).Graph.Nodes[0]
	action, err := n.AttrString("case_change_action", "")
	require.NoError(t, err)
	require.Equal(t, "LOWER", action)
	stop, err := n.AttrStrings("stopwords", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"monday"}, stop)
}

func TestDecodeSequencesAndTypedData(t *testing.T) {
	m := loadModel(t, testModel(t, "simple", "test_sequence_model1"))
	g := m.Graph
	require.Equal(t, "Sequence", g.Name)
	require.Equal(t, []string{"Seq_2", "Z", "pos"}, g.Nodes[3].Inputs)
	require.Len(t, g.Initializers, 2)
	pos := g.Initializers[0]
	require.Equal(t, "pos", pos.Name)
	require.Nil(t, pos.RawData)
	require.Equal(t, []int64{1}, pos.Int64Data) // typed field, scalar
	h, err := pos.ToHost()
	require.NoError(t, err)
	require.Equal(t, []int64{1}, h.Data)
	require.Empty(t, h.Dims)
	// A dim with neither value nor param.
	require.Equal(t, []Dim{{}, {Value: 3, Known: true}, {Value: 4, Known: true}}, g.Outputs[0].Shape)

	sm := loadModel(t, nodeModel(t, "test_sequence_map_add_1_sequence_1_tensor")).Graph
	x0 := sm.Inputs[0]
	require.Equal(t, TypeSequence, x0.Kind)
	require.NotNil(t, x0.RawType)
	require.Equal(t, &ValueInfo{Name: "x1", Kind: TypeTensor, ElemType: ElemFloat, Shape: []Dim{{Param: "N"}}, HasShape: true}, sm.Inputs[1])
}

// Hand-built wire bytes for the error cases.

func tagged(num protowire.Number, typ protowire.Type) []byte {
	return protowire.AppendTag(nil, num, typ)
}

func pbBytes(num protowire.Number, parts ...[]byte) []byte {
	var body []byte
	for _, p := range parts {
		body = append(body, p...)
	}
	return protowire.AppendBytes(tagged(num, protowire.BytesType), body)
}

func pbStr(num protowire.Number, s string) []byte { return pbBytes(num, []byte(s)) }

func pbVarint(num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(tagged(num, protowire.VarintType), v)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func pbNode(name, op string, extra ...[]byte) []byte {
	return pbBytes(1, append([][]byte{pbStr(3, name), pbStr(4, op)}, extra...)...)
}

func TestDecodeErrors(t *testing.T) {
	goodAttr := pbBytes(5, pbStr(1, "axis"), pbVarint(3, 1), pbVarint(20, uint64(AttrInt)))
	badPads := pbBytes(5, pbStr(1, "pads"), pbVarint(20, uint64(AttrInts)),
		protowire.AppendFixed64(tagged(8, protowire.Fixed64Type), 7)) // ints as fixed64
	// graph "main": the name comes after the nodes, as ONNX writers order it.
	mainGraph := func(nodes ...[]byte) []byte {
		return pbBytes(7, append(nodes, pbStr(2, "main"))...)
	}
	tensorInit := func(parts ...[]byte) []byte {
		return cat(pbVarint(1, 8), mainGraph(pbBytes(5, parts...)))
	}
	nested := pbBytes(6, pbStr(2, "g100"))
	for i := 99; i > 0; i-- {
		nested = pbBytes(6, pbBytes(1, pbStr(3, "n"), pbBytes(5, pbStr(1, "body"), nested)))
	}
	raw8 := pbBytes(9, make([]byte, 8))

	for _, c := range []struct {
		name string
		in   []byte
		want []string
	}{
		{"wrong wire type for graph", pbVarint(7, 1), []string{"field graph (7): wire type varint, want bytes"}},
		{"wrong wire type for ir_version", pbStr(1, "8"), []string{"field ir_version (1): wire type bytes, want varint"}},
		{"attribute path", mainGraph(pbNode("a", "Relu"), pbNode("b", "Relu"), pbNode("c", "Concat", goodAttr),
			pbNode("conv1", "Conv", goodAttr, badPads)),
			[]string{`graph "main": node 3 ("conv1"): attribute "pads": `, "field ints (8): wire type fixed64, want varint or packed bytes"}},
		{"truncated length", cat(pbVarint(1, 8), tagged(7, protowire.BytesType), []byte{0x40, 1, 2}),
			[]string{"field graph (7)", "unexpected EOF"}},
		{"truncated varint", []byte{0x08, 0x80}, []string{"field ir_version (1)", "unexpected EOF"}},
		{"field number zero", []byte{0x00, 0x01}, []string{"bad field tag at byte 0"}},
		{"stray end group", []byte{0x0c}, []string{"field ir_version (1)", "end-group"}},
		{"huge dims, 8 bytes", tensorInit(pbStr(8, "w"), pbVarint(1, 1e12), pbVarint(2, uint64(ElemFloat)), raw8),
			[]string{`graph "main": initializer 0 ("w"): `, "needs 4000000000000 bytes of raw_data, has 8"}},
		{"dims overflow", tensorInit(pbStr(8, "w"), pbVarint(1, 1<<40), pbVarint(1, 1<<40), pbVarint(1, 0), pbVarint(2, 1), raw8),
			[]string{`initializer 0 ("w")`, "describe more than"}},
		{"negative dim", tensorInit(pbStr(8, "w"), pbVarint(1, ^uint64(0)), pbVarint(2, 1)),
			[]string{`initializer 0 ("w")`, "negative dimension"}},
		{"typed data count", tensorInit(pbStr(8, "i"), pbVarint(1, 3), pbVarint(2, uint64(ElemInt64)), pbBytes(7, []byte{1, 2})),
			[]string{`initializer 0 ("i")`, "needs 3 values in int64_data, has 2"}},
		{"packed floats misaligned", tensorInit(pbStr(8, "f"), pbBytes(4, []byte{1, 2, 3})),
			[]string{`initializer 0 ("f")`, "field float_data (4)", "not a multiple of 4"}},
		{"deep nesting", cat(pbVarint(1, 8), pbBytes(7, pbNode("top", "If", pbBytes(5, pbStr(1, "then_branch"), nested)))),
			[]string{"nested more than 64 deep"}},
		{"bad value info type", mainGraph(pbBytes(11, pbStr(1, "x"), pbBytes(2, pbVarint(1, 5)))),
			[]string{`input 0 ("x"): type: field tensor_type (1): wire type varint, want bytes`}},
		{"text", []byte("ir_version: 8\nproducer_name: \"x\"\ngraph {\n  node { op_type: \"Relu\" }\n}\n"), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Decode(c.in)
			require.Error(t, err)
			require.Nil(t, m)
			require.ErrorIs(t, err, ErrMalformed)
			t.Log(err)
			for _, w := range c.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestDecodeTensorErrors(t *testing.T) {
	_, err := DecodeTensor(cat(pbStr(8, "x"), pbVarint(1, 1e12), pbVarint(2, uint64(ElemDouble)), pbBytes(9, make([]byte, 8))))
	require.ErrorIs(t, err, ErrMalformed)
	require.ErrorContains(t, err, `decode tensor "x": `)
	require.ErrorContains(t, err, "needs 8000000000000 bytes of raw_data, has 8")

	_, err = DecodeTensor(cat(pbStr(8, "y"), tagged(9, protowire.BytesType), []byte{0x10, 0}))
	require.ErrorContains(t, err, `decode tensor "y": `)
	require.ErrorContains(t, err, "field raw_data (9)")

	// Empty input is an empty TensorProto (a scalar of undefined type).
	tt, err := DecodeTensor(nil)
	require.NoError(t, err)
	require.Equal(t, &Tensor{}, tt)
	_, err = tt.ToHost()
	require.ErrorIs(t, err, ErrUnsupported)
}

// TestTruncatedModels cuts a real model at every length: nothing panics, a
// cut inside the graph is an error, and whatever decodes re-encodes.
func TestTruncatedModels(t *testing.T) {
	for _, p := range []string{
		testModel(t, "pytorch-converted", "test_Conv2d"),
		nodeModel(t, "test_loop11"),
	} {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		ok := 0
		for n := range len(b) {
			m, err := Decode(b[:n])
			if err != nil {
				require.ErrorIs(t, err, ErrMalformed)
				continue
			}
			ok++
			_, err = Encode(m)
			require.NoError(t, err)
		}
		// The graph is one length-delimited field: every cut inside it fails,
		// only cuts at field boundaries before and after it can succeed.
		require.Less(t, ok, 20, p)
		_, err = Decode(b[:len(b)/2])
		require.ErrorContains(t, err, "field graph (7)")
	}
}

// TestCorrupted flips bytes of a real model: errors or successful decodes,
// never a panic, and successful decodes re-encode to something that decodes.
func TestCorruptedModels(t *testing.T) {
	b, err := os.ReadFile(nodeModel(t, "test_if"))
	require.NoError(t, err)
	failed := 0
	for i := range b {
		for _, x := range []byte{0xff, 0x80, 0x01} {
			c := append([]byte(nil), b...)
			c[i] ^= x
			m, err := Decode(c)
			if err != nil {
				failed++
				require.False(t, strings.Contains(err.Error(), "internal error"), err.Error())
				continue
			}
			out, err := Encode(m)
			require.NoError(t, err)
			_, err = Decode(out)
			require.NoError(t, err)
		}
	}
	require.Positive(t, failed)
}

func TestUnknownFieldsPreserved(t *testing.T) {
	training := pbBytes(20, pbBytes(1, pbStr(2, "init")))                     // ModelProto.training_info
	meta := pbBytes(9, pbStr(1, "k"), pbStr(2, "v"))                          // NodeProto.metadata_props
	future := protowire.AppendFixed32(tagged(999, protowire.Fixed32Type), 42) // an unknown field number
	group := cat(tagged(77, protowire.StartGroupType), pbVarint(1, 5), tagged(77, protowire.EndGroupType))
	segment := pbBytes(3, pbVarint(1, 0), pbVarint(2, 4)) // TensorProto.segment
	in := cat(pbVarint(1, 9), training,
		pbBytes(7, pbNode("n", "Relu", meta, future), pbStr(2, "g"),
			pbBytes(5, pbStr(8, "t"), pbVarint(2, 1), segment)),
		group)
	m, err := Decode(in)
	require.NoError(t, err)
	require.Equal(t, cat(training, group), m.Unknown)
	require.Equal(t, cat(meta, future), m.Graph.Nodes[0].Unknown)
	require.Equal(t, segment, m.Graph.Initializers[0].Unknown)
	out, err := Encode(m)
	require.NoError(t, err)
	m2, err := Decode(out)
	require.NoError(t, err)
	require.Equal(t, m, m2)
}

func TestMergeSemantics(t *testing.T) {
	// A singular message given twice merges; a scalar given twice: last wins;
	// packed and unpacked repeated scalars mix.
	in := cat(pbVarint(1, 3), pbBytes(7, pbNode("a", "Relu"), pbStr(2, "first")),
		pbVarint(1, 8), pbBytes(7, pbNode("b", "Relu"), pbStr(2, "second"),
			pbBytes(5, pbStr(8, "t"), pbVarint(1, 2), pbBytes(1, []byte{3}), pbVarint(2, uint64(ElemInt64)),
				pbVarint(7, 5), pbBytes(7, []byte{6, 7, 8, 9, 10}))))
	m, err := Decode(in)
	require.NoError(t, err)
	require.EqualValues(t, 8, m.IRVersion)
	require.Equal(t, "second", m.Graph.Name)
	require.Len(t, m.Graph.Nodes, 2)
	tt := m.Graph.Initializers[0]
	require.Equal(t, []int64{2, 3}, tt.Dims)
	require.Equal(t, []int64{5, 6, 7, 8, 9, 10}, tt.Int64Data)
}

func TestDecodeAliasing(t *testing.T) {
	b, err := os.ReadFile(testModel(t, "pytorch-converted", "test_Conv2d"))
	require.NoError(t, err)
	m, err := Decode(b)
	require.NoError(t, err)
	w := m.Graph.Initializers[0].RawData
	before := append([]byte(nil), w...)
	for i := range b {
		b[i] = 0
	}
	require.Equal(t, before, w, "Decode must not share memory with its input")
}
