package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// ---- helpers ---------------------------------------------------------------------

func nnF(dims []int, vals ...float32) *ir.Data {
	return &ir.Data{Type: ir.Float, Dims: dims, F: vals}
}

func nnI(t ir.DataType, dims []int, vals ...int64) *ir.Data {
	return &ir.Data{Type: t, Dims: dims, I: vals}
}

func nnRand(rng *rand.Rand, dims ...int) *ir.Data {
	d := ir.NewData(ir.Float, dims)
	for i := range d.F {
		d.F[i] = float32(rng.Float64()*4 - 2)
	}
	return d
}

func nnF64(d *ir.Data) []float64 {
	out := make([]float64, d.Len())
	for i := range out {
		out[i] = d.Float(i)
	}
	return out
}

func nnUnravel(i int, dims []int) []int {
	idx := make([]int, len(dims))
	for d := len(dims) - 1; d >= 0; d-- {
		if dims[d] > 0 {
			idx[d] = i % dims[d]
			i /= dims[d]
		}
	}
	return idx
}

func nnRavel(idx, dims []int) int {
	o := 0
	for d := range dims {
		o = o*dims[d] + idx[d]
	}
	return o
}

// nnRun builds a one-node graph over in (inputs listed in consts carry their
// values into inference), runs inference and the kernel, and checks the
// kernel's outputs against the inferred types and dims.
func nnRun(t *testing.T, p ir.Params, nout int, in []*ir.Data, consts ...int) ([]*ir.Data, error) {
	t.Helper()
	g := &ir.Graph{}
	ts := make([]*ir.Tensor, len(in))
	for i, d := range in {
		if d == nil {
			continue
		}
		ts[i] = g.AddInput(fmt.Sprintf("in%d", i), d.Type, d.Dims)
		if slices.Contains(consts, i) {
			ts[i].Const = d
		}
	}
	n := g.AddNode("node", p, ts, nout)
	if err := ir.InferNode(n); err != nil {
		return nil, err
	}
	out, err := Eval(n, in)
	if err != nil {
		return nil, err
	}
	require.Len(t, out, nout)
	for i, o := range out {
		require.Equal(t, n.Outputs[i].Type, o.Type, "output %d type", i)
		want := n.Outputs[i].Dims
		require.Len(t, o.Dims, len(want), "output %d rank: %v vs inferred %v", i, o.Dims, want)
		for j := range want {
			if want[j] >= 0 {
				require.Equal(t, want[j], o.Dims[j], "output %d dims %v vs inferred %v", i, o.Dims, want)
			}
		}
		require.Equal(t, ir.Volume(o.Dims), o.Len(), "output %d length", i)
	}
	return out, nil
}

func nnMust(t *testing.T, p ir.Params, nout int, in []*ir.Data, consts ...int) []*ir.Data {
	t.Helper()
	out, err := nnRun(t, p, nout, in, consts...)
	require.NoError(t, err)
	return out
}

// nnCloseErr compares got with want (rtol 1e-3, atol 1e-5; NaN matches NaN).
func nnCloseErr(got *ir.Data, dims []int, want []float64) error {
	if dims != nil && !slices.Equal(got.Dims, dims) {
		return fmt.Errorf("dims %v, want %v", got.Dims, dims)
	}
	if got.Len() != len(want) {
		return fmt.Errorf("%d values, want %d", got.Len(), len(want))
	}
	for i, w := range want {
		g := got.Float(i)
		if math.IsNaN(w) && math.IsNaN(g) {
			continue
		}
		if math.IsInf(w, 0) && g == w {
			continue
		}
		if !(math.Abs(g-w) <= 1e-5+1e-3*math.Abs(w)) {
			return fmt.Errorf("element %d (%v): got %v, want %v", i, nnUnravel(i, got.Dims), g, w)
		}
	}
	return nil
}

func nnClose(t *testing.T, got *ir.Data, dims []int, want []float64) {
	t.Helper()
	require.NoError(t, nnCloseErr(got, dims, want))
}

// ---- normalization ---------------------------------------------------------------

// refNormGroups computes the mean and population variance of the elements of
// each group (key) in float64.
func refNormGroups(x []float64, dims []int, key func(idx []int) int, nk int) (mean, vr []float64) {
	mean, vr = make([]float64, nk), make([]float64, nk)
	cnt := make([]float64, nk)
	for i, v := range x {
		k := key(nnUnravel(i, dims))
		mean[k] += v
		cnt[k]++
	}
	for k := range mean {
		if cnt[k] > 0 {
			mean[k] /= cnt[k]
		}
	}
	for i, v := range x {
		k := key(nnUnravel(i, dims))
		vr[k] += (v - mean[k]) * (v - mean[k])
	}
	for k := range vr {
		if cnt[k] > 0 {
			vr[k] /= cnt[k]
		}
	}
	return
}

// refBroadcastAt returns the value of d (broadcast to dims) at index idx.
func refBroadcastAt(d *ir.Data, dims, idx []int) float64 {
	off := len(dims) - len(d.Dims)
	j := make([]int, len(d.Dims))
	for k := range d.Dims {
		if d.Dims[k] != 1 {
			j[k] = idx[off+k]
		}
	}
	return d.Float(nnRavel(j, d.Dims))
}

func refNorm(p *ir.NormParams, in []*ir.Data) []float64 {
	x := nnF64(in[0])
	dims := in[0].Dims
	y := make([]float64, len(x))
	eps := float64(p.Epsilon)
	switch p.Kind {
	case ir.NormBatch:
		for i, v := range x {
			c := 0
			if len(dims) > 1 {
				c = nnUnravel(i, dims)[1]
			}
			s, b, m, vv := in[1].Float(c), in[2].Float(c), in[3].Float(c), in[4].Float(c)
			y[i] = (v-m)/math.Sqrt(vv+eps)*s + b
		}
	case ir.NormInstance, ir.NormGroup:
		C := dims[1]
		g := C
		if p.Kind == ir.NormGroup {
			g = p.Groups
		}
		key := func(idx []int) int { return idx[0]*g + idx[1]/(C/g) }
		mean, vr := refNormGroups(x, dims, key, dims[0]*g)
		for i, v := range x {
			idx := nnUnravel(i, dims)
			k := key(idx)
			si := idx[1]
			if p.GroupScalePerGroup {
				si = idx[1] / (C / g)
			}
			y[i] = (v-mean[k])/math.Sqrt(vr[k]+eps)*in[1].Float(si) + in[2].Float(si)
		}
	case ir.NormLayer:
		ax := p.Axis
		if ax < 0 {
			ax += len(dims)
		}
		key := func(idx []int) int { return nnRavel(idx[:ax], dims[:ax]) }
		mean, vr := refNormGroups(x, dims, key, ir.Volume(dims[:ax]))
		for i, v := range x {
			idx := nnUnravel(i, dims)
			k := key(idx)
			r := (v - mean[k]) / math.Sqrt(vr[k]+eps)
			if len(in) > 1 && in[1] != nil {
				r *= refBroadcastAt(in[1], dims, idx)
			}
			if len(in) > 2 && in[2] != nil {
				r += refBroadcastAt(in[2], dims, idx)
			}
			y[i] = r
		}
	case ir.NormLRN:
		C := dims[1]
		for i, v := range x {
			idx := nnUnravel(i, dims)
			c := idx[1]
			var sq float64
			lo := c - int(math.Floor(float64(p.Size-1)/2))
			hi := c + int(math.Ceil(float64(p.Size-1)/2))
			for k := max(lo, 0); k <= min(hi, C-1); k++ {
				j := slices.Clone(idx)
				j[1] = k
				w := x[nnRavel(j, dims)]
				sq += w * w
			}
			y[i] = v / math.Pow(float64(p.Bias)+float64(p.Alpha)/float64(p.Size)*sq, float64(p.Beta))
		}
	case ir.NormLp:
		ax := p.Axis
		if ax < 0 {
			ax += len(dims)
		}
		for i, v := range x {
			idx := nnUnravel(i, dims)
			var s float64
			for k := 0; k < dims[ax]; k++ {
				j := slices.Clone(idx)
				j[ax] = k
				w := x[nnRavel(j, dims)]
				if p.P == 1 {
					s += math.Abs(w)
				} else {
					s += w * w
				}
			}
			if p.P == 2 {
				s = math.Sqrt(s)
			}
			if s != 0 {
				y[i] = v / s
			}
		}
	case ir.NormMeanVariance:
		axes := p.Axes
		if axes == nil {
			axes = []int{0, 2, 3}
		}
		red := make([]bool, len(dims))
		for _, a := range axes {
			if a < 0 {
				a += len(dims)
			}
			red[a] = true
		}
		kd := slices.Clone(dims)
		for i := range kd {
			if red[i] {
				kd[i] = 1
			}
		}
		key := func(idx []int) int {
			j := slices.Clone(idx)
			for i := range j {
				if red[i] {
					j[i] = 0
				}
			}
			return nnRavel(j, kd)
		}
		mean, vr := refNormGroups(x, dims, key, ir.Volume(kd))
		for i, v := range x {
			k := key(nnUnravel(i, dims))
			y[i] = (v - mean[k]) / (math.Sqrt(vr[k]) + 1e-9)
		}
	}
	return y
}

