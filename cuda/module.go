package cuda

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/gotrt/gotrt/internal/cgo"
)

// Module is loaded device code (CUBIN, fatbin or PTX).
type Module struct {
	ctx    *Context
	handle uintptr

	mu     sync.Mutex
	closed bool
	funcs  map[string]*Function
}

// LoadModule loads a CUBIN, fatbin or PTX image into the context. PTX is compiled by the
// driver; its error log is part of the error.
func (c *Context) LoadModule(image []byte) (*Module, error) {
	h, err := c.live()
	if err != nil {
		return nil, err
	}
	if len(image) == 0 {
		return nil, fmt.Errorf("%w: empty module image", ErrInvalidValue)
	}
	img := image
	if isPTX(image) && image[len(image)-1] != 0 {
		img = append(append(make([]byte, 0, len(image)+1), image...), 0)
	}
	m, log, code := cgo.CuModuleLoad(h, img)
	if err := newErrorMsg(LibDriver, code, "cuModuleLoadDataEx", strings.TrimSpace(log)); err != nil {
		return nil, err
	}
	return &Module{ctx: c, handle: m, funcs: map[string]*Function{}}, nil
}

// LoadProgram loads the code of a compiled program.
func (c *Context) LoadProgram(p *Program) (*Module, error) { return c.LoadModule(p.Code) }

// isPTX tells PTX text from ELF (CUBIN) and fatbin images.
func isPTX(b []byte) bool {
	if len(b) >= 4 && bytes.Equal(b[:4], []byte{0x7f, 'E', 'L', 'F'}) {
		return false
	}
	if len(b) >= 4 && binary.LittleEndian.Uint32(b) == 0xBA55ED50 {
		return false
	}
	return true
}

// Function returns the kernel named name (its extern "C" or lowered name).
func (m *Module) Function(name string) (*Function, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, closedError("module")
	}
	if f, ok := m.funcs[name]; ok {
		return f, nil
	}
	c, err := m.ctx.live()
	if err != nil {
		return nil, err
	}
	fh, code := cgo.CuModuleFunction(c, m.handle, name)
	if err := newErrorMsg(LibDriver, code, "cuModuleGetFunction", name); err != nil {
		return nil, err
	}
	f := &Function{mod: m, handle: fh, name: name}
	m.funcs[name] = f
	return f, nil
}

// Close unloads the module; its functions become invalid. It is idempotent.
func (m *Module) Close() error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	c, err := m.ctx.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuModuleUnload(c, m.handle), "cuModuleUnload")
}

// Function is a kernel of a loaded module.
type Function struct {
	mod    *Module
	handle uintptr
	name   string
}

// Name returns the kernel's name.
func (f *Function) Name() string { return f.name }

func (f *Function) live() (ctx, fn uintptr, err error) {
	if f == nil {
		return 0, 0, closedError("nil function")
	}
	f.mod.mu.Lock()
	closed := f.mod.closed
	f.mod.mu.Unlock()
	if closed {
		return 0, 0, closedError("function of closed module")
	}
	c, err := f.mod.ctx.live()
	return c, f.handle, err
}

// Function attributes (CUfunction_attribute).
const (
	FuncMaxThreadsPerBlock        = 0
	FuncSharedSizeBytes           = 1
	FuncConstSizeBytes            = 2
	FuncLocalSizeBytes            = 3
	FuncNumRegs                   = 4
	FuncPTXVersion                = 5
	FuncBinaryVersion             = 6
	FuncMaxDynamicSharedSizeBytes = 8
)

// Attribute reads a function attribute (Func*).
func (f *Function) Attribute(attr int) (int, error) {
	c, fh, err := f.live()
	if err != nil {
		return 0, err
	}
	v, code := cgo.CuFuncGetAttr(c, fh, int32(attr))
	return int(v), newError(LibDriver, code, "cuFuncGetAttribute")
}

// SetMaxDynamicSharedMemory lets launches of f use up to bytes of dynamic shared memory (more
// than 48 KiB needs this).
func (f *Function) SetMaxDynamicSharedMemory(bytes int) error {
	c, fh, err := f.live()
	if err != nil {
		return err
	}
	return newError(LibDriver, cgo.CuFuncSetAttr(c, fh, FuncMaxDynamicSharedSizeBytes, int32(bytes)),
		"cuFuncSetAttribute")
}

// MaxActiveBlocksPerSM returns how many blocks of blockSize threads fit on one SM.
func (f *Function) MaxActiveBlocksPerSM(blockSize, dynSharedMem int) (int, error) {
	c, fh, err := f.live()
	if err != nil {
		return 0, err
	}
	n, code := cgo.CuOccupancy(c, fh, int32(blockSize), uint64(dynSharedMem))
	return int(n), newError(LibDriver, code, "cuOccupancyMaxActiveBlocksPerMultiprocessor")
}

// Dim3 is a grid or block shape; a zero component counts as 1.
type Dim3 struct{ X, Y, Z int }

// D1 returns the one-dimensional shape {n, 1, 1}.
func D1(n int) Dim3 { return Dim3{X: n} }

