package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func reportGFLOPS(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// naiveSgemm is the textbook i-p-j triple loop, the baseline the blocked
// kernels are compared against.
func naiveSgemm(m, n, k int, a, b, c []float32) {
	for i := 0; i < m; i++ {
		crow := c[i*n : i*n+n]
		clear(crow)
		for p := 0; p < k; p++ {
			av := a[i*k+p]
			brow := b[p*n : p*n+n]
			for j := range crow {
				crow[j] += av * brow[j]
			}
		}
	}
}

func benchKernels(b *testing.B, f func(b *testing.B)) {
	for _, kr := range kernels {
		b.Run(kr.name, func(b *testing.B) {
			saved := active
			active = kr
			defer func() { active = saved }()
			f(b)
		})
	}
}

func BenchmarkSgemm(b *testing.B) {
	for _, n := range []int{256, 512, 1024} {
		r := rand.New(rand.NewPCG(1, 1))
		a, bb, c := randSlice(r, n*n), randSlice(r, n*n), make([]float32, n*n)
		flops := 2 * float64(n) * float64(n) * float64(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			benchKernels(b, func(b *testing.B) {
				for b.Loop() {
					Sgemm(false, false, n, n, n, 1, a, n, bb, n, 0, c, n)
				}
				reportGFLOPS(b, flops)
			})
			b.Run("naive", func(b *testing.B) {
				if n > 512 && testing.Short() {
					b.Skip("slow")
				}
				for b.Loop() {
					naiveSgemm(n, n, n, a, bb, c)
				}
				reportGFLOPS(b, flops)
			})
		})
	}
}

// BenchmarkSgemmShapes covers shapes from real models: transformer
// projections with packed weights, attention, and a classifier GEMV.
func BenchmarkSgemmShapes(b *testing.B) {
	type shape struct {
		name           string
		m, n, k        int
		transB, packed bool
	}
	for _, s := range []shape{
		{"bert_qkv_128x2304x768_packed", 128, 2304, 768, false, true},
		{"bert_ffn_128x3072x768_packed", 128, 3072, 768, false, true},
		{"attn_128x128x64_tB", 128, 128, 64, true, false},
		{"small_64x64x64", 64, 64, 64, false, false},
		{"gemv_1x1000x2048_tB", 1, 1000, 2048, true, false},
	} {
		r := rand.New(rand.NewPCG(2, 2))
		a, bb, c := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), make([]float32, s.m*s.n)
		ldb := s.n
		if s.transB {
			ldb = s.k
		}
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		b.Run(s.name, func(b *testing.B) {
			var pb *PackedB
			if s.packed {
				pb = PackB(s.transB, s.k, s.n, bb, ldb)
			}
			for b.Loop() {
				if pb != nil {
					SgemmPackedB(false, s.m, s.n, s.k, 1, a, s.k, pb, 0, c, s.n, nil)
				} else {
					Sgemm(false, s.transB, s.m, s.n, s.k, 1, a, s.k, bb, ldb, 0, c, s.n)
				}
			}
			reportGFLOPS(b, flops)
		})
	}
}

func benchConv(b *testing.B, p *ConvParams, transpose bool) {
	r := rand.New(rand.NewPCG(3, 3))
	var g geom
	var err error
	if g, err = p.geometry(transpose); err != nil {
		b.Fatal(err)
	}
	wlen := g.m * g.cg * g.kVol
	if transpose {
		wlen = g.c * g.mg * g.kVol
	}
	x, w, bias := randSlice(r, g.n*g.c*g.inVol), randSlice(r, wlen), randSlice(r, g.m)
	y := make([]float32, g.n*g.m*g.outVol)
	var pl *ConvPlan
	if transpose {
		pl, err = PrepareConvTranspose(p, w)
	} else {
		pl, err = PrepareConv(p, w)
	}
	if err != nil {
		b.Fatal(err)
	}
	macs := float64(g.n) * float64(g.m) * float64(g.outVol) * float64(g.cg) * float64(g.kVol)
	if transpose {
		macs = float64(g.n) * float64(g.c) * float64(g.inVol) * float64(g.mg) * float64(g.kVol)
	}
	for b.Loop() {
		if err := pl.Run(x, bias, y, Activation{Relu: true}); err != nil {
			b.Fatal(err)
		}
	}
	reportGFLOPS(b, 2*macs)
}

func BenchmarkConv(b *testing.B) {
	cases := []struct {
		name      string
		p         ConvParams
		transpose bool
	}{
		{"resnet3x3_64x56x56", ConvParams{N: 1, C: 64, M: 64, InShape: []int{56, 56}, Kernel: []int{3, 3},
			PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}, false},
		{"resnet3x3_256x14x14", ConvParams{N: 1, C: 256, M: 256, InShape: []int{14, 14}, Kernel: []int{3, 3},
			PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}, false},
		{"resnet3x3_512x7x7", ConvParams{N: 1, C: 512, M: 512, InShape: []int{7, 7}, Kernel: []int{3, 3},
			PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}, false},
		{"resnet7x7s2_3x224", ConvParams{N: 1, C: 3, M: 64, InShape: []int{224, 224}, Kernel: []int{7, 7},
			Strides: []int{2, 2}, PadsBegin: []int{3, 3}, PadsEnd: []int{3, 3}}, false},
		{"pointwise1x1_64to256x56x56", ConvParams{N: 1, C: 64, M: 256, InShape: []int{56, 56}, Kernel: []int{1, 1}}, false},
		{"depthwise3x3_144x56x56", ConvParams{N: 1, C: 144, M: 144, Group: 144, InShape: []int{56, 56}, Kernel: []int{3, 3},
			PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}, false},
		{"depthwise3x3s2_96x112x112", ConvParams{N: 1, C: 96, M: 96, Group: 96, InShape: []int{112, 112}, Kernel: []int{3, 3},
			Strides: []int{2, 2}, PadsBegin: []int{0, 0}, PadsEnd: []int{1, 1}}, false},
		{"deconv4x4s2_128to64x32x32", ConvParams{N: 1, C: 128, M: 64, InShape: []int{32, 32}, Kernel: []int{4, 4},
			Strides: []int{2, 2}, PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) { benchConv(b, &tc.p, tc.transpose) })
	}
}