func TestNNNormalization(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pos := func(d *ir.Data) *ir.Data {
		for i := range d.F {
			d.F[i] = float32(math.Abs(float64(d.F[i])) + 0.1)
		}
		return d
	}
	cases := []struct {
		name string
		p    *ir.NormParams
		in   []*ir.Data
	}{
		{"batch-4d", &ir.NormParams{Kind: ir.NormBatch, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 2, 3, 4, 5), nnRand(rng, 3), nnRand(rng, 3), nnRand(rng, 3), pos(nnRand(rng, 3))}},
		{"batch-2d", &ir.NormParams{Kind: ir.NormBatch, Epsilon: 1e-3}, []*ir.Data{nnRand(rng, 4, 3), nnRand(rng, 3), nnRand(rng, 3), nnRand(rng, 3), pos(nnRand(rng, 3))}},
		{"batch-1d", &ir.NormParams{Kind: ir.NormBatch, Epsilon: 1e-3}, []*ir.Data{nnRand(rng, 5), nnRand(rng, 1), nnRand(rng, 1), nnRand(rng, 1), pos(nnRand(rng, 1))}},
		{"batch-empty", &ir.NormParams{Kind: ir.NormBatch, Epsilon: 1e-3}, []*ir.Data{nnRand(rng, 0, 2, 3), nnRand(rng, 2), nnRand(rng, 2), nnRand(rng, 2), pos(nnRand(rng, 2))}},
		{"instance-4d", &ir.NormParams{Kind: ir.NormInstance, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 2, 3, 4, 5), nnRand(rng, 3), nnRand(rng, 3)}},
		{"instance-3d", &ir.NormParams{Kind: ir.NormInstance, Epsilon: 1e-2}, []*ir.Data{nnRand(rng, 1, 2, 7), nnRand(rng, 2), nnRand(rng, 2)}},
		{"instance-spatial1", &ir.NormParams{Kind: ir.NormInstance, Epsilon: 1e-2}, []*ir.Data{nnRand(rng, 2, 2, 1, 1), nnRand(rng, 2), nnRand(rng, 2)}},
		{"layer-last", &ir.NormParams{Kind: ir.NormLayer, Axis: -1, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 2, 3, 8), nnRand(rng, 8), nnRand(rng, 8)}},
		{"layer-axis1", &ir.NormParams{Kind: ir.NormLayer, Axis: 1, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 2, 3, 4), nnRand(rng, 3, 4), nnRand(rng, 4)}},
		{"layer-axis0-bcast", &ir.NormParams{Kind: ir.NormLayer, Axis: 0, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 3, 4), nnRand(rng, 3, 1), nnRand(rng, 1)}},
		{"layer-scale-lead", &ir.NormParams{Kind: ir.NormLayer, Axis: 2, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 2, 3, 4), nnRand(rng, 3, 4)}},
		{"layer-noscale", &ir.NormParams{Kind: ir.NormLayer, Axis: -1, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 3, 5)}},
		{"layer-rank1", &ir.NormParams{Kind: ir.NormLayer, Axis: 0, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 6), nnRand(rng, 6), nnRand(rng, 6)}},
		{"layer-size1", &ir.NormParams{Kind: ir.NormLayer, Axis: -1, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 4, 1), nnRand(rng, 1), nnRand(rng, 1)}},
		{"group-per-channel", &ir.NormParams{Kind: ir.NormGroup, Groups: 2, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 2, 4, 3, 3), nnRand(rng, 4), nnRand(rng, 4)}},
		{"group-per-group", &ir.NormParams{Kind: ir.NormGroup, Groups: 3, Epsilon: 1e-5, GroupScalePerGroup: true}, []*ir.Data{nnRand(rng, 2, 6, 5), nnRand(rng, 3), nnRand(rng, 3)}},
		{"group-1", &ir.NormParams{Kind: ir.NormGroup, Groups: 1, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 1, 3, 2), nnRand(rng, 3), nnRand(rng, 3)}},
		{"lrn-3", &ir.NormParams{Kind: ir.NormLRN, Size: 3, Alpha: 1e-2, Beta: 0.75, Bias: 1}, []*ir.Data{nnRand(rng, 2, 5, 3, 2)}},
		{"lrn-2", &ir.NormParams{Kind: ir.NormLRN, Size: 2, Alpha: 0.5, Beta: 0.5, Bias: 2}, []*ir.Data{nnRand(rng, 1, 4, 3)}},
		{"lrn-big", &ir.NormParams{Kind: ir.NormLRN, Size: 7, Alpha: 0.1, Beta: 0.75, Bias: 1}, []*ir.Data{nnRand(rng, 1, 3, 2, 2)}},
		{"lrn-c1", &ir.NormParams{Kind: ir.NormLRN, Size: 1, Alpha: 0.1, Beta: 0.75, Bias: 1}, []*ir.Data{nnRand(rng, 2, 1)}},
		{"lp2-last", &ir.NormParams{Kind: ir.NormLp, P: 2, Axis: -1}, []*ir.Data{nnRand(rng, 3, 4)}},
		{"lp1-axis0", &ir.NormParams{Kind: ir.NormLp, P: 1, Axis: 0}, []*ir.Data{nnRand(rng, 3, 2, 2)}},
		{"lp2-zero", &ir.NormParams{Kind: ir.NormLp, P: 2, Axis: 0}, []*ir.Data{nnF([]int{2, 2}, 0, 1, 0, 2)}},
		{"lp-rank1", &ir.NormParams{Kind: ir.NormLp, P: 2, Axis: 0}, []*ir.Data{nnRand(rng, 5)}},
		{"mvn-default", &ir.NormParams{Kind: ir.NormMeanVariance}, []*ir.Data{nnRand(rng, 2, 3, 2, 2)}},
		{"mvn-axes", &ir.NormParams{Kind: ir.NormMeanVariance, Axes: []int{1, -1}}, []*ir.Data{nnRand(rng, 2, 3, 4)}},
		{"mvn-all", &ir.NormParams{Kind: ir.NormMeanVariance, Axes: []int{0, 1}}, []*ir.Data{nnRand(rng, 3, 3)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := nnMust(t, tc.p, 1, tc.in)
			nnClose(t, out[0], tc.in[0].Dims, refNorm(tc.p, tc.in))
		})
	}
	t.Run("layer-mean-invstd", func(t *testing.T) {
		x := nnRand(rng, 2, 3, 4)
		p := &ir.NormParams{Kind: ir.NormLayer, Axis: 1, Epsilon: 1e-5}
		out := nnMust(t, p, 3, []*ir.Data{x, nnRand(rng, 3, 4)})
		mean, vr := refNormGroups(nnF64(x), x.Dims, func(idx []int) int { return idx[0] }, 2)
		inv := []float64{1 / math.Sqrt(vr[0]+1e-5), 1 / math.Sqrt(vr[1]+1e-5)}
		nnClose(t, out[1], []int{2, 1, 1}, mean)
		nnClose(t, out[2], []int{2, 1, 1}, inv)
	})
	t.Run("errors", func(t *testing.T) {
		_, err := nnRun(t, &ir.NormParams{Kind: ir.NormGroup, Groups: 3}, 1, []*ir.Data{nnRand(rng, 1, 4, 2), nnRand(rng, 4), nnRand(rng, 4)})
		require.Error(t, err)
		_, err = nnRun(t, &ir.NormParams{Kind: ir.NormBatch}, 1, []*ir.Data{nnRand(rng, 1, 4, 2), nnRand(rng, 3), nnRand(rng, 4), nnRand(rng, 4), nnRand(rng, 4)})
		require.Error(t, err)
		_, err = nnRun(t, &ir.NormParams{Kind: ir.NormLayer, Axis: 1}, 1, []*ir.Data{nnRand(rng, 2, 4), nnRand(rng, 3)})
		require.Error(t, err)
		_, err = nnRun(t, &ir.NormParams{Kind: ir.NormBatch}, 3, []*ir.Data{nnRand(rng, 1, 4), nnRand(rng, 4), nnRand(rng, 4), nnRand(rng, 4), nnRand(rng, 4)})
		require.Error(t, err, "training mode")
		// Data shorter than its dims: an error, not a panic.
		bad := &ir.Data{Type: ir.Float, Dims: []int{2, 3}, F: make([]float32, 5)}
		n := &ir.Node{Name: "bad", Kind: ir.KindNormalization, Params: &ir.NormParams{Kind: ir.NormLp, P: 2}, Outputs: []*ir.Tensor{{Type: ir.Float}}}
		_, err = Eval(n, []*ir.Data{bad})
		require.Error(t, err)
	})
}

// ---- top-k, arg-min/max, cumsum --------------------------------------------------

// refTopK selects k elements by repeated scans (NaN largest, lower index first).
func refTopK(x []float64, dims []int, ax, k int, largest bool) ([]float64, []int64) {
	od := slices.Clone(dims)
	od[ax] = k
	vals := make([]float64, ir.Volume(od))
	idx := make([]int64, len(vals))
	better := func(a, b float64) bool { // a strictly before b
		an, bn := math.IsNaN(a), math.IsNaN(b)
		switch {
		case an && bn:
			return false
		case an:
			return largest
		case bn:
			return !largest
		}
		if largest {
			return a > b
		}
		return a < b
	}
	for o := range vals {
		oi := nnUnravel(o, od)
		used := map[int]bool{}
		// The j-th pick fills position oi[ax] = j; recompute picks up to it.
		var pick int
		for j := 0; j <= oi[ax]; j++ {
			pick = -1
			for c := 0; c < dims[ax]; c++ {
				if used[c] {
					continue
				}
				ii := slices.Clone(oi)
				ii[ax] = c
				if pick < 0 {
					pick = c
					continue
				}
				pi := slices.Clone(oi)
				pi[ax] = pick
				if better(x[nnRavel(ii, dims)], x[nnRavel(pi, dims)]) {
					pick = c
				}
			}
			used[pick] = true
		}
		ii := slices.Clone(oi)
		ii[ax] = pick
		vals[o], idx[o] = x[nnRavel(ii, dims)], int64(pick)
	}
	return vals, idx
}

func TestNNTopK(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ties := func(dims ...int) *ir.Data {
		d := ir.NewData(ir.Float, dims)
		for i := range d.F {
			d.F[i] = float32(rng.IntN(4))
		}
		return d
	}
	withNaN := ties(3, 6)
	withNaN.F[2], withNaN.F[7], withNaN.F[8] = float32(math.NaN()), float32(math.NaN()), float32(math.NaN())
	cases := []struct {
		name    string
		x       *ir.Data
		k, axis int
		largest bool
		kInput  bool
	}{
		{"last-largest", nnRand(rng, 3, 5), 2, -1, true, false},
		{"axis0-smallest", nnRand(rng, 4, 3), 3, 0, false, true},
		{"mid-axis", nnRand(rng, 2, 5, 3), 4, 1, true, true},
		{"ties-largest", ties(4, 7), 5, 1, true, false},
		{"ties-smallest", ties(4, 7), 5, 1, false, false},
		{"nan-largest", withNaN, 4, 1, true, false},
		{"nan-smallest", withNaN, 6, 1, false, false},
		{"k0", nnRand(rng, 3, 4), 0, 1, true, true},
		{"k-all", nnRand(rng, 6), 6, 0, true, false},
		{"size1", nnRand(rng, 1, 1), 1, 0, false, false},
		{"empty-outer", nnRand(rng, 0, 3), 2, 1, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &ir.TopKParams{K: tc.k, Axis: tc.axis, Largest: tc.largest, Sorted: true}
			in := []*ir.Data{tc.x}
			if tc.kInput {
				p.K = 0
				in = append(in, nnI(ir.Int64, []int{1}, int64(tc.k)))
			}
			out := nnMust(t, p, 2, in, 1)
			ax := tc.axis
			if ax < 0 {
				ax += len(tc.x.Dims)
			}
			vals, idx := refTopK(nnF64(tc.x), tc.x.Dims, ax, tc.k, tc.largest)
			nnClose(t, out[0], nil, vals)
			require.Equal(t, idx, out[1].I)
		})
	}
	t.Run("int", func(t *testing.T) {
		x := nnI(ir.Int32, []int{2, 4}, 5, -1, 5, 3, 0, 0, 9, -7)
		out := nnMust(t, &ir.TopKParams{K: 3, Axis: 1, Largest: true, Sorted: true}, 2, []*ir.Data{x})
		require.Equal(t, []int64{5, 5, 3, 9, 0, 0}, out[0].I)
		require.Equal(t, []int64{0, 2, 3, 2, 0, 1}, out[1].I)
		require.Equal(t, ir.Int32, out[0].Type)
	})
	t.Run("k-too-large-at-run-time", func(t *testing.T) {
		_, err := nnRun(t, &ir.TopKParams{Axis: 0, Largest: true}, 2, []*ir.Data{nnRand(rng, 3), nnI(ir.Int64, []int{1}, 4)})
		require.Error(t, err)
	})
}

