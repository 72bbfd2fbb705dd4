// Command fp16-overflow is gotrt's demo: it builds a small sensor-classifier
// network in Go whose first layer receives raw readings too large for FP16,
// builds it as FP32, TF32, FP16 and FP16 with that layer pinned to FP32, and
// reports for each engine the error against FP32, NaN/Inf counts, median
// latency and the precision every layer ran in.
//
//	go run ./examples/fp16-overflow
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/gotrt/gotrt/bench"
	"github.com/gotrt/gotrt/compare"
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

const (
	batch    = 32
	features = 64
	hidden   = 256
	classes  = 10
)

func randWeights(rng *rand.Rand, n int, scale float64) trt.Weights {
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(rng.NormFloat64() * scale)
	}
	return trt.FloatWeights(w)
}

// buildNetwork: readings [batch, features] in raw sensor units (up to ~1e5)
// -> normalize (÷ 1000) -> fc1 -> GELU -> fc2 -> residual -> LayerNorm
// (decomposed, as exported from PyTorch) -> head -> softmax.
func buildNetwork() *trt.Network {
	rng := rand.New(rand.NewPCG(7, 11))
	net := trt.NewNetwork()
	x := net.AddInput("readings", trt.Float, trt.Dims{batch, features})
	named := func(l trt.Layer, name string) trt.Layer { l.SetName(name); return l }
	cst := func(d trt.Dims, w trt.Weights) *trt.Tensor { return net.AddConstant(d, w).Output(0) }
	scale := cst(trt.Dims{1, 1}, trt.FloatWeights([]float32{1000}))
	norm := named(net.AddElementWise(x, scale, trt.ElementWiseDiv), "normalize")
	fc1 := named(net.AddMatrixMultiply(norm.Output(0), trt.MatrixOpNone, cst(trt.Dims{features, hidden}, randWeights(rng, features*hidden, 1/math.Sqrt(features))), trt.MatrixOpNone), "fc1")
	b1 := named(net.AddElementWise(fc1.Output(0), cst(trt.Dims{1, hidden}, randWeights(rng, hidden, 0.1)), trt.ElementWiseSum), "fc1_bias")
	act := named(net.AddActivation(b1.Output(0), trt.ActivationGeluErf), "gelu")
	fc2 := named(net.AddMatrixMultiply(act.Output(0), trt.MatrixOpNone, cst(trt.Dims{hidden, features}, randWeights(rng, hidden*features, 1/math.Sqrt(hidden))), trt.MatrixOpNone), "fc2")
	res := named(net.AddElementWise(fc2.Output(0), norm.Output(0), trt.ElementWiseSum), "residual")
	mean := named(net.AddReduce(res.Output(0), trt.ReduceAvg, []int{1}, true), "ln_mean")
	sub := named(net.AddElementWise(res.Output(0), mean.Output(0), trt.ElementWiseSub), "ln_sub")
	pow := named(net.AddElementWise(sub.Output(0), cst(trt.Dims{1, 1}, trt.FloatWeights([]float32{2})), trt.ElementWisePow), "ln_pow")
	vr := named(net.AddReduce(pow.Output(0), trt.ReduceAvg, []int{1}, true), "ln_var")
	eps := named(net.AddElementWise(vr.Output(0), cst(trt.Dims{1, 1}, trt.FloatWeights([]float32{1e-5})), trt.ElementWiseSum), "ln_eps")
	sq := named(net.AddUnary(eps.Output(0), trt.UnarySqrt), "ln_sqrt")
	div := named(net.AddElementWise(sub.Output(0), sq.Output(0), trt.ElementWiseDiv), "ln_div")
	head := named(net.AddMatrixMultiply(div.Output(0), trt.MatrixOpNone, cst(trt.Dims{features, classes}, randWeights(rng, features*classes, 1/math.Sqrt(features))), trt.MatrixOpNone), "head")
	sm := named(net.AddSoftMax(head.Output(0), -1), "softmax")
	head.Output(0).SetName("logits")
	sm.Output(0).SetName("probs")
	net.MarkOutput(head.Output(0))
	net.MarkOutput(sm.Output(0))
	return net
}

// readings are the bundled inputs: most sensors report small values, a few
// report raw counts in the tens of thousands (beyond FP16's 65504 after
// nothing but a sum, and unrepresentable as soon as they exceed it).
func readings() *tensor.Tensor {
	rng := rand.New(rand.NewPCG(2024, 11))
	v := make([]float32, batch*features)
	for i := range v {
		if i%features < 4 {
			v[i] = float32(60000 + rng.Float64()*40000) // counters: 60k..100k
		} else {
			v[i] = float32(rng.NormFloat64() * 2000)
		}
	}
	return &tensor.Tensor{Name: "readings", Type: tensor.Float, Dims: []int{batch, features}, Data: v}
}

