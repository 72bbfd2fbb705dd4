# Prints a JSON digest of ONNX models (paths on argv; with --tensors, of
# TensorProto files) as the python onnx package reads them. digest_test.go
# builds the same digest from onnxpb's decoding and compares.
# Run with /usr/bin/python3.
import hashlib, json, struct, sys
import numpy as np
import onnx
from onnx import numpy_helper, TensorProto

def f32(x):
    return struct.pack("<f", x).hex()

def tensor(t):
    if t.data_type == TensorProto.STRING:
        h = hashlib.sha256()
        for s in t.string_data:
            h.update(struct.pack("<Q", len(s)) + s)
        data = "s:" + h.hexdigest()
    else:
        try:
            a = numpy_helper.to_array(t)
            if t.data_type == TensorProto.BFLOAT16 and a.dtype != np.float32:
                raise TypeError("bfloat16")
            a = np.ascontiguousarray(a.astype(np.float64).ravel())
            data = "n:%d:%s" % (a.size, hashlib.sha256(a.astype("<f8").tobytes()).hexdigest())
        except Exception as e:
            data = "err"
    return {"name": t.name, "dt": str(t.data_type), "dims": [str(d) for d in t.dims], "data": data}

def value(v):
    kind = v.type.WhichOneof("value") or ""
    d = {"name": v.name, "kind": kind, "elem": "", "shape": None}
    if kind in ("tensor_type", "sparse_tensor_type"):
        tt = getattr(v.type, kind)
        d["elem"] = str(tt.elem_type)
        if tt.HasField("shape"):
            d["shape"] = ["v:%d" % x.dim_value if x.HasField("dim_value") else
                          "p:" + x.dim_param if x.HasField("dim_param") else "?" for x in tt.shape.dim]
    return d

def attr(a):
    T = onnx.AttributeProto
    v = None
    if a.type == T.FLOAT: v = f32(a.f)
    elif a.type == T.INT: v = str(a.i)
    elif a.type == T.STRING: v = a.s.hex()
    elif a.type == T.TENSOR: v = tensor(a.t)
    elif a.type == T.GRAPH: v = graph(a.g)
    elif a.type == T.FLOATS: v = [f32(x) for x in a.floats]
    elif a.type == T.INTS: v = [str(x) for x in a.ints]
    elif a.type == T.STRINGS: v = [x.hex() for x in a.strings]
    elif a.type == T.TENSORS: v = [tensor(x) for x in a.tensors]
    elif a.type == T.GRAPHS: v = [graph(x) for x in a.graphs]
    return {"name": a.name, "type": str(a.type), "v": v}

def node(n):
    return {"op": n.op_type, "name": n.name, "domain": n.domain, "in": list(n.input),
            "out": list(n.output), "attrs": [attr(a) for a in n.attribute]}

def graph(g):
    return {"name": g.name, "nodes": [node(n) for n in g.node], "inits": [tensor(t) for t in g.initializer],
            "inputs": [value(v) for v in g.input], "outputs": [value(v) for v in g.output],
            "vi": [value(v) for v in g.value_info]}

def model(path):
    m = onnx.load(path)
    return {"ir": str(m.ir_version), "opsets": [[o.domain, str(o.version)] for o in m.opset_import],
            "producer": m.producer_name, "graph": graph(m.graph),
            "functions": [f.name for f in m.functions]}

def tensor_file(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return tensor(t)

if sys.argv[1:2] == ["--tensors"]:
    json.dump({p: tensor_file(p) for p in sys.argv[2:]}, sys.stdout)
else:
    json.dump({p: model(p) for p in sys.argv[1:]}, sys.stdout)
