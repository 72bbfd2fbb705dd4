package ir

func init() {
	Register(KindConvolution, &OpDef{MinInputs: 2, MaxInputs: 3, Infer: inferConv})
	Register(KindDeconvolution, &OpDef{MinInputs: 2, MaxInputs: 3, Infer: inferDeconv})
	Register(KindPooling, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: inferPooling})
	Register(KindNormalization, &OpDef{MinInputs: 1, MaxInputs: 5, Infer: inferNorm})
	Register(KindSplit, &OpDef{MinInputs: 1, MaxInputs: 2, ParamInputs: []int{1}, Infer: inferSplit})
	Register(KindSlice, &OpDef{MinInputs: 3, MaxInputs: 5, ParamInputs: []int{1, 2, 3, 4}, Infer: inferSlice})
	Register(KindGather, &OpDef{MinInputs: 2, MaxInputs: 2, ParamInputs: []int{1}, Infer: inferGather})
	Register(KindScatter, &OpDef{MinInputs: 3, MaxInputs: 3, ParamInputs: []int{1}, Infer: inferScatter})
	Register(KindPadding, &OpDef{MinInputs: 1, MaxInputs: 4, ParamInputs: []int{1, 3}, Infer: inferPad})
	Register(KindFill, &OpDef{MinInputs: 0, MaxInputs: 3, ParamInputs: []int{0, 1, 2}, Infer: inferFill})
	Register(KindTopK, &OpDef{MinInputs: 1, MaxInputs: 2, ParamInputs: []int{1}, Infer: inferTopK})
	Register(KindArgMinMax, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: inferArgMinMax})
	Register(KindCumulative, &OpDef{MinInputs: 2, MaxInputs: 2, ParamInputs: []int{1}, Infer: inferCumulative})
	Register(KindNonZero, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: func(n *Node, in []*Info) ([]*Info, error) {
		// A scalar counts as a 1-D tensor of one element (numpy, ONNX Runtime).
		return []*Info{{Type: Int64, Dims: []int{max(in[0].Rank(), 1), -1}}}, nil
	}})
	Register(KindOneHot, &OpDef{MinInputs: 3, MaxInputs: 3, ParamInputs: []int{0, 1}, Infer: inferOneHot})
	Register(KindTrilu, &OpDef{MinInputs: 1, MaxInputs: 2, ParamInputs: []int{1}, Infer: func(n *Node, in []*Info) ([]*Info, error) {
		if in[0].Rank() < 2 {
			return nil, Errorf("trilu needs rank >= 2, got %s", DimsString(in[0].Dims))
		}
		if len(in) > 1 && in[1] != nil {
			if err := RequireInt("trilu k", in[1]); err != nil {
				return nil, err
			}
			if v := in[1].Volume(); v >= 0 && v != 1 {
				return nil, Errorf("trilu k must be a scalar, got %s", DimsString(in[1].Dims))
			}
		}
		return Same(in[0]), nil
	}})
}

// spatialOut computes one output extent of a sliding window (-1 if unknown).
func spatialOut(in, k, s, d, pre, post int, ceil bool) int {
	if in < 0 {
		return -1
	}
	eff := (k-1)*d + 1
	num := in + pre + post - eff
	if num < 0 {
		return 0
	}
	if ceil {
		o := (num+s-1)/s + 1
		// The last window must start inside the input or the leading padding.
		if (o-1)*s >= in+pre {
			o--
		}
		return o
	}
	return num/s + 1
}

