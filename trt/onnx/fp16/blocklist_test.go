package fp16

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/ort"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// TestDefaultBlocklistORT documents the default blocklist's entries that
// come from ONNX Runtime (the library gotrt uses as its reference): without
// blocking, the converted model fails to load or to run; with the default
// blocklist it runs and matches the FP32 model. If a newer ONNX Runtime
// grows the missing FP16 kernels, this test fails: drop the entry.
func TestDefaultBlocklistORT(t *testing.T) {
	needORT(t)
	eyeLike := func() *onnxpb.Model {
		b := newBuilder("eyelike")
		b.input("x", onnxpb.ElemFloat, 3, 3)
		b.node("EyeLike", "eye", []string{"x"}, []string{"e"})
		b.node("Add", "add", []string{"x", "e"}, []string{"y"})
		b.output("y", onnxpb.ElemFloat, 3, 3)
		return b.model(13)
	}
	mvn := func() *onnxpb.Model {
		b := newBuilder("mvn")
		b.input("x", onnxpb.ElemFloat, 1, 2, 2, 2)
		b.node("MeanVarianceNormalization", "mvn", []string{"x"}, []string{"y"})
		b.output("y", onnxpb.ElemFloat, 1, 2, 2, 2)
		return b.model(13)
	}
	scatter := func(op, reduction string, opset int64) func() *onnxpb.Model {
		return func() *onnxpb.Model {
			b := newBuilder("scatter")
			b.input("x", onnxpb.ElemFloat, 4)
			b.initI64("idx", []int64{1}, 1, 1)
			b.init("upd", []float32{0.5}, 1)
			ins := []string{"x", "idx", "upd"}
			if op == "ScatterElements" {
				b.g.Initializers[0].Dims = []int64{1}
			}
			b.node(op, "scatter", ins, []string{"y"}, aString("reduction", reduction))
			b.output("y", onnxpb.ElemFloat, 4)
			return b.model(opset)
		}
	}
	for _, tc := range []struct {
		name  string
		model func() *onnxpb.Model
	}{
		{"EyeLike", eyeLike},
		{"MeanVarianceNormalization", mvn},
		{"ScatterND:reduction=add", scatter("ScatterND", "add", 16)},
		{"ScatterND:reduction=mul", scatter("ScatterND", "mul", 16)},
		{"ScatterND:reduction=max", scatter("ScatterND", "max", 18)},
		{"ScatterND:reduction=min", scatter("ScatterND", "min", 18)},
		{"ScatterElements:reduction=add", scatter("ScatterElements", "add", 16)},
		{"ScatterElements:reduction=mul", scatter("ScatterElements", "mul", 16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, DefaultBlocklist(), tc.name)
			m := tc.model()
			in := randomInputs(t, m, 5)
			opt := DefaultOptions()
			opt.Blocklist = []string{}
			cm, _, err := Convert(m, opt)
			require.NoError(t, err)
			b, err := onnxpb.Encode(cm)
			require.NoError(t, err)
			s, err := ort.NewSession(b)
			if err == nil {
				_, err = s.Run(in)
				s.Close()
			}
			require.Error(t, err, "ONNX Runtime now runs %s in FP16: drop it from the default blocklist", tc.name)
			t.Logf("unblocked: %v", err)

			cm, rep, err := Convert(m, DefaultOptions())
			require.NoError(t, err)
			require.Len(t, rep.Blocked, 1)
			compareORT(t, m, cm, true, nil)
		})
	}
}