func TestNNArgMinMax(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := ir.NewData(ir.Float, []int{3, 4, 5})
	for i := range x.F {
		x.F[i] = float32(rng.IntN(3))
	}
	for _, isMax := range []bool{true, false} {
		for _, last := range []bool{false, true} {
			for _, keep := range []bool{false, true} {
				for _, axis := range []int{0, 1, -1} {
					name := fmt.Sprintf("max=%v/last=%v/keep=%v/axis=%d", isMax, last, keep, axis)
					t.Run(name, func(t *testing.T) {
						p := &ir.ArgMinMaxParams{Max: isMax, Axis: axis, KeepDims: keep, SelectLastIndex: last}
						out := nnMust(t, p, 1, []*ir.Data{x})
						ax := (axis + 3) % 3
						od := slices.Clone(x.Dims)
						od[ax] = 1
						want := make([]int64, ir.Volume(od))
						for o := range want {
							oi := nnUnravel(o, od)
							best := -1
							var bv float32
							for c := 0; c < x.Dims[ax]; c++ {
								oi[ax] = c
								v := x.F[nnRavel(oi, x.Dims)]
								if best < 0 || (isMax && v > bv) || (!isMax && v < bv) || (last && v == bv) {
									best, bv = c, v
								}
							}
							want[o] = int64(best)
						}
						require.Equal(t, want, out[0].I)
						if !keep {
							od = slices.Delete(od, ax, ax+1)
						}
						require.Equal(t, od, out[0].Dims)
					})
				}
			}
		}
	}
	t.Run("nan-and-int", func(t *testing.T) {
		// ONNX Runtime 1.30: a NaN wins only in the first place.
		nan := float32(math.NaN())
		for _, tc := range []struct {
			x         []float32
			max, last bool
			want      int64
		}{
			{[]float32{1, nan, 3, nan, 3}, true, false, 2},
			{[]float32{1, nan, 3, nan, 3}, true, true, 4},
			{[]float32{1, nan, 3, nan, 0}, false, true, 4},
			{[]float32{1, nan, 3, nan, 1}, false, false, 0},
			{[]float32{nan, 1, 2}, true, true, 0},
			{[]float32{nan, 1, 2}, false, false, 0},
			{[]float32{nan, nan}, true, true, 0},
		} {
			out := nnMust(t, &ir.ArgMinMaxParams{Max: tc.max, Axis: 0, SelectLastIndex: tc.last}, 1, []*ir.Data{nnF([]int{len(tc.x)}, tc.x...)})
			require.Equal(t, []int64{tc.want}, out[0].I, "%v max=%v last=%v", tc.x, tc.max, tc.last)
		}
		out := nnMust(t, &ir.ArgMinMaxParams{Max: false, Axis: 1, KeepDims: true}, 1, []*ir.Data{nnI(ir.Int64, []int{2, 3}, 4, -2, -2, 7, 8, 9)})
		require.Equal(t, []int64{1, 0}, out[0].I)
		require.Equal(t, []int{2, 1}, out[0].Dims)
		_, err := nnRun(t, &ir.ArgMinMaxParams{Max: true, Axis: 1}, 1, []*ir.Data{nnRand(rng, 2, 0)})
		require.Error(t, err)
	})
}

func TestNNCumSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dims := range [][]int{{6}, {2, 3, 4}, {1, 1}, {0, 3}} {
		x := nnRand(rng, dims...)
		for axis := -len(dims); axis < len(dims); axis++ {
			for _, excl := range []bool{false, true} {
				for _, rev := range []bool{false, true} {
					t.Run(fmt.Sprintf("%v/axis=%d/excl=%v/rev=%v", dims, axis, excl, rev), func(t *testing.T) {
						out := nnMust(t, &ir.CumulativeParams{Exclusive: excl, Reverse: rev}, 1,
							[]*ir.Data{x, nnI(ir.Int32, []int{}, int64(axis))})
						ax := (axis + len(dims)) % len(dims)
						want := make([]float64, x.Len())
						for i := range want {
							idx := nnUnravel(i, dims)
							for c := 0; c < dims[ax]; c++ {
								in := (rev && (c > idx[ax] || (!excl && c == idx[ax]))) ||
									(!rev && (c < idx[ax] || (!excl && c == idx[ax])))
								if in {
									j := slices.Clone(idx)
									j[ax] = c
									want[i] += x.Float(nnRavel(j, dims))
								}
							}
						}
						nnClose(t, out[0], dims, want)
					})
				}
			}
		}
	}
	t.Run("int", func(t *testing.T) {
		out := nnMust(t, &ir.CumulativeParams{Exclusive: true}, 1, []*ir.Data{nnI(ir.Int64, []int{2, 3}, 1, 2, 3, 4, 5, 6), nnI(ir.Int64, []int{1}, 1)})
		require.Equal(t, []int64{0, 1, 3, 0, 4, 9}, out[0].I)
	})
	t.Run("bad-axis", func(t *testing.T) {
		_, err := nnRun(t, &ir.CumulativeParams{}, 1, []*ir.Data{nnRand(rng, 3), nnI(ir.Int64, []int{}, 2)})
		require.Error(t, err)
	})
}

// ---- einsum ------------------------------------------------------------------------

// refEinsum evaluates an equation by brute force over every label assignment.
func refEinsum(eq string, in []*ir.Data) ([]float64, []int) {
	eq = strings.ReplaceAll(eq, " ", "")
	lhs, rhs, explicit := strings.Cut(eq, "->")
	terms := strings.Split(lhs, ",")
	// Expand ellipses into labels '0'..'9' (right-aligned).
	nell := 0
	for i, tm := range terms {
		if strings.Contains(tm, "...") {
			nell = max(nell, len(in[i].Dims)-(len(tm)-3))
		}
	}
	ell := func(n int) string {
		s := ""
		for j := nell - n; j < nell; j++ {
			s += string(rune('0' + j))
		}
		return s
	}
	for i, tm := range terms {
		if strings.Contains(tm, "...") {
			terms[i] = strings.Replace(tm, "...", ell(len(in[i].Dims)-(len(tm)-3)), 1)
		}
	}
	size := map[rune]int{}
	for i, tm := range terms {
		for j, r := range tm {
			if d := in[i].Dims[j]; d != 1 || size[r] == 0 {
				size[r] = max(size[r], d)
				if d == 0 {
					size[r] = 0
				}
			}
		}
	}
	var out string
	if explicit {
		out = strings.Replace(rhs, "...", ell(nell), 1)
	} else {
		out = ell(nell)
		cnt := map[rune]int{}
		for _, tm := range terms {
			for _, r := range tm {
				cnt[r]++
			}
		}
		var once []rune
		for r, c := range cnt {
			if c == 1 && !(r >= '0' && r <= '9') {
				once = append(once, r)
			}
		}
		sort.Slice(once, func(a, b int) bool { return once[a] < once[b] })
		out += string(once)
	}
	var all []rune
	for r := range size {
		all = append(all, r)
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	od := make([]int, len([]rune(out)))
	for i, r := range []rune(out) {
		od[i] = size[r]
	}
	res := make([]float64, ir.Volume(od))
	ad := make([]int, len(all))
	for i, r := range all {
		ad[i] = size[r]
	}
	pos := map[rune]int{}
	for i, r := range all {
		pos[r] = i
	}
	for a := 0; a < ir.Volume(ad); a++ {
		as := nnUnravel(a, ad)
		prod := 1.0
		for i, tm := range terms {
			idx := make([]int, len(in[i].Dims))
			for j, r := range tm {
				if in[i].Dims[j] != 1 {
					idx[j] = as[pos[r]]
				}
			}
			prod *= in[i].Float(nnRavel(idx, in[i].Dims))
		}
		oi := make([]int, len(od))
		for j, r := range []rune(out) {
			oi[j] = as[pos[r]]
		}
		res[nnRavel(oi, od)] += prod
	}
	return res, od
}

func TestNNEinsum(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	cases := []struct {
		eq   string
		dims [][]int
	}{
		{"ij,jk->ik", [][]int{{3, 4}, {4, 5}}},
		{"ij,jk", [][]int{{3, 4}, {4, 2}}},
		{"bij,bjk->bik", [][]int{{2, 3, 4}, {2, 4, 5}}},
		{"bij,bkj->bik", [][]int{{2, 3, 4}, {2, 5, 4}}},
		{"ii->i", [][]int{{4, 4}}},
		{"ii", [][]int{{4, 4}}},
		{"...ii->...i", [][]int{{2, 3, 3}}},
		{"iij->j", [][]int{{3, 3, 2}}},
		{"ij->", [][]int{{3, 4}}},
		{"ij->ji", [][]int{{3, 4}}},
		{"ba", [][]int{{3, 4}}},
		{"i,i", [][]int{{5}, {5}}},
		{"i,j->ij", [][]int{{3}, {4}}},
		{"ij,ij->ij", [][]int{{3, 4}, {3, 4}}},
		{"ij,ij->", [][]int{{3, 4}, {3, 4}}},
		{"abc,cd,de->abe", [][]int{{2, 3, 4}, {4, 3}, {3, 2}}},
		{"...ij,...jk->...ik", [][]int{{2, 1, 3, 4}, {5, 4, 2}}},
		{"...j,j...->...", [][]int{{2, 3}, {3, 2}}},
		{"bn,anm,bm->ba", [][]int{{2, 3}, {4, 3, 5}, {2, 5}}},
		{",i->i", [][]int{{}, {4}}},
		{"i->", [][]int{{0}}},
		{"ij,jk->ik", [][]int{{2, 0}, {0, 3}}},
		{"ij,kj->ik", [][]int{{1, 3}, {4, 3}}},
		{"ij,j->i", [][]int{{3, 1}, {4}}},
		{"Ab,bA->", [][]int{{2, 3}, {3, 2}}},
		{"ijk,ikl,lm->jm", [][]int{{2, 3, 4}, {2, 4, 3}, {3, 2}}},
	}
	for _, tc := range cases {
		t.Run(tc.eq, func(t *testing.T) {
			in := make([]*ir.Data, len(tc.dims))
			for i, d := range tc.dims {
				in[i] = nnRand(rng, d...)
			}
			out := nnMust(t, &ir.EinsumParams{Equation: tc.eq}, 1, in)
			want, od := refEinsum(tc.eq, in)
			nnClose(t, out[0], od, want)
		})
	}
	t.Run("int", func(t *testing.T) {
		a := nnI(ir.Int64, []int{2, 2}, 1, 2, 3, 4)
		b := nnI(ir.Int64, []int{2, 2}, 5, 6, 7, 8)
		out := nnMust(t, &ir.EinsumParams{Equation: "ij,jk->ik"}, 1, []*ir.Data{a, b})
		require.Equal(t, []int64{19, 22, 43, 50}, out[0].I)
		out = nnMust(t, &ir.EinsumParams{Equation: "ii"}, 1, []*ir.Data{a})
		require.Equal(t, []int64{5}, out[0].I)
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			eq   string
			dims [][]int
		}{
			{"ij,jk->ik", [][]int{{2, 3}, {4, 5}}},
			{"ij->k", [][]int{{2, 3}}},
			{"ij->ii", [][]int{{2, 3}}},
			{"ijk->i", [][]int{{2, 3}}},
			{"ij,jk", [][]int{{2, 3}}},
			{"ii->i", [][]int{{2, 3}}},
			{"i1->i", [][]int{{2, 3}}},
		} {
			in := make([]*ir.Data, len(tc.dims))
			for i, d := range tc.dims {
				in[i] = nnRand(rng, d...)
			}
			_, err := nnRun(t, &ir.EinsumParams{Equation: tc.eq}, 1, in)
			require.Error(t, err, tc.eq)
		}
	})
}

