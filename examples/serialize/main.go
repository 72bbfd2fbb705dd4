// Command serialize builds an FP16 engine, saves its plan to a file, loads it
// back and checks that the reloaded engine gives bit-identical outputs.
package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

func main() {
	ctx := context.Background()
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{1, 8})
	g := net.AddActivation(x, trt.ActivationGeluErf)
	g.SetName("gelu")
	g.Output(0).SetName("y")
	net.MarkOutput(g.Output(0))
	cfg := trt.NewBuilderConfig()
	cfg.SetFlag(trt.FlagFP16)
	engine, err := trt.NewBuilder(nil).Build(ctx, net, cfg)
	if err != nil {
		log.Fatal(err)
	}
	plan, err := engine.Serialize()
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "gotrt-plan")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "gelu.plan")
	if err := os.WriteFile(path, plan, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s (%d bytes)\n", path, len(plan))

	b, _ := os.ReadFile(path)
	reloaded, err := trt.Deserialize(ctx, b, trt.BackendCPU, nil)
	if err != nil {
		log.Fatal(err)
	}
	in := map[string]*tensor.Tensor{"x": {Type: tensor.Float, Dims: []int{1, 8}, Data: []float32{-3, -1, -0.5, 0, 0.1, 0.5, 1, 3}}}
	run := func(e *trt.Engine) []float32 {
		ec, _ := e.CreateExecutionContext()
		defer ec.Close()
		out, err := ec.Run(ctx, in)
		if err != nil {
			log.Fatal(err)
		}
		return out["y"].Data.([]float32)
	}
	a, c := run(engine), run(reloaded)
	fmt.Println("original:", a)
	fmt.Println("reloaded:", c)
	var ba, bc bytes.Buffer
	fmt.Fprint(&ba, a)
	fmt.Fprint(&bc, c)
	if ba.String() != bc.String() {
		log.Fatal("outputs differ after reload")
	}
	fmt.Println("bit-identical after reload")

	corrupted := append([]byte{}, b...)
	corrupted[len(corrupted)/2] ^= 1
	if _, err := trt.Deserialize(ctx, corrupted, trt.BackendCPU, nil); err != nil {
		fmt.Println("corrupted plan rejected:", err)
	}
}
