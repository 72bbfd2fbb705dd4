package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"github.com/stretchr/testify/require"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/x448/float16"

	"github.com/gotrt/gotrt/tensor"
)

func tn(name string, dt tensor.DataType, dims []int, data any) *tensor.Tensor {
	return &tensor.Tensor{Name: name, Type: dt, Dims: dims, Data: data}
}

func halfBits(bits ...uint16) []float16.Float16 {
	out := make([]float16.Float16, len(bits))
	for i, b := range bits {
		out[i] = float16.Frombits(b)
	}
	return out
}

// requireSame compares tensors, floats by bits (so NaN payloads and -0 count)
// and nil and empty dims alike.
func requireSame(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	require.NoError(t, got.Validate())
	require.Equal(t, want.Name, got.Name)
	require.Equal(t, want.Type, got.Type, "tensor %q type", want.Name)
	require.Equal(t, fmt.Sprint(want.Dims), fmt.Sprint(got.Dims), "tensor %q dims", want.Name)
	switch w := want.Data.(type) {
	case []float32:
		g := got.Data.([]float32)
		for i := range w {
			require.Equal(t, math.Float32bits(w[i]), math.Float32bits(g[i]), "tensor %q[%d]", want.Name, i)
		}
	case []float64:
		g := got.Data.([]float64)
		for i := range w {
			require.Equal(t, math.Float64bits(w[i]), math.Float64bits(g[i]), "tensor %q[%d]", want.Name, i)
		}
	default:
		require.Equal(t, want.Data, got.Data, "tensor %q data", want.Name)
	}
}

func goldenArrays() []*tensor.Tensor {
	return []*tensor.Tensor{
		tn("f4", tensor.Float, []int{2, 3}, []float32{1.5, -2.25, 3, 0, float32(math.Copysign(0, -1)), 1e30}),
		tn("f2", tensor.Half, []int{4}, halfBits(15360, 64511, 1023, 31744)),
		tn("f8", tensor.Double, nil, []float64{3.141592653589793}),
		tn("i1", tensor.Int8, []int{3}, []int8{-128, 0, 127}),
		tn("u1", tensor.UInt8, []int{3}, []uint8{0, 1, 255}),
		tn("i2", tensor.Int32, []int{2}, []int32{-32768, 32767}),
		tn("u2", tensor.Int32, []int{2}, []int32{0, 65535}),
		tn("i4", tensor.Int32, []int{2, 1}, []int32{math.MinInt32, math.MaxInt32}),
		tn("u4", tensor.Int64, []int{1}, []int64{4294967295}),
		tn("i8", tensor.Int64, []int{2}, []int64{math.MinInt64, math.MaxInt64}),
		tn("u8", tensor.Int64, []int{1}, []int64{math.MaxInt64}),
		tn("b1", tensor.Bool, []int{3}, []bool{true, false, true}),
		tn("empty", tensor.Float, []int{0, 3}, []float32{}),
		tn("be_i4", tensor.Int32, []int{3}, []int32{1, -2, 3}),
		tn("be_f8", tensor.Double, []int{2}, []float64{0.5, -1.5}),
	}
}

func TestGoldenNPZ(t *testing.T) {
	got, err := ReadNPZ(filepath.Join("testdata", "golden.npz"))
	require.NoError(t, err)
	want := goldenArrays()
	require.Len(t, got, len(want))
	for i := range want {
		requireSame(t, want[i], got[i])
	}
}

