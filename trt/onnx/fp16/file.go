package fp16

import (
	"fmt"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// ConvertFile loads the model at in (external data resolved, see
// onnxpb.LoadFile), converts it (see Convert) and writes the result to out as
// a self-contained model.
func ConvertFile(in, out string, opt Options) (*Report, error) {
	m, err := onnxpb.LoadFile(in)
	if err != nil {
		return nil, err
	}
	cm, rep, err := Convert(m, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	if err := onnxpb.SaveFile(cm, out); err != nil {
		return nil, err
	}
	return rep, nil
}
