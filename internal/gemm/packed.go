package gemm

import "fmt"

// PackedB is a constant k x n right-hand operand packed once (for instance a
// MatMul weight at engine build time) and reused by SgemmPackedB. It is
// immutable and safe for concurrent use. Its layout belongs to the
// micro-kernel active when it was packed.
type PackedB struct {
	k, n int
	kern *kernel
	nPad int // n rounded up to the kernel's NR
	data []float32
}

// PackedA is a constant m x k left-hand operand packed once (for instance a
// convolution weight) and reused by SgemmPackedA.
type PackedA struct {
	m, k int
	kern *kernel
	mPad int
	data []float32
}

// K and N return the dimensions of op(B).
func (p *PackedB) K() int { return p.k }
func (p *PackedB) N() int { return p.n }

// M and K return the dimensions of op(A).
func (p *PackedA) M() int { return p.m }
func (p *PackedA) K() int { return p.k }

// PackB packs op(B) (k x n; B is n x k when transB) for SgemmPackedB.
func PackB(transB bool, k, n int, b []float32, ldb int) *PackedB {
	checkDims(0, n, k)
	checkMatrix("b", transB, k, n, b, ldb)
	return packBWith(active, transB, k, n, b, ldb)
}

func packBWith(kr *kernel, transB bool, k, n int, b []float32, ldb int) *PackedB {
	p := &PackedB{k: k, n: n, kern: kr, nPad: roundUp(n, kr.nr)}
	p.data = alignedFloats(k * p.nPad)
	kc := kcFor(kr, k)
	for pc := 0; pc < k; pc += kc {
		kcb := min(kc, k-pc)
		packB(p.data[pc*p.nPad:], kr.nr, transB, b, ldb, pc, kcb, 0, n, 1)
	}
	return p
}

// PackA packs op(A) (m x k; A is k x m when transA) for SgemmPackedA.
func PackA(transA bool, m, k int, a []float32, lda int) *PackedA {
	checkDims(m, 0, k)
	checkMatrix("a", transA, m, k, a, lda)
	return packAWith(active, transA, m, k, a, lda)
}

func packAWith(kr *kernel, transA bool, m, k int, a []float32, lda int) *PackedA {
	p := &PackedA{m: m, k: k, kern: kr, mPad: roundUp(m, kr.mr)}
	p.data = alignedFloats(k * p.mPad)
	kc := kcFor(kr, k)
	for pc := 0; pc < k; pc += kc {
		kcb := min(kc, k-pc)
		packA(p.data[pc*p.mPad:], kr.mr, transA, a, lda, 0, m, pc, kcb, 1)
	}
	return p
}

// SgemmPackedB computes C = alpha*op(A)*B + beta*C with B pre-packed by
// PackB, then the epilogue opt (may be nil).
func SgemmPackedB(transA bool, m, n, k int, alpha float32, a []float32, lda int, pb *PackedB, beta float32, c []float32, ldc int, opt *Options) {
	checkDims(m, n, k)
	if pb == nil || pb.k != k || pb.n != n {
		panic(fmt.Sprintf("gemm: packed B does not match k=%d n=%d", k, n))
	}
	checkMatrix("a", transA, m, k, a, lda)
	checkC(m, n, c, ldc)
	j := job{
		kern: pb.kern, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, transA: transA, pb: pb,
		c: c, ldc: ldc, ep: opt.resolve(m, n),
	}
	j.run(numThreads())
}

// SgemmPackedA computes C = alpha*A*op(B) + beta*C with A pre-packed by
// PackA, then the epilogue opt (may be nil).
func SgemmPackedA(transB bool, m, n, k int, alpha float32, pa *PackedA, b []float32, ldb int, beta float32, c []float32, ldc int, opt *Options) {
	checkDims(m, n, k)
	if pa == nil || pa.m != m || pa.k != k {
		panic(fmt.Sprintf("gemm: packed A does not match m=%d k=%d", m, k))
	}
	checkMatrix("b", transB, k, n, b, ldb)
	checkC(m, n, c, ldc)
	j := job{
		kern: pa.kern, m: m, n: n, k: k, alpha: alpha, beta: beta,
		pa: pa, b: b, ldb: ldb, transB: transB,
		c: c, ldc: ldc, ep: opt.resolve(m, n),
	}
	j.run(numThreads())
}
