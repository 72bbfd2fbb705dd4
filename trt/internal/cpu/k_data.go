package cpu

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Data-movement and windowed kernels with ONNX semantics: Pooling, Resize,
// Padding, Gather, Scatter, Slice, Split. Data movement is type-agnostic:
// float types move their float32 values, integer and bool types their int64
// values, bit for bit.

func init() {
	Register(ir.KindPooling, kPooling)
	Register(ir.KindResize, kResize)
	Register(ir.KindPadding, kPadding)
	Register(ir.KindGather, kGather)
	Register(ir.KindScatter, kScatter)
	Register(ir.KindSlice, kSlice)
	Register(ir.KindSplit, kSplit)
}

// dmElem is an element of a Data slice (or a float64 work buffer).
type dmElem interface{ float32 | int64 | float64 }

// dmNeed checks that the first n inputs are present.
func dmNeed(in []*ir.Data, n int) error {
	if len(in) < n {
		return fmt.Errorf("needs %d inputs, got %d", n, len(in))
	}
	for i := 0; i < n; i++ {
		if in[i] == nil {
			return fmt.Errorf("input %d is missing", i)
		}
	}
	return nil
}

// dmOpt returns input i, or nil when it is absent.
func dmOpt(in []*ir.Data, i int) *ir.Data {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// dmCheckLen verifies that d holds as many values as its dims say.
func dmCheckLen(what string, d *ir.Data) error {
	n := ir.Volume(d.Dims)
	got := len(d.F)
	if ir.IsIntLike(d.Type) {
		got = len(d.I)
	}
	if n < 0 || got != n {
		return fmt.Errorf("%s %v%s holds %d values, dims need %d", what, d.Type, ir.DimsString(d.Dims), got, n)
	}
	return nil
}

// dmMaxElements bounds the outputs these kernels allocate.
const dmMaxElements = 1 << 32

// dmAlloc allocates an output, failing on unknown or negative dims and on
// sizes past dmMaxElements instead of panicking.
func dmAlloc(t ir.DataType, dims []int) (*ir.Data, error) { return dmAllocC(nil, t, dims) }

// dmAllocC is dmAlloc in the kernel's pooled memory (contents unspecified:
// the kernel writes every element).
func dmAllocC(c *Ctx, t ir.DataType, dims []int) (*ir.Data, error) {
	n := 1
	for _, v := range dims {
		if v < 0 {
			return nil, fmt.Errorf("output dims %s are not resolved", ir.DimsString(dims))
		}
		if v > 0 && n > dmMaxElements/v {
			return nil, fmt.Errorf("output dims %s exceed %d elements", ir.DimsString(dims), dmMaxElements)
		}
		n *= v
	}
	return c.NewData(t, dims), nil
}

// dmIndex maps index v along an axis of size n into [0, n); negative indices
// count from the end.
func dmIndex(what string, v int64, axis, n int) (int, error) {
	if v < -int64(n) || v >= int64(n) {
		return 0, fmt.Errorf("%s index %d is out of range for axis %d of size %d (valid: %d..%d)", what, v, axis, n, -n, n-1)
	}
	if v < 0 {
		v += int64(n)
	}
	return int(v), nil
}

// dmMapCopy fills dst (dims out) from src (row-major strides inStrides):
// along axis a, output coordinate o reads input coordinate maps[a][o], or
// writes fill where that is -1.
func dmMapCopy[T dmElem](dst, src []T, out, inStrides []int, maps [][]int, fill T) {
	r := len(out)
	if len(dst) == 0 {
		return
	}
	if r == 0 {
		dst[0] = src[0]
		return
	}
	last := out[r-1]
	rows := len(dst) / last
	lm, ls := maps[r-1], inStrides[r-1]
	contiguous := ls == 1
	for i, m := range lm {
		if m != lm[0]+i || m < 0 {
			contiguous = false
			break
		}
	}
	ParallelFor(rows, max(1, (1<<14)/last), func(lo, hi int) {
		idx := make([]int, r-1)
		rem := lo
		for a := r - 2; a >= 0; a-- {
			idx[a] = rem % out[a]
			rem /= out[a]
		}
		for row := lo; row < hi; row++ {
			base, ok := 0, true
			for a := 0; a < r-1; a++ {
				m := maps[a][idx[a]]
				if m < 0 {
					ok = false
					break
				}
				base += m * inStrides[a]
			}
			d := dst[row*last : (row+1)*last]
			switch {
			case !ok:
				for i := range d {
					d[i] = fill
				}
			case contiguous:
				copy(d, src[base+lm[0]:base+lm[0]+last])
			default:
				for i, m := range lm {
					if m < 0 {
						d[i] = fill
					} else {
						d[i] = src[base+m*ls]
					}
				}
			}
			for a := r - 2; a >= 0; a-- {
				idx[a]++
				if idx[a] < out[a] {
					break
				}
				idx[a] = 0
			}
		}
	})
}

// dmMapData is dmMapCopy over Data (dst allocated with its dims).
func dmMapData(dst, src *ir.Data, maps [][]int, fillF float32, fillI int64) {
	st := Strides(src.Dims)
	if ir.IsIntLike(src.Type) {
		dmMapCopy(dst.I, src.I, dst.Dims, st, maps, fillI)
	} else {
		dmMapCopy(dst.F, src.F, dst.Dims, st, maps, fillF)
	}
}

// ---- Slice and Split -------------------------------------------------------------

func kSlice(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	if err := dmNeed(in, 3); err != nil {
		return nil, err
	}
	if _, err := OutInfos(c.Node, in); err != nil {
		return nil, err
	}
	x := in[0]
	if err := dmCheckLen("slice input", x); err != nil {
		return nil, err
	}
	var axes, steps []int64
	if a := dmOpt(in, 3); a != nil {
		axes = a.Ints()
	}
	if s := dmOpt(in, 4); s != nil {
		steps = s.Ints()
	}
	sp, err := ir.ResolveSlice(x.Dims, in[1].Ints(), in[2].Ints(), axes, steps)
	if err != nil {
		return nil, err
	}
	maps := make([][]int, len(x.Dims))
	for a := range maps {
		maps[a] = make([]int, sp.Count[a])
		for o := range maps[a] {
			maps[a][o] = sp.First[a] + o*sp.Step[a]
		}
	}
	out, err := dmAllocC(c, x.Type, sp.Count)
	if err != nil {
		return nil, err
	}
	dmMapData(out, x, maps, 0, 0)
	return []*ir.Data{out}, nil
}

func kSplit(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	if err := dmNeed(in, 1); err != nil {
		return nil, err
	}
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if err := dmCheckLen("split input", x); err != nil {
		return nil, err
	}
	ax, err := ir.NormAxis(c.Node.Params.(*ir.SplitParams).Axis, len(x.Dims))
	if err != nil {
		return nil, err
	}
	outer, inner := ir.Volume(x.Dims[:ax]), ir.Volume(x.Dims[ax+1:])
	row := x.Dims[ax] * inner
	outs := make([]*ir.Data, len(info))
	pos, total := 0, 0
	for i, o := range info {
		if !ir.DimsKnown(o.Dims) {
			return nil, fmt.Errorf("split output %d has unresolved dims %s", i, ir.DimsString(o.Dims))
		}
		total += o.Dims[ax]
	}
	if total != x.Dims[ax] {
		return nil, fmt.Errorf("split sizes sum to %d, axis %d has %d", total, ax, x.Dims[ax])
	}
	for i, o := range info {
		d, err := dmAllocC(c, x.Type, o.Dims)
		if err != nil {
			return nil, err
		}
		blk := o.Dims[ax] * inner
		for j := 0; j < outer; j++ {
			if d.F != nil {
				copy(d.F[j*blk:(j+1)*blk], x.F[j*row+pos:j*row+pos+blk])
			} else {
				copy(d.I[j*blk:(j+1)*blk], x.I[j*row+pos:j*row+pos+blk])
			}
		}
		pos += blk
		outs[i] = d
	}
	return outs, nil
}

// ---- Padding -------------------------------------------------------------------

func kPadding(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.PaddingParams)
	if err := dmNeed(in, 1); err != nil {
		return nil, err
	}
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if err := dmCheckLen("pad input", x); err != nil {
		return nil, err
	}
	r := len(x.Dims)
	pads := make([]int64, len(p.Pads))
	for i, v := range p.Pads {
		pads[i] = int64(v)
	}
	if pd := dmOpt(in, 1); pd != nil {
		pads = pd.Ints()
	}
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	if ad := dmOpt(in, 3); ad != nil {
		axes = axes[:0]
		for _, a := range ad.Ints() {
			ax, err := ir.NormAxis(int(a), r)
			if err != nil {
				return nil, err
			}
			axes = append(axes, ax)
		}
	}
	if len(pads) != 2*len(axes) {
		return nil, fmt.Errorf("pads %v need %d values for %d axes", pads, 2*len(axes), len(axes))
	}
	begin, end := make([]int, r), make([]int, r)
	for i, ax := range axes {
		begin[ax] += int(pads[i])
		end[ax] += int(pads[i+len(axes)])
	}
	fillF, fillI := p.Value, int64(p.Value)
	if v := dmOpt(in, 2); v != nil && v.Len() > 0 {
		fillF, fillI = float32(v.Float(0)), v.Int(0)
	}
	mode := p.Mode
	if mode == "" {
		mode = "constant"
	}
	outDims := info[0].Dims
	maps := make([][]int, r)
	for a := range maps {
		n := x.Dims[a]
		// Negative pads crop first; the remaining view [lo, hi) is then padded.
		lo, hi := max(0, -begin[a]), n-max(0, -end[a])
		m := hi - lo
		if m < 0 {
			return nil, fmt.Errorf("pads %v crop more than axis %d has (%d)", pads, a, n)
		}
		pb := max(begin[a], 0)
		if outDims[a] != m+pb+max(end[a], 0) {
			return nil, fmt.Errorf("internal: pad output extent %d on axis %d", outDims[a], a)
		}
		maps[a] = make([]int, outDims[a])
		for o := range maps[a] {
			j := o - pb
			if j < 0 || j >= m {
				if mode != "constant" && m == 0 {
					return nil, fmt.Errorf("%s padding of axis %d needs values, the axis is empty", mode, a)
				}
				switch mode {
				case "constant":
					maps[a][o] = -1
					continue
				case "edge":
					j = min(max(j, 0), m-1)
				case "reflect":
					if m == 1 {
						j = 0
					} else {
						period := 2 * (m - 1)
						j = ((j % period) + period) % period
						if j >= m {
							j = period - j
						}
					}
				case "wrap":
					j = ((j % m) + m) % m
				}
			}
			maps[a][o] = lo + j
		}
	}
	out, err := dmAllocC(c, x.Type, outDims)
	if err != nil {
		return nil, err
	}
	dmMapData(out, x, maps, fillF, fillI)
	return []*ir.Data{out}, nil
}

