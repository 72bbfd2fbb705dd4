package cgo

/*
#include <stdlib.h>
#include "gotrt/shim.h"
#cgo noescape gotrt_lt_matmul
#cgo nocallback gotrt_lt_matmul
#cgo noescape gotrt_lt_desc_set
#cgo noescape gotrt_lt_layout_set
#cgo noescape gotrt_lt_pref_set
#cgo noescape gotrt_lt_heuristic
*/
import "C"

import "unsafe"

// LtCreate calls cublasLtCreate with ctx current.
func LtCreate(ctx uintptr) (uintptr, int32) {
	var h C.uintptr_t
	r := C.gotrt_lt_create(C.uintptr_t(ctx), &h)
	return uintptr(h), int32(r)
}

// LtDestroy calls cublasLtDestroy.
func LtDestroy(ctx, h uintptr) int32 {
	return int32(C.gotrt_lt_destroy(C.uintptr_t(ctx), C.uintptr_t(h)))
}

// LtVersion returns cublasLtGetVersion (0 when not loaded).
func LtVersion() uint64 { return uint64(C.gotrt_lt_version()) }

// LtStatusStrings returns cublasLtGetStatusName and cublasLtGetStatusString of code.
func LtStatusStrings(code int32) (name, desc string) {
	var n, d *C.char
	C.gotrt_lt_status_strings(C.int(code), &n, &d)
	if n != nil {
		name = C.GoString(n)
	}
	if d != nil {
		desc = C.GoString(d)
	}
	return name, desc
}

// LtDescCreate calls cublasLtMatmulDescCreate.
func LtDescCreate(compute, scale int32) (uintptr, int32) {
	var d C.uintptr_t
	r := C.gotrt_lt_desc_create(&d, C.int(compute), C.int(scale))
	return uintptr(d), int32(r)
}

// LtDescDestroy calls cublasLtMatmulDescDestroy.
func LtDescDestroy(d uintptr) int32 { return int32(C.gotrt_lt_desc_destroy(C.uintptr_t(d))) }

// LtDescSet calls cublasLtMatmulDescSetAttribute with the bytes of buf.
func LtDescSet(d uintptr, attr int32, buf []byte) int32 {
	if len(buf) == 0 {
		return 7 // CUBLAS_STATUS_INVALID_VALUE
	}
	return int32(C.gotrt_lt_desc_set(C.uintptr_t(d), C.int(attr), unsafe.Pointer(&buf[0]),
		C.size_t(len(buf))))
}

// LtLayoutCreate calls cublasLtMatrixLayoutCreate.
func LtLayoutCreate(dtype int32, rows, cols uint64, ld int64) (uintptr, int32) {
	var l C.uintptr_t
	r := C.gotrt_lt_layout_create(&l, C.int(dtype), C.uint64_t(rows), C.uint64_t(cols),
		C.int64_t(ld))
	return uintptr(l), int32(r)
}

// LtLayoutDestroy calls cublasLtMatrixLayoutDestroy.
func LtLayoutDestroy(l uintptr) int32 { return int32(C.gotrt_lt_layout_destroy(C.uintptr_t(l))) }

// LtLayoutSet calls cublasLtMatrixLayoutSetAttribute with the bytes of buf.
func LtLayoutSet(l uintptr, attr int32, buf []byte) int32 {
	if len(buf) == 0 {
		return 7
	}
	return int32(C.gotrt_lt_layout_set(C.uintptr_t(l), C.int(attr), unsafe.Pointer(&buf[0]),
		C.size_t(len(buf))))
}

// LtPrefCreate calls cublasLtMatmulPreferenceCreate.
func LtPrefCreate() (uintptr, int32) {
	var p C.uintptr_t
	r := C.gotrt_lt_pref_create(&p)
	return uintptr(p), int32(r)
}

// LtPrefDestroy calls cublasLtMatmulPreferenceDestroy.
func LtPrefDestroy(p uintptr) int32 { return int32(C.gotrt_lt_pref_destroy(C.uintptr_t(p))) }

// LtPrefSet calls cublasLtMatmulPreferenceSetAttribute with the bytes of buf.
func LtPrefSet(p uintptr, attr int32, buf []byte) int32 {
	if len(buf) == 0 {
		return 7
	}
	return int32(C.gotrt_lt_pref_set(C.uintptr_t(p), C.int(attr), unsafe.Pointer(&buf[0]),
		C.size_t(len(buf))))
}

// LtHeuristicResult is one result of cublasLtMatmulAlgoGetHeuristic.
type LtHeuristicResult struct {
	Algo          [8]uint64
	WorkspaceSize uint64
	State         int32
	Waves         float32
}

// LtHeuristic calls cublasLtMatmulAlgoGetHeuristic for up to n algorithms.
func LtHeuristic(ctx, h, desc, a, b, c, d, pref uintptr, n int) ([]LtHeuristicResult, int32) {
	if n <= 0 {
		n = 1
	}
	res := make([]C.cublasLtMatmulHeuristicResult_t, n)
	var got C.int
	r := C.gotrt_lt_heuristic(C.uintptr_t(ctx), C.uintptr_t(h), C.uintptr_t(desc), C.uintptr_t(a),
		C.uintptr_t(b), C.uintptr_t(c), C.uintptr_t(d), C.uintptr_t(pref), C.int(n), &res[0], &got)
	if r != 0 {
		return nil, int32(r)
	}
	out := make([]LtHeuristicResult, 0, int(got))
	for i := 0; i < int(got) && i < n; i++ {
		var x LtHeuristicResult
		for j := 0; j < 8; j++ {
			x.Algo[j] = uint64(res[i].algo.data[j])
		}
		x.WorkspaceSize = uint64(res[i].workspaceSize)
		x.State = int32(res[i].state)
		x.Waves = float32(res[i].wavesCount)
		out = append(out, x)
	}
	return out, 0
}

// LtMatmul calls cublasLtMatmul. alphaBits and betaBits hold the scale-type values in their
// low bytes; algo may be nil (cuBLASLt then runs its own heuristic).
func LtMatmul(ctx, h, desc uintptr, alphaBits uint64, a uint64, ad uintptr, b uint64, bd uintptr,
	betaBits uint64, c uint64, cd uintptr, d uint64, dd uintptr, algo *[8]uint64, ws uint64,
	wsSize uint64, stream uintptr) int32 {
	var ap *C.uint64_t
	if algo != nil {
		ap = (*C.uint64_t)(unsafe.Pointer(&algo[0]))
	}
	return int32(C.gotrt_lt_matmul(C.uintptr_t(ctx), C.uintptr_t(h), C.uintptr_t(desc),
		C.uint64_t(alphaBits), C.uint64_t(a), C.uintptr_t(ad), C.uint64_t(b), C.uintptr_t(bd),
		C.uint64_t(betaBits), C.uint64_t(c), C.uintptr_t(cd), C.uint64_t(d), C.uintptr_t(dd), ap,
		C.uint64_t(ws), C.size_t(wsSize), C.uintptr_t(stream)))
}
