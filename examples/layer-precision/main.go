// Command layer-precision builds one network three ways — FP32, FP16, and
// FP16 with three layers pinned to FP32 and one output type forced to FP16 — and
// shows what the builder resolved for every layer, including the conversions
// it inserted at precision boundaries.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

func network() (*trt.Network, []trt.Layer) {
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{2, 3})
	sq := net.AddElementWise(x, x, trt.ElementWiseProd)
	sq.SetName("square")
	sum := net.AddReduce(sq.Output(0), trt.ReduceSum, []int{1}, true)
	sum.SetName("sum_squares")
	norm := net.AddUnary(sum.Output(0), trt.UnarySqrt)
	norm.SetName("l2norm")
	div := net.AddElementWise(x, norm.Output(0), trt.ElementWiseDiv)
	div.SetName("normalize")
	div.Output(0).SetName("y")
	net.MarkOutput(div.Output(0))
	return net, []trt.Layer{sq, sum, norm}
}

func main() {
	ctx := context.Background()
	in := map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{2, 3}, Data: []float32{300, 400, 0, 0.001, 0.002, 0.002}}}
	for _, mode := range []string{"fp32", "fp16", "fp16+pinned"} {
		net, pinned := network()
		cfg := trt.NewBuilderConfig()
		if mode != "fp32" {
			cfg.SetFlag(trt.FlagFP16)
		}
		if mode == "fp16+pinned" {
			// 300² overflows FP16: compute the squares, their sum and its
			// square root in FP32; the root (500) fits FP16 again, so l2norm
			// hands its output to the FP16 division as FP16.
			for _, l := range pinned {
				l.SetPrecision(trt.Float)
			}
			pinned[2].SetOutputType(0, trt.Half)
			cfg.SetPrecisionConstraints(trt.ConstraintsObey)
		}
		engine, err := trt.NewBuilder(nil).Build(ctx, net, cfg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("=== %s\n", mode)
		engine.CreateEngineInspector().WriteText(os.Stdout)
		ec, _ := engine.CreateExecutionContext()
		out, err := ec.Run(ctx, in)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("y =", out["y"].Data)
		fmt.Println()
		ec.Close()
		engine.Close()
	}
}