func TestGoldenCompressedNPZ(t *testing.T) {
	got, err := ReadNPZ(filepath.Join("testdata", "golden_compressed.npz"))
	require.NoError(t, err)
	all := goldenArrays()
	want := []*tensor.Tensor{all[0], all[11], all[9]} // f4, b1, i8
	require.Len(t, got, len(want))
	for i := range want {
		requireSame(t, want[i], got[i])
	}
	// The same through DecodeNPZ.
	b, err := os.ReadFile(filepath.Join("testdata", "golden_compressed.npz"))
	require.NoError(t, err)
	got, err = DecodeNPZ(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	require.Len(t, got, 3)
}

func TestGoldenNPYVersions(t *testing.T) {
	got, err := ReadNPYFile(filepath.Join("testdata", "golden_v2.npy"))
	require.NoError(t, err)
	requireSame(t, tn("golden_v2", tensor.Int32, []int{2, 3}, []int32{0, 1, 2, 3, 4, 5}), got)
	got, err = ReadNPYFile(filepath.Join("testdata", "golden_v3.npy"))
	require.NoError(t, err)
	requireSame(t, tn("golden_v3", tensor.Half, []int{2}, halfBits(15360, 16384)), got)
}

func TestRefusedFiles(t *testing.T) {
	_, err := ReadNPYFile(filepath.Join("testdata", "fortran.npy"))
	require.ErrorContains(t, err, "fortran.npy")
	require.ErrorContains(t, err, "fortran_order True is not supported")
	_, err = ReadNPYFile(filepath.Join("testdata", "u8_overflow.npy"))
	require.ErrorContains(t, err, "does not fit in INT64")
	_, err = ReadNPYFile(filepath.Join("testdata", "missing.npy"))
	require.ErrorContains(t, err, "missing.npy")
	_, err = ReadNPZ(filepath.Join("testdata", "fortran.npy")) // not a zip
	require.ErrorContains(t, err, "fortran.npy")
}

func allTypes() []*tensor.Tensor {
	nan32 := math.Float32frombits(0x7fc00001)
	return []*tensor.Tensor{
		tn("f32", tensor.Float, []int{2, 3}, []float32{1, -2.5, nan32, float32(math.Inf(-1)), 1e-45, 3.4e38}),
		tn("f16", tensor.Half, []int{3}, halfBits(0x3c00, 0x7e01, 0x8001)),
		tn("f64", tensor.Double, []int{2, 1, 1}, []float64{math.Pi, math.NaN()}),
		tn("i8", tensor.Int8, []int{2}, []int8{-128, 127}),
		tn("u8", tensor.UInt8, []int{2}, []uint8{0, 255}),
		tn("i32", tensor.Int32, []int{1, 2}, []int32{math.MinInt32, 7}),
		tn("i64", tensor.Int64, []int{2}, []int64{math.MinInt64, math.MaxInt64}),
		tn("bool", tensor.Bool, []int{2, 2}, []bool{true, false, false, true}),
		tn("scalar", tensor.Float, nil, []float32{42}),
		tn("empty", tensor.Int64, []int{3, 0}, []int64{}),
		tn("name with.dots", tensor.UInt8, []int{1}, []uint8{9}),
	}
}

func TestRoundTripNPZ(t *testing.T) {
	dir := t.TempDir()
	ts := allTypes()
	bf := tn("bf16", tensor.BF16, []int{2}, []tensor.BF16Bits{tensor.ToBF16(1.5), tensor.ToBF16(-3e38)})
	ts = append(ts, bf, tn("", tensor.Int32, []int{1}, []int32{5}))
	for _, compress := range []bool{false, true} {
		p := filepath.Join(dir, fmt.Sprintf("rt_%v.npz", compress))
		if compress {
			require.NoError(t, WriteNPZCompressed(p, ts))
		} else {
			require.NoError(t, WriteNPZ(p, ts))
		}
		got, err := ReadNPZ(p)
		require.NoError(t, err)
		require.Len(t, got, len(ts))
		for i, w := range allTypes() {
			requireSame(t, w, got[i])
		}
		// BF16 comes back as exact FP32; the unnamed tensor as arr_<i>.
		n := len(allTypes())
		requireSame(t, tn("bf16", tensor.Float, []int{2}, []float32{1.5, tensor.RoundBF16(-3e38)}), got[n])
		requireSame(t, tn(fmt.Sprintf("arr_%d", n+1), tensor.Int32, []int{1}, []int32{5}), got[n+1])
	}
	// Writing is deterministic.
	var a, b bytes.Buffer
	require.NoError(t, EncodeNPZ(&a, ts, true))
	require.NoError(t, EncodeNPZ(&b, ts, true))
	require.True(t, bytes.Equal(a.Bytes(), b.Bytes()))
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npz")
	err := WriteNPZ(p, []*tensor.Tensor{tn("a", tensor.Float, []int{1}, []float32{1}), tn("a", tensor.Float, []int{1}, []float32{1})})
	require.ErrorContains(t, err, `two tensors named "a"`)
	err = WriteNPZ(p, []*tensor.Tensor{tn("bad", tensor.Float, []int{2}, []float32{1})})
	require.ErrorContains(t, err, `"bad"`)
	err = WriteNPZ(p, []*tensor.Tensor{tn("fp8", tensor.FP8, []int{1}, []uint8{1})})
	require.ErrorContains(t, err, "fp8")
	err = WriteNPZ(p, []*tensor.Tensor{nil})
	require.ErrorContains(t, err, "nil")
	_, err = os.Stat(p)
	require.True(t, os.IsNotExist(err), "a failed write leaves no file")
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	require.Len(t, left, 0)
	err = WriteNPY(io.Discard, nil)
	require.Error(t, err)
	err = WriteNPZ(filepath.Join(dir, "no", "such", "dir.npz"), allTypes())
	require.ErrorContains(t, err, "dir.npz")
}

func TestNPYStream(t *testing.T) {
	var buf bytes.Buffer
	ts := allTypes()
	for _, x := range ts {
		require.NoError(t, WriteNPY(&buf, x))
	}
	// Headers are 64-byte aligned, as numpy writes them.
	b := buf.Bytes()
	require.Equal(t, 0, (10+int(binary.LittleEndian.Uint16(b[8:10])))%64)
	for _, r := range []io.Reader{bytes.NewReader(b), struct{ io.Reader }{bytes.NewReader(b)}} {
		for _, w := range ts {
			got, err := ReadNPY(r)
			require.NoError(t, err)
			got.Name = w.Name
			requireSame(t, w, got)
		}
		_, err := ReadNPY(r)
		require.ErrorContains(t, err, "npy: not a .npy file")
	}
}

func npyWithHeader(version byte, dict string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(magic)
	b.WriteByte(version)
	b.WriteByte(0)
	if version == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(dict)))
	}
	b.WriteString(dict)
	b.Write(data)
	return b.Bytes()
}