// ResolveWindow fills defaults (strides/dilations 1, pads 0) and applies
// auto_pad for a window over spatial dims sp. It returns pre/post pads.
func ResolveWindow(sp, kernel, strides, dilations, pre, post []int, autoPad string) (s, d, pb, pe []int, err error) {
	r := len(kernel)
	fill := func(v []int, def int, what string) ([]int, error) {
		if v == nil {
			out := make([]int, r)
			for i := range out {
				out[i] = def
			}
			return out, nil
		}
		if len(v) != r {
			return nil, Errorf("%s %v has %d values for a %d-D window", what, v, len(v), r)
		}
		return v, nil
	}
	if s, err = fill(strides, 1, "strides"); err != nil {
		return
	}
	if d, err = fill(dilations, 1, "dilations"); err != nil {
		return
	}
	if pb, err = fill(pre, 0, "pre-padding"); err != nil {
		return
	}
	if pe, err = fill(post, 0, "post-padding"); err != nil {
		return
	}
	for i := range r {
		if s[i] <= 0 || d[i] <= 0 || kernel[i] <= 0 {
			return nil, nil, nil, nil, Errorf("window %v, strides %v, dilations %v must be positive", kernel, s, d)
		}
		if pb[i] < 0 || pe[i] < 0 {
			return nil, nil, nil, nil, Errorf("negative padding %v %v", pb, pe)
		}
	}
	switch autoPad {
	case "", "NOTSET":
	case "VALID":
		pb, pe = make([]int, r), make([]int, r)
	case "SAME_UPPER", "SAME_LOWER":
		pb, pe = make([]int, r), make([]int, r)
		for i := range r {
			if sp[i] < 0 {
				continue
			}
			out := (sp[i] + s[i] - 1) / s[i]
			total := max((out-1)*s[i]+(kernel[i]-1)*d[i]+1-sp[i], 0)
			if autoPad == "SAME_UPPER" {
				pb[i], pe[i] = total/2, total-total/2
			} else {
				pb[i], pe[i] = total-total/2, total/2
			}
		}
	default:
		err = Errorf("unknown auto_pad %q", autoPad)
	}
	return
}

func inferConv(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ConvParams)
	x, w := in[0], in[1]
	if err := RequireFloat("convolution input", x); err != nil {
		return nil, err
	}
	r := x.Rank() - 2
	if r < 1 {
		return nil, Errorf("convolution input must be [N, C, spatial...], got %s", DimsString(x.Dims))
	}
	if w.Rank() != r+2 {
		return nil, Errorf("kernel dims %s do not fit a %d-D convolution", DimsString(w.Dims), r)
	}
	g := max(p.Groups, 1)
	m := w.Dims[0]
	if m >= 0 && m%g != 0 {
		return nil, Errorf("%d output maps are not divisible by %d groups", m, g)
	}
	if c := x.Dims[1]; c >= 0 && w.Dims[1] >= 0 && c != w.Dims[1]*g {
		return nil, Errorf("input has %d channels, kernel %s with %d groups needs %d", c, DimsString(w.Dims), g, w.Dims[1]*g)
	}
	if p.NbOutputMaps > 0 && m >= 0 && m != p.NbOutputMaps {
		return nil, Errorf("kernel has %d output maps, layer declares %d", m, p.NbOutputMaps)
	}
	if len(in) > 2 && in[2] != nil && in[2].Volume() >= 0 && m >= 0 && in[2].Volume() != m {
		return nil, Errorf("bias has %d values for %d output maps", in[2].Volume(), m)
	}
	kernel := w.Dims[2:]
	if p.KernelSize != nil && len(p.KernelSize) != r {
		return nil, Errorf("kernel size %v does not fit a %d-D convolution", p.KernelSize, r)
	}
	if !DimsKnown(kernel) {
		return nil, Errorf("kernel dims %s must be known at build time", DimsString(w.Dims))
	}
	s, d, pb, pe, err := ResolveWindow(x.Dims[2:], kernel, p.Strides, p.Dilations, p.PrePadding, p.PostPadding, p.AutoPad)
	if err != nil {
		return nil, err
	}
	out := []int{x.Dims[0], m}
	for i := range r {
		out = append(out, spatialOut(x.Dims[2+i], kernel[i], s[i], d[i], pb[i], pe[i], false))
	}
	return []*Info{{Type: x.Type, Dims: out}}, nil
}

// Volume of an info's dims.
func (i *Info) Volume() int { return Volume(i.Dims) }

