package models

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gotrt/gotrt/trt"
	"github.com/stretchr/testify/require"
)

// BenchmarkGotrtCPU runs only gotrt's CPU FP32 engine on the benchmark
// models, for clean CPU profiles:
//
//	go test ./models -run '^$' -bench GotrtCPU/Text -benchtime 40x -cpuprofile cpu.prof
func BenchmarkGotrtCPU(b *testing.B) {
	for _, tc := range benchCases() {
		b.Run(tc.name, func(b *testing.B) {
			m, err := tc.build()
			require.NoError(b, err)
			_, dm := encodeDecode(b, m)
			inputs, err := RandomInputs(dm, tc.shapes, 1)
			require.NoError(b, err)
			eng, _ := buildCPU(b, dm, tc.shapes)
			ec, err := eng.CreateExecutionContext()
			require.NoError(b, err)
			defer ec.Close()
			ctx := context.Background()
			for range 3 {
				_, err := ec.Run(ctx, inputs)
				require.NoError(b, err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := ec.Run(ctx, inputs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLayerProfile prints where gotrt's CPU engine spends its time on the
// benchmark models, per layer and per ONNX op type (the layer-name prefix
// before the node's op). It only runs when GOTRT_LAYER_PROFILE is set:
//
//	GOTRT_LAYER_PROFILE=1 go test ./models -run TestLayerProfile -v
//
// A value N > 1 prints the N slowest layers (default 25).
//
// With GOTRT_CPU_PROFILE=DIR it also writes a CPU profile of 30 steady-state
// runs of each model to DIR/<model>.prof (build and warm-up left out).
func TestLayerProfile(t *testing.T) {
	if os.Getenv("GOTRT_LAYER_PROFILE") == "" {
		t.Skip("set GOTRT_LAYER_PROFILE=1 to print per-layer CPU times of the benchmark models")
	}
	const runs = 10
	for _, tc := range benchCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.build()
			require.NoError(t, err)
			_, dm := encodeDecode(t, m)
			opOf := map[string]string{}
			for _, n := range dm.Graph.Nodes {
				opOf[n.Name] = n.OpType
			}
			inputs, err := RandomInputs(dm, tc.shapes, 1)
			require.NoError(t, err)
			eng, _ := buildCPU(t, dm, tc.shapes)
			ec, err := eng.CreateExecutionContext()
			require.NoError(t, err)
			defer ec.Close()
			ctx := context.Background()
			_, err = ec.Run(ctx, inputs)
			require.NoError(t, err)
			if dir := os.Getenv("GOTRT_CPU_PROFILE"); dir != "" {
				// A CPU profile of the steady state only (no build, no
				// layer profiler): dir/<model>.prof.
				f, err := os.Create(filepath.Join(dir, strings.SplitN(tc.name, "-", 2)[0]+".prof"))
				require.NoError(t, err)
				require.NoError(t, pprof.StartCPUProfile(f))
				for range 3 * runs {
					_, err = ec.Run(ctx, inputs)
					require.NoError(t, err)
				}
				pprof.StopCPUProfile()
				require.NoError(t, f.Close())
			}
			prof := &trt.LayerTimes{}
			ec.SetProfiler(prof)
			start := time.Now()
			for range runs {
				_, err = ec.Run(ctx, inputs)
				require.NoError(t, err)
			}
			wall := time.Since(start) / runs
			var total time.Duration
			byOp := map[string]time.Duration{}
			type lt struct {
				name string
				d    time.Duration
			}
			var layers []lt
			for name, d := range prof.Total {
				d /= time.Duration(runs)
				total += d
				op := opOf[name]
				if op == "" && d < time.Microsecond {
					continue // weights and other constants
				}
				if op == "" {
					// Fused or helper layers: name them by their kind.
					op = "(" + name + ")"
					if i := strings.LastIndex(name, "/"); i >= 0 {
						op = "(" + name[i+1:] + ")"
					}
				}
				byOp[op] += d
				layers = append(layers, lt{name, d})
			}
			sort.Slice(layers, func(i, j int) bool { return layers[i].d > layers[j].d })
			var ops []lt
			for k, v := range byOp {
				ops = append(ops, lt{k, v})
			}
			sort.Slice(ops, func(i, j int) bool { return ops[i].d > ops[j].d })
			var sb strings.Builder
			fmt.Fprintf(&sb, "wall %.2f ms/run, sum of layers %.2f ms, %d layers\nby op type:\n", ms(wall), ms(total), len(layers))
			for _, o := range ops {
				fmt.Fprintf(&sb, "  %-28s %8.3f ms %5.1f%%\n", o.name, ms(o.d), 100*float64(o.d)/float64(total))
			}
			sb.WriteString("top layers:\n")
			top := 25
			if n, err := strconv.Atoi(os.Getenv("GOTRT_LAYER_PROFILE")); err == nil && n > 1 {
				top = n
			}
			for _, l := range layers[:min(top, len(layers))] {
				fmt.Fprintf(&sb, "  %-60s %8.3f ms %5.1f%%\n", l.name, ms(l.d), 100*float64(l.d)/float64(total))
			}
			t.Log("\n" + sb.String())
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
