package cuda

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/gotrt/gotrt/internal/cgo"
)

// DevicePtr is a device address (CUdeviceptr).
type DevicePtr uintptr

// Elem is the set of element types that may be copied between host and device: plain
// numbers, which hold no Go pointers.
type Elem interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// Buffer is device memory from cuMemAlloc, or a view of part of one (Slice).
type Buffer struct {
	ctx  *Context
	ptr  DevicePtr
	size int
	view bool

	mu     sync.Mutex
	closed bool
}

// Alloc allocates size bytes of device memory. Allocation failure matches ErrOutOfMemory.
func (c *Context) Alloc(size int) (*Buffer, error) {
	h, err := c.live()
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, fmt.Errorf("%w: allocation of %d bytes", ErrInvalidValue, size)
	}
	p, code := cgo.CuMalloc(h, uint64(size))
	if err := newError(LibDriver, code, "cuMemAlloc_v2"); err != nil {
		return nil, fmt.Errorf("allocating %d bytes: %w", size, err)
	}
	return &Buffer{ctx: c, ptr: DevicePtr(p), size: size}, nil
}

// AllocFor allocates a buffer for n elements of T.
func AllocFor[T Elem](c *Context, n int) (*Buffer, error) {
	var z T
	return c.Alloc(n * int(unsafe.Sizeof(z)))
}

// Ptr returns the device address (0 once closed).
func (b *Buffer) Ptr() DevicePtr {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0
	}
	return b.ptr
}

// Size returns the buffer's size in bytes.
func (b *Buffer) Size() int { return b.size }

// Context returns the buffer's context.
func (b *Buffer) Context() *Context { return b.ctx }

// Slice returns a view of n bytes at offset off. A view does not own memory: its Close does
// nothing, and it must not be used after its parent is closed.
func (b *Buffer) Slice(off, n int) (*Buffer, error) {
	if off < 0 || n < 0 || off+n > b.size {
		return nil, fmt.Errorf("%w: slice [%d:%d] of a %d-byte buffer", ErrInvalidValue, off, off+n, b.size)
	}
	p, err := b.live()
	if err != nil {
		return nil, err
	}
	return &Buffer{ctx: b.ctx, ptr: p + DevicePtr(off), size: n, view: true}, nil
}

// Close frees the memory. It is idempotent.
func (b *Buffer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.view {
		return nil
	}
	h, err := b.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuFree(h, uint64(b.ptr)), "cuMemFree_v2")
}

func (b *Buffer) live() (DevicePtr, error) {
	if b == nil {
		return 0, closedError("nil buffer")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, closedError("buffer")
	}
	return b.ptr, nil
}

func bytesOf[T Elem](s []T) (unsafe.Pointer, int) {
	if len(s) == 0 {
		return nil, 0
	}
	var z T
	return unsafe.Pointer(&s[0]), len(s) * int(unsafe.Sizeof(z))
}

// CopyHtoD copies src to the start of dst. It returns when the data is on the device.
func CopyHtoD[T Elem](dst *Buffer, src []T) error {
	p, n := bytesOf(src)
	if n == 0 {
		return nil
	}
	d, err := dst.live()
	if err != nil {
		return err
	}
	if n > dst.size {
		return fmt.Errorf("%w: copying %d bytes into a %d-byte buffer", ErrInvalidValue, n, dst.size)
	}
	h, err := dst.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuHtoD(h, uint64(d), p, uint64(n)), "cuMemcpyHtoD_v2")
}

// CopyDtoH copies the start of src into dst, len(dst) elements.
func CopyDtoH[T Elem](dst []T, src *Buffer) error {
	p, n := bytesOf(dst)
	if n == 0 {
		return nil
	}
	s, err := src.live()
	if err != nil {
		return err
	}
	if n > src.size {
		return fmt.Errorf("%w: copying %d bytes out of a %d-byte buffer", ErrInvalidValue, n, src.size)
	}
	h, err := src.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuDtoH(h, p, uint64(s), uint64(n)), "cuMemcpyDtoH_v2")
}

// CopyDtoD copies all of src to the start of dst. It returns when the copy is complete.
func CopyDtoD(dst, src *Buffer) error {
	d, s, h, err := dtodArgs(dst, src)
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuDtoD(h, uint64(d), uint64(s), uint64(src.size)), "cuMemcpyDtoD_v2")
}

// CopyDtoDAsync copies all of src to the start of dst on stream s.
func CopyDtoDAsync(dst, src *Buffer, s *Stream) error {
	d, sp, h, err := dtodArgs(dst, src)
	if err != nil {
		return err
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuDtoDAsync(h, uint64(d), uint64(sp), uint64(src.size), st),
		"cuMemcpyDtoDAsync_v2")
}

