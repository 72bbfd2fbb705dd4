package gpu

// Host-side tests of the backend's helpers (no GPU needed).

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/stretchr/testify/require"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	f := &ir.Data{Type: ir.Float, Dims: []int{5}, F: []float32{1.5, -2.25, 0, float32(math.Inf(1)), 65519}}
	for _, typ := range []ir.DataType{ir.Float, ir.Half, ir.BF16, ir.Double} {
		b, err := encode(f, typ)
		require.NoError(t, err)
		require.Len(t, b, 5*elemSize(typ))
		d, err := decode(b, typ, f.Dims)
		require.NoError(t, err)
		want := convertData(f, typ)
		require.Equal(t, want.F, d.F, "%v", typ)
	}
	i := &ir.Data{Type: ir.Int64, Dims: []int{2, 3}, I: []int64{-1, 0, 1, 127, 128, 1 << 40}}
	for _, typ := range []ir.DataType{ir.Int8, ir.UInt8, ir.Int32, ir.Int64, ir.Bool} {
		b, err := encode(i, typ)
		require.NoError(t, err)
		d, err := decode(b, typ, i.Dims)
		require.NoError(t, err)
		require.Equal(t, convertData(i, typ).I, d.I, "%v", typ)
	}
	// float to integer: truncation, NaN 0, saturation, then wrap
	g := &ir.Data{Type: ir.Float, Dims: []int{4}, F: []float32{-1.7, float32(math.NaN()), 300.9, float32(math.Inf(-1))}}
	b, err := encode(g, ir.Int8)
	require.NoError(t, err)
	d, err := decode(b, ir.Int8, g.Dims)
	require.NoError(t, err)
	require.Equal(t, []int64{-1, 0, 44, 0}, d.I)
}

func TestBucket(t *testing.T) {
	prev := 0
	for n := 1; n < 1<<26; n = n*3/2 + 1 {
		b := bucket(n)
		require.GreaterOrEqual(t, b, n)
		require.GreaterOrEqual(t, b, prev)
		if n > 64<<10 {
			require.Less(t, float64(b), float64(n)*1.126, "waste at %d", n)
		}
		prev = b
	}
	require.Equal(t, 256, bucket(1))
	require.Equal(t, 4096, bucket(4000))
}

func TestTrivialPerm(t *testing.T) {
	require.True(t, trivialPerm([]int{1, 5, 7}, []int{1, 0, 2}))
	require.True(t, trivialPerm([]int{4, 1, 7}, []int{0, 2, 1}))
	require.False(t, trivialPerm([]int{4, 5, 7}, []int{0, 2, 1}))
	require.True(t, trivialPerm([]int{4, 5}, nil))
}

func TestBroadcastStrides(t *testing.T) {
	require.Equal(t, []int64{128, 0}, bstrides([]int{2, 1}, []int{2, 3}, 128))
	require.Equal(t, []int64{0, 256}, bstrides([]int{1, 3}, []int{2, 3}, 256))
	require.Equal(t, []int64{384, 128}, bstrides([]int{2, 3}, []int{2, 3}, 128))
}

// The kernel source has one kernel per type pair; GOTRT_DUMP_BUILTIN=file
// writes it out (for an offline NVRTC syntax check).
func TestBuiltinSource(t *testing.T) {
	src := builtinSource()
	require.Equal(t, 9*9+3*3, strings.Count(src, "extern \"C\" __global__"))
	require.NotContains(t, src, "#include")
	if p := os.Getenv("GOTRT_DUMP_BUILTIN"); p != "" {
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
}
