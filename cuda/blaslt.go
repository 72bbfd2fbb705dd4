package cuda

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"

	"github.com/gotrt/gotrt/internal/cgo"
)

// ComputeType is a cublasComputeType_t. It is always explicit: FP32 GEMMs never become TF32
// unless Compute32FFastTF32 is asked for.
type ComputeType int32

// Compute types (cublas_api.h).
const (
	Compute16F         ComputeType = 64 // FP16 accumulation
	Compute16FPedantic ComputeType = 65
	Compute32F         ComputeType = 68 // FP32 accumulation; FP32 inputs stay FP32
	Compute32FPedantic ComputeType = 69 // FP32, no reduced-precision shortcuts at all
	Compute32FFast16F  ComputeType = 74 // FP32 accumulation, FP32 inputs may be rounded to FP16
	Compute32FFast16BF ComputeType = 75 // FP32 accumulation, FP32 inputs may be rounded to BF16
	Compute32FFastTF32 ComputeType = 77 // FP32 accumulation, FP32 inputs rounded to TF32
)

func (c ComputeType) String() string {
	switch c {
	case Compute16F:
		return "COMPUTE_16F"
	case Compute16FPedantic:
		return "COMPUTE_16F_PEDANTIC"
	case Compute32F:
		return "COMPUTE_32F"
	case Compute32FPedantic:
		return "COMPUTE_32F_PEDANTIC"
	case Compute32FFast16F:
		return "COMPUTE_32F_FAST_16F"
	case Compute32FFast16BF:
		return "COMPUTE_32F_FAST_16BF"
	case Compute32FFastTF32:
		return "COMPUTE_32F_FAST_TF32"
	}
	return fmt.Sprintf("ComputeType(%d)", int32(c))
}

// DataType is a cudaDataType (library_types.h).
type DataType int32

// Data types.
const (
	R32F     DataType = 0
	R64F     DataType = 1
	R16F     DataType = 2
	R8I      DataType = 3
	R8U      DataType = 8
	R32I     DataType = 10
	R16BF    DataType = 14
	R8F_E4M3 DataType = 28
	R8F_E5M2 DataType = 29
)

// Size returns the size of one element in bytes.
func (t DataType) Size() int {
	switch t {
	case R32F, R32I:
		return 4
	case R64F:
		return 8
	case R16F, R16BF:
		return 2
	case R8I, R8U, R8F_E4M3, R8F_E5M2:
		return 1
	}
	return 0
}

func (t DataType) String() string {
	switch t {
	case R32F:
		return "R_32F"
	case R64F:
		return "R_64F"
	case R16F:
		return "R_16F"
	case R8I:
		return "R_8I"
	case R8U:
		return "R_8U"
	case R32I:
		return "R_32I"
	case R16BF:
		return "R_16BF"
	case R8F_E4M3:
		return "R_8F_E4M3"
	case R8F_E5M2:
		return "R_8F_E5M2"
	}
	return fmt.Sprintf("DataType(%d)", int32(t))
}

// Op is a cublasOperation_t.
type Op int32

// Operations on a matrix operand.
const (
	OpN Op = 0 // as stored
	OpT Op = 1 // transposed
)

// Order is a cublasLtOrder_t.
type Order int32

// Memory orders of a matrix layout.
const (
	OrderCol Order = 0
	OrderRow Order = 1
)

// Epilogue is a cublasLtEpilogue_t.
type Epilogue uint32

// Epilogues applied to the result in the GEMM kernel.
const (
	EpilogueDefault  Epilogue = 1
	EpilogueReLU     Epilogue = 2
	EpilogueBias     Epilogue = 4
	EpilogueReLUBias Epilogue = 6
	EpilogueGELU     Epilogue = 32
	EpilogueGELUBias Epilogue = 36
)

