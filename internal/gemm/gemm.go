// Package gemm is gotrt's single-precision matrix multiply and convolution
// library for the CPU backend: a BLIS-style blocked SGEMM (packed A and B
// panels sized for L1/L2, a register-blocked assembly micro-kernel for
// AVX2+FMA or AVX-512F chosen at run time, a pure-Go kernel elsewhere),
// pre-packed constant operands, a fused bias/ReLU/clip epilogue, and
// convolution / transposed convolution built on them.
//
// All matrices are row-major float32 slices with explicit leading
// dimensions, as in CBLAS with CblasRowMajor. Functions panic on invalid
// arguments (negative sizes, leading dimensions too small, slices too short),
// like gonum's BLAS; the convolution entry points return errors instead,
// since their shapes come from models.
package gemm

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Options selects a fused epilogue, applied to each element of C after
// C = alpha*op(A)*op(B) + beta*C, in this order: + BiasRow[i], + BiasCol[j],
// ReLU, clip. The whole epilogue costs no extra pass over C.
type Options struct {
	BiasRow []float32 // per-row bias (len >= m), e.g. conv output channels
	BiasCol []float32 // per-column bias (len >= n), e.g. MatMul+Add
	Relu    bool      // C = max(C, 0)
	// Clip clamps C to [ClipMin, ClipMax] (after ReLU when both are set),
	// e.g. ReLU6 is Clip with 0, 6.
	Clip             bool
	ClipMin, ClipMax float32
}

// epilogue is Options resolved for the micro-kernels.
type epilogue struct {
	flags            int // flagRowBias | flagColBias | flagClamp
	rowBias, colBias []float32
	lo, hi           float32
}

func (o *Options) resolve(m, n int) epilogue {
	var e epilogue
	if o == nil {
		return e
	}
	if o.BiasRow != nil {
		if len(o.BiasRow) < m {
			panic(fmt.Sprintf("gemm: len(BiasRow)=%d < m=%d", len(o.BiasRow), m))
		}
		e.flags |= flagRowBias
		e.rowBias = o.BiasRow
	}
	if o.BiasCol != nil {
		if len(o.BiasCol) < n {
			panic(fmt.Sprintf("gemm: len(BiasCol)=%d < n=%d", len(o.BiasCol), n))
		}
		e.flags |= flagColBias
		e.colBias = o.BiasCol
	}
	if o.Relu || o.Clip {
		e.flags |= flagClamp
		e.lo, e.hi = float32(math.Inf(-1)), float32(math.Inf(1))
		if o.Relu {
			e.lo = 0
		}
		if o.Clip {
			e.lo = max(e.lo, o.ClipMin)
			e.hi = o.ClipMax
		}
	}
	return e
}

// apply runs the epilogue on one element of C at (i, j).
func (e *epilogue) apply(v float32, i, j int) float32 {
	if e.flags&flagRowBias != 0 {
		v += e.rowBias[i]
	}
	if e.flags&flagColBias != 0 {
		v += e.colBias[j]
	}
	if e.flags&flagClamp != 0 {
		v = clamp(v, e.lo, e.hi)
	}
	return v
}

// maxThreads caps the goroutines one call uses; 0 means GOMAXPROCS.
var maxThreads atomic.Int32

// SetMaxThreads caps the number of goroutines a single GEMM or convolution
// call runs on; n <= 0 restores the default, runtime.GOMAXPROCS(0).
func SetMaxThreads(n int) { maxThreads.Store(int32(max(n, 0))) }

func numThreads() int {
	t := runtime.GOMAXPROCS(0)
	if m := int(maxThreads.Load()); m > 0 && m < t {
		t = m
	}
	return t
}

// usePool selects the persistent worker pool (pool.go) over a goroutine per
// worker and region.
var usePool = true

// minFlopsPerThread is the work below which another goroutine costs more in
// wake-up and synchronisation than it saves.
const minFlopsPerThread = 1 << 20

func threadsFor(flops float64, limit int) int {
	t := int(flops / minFlopsPerThread)
	return max(1, min(t, limit))
}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where
// op(X) is X or its transpose, op(A) is m x k, op(B) is k x n and C is m x n.
// When beta is 0, C is not read (it may hold NaNs).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	SgemmEx(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
}

// SgemmEx is Sgemm followed by the fused epilogue opt (nil for none).
func SgemmEx(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, opt *Options) {
	checkDims(m, n, k)
	checkMatrix("a", transA, m, k, a, lda)
	checkMatrix("b", transB, k, n, b, ldb)
	checkC(m, n, c, ldc)
	j := job{
		kern: active, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, transA: transA,
		b: b, ldb: ldb, transB: transB,
		c: c, ldc: ldc, ep: opt.resolve(m, n),
	}
	j.run(numThreads())
}

