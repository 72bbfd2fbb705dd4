package gpu

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// gemmWorkspace bounds the cuBLASLt workspace of one GEMM.
const gemmWorkspace = 32 << 20

// gemmExec runs MatrixMultiply on cuBLASLt: batched with broadcasting, with
// explicit compute types (pedantic FP32, TF32 when the step allows it, FP16
// and BF16 operands with FP32 accumulation).
type gemmExec struct {
	prec, out ir.DataType
	tf32      bool
	op0, op1  ir.MatrixOp
	acts      []act

	mu    sync.Mutex
	plans map[string]*gemmPlan
}

// gemmCall is one cuBLASLt launch: element offsets into A, B and C.
type gemmCall struct{ a, b, c int64 }

type gemmPlan struct {
	g        *cuda.Gemm
	spec     cuda.GemmSpec
	calls    []gemmCall
	cType    ir.DataType // the GEMM's output type
	direct   bool        // the GEMM writes the step's output itself
	relu     bool        // ReLU done by cuBLASLt's epilogue
	fallback string      // why this shape runs on the host
}

func newGemmExec(ps *pstep) *gemmExec {
	p := ps.node.Params.(*ir.MatMulParams)
	return &gemmExec{prec: ps.s.Precision, out: ps.s.OutTypes[0], tf32: ps.s.TF32, op0: p.Op0, op1: p.Op1,
		acts: ps.acts, plans: map[string]*gemmPlan{}}
}

func cudaType(t ir.DataType) cuda.DataType {
	switch t {
	case ir.Half:
		return cuda.R16F
	case ir.BF16:
		return cuda.R16BF
	}
	return cuda.R32F
}

// computeType is explicit: FP32 never becomes TF32 unless the step allows it.
func (e *gemmExec) computeType() cuda.ComputeType {
	if e.prec == ir.Float {
		if e.tf32 {
			return cuda.Compute32FFastTF32
		}
		return cuda.Compute32FPedantic
	}
	return cuda.Compute32F
}

func dimsKey(ds ...[]int) string {
	var b strings.Builder
	for _, d := range ds {
		for _, v := range d {
			b.WriteString(strconv.Itoa(v))
			b.WriteByte(',')
		}
		b.WriteByte(';')
	}
	return b.String()
}

func (e *gemmExec) prepare(p *program, ps *pstep) (string, error) {
	a, b := ps.node.Inputs[0], ps.node.Inputs[1]
	if !ir.DimsKnown(a.Dims) || !ir.DimsKnown(b.Dims) {
		return "", nil
	}
	pl, err := e.planFor(p.d, a.Dims, b.Dims)
	if err != nil {
		return "", err
	}
	if pl.g != nil {
		if err := e.tune(p.d, pl); err != nil {
			return "", err
		}
	}
	return pl.fallback, nil
}

// tuneLimit bounds the operand memory of a GEMM timed at build time.
const tuneLimit = 512 << 20

// tune times cuBLASLt's candidate algorithms on scratch operands and keeps the
// fastest (build time, static shapes).
func (e *gemmExec) tune(d *device, pl *gemmPlan) error {
	cands := pl.g.Candidates()
	if len(cands) < 2 {
		return nil
	}
	sp := pl.g.Spec()
	esz, csz := int64(elemSize(e.prec)), int64(elemSize(pl.cType))
	var maxA, maxB, maxC int64
	for _, c := range pl.calls {
		maxA, maxB, maxC = max(maxA, c.a), max(maxB, c.b), max(maxC, c.c)
	}
	bat := int64(max(sp.Batch, 1))
	extA := (maxA + (bat-1)*sp.StrideA + int64(sp.M)*int64(sp.K)) * esz
	extB := (maxB + (bat-1)*sp.StrideB + int64(sp.K)*int64(sp.N)) * esz
	extC := (maxC + (bat-1)*sp.StrideC + int64(sp.M)*int64(sp.N)) * csz
	var wsMax uint64
	for _, c := range cands {
		wsMax = max(wsMax, c.WorkspaceSize)
	}
	if extA+extB+extC+int64(wsMax) > tuneLimit {
		return nil
	}
	var bufs []*cuda.Buffer
	defer func() {
		for _, b := range bufs {
			b.Close()
		}
	}()
	alloc := func(n int64) (*cuda.Buffer, error) {
		b, err := d.ctx.Alloc(int(max(n, 256)))
		if err != nil {
			return nil, err
		}
		bufs = append(bufs, b)
		return b, b.Memset(0)
	}
	A, err := alloc(extA)
	if err != nil {
		return nil // no memory to time with: keep the heuristic's choice
	}
	B, err := alloc(extB)
	if err != nil {
		return nil
	}
	C, err := alloc(extC)
	if err != nil {
		return nil
	}
	var ws *cuda.Buffer
	if wsMax > 0 {
		if ws, err = alloc(int64(wsMax)); err != nil {
			return nil
		}
	}
	s, err := d.ctx.NewStream()
	if err != nil {
		return err
	}
	defer s.Close()
	ev0, err := d.ctx.NewEvent()
	if err != nil {
		return err
	}
	defer ev0.Close()
	ev1, err := d.ctx.NewEvent()
	if err != nil {
		return err
	}
	defer ev1.Close()
	run := func() error {
		for _, c := range pl.calls {
			if err := pl.g.Run(1, A.Ptr()+cuda.DevicePtr(c.a*esz), B.Ptr()+cuda.DevicePtr(c.b*esz), 0,
				C.Ptr()+cuda.DevicePtr(c.c*csz), ws, s); err != nil {
				return err
			}
		}
		return nil
	}
	d.ltMu.Lock()
	defer d.ltMu.Unlock()
	best, bestMs := -1, float32(0)
	for i := range cands {
		if err := pl.g.SetAlgo(i); err != nil {
			continue
		}
		if run() != nil { // warm-up; an algorithm that fails is skipped
			s.Synchronize()
			continue
		}
		const reps = 3
		ev0.Record(s)
		ok := true
		for k := 0; k < reps && ok; k++ {
			ok = run() == nil
		}
		ev1.Record(s)
		if err := s.Synchronize(); err != nil {
			return err
		}
		if !ok {
			continue
		}
		ms, err := cuda.Elapsed(ev0, ev1)
		if err != nil {
			return err
		}
		if best < 0 || ms < bestMs {
			best, bestMs = i, ms
		}
	}
	if best < 0 {
		best = 0
	}
	return pl.g.SetAlgo(best)
}

