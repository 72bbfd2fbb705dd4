//go:build ortbench

// Side-by-side timing against ONNX Runtime (MLAS) on the same machine, in the
// same process, with the same thread count. Needs cgo and an ONNX Runtime
// shared library (GOTRT_ORT_LIB, or gotrt's cache):
//
//	go test -tags ortbench -run TestCompareORT -v ./internal/gemm/
package gemm

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	onnx "github.com/yalue/onnxruntime_go"
	"google.golang.org/protobuf/encoding/protowire"
)

// Minimal ONNX protobuf writer: just the fields these one-node models use.
func pbBytes(b []byte, field protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func pbVarint(b []byte, field protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func onnxTensor(name string, dims []int, data []float32) []byte {
	var b []byte
	for _, d := range dims {
		b = pbVarint(b, 1, uint64(d))
	}
	b = pbVarint(b, 2, 1) // FLOAT
	b = pbBytes(b, 8, []byte(name))
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return pbBytes(b, 9, raw)
}

func onnxValueInfo(name string, dims []int) []byte {
	var shape []byte
	for _, d := range dims {
		shape = pbBytes(shape, 1, pbVarint(nil, 1, uint64(d)))
	}
	tt := pbVarint(nil, 1, 1)
	tt = pbBytes(tt, 2, shape)
	b := pbBytes(nil, 1, []byte(name))
	return pbBytes(b, 2, pbBytes(nil, 1, tt))
}

func onnxAttrInts(name string, v []int) []byte {
	b := pbBytes(nil, 1, []byte(name))
	for _, x := range v {
		b = pbVarint(b, 8, uint64(x))
	}
	return pbVarint(b, 20, 7) // INTS
}

func onnxAttrInt(name string, v int) []byte {
	b := pbBytes(nil, 1, []byte(name))
	b = pbVarint(b, 3, uint64(v))
	return pbVarint(b, 20, 2) // INT
}

type onnxNode struct {
	op      string
	in, out []string
	attrs   [][]byte
}

func onnxModel(nodes []onnxNode, inits [][]byte, in, out [][]byte) []byte {
	var g []byte
	for _, n := range nodes {
		var nb []byte
		for _, s := range n.in {
			nb = pbBytes(nb, 1, []byte(s))
		}
		for _, s := range n.out {
			nb = pbBytes(nb, 2, []byte(s))
		}
		nb = pbBytes(nb, 4, []byte(n.op))
		for _, a := range n.attrs {
			nb = pbBytes(nb, 5, a)
		}
		g = pbBytes(g, 1, nb)
	}
	g = pbBytes(g, 2, []byte("g"))
	for _, t := range inits {
		g = pbBytes(g, 5, t)
	}
	for _, v := range in {
		g = pbBytes(g, 11, v)
	}
	for _, v := range out {
		g = pbBytes(g, 12, v)
	}
	m := pbVarint(nil, 1, 8)
	m = pbBytes(m, 8, pbVarint(pbBytes(nil, 1, nil), 2, 17))
	return pbBytes(m, 7, g)
}

type ortCase struct {
	name  string
	model []byte
	x     []float32
	xDims []int
	yDims []int
	flops float64
	ours  func()
}

func TestCompareORT(t *testing.T) {
	lib := os.Getenv("GOTRT_ORT_LIB")
	if lib == "" {
		home, _ := os.UserHomeDir()
		lib = filepath.Join(home, ".cache", "gotrt", "onnxruntime-node-1.30.0", "libonnxruntime.so.1")
	}
	if _, err := os.Stat(lib); err != nil {
		t.Skip("no ONNX Runtime library:", err)
	}
	onnx.SetSharedLibraryPath(lib)
	if err := onnx.InitializeEnvironment(); err != nil {
		t.Fatal(err)
	}
	defer onnx.DestroyEnvironment()
	threads := runtime.GOMAXPROCS(0)
	r := rand.New(rand.NewPCG(1, 2))
	var cases []ortCase

	matmul := func(name string, m, n, k int, packed bool) {
		w := randSlice(r, k*n)
		x := randSlice(r, m*k)
		y := make([]float32, m*n)
		pb := PackB(false, k, n, w, n)
		ours := func() { SgemmPackedB(false, m, n, k, 1, x, k, pb, 0, y, n, nil) }
		if !packed {
			ours = func() { Sgemm(false, false, m, n, k, 1, x, k, w, n, 0, y, n) }
		}
		cases = append(cases, ortCase{
			name: name, x: x, xDims: []int{m, k}, yDims: []int{m, n}, flops: 2 * float64(m*n*k),
			model: onnxModel([]onnxNode{{op: "MatMul", in: []string{"x", "w"}, out: []string{"y"}}},
				[][]byte{onnxTensor("w", []int{k, n}, w)},
				[][]byte{onnxValueInfo("x", []int{m, k})}, [][]byte{onnxValueInfo("y", []int{m, n})}),
			ours: ours,
		})
	}
	for _, n := range []int{256, 512, 1024} {
		matmul("MatMul "+itoa(n)+" (Sgemm)", n, n, n, false)
		matmul("MatMul "+itoa(n)+" (packed B)", n, n, n, true)
	}
	matmul("MatMul 128x768x3072 (packed B)", 128, 3072, 768, true)
	matmul("MatMul 128x3072x768 (packed B)", 128, 768, 3072, true)
	conv := func(name string, p ConvParams) {
		g, err := p.geometry(false)
		if err != nil {
			t.Fatal(err)
		}
		w := randSlice(r, g.m*g.cg*g.kVol)
		bias := randSlice(r, g.m)
		x := randSlice(r, g.n*g.c*g.inVol)
		xDims := append([]int{g.n, g.c}, p.InShape...)
		yDims := append([]int{g.n, g.m}, g.outShape(len(p.InShape))...)
		y := make([]float32, g.n*g.m*g.outVol)
		wDims := append([]int{g.m, g.cg}, p.Kernel...)
		pads := append(append([]int{}, p.PadsBegin...), p.PadsEnd...)
		attrs := [][]byte{onnxAttrInts("kernel_shape", p.Kernel), onnxAttrInts("pads", pads), onnxAttrInt("group", max(p.Group, 1))}
		if p.Strides != nil {
			attrs = append(attrs, onnxAttrInts("strides", p.Strides))
		}
		pl, err := PrepareConv(&p, w)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, ortCase{
			name: name, x: x, xDims: xDims, yDims: yDims,
			flops: 2 * float64(g.n*g.m*g.outVol*g.cg*g.kVol),
			model: onnxModel([]onnxNode{
				{op: "Conv", in: []string{"x", "w", "b"}, out: []string{"c"}, attrs: attrs},
				{op: "Relu", in: []string{"c"}, out: []string{"y"}},
			}, [][]byte{onnxTensor("w", wDims, w), onnxTensor("b", []int{g.m}, bias)},
				[][]byte{onnxValueInfo("x", xDims)}, [][]byte{onnxValueInfo("y", yDims)}),
			ours: func() { pl.Run(x, bias, y, Activation{Relu: true}) },
		})
	}
	pad1 := func(p ConvParams) ConvParams {
		p.PadsBegin, p.PadsEnd = []int{1, 1}, []int{1, 1}
		return p
	}
	conv("Conv3x3 64->64 56x56 +bias+relu", pad1(ConvParams{N: 1, C: 64, M: 64, InShape: []int{56, 56}, Kernel: []int{3, 3}}))
	conv("Conv3x3 256->256 14x14", pad1(ConvParams{N: 1, C: 256, M: 256, InShape: []int{14, 14}, Kernel: []int{3, 3}}))
	conv("Conv3x3 512->512 7x7", pad1(ConvParams{N: 1, C: 512, M: 512, InShape: []int{7, 7}, Kernel: []int{3, 3}}))
	conv("Conv7x7/2 3->64 224x224", ConvParams{N: 1, C: 3, M: 64, InShape: []int{224, 224}, Kernel: []int{7, 7},
		Strides: []int{2, 2}, PadsBegin: []int{3, 3}, PadsEnd: []int{3, 3}})
	conv("Conv1x1 64->256 56x56", ConvParams{N: 1, C: 64, M: 256, InShape: []int{56, 56}, Kernel: []int{1, 1},
		PadsBegin: []int{0, 0}, PadsEnd: []int{0, 0}})
	deconvP := ConvParams{N: 1, C: 128, M: 64, InShape: []int{32, 32}, Kernel: []int{4, 4},
		Strides: []int{2, 2}, PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}
	{
		g, err := deconvP.geometry(true)
		if err != nil {
			t.Fatal(err)
		}
		w := randSlice(r, g.c*g.mg*g.kVol)
		bias := randSlice(r, g.m)
		x := randSlice(r, g.n*g.c*g.inVol)
		xDims := []int{1, 128, 32, 32}
		yDims := []int{1, 64, g.out[1], g.out[2]}
		y := make([]float32, g.n*g.m*g.outVol)
		pl, err := PrepareConvTranspose(&deconvP, w)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, ortCase{
			name: "ConvTranspose4x4/2 128->64 32x32", x: x, xDims: xDims, yDims: yDims,
			flops: 2 * float64(g.c*g.inVol*g.mg*g.kVol),
			model: onnxModel([]onnxNode{{op: "ConvTranspose", in: []string{"x", "w", "b"}, out: []string{"y"},
				attrs: [][]byte{onnxAttrInts("kernel_shape", []int{4, 4}), onnxAttrInts("strides", []int{2, 2}),
					onnxAttrInts("pads", []int{1, 1, 1, 1})}}},
				[][]byte{onnxTensor("w", []int{128, 64, 4, 4}, w), onnxTensor("b", []int{64}, bias)},
				[][]byte{onnxValueInfo("x", xDims)}, [][]byte{onnxValueInfo("y", yDims)}),
			ours: func() { pl.Run(x, bias, y, Activation{}) },
		})
	}
	conv("DWConv3x3 144 56x56", pad1(ConvParams{N: 1, C: 144, M: 144, Group: 144, InShape: []int{56, 56}, Kernel: []int{3, 3}}))
	conv("DWConv3x3/2 96 112x112", ConvParams{N: 1, C: 96, M: 96, Group: 96, InShape: []int{112, 112}, Kernel: []int{3, 3},
		Strides: []int{2, 2}, PadsBegin: []int{0, 0}, PadsEnd: []int{1, 1}})

	opts, err := onnx.NewSessionOptions()
	if err != nil {
		t.Fatal(err)
	}
	defer opts.Destroy()
	opts.SetIntraOpNumThreads(threads)
	opts.SetInterOpNumThreads(1)
	// ORT's pool spins after each run, stealing the cores from the Go side
	// of an interleaved measurement; turn it off unless asked.
	if os.Getenv("ORT_SPIN") == "" {
		if err := opts.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cases {
		xt, err := onnx.NewTensor(onnx.NewShape(i64s(c.xDims)...), c.x)
		if err != nil {
			t.Fatal(err)
		}
		yt, err := onnx.NewEmptyTensor[float32](onnx.NewShape(i64s(c.yDims)...))
		if err != nil {
			t.Fatal(err)
		}
		s, err := onnx.NewAdvancedSessionWithONNXData(c.model, []string{"x"}, []string{"y"},
			[]onnx.Value{xt}, []onnx.Value{yt}, opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		best := interleaved(30, []func(){func() { s.Run() }, c.ours})
		t.Logf("%-36s ORT %8.1f us %6.1f GFLOP/s | gemm %8.1f us %6.1f GFLOP/s | ratio %.2fx",
			c.name, us(best[0]), c.flops/best[0].Seconds()/1e9, us(best[1]), c.flops/best[1].Seconds()/1e9,
			best[1].Seconds()/best[0].Seconds())
		s.Destroy()
		xt.Destroy()
		yt.Destroy()
	}
}

// interleaved measures each f round-robin and keeps the minimum, so that
// background load hits all variants alike.
func interleaved(rounds int, fs []func()) []time.Duration {
	best := make([]time.Duration, len(fs))
	for i := range best {
		best[i] = time.Hour
		fs[i]()
	}
	for r := 0; r < rounds; r++ {
		for i, f := range fs {
			t0 := time.Now()
			f()
			if d := time.Since(t0); d < best[i] {
				best[i] = d
			}
		}
	}
	return best
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func i64s(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
