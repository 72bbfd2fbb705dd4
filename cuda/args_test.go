package cuda

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPackArgsLayout(t *testing.T) {
	p, err := packArgs([]any{
		DevicePtr(0x1122334455667788), // 0
		float32(1.5),                  // 8
		int32(-7),                     // 12
		int8(3),                       // 16
		int64(-2),                     // 24 (aligned to 8)
		Half(0x3c00),                  // 32
		uint16(9),                     // 34
		bool(true),                    // 36
		float64(2.25),                 // 40
		ArgBytes{Data: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Align: 4}, // 48
		uint32(5), // 60
	})
	require.NoError(t, err)
	require.Equal(t, []int32{0, 8, 12, 16, 24, 32, 34, 36, 40, 48, 60}, p.offsets)
	le := binary.LittleEndian
	require.Equal(t, uint64(0x1122334455667788), le.Uint64(p.buf[0:]))
	require.Equal(t, float32(1.5), math.Float32frombits(le.Uint32(p.buf[8:])))
	require.Equal(t, int32(-7), int32(le.Uint32(p.buf[12:])))
	require.Equal(t, byte(3), p.buf[16])
	require.Equal(t, int64(-2), int64(le.Uint64(p.buf[24:])))
	require.Equal(t, uint16(0x3c00), le.Uint16(p.buf[32:]))
	require.Equal(t, uint16(9), le.Uint16(p.buf[34:]))
	require.Equal(t, byte(1), p.buf[36])
	require.Equal(t, 2.25, math.Float64frombits(le.Uint64(p.buf[40:])))
	require.Equal(t, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, p.buf[48:60])
	require.Equal(t, uint32(5), le.Uint32(p.buf[60:]))
	require.Len(t, p.buf, 64)
}

func TestPackArgsRejects(t *testing.T) {
	cases := map[string]any{
		"int":        int(3),
		"uint":       uint(3),
		"string":     "x",
		"slice":      []float32{1},
		"pointer":    new(float32),
		"nil buffer": (*Buffer)(nil),
		"bad align":  ArgBytes{Data: []byte{1}, Align: 3},
		"empty":      ArgBytes{},
	}
	for name, a := range cases {
		_, err := packArgs([]any{int32(1), a})
		require.ErrorIs(t, err, ErrInvalidValue, name)
	}
	closed := &Buffer{ptr: 0x1000, size: 16, closed: true}
	_, err := packArgs([]any{closed})
	require.ErrorIs(t, err, ErrClosed)
}

func TestPackArgsBuffer(t *testing.T) {
	b := &Buffer{ptr: 0xdeadbeef00, size: 64}
	p, err := packArgs([]any{b, int32(1)})
	require.NoError(t, err)
	require.Equal(t, uint64(0xdeadbeef00), binary.LittleEndian.Uint64(p.buf))
	p, err = packArgs(nil)
	require.NoError(t, err)
	require.Empty(t, p.offsets)
}

func TestDim3(t *testing.T) {
	d, err := Dim3{X: 5}.dims()
	require.NoError(t, err)
	require.Equal(t, [3]uint32{5, 1, 1}, d)
	d, err = Dim3{X: 2, Y: 3, Z: 4}.dims()
	require.NoError(t, err)
	require.Equal(t, [3]uint32{2, 3, 4}, d)
	_, err = Dim3{X: -1}.dims()
	require.ErrorIs(t, err, ErrInvalidValue)
	require.Equal(t, Dim3{X: 7}, D1(7))
}

func TestHalfConversions(t *testing.T) {
	cases := []struct {
		f float32
		h Half
	}{
		{0, 0}, {1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, // rounds up to Inf
		{1e-8, 0}, {float32(math.Inf(-1)), 0xfc00}, {5.9604645e-08, 0x0001}, // smallest subnormal
		{1.0009765625, 0x3c01}, {1.00048828125, 0x3c00}, // tie -> even
		{1.00146484375, 0x3c02}, // tie -> even (up)
	}
	for _, c := range cases {
		require.Equal(t, c.h, Float32ToHalf(c.f), "%g", c.f)
	}
	// Every finite half survives the round trip through float32.
	for i := 0; i < 1<<16; i++ {
		h := Half(i)
		f := h.Float32()
		if f != f {
			require.True(t, Float32ToHalf(f).Float32() != Float32ToHalf(f).Float32())
			continue
		}
		require.Equal(t, h, Float32ToHalf(f), "half %#04x (%g)", i, f)
	}
}

func TestBFloat16Conversions(t *testing.T) {
	require.Equal(t, BFloat16(0x3f80), Float32ToBFloat16(1))
	require.Equal(t, float32(1), BFloat16(0x3f80).Float32())
	require.Equal(t, BFloat16(0x3f80), Float32ToBFloat16(math.Float32frombits(0x3f808000))) // tie -> even
	require.Equal(t, BFloat16(0x3f82), Float32ToBFloat16(math.Float32frombits(0x3f818000))) // tie -> even (up)
	nan := Float32ToBFloat16(float32(math.NaN())).Float32()
	require.True(t, nan != nan)
	for i := 0; i < 1<<16; i += 7 {
		b := BFloat16(i)
		f := b.Float32()
		if f == f {
			require.Equal(t, b, Float32ToBFloat16(f))
		}
	}
}

func TestNilAndClosedResources(t *testing.T) {
	var s *Stream
	require.NoError(t, s.Close())
	h, err := s.handleOrDefault()
	require.NoError(t, err)
	require.Zero(t, h)
	var e *Event
	require.NoError(t, e.Close())
	require.ErrorIs(t, e.Record(nil), ErrClosed)
	var g *Graph
	require.NoError(t, g.Close())
	var m *Module
	require.NoError(t, m.Close())
	var ctx *Context
	_, err = ctx.Alloc(16)
	require.ErrorIs(t, err, ErrClosed)
	b := &Buffer{ptr: 1, size: 8, closed: true}
	require.NoError(t, b.Close(), "Close is idempotent")
	require.Zero(t, b.Ptr())
	require.ErrorIs(t, CopyHtoD(b, []float32{1}), ErrClosed)
}