// ---- Gather --------------------------------------------------------------------

func kGather(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.GatherParams)
	if err := dmNeed(in, 2); err != nil {
		return nil, err
	}
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	x, idx := in[0], in[1]
	if err := dmCheckLen("gather data", x); err != nil {
		return nil, err
	}
	if err := dmCheckLen("gather indices", idx); err != nil {
		return nil, err
	}
	out, err := dmAllocC(c, x.Type, info[0].Dims)
	if err != nil {
		return nil, err
	}
	switch p.Mode {
	case ir.GatherDefault:
		err = dmGatherDefault(x, idx, out, p.Axis)
	case ir.GatherElements:
		err = dmGatherElements(x, idx, out, p.Axis)
	case ir.GatherND:
		err = dmGatherND(x, idx, out, p.BatchDims)
	default:
		err = fmt.Errorf("unknown gather mode %d", p.Mode)
	}
	if err != nil {
		return nil, err
	}
	return []*ir.Data{out}, nil
}

// dmBlockCopy copies n elements from src at so to dst at do.
func dmBlockCopy(dst, src *ir.Data, do, so, n int) {
	if ir.IsIntLike(src.Type) {
		copy(dst.I[do:do+n], src.I[so:so+n])
	} else {
		copy(dst.F[do:do+n], src.F[so:so+n])
	}
}

