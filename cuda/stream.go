package cuda

import (
	"errors"
	"sync"

	"github.com/gotrt/gotrt/internal/cgo"
)

// Stream flags of cuStreamCreate.
const (
	StreamDefault     = 0x0
	StreamNonBlocking = 0x1 // no implicit synchronization with the legacy default stream
)

// Stream is a CUDA stream. A nil *Stream stands for the legacy default stream wherever a
// stream is taken (it cannot be captured into a graph).
type Stream struct {
	ctx    *Context
	handle uintptr

	mu        sync.Mutex
	closed    bool
	capturing bool
}

// NewStream creates a non-blocking stream.
func (c *Context) NewStream() (*Stream, error) { return c.NewStreamFlags(StreamNonBlocking) }

// NewStreamFlags creates a stream with the given flags (Stream*).
func (c *Context) NewStreamFlags(flags uint32) (*Stream, error) {
	h, err := c.live()
	if err != nil {
		return nil, err
	}
	s, code := cgo.CuStreamCreate(h, flags)
	if err := newError(LibDriver, code, "cuStreamCreate"); err != nil {
		return nil, err
	}
	return &Stream{ctx: c, handle: s}, nil
}

// Handle returns the CUstream (0 for nil, the legacy default stream).
func (s *Stream) Handle() uintptr {
	if s == nil {
		return 0
	}
	return s.handle
}

func (s *Stream) handleOrDefault() (uintptr, error) {
	if s == nil {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, closedError("stream")
	}
	return s.handle, nil
}

func (s *Stream) live() (ctx, stream uintptr, err error) {
	if s == nil {
		return 0, 0, closedError("nil stream")
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return 0, 0, err
	}
	c, err := s.ctx.live()
	return c, st, err
}

// Synchronize waits for the work queued on the stream.
func (s *Stream) Synchronize() error {
	c, st, err := s.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuStreamSync(c, st), "cuStreamSynchronize")
}

// Done reports whether all work queued on the stream has completed.
func (s *Stream) Done() (bool, error) {
	c, st, err := s.live()
	if err != nil {
		return false, err
	}
	err = newError(LibDriver, cgo.CuStreamQuery(c, st), "cuStreamQuery")
	if errors.Is(err, ErrNotReady) {
		return false, nil
	}
	return err == nil, err
}

// WaitEvent makes later work on the stream wait for e.
func (s *Stream) WaitEvent(e *Event) error {
	c, st, err := s.live()
	if err != nil {
		return err
	}
	eh, err := e.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuStreamWaitEvent(c, st, eh), "cuStreamWaitEvent")
}

// Close destroys the stream. It is idempotent.
func (s *Stream) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	c, err := s.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuStreamDestroy(c, s.handle), "cuStreamDestroy_v2")
}

// Event flags of cuEventCreate.
const (
	EventDefault       = 0x0
	EventBlockingSync  = 0x1
	EventDisableTiming = 0x2
)

// Event is a CUDA event.
type Event struct {
	ctx    *Context
	handle uintptr

	mu     sync.Mutex
	closed bool
}

// NewEvent creates an event that records time.
func (c *Context) NewEvent() (*Event, error) { return c.NewEventFlags(EventDefault) }

// NewEventFlags creates an event with the given flags (Event*).
func (c *Context) NewEventFlags(flags uint32) (*Event, error) {
	h, err := c.live()
	if err != nil {
		return nil, err
	}
	e, code := cgo.CuEventCreate(h, flags)
	if err := newError(LibDriver, code, "cuEventCreate"); err != nil {
		return nil, err
	}
	return &Event{ctx: c, handle: e}, nil
}

func (e *Event) live() (uintptr, error) {
	if e == nil {
		return 0, closedError("nil event")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, closedError("event")
	}
	return e.handle, nil
}

// Record records the event on stream s (nil: the legacy default stream).
func (e *Event) Record(s *Stream) error {
	eh, err := e.live()
	if err != nil {
		return err
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	c, err := e.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuEventRecord(c, eh, st), "cuEventRecord")
}

// Synchronize waits for the event.
func (e *Event) Synchronize() error {
	eh, err := e.live()
	if err != nil {
		return err
	}
	c, err := e.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuEventSync(c, eh), "cuEventSynchronize")
}

// Done reports whether the work before the event's record has completed.
func (e *Event) Done() (bool, error) {
	eh, err := e.live()
	if err != nil {
		return false, err
	}
	c, err := e.ctx.live()
	if err != nil {
		return false, err
	}
	err = newError(LibDriver, cgo.CuEventQuery(c, eh), "cuEventQuery")
	if errors.Is(err, ErrNotReady) {
		return false, nil
	}
	return err == nil, err
}

