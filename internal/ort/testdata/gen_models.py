#!/usr/bin/python3
"""Writes the small ONNX models of internal/ort's tests (run from this directory).

They cover what the ONNX backend test data lacks: dynamic float16/bfloat16
outputs, scalar inputs and outputs, and outputs of unknown rank.
Needs the onnx Python package (Debian: python3-onnx).
"""
import onnx
from onnx import TensorProto as TP, helper as h


def save(name, nodes, ins, outs, check=True):
    g = h.make_graph(nodes, name, ins, outs)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 17)], producer_name="gotrt-test")
    m.ir_version = 8
    if check:  # the checker wants a shape on every graph output
        onnx.checker.check_model(m)
    onnx.save(m, name + ".onnx")


# float16 output of dynamic shape.
save("relu_f16_dyn", [h.make_node("Relu", ["x"], ["y"], name="relu")],
     [h.make_tensor_value_info("x", TP.FLOAT16, ["N", 3])],
     [h.make_tensor_value_info("y", TP.FLOAT16, ["N", 3])])
# bfloat16 output of dynamic shape.
save("cast_bf16_dyn", [h.make_node("Cast", ["x"], ["y"], to=TP.BFLOAT16, name="cast")],
     [h.make_tensor_value_info("x", TP.FLOAT, ["N"])],
     [h.make_tensor_value_info("y", TP.BFLOAT16, ["N"])])
# Scalar outputs (float32 and int64) next to a tensor output.
save("scalar_out", [h.make_node("ReduceSum", ["x"], ["sum"], keepdims=0, name="sum"),
                    h.make_node("ArgMax", ["x1"], ["argmax"], keepdims=0, name="argmax"),
                    h.make_node("Relu", ["x"], ["relu"], name="relu")],
     [h.make_tensor_value_info("x", TP.FLOAT, [2, 3]), h.make_tensor_value_info("x1", TP.FLOAT, [4])],
     [h.make_tensor_value_info("sum", TP.FLOAT, []), h.make_tensor_value_info("argmax", TP.INT64, []),
      h.make_tensor_value_info("relu", TP.FLOAT, [2, 3])])
# A float16 scalar output (not supported by onnxruntime_go v1.27).
save("scalar_f16_out", [h.make_node("ReduceMax", ["x"], ["y"], keepdims=0, name="max")],
     [h.make_tensor_value_info("x", TP.FLOAT16, [3])],
     [h.make_tensor_value_info("y", TP.FLOAT16, [])])
# Scalar inputs (float32 and float16) broadcast against vectors.
save("scalar_in", [h.make_node("Add", ["a", "b"], ["y"], name="add"),
                   h.make_node("Mul", ["ah", "bh"], ["yh"], name="mul")],
     [h.make_tensor_value_info("a", TP.FLOAT, []), h.make_tensor_value_info("b", TP.FLOAT, [3]),
      h.make_tensor_value_info("ah", TP.FLOAT16, []), h.make_tensor_value_info("bh", TP.FLOAT16, [3])],
     [h.make_tensor_value_info("y", TP.FLOAT, [3]), h.make_tensor_value_info("yh", TP.FLOAT16, [3])])
# Outputs of unknown rank (Reshape by a shape tensor of unknown length).
save("reshape_unknown_rank", [h.make_node("Reshape", ["x", "shape"], ["y"], name="reshape_f32"),
                              h.make_node("Reshape", ["xh", "shape"], ["yh"], name="reshape_f16")],
     [h.make_tensor_value_info("x", TP.FLOAT, ["N"]), h.make_tensor_value_info("xh", TP.FLOAT16, ["N"]),
      h.make_tensor_value_info("shape", TP.INT64, ["K"])],
     [h.make_tensor_value_info("y", TP.FLOAT, None), h.make_tensor_value_info("yh", TP.FLOAT16, None)],
     check=False)
# A uint16 output (gotrt's host tensors have no uint16).
save("cast_u16", [h.make_node("Cast", ["x"], ["y"], to=TP.UINT16, name="cast")],
     [h.make_tensor_value_info("x", TP.FLOAT, [2])],
     [h.make_tensor_value_info("y", TP.UINT16, [2])])
