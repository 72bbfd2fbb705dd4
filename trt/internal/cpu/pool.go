package cpu

import (
	"math"
	"os"
	"sync"
	"unsafe"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Buffer reuse.
//
// Each runner owns a bufPool. Kernels allocate their outputs (and scratch
// that does not outlive the call) through Ctx.NewData / Ctx.Floats /
// Ctx.Ints, which take a recycled buffer when one fits. The runner counts,
// per pooled buffer, the live tensors whose data lies in it (a reshape that
// shares its input's data is a second reference to the same buffer) and gives
// a buffer back to the pool when the plan's Free lists have dropped the last
// of them. Buffers of the values Run returns are disowned (never recycled);
// constants and the caller's inputs were never pooled.
//
// The rules that make this sound:
//
//   - Kernels never write their inputs. An output may share an input's data
//     (reshape-only Shuffle, Identity); such an output is read-only like the
//     input, and the executor copies it before rounding it to a narrower
//     storage type.
//   - A pooled buffer's contents are unspecified: a kernel writes every
//     element of what it allocates with NewData/Floats/Ints (NewDataZero and
//     the *Zero helpers clear it).
//   - Pooled memory never outlives the step that allocated it except as a
//     step output: it is never cached in NodeState.

// pbuf is one pooled allocation (exactly one of f and i is set).
type pbuf struct {
	f    []float32
	i    []int64
	lo   uintptr // address range [lo, hi) of the backing array
	hi   uintptr
	refs int  // live tensors whose data lies in this buffer
	idle bool // in a free list
}

func (b *pbuf) capacity() int {
	if b.f != nil {
		return cap(b.f)
	}
	return cap(b.i)
}

// poison, for tests (GOTRT_CPU_POOL_POISON=1), fills every buffer handed
// out with NaN (floats) or a large sentinel (ints), so that a kernel reading
// an element it did not write shows.
// Test hooks: genericOnly turns off the pooling and reduce fast paths (their
// tests compare both paths); noPool makes runners allocate every value.
var genericOnly, noPool bool

var poison = os.Getenv("GOTRT_CPU_POOL_POISON") != ""

// checkInputs, for tests (GOTRT_CPU_CHECK_INPUTS=1), makes the runner
// verify after every kernel that the kernel left its inputs unchanged.
var checkInputs = os.Getenv("GOTRT_CPU_CHECK_INPUTS") != ""

// maxFree bounds the number of idle buffers a pool keeps.
const maxFree = 128

type bufPool struct {
	mu    sync.Mutex
	owned map[uintptr]*pbuf // by start address, every buffer handed out and not yet disowned
	freeF []*pbuf
	freeI []*pbuf
	fresh []*pbuf // handed out during the current step
	// handed holds the buffers of the values the latest Run returned, which
	// ReleaseOutputs may give back.
	handed map[uintptr]*pbuf
}

func newBufPool() *bufPool { return &bufPool{owned: map[uintptr]*pbuf{}} }

// take returns the best-fitting idle buffer of at least n elements (and at
// most about twice that), removing it from free, or nil.
func takeFit(free *[]*pbuf, n int) *pbuf {
	best := -1
	for i, b := range *free {
		c := b.capacity()
		if c < n || c > 2*n+64 {
			continue
		}
		if best < 0 || c < (*free)[best].capacity() {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	b := (*free)[best]
	b.idle = false
	last := len(*free) - 1
	(*free)[best] = (*free)[last]
	(*free)[last] = nil
	*free = (*free)[:last]
	return b
}

func (p *bufPool) floats(n int) []float32 {
	if n <= 0 {
		return make([]float32, n)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	b := takeFit(&p.freeF, n)
	if b == nil {
		f := make([]float32, n)
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(f)))
		b = &pbuf{f: f, lo: lo, hi: lo + uintptr(cap(f))*4}
		p.owned[lo] = b
	}
	p.fresh = append(p.fresh, b)
	if poison {
		nan := float32(math.NaN())
		for i := range b.f {
			b.f[i] = nan
		}
	}
	return b.f[:n:n]
}

func (p *bufPool) ints(n int) []int64 {
	if n <= 0 {
		return make([]int64, n)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	b := takeFit(&p.freeI, n)
	if b == nil {
		s := make([]int64, n)
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
		b = &pbuf{i: s, lo: lo, hi: lo + uintptr(cap(s))*8}
		p.owned[lo] = b
	}
	p.fresh = append(p.fresh, b)
	if poison {
		for i := range b.i {
			b.i[i] = 0x5a5a5a5a5a5a5a5a
		}
	}
	return b.i[:n:n]
}

// find returns the pooled buffer that holds the data of d, or nil.
func (p *bufPool) find(d *ir.Data) *pbuf {
	if d == nil {
		return nil
	}
	var a uintptr
	switch {
	case cap(d.F) > 0:
		a = uintptr(unsafe.Pointer(unsafe.SliceData(d.F)))
	case cap(d.I) > 0:
		a = uintptr(unsafe.Pointer(unsafe.SliceData(d.I)))
	default:
		return nil
	}
	if b := p.owned[a]; b != nil {
		return b
	}
	// A view into a buffer (not at its start).
	for _, b := range p.owned {
		if a >= b.lo && a < b.hi {
			return b
		}
	}
	return nil
}

func (p *bufPool) release(b *pbuf) {
	if b.idle {
		return
	}
	b.idle = true
	if b.f != nil {
		p.freeF = appendBounded(p.freeF, b, p)
	} else {
		p.freeI = appendBounded(p.freeI, b, p)
	}
}

func appendBounded(free []*pbuf, b *pbuf, p *bufPool) []*pbuf {
	if len(free) >= maxFree {
		// Forget the oldest idle buffer.
		delete(p.owned, free[0].lo)
		free[0].idle = false
		copy(free, free[1:])
		free = free[:len(free)-1]
	}
	return append(free, b)
}

// ref records one more live tensor holding d.
func (p *bufPool) ref(d *ir.Data) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if b := p.find(d); b != nil {
		b.refs++
	}
	p.mu.Unlock()
}

// unref drops a live tensor holding d; the buffer goes back to the pool with
// its last reference.
func (p *bufPool) unref(d *ir.Data) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if b := p.find(d); b != nil {
		b.refs--
		if b.refs == 0 {
			p.release(b)
		}
	}
	p.mu.Unlock()
}

// endStep gives back the buffers the step allocated that no live tensor
// holds (scratch, intermediates of fused members, converted-away data).
func (p *bufPool) endStep() {
	if p == nil {
		return
	}
	p.mu.Lock()
	for _, b := range p.fresh {
		if b.refs == 0 {
			p.release(b)
		}
	}
	clear(p.fresh)
	p.fresh = p.fresh[:0]
	p.mu.Unlock()
}

// disown removes the buffer holding d from the pool for good (its data is
// handed to the caller).
func (p *bufPool) disown(d *ir.Data) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if b := p.find(d); b != nil {
		delete(p.owned, b.lo)
		b.refs = -1 << 30 // never released again
		if p.handed == nil {
			p.handed = map[uintptr]*pbuf{}
		}
		p.handed[b.lo] = b
	}
	p.mu.Unlock()
}

