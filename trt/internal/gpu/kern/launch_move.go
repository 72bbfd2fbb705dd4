package kern

import (
	"fmt"
	"math"
	"slices"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Map axis modes (cu/move.cu).
const (
	mLinear = iota
	mMod
	mPadConst
	mPadEdge
	mPadReflect
	mPadWrap
)

type mapAxis struct{ N, Stride, Mode, A, B, C int64 }

// mapArgs mirrors MapArgs in cu/move.cu.
type mapArgs struct {
	Out, In                                      uint64
	Total, Rank, OType, IType, FillPtr, FillType int64
	FillBits                                     uint64
	Rank2                                        int64
	Ax                                           [maxRank]mapAxis
	Dims2, Str2                                  [maxRank]int64
}

// mapCopy launches the index-mapping copy: out (packed, dims = the axes'
// extents) from in through axes (and the optional second level).
func (l *Lib) mapCopy(c *Call, out, in Tensor, axes []mapAxis, a *mapArgs) error {
	if a == nil {
		a = &mapArgs{}
	}
	total := int64(1)
	for _, x := range axes {
		total *= x.N
	}
	if total == 0 {
		return nil
	}
	if total != vol(out.Dims) {
		return fmt.Errorf("internal: map of %d values for output %s", total, ir.DimsString(out.Dims))
	}
	if out.Ptr == 0 || (in.Ptr == 0 && vol(in.Dims) > 0) {
		return fmt.Errorf("missing device data")
	}
	// drop extent-1 axes (their coordinate is 0) but keep their offset
	var ax []mapAxis
	for _, x := range axes {
		if x.N == 1 && x.Mode == mLinear {
			// coordinate 0 maps to x.A: fold it into a neighbouring axis' offset
			if x.A != 0 {
				ax = append(ax, x)
			}
			continue
		}
		ax = append(ax, x)
	}
	if len(ax) > maxRank {
		return fmt.Errorf("%w: %d mapped axes", ErrUnsupported, len(ax))
	}
	a.Out, a.In = uint64(out.Ptr), uint64(in.Ptr)
	a.Total, a.Rank = total, int64(len(ax))
	a.OType, a.IType = int64(out.Type), int64(in.Type)
	copy(a.Ax[:], ax)
	suf := "cv"
	if out.Type == in.Type {
		suf = elemSuffix(out.Type)
	}
	w := "_64"
	if total < math.MaxInt32 && vol(in.Dims) < math.MaxInt32 {
		w = "_32"
	}
	return l.launch(c, "map_"+suf+w, total, argBytes(a))
}

// linearAxes maps out coordinates to in through strides (out dims, the
// input stride of each out axis).
func linearAxes(dims []int, strides []int64) []mapAxis {
	ax := make([]mapAxis, len(dims))
	for i, n := range dims {
		ax[i] = mapAxis{N: int64(n), Stride: strides[i], Mode: mLinear, B: 1}
	}
	return ax
}

// ---- transpose / shuffle ----------------------------------------------------------

type trArgs struct {
	Out, In uint64
	B, R, C int64
}

// permute writes out = x permuted (out dims[i] = x dims[perm[i]]).
func (l *Lib) permute(c *Call, out, x Tensor, perm []int) error {
	xs := packedStrides(x.Dims)
	// merge input axes that stay adjacent, drop extent-1 axes
	type grp struct {
		n      int64
		stride int64
		src    int // first input axis
	}
	var gs []grp
	for _, p := range perm {
		if x.Dims[p] == 1 {
			continue
		}
		if k := len(gs) - 1; k >= 0 {
			// the previous out axis reads input axis q; merge when p is the
			// next non-unit input axis after q's group
			last := gs[k]
			if last.stride == xs[p]*int64(x.Dims[p]) {
				gs[k].n *= int64(x.Dims[p])
				gs[k].stride = xs[p]
				continue
			}
		}
		gs = append(gs, grp{n: int64(x.Dims[p]), stride: xs[p], src: p})
	}
	n := vol(x.Dims)
	if n == 0 {
		return nil
	}
	identity := true
	for i := 1; i < len(gs); i++ {
		if gs[i].stride > gs[i-1].stride {
			identity = false
		}
	}
	if identity {
		return l.copyOrCast(c, out, x)
	}
	if out.Type == x.Type {
		// tiled 2-D transposes: [R, C] -> [C, R] and [B, R, C] -> [B, C, R]
		var b, r, cc int64
		switch {
		case len(gs) == 2 && gs[0].stride == 1:
			b, r, cc = 1, gs[1].n, gs[0].n
		case len(gs) == 3 && gs[1].stride == 1 && gs[2].stride == gs[1].n && gs[0].stride == gs[1].n*gs[2].n:
			b, r, cc = gs[0].n, gs[2].n, gs[1].n
		}
		if b > 0 && (r+31)/32 <= 65535 {
			f, err := l.fn("transpose_" + elemSuffix(x.Type))
			if err != nil {
				return err
			}
			a := trArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), B: b, R: r, C: cc}
			grid := cuda.Dim3{X: int((cc + 31) / 32), Y: int((r + 31) / 32), Z: int(min(b, 65535))}
			return cuda.Launch(f, grid, cuda.Dim3{X: 32, Y: 8}, 0, c.Stream, argBytes(&a))
		}
	}
	ax := make([]mapAxis, len(gs))
	for i, g := range gs {
		ax[i] = mapAxis{N: g.n, Stride: g.stride, Mode: mLinear, B: 1}
	}
	return l.mapCopy(c, out, x, ax, nil)
}

