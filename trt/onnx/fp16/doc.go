// Package fp16 converts an FP32 ONNX model to FP16, as onnxconverter-common's
// float16 converter (convert_float_to_float16) does, for the FP16 sanity check
// of the reduced-precision workflow: run the converted model in the reference
// to tell a limitation of the model in FP16 from a problem of an engine.
//
// # Types from the operator schemas
//
// The Python converter relies on ONNX shape inference. Convert tracks types
// itself, from the ONNX operator schemas of the model's opset
// (schema_gen.go, generated from the onnx Python package by gen_schema.py:
// `go generate`; regenerate with a newer onnx for newer opsets), with the
// model's value_info as a fallback. The schemas tell, for every input,
// whether it may be FLOAT16, must follow another input or an output, or must
// stay tensor(float) (Resize and Upsample scales, QuantizeLinear scales):
// such inputs stay FLOAT per input, without blocking the whole op. Ops
// without a schema (custom domains, model-local functions) and ops on
// sequences stay FP32.
//
// # ONNX Runtime's CPU provider as the FP16 reference
//
// ONNX Runtime's CPU execution provider has FP16 kernels for few operators.
// For the others it inserts Casts to FP32 around the node, and it forces an
// FP16 node isolated between FP32 ones to FP32 too — including the Cast that
// Convert puts after a graph input kept FLOAT. Such nodes then compute in
// FP32 on FP16-rounded weights: over ONNX's backend test models, 460 of the
// 947 converted models that run give outputs bit-identical to the FP32
// model's (KeepIOTypes; 202 with FLOAT16 I/O). A comparison with the CPU
// provider therefore shows the effect of rounding and clamping the weights,
// not FP16 overflow or rounding of activations; the CUDA provider, or an
// engine that emulates FP16 (gotrt's CPU backend rounds layer inputs and
// outputs), shows those.
package fp16

//go:generate /usr/bin/env python3 gen_schema.py schema_gen.go
