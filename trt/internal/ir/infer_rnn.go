package ir

import (
	"math"
	"slices"
	"strings"
)

func init() {
	Register(KindEinsum, &OpDef{MinInputs: 1, MaxInputs: -1, Infer: inferEinsum})
	Register(KindRNN, &OpDef{MinInputs: 3, MaxInputs: 8, ParamInputs: []int{4}, Infer: inferRNN})
}

// ---- Einsum -------------------------------------------------------------------

// EinsumLabelEllipsis is the first label of the dims an ellipsis stands for:
// letters are labels 0..51 (A..Z, a..z, in ASCII order), broadcast dim j of
// the ellipsis (counted from the left of the broadcast shape) is label
// EinsumLabelEllipsis+j.
const EinsumLabelEllipsis = 52

// EinsumSpec is a parsed einsum equation, resolved against the operand ranks.
type EinsumSpec struct {
	Inputs [][]int // per operand, the label of each axis
	Output []int   // label of each output axis
	NumEll int     // dims covered by the ellipsis (broadcast over operands)
	Labels int     // labels are < Labels
}

// EinsumLabelName renders a label for messages.
func EinsumLabelName(l int) string {
	switch {
	case l < 26:
		return string(rune('A' + l))
	case l < 52:
		return string(rune('a' + l - 26))
	}
	return "..." + string(rune('0'+(l-EinsumLabelEllipsis)%10))
}

func einsumLetter(c byte) (int, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A'), true
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26, true
	}
	return 0, false
}

// einsumTerm splits a term into letters around an optional ellipsis.
func einsumTerm(s string) (before, after []int, ell bool, err error) {
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "...") {
			if ell {
				return nil, nil, false, Errorf("einsum term %q has more than one ellipsis", s)
			}
			ell = true
			i += 3
			continue
		}
		l, ok := einsumLetter(s[i])
		if !ok {
			return nil, nil, false, Errorf("einsum term %q has an invalid character %q", s, s[i])
		}
		if ell {
			after = append(after, l)
		} else {
			before = append(before, l)
		}
		i++
	}
	return before, after, ell, nil
}

// ParseEinsum parses equation for operands of the given ranks. Without "->" the
// output is the ellipsis dims followed by the letters that occur exactly once,
// in ASCII order (numpy). Broadcast dims that an explicit output omits are
// summed.
func ParseEinsum(equation string, ranks []int) (*EinsumSpec, error) {
	eq := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' {
			return -1
		}
		return r
	}, equation)
	lhs, rhs, explicit := strings.Cut(eq, "->")
	if explicit && strings.Contains(rhs, "->") {
		return nil, Errorf("einsum equation %q has more than one \"->\"", equation)
	}
	terms := strings.Split(lhs, ",")
	if len(terms) != len(ranks) {
		return nil, Errorf("einsum equation %q has %d operands, the layer has %d inputs", equation, len(terms), len(ranks))
	}
	sp := &EinsumSpec{Inputs: make([][]int, len(terms))}
	type parsed struct {
		before, after []int
		ell           bool
		nell          int
	}
	ps := make([]parsed, len(terms))
	for i, t := range terms {
		b, a, ell, err := einsumTerm(t)
		if err != nil {
			return nil, err
		}
		n := len(b) + len(a)
		nell := ranks[i] - n
		if (!ell && nell != 0) || nell < 0 {
			return nil, Errorf("einsum term %q does not fit operand %d of rank %d", t, i, ranks[i])
		}
		ps[i] = parsed{b, a, ell, nell}
		sp.NumEll = max(sp.NumEll, nell)
	}
	for i, p := range ps {
		l := append([]int{}, p.before...)
		for j := range p.nell {
			l = append(l, EinsumLabelEllipsis+sp.NumEll-p.nell+j)
		}
		sp.Inputs[i] = append(l, p.after...)
	}
	sp.Labels = EinsumLabelEllipsis + sp.NumEll
	count := make([]int, sp.Labels)
	for _, l := range sp.Inputs {
		for _, x := range l {
			count[x]++
		}
	}
	if explicit {
		b, a, ell, err := einsumTerm(rhs)
		if err != nil {
			return nil, err
		}
		out := append([]int{}, b...)
		if ell {
			for j := range sp.NumEll {
				out = append(out, EinsumLabelEllipsis+j)
			}
		}
		out = append(out, a...)
		seen := make([]bool, sp.Labels)
		for _, x := range out {
			if x < EinsumLabelEllipsis && count[x] == 0 {
				return nil, Errorf("einsum output label %q is not in any operand", EinsumLabelName(x))
			}
			if seen[x] {
				return nil, Errorf("einsum output label %q repeats", EinsumLabelName(x))
			}
			seen[x] = true
		}
		sp.Output = out
		return sp, nil
	}
	out := []int{}
	for j := range sp.NumEll {
		out = append(out, EinsumLabelEllipsis+j)
	}
	for x := 0; x < EinsumLabelEllipsis; x++ {
		if count[x] == 1 {
			out = append(out, x)
		}
	}
	sp.Output = out
	return sp, nil
}