// SgemmBatched runs batch independent GEMMs; item i uses a[i*strideA:],
// b[i*strideB:] and c[i*strideC:]. A stride of 0 for a or b broadcasts one
// matrix to every item; strideC must be nonzero when batch > 1.
func SgemmBatched(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, batch, strideA, strideB, strideC int) {
	SgemmBatchedEx(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, batch, strideA, strideB, strideC, nil)
}

// SgemmBatchedEx is SgemmBatched with the epilogue opt applied to every item.
func SgemmBatchedEx(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, batch, strideA, strideB, strideC int, opt *Options) {
	checkDims(m, n, k)
	if batch < 0 || strideA < 0 || strideB < 0 || strideC < 0 {
		panic("gemm: negative batch or stride")
	}
	if batch == 0 {
		return
	}
	if batch > 1 && strideC == 0 && m > 0 && n > 0 {
		panic("gemm: strideC must be nonzero when batch > 1")
	}
	checkMatrixBatch("a", transA, m, k, a, lda, batch, strideA)
	checkMatrixBatch("b", transB, k, n, b, ldb, batch, strideB)
	if m > 0 && n > 0 {
		need := (batch-1)*strideC + (m-1)*ldc + n
		if ldc < max(1, n) {
			panic(fmt.Sprintf("gemm: ldc=%d < n=%d", ldc, n))
		}
		if len(c) < need {
			panic(fmt.Sprintf("gemm: len(c)=%d < %d", len(c), need))
		}
	}
	ep := opt.resolve(m, n)
	base := job{
		kern: active, m: m, n: n, k: k, alpha: alpha, beta: beta,
		lda: lda, transA: transA, ldb: ldb, transB: transB, ldc: ldc, ep: ep,
	}
	// One tall GEMM when B is shared and the A and C items are stacked rows.
	if strideB == 0 && !transA && strideA == m*lda && strideC == m*ldc && ep.flags&flagRowBias == 0 {
		j := base
		j.m = batch * m
		j.a, j.b, j.c = a, b, c
		j.run(numThreads())
		return
	}
	item := func(i, threads int) {
		j := base
		j.a = a[i*strideA:]
		j.b = b[i*strideB:]
		j.c = c[i*strideC:]
		j.run(threads)
	}
	runItems(batch, 2*float64(m)*float64(n)*float64(k), item)
}

// runItems runs n independent items of the given flop count each: one after
// another with all threads inside each when the items are big, else spread
// over the threads with one thread per item.
func runItems(n int, flops float64, item func(i, threads int)) {
	t := numThreads()
	if t == 1 || n == 1 || flops >= float64(t)*8*minFlopsPerThread {
		for i := 0; i < n; i++ {
			item(i, t)
		}
		return
	}
	t = min(t, n, threadsFor(flops*float64(n), t))
	parallelFor(t, func(w int) {
		for i := w * n / t; i < (w+1)*n/t; i++ {
			item(i, 1)
		}
	})
}

// parallelFor runs f(0..t-1) concurrently, f(0) on the calling goroutine.
func parallelFor(t int, f func(w int)) {
	if t <= 1 {
		f(0)
		return
	}
	if usePool && pool.run(t, f) {
		return
	}
	var wg sync.WaitGroup
	wg.Add(t - 1)
	for w := 1; w < t; w++ {
		go func() {
			defer wg.Done()
			f(w)
		}()
	}
	f(0)
	wg.Wait()
}

func checkDims(m, n, k int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
}

// checkMatrix checks a stored operand whose op() is rows x cols.
func checkMatrix(name string, trans bool, rows, cols int, x []float32, ld int) {
	checkMatrixBatch(name, trans, rows, cols, x, ld, 1, 0)
}

func checkMatrixBatch(name string, trans bool, rows, cols int, x []float32, ld, batch, stride int) {
	if trans {
		rows, cols = cols, rows
	}
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: ld%s=%d < %d", name, ld, max(1, cols)))
	}
	if rows == 0 || cols == 0 {
		return
	}
	need := (batch-1)*stride + (rows-1)*ld + cols
	if len(x) < need {
		panic(fmt.Sprintf("gemm: len(%s)=%d < %d", name, len(x), need))
	}
}

func checkC(m, n int, c []float32, ldc int) {
	if ldc < max(1, n) {
		panic(fmt.Sprintf("gemm: ldc=%d < n=%d", ldc, n))
	}
	if m > 0 && n > 0 && len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("gemm: len(c)=%d < %d", len(c), (m-1)*ldc+n))
	}
}

