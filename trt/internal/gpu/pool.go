package gpu

import (
	"errors"
	"math/bits"

	"github.com/gotrt/gotrt/cuda"
)

// pool is a runner's size-bucketed device memory: buffers released by the
// plan's Free lists go back to their bucket and serve later steps (and later
// runs), so a steady-state run allocates nothing. Not safe for concurrent use:
// every runner has its own.
type pool struct {
	ctx   *cuda.Context
	free  map[int][]*cuda.Buffer
	all   map[*cuda.Buffer]int // every buffer the pool owns, with its bucket
	bytes int                  // bytes held
	// trimmed counts how often memory went back to the driver (a CUDA graph
	// holding addresses of the pool must then be dropped).
	trimmed int
}

func newPool(ctx *cuda.Context) *pool {
	return &pool{ctx: ctx, free: map[int][]*cuda.Buffer{}, all: map[*cuda.Buffer]int{}}
}

// bucket rounds a request up: powers of two up to 64 KiB, then eight steps
// per octave (waste under 12.5%).
func bucket(n int) int {
	if n <= 256 {
		return 256
	}
	if n <= 64<<10 {
		return 1 << bits.Len(uint(n-1))
	}
	hi := 1 << (bits.Len(uint(n-1)) - 1) // largest power of two below n
	step := hi / 8
	return (n + step - 1) / step * step
}

// get returns a buffer of at least n bytes. When the device is out of memory
// it returns every idle buffer to the driver and tries once more; the error
// then matches cuda.ErrOutOfMemory.
func (p *pool) get(n int) (*cuda.Buffer, error) {
	b := bucket(n)
	if l := p.free[b]; len(l) > 0 {
		buf := l[len(l)-1]
		p.free[b] = l[:len(l)-1]
		return buf, nil
	}
	buf, err := p.ctx.Alloc(b)
	if err != nil && errors.Is(err, cuda.ErrOutOfMemory) && p.idleBytes() > 0 {
		p.trim()
		buf, err = p.ctx.Alloc(b)
	}
	if err != nil {
		return nil, err
	}
	p.all[buf] = b
	p.bytes += b
	return buf, nil
}

// put returns a buffer to its bucket.
func (p *pool) put(buf *cuda.Buffer) {
	b, ok := p.all[buf]
	if !ok {
		return
	}
	p.free[b] = append(p.free[b], buf)
}

func (p *pool) idleBytes() int {
	n := 0
	for b, l := range p.free {
		n += b * len(l)
	}
	return n
}

// trim frees every idle buffer.
func (p *pool) trim() {
	for b, l := range p.free {
		for _, buf := range l {
			buf.Close()
			delete(p.all, buf)
			p.bytes -= b
		}
		delete(p.free, b)
	}
	p.trimmed++
}

// close frees every buffer, idle or not.
func (p *pool) close() {
	for buf := range p.all {
		buf.Close()
	}
	p.all = map[*cuda.Buffer]int{}
	p.free = map[int][]*cuda.Buffer{}
	p.bytes = 0
}
