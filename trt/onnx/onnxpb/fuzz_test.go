package onnxpb

import (
	"bytes"
	"os"
	"testing"
)

// fuzzSeeds returns a few real models (when the ONNX test data is installed)
// and the external-data test model.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, p := range []string{
		onnxTestData + "/pytorch-converted/test_Conv2d/model.onnx",
		onnxTestData + "/node/test_if/model.onnx",
		onnxTestData + "/node/test_constant/model.onnx",
		onnxTestData + "/node/test_strnormalizer_export_monday_casesensintive_lower/model.onnx",
		onnxTestData + "/node/test_sequence_map_add_1_sequence_1_tensor/model.onnx",
		onnxTestData + "/simple/test_sequence_model1/model.onnx",
		externalModel,
	} {
		if b, err := os.ReadFile(p); err == nil {
			seeds = append(seeds, b)
		}
	}
	return seeds
}

// FuzzDecode: Decode never panics, and what it accepts encodes, decodes
// again, and encodes to the same bytes (a fixed point after one round).
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte{})
	f.Add(cat(pbVarint(1, 8), pbBytes(7, pbNode("n", "Conv", pbBytes(5, pbStr(1, "pads"), pbBytes(8, []byte{1, 2}))))))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if m != nil {
				t.Fatal("model and error")
			}
			return
		}
		enc, err := Encode(m)
		if err != nil {
			t.Fatalf("decoded model does not encode: %v", err)
		}
		m2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-encoded model does not decode: %v", err)
		}
		enc2, err := Encode(m2)
		if err != nil {
			t.Fatalf("second encode: %v", err)
		}
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip is not stable:\n%x\n%x", enc, enc2)
		}
		// Conversions must not panic either.
		_ = forEachTensor(m, func(string, *Tensor) error {
			return nil
		})
		for _, in := range graphTensors(m.Graph) {
			_, _ = in.ToHost()
		}
	})
}

// FuzzDecodeTensor: the same for bare TensorProtos, plus ToHost.
func FuzzDecodeTensor(f *testing.F) {
	for _, p := range []string{
		onnxTestData + "/node/test_cast_FLOAT_to_FLOAT16/test_data_set_0/input_0.pb",
		onnxTestData + "/node/test_cast_STRING_to_FLOAT/test_data_set_0/input_0.pb",
		onnxTestData + "/node/test_add_uint8/test_data_set_0/input_0.pb",
	} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(cat(pbStr(8, "x"), pbVarint(1, 2), pbVarint(2, uint64(ElemFloat)), pbBytes(4, make([]byte, 8))))
	f.Add(cat(pbVarint(1, 2), pbVarint(2, uint64(ElemUint64)), pbBytes(11, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 3})))
	f.Fuzz(func(t *testing.T, b []byte) {
		tt, err := DecodeTensor(b)
		if err != nil {
			return
		}
		if h, err := tt.ToHost(); err == nil {
			if err := h.Validate(); err != nil {
				t.Fatalf("ToHost gave an invalid host tensor: %v", err)
			}
			if _, err := FromHost(tt.Name, h); err != nil {
				t.Fatalf("FromHost: %v", err)
			}
		}
		enc, err := EncodeTensor(tt)
		if err != nil {
			t.Fatal(err)
		}
		t2, err := DecodeTensor(enc)
		if err != nil {
			t.Fatalf("re-encoded tensor does not decode: %v", err)
		}
		enc2, err := EncodeTensor(t2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip is not stable: %v", err)
		}
	})
}

func graphTensors(g *Graph) []*Tensor {
	if g == nil {
		return nil
	}
	out := append([]*Tensor(nil), g.Initializers...)
	for _, n := range g.Nodes {
		for _, a := range n.Attributes {
			if a.T != nil {
				out = append(out, a.T)
			}
			out = append(out, a.Tensors...)
		}
	}
	return out
}
