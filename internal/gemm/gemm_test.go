package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// forEachKernel runs f once per micro-kernel this machine supports (the
// assembly ones and the pure-Go fallback), each as the active kernel.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	for _, kr := range kernels {
		t.Run(kr.name, func(t *testing.T) {
			saved := active
			active = kr
			defer func() { active = saved }()
			f(t)
		})
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
	return s
}

// refGemm is C = alpha*op(A)*op(B) + beta*C then the epilogue, in float64;
// it also returns a per-element magnitude bound for the rounding error.
func refGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, opt *Options) (want, mag []float64) {
	want = make([]float64, m*n)
	mag = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				sa += math.Abs(float64(av) * float64(bv))
			}
			v := float64(alpha) * s
			bound := math.Abs(float64(alpha)) * sa
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
				bound += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			v, bound = refEpilogue(v, bound, i, j, opt)
			want[i*n+j] = v
			mag[i*n+j] = bound
		}
	}
	return want, mag
}

func refEpilogue(v, bound float64, i, j int, opt *Options) (float64, float64) {
	if opt == nil {
		return v, bound
	}
	if opt.BiasRow != nil {
		v += float64(opt.BiasRow[i])
		bound += math.Abs(float64(opt.BiasRow[i]))
	}
	if opt.BiasCol != nil {
		v += float64(opt.BiasCol[j])
		bound += math.Abs(float64(opt.BiasCol[j]))
	}
	if opt.Relu {
		v = math.Max(v, 0)
	}
	if opt.Clip {
		v = math.Min(math.Max(v, float64(opt.ClipMin)), float64(opt.ClipMax))
	}
	return v, bound
}

// checkClose compares got (m x n at stride ldc) to want with a tolerance
// that grows with the depth k of the sums.
func checkClose(t *testing.T, name string, m, n, k int, got []float32, ldc int, want, mag []float64) {
	t.Helper()
	tol := float64(k+8) * 2.5e-7
	bad := 0
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			g, w := float64(got[i*ldc+j]), want[i*n+j]
			if math.Abs(g-w) > tol*mag[i*n+j]+1e-6 || math.IsNaN(g) {
				if bad < 5 {
					t.Errorf("%s: C[%d][%d] = %v, want %v (mag %v)", name, i, j, g, w, mag[i*n+j])
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d of %d elements wrong", name, bad, m*n)
	}
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	padA, padB     int // extra leading-dimension slack
	padC           int
	opt            *Options
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,m=%d,n=%d,k=%d,alpha=%g,beta=%g,pad=%d/%d/%d,opt=%v",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC, tc.opt != nil)
}

// operands builds A, B and C with their leading dimensions.
func (tc gemmCase) operands(r *rand.Rand) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = ac, ar
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = bc, br
	}
	lda, ldb, ldc = max(ac, 1)+tc.padA, max(bc, 1)+tc.padB, max(tc.n, 1)+tc.padC
	a = randSlice(r, max(ar*lda, 1))
	b = randSlice(r, max(br*ldb, 1))
	c = randSlice(r, max(tc.m*ldc, 1))
	return
}

func runGemmCase(t *testing.T, r *rand.Rand, tc gemmCase) {
	t.Helper()
	a, lda, b, ldb, c, ldc := tc.operands(r)
	want, mag := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc, tc.opt)
	orig := append([]float32(nil), c...)
	SgemmEx(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc, tc.opt)
	checkClose(t, tc.String(), tc.m, tc.n, tc.k, c, ldc, want, mag)
	// Padding columns of C must be untouched.
	for i := 0; i < tc.m; i++ {
		for j := tc.n; j < ldc && i*ldc+j < len(c); j++ {
			require.Equal(t, orig[i*ldc+j], c[i*ldc+j], "%v: padding C[%d][%d] changed", tc, i, j)
		}
	}
}

func TestSgemmTable(t *testing.T) {
	sizes := []int{1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 32, 33, 64, 97, 127, 200, 257}
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, m := range []int{1, 2, 5, 6, 7, 12, 13, 31, 64, 97} {
			for _, n := range sizes {
				k := sizes[(m*7+n)%len(sizes)]
				for _, ta := range []bool{false, true} {
					for _, tb := range []bool{false, true} {
						runGemmCase(t, r, gemmCase{transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, beta: 0})
					}
				}
			}
		}
	})
}