// forgetHanded drops the record of the previous run's returned buffers:
// they stay the caller's.
func (p *bufPool) forgetHanded() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.handed = nil
	p.mu.Unlock()
}

// takeBack returns to the pool the buffer of a value the latest run
// returned (see runner.ReleaseOutputs).
func (p *bufPool) takeBack(d *ir.Data) {
	if p == nil || d == nil {
		return
	}
	var a uintptr
	switch {
	case cap(d.F) > 0:
		a = uintptr(unsafe.Pointer(unsafe.SliceData(d.F)))
	case cap(d.I) > 0:
		a = uintptr(unsafe.Pointer(unsafe.SliceData(d.I)))
	default:
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for lo, b := range p.handed {
		if a >= b.lo && a < b.hi {
			delete(p.handed, lo)
			b.refs = 0
			p.owned[b.lo] = b
			p.release(b)
			return
		}
	}
}

// reset returns every buffer still referenced to the pool (the values of a
// run that is over: finished, failed or cancelled).
func (p *bufPool) reset() {
	if p == nil {
		return
	}
	p.mu.Lock()
	for _, b := range p.owned {
		if b.refs > 0 {
			b.refs = 0
			p.release(b)
		}
	}
	for _, b := range p.fresh {
		if b.refs == 0 {
			p.release(b)
		}
	}
	clear(p.fresh)
	p.fresh = p.fresh[:0]
	p.mu.Unlock()
}

// ---- kernel-side allocation ----------------------------------------------------

// Floats returns n float32s for the kernel's output or scratch: a recycled
// buffer with unspecified contents inside a runner, zeroed memory otherwise.
// The kernel must write every element it later reads.
func (c *Ctx) Floats(n int) []float32 {
	if c == nil || c.pool == nil {
		return make([]float32, n)
	}
	return c.pool.floats(n)
}

// Ints is Floats for int64 data.
func (c *Ctx) Ints(n int) []int64 {
	if c == nil || c.pool == nil {
		return make([]int64, n)
	}
	return c.pool.ints(n)
}

// Float64s returns n float64s of scratch (pooled int64 memory inside a
// runner; contents unspecified).
func (c *Ctx) Float64s(n int) []float64 {
	if c == nil || c.pool == nil || n <= 0 {
		return make([]float64, n)
	}
	s := c.pool.ints(n)
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), n)
}

// FloatsZero is Floats, cleared.
func (c *Ctx) FloatsZero(n int) []float32 {
	f := c.Floats(n)
	if c != nil && c.pool != nil {
		clear(f)
	}
	return f
}

// NewData allocates a value of type t and dims with unspecified contents
// (see Floats): the kernel writes every element.
func (c *Ctx) NewData(t ir.DataType, dims []int) *ir.Data {
	d := &ir.Data{Type: t, Dims: append([]int{}, dims...)}
	n := ir.Volume(dims)
	if ir.IsIntLike(t) {
		d.I = c.Ints(n)
	} else {
		d.F = c.Floats(n)
	}
	return d
}

// NewDataZero is NewData with zeroed contents.
func (c *Ctx) NewDataZero(t ir.DataType, dims []int) *ir.Data {
	d := c.NewData(t, dims)
	if c != nil && c.pool != nil {
		clear(d.F)
		clear(d.I)
	}
	return d
}

// sameData reports whether a and b share their first element (an output
// that is a view of an input).
func sameData(a, b *ir.Data) bool {
	if a == nil || b == nil {
		return false
	}
	if cap(a.F) > 0 && cap(b.F) > 0 {
		return unsafe.SliceData(a.F) == unsafe.SliceData(b.F)
	}
	if cap(a.I) > 0 && cap(b.I) > 0 {
		return unsafe.SliceData(a.I) == unsafe.SliceData(b.I)
	}
	return false
}
