package trt_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/stretchr/testify/require"
)

var bg = context.Background()

// mlp builds x[2,3] -> fc (matmul) -> bias (add) -> relu -> softmax, with a
// bias large enough to overflow FP16 after squaring in "sq".
func mlp(t *testing.T) (*trt.Network, map[string]trt.Layer) {
	t.Helper()
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{2, 3})
	w := net.AddConstant(trt.Dims{3, 4}, trt.FloatWeights([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
	fc := net.AddMatrixMultiply(x, trt.MatrixOpNone, w.Output(0), trt.MatrixOpNone)
	fc.SetName("fc")
	b := net.AddConstant(trt.Dims{1, 4}, trt.FloatWeights([]float32{300, 0, -1, 1}))
	add := net.AddElementWise(fc.Output(0), b.Output(0), trt.ElementWiseSum)
	add.SetName("bias")
	relu := net.AddActivation(add.Output(0), trt.ActivationRelu)
	relu.SetName("relu")
	sq := net.AddElementWise(relu.Output(0), relu.Output(0), trt.ElementWiseProd)
	sq.SetName("sq")
	sm := net.AddSoftMax(relu.Output(0), -1)
	sm.SetName("softmax")
	sm.Output(0).SetName("probs")
	sq.Output(0).SetName("squares")
	net.MarkOutput(sm.Output(0))
	net.MarkOutput(sq.Output(0))
	require.NoError(t, net.Err())
	return net, map[string]trt.Layer{"fc": fc, "bias": add, "relu": relu, "sq": sq, "softmax": sm}
}

var mlpInput = map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}}