// job is one GEMM: C = alpha*op(A)*op(B) + beta*C, then the epilogue.
type job struct {
	kern        *kernel
	m, n, k     int
	alpha, beta float32

	// A: either pre-packed or a row-major matrix.
	pa     *PackedA
	a      []float32
	lda    int
	transA bool

	// B: pre-packed, implicit im2col of a convolution input, or a matrix.
	pb     *PackedB
	conv   *convB
	b      []float32
	ldb    int
	transB bool

	c   []float32
	ldc int
	ep  epilogue
}

// workspace holds one goroutine's packing buffers; pooled so that steady
// state calls allocate nothing.
type workspace struct {
	a, b, tile, aux []float32
	segs            []segment
	pad             []float32 // padded convolution input (padInput)
	padKey          padKey
	padValid        bool
}

var wsPool = sync.Pool{New: func() any { return new(workspace) }}

func getWS() *workspace   { return wsPool.Get().(*workspace) }
func putWS(ws *workspace) { wsPool.Put(ws) }

// grow returns buf resized to n floats, reallocating (64-byte aligned) only
// when its capacity is too small.
func grow(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = alignedFloats(n)
	}
	return (*buf)[:n]
}

// alignedFloats allocates n floats starting on a 64-byte boundary.
func alignedFloats(n int) []float32 {
	s := make([]float32, n+16)
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(s))) & 63 / 4)
	if off != 0 {
		off = 16 - off
	}
	return s[off : off+n : off+n]
}

// blockSize splits total into equal blocks of at most maxSize, each a
// multiple of align (the last one may be shorter).
func blockSize(total, maxSize, align int) int {
	if total <= maxSize {
		return roundUp(total, align)
	}
	nb := (total + maxSize - 1) / maxSize
	return roundUp((total+nb-1)/nb, align)
}

// l2Block is the size in bytes of a packed B block meant to stay in L2.
var l2Block = 256 << 10

func roundUp(x, a int) int { return (x + a - 1) / a * a }

// kcFor is the depth of the packed blocks for a depth-k product; packed
// operands and the driver must agree on it.
func kcFor(kr *kernel, k int) int { return blockSize(k, kr.kcMax, 8) }

func (j *job) run(threads int) {
	m, n, k := j.m, j.n, j.k
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || j.alpha == 0 {
		j.scaleC(threads)
		return
	}
	if j.gemv(threads) {
		return
	}
	kr := j.kern
	mt := (m + kr.mr - 1) / kr.mr
	nt := (n + kr.nr - 1) / kr.nr
	t := threadsFor(2*float64(m)*float64(n)*float64(k), threads)
	if t == 1 {
		ws := getWS()
		j.region(0, m, 0, n, ws)
		putWS(ws)
		return
	}
	// Split C into chunks of whole tiles along N or M that the goroutines
	// claim dynamically, so that a late worker (a wake-up on a busy or
	// virtualised machine) or uneven tiles do not leave the others idle.
	splitN, chunks := j.chooseSplit(t, mt, nt)
	tiles := mt
	if splitN {
		tiles = nt
	}
	t = min(t, chunks)
	var next atomic.Int32
	parallelFor(t, func(w int) {
		ws := getWS()
		for {
			i := int(next.Add(1)) - 1
			if i >= chunks {
				break
			}
			lo, hi := i*tiles/chunks, (i+1)*tiles/chunks
			if splitN {
				j.region(0, m, lo*kr.nr, min(hi*kr.nr, n), ws)
			} else {
				j.region(lo*kr.mr, min(hi*kr.mr, m), 0, n, ws)
			}
		}
		putWS(ws)
	})
}

// packCost is the cost of packing one operand element, in flops of
// multiply time (about 0.3 ns against 5 ps per flop).
const packCost = 64

// chooseSplit picks the dimension and the number of chunks for t
// goroutines: the least estimated makespan, where a chunk costs its share of
// the multiply plus the packing it does (every chunk packs the operand it
// shares with the others, unless that one is pre-packed), weighted in
// favour of more chunks per goroutine, which balance dynamically.
func (j *job) chooseSplit(t, mt, nt int) (splitN bool, chunks int) {
	kr := j.kern
	m, n, k := float64(j.m), float64(j.n), float64(j.k)
	best := math.Inf(1)
	for _, alongN := range []bool{true, false} {
		tiles := mt
		if alongN {
			tiles = nt
		}
		for _, c := range []int{t, 2 * t, 4 * t} {
			c = min(c, tiles)
			per := (tiles + c - 1) / c // tiles in the largest chunk
			var cost float64
			if alongN {
				cols := float64(min(per*kr.nr, j.n))
				cost = 2 * m * cols * k
				if j.pb == nil {
					cost += packCost * cols * k
				}
				if j.pa == nil {
					cost += packCost * m * k
				}
			} else {
				rows := float64(min(per*kr.mr, j.m))
				cost = 2 * rows * n * k
				if j.pa == nil {
					cost += packCost * rows * k
				}
				if j.pb == nil {
					cost += packCost * n * k
				}
			}
			cost *= float64((c + t - 1) / t)
			cost *= 1 + 0.25*float64(t)/float64(c) // prefer dynamic balance

			if cost < best {
				best, splitN, chunks = cost, alongN, c
			}
		}
	}
	return splitN, chunks
}

