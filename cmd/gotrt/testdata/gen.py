#!/usr/bin/python3
"""Writes the small ONNX models that cmd/gotrt's tests use.

Run once from this folder with Debian's python3-onnx:  /usr/bin/python3 gen.py
The files are committed; the script documents how they were made. Weights come
from a fixed seed so re-running gives the same bytes.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
OPSET = [helper.make_opsetid("", 17)]


def f32(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def save(model, name, check=True):
    model.ir_version = 8
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, name)


def init(name, arr):
    return numpy_helper.from_array(arr, name)


# elementwise.onnx: y = Sigmoid(Relu(x * w + b)) ; z = Tanh(x) + Cast(k)
# Ops every importer stage handles; the weights are not representable in FP16
# exactly, so an FP16 engine differs from FP32 by ~1e-3 relative.
def elementwise():
    nodes = [
        helper.make_node("Mul", ["x", "w"], ["xw"], name="scale"),
        helper.make_node("Add", ["xw", "b"], ["xwb"], name="shift"),
        helper.make_node("Relu", ["xwb"], ["r"], name="relu"),
        helper.make_node("Sigmoid", ["r"], ["y"], name="sigmoid"),
        helper.make_node("Tanh", ["x"], ["t"], name="tanh"),
        helper.make_node("Cast", ["k"], ["kf"], name="cast_k", to=TensorProto.FLOAT),
        helper.make_node("Add", ["t", "kf"], ["z"], name="add_k"),
    ]
    g = helper.make_graph(
        nodes, "elementwise",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8]),
         helper.make_tensor_value_info("k", TensorProto.INT64, [2, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 8])],
        [init("w", f32(8, scale=3.0) + np.float32(1.2345678)), init("b", f32(8))])
    save(helper.make_model(g, opset_imports=OPSET, producer_name="gotrt-testdata"), "elementwise.onnx")


# dynbatch.onnx: a dynamic batch dim ("batch", 4) through element-wise ops.
def dynbatch():
    nodes = [
        helper.make_node("Mul", ["x", "w"], ["xw"], name="scale"),
        helper.make_node("Add", ["xw", "b"], ["xwb"], name="shift"),
        helper.make_node("Tanh", ["xwb"], ["y"], name="tanh"),
    ]
    g = helper.make_graph(
        nodes, "dynbatch",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
        [init("w", f32(4)), init("b", f32(4))])
    save(helper.make_model(g, opset_imports=OPSET), "dynbatch.onnx")


# mlp.onnx: a small classifier, dynamic batch: MatMul/Add/Relu x2, Softmax.
def mlp():
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h1"], name="fc1"),
        helper.make_node("Add", ["h1", "b1"], ["h1b"], name="fc1_bias"),
        helper.make_node("Relu", ["h1b"], ["a1"], name="relu1"),
        helper.make_node("MatMul", ["a1", "w2"], ["h2"], name="fc2"),
        helper.make_node("Add", ["h2", "b2"], ["logits"], name="fc2_bias"),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1),
    ]
    g = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 16])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 10])],
        [init("w1", f32(16, 32, scale=0.3)), init("b1", f32(32, scale=0.1)),
         init("w2", f32(32, 10, scale=0.3)), init("b2", f32(10, scale=0.1))])
    save(helper.make_model(g, opset_imports=OPSET), "mlp.onnx")


# conv.onnx: Conv/Relu/MaxPool/GlobalAveragePool/Flatten/Gemm.
def conv():
    nodes = [
        helper.make_node("Conv", ["x", "cw", "cb"], ["c"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["cr"], name="relu1"),
        helper.make_node("MaxPool", ["cr"], ["p"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fw", "fb"], ["y"], name="fc", transB=1),
    ]
    g = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])],
        [init("cw", f32(4, 3, 3, 3, scale=0.3)), init("cb", f32(4, scale=0.1)),
         init("fw", f32(5, 4, scale=0.5)), init("fb", f32(5, scale=0.1))])
    save(helper.make_model(g, opset_imports=OPSET), "conv.onnx")


# Bad models, each broken in one way.
def bad():
    os.makedirs("bad", exist_ok=True)
    open("bad/empty.onnx", "wb").close()
    with open("bad/text.onnx", "w") as f:
        f.write("this is not an ONNX model\n")
    with open("elementwise.onnx", "rb") as f:
        data = f.read()
    with open("bad/truncated.onnx", "wb") as f:
        f.write(data[: len(data) * 2 // 3])

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    g = helper.make_graph([helper.make_node("FooBar", ["x"], ["y"], name="foo")], "unknown_op", [x], [y])
    save(helper.make_model(g, opset_imports=OPSET), "bad/unknown_op.onnx", check=False)

    g = helper.make_graph([helper.make_node("Add", ["x", "w_missing"], ["y"], name="add")], "missing_init", [x], [y])
    save(helper.make_model(g, opset_imports=OPSET), "bad/missing_init.onnx", check=False)

    # An initializer whose external data location climbs out of the folder.
    os.makedirs("bad/escape", exist_ok=True)
    w = TensorProto()
    w.name, w.data_type = "w", TensorProto.FLOAT
    w.dims.extend([2, 3])
    w.data_location = TensorProto.EXTERNAL
    for k, v in (("location", "../x"), ("offset", "0"), ("length", "24")):
        e = w.external_data.add()
        e.key, e.value = k, v
    g = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")], "escape", [x], [y], [w])
    save(helper.make_model(g, opset_imports=OPSET), "bad/escape/model.onnx", check=False)


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    elementwise()
    dynbatch()
    mlp()
    conv()
    bad()
