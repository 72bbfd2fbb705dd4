package cgo

/*
#include <stdlib.h>
#include "gotrt/shim.h"
#cgo noescape gotrt_dnn_create
#cgo noescape gotrt_dnn_destroy
#cgo noescape gotrt_dnn_set_stream
#cgo noescape gotrt_dnn_tensor_create
#cgo noescape gotrt_dnn_filter_create
#cgo noescape gotrt_dnn_conv_create
#cgo noescape gotrt_dnn_conv_set_math
#cgo noescape gotrt_dnn_conv_output_dims
#cgo noescape gotrt_dnn_conv_fwd_algos
#cgo noescape gotrt_dnn_conv_fwd_ws
#cgo noescape gotrt_dnn_conv_fwd
#cgo nocallback gotrt_dnn_conv_fwd
#cgo noescape gotrt_dnn_conv_bwd_data_algos
#cgo noescape gotrt_dnn_conv_bwd_data_ws
#cgo noescape gotrt_dnn_conv_bwd_data
#cgo nocallback gotrt_dnn_conv_bwd_data
#cgo noescape gotrt_dnn_add_tensor
*/
import "C"

import "unsafe"

type dnnMsg [C.GOTRT_MSG_LEN]C.char

func (m *dnnMsg) ptr() *C.char   { return &m[0] }
func (m *dnnMsg) String() string { return C.GoString(&m[0]) }

// DnnVersion returns cudnnGetVersion (0 when not loaded).
func DnnVersion() uint64 { return uint64(C.gotrt_dnn_version()) }

