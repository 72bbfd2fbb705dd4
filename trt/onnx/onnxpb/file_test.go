package onnxpb

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var externalModel = filepath.Join("testdata", "external", "model.onnx")

// Values written by testdata/make_external.py.
func wantW() []float32 {
	w := make([]float32, 32)
	for i := range w {
		w[i] = float32(i)*0.5 - 3
	}
	return w
}

func TestLoadExternalData(t *testing.T) {
	m, err := LoadFile(externalModel)
	require.NoError(t, err)
	g := m.Graph
	require.Equal(t, "external_test", g.Name)
	require.Len(t, g.Initializers, 3)
	for _, in := range g.Initializers {
		require.Equal(t, LocationDefault, in.DataLocation, in.Name)
		require.Nil(t, in.ExternalData, in.Name)
	}
	require.Equal(t, []int64{8, 4}, g.Initializers[0].Dims)
	require.Equal(t, wantW(), hostFloats(t, g.Initializers[0]))
	require.Equal(t, []float32{1, -2, 3.5, 0.25}, hostFloats(t, g.Initializers[1]))
	s, err := g.Initializers[2].ToHost()
	require.NoError(t, err)
	require.Equal(t, []int64{1, 2, 4}, s.Data)

	// Saved, the model is self-contained.
	p := filepath.Join(t.TempDir(), "inline.onnx")
	require.NoError(t, SaveFile(m, p))
	m2, err := LoadFile(p)
	require.NoError(t, err)
	require.Equal(t, m, m2)
}

func TestDecodeKeepsExternalReferences(t *testing.T) {
	b, err := os.ReadFile(externalModel)
	require.NoError(t, err)
	m, err := Decode(b)
	require.NoError(t, err)
	w := m.Graph.Initializers[0]
	require.Equal(t, LocationExternal, w.DataLocation)
	require.Equal(t, []KeyValue{{"location", "weights.bin"}, {"offset", "0"}, {"length", "128"}}, w.ExternalData)
	require.Nil(t, w.RawData)
	_, err = w.ToHost()
	require.ErrorIs(t, err, ErrExternalData)
	loc, ok := w.ExternalValue("location")
	require.True(t, ok)
	require.Equal(t, "weights.bin", loc)
}

