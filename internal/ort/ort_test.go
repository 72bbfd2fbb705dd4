package ort

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/stretchr/testify/require"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/x448/float16"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gotrt/gotrt/tensor"
)

// ONNX's backend test data (Debian: onnx's headers package ships it).
const onnxNodeTests = "/usr/include/onnx/backend/test/data/node"

// needORT skips the test when the ONNX Runtime library is absent.
func needORT(t *testing.T) {
	t.Helper()
	if _, err := LibraryPath(); err != nil {
		if errors.Is(err, ErrNotFound) {
			t.Skipf("ONNX Runtime not available; run `make setup` (scripts/fetch-ort.sh) to fetch it: %v", err)
		}
		t.Fatal(err)
	}
	require.NoError(t, Init())
}

func nodeTestDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(onnxNodeTests, name)
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		t.Skipf("ONNX backend test %s not found under %s (install onnx's test data)", name, onnxNodeTests)
	}
	return dir
}

func TestLibraryPath(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libonnxruntime.so.1.30.0")
	require.NoError(t, os.WriteFile(lib, []byte("x"), 0o644))

	t.Setenv(EnvLibrary, lib)
	p, err := LibraryPath()
	require.NoError(t, err)
	require.Equal(t, lib, p)

	t.Setenv(EnvLibrary, filepath.Join(dir, "missing.so"))
	_, err = LibraryPath()
	require.ErrorIs(t, err, ErrNotFound)
	require.Contains(t, err.Error(), EnvLibrary)
	require.Contains(t, err.Error(), "make setup")

	t.Setenv(EnvLibrary, "")
	t.Setenv(EnvCacheDir, dir)
	want := filepath.Join(dir, "onnxruntime-node-1.30.0", "libonnxruntime.so.1")
	require.Equal(t, want, CachedLibraryPath())
	_, err = LibraryPath()
	require.ErrorIs(t, err, ErrNotFound)
	require.Contains(t, err.Error(), "scripts/fetch-ort.sh")
	require.Contains(t, err.Error(), want)

	require.NoError(t, os.MkdirAll(filepath.Dir(want), 0o755))
	require.NoError(t, os.WriteFile(want, []byte("x"), 0o644))
	p, err = LibraryPath()
	require.NoError(t, err)
	require.Equal(t, want, p)
}

func TestVersion(t *testing.T) {
	needORT(t)
	v, err := Version()
	require.NoError(t, err)
	require.NotEmpty(t, v)
	t.Logf("ONNX Runtime %s from %s", v, LoadedLibrary())
	// Init is idempotent and safe from several goroutines.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { require.NoError(t, Init()) })
	}
	wg.Wait()
}

