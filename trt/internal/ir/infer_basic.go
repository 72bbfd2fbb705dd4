package ir

func init() {
	Register(KindConstant, &OpDef{MinInputs: 0, MaxInputs: 0, Infer: inferConstant})
	Register(KindIdentity, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: func(n *Node, in []*Info) ([]*Info, error) {
		return []*Info{{Type: in[0].Type, Dims: in[0].Dims, Value: in[0].Value}}, nil
	}})
	Register(KindCast, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: func(n *Node, in []*Info) ([]*Info, error) {
		return SameAs(in[0], n.Params.(*CastParams).To), nil
	}})
	Register(KindElementWise, &OpDef{MinInputs: 2, MaxInputs: 2, Infer: inferElementWise})
	Register(KindUnary, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: inferUnary})
	Register(KindActivation, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: func(n *Node, in []*Info) ([]*Info, error) {
		if err := RequireFloat("activation input", in[0]); err != nil {
			return nil, err
		}
		return Same(in[0]), nil
	}})
	Register(KindParametricReLU, &OpDef{MinInputs: 2, MaxInputs: 2, Infer: func(n *Node, in []*Info) ([]*Info, error) {
		if err := RequireFloat("PReLU input", in[0]); err != nil {
			return nil, err
		}
		d, err := Broadcast(in[0].Dims, in[1].Dims)
		if err != nil {
			return nil, err
		}
		return []*Info{{Type: in[0].Type, Dims: d}}, nil
	}})
	Register(KindSelect, &OpDef{MinInputs: 3, MaxInputs: 3, Infer: inferSelect})
	Register(KindShape, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: inferShape})
	Register(KindMatrixMultiply, &OpDef{MinInputs: 2, MaxInputs: 2, Infer: inferMatMul})
	Register(KindConcatenation, &OpDef{MinInputs: 1, MaxInputs: -1, Infer: inferConcat})
	Register(KindShuffle, &OpDef{MinInputs: 1, MaxInputs: 2, ParamInputs: []int{1}, Infer: inferShuffle})
	Register(KindSoftmax, &OpDef{MinInputs: 1, MaxInputs: 1, Infer: func(n *Node, in []*Info) ([]*Info, error) {
		p := n.Params.(*SoftmaxParams)
		if err := RequireFloat("softmax input", in[0]); err != nil {
			return nil, err
		}
		if in[0].Rank() > 0 {
			if _, err := NormAxis(p.Axis, in[0].Rank()); err != nil {
				return nil, err
			}
		}
		return Same(in[0]), nil
	}})
	Register(KindReduce, &OpDef{MinInputs: 1, MaxInputs: 2, ParamInputs: []int{1}, Infer: inferReduce})
	Register(KindExpand, &OpDef{MinInputs: 2, MaxInputs: 2, ParamInputs: []int{1}, Infer: inferExpand})
	Register(KindTile, &OpDef{MinInputs: 2, MaxInputs: 2, ParamInputs: []int{1}, Infer: inferTile})
}

func inferConstant(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ConstantParams)
	if p.Value == nil {
		return nil, Errorf("constant has no value")
	}
	if v := Volume(p.Value.Dims); v != p.Value.Len() {
		return nil, Errorf("constant dims %s need %d values, have %d", DimsString(p.Value.Dims), v, p.Value.Len())
	}
	return []*Info{{Type: p.Value.Type, Dims: p.Value.Dims, Value: p.Value}}, nil
}

func inferElementWise(n *Node, in []*Info) ([]*Info, error) {
	op := n.Params.(*ElementWiseParams).Op
	a, b := in[0], in[1]
	if a.Type != b.Type && !(a.Type.IsFloat() && b.Type.IsFloat()) {
		return nil, Errorf("%v inputs have different types %v and %v", op, a.Type, b.Type)
	}
	switch {
	case op.IsLogical():
		if a.Type != Bool {
			return nil, Errorf("%v needs BOOL inputs, got %v", op, a.Type)
		}
	case op == EwBitShiftLeft || op == EwBitShiftRight:
		if a.Type.IsFloat() || a.Type == Bool {
			return nil, Errorf("%v needs integer inputs, got %v", op, a.Type)
		}
	case a.Type == Bool && !op.IsComparison():
		return nil, Errorf("%v does not take BOOL inputs", op)
	}
	d, err := Broadcast(a.Dims, b.Dims)
	if err != nil {
		return nil, err
	}
	t := a.Type
	if op.IsComparison() {
		t = Bool
	}
	return []*Info{{Type: t, Dims: d}}, nil
}