// DnnErrorString returns cudnnGetErrorString of code ("" when not loaded).
func DnnErrorString(code int32) string {
	s := C.gotrt_dnn_error_string(C.int(code))
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

func cints(v []int32) *C.int {
	if len(v) == 0 {
		return nil
	}
	return (*C.int)(unsafe.Pointer(&v[0]))
}

// DnnCreate calls cudnnCreate with ctx current. msg is cudnnGetLastErrorString on failure.
func DnnCreate(ctx uintptr) (h uintptr, msg string, code int32) {
	var m dnnMsg
	var hh C.uintptr_t
	r := C.gotrt_dnn_create(C.uintptr_t(ctx), &hh, m.ptr())
	return uintptr(hh), m.String(), int32(r)
}

// DnnDestroy calls cudnnDestroy.
func DnnDestroy(ctx, h uintptr) (string, int32) {
	var m dnnMsg
	r := C.gotrt_dnn_destroy(C.uintptr_t(ctx), C.uintptr_t(h), m.ptr())
	return m.String(), int32(r)
}

// DnnSetStream calls cudnnSetStream.
func DnnSetStream(ctx, h, stream uintptr) (string, int32) {
	var m dnnMsg
	r := C.gotrt_dnn_set_stream(C.uintptr_t(ctx), C.uintptr_t(h), C.uintptr_t(stream), m.ptr())
	return m.String(), int32(r)
}

// DnnTensorCreate creates and sets an N-d tensor descriptor.
func DnnTensorCreate(dtype int32, dims, strides []int32) (uintptr, string, int32) {
	var m dnnMsg
	var d C.uintptr_t
	r := C.gotrt_dnn_tensor_create(&d, C.int(dtype), C.int(len(dims)), cints(dims), cints(strides),
		m.ptr())
	return uintptr(d), m.String(), int32(r)
}

// DnnTensorDestroy calls cudnnDestroyTensorDescriptor.
func DnnTensorDestroy(d uintptr) int32 { return int32(C.gotrt_dnn_tensor_destroy(C.uintptr_t(d))) }

// DnnFilterCreate creates and sets an N-d filter descriptor.
func DnnFilterCreate(dtype, format int32, dims []int32) (uintptr, string, int32) {
	var m dnnMsg
	var d C.uintptr_t
	r := C.gotrt_dnn_filter_create(&d, C.int(dtype), C.int(format), C.int(len(dims)), cints(dims),
		m.ptr())
	return uintptr(d), m.String(), int32(r)
}

// DnnFilterDestroy calls cudnnDestroyFilterDescriptor.
func DnnFilterDestroy(d uintptr) int32 { return int32(C.gotrt_dnn_filter_destroy(C.uintptr_t(d))) }

// DnnConvCreate creates a convolution descriptor with its group count and math type.
func DnnConvCreate(pads, strides, dilations []int32, mode, compute, groups, math int32) (uintptr, string, int32) {
	var m dnnMsg
	var d C.uintptr_t
	r := C.gotrt_dnn_conv_create(&d, C.int(len(pads)), cints(pads), cints(strides),
		cints(dilations), C.int(mode), C.int(compute), C.int(groups), C.int(math), m.ptr())
	return uintptr(d), m.String(), int32(r)
}

// DnnConvSetMath calls cudnnSetConvolutionMathType.
func DnnConvSetMath(d uintptr, math int32) (string, int32) {
	var m dnnMsg
	r := C.gotrt_dnn_conv_set_math(C.uintptr_t(d), C.int(math), m.ptr())
	return m.String(), int32(r)
}

// DnnConvDestroy calls cudnnDestroyConvolutionDescriptor.
func DnnConvDestroy(d uintptr) int32 { return int32(C.gotrt_dnn_conv_destroy(C.uintptr_t(d))) }

// DnnConvOutputDims calls cudnnGetConvolutionNdForwardOutputDim.
func DnnConvOutputDims(conv, x, w uintptr, nb int) ([]int32, string, int32) {
	var m dnnMsg
	out := make([]int32, nb)
	r := C.gotrt_dnn_conv_output_dims(C.uintptr_t(conv), C.uintptr_t(x), C.uintptr_t(w), C.int(nb),
		cints(out), m.ptr())
	return out, m.String(), int32(r)
}

// DnnAlgoPerf is one result of an algorithm query (forward or backward data).
type DnnAlgoPerf struct {
	Algo        int32
	Status      int32
	Time        float32
	Memory      uint64
	Determinism int32
	MathType    int32
}

// DnnConvFwdAlgos calls cudnnFindConvolutionForwardAlgorithm (find) or
// cudnnGetConvolutionForwardAlgorithm_v7.
func DnnConvFwdAlgos(ctx, h, x, w, conv, y uintptr, find bool, n int) ([]DnnAlgoPerf, string, int32) {
	if n <= 0 {
		n = 8
	}
	var m dnnMsg
	perf := make([]C.cudnnConvolutionFwdAlgoPerf_t, n)
	var got C.int
	r := C.gotrt_dnn_conv_fwd_algos(C.uintptr_t(ctx), C.uintptr_t(h), C.uintptr_t(x), C.uintptr_t(w),
		C.uintptr_t(conv), C.uintptr_t(y), cbool(find), C.int(n), &got, &perf[0], m.ptr())
	if r != 0 {
		return nil, m.String(), int32(r)
	}
	out := make([]DnnAlgoPerf, 0, int(got))
	for i := 0; i < int(got) && i < n; i++ {
		p := perf[i]
		out = append(out, DnnAlgoPerf{Algo: int32(p.algo), Status: int32(p.status), Time: float32(p.time),
			Memory: uint64(p.memory), Determinism: int32(p.determinism), MathType: int32(p.mathType)})
	}
	return out, "", 0
}

// DnnConvFwdWorkspace calls cudnnGetConvolutionForwardWorkspaceSize.
func DnnConvFwdWorkspace(ctx, h, x, w, conv, y uintptr, algo int32) (uint64, string, int32) {
	var m dnnMsg
	var n C.size_t
	r := C.gotrt_dnn_conv_fwd_ws(C.uintptr_t(ctx), C.uintptr_t(h), C.uintptr_t(x), C.uintptr_t(w),
		C.uintptr_t(conv), C.uintptr_t(y), C.int(algo), &n, m.ptr())
	return uint64(n), m.String(), int32(r)
}

// DnnConvFwd calls cudnnConvolutionForward; alpha and beta are doubles when dbl (DOUBLE data),
// floats otherwise.
func DnnConvFwd(ctx, h uintptr, alpha float64, x uintptr, xp uint64, w uintptr, wp uint64,
	conv uintptr, algo int32, ws, wsSize uint64, beta float64, y uintptr, yp uint64, dbl bool) (string, int32) {
	var m dnnMsg
	r := C.gotrt_dnn_conv_fwd(C.uintptr_t(ctx), C.uintptr_t(h), C.double(alpha), C.uintptr_t(x),
		C.uint64_t(xp), C.uintptr_t(w), C.uint64_t(wp), C.uintptr_t(conv), C.int(algo),
		C.uint64_t(ws), C.size_t(wsSize), C.double(beta), C.uintptr_t(y), C.uint64_t(yp), cbool(dbl),
		m.ptr())
	if r != 0 {
		return m.String(), int32(r)
	}
	return "", 0
}

// DnnConvBwdDataAlgos calls cudnnFindConvolutionBackwardDataAlgorithm (find) or
// cudnnGetConvolutionBackwardDataAlgorithm_v7.
func DnnConvBwdDataAlgos(ctx, h, w, dy, conv, dx uintptr, find bool, n int) ([]DnnAlgoPerf, string, int32) {
	if n <= 0 {
		n = 8
	}
	var m dnnMsg
	perf := make([]C.cudnnConvolutionBwdDataAlgoPerf_t, n)
	var got C.int
	r := C.gotrt_dnn_conv_bwd_data_algos(C.uintptr_t(ctx), C.uintptr_t(h), C.uintptr_t(w),
		C.uintptr_t(dy), C.uintptr_t(conv), C.uintptr_t(dx), cbool(find), C.int(n), &got, &perf[0],
		m.ptr())
	if r != 0 {
		return nil, m.String(), int32(r)
	}
	out := make([]DnnAlgoPerf, 0, int(got))
	for i := 0; i < int(got) && i < n; i++ {
		p := perf[i]
		out = append(out, DnnAlgoPerf{Algo: int32(p.algo), Status: int32(p.status), Time: float32(p.time),
			Memory: uint64(p.memory), Determinism: int32(p.determinism), MathType: int32(p.mathType)})
	}
	return out, "", 0
}

// DnnConvBwdDataWorkspace calls cudnnGetConvolutionBackwardDataWorkspaceSize.
func DnnConvBwdDataWorkspace(ctx, h, w, dy, conv, dx uintptr, algo int32) (uint64, string, int32) {
	var m dnnMsg
	var n C.size_t
	r := C.gotrt_dnn_conv_bwd_data_ws(C.uintptr_t(ctx), C.uintptr_t(h), C.uintptr_t(w),
		C.uintptr_t(dy), C.uintptr_t(conv), C.uintptr_t(dx), C.int(algo), &n, m.ptr())
	return uint64(n), m.String(), int32(r)
}

// DnnConvBwdData calls cudnnConvolutionBackwardData.
func DnnConvBwdData(ctx, h uintptr, alpha float64, w uintptr, wp uint64, dy uintptr, dyp uint64,
	conv uintptr, algo int32, ws, wsSize uint64, beta float64, dx uintptr, dxp uint64, dbl bool) (string, int32) {
	var m dnnMsg
	r := C.gotrt_dnn_conv_bwd_data(C.uintptr_t(ctx), C.uintptr_t(h), C.double(alpha), C.uintptr_t(w),
		C.uint64_t(wp), C.uintptr_t(dy), C.uint64_t(dyp), C.uintptr_t(conv), C.int(algo),
		C.uint64_t(ws), C.size_t(wsSize), C.double(beta), C.uintptr_t(dx), C.uint64_t(dxp),
		cbool(dbl), m.ptr())
	if r != 0 {
		return m.String(), int32(r)
	}
	return "", 0
}

// DnnAddTensor calls cudnnAddTensor (C = alpha*A + beta*C, A broadcast).
func DnnAddTensor(ctx, h uintptr, alpha float64, a uintptr, ap uint64, beta float64, c uintptr,
	cp uint64, dbl bool) (string, int32) {
	var m dnnMsg
	r := C.gotrt_dnn_add_tensor(C.uintptr_t(ctx), C.uintptr_t(h), C.double(alpha), C.uintptr_t(a),
		C.uint64_t(ap), C.double(beta), C.uintptr_t(c), C.uint64_t(cp), cbool(dbl), m.ptr())
	if r != 0 {
		return m.String(), int32(r)
	}
	return "", 0
}