// readTensorProto reads a bare onnx.TensorProto with dims and raw_data (as the
// backend test data stores them) into a tensor of element type et. The file's
// type may differ only where ONNX stores bfloat16 as uint16.
func readTensorProto(t *testing.T, path string, et ElementType) *tensor.Tensor {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var (
		dims     []int
		dataType = Undefined
		name     string
		raw      []byte
		hasRaw   bool
	)
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		require.GreaterOrEqual(t, n, 0, "%s: bad tag", path)
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			require.GreaterOrEqual(t, n, 0)
			dims = append(dims, int(v))
			b = b[n:]
		case num == 1 && typ == protowire.BytesType: // packed dims
			v, n := protowire.ConsumeBytes(b)
			require.GreaterOrEqual(t, n, 0)
			for len(v) > 0 {
				d, m := protowire.ConsumeVarint(v)
				require.GreaterOrEqual(t, m, 0)
				dims = append(dims, int(d))
				v = v[m:]
			}
			b = b[n:]
		case num == 2 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			require.GreaterOrEqual(t, n, 0)
			dataType = ElementType(v)
			b = b[n:]
		case num == 8 && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			require.GreaterOrEqual(t, n, 0)
			name = string(v)
			b = b[n:]
		case num == 9 && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			require.GreaterOrEqual(t, n, 0)
			raw, hasRaw = v, true
			b = b[n:]
		default:
			t.Fatalf("%s: field %d not supported by this test reader (raw_data only)", path, num)
		}
	}
	require.True(t, hasRaw || tensor.Volume(dims) == 0, "%s: no raw_data", path)
	if dataType != et && !(et == BFloat16 && dataType == Uint16) {
		t.Fatalf("%s: stored type %v, model wants %v", path, dataType, et)
	}
	dt, ok := et.DataType()
	require.True(t, ok, "%s: element type %v", path, et)
	out, err := tensor.New(name, dt, dims)
	require.NoError(t, err)
	n := tensor.Volume(dims)
	require.Equal(t, n*dt.Size(), len(raw), "%s: raw_data size", path)
	le := binary.LittleEndian
	for i := range n {
		switch d := out.Data.(type) {
		case []float32:
			d[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		case []float64:
			d[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		case []float16.Float16:
			d[i] = float16.Frombits(le.Uint16(raw[2*i:]))
		case []tensor.BF16Bits:
			d[i] = tensor.BF16Bits(le.Uint16(raw[2*i:]))
		case []int8:
			d[i] = int8(raw[i])
		case []uint8:
			d[i] = raw[i]
		case []bool:
			d[i] = raw[i] != 0
		case []int32:
			d[i] = int32(le.Uint32(raw[4*i:]))
		case []int64:
			d[i] = int64(le.Uint64(raw[8*i:]))
		}
	}
	return out
}

// loadCase reads test_data_set_0 of an ONNX backend node test, typed as the
// session's inputs and outputs.
func loadCase(t *testing.T, dir string, s *Session) (in, want map[string]*tensor.Tensor) {
	t.Helper()
	read := func(prefix string, infos []IOInfo) map[string]*tensor.Tensor {
		m := map[string]*tensor.Tensor{}
		for i, info := range infos {
			p := filepath.Join(dir, "test_data_set_0", fmt.Sprintf("%s_%d.pb", prefix, i))
			m[info.Name] = readTensorProto(t, p, info.Type)
		}
		return m
	}
	return read("input", s.Inputs()), read("output", s.Outputs())
}

func requireClose(t *testing.T, want, got *tensor.Tensor, rtol, atol float64) {
	t.Helper()
	require.Equal(t, want.Type, got.Type, "output %q type", want.Name)
	require.Equal(t, want.Dims, got.Dims, "output %q dims", want.Name)
	require.NoError(t, got.Validate())
	w, g := want.Float64s(), got.Float64s()
	for i := range w {
		if math.IsNaN(w[i]) {
			require.True(t, math.IsNaN(g[i]), "output %q[%d]: want NaN, got %v", want.Name, i, g[i])
			continue
		}
		if math.IsInf(w[i], 0) {
			require.Equal(t, w[i], g[i], "output %q[%d]", want.Name, i)
			continue
		}
		require.LessOrEqual(t, math.Abs(w[i]-g[i]), atol+rtol*math.Abs(w[i]),
			"output %q[%d]: want %v, got %v", want.Name, i, w[i], g[i])
	}
}

func TestBackendNodeTests(t *testing.T) {
	needORT(t)
	cases := []struct {
		name string
		rtol float64
	}{
		{"test_add_bcast", 1e-6},                   // float32
		{"test_cast_FLOAT_to_FLOAT16", 0},          // float32 -> float16
		{"test_cast_FLOAT16_to_FLOAT", 0},          // float16 -> float32
		{"test_cast_FLOAT_to_BFLOAT16", 1.0 / 128}, // ONNX's data truncates, ORT rounds
		{"test_cast_BFLOAT16_to_FLOAT", 0},         // bfloat16 (stored as uint16) -> float32
		{"test_cast_DOUBLE_to_FLOAT", 1e-7},        // float64 in
		{"test_cast_FLOAT_to_DOUBLE", 0},           // float64 out
		{"test_max_float16", 0},                    // float16 in and out
		{"test_equal", 0},                          // int32 in, bool out
		{"test_and2d", 0},                          // bool in and out
		{"test_argmax_default_axis_example", 0},    // int64 out
		{"test_argmax_no_keepdims_random", 0},      // int64 out
		{"test_add_uint8", 0},                      // uint8
		{"test_max_int8", 0},                       // int8
		{"test_nonzero_example", 0},                // int64 output of data-dependent shape
		{"test_det_2d", 1e-5},                      // float32 scalar output
		{"test_dynamicquantizelinear", 1e-6},       // uint8 tensor + float32 and uint8 scalar outputs
		{"test_cumsum_1d", 0},                      // float64 + int32 scalar input
		{"test_castlike_FLOAT_to_FLOAT16_expanded", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := nodeTestDir(t, c.name)
			s, err := NewSessionFromFile(filepath.Join(dir, "model.onnx"), WithIntraOpThreads(1))
			require.NoError(t, err)
			defer s.Close()
			in, want := loadCase(t, dir, s)
			for range 2 { // the second run reuses what the first learned
				got, err := s.Run(in)
				require.NoError(t, err)
				require.Len(t, got, len(want))
				for name, w := range want {
					g, ok := got[name]
					require.True(t, ok, "output %q missing", name)
					require.Equal(t, name, g.Name)
					requireClose(t, w, g, c.rtol, 0)
				}
			}
		})
	}
}