// cuBLASLt attribute numbers (cublasLt.h).
const (
	ltDescComputeType       = 0
	ltDescScaleType         = 1
	ltDescPointerMode       = 2
	ltDescTransA            = 3
	ltDescTransB            = 4
	ltDescEpilogue          = 7
	ltDescBiasPointer       = 8
	ltDescBiasBatchStride   = 10
	ltLayoutType            = 0
	ltLayoutOrder           = 1
	ltLayoutBatchCount      = 5
	ltLayoutStridedBatchOff = 6
	ltPrefSearchMode        = 0
	ltPrefMaxWorkspaceBytes = 1
)

func i32bytes(v int32) []byte           { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func u32bytes(v uint32) []byte          { return binary.LittleEndian.AppendUint32(nil, v) }
func i64bytes(v int64) []byte           { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
func u64bytes(v uint64) []byte          { return binary.LittleEndian.AppendUint64(nil, v) }
func ltErr(code int32, op string) error { return newError(LibCUBLASLt, code, op) }

// BlasLt is a cuBLASLt handle bound to a context.
type BlasLt struct {
	ctx    *Context
	handle uintptr

	mu     sync.Mutex
	closed bool
}

// NewBlasLt creates a cuBLASLt handle, loading cuBLASLt if needed.
func (c *Context) NewBlasLt() (*BlasLt, error) {
	h, err := c.live()
	if err != nil {
		return nil, err
	}
	if err := requireLib(LibCUBLASLt); err != nil {
		return nil, err
	}
	lh, code := cgo.LtCreate(h)
	if err := ltErr(code, "cublasLtCreate"); err != nil {
		return nil, err
	}
	return &BlasLt{ctx: c, handle: lh}, nil
}

// CUBLASLtVersion returns the loaded cuBLASLt's version, e.g. "13.0.0" ("" if not loaded).
func CUBLASLtVersion() string { return libraryVersion(LibCUBLASLt) }

func (b *BlasLt) live() (ctx, h uintptr, err error) {
	if b == nil {
		return 0, 0, closedError("nil cuBLASLt handle")
	}
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return 0, 0, closedError("cuBLASLt handle")
	}
	c, err := b.ctx.live()
	return c, b.handle, err
}

// Close destroys the handle. It is idempotent.
func (b *BlasLt) Close() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	c, err := b.ctx.live()
	if err != nil {
		return err
	}
	return ltErr(cgo.LtDestroy(c, b.handle), "cublasLtDestroy")
}

// MatmulDesc describes a matmul: compute and scale types, transposes, epilogue.
type MatmulDesc struct {
	handle  uintptr
	compute ComputeType
	scale   DataType
	once    sync.Once
}

// NewMatmulDesc creates a matmul descriptor. scale is the type of alpha and beta (R32F for
// every Compute32F* type).
func NewMatmulDesc(compute ComputeType, scale DataType) (*MatmulDesc, error) {
	if err := requireLib(LibCUBLASLt); err != nil {
		return nil, err
	}
	h, code := cgo.LtDescCreate(int32(compute), int32(scale))
	if err := ltErr(code, "cublasLtMatmulDescCreate"); err != nil {
		return nil, err
	}
	return &MatmulDesc{handle: h, compute: compute, scale: scale}, nil
}

// ComputeType returns the descriptor's compute type.
func (d *MatmulDesc) ComputeType() ComputeType { return d.compute }

// SetAttribute sets a raw cublasLtMatmulDescAttributes_t to the bytes of value.
func (d *MatmulDesc) SetAttribute(attr int32, value []byte) error {
	return ltErr(cgo.LtDescSet(d.handle, attr, value), "cublasLtMatmulDescSetAttribute")
}

// SetTranspose sets the operations on A and B.
func (d *MatmulDesc) SetTranspose(a, b Op) error {
	if err := d.SetAttribute(ltDescTransA, i32bytes(int32(a))); err != nil {
		return err
	}
	return d.SetAttribute(ltDescTransB, i32bytes(int32(b)))
}