func build(t *testing.T, net *trt.Network, cfg *trt.BuilderConfig) *trt.Engine {
	t.Helper()
	e, err := trt.NewBuilder(nil).Build(bg, net, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

func run(t *testing.T, e *trt.Engine, in map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	t.Helper()
	c, err := e.CreateExecutionContext()
	require.NoError(t, err)
	defer c.Close()
	out, err := c.Run(bg, in)
	require.NoError(t, err)
	return out
}

func TestFP32MatchesHandComputation(t *testing.T) {
	net, _ := mlp(t)
	cfg := trt.NewBuilderConfig()
	cfg.ClearFlag(trt.FlagTF32)
	out := run(t, build(t, net, cfg), mlpInput)
	sq := out["squares"].Data.([]float32)
	// row 0: x=[1,2,3] @ W = [38, 44, 50, 56] + bias [300,0,-1,1] = [338, 44, 49, 57]
	want := []float64{338, 44, 49, 57}
	for i, v := range want {
		require.InDelta(t, v*v, float64(sq[i]), 1e-3)
	}
	p := out["probs"].Data.([]float32)
	require.InDelta(t, 1.0, float64(p[0]), 1e-6)
}

func TestFP16OverflowsAndPinningFixesIt(t *testing.T) {
	net, layers := mlp(t)
	cfg := trt.NewBuilderConfig()
	cfg.SetFlag(trt.FlagFP16)
	e := build(t, net, cfg)
	prec := e.LayerPrecisions()
	for _, n := range []string{"fc", "bias", "relu", "sq", "softmax"} {
		require.Equal(t, "FP16", prec[n], "layer %s", n)
	}
	out := run(t, e, mlpInput)
	sq := out["squares"].Data.([]float32)
	require.True(t, math.IsInf(float64(sq[4]), 1), "338^2 and 458^2 overflow FP16: got %v", sq)
	require.Equal(t, tensor.Float, out["squares"].Type, "network outputs keep their declared FP32 type")

	layers["sq"].SetPrecision(trt.Float)
	layers["sq"].SetOutputType(0, trt.Float)
	cfg.SetPrecisionConstraints(trt.ConstraintsObey)
	e2 := build(t, net, cfg)
	require.Equal(t, "FP32", e2.LayerPrecisions()["sq"])
	out2 := run(t, e2, mlpInput)
	for _, v := range out2["squares"].Data.([]float32) {
		require.False(t, math.IsInf(float64(v), 0))
	}
	// The inspector shows the conversion into the pinned layer.
	var buf bytes.Buffer
	e2.CreateEngineInspector().WriteText(&buf)
	require.Contains(t, buf.String(), "Reformatting CopyNode for Input Tensor 0 to sq")
	require.Contains(t, buf.String(), "requested=FP32")
}

func TestConstraintModes(t *testing.T) {
	net, layers := mlp(t)
	// A Shape layer has no float data: FP16 cannot apply to it.
	shp := net.AddShape(net.Input(0))
	shp.SetName("shape_of_x")
	net.MarkOutput(shp.Output(0))
	shp.SetPrecision(trt.Half)
	layers["sq"].SetPrecision(trt.Float)

	cfg := trt.NewBuilderConfig()
	cfg.SetFlag(trt.FlagFP16)

	// none: settings are ignored with a warning.
	e := build(t, net, cfg)
	require.Equal(t, "FP16", e.LayerPrecisions()["sq"])
	require.NotEmpty(t, e.Warnings())
	require.Contains(t, strings.Join(e.Warnings(), "\n"), "precision constraints are none")

	// prefer: honoured where possible, fallback warned naming the layer.
	cfg.SetPrecisionConstraints(trt.ConstraintsPrefer)
	e = build(t, net, cfg)
	require.Equal(t, "FP32", e.LayerPrecisions()["sq"])
	require.Contains(t, strings.Join(e.Warnings(), "\n"), `"shape_of_x"`)

	// obey: the build fails naming the layer.
	cfg.SetPrecisionConstraints(trt.ConstraintsObey)
	_, err := trt.NewBuilder(nil).Build(bg, net, cfg)
	require.ErrorIs(t, err, trt.ErrPrecision)
	require.Contains(t, err.Error(), `"shape_of_x"`)
}

func TestOutputTypeHonoured(t *testing.T) {
	net, layers := mlp(t)
	layers["fc"].SetOutputType(0, trt.Half)
	cfg := trt.NewBuilderConfig()
	cfg.ClearFlag(trt.FlagTF32)
	cfg.SetPrecisionConstraints(trt.ConstraintsObey)
	e := build(t, net, cfg)
	info := e.CreateEngineInspector().Info()
	var found bool
	for _, l := range info.Layers {
		if l.Name == "fc" {
			found = true
			require.Equal(t, "FP32", l.Precision)
			require.Equal(t, "FP16", l.Outputs[0].Type)
		}
	}
	require.True(t, found)
	// 338 is exact in FP16 but fc outputs such as 38+... are rounded: compare with FP32 rounding.
	out := run(t, e, map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{2, 3}, Data: []float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}}})
	sq := out["squares"].Data.([]float32)
	fc0 := float32(0.1*1 + 0.2*5 + 0.3*9)
	r := tensor.RoundHalf(fc0) + 300
	require.InDelta(t, float64(r*r), float64(sq[0]), 1e-2)
	require.NotEqual(t, (fc0+300)*(fc0+300), sq[0], "FP16 output rounding must be visible")
}

func TestBF16AndTF32(t *testing.T) {
	net, _ := mlp(t)
	in := map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{2, 3}, Data: []float32{1.001, 2.002, 3.003, 4, 5, 6}}}
	cfg := trt.NewBuilderConfig()
	cfg.ClearFlag(trt.FlagTF32)
	ref := run(t, build(t, net, cfg), in)["squares"].Data.([]float32)
	cfg.SetFlag(trt.FlagTF32)
	e := build(t, net, cfg)
	require.Equal(t, "TF32", e.LayerPrecisions()["fc"])
	require.Equal(t, "FP32", e.LayerPrecisions()["sq"])
	tf := run(t, e, in)["squares"].Data.([]float32)
	require.NotEqual(t, ref, tf, "TF32 operand rounding changes results")
	require.InEpsilonSlice(t, ref, tf, 1e-2)
	cfg.SetFlag(trt.FlagBF16)
	e = build(t, net, cfg)
	require.Equal(t, "BF16", e.LayerPrecisions()["sq"])
	bf := run(t, e, in)["squares"].Data.([]float32)
	for _, v := range bf {
		require.Equal(t, v, tensor.RoundBF16(v), "BF16 layer outputs are BF16 values")
	}
}