// Close destroys the event. It is idempotent.
func (e *Event) Close() error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	c, err := e.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuEventDestroy(c, e.handle), "cuEventDestroy_v2")
}

// Elapsed returns the time in milliseconds between two recorded events.
func Elapsed(start, end *Event) (float32, error) {
	a, err := start.live()
	if err != nil {
		return 0, err
	}
	b, err := end.live()
	if err != nil {
		return 0, err
	}
	c, err := start.ctx.live()
	if err != nil {
		return 0, err
	}
	ms, code := cgo.CuEventElapsed(c, a, b)
	return ms, newError(LibDriver, code, "cuEventElapsedTime")
}

// ---- graphs ----

// CaptureMode is a CUstreamCaptureMode.
type CaptureMode int32

// Capture modes. Go runs goroutines on many threads, so the thread-local mode is of little
// use; BeginCapture uses CaptureRelaxed.
const (
	CaptureGlobal      CaptureMode = 0
	CaptureThreadLocal CaptureMode = 1
	CaptureRelaxed     CaptureMode = 2
)

// BeginCapture starts capturing the work queued on s into a graph (relaxed mode).
func (s *Stream) BeginCapture() error { return s.BeginCaptureMode(CaptureRelaxed) }

// BeginCaptureMode starts capturing with the given mode.
func (s *Stream) BeginCaptureMode(mode CaptureMode) error {
	c, st, err := s.live()
	if err != nil {
		return err
	}
	if err := newError(LibDriver, cgo.CuBeginCapture(c, st, int32(mode)), "cuStreamBeginCapture_v2"); err != nil {
		return err
	}
	s.mu.Lock()
	s.capturing = true
	s.mu.Unlock()
	return nil
}

// EndCapture ends capturing and returns the captured graph.
func (s *Stream) EndCapture() (*Graph, error) {
	c, st, err := s.live()
	if err != nil {
		return nil, err
	}
	g, code := cgo.CuEndCapture(c, st)
	s.mu.Lock()
	s.capturing = false
	s.mu.Unlock()
	if err := newError(LibDriver, code, "cuStreamEndCapture"); err != nil {
		if g != 0 {
			cgo.CuGraphDestroy(c, g)
		}
		return nil, err
	}
	return &Graph{ctx: s.ctx, handle: g}, nil
}

// Graph is a CUDA graph.
type Graph struct {
	ctx    *Context
	handle uintptr

	mu     sync.Mutex
	closed bool
}

func (g *Graph) live() (ctx, graph uintptr, err error) {
	if g == nil {
		return 0, 0, closedError("nil graph")
	}
	g.mu.Lock()
	closed := g.closed
	g.mu.Unlock()
	if closed {
		return 0, 0, closedError("graph")
	}
	c, err := g.ctx.live()
	return c, g.handle, err
}

// Graph instantiation flags of cuGraphInstantiateWithFlags.
const (
	GraphInstantiateAutoFreeOnLaunch = 0x1
)

// Instantiate makes an executable graph.
func (g *Graph) Instantiate() (*GraphExec, error) { return g.InstantiateFlags(0) }

// InstantiateFlags makes an executable graph with the given flags.
func (g *Graph) InstantiateFlags(flags uint64) (*GraphExec, error) {
	c, h, err := g.live()
	if err != nil {
		return nil, err
	}
	e, code := cgo.CuGraphInstantiate(c, h, flags)
	if err := newError(LibDriver, code, "cuGraphInstantiateWithFlags"); err != nil {
		return nil, err
	}
	return &GraphExec{ctx: g.ctx, handle: e}, nil
}

// Close destroys the graph (executable graphs made from it stay valid). It is idempotent.
func (g *Graph) Close() error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	c, err := g.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuGraphDestroy(c, g.handle), "cuGraphDestroy")
}

// GraphExec is an executable CUDA graph.
type GraphExec struct {
	ctx    *Context
	handle uintptr

	mu     sync.Mutex
	closed bool
}

// Launch replays the graph on stream s.
func (e *GraphExec) Launch(s *Stream) error {
	if e == nil {
		return closedError("nil graph exec")
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return closedError("graph exec")
	}
	st, err := s.handleOrDefault()
	if err != nil {
		return err
	}
	c, err := e.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuGraphLaunch(c, e.handle, st), "cuGraphLaunch")
}

// Close destroys the executable graph. It is idempotent.
func (e *GraphExec) Close() error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	c, err := e.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuGraphExecDestroy(c, e.handle), "cuGraphExecDestroy")
}