func (e *gemmExec) planFor(d *device, ad, bd []int) (*gemmPlan, error) {
	key := dimsKey(ad, bd)
	e.mu.Lock()
	defer e.mu.Unlock()
	if pl, ok := e.plans[key]; ok {
		return pl, nil
	}
	pl, err := e.makePlan(d, ad, bd)
	if err != nil {
		if errors.Is(err, cuda.ErrOutOfMemory) || errors.Is(err, cuda.ErrClosed) || errors.Is(err, ir.ErrShape) {
			return nil, err
		}
		// cuBLASLt has no algorithm for the problem: run it on the host.
		pl = &gemmPlan{fallback: "cuBLASLt: " + err.Error()}
	}
	e.plans[key] = pl
	return pl, nil
}

func (e *gemmExec) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, pl := range e.plans {
		if pl.g != nil {
			pl.g.Close()
		}
	}
	e.plans = map[string]*gemmPlan{}
}

func (e *gemmExec) makePlan(d *device, ad, bd []int) (*gemmPlan, error) {
	A, B := append([]int{}, ad...), append([]int{}, bd...)
	if e.op0 == ir.MatVector || len(A) == 1 {
		A = append(A[:len(A)-1:len(A)-1], 1, A[len(A)-1])
	}
	if e.op1 == ir.MatVector || len(B) == 1 {
		B = append(B, 1)
	}
	if len(A) < 2 || len(B) < 2 {
		return nil, fmt.Errorf("matrix multiply of %v and %v", ad, bd)
	}
	transA, transB := e.op0 == ir.MatTranspose, e.op1 == ir.MatTranspose
	m, k := A[len(A)-2], A[len(A)-1]
	if transA {
		m, k = k, m
	}
	k2, n := B[len(B)-2], B[len(B)-1]
	if transB {
		k2, n = n, k2
	}
	if k != k2 {
		return nil, fmt.Errorf("matrix multiply inner dims differ: %v x %v", ad, bd)
	}
	aB, bB := A[:len(A)-2], B[:len(B)-2]
	batch, err := ir.Broadcast(aB, bB)
	if err != nil {
		return nil, err
	}
	pad := func(x []int) []int {
		out := make([]int, len(batch))
		for i := range out {
			out[i] = 1
		}
		copy(out[len(batch)-len(x):], x)
		return out
	}
	aB, bB = pad(aB), pad(bB)
	pl := &gemmPlan{}
	if m == 0 || n == 0 || ir.Volume(batch) == 0 {
		return pl, nil // empty output
	}
	if k == 0 {
		pl.fallback = "K = 0"
		return pl, nil
	}
	spec := cuda.GemmSpec{M: m, N: n, K: k, TransA: transA, TransB: transB,
		TypeA: cudaType(e.prec), TypeB: cudaType(e.prec), Compute: e.computeType()}
	// Output type of the GEMM: the step's when cuBLASLt can write it, FP32 when
	// a reduced-precision GEMM is followed by an epilogue (one rounding, as on
	// the CPU backend).
	cType := e.prec
	if e.out == ir.Float && (e.prec == ir.Half || e.prec == ir.BF16) {
		cType = ir.Float
	}
	relu := len(e.acts) == 1 && e.acts[0].op == ir.ActRelu
	if len(e.acts) > 0 && !relu && e.prec != ir.Float {
		cType = ir.Float
	}
	pl.cType = cType
	pl.direct = cType == e.out && (len(e.acts) == 0 || relu)
	if pl.direct && relu {
		pl.relu = true
		spec.Epilogue = cuda.EpilogueReLU
	}
	spec.TypeC = cudaType(cType)
	aVol, bVol, bat := ir.Volume(aB), ir.Volume(bB), ir.Volume(batch)
	mk, kn, mn := int64(m*k), int64(k*n), int64(m*n)
	switch {
	case bat == 1:
		pl.calls = []gemmCall{{}}
	case bVol == 1 && !transA:
		spec.M = m * bat // fold the batch into M: A is [batch*M, K] row-major
		pl.calls = []gemmCall{{}}
	case (aVol == bat || aVol == 1) && (bVol == bat || bVol == 1) && sameOrOnes(aB, batch) && sameOrOnes(bB, batch):
		spec.Batch = bat
		if aVol > 1 {
			spec.StrideA = mk
		}
		if bVol > 1 {
			spec.StrideB = kn
		}
		spec.StrideC = mn
		pl.calls = []gemmCall{{}}
	default:
		// General broadcast: batched over the last batch dim, a loop over
		// the others.
		r := len(batch)
		aS, bS := bstrides(aB, batch, mk), bstrides(bB, batch, kn)
		spec.Batch = batch[r-1]
		spec.StrideA, spec.StrideB, spec.StrideC = aS[r-1], bS[r-1], mn
		outer := batch[:r-1]
		idx := make([]int, len(outer))
		esz, csz := int64(elemSize(e.prec)), int64(elemSize(cType))
		for o := 0; o < ir.Volume(outer); o++ {
			var c gemmCall
			for i, v := range idx {
				c.a += int64(v) * aS[i]
				c.b += int64(v) * bS[i]
			}
			c.c = int64(o) * int64(batch[r-1]) * mn
			if (c.a*esz)%256 != 0 || (c.b*esz)%256 != 0 || (c.c*csz)%256 != 0 {
				pl.fallback = "unaligned broadcast batch"
				return pl, nil
			}
			pl.calls = append(pl.calls, c)
			for i := len(idx) - 1; i >= 0; i-- {
				idx[i]++
				if idx[i] < outer[i] {
					break
				}
				idx[i] = 0
			}
		}
	}
	if d.lt == nil {
		return nil, fmt.Errorf("cuBLASLt is not available: %v", d.ltErr)
	}
	g, err := d.lt.NewGemm(spec, gemmWorkspace)
	if err != nil {
		return nil, err
	}
	pl.g, pl.spec = g, spec
	return pl, nil
}