func TestSessionFromBytesAndInfo(t *testing.T) {
	needORT(t)
	dir := nodeTestDir(t, "test_add_bcast")
	model, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	require.NoError(t, err)
	for _, opt := range []GraphOptimization{OptimizeAll, OptimizeExtended, OptimizeBasic, OptimizeDisabled} {
		s, err := NewSession(model, WithIntraOpThreads(2), WithGraphOptimization(opt), WithName("add_bcast"))
		require.NoError(t, err, opt)
		require.Equal(t, "add_bcast", s.Name())
		require.Equal(t, []string{"x", "y"}, s.InputNames())
		require.Equal(t, []string{"sum"}, s.OutputNames())
		require.Equal(t, []IOInfo{
			{Name: "x", Kind: "tensor", Type: Float, Shape: []int64{3, 4, 5}},
			{Name: "y", Kind: "tensor", Type: Float, Shape: []int64{5}},
		}, s.Inputs())
		require.Equal(t, "sum (float [3 4 5])", s.Outputs()[0].String())
		in, want := loadCase(t, dir, s)
		got, err := s.Run(in)
		require.NoError(t, err)
		requireClose(t, want["sum"], got["sum"], 1e-6, 0)
		require.NoError(t, s.Close())
		require.NoError(t, s.Close())
		_, err = s.Run(in)
		require.ErrorIs(t, err, ErrClosed)
	}
	_, err = NewSession(model, WithGraphOptimization(GraphOptimization(9)))
	require.Error(t, err)
}