func dtodArgs(dst, src *Buffer) (DevicePtr, DevicePtr, uintptr, error) {
	d, err := dst.live()
	if err != nil {
		return 0, 0, 0, err
	}
	s, err := src.live()
	if err != nil {
		return 0, 0, 0, err
	}
	if src.size > dst.size {
		return 0, 0, 0, fmt.Errorf("%w: copying %d bytes into a %d-byte buffer", ErrInvalidValue, src.size, dst.size)
	}
	h, err := dst.ctx.live()
	return d, s, h, err
}

// Memset sets every byte of b to v. It returns when the memory is set.
func (b *Buffer) Memset(v byte) error {
	p, err := b.live()
	if err != nil {
		return err
	}
	h, err := b.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuMemsetD8(h, uint64(p), v, uint64(b.size), 0, false), "cuMemsetD8_v2")
}

// MemsetAsync sets every byte of b to v on stream s.
func (b *Buffer) MemsetAsync(v byte, s *Stream) error {
	p, err := b.live()
	if err != nil {
		return err
	}
	h, err := b.ctx.live()
	if err != nil {
		return err
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuMemsetD8(h, uint64(p), v, uint64(b.size), st, true), "cuMemsetD8Async")
}

// MemsetD32Async sets each 32-bit word of b (Size/4 of them) to v on stream s (nil: the
// legacy default stream).
func (b *Buffer) MemsetD32Async(v uint32, s *Stream) error {
	p, err := b.live()
	if err != nil {
		return err
	}
	h, err := b.ctx.live()
	if err != nil {
		return err
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuMemsetD32(h, uint64(p), v, uint64(b.size/4), st, true), "cuMemsetD32Async")
}

// HostBuffer is page-locked host memory from cuMemHostAlloc (C memory, not Go memory), the
// source and destination of asynchronous copies.
type HostBuffer struct {
	ctx  *Context
	p    unsafe.Pointer
	size int

	mu     sync.Mutex
	closed bool
}

// Host memory flags of cuMemHostAlloc.
const (
	HostAllocPortable      = 0x1
	HostAllocDeviceMap     = 0x2
	HostAllocWriteCombined = 0x4
)

// AllocHost allocates size bytes of page-locked host memory (flags: HostAlloc*, usually 0).
func (c *Context) AllocHost(size int, flags uint32) (*HostBuffer, error) {
	h, err := c.live()
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, fmt.Errorf("%w: host allocation of %d bytes", ErrInvalidValue, size)
	}
	p, code := cgo.CuHostAlloc(h, uint64(size), flags)
	if err := newError(LibDriver, code, "cuMemHostAlloc"); err != nil {
		return nil, err
	}
	return &HostBuffer{ctx: c, p: p, size: size}, nil
}

// Size returns the size in bytes.
func (h *HostBuffer) Size() int { return h.size }

// Bytes returns the memory as a byte slice (nil once closed). The slice must not be used
// after Close.
func (h *HostBuffer) Bytes() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	return unsafe.Slice((*byte)(h.p), h.size)
}

// HostSlice views a HostBuffer as a slice of T (nil once closed).
func HostSlice[T Elem](h *HostBuffer) []T {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	var z T
	return unsafe.Slice((*T)(h.p), h.size/int(unsafe.Sizeof(z)))
}

// Close frees the memory. It is idempotent.
func (h *HostBuffer) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	c, err := h.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuHostFree(c, h.p), "cuMemFreeHost")
}

func (h *HostBuffer) live() (unsafe.Pointer, error) {
	if h == nil {
		return nil, closedError("nil host buffer")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, closedError("host buffer")
	}
	return h.p, nil
}

// CopyHtoDAsync copies all of src to the start of dst on stream s.
func CopyHtoDAsync(dst *Buffer, src *HostBuffer, s *Stream) error {
	d, err := dst.live()
	if err != nil {
		return err
	}
	p, err := src.live()
	if err != nil {
		return err
	}
	if src.size > dst.size {
		return fmt.Errorf("%w: copying %d bytes into a %d-byte buffer", ErrInvalidValue, src.size, dst.size)
	}
	h, err := dst.ctx.live()
	if err != nil {
		return err
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuHtoDAsync(h, uint64(d), p, uint64(src.size), st), "cuMemcpyHtoDAsync_v2")
}

// CopyDtoHAsync copies all of src to the start of dst on stream s.
func CopyDtoHAsync(dst *HostBuffer, src *Buffer, s *Stream) error {
	p, err := dst.live()
	if err != nil {
		return err
	}
	sp, err := src.live()
	if err != nil {
		return err
	}
	if src.size > dst.size {
		return fmt.Errorf("%w: copying %d bytes into a %d-byte host buffer", ErrInvalidValue, src.size, dst.size)
	}
	h, err := src.ctx.live()
	if err != nil {
		return err
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuDtoHAsync(h, p, uint64(sp), uint64(src.size), st), "cuMemcpyDtoHAsync_v2")
}