func dmGatherDefault(x, idx, out *ir.Data, axis int) error {
	ax, err := ir.NormAxis(axis, len(x.Dims))
	if err != nil {
		return err
	}
	n := x.Dims[ax]
	outer, inner := ir.Volume(x.Dims[:ax]), ir.Volume(x.Dims[ax+1:])
	ks := make([]int, len(idx.I))
	for i, v := range idx.I {
		if ks[i], err = dmIndex("gather", v, ax, n); err != nil {
			return err
		}
	}
	m := len(ks)
	ParallelFor(outer*m, max(1, (1<<14)/max(inner, 1)), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			o, j := row/m, row%m
			dmBlockCopy(out, x, row*inner, (o*n+ks[j])*inner, inner)
		}
	})
	return nil
}

func dmGatherElements(x, idx, out *ir.Data, axis int) error {
	r := len(x.Dims)
	ax, err := ir.NormAxis(axis, r)
	if err != nil {
		return err
	}
	for d := range r {
		if d != ax && idx.Dims[d] > x.Dims[d] {
			return fmt.Errorf("gather-elements indices %s exceed data %s on axis %d", ir.DimsString(idx.Dims), ir.DimsString(x.Dims), d)
		}
	}
	n := x.Dims[ax]
	for _, v := range idx.I {
		if _, err := dmIndex("gather-elements", v, ax, n); err != nil {
			return err
		}
	}
	xs := Strides(x.Dims)
	masked := append([]int{}, xs...)
	masked[ax] = 0
	isInt := ir.IsIntLike(x.Type)
	ForEachIndex(idx.Dims, [][]int{masked}, func(i int, off []int) {
		k := int(idx.I[i])
		if k < 0 {
			k += n
		}
		s := off[0] + k*xs[ax]
		if isInt {
			out.I[i] = x.I[s]
		} else {
			out.F[i] = x.F[s]
		}
	})
	return nil
}

func dmGatherND(x, idx, out *ir.Data, b int) error {
	q := len(idx.Dims)
	last := idx.Dims[q-1]
	batch := ir.Volume(idx.Dims[:b])
	tuples := ir.Volume(idx.Dims[b : q-1])
	block := ir.Volume(x.Dims[b+last:])
	xBatch := ir.Volume(x.Dims[b:])
	xs := Strides(x.Dims)
	for bi := 0; bi < batch; bi++ {
		for t := 0; t < tuples; t++ {
			row := bi*tuples + t
			off := bi * xBatch
			for j := 0; j < last; j++ {
				k, err := dmIndex("gather-nd", idx.I[row*last+j], b+j, x.Dims[b+j])
				if err != nil {
					return err
				}
				off += k * xs[b+j]
			}
			dmBlockCopy(out, x, row*block, off, block)
		}
	}
	return nil
}

// ---- Scatter -------------------------------------------------------------------

func kScatter(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.ScatterParams)
	if err := dmNeed(in, 3); err != nil {
		return nil, err
	}
	if _, err := OutInfos(c.Node, in); err != nil {
		return nil, err
	}
	x, idx, upd := in[0], in[1], in[2]
	for i, d := range in[:3] {
		if err := dmCheckLen([]string{"scatter data", "scatter indices", "scatter updates"}[i], d); err != nil {
			return nil, err
		}
	}
	out := x.Clone()
	if out.F == nil && out.I == nil {
		out = ir.NewData(x.Type, x.Dims)
	}
	// Positions (data offset, update offset, count) in application order.
	var dst, src []int
	block := 1
	switch p.Mode {
	case ir.ScatterElements:
		r := len(x.Dims)
		ax, err := ir.NormAxis(p.Axis, r)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(idx.Dims, upd.Dims) {
			return nil, fmt.Errorf("scatter-elements indices %s and updates %s differ", ir.DimsString(idx.Dims), ir.DimsString(upd.Dims))
		}
		for d := range r {
			if d != ax && idx.Dims[d] > x.Dims[d] {
				return nil, fmt.Errorf("scatter-elements indices %s exceed data %s on axis %d", ir.DimsString(idx.Dims), ir.DimsString(x.Dims), d)
			}
		}
		n := x.Dims[ax]
		ks := make([]int, len(idx.I))
		for i, v := range idx.I {
			if ks[i], err = dmIndex("scatter-elements", v, ax, n); err != nil {
				return nil, err
			}
		}
		xs := Strides(x.Dims)
		masked := append([]int{}, xs...)
		masked[ax] = 0
		dst, src = make([]int, len(ks)), make([]int, len(ks))
		ForEachIndex(idx.Dims, [][]int{masked}, func(i int, off []int) {
			dst[i], src[i] = off[0]+ks[i]*xs[ax], i
		})
	case ir.ScatterND:
		q := len(idx.Dims)
		k := idx.Dims[q-1]
		want := append(append([]int{}, idx.Dims[:q-1]...), x.Dims[k:]...)
		if !slices.Equal(want, upd.Dims) {
			return nil, fmt.Errorf("scatter-nd updates %s must be %s", ir.DimsString(upd.Dims), ir.DimsString(want))
		}
		tuples := ir.Volume(idx.Dims[:q-1])
		block = ir.Volume(x.Dims[k:])
		xs := Strides(x.Dims)
		dst, src = make([]int, tuples), make([]int, tuples)
		for t := 0; t < tuples; t++ {
			off := 0
			for j := 0; j < k; j++ {
				v, err := dmIndex("scatter-nd", idx.I[t*k+j], j, x.Dims[j])
				if err != nil {
					return nil, err
				}
				off += v * xs[j]
			}
			dst[t], src[t] = off, t*block
		}
	default:
		return nil, fmt.Errorf("unknown scatter mode %d", p.Mode)
	}
	if ir.IsIntLike(x.Type) {
		t := x.Type
		dmScatterApply(out.I, upd.I, dst, src, block, p.Reduction, func(v int64) int64 { return ir.WrapInt(v, t) })
	} else {
		dmScatterApply(out.F, upd.F, dst, src, block, p.Reduction, func(v float32) float32 { return v })
	}
	return []*ir.Data{out}, nil
}

