package onnxpb

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRoundTripModels: Decode→Encode→Decode gives an equal model for every
// backend test model. Encode writes fields in field-number order like the
// reference implementation, so most files also come back byte for byte; the
// others differ only where python wrote an empty string explicitly (proto2
// presence, which Model does not keep).
func TestRoundTripModels(t *testing.T) {
	same := 0
	files := corpusModels(t)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		m, err := Decode(b)
		require.NoError(t, err, f)
		out, err := Encode(m)
		require.NoError(t, err, f)
		m2, err := Decode(out)
		require.NoError(t, err, f)
		require.Equal(t, m, m2, f)
		out2, err := Encode(m2)
		require.NoError(t, err)
		require.Equal(t, out, out2, "encoding is deterministic")
		if bytes.Equal(b, out) {
			same++
		}
	}
	t.Logf("%d models round-trip, %d byte for byte", len(files), same)
	require.Greater(t, same, len(files)/2)
}

// TestRoundTripTensors: DecodeTensor→EncodeTensor reproduces every tensor
// file of the backend tests.
func TestRoundTripTensors(t *testing.T) {
	same, n := 0, 0
	for _, f := range corpusData(t) {
		if f.kind != TypeTensor {
			continue
		}
		b, err := os.ReadFile(f.path)
		require.NoError(t, err)
		tt, err := DecodeTensor(b)
		require.NoError(t, err, f.path)
		out, err := EncodeTensor(tt)
		require.NoError(t, err)
		t2, err := DecodeTensor(out)
		require.NoError(t, err)
		out2, err := EncodeTensor(t2)
		require.NoError(t, err)
		require.Equal(t, out, out2, f.path)
		require.Equal(t, tt.RawData, t2.RawData)
		require.Equal(t, tt.Dims, t2.Dims)
		require.Equal(t, tt.Name, t2.Name)
		n++
		if bytes.Equal(b, out) {
			same++
		}
	}
	t.Logf("%d tensors round-trip, %d byte for byte", n, same)
	require.Equal(t, n, same)
}

func TestSaveFileRoundTrip(t *testing.T) {
	m := loadModel(t, nodeModel(t, "test_loop11"))
	p := filepath.Join(t.TempDir(), "out.onnx")
	require.NoError(t, SaveFile(m, p))
	m2, err := LoadFile(p)
	require.NoError(t, err)
	require.Equal(t, m, m2)
	entries, err := os.ReadDir(filepath.Dir(p))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")

	require.Error(t, SaveFile(m, filepath.Join(t.TempDir(), "missing", "x.onnx")))
	require.ErrorIs(t, SaveFile(&Model{Graph: &Graph{Nodes: []*Node{nil}}}, p), ErrInvalid)
}

func TestEncodeInvalid(t *testing.T) {
	_, err := Encode(nil)
	require.ErrorIs(t, err, ErrInvalid)
	_, err = EncodeTensor(nil)
	require.ErrorIs(t, err, ErrInvalid)
	g := &Graph{Name: "loop"}
	g.Nodes = []*Node{{Name: "n", Attributes: []*Attribute{{Name: "body", Type: AttrGraph, G: g}}}}
	_, err = Encode(&Model{Graph: g})
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "graph contains itself")
	_, err = Encode(&Model{Graph: &Graph{Inputs: []*ValueInfo{{Name: "s", Kind: TypeSequence}}}})
	require.ErrorContains(t, err, `value "s": a sequence type needs RawType`)
	_, err = Encode(&Model{Graph: &Graph{Name: "g", Initializers: []*Tensor{nil}}})
	require.ErrorContains(t, err, `graph "g": initializer 0 is nil`)
}

func TestEncodeBuiltModel(t *testing.T) {
	// A model built in Go (not decoded) encodes and decodes to itself.
	w := &Tensor{Name: "w", DataType: ElemFloat, Dims: []int64{2}, FloatData: []float32{1.5, -2}}
	m := &Model{
		IRVersion: 8, OpsetImports: []OpsetID{{Version: 17}, {Domain: "com.microsoft", Version: 1}},
		ProducerName: "gotrt", MetadataProps: []KeyValue{{Key: "k", Value: "v"}},
		Graph: &Graph{
			Name: "g",
			Nodes: []*Node{{Name: "mul", OpType: "Mul", Inputs: []string{"x", "w"}, Outputs: []string{"y"},
				Attributes: []*Attribute{
					{Name: "f", Type: AttrFloat},
					{Name: "i", Type: AttrInt, I: -3},
					{Name: "s", Type: AttrString, S: []byte{}},
					{Name: "fs", Type: AttrFloats, Floats: []float32{1, 2}},
					{Name: "is", Type: AttrInts, Ints: []int64{-1, 1 << 40}},
					{Name: "ss", Type: AttrStrings, Strings: [][]byte{[]byte("a"), {}}},
					{Name: "ts", Type: AttrTensors, Tensors: []*Tensor{w}},
					{Name: "gs", Type: AttrGraphs, Graphs: []*Graph{{Name: "sub"}}},
					{Name: "sp", Type: AttrSparseTensor, SparseTensor: &SparseTensor{Values: w, Dims: []int64{4}}},
					{Name: "ref", Type: AttrInt, RefAttrName: "alpha"},
				}}},
			Initializers: []*Tensor{w},
			Inputs: []*ValueInfo{{Name: "x", Kind: TypeTensor, ElemType: ElemFloat, HasShape: true,
				Shape: []Dim{{Param: "N"}, {Value: 2, Known: true}, {}, {Value: 0, Known: true, Denotation: "DATA_CHANNEL"}}}},
			Outputs:   []*ValueInfo{{Name: "y", Kind: TypeTensor, ElemType: ElemFloat, Denotation: "TENSOR"}},
			ValueInfo: []*ValueInfo{{Name: "untyped"}, {Name: "scalar", Kind: TypeSparseTensor, ElemType: ElemInt8, HasShape: true}},
		},
		Functions: []*Function{{Name: "f", Domain: "d", Inputs: []string{"a"}, Outputs: []string{"b"},
			Attributes: []string{"alpha"}, Nodes: []*Node{{OpType: "Identity", Inputs: []string{"a"}, Outputs: []string{"b"}}},
			OpsetImports: []OpsetID{{Version: 17}}, AttributeDef: []*Attribute{{Name: "beta", Type: AttrFloat, F: 2}}}},
	}
	b, err := Encode(m)
	require.NoError(t, err)
	m2, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, m, m2)
}

// BenchmarkDecodeEncode measures a 2 MiB model (one FLOAT initializer and a
// few hundred nodes) through Decode and Encode.
func BenchmarkDecodeEncode(b *testing.B) {
	w := &Tensor{Name: "w", DataType: ElemFloat, Dims: []int64{512, 1024}, RawData: make([]byte, 4*512*1024)}
	g := &Graph{Name: "bench", Initializers: []*Tensor{w}}
	for i := range 500 {
		g.Nodes = append(g.Nodes, &Node{Name: "n" + string(rune('a'+i%26)), OpType: "Conv", Inputs: []string{"x", "w"},
			Outputs: []string{"y"}, Attributes: []*Attribute{{Name: "pads", Type: AttrInts, Ints: []int64{1, 1, 1, 1}}}})
	}
	data, err := Encode(&Model{IRVersion: 8, Graph: g})
	require.NoError(b, err)
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	m, err := Decode(data)
	require.NoError(b, err)
	b.Run("Encode", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Encode(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
