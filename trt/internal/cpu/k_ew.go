package cpu

import (
	"math"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Broadcast iteration in rows.
//
// newBcast collapses a broadcast of several operands to the fewest dims:
// size-1 dims are dropped and neighbours merged wherever every operand is
// contiguous (or broadcast) across both. What is left is a set of rows of
// `inner` elements along which each operand is either contiguous (stride 1)
// or one repeated value (stride 0): a bias [D] over [N,T,D] is T*N rows of D
// with the bias contiguous, a mean [N,T,1] over [N,T,D] rows of D with the
// mean repeated, a scalar one row with stride 0. Kernels then run a tight
// loop per row with the op chosen outside it.

type bcast struct {
	n     int     // elements
	rows  int     // product of outer
	inner int     // row length
	outer []int   // collapsed outer dims
	st    [][]int // per operand: strides of the outer dims
	ist   []int   // per operand: stride along a row (0 or 1)
}

func newBcast(dims []int, ins ...[]int) *bcast {
	k := len(ins)
	b := &bcast{n: ir.Volume(dims), st: make([][]int, k), ist: make([]int, k)}
	if b.n == 0 {
		return b
	}
	full := make([][]int, k)
	for i, d := range ins {
		full[i] = BroadcastStrides(d, dims)
	}
	var sizes []int
	var cols [][]int // per kept dim: each operand's stride
	for ax, n := range dims {
		if n == 1 {
			continue
		}
		col := make([]int, k)
		for i := range full {
			col[i] = full[i][ax]
		}
		if m := len(sizes); m > 0 {
			ok := true
			for i := range col {
				if cols[m-1][i] != col[i]*n {
					ok = false
					break
				}
			}
			if ok {
				sizes[m-1] *= n
				cols[m-1] = col
				continue
			}
		}
		sizes = append(sizes, n)
		cols = append(cols, col)
	}
	if len(sizes) == 0 {
		b.rows, b.inner = 1, 1
		for i := range b.st {
			b.st[i] = []int{}
		}
		return b
	}
	last := len(sizes) - 1
	b.inner = sizes[last]
	copy(b.ist, cols[last])
	b.outer = sizes[:last]
	b.rows = ir.Volume(b.outer)
	for i := range b.st {
		b.st[i] = make([]int, last)
		for d := 0; d < last; d++ {
			b.st[i][d] = cols[d][i]
		}
	}
	return b
}

// rowIter walks the rows of a bcast, keeping each operand's offset.
type rowIter struct {
	b   *bcast
	idx []int
	off []int
}

func (b *bcast) at(row int) *rowIter {
	it := &rowIter{b: b, idx: make([]int, len(b.outer)), off: make([]int, len(b.st))}
	for d := len(b.outer) - 1; d >= 0; d-- {
		it.idx[d] = row % b.outer[d]
		row /= b.outer[d]
		for k := range it.off {
			it.off[k] += it.idx[d] * b.st[k][d]
		}
	}
	return it
}

func (it *rowIter) next() {
	b := it.b
	for d := len(b.outer) - 1; d >= 0; d-- {
		it.idx[d]++
		for k := range it.off {
			it.off[k] += b.st[k][d]
		}
		if it.idx[d] < b.outer[d] {
			return
		}
		for k := range it.off {
			it.off[k] -= b.st[k][d] * b.outer[d]
		}
		it.idx[d] = 0
	}
}

// ewGrain is the number of elements below which an element-wise loop is not
// split over goroutines (about 30 us of work: less does not pay for waking a
// core).
const ewGrain = 1 << 16

// parallel runs fn over every row segment: row r, elements [j0, j1) of it,
// with off the operands' offsets at the row's start. Long rows are cut into
// segments so that a single row (equal shapes, a scalar operand) still
// spreads over the cores.
func (b *bcast) parallel(grain int, fn func(r, j0, j1 int, off []int)) {
	if b.n == 0 {
		return
	}
	segs := 1
	if w := Workers(); w > 1 && b.rows < 4*w && b.inner >= 2*grain {
		segs = min((b.inner+grain-1)/grain, 4*w)
	}
	seg := (b.inner + segs - 1) / segs
	units := b.rows * segs
	ParallelFor(units, max(1, grain/seg), func(lo, hi int) {
		row := lo / segs
		it := b.at(row)
		for u := lo; u < hi; u++ {
			r, s := u/segs, u%segs
			for row < r {
				it.next()
				row++
			}
			j0 := s * seg
			j1 := min(b.inner, j0+seg)
			if j0 < j1 {
				fn(r, j0, j1, it.off)
			}
		}
	})
}

// ---- float binary ops ----------------------------------------------------------

// ewOp is a float binary operation of the row kernels: the element-wise ops
// plus the internal ones below.
type ewOp int

const (
	opPRelu ewOp = 1000 + iota // x < 0 ? x*slope : x
)

// binaryRows computes op over the broadcast of a and b into out (len = volume
// of dims). f is the scalar form of op, used by ops without a row kernel.
// post, when set, is applied in place to each finished piece of out (the
// step's fused activations, while the piece is in cache).
func binaryRows(op ewOp, a, b []float32, ad, bd, dims []int, out []float32, f func(x, y float32) float32, post func(dst []float32)) {
	bc := newBcast(dims, ad, bd)
	sa, sb := bc.ist[0], bc.ist[1]
	bc.parallel(ewGrain, func(r, j0, j1 int, off []int) {
		o := r * bc.inner
		dst := out[o+j0 : o+j1]
		ewRowF(op, dst, a[off[0]+j0*sa:], sa, b[off[1]+j0*sb:], sb, f)
		if post != nil {
			post(dst)
		}
	})
}

// fusedRows returns the row loops of the step's leading fused activations
// (those activationRow has), applied in order in place, and their number.
// The executor skips them.
func fusedRows(c *Ctx) (func(dst []float32), int) {
	var rows []func(dst, x []float32)
	for _, e := range c.epilogue {
		p, ok := e.Params.(*ir.ActivationParams)
		if !ok || e.Kind != ir.KindActivation {
			break
		}
		row := activationRow(p.Type, p.Alpha, p.Beta)
		if row == nil {
			break
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, 0
	}
	return func(dst []float32) {
		for _, row := range rows {
			row(dst, dst)
		}
	}, len(rows)
}

// ewRowF: dst[j] = op(a[j*sa], b[j*sb]) with sa, sb in {0, 1}.
func ewRowF(op ewOp, dst, a []float32, sa int, b []float32, sb int, f func(x, y float32) float32) {
	if v := vecBinary(ir.ElementWiseOp(op), dst, a, sa, b, sb); v > 0 {
		// The vector rows did the leading multiple of 8.
		dst = dst[v:]
		if sa == 1 {
			a = a[v:]
		}
		if sb == 1 {
			b = b[v:]
		}
		if len(dst) == 0 {
			return
		}
	}
	n := len(dst)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:n], b[:n]
		switch ir.ElementWiseOp(op) {
		case ir.EwSum:
			for i := range dst {
				dst[i] = a[i] + b[i]
			}
		case ir.EwSub:
			for i := range dst {
				dst[i] = a[i] - b[i]
			}
		case ir.EwProd:
			for i := range dst {
				dst[i] = a[i] * b[i]
			}
		case ir.EwDiv:
			for i := range dst {
				dst[i] = a[i] / b[i]
			}
		case ir.EwMax:
			for i := range dst {
				dst[i] = max(a[i], b[i])
			}
		case ir.EwMin:
			for i := range dst {
				dst[i] = min(a[i], b[i])
			}
		default:
			if op == opPRelu {
				for i, x := range a {
					if x < 0 {
						x *= b[i]
					}
					dst[i] = x
				}
				return
			}
			for i := range dst {
				dst[i] = f(a[i], b[i])
			}
		}
	case sa == 1:
		a = a[:n]
		y := b[0]
		switch ir.ElementWiseOp(op) {
		case ir.EwSum:
			for i, x := range a {
				dst[i] = x + y
			}
		case ir.EwSub:
			for i, x := range a {
				dst[i] = x - y
			}
		case ir.EwProd:
			for i, x := range a {
				dst[i] = x * y
			}
		case ir.EwDiv:
			for i, x := range a {
				dst[i] = x / y
			}
		case ir.EwMax:
			for i, x := range a {
				dst[i] = max(x, y)
			}
		case ir.EwMin:
			for i, x := range a {
				dst[i] = min(x, y)
			}
		default:
			if op == opPRelu {
				for i, x := range a {
					if x < 0 {
						x *= y
					}
					dst[i] = x
				}
				return
			}
			for i, x := range a {
				dst[i] = f(x, y)
			}
		}
	case sb == 1:
		b = b[:n]
		x := a[0]
		switch ir.ElementWiseOp(op) {
		case ir.EwSum:
			for i, y := range b {
				dst[i] = x + y
			}
		case ir.EwSub:
			for i, y := range b {
				dst[i] = x - y
			}
		case ir.EwProd:
			for i, y := range b {
				dst[i] = x * y
			}
		case ir.EwDiv:
			for i, y := range b {
				dst[i] = x / y
			}
		case ir.EwMax:
			for i, y := range b {
				dst[i] = max(x, y)
			}
		case ir.EwMin:
			for i, y := range b {
				dst[i] = min(x, y)
			}
		default:
			for i, y := range b {
				dst[i] = f(x, y)
			}
		}
	default:
		v := f(a[0], b[0])
		for i := range dst {
			dst[i] = v
		}
	}
}