// ---- RNN ---------------------------------------------------------------------------

type rnnRefCase struct {
	mode       ir.RNNMode
	dir        string
	layout     int
	seq, batch int
	in, hid    int
	bias, init bool
	peep       bool
	lens       []int64
	acts       []string
	alpha      []float32
	beta       []float32
	clip       float32
	lbr        bool
	forget     bool
}

func refAct(name string, a, b float64) func(float64) float64 {
	switch strings.ToLower(name) {
	case "relu":
		return func(x float64) float64 { return max(x, 0) }
	case "tanh":
		return math.Tanh
	case "sigmoid":
		return func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	case "affine":
		return func(x float64) float64 { return a*x + b }
	case "leakyrelu":
		return func(x float64) float64 {
			if x < 0 {
				return a * x
			}
			return x
		}
	case "thresholdedrelu":
		return func(x float64) float64 {
			if x > a {
				return x
			}
			return 0
		}
	case "scaledtanh":
		return func(x float64) float64 { return a * math.Tanh(b*x) }
	case "hardsigmoid":
		return func(x float64) float64 { return min(1, max(0, a*x+b)) }
	case "elu":
		return func(x float64) float64 {
			if x < 0 {
				return a * (math.Exp(x) - 1)
			}
			return x
		}
	case "softsign":
		return func(x float64) float64 { return x / (1 + math.Abs(x)) }
	case "softplus":
		return func(x float64) float64 { return math.Log(1 + math.Exp(x)) }
	}
	panic(name)
}

// refRNN is a direct float64 transcription of the ONNX RNN/GRU/LSTM equations.
func refRNN(tc rnnRefCase, in []*ir.Data) (y, yh, yc []float64) {
	nd := 1
	if tc.dir == "bidirectional" {
		nd = 2
	}
	G := ir.RNNGates(tc.mode)
	H, I, S, B := tc.hid, tc.in, tc.seq, tc.batch
	at := func(d *ir.Data, idx ...int) float64 { return d.Float(nnRavel(idx, d.Dims)) }
	xAt := func(t, b, i int) float64 {
		if tc.layout == 1 {
			return at(in[0], b, t, i)
		}
		return at(in[0], t, b, i)
	}
	stAt := func(d *ir.Data, dir, b, j int) float64 {
		if tc.layout == 1 {
			return at(d, b, dir, j)
		}
		return at(d, dir, b, j)
	}
	// Activations with ONNX Runtime's alpha/beta consumption.
	names := tc.acts
	na := ir.RNNActivationCount(tc.mode)
	if names == nil {
		names = map[ir.RNNMode][]string{ir.RNNRelu: {"Tanh"}, ir.RNNGRU: {"Sigmoid", "Tanh"}, ir.RNNLSTM: {"Sigmoid", "Tanh", "Tanh"}}[tc.mode]
	}
	if len(names) == na && nd == 2 {
		names = append(slices.Clone(names), names...)
	}
	ai, bi := 0, 0
	var fs []func(float64) float64
	for _, n := range names {
		ua, ub, a, b, _ := ir.RNNActivationArgs(n)
		if ua && ai < len(tc.alpha) {
			a = tc.alpha[ai]
			ai++
		}
		if ub && bi < len(tc.beta) {
			b = tc.beta[bi]
			bi++
		}
		fs = append(fs, refAct(n, float64(a), float64(b)))
	}
	cl := func(v float64) float64 {
		if tc.clip > 0 {
			return min(max(v, -float64(tc.clip)), float64(tc.clip))
		}
		return v
	}
	y = make([]float64, S*nd*B*H)
	yh = make([]float64, nd*B*H)
	yc = make([]float64, nd*B*H)
	yIdx := func(t, d, b, j int) int {
		if tc.layout == 1 {
			return ((b*S+t)*nd+d)*H + j
		}
		return ((t*nd+d)*B+b)*H + j
	}
	sIdx := func(d, b, j int) int {
		if tc.layout == 1 {
			return (b*nd+d)*H + j
		}
		return (d*B+b)*H + j
	}
	for d := 0; d < nd; d++ {
		f := fs[d*na : (d+1)*na]
		rev := tc.dir == "reverse" || d == 1
		for b := 0; b < B; b++ {
			L := S
			if tc.lens != nil {
				L = int(tc.lens[b])
			}
			h := make([]float64, H)
			c := make([]float64, H)
			if tc.init {
				for j := range h {
					h[j] = stAt(in[5], d, b, j)
					if tc.mode == ir.RNNLSTM {
						c[j] = stAt(in[6], d, b, j)
					}
				}
			}
			// wx(g, j, t) = W_g x_t + Wb_g ; rh(g, j, v) = R_g v + Rb_g.
			wx := func(g, j, t int) float64 {
				s := 0.0
				for i := 0; i < I; i++ {
					s += at(in[1], d, g*H+j, i) * xAt(t, b, i)
				}
				if tc.bias {
					s += at(in[3], d, g*H+j)
				}
				return s
			}
			rh := func(g, j int, v []float64) float64 {
				s := 0.0
				for i := 0; i < H; i++ {
					s += at(in[2], d, g*H+j, i) * v[i]
				}
				if tc.bias {
					s += at(in[3], d, G*H+g*H+j)
				}
				return s
			}
			for s := 0; s < L; s++ {
				t := s
				if rev {
					t = L - 1 - s
				}
				nh := make([]float64, H)
				switch tc.mode {
				case ir.RNNRelu:
					for j := range nh {
						nh[j] = f[0](cl(wx(0, j, t) + rh(0, j, h)))
					}
				case ir.RNNGRU:
					z, r := make([]float64, H), make([]float64, H)
					for j := range nh {
						z[j] = f[0](cl(wx(0, j, t) + rh(0, j, h)))
						r[j] = f[0](cl(wx(1, j, t) + rh(1, j, h)))
					}
					rhv := make([]float64, H)
					for j := range rhv {
						rhv[j] = r[j] * h[j]
					}
					for j := range nh {
						var g float64
						if tc.lbr {
							g = wx(2, j, t) + r[j]*rh(2, j, h)
						} else {
							g = wx(2, j, t) + rh(2, j, rhv)
						}
						nh[j] = (1-z[j])*f[1](cl(g)) + z[j]*h[j]
					}
				case ir.RNNLSTM:
					nc := make([]float64, H)
					for j := range nh {
						pi, po, pf := 0.0, 0.0, 0.0
						if tc.peep {
							pi, po, pf = at(in[7], d, j), at(in[7], d, H+j), at(in[7], d, 2*H+j)
						}
						ig := f[0](cl(wx(0, j, t) + rh(0, j, h) + pi*c[j]))
						fg := f[0](cl(wx(2, j, t) + rh(2, j, h) + pf*c[j]))
						if tc.forget {
							fg = 1 - ig
						}
						cg := f[1](cl(wx(3, j, t) + rh(3, j, h)))
						nc[j] = fg*c[j] + ig*cg
						og := f[0](cl(wx(1, j, t) + rh(1, j, h) + po*nc[j]))
						nh[j] = og * f[2](nc[j])
					}
					c = nc
				}
				h = nh
				for j := range h {
					y[yIdx(t, d, b, j)] = h[j]
				}
			}
			if L > 0 {
				for j := range h {
					yh[sIdx(d, b, j)] = h[j]
					yc[sIdx(d, b, j)] = c[j]
				}
			}
		}
	}
	return
}