// dmScatterApply combines blocks of updates into out, in order (with no
// reduction a later duplicate index wins).
func dmScatterApply[T float32 | int64](out, upd []T, dst, src []int, block int, red ir.ScatterReduction, wrap func(T) T) {
	for i := range dst {
		o, u := out[dst[i]:dst[i]+block], upd[src[i]:src[i]+block]
		switch red {
		case ir.ScatterNone:
			copy(o, u)
		case ir.ScatterAdd:
			for j := range o {
				o[j] = wrap(o[j] + u[j])
			}
		case ir.ScatterMul:
			for j := range o {
				o[j] = wrap(o[j] * u[j])
			}
		case ir.ScatterMax:
			for j := range o {
				if u[j] > o[j] || u[j] != u[j] {
					o[j] = u[j]
				}
			}
		case ir.ScatterMin:
			for j := range o {
				if u[j] < o[j] || u[j] != u[j] {
					o[j] = u[j]
				}
			}
		}
	}
}

// ---- Pooling -------------------------------------------------------------------

func kPooling(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.PoolingParams)
	if err := dmNeed(in, 1); err != nil {
		return nil, err
	}
	info, err := OutInfos(c.Node, in)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if err := dmCheckLen("pooling input", x); err != nil {
		return nil, err
	}
	r := len(x.Dims) - 2
	nc := x.Dims[0] * x.Dims[1]
	sp, osp := x.Dims[2:], info[0].Dims[2:]
	if !ir.DimsKnown(osp) {
		return nil, fmt.Errorf("internal: pooling output dims %s", ir.DimsString(info[0].Dims))
	}
	var k, s, d, pb, pe []int
	if p.Global {
		k = sp
		s, d, pb, pe = make([]int, r), make([]int, r), make([]int, r), make([]int, r)
		for i := range s {
			s[i], d[i] = 1, 1
		}
	} else {
		k = p.WindowSize
		if s, d, pb, pe, err = ir.ResolveWindow(sp, k, p.Strides, p.Dilations, p.PrePadding, p.PostPadding, p.AutoPad); err != nil {
			return nil, err
		}
	}
	if !genericOnly && r == 2 && !p.WithIndices && !ir.IsIntLike(x.Type) && (p.Type == ir.PoolMax || p.Type == ir.PoolAverage) &&
		d[0] == 1 && d[1] == 1 && k[0] <= 8 && k[1] <= 8 {
		out, err := dmAllocC(c, x.Type, info[0].Dims)
		if err != nil {
			return nil, err
		}
		pool2D(x.F, out.F, nc, sp, osp, k, s, pb, pe, p.Type == ir.PoolMax, p.CountIncludePad)
		return []*ir.Data{out}, nil
	}
	// Per spatial axis and output coordinate: the window's input coordinates
	// inside the input, and how many window taps lie inside the padded input
	// (the divisor of count_include_pad; taps of a ceil-mode window past the
	// end padding do not count).
	pos := make([][][]int, r)
	padCnt := make([][]int, r)
	for i := range r {
		pos[i] = make([][]int, osp[i])
		padCnt[i] = make([]int, osp[i])
		for o := range osp[i] {
			st := o*s[i] - pb[i]
			for t := range k[i] {
				q := st + t*d[i]
				if q >= 0 && q < sp[i] {
					pos[i][o] = append(pos[i][o], q)
				}
				if q >= -pb[i] && q < sp[i]+pe[i] {
					padCnt[i][o]++
				}
			}
		}
	}
	// Tap table shared by every (n, c) plane: output position oi reads the
	// flat spatial offsets taps[tapStart[oi]:tapStart[oi+1]], in row-major
	// window order (so the first maximum wins as in ONNX Runtime).
	plane, oplane := ir.Volume(sp), ir.Volume(osp)
	if plane > math.MaxInt32 {
		return nil, fmt.Errorf("pooling plane of %d values is too large", plane)
	}
	st := Strides(sp)
	tapStart := make([]int, oplane+1)
	var taps []int32
	divisor := make([]float64, oplane)
	{
		oc := make([]int, r)
		wc := make([]int, r)
		for oi := 0; oi < oplane; oi++ {
			tapStart[oi] = len(taps)
			div, empty := 1, false
			for i := range r {
				div *= padCnt[i][oc[i]]
				empty = empty || len(pos[i][oc[i]]) == 0
			}
			if !empty {
				clear(wc)
				for {
					off := 0
					for i := range r {
						off += pos[i][oc[i]][wc[i]] * st[i]
					}
					taps = append(taps, int32(off))
					i := r - 1
					for ; i >= 0; i-- {
						wc[i]++
						if wc[i] < len(pos[i][oc[i]]) {
							break
						}
						wc[i] = 0
					}
					if i < 0 {
						break
					}
				}
			}
			if p.CountIncludePad {
				divisor[oi] = float64(div)
			} else {
				divisor[oi] = float64(len(taps) - tapStart[oi])
			}
			for i := r - 1; i >= 0; i-- {
				oc[i]++
				if oc[i] < osp[i] {
					break
				}
				oc[i] = 0
			}
		}
		tapStart[oplane] = len(taps)
	}
	pw := 2.0
	if p.Type == ir.PoolLp && p.P > 0 {
		pw = float64(p.P)
	}
	out, err := dmAllocC(c, x.Type, info[0].Dims)
	if err != nil {
		return nil, err
	}
	var ind *ir.Data
	if p.WithIndices {
		ind = ir.NewData(ir.Int64, out.Dims)
	}
	// Column-major strides for storage_order 1 indices.
	cst := make([]int, r)
	acc := 1
	for i := range r {
		cst[i] = acc
		acc *= sp[i]
	}
	if p.StorageOrder == 0 {
		cst = st
	}
	index := func(pl, off int) int64 {
		if off < 0 {
			return -1
		}
		ci := 0
		for i := range r {
			ci += (off / st[i]) * cst[i]
			off %= st[i]
		}
		return int64(pl*plane + ci)
	}
	isInt := ir.IsIntLike(x.Type)
	intMin := dmIntMin(x.Type)
	ParallelFor(nc, max(1, (1<<15)/max(1, len(taps))), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			base := pl * plane
			for oi := 0; oi < oplane; oi++ {
				o := pl*oplane + oi
				tp := taps[tapStart[oi]:tapStart[oi+1]]
				best := -1 // flat spatial offset of the maximum
				switch {
				case isInt:
					v := intMin
					for _, t := range tp {
						if u := x.I[base+int(t)]; best < 0 || u > v {
							v, best = u, int(t)
						}
					}
					out.I[o] = v
				case p.Type == ir.PoolMax && ind == nil:
					v := float32(math.Inf(-1))
					for _, t := range tp {
						if u := x.F[base+int(t)]; u > v {
							v = u
						}
					}
					if math.IsInf(float64(v), -1) && len(tp) > 0 {
						v = dmPoolAllNaN(x.F[base:], tp)
					}
					out.F[o] = v
				case p.Type == ir.PoolMax:
					// NaN is skipped (as ONNX Runtime and the ONNX reference);
					// a window of NaN only gives NaN, an empty one -Inf.
					v := float32(math.Inf(-1))
					nan := -1
					for _, t := range tp {
						u := x.F[base+int(t)]
						if u != u {
							if nan < 0 {
								nan = int(t)
							}
						} else if best < 0 || u > v {
							v, best = u, int(t)
						}
					}
					if best < 0 && nan >= 0 {
						v, best = float32(math.NaN()), nan
					}
					out.F[o] = v
				case p.Type == ir.PoolAverage:
					sum := 0.0
					for _, t := range tp {
						sum += float64(x.F[base+int(t)])
					}
					out.F[o] = float32(sum / divisor[oi])
				default:
					sum := 0.0
					switch pw {
					case 1:
						for _, t := range tp {
							sum += math.Abs(float64(x.F[base+int(t)]))
						}
					case 2:
						for _, t := range tp {
							u := float64(x.F[base+int(t)])
							sum += u * u
						}
						sum = math.Sqrt(sum)
					default:
						for _, t := range tp {
							sum += math.Pow(math.Abs(float64(x.F[base+int(t)])), pw)
						}
						sum = math.Pow(sum, 1/pw)
					}
					out.F[o] = float32(sum)
				}
				if ind != nil {
					ind.I[o] = index(pl, best)
				}
			}
		}
	})
	res := []*ir.Data{out}
	if ind != nil {
		res = append(res, ind)
	}
	return res, nil
}