func inferDeconv(n *Node, in []*Info) ([]*Info, error) {
	p := &n.Params.(*DeconvParams).ConvParams
	x, w := in[0], in[1]
	if err := RequireFloat("deconvolution input", x); err != nil {
		return nil, err
	}
	r := x.Rank() - 2
	if r < 1 || w.Rank() != r+2 {
		return nil, Errorf("deconvolution input %s and kernel %s do not fit", DimsString(x.Dims), DimsString(w.Dims))
	}
	g := max(p.Groups, 1)
	if c := x.Dims[1]; c >= 0 && w.Dims[0] >= 0 && c != w.Dims[0] {
		return nil, Errorf("input has %d channels, kernel %s needs %d", c, DimsString(w.Dims), w.Dims[0])
	}
	kernel := w.Dims[2:]
	if !DimsKnown(kernel) || w.Dims[1] < 0 {
		return nil, Errorf("kernel dims %s must be known at build time", DimsString(w.Dims))
	}
	m := w.Dims[1] * g
	if len(in) > 2 && in[2] != nil && in[2].Volume() >= 0 && in[2].Volume() != m {
		return nil, Errorf("bias has %d values for %d output maps", in[2].Volume(), m)
	}
	s, d, pb, pe, err := ResolveWindow(make([]int, r), kernel, p.Strides, p.Dilations, p.PrePadding, p.PostPadding, "")
	if err != nil {
		return nil, err
	}
	op := p.OutputPadding
	if op == nil {
		op = make([]int, r)
	}
	if len(op) != r {
		return nil, Errorf("output padding %v does not fit a %d-D deconvolution", op, r)
	}
	out := []int{x.Dims[0], m}
	for i := range r {
		if p.OutputShape != nil {
			if len(p.OutputShape) != r {
				return nil, Errorf("output shape %v does not fit a %d-D deconvolution", p.OutputShape, r)
			}
			out = append(out, p.OutputShape[i])
			continue
		}
		if x.Dims[2+i] < 0 {
			out = append(out, -1)
			continue
		}
		o := s[i]*(x.Dims[2+i]-1) + op[i] + (kernel[i]-1)*d[i] + 1 - pb[i] - pe[i]
		if p.AutoPad == "SAME_UPPER" || p.AutoPad == "SAME_LOWER" {
			o = x.Dims[2+i] * s[i]
		}
		if o <= 0 {
			return nil, Errorf("deconvolution output extent %d along spatial axis %d is not positive", o, i)
		}
		out = append(out, o)
	}
	return []*Info{{Type: x.Type, Dims: out}}, nil
}

func inferPooling(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*PoolingParams)
	x := in[0]
	// ONNX MaxPool also takes INT8/UINT8 (and we allow any integer type);
	// average and Lp pooling need floats.
	if p.Type != PoolMax || !IsIntLike(x.Type) || x.Type == Bool {
		if err := RequireFloat("pooling input", x); err != nil {
			return nil, err
		}
	}
	if p.Type == PoolLp && p.P < 0 {
		return nil, Errorf("Lp pooling needs p >= 1, got %d", p.P)
	}
	if p.WithIndices && p.Type != PoolMax {
		return nil, Errorf("pooling indices need max pooling, got %v", p.Type)
	}
	r := x.Rank() - 2
	if r < 1 {
		return nil, Errorf("pooling input must be [N, C, spatial...], got %s", DimsString(x.Dims))
	}
	out := []int{x.Dims[0], x.Dims[1]}
	if p.Global {
		for range r {
			out = append(out, 1)
		}
	} else {
		if len(p.WindowSize) != r {
			return nil, Errorf("window %v does not fit a %d-D pooling", p.WindowSize, r)
		}
		s, d, pb, pe, err := ResolveWindow(x.Dims[2:], p.WindowSize, p.Strides, p.Dilations, p.PrePadding, p.PostPadding, p.AutoPad)
		if err != nil {
			return nil, err
		}
		for i := range r {
			out = append(out, spatialOut(x.Dims[2+i], p.WindowSize[i], s[i], d[i], pb[i], pe[i], p.CeilMode))
		}
	}
	res := []*Info{{Type: x.Type, Dims: out}}
	if p.WithIndices {
		res = append(res, &Info{Type: Int64, Dims: out})
	}
	return res, nil
}