type variant struct {
	name  string
	setup func(*trt.Network, *trt.BuilderConfig)
}

func main() {
	iters := flag.Int("iterations", 50, "timed iterations per engine")
	atol := flag.Float64("atol", 1e-2, "absolute tolerance on the class probabilities")
	rtol := flag.Float64("rtol", 1e-2, "relative tolerance on the class probabilities")
	flag.Parse()
	if _, err := demo(os.Stdout, *iters, *atol, *rtol); err != nil {
		fmt.Fprintln(os.Stderr, "fp16-overflow:", err)
		os.Exit(1)
	}
}

// demo builds and compares the four engines, printing the report to w. It
// returns the names of the engines whose probabilities failed the tolerance.
func demo(w io.Writer, iters int, atol, rtol float64) ([]string, error) {
	ctx := context.Background()
	in := map[string]*tensor.Tensor{"readings": readings()}
	variants := []variant{
		{"FP32", func(n *trt.Network, c *trt.BuilderConfig) { c.ClearFlag(trt.FlagTF32) }},
		{"TF32", func(n *trt.Network, c *trt.BuilderConfig) {}},
		{"FP16", func(n *trt.Network, c *trt.BuilderConfig) { c.SetFlag(trt.FlagFP16) }},
		{"FP16 + normalize@FP32", func(n *trt.Network, c *trt.BuilderConfig) {
			c.SetFlag(trt.FlagFP16)
			c.SetPrecisionConstraints(trt.ConstraintsObey)
			n.LayerByName("normalize").SetPrecision(trt.Float)
		}},
	}
	var ref map[string]*tensor.Tensor
	fmt.Fprintln(w, "gotrt demo: a sensor classifier whose raw inputs overflow FP16")
	fmt.Fprintf(w, "bundled input: %d x %d readings, 4 counter channels in [60000, 100000]; FP16 max is 65504\n\n", batch, features)
	var failed []string
	for _, v := range variants {
		net := buildNetwork()
		cfg := trt.NewBuilderConfig()
		v.setup(net, cfg)
		eng, err := trt.NewBuilder(nil).Build(ctx, net, cfg)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", v.name, err)
		}
		defer eng.Close()
		ec, err := eng.CreateExecutionContext()
		if err != nil {
			return nil, err
		}
		defer ec.Close()
		out, err := ec.Run(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", v.name, err)
		}
		sum, err := bench.Run(ctx, bench.Options{WarmupIterations: 3, Iterations: iters}, func() error { return ec.Execute(ctx) })
		if err != nil {
			return nil, fmt.Errorf("bench %s: %w", v.name, err)
		}
		if ref == nil {
			ref = out
		}
		opt := compare.DefaultOptions()
		opt.Atol.Default, opt.Rtol.Default = atol, rtol
		opt.Atol.PerOutput = map[string]float64{"logits": math.Inf(1)} // judge the probabilities
		rep, err := compare.Outputs(out, ref, []string{"probs", "logits"}, opt)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "== %s engine\n", v.name)
		for _, o := range rep.Outputs {
			status := "PASSED"
			if !o.Passed {
				status = "FAILED"
			}
			if o.Name == "logits" {
				status = "(info)"
			}
			fmt.Fprintf(w, "  %-6s max abs err %-11.4g max rel err %-11.4g NaN %-4d Inf %-4d %s\n",
				o.Name, o.AbsDiff.Max, o.RelDiff.Max, o.GotNaN, o.GotInf, status)
			if o.Name == "probs" && !o.Passed {
				failed = append(failed, v.name)
			}
		}
		fmt.Fprintf(w, "  median latency %.3f ms (CPU backend, %d iterations)\n", float64(sum.Median)/float64(time.Millisecond), sum.Iterations)
		fmt.Fprintf(w, "  layer precisions: %s\n\n", formatPrecisions(eng.LayerPrecisions()))
	}
	fmt.Fprintf(w, "tolerance atol=%g rtol=%g on probs; %d of %d engines failed.\n", atol, rtol, len(failed), len(variants))
	fmt.Fprintln(w, "FP16 fails because 'normalize' receives readings above 65504 (they become Inf);")
	fmt.Fprintln(w, "pinning that one layer to FP32 with obey constraints restores accuracy.")
	return failed, nil
}

func formatPrecisions(m map[string]string) string {
	by := map[string][]string{}
	for name, p := range m {
		by[p] = append(by[p], name)
	}
	var keys []string
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		sort.Strings(by[k])
		parts = append(parts, fmt.Sprintf("%s: %s", k, strings.Join(by[k], " ")))
	}
	return strings.Join(parts, " | ")
}