// pool2D is max or average pooling of nc planes over a 2-D window of at
// most 8x8 without dilation: the same values as the tap-table path (NaN
// skipped by max unless the window holds only NaN; average sums in float64
// in window order and divides by the padded or the valid tap count), with
// each window read as rows of contiguous input.
func pool2D(x, y []float32, nc int, sp, osp, k, s, pb, pe []int, isMax, includePad bool) {
	H, W, OH, OW := sp[0], sp[1], osp[0], osp[1]
	// Per axis and output coordinate: the window's valid input range and
	// its number of taps inside the padded input.
	ranges := func(out, in, k, s, pb, pe int) (lo, hi, cnt []int) {
		lo, hi, cnt = make([]int, out), make([]int, out), make([]int, out)
		for o := range out {
			st := o*s - pb
			lo[o], hi[o] = max(st, 0), min(st+k, in)
			for t := range k {
				if q := st + t; q >= -pb && q < in+pe {
					cnt[o]++
				}
			}
			if hi[o] < lo[o] {
				hi[o] = lo[o]
			}
		}
		return lo, hi, cnt
	}
	hLo, hHi, hCnt := ranges(OH, H, k[0], s[0], pb[0], pe[0])
	wLo, wHi, wCnt := ranges(OW, W, k[1], s[1], pb[1], pe[1])
	// Output columns whose window lies inside the input: [owA, owB).
	owA, owB := OW, 0
	for ow := range OW {
		if wHi[ow]-wLo[ow] == k[1] && ow*s[1]-pb[1] >= 0 {
			owA, owB = min(owA, ow), ow+1
		}
	}
	special := isMax && (k[0] == 2 || k[0] == 3) && (k[1] == 2 || k[1] == 3) && owA < owB
	ParallelFor(nc*OH, max(1, (1<<15)/max(1, OW*k[0]*k[1])), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			pl, oh := u/OH, u%OH
			xp := x[pl*H*W : (pl+1)*H*W]
			yr := y[u*OW : (u+1)*OW]
			h0, h1 := hLo[oh], hHi[oh]
			if special && h1-h0 == k[0] {
				// Whole windows, unrolled; the edge columns below.
				for ow := range owA {
					yr[ow] = poolMax(xp, W, h0, h1, wLo[ow], wHi[ow])
				}
				maxWindows(xp, W, h0, k[0], k[1], s[1], pb[1], yr, owA, owB)
				for ow := owB; ow < OW; ow++ {
					yr[ow] = poolMax(xp, W, h0, h1, wLo[ow], wHi[ow])
				}
				continue
			}
			for ow := range yr {
				w0, w1 := wLo[ow], wHi[ow]
				if isMax {
					yr[ow] = poolMax(xp, W, h0, h1, w0, w1)
					continue
				}
				sum := 0.0
				for r := h0; r < h1; r++ {
					for _, v := range xp[r*W+w0 : r*W+w1] {
						sum += float64(v)
					}
				}
				div := (h1 - h0) * (w1 - w0)
				if includePad {
					div = hCnt[oh] * wCnt[ow]
				}
				yr[ow] = float32(sum / float64(div))
			}
		}
	})
}