func inferNorm(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*NormParams)
	x := in[0]
	if err := RequireFloat("normalization input", x); err != nil {
		return nil, err
	}
	need, ok := map[NormKind]int{NormBatch: 5, NormInstance: 3, NormLayer: 1, NormGroup: 3, NormLRN: 1, NormLp: 1, NormMeanVariance: 1}[p.Kind]
	if !ok {
		return nil, Errorf("unknown normalization kind %d", p.Kind)
	}
	if len(in) < need {
		return nil, Errorf("%v normalization needs %d inputs, has %d", p.Kind, need, len(in))
	}
	for i := 1; i < len(in); i++ {
		if in[i] == nil {
			if i < need {
				return nil, Errorf("%v normalization input %d is missing", p.Kind, i)
			}
			continue
		}
		if err := RequireFloat("normalization parameter", in[i]); err != nil {
			return nil, err
		}
	}
	if most := map[NormKind]int{NormBatch: 5, NormInstance: 3, NormLayer: 3, NormGroup: 3, NormLRN: 1, NormLp: 1, NormMeanVariance: 1}[p.Kind]; len(in) > most {
		return nil, Errorf("%v normalization takes at most %d inputs, has %d", p.Kind, most, len(in))
	}
	// perChannel checks that inputs from..len(in) hold c values.
	perChannel := func(c int, what string) error {
		for i := 1; i < len(in); i++ {
			if v := in[i].Volume(); v >= 0 && c >= 0 && v != c {
				return Errorf("%v normalization input %d %s has %d values, want %d (%s)", p.Kind, i, DimsString(in[i].Dims), v, c, what)
			}
		}
		return nil
	}
	switch p.Kind {
	case NormBatch:
		// ONNX accepts a 1-D input of N values (C = 1).
		if x.Rank() < 1 {
			return nil, Errorf("batch normalization needs rank >= 1, got %s", DimsString(x.Dims))
		}
		c := 1
		if x.Rank() >= 2 {
			c = x.Dims[1]
		}
		if err := perChannel(c, "one per channel"); err != nil {
			return nil, err
		}
	case NormInstance:
		if x.Rank() < 2 {
			return nil, Errorf("%v normalization needs rank >= 2, got %s", p.Kind, DimsString(x.Dims))
		}
		if err := perChannel(x.Dims[1], "one per channel"); err != nil {
			return nil, err
		}
	case NormGroup:
		if x.Rank() < 2 {
			return nil, Errorf("%v normalization needs rank >= 2, got %s", p.Kind, DimsString(x.Dims))
		}
		if p.Groups <= 0 {
			return nil, Errorf("group normalization needs a positive group count, got %d", p.Groups)
		}
		if x.Dims[1] >= 0 && x.Dims[1]%p.Groups != 0 {
			return nil, Errorf("%d channels are not divisible by %d groups", x.Dims[1], p.Groups)
		}
		if p.GroupScalePerGroup {
			if err := perChannel(p.Groups, "one per group"); err != nil {
				return nil, err
			}
		} else if err := perChannel(x.Dims[1], "one per channel"); err != nil {
			return nil, err
		}
	case NormLayer:
		if _, err := NormAxis(p.Axis, x.Rank()); err != nil {
			return nil, err
		}
		for i := 1; i < len(in); i++ {
			if in[i] == nil {
				continue
			}
			if in[i].Rank() > x.Rank() {
				return nil, Errorf("layer normalization input %d %s does not broadcast to %s", i, DimsString(in[i].Dims), DimsString(x.Dims))
			}
			if d, err := Broadcast(in[i].Dims, x.Dims); err != nil || (DimsKnown(d) && x.Known() && !normDimsEqual(d, x.Dims)) {
				return nil, Errorf("layer normalization input %d %s does not broadcast to %s", i, DimsString(in[i].Dims), DimsString(x.Dims))
			}
		}
	case NormLRN:
		if x.Rank() < 2 {
			return nil, Errorf("LRN needs rank >= 2, got %s", DimsString(x.Dims))
		}
		if p.Size <= 0 {
			return nil, Errorf("LRN size must be positive, got %d", p.Size)
		}
	case NormLp:
		if _, err := NormAxis(p.Axis, x.Rank()); err != nil {
			return nil, err
		}
		if p.P != 1 && p.P != 2 {
			return nil, Errorf("Lp normalization supports p = 1 or 2, got %d", p.P)
		}
	case NormMeanVariance:
		axes := p.Axes
		if axes == nil {
			axes = []int{0, 2, 3}
		}
		seen := make([]bool, x.Rank())
		for _, a := range axes {
			ax, err := NormAxis(a, x.Rank())
			if err != nil {
				return nil, err
			}
			if seen[ax] {
				return nil, Errorf("mean-variance normalization axis %d repeats", ax)
			}
			seen[ax] = true
		}
	}
	out := Same(x)
	if p.Kind == NormLayer && len(n.Outputs) > 1 {
		// LayerNormalization's optional Mean and InvStdDev: dims of x with the
		// normalized dims set to 1, in the stash (compute) type.
		if len(n.Outputs) > 3 {
			return nil, Errorf("layer normalization has at most 3 outputs, got %d", len(n.Outputs))
		}
		ax, _ := NormAxis(p.Axis, x.Rank())
		d := append([]int{}, x.Dims...)
		for i := ax; i < len(d); i++ {
			d[i] = 1
		}
		st := p.StashType
		if !st.IsFloat() {
			return nil, Errorf("layer normalization stash type %v is not a float type", st)
		}
		for i := 1; i < len(n.Outputs); i++ {
			out = append(out, &Info{Type: st, Dims: append([]int{}, d...)})
		}
	} else if len(n.Outputs) != 1 {
		return nil, Errorf("%v normalization has one output, got %d (training mode is not supported)", p.Kind, len(n.Outputs))
	}
	return out, nil
}

func normDimsEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func inferSplit(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*SplitParams)
	x := in[0]
	ax, err := NormAxis(p.Axis, x.Rank())
	if err != nil {
		return nil, err
	}
	k := len(n.Outputs)
	sizes := p.Sizes
	if len(in) > 1 && in[1] != nil {
		if v := IntsOf(in[1]); v != nil {
			sizes = make([]int, len(v))
			for i, s := range v {
				sizes[i] = int(s)
			}
		} else {
			sizes = nil
			out := make([]*Info, k)
			for i := range out {
				d := append([]int{}, x.Dims...)
				d[ax] = -1
				out[i] = &Info{Type: x.Type, Dims: d}
			}
			return out, nil
		}
	}
	total := x.Dims[ax]
	if sizes == nil {
		sizes = make([]int, k)
		for i := range sizes {
			switch {
			case total < 0:
				sizes[i] = -1
			default:
				// ONNX-18: ceil division, the last piece smaller.
				c := (total + k - 1) / k
				sizes[i] = max(min(c, total-i*c), 0)
			}
		}
	} else {
		if len(sizes) != k {
			return nil, Errorf("split sizes %v give %d pieces, layer has %d outputs", sizes, len(sizes), k)
		}
		sum := 0
		for _, s := range sizes {
			if s < 0 {
				return nil, Errorf("split sizes %v have a negative value", sizes)
			}
			sum += s
		}
		if total >= 0 && sum != total {
			return nil, Errorf("split sizes %v sum to %d, axis %d has %d", sizes, sum, ax, total)
		}
	}
	out := make([]*Info, k)
	for i := range out {
		d := append([]int{}, x.Dims...)
		d[ax] = sizes[i]
		out[i] = &Info{Type: x.Type, Dims: d}
	}
	return out, nil
}

// SliceRange resolves ONNX Slice start/end/step for an axis of extent dim into
// the first index, the step and the element count.
func SliceRange(start, end, step int64, dim int) (first, count int) {
	d := int64(dim)
	clamp := func(v, lo, hi int64) int64 { return min(max(v, lo), hi) }
	if start < 0 {
		start += d
	}
	if end < 0 {
		end += d
	}
	// Counts are computed as (span-1)/step + 1 so that extreme steps
	// (INT64_MAX, INT64_MIN) do not overflow.
	if step > 0 {
		start = clamp(start, 0, d)
		end = clamp(end, 0, d)
		if end <= start {
			return int(start), 0
		}
		return int(start), int((end-start-1)/step + 1)
	}
	start = clamp(start, 0, d-1)
	end = clamp(end, -1, d-1)
	if end >= start {
		return int(start), 0
	}
	return int(start), int((end-start+1)/step + 1)
}

// SliceSpec is a resolved slice: per axis of the input, first index, step and count.
type SliceSpec struct{ First, Step, Count []int }

// ResolveSlice resolves ONNX slice inputs against dims (all known).
func ResolveSlice(dims []int, starts, ends, axes, steps []int64) (*SliceSpec, error) {
	r := len(dims)
	if len(ends) != len(starts) {
		return nil, Errorf("slice starts %v and ends %v differ in length", starts, ends)
	}
	if axes == nil {
		axes = make([]int64, len(starts))
		for i := range axes {
			axes[i] = int64(i)
		}
	}
	if steps == nil {
		steps = make([]int64, len(starts))
		for i := range steps {
			steps[i] = 1
		}
	}
	if len(axes) != len(starts) || len(steps) != len(starts) {
		return nil, Errorf("slice starts, ends, axes and steps differ in length")
	}
	sp := &SliceSpec{First: make([]int, r), Step: make([]int, r), Count: append([]int{}, dims...)}
	for i := range sp.Step {
		sp.Step[i] = 1
	}
	seen := make([]bool, r)
	for i, a := range axes {
		ax, err := NormAxis(int(a), r)
		if err != nil {
			return nil, err
		}
		if seen[ax] {
			return nil, Errorf("slice axis %d repeats", ax)
		}
		seen[ax] = true
		if steps[i] == 0 {
			return nil, Errorf("slice step is 0 on axis %d", ax)
		}
		if dims[ax] < 0 {
			sp.Count[ax] = -1
			continue
		}
		sp.First[ax], sp.Count[ax] = SliceRange(starts[i], ends[i], steps[i], dims[ax])
		sp.Step[ax] = int(steps[i])
	}
	return sp, nil
}