// EinsumSizes resolves the extent of every label from the operand dims: equal
// extents, 1 broadcasts, -1 is unknown. Repeated labels in one operand
// (diagonals) must have equal extents.
func (sp *EinsumSpec) EinsumSizes(dims [][]int) ([]int, error) {
	size := make([]int, sp.Labels)
	for i := range size {
		size[i] = -2 // unseen
	}
	for i, ls := range sp.Inputs {
		for ax, l := range ls {
			d := dims[i][ax]
			for ax2 := 0; ax2 < ax; ax2++ {
				if ls[ax2] == l && d >= 0 && dims[i][ax2] >= 0 && d != dims[i][ax2] {
					return nil, Errorf("einsum label %q repeats in operand %d with extents %d and %d", EinsumLabelName(l), i, dims[i][ax2], d)
				}
			}
			s := size[l]
			switch {
			case s == -2:
				size[l] = d
			case d == s || d == 1:
			case d == -1:
				if s == 1 {
					size[l] = -1 // may be more than 1
				}
			case s == 1 || s == -1:
				size[l] = d
			default:
				return nil, Errorf("einsum label %q has extents %d and %d", EinsumLabelName(l), s, d)
			}
		}
	}
	for i, s := range size {
		if s == -2 {
			size[i] = 1
		}
	}
	return size, nil
}

func inferEinsum(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*EinsumParams)
	ranks := make([]int, len(in))
	dims := make([][]int, len(in))
	for i, x := range in {
		if x == nil {
			return nil, Errorf("einsum input %d is missing", i)
		}
		if x.Type != in[0].Type && !(x.Type.IsFloat() && in[0].Type.IsFloat()) {
			return nil, Errorf("einsum inputs have different types %v and %v", in[0].Type, x.Type)
		}
		ranks[i], dims[i] = x.Rank(), x.Dims
	}
	if in[0].Type == Bool {
		return nil, Errorf("einsum does not take BOOL")
	}
	sp, err := ParseEinsum(p.Equation, ranks)
	if err != nil {
		return nil, err
	}
	size, err := sp.EinsumSizes(dims)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(sp.Output))
	for i, l := range sp.Output {
		out[i] = size[l]
	}
	return []*Info{{Type: in[0].Type, Dims: out}}, nil
}

// ---- RNN ----------------------------------------------------------------------

// RNNGates is the number of gates of a cell: 1 (RNN), 3 (GRU), 4 (LSTM).
func RNNGates(m RNNMode) int {
	switch m {
	case RNNLSTM:
		return 4
	case RNNGRU:
		return 3
	}
	return 1
}

// RNNActivationCount is the number of activation functions per direction.
func RNNActivationCount(m RNNMode) int {
	switch m {
	case RNNLSTM:
		return 3
	case RNNGRU:
		return 2
	}
	return 1
}