func inferUnary(n *Node, in []*Info) ([]*Info, error) {
	op := n.Params.(*UnaryParams).Op
	x := in[0]
	switch op {
	case UnNot:
		if x.Type != Bool {
			return nil, Errorf("NOT needs a BOOL input, got %v", x.Type)
		}
		return Same(x), nil
	case UnIsInf, UnIsNaN:
		if err := RequireFloat(op.String()+" input", x); err != nil {
			return nil, err
		}
		return SameAs(x, Bool), nil
	case UnAbs, UnNeg, UnSign:
		if x.Type == Bool {
			return nil, Errorf("%v does not take BOOL", op)
		}
		return Same(x), nil
	}
	if err := RequireFloat(op.String()+" input", x); err != nil {
		return nil, err
	}
	return Same(x), nil
}

func inferSelect(n *Node, in []*Info) ([]*Info, error) {
	if in[0].Type != Bool {
		return nil, Errorf("select condition must be BOOL, got %v", in[0].Type)
	}
	if in[1].Type != in[2].Type && !(in[1].Type.IsFloat() && in[2].Type.IsFloat()) {
		return nil, Errorf("select branches have different types %v and %v", in[1].Type, in[2].Type)
	}
	d, err := Broadcast(in[0].Dims, in[1].Dims)
	if err != nil {
		return nil, err
	}
	if d, err = Broadcast(d, in[2].Dims); err != nil {
		return nil, err
	}
	return []*Info{{Type: in[1].Type, Dims: d}}, nil
}

func inferShape(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ShapeParams)
	r := in[0].Rank()
	clamp := func(v int) int {
		if v < 0 {
			v += r
		}
		return min(max(v, 0), r)
	}
	s, e := clamp(p.Start), r
	if p.HasEnd {
		e = clamp(p.End)
	}
	if e < s {
		e = s
	}
	out := &Info{Type: Int64, Dims: []int{e - s}}
	if DimsKnown(in[0].Dims[s:e]) {
		v := make([]int64, e-s)
		for i := range v {
			v[i] = int64(in[0].Dims[s+i])
		}
		out.Value = IntVector(v)
	}
	return []*Info{out}, nil
}

func inferMatMul(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*MatMulParams)
	a, b := in[0], in[1]
	if a.Type != b.Type && !(a.Type.IsFloat() && b.Type.IsFloat()) {
		return nil, Errorf("matrix multiply inputs have different types %v and %v", a.Type, b.Type)
	}
	if a.Type == Bool {
		return nil, Errorf("matrix multiply does not take BOOL")
	}
	ad, bd := append([]int{}, a.Dims...), append([]int{}, b.Dims...)
	// Vectors: promote as numpy does; remember to drop the dim afterwards.
	dropM, dropN := false, false
	if p.Op0 == MatVector || len(ad) == 1 {
		ad = append(ad[:len(ad)-1:len(ad)-1], 1, ad[len(ad)-1])
		dropM = true
	}
	if p.Op1 == MatVector || len(bd) == 1 {
		bd = append(bd, 1)
		dropN = true
	}
	if len(ad) < 2 || len(bd) < 2 {
		return nil, Errorf("matrix multiply needs rank >= 1 inputs, got %s and %s", DimsString(a.Dims), DimsString(b.Dims))
	}
	m, k0 := ad[len(ad)-2], ad[len(ad)-1]
	if p.Op0 == MatTranspose {
		m, k0 = k0, m
	}
	k1, nn := bd[len(bd)-2], bd[len(bd)-1]
	if p.Op1 == MatTranspose {
		k1, nn = nn, k1
	}
	if k0 >= 0 && k1 >= 0 && k0 != k1 {
		return nil, Errorf("matrix multiply inner dims differ: %s x %s (K %d vs %d)", DimsString(a.Dims), DimsString(b.Dims), k0, k1)
	}
	batch, err := Broadcast(ad[:len(ad)-2], bd[:len(bd)-2])
	if err != nil {
		return nil, err
	}
	out := append(batch, m, nn)
	if dropN {
		out = out[:len(out)-1]
	}
	if dropM {
		out = append(out[:len(batch)], out[len(batch)+1:]...)
	}
	return []*Info{{Type: a.Type, Dims: out}}, nil
}

