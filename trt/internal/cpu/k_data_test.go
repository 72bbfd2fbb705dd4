package cpu

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt/internal/ir"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// Tests of k_data.go: Pooling, Resize, Padding, Gather, Scatter, Slice,
// Split against straightforward float64 references written here, and against
// the ONNX backend test data.

// ---- helpers -------------------------------------------------------------------

// kdRun builds a node of params over data inputs (nil = absent optional
// input) and evaluates it as constant folding does (kernel + output types).
func kdRun(p ir.Params, nout int, ins ...*ir.Data) ([]*ir.Data, error) {
	n := &ir.Node{Name: "kd", Kind: ir.KindOf(p), Params: p}
	for _, d := range ins {
		if d == nil {
			n.Inputs = append(n.Inputs, nil)
			continue
		}
		n.Inputs = append(n.Inputs, &ir.Tensor{Type: d.Type, Dims: d.Dims, Const: d})
	}
	infos, err := OutInfos(n, ins)
	for i := 0; i < nout; i++ {
		t := &ir.Tensor{Type: ins[0].Type}
		if err == nil && i < len(infos) {
			t.Type = infos[i].Type
		}
		n.Outputs = append(n.Outputs, t)
	}
	return Eval(n, ins)
}

func kdF(dims []int, v ...float64) *ir.Data {
	d := ir.NewData(ir.Float, dims)
	for i := range d.F {
		d.F[i] = float32(v[i])
	}
	return d
}

func kdI(t ir.DataType, dims []int, v ...int64) *ir.Data {
	d := ir.NewData(t, dims)
	copy(d.I, v)
	return d
}

func kdInts(v ...int64) *ir.Data { return kdI(ir.Int64, []int{len(v)}, v...) }

// kdRandF makes float data with values on a 1/16 grid in [-8, 8).
func kdRandF(rng *rand.Rand, dims []int) *ir.Data {
	d := ir.NewData(ir.Float, dims)
	for i := range d.F {
		d.F[i] = float32(rng.Intn(256)-128) / 16
	}
	return d
}

func kdRandI(rng *rand.Rand, t ir.DataType, dims []int, lo, hi int) *ir.Data {
	d := ir.NewData(t, dims)
	for i := range d.I {
		d.I[i] = int64(lo + rng.Intn(hi-lo))
	}
	return d
}

func kdB2I(b bool) int {
	if b {
		return 1
	}
	return 0
}

func kdVals(d *ir.Data) []float64 {
	out := make([]float64, d.Len())
	for i := range out {
		out[i] = d.Float(i)
	}
	return out
}

func kdVol(dims []int) int {
	n := 1
	for _, v := range dims {
		n *= v
	}
	return n
}

// kdIndices lists every multi-index of dims in row-major order.
func kdIndices(dims []int) [][]int {
	n := kdVol(dims)
	out := make([][]int, 0, n)
	cur := make([]int, len(dims))
	for i := 0; i < n; i++ {
		out = append(out, append([]int{}, cur...))
		for a := len(dims) - 1; a >= 0; a-- {
			cur[a]++
			if cur[a] < dims[a] {
				break
			}
			cur[a] = 0
		}
	}
	return out
}

// kdFlat is the row-major offset of idx in dims.
func kdFlat(idx, dims []int) int {
	off := 0
	for a := range dims {
		off = off*dims[a] + idx[a]
	}
	return off
}

