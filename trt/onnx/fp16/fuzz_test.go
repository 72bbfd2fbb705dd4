package fp16

import (
	"testing"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// FuzzConvert: any model that decodes converts or fails with an error, never
// a panic (Convert turns an internal panic into an "internal error", which
// this test reports as a failure).
func FuzzConvert(f *testing.F) {
	for _, mk := range []func() *onnxpb.Model{mlpModel, convModel, layerNormModel, castConstModel, ifModel, loopModel, shapeOpsModel} {
		b, err := onnxpb.Encode(mk())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, b []byte, keep bool) {
		m, err := onnxpb.Decode(b)
		if err != nil {
			return
		}
		opt := DefaultOptions()
		opt.KeepIOTypes = keep
		cm, _, err := Convert(m, opt)
		if err != nil {
			if containsInternal(err.Error()) {
				t.Fatalf("%v", err)
			}
			return
		}
		if _, err := onnxpb.Encode(cm); err != nil {
			t.Fatalf("converted model does not encode: %v", err)
		}
	})
}

func containsInternal(s string) bool {
	for i := 0; i+14 <= len(s); i++ {
		if s[i:i+14] == "internal error" {
			return true
		}
	}
	return false
}