func inferSlice(n *Node, in []*Info) ([]*Info, error) {
	x := in[0]
	for i := 1; i < len(in); i++ {
		if in[i] != nil {
			if err := RequireInt("slice parameter", in[i]); err != nil {
				return nil, err
			}
		}
	}
	starts, ends := IntsOf(in[1]), IntsOf(in[2])
	var axes, steps []int64
	unknown := starts == nil || ends == nil
	if len(in) > 3 && in[3] != nil {
		if axes = IntsOf(in[3]); axes == nil {
			unknown = true
		}
	}
	if len(in) > 4 && in[4] != nil {
		if steps = IntsOf(in[4]); steps == nil {
			unknown = true
		}
	}
	if unknown {
		d := make([]int, x.Rank())
		for i := range d {
			d[i] = -1
		}
		return []*Info{{Type: x.Type, Dims: d}}, nil
	}
	sp, err := ResolveSlice(x.Dims, starts, ends, axes, steps)
	if err != nil {
		return nil, err
	}
	return []*Info{{Type: x.Type, Dims: sp.Count}}, nil
}

func inferGather(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*GatherParams)
	x, idx := in[0], in[1]
	if err := RequireInt("gather indices", idx); err != nil {
		return nil, err
	}
	switch p.Mode {
	case GatherDefault:
		ax, err := NormAxis(p.Axis, x.Rank())
		if err != nil {
			return nil, err
		}
		d := append(append(append([]int{}, x.Dims[:ax]...), idx.Dims...), x.Dims[ax+1:]...)
		return []*Info{{Type: x.Type, Dims: d}}, nil
	case GatherElements:
		if _, err := NormAxis(p.Axis, x.Rank()); err != nil {
			return nil, err
		}
		if idx.Rank() != x.Rank() {
			return nil, Errorf("gather-elements indices rank %d differs from data rank %d", idx.Rank(), x.Rank())
		}
		return []*Info{{Type: x.Type, Dims: idx.Dims}}, nil
	case GatherND:
		b := p.BatchDims
		q := idx.Rank()
		if q < 1 {
			return nil, Errorf("gather-nd indices must have rank >= 1")
		}
		last := idx.Dims[q-1]
		if last < 0 {
			return nil, Errorf("gather-nd indices last dim must be known")
		}
		if b < 0 || last > x.Rank()-b || b >= q || b > x.Rank() {
			return nil, Errorf("gather-nd indices %s do not fit data %s with batch_dims %d", DimsString(idx.Dims), DimsString(x.Dims), b)
		}
		for i := 0; i < b; i++ {
			if x.Dims[i] >= 0 && idx.Dims[i] >= 0 && x.Dims[i] != idx.Dims[i] {
				return nil, Errorf("gather-nd batch dim %d differs: data %s, indices %s", i, DimsString(x.Dims), DimsString(idx.Dims))
			}
		}
		d := append(append([]int{}, idx.Dims[:q-1]...), x.Dims[b+last:]...)
		return []*Info{{Type: x.Type, Dims: d}}, nil
	}
	return nil, Errorf("unknown gather mode %d", p.Mode)
}

