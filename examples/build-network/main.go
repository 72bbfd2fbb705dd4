// Command build-network defines a small convolution-free classifier in Go with
// the trt API, builds an FP32 engine on the CPU backend, runs it and prints
// the inspector's view of the engine.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

func main() {
	ctx := context.Background()
	net := trt.NewNetwork()
	x := net.AddInput("pixels", trt.Float, trt.Dims{1, 4})
	w := net.AddConstant(trt.Dims{4, 3}, trt.FloatWeights([]float32{
		0.5, -1, 0.25,
		1, 0.5, -0.5,
		-0.25, 1, 1,
		0.75, 0, -1,
	}))
	fc := net.AddMatrixMultiply(x, trt.MatrixOpNone, w.Output(0), trt.MatrixOpNone)
	fc.SetName("fc")
	relu := net.AddActivation(fc.Output(0), trt.ActivationRelu)
	relu.SetName("relu")
	sm := net.AddSoftMax(relu.Output(0), -1)
	sm.SetName("softmax")
	sm.Output(0).SetName("scores")
	net.MarkOutput(sm.Output(0))
	if err := net.Err(); err != nil {
		log.Fatal(err)
	}

	cfg := trt.NewBuilderConfig()
	cfg.ClearFlag(trt.FlagTF32) // pedantic FP32
	engine, err := trt.NewBuilder(nil).Build(ctx, net, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()
	engine.CreateEngineInspector().WriteText(os.Stdout)

	ec, err := engine.CreateExecutionContext()
	if err != nil {
		log.Fatal(err)
	}
	defer ec.Close()
	out, err := ec.Run(ctx, map[string]*tensor.Tensor{
		"pixels": {Type: tensor.Float, Dims: []int{1, 4}, Data: []float32{1, 2, 3, 4}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("scores:", out["scores"].Data)
}