func TestSerializeRoundTrip(t *testing.T) {
	net, layers := mlp(t)
	layers["sq"].SetPrecision(trt.Float)
	cfg := trt.NewBuilderConfig()
	cfg.SetFlag(trt.FlagFP16)
	cfg.SetPrecisionConstraints(trt.ConstraintsObey)
	e := build(t, net, cfg)
	plan, err := e.Serialize()
	require.NoError(t, err)
	e2, err := trt.Deserialize(bg, plan, "", nil)
	require.NoError(t, err)
	defer e2.Close()
	a, b := run(t, e, mlpInput), run(t, e2, mlpInput)
	for k := range a {
		require.Equal(t, a[k].Data, b[k].Data, "output %s is bit-identical", k)
	}
	require.Equal(t, e.LayerPrecisions(), e2.LayerPrecisions())

	// Truncated and corrupted plans are errors, never panics.
	for _, bad := range [][]byte{nil, plan[:10], plan[:len(plan)-1], []byte("not a plan at all, not at all....................................")} {
		_, err := trt.Deserialize(bg, bad, "", nil)
		require.ErrorIs(t, err, trt.ErrBadPlan)
	}
	for _, i := range []int{0, 9, 13, 30, len(plan) / 2, len(plan) - 1} {
		c := append([]byte{}, plan...)
		c[i] ^= 0x5a
		_, err := trt.Deserialize(bg, c, "", nil)
		require.ErrorIs(t, err, trt.ErrBadPlan, "byte %d flipped", i)
	}
}

func FuzzDeserialize(f *testing.F) {
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{2})
	net.MarkOutput(net.AddActivation(x, trt.ActivationRelu).Output(0))
	e, err := trt.NewBuilder(nil).Build(bg, net, nil)
	if err != nil {
		f.Fatal(err)
	}
	plan, _ := e.Serialize()
	f.Add(plan)
	f.Add([]byte("GOTRTPLN"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := trt.Deserialize(bg, b, "", nil)
		if err == nil {
			e.Close()
		}
	})
}

func TestBadInputsAreErrors(t *testing.T) {
	net, _ := mlp(t)
	e := build(t, net, nil)
	c, err := e.CreateExecutionContext()
	require.NoError(t, err)
	defer c.Close()
	cases := map[string]map[string]*tensor.Tensor{
		"no inputs":    {},
		"wrong name":   {"y": mlpInput["x"]},
		"wrong type":   {"x": {Type: tensor.Int32, Dims: []int{2, 3}, Data: []int32{1, 2, 3, 4, 5, 6}}},
		"wrong shape":  {"x": {Type: tensor.Float, Dims: []int{3, 2}, Data: []float32{1, 2, 3, 4, 5, 6}}},
		"wrong rank":   {"x": {Type: tensor.Float, Dims: []int{6}, Data: []float32{1, 2, 3, 4, 5, 6}}},
		"short data":   {"x": {Type: tensor.Float, Dims: []int{2, 3}, Data: []float32{1, 2}}},
		"mistyped Go":  {"x": {Type: tensor.Float, Dims: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}}},
		"extra inputs": {"x": mlpInput["x"], "z": mlpInput["x"]},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.Run(bg, in)
			require.Error(t, err)
			require.ErrorIs(t, err, trt.ErrInvalidInput)
		})
	}
}