// SetEpilogue sets the epilogue.
func (d *MatmulDesc) SetEpilogue(e Epilogue) error {
	return d.SetAttribute(ltDescEpilogue, u32bytes(uint32(e)))
}

// SetBias sets the bias vector of the Bias epilogues (one value per row of D, of D's type)
// and its stride between batches (0: shared).
func (d *MatmulDesc) SetBias(p DevicePtr, batchStride int64) error {
	if err := d.SetAttribute(ltDescBiasPointer, u64bytes(uint64(p))); err != nil {
		return err
	}
	return d.SetAttribute(ltDescBiasBatchStride, i64bytes(batchStride))
}

// Close destroys the descriptor. It is idempotent.
func (d *MatmulDesc) Close() error {
	var err error
	if d != nil {
		d.once.Do(func() { err = ltErr(cgo.LtDescDestroy(d.handle), "cublasLtMatmulDescDestroy") })
	}
	return err
}

// scalarBits encodes v in the descriptor's scale type for the shim.
func (d *MatmulDesc) scalarBits(v float64) (uint64, error) {
	switch d.scale {
	case R32F:
		return uint64(math.Float32bits(float32(v))), nil
	case R64F:
		return math.Float64bits(v), nil
	case R16F:
		return uint64(float32ToHalf(float32(v))), nil
	case R32I:
		return uint64(uint32(int32(v))), nil
	}
	return 0, fmt.Errorf("%w: scale type %v", ErrNotSupported, d.scale)
}

// MatrixLayout describes a matrix operand in memory.
type MatrixLayout struct {
	handle uintptr
	once   sync.Once
}

// NewMatrixLayout creates a layout of rows x cols elements of type t with leading dimension
// ld (column-major unless SetOrder(OrderRow)).
func NewMatrixLayout(t DataType, rows, cols, ld int64) (*MatrixLayout, error) {
	if err := requireLib(LibCUBLASLt); err != nil {
		return nil, err
	}
	if rows < 0 || cols < 0 || ld < 0 {
		return nil, fmt.Errorf("%w: matrix layout %dx%d ld %d", ErrInvalidValue, rows, cols, ld)
	}
	h, code := cgo.LtLayoutCreate(int32(t), uint64(rows), uint64(cols), ld)
	if err := ltErr(code, "cublasLtMatrixLayoutCreate"); err != nil {
		return nil, err
	}
	return &MatrixLayout{handle: h}, nil
}

// SetAttribute sets a raw cublasLtMatrixLayoutAttribute_t to the bytes of value.
func (l *MatrixLayout) SetAttribute(attr int32, value []byte) error {
	return ltErr(cgo.LtLayoutSet(l.handle, attr, value), "cublasLtMatrixLayoutSetAttribute")
}

// SetOrder sets the memory order.
func (l *MatrixLayout) SetOrder(o Order) error {
	return l.SetAttribute(ltLayoutOrder, i32bytes(int32(o)))
}

// SetBatch sets the number of matrices and the stride between them, in elements.
func (l *MatrixLayout) SetBatch(count int32, stride int64) error {
	if err := l.SetAttribute(ltLayoutBatchCount, i32bytes(count)); err != nil {
		return err
	}
	return l.SetAttribute(ltLayoutStridedBatchOff, i64bytes(stride))
}

// Close destroys the layout. It is idempotent.
func (l *MatrixLayout) Close() error {
	var err error
	if l != nil {
		l.once.Do(func() { err = ltErr(cgo.LtLayoutDestroy(l.handle), "cublasLtMatrixLayoutDestroy") })
	}
	return err
}

// MatmulPreference holds the constraints of the heuristic query.
type MatmulPreference struct {
	handle uintptr
	once   sync.Once
}

