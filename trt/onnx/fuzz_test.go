package onnx

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// FuzzImport feeds arbitrary bytes through the decoder, the importer and the
// builder: any outcome but a panic is acceptable, and a successful import
// must build or fail with an error.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"test_add_bcast", "test_conv_with_strides_padding", "test_reshape_extended_dims",
		"test_gather_0", "test_softmax_axis_1", "test_slice", "test_lstm_defaults", "test_resize_upsample_scales_linear"} {
		b, err := os.ReadFile(filepath.Join("/usr/include/onnx/backend/test/data/node", name, "model.onnx"))
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{})
	f.Add([]byte("ir_version: 7"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := onnxpb.Decode(b)
		if err != nil {
			return
		}
		res, err := Import(m, Options{Name: "fuzz"})
		if err != nil {
			return
		}
		if e, err := trt.NewBuilder(nil).Build(context.Background(), res.Network, nil); err == nil {
			e.Close()
		}
	})
}