// poolMax is the max of the window rows [h0, h1) x columns [w0, w1) of a
// plane of width W, NaN skipped unless there is nothing else (-Inf for an
// empty window). Go's max is branch-free but propagates NaN, so a window
// holding NaN is redone.
func poolMax(xp []float32, W, h0, h1, w0, w1 int) float32 {
	m := float32(math.Inf(-1))
	for r := h0; r < h1; r++ {
		for _, v := range xp[r*W+w0 : r*W+w1] {
			m = max(m, v)
		}
	}
	if m != m {
		return poolMaxNaN(xp, W, h0, h1, w0, w1)
	}
	return m
}

// poolMaxNaN is poolMax for a window holding NaN.
func poolMaxNaN(xp []float32, W, h0, h1, w0, w1 int) float32 {
	m := float32(math.Inf(-1))
	nonNaN := false
	for r := h0; r < h1; r++ {
		for _, v := range xp[r*W+w0 : r*W+w1] {
			if v == v {
				nonNaN = true
				if v > m {
					m = v
				}
			}
		}
	}
	if !nonNaN {
		return float32(math.NaN())
	}
	return m
}

// maxWindows writes yr[owA:owB], whole kh x kw windows (2 or 3 each) at
// row h0, column stride sw and left padding pw.
func maxWindows(xp []float32, W, h0, kh, kw, sw, pw int, yr []float32, owA, owB int) {
	r0 := xp[h0*W : (h0+1)*W]
	r1 := xp[(h0+1)*W : (h0+2)*W]
	r2 := r1
	if kh == 3 {
		r2 = xp[(h0+2)*W : (h0+3)*W]
	}
	for ow := owA; ow < owB; ow++ {
		c := ow*sw - pw
		var m float32
		switch {
		case kw == 2 && kh == 2:
			m = max(r0[c], r0[c+1], r1[c], r1[c+1])
		case kw == 2:
			m = max(r0[c], r0[c+1], r1[c], r1[c+1], r2[c], r2[c+1])
		case kh == 2:
			m = max(r0[c], r0[c+1], r0[c+2], r1[c], r1[c+1], r1[c+2])
		default:
			m = max(r0[c], r0[c+1], r0[c+2], r1[c], r1[c+1], r1[c+2], r2[c], r2[c+1], r2[c+2])
		}
		if m != m {
			m = poolMaxNaN(xp, W, h0, h0+kh, c, c+kw)
		}
		yr[ow] = m
	}
}

// dmPoolAllNaN is the max of a window whose non-NaN values (if any) are all
// -Inf: NaN when every value is NaN.
func dmPoolAllNaN(x []float32, taps []int32) float32 {
	for _, t := range taps {
		if u := x[t]; u == u {
			return float32(math.Inf(-1))
		}
	}
	return float32(math.NaN())
}

// dmIntMin is the smallest value of integer type t.
func dmIntMin(t ir.DataType) int64 {
	switch t {
	case ir.Int8:
		return math.MinInt8
	case ir.Int32:
		return math.MinInt32
	case ir.Int64:
		return math.MinInt64
	}
	return 0
}

// ---- Resize --------------------------------------------------------------------

// rzAxis holds, per output coordinate of one axis, n taps (input index and
// weight) and whether the coordinate falls outside a tf_crop_and_resize roi.
type rzAxis struct {
	n        int
	idx      []int
	w        []float64
	extrap   []bool
	identity bool
}