func inferConcat(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ConcatParams)
	r := in[0].Rank()
	ax, err := NormAxis(p.Axis, r)
	if err != nil {
		return nil, err
	}
	out := append([]int{}, in[0].Dims...)
	for i, x := range in[1:] {
		if x == nil {
			return nil, Errorf("input %d is missing", i+1)
		}
		if x.Rank() != r {
			return nil, Errorf("input %d has rank %d, input 0 has rank %d", i+1, x.Rank(), r)
		}
		if x.Type != in[0].Type {
			return nil, Errorf("input %d has type %v, input 0 has %v", i+1, x.Type, in[0].Type)
		}
		for d := range out {
			if d == ax {
				if out[d] < 0 || x.Dims[d] < 0 {
					out[d] = -1
				} else {
					out[d] += x.Dims[d]
				}
			} else if out[d] >= 0 && x.Dims[d] >= 0 && out[d] != x.Dims[d] {
				return nil, Errorf("input %d dims %s do not match input 0 dims %s outside axis %d", i+1, DimsString(x.Dims), DimsString(in[0].Dims), ax)
			} else if out[d] < 0 {
				out[d] = x.Dims[d]
			}
		}
	}
	return []*Info{{Type: in[0].Type, Dims: out}}, nil
}

// CheckPerm validates a permutation of length r.
func CheckPerm(perm []int, r int) error {
	if len(perm) != r {
		return Errorf("permutation %v has length %d, tensor rank is %d", perm, len(perm), r)
	}
	seen := make([]bool, r)
	for _, p := range perm {
		if p < 0 || p >= r || seen[p] {
			return Errorf("%v is not a permutation of %d axes", perm, r)
		}
		seen[p] = true
	}
	return nil
}

// Permute returns dims permuted: out[i] = d[perm[i]].
func Permute(d, perm []int) []int {
	out := make([]int, len(perm))
	for i, p := range perm {
		out[i] = d[p]
	}
	return out
}

// ReshapeDims resolves 0 (copy, when zeroCopy) and -1 (infer) in spec against in.
func ReshapeDims(in []int, spec []int64, zeroCopy bool) ([]int, error) {
	out := make([]int, len(spec))
	infer := -1
	known := true
	prod := 1
	for i, s := range spec {
		switch {
		case s == 0 && zeroCopy:
			if i >= len(in) {
				return nil, Errorf("reshape dim %d is 0 (copy) but the input has rank %d", i, len(in))
			}
			out[i] = in[i]
		case s == -1:
			if infer >= 0 {
				return nil, Errorf("reshape dims %v have more than one -1", spec)
			}
			infer = i
			continue
		case s < -1:
			return nil, Errorf("reshape dims %v have a negative value", spec)
		default:
			out[i] = int(s)
		}
		if out[i] < 0 {
			known = false
		} else {
			prod *= out[i]
		}
	}
	total := Volume(in)
	if infer >= 0 {
		if total < 0 || !known {
			out[infer] = -1
		} else {
			if prod == 0 {
				if total != 0 {
					return nil, Errorf("cannot infer -1 in reshape dims %v from %s", spec, DimsString(in))
				}
				out[infer] = 0
			} else {
				if total%prod != 0 {
					return nil, Errorf("cannot reshape %s (%d elements) to %v", DimsString(in), total, spec)
				}
				out[infer] = total / prod
			}
		}
	} else if total >= 0 && known && total != prod {
		return nil, Errorf("cannot reshape %s (%d elements) to %v (%d elements)", DimsString(in), total, spec, prod)
	}
	return out, nil
}