func TestSgemmAlphaBetaPadding(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, ab := range [][2]float32{{1, 0}, {-0.5, 0}, {1, 1}, {2, 0.7}, {0, 0.5}, {0, 0}, {1.5, -1}} {
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, sz := range [][3]int{{7, 9, 11}, {29, 53, 300}, {61, 37, 1}, {100, 100, 0}, {47, 131, 200}} {
						runGemmCase(t, r, gemmCase{transA: ta, transB: tb, m: sz[0], n: sz[1], k: sz[2],
							alpha: ab[0], beta: ab[1], padA: 3, padB: 5, padC: 2})
					}
				}
			}
		}
	})
}

func TestSgemmRandom(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		n := 60
		if testing.Short() {
			n = 15
		}
		for i := 0; i < n; i++ {
			tc := gemmCase{
				transA: r.IntN(2) == 0, transB: r.IntN(2) == 0,
				m: 1 + r.IntN(300), n: 1 + r.IntN(300), k: 1 + r.IntN(300),
				alpha: float32(r.IntN(5)-2) / 2, beta: float32(r.IntN(3)) / 2,
				padA: r.IntN(3), padB: r.IntN(3), padC: r.IntN(3),
			}
			if tc.alpha == 0 && i%2 == 0 {
				tc.alpha = 1
			}
			runGemmCase(t, r, tc)
		}
	})
}

func TestSgemmLarge(t *testing.T) {
	// Exercise several NC / MC / KC blocks and the threaded split both ways.
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, sz := range [][3]int{{20, 2300, 33}, {700, 40, 70}, {301, 299, 530}, {3, 5000, 9}} {
			runGemmCase(t, r, gemmCase{m: sz[0], n: sz[1], k: sz[2], alpha: 1, beta: 0.5})
			runGemmCase(t, r, gemmCase{transA: true, transB: true, m: sz[0], n: sz[1], k: sz[2], alpha: 1, beta: 0})
		}
	})
}

func TestSgemmEpilogue(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, sz := range [][3]int{{1, 1, 1}, {1, 70, 40}, {70, 1, 40}, {13, 37, 5}, {64, 64, 64}, {131, 257, 300}, {5, 9, 0}} {
			m, n := sz[0], sz[1]
			opts := []*Options{
				{BiasRow: randSlice(r, m)},
				{BiasCol: randSlice(r, n)},
				{Relu: true},
				{BiasRow: randSlice(r, m), BiasCol: randSlice(r, n), Relu: true},
				{BiasRow: randSlice(r, m), Clip: true, ClipMin: -0.25, ClipMax: 0.5},
				{BiasCol: randSlice(r, n), Relu: true, Clip: true, ClipMin: -1, ClipMax: 0.3},
			}
			for _, o := range opts {
				for _, beta := range []float32{0, 1} {
					runGemmCase(t, r, gemmCase{transB: beta == 1, m: m, n: n, k: sz[2], alpha: 1, beta: beta, padC: 1, opt: o})
				}
			}
		}
	})
}

func TestSgemmBetaZeroIgnoresNaN(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		for _, sz := range [][3]int{{1, 9, 4}, {9, 1, 4}, {17, 19, 23}} {
			m, n, k := sz[0], sz[1], sz[2]
			a := make([]float32, m*k)
			b := make([]float32, k*n)
			for i := range a {
				a[i] = 1
			}
			for i := range b {
				b[i] = 1
			}
			c := make([]float32, m*n)
			for i := range c {
				c[i] = float32(math.NaN())
			}
			Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			for i, v := range c {
				require.Equal(t, float32(k), v, "c[%d]", i)
			}
		}
	})
}

func TestSgemmReluPropagatesNaN(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		m, n, k := 7, 40, 3
		a := make([]float32, m*k)
		b := make([]float32, k*n)
		a[0] = float32(math.NaN())
		for i := 1; i < len(a); i++ {
			a[i] = -1
		}
		for i := range b {
			b[i] = 1
		}
		c := make([]float32, m*n)
		SgemmEx(false, false, m, n, k, 1, a, k, b, n, 0, c, n, &Options{Relu: true})
		for j := 0; j < n; j++ {
			require.True(t, math.IsNaN(float64(c[j])), "row 0 col %d = %v", j, c[j])
		}
		for i := n; i < m*n; i++ {
			require.Equal(t, float32(0), c[i])
		}
	})
}