// ewScalarF is the scalar form of a float element-wise op (nil if the op is
// not defined for floats).
func ewScalarF(op ir.ElementWiseOp) func(x, y float32) float32 {
	switch op {
	case ir.EwSum:
		return func(x, y float32) float32 { return x + y }
	case ir.EwSub:
		return func(x, y float32) float32 { return x - y }
	case ir.EwProd:
		return func(x, y float32) float32 { return x * y }
	case ir.EwDiv:
		return func(x, y float32) float32 { return x / y }
	case ir.EwMax:
		// Go's max and min propagate NaN and order -0 below +0.
		return func(x, y float32) float32 { return max(x, y) }
	case ir.EwMin:
		return func(x, y float32) float32 { return min(x, y) }
	case ir.EwPow:
		return powF
	case ir.EwFloorDiv:
		return func(x, y float32) float32 { return float32(math.Floor(float64(x) / float64(y))) }
	case ir.EwFMod:
		return func(x, y float32) float32 { return float32(math.Mod(float64(x), float64(y))) }
	case ir.EwMod:
		return func(x, y float32) float32 {
			m := math.Mod(float64(x), float64(y))
			if m != 0 && (m < 0) != (y < 0) {
				m += float64(y)
			}
			return float32(m)
		}
	}
	return nil
}

