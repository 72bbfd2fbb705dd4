package models

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
	"github.com/stretchr/testify/require"
)

// BenchmarkCPUvsORT measures, in one run on the same machine and inputs,
// the median latency of gotrt's CPU FP32 engine (TF32 off) and of ONNX
// Runtime's CPU execution provider (all graph optimizations, intra-op
// threads = GOMAXPROCS), at realistic model sizes. Iterations alternate
// between the two so that machine noise hits both alike. Reported:
// gotrt_ms and ort_ms (medians) and x_ort = gotrt_ms / ort_ms. It measures
// only; it asserts no timing.
//
//	go test ./models -run '^$' -bench CPUvsORT -benchtime 10x
func BenchmarkCPUvsORT(b *testing.B) {
	cases := benchCases()
	requireORT(b)
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			m, err := tc.build()
			require.NoError(b, err)
			raw, dm := encodeDecode(b, m)
			inputs, err := RandomInputs(dm, tc.shapes, 1)
			require.NoError(b, err)
			eng, _ := buildCPU(b, dm, tc.shapes)
			ec, err := eng.CreateExecutionContext()
			require.NoError(b, err)
			defer ec.Close()
			sess := newORT(b, raw)
			ctx := context.Background()

			runGotrt := func() time.Duration {
				start := time.Now()
				_, err := ec.Run(ctx, inputs)
				d := time.Since(start)
				require.NoError(b, err)
				return d
			}
			runORT := func() time.Duration {
				start := time.Now()
				_, err := sess.Run(inputs)
				d := time.Since(start)
				require.NoError(b, err)
				return d
			}
			// Warm up both (first-run allocations, packed weights, ORT's
			// arena and thread pool).
			for range 3 {
				runGotrt()
				runORT()
			}
			var g, o []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%2 == 0 {
					g = append(g, runGotrt())
					o = append(o, runORT())
				} else {
					o = append(o, runORT())
					g = append(g, runGotrt())
				}
			}
			b.StopTimer()
			gm, om := median(g), median(o)
			b.ReportMetric(float64(gm)/1e6, "gotrt_ms")
			b.ReportMetric(float64(om)/1e6, "ort_ms")
			b.ReportMetric(float64(gm)/float64(om), "x_ort")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "threads")
		})
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

type benchCase struct {
	name   string
	build  func() (*onnxpb.Model, error)
	shapes map[string][]int
}

// benchCases are the realistic sizes of the benchmarks.
func benchCases() []benchCase {
	return []benchCase{
		{
			// MobileNet/YOLO-lite-sized detector: 32..256 channels.
			name: "CNNDetector-1x3x224x224-c32",
			build: func() (*onnxpb.Model, error) {
				return CNNDetector(CNNOptions{Height: 224, Width: 224, Channels: 32, Classes: 80, Seed: 1})
			},
		},
		{
			// Conv + 2 transformer blocks: seq 128, d_model 256, 8 heads.
			name: "TextRecognizer-1x1x32x512-seq128-d256",
			build: func() (*onnxpb.Model, error) {
				return TextRecognizer(TextOptions{Width: 512, Channels: 32, DModel: 256, Heads: 8, FF: 1024, Seed: 2})
			},
		},
		{
			name: "MLPClassifier-32x256",
			build: func() (*onnxpb.Model, error) {
				return MLPClassifier(MLPOptions{Batch: 32, Features: 256, Hidden: []int{512, 256}, Classes: 10, Seed: 3})
			},
		},
		{
			name: "SpeechLSTM-seq200x1x80-h256",
			build: func() (*onnxpb.Model, error) {
				return SpeechLSTM(SpeechOptions{Seq: 200, Batch: 1, Features: 80, LSTMHidden: 256, GRUHidden: 256, Seed: 4})
			},
		},
	}
}