// RNNDirections maps the direction attribute to the direction count.
func RNNDirections(dir string) (int, error) {
	switch strings.ToLower(dir) {
	case "", "forward", "reverse":
		return 1, nil
	case "bidirectional":
		return 2, nil
	}
	return 0, Errorf("unknown RNN direction %q", dir)
}

// RNNActivationArgs tells whether ONNX's RNN activation name takes alpha and
// beta (ONNX Runtime's table) and their defaults; ok is false for an unknown
// name. Names are case-insensitive.
func RNNActivationArgs(name string) (usesAlpha, usesBeta bool, alpha, beta float32, ok bool) {
	switch strings.ToLower(name) {
	case "relu", "tanh", "sigmoid", "softsign", "softplus":
		return false, false, 0, 0, true
	case "affine":
		return true, true, 1, 0, true
	case "leakyrelu":
		return true, false, 0.01, 0, true
	case "thresholdedrelu":
		return true, false, 1, 0, true
	case "scaledtanh":
		return true, true, 1, 1, true
	case "hardsigmoid":
		return true, true, 0.2, 0.5, true
	case "elu":
		return true, false, 1, 0, true
	}
	return false, false, 0, 0, false
}

func inferRNN(n *Node, in []*Info) ([]*Info, error) {
	p := n.Params.(*RNNParams)
	get := func(i int) *Info {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	x, w, r := in[0], in[1], in[2]
	if err := RequireFloat("RNN input", x); err != nil {
		return nil, err
	}
	if !w.Type.IsFloat() || !r.Type.IsFloat() {
		return nil, Errorf("RNN weights must be floating-point, got %v and %v", w.Type, r.Type)
	}
	if p.Mode != RNNRelu && p.Mode != RNNLSTM && p.Mode != RNNGRU {
		return nil, Errorf("unknown RNN mode %d", p.Mode)
	}
	nd, err := RNNDirections(p.Direction)
	if err != nil {
		return nil, err
	}
	if p.Layout != 0 && p.Layout != 1 {
		return nil, Errorf("RNN layout must be 0 or 1, got %d", p.Layout)
	}
	if x.Rank() != 3 || w.Rank() != 3 || r.Rank() != 3 {
		return nil, Errorf("RNN X %s, W %s and R %s must be 3-D", DimsString(x.Dims), DimsString(w.Dims), DimsString(r.Dims))
	}
	g := RNNGates(p.Mode)
	h := p.HiddenSize
	if h <= 0 {
		h = r.Dims[2]
	}
	if h == 0 || (p.HiddenSize > 0 && r.Dims[2] >= 0 && r.Dims[2] != h) {
		return nil, Errorf("RNN hidden size %d does not fit R %s", p.HiddenSize, DimsString(r.Dims))
	}
	seq, batch := x.Dims[0], x.Dims[1]
	if p.Layout == 1 {
		seq, batch = batch, seq
	}
	check := func(what string, got []int, want ...int) error {
		if len(got) != len(want) {
			return Errorf("RNN %s %s must have rank %d", what, DimsString(got), len(want))
		}
		for i := range want {
			if got[i] >= 0 && want[i] >= 0 && got[i] != want[i] {
				return Errorf("RNN %s is %s, want %s", what, DimsString(got), DimsString(want))
			}
		}
		return nil
	}
	gh := -1
	if h > 0 {
		gh = g * h
	}
	if err := check("W", w.Dims, nd, gh, x.Dims[2]); err != nil {
		return nil, err
	}
	if err := check("R", r.Dims, nd, gh, h); err != nil {
		return nil, err
	}
	if b := get(3); b != nil {
		bw := -1
		if gh >= 0 {
			bw = 2 * gh
		}
		if err := check("B", b.Dims, nd, bw); err != nil {
			return nil, err
		}
	}
	if s := get(4); s != nil {
		if err := RequireInt("RNN sequence_lens", s); err != nil {
			return nil, err
		}
		if err := check("sequence_lens", s.Dims, batch); err != nil {
			return nil, err
		}
	}
	stateDims := []int{nd, batch, h}
	if p.Layout == 1 {
		stateDims = []int{batch, nd, h}
	}
	if s := get(5); s != nil {
		if err := check("initial_h", s.Dims, stateDims...); err != nil {
			return nil, err
		}
	}
	if s := get(6); s != nil {
		if p.Mode != RNNLSTM {
			return nil, Errorf("initial_c is an LSTM input")
		}
		if err := check("initial_c", s.Dims, stateDims...); err != nil {
			return nil, err
		}
	}
	if s := get(7); s != nil {
		if p.Mode != RNNLSTM {
			return nil, Errorf("peepholes P are an LSTM input")
		}
		ph := -1
		if h > 0 {
			ph = 3 * h
		}
		if err := check("P", s.Dims, nd, ph); err != nil {
			return nil, err
		}
	}
	na := RNNActivationCount(p.Mode)
	if len(p.Activations) != 0 && len(p.Activations) != na && len(p.Activations) != na*nd {
		return nil, Errorf("%d RNN activations given, want %d per direction", len(p.Activations), na)
	}
	for _, a := range p.Activations {
		if _, _, _, _, ok := RNNActivationArgs(a); !ok {
			return nil, Errorf("unknown RNN activation %q", a)
		}
	}
	if p.Clip < 0 || math.IsNaN(float64(p.Clip)) {
		return nil, Errorf("RNN clip %v must be positive", p.Clip)
	}
	if p.InputForget && p.Mode != RNNLSTM {
		return nil, Errorf("input_forget is an LSTM attribute")
	}
	nout := len(n.Outputs)
	if nout < 1 || nout > 3 || (nout == 3 && p.Mode != RNNLSTM) {
		return nil, Errorf("%d RNN outputs: want Y, Y_h and, for LSTM, Y_c", nout)
	}
	y := []int{seq, nd, batch, h}
	if p.Layout == 1 {
		y = []int{batch, seq, nd, h}
	}
	out := []*Info{{Type: x.Type, Dims: y}}
	for i := 1; i < nout; i++ {
		out = append(out, &Info{Type: x.Type, Dims: slices.Clone(stateDims)})
	}
	return out, nil
}

// ---- Range --------------------------------------------------------------------

// RangeCount is the element count of ONNX Range over scalar start, limit and
// delta: max(ceil((limit-start)/delta), 0), with the difference taken in the
// inputs' type as ONNX Runtime does.
func RangeCount(start, limit, delta *Data) (int, error) {
	for _, d := range []*Data{start, limit, delta} {
		if d == nil || d.Len() != 1 {
			return 0, Errorf("range start, limit and delta must be scalars")
		}
	}
	var diff, dl float64
	if IsIntLike(start.Type) {
		if delta.Int(0) == 0 {
			return 0, Errorf("range delta is 0")
		}
		diff, dl = float64(limit.Int(0)-start.Int(0)), float64(delta.Int(0))
	} else {
		s, l := float32(start.Float(0)), float32(limit.Float(0))
		diff, dl = float64(l-s), delta.Float(0)
		if start.Type == Double {
			diff = limit.Float(0) - start.Float(0)
		}
		if dl == 0 {
			return 0, Errorf("range delta is 0")
		}
	}
	c := math.Ceil(diff / dl)
	if math.IsNaN(c) || math.IsInf(c, 0) {
		return 0, Errorf("range (%v, %v, %v) has no finite length", start.Float(0), limit.Float(0), delta.Float(0))
	}
	if c > float64(MaxRangeElements) {
		return 0, Errorf("range (%v, %v, %v) has %v elements, more than %d", start.Float(0), limit.Float(0), delta.Float(0), c, MaxRangeElements)
	}
	return int(max(c, 0)), nil
}

// MaxRangeElements bounds the length of a Range output (and other outputs
// whose size comes from run-time values).
const MaxRangeElements = 1 << 31