func inferScatter(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ScatterParams)
	x, idx, upd := in[0], in[1], in[2]
	if err := RequireInt("scatter indices", idx); err != nil {
		return nil, err
	}
	if upd.Type != x.Type {
		return nil, Errorf("scatter updates type %v differs from data type %v", upd.Type, x.Type)
	}
	switch p.Mode {
	case ScatterElements:
		if _, err := NormAxis(p.Axis, x.Rank()); err != nil {
			return nil, err
		}
		if idx.Rank() != x.Rank() || upd.Rank() != x.Rank() {
			return nil, Errorf("scatter-elements data, indices and updates must have the same rank")
		}
		if !dimsCompatible(idx.Dims, upd.Dims) {
			return nil, Errorf("scatter-elements indices %s and updates %s differ", DimsString(idx.Dims), DimsString(upd.Dims))
		}
	case ScatterND:
		q := idx.Rank()
		if q < 1 {
			return nil, Errorf("scatter-nd indices must have rank >= 1")
		}
		k := idx.Dims[q-1]
		if k > x.Rank() {
			return nil, Errorf("scatter-nd indices %s index more dims than data %s has", DimsString(idx.Dims), DimsString(x.Dims))
		}
		if k >= 0 {
			want := append(append([]int{}, idx.Dims[:q-1]...), x.Dims[k:]...)
			if !dimsCompatible(want, upd.Dims) {
				return nil, Errorf("scatter-nd updates %s must be %s for data %s and indices %s",
					DimsString(upd.Dims), DimsString(want), DimsString(x.Dims), DimsString(idx.Dims))
			}
		}
	default:
		return nil, Errorf("unknown scatter mode %d", p.Mode)
	}
	if p.Reduction > ScatterMin {
		return nil, Errorf("unknown scatter reduction %d", p.Reduction)
	}
	return Same(x), nil
}

// dimsCompatible reports whether a and b have the same rank and agree on
// every dim known in both.
func dimsCompatible(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] >= 0 && b[i] >= 0 && a[i] != b[i] {
			return false
		}
	}
	return true
}

func inferPad(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*PaddingParams)
	x := in[0]
	r := x.Rank()
	switch p.Mode {
	case "", "constant", "reflect", "edge", "wrap":
	default:
		return nil, Errorf("unknown pad mode %q", p.Mode)
	}
	if len(in) > 1 && in[1] != nil {
		if err := RequireInt("pads", in[1]); err != nil {
			return nil, err
		}
	}
	if len(in) > 3 && in[3] != nil {
		if err := RequireInt("pad axes", in[3]); err != nil {
			return nil, err
		}
	}
	pads := make([]int64, len(p.Pads))
	for i, v := range p.Pads {
		pads[i] = int64(v)
	}
	if len(in) > 1 && in[1] != nil {
		if pads = IntsOf(in[1]); pads == nil {
			d := make([]int, r)
			for i := range d {
				d[i] = -1
			}
			return []*Info{{Type: x.Type, Dims: d}}, nil
		}
	}
	axes := make([]int, r)
	for i := range axes {
		axes[i] = i
	}
	if len(in) > 3 && in[3] != nil {
		v := IntsOf(in[3])
		if v == nil {
			return nil, Errorf("pad axes must be known at build time")
		}
		axes = axes[:0]
		for _, a := range v {
			ax, err := NormAxis(int(a), r)
			if err != nil {
				return nil, err
			}
			axes = append(axes, ax)
		}
	}
	if len(pads) != 2*len(axes) {
		return nil, Errorf("pads %v need %d values for %d axes", pads, 2*len(axes), len(axes))
	}
	d := append([]int{}, x.Dims...)
	for i, ax := range axes {
		if d[ax] < 0 {
			continue
		}
		d[ax] += int(pads[i] + pads[i+len(axes)])
		if d[ax] < 0 {
			return nil, Errorf("pads %v make axis %d negative", pads, ax)
		}
	}
	return []*Info{{Type: x.Type, Dims: d}}, nil
}