// kdClose compares got with want (dims and values, NaN equal to NaN).
func kdClose(t *testing.T, what string, got *ir.Data, wantDims []int, want []float64, rtol, atol float64) {
	t.Helper()
	require.NotNil(t, got, what)
	require.Equal(t, fmt.Sprint(wantDims), fmt.Sprint(got.Dims), "%s: dims", what)
	require.Equal(t, len(want), got.Len(), "%s: length", what)
	bad := 0
	for i, w := range want {
		g := got.Float(i)
		if math.IsNaN(w) && math.IsNaN(g) {
			continue
		}
		if math.IsInf(w, 0) && g == w {
			continue
		}
		if !(math.Abs(g-w) <= atol+rtol*math.Abs(w)) {
			if bad < 5 {
				t.Errorf("%s: element %d = %v, want %v", what, i, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements differ", what, bad, len(want))
	}
}

func kdExact(t *testing.T, what string, got *ir.Data, wantDims []int, want []float64) {
	t.Helper()
	kdClose(t, what, got, wantDims, want, 0, 0)
}

// ---- Slice ---------------------------------------------------------------------

// kdRefSlice follows the ONNX Slice text: negative starts/ends count from the
// end, then clamp to [0, dim] (step > 0) or [0, dim-1] / [-1, dim-1] (step < 0).
func kdRefSlice(x []float64, dims []int, starts, ends, axes, steps []int64) ([]float64, []int) {
	r := len(dims)
	sel := make([][]int, r)
	for a := range sel {
		for i := 0; i < dims[a]; i++ {
			sel[a] = append(sel[a], i)
		}
	}
	for i := range starts {
		a := int(i)
		if axes != nil {
			a = int(axes[i])
			if a < 0 {
				a += r
			}
		}
		step := int64(1)
		if steps != nil {
			step = steps[i]
		}
		d := int64(dims[a])
		s, e := starts[i], ends[i]
		if s < 0 {
			s += d
		}
		if e < 0 {
			e += d
		}
		sel[a] = sel[a][:0]
		if step > 0 {
			s, e = min(max(s, 0), d), min(max(e, 0), d)
			for j := s; j < e; j += step {
				sel[a] = append(sel[a], int(j))
				if j > math.MaxInt64-step {
					break
				}
			}
		} else {
			s, e = min(max(s, 0), d-1), min(max(e, -1), d-1)
			for j := s; j > e; j += step {
				sel[a] = append(sel[a], int(j))
				if j < math.MinInt64-step {
					break
				}
			}
		}
	}
	od := make([]int, r)
	for a := range od {
		od[a] = len(sel[a])
	}
	var out []float64
	for _, idx := range kdIndices(od) {
		src := make([]int, r)
		for a := range src {
			src[a] = sel[a][idx[a]]
		}
		out = append(out, x[kdFlat(src, dims)])
	}
	return out, od
}

func TestDataSlice(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const big, small = math.MaxInt64, math.MinInt64
	cases := []struct {
		dims                      []int
		starts, ends, axes, steps []int64
	}{
		{[]int{7}, []int64{1}, []int64{5}, nil, nil},
		{[]int{7}, []int64{-1}, []int64{small}, nil, []int64{-1}},
		{[]int{7}, []int64{big}, []int64{small}, []int64{0}, []int64{-3}},
		{[]int{7}, []int64{0}, []int64{big}, nil, []int64{big}},
		{[]int{7}, []int64{6}, []int64{small}, nil, []int64{small}},
		{[]int{7}, []int64{-100}, []int64{100}, nil, []int64{2}},
		{[]int{7}, []int64{5}, []int64{2}, nil, nil}, // empty
		{[]int{4, 5}, []int64{1, -1}, []int64{3, 0}, []int64{0, 1}, []int64{1, -2}},
		{[]int{4, 5}, []int64{0}, []int64{-1}, []int64{-1}, nil},
		{[]int{1, 5}, []int64{0, 0}, []int64{1, 5}, nil, nil},
		{[]int{2, 3, 1, 4, 5}, []int64{1, 3, 0, -2}, []int64{big, -4, 1, small}, []int64{1, 4, 2, -2}, []int64{1, -1, 1, -1}},
		{[]int{2, 0, 3}, []int64{0}, []int64{2}, []int64{2}, nil},
		{[]int{20, 10, 5}, []int64{20, 10, 4}, []int64{0, 0, 1}, []int64{0, 1, 2}, []int64{-1, -3, -2}},
	}
	for ci, c := range cases {
		x := kdRandF(rng, c.dims)
		ins := []*ir.Data{x, kdInts(c.starts...), kdInts(c.ends...), nil, nil}
		if c.axes != nil {
			ins[3] = kdInts(c.axes...)
		}
		if c.steps != nil {
			ins[4] = kdInts(c.steps...)
		}
		if c.steps == nil {
			ins = ins[:4]
			if c.axes == nil {
				ins = ins[:3]
			}
		}
		want, wd := kdRefSlice(kdVals(x), c.dims, c.starts, c.ends, c.axes, c.steps)
		out, err := kdRun(&ir.SliceParams{}, 1, ins...)
		require.NoError(t, err, "case %d", ci)
		kdExact(t, fmt.Sprintf("slice case %d", ci), out[0], wd, want)

		// The same on integer data (Int32 starts), bit for bit.
		xi := kdRandI(rng, ir.Int64, c.dims, -1<<40, 1<<40)
		ins[0] = xi
		ins[1] = kdI(ir.Int32, []int{len(c.starts)}, c.starts...)
		for i, v := range c.starts {
			ins[1].I[i] = ir.WrapInt(v, ir.Int32)
		}
		if ci != 2 && ci != 4 { // int32 starts would wrap
			want, wd = kdRefSlice(kdVals(xi), c.dims, ins[1].I, c.ends, c.axes, c.steps)
			out, err = kdRun(&ir.SliceParams{}, 1, ins...)
			require.NoError(t, err)
			kdExact(t, fmt.Sprintf("int slice case %d", ci), out[0], wd, want)
			require.Equal(t, ir.Int64, out[0].Type)
		}
	}
	_, err := kdRun(&ir.SliceParams{}, 1, kdF([]int{3}, 1, 2, 3), kdInts(0), kdInts(3), kdInts(0), kdInts(0))
	require.ErrorContains(t, err, "step is 0")
	_, err = kdRun(&ir.SliceParams{}, 1, kdF([]int{3}, 1, 2, 3), kdInts(0), kdInts(3), kdInts(1))
	require.Error(t, err)
}

// ---- Split ---------------------------------------------------------------------

func TestDataSplit(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	cases := []struct {
		dims    []int
		axis    int
		sizes   []int
		nout    int
		byInput bool
		want    []int
	}{
		{[]int{6}, 0, nil, 3, false, []int{2, 2, 2}},
		{[]int{7}, 0, nil, 3, false, []int{3, 3, 1}}, // ONNX-18 uneven split
		{[]int{2, 6}, -1, []int{1, 5}, 2, false, []int{1, 5}},
		{[]int{2, 6}, 1, []int{0, 2, 4}, 3, true, []int{0, 2, 4}},
		{[]int{0}, 0, []int{0, 0, 0}, 3, true, []int{0, 0, 0}},
		{[]int{2, 1, 3, 4, 2}, 3, []int{1, 3}, 2, false, []int{1, 3}},
		{[]int{1, 1, 5}, 2, nil, 5, false, []int{1, 1, 1, 1, 1}},
	}
	for ci, c := range cases {
		for _, typ := range []ir.DataType{ir.Float, ir.Int32, ir.Bool} {
			var x *ir.Data
			if typ == ir.Float {
				x = kdRandF(rng, c.dims)
			} else {
				x = kdRandI(rng, typ, c.dims, 0, 2)
			}
			p := &ir.SplitParams{Axis: c.axis, Sizes: c.sizes}
			ins := []*ir.Data{x}
			if c.byInput {
				p.Sizes = nil
				v := make([]int64, len(c.sizes))
				for i, s := range c.sizes {
					v[i] = int64(s)
				}
				ins = append(ins, kdInts(v...))
			}
			out, err := kdRun(p, c.nout, ins...)
			require.NoError(t, err, "case %d", ci)
			require.Len(t, out, c.nout)
			ax := c.axis
			if ax < 0 {
				ax += len(c.dims)
			}
			xv := kdVals(x)
			start := 0
			for i, o := range out {
				od := append([]int{}, c.dims...)
				od[ax] = c.want[i]
				var want []float64
				for _, idx := range kdIndices(od) {
					src := append([]int{}, idx...)
					src[ax] += start
					want = append(want, xv[kdFlat(src, c.dims)])
				}
				kdExact(t, fmt.Sprintf("split case %d %v out %d", ci, typ, i), o, od, want)
				require.Equal(t, typ, o.Type)
				start += c.want[i]
			}
		}
	}
	_, err := kdRun(&ir.SplitParams{Axis: 0}, 2, kdF([]int{4}, 1, 2, 3, 4), kdInts(1, 2))
	require.Error(t, err)
}

// ---- Padding -------------------------------------------------------------------

// kdRefPad crops (negative pads) and then pads each axis; reflect and wrap
// fold out-of-range coordinates back step by step as numpy does.
func kdRefPad(x []float64, dims, begin, end []int, mode string, val float64) ([]float64, []int) {
	r := len(dims)
	lo, m, od := make([]int, r), make([]int, r), make([]int, r)
	for a := range dims {
		lo[a] = max(0, -begin[a])
		m[a] = dims[a] - lo[a] - max(0, -end[a])
		od[a] = m[a] + max(begin[a], 0) + max(end[a], 0)
	}
	var out []float64
	for _, idx := range kdIndices(od) {
		src := make([]int, r)
		fill := false
		for a := range idx {
			j := idx[a] - max(begin[a], 0)
			if j < 0 || j >= m[a] {
				switch mode {
				case "constant":
					fill = true
				case "edge":
					j = min(max(j, 0), m[a]-1)
				case "reflect":
					for m[a] > 1 && (j < 0 || j >= m[a]) {
						if j < 0 {
							j = -j
						} else {
							j = 2*(m[a]-1) - j
						}
					}
					if m[a] == 1 {
						j = 0
					}
				case "wrap":
					for j < 0 {
						j += m[a]
					}
					for j >= m[a] {
						j -= m[a]
					}
				}
			}
			src[a] = lo[a] + j
		}
		if fill {
			out = append(out, val)
		} else {
			out = append(out, x[kdFlat(src, dims)])
		}
	}
	return out, od
}

func TestDataPadding(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	cases := []struct {
		dims  []int
		pads  []int // begin..., end... over axes (all axes when axes is nil)
		axes  []int64
		value float64
	}{
		{[]int{5}, []int{2, 3}, nil, 1.5},
		{[]int{5}, []int{7, 9}, nil, 0},   // pads beyond the extent
		{[]int{5}, []int{-2, 1}, nil, -1}, // crop one side, pad the other
		{[]int{6}, []int{4, -3}, nil, 0},  // pad reflects the cropped view
		{[]int{1}, []int{2, 2}, nil, 3},
		{[]int{3, 4}, []int{1, 0, 2, 3}, nil, 0},
		{[]int{3, 4}, []int{2, 1}, []int64{-1}, 2},
		{[]int{3, 4}, []int{-1, 1, 0, -2}, []int64{1, 0}, 0},
		{[]int{2, 1, 3, 2, 2}, []int{0, 1, 1, 0, 1, 1, 0, 2, 0, 1}, nil, 7},
		{[]int{1, 3, 4, 5}, []int{0, 0, 1, 3, 0, 0, 2, 4}, nil, 1.2},
	}
	for ci, c := range cases {
		for _, mode := range []string{"constant", "edge", "reflect", "wrap"} {
			for _, typ := range []ir.DataType{ir.Float, ir.Int32} {
				var x *ir.Data
				if typ == ir.Float {
					x = kdRandF(rng, c.dims)
				} else {
					x = kdRandI(rng, typ, c.dims, -1000, 1000)
				}
				r := len(c.dims)
				begin, end := make([]int, r), make([]int, r)
				axes := make([]int, 0, r)
				if c.axes == nil {
					for a := range r {
						axes = append(axes, a)
					}
				} else {
					for _, a := range c.axes {
						axes = append(axes, (int(a)+r)%r)
					}
				}
				pads := make([]int64, len(c.pads))
				for i, a := range axes {
					begin[a], end[a] = c.pads[i], c.pads[i+len(axes)]
				}
				for i, v := range c.pads {
					pads[i] = int64(v)
				}
				val := float64(float32(c.value))
				var vin *ir.Data
				if typ == ir.Float {
					vin = kdF([]int{}, val)
				} else {
					val = math.Trunc(val)
					vin = kdI(typ, []int{}, int64(val))
				}
				ins := []*ir.Data{x, kdInts(pads...), vin}
				if c.axes != nil {
					ins = append(ins, kdInts(c.axes...))
				}
				want, wd := kdRefPad(kdVals(x), c.dims, begin, end, mode, val)
				out, err := kdRun(&ir.PaddingParams{Mode: mode}, 1, ins...)
				require.NoError(t, err, "case %d %s", ci, mode)
				kdExact(t, fmt.Sprintf("pad case %d %s %v", ci, mode, typ), out[0], wd, want)
				require.Equal(t, typ, out[0].Type)
			}
		}
	}
	// Params instead of inputs; default (empty) mode is constant.
	out, err := kdRun(&ir.PaddingParams{Pads: []int{1, 1}, Value: 9}, 1, kdF([]int{2}, 1, 2))
	require.NoError(t, err)
	kdExact(t, "pad params", out[0], []int{4}, []float64{9, 1, 2, 9})
	// Empty input: constant padding works, the others have nothing to copy.
	out, err = kdRun(&ir.PaddingParams{Mode: "constant", Pads: []int{0, 2, 0, 1}, Value: 4}, 1, ir.NewData(ir.Float, []int{0, 1}))
	require.NoError(t, err)
	kdExact(t, "pad empty", out[0], []int{0, 4}, nil)
	out, err = kdRun(&ir.PaddingParams{Mode: "constant", Pads: []int{1, 0, 0, 0}, Value: 4}, 1, ir.NewData(ir.Float, []int{0, 2}))
	require.NoError(t, err)
	kdExact(t, "pad empty rows", out[0], []int{1, 2}, []float64{4, 4})
	_, err = kdRun(&ir.PaddingParams{Mode: "reflect", Pads: []int{1, 0}}, 1, ir.NewData(ir.Float, []int{0}))
	require.ErrorContains(t, err, "empty")
	_, err = kdRun(&ir.PaddingParams{Mode: "edge", Pads: []int{-3, 1}}, 1, kdF([]int{2}, 1, 2))
	require.Error(t, err)
	_, err = kdRun(&ir.PaddingParams{Mode: "edge"}, 1, kdF([]int{2}, 1, 2), kdInts(1, 2, 3))
	require.Error(t, err)
}

// ---- Gather --------------------------------------------------------------------

func kdWrap(v int64, n int) int {
	if v < 0 {
		v += int64(n)
	}
	return int(v)
}

func TestDataGather(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	mk := func(typ ir.DataType, dims []int) *ir.Data {
		if typ == ir.Float {
			return kdRandF(rng, dims)
		}
		if typ == ir.Bool {
			return kdRandI(rng, typ, dims, 0, 2)
		}
		return kdRandI(rng, typ, dims, -100, 100)
	}
	randIdx := func(dims []int, n int) *ir.Data {
		return kdRandI(rng, ir.Int64, dims, -n, n)
	}
	types := []ir.DataType{ir.Float, ir.Int8, ir.Bool, ir.Int64}
	// Default mode.
	for ci, c := range []struct {
		dims, idx []int
		axis      int
	}{
		{[]int{5}, []int{3}, 0},
		{[]int{5}, []int{}, 0},
		{[]int{5, 4, 3}, []int{2, 2}, 1},
		{[]int{5, 4, 3}, []int{0}, -1},
		{[]int{1, 2, 3, 1, 2}, []int{4}, 2},
		{[]int{3, 1}, []int{2, 3}, 1},
	} {
		for _, typ := range types {
			x := mk(typ, c.dims)
			ax := (c.axis + len(c.dims)) % len(c.dims)
			idx := randIdx(c.idx, c.dims[ax])
			od := append(append(append([]int{}, c.dims[:ax]...), c.idx...), c.dims[ax+1:]...)
			xv := kdVals(x)
			var want []float64
			for _, o := range kdIndices(od) {
				src := append([]int{}, o[:ax]...)
				k := idx.I[kdFlat(o[ax:ax+len(c.idx)], c.idx)]
				src = append(src, kdWrap(k, c.dims[ax]))
				src = append(src, o[ax+len(c.idx):]...)
				want = append(want, xv[kdFlat(src, c.dims)])
			}
			out, err := kdRun(&ir.GatherParams{Axis: c.axis}, 1, x, idx)
			require.NoError(t, err)
			kdExact(t, fmt.Sprintf("gather case %d %v", ci, typ), out[0], od, want)
			require.Equal(t, typ, out[0].Type)
		}
	}
	// Elements.
	for ci, c := range []struct {
		dims, idx []int
		axis      int
	}{
		{[]int{6}, []int{9}, 0},
		{[]int{3, 4}, []int{2, 4}, 1},
		{[]int{3, 4}, []int{5, 2}, 0},
		{[]int{2, 3, 1, 2, 3}, []int{2, 2, 1, 1, 4}, -1},
		{[]int{2, 3}, []int{0, 3}, 0},
	} {
		for _, typ := range types {
			x := mk(typ, c.dims)
			ax := (c.axis + len(c.dims)) % len(c.dims)
			idx := randIdx(c.idx, c.dims[ax])
			xv := kdVals(x)
			var want []float64
			for i, o := range kdIndices(c.idx) {
				src := append([]int{}, o...)
				src[ax] = kdWrap(idx.I[i], c.dims[ax])
				want = append(want, xv[kdFlat(src, c.dims)])
			}
			out, err := kdRun(&ir.GatherParams{Mode: ir.GatherElements, Axis: c.axis}, 1, x, idx)
			require.NoError(t, err)
			kdExact(t, fmt.Sprintf("gather-elements case %d %v", ci, typ), out[0], c.idx, want)
		}
	}
	// ND.
	for ci, c := range []struct {
		dims, idx []int
		b         int
	}{
		{[]int{4}, []int{3, 1}, 0},
		{[]int{4, 3}, []int{2}, 0},
		{[]int{4, 3, 2}, []int{2, 2, 1}, 0},
		{[]int{4, 3, 2}, []int{5, 0}, 0},
		{[]int{2, 3, 4}, []int{2, 1}, 1},
		{[]int{2, 3, 4, 2}, []int{2, 3, 2}, 2},
		{[]int{2, 1, 3, 2, 2}, []int{2, 4, 3}, 1},
		{[]int{2, 3}, []int{0, 2}, 0},
	} {
		for _, typ := range types {
			x := mk(typ, c.dims)
			q := len(c.idx)
			last := c.idx[q-1]
			idx := ir.NewData(ir.Int64, c.idx)
			for i := range idx.I {
				a := c.b + i%max(last, 1)
				idx.I[i] = int64(rng.Intn(2*c.dims[a]) - c.dims[a])
			}
			od := append(append([]int{}, c.idx[:q-1]...), c.dims[c.b+last:]...)
			xv := kdVals(x)
			var want []float64
			for _, o := range kdIndices(od) {
				src := append([]int{}, o[:c.b]...)
				tuple := o[:q-1]
				for j := 0; j < last; j++ {
					k := idx.I[kdFlat(append(append([]int{}, tuple...), j), c.idx)]
					src = append(src, kdWrap(k, c.dims[c.b+j]))
				}
				src = append(src, o[q-1:]...)
				want = append(want, xv[kdFlat(src, c.dims)])
			}
			out, err := kdRun(&ir.GatherParams{Mode: ir.GatherND, BatchDims: c.b}, 1, x, idx)
			require.NoError(t, err, "case %d", ci)
			kdExact(t, fmt.Sprintf("gather-nd case %d %v", ci, typ), out[0], od, want)
		}
	}
	// Int32 indices.
	out, err := kdRun(&ir.GatherParams{}, 1, kdF([]int{3}, 1, 2, 3), kdI(ir.Int32, []int{2}, -1, 0))
	require.NoError(t, err)
	kdExact(t, "int32 indices", out[0], []int{2}, []float64{3, 1})
	// Out-of-range indices name the index and the bound.
	_, err = kdRun(&ir.GatherParams{Axis: 1}, 1, kdF([]int{1, 3}, 1, 2, 3), kdInts(0, 3))
	require.ErrorContains(t, err, "index 3")
	require.ErrorContains(t, err, "size 3")
	_, err = kdRun(&ir.GatherParams{}, 1, kdF([]int{3}, 1, 2, 3), kdInts(-4))
	require.ErrorContains(t, err, "index -4")
	_, err = kdRun(&ir.GatherParams{Mode: ir.GatherElements}, 1, kdF([]int{3}, 1, 2, 3), kdInts(7))
	require.ErrorContains(t, err, "index 7")
	_, err = kdRun(&ir.GatherParams{Mode: ir.GatherND}, 1, kdF([]int{3}, 1, 2, 3), kdI(ir.Int64, []int{1, 1}, 5))
	require.ErrorContains(t, err, "index 5")
	_, err = kdRun(&ir.GatherParams{Mode: ir.GatherElements, Axis: 1}, 1, kdF([]int{1, 3}, 1, 2, 3), kdI(ir.Int64, []int{2, 1}, 0, 0))
	require.Error(t, err)
	_, err = kdRun(&ir.GatherParams{Mode: ir.GatherND, BatchDims: 1}, 1, kdF([]int{2, 2}, 1, 2, 3, 4), kdI(ir.Int64, []int{3, 1}, 0, 0, 0))
	require.Error(t, err)
}

// ---- Scatter -------------------------------------------------------------------

func kdReduce(red ir.ScatterReduction, o, u float64) float64 {
	switch red {
	case ir.ScatterAdd:
		return o + u
	case ir.ScatterMul:
		return o * u
	case ir.ScatterMax:
		return math.Max(o, u)
	case ir.ScatterMin:
		return math.Min(o, u)
	}
	return u
}

func TestDataScatter(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	reds := []ir.ScatterReduction{ir.ScatterNone, ir.ScatterAdd, ir.ScatterMul, ir.ScatterMax, ir.ScatterMin}
	mk := func(typ ir.DataType, dims []int) *ir.Data {
		if typ == ir.Float {
			return kdRandF(rng, dims)
		}
		return kdRandI(rng, typ, dims, -9, 10)
	}
	for ci, c := range []struct {
		dims, idx []int
		axis      int
	}{
		{[]int{6}, []int{9}, 0},
		{[]int{3, 4}, []int{2, 4}, 1},
		{[]int{3, 4}, []int{5, 2}, 0},
		{[]int{2, 3, 1, 2, 3}, []int{2, 2, 1, 1, 4}, -1},
		{[]int{2, 3}, []int{0, 3}, 0},
	} {
		for _, typ := range []ir.DataType{ir.Float, ir.Int32} {
			for _, red := range reds {
				x := mk(typ, c.dims)
				ax := (c.axis + len(c.dims)) % len(c.dims)
				idx := kdRandI(rng, ir.Int64, c.idx, -c.dims[ax], c.dims[ax])
				upd := mk(typ, c.idx)
				want := kdVals(x)
				for i, o := range kdIndices(c.idx) {
					dst := append([]int{}, o...)
					dst[ax] = kdWrap(idx.I[i], c.dims[ax])
					f := kdFlat(dst, c.dims)
					want[f] = kdReduce(red, want[f], upd.Float(i))
				}
				out, err := kdRun(&ir.ScatterParams{Mode: ir.ScatterElements, Axis: c.axis, Reduction: red}, 1, x, idx, upd)
				require.NoError(t, err)
				kdClose(t, fmt.Sprintf("scatter-elements case %d %v red %d", ci, typ, red), out[0], c.dims, want, 1e-6, 0)
			}
		}
	}
	for ci, c := range []struct {
		dims, idx []int
	}{
		{[]int{8}, []int{4, 1}},
		{[]int{4, 4, 4}, []int{2, 1}},
		{[]int{4, 4, 4}, []int{3, 3}},
		{[]int{2, 3, 1, 2, 2}, []int{2, 2, 2}},
		{[]int{3, 2}, []int{0, 1}},
		{[]int{}, []int{2, 0}},
	} {
		for _, typ := range []ir.DataType{ir.Float, ir.Int64} {
			for _, red := range reds {
				x := mk(typ, c.dims)
				q := len(c.idx)
				k := c.idx[q-1]
				idx := ir.NewData(ir.Int64, c.idx)
				for i := range idx.I {
					n := c.dims[i%max(k, 1)]
					idx.I[i] = int64(rng.Intn(2*n) - n)
				}
				ud := append(append([]int{}, c.idx[:q-1]...), c.dims[k:]...)
				upd := mk(typ, ud)
				want := kdVals(x)
				block := kdVol(c.dims[k:])
				for ti, tu := range kdIndices(c.idx[:q-1]) {
					pos := make([]int, len(c.dims))
					for j := 0; j < k; j++ {
						pos[j] = kdWrap(idx.I[kdFlat(append(append([]int{}, tu...), j), c.idx)], c.dims[j])
					}
					base := kdFlat(pos, c.dims)
					for e := 0; e < block; e++ {
						want[base+e] = kdReduce(red, want[base+e], upd.Float(ti*block+e))
					}
				}
				out, err := kdRun(&ir.ScatterParams{Mode: ir.ScatterND, Reduction: red}, 1, x, idx, upd)
				require.NoError(t, err, "case %d", ci)
				kdClose(t, fmt.Sprintf("scatter-nd case %d %v red %d", ci, typ, red), out[0], c.dims, want, 1e-6, 0)
			}
		}
	}
	// Integer reductions wrap to the type.
	out, err := kdRun(&ir.ScatterParams{Mode: ir.ScatterElements, Reduction: ir.ScatterAdd}, 1,
		kdI(ir.Int8, []int{2}, 120, 0), kdInts(0), kdI(ir.Int8, []int{1}, 10))
	require.NoError(t, err)
	kdExact(t, "int8 add wraps", out[0], []int{2}, []float64{-126, 0})
	_, err = kdRun(&ir.ScatterParams{Mode: ir.ScatterElements}, 1, kdF([]int{3}, 1, 2, 3), kdInts(3), kdF([]int{1}, 1))
	require.ErrorContains(t, err, "index 3")
	_, err = kdRun(&ir.ScatterParams{Mode: ir.ScatterND}, 1, kdF([]int{3}, 1, 2, 3), kdI(ir.Int64, []int{1, 1}, -4), kdF([]int{1}, 1))
	require.ErrorContains(t, err, "index -4")
	_, err = kdRun(&ir.ScatterParams{Mode: ir.ScatterND}, 1, kdF([]int{3}, 1, 2, 3), kdI(ir.Int64, []int{1, 1}, 0), kdF([]int{2}, 1, 2))
	require.Error(t, err)
	_, err = kdRun(&ir.ScatterParams{Mode: ir.ScatterElements}, 1, kdF([]int{3}, 1, 2, 3), kdInts(0, 1), kdF([]int{1}, 1))
	require.Error(t, err)
}

// ---- Pooling -------------------------------------------------------------------

type kdPoolCfg struct {
	typ             ir.PoolingType
	k, s, d, pb, pe []int
	autoPad         string
	ceil, incl      bool
	p               int
	global          bool
	order           int
}

// kdRefPool enumerates every window tap of every output position.
func kdRefPool(x []float64, dims []int, c kdPoolCfg) (out []float64, od []int, ind []int64) {
	sp := dims[2:]
	r := len(sp)
	k, s, d, pb, pe := c.k, c.s, c.d, c.pb, c.pe
	ones := func() []int {
		v := make([]int, r)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	if c.global {
		k, s, d, pb, pe = sp, ones(), ones(), make([]int, r), make([]int, r)
	}
	if s == nil {
		s = ones()
	}
	if d == nil {
		d = ones()
	}
	if pb == nil {
		pb, pe = make([]int, r), make([]int, r)
	}
	if c.autoPad == "SAME_UPPER" || c.autoPad == "SAME_LOWER" {
		pb, pe = make([]int, r), make([]int, r)
		for i := range r {
			o := (sp[i] + s[i] - 1) / s[i]
			tot := max((o-1)*s[i]+(k[i]-1)*d[i]+1-sp[i], 0)
			pb[i], pe[i] = tot/2, tot-tot/2
			if c.autoPad == "SAME_LOWER" {
				pb[i], pe[i] = pe[i], pb[i]
			}
		}
	}
	osp := make([]int, r)
	for i := range r {
		span := sp[i] + pb[i] + pe[i] - ((k[i]-1)*d[i] + 1)
		switch {
		case span < 0:
			osp[i] = 0
		case c.ceil:
			osp[i] = int(math.Ceil(float64(span)/float64(s[i]))) + 1
			if (osp[i]-1)*s[i] >= sp[i]+pb[i] {
				osp[i]--
			}
		default:
			osp[i] = span/s[i] + 1
		}
	}
	od = append([]int{dims[0], dims[1]}, osp...)
	plane := kdVol(sp)
	p := float64(c.p)
	for nc := 0; nc < dims[0]*dims[1]; nc++ {
		for _, o := range kdIndices(osp) {
			var vals []float64
			var where [][]int
			inPad := 0
			for _, w := range kdIndices(k) {
				q := make([]int, r)
				inside, padded := true, true
				for i := range r {
					q[i] = o[i]*s[i] - pb[i] + w[i]*d[i]
					inside = inside && q[i] >= 0 && q[i] < sp[i]
					padded = padded && q[i] >= -pb[i] && q[i] < sp[i]+pe[i]
				}
				if padded {
					inPad++
				}
				if inside {
					vals = append(vals, x[nc*plane+kdFlat(q, sp)])
					where = append(where, q)
				}
			}
			var v float64
			switch c.typ {
			case ir.PoolMax:
				bi := -1
				for i, u := range vals {
					if bi < 0 || u > vals[bi] {
						bi = i
					}
				}
				v = math.Inf(-1)
				idx := int64(-1)
				if bi >= 0 {
					v = vals[bi]
					q := where[bi]
					f, mul := 0, 1
					if c.order == 1 {
						for i := range r {
							f += q[i] * mul
							mul *= sp[i]
						}
					} else {
						f = kdFlat(q, sp)
					}
					idx = int64(nc*plane + f)
				}
				ind = append(ind, idx)
			case ir.PoolAverage:
				for _, u := range vals {
					v += u
				}
				if c.incl {
					v /= float64(inPad)
				} else {
					v /= float64(len(vals))
				}
			case ir.PoolLp:
				for _, u := range vals {
					v += math.Pow(math.Abs(u), p)
				}
				v = math.Pow(v, 1/p)
			}
			out = append(out, v)
		}
	}
	return out, od, ind
}

func TestDataPooling(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	geoms := []struct {
		dims []int
		c    kdPoolCfg
	}{
		{[]int{1, 1, 9}, kdPoolCfg{k: []int{4}, s: []int{3}}},
		{[]int{2, 1, 5}, kdPoolCfg{k: []int{2}, s: []int{2}, pb: []int{1}, pe: []int{1}, ceil: true}}, // last ceil window would start in the end padding
		{[]int{1, 2, 6}, kdPoolCfg{k: []int{3}, s: []int{2}, pb: []int{1}, pe: []int{0}, ceil: true}}, // ceil window past the end padding
		{[]int{1, 1, 4}, kdPoolCfg{k: []int{3}, s: []int{2}, pb: []int{2}, pe: []int{2}, ceil: true}}, // windows starting in the front padding
		{[]int{1, 1, 8}, kdPoolCfg{k: []int{3}, s: []int{2}, pb: []int{1}, pe: []int{1}, ceil: true}}, // last window reaches past the end padding
		{[]int{1, 2, 6, 6}, kdPoolCfg{k: []int{3, 2}, s: []int{2, 3}, ceil: true}},                    // ceil windows past the input, no padding
		{[]int{2, 3, 7, 6}, kdPoolCfg{k: []int{3, 2}, s: []int{2, 1}, d: []int{1, 2}, pb: []int{1, 0}, pe: []int{2, 1}, ceil: true}},
		{[]int{1, 2, 5, 5}, kdPoolCfg{k: []int{3, 3}, s: []int{2, 2}, autoPad: "SAME_UPPER"}},
		{[]int{1, 2, 6, 5}, kdPoolCfg{k: []int{2, 3}, s: []int{1, 2}, autoPad: "SAME_LOWER", d: []int{2, 1}}},
		{[]int{1, 1, 1, 1}, kdPoolCfg{k: []int{1, 1}}},
		{[]int{1, 2, 1, 5}, kdPoolCfg{k: []int{1, 2}, s: []int{1, 2}, pe: []int{0, 1}, pb: []int{0, 0}, ceil: true}},
		{[]int{1, 2, 4, 5, 3}, kdPoolCfg{k: []int{2, 3, 2}, s: []int{2, 1, 1}, pb: []int{1, 1, 0}, pe: []int{0, 1, 1}}},
		{[]int{2, 2, 3, 4}, kdPoolCfg{global: true}},
		{[]int{1, 3, 2, 2, 3}, kdPoolCfg{global: true}},
		{[]int{0, 2, 3, 3}, kdPoolCfg{k: []int{2, 2}}},
	}
	type variant struct {
		typ  ir.PoolingType
		incl bool
		p    int
	}
	variants := []variant{{ir.PoolMax, false, 0}, {ir.PoolAverage, false, 0}, {ir.PoolAverage, true, 0},
		{ir.PoolLp, false, 1}, {ir.PoolLp, false, 2}, {ir.PoolLp, false, 3}}
	for gi, g := range geoms {
		for _, v := range variants {
			c := g.c
			c.typ, c.incl, c.p = v.typ, v.incl, v.p
			x := kdRandF(rng, g.dims)
			want, od, wantInd := kdRefPool(kdVals(x), g.dims, c)
			p := &ir.PoolingParams{Type: c.typ, WindowSize: c.k, Strides: c.s, Dilations: c.d, PrePadding: c.pb,
				PostPadding: c.pe, AutoPad: c.autoPad, CeilMode: c.ceil, CountIncludePad: c.incl, P: c.p, Global: c.global}
			name := fmt.Sprintf("pool geom %d type %d incl %v p %d", gi, c.typ, c.incl, c.p)
			out, err := kdRun(p, 1, x)
			require.NoError(t, err, name)
			kdClose(t, name, out[0], od, want, 1e-5, 1e-5)
			if c.typ == ir.PoolMax {
				for _, order := range []int{0, 1} {
					c.order = order
					_, _, wantInd = kdRefPool(kdVals(x), g.dims, c)
					p2 := *p
					p2.WithIndices, p2.StorageOrder = true, order
					out, err := kdRun(&p2, 2, x)
					require.NoError(t, err)
					kdExact(t, name+" values", out[0], od, want)
					wi := make([]float64, len(wantInd))
					for i, w := range wantInd {
						wi[i] = float64(w)
					}
					kdExact(t, fmt.Sprintf("%s indices order %d", name, order), out[1], od, wi)
					require.Equal(t, ir.Int64, out[1].Type)
				}
				// Integer max pooling.
				xi := kdRandI(rng, ir.Int8, g.dims, -128, 128)
				want, od, _ := kdRefPool(kdVals(xi), g.dims, c)
				out, err := kdRun(p, 1, xi)
				require.NoError(t, err)
				kdExact(t, name+" int8", out[0], od, want)
				require.Equal(t, ir.Int8, out[0].Type)
			}
		}
	}
	// Max ignores NaN; average propagates it.
	nan := math.NaN()
	out, err := kdRun(&ir.PoolingParams{Type: ir.PoolMax, WindowSize: []int{2}, WithIndices: true}, 2, kdF([]int{1, 1, 3}, nan, 1, nan))
	require.NoError(t, err)
	kdExact(t, "max nan", out[0], []int{1, 1, 2}, []float64{1, 1})
	kdExact(t, "max nan idx", out[1], []int{1, 1, 2}, []float64{1, 1})
	for _, withIdx := range []bool{false, true} {
		out, err = kdRun(&ir.PoolingParams{Type: ir.PoolMax, WindowSize: []int{2}, WithIndices: withIdx}, 1+kdB2I(withIdx), kdF([]int{1, 1, 4}, nan, nan, math.Inf(-1), nan))
		require.NoError(t, err)
		kdExact(t, "max all nan", out[0], []int{1, 1, 3}, []float64{nan, math.Inf(-1), math.Inf(-1)})
		out, err = kdRun(&ir.PoolingParams{Type: ir.PoolMax, WindowSize: []int{2}, WithIndices: withIdx}, 1+kdB2I(withIdx), kdF([]int{1, 1, 3}, nan, 1, nan))
		require.NoError(t, err)
		kdExact(t, "max some nan", out[0], []int{1, 1, 2}, []float64{1, 1})
	}
	out, err = kdRun(&ir.PoolingParams{Type: ir.PoolAverage, WindowSize: []int{2}}, 1, kdF([]int{1, 1, 3}, nan, 1, 3))
	require.NoError(t, err)
	kdExact(t, "avg nan", out[0], []int{1, 1, 2}, []float64{nan, 2})
	_, err = kdRun(&ir.PoolingParams{Type: ir.PoolAverage, WindowSize: []int{2}}, 1, kdI(ir.Int32, []int{1, 1, 2}, 1, 2))
	require.Error(t, err)
}

// ---- Resize --------------------------------------------------------------------

type kdRz struct {
	mode, ctm, nm string
	a             float64
	excl, aa      bool
	ext           float64
	policy        string
	axes          []int
	scales        []float64
	sizes         []int64
	roi           []float64
}

// kdRzCoeffs are the interpolation coefficients for a ratio in (0, 1], as in
// the ONNX reference implementation.
func kdRzCoeffs(ratio, scale float64, c kdRz) []float64 {
	switch c.mode {
	case "nearest":
		if ratio == 1 {
			return []float64{0, 1}
		}
		pick := map[string]bool{"round_prefer_floor": ratio > 0.5, "round_prefer_ceil": ratio >= 0.5, "floor": false, "ceil": true}
		if pick[c.nm] {
			return []float64{0, 1}
		}
		return []float64{1, 0}
	case "linear":
		if !c.aa {
			return []float64{1 - ratio, ratio}
		}
		s := math.Min(scale, 1)
		start := int(math.Floor(-1/s) + 1)
		var co []float64
		sum := 0.0
		for i := start; i < start+2-2*start; i++ {
			v := math.Min(math.Max(1-math.Abs((float64(i)-ratio)*s), 0), 1)
			co = append(co, v)
			sum += v
		}
		for i := range co {
			co[i] /= sum
		}
		return co
	}
	A := c.a
	if !c.aa {
		return []float64{
			((A*(ratio+1)-5*A)*(ratio+1)+8*A)*(ratio+1) - 4*A,
			((A+2)*ratio-(A+3))*ratio*ratio + 1,
			((A+2)*(1-ratio)-(A+3))*(1-ratio)*(1-ratio) + 1,
			((A*((1-ratio)+1)-5*A)*((1-ratio)+1)+8*A)*((1-ratio)+1) - 4*A,
		}
	}
	s := math.Min(scale, 1)
	f := func(x float64) float64 {
		x = math.Abs(x)
		if x <= 1 {
			return (A+2)*x*x*x - (A+3)*x*x + 1
		}
		if x < 2 {
			return A*x*x*x - 5*A*x*x + 8*A*x - 4*A
		}
		return 0
	}
	is := int(math.Floor(-2/s) + 1)
	var co []float64
	sum := 0.0
	for i := is; i < 2-is; i++ {
		v := f(s * (float64(i) - ratio))
		co = append(co, v)
		sum += v
	}
	for i := range co {
		co[i] /= sum
	}
	return co
}

// kdRz1D interpolates data at output coordinate x (the reference's
// interpolate_1d_with_x: edge-padded neighbours, nearest first, ties to the
// smaller index).
func kdRz1D(data []float64, scale float64, outLen, x int, roiS, roiE float64, c kdRz) float64 {
	in := float64(len(data))
	outF := scale * in
	xf := float64(x)
	var xo float64
	switch c.ctm {
	case "align_corners":
		if outF == 1 {
			xo = 0
		} else {
			xo = xf * (in - 1) / (outF - 1)
		}
	case "asymmetric":
		xo = xf / scale
	case "tf_crop_and_resize":
		if outF == 1 {
			xo = (roiE - roiS) * (in - 1) / 2
		} else {
			xo = xf * (roiE - roiS) * (in - 1) / (outF - 1)
		}
		xo += roiS * (in - 1)
		if xo < 0 || xo > in-1 {
			return c.ext
		}
	case "pytorch_half_pixel":
		if outLen > 1 {
			xo = (xf+0.5)/scale - 0.5
		}
	case "half_pixel_symmetric":
		adj := float64(outLen) / outF
		xo = in/2*(1-adj) + (xf+0.5)/scale - 0.5
	case "tf_half_pixel_for_nn":
		xo = (xf + 0.5) / scale
	default:
		xo = (xf+0.5)/scale - 0.5
	}
	ratio := xo - math.Floor(xo)
	if ratio == 0 {
		ratio = 1
	}
	co := kdRzCoeffs(ratio, scale, c)
	n := len(co)
	pad := (n + 1) / 2
	padded := make([]float64, len(data)+2*pad)
	for i := range padded {
		padded[i] = data[min(max(i-pad, 0), len(data)-1)]
	}
	xp := xo + float64(pad)
	cand := make([]int, len(padded))
	for i := range cand {
		cand[i] = i
	}
	sort.SliceStable(cand, func(i, j int) bool {
		di, dj := math.Abs(xp-float64(cand[i])), math.Abs(xp-float64(cand[j]))
		if di != dj {
			return di < dj
		}
		return cand[i] < cand[j]
	})
	cand = cand[:n]
	sort.Ints(cand)
	if c.excl {
		sum := 0.0
		for i, p := range cand {
			if p-pad < 0 || p-pad >= len(data) {
				co[i] = 0
			}
			sum += co[i]
		}
		for i := range co {
			co[i] /= sum
		}
	}
	v := 0.0
	for i, p := range cand {
		v += co[i] * padded[p]
	}
	return v
}

func kdRzND(data []float64, dims []int, scales []float64, out, x []int, roi []float64, c kdRz) float64 {
	n := len(dims)
	if n == 1 {
		return kdRz1D(data, scales[0], out[0], x[0], roi[0], roi[1], c)
	}
	inner := kdVol(dims[1:])
	sub := append(append([]float64{}, roi[1:n]...), roi[n+1:]...)
	vals := make([]float64, dims[0])
	for i := range vals {
		vals[i] = kdRzND(data[i*inner:(i+1)*inner], dims[1:], scales[1:], out[1:], x[1:], sub, c)
	}
	return kdRz1D(vals, scales[0], out[0], x[0], roi[0], roi[n], c)
}

func kdRefResize(x []float64, dims []int, c kdRz) ([]float64, []int) {
	r := len(dims)
	axes := c.axes
	if axes == nil {
		for a := range r {
			axes = append(axes, a)
		}
	}
	norm := make([]int, len(axes))
	for i, a := range axes {
		norm[i] = (a + r) % r
	}
	scale := make([]float64, r)
	out := append([]int{}, dims...)
	roi := make([]float64, 2*r)
	for a := range r {
		scale[a], roi[r+a] = 1, 1
	}
	if c.roi != nil {
		for i, a := range norm {
			roi[a], roi[r+a] = c.roi[i], c.roi[len(norm)+i]
		}
	}
	if c.scales != nil {
		for i, a := range norm {
			scale[a] = c.scales[i]
			out[a] = int(math.Floor(float64(float32(dims[a]) * float32(c.scales[i]))))
		}
	} else {
		for i, a := range norm {
			scale[a] = float64(c.sizes[i]) / float64(dims[a])
			out[a] = int(c.sizes[i])
		}
		if c.policy == "not_larger" || c.policy == "not_smaller" {
			s := scale[norm[0]]
			for _, a := range norm {
				if c.policy == "not_larger" {
					s = math.Min(s, scale[a])
				} else {
					s = math.Max(s, scale[a])
				}
			}
			for _, a := range norm {
				scale[a] = s
				out[a] = int(s*float64(dims[a]) + 0.5)
			}
		}
	}
	var res []float64
	for _, o := range kdIndices(out) {
		res = append(res, kdRzND(x, dims, scale, out, o, roi, c))
	}
	return res, out
}

func (c kdRz) params() *ir.ResizeParams {
	return &ir.ResizeParams{Mode: c.mode, CoordinateTransform: c.ctm, NearestMode: c.nm, CubicCoeffA: float32(c.a),
		ExcludeOutside: c.excl, ExtrapolationValue: float32(c.ext), Antialias: c.aa, Axes: c.axes, KeepAspectRatioPolicy: c.policy}
}

// kdResizeCase runs c through the kernel (scales/sizes and roi as inputs, or
// as params when asParams) and the reference.
func kdResizeCase(t *testing.T, name string, x *ir.Data, c kdRz, asParams bool) {
	t.Helper()
	p := c.params()
	ins := []*ir.Data{x, nil, nil, nil}
	if c.roi != nil {
		v := make([]float64, len(c.roi))
		copy(v, c.roi)
		ins[1] = kdF([]int{len(v)}, v...)
	}
	if c.scales != nil {
		if asParams {
			for _, s := range c.scales {
				p.Scales = append(p.Scales, float32(s))
			}
		} else {
			ins[2] = kdF([]int{len(c.scales)}, c.scales...)
		}
	} else {
		if asParams {
			for _, s := range c.sizes {
				p.Sizes = append(p.Sizes, int(s))
			}
		} else {
			ins[2] = ir.NewData(ir.Float, []int{0}) // empty scales (opset 11 style)
			ins[3] = kdInts(c.sizes...)
		}
	}
	for len(ins) > 1 && ins[len(ins)-1] == nil {
		ins = ins[:len(ins)-1]
	}
	cr := c
	for i, s := range cr.scales {
		cr.scales[i] = float64(float32(s))
	}
	want, wd := kdRefResize(kdVals(x), x.Dims, cr)
	if ir.IsIntLike(x.Type) {
		for i, v := range want {
			want[i] = float64(rzToInt(v, x.Type))
		}
	}
	out, err := kdRun(p, 1, ins...)
	require.NoError(t, err, name)
	kdClose(t, name, out[0], wd, want, 1e-5, 1e-5)
	require.Equal(t, x.Type, out[0].Type, name)
}

func TestDataResize(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	ctms := []string{"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
		"tf_crop_and_resize", "tf_half_pixel_for_nn"}
	type shape struct {
		dims   []int
		axes   []int
		scales []float64
		sizes  []int64
		roi    []float64
	}
	shapes := []shape{
		{dims: []int{5}, scales: []float64{2.5}},
		{dims: []int{7}, scales: []float64{0.45}},
		{dims: []int{6}, sizes: []int64{1}},
		{dims: []int{1}, sizes: []int64{4}},
		{dims: []int{1, 2, 4, 5}, scales: []float64{1, 1, 1.5, 0.6}, roi: []float64{0, 0, 0.1, -0.2, 1, 1, 0.8, 1.3}},
		{dims: []int{1, 2, 4, 5}, axes: []int{3, -2}, sizes: []int64{3, 7}, roi: []float64{0.2, 0, 0.9, 0.7}},
		{dims: []int{3, 4}, scales: []float64{2, 0.7}},
		{dims: []int{2, 1, 3, 2, 4}, scales: []float64{1, 2, 0.67, 1.5, 0.5}},
		{dims: []int{1, 1, 6, 6}, axes: []int{2, 3}, scales: []float64{0.34, 0.5}},
	}
	for si, sh := range shapes {
		x := kdRandF(rng, sh.dims)
		for _, ctm := range ctms {
			base := kdRz{ctm: ctm, axes: sh.axes, scales: sh.scales, sizes: sh.sizes, ext: -3.5}
			if ctm == "tf_crop_and_resize" {
				base.roi = sh.roi
			}
			for _, nm := range []string{"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"} {
				c := base
				c.mode, c.nm = "nearest", nm
				kdResizeCase(t, fmt.Sprintf("shape %d %s nearest %s", si, ctm, nm), x, c, false)
			}
			for _, mode := range []string{"linear", "cubic"} {
				for _, excl := range []bool{false, true} {
					for _, aa := range []bool{false, true} {
						c := base
						c.mode, c.excl, c.aa, c.a = mode, excl, aa, -0.75
						if excl {
							c.a = -0.5
						}
						kdResizeCase(t, fmt.Sprintf("shape %d %s %s excl %v aa %v", si, ctm, mode, excl, aa), x, c, si%2 == 1)
					}
				}
			}
		}
	}
	// keep_aspect_ratio_policy.
	x := kdRandF(rng, []int{1, 3, 4, 6})
	for _, pol := range []string{"stretch", "not_larger", "not_smaller"} {
		for _, mode := range []string{"nearest", "linear"} {
			c := kdRz{mode: mode, ctm: "half_pixel", nm: "round_prefer_floor", policy: pol, axes: []int{2, 3}, sizes: []int64{7, 5}}
			kdResizeCase(t, "policy "+pol+" "+mode, x, c, false)
		}
	}
	// Integer data: nearest is exact, linear/cubic truncate and saturate.
	xi := kdRandI(rng, ir.UInt8, []int{1, 1, 4, 5}, 0, 256)
	for _, mode := range []string{"nearest", "linear", "cubic"} {
		c := kdRz{mode: mode, ctm: "half_pixel", nm: "round_prefer_floor", a: -0.75, scales: []float64{1, 1, 1.7, 2.3}}
		kdResizeCase(t, "uint8 "+mode, xi, c, false)
	}
	xl := kdRandI(rng, ir.Int64, []int{3, 4}, -1<<60, 1<<60)
	kdResizeCase(t, "int64 nearest", xl, kdRz{mode: "nearest", ctm: "asymmetric", nm: "floor", sizes: []int64{5, 9}}, false)
	// Empty output and identity.
	out, err := kdRun(&ir.ResizeParams{Mode: "linear"}, 1, kdRandF(rng, []int{2, 3}), nil, nil, kdInts(0, 3))
	require.NoError(t, err)
	kdExact(t, "empty resize", out[0], []int{0, 3}, nil)
	xv := kdRandF(rng, []int{2, 3})
	out, err = kdRun(&ir.ResizeParams{Mode: "cubic", CubicCoeffA: -0.75}, 1, xv, nil, kdF([]int{2}, 1, 1))
	require.NoError(t, err)
	kdExact(t, "identity resize", out[0], []int{2, 3}, kdVals(xv))
	// Errors.
	_, err = kdRun(&ir.ResizeParams{Mode: "linear"}, 1, xv, nil, kdF([]int{2}, 1, 1), kdInts(2, 3))
	require.ErrorContains(t, err, "not both")
	_, err = kdRun(&ir.ResizeParams{Mode: "linear"}, 1, xv, nil, kdF([]int{2}, 1, -1))
	require.Error(t, err)
	_, err = kdRun(&ir.ResizeParams{Mode: "linear"}, 1, xv)
	require.Error(t, err)
	_, err = kdRun(&ir.ResizeParams{Mode: "linear"}, 1, xv, nil, kdF([]int{3}, 1, 1, 1))
	require.Error(t, err)
	_, err = kdRun(&ir.ResizeParams{Mode: "area"}, 1, xv, nil, kdF([]int{2}, 1, 1))
	require.Error(t, err)
	_, err = kdRun(&ir.ResizeParams{Mode: "linear", CoordinateTransform: "tf_crop_and_resize"}, 1, xv, kdF([]int{2}, 0, 1), kdF([]int{2}, 1, 1))
	require.ErrorContains(t, err, "roi")
}

func TestDataResizeInference(t *testing.T) {
	x := &ir.Tensor{Type: ir.Float, Dims: []int{1, 3, -1, 10}}
	scales := &ir.Tensor{Type: ir.Float, Dims: []int{4}, Const: kdF([]int{4}, 1, 1, 2, 0.5)}
	n := &ir.Node{Kind: ir.KindResize, Params: &ir.ResizeParams{Mode: "linear"}, Inputs: []*ir.Tensor{x, nil, scales}, Outputs: []*ir.Tensor{{}}}
	require.NoError(t, ir.InferNode(n))
	require.Equal(t, []int{1, 3, -1, 5}, n.Outputs[0].Dims)
	// Unknown sizes keep the axes that are not resized.
	sizes := &ir.Tensor{Type: ir.Int64, Dims: []int{2}}
	n = &ir.Node{Kind: ir.KindResize, Params: &ir.ResizeParams{Axes: []int{-1, 2}}, Inputs: []*ir.Tensor{x, nil, nil, sizes}, Outputs: []*ir.Tensor{{}}}
	require.NoError(t, ir.InferNode(n))
	require.Equal(t, []int{1, 3, -1, -1}, n.Outputs[0].Dims)
	// Params' sizes.
	n = &ir.Node{Kind: ir.KindResize, Params: &ir.ResizeParams{Axes: []int{3}, Sizes: []int{4}}, Inputs: []*ir.Tensor{x}, Outputs: []*ir.Tensor{{}}}
	require.NoError(t, ir.InferNode(n))
	require.Equal(t, []int{1, 3, -1, 4}, n.Outputs[0].Dims)
	// Both scales and sizes, or neither, are errors.
	n = &ir.Node{Kind: ir.KindResize, Params: &ir.ResizeParams{}, Inputs: []*ir.Tensor{x}, Outputs: []*ir.Tensor{{}}}
	require.Error(t, ir.InferNode(n))
	n = &ir.Node{Kind: ir.KindResize, Params: &ir.ResizeParams{CoordinateTransform: "bogus", Scales: []float32{1, 1, 1, 1}}, Inputs: []*ir.Tensor{x}, Outputs: []*ir.Tensor{{}}}
	require.Error(t, ir.InferNode(n))
}

// ---- ONNX backend test data ----------------------------------------------------

const kdOnnxDir = "/usr/include/onnx/backend/test/data/node"

func kdFromHost(t *testing.T, h *tensor.Tensor) *ir.Data {
	t.Helper()
	d := ir.NewData(h.Type, h.Dims)
	switch v := h.Data.(type) {
	case []float32:
		copy(d.F, v)
	case []float64:
		for i, x := range v {
			d.F[i] = float32(x)
		}
	case []int64:
		copy(d.I, v)
	case []int32:
		for i, x := range v {
			d.I[i] = int64(x)
		}
	case []int8:
		for i, x := range v {
			d.I[i] = int64(x)
		}
	case []uint8:
		for i, x := range v {
			d.I[i] = int64(x)
		}
	case []bool:
		for i, x := range v {
			if x {
				d.I[i] = 1
			}
		}
	default:
		fs := h.Float64s()
		for i, x := range fs {
			d.F[i] = float32(x)
		}
	}
	return d
}

func kdLoadPB(t *testing.T, path string) (*ir.Data, *tensor.Tensor) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	tp, err := onnxpb.DecodeTensor(b)
	require.NoError(t, err, path)
	h, err := tp.ToHost()
	require.NoError(t, err, path)
	return kdFromHost(t, h), h
}

type kdOnnxCase struct {
	name  string
	p     ir.Params
	slots []int // node input slot of each input_i.pb (nil: 0, 1, 2, ...)
}

func kdOnnxCases() []kdOnnxCase {
	pool := func(typ ir.PoolingType, k, s, pads []int, f func(*ir.PoolingParams)) *ir.PoolingParams {
		p := &ir.PoolingParams{Type: typ, WindowSize: k, Strides: s, P: 2}
		if pads != nil {
			h := len(pads) / 2
			p.PrePadding, p.PostPadding = pads[:h], pads[h:]
		}
		if f != nil {
			f(p)
		}
		return p
	}
	mx, av := ir.PoolMax, ir.PoolAverage
	incl := func(p *ir.PoolingParams) { p.CountIncludePad = true }
	ceil := func(p *ir.PoolingParams) { p.CeilMode = true }
	auto := func(m string) func(*ir.PoolingParams) { return func(p *ir.PoolingParams) { p.AutoPad = m } }
	two, three, five := []int{2, 2}, []int{3, 3}, []int{5, 5}
	rz := func(mode, ctm string, f func(*ir.ResizeParams)) *ir.ResizeParams {
		p := &ir.ResizeParams{Mode: mode, CoordinateTransform: ctm, NearestMode: "round_prefer_floor", CubicCoeffA: -0.75}
		if f != nil {
			f(p)
		}
		return p
	}
	aHalf := func(p *ir.ResizeParams) { p.CubicCoeffA, p.ExcludeOutside = -0.5, true }
	nm := func(m string) func(*ir.ResizeParams) { return func(p *ir.ResizeParams) { p.NearestMode = m } }
	sc, sz := []int{0, 2}, []int{0, 3}
	cases := []kdOnnxCase{
		{"averagepool_1d_default", pool(av, []int{2}, nil, nil, nil), nil},
		{"averagepool_2d_ceil", pool(av, three, two, nil, ceil), nil},
		{"averagepool_2d_default", pool(av, two, nil, nil, nil), nil},
		{"averagepool_2d_pads", pool(av, three, nil, []int{2, 2, 2, 2}, nil), nil},
		{"averagepool_2d_pads_count_include_pad", pool(av, three, nil, []int{2, 2, 2, 2}, incl), nil},
		{"averagepool_2d_precomputed_pads", pool(av, five, nil, []int{2, 2, 2, 2}, nil), nil},
		{"averagepool_2d_precomputed_pads_count_include_pad", pool(av, five, nil, []int{2, 2, 2, 2}, incl), nil},
		{"averagepool_2d_precomputed_same_upper", pool(av, three, two, nil, auto("SAME_UPPER")), nil},
		{"averagepool_2d_precomputed_strides", pool(av, two, two, nil, nil), nil},
		{"averagepool_2d_same_lower", pool(av, two, nil, nil, auto("SAME_LOWER")), nil},
		{"averagepool_2d_same_upper", pool(av, two, nil, nil, auto("SAME_UPPER")), nil},
		{"averagepool_2d_strides", pool(av, five, []int{3, 3}, nil, nil), nil},
		{"averagepool_3d_default", pool(av, []int{2, 2, 2}, nil, nil, nil), nil},
		{"globalaveragepool", &ir.PoolingParams{Type: av, Global: true}, nil},
		{"globalaveragepool_precomputed", &ir.PoolingParams{Type: av, Global: true}, nil},
		{"globalmaxpool", &ir.PoolingParams{Type: mx, Global: true}, nil},
		{"globalmaxpool_precomputed", &ir.PoolingParams{Type: mx, Global: true}, nil},
		{"maxpool_1d_default", pool(mx, []int{2}, nil, nil, nil), nil},
		{"maxpool_2d_ceil", pool(mx, three, two, nil, ceil), nil},
		{"maxpool_2d_default", pool(mx, two, nil, nil, nil), nil},
		{"maxpool_2d_dilations", pool(mx, two, []int{1, 1}, nil, func(p *ir.PoolingParams) { p.Dilations = []int{2, 2} }), nil},
		{"maxpool_2d_pads", pool(mx, three, nil, []int{2, 2, 2, 2}, nil), nil},
		{"maxpool_2d_precomputed_pads", pool(mx, five, nil, []int{2, 2, 2, 2}, nil), nil},
		{"maxpool_2d_precomputed_same_upper", pool(mx, three, two, nil, auto("SAME_UPPER")), nil},
		{"maxpool_2d_precomputed_strides", pool(mx, two, two, nil, nil), nil},
		{"maxpool_2d_same_lower", pool(mx, two, nil, nil, auto("SAME_LOWER")), nil},
		{"maxpool_2d_same_upper", pool(mx, two, nil, nil, auto("SAME_UPPER")), nil},
		{"maxpool_2d_strides", pool(mx, five, []int{3, 3}, nil, nil), nil},
		{"maxpool_2d_uint8", pool(mx, five, nil, []int{2, 2, 2, 2}, nil), nil},
		{"maxpool_3d_default", pool(mx, []int{2, 2, 2}, nil, nil, nil), nil},
		{"maxpool_with_argmax_2d_precomputed_pads", pool(mx, five, nil, []int{2, 2, 2, 2}, func(p *ir.PoolingParams) { p.WithIndices = true }), nil},
		{"maxpool_with_argmax_2d_precomputed_strides", pool(mx, two, two, nil, func(p *ir.PoolingParams) { p.WithIndices, p.StorageOrder = true, 1 }), nil},

		{"resize_downsample_scales_cubic", rz("cubic", "", nil), sc},
		{"resize_downsample_scales_cubic_A_n0p5_exclude_outside", rz("cubic", "", aHalf), sc},
		{"resize_downsample_scales_cubic_align_corners", rz("cubic", "align_corners", nil), sc},
		{"resize_downsample_scales_linear", rz("linear", "", nil), sc},
		{"resize_downsample_scales_linear_align_corners", rz("linear", "align_corners", nil), sc},
		{"resize_downsample_scales_nearest", rz("nearest", "", nil), sc},
		{"resize_downsample_sizes_cubic", rz("cubic", "", nil), sz},
		{"resize_downsample_sizes_linear_pytorch_half_pixel", rz("linear", "pytorch_half_pixel", nil), sz},
		{"resize_downsample_sizes_nearest", rz("nearest", "", nil), sz},
		{"resize_downsample_sizes_nearest_tf_half_pixel_for_nn", rz("nearest", "tf_half_pixel_for_nn", nil), sz},
		{"resize_tf_crop_and_resize", rz("linear", "tf_crop_and_resize", func(p *ir.ResizeParams) { p.ExtrapolationValue = 10 }), []int{0, 1, 3}},
		{"resize_upsample_scales_cubic", rz("cubic", "", nil), sc},
		{"resize_upsample_scales_cubic_A_n0p5_exclude_outside", rz("cubic", "", aHalf), sc},
		{"resize_upsample_scales_cubic_align_corners", rz("cubic", "align_corners", nil), sc},
		{"resize_upsample_scales_cubic_asymmetric", rz("cubic", "asymmetric", nil), sc},
		{"resize_upsample_scales_linear", rz("linear", "", nil), sc},
		{"resize_upsample_scales_linear_align_corners", rz("linear", "align_corners", nil), sc},
		{"resize_upsample_scales_nearest", rz("nearest", "", nil), sc},
		{"resize_upsample_sizes_cubic", rz("cubic", "", nil), sz},
		{"resize_upsample_sizes_nearest", rz("nearest", "", nil), sz},
		{"resize_upsample_sizes_nearest_ceil_half_pixel", rz("nearest", "half_pixel", nm("ceil")), sz},
		{"resize_upsample_sizes_nearest_floor_align_corners", rz("nearest", "align_corners", nm("floor")), sz},
		{"resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric", rz("nearest", "asymmetric", nm("round_prefer_ceil")), sz},

		{"constant_pad", &ir.PaddingParams{Mode: "constant"}, nil},
		{"edge_pad", &ir.PaddingParams{Mode: "edge"}, nil},
		{"reflect_pad", &ir.PaddingParams{Mode: "reflect"}, nil},

		{"gather_0", &ir.GatherParams{Axis: 0}, nil},
		{"gather_1", &ir.GatherParams{Axis: 1}, nil},
		{"gather_2d_indices", &ir.GatherParams{Axis: 1}, nil},
		{"gather_negative_indices", &ir.GatherParams{Axis: 0}, nil},
		{"gather_elements_0", &ir.GatherParams{Mode: ir.GatherElements, Axis: 1}, nil},
		{"gather_elements_1", &ir.GatherParams{Mode: ir.GatherElements, Axis: 0}, nil},
		{"gather_elements_negative_indices", &ir.GatherParams{Mode: ir.GatherElements, Axis: 0}, nil},
		{"gathernd_example_float32", &ir.GatherParams{Mode: ir.GatherND}, nil},
		{"gathernd_example_int32", &ir.GatherParams{Mode: ir.GatherND}, nil},
		{"gathernd_example_int32_batch_dim1", &ir.GatherParams{Mode: ir.GatherND, BatchDims: 1}, nil},

		{"scatter_elements_with_axis", &ir.ScatterParams{Axis: 1}, nil},
		{"scatter_elements_with_duplicate_indices", &ir.ScatterParams{Axis: 1, Reduction: ir.ScatterAdd}, nil},
		{"scatter_elements_with_negative_indices", &ir.ScatterParams{Axis: 1}, nil},
		{"scatter_elements_without_axis", &ir.ScatterParams{}, nil},
		{"scatter_with_axis", &ir.ScatterParams{Axis: 1}, nil},
		{"scatter_without_axis", &ir.ScatterParams{}, nil},
		{"scatternd", &ir.ScatterParams{Mode: ir.ScatterND}, nil},
		{"scatternd_add", &ir.ScatterParams{Mode: ir.ScatterND, Reduction: ir.ScatterAdd}, nil},
		{"scatternd_multiply", &ir.ScatterParams{Mode: ir.ScatterND, Reduction: ir.ScatterMul}, nil},

		{"slice", &ir.SliceParams{}, nil},
		{"slice_default_axes", &ir.SliceParams{}, nil},
		{"slice_default_steps", &ir.SliceParams{}, nil},
		{"slice_end_out_of_bounds", &ir.SliceParams{}, nil},
		{"slice_neg", &ir.SliceParams{}, nil},
		{"slice_neg_steps", &ir.SliceParams{}, nil},
		{"slice_negative_axes", &ir.SliceParams{}, nil},
		{"slice_start_out_of_bounds", &ir.SliceParams{}, nil},

		{"split_equal_parts_1d", &ir.SplitParams{Axis: 0}, nil},
		{"split_equal_parts_2d", &ir.SplitParams{Axis: 1}, nil},
		{"split_equal_parts_default_axis", &ir.SplitParams{Axis: 0}, nil},
		{"split_variable_parts_1d", &ir.SplitParams{Axis: 0}, nil},
		{"split_variable_parts_2d", &ir.SplitParams{Axis: 1}, nil},
		{"split_variable_parts_default_axis", &ir.SplitParams{Axis: 0}, nil},
		{"split_zero_size_splits", &ir.SplitParams{Axis: 0}, nil},
	}
	return cases
}

func TestDataOnnxBackend(t *testing.T) {
	if _, err := os.Stat(kdOnnxDir); err != nil {
		t.Skipf("ONNX backend test data not found at %s", kdOnnxDir)
	}
	var passed, failed []string
	for _, c := range kdOnnxCases() {
		ok := t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(kdOnnxDir, "test_"+c.name, "test_data_set_0")
			inFiles, _ := filepath.Glob(filepath.Join(dir, "input_*.pb"))
			outFiles, _ := filepath.Glob(filepath.Join(dir, "output_*.pb"))
			sort.Strings(inFiles)
			sort.Strings(outFiles)
			require.NotEmpty(t, inFiles)
			require.NotEmpty(t, outFiles)
			var ins []*ir.Data
			for i, f := range inFiles {
				slot := i
				if c.slots != nil {
					slot = c.slots[i]
				}
				for len(ins) <= slot {
					ins = append(ins, nil)
				}
				ins[slot], _ = kdLoadPB(t, f)
			}
			out, err := kdRun(c.p, len(outFiles), ins...)
			require.NoError(t, err)
			require.Len(t, out, len(outFiles))
			for i, f := range outFiles {
				want, h := kdLoadPB(t, f)
				require.Equal(t, want.Type, out[i].Type, "output %d type", i)
				kdClose(t, fmt.Sprintf("%s output %d", c.name, i), out[i], h.Dims, kdVals(want), 1e-3, 1e-5)
			}
		})
		if ok {
			passed = append(passed, c.name)
		} else {
			failed = append(failed, c.name)
		}
	}
	t.Logf("ONNX backend cases: %d passed, %d failed", len(passed), len(failed))
	if len(failed) > 0 {
		t.Logf("failed: %s", strings.Join(failed, " "))
	}
}

// ---- benchmarks ----------------------------------------------------------------

func BenchmarkDataMaxPool(b *testing.B) {
	x := kdRandF(rand.New(rand.NewSource(1)), []int{1, 64, 112, 112})
	p := &ir.PoolingParams{Type: ir.PoolMax, WindowSize: []int{3, 3}, Strides: []int{2, 2}, PrePadding: []int{1, 1}, PostPadding: []int{1, 1}}
	for b.Loop() {
		if _, err := kdRun(p, 1, x); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDataResizeLinear(b *testing.B) {
	x := kdRandF(rand.New(rand.NewSource(1)), []int{1, 3, 256, 256})
	p := &ir.ResizeParams{Mode: "linear", Scales: []float32{1, 1, 2, 2}}
	for b.Loop() {
		if _, err := kdRun(p, 1, x); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDataNoPanic feeds random (often invalid) parameters and data to the
// kernels: they must return results or errors, never panic.
func TestDataNoPanic(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	pick := func(v ...int64) int64 { return v[rng.Intn(len(v))] }
	rint := func(lo, hi int) int { return lo + rng.Intn(hi-lo+1) }
	rdims := func(rmin, rmax, dmax int) []int {
		d := make([]int, rint(rmin, rmax))
		for i := range d {
			d[i] = rint(0, dmax)
			if rng.Intn(4) > 0 && d[i] == 0 {
				d[i] = 1
			}
		}
		return d
	}
	rints := func(n int, vals ...int64) *ir.Data {
		v := make([]int64, max(n, 0))
		for i := range v {
			v[i] = pick(vals...)
		}
		return kdInts(v...)
	}
	rsmall := func(n int) []int {
		v := make([]int, n)
		for i := range v {
			v[i] = rint(-1, 3)
		}
		return v
	}
	rdata := func(dims []int) *ir.Data {
		if rng.Intn(3) == 0 {
			return kdRandI(rng, ir.Int32, dims, -5, 5)
		}
		return kdRandF(rng, dims)
	}
	const big, small = math.MaxInt64, math.MinInt64
	for it := 0; it < 3000; it++ {
		var p ir.Params
		var ins []*ir.Data
		nout := 1
		switch it % 7 {
		case 0:
			x := rdata(rdims(0, 4, 4))
			n := rint(0, 3)
			ins = []*ir.Data{x, rints(n, -5, -1, 0, 2, 5, big, small), rints(n, -5, -1, 0, 2, 5, big, small)}
			if rng.Intn(2) == 0 {
				ins = append(ins, rints(n, -2, -1, 0, 1, 2, 3), rints(n, -3, -1, 0, 1, 2, big, small))
			}
			p = &ir.SliceParams{}
		case 1:
			x := rdata(rdims(0, 4, 4))
			nout = rint(1, 3)
			sp := &ir.SplitParams{Axis: rint(-3, 3)}
			if rng.Intn(2) == 0 {
				sp.Sizes = rsmall(nout)
			}
			p, ins = sp, []*ir.Data{x}
			if rng.Intn(3) == 0 {
				ins = append(ins, rints(nout, -1, 0, 1, 2, 3))
			}
		case 2:
			x := rdata(rdims(0, 4, 4))
			modes := []string{"constant", "edge", "reflect", "wrap", "", "bogus"}
			pp := &ir.PaddingParams{Mode: modes[rng.Intn(len(modes))], Pads: rsmall(rint(0, 8))}
			p, ins = pp, []*ir.Data{x}
			if rng.Intn(2) == 0 {
				na := rint(0, 3)
				ins = append(ins, rints(2*na+rint(-1, 1), -6, -2, -1, 0, 1, 3, 8), kdF([]int{}, 2))
				if rng.Intn(2) == 0 {
					ins = append(ins, rints(na, -3, -1, 0, 1, 2, 4))
				}
			}
		case 3:
			x := rdata(rdims(0, 4, 4))
			idx := kdRandI(rng, ir.Int64, rdims(0, 3, 3), -6, 6)
			p = &ir.GatherParams{Mode: ir.GatherMode(rng.Intn(3)), Axis: rint(-3, 3), BatchDims: rint(0, 2)}
			ins = []*ir.Data{x, idx}
		case 4:
			x := rdata(rdims(0, 4, 4))
			idx := kdRandI(rng, ir.Int64, rdims(0, 3, 3), -6, 6)
			upd := rdata(rdims(0, 4, 3))
			if rng.Intn(2) == 0 {
				upd = rdata(idx.Dims)
			}
			upd.Type = x.Type
			if ir.IsIntLike(x.Type) && upd.I == nil {
				upd = kdRandI(rng, x.Type, upd.Dims, -3, 3)
			} else if !ir.IsIntLike(x.Type) && upd.F == nil {
				upd = kdRandF(rng, upd.Dims)
			}
			p = &ir.ScatterParams{Mode: ir.ScatterMode(rng.Intn(2)), Axis: rint(-3, 3), Reduction: ir.ScatterReduction(rng.Intn(5))}
			ins = []*ir.Data{x, idx, upd}
		case 5:
			x := rdata(rdims(2, 5, 5))
			r := max(len(x.Dims)-2, 0) + rint(-1, 1)
			r = max(r, 0)
			pp := &ir.PoolingParams{Type: ir.PoolingType(rng.Intn(3)), WindowSize: rsmall(r), CeilMode: rng.Intn(2) == 0,
				CountIncludePad: rng.Intn(2) == 0, P: rint(0, 3), Global: rng.Intn(5) == 0, StorageOrder: rint(0, 1)}
			if rng.Intn(2) == 0 {
				pp.Strides, pp.Dilations = rsmall(r), rsmall(r)
			}
			if rng.Intn(2) == 0 {
				pp.PrePadding, pp.PostPadding = rsmall(r), rsmall(r)
			}
			pp.AutoPad = []string{"", "VALID", "SAME_UPPER", "SAME_LOWER", "x"}[rng.Intn(5)]
			if rng.Intn(3) == 0 {
				pp.WithIndices, nout = true, 2
			}
			p, ins = pp, []*ir.Data{x}
		case 6:
			x := rdata(rdims(0, 4, 4))
			rp := &ir.ResizeParams{Mode: []string{"nearest", "linear", "cubic", "", "area"}[rng.Intn(5)],
				CoordinateTransform: []string{"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
					"asymmetric", "tf_crop_and_resize", "tf_half_pixel_for_nn", ""}[rng.Intn(8)],
				NearestMode: []string{"round_prefer_floor", "round_prefer_ceil", "floor", "ceil", ""}[rng.Intn(5)],
				CubicCoeffA: float32(rint(-2, 0)) / 2, ExcludeOutside: rng.Intn(2) == 0, Antialias: rng.Intn(2) == 0,
				KeepAspectRatioPolicy: []string{"", "stretch", "not_larger", "not_smaller"}[rng.Intn(4)]}
			na := len(x.Dims)
			if rng.Intn(3) == 0 {
				na = rint(0, 2)
				rp.Axes = rsmall(na)
			}
			ins = []*ir.Data{x, nil, nil, nil}
			if rng.Intn(2) == 0 {
				ins[1] = kdRandF(rng, []int{max(2*na+rint(-1, 0), 0)})
			}
			if rng.Intn(2) == 0 {
				v := make([]float64, max(na+rint(-1, 0), 0))
				for i := range v {
					v[i] = float64(rint(0, 12)) / 4
				}
				ins[2] = kdF([]int{max(len(v), 0)}, v...)
			} else {
				ins[3] = rints(na+rint(-1, 0), -1, 0, 1, 2, 5)
			}
			p = rp
		}
		func() {
			defer func() {
				if e := recover(); e != nil {
					t.Fatalf("iteration %d: %T %+v on %v: panic: %v", it, p, p, ins, e)
				}
			}()
			_, _ = kdRun(p, nout, ins...)
		}()
	}
}