func TestNNRNN(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cases := map[string]rnnRefCase{
		"rnn-fwd":          {mode: ir.RNNRelu, dir: "forward", seq: 4, batch: 2, in: 3, hid: 5},
		"rnn-rev-bias":     {mode: ir.RNNRelu, dir: "reverse", seq: 3, batch: 3, in: 2, hid: 4, bias: true, init: true},
		"rnn-bidi-relu":    {mode: ir.RNNRelu, dir: "bidirectional", seq: 3, batch: 2, in: 2, hid: 3, bias: true, acts: []string{"Relu", "LeakyRelu"}, alpha: []float32{0.3}},
		"rnn-lens-layout1": {mode: ir.RNNRelu, dir: "bidirectional", layout: 1, seq: 4, batch: 3, in: 2, hid: 3, bias: true, init: true, lens: []int64{4, 2, 0}},
		"rnn-acts":         {mode: ir.RNNRelu, dir: "bidirectional", seq: 2, batch: 1, in: 2, hid: 2, acts: []string{"affine", "SCALEDTANH"}, alpha: []float32{0.5, 0.7}, beta: []float32{0.1, 1.3}},
		"rnn-acts2":        {mode: ir.RNNRelu, dir: "bidirectional", seq: 2, batch: 2, in: 2, hid: 2, acts: []string{"Elu", "HardSigmoid"}},
		"rnn-acts3":        {mode: ir.RNNRelu, dir: "bidirectional", seq: 2, batch: 2, in: 2, hid: 2, acts: []string{"Softsign", "Softplus"}},
		"rnn-acts4":        {mode: ir.RNNRelu, dir: "forward", seq: 2, batch: 2, in: 2, hid: 2, acts: []string{"ThresholdedRelu"}, alpha: []float32{0.2}},
		"gru-fwd":          {mode: ir.RNNGRU, dir: "forward", seq: 4, batch: 2, in: 3, hid: 5, bias: true},
		"gru-lbr":          {mode: ir.RNNGRU, dir: "forward", seq: 3, batch: 2, in: 3, hid: 4, bias: true, lbr: true, init: true},
		"gru-bidi-lens":    {mode: ir.RNNGRU, dir: "bidirectional", seq: 4, batch: 3, in: 2, hid: 3, bias: true, init: true, lens: []int64{1, 4, 3}},
		"gru-rev-layout1":  {mode: ir.RNNGRU, dir: "reverse", layout: 1, seq: 3, batch: 2, in: 2, hid: 3, bias: true, lbr: true, lens: []int64{2, 3}},
		"gru-clip":         {mode: ir.RNNGRU, dir: "forward", seq: 3, batch: 2, in: 3, hid: 2, bias: true, clip: 0.5},
		"lstm-fwd":         {mode: ir.RNNLSTM, dir: "forward", seq: 4, batch: 2, in: 3, hid: 5, bias: true},
		"lstm-peep":        {mode: ir.RNNLSTM, dir: "forward", seq: 3, batch: 2, in: 3, hid: 4, bias: true, init: true, peep: true},
		"lstm-bidi":        {mode: ir.RNNLSTM, dir: "bidirectional", seq: 3, batch: 2, in: 2, hid: 3, bias: true, init: true, peep: true, lens: []int64{3, 2}},
		"lstm-forget-clip": {mode: ir.RNNLSTM, dir: "reverse", seq: 3, batch: 2, in: 2, hid: 3, bias: true, forget: true, clip: 0.7},
		"lstm-layout1":     {mode: ir.RNNLSTM, dir: "bidirectional", layout: 1, seq: 3, batch: 2, in: 2, hid: 2, bias: true, init: true, lens: []int64{0, 3}},
		"lstm-acts":        {mode: ir.RNNLSTM, dir: "forward", seq: 2, batch: 2, in: 2, hid: 3, acts: []string{"HardSigmoid", "LeakyRelu", "Tanh"}, alpha: []float32{0.3, 0.05}, beta: []float32{0.4}},
		"lstm-size1":       {mode: ir.RNNLSTM, dir: "forward", seq: 1, batch: 1, in: 1, hid: 1, bias: true},
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		tc := cases[name]
		t.Run(name, func(t *testing.T) {
			nd := 1
			if tc.dir == "bidirectional" {
				nd = 2
			}
			G := ir.RNNGates(tc.mode)
			in := make([]*ir.Data, 3, 8)
			if tc.layout == 1 {
				in[0] = nnRand(rng, tc.batch, tc.seq, tc.in)
			} else {
				in[0] = nnRand(rng, tc.seq, tc.batch, tc.in)
			}
			in[1] = nnRand(rng, nd, G*tc.hid, tc.in)
			in[2] = nnRand(rng, nd, G*tc.hid, tc.hid)
			for _, w := range in[1:3] {
				for i := range w.F {
					w.F[i] *= 0.6
				}
			}
			in = append(in, nil, nil, nil, nil, nil)
			if tc.bias {
				in[3] = nnRand(rng, nd, 2*G*tc.hid)
			}
			if tc.lens != nil {
				in[4] = nnI(ir.Int32, []int{tc.batch}, tc.lens...)
			}
			st := []int{nd, tc.batch, tc.hid}
			if tc.layout == 1 {
				st = []int{tc.batch, nd, tc.hid}
			}
			if tc.init {
				in[5] = nnRand(rng, st...)
				if tc.mode == ir.RNNLSTM {
					in[6] = nnRand(rng, st...)
				}
			}
			if tc.peep {
				in[7] = nnRand(rng, nd, 3*tc.hid)
			}
			for len(in) > 3 && in[len(in)-1] == nil {
				in = in[:len(in)-1]
			}
			nout := 2
			if tc.mode == ir.RNNLSTM {
				nout = 3
			}
			p := &ir.RNNParams{Mode: tc.mode, HiddenSize: tc.hid, Direction: tc.dir, Activations: tc.acts,
				ActivationAlpha: tc.alpha, ActivationBeta: tc.beta, Clip: tc.clip, LinearBeforeReset: tc.lbr,
				InputForget: tc.forget, Layout: tc.layout}
			out := nnMust(t, p, nout, in)
			y, yh, yc := refRNN(tc, in)
			yd := []int{tc.seq, nd, tc.batch, tc.hid}
			if tc.layout == 1 {
				yd = []int{tc.batch, tc.seq, nd, tc.hid}
			}
			nnClose(t, out[0], yd, y)
			nnClose(t, out[1], st, yh)
			if nout == 3 {
				nnClose(t, out[2], st, yc)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		x, w, r := nnRand(rng, 2, 1, 2), nnRand(rng, 1, 3, 2), nnRand(rng, 1, 3, 3)
		_, err := nnRun(t, &ir.RNNParams{Mode: ir.RNNRelu, HiddenSize: 3, Direction: "forward"}, 2,
			[]*ir.Data{x, w, r, nil, nnI(ir.Int32, []int{1}, 3)})
		require.Error(t, err, "sequence length past the sequence")
		_, err = nnRun(t, &ir.RNNParams{Mode: ir.RNNRelu, HiddenSize: 3, Direction: "sideways"}, 2, []*ir.Data{x, w, r})
		require.Error(t, err)
		_, err = nnRun(t, &ir.RNNParams{Mode: ir.RNNRelu, HiddenSize: 3, Activations: []string{"Gelu"}}, 2, []*ir.Data{x, w, r})
		require.Error(t, err)
		_, err = nnRun(t, &ir.RNNParams{Mode: ir.RNNGRU, HiddenSize: 3}, 2, []*ir.Data{x, w, r})
		require.Error(t, err, "GRU needs 3 gates")
	})
}

// ---- one-hot, trilu, non-zero, fill ------------------------------------------------

func TestNNOneHot(t *testing.T) {
	v := nnF([]int{2}, -1, 3)
	out := nnMust(t, &ir.OneHotParams{Axis: -1}, 1, []*ir.Data{nnI(ir.Int64, []int{4}, 0, -1, 3, 7), nnI(ir.Int64, []int{}, 3), v}, 1)
	nnClose(t, out[0], []int{4, 3}, []float64{3, -1, -1, -1, -1, 3, -1, -1, -1, -1, -1, -1})
	// Float indices: only integral values hit (1.7 gives all off); depth truncates.
	out = nnMust(t, &ir.OneHotParams{Axis: 0}, 1, []*ir.Data{nnF([]int{3}, 1.7, -2, 1), nnF([]int{}, 2.9), nnI(ir.Int32, []int{2}, 0, 5)})
	require.Equal(t, []int64{0, 5, 0, 0, 0, 5}, out[0].I)
	require.Equal(t, []int{2, 3}, out[0].Dims)
	out = nnMust(t, &ir.OneHotParams{Axis: 1}, 1, []*ir.Data{nnI(ir.Int32, []int{1, 2}, 1, 0), nnI(ir.Int64, []int{1}, 2), v}, 1)
	nnClose(t, out[0], []int{1, 2, 2}, []float64{-1, 3, 3, -1})
	out = nnMust(t, &ir.OneHotParams{Axis: -1}, 1, []*ir.Data{nnI(ir.Int64, []int{}, 1), nnI(ir.Int64, []int{}, 2), v})
	nnClose(t, out[0], []int{2}, []float64{-1, 3})
	_, err := nnRun(t, &ir.OneHotParams{Axis: -1}, 1, []*ir.Data{nnI(ir.Int64, []int{1}, 0), nnI(ir.Int64, []int{}, 0), v})
	require.Error(t, err)
}

func TestNNTrilu(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, dims := range [][]int{{4, 5}, {5, 4}, {2, 3, 3}, {1, 1}, {3, 1, 5}, {0, 5}, {2, 0, 3}} {
		for _, upper := range []bool{false, true} {
			for _, k := range []int64{-6, -1, 0, 1, 2, 6} {
				t.Run(fmt.Sprintf("%v/upper=%v/k=%d", dims, upper, k), func(t *testing.T) {
					x := nnRand(rng, dims...)
					out := nnMust(t, &ir.TriluParams{Upper: upper}, 1, []*ir.Data{x, nnI(ir.Int64, []int{}, k)})
					want := nnF64(x)
					for i := range want {
						idx := nnUnravel(i, dims)
						r, c := int64(idx[len(dims)-2]), int64(idx[len(dims)-1])
						if (upper && c-r < k) || (!upper && c-r > k) {
							want[i] = 0
						}
					}
					nnClose(t, out[0], dims, want)
				})
			}
		}
	}
	out := nnMust(t, &ir.TriluParams{}, 1, []*ir.Data{nnI(ir.Int64, []int{2, 2}, 1, 2, 3, 4)})
	require.Equal(t, []int64{1, 0, 3, 4}, out[0].I)
}

func TestNNNonZero(t *testing.T) {
	out := nnMust(t, &ir.NonZeroParams{}, 1, []*ir.Data{nnI(ir.Bool, []int{2, 2}, 1, 0, 1, 1)})
	require.Equal(t, []int{2, 3}, out[0].Dims)
	require.Equal(t, []int64{0, 1, 1, 0, 0, 1}, out[0].I)
	out = nnMust(t, &ir.NonZeroParams{}, 1, []*ir.Data{nnF([]int{5}, 0, 2, float32(math.NaN()), 0, -1)})
	require.Equal(t, []int64{1, 2, 4}, out[0].I)
	out = nnMust(t, &ir.NonZeroParams{}, 1, []*ir.Data{nnF([]int{2, 0})})
	require.Equal(t, []int{2, 0}, out[0].Dims)
	out = nnMust(t, &ir.NonZeroParams{}, 1, []*ir.Data{nnF([]int{}, 3)})
	require.Equal(t, []int{1, 1}, out[0].Dims)
	require.Equal(t, []int64{0}, out[0].I)
	rng := rand.New(rand.NewPCG(15, 16))
	x := ir.NewData(ir.Int32, []int{3, 2, 4})
	for i := range x.I {
		x.I[i] = int64(rng.IntN(2))
	}
	out = nnMust(t, &ir.NonZeroParams{}, 1, []*ir.Data{x})
	nz := 0
	for i, v := range x.I {
		if v != 0 {
			idx := nnUnravel(i, x.Dims)
			n := out[0].Dims[1]
			for d := range idx {
				require.Equal(t, int64(idx[d]), out[0].I[d*n+nz])
			}
			nz++
		}
	}
	require.Equal(t, nz, out[0].Dims[1])
}

func TestNNFill(t *testing.T) {
	out := nnMust(t, &ir.FillParams{Op: ir.FillConstant, Type: ir.Float, Value: 1.5}, 1, []*ir.Data{nnI(ir.Int64, []int{2}, 2, 3)})
	nnClose(t, out[0], []int{2, 3}, []float64{1.5, 1.5, 1.5, 1.5, 1.5, 1.5})
	out = nnMust(t, &ir.FillParams{Op: ir.FillConstant, Type: ir.Int32, Value: 7}, 1, []*ir.Data{nnI(ir.Int64, []int{2}, 2, 1)}, 0)
	require.Equal(t, []int64{7, 7}, out[0].I)
	out = nnMust(t, &ir.FillParams{Op: ir.FillConstant, Type: ir.Float}, 1, []*ir.Data{nnI(ir.Int64, []int{0})})
	require.Equal(t, []int{}, out[0].Dims)
	require.Equal(t, 1, out[0].Len())
	out = nnMust(t, &ir.FillParams{Op: ir.FillConstant, Type: ir.Float}, 1, []*ir.Data{nnI(ir.Int64, []int{2}, 3, 0)})
	require.Equal(t, 0, out[0].Len())
	_, err := nnRun(t, &ir.FillParams{Op: ir.FillConstant, Type: ir.Float}, 1, []*ir.Data{nnI(ir.Int64, []int{1}, -2)})
	require.Error(t, err)

	for _, tc := range []struct {
		s, l, d float64
		want    []float64
		t       ir.DataType
	}{
		{3, 9, 3, []float64{3, 6}, ir.Float},
		{10, 4, -3, []float64{10, 7}, ir.Int32},
		{1, 1, 1, []float64{}, ir.Int64},
		{0, 1, 0.25, []float64{0, 0.25, 0.5, 0.75}, ir.Float},
		{5, 1, 2, []float64{}, ir.Float},
		{-1, 2, 1, []float64{-1, 0, 1}, ir.Int64},
		{0, 1, 0.1, []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, ir.Float}, // 10 as in ONNX Runtime
		{1, 2.2, 0.4, []float64{1, 1.4, 1.8, 2.2}, ir.Float},                             // float32 2.2-1 > 1.2
	} {
		mk := func(v float64) *ir.Data {
			if ir.IsIntLike(tc.t) {
				return nnI(tc.t, []int{}, int64(v))
			}
			return nnF([]int{}, float32(v))
		}
		in := []*ir.Data{mk(tc.s), mk(tc.l), mk(tc.d)}
		out := nnMust(t, &ir.FillParams{Op: ir.FillRange}, 1, in)
		nnClose(t, out[0], []int{len(tc.want)}, tc.want)
		require.Equal(t, tc.t, out[0].Type)
		out = nnMust(t, &ir.FillParams{Op: ir.FillRange}, 1, in, 0, 1, 2) // folded at inference
		nnClose(t, out[0], []int{len(tc.want)}, tc.want)
	}
	_, err = nnRun(t, &ir.FillParams{Op: ir.FillRange}, 1, []*ir.Data{nnF([]int{}, 0), nnF([]int{}, 1), nnF([]int{}, 0)})
	require.Error(t, err)
	_, err = nnRun(t, &ir.FillParams{Op: ir.FillRange}, 1, []*ir.Data{nnF([]int{}, 0), nnF([]int{}, float32(math.Inf(1))), nnF([]int{}, 1)})
	require.Error(t, err)

	out = nnMust(t, &ir.FillParams{Op: ir.FillEyeLike, Type: ir.Float, K: 1}, 1, []*ir.Data{nnI(ir.Int32, []int{3, 4}, make([]int64, 12)...)})
	nnClose(t, out[0], []int{3, 4}, []float64{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	out = nnMust(t, &ir.FillParams{Op: ir.FillEyeLike, Type: ir.Int64, K: -2}, 1, []*ir.Data{nnRand(rand.New(rand.NewPCG(1, 1)), 3, 2)})
	require.Equal(t, []int64{0, 0, 0, 0, 1, 0}, out[0].I)
}

// ---- ONNX backend test data ----------------------------------------------------------

const nnONNXNodeDir = "/usr/include/onnx/backend/test/data/node"

// nnReadTensor decodes an ONNX TensorProto (dims, data_type, float_data,
// int32_data, int64_data, double_data, raw_data) into Data.
func nnReadTensor(b []byte) (*ir.Data, error) {
	var dims []int
	var dt int64
	var fl []float32
	var i32, i64 []int64
	var dbl []float64
	var raw []byte
	hasRaw := false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		// Packed repeated scalars arrive as bytes; single values as their wire type.
		switch {
		case typ == protowire.BytesType && (num == 1 || num == 4 || num == 5 || num == 7 || num == 10):
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			b = b[n:]
			for len(v) > 0 {
				switch num {
				case 4:
					x, m := protowire.ConsumeFixed32(v)
					if m < 0 {
						return nil, protowire.ParseError(m)
					}
					fl, v = append(fl, math.Float32frombits(x)), v[m:]
				case 10:
					x, m := protowire.ConsumeFixed64(v)
					if m < 0 {
						return nil, protowire.ParseError(m)
					}
					dbl, v = append(dbl, math.Float64frombits(x)), v[m:]
				default:
					x, m := protowire.ConsumeVarint(v)
					if m < 0 {
						return nil, protowire.ParseError(m)
					}
					v = v[m:]
					switch num {
					case 1:
						dims = append(dims, int(int64(x)))
					case 5:
						i32 = append(i32, int64(int32(x)))
					case 7:
						i64 = append(i64, int64(x))
					}
				}
			}
		case typ == protowire.BytesType && num == 9:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			raw, hasRaw, b = v, true, b[n:]
		case typ == protowire.VarintType:
			x, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			b = b[n:]
			switch num {
			case 1:
				dims = append(dims, int(int64(x)))
			case 2:
				dt = int64(x)
			case 5:
				i32 = append(i32, int64(int32(x)))
			case 7:
				i64 = append(i64, int64(x))
			}
		case typ == protowire.Fixed32Type && num == 4:
			x, n := protowire.ConsumeFixed32(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			fl, b = append(fl, math.Float32frombits(x)), b[n:]
		case typ == protowire.Fixed64Type && num == 10:
			x, n := protowire.ConsumeFixed64(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			dbl, b = append(dbl, math.Float64frombits(x)), b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			b = b[n:]
		}
	}
	if dims == nil {
		dims = []int{}
	}
	cnt := ir.Volume(dims)
	types := map[int64]ir.DataType{1: ir.Float, 2: ir.UInt8, 3: ir.Int8, 6: ir.Int32, 7: ir.Int64, 9: ir.Bool, 11: ir.Double}
	t, ok := types[dt]
	if !ok {
		return nil, fmt.Errorf("tensor data type %d is not supported here", dt)
	}
	d := ir.NewData(t, dims)
	if hasRaw {
		le := func(o, sz int) uint64 {
			var v uint64
			for k := sz - 1; k >= 0; k-- {
				v = v<<8 | uint64(raw[o+k])
			}
			return v
		}
		size := map[ir.DataType]int{ir.Float: 4, ir.UInt8: 1, ir.Int8: 1, ir.Int32: 4, ir.Int64: 8, ir.Bool: 1, ir.Double: 8}[t]
		if len(raw) != cnt*size {
			return nil, fmt.Errorf("raw data has %d bytes for %d values of %v", len(raw), cnt, t)
		}
		for i := 0; i < cnt; i++ {
			v := le(i*size, size)
			switch t {
			case ir.Float:
				d.F[i] = math.Float32frombits(uint32(v))
			case ir.Double:
				d.F[i] = float32(math.Float64frombits(v))
			case ir.Int8:
				d.I[i] = int64(int8(v))
			case ir.Int32:
				d.I[i] = int64(int32(v))
			default:
				d.I[i] = int64(v)
			}
		}
		return d, nil
	}
	switch {
	case t == ir.Float && len(fl) == cnt:
		copy(d.F, fl)
	case t == ir.Double && len(dbl) == cnt:
		for i, v := range dbl {
			d.F[i] = float32(v)
		}
	case t == ir.Int64 && len(i64) == cnt:
		copy(d.I, i64)
	case ir.IsIntLike(t) && len(i32) == cnt:
		copy(d.I, i32)
	default:
		return nil, fmt.Errorf("tensor %v%v has no matching data", t, dims)
	}
	return d, nil
}

type nnONNXCase struct {
	name   string
	p      ir.Params
	nout   int
	outs   []int // node output of each expected output file
	consts []int
	ins    []int  // node input i takes file input ins[i] (-1: absent); nil: in order
	unsup  string // expected to fail: why
}

func nnONNXCases() []nnONNXCase {
	var cs []nnONNXCase
	add := func(name string, p ir.Params, nout int, outs []int, consts ...int) {
		cs = append(cs, nnONNXCase{name: name, p: p, nout: nout, outs: outs, consts: consts})
	}
	one := []int{0}
	// ArgMax / ArgMin (opset 13).
	for _, op := range []string{"argmax", "argmin"} {
		for _, v := range []struct {
			suffix string
			axis   int
			keep   bool
		}{{"default_axis_example", 0, true}, {"default_axis_random", 0, true}, {"keepdims_example", 1, true},
			{"keepdims_random", 1, true}, {"negative_axis_keepdims_example", -1, true}, {"negative_axis_keepdims_random", -1, true},
			{"no_keepdims_example", 1, false}, {"no_keepdims_random", 1, false}} {
			for _, last := range []bool{false, true} {
				n := "test_" + op + "_" + v.suffix
				if last {
					n += "_select_last_index"
				}
				add(n, &ir.ArgMinMaxParams{Max: op == "argmax", Axis: v.axis, KeepDims: v.keep, SelectLastIndex: last}, 1, one)
			}
		}
	}
	add("test_batchnorm_epsilon", &ir.NormParams{Kind: ir.NormBatch, Epsilon: 0.01}, 1, one)
	add("test_batchnorm_example", &ir.NormParams{Kind: ir.NormBatch, Epsilon: 1e-5}, 1, one)
	cs = append(cs, nnONNXCase{name: "test_batchnorm_epsilon_training_mode", p: &ir.NormParams{Kind: ir.NormBatch, Epsilon: 0.01}, nout: 3, outs: []int{0, 1, 2}, unsup: "training mode"},
		nnONNXCase{name: "test_batchnorm_example_training_mode", p: &ir.NormParams{Kind: ir.NormBatch, Epsilon: 1e-5}, nout: 3, outs: []int{0, 1, 2}, unsup: "training mode"})
	add("test_constantofshape_float_ones", &ir.FillParams{Op: ir.FillConstant, Type: ir.Float, Value: 1}, 1, one, 0)
	add("test_constantofshape_int_shape_zero", &ir.FillParams{Op: ir.FillConstant, Type: ir.Int32, Value: 0}, 1, one)
	add("test_constantofshape_int_zeros", &ir.FillParams{Op: ir.FillConstant, Type: ir.Int32, Value: 0}, 1, one, 0)
	for _, v := range []struct {
		n         string
		excl, rev bool
		axisConst bool // axis known at build time (else only at run time)
	}{{"1d", false, false, false}, {"1d_exclusive", true, false, true}, {"1d_reverse", false, true, false},
		{"1d_reverse_exclusive", true, true, false}, {"2d_axis_0", false, false, true}, {"2d_axis_1", false, false, false},
		{"2d_negative_axis", false, false, true}} {
		var consts []int
		if v.axisConst {
			consts = []int{1}
		}
		add("test_cumsum_"+v.n, &ir.CumulativeParams{Exclusive: v.excl, Reverse: v.rev}, 1, one, consts...)
	}
	for n, eq := range map[string]string{"batch_diagonal": "...ii ->...i", "batch_matmul": "bij, bjk -> bik", "inner_prod": "i,i", "sum": "ij->i", "transpose": "ij->ji"} {
		add("test_einsum_"+n, &ir.EinsumParams{Equation: eq}, 1, one)
	}
	add("test_eyelike_populate_off_main_diagonal", &ir.FillParams{Op: ir.FillEyeLike, Type: ir.Float, K: 1}, 1, one)
	add("test_eyelike_with_dtype", &ir.FillParams{Op: ir.FillEyeLike, Type: ir.Double}, 1, one)
	add("test_eyelike_without_dtype", &ir.FillParams{Op: ir.FillEyeLike, Type: ir.Int32}, 1, one)
	gru := func(h, layout int) *ir.RNNParams {
		return &ir.RNNParams{Mode: ir.RNNGRU, HiddenSize: h, Direction: "forward", Layout: layout}
	}
	add("test_gru_batchwise", gru(6, 1), 2, []int{0, 1})
	add("test_gru_defaults", gru(5, 0), 2, []int{1})
	add("test_gru_seq_length", gru(5, 0), 2, []int{1})
	add("test_gru_with_initial_bias", gru(3, 0), 2, []int{1})
	add("test_instancenorm_epsilon", &ir.NormParams{Kind: ir.NormInstance, Epsilon: 0.01}, 1, one)
	add("test_instancenorm_example", &ir.NormParams{Kind: ir.NormInstance, Epsilon: 1e-5}, 1, one)
	for _, v := range []struct {
		n    string
		axis int
		eps  float32
	}{{"2d_axis0", 0, 1e-5}, {"2d_axis1", 1, 1e-5}, {"2d_axis_negative_1", -1, 1e-5}, {"2d_axis_negative_2", -2, 1e-5},
		{"3d_axis0_epsilon", 0, 0.1}, {"3d_axis1_epsilon", 1, 0.1}, {"3d_axis2_epsilon", 2, 0.1},
		{"3d_axis_negative_1_epsilon", -1, 0.1}, {"3d_axis_negative_2_epsilon", -2, 0.1}, {"3d_axis_negative_3_epsilon", -3, 0.1},
		{"4d_axis0", 0, 1e-5}, {"4d_axis1", 1, 1e-5}, {"4d_axis2", 2, 1e-5}, {"4d_axis3", 3, 1e-5},
		{"4d_axis_negative_1", -1, 1e-5}, {"4d_axis_negative_2", -2, 1e-5}, {"4d_axis_negative_3", -3, 1e-5},
		{"4d_axis_negative_4", -4, 1e-5}, {"default_axis", -1, 1e-5}} {
		add("test_layer_normalization_"+v.n, &ir.NormParams{Kind: ir.NormLayer, Axis: v.axis, Epsilon: v.eps}, 3, []int{0, 1, 2})
	}
	add("test_lrn", &ir.NormParams{Kind: ir.NormLRN, Size: 3, Alpha: 0.0002, Beta: 0.5, Bias: 2}, 1, one)
	add("test_lrn_default", &ir.NormParams{Kind: ir.NormLRN, Size: 3, Alpha: 0.0001, Beta: 0.75, Bias: 1}, 1, one)
	lstm := func(h, layout int) *ir.RNNParams {
		return &ir.RNNParams{Mode: ir.RNNLSTM, HiddenSize: h, Direction: "forward", Layout: layout}
	}
	add("test_lstm_batchwise", lstm(7, 1), 3, []int{0, 1})
	add("test_lstm_defaults", lstm(3, 0), 3, []int{1})
	add("test_lstm_with_initial_bias", lstm(4, 0), 3, []int{1})
	add("test_lstm_with_peepholes", lstm(3, 0), 3, []int{1})
	add("test_mvn", &ir.NormParams{Kind: ir.NormMeanVariance}, 1, one)
	add("test_nonzero_example", &ir.NonZeroParams{}, 1, one)
	add("test_onehot_negative_indices", &ir.OneHotParams{Axis: 1}, 1, one, 1)
	add("test_onehot_with_axis", &ir.OneHotParams{Axis: 1}, 1, one, 1)
	add("test_onehot_with_negative_axis", &ir.OneHotParams{Axis: -2}, 1, one)
	add("test_onehot_without_axis", &ir.OneHotParams{Axis: -1}, 1, one, 1)
	add("test_range_float_type_positive_delta", &ir.FillParams{Op: ir.FillRange}, 1, one)
	add("test_range_int32_type_negative_delta", &ir.FillParams{Op: ir.FillRange}, 1, one, 0, 1, 2)
	rnn := func(h, layout int) *ir.RNNParams {
		return &ir.RNNParams{Mode: ir.RNNRelu, HiddenSize: h, Direction: "forward", Layout: layout}
	}
	add("test_rnn_seq_length", rnn(5, 0), 2, []int{1})
	add("test_simple_rnn_batchwise", rnn(4, 1), 2, []int{0, 1})
	add("test_simple_rnn_defaults", rnn(4, 0), 2, []int{1})
	add("test_simple_rnn_with_initial_bias", rnn(5, 0), 2, []int{1})
	add("test_top_k", &ir.TopKParams{Axis: 1, Largest: true, Sorted: true}, 2, []int{0, 1}, 1)
	add("test_top_k_negative_axis", &ir.TopKParams{Axis: -1, Largest: true, Sorted: true}, 2, []int{0, 1})
	add("test_top_k_smallest", &ir.TopKParams{Axis: 1, Largest: false, Sorted: true}, 2, []int{0, 1}, 1)
	for _, n := range []string{"", "_neg", "_one_row_neg", "_out_neg", "_out_pos", "_pos", "_square", "_square_neg", "_zero"} {
		add("test_tril"+n, &ir.TriluParams{Upper: false}, 1, one)
	}
	for _, n := range []string{"", "_neg", "_one_row", "_out_neg_out", "_out_pos", "_pos", "_square", "_square_neg", "_zero"} {
		add("test_triu"+n, &ir.TriluParams{Upper: true}, 1, one, 1)
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].name < cs[b].name })
	return cs
}

func nnLoadPB(t *testing.T, dir, prefix string) []*ir.Data {
	var out []*ir.Data
	for i := 0; ; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s_%d.pb", prefix, i)))
		if os.IsNotExist(err) {
			return out
		}
		require.NoError(t, err)
		d, err := nnReadTensor(b)
		require.NoError(t, err, "%s/%s_%d.pb", dir, prefix, i)
		out = append(out, d)
	}
}

func TestNNONNXBackend(t *testing.T) {
	if _, err := os.Stat(nnONNXNodeDir); err != nil {
		t.Skipf("ONNX backend test data not found at %s", nnONNXNodeDir)
	}
	nnCheckONNXDirs(t, nnONNXNodeDir, nnONNXCases())
}

// nnCheckONNXDirs runs every case against root/<name>/test_data_set_*.
func nnCheckONNXDirs(t *testing.T, root string, cases []nnONNXCase) {
	passed, failed, unsupported := 0, 0, 0
	for _, tc := range cases {
		sets, _ := filepath.Glob(filepath.Join(root, tc.name, "test_data_set_*"))
		if len(sets) == 0 {
			t.Errorf("%s: no test data", tc.name)
			continue
		}
		ok := t.Run(tc.name, func(t *testing.T) {
			for _, set := range sets {
				in := nnLoadPB(t, set, "input")
				want := nnLoadPB(t, set, "output")
				require.Len(t, want, len(tc.outs))
				if len(tc.ins) > 0 {
					m := make([]*ir.Data, len(tc.ins))
					for i, j := range tc.ins {
						if j >= 0 {
							m[i] = in[j]
						}
					}
					in = m
				}
				out, err := nnRun(t, tc.p, tc.nout, in, tc.consts...)
				if tc.unsup != "" {
					require.Error(t, err, "expected unsupported: %s", tc.unsup)
					t.Logf("unsupported (%s): %v", tc.unsup, err)
					return
				}
				require.NoError(t, err)
				for i, w := range want {
					got := out[tc.outs[i]]
					if ir.IsIntLike(w.Type) {
						require.Equal(t, w.Dims, got.Dims, "output %d dims", i)
						require.Equal(t, w.I, got.I, "output %d", i)
						continue
					}
					require.NoError(t, nnCloseErr(got, w.Dims, nnF64(w)), "output %d", i)
				}
			}
		})
		switch {
		case !ok:
			failed++
		case tc.unsup != "":
			unsupported++
		default:
			passed++
		}
	}
	t.Logf("%s: %d passed, %d failed, %d unsupported (expected errors)", root, passed, failed, unsupported)
}

// TestNNORTData compares with ONNX Runtime outputs saved in the ONNX backend
// test layout under $GOTRT_NN_ORT_DIR (cases on the semantics the ONNX test
// data leaves open: NaN ordering, zero-length sequences, clip, activation
// arguments, group normalization, float one-hot indices).
func TestNNORTData(t *testing.T) {
	root := os.Getenv("GOTRT_NN_ORT_DIR")
	if root == "" {
		t.Skip("GOTRT_NN_ORT_DIR is not set")
	}
	lstm := func(h int, dir string) *ir.RNNParams {
		return &ir.RNNParams{Mode: ir.RNNLSTM, HiddenSize: h, Direction: dir}
	}
	cases := []nnONNXCase{
		{name: "ort_lstm_bidi_lens", p: lstm(3, "bidirectional"), nout: 3, outs: []int{0, 1, 2}},
		{name: "ort_lstm_clip_forget", p: &ir.RNNParams{Mode: ir.RNNLSTM, HiddenSize: 3, Direction: "forward", Clip: 0.5, InputForget: true}, nout: 3, outs: []int{0, 1, 2}},
		{name: "ort_lstm_len0", p: lstm(3, "forward"), nout: 3, outs: []int{0, 1, 2}},
		{name: "ort_lstm_acts", p: &ir.RNNParams{Mode: ir.RNNLSTM, HiddenSize: 3, Direction: "forward", Activations: []string{"HardSigmoid", "LeakyRelu", "Softplus"}, ActivationAlpha: []float32{0.3, 0.05}, ActivationBeta: []float32{0.4}}, nout: 3, outs: []int{0, 1, 2}},
		{name: "ort_gru_bidi_lens", p: &ir.RNNParams{Mode: ir.RNNGRU, HiddenSize: 3, Direction: "bidirectional"}, nout: 2, outs: []int{0, 1}},
		{name: "ort_gru_lbr_rev_clip", p: &ir.RNNParams{Mode: ir.RNNGRU, HiddenSize: 3, Direction: "reverse", LinearBeforeReset: true, Clip: 0.8}, nout: 2, outs: []int{0, 1}},
		{name: "ort_rnn_acts_bidi", p: &ir.RNNParams{Mode: ir.RNNRelu, HiddenSize: 3, Direction: "bidirectional", Activations: []string{"LeakyRelu", "HardSigmoid"}, ActivationAlpha: []float32{0.3, 0.25}, ActivationBeta: []float32{0.6}}, nout: 2, outs: []int{0, 1}},
		{name: "ort_rnn_affine_clip", p: &ir.RNNParams{Mode: ir.RNNRelu, HiddenSize: 3, Direction: "forward", Activations: []string{"Affine"}, ActivationAlpha: []float32{0.5}, ActivationBeta: []float32{0.2}, Clip: 0.3}, nout: 2, outs: []int{0, 1}},
		{name: "ort_argmax_nan_last0", p: &ir.ArgMinMaxParams{Max: true, Axis: 1}, nout: 1, outs: []int{0}},
		{name: "ort_argmax_nan_last1", p: &ir.ArgMinMaxParams{Max: true, Axis: 1, SelectLastIndex: true}, nout: 1, outs: []int{0}},
		{name: "ort_argmin_nan_last0", p: &ir.ArgMinMaxParams{Max: false, Axis: 1}, nout: 1, outs: []int{0}},
		{name: "ort_argmin_nan_last1", p: &ir.ArgMinMaxParams{Max: false, Axis: 1, SelectLastIndex: true}, nout: 1, outs: []int{0}},
		{name: "ort_groupnorm18", p: &ir.NormParams{Kind: ir.NormGroup, Groups: 3, Epsilon: 1e-3, GroupScalePerGroup: true}, nout: 1, outs: []int{0}},
		{name: "ort_groupnorm21", p: &ir.NormParams{Kind: ir.NormGroup, Groups: 3, Epsilon: 1e-3}, nout: 1, outs: []int{0}},
		{name: "ort_einsum_ell_implicit", p: &ir.EinsumParams{Equation: "...j,j..."}, nout: 1, outs: []int{0}},
		{name: "ort_einsum_three", p: &ir.EinsumParams{Equation: "bn,anm,bm->ba"}, nout: 1, outs: []int{0}},
		{name: "ort_einsum_trace_sum", p: &ir.EinsumParams{Equation: "iij->"}, nout: 1, outs: []int{0}},
		{name: "ort_nonzero_scalar", p: &ir.NonZeroParams{}, nout: 1, outs: []int{0}},
		{name: "ort_range_float_tenth", p: &ir.FillParams{Op: ir.FillRange}, nout: 1, outs: []int{0}, consts: []int{0, 1, 2}},
		{name: "ort_range_float_odd", p: &ir.FillParams{Op: ir.FillRange}, nout: 1, outs: []int{0}},
		{name: "ort_mvn_axes1", p: &ir.NormParams{Kind: ir.NormMeanVariance, Axes: []int{1}}, nout: 1, outs: []int{0}},
		{name: "ort_onehot_float_idx", p: &ir.OneHotParams{Axis: -1}, nout: 1, outs: []int{0}, consts: []int{1}},
		{name: "ort_lpnorm_p1", p: &ir.NormParams{Kind: ir.NormLp, P: 1, Axis: 1}, nout: 1, outs: []int{0}},
		{name: "ort_layernorm_stats", p: &ir.NormParams{Kind: ir.NormLayer, Axis: -1, Epsilon: 1e-5}, nout: 3, outs: []int{0, 1, 2}},
	}
	nnCheckONNXDirs(t, root, cases)
}

// TestNNParallel runs shapes large enough for the kernels to split their work.
func TestNNParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, tc := range []struct {
		name string
		p    *ir.NormParams
		in   []*ir.Data
	}{
		{"layer", &ir.NormParams{Kind: ir.NormLayer, Axis: -1, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 96, 64), nnRand(rng, 64), nnRand(rng, 64)}},
		{"instance", &ir.NormParams{Kind: ir.NormInstance, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 2, 24, 8, 8), nnRand(rng, 24), nnRand(rng, 24)}},
		{"group", &ir.NormParams{Kind: ir.NormGroup, Groups: 4, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 4, 16, 8, 8), nnRand(rng, 16), nnRand(rng, 16)}},
		{"batch", &ir.NormParams{Kind: ir.NormBatch, Epsilon: 1e-5}, []*ir.Data{nnRand(rng, 8, 16, 8, 16), nnRand(rng, 16), nnRand(rng, 16), nnRand(rng, 16), nnRand(rng, 16)}},
		{"lrn", &ir.NormParams{Kind: ir.NormLRN, Size: 5, Alpha: 1e-3, Beta: 0.75, Bias: 1}, []*ir.Data{nnRand(rng, 2, 32, 8, 8)}},
		{"lp", &ir.NormParams{Kind: ir.NormLp, P: 2, Axis: 1}, []*ir.Data{nnRand(rng, 64, 8, 32)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.p.Kind == ir.NormBatch {
				for i := range tc.in[4].F {
					tc.in[4].F[i] = float32(math.Abs(float64(tc.in[4].F[i])))
				}
			}
			out := nnMust(t, tc.p, 1, tc.in)
			nnClose(t, out[0], tc.in[0].Dims, refNorm(tc.p, tc.in))
		})
	}
	t.Run("topk", func(t *testing.T) {
		x := nnRand(rng, 200, 40)
		out := nnMust(t, &ir.TopKParams{K: 5, Axis: 1, Largest: true, Sorted: true}, 2, []*ir.Data{x})
		vals, idx := refTopK(nnF64(x), x.Dims, 1, 5, true)
		nnClose(t, out[0], nil, vals)
		require.Equal(t, idx, out[1].I)
	})
	t.Run("einsum", func(t *testing.T) {
		a, b := nnRand(rng, 4, 32, 24), nnRand(rng, 4, 24, 40)
		out := nnMust(t, &ir.EinsumParams{Equation: "bij,bjk->bki"}, 1, []*ir.Data{a, b})
		want, od := refEinsum("bij,bjk->bki", []*ir.Data{a, b})
		nnClose(t, out[0], od, want)
	})
	t.Run("lstm", func(t *testing.T) {
		tc := rnnRefCase{mode: ir.RNNLSTM, dir: "bidirectional", seq: 6, batch: 16, in: 12, hid: 16, bias: true}
		in := []*ir.Data{nnRand(rng, 6, 16, 12), nnRand(rng, 2, 64, 12), nnRand(rng, 2, 64, 16), nnRand(rng, 2, 128)}
		for _, w := range in[1:3] {
			for i := range w.F {
				w.F[i] *= 0.3
			}
		}
		out := nnMust(t, &ir.RNNParams{Mode: ir.RNNLSTM, HiddenSize: 16, Direction: "bidirectional"}, 3, in)
		y, yh, yc := refRNN(tc, in)
		nnClose(t, out[0], nil, y)
		nnClose(t, out[1], nil, yh)
		nnClose(t, out[2], nil, yc)
	})
}