// NewMatmulPreference creates a preference that allows maxWorkspace bytes of workspace.
func NewMatmulPreference(maxWorkspace uint64) (*MatmulPreference, error) {
	if err := requireLib(LibCUBLASLt); err != nil {
		return nil, err
	}
	h, code := cgo.LtPrefCreate()
	if err := ltErr(code, "cublasLtMatmulPreferenceCreate"); err != nil {
		return nil, err
	}
	p := &MatmulPreference{handle: h}
	if err := p.SetAttribute(ltPrefMaxWorkspaceBytes, u64bytes(maxWorkspace)); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// SetAttribute sets a raw cublasLtMatmulPreferenceAttributes_t to the bytes of value.
func (p *MatmulPreference) SetAttribute(attr int32, value []byte) error {
	return ltErr(cgo.LtPrefSet(p.handle, attr, value), "cublasLtMatmulPreferenceSetAttribute")
}

// Close destroys the preference. It is idempotent.
func (p *MatmulPreference) Close() error {
	var err error
	if p != nil {
		p.once.Do(func() { err = ltErr(cgo.LtPrefDestroy(p.handle), "cublasLtMatmulPreferenceDestroy") })
	}
	return err
}

// MatmulAlgo is a configured cuBLASLt algorithm (cublasLtMatmulAlgo_t). It can be stored and
// reused with the same cuBLASLt version.
type MatmulAlgo [8]uint64

// MatmulHeuristic is one algorithm proposed by the heuristic.
type MatmulHeuristic struct {
	Algo          MatmulAlgo
	WorkspaceSize uint64
	Waves         float32
}

// Heuristics asks cuBLASLt for up to n algorithms for the problem, best first.
func (b *BlasLt) Heuristics(desc *MatmulDesc, a, bl, c, d *MatrixLayout, pref *MatmulPreference, n int) ([]MatmulHeuristic, error) {
	ctx, h, err := b.live()
	if err != nil {
		return nil, err
	}
	res, code := cgo.LtHeuristic(ctx, h, desc.handle, a.handle, bl.handle, c.handle, d.handle, pref.handle, n)
	if err := ltErr(code, "cublasLtMatmulAlgoGetHeuristic"); err != nil {
		return nil, err
	}
	out := make([]MatmulHeuristic, 0, len(res))
	for _, r := range res {
		if r.State != 0 {
			continue
		}
		out = append(out, MatmulHeuristic{Algo: MatmulAlgo(r.Algo), WorkspaceSize: r.WorkspaceSize, Waves: r.Waves})
	}
	if len(out) == 0 {
		return nil, makeError(LibCUBLASLt, 15, "cublasLtMatmulAlgoGetHeuristic", "no algorithm for this problem")
	}
	return out, nil
}

// Matmul computes D = alpha*op(A)*op(B) + beta*C on stream s. algo may be nil (cuBLASLt picks
// one); ws may be nil when the algorithm needs no workspace.
func (b *BlasLt) Matmul(desc *MatmulDesc, alpha float64, A DevicePtr, al *MatrixLayout, B DevicePtr, bl *MatrixLayout,
	beta float64, C DevicePtr, cl *MatrixLayout, D DevicePtr, dl *MatrixLayout, algo *MatmulAlgo, ws *Buffer, s *Stream) error {
	ctx, h, err := b.live()
	if err != nil {
		return err
	}
	ab, err := desc.scalarBits(alpha)
	if err != nil {
		return err
	}
	bb, err := desc.scalarBits(beta)
	if err != nil {
		return err
	}
	var wsPtr DevicePtr
	var wsSize int
	if ws != nil {
		if wsPtr, err = ws.live(); err != nil {
			return err
		}
		wsSize = ws.size
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	return ltErr(cgo.LtMatmul(ctx, h, desc.handle, ab, uint64(A), al.handle, uint64(B), bl.handle, bb,
		uint64(C), cl.handle, uint64(D), dl.handle, (*[8]uint64)(algo), uint64(wsPtr), uint64(wsSize), st),
		"cublasLtMatmul")
}

// GemmSpec is a (batched) row-major GEMM: for each batch, C[M×N] = alpha·op(A)·op(B) + beta·C,
// op(A) being M×K and op(B) K×N. A is stored M×K (K×M when TransA), B K×N (N×K when TransB),
// all row-major with the given leading dimensions (0: packed).
type GemmSpec struct {
	M, N, K        int
	TransA, TransB bool
	LDA, LDB, LDC  int64
	// Batch is the number of GEMMs (0 or 1: one); the strides are in elements and may be 0
	// to reuse one operand for every batch.
	Batch                     int
	StrideA, StrideB, StrideC int64
	// Types: A and B share a type (R32F, R16F, R16BF); C (and D) is R32F, R16F or R16BF.
	TypeA, TypeB, TypeC DataType
	// Compute is explicit: Compute32FPedantic or Compute32F for FP32, Compute32FFastTF32 for
	// TF32, Compute32F for FP16/BF16 inputs with FP32 accumulation.
	Compute ComputeType
	// Epilogue (0: default); Bias is the bias vector for the Bias epilogues: N values, one per
	// column of the row-major C.
	Epilogue Epilogue
}

// Gemm is a planned GEMM: descriptors and an algorithm chosen once, run many times.
type Gemm struct {
	lt         *BlasLt
	spec       GemmSpec
	desc       *MatmulDesc
	la, lb, lc *MatrixLayout
	algo       MatmulAlgo
	workspace  uint64
	candidates []MatmulHeuristic
}

// NewGemm plans a GEMM, choosing the heuristic's best algorithm that needs at most
// maxWorkspace bytes of workspace.
//
// Row-major C = op(A)·op(B) is computed as the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, which reads
// the row-major buffers as they are: no copies, and every layout cuBLASLt supports.
func (b *BlasLt) NewGemm(spec GemmSpec, maxWorkspace uint64) (*Gemm, error) {
	if spec.M <= 0 || spec.N <= 0 || spec.K <= 0 {
		return nil, fmt.Errorf("%w: GEMM %dx%dx%d", ErrInvalidValue, spec.M, spec.N, spec.K)
	}
	if spec.Batch <= 0 {
		spec.Batch = 1
	}
	if spec.TypeB == 0 && spec.TypeA != 0 {
		spec.TypeB = spec.TypeA
	}
	// Stored shapes (row-major) and packed leading dimensions.
	aRows, aCols := spec.M, spec.K
	if spec.TransA {
		aRows, aCols = spec.K, spec.M
	}
	bRows, bCols := spec.K, spec.N
	if spec.TransB {
		bRows, bCols = spec.N, spec.K
	}
	if spec.LDA == 0 {
		spec.LDA = int64(aCols)
	}
	if spec.LDB == 0 {
		spec.LDB = int64(bCols)
	}
	if spec.LDC == 0 {
		spec.LDC = int64(spec.N)
	}
	g := &Gemm{lt: b, spec: spec}
	fail := func(err error) (*Gemm, error) { g.Close(); return nil, err }
	var err error
	if g.desc, err = NewMatmulDesc(spec.Compute, scaleTypeFor(spec.Compute)); err != nil {
		return fail(err)
	}
	// Column-major view: the first operand is B (row-major bRows x bCols = column-major
	// bCols x bRows), the second is A.
	opB, opA := OpN, OpN
	if spec.TransB {
		opB = OpT
	}
	if spec.TransA {
		opA = OpT
	}
	if err = g.desc.SetTranspose(opB, opA); err != nil {
		return fail(err)
	}
	if spec.Epilogue != 0 && spec.Epilogue != EpilogueDefault {
		if err = g.desc.SetEpilogue(spec.Epilogue); err != nil {
			return fail(err)
		}
	}
	if g.lb, err = NewMatrixLayout(spec.TypeB, int64(bCols), int64(bRows), spec.LDB); err != nil {
		return fail(err)
	}
	if g.la, err = NewMatrixLayout(spec.TypeA, int64(aCols), int64(aRows), spec.LDA); err != nil {
		return fail(err)
	}
	if g.lc, err = NewMatrixLayout(spec.TypeC, int64(spec.N), int64(spec.M), spec.LDC); err != nil {
		return fail(err)
	}
	if spec.Batch > 1 {
		for _, x := range []struct {
			l      *MatrixLayout
			stride int64
		}{{g.la, spec.StrideA}, {g.lb, spec.StrideB}, {g.lc, spec.StrideC}} {
			if err = x.l.SetBatch(int32(spec.Batch), x.stride); err != nil {
				return fail(err)
			}
		}
	}
	pref, err := NewMatmulPreference(maxWorkspace)
	if err != nil {
		return fail(err)
	}
	defer pref.Close()
	g.candidates, err = b.Heuristics(g.desc, g.lb, g.la, g.lc, g.lc, pref, 8)
	if err != nil {
		return fail(fmt.Errorf("GEMM %dx%dx%d batch %d %v/%v->%v %v: %w", spec.M, spec.N, spec.K, spec.Batch,
			spec.TypeA, spec.TypeB, spec.TypeC, spec.Compute, err))
	}
	g.algo, g.workspace = g.candidates[0].Algo, g.candidates[0].WorkspaceSize
	return g, nil
}

// scaleTypeFor returns the alpha/beta type that goes with a compute type.
func scaleTypeFor(c ComputeType) DataType {
	switch c {
	case Compute16F, Compute16FPedantic:
		return R16F
	}
	return R32F
}

// Spec returns the GEMM's specification (with defaults filled in).
func (g *Gemm) Spec() GemmSpec { return g.spec }

// WorkspaceSize returns the workspace the chosen algorithm needs.
func (g *Gemm) WorkspaceSize() uint64 { return g.workspace }

// Candidates returns the algorithms the heuristic proposed, best first; SetAlgo picks one
// (e.g. after timing them).
func (g *Gemm) Candidates() []MatmulHeuristic { return g.candidates }

// SetAlgo makes the GEMM use candidate i.
func (g *Gemm) SetAlgo(i int) error {
	if i < 0 || i >= len(g.candidates) {
		return fmt.Errorf("%w: algorithm %d of %d", ErrInvalidValue, i, len(g.candidates))
	}
	g.algo, g.workspace = g.candidates[i].Algo, g.candidates[i].WorkspaceSize
	return nil
}

// SetBias sets the bias vector used by the Bias epilogues (N values of C's type).
func (g *Gemm) SetBias(p DevicePtr, batchStride int64) error { return g.desc.SetBias(p, batchStride) }

// Run computes C = alpha·op(A)·op(B) + beta·C on stream s. ws must hold WorkspaceSize bytes
// (nil when that is 0).
func (g *Gemm) Run(alpha float32, a, b DevicePtr, beta float32, c DevicePtr, ws *Buffer, s *Stream) error {
	if ws == nil && g.workspace > 0 {
		return fmt.Errorf("%w: the GEMM needs %d bytes of workspace", ErrInvalidValue, g.workspace)
	}
	if ws != nil && uint64(ws.Size()) < g.workspace {
		return fmt.Errorf("%w: workspace of %d bytes, the GEMM needs %d", ErrInvalidValue, ws.Size(), g.workspace)
	}
	return g.lt.Matmul(g.desc, float64(alpha), b, g.lb, a, g.la, float64(beta), c, g.lc, c, g.lc, &g.algo, ws, s)
}

// Close releases the descriptors. It is idempotent.
func (g *Gemm) Close() error {
	var first error
	for _, c := range []interface{ Close() error }{g.desc, g.la, g.lb, g.lc} {
		if c == nil {
			continue
		}
		switch v := c.(type) {
		case *MatmulDesc:
			if v == nil {
				continue
			}
		case *MatrixLayout:
			if v == nil {
				continue
			}
		}
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