func inferShuffle(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ShuffleParams)
	x := in[0]
	d := x.Dims
	if p.FirstTranspose != nil {
		if err := CheckPerm(p.FirstTranspose, len(d)); err != nil {
			return nil, err
		}
		d = Permute(d, p.FirstTranspose)
	}
	if len(in) > 1 && in[1] != nil {
		if err := RequireInt("reshape dims", in[1]); err != nil {
			return nil, err
		}
		if in[1].Rank() != 1 {
			return nil, Errorf("reshape dims tensor must be 1-D, got %s", DimsString(in[1].Dims))
		}
		if v := IntsOf(in[1]); v != nil {
			nd, err := ReshapeDims(d, v, p.ZeroIsPlaceholder)
			if err != nil {
				return nil, err
			}
			d = nd
		} else {
			if in[1].Dims[0] < 0 {
				return nil, Errorf("reshape dims tensor has unknown length")
			}
			d = make([]int, in[1].Dims[0])
			for i := range d {
				d[i] = -1
			}
		}
	} else if p.Reshape {
		spec := make([]int64, len(p.ReshapeDims))
		for i, v := range p.ReshapeDims {
			spec[i] = int64(v)
		}
		nd, err := ReshapeDims(d, spec, p.ZeroIsPlaceholder)
		if err != nil {
			return nil, err
		}
		d = nd
	}
	if p.SecondTranspose != nil {
		if err := CheckPerm(p.SecondTranspose, len(d)); err != nil {
			return nil, err
		}
		d = Permute(d, p.SecondTranspose)
	}
	return []*Info{{Type: x.Type, Dims: d}}, nil
}

// ReduceAxes resolves reduction axes (nil/empty = all unless noop).
func ReduceAxes(axes []int64, rank int, noop bool) ([]bool, error) {
	mask := make([]bool, rank)
	if len(axes) == 0 {
		if !noop {
			for i := range mask {
				mask[i] = true
			}
		}
		return mask, nil
	}
	for _, a := range axes {
		ax, err := NormAxis(int(a), rank)
		if err != nil {
			return nil, err
		}
		mask[ax] = true
	}
	return mask, nil
}

func inferReduce(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*ReduceParams)
	x := in[0]
	if x.Type == Bool {
		return nil, Errorf("reduce does not take BOOL")
	}
	axes := make([]int64, len(p.Axes))
	for i, a := range p.Axes {
		axes[i] = int64(a)
	}
	if len(in) > 1 && in[1] != nil {
		v := IntsOf(in[1])
		if v == nil {
			// Unknown axes: only the rank is known when keepdims.
			if !p.KeepDims {
				return nil, Errorf("reduce axes must be known at build time when keepdims is 0")
			}
			d := make([]int, x.Rank())
			for i := range d {
				d[i] = -1
			}
			return []*Info{{Type: x.Type, Dims: d}}, nil
		}
		axes = v
	}
	mask, err := ReduceAxes(axes, x.Rank(), p.NoopWithEmptyAxes)
	if err != nil {
		return nil, err
	}
	var d []int
	for i, v := range x.Dims {
		switch {
		case !mask[i]:
			d = append(d, v)
		case p.KeepDims:
			d = append(d, 1)
		}
	}
	if d == nil {
		d = []int{}
	}
	return []*Info{{Type: x.Type, Dims: d}}, nil
}

func inferExpand(n *Node, in []*Info) ([]*Info, error) {
	if err := RequireInt("expand shape", in[1]); err != nil {
		return nil, err
	}
	v := IntsOf(in[1])
	if v == nil {
		if in[1].Rank() != 1 || in[1].Dims[0] < 0 {
			return nil, Errorf("expand shape must be a 1-D tensor of known length")
		}
		d := make([]int, max(in[1].Dims[0], in[0].Rank()))
		for i := range d {
			d[i] = -1
		}
		return []*Info{{Type: in[0].Type, Dims: d}}, nil
	}
	s := make([]int, len(v))
	for i, x := range v {
		s[i] = int(x)
	}
	d, err := Broadcast(in[0].Dims, s)
	if err != nil {
		return nil, err
	}
	return []*Info{{Type: in[0].Type, Dims: d}}, nil
}

func inferTile(n *Node, in []*Info) ([]*Info, error) {
	if err := RequireInt("tile repeats", in[1]); err != nil {
		return nil, err
	}
	d := append([]int{}, in[0].Dims...)
	v := IntsOf(in[1])
	if v == nil {
		for i := range d {
			d[i] = -1
		}
		return []*Info{{Type: in[0].Type, Dims: d}}, nil
	}
	if len(v) != len(d) {
		return nil, Errorf("tile repeats has %d values for rank %d", len(v), len(d))
	}
	for i, r := range v {
		if r < 0 {
			return nil, Errorf("tile repeats %v has a negative value", v)
		}
		if d[i] >= 0 {
			d[i] *= int(r)
		}
	}
	return []*Info{{Type: in[0].Type, Dims: d}}, nil
}