func TestNNIntWrap(t *testing.T) {
	out := nnMust(t, &ir.CumulativeParams{}, 1, []*ir.Data{nnI(ir.Int32, []int{2}, math.MaxInt32, 1), nnI(ir.Int64, []int{}, 0)})
	require.Equal(t, []int64{math.MaxInt32, math.MinInt32}, out[0].I)
	out = nnMust(t, &ir.EinsumParams{Equation: "i,i->"}, 1, []*ir.Data{nnI(ir.Int8, []int{2}, 100, 100), nnI(ir.Int8, []int{2}, 1, 1)})
	require.Equal(t, []int64{-56}, out[0].I)
}

// TestNNInferUnknown checks inference where dims or values are known only at run time.
func TestNNInferUnknown(t *testing.T) {
	infer := func(p ir.Params, nout int, ins ...*ir.Info) ([][]int, error) {
		g := &ir.Graph{}
		ts := make([]*ir.Tensor, len(ins))
		for i, x := range ins {
			if x != nil {
				ts[i] = g.AddInput(fmt.Sprintf("in%d", i), x.Type, x.Dims)
				ts[i].Const = x.Value
			}
		}
		n := g.AddNode("n", p, ts, nout)
		if err := ir.InferNode(n); err != nil {
			return nil, err
		}
		var out [][]int
		for _, o := range n.Outputs {
			out = append(out, o.Dims)
		}
		return out, nil
	}
	f := func(dims ...int) *ir.Info { return &ir.Info{Type: ir.Float, Dims: dims} }
	for _, tc := range []struct {
		name string
		p    ir.Params
		nout int
		in   []*ir.Info
		want [][]int
	}{
		{"einsum", &ir.EinsumParams{Equation: "bij,bjk->bik"}, 1, []*ir.Info{f(-1, 3, 4), f(2, 4, -1)}, [][]int{{2, 3, -1}}},
		{"einsum-bcast", &ir.EinsumParams{Equation: "...ij,...jk"}, 1, []*ir.Info{f(1, 3, 4), f(-1, 4, 2)}, [][]int{{-1, 3, 2}}},
		{"einsum-bcast1", &ir.EinsumParams{Equation: "i,i->i"}, 1, []*ir.Info{f(1), f(-1)}, [][]int{{-1}}},
		{"lstm", &ir.RNNParams{Mode: ir.RNNLSTM, HiddenSize: 5, Direction: "forward"}, 3, []*ir.Info{f(-1, 2, 3), f(1, 20, 3), f(1, 20, 5)}, [][]int{{-1, 1, 2, 5}, {1, 2, 5}, {1, 2, 5}}},
		{"gru-layout1", &ir.RNNParams{Mode: ir.RNNGRU, Direction: "bidirectional", Layout: 1}, 2, []*ir.Info{f(4, -1, 3), f(2, 15, 3), f(2, 15, 5)}, [][]int{{4, -1, 2, 5}, {4, 2, 5}}},
		{"topk", &ir.TopKParams{Axis: 1, Largest: true}, 2, []*ir.Info{f(3, 7), {Type: ir.Int64, Dims: []int{1}}}, [][]int{{3, -1}, {3, -1}}},
		{"range", &ir.FillParams{Op: ir.FillRange}, 1, []*ir.Info{f(), f(), f()}, [][]int{{-1}}},
		{"nonzero", &ir.NonZeroParams{}, 1, []*ir.Info{f(2, 3)}, [][]int{{2, -1}}},
		{"layernorm-stats", &ir.NormParams{Kind: ir.NormLayer, Axis: -2}, 3, []*ir.Info{f(2, -1, 4), f(4)}, [][]int{{2, -1, 4}, {2, 1, 1}, {2, 1, 1}}},
		{"onehot", &ir.OneHotParams{Axis: 0}, 1, []*ir.Info{{Type: ir.Int64, Dims: []int{3}}, {Type: ir.Int64, Dims: []int{}}, f(2)}, [][]int{{-1, 3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := infer(tc.p, tc.nout, tc.in...)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, err := infer(&ir.RNNParams{Mode: ir.RNNLSTM, HiddenSize: 5}, 2, f(2, 2, 3), f(1, 20, 3), f(1, 20, 4))
	require.Error(t, err, "hidden size vs R")
	_, err = infer(&ir.RNNParams{Mode: ir.RNNGRU, HiddenSize: 5}, 3, f(2, 2, 3), f(1, 15, 3), f(1, 15, 5))
	require.Error(t, err, "GRU has no Y_c")
}

func TestNNHugeOutputs(t *testing.T) {
	_, err := nnRun(t, &ir.FillParams{Op: ir.FillConstant, Type: ir.Float}, 1, []*ir.Data{nnI(ir.Int64, []int{3}, math.MaxInt32, math.MaxInt32, math.MaxInt32)})
	require.Error(t, err)
	_, err = nnRun(t, &ir.FillParams{Op: ir.FillRange}, 1, []*ir.Data{nnF([]int{}, 0), nnF([]int{}, 1e30), nnF([]int{}, 1)})
	require.Error(t, err)
	_, err = nnRun(t, &ir.OneHotParams{Axis: -1}, 1, []*ir.Data{nnI(ir.Int64, []int{4}, 0, 1, 2, 3), nnI(ir.Int64, []int{}, math.MaxInt32), nnF([]int{2}, 0, 1)})
	require.Error(t, err)
	out := nnMust(t, &ir.FillParams{Op: ir.FillConstant, Type: ir.Float}, 1, []*ir.Data{nnI(ir.Int64, []int{3}, math.MaxInt32, 0, math.MaxInt32)})
	require.Equal(t, 0, out[0].Len())
}
