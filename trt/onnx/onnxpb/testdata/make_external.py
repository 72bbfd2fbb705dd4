# Regenerates testdata/external (run with /usr/bin/python3, onnx 1.12+):
# a tiny model whose W and shape initializers live in weights.bin.
import os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "external")
W = numpy_helper.from_array((np.arange(32, dtype=np.float32) * 0.5 - 3).reshape(8, 4), "W")
B = numpy_helper.from_array(np.array([1, -2, 3.5, 0.25], dtype=np.float32), "B")
S = numpy_helper.from_array(np.array([1, 2, 4], dtype=np.int64), "shape")
g = helper.make_graph(
    [
        helper.make_node("MatMul", ["X", "W"], ["XW"], name="matmul"),
        helper.make_node("Add", ["XW", "B"], ["Y"], name="add"),
        helper.make_node("Reshape", ["Y", "shape"], ["Z"], name="reshape"),
    ],
    "external_test",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 8])],
    [helper.make_tensor_value_info("Z", TensorProto.FLOAT, [1, 2, 4])],
    initializer=[W, B, S],
)
m = helper.make_model(g, producer_name="gotrt-testdata", opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, os.path.join(here, "model.onnx"), save_as_external_data=True,
          all_tensors_to_one_file=True, location="weights.bin", size_threshold=20)
