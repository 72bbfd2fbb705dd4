package cuda

import (
	"sync"

	"github.com/gotrt/gotrt/internal/cgo"
)

// Context is a retained primary context of a device. Every operation that needs it makes it
// current on the calling thread in the same cgo call, so a Context may be used from any
// goroutine. Close it after the resources made in it (buffers, streams, modules ...): when
// the last retain of a primary context is released, the driver destroys it with everything
// in it.
type Context struct {
	dev    *Device
	handle uintptr

	mu     sync.Mutex
	closed bool
}

// Context retains the device's primary context.
func (d *Device) Context() (*Context, error) {
	h, code := cgo.CuCtxRetain(d.dev)
	if err := newError(LibDriver, code, "cuDevicePrimaryCtxRetain"); err != nil {
		return nil, err
	}
	return &Context{dev: d, handle: h}, nil
}

// Device returns the context's device.
func (c *Context) Device() *Device { return c.dev }

// Handle returns the CUcontext.
func (c *Context) Handle() uintptr { return c.handle }

// Synchronize waits for all work in the context.
func (c *Context) Synchronize() error {
	h, err := c.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuCtxSync(h), "cuCtxSynchronize")
}

// MemGetInfo returns the device's free and total memory in bytes.
func (c *Context) MemGetInfo() (free, total uint64, err error) {
	h, err := c.live()
	if err != nil {
		return 0, 0, err
	}
	f, t, code := cgo.CuMemInfo(h)
	return f, t, newError(LibDriver, code, "cuMemGetInfo_v2")
}

// Close releases the primary context. It is idempotent.
func (c *Context) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return newError(LibDriver, cgo.CuCtxRelease(c.dev.dev), "cuDevicePrimaryCtxRelease_v2")
}

func (c *Context) live() (uintptr, error) {
	if c == nil {
		return 0, closedError("nil context")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, closedError("context")
	}
	return c.handle, nil
}