func TestInvalidNetworks(t *testing.T) {
	t.Run("dims mismatch", func(t *testing.T) {
		net := trt.NewNetwork()
		a := net.AddInput("a", trt.Float, trt.Dims{2, 3})
		b := net.AddInput("b", trt.Float, trt.Dims{4, 3})
		l := net.AddElementWise(a, b, trt.ElementWiseSum)
		l.SetName("add_ab")
		net.MarkOutput(l.Output(0))
		_, err := trt.NewBuilder(nil).Build(bg, net, nil)
		require.ErrorIs(t, err, trt.ErrInvalidNetwork)
		require.Contains(t, err.Error(), `"add_ab"`)
		require.Contains(t, err.Error(), "broadcast")
	})
	t.Run("dangling tensor from another network", func(t *testing.T) {
		other := trt.NewNetwork()
		y := other.AddInput("y", trt.Float, trt.Dims{2})
		net := trt.NewNetwork()
		x := net.AddInput("x", trt.Float, trt.Dims{2})
		l := net.AddElementWise(x, y, trt.ElementWiseSum)
		l.SetName("mix")
		net.MarkOutput(l.Output(0))
		_, err := trt.NewBuilder(nil).Build(bg, net, nil)
		require.ErrorIs(t, err, trt.ErrInvalidNetwork)
		require.Contains(t, err.Error(), `"mix"`)
		require.Contains(t, err.Error(), "does not belong to this network")
	})
	t.Run("cycle", func(t *testing.T) {
		net := trt.NewNetwork()
		x := net.AddInput("x", trt.Float, trt.Dims{2})
		a := net.AddActivation(x, trt.ActivationRelu)
		a.SetName("a")
		b := net.AddActivation(a.Output(0), trt.ActivationSigmoid)
		b.SetName("b")
		a.SetInput(0, b.Output(0))
		net.MarkOutput(b.Output(0))
		_, err := trt.NewBuilder(nil).Build(bg, net, nil)
		require.ErrorIs(t, err, trt.ErrInvalidNetwork)
		require.Contains(t, err.Error(), "cycle")
	})
	t.Run("no outputs", func(t *testing.T) {
		net := trt.NewNetwork()
		net.AddInput("x", trt.Float, trt.Dims{2})
		_, err := trt.NewBuilder(nil).Build(bg, net, nil)
		require.ErrorIs(t, err, trt.ErrInvalidNetwork)
	})
	t.Run("bad permutation", func(t *testing.T) {
		net := trt.NewNetwork()
		x := net.AddInput("x", trt.Float, trt.Dims{2, 3})
		s := net.AddShuffle(x)
		s.SetName("perm")
		s.SetFirstTranspose([]int{0, 0})
		net.MarkOutput(s.Output(0))
		_, err := trt.NewBuilder(nil).Build(bg, net, nil)
		require.ErrorIs(t, err, trt.ErrInvalidNetwork)
		require.Contains(t, err.Error(), `"perm"`)
	})
}

func TestStronglyTyped(t *testing.T) {
	net := trt.NewNetwork(trt.NetworkStronglyTyped)
	x := net.AddInput("x", trt.Float, trt.Dims{4})
	h := net.AddCast(x, trt.Half)
	sq := net.AddElementWise(h.Output(0), h.Output(0), trt.ElementWiseProd)
	sq.SetName("sq16")
	back := net.AddCast(sq.Output(0), trt.Float)
	net.MarkOutput(back.Output(0))
	cfg := trt.NewBuilderConfig()
	e := build(t, net, cfg)
	require.Equal(t, "FP16", e.LayerPrecisions()["sq16"])
	out := run(t, e, map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{4}, Data: []float32{1, 300, 0.1, -2}}})
	v := out[back.Output(0).Name()].Data.([]float32)
	require.True(t, math.IsInf(float64(v[1]), 1))
	require.Equal(t, tensor.RoundHalf(tensor.RoundHalf(0.1)*tensor.RoundHalf(0.1)), v[2])

	// Mixing FP16 and FP32 inputs without a cast is an error.
	mix := net.AddElementWise(h.Output(0), x, trt.ElementWiseSum)
	mix.SetName("mixed")
	net.MarkOutput(mix.Output(0))
	_, err := trt.NewBuilder(nil).Build(bg, net, cfg)
	require.ErrorIs(t, err, trt.ErrInvalidNetwork)
	require.Contains(t, err.Error(), `"mixed"`)
}

func TestDynamicShapesAndProfile(t *testing.T) {
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{-1, 3})
	r := net.AddReduce(x, trt.ReduceSum, []int{1}, false)
	net.MarkOutput(r.Output(0))
	require.Equal(t, trt.Dims{-1}, r.Output(0).Dimensions())
	cfg := trt.NewBuilderConfig()
	p := trt.NewOptimizationProfile()
	p.SetDimensions("x", trt.Dims{1, 3}, trt.Dims{2, 3}, trt.Dims{4, 3})
	cfg.AddOptimizationProfile(p)
	e := build(t, net, cfg)
	for _, n := range []int{1, 4} {
		data := make([]float32, n*3)
		for i := range data {
			data[i] = float32(i)
		}
		out := run(t, e, map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{n, 3}, Data: data}})
		v := out[r.Output(0).Name()].Data.([]float32)
		require.Len(t, v, n)
		require.Equal(t, float32(0+1+2), v[0])
	}
	c, _ := e.CreateExecutionContext()
	defer c.Close()
	_, err := c.Run(bg, map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{5, 3}, Data: make([]float32, 15)}})
	require.ErrorIs(t, err, trt.ErrInvalidInput)
	require.Contains(t, err.Error(), "profile")
}