func (d Dim3) dims() ([3]uint32, error) {
	var out [3]uint32
	for i, v := range [3]int{d.X, d.Y, d.Z} {
		if v == 0 {
			v = 1
		}
		if v < 0 || v > math.MaxUint32 {
			return out, fmt.Errorf("%w: dimension %d", ErrInvalidValue, v)
		}
		out[i] = uint32(v)
	}
	return out, nil
}

// Half is the bits of an IEEE binary16 value, passed to kernels as __half.
type Half uint16

// BFloat16 is the bits of a bfloat16 value, passed to kernels as __nv_bfloat16.
type BFloat16 uint16

// ArgBytes passes raw bytes (a struct by value, say) as one kernel argument aligned to Align
// (0: 8). Data must hold no Go pointers, only the bytes of the C layout.
type ArgBytes struct {
	Data  []byte
	Align int
}

// PtrArg is satisfied by values that stand for a device address (*Buffer).
type PtrArg interface{ Ptr() DevicePtr }

// packedArgs is the kernel arguments laid out in one byte buffer (no Go pointers in it) and
// the offset of each.
type packedArgs struct {
	buf     []byte
	offsets []int32
}

// packArgs marshals Go values into kernel arguments. Plain int and uint are refused: their
// C size would be a guess; say int32 or int64.
func packArgs(args []any) (packedArgs, error) {
	var p packedArgs
	p.offsets = make([]int32, 0, len(args))
	put := func(align int, b []byte) {
		off := (len(p.buf) + align - 1) / align * align
		for len(p.buf) < off {
			p.buf = append(p.buf, 0)
		}
		p.offsets = append(p.offsets, int32(off))
		p.buf = append(p.buf, b...)
	}
	le := binary.LittleEndian
	for i, a := range args {
		switch v := a.(type) {
		case DevicePtr:
			put(8, le.AppendUint64(nil, uint64(v)))
		case *Buffer:
			if v == nil {
				return p, fmt.Errorf("%w: argument %d is a nil *Buffer", ErrInvalidValue, i)
			}
			ptr, err := v.live()
			if err != nil {
				return p, fmt.Errorf("argument %d: %w", i, err)
			}
			put(8, le.AppendUint64(nil, uint64(ptr)))
		case PtrArg:
			put(8, le.AppendUint64(nil, uint64(v.Ptr())))
		case bool:
			b := byte(0)
			if v {
				b = 1
			}
			put(1, []byte{b})
		case int8:
			put(1, []byte{byte(v)})
		case uint8:
			put(1, []byte{v})
		case int16:
			put(2, le.AppendUint16(nil, uint16(v)))
		case uint16:
			put(2, le.AppendUint16(nil, v))
		case Half:
			put(2, le.AppendUint16(nil, uint16(v)))
		case BFloat16:
			put(2, le.AppendUint16(nil, uint16(v)))
		case int32:
			put(4, le.AppendUint32(nil, uint32(v)))
		case uint32:
			put(4, le.AppendUint32(nil, v))
		case float32:
			put(4, le.AppendUint32(nil, math.Float32bits(v)))
		case int64:
			put(8, le.AppendUint64(nil, uint64(v)))
		case uint64:
			put(8, le.AppendUint64(nil, v))
		case uintptr:
			put(8, le.AppendUint64(nil, uint64(v)))
		case float64:
			put(8, le.AppendUint64(nil, math.Float64bits(v)))
		case ArgBytes:
			al := v.Align
			if al == 0 {
				al = 8
			}
			if al < 0 || al&(al-1) != 0 || len(v.Data) == 0 {
				return p, fmt.Errorf("%w: argument %d: ArgBytes of %d bytes aligned to %d", ErrInvalidValue, i, len(v.Data), v.Align)
			}
			put(al, v.Data)
		case int, uint:
			return p, fmt.Errorf("%w: argument %d has type %T, whose size in C is ambiguous; pass int32 or int64", ErrInvalidValue, i, a)
		default:
			return p, fmt.Errorf("%w: argument %d has unsupported type %T", ErrInvalidValue, i, a)
		}
	}
	return p, nil
}

// Launch launches fn on stream (nil: the legacy default stream) with grid x block threads,
// sharedMem bytes of dynamic shared memory, and args: DevicePtr or *Buffer for pointers,
// int32/uint32/int64/uint64/float32/float64/int8/uint8/int16/uint16/bool/Half/BFloat16 for
// scalars, ArgBytes for structs by value. The arguments are copied before Launch returns.
func Launch(fn *Function, grid, block Dim3, sharedMem int, stream *Stream, args ...any) error {
	c, fh, err := fn.live()
	if err != nil {
		return err
	}
	g, err := grid.dims()
	if err != nil {
		return err
	}
	b, err := block.dims()
	if err != nil {
		return err
	}
	if sharedMem < 0 {
		return fmt.Errorf("%w: shared memory %d", ErrInvalidValue, sharedMem)
	}
	st, err := stream.handleOrDefault()
	if err != nil {
		return err
	}
	p, err := packArgs(args)
	if err != nil {
		return fmt.Errorf("launching %s: %w", fn.name, err)
	}
	return newErrorMsg(LibDriver, cgo.CuLaunch(c, fh, g, b, uint32(sharedMem), st, p.buf, p.offsets),
		"cuLaunchKernel", fn.name)
}
