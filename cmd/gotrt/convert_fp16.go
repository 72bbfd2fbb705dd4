package main

// The --fp-to-fp16 hook of `gotrt convert`, wired to package trt/onnx/fp16.
// Delete this file to build gotrt without the converter: --fp-to-fp16 then
// says it is unavailable.

import (
	"context"
	"fmt"
	"strings"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/trt/onnx/fp16"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

func init() {
	fpToFP16 = func(ctx context.Context, in, out string, keepIOTypes bool) (string, error) {
		m, err := runner.ReadModel(in) // the same messages as `gotrt run` for bad files
		if err != nil {
			return "", err
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
		opt := fp16.DefaultOptions()
		opt.KeepIOTypes = keepIOTypes
		cm, rep, err := fp16.Convert(m, opt)
		if err != nil {
			return "", fmt.Errorf("%s: FP16 conversion: %w", in, err)
		}
		if err := onnxpb.SaveFile(cm, out); err != nil {
			return "", fmt.Errorf("writing %s: %w", out, err)
		}
		if rep == nil {
			return "", nil
		}
		return strings.TrimRight(rep.String(), "\n"), nil
	}
}