func TestMalformedNPY(t *testing.T) {
	hdr := func(descr, fortran, shape string) string {
		return fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }\n", descr, fortran, shape)
	}
	huge := make([]byte, 6)
	binary.LittleEndian.PutUint32(huge[2:], 0xffffffff)
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "not a .npy file: file is truncated"},
		{"magic", []byte("PK\x03\x04 not npy at all"), "bad magic"},
		{"version", npyWithHeader(4, hdr("<f4", "False", "(1,)"), make([]byte, 4)), "format version 4.0"},
		{"header length", append([]byte(magic+"\x02\x00"), huge[2:]...), "header length 4294967295"},
		{"header truncated", []byte(magic + "\x01\x00\x50\x00{'descr'"), "header length 80 exceeds"},
		{"data truncated", npyWithHeader(1, hdr("<f4", "False", "(3,)"), make([]byte, 11)), "needs 12 data bytes"},
		{"huge shape", npyWithHeader(1, hdr("<f8", "False", "(1000000, 1000000)"), make([]byte, 8)), "needs 8000000000000 data bytes"},
		{"overflow", npyWithHeader(1, hdr("<f8", "False", "(4294967296, 4294967296)"), nil), "too large"},
		{"overflow int64", npyWithHeader(1, hdr("<f8", "False", "(99999999999999999999,)"), nil), "out of range"},
		{"negative", npyWithHeader(1, hdr("<f4", "False", "(-1,)"), nil), "non-negative integer"},
		{"fortran", npyWithHeader(1, hdr("<f4", "True", "(2, 2)"), make([]byte, 16)), "fortran_order True"},
		{"descr", npyWithHeader(1, hdr("<c8", "False", "(1,)"), make([]byte, 8)), `unsupported dtype "<c8"`},
		{"object", npyWithHeader(1, hdr("|O", "False", "(1,)"), make([]byte, 8)), `unsupported dtype "|O"`},
		{"structured", npyWithHeader(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", make([]byte, 4)), "structured"},
		{"missing key", npyWithHeader(1, "{'descr': '<f4', 'shape': (1,), }", make([]byte, 4)), "missing key 'fortran_order'"},
		{"extra key", npyWithHeader(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", make([]byte, 4)), `unexpected key "x"`},
		{"dup key", npyWithHeader(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", make([]byte, 4)), "duplicate"},
		{"not tuple", npyWithHeader(1, hdr("<f4", "False", "(3)"), make([]byte, 12)), "not a tuple"},
		{"list shape", npyWithHeader(1, hdr("<f4", "False", "[3]"), make([]byte, 12)), "not a tuple"},
		{"trailing", npyWithHeader(1, hdr("<f4", "False", "(1,)")+"xyz", make([]byte, 4)), "trailing data"},
		{"not dict", npyWithHeader(1, "('<f4', False, (1,))", make([]byte, 4)), "not a dict"},
		{"many dims", npyWithHeader(2, hdr("<f4", "False", "("+strings.Repeat("1, ", 65)+")"), make([]byte, 4)), "more than 64 dimensions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{bytes.NewReader(c.in), struct{ io.Reader }{bytes.NewReader(c.in)}} {
				_, err := ReadNPY(r)
				require.ErrorContains(t, err, "npy: ")
				if _, sized := r.(*bytes.Reader); sized || c.name != "header truncated" {
					require.ErrorContains(t, err, c.want)
				} else {
					require.ErrorContains(t, err, "file is truncated")
				}
			}
		})
	}
}

// A header may claim far more data than the file holds: reading must fail
// without allocating what the header claims, whether or not the reader's size
// is known.
func TestLyingHeaderAllocatesLittle(t *testing.T) {
	in := npyWithHeader(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1073741824,), }", make([]byte, 3<<20))
	for _, r := range []func() io.Reader{
		func() io.Reader { return bytes.NewReader(in) },
		func() io.Reader { return struct{ io.Reader }{bytes.NewReader(in)} },
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := ReadNPY(r())
		runtime.ReadMemStats(&after)
		require.ErrorContains(t, err, "8589934592 data bytes")
		alloc := after.TotalAlloc - before.TotalAlloc
		require.True(t, alloc < 64<<20, "allocated %d bytes for a lying header", alloc)
	}
}

func zipOf(t *testing.T, entries map[string][]byte, order []string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range order {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write(entries[name])
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func TestMalformedNPZ(t *testing.T) {
	good := func(name string) []byte {
		var b bytes.Buffer
		require.NoError(t, WriteNPY(&b, tn(name, tensor.Float, []int{1}, []float32{1})))
		return b.Bytes()
	}
	dir := t.TempDir()
	cases := []struct {
		name    string
		entries map[string][]byte
		order   []string
		want    string
	}{
		{"not npy", map[string][]byte{"a.npy": good("a"), "readme.txt": []byte("hi")}, []string{"a.npy", "readme.txt"}, `entry "readme.txt" is not a .npy array`},
		{"bad array", map[string][]byte{"a.npy": good("a"), "b.npy": []byte("garbage")}, []string{"a.npy", "b.npy"}, `array "b": not a .npy file`},
		{"dup", map[string][]byte{"a.npy": good("a")}, []string{"a.npy", "a.npy"}, `array "a" appears twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".npz")
			require.NoError(t, os.WriteFile(p, zipOf(t, c.entries, c.order), 0o644))
			_, err := ReadNPZ(p)
			require.ErrorContains(t, err, p)
			require.ErrorContains(t, err, c.want)
		})
	}
	t.Run("truncated zip", func(t *testing.T) {
		var b bytes.Buffer
		require.NoError(t, EncodeNPZ(&b, allTypes(), false))
		for _, n := range []int{0, 10, b.Len() / 2, b.Len() - 1} {
			_, err := DecodeNPZ(bytes.NewReader(b.Bytes()[:n]), int64(n))
			require.Error(t, err)
		}
	})
	t.Run("directory entries", func(t *testing.T) {
		p := filepath.Join(dir, "dirs.npz")
		require.NoError(t, os.WriteFile(p, zipOf(t, map[string][]byte{"d/": nil, "d/a.npy": good("a")}, []string{"d/", "d/a.npy"}), 0o644))
		got, err := ReadNPZ(p)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, "d/a", got[0].Name)
	})
}

var numpyCheck struct {
	sync.Once
	err error
}

const py = "/usr/bin/python3"

// python runs script with /usr/bin/python3 and numpy, or skips the test.
func python(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	numpyCheck.Do(func() {
		if out, err := exec.Command(py, "-c", "import numpy").CombinedOutput(); err != nil {
			numpyCheck.err = fmt.Errorf("%v: %s", err, bytes.TrimSpace(out))
		}
	})
	if numpyCheck.err != nil {
		t.Skipf("numpy interoperability not tested: %s with numpy not available (%v)", py, numpyCheck.err)
	}
	cmd := exec.Command(py, append([]string{"-c", script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python: %s", stderr.String())
	return out
}

// describePy prints, as JSON, a list per file named on the command line (.npz
// or .npy) of each array's name, dtype, shape and values as strings (repr of
// Python floats, ints, "True"/"False"). With "write MODE PATH" first, it runs
// numpyWritesPy before.
const describePy = `
import json, sys, numpy as np
def desc(k, a):
    vals = [repr(float(x)) if a.dtype.kind == 'f' else str(x) for x in a.reshape(-1).tolist()]
    return {"name": k, "dtype": a.dtype.str, "shape": list(a.shape), "values": vals}
out = []
for p in sys.argv[1:]:
    d = np.load(p)
    if isinstance(d, np.ndarray):
        out.append([desc("", d)] + [{"name": "c_contiguous", "dtype": str(d.flags.c_contiguous), "shape": [], "values": []}])
    else:
        out.append([desc(k, d[k]) for k in d.files])
print(json.dumps(out))
`

type described struct {
	Name   string   `json:"name"`
	Dtype  string   `json:"dtype"`
	Shape  []int    `json:"shape"`
	Values []string `json:"values"`
}

// valueStrings renders a tensor's elements the way describePy does.
func valueStrings(t *testing.T, x *tensor.Tensor) []string {
	t.Helper()
	out := []string{}
	switch d := x.Data.(type) {
	case []bool:
		for _, v := range d {
			out = append(out, map[bool]string{true: "True", false: "False"}[v])
		}
	case []int8, []uint8, []int32, []int64:
		out = append(out, strings.Fields(strings.Trim(fmt.Sprint(d), "[]"))...)
	default:
		for _, v := range x.Float64s() {
			out = append(out, pyFloat(v))
		}
	}
	return out
}

func pyFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// sameFloatString compares a Go float with a Python repr.
func sameFloatString(goStr, pyStr string) bool {
	a, err1 := strconv.ParseFloat(goStr, 64)
	b, err2 := strconv.ParseFloat(pyStr, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

func requireDescribed(t *testing.T, want *tensor.Tensor, dtype string, got described) {
	t.Helper()
	require.Equal(t, want.Name, got.Name)
	require.Equal(t, dtype, got.Dtype, "array %q dtype", want.Name)
	require.Equal(t, fmt.Sprint(want.Dims), fmt.Sprint(got.Shape), "array %q shape", want.Name)
	ws := valueStrings(t, want)
	require.Len(t, got.Values, len(ws), "array %q", want.Name)
	for i := range ws {
		if want.Type.IsFloat() {
			require.True(t, sameFloatString(ws[i], got.Values[i]), "array %q[%d]: Go %s, numpy %s", want.Name, i, ws[i], got.Values[i])
		} else {
			require.Equal(t, ws[i], got.Values[i], "array %q[%d]", want.Name, i)
		}
	}
}

func TestNumpyReadsGo(t *testing.T) {
	dir := t.TempDir()
	ts := allTypes()
	dtypes := []string{"<f4", "<f2", "<f8", "|i1", "|u1", "<i4", "<i8", "|b1", "<f4", "<i8", "|u1"}
	stored, compressed, single := filepath.Join(dir, "go.npz"), filepath.Join(dir, "go_compressed.npz"), filepath.Join(dir, "one.npy")
	require.NoError(t, WriteNPZ(stored, ts))
	require.NoError(t, WriteNPZCompressed(compressed, ts))
	require.NoError(t, WriteNPYFile(single, ts[0]))
	var got [][]described
	require.NoError(t, json.Unmarshal(python(t, describePy, stored, compressed, single), &got))
	require.Len(t, got, 3)
	for _, arrays := range got[:2] {
		require.Len(t, arrays, len(ts))
		for i := range ts {
			requireDescribed(t, ts[i], dtypes[i], arrays[i])
		}
	}
	one := *ts[0]
	one.Name = ""
	requireDescribed(t, &one, "<f4", got[2][0])
	require.Equal(t, "True", got[2][1].Dtype, "C order")
}

const numpyWritesPy = `
import sys, numpy as np
rng = np.random.default_rng(7)
arrays = {
    "f4": rng.standard_normal((3, 4)).astype("<f4"),
    "f2": (rng.standard_normal(5) * 100).astype("<f2"),
    "f8": rng.standard_normal((2, 2, 2)),
    "i1": rng.integers(-128, 128, 7, dtype="i1"),
    "u1": rng.integers(0, 256, 7, dtype="u1"),
    "i2": rng.integers(-32768, 32768, 4, dtype="<i2"),
    "u2": rng.integers(0, 65536, 4, dtype="<u2"),
    "i4": rng.integers(-2**31, 2**31, (2, 3), dtype="<i4"),
    "u4": rng.integers(0, 2**32, 3, dtype="<u4"),
    "i8": rng.integers(-2**63, 2**63 - 1, 3, dtype="<i8"),
    "u8": rng.integers(0, 2**63 - 1, 3, dtype="<u8"),
    "b1": rng.integers(0, 2, (2, 3)).astype("?"),
    "scalar": np.float32(-0.5),
    "empty": np.zeros((2, 0), dtype="<i4"),
    "special": np.array([np.nan, np.inf, -np.inf, -0.0, 1e-40], dtype="<f4"),
    "big_endian": rng.standard_normal(3).astype(">f4"),
    "strided": np.arange(12, dtype="<i8").reshape(3, 4)[:, ::2],
}
np.savez(sys.argv[1], **arrays)
np.savez_compressed(sys.argv[2], **arrays)
`

func TestGoReadsNumpy(t *testing.T) {
	dir := t.TempDir()
	goType := map[string]tensor.DataType{
		"f4": tensor.Float, "f2": tensor.Half, "f8": tensor.Double, "i1": tensor.Int8, "u1": tensor.UInt8,
		"i2": tensor.Int32, "u2": tensor.Int32, "i4": tensor.Int32, "u4": tensor.Int64, "i8": tensor.Int64,
		"u8": tensor.Int64, "b1": tensor.Bool, "scalar": tensor.Float, "empty": tensor.Int32,
		"special": tensor.Float, "big_endian": tensor.Float, "strided": tensor.Int64,
	}
	stored, compressed := filepath.Join(dir, "np.npz"), filepath.Join(dir, "np_compressed.npz")
	var all [][]described
	require.NoError(t, json.Unmarshal(python(t, numpyWritesPy+describePy, stored, compressed), &all))
	require.Len(t, all, 2)
	for k, p := range []string{stored, compressed} {
		want := all[k]
		got, err := ReadNPZ(p)
		require.NoError(t, err)
		require.Len(t, got, len(want))
		for i, w := range want {
			g := got[i]
			require.Equal(t, w.Name, g.Name)
			require.Equal(t, goType[w.Name], g.Type, "array %q", w.Name)
			require.Equal(t, fmt.Sprint(w.Shape), fmt.Sprint(g.Dims), "array %q", w.Name)
			gs := valueStrings(t, g)
			require.Len(t, gs, len(w.Values))
			for j := range gs {
				if g.Type.IsFloat() {
					require.True(t, sameFloatString(gs[j], w.Values[j]), "array %q[%d]: Go %s, numpy %s", w.Name, j, gs[j], w.Values[j])
				} else {
					require.Equal(t, w.Values[j], gs[j], "array %q[%d]", w.Name, j)
				}
			}
		}
	}
}

func FuzzReadNPY(f *testing.F) {
	for _, x := range allTypes() {
		var b bytes.Buffer
		if err := WriteNPY(&b, x); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	for _, name := range []string{"golden_v2.npy", "golden_v3.npy", "fortran.npy", "u8_overflow.npy"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(npyWithHeader(1, "{'descr': '>u2', 'fortran_order': False, 'shape': (2L, 1L), }", []byte{1, 2, 3, 4}))
	f.Add(npyWithHeader(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }", nil))
	f.Fuzz(func(t *testing.T, in []byte) {
		sized, err1 := ReadNPY(bytes.NewReader(in))
		unsized, err2 := ReadNPY(struct{ io.Reader }{bytes.NewReader(in)})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("sized and unsized readers disagree: %v / %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		if err := sized.Validate(); err != nil {
			t.Fatalf("invalid tensor: %v", err)
		}
		requireSame(t, sized, unsized)
		// What was read writes and reads back the same.
		var b bytes.Buffer
		if err := WriteNPY(&b, sized); err != nil {
			t.Fatalf("rewrite: %v", err)
		}
		again, err := ReadNPY(&b)
		if err != nil {
			t.Fatalf("reread: %v", err)
		}
		requireSame(t, sized, again)
	})
}

func FuzzDecodeNPZ(f *testing.F) {
	for _, name := range []string{"golden.npz", "golden_compressed.npz"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var b bytes.Buffer
	if err := EncodeNPZ(&b, allTypes()[:3], true); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, in []byte) {
		ts, err := DecodeNPZ(bytes.NewReader(in), int64(len(in)))
		if err != nil {
			return
		}
		for _, x := range ts {
			if err := x.Validate(); err != nil {
				t.Fatalf("invalid tensor: %v", err)
			}
		}
	})
}