func powF(x, y float32) float32 { return float32(math.Pow(float64(x), float64(y))) }

// powScalarRow computes dst = pow(x, y) for one exponent y, with the common
// exponents done without math.Pow (bit-identical to it: x*x is exact in
// float64 for float32 x, and Pow(x, 0.5) is Sqrt(x) but for ±0 and -Inf).
func powScalarRow(dst, x []float32, y float32) {
	x = x[:len(dst)]
	switch y {
	case 1:
		copy(dst, x)
	case 2:
		for i, v := range x {
			dst[i] = v * v
		}
	case 3:
		for i, v := range x {
			dst[i] = powF(v, 3)
		}
	case 0.5:
		for i, v := range x {
			switch {
			case v == 0:
				dst[i] = 0
			case math.IsInf(float64(v), -1):
				dst[i] = float32(math.Inf(1))
			default:
				dst[i] = float32(math.Sqrt(float64(v)))
			}
		}
	case -1:
		for i, v := range x {
			dst[i] = powF(v, -1)
		}
	default:
		for i, v := range x {
			dst[i] = powF(v, y)
		}
	}
}

// ---- generic rows for comparisons, integers and selects ---------------------

// compareRows writes 0/1 of cmp over the broadcast of a and b.
func compareRows(op ir.ElementWiseOp, a, b []float32, ad, bd, dims []int, out []int64) {
	bc := newBcast(dims, ad, bd)
	sa, sb := bc.ist[0], bc.ist[1]
	bc.parallel(ewGrain, func(r, j0, j1 int, off []int) {
		o := r*bc.inner + j0
		ao, bo := off[0]+j0*sa, off[1]+j0*sb
		for j := range j1 - j0 {
			x, y := a[ao+j*sa], b[bo+j*sb]
			var v bool
			switch op {
			case ir.EwEqual:
				v = x == y
			case ir.EwGreater:
				v = x > y
			case ir.EwLess:
				v = x < y
			case ir.EwGreaterOrEqual:
				v = x >= y
			case ir.EwLessOrEqual:
				v = x <= y
			}
			out[o+j] = b2i(v)
		}
	})
}

func binaryRowsI(a, b []int64, ad, bd, dims []int, out []int64, f func(x, y int64) int64) {
	bc := newBcast(dims, ad, bd)
	sa, sb := bc.ist[0], bc.ist[1]
	bc.parallel(ewGrain, func(r, j0, j1 int, off []int) {
		o := r*bc.inner + j0
		ao, bo := off[0]+j0*sa, off[1]+j0*sb
		for j := range j1 - j0 {
			out[o+j] = f(a[ao+j*sa], b[bo+j*sb])
		}
	})
}

// selectRows writes cond ? a : b over the broadcast of the three.
func selectRows[T float32 | int64](cond []int64, a, b []T, cd, ad, bd, dims []int, out []T) {
	bc := newBcast(dims, cd, ad, bd)
	sc, sa, sb := bc.ist[0], bc.ist[1], bc.ist[2]
	bc.parallel(ewGrain, func(r, j0, j1 int, off []int) {
		o := r*bc.inner + j0
		co, ao, bo := off[0]+j0*sc, off[1]+j0*sa, off[2]+j0*sb
		for j := range j1 - j0 {
			if cond[co+j*sc] != 0 {
				out[o+j] = a[ao+j*sa]
			} else {
				out[o+j] = b[bo+j*sb]
			}
		}
	})
}

// broadcastRows copies x broadcast to dims into out.
func broadcastRows[T float32 | int64](x []T, xd, dims []int, out []T) {
	bc := newBcast(dims, xd)
	s := bc.ist[0]
	bc.parallel(ewGrain, func(r, j0, j1 int, off []int) {
		dst := out[r*bc.inner+j0 : r*bc.inner+j1]
		if s == 1 {
			copy(dst, x[off[0]+j0:])
			return
		}
		v := x[off[0]]
		for j := range dst {
			dst[j] = v
		}
	})
}