type recorder struct {
	mu    sync.Mutex
	names []string
}

func (r *recorder) ReportLayerTime(name string, ms float32) {
	r.mu.Lock()
	r.names = append(r.names, name)
	r.mu.Unlock()
}

func TestProfilerAndConcurrentContexts(t *testing.T) {
	net, _ := mlp(t)
	e := build(t, net, nil)
	want := run(t, e, mlpInput)
	c, err := e.CreateExecutionContext()
	require.NoError(t, err)
	rec := &recorder{}
	c.SetProfiler(rec)
	_, err = c.Run(bg, mlpInput)
	require.NoError(t, err)
	require.Contains(t, rec.names, "fc")
	require.NoError(t, c.Close())

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := e.CreateExecutionContext()
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for i := 0; i < 20; i++ {
				out, err := c.Run(bg, mlpInput)
				if err != nil {
					errs <- err
					return
				}
				for k := range want {
					if !equalF32(out[k].Data.([]float32), want[k].Data.([]float32)) {
						errs <- errors.New("concurrent result differs for " + k)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func equalF32(a, b []float32) bool {
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

func TestClosedEngine(t *testing.T) {
	net, _ := mlp(t)
	e, err := trt.NewBuilder(nil).Build(bg, net, nil)
	require.NoError(t, err)
	c, err := e.CreateExecutionContext()
	require.NoError(t, err)
	require.NoError(t, e.Close())
	_, err = c.Run(bg, mlpInput)
	require.ErrorIs(t, err, trt.ErrClosed)
	_, err = e.CreateExecutionContext()
	require.ErrorIs(t, err, trt.ErrClosed)
}

// A transposed convolution with an explicit output shape or SAME padding
// derives its pads as ONNX says; compare with the equivalent explicit pads.
func TestDeconvOutputShapeAndSamePadding(t *testing.T) {
	w := make([]float32, 2*3*3*3)
	for i := range w {
		w[i] = float32(i%7) - 3
	}
	x := make([]float32, 1*2*4*4)
	for i := range x {
		x[i] = float32(i%5) - 2
	}
	in := map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{1, 2, 4, 4}, Data: x}}
	build1 := func(set func(l *trt.DeconvolutionLayer)) []float32 {
		net := trt.NewNetwork()
		xi := net.AddInput("x", trt.Float, trt.Dims{1, 2, 4, 4})
		l := net.AddDeconvolutionNd(xi, 3, trt.Dims{3, 3}, trt.FloatWeights(w), trt.Weights{})
		l.SetStrideNd(trt.Dims{2, 2})
		set(l)
		l.Output(0).SetName("y")
		net.MarkOutput(l.Output(0))
		cfg := trt.NewBuilderConfig()
		cfg.ClearFlag(trt.FlagTF32)
		out := run(t, build(t, net, cfg), in)
		require.Equal(t, []int{1, 3, 8, 8}, out["y"].Dims)
		return out["y"].Data.([]float32)
	}
	// Full size 2*(4-1)+3 = 9; output 8 → total padding 1: ONNX puts it at
	// the start for explicit output shapes and SAME_LOWER, at the end for SAME_UPPER.
	lower := build1(func(l *trt.DeconvolutionLayer) { l.SetPrePadding(trt.Dims{1, 1}); l.SetPostPadding(trt.Dims{0, 0}) })
	upper := build1(func(l *trt.DeconvolutionLayer) { l.SetPrePadding(trt.Dims{0, 0}); l.SetPostPadding(trt.Dims{1, 1}) })
	require.NotEqual(t, lower, upper)
	require.Equal(t, lower, build1(func(l *trt.DeconvolutionLayer) { l.SetOutputShape(trt.Dims{8, 8}) }))
	require.Equal(t, upper, build1(func(l *trt.DeconvolutionLayer) { l.SetPaddingMode("SAME_UPPER") }))
	require.Equal(t, lower, build1(func(l *trt.DeconvolutionLayer) { l.SetPaddingMode("SAME_LOWER") }))
}