func kResize(c *Ctx, in []*ir.Data) ([]*ir.Data, error) {
	p := c.Node.Params.(*ir.ResizeParams)
	if err := dmNeed(in, 1); err != nil {
		return nil, err
	}
	if _, err := OutInfos(c.Node, in); err != nil {
		return nil, err
	}
	x := in[0]
	if err := dmCheckLen("resize input", x); err != nil {
		return nil, err
	}
	r := len(x.Dims)
	var scales []float64
	var sizes []int64
	if sc := dmOpt(in, 2); sc != nil && sc.Len() > 0 {
		scales = make([]float64, sc.Len())
		for i := range scales {
			scales[i] = sc.Float(i)
		}
	}
	if sz := dmOpt(in, 3); sz != nil && sz.Len() > 0 {
		sizes = sz.Ints()
	}
	if scales == nil && sizes == nil {
		if p.Scales != nil {
			scales = make([]float64, len(p.Scales))
			for i, v := range p.Scales {
				scales[i] = float64(v)
			}
		}
		if p.Sizes != nil {
			sizes = make([]int64, len(p.Sizes))
			for i, v := range p.Sizes {
				sizes[i] = int64(v)
			}
		}
	}
	spec, err := ir.ResolveResize(p, x.Dims, scales, sizes)
	if err != nil {
		return nil, err
	}
	out, err := dmAllocC(c, x.Type, spec.Out)
	if err != nil {
		return nil, err
	}
	ctm := p.CoordinateTransform
	if ctm == "" {
		ctm = "half_pixel"
	}
	roiS, roiE := make([]float64, r), make([]float64, r)
	for i := range roiE {
		roiE[i] = 1
	}
	if ctm == "tf_crop_and_resize" {
		if roi := dmOpt(in, 1); roi != nil && roi.Len() > 0 {
			na := len(spec.Axes)
			if roi.Len() != 2*na {
				return nil, fmt.Errorf("resize roi has %d values, want %d (start and end of %d axes)", roi.Len(), 2*na, na)
			}
			for i, ax := range spec.Axes {
				roiS[ax], roiE[ax] = roi.Float(i), roi.Float(na+i)
			}
		}
	}
	if out.Len() == 0 {
		return []*ir.Data{out}, nil
	}
	axes := make([]*rzAxis, r)
	for a := range r {
		if axes[a], err = rzTaps(p, ctm, x.Dims[a], spec.Out[a], spec.Scales[a], roiS[a], roiE[a]); err != nil {
			return nil, err
		}
	}
	extrapF := p.ExtrapolationValue
	if p.Mode == "" || p.Mode == "nearest" {
		// Pure data movement: exact for every type.
		maps := make([][]int, r)
		for a, t := range axes {
			maps[a] = make([]int, spec.Out[a])
			for o := range maps[a] {
				if t.extrap != nil && t.extrap[o] {
					maps[a][o] = -1
				} else {
					maps[a][o] = t.idx[o]
				}
			}
		}
		dmMapData(out, x, maps, extrapF, rzToInt(float64(extrapF), x.Type))
		return []*ir.Data{out}, nil
	}
	// Separable interpolation in float64, innermost axis first (the order of
	// the ONNX reference).
	cur := c.Float64s(x.Len())
	if ir.IsIntLike(x.Type) {
		for i, v := range x.I {
			cur[i] = float64(v)
		}
	} else {
		for i, v := range x.F {
			cur[i] = float64(v)
		}
	}
	dims := append([]int{}, x.Dims...)
	hasExtrap := false
	for a := r - 1; a >= 0; a-- {
		t := axes[a]
		if t.extrap != nil {
			hasExtrap = true
		}
		if t.identity {
			continue
		}
		if rest := len(cur) / dims[a]; rest > dmMaxElements/spec.Out[a] {
			return nil, fmt.Errorf("resize intermediate of %d x %d values is too large", rest, spec.Out[a])
		}
		cur = rzApply(c, cur, dims, a, t, spec.Out[a])
		dims[a] = spec.Out[a]
	}
	if hasExtrap {
		maps := make([][]int, r)
		for a, t := range axes {
			maps[a] = make([]int, spec.Out[a])
			for o := range maps[a] {
				maps[a][o] = o
				if t.extrap != nil && t.extrap[o] {
					maps[a][o] = -1
				}
			}
		}
		res := c.Float64s(len(cur))
		dmMapCopy(res, cur, dims, Strides(dims), maps, float64(extrapF))
		cur = res
	}
	if ir.IsIntLike(x.Type) {
		for i, v := range cur {
			out.I[i] = rzToInt(v, x.Type)
		}
	} else {
		for i, v := range cur {
			out.F[i] = float32(v)
		}
	}
	return []*ir.Data{out}, nil
}

// rzToInt converts an interpolated value to integer type t: truncation toward
// zero (numpy astype, as the ONNX reference), saturated to the type's range.
func rzToInt(v float64, t ir.DataType) int64 {
	if v != v {
		return 0
	}
	if t == ir.Bool {
		if v != 0 {
			return 1
		}
		return 0
	}
	v = math.Trunc(v)
	lo, hi := float64(math.MinInt64), float64(math.MaxInt64)
	switch t {
	case ir.Int8:
		lo, hi = math.MinInt8, math.MaxInt8
	case ir.UInt8:
		lo, hi = 0, math.MaxUint8
	case ir.Int32:
		lo, hi = math.MinInt32, math.MaxInt32
	}
	switch {
	case v <= lo:
		return int64(lo) // exact: lo is -2^k
	case v >= hi:
		if t == ir.Int64 { // 2^63 does not fit
			return math.MaxInt64
		}
		return int64(hi)
	}
	return int64(v)
}

// rzCoord maps output coordinate o of an axis to the input coordinate.
func rzCoord(ctm string, o, inLen, outLen int, scale, roiS, roiE float64) (xo float64, extrap bool) {
	x := float64(o)
	in := float64(inLen)
	// As the ONNX reference, the "resized length" of the formulas is
	// scale*length (equal to the output extent when sizes are given).
	outF := scale * in
	switch ctm {
	case "half_pixel":
		return (x+0.5)/scale - 0.5, false
	case "half_pixel_symmetric":
		adj := float64(outLen) / outF
		center := in / 2
		return center*(1-adj) + (x+0.5)/scale - 0.5, false
	case "pytorch_half_pixel":
		if outLen > 1 {
			return (x+0.5)/scale - 0.5, false
		}
		return 0, false
	case "align_corners":
		if outF == 1 {
			return 0, false
		}
		return x * (in - 1) / (outF - 1), false
	case "asymmetric":
		return x / scale, false
	case "tf_half_pixel_for_nn":
		return (x + 0.5) / scale, false
	case "tf_crop_and_resize":
		if outF == 1 {
			xo = (roiE - roiS) * (in - 1) / 2
		} else {
			xo = x * (roiE - roiS) * (in - 1) / (outF - 1)
		}
		xo += roiS * (in - 1)
		return xo, xo < 0 || xo > in-1 || xo != xo
	}
	return 0, false
}