func identityPerm(p []int) bool {
	for i, v := range p {
		if v != i {
			return false
		}
	}
	return true
}

func (l *Lib) shuffle(c *Call) error {
	p := c.Node.Params.(*ir.ShuffleParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	if vol(x.Dims) != vol(out.Dims) {
		return fmt.Errorf("input %s and output %s differ in size", ir.DimsString(x.Dims), ir.DimsString(out.Dims))
	}
	p1, p2 := p.FirstTranspose, p.SecondTranspose
	if p1 != nil && identityPerm(p1) {
		p1 = nil
	}
	if p2 != nil && identityPerm(p2) {
		p2 = nil
	}
	if p1 != nil && len(p1) != len(x.Dims) {
		return fmt.Errorf("first transpose %v does not fit input %s", p1, ir.DimsString(x.Dims))
	}
	if p2 != nil && len(p2) != len(out.Dims) {
		return fmt.Errorf("second transpose %v does not fit output %s", p2, ir.DimsString(out.Dims))
	}
	// d2: the dims before the second transpose
	d2 := out.Dims
	if p2 != nil {
		d2 = make([]int, len(p2))
		for i, v := range p2 {
			d2[v] = out.Dims[i]
		}
	}
	switch {
	case p1 == nil && p2 == nil:
		return l.copyOrCast(c, out, x)
	case p2 == nil:
		return l.permute(c, out, x, p1)
	case p1 == nil:
		return l.permute(c, out, Tensor{Ptr: x.Ptr, Type: x.Type, Dims: d2}, p2)
	}
	d1 := ir.Permute(x.Dims, p1)
	if slices.Equal(d1, d2) {
		q := make([]int, len(p2))
		for i, v := range p2 {
			q[i] = p1[v]
		}
		return l.permute(c, out, x, q)
	}
	// two levels: out coordinate -> linear index in d2 (= in d1) -> x offset
	s2 := packedStrides(d2)
	ax := make([]mapAxis, len(out.Dims))
	for i, n := range out.Dims {
		ax[i] = mapAxis{N: int64(n), Stride: s2[p2[i]], Mode: mLinear, B: 1}
	}
	if len(d1) > maxRank {
		return fmt.Errorf("%w: rank %d", ErrUnsupported, len(d1))
	}
	xs := packedStrides(x.Dims)
	a := &mapArgs{Rank2: int64(len(d1))}
	for j, v := range p1 {
		a.Dims2[j] = int64(d1[j])
		a.Str2[j] = xs[v]
	}
	return l.mapCopy(c, out, x, ax, a)
}

// ---- concatenation, split ---------------------------------------------------------

type copy2DArgs struct {
	Dst, Src                                              uint64
	Rows, Width, DPitch, DOff, SPitch, SOff, DType, SType int64
}

func (l *Lib) copy2D(c *Call, dst Tensor, src Tensor, a copy2DArgs) error {
	if a.Rows*a.Width == 0 {
		return nil
	}
	a.Dst, a.Src = uint64(dst.Ptr), uint64(src.Ptr)
	a.DType, a.SType = int64(dst.Type), int64(src.Type)
	suf := "cv"
	if dst.Type == src.Type {
		suf = elemSuffix(dst.Type)
	}
	return l.launch(c, "copy2d_"+suf, a.Rows*a.Width, argBytes(&a))
}

func (l *Lib) concat(c *Call) error {
	out := c.Out[0]
	r := len(out.Dims)
	ax, err := ir.NormAxis(c.Node.Params.(*ir.ConcatParams).Axis, r)
	if err != nil {
		return err
	}
	outer, inner := vol(out.Dims[:ax]), vol(out.Dims[ax+1:])
	rowOut := int64(out.Dims[ax]) * inner
	pos := int64(0)
	for i := range c.In {
		x := c.In[i]
		if len(x.Dims) != r {
			return fmt.Errorf("input %d rank %d differs from the output's %d", i, len(x.Dims), r)
		}
		row := int64(x.Dims[ax]) * inner
		if row > 0 && outer > 0 {
			if x.Ptr == 0 {
				return fmt.Errorf("input %d has no device data", i)
			}
			if err := l.copy2D(c, out, x, copy2DArgs{Rows: outer, Width: row, DPitch: rowOut, DOff: pos, SPitch: row}); err != nil {
				return err
			}
		}
		pos += row
	}
	if pos != rowOut {
		return fmt.Errorf("inputs fill %d of %d values per row", pos, rowOut)
	}
	return nil
}

func (l *Lib) split(c *Call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	r := len(x.Dims)
	ax, err := ir.NormAxis(c.Node.Params.(*ir.SplitParams).Axis, r)
	if err != nil {
		return err
	}
	outer, inner := vol(x.Dims[:ax]), vol(x.Dims[ax+1:])
	row := int64(x.Dims[ax]) * inner
	pos := int64(0)
	for i, o := range c.Out {
		if len(o.Dims) != r {
			return fmt.Errorf("output %d rank differs from the input's", i)
		}
		blk := int64(o.Dims[ax]) * inner
		if blk > 0 && outer > 0 {
			if o.Ptr == 0 {
				return fmt.Errorf("output %d has no device data", i)
			}
			if err := l.copy2D(c, o, x, copy2DArgs{Rows: outer, Width: blk, DPitch: blk, SPitch: row, SOff: pos}); err != nil {
				return err
			}
		}
		pos += blk
	}
	if pos != row {
		return fmt.Errorf("split sizes sum to %d, axis %d has %d", pos/max(inner, 1), ax, x.Dims[ax])
	}
	return nil
}

// ---- slice, expand, tile, padding ---------------------------------------------------

func (l *Lib) slice(c *Call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	starts, ends := c.value(1), c.value(2)
	if starts == nil || ends == nil {
		return fmt.Errorf("slice starts and ends must be known on the host")
	}
	var axes, steps []int64
	if c.present(3) {
		v := c.value(3)
		if v == nil {
			return fmt.Errorf("slice axes must be known on the host")
		}
		axes = v.Ints()
	}
	if c.present(4) {
		v := c.value(4)
		if v == nil {
			return fmt.Errorf("slice steps must be known on the host")
		}
		steps = v.Ints()
	}
	sp, err := ir.ResolveSlice(x.Dims, starts.Ints(), ends.Ints(), axes, steps)
	if err != nil {
		return err
	}
	if !slices.Equal(sp.Count, c.Out[0].Dims) {
		return fmt.Errorf("slice gives %s, output is %s", ir.DimsString(sp.Count), ir.DimsString(c.Out[0].Dims))
	}
	xs := packedStrides(x.Dims)
	ax := make([]mapAxis, len(x.Dims))
	for i := range ax {
		ax[i] = mapAxis{N: int64(sp.Count[i]), Stride: xs[i], Mode: mLinear, A: int64(sp.First[i]), B: int64(sp.Step[i])}
	}
	return l.mapCopy(c, c.Out[0], x, ax, nil)
}

func (l *Lib) expand(c *Call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	if len(x.Dims) > len(out.Dims) {
		return fmt.Errorf("input %s does not broadcast to %s", ir.DimsString(x.Dims), ir.DimsString(out.Dims))
	}
	for i, d := range x.Dims {
		if o := out.Dims[i+len(out.Dims)-len(x.Dims)]; d != 1 && d != o {
			return fmt.Errorf("input %s does not broadcast to %s", ir.DimsString(x.Dims), ir.DimsString(out.Dims))
		}
	}
	if vol(x.Dims) == vol(out.Dims) {
		return l.copyOrCast(c, out, x)
	}
	return l.mapCopy(c, out, x, linearAxes(out.Dims, broadcastStrides(x.Dims, out.Dims)), nil)
}

func (l *Lib) tile(c *Call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	if len(x.Dims) != len(out.Dims) {
		return fmt.Errorf("input %s and output %s differ in rank", ir.DimsString(x.Dims), ir.DimsString(out.Dims))
	}
	xs := packedStrides(x.Dims)
	ax := make([]mapAxis, len(x.Dims))
	for i, n := range out.Dims {
		if n > 0 && (x.Dims[i] == 0 || n%x.Dims[i] != 0) {
			return fmt.Errorf("output %s is no tiling of input %s", ir.DimsString(out.Dims), ir.DimsString(x.Dims))
		}
		if n == x.Dims[i] {
			ax[i] = mapAxis{N: int64(n), Stride: xs[i], Mode: mLinear, B: 1}
		} else {
			ax[i] = mapAxis{N: int64(n), Stride: xs[i], Mode: mMod, B: int64(x.Dims[i])}
		}
	}
	return l.mapCopy(c, out, x, ax, nil)
}

func (l *Lib) pad(c *Call) error {
	p := c.Node.Params.(*ir.PaddingParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	r := len(x.Dims)
	pads := make([]int64, len(p.Pads))
	for i, v := range p.Pads {
		pads[i] = int64(v)
	}
	if c.present(1) {
		v := c.value(1)
		if v == nil {
			return fmt.Errorf("pads must be known on the host")
		}
		pads = v.Ints()
	}
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	if c.present(3) {
		v := c.value(3)
		if v == nil {
			return fmt.Errorf("pad axes must be known on the host")
		}
		axes = axes[:0]
		for _, a := range v.Ints() {
			ax, err := ir.NormAxis(int(a), r)
			if err != nil {
				return err
			}
			axes = append(axes, ax)
		}
	}
	if len(pads) != 2*len(axes) {
		return fmt.Errorf("pads %v need %d values for %d axes", pads, 2*len(axes), len(axes))
	}
	begin, end := make([]int64, r), make([]int64, r)
	for i, ax := range axes {
		begin[ax] += pads[i]
		end[ax] += pads[i+len(axes)]
	}
	mode := p.Mode
	if mode == "" {
		mode = "constant"
	}
	pm := map[string]int64{"constant": mPadConst, "edge": mPadEdge, "reflect": mPadReflect, "wrap": mPadWrap}[mode]
	if pm == 0 {
		return fmt.Errorf("unknown pad mode %q", p.Mode)
	}
	xs := packedStrides(x.Dims)
	ax := make([]mapAxis, r)
	for a := range r {
		n := int64(x.Dims[a])
		lo, hi := max(0, -begin[a]), n-max(0, -end[a])
		m := hi - lo
		if m < 0 {
			return fmt.Errorf("pads %v crop more than axis %d has (%d)", pads, a, n)
		}
		pb := max(begin[a], 0)
		if int64(out.Dims[a]) != m+pb+max(end[a], 0) {
			return fmt.Errorf("pad output extent %d on axis %d, want %d", out.Dims[a], a, m+pb+max(end[a], 0))
		}
		if m == 0 && mode != "constant" && out.Dims[a] > 0 {
			return fmt.Errorf("%s padding of axis %d needs values, the axis is empty", mode, a)
		}
		ax[a] = mapAxis{N: int64(out.Dims[a]), Stride: xs[a], Mode: pm, A: pb, B: m, C: lo}
	}
	args := &mapArgs{}
	if c.present(2) && len(c.In) > 2 && c.In[2].Ptr != 0 && vol(c.In[2].Dims) > 0 {
		args.FillPtr, args.FillType = int64(c.In[2].Ptr), int64(c.In[2].Type)
	} else if v := c.value(2); v != nil && v.Len() > 0 {
		args.FillBits = bitsOf(out.Type, v.Float(0), v.Int(0), ir.IsIntLike(v.Type))
	} else {
		args.FillBits = bitsOf(out.Type, float64(p.Value), 0, false)
	}
	return l.mapCopy(c, out, x, ax, args)
}

// ---- trilu, gather, scatter -----------------------------------------------------------

type triluArgs struct {
	Out, In           uint64
	N, R, C, K, Upper int64
}

func (l *Lib) trilu(c *Call) error {
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	if out.Type != x.Type {
		return fmt.Errorf("%w: trilu from %v to %v", ErrUnsupported, x.Type, out.Type)
	}
	var k int64
	if c.present(1) {
		v := c.value(1)
		if v == nil {
			return fmt.Errorf("trilu k must be known on the host")
		}
		ks := v.Ints()
		if len(ks) != 1 {
			return fmt.Errorf("trilu k must be a scalar, got %v", ks)
		}
		k = ks[0]
	}
	r := len(x.Dims)
	if r < 2 {
		return fmt.Errorf("trilu needs rank >= 2")
	}
	a := triluArgs{Out: uint64(out.Ptr), In: uint64(x.Ptr), N: vol(x.Dims), R: int64(max(x.Dims[r-2], 1)), C: int64(max(x.Dims[r-1], 1)), K: k}
	if c.Node.Params.(*ir.TriluParams).Upper {
		a.Upper = 1
	}
	return l.launch(c, "trilu_"+elemSuffix(x.Type), a.N, argBytes(&a))
}

type gatherArgs struct {
	Out, Data, Idx                                     uint64
	IType, Mode, Total, Outer, M, N, Inner, Rank, Axis int64
	IDims, XStr, XDims                                 [maxRank]int64
	Batch, Tuples, Last, Block, XBatch                 int64
}

// checkIndices validates host-known indices against an axis extent n.
func checkIndices(what string, v *ir.Data, axis, n int) error {
	if v == nil {
		return nil
	}
	for _, k := range v.Ints() {
		if k < -int64(n) || k >= int64(n) {
			return fmt.Errorf("%s index %d is out of range for axis %d of size %d (valid: %d..%d)", what, k, axis, n, -n, n-1)
		}
	}
	return nil
}

func (l *Lib) gather(c *Call) error {
	p := c.Node.Params.(*ir.GatherParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	if out.Type != x.Type {
		return fmt.Errorf("%w: gather from %v to %v", ErrUnsupported, x.Type, out.Type)
	}
	total := vol(out.Dims)
	if total == 0 {
		return nil
	}
	idx, err := c.input(1)
	if err != nil {
		return fmt.Errorf("gather indices: %w", err)
	}
	if idx.Type != ir.Int32 && idx.Type != ir.Int64 {
		return fmt.Errorf("gather indices must be INT32 or INT64, got %v", idx.Type)
	}
	hv := c.value(1)
	a := gatherArgs{Out: uint64(out.Ptr), Data: uint64(x.Ptr), Idx: uint64(idx.Ptr), IType: int64(idx.Type), Mode: int64(p.Mode), Total: total}
	r := len(x.Dims)
	xs := packedStrides(x.Dims)
	for i := range r {
		a.XStr[i], a.XDims[i] = xs[i], int64(x.Dims[i])
	}
	switch p.Mode {
	case ir.GatherDefault:
		ax, err := ir.NormAxis(p.Axis, r)
		if err != nil {
			return err
		}
		if err := checkIndices("gather", hv, ax, x.Dims[ax]); err != nil {
			return err
		}
		a.Outer, a.M, a.N, a.Inner = vol(x.Dims[:ax]), vol(idx.Dims), int64(x.Dims[ax]), vol(x.Dims[ax+1:])
		if a.M*a.Inner == 0 {
			return nil
		}
	case ir.GatherElements:
		ax, err := ir.NormAxis(p.Axis, r)
		if err != nil {
			return err
		}
		if len(idx.Dims) != r {
			return fmt.Errorf("gather-elements indices rank %d differs from data rank %d", len(idx.Dims), r)
		}
		for d := range r {
			if d != ax && idx.Dims[d] > x.Dims[d] {
				return fmt.Errorf("gather-elements indices %s exceed data %s on axis %d", ir.DimsString(idx.Dims), ir.DimsString(x.Dims), d)
			}
			a.IDims[d] = int64(idx.Dims[d])
		}
		if err := checkIndices("gather-elements", hv, ax, x.Dims[ax]); err != nil {
			return err
		}
		a.Rank, a.Axis = int64(r), int64(ax)
	case ir.GatherND:
		b := p.BatchDims
		q := len(idx.Dims)
		if q < 1 {
			return fmt.Errorf("gather-nd indices must have rank >= 1")
		}
		last := idx.Dims[q-1]
		if b < 0 || b >= q || last > r-b {
			return fmt.Errorf("gather-nd indices %s do not fit data %s with batch_dims %d", ir.DimsString(idx.Dims), ir.DimsString(x.Dims), b)
		}
		if hv != nil {
			iv := hv.Ints()
			for i, k := range iv {
				ax := b + i%max(last, 1)
				if last > 0 && (k < -int64(x.Dims[ax]) || k >= int64(x.Dims[ax])) {
					return fmt.Errorf("gather-nd index %d is out of range for axis %d of size %d", k, ax, x.Dims[ax])
				}
			}
		}
		a.Batch, a.Last = int64(b), int64(last)
		a.Tuples = vol(idx.Dims[b : q-1])
		a.Block = vol(x.Dims[b+last:])
		a.XBatch = vol(x.Dims[b:])
		if a.Block == 0 || a.Tuples == 0 {
			return nil
		}
	default:
		return fmt.Errorf("unknown gather mode %d", p.Mode)
	}
	return l.launch(c, "gather_"+elemSuffix(x.Type), total, argBytes(&a))
}

type scatterArgs struct {
	Out, Upd, Idx                              uint64
	IType, OType, Mode, Red, Total, Rank, Axis int64
	IDims, XStr, XDims                         [maxRank]int64
	K, Block                                   int64
}

func (l *Lib) scatter(c *Call) error {
	p := c.Node.Params.(*ir.ScatterParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	out := c.Out[0]
	if out.Type != x.Type {
		return fmt.Errorf("%w: scatter from %v to %v", ErrUnsupported, x.Type, out.Type)
	}
	if err := l.copyOrCast(c, out, x); err != nil {
		return err
	}
	idx, err := c.input(1)
	if err != nil {
		return fmt.Errorf("scatter indices: %w", err)
	}
	upd, err := c.input(2)
	if err != nil {
		return fmt.Errorf("scatter updates: %w", err)
	}
	if upd.Type != x.Type {
		return fmt.Errorf("%w: scatter updates %v into %v", ErrUnsupported, upd.Type, x.Type)
	}
	if idx.Type != ir.Int32 && idx.Type != ir.Int64 {
		return fmt.Errorf("scatter indices must be INT32 or INT64, got %v", idx.Type)
	}
	hv := c.value(1)
	r := len(x.Dims)
	a := scatterArgs{Out: uint64(out.Ptr), Upd: uint64(upd.Ptr), Idx: uint64(idx.Ptr), IType: int64(idx.Type),
		OType: int64(x.Type), Red: int64(p.Reduction), Total: vol(upd.Dims)}
	xs := packedStrides(x.Dims)
	for i := range r {
		a.XStr[i], a.XDims[i] = xs[i], int64(x.Dims[i])
	}
	switch p.Mode {
	case ir.ScatterElements:
		ax, err := ir.NormAxis(p.Axis, r)
		if err != nil {
			return err
		}
		if !slices.Equal(idx.Dims, upd.Dims) || len(idx.Dims) != r {
			return fmt.Errorf("scatter-elements indices %s and updates %s differ", ir.DimsString(idx.Dims), ir.DimsString(upd.Dims))
		}
		for d := range r {
			if d != ax && idx.Dims[d] > x.Dims[d] {
				return fmt.Errorf("scatter-elements indices %s exceed data %s on axis %d", ir.DimsString(idx.Dims), ir.DimsString(x.Dims), d)
			}
			a.IDims[d] = int64(idx.Dims[d])
		}
		if err := checkIndices("scatter-elements", hv, ax, x.Dims[ax]); err != nil {
			return err
		}
		a.Mode, a.Rank, a.Axis = 0, int64(r), int64(ax)
	case ir.ScatterND:
		q := len(idx.Dims)
		if q < 1 {
			return fmt.Errorf("scatter-nd indices must have rank >= 1")
		}
		k := idx.Dims[q-1]
		if k > r {
			return fmt.Errorf("scatter-nd indices %s index more dims than data %s has", ir.DimsString(idx.Dims), ir.DimsString(x.Dims))
		}
		want := append(append([]int{}, idx.Dims[:q-1]...), x.Dims[k:]...)
		if !slices.Equal(want, upd.Dims) {
			return fmt.Errorf("scatter-nd updates %s must be %s", ir.DimsString(upd.Dims), ir.DimsString(want))
		}
		if hv != nil && k > 0 {
			for i, v := range hv.Ints() {
				j := i % k
				if v < -int64(x.Dims[j]) || v >= int64(x.Dims[j]) {
					return fmt.Errorf("scatter-nd index %d is out of range for axis %d of size %d", v, j, x.Dims[j])
				}
			}
		}
		a.Mode, a.K, a.Block = 1, int64(k), vol(x.Dims[k:])
		if a.Block == 0 {
			return nil
		}
	default:
		return fmt.Errorf("unknown scatter mode %d", p.Mode)
	}
	return l.launch(c, "scatter", a.Total, argBytes(&a))
}