func TestSgemmBatched(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		type bc struct {
			tA, tB                     bool
			m, n, k, batch             int
			bcastA, bcastB, padStrides bool
			opt                        bool
		}
		cases := []bc{
			{m: 5, n: 7, k: 9, batch: 3},
			{m: 64, n: 64, k: 64, batch: 4, padStrides: true},
			{tA: true, m: 33, n: 17, k: 70, batch: 5, bcastB: true},
			{m: 33, n: 17, k: 70, batch: 5, bcastB: true},               // merged into one tall GEMM
			{m: 33, n: 17, k: 70, batch: 5, bcastB: true, opt: true},    // not merged (row bias)
			{tB: true, m: 12, n: 100, k: 20, batch: 6, bcastA: true},    // shared A
			{m: 128, n: 196, k: 64, batch: 12, tB: true},                // attention-like
			{m: 1, n: 50, k: 30, batch: 3},                              // gemv items
			{m: 200, n: 200, k: 200, batch: 2, bcastA: true, opt: true}, // big items
		}
		for _, tc := range cases {
			ar, ac := tc.m, tc.k
			if tc.tA {
				ar, ac = ac, ar
			}
			br, bcn := tc.k, tc.n
			if tc.tB {
				br, bcn = bcn, br
			}
			pad := 0
			if tc.padStrides {
				pad = 11
			}
			sa, sb, sc := ar*ac+pad, br*bcn+pad, tc.m*tc.n+pad
			if tc.bcastA {
				sa = 0
			}
			if tc.bcastB {
				sb = 0
			}
			a := randSlice(r, (tc.batch-1)*sa+ar*ac)
			b := randSlice(r, (tc.batch-1)*sb+br*bcn)
			c := randSlice(r, (tc.batch-1)*sc+tc.m*tc.n)
			var opt *Options
			if tc.opt {
				opt = &Options{BiasRow: randSlice(r, tc.m), BiasCol: randSlice(r, tc.n), Relu: true}
			}
			var wants, mags [][]float64
			for i := 0; i < tc.batch; i++ {
				w, mg := refGemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.5, a[i*sa:], ac, b[i*sb:], bcn, 2, c[i*sc:], tc.n, opt)
				wants, mags = append(wants, w), append(mags, mg)
			}
			SgemmBatchedEx(tc.tA, tc.tB, tc.m, tc.n, tc.k, 0.5, a, ac, b, bcn, 2, c, tc.n, tc.batch, sa, sb, sc, opt)
			for i := 0; i < tc.batch; i++ {
				checkClose(t, fmt.Sprintf("%+v item %d", tc, i), tc.m, tc.n, tc.k, c[i*sc:], tc.n, wants[i], mags[i])
			}
		}
	})
}

func TestSgemmPacked(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, sz := range [][3]int{{1, 1, 1}, {7, 13, 5}, {64, 100, 300}, {300, 17, 257}, {1, 1000, 600}, {130, 70, 1}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, trans := range []bool{false, true} {
				tc := gemmCase{transA: trans, transB: !trans, m: m, n: n, k: k, alpha: 0.75, beta: 0.5, padA: 2, padB: 1, padC: 3}
				a, lda, b, ldb, c, ldc := tc.operands(r)
				opt := &Options{BiasRow: randSlice(r, m), BiasCol: randSlice(r, n), Relu: true}
				want, mag := refGemm(tc.transA, tc.transB, m, n, k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc, opt)

				pb := PackB(tc.transB, k, n, b, ldb)
				require.Equal(t, k, pb.K())
				require.Equal(t, n, pb.N())
				c1 := append([]float32(nil), c...)
				SgemmPackedB(tc.transA, m, n, k, tc.alpha, a, lda, pb, tc.beta, c1, ldc, opt)
				checkClose(t, "packedB "+tc.String(), m, n, k, c1, ldc, want, mag)

				pa := PackA(tc.transA, m, k, a, lda)
				require.Equal(t, m, pa.M())
				require.Equal(t, k, pa.K())
				c2 := append([]float32(nil), c...)
				SgemmPackedA(tc.transB, m, n, k, tc.alpha, pa, b, ldb, tc.beta, c2, ldc, opt)
				checkClose(t, "packedA "+tc.String(), m, n, k, c2, ldc, want, mag)

				// Reuse: a second product with the same packed operands.
				c3 := make([]float32, len(c))
				SgemmPackedB(tc.transA, m, n, k, tc.alpha, a, lda, pb, 0, c3, ldc, nil)
				want3, mag3 := refGemm(tc.transA, tc.transB, m, n, k, tc.alpha, a, lda, b, ldb, 0, c, ldc, nil)
				checkClose(t, "packedB reuse "+tc.String(), m, n, k, c3, ldc, want3, mag3)
			}
		}
	})
}

func TestSgemmThreadCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	defer SetMaxThreads(0)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, th := range []int{1, 2, 3, 7} {
		runtime.GOMAXPROCS(th)
		SetMaxThreads(th)
		for _, sz := range [][3]int{{250, 260, 270}, {13, 900, 300}, {900, 13, 300}, {64, 49, 600}, {7, 7, 7}} {
			runGemmCase(t, r, gemmCase{m: sz[0], n: sz[1], k: sz[2], alpha: 1, beta: 0})
			tc := gemmCase{m: sz[0], n: sz[1], k: sz[2], alpha: 1, beta: 1, transA: true}
			a, lda, b, ldb, c, ldc := tc.operands(r)
			want, mag := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, 1, a, lda, b, ldb, 1, c, ldc, nil)
			SgemmPackedA(false, tc.m, tc.n, tc.k, 1, PackA(true, tc.m, tc.k, a, lda), b, ldb, 1, c, ldc, nil)
			checkClose(t, fmt.Sprintf("packedA threads=%d %v", th, tc), tc.m, tc.n, tc.k, c, ldc, want, mag)
		}
		// Convolutions split over items or inside the GEMM.
		for _, tc := range convCases()[:10] {
			p := tc.p
			g, err := p.geometry(false)
			require.NoError(t, err)
			x := randSlice(r, g.n*g.c*g.inVol)
			w := randSlice(r, g.m*g.cg*g.kVol)
			want, mag, _ := refConv(&p, x, w, nil, tc.act)
			y := make([]float32, len(want))
			require.NoError(t, Conv(&p, x, w, nil, y, tc.act))
			checkConv(t, fmt.Sprintf("threads=%d %s", th, tc.name), g.cg*g.kVol, y, want, mag)
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	a := make([]float32, 12)
	require.Panics(t, func() { Sgemm(false, false, -1, 2, 2, 1, a, 2, a, 2, 0, a, 2) })
	require.Panics(t, func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }) // lda < k
	require.Panics(t, func() { Sgemm(false, false, 4, 4, 4, 1, a, 4, a, 4, 0, a, 4) }) // short slices
	require.Panics(t, func() { Sgemm(false, false, 2, 3, 2, 1, a, 2, a, 3, 0, a, 2) }) // ldc < n
	require.NotPanics(t, func() { Sgemm(false, false, 0, 0, 0, 1, nil, 1, nil, 1, 0, nil, 1) })
	require.Panics(t, func() {
		SgemmBatched(false, false, 2, 2, 2, 1, a, 2, a, 2, 0, a, 2, 2, 4, 4, 0)
	})
	pb := PackB(false, 2, 3, a, 3)
	require.Panics(t, func() { SgemmPackedB(false, 2, 2, 2, 1, a, 2, pb, 0, a, 2, nil) })
	require.Panics(t, func() { SgemmEx(false, false, 2, 2, 2, 1, a, 2, a, 2, 0, a, 2, &Options{BiasRow: a[:1]}) })
}

func TestSgemmNoSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	SetMaxThreads(1)
	defer SetMaxThreads(0)
	m, n, k := 96, 200, 300
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	pb := PackB(false, k, n, b, n)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	allocs := testing.AllocsPerRun(10, func() {
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		SgemmPackedB(false, m, n, k, 1, a, k, pb, 0, c, n, nil)
	})
	// A few small headers (the job, closures) are fine; packing buffers are not.
	require.LessOrEqual(t, allocs, 8.0)
}