func TestRunErrors(t *testing.T) {
	needORT(t)
	dir := nodeTestDir(t, "test_add_bcast")
	s, err := NewSessionFromFile(filepath.Join(dir, "model.onnx"))
	require.NoError(t, err)
	defer s.Close()
	in, _ := loadCase(t, dir, s)
	x, y := in["x"], in["y"]

	h := &tensor.Tensor{Name: "x", Type: tensor.Half, Dims: []int{3, 4, 5}, Data: make([]float16.Float16, 60)}
	cases := []struct {
		name   string
		inputs map[string]*tensor.Tensor
		want   []string
	}{
		{"missing", map[string]*tensor.Tensor{"x": x}, []string{`input "y"`, "not given"}},
		{"nil", map[string]*tensor.Tensor{"x": x, "y": nil}, []string{`input "y"`, "not given"}},
		{"unknown", map[string]*tensor.Tensor{"x": x, "y": y, "z": y}, []string{`"z"`, "inputs: x, y"}},
		{"type", map[string]*tensor.Tensor{"x": h, "y": y}, []string{`input "x"`, "model wants float, got a FP16 tensor"}},
		{"rank", map[string]*tensor.Tensor{"x": x, "y": {Type: tensor.Float, Dims: []int{1, 5}, Data: make([]float32, 5)}},
			[]string{`input "y"`, "shape [5]"}},
		{"dim", map[string]*tensor.Tensor{"x": x, "y": {Type: tensor.Float, Dims: []int{4}, Data: make([]float32, 4)}},
			[]string{`input "y"`, "got [4]"}},
		{"invalid", map[string]*tensor.Tensor{"x": x, "y": {Type: tensor.Float, Dims: []int{5}, Data: make([]float32, 4)}},
			[]string{`input "y"`, "need 5 elements"}},
		{"fp8", map[string]*tensor.Tensor{"x": x, "y": {Type: tensor.FP8, Dims: []int{5}, Data: make([]uint8, 5)}},
			[]string{`input "y"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Run(c.inputs)
			require.Error(t, err)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
			require.Contains(t, err.Error(), "test_add_bcast/model.onnx")
		})
	}

	t.Run("bad model", func(t *testing.T) {
		_, err := NewSession([]byte("not an onnx model"), WithName("junk"))
		require.ErrorContains(t, err, "junk")
		_, err = NewSession(nil)
		require.Error(t, err)
		_, err = NewSessionFromFile(filepath.Join(t.TempDir(), "missing.onnx"))
		require.ErrorContains(t, err, "missing.onnx")
	})
	t.Run("uint16 output", func(t *testing.T) {
		s := testdataSession(t, "cast_u16")
		require.Equal(t, Uint16, s.Outputs()[0].Type)
		_, err = s.Run(map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{2}, Data: []float32{1, 2}}})
		require.ErrorContains(t, err, `output "y" has element type uint16`)
	})
	t.Run("no inputs", func(t *testing.T) {
		dir := nodeTestDir(t, "test_constant")
		s, err := NewSessionFromFile(filepath.Join(dir, "model.onnx"))
		require.NoError(t, err)
		defer s.Close()
		_, err = s.Run(nil)
		require.ErrorContains(t, err, "without inputs")
	})
}

func half(v ...float32) []float16.Float16 {
	out := make([]float16.Float16, len(v))
	for i, x := range v {
		out[i] = float16.Fromfloat32(x)
	}
	return out
}

func testdataSession(t *testing.T, name string) *Session {
	t.Helper()
	s, err := NewSessionFromFile(filepath.Join("testdata", name+".onnx"), WithIntraOpThreads(1))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// Dynamic float16/bfloat16 outputs, scalars and unknown ranks: the cases that
// onnxruntime_go v1.27 does not convert by itself.
func TestDynamicAndScalarOutputs(t *testing.T) {
	needORT(t)
	t.Run("float16 dynamic", func(t *testing.T) {
		s := testdataSession(t, "relu_f16_dyn")
		require.Equal(t, []int64{-1, 3}, s.Outputs()[0].Shape)
		// Attempts per run: the guess [1 3] is wrong for n=2, then right.
		wantAttempts := []int64{2, 1, 2, 2, 2, 1}
		for k, n := range []int{2, 2, 1, 0, 4, 4} {
			before := s.attempts.Load()
			x := make([]float32, 3*n)
			want := make([]float32, 3*n)
			for i := range x {
				x[i] = float32(i) - 2.5
				want[i] = max(x[i], 0)
			}
			got, err := s.Run(map[string]*tensor.Tensor{"x": {Type: tensor.Half, Dims: []int{n, 3}, Data: half(x...)}})
			require.NoError(t, err, "n=%d", n)
			requireClose(t, &tensor.Tensor{Name: "y", Type: tensor.Half, Dims: []int{n, 3}, Data: half(want...)}, got["y"], 0, 0)
			require.Equal(t, wantAttempts[k], s.attempts.Load()-before, "attempts for n=%d", n)
		}
	})
	t.Run("bfloat16 dynamic", func(t *testing.T) {
		s := testdataSession(t, "cast_bf16_dyn")
		x := []float32{1.5, -2, 3.14159, 1e30, float32(math.Inf(-1))}
		got, err := s.Run(map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{5}, Data: x}})
		require.NoError(t, err)
		want := make([]tensor.BF16Bits, len(x))
		for i, v := range x {
			want[i] = tensor.ToBF16(v)
		}
		require.Equal(t, tensor.BF16, got["y"].Type)
		require.Equal(t, want, got["y"].Data)
	})
	t.Run("scalar outputs", func(t *testing.T) {
		s := testdataSession(t, "scalar_out")
		got, err := s.Run(map[string]*tensor.Tensor{
			"x":  {Type: tensor.Float, Dims: []int{2, 3}, Data: []float32{1, -2, 3, -4, 5, -6}},
			"x1": {Type: tensor.Float, Dims: []int{4}, Data: []float32{1, 7, 3, 2}},
		})
		require.NoError(t, err)
		require.Equal(t, &tensor.Tensor{Name: "sum", Type: tensor.Float, Data: []float32{-3}}, got["sum"])
		require.Equal(t, &tensor.Tensor{Name: "argmax", Type: tensor.Int64, Data: []int64{1}}, got["argmax"])
		require.Equal(t, []float32{1, 0, 3, 0, 5, 0}, got["relu"].Data)
	})
	t.Run("float16 scalar output", func(t *testing.T) {
		s := testdataSession(t, "scalar_f16_out")
		_, err := s.Run(map[string]*tensor.Tensor{"x": {Type: tensor.Half, Dims: []int{3}, Data: half(1, 2, 3)}})
		require.ErrorContains(t, err, `output "y" is a float16 scalar`)
	})
	t.Run("scalar inputs", func(t *testing.T) {
		s := testdataSession(t, "scalar_in")
		got, err := s.Run(map[string]*tensor.Tensor{
			"a":  {Type: tensor.Float, Dims: []int{}, Data: []float32{10}},
			"b":  {Type: tensor.Float, Dims: []int{3}, Data: []float32{1, 2, 3}},
			"ah": {Type: tensor.Half, Dims: []int{}, Data: half(2)},
			"bh": {Type: tensor.Half, Dims: []int{3}, Data: half(1, 2, 3)},
		})
		require.NoError(t, err)
		require.Equal(t, []float32{11, 12, 13}, got["y"].Data)
		require.Equal(t, half(2, 4, 6), got["yh"].Data)
	})
	t.Run("unknown rank", func(t *testing.T) {
		s := testdataSession(t, "reshape_unknown_rank")
		wantAttempts := []int64{3, 1, 2, 2, 1} // first: both outputs guessed wrong
		for k, shape := range [][]int64{{2, 3}, {2, 3}, {6}, {3, 1, 2}, {3, 1, 2}} {
			before := s.attempts.Load()
			got, err := s.Run(map[string]*tensor.Tensor{
				"x":     {Type: tensor.Float, Dims: []int{6}, Data: []float32{1, 2, 3, 4, 5, 6}},
				"xh":    {Type: tensor.Half, Dims: []int{6}, Data: half(1, 2, 3, 4, 5, 6)},
				"shape": {Type: tensor.Int64, Dims: []int{len(shape)}, Data: shape},
			})
			require.NoError(t, err, "shape %v", shape)
			dims := make([]int, len(shape))
			for i, d := range shape {
				dims[i] = int(d)
			}
			require.Equal(t, dims, got["y"].Dims)
			require.Equal(t, dims, got["yh"].Dims)
			require.Equal(t, half(1, 2, 3, 4, 5, 6), got["yh"].Data)
			require.Equal(t, wantAttempts[k], s.attempts.Load()-before, "attempts for shape %v", shape)
		}
	})
}

func TestConcurrentRuns(t *testing.T) {
	needORT(t)
	s := testdataSession(t, "relu_f16_dyn")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			n := g%3 + 1
			x := make([]float32, 3*n)
			for i := range x {
				x[i] = float32(i*g) - 3
			}
			for range 5 {
				got, err := s.Run(map[string]*tensor.Tensor{"x": {Type: tensor.Half, Dims: []int{n, 3}, Data: half(x...)}})
				if err != nil {
					errs <- err
					return
				}
				for i, v := range got["y"].Float64s() {
					if v != float64(max(x[i], 0)) {
						errs <- fmt.Errorf("goroutine %d: y[%d] = %v", g, i, v)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestElementTypes(t *testing.T) {
	var names []string
	for _, dt := range []tensor.DataType{tensor.Float, tensor.Half, tensor.BF16, tensor.Double, tensor.Int8,
		tensor.UInt8, tensor.Int32, tensor.Int64, tensor.Bool} {
		et, ok := ElementTypeOf(dt)
		require.True(t, ok, dt)
		back, ok := et.DataType()
		require.True(t, ok, et)
		require.Equal(t, dt, back)
		names = append(names, et.String())
	}
	sort.Strings(names)
	require.Equal(t, "bfloat16 bool double float float16 int32 int64 int8 uint8", strings.Join(names, " "))
	_, ok := ElementTypeOf(tensor.FP8)
	require.False(t, ok)
	_, ok = Uint16.DataType()
	require.False(t, ok)
	require.Equal(t, "element type 99", ElementType(99).String())
}