// region computes rows [m0, m1) x columns [n0, n1) of C; m0 is a multiple
// of MR and n0 of NR.
func (j *job) region(m0, m1, n0, n1 int, ws *workspace) {
	kr := j.kern
	mr, nr := kr.mr, kr.nr
	kc := kcFor(kr, j.k)
	mc := blockSize(m1-m0, kr.mcMax, mr)
	nc := blockSize(n1-n0, kr.ncMax, nr)
	if m1-m0 <= mc && nc > nr {
		// One row block: each packed B panel is used once, right after
		// packing, so keep the B block small enough to stay in L2.
		nc = blockSize(n1-n0, max(nr, l2Block/(4*min(kc, j.k))/nr*nr), nr)
	}
	alphaA, alphaB := j.alpha, float32(1)
	if j.pa != nil {
		alphaA, alphaB = 1, j.alpha
	}
	var abuf, bbuf []float32
	if j.pa == nil {
		abuf = grow(&ws.a, mc*min(kc, j.k))
	}
	if j.pb == nil {
		bbuf = grow(&ws.b, nc*min(kc, j.k))
	}
	for jc := n0; jc < n1; jc += nc {
		ncb := min(nc, n1-jc)
		for pc := 0; pc < j.k; pc += kc {
			kcb := min(kc, j.k-pc)
			var bp []float32
			switch {
			case j.pb != nil:
				bp = j.pb.data[pc*j.pb.nPad+jc*kcb:]
			case j.conv != nil:
				bp = bbuf
				j.conv.pack(bp, nr, pc, kcb, jc, ncb, ws)
			default:
				bp = bbuf
				packB(bp, nr, j.transB, j.b, j.ldb, pc, kcb, jc, ncb, alphaB)
			}
			beta := j.beta
			if pc > 0 {
				beta = 1
			}
			flags := 0
			if beta != 0 {
				flags |= flagBeta
			}
			if pc+kcb >= j.k {
				flags |= j.ep.flags
			}
			for ic := m0; ic < m1; ic += mc {
				mcb := min(mc, m1-ic)
				var ap []float32
				if j.pa != nil {
					ap = j.pa.data[pc*j.pa.mPad+ic*kcb:]
				} else {
					ap = abuf
					packA(ap, mr, j.transA, j.a, j.lda, ic, mcb, pc, kcb, alphaA)
				}
				j.macro(ic, mcb, jc, ncb, kcb, ap, bp, beta, flags)
			}
		}
	}
}

// macro runs the micro-kernel over an mc x nc block of C from packed panels.
func (j *job) macro(ic, mc, jc, nc, kc int, ap, bp []float32, beta float32, flags int) {
	kr := j.kern
	mr, nr := kr.mr, kr.nr
	fn := kr.fn
	ldc := j.ldc
	ep := &j.ep
	for jr := 0; jr < nc; jr += nr {
		ncols := min(nr, nc-jr)
		bpp := &bp[jr*kc]
		var colBias *float32
		if flags&flagColBias != 0 {
			colBias = &ep.colBias[jc+jr]
		}
		for ir := 0; ir < mc; ir += mr {
			var rowBias *float32
			if flags&flagRowBias != 0 {
				rowBias = &ep.rowBias[ic+ir]
			}
			fn(kc, &ap[ir*kc], bpp, &j.c[(ic+ir)*ldc+jc+jr], ldc, min(mr, mc-ir), ncols, beta, flags, rowBias, colBias, ep.lo, ep.hi)
		}
	}
}

// scaleC handles k == 0 or alpha == 0: C = beta*C, then the epilogue.
func (j *job) scaleC(threads int) {
	t := threadsFor(float64(j.m)*float64(j.n)*64, threads)
	t = min(t, j.m)
	parallelFor(t, func(w int) {
		for i := w * j.m / t; i < (w+1)*j.m/t; i++ {
			row := j.c[i*j.ldc : i*j.ldc+j.n]
			for x := range row {
				var v float32
				if j.beta != 0 {
					v = j.beta * row[x]
				}
				row[x] = j.ep.apply(v, i, x)
			}
		}
	})
}
