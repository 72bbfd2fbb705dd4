package onnxpb

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The digest mirrors testdata/digest.py: what python's onnx package reads
// from a model, reduced to JSON-comparable values (ints as strings, floats as
// their float32 bits, tensor data as a SHA-256 of the values widened to
// float64).

func digestTensor(t *Tensor) map[string]any {
	dims := []any{}
	for _, d := range t.Dims {
		dims = append(dims, strconv.FormatInt(d, 10))
	}
	return map[string]any{"name": t.Name, "dt": strconv.Itoa(int(t.DataType)), "dims": dims, "data": digestData(t)}
}

func digestData(t *Tensor) string {
	if t.DataType == ElemString {
		h := sha256.New()
		for _, s := range t.StringData {
			h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(s))))
			h.Write(s)
		}
		return "s:" + hex.EncodeToString(h.Sum(nil))
	}
	ht, err := t.ToHost()
	if err != nil {
		return "err"
	}
	vs := ht.Float64s()
	buf := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	sum := sha256.Sum256(buf)
	return fmt.Sprintf("n:%d:%s", len(vs), hex.EncodeToString(sum[:]))
}

func digestValue(v *ValueInfo) map[string]any {
	kinds := map[TypeKind]string{TypeTensor: "tensor_type", TypeSequence: "sequence_type", TypeMap: "map_type",
		TypeOpaque: "opaque_type", TypeSparseTensor: "sparse_tensor_type", TypeOptional: "optional_type"}
	d := map[string]any{"name": v.Name, "kind": kinds[v.Kind], "elem": "", "shape": nil}
	if v.Kind == TypeTensor || v.Kind == TypeSparseTensor {
		d["elem"] = strconv.Itoa(int(v.ElemType))
		if v.HasShape {
			shape := []any{}
			for _, s := range v.Shape {
				switch {
				case s.Known:
					shape = append(shape, fmt.Sprintf("v:%d", s.Value))
				case s.Param != "":
					shape = append(shape, "p:"+s.Param)
				default:
					shape = append(shape, "?")
				}
			}
			d["shape"] = shape
		}
	}
	return d
}

func f32hex(f float32) string {
	return hex.EncodeToString(binary.LittleEndian.AppendUint32(nil, math.Float32bits(f)))
}

func digestAttr(a *Attribute) map[string]any {
	var v any
	switch a.Type {
	case AttrFloat:
		v = f32hex(a.F)
	case AttrInt:
		v = strconv.FormatInt(a.I, 10)
	case AttrString:
		v = hex.EncodeToString(a.S)
	case AttrTensor:
		v = digestTensor(a.T)
	case AttrGraph:
		v = digestGraph(a.G)
	case AttrFloats:
		l := []any{}
		for _, f := range a.Floats {
			l = append(l, f32hex(f))
		}
		v = l
	case AttrInts:
		l := []any{}
		for _, i := range a.Ints {
			l = append(l, strconv.FormatInt(i, 10))
		}
		v = l
	case AttrStrings:
		l := []any{}
		for _, s := range a.Strings {
			l = append(l, hex.EncodeToString(s))
		}
		v = l
	case AttrTensors:
		l := []any{}
		for _, t := range a.Tensors {
			l = append(l, digestTensor(t))
		}
		v = l
	case AttrGraphs:
		l := []any{}
		for _, g := range a.Graphs {
			l = append(l, digestGraph(g))
		}
		v = l
	}
	return map[string]any{"name": a.Name, "type": strconv.Itoa(int(a.Type)), "v": v}
}

func digestGraph(g *Graph) map[string]any {
	if g == nil {
		g = &Graph{}
	}
	nodes, inits, ins, outs, vis := []any{}, []any{}, []any{}, []any{}, []any{}
	for _, n := range g.Nodes {
		attrs := []any{}
		for _, a := range n.Attributes {
			attrs = append(attrs, digestAttr(a))
		}
		in, out := []any{}, []any{}
		for _, s := range n.Inputs {
			in = append(in, s)
		}
		for _, s := range n.Outputs {
			out = append(out, s)
		}
		nodes = append(nodes, map[string]any{"op": n.OpType, "name": n.Name, "domain": n.Domain,
			"in": in, "out": out, "attrs": attrs})
	}
	for _, t := range g.Initializers {
		inits = append(inits, digestTensor(t))
	}
	for _, v := range g.Inputs {
		ins = append(ins, digestValue(v))
	}
	for _, v := range g.Outputs {
		outs = append(outs, digestValue(v))
	}
	for _, v := range g.ValueInfo {
		vis = append(vis, digestValue(v))
	}
	return map[string]any{"name": g.Name, "nodes": nodes, "inits": inits, "inputs": ins, "outputs": outs, "vi": vis}
}

func digestModel(m *Model) map[string]any {
	opsets, fns := []any{}, []any{}
	for _, o := range m.OpsetImports {
		opsets = append(opsets, []any{o.Domain, strconv.FormatInt(o.Version, 10)})
	}
	for _, f := range m.Functions {
		fns = append(fns, f.Name)
	}
	return map[string]any{"ir": strconv.FormatInt(m.IRVersion, 10), "opsets": opsets, "producer": m.ProducerName,
		"graph": digestGraph(m.Graph), "functions": fns}
}

// normalize passes v through JSON so that Go and python digests compare.
func normalize(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// python returns the python interpreter with the onnx package, or skips.
func python(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("python cross-check skipped in -short mode")
	}
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	if err := exec.Command(py, "-c", "import onnx, numpy").Run(); err != nil {
		t.Skip("python3 has no onnx package")
	}
	return py
}

// TestDigestMatchesPython decodes every model of the ONNX backend test data
// (and the external-data test model) and compares node op types, names,
// domains, inputs/outputs, attribute values, initializer values and
// input/output types with what python's onnx package reads.
func TestDigestMatchesPython(t *testing.T) {
	py := python(t)
	files := append(corpusModels(t), filepath.Join("testdata", "external", "model.onnx"))
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", "digest.py")}, files...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	require.NoError(t, cmd.Start()) // python reads while Go does
	got := map[string]any{}
	for _, f := range files {
		m, err := LoadFile(f)
		require.NoError(t, err, f)
		got[f] = normalize(t, digestModel(m))
	}
	require.NoError(t, cmd.Wait())
	var want map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &want))
	require.Len(t, want, len(files))
	for _, f := range files {
		require.Equal(t, want[f], got[f], f)
	}
	t.Logf("%d models match python's onnx %s", len(files), "reading")
}