func sameOrOnes(x, batch []int) bool {
	ones, same := true, true
	for i := range x {
		if x[i] != 1 {
			ones = false
		}
		if x[i] != batch[i] {
			same = false
		}
	}
	return ones || same
}

// bstrides are the strides (in elements) of an operand's batch dims viewed as
// the broadcast batch dims: 0 along broadcast dims.
func bstrides(x, batch []int, mat int64) []int64 {
	s := make([]int64, len(x))
	acc := mat
	for i := len(x) - 1; i >= 0; i-- {
		if x[i] != 1 || batch[i] == 1 {
			s[i] = acc
		}
		acc *= int64(x[i])
	}
	return s
}

func (e *gemmExec) run(r *runner, ps *pstep, dims [][]int) error {
	for j := 0; j < 2; j++ {
		if err := r.ensureDevice(ps.ins[j]); err != nil {
			return err
		}
	}
	a, b := r.input(ps, 0), r.input(ps, 1)
	pl, err := e.planFor(r.d, a.dims, b.dims)
	if err != nil {
		return err
	}
	if pl.fallback != "" {
		return errFallback
	}
	out := r.setOut(ps, 0, dims[0])
	if err := r.alloc(out); err != nil {
		return err
	}
	if out.n == 0 || len(pl.calls) == 0 {
		return nil
	}
	target := out.ptr()
	if !pl.direct {
		tb, err := r.temp(out.n * elemSize(pl.cType))
		if err != nil {
			return err
		}
		target = tb.Ptr()
	}
	ws, err := r.workspace(pl.g.WorkspaceSize())
	if err != nil {
		return err
	}
	esz, csz := int64(elemSize(e.prec)), int64(elemSize(pl.cType))
	r.d.ltMu.Lock()
	for _, c := range pl.calls {
		err = pl.g.Run(1, a.ptr()+cuda.DevicePtr(c.a*esz), b.ptr()+cuda.DevicePtr(c.b*esz), 0,
			target+cuda.DevicePtr(c.c*csz), ws, r.stream)
		if err != nil {
			break
		}
	}
	r.d.ltMu.Unlock()
	if err != nil {
		return err
	}
	if !pl.direct {
		acts := e.acts
		if pl.relu {
			acts = nil
		}
		return r.d.bi.epilogue(r.stream, target, pl.cType, out.ptr(), out.typ, out.n, 0, 1, 1, acts)
	}
	return nil
}
