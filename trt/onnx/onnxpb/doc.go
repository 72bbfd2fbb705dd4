// Package onnxpb reads and writes ONNX models (ModelProto) and tensors
// (TensorProto) in the protobuf wire format, in pure Go.
//
// # Why hand-written decoding
//
// The package decodes and encodes the wire format by hand with
// google.golang.org/protobuf/encoding/protowire instead of using code generated
// from onnx.proto. The reasons:
//
//   - Control over allocation. Every length, element count and dimension is
//     checked against the bytes that remain and against overflow before
//     anything is allocated, so a hostile header (a tensor claiming dims
//     [1e12] with 8 bytes of data) is an error, not an out-of-memory crash.
//   - Errors with a path. An error says where it happened, e.g.
//     `graph "main": node 3 ("conv1"): attribute "pads": field ints (8): ...`,
//     which generated code cannot do.
//   - Bounded recursion (subgraphs nest at most MaxGraphDepth deep) and no
//     panics on any input (the package is fuzzed).
//   - Plain Go types (strings, slices, typed enums) instead of generated
//     getters, no generated code to keep in sync with the ONNX release, and no
//     reflection-based runtime.
//
// Field numbers follow onnx.proto (ONNX IR version 8 and later). Fields that
// this package does not model (training_info, quantization annotations,
// metadata on nodes and graphs, type protos in attributes, fields added by
// later ONNX releases, ...) are kept as raw wire bytes in the Unknown field of
// the enclosing message and written back unchanged by Encode, so a
// Decode→Encode round trip loses nothing. Exceptions, documented on the types:
// unknown fields inside the small KeyValue and OpsetID messages are dropped,
// and non-tensor value types (sequence, map, optional) are kept verbatim in
// ValueInfo.RawType.
//
// # Decoding and validation
//
// Decode and DecodeTensor follow protobuf semantics (an empty input is an
// empty message; for a repeated singular message the occurrences merge; for a
// scalar the last one wins; packed and unpacked repeated scalars are both
// accepted) and additionally check ONNX invariants that guard later
// allocations: tensor dims are non-negative and their product does not
// overflow, and inline data (raw_data or the typed field that ONNX uses for
// the element type) has exactly the size the dims ask for. LoadFile adds the
// model-level checks (the file is not empty and the model has a graph) and
// resolves external data, confined to the model's directory.
//
// # Host tensors
//
// (*Tensor).ToHost and FromHost convert between TensorProto and gotrt's host
// tensor (package github.com/gotrt/gotrt/tensor). Types without a host
// representation (STRING, COMPLEX*, FLOAT8*, 4-bit types) are rejected with
// ErrUnsupported; UINT16/INT16 widen to INT32 and UINT32/UINT64 to INT64.
package onnxpb