func rzCubic(t, a float64) float64 {
	t = math.Abs(t)
	switch {
	case t <= 1:
		return ((a+2)*t-(a+3))*t*t + 1
	case t < 2:
		return ((a*t-5*a)*t+8*a)*t - 4*a
	}
	return 0
}

// rzTaps computes the taps of one axis.
func rzTaps(p *ir.ResizeParams, ctm string, inLen, outLen int, scale, roiS, roiE float64) (*rzAxis, error) {
	t := &rzAxis{}
	if ctm == "tf_crop_and_resize" {
		t.extrap = make([]bool, outLen)
	}
	if outLen > 0 && inLen == 0 {
		return nil, fmt.Errorf("resize cannot make %d values from an empty axis", outLen)
	}
	mode := p.Mode
	if mode == "" {
		mode = "nearest"
	}
	if mode == "nearest" {
		t.n = 1
		t.idx = make([]int, outLen)
		t.identity = inLen == outLen
		for o := range outLen {
			xo, ex := rzCoord(ctm, o, inLen, outLen, scale, roiS, roiE)
			if ex {
				t.extrap[o] = true
				t.identity = false
				continue
			}
			if xo != xo {
				return nil, fmt.Errorf("resize coordinate of output %d is NaN", o)
			}
			fl := math.Floor(xo)
			i := fl
			if fl != xo {
				ratio := xo - fl
				switch p.NearestMode {
				case "", "round_prefer_floor":
					if ratio > 0.5 {
						i++
					}
				case "round_prefer_ceil":
					if ratio >= 0.5 {
						i++
					}
				case "floor":
				case "ceil":
					i++
				default:
					return nil, fmt.Errorf("unknown resize nearest_mode %q", p.NearestMode)
				}
			}
			t.idx[o] = int(min(max(i, 0), float64(inLen-1)))
			if t.idx[o] != o {
				t.identity = false
			}
		}
		return t, nil
	}
	var radius float64
	var kern func(float64) float64
	switch mode {
	case "linear":
		radius = 1
		kern = func(v float64) float64 { return max(0, 1-math.Abs(v)) }
	case "cubic":
		radius = 2
		a := float64(p.CubicCoeffA)
		if a == 0 {
			a = -0.75 // ONNX default; 0 means unset
		}
		kern = func(v float64) float64 { return rzCubic(v, a) }
	default:
		return nil, fmt.Errorf("unknown resize mode %q", p.Mode)
	}
	s2 := 1.0
	if p.Antialias && scale < 1 {
		s2 = scale
	}
	start := int(math.Floor(-radius/s2)) + 1
	n := 2 - 2*start
	if n > 1<<16 {
		return nil, fmt.Errorf("resize antialias filter of %d taps (scale %v) is too large", n, scale)
	}
	t.n = n
	t.idx = make([]int, outLen*n)
	t.w = make([]float64, outLen*n)
	t.identity = inLen == outLen
	for o := range outLen {
		xo, ex := rzCoord(ctm, o, inLen, outLen, scale, roiS, roiE)
		if ex {
			t.extrap[o] = true
			t.identity = false
			continue
		}
		if xo != xo {
			return nil, fmt.Errorf("resize coordinate of output %d is NaN", o)
		}
		// ratio in (0, 1]: an integral coordinate takes the right tap.
		fl := math.Floor(xo)
		ratio := xo - fl
		if ratio == 0 {
			ratio, fl = 1, fl-1
		}
		fl = min(max(fl, -float64(n)-1), float64(inLen+n)) // keep far coordinates finite
		base := int(fl)
		idx, w := t.idx[o*n:(o+1)*n], t.w[o*n:(o+1)*n]
		sum := 0.0
		for k := range n {
			off := start + k
			idx[k] = base + off
			w[k] = kern(s2 * (float64(off) - ratio))
			sum += w[k]
		}
		if p.Antialias {
			for k := range w {
				w[k] /= sum
			}
		}
		if p.ExcludeOutside {
			sum = 0
			for k := range w {
				if idx[k] < 0 || idx[k] >= inLen {
					w[k] = 0
				}
				sum += w[k]
			}
			for k := range w {
				w[k] /= sum
			}
		}
		for k := range idx {
			idx[k] = min(max(idx[k], 0), inLen-1)
			if w[k] != 0 && (idx[k] != o || w[k] != 1) {
				t.identity = false
			}
		}
	}
	return t, nil
}

// rzApply interpolates axis a of cur (dims) to outLen values.
func rzApply(c *Ctx, cur []float64, dims []int, a int, t *rzAxis, outLen int) []float64 {
	outer, inner := ir.Volume(dims[:a]), ir.Volume(dims[a+1:])
	inLen := dims[a]
	res := c.Float64s(outer * outLen * inner)
	clear(res)
	if len(res) == 0 {
		return res
	}
	ParallelFor(outer*outLen, max(1, (1<<13)/(max(inner, 1)*t.n)), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			o, x := row/outLen, row%outLen
			dst := res[row*inner : (row+1)*inner]
			if t.extrap != nil && t.extrap[x] {
				continue
			}
			for k := 0; k < t.n; k++ {
				w := t.w[x*t.n+k]
				if w == 0 {
					continue
				}
				s := (o*inLen + t.idx[x*t.n+k]) * inner
				src := cur[s : s+inner]
				for i := range dst {
					dst[i] += w * src[i]
				}
			}
		}
	})
	return res
}