// externalDir copies the external-data model into a fresh directory
// dir/model/, with W's external_data replaced by kv, and a file outside the
// model directory (dir/secret.bin) that escapes would reach.
func externalDir(t *testing.T, kv []KeyValue) (modelPath, dir string) {
	t.Helper()
	dir = t.TempDir()
	md := filepath.Join(dir, "model")
	require.NoError(t, os.MkdirAll(filepath.Join(md, "sub"), 0o755))
	weights, err := os.ReadFile(filepath.Join("testdata", "external", "weights.bin"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(md, "weights.bin"), weights, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(md, "sub", "w.bin"), weights, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.bin"), weights, 0o644))
	b, err := os.ReadFile(externalModel)
	require.NoError(t, err)
	m, err := Decode(b)
	require.NoError(t, err)
	m.Graph.Initializers[0].ExternalData = kv
	modelPath = filepath.Join(md, "model.onnx")
	require.NoError(t, SaveFile(m, modelPath))
	return modelPath, dir
}

func TestExternalDataPaths(t *testing.T) {
	loc := func(l string) []KeyValue { return []KeyValue{{"location", l}, {"offset", "0"}, {"length", "128"}} }
	for _, c := range []struct {
		name  string
		kv    []KeyValue
		setup func(t *testing.T, dir string)
		is    error // nil: loads
		want  string
	}{
		{name: "plain", kv: loc("weights.bin")},
		{name: "subdirectory", kv: loc("sub/w.bin")},
		{name: "dot segments inside", kv: loc("sub/../weights.bin")},
		{name: "no length: rest of file", kv: []KeyValue{{"location", "weights.bin"}}, is: ErrExternalData,
			want: "needs 128 bytes, external data has 168"},
		{name: "symlink inside", kv: loc("inner.bin"), setup: func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink("weights.bin", filepath.Join(dir, "model", "inner.bin")))
		}},
		{name: "parent", kv: loc("../secret.bin"), is: ErrUnsafePath, want: `external data "../secret.bin"`},
		{name: "parent via sub", kv: loc("sub/../../secret.bin"), is: ErrUnsafePath, want: `"sub/../../secret.bin"`},
		{name: "absolute", kv: loc("/etc/passwd"), is: ErrUnsafePath, want: `"/etc/passwd"`},
		{name: "symlink escaping", kv: loc("link.bin"), is: ErrUnsafePath, want: `"link.bin"`,
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.Symlink(filepath.Join(dir, "secret.bin"), filepath.Join(dir, "model", "link.bin")))
			}},
		{name: "relative symlink escaping", kv: loc("rel.bin"), is: ErrUnsafePath, want: `"rel.bin"`,
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.Symlink("../secret.bin", filepath.Join(dir, "model", "rel.bin")))
			}},
		{name: "symlinked directory escaping", kv: loc("out/secret.bin"), is: ErrUnsafePath, want: `"out/secret.bin"`,
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.Symlink(dir, filepath.Join(dir, "model", "out")))
			}},
		{name: "missing file", kv: loc("nope.bin"), is: ErrExternalData, want: `"nope.bin"`},
		{name: "directory", kv: loc("sub"), is: ErrExternalData, want: "not a regular file"},
		{name: "no location", kv: []KeyValue{{"offset", "0"}}, is: ErrExternalData, want: "no location key"},
		{name: "empty location", kv: loc(""), is: ErrExternalData, want: "no location key"},
		{name: "offset beyond end", kv: []KeyValue{{"location", "weights.bin"}, {"offset", "1000"}, {"length", "128"}},
			is: ErrExternalData, want: "offset 1000 is beyond the end of the file (168 bytes)"},
		{name: "length beyond end", kv: []KeyValue{{"location", "weights.bin"}, {"offset", "100"}, {"length", "128"}},
			is: ErrExternalData, want: "offset 100 + length 128 is beyond the end of the file (168 bytes)"},
		{name: "huge length", kv: []KeyValue{{"location", "weights.bin"}, {"offset", "0"}, {"length", "9223372036854775807"}},
			is: ErrExternalData, want: "beyond the end of the file"},
		{name: "length mismatch", kv: []KeyValue{{"location", "weights.bin"}, {"offset", "0"}, {"length", "64"}},
			is: ErrExternalData, want: "FLOAT tensor with dims [8 4] needs 128 bytes, external data has 64"},
		{name: "bad offset", kv: []KeyValue{{"location", "weights.bin"}, {"offset", "-1"}}, is: ErrExternalData,
			want: `offset "-1" is not a non-negative integer`},
		{name: "bad length", kv: []KeyValue{{"location", "weights.bin"}, {"length", "12x"}}, is: ErrExternalData,
			want: `length "12x" is not a non-negative integer`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, dir := externalDir(t, c.kv)
			if c.setup != nil {
				c.setup(t, dir)
			}
			m, err := LoadFile(p)
			if c.is == nil {
				require.NoError(t, err)
				require.Equal(t, wantW(), hostFloats(t, m.Graph.Initializers[0]))
				return
			}
			t.Log(err)
			require.ErrorIs(t, err, c.is)
			require.ErrorContains(t, err, c.want)
			require.ErrorContains(t, err, `graph "external_test": initializer tensor "W": `)
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	_, err := LoadFile(write("empty.onnx", nil))
	require.ErrorIs(t, err, ErrMalformed)
	require.ErrorContains(t, err, "empty file")

	_, err = LoadFile(write("noGraph.onnx", pbVarint(1, 8)))
	require.ErrorIs(t, err, ErrMalformed)
	require.ErrorContains(t, err, "no graph")

	_, err = LoadFile(write("model.txt", []byte("ir_version: 8\nproducer_name: \"pytorch\"\ngraph {\n  name: \"g\"\n}\n")))
	require.Error(t, err)
	require.ErrorContains(t, err, "looks like text")

	_, err = LoadFile(filepath.Join(dir, "missing.onnx"))
	require.ErrorIs(t, err, os.ErrNotExist)

	b, err := os.ReadFile(testModel(t, "pytorch-converted", "test_Conv2d"))
	require.NoError(t, err)
	_, err = LoadFile(write("truncated.onnx", b[:len(b)-3]))
	require.ErrorContains(t, err, "truncated")

	_, err = LoadTensorFile(write("empty.pb", nil))
	require.ErrorContains(t, err, "empty file")
	_, err = LoadTensorFile(filepath.Join(dir, "missing.pb"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