func inferFill(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*FillParams)
	switch p.Op {
	case FillConstant:
		if len(in) < 1 || in[0] == nil {
			return nil, Errorf("fill needs a shape input")
		}
		if err := RequireInt("fill shape", in[0]); err != nil {
			return nil, err
		}
		v := IntsOf(in[0])
		if v == nil {
			if in[0].Rank() != 1 || in[0].Dims[0] < 0 {
				return nil, Errorf("fill shape must be 1-D of known length")
			}
			d := make([]int, in[0].Dims[0])
			for i := range d {
				d[i] = -1
			}
			return []*Info{{Type: p.Type, Dims: d}}, nil
		}
		d := make([]int, len(v))
		for i, x := range v {
			if x < 0 {
				return nil, Errorf("fill shape %v has a negative value", v)
			}
			d[i] = int(x)
		}
		return []*Info{{Type: p.Type, Dims: d}}, nil
	case FillRange:
		if len(in) != 3 || in[0] == nil || in[1] == nil || in[2] == nil {
			return nil, Errorf("range needs start, limit and delta")
		}
		for _, x := range in {
			if x.Type != in[0].Type {
				return nil, Errorf("range start, limit and delta have different types %v, %v, %v", in[0].Type, in[1].Type, in[2].Type)
			}
			if v := x.Volume(); x.Rank() > 1 || (v >= 0 && v != 1) {
				return nil, Errorf("range start, limit and delta must be scalars, got %s", DimsString(x.Dims))
			}
		}
		if in[0].Type == Bool {
			return nil, Errorf("range does not take BOOL")
		}
		if in[0].Value == nil || in[1].Value == nil || in[2].Value == nil {
			return []*Info{{Type: in[0].Type, Dims: []int{-1}}}, nil
		}
		cnt, err := RangeCount(in[0].Value, in[1].Value, in[2].Value)
		if err != nil {
			return nil, err
		}
		return []*Info{{Type: in[0].Type, Dims: []int{cnt}}}, nil
	case FillEyeLike:
		if len(in) < 1 || in[0] == nil {
			return nil, Errorf("eye-like needs an input")
		}
		if in[0].Rank() != 2 {
			return nil, Errorf("eye-like needs a 2-D input, got %s", DimsString(in[0].Dims))
		}
		return []*Info{{Type: p.Type, Dims: in[0].Dims}}, nil
	}
	return nil, Errorf("unknown fill op %d", p.Op)
}

func inferTopK(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*TopKParams)
	x := in[0]
	if x.Type == Bool {
		return nil, Errorf("top-k does not take BOOL")
	}
	ax, err := NormAxis(p.Axis, x.Rank())
	if err != nil {
		return nil, err
	}
	k := p.K
	if len(in) > 1 && in[1] != nil {
		if err := RequireInt("top-k k", in[1]); err != nil {
			return nil, err
		}
		if v := IntsOf(in[1]); v != nil {
			if len(v) != 1 {
				return nil, Errorf("top-k k must be a single value, got %v", v)
			}
			k = int(v[0])
		} else {
			k = -1
		}
	}
	if k < -1 || (k >= 0 && x.Dims[ax] >= 0 && k > x.Dims[ax]) {
		return nil, Errorf("top-k k=%d out of range for axis %d of extent %d", k, ax, x.Dims[ax])
	}
	d := append([]int{}, x.Dims...)
	d[ax] = k
	return []*Info{{Type: x.Type, Dims: d}, {Type: Int64, Dims: d}}, nil
}

func inferArgMinMax(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ArgMinMaxParams)
	x := in[0]
	if x.Type == Bool {
		return nil, Errorf("arg-min/max does not take BOOL")
	}
	ax, err := NormAxis(p.Axis, x.Rank())
	if err != nil {
		return nil, err
	}
	var d []int
	for i, v := range x.Dims {
		if i == ax {
			if p.KeepDims {
				d = append(d, 1)
			}
			continue
		}
		d = append(d, v)
	}
	if d == nil {
		d = []int{}
	}
	return []*Info{{Type: Int64, Dims: d}}, nil
}

func inferCumulative(n *Node, in []*Info) ([]*Info, error) {
	if err := RequireInt("cumulative axis", in[1]); err != nil {
		return nil, err
	}
	if v := IntsOf(in[1]); v != nil {
		if len(v) != 1 {
			return nil, Errorf("cumulative axis must be a scalar")
		}
		if _, err := NormAxis(int(v[0]), in[0].Rank()); err != nil {
			return nil, err
		}
	}
	return Same(in[0]), nil
}

func inferOneHot(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*OneHotParams)
	idx, depth, vals := in[0], in[1], in[2]
	ax, err := NormAxisInclusive(p.Axis, idx.Rank())
	if err != nil {
		return nil, err
	}
	dv := -1
	if depth.Value != nil {
		if depth.Value.Len() != 1 {
			return nil, Errorf("one-hot depth must be a scalar")
		}
		dv = int(depth.Value.Float(0))
		if dv < 1 {
			return nil, Errorf("one-hot depth %d must be positive", dv)
		}
	}
	if vals.Volume() >= 0 && vals.Volume() != 2 {
		return nil, Errorf("one-hot values must have 2 elements, got %s", DimsString(vals.Dims))
	}
	d := append(append(append([]int{}, idx.Dims[:ax]...), dv), idx.Dims[ax:]...)
	return []*Info{{Type: vals.Type, Dims: d}}, nil
}
