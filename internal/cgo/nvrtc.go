package cgo

/*
#include <stdlib.h>
#include "gotrt/shim.h"
*/
import "C"

import "unsafe"

// NvrtcVersion calls nvrtcVersion.
func NvrtcVersion() (major, minor int, code int32) {
	var ma, mi C.int
	r := C.gotrt_nvrtc_version(&ma, &mi)
	return int(ma), int(mi), int32(r)
}

// NvrtcSupportedArchs returns the architectures NVRTC compiles for (e.g. 75, 80, ..., 90, 100).
func NvrtcSupportedArchs() ([]int, int32) {
	var buf [128]C.int
	var n C.int
	r := C.gotrt_nvrtc_supported_archs(&buf[0], C.int(len(buf)), &n)
	if r != 0 {
		return nil, int32(r)
	}
	k := int(n)
	if k > len(buf) {
		k = len(buf)
	}
	out := make([]int, k)
	for i := range out {
		out[i] = int(buf[i])
	}
	return out, 0
}

// NvrtcErrorString calls nvrtcGetErrorString ("" when NVRTC is not loaded).
func NvrtcErrorString(code int32) string {
	s := C.gotrt_nvrtc_error_string(C.int(code))
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// Compile stages reported by NvrtcCompile.
const (
	NvrtcStageCreate  = 0
	NvrtcStageCompile = 1
	NvrtcStageFetch   = 2
)

// NvrtcCompile compiles src in one call and returns the CUBIN (cubin true) or the PTX, the
// compile log, and the stage that failed.
func NvrtcCompile(src, name string, opts []string, cubin bool) (out []byte, log string, stage int, code int32) {
	csrc := C.CString(src)
	defer C.free(unsafe.Pointer(csrc))
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var copts **C.char
	if len(opts) > 0 {
		arr := C.malloc(C.size_t(len(opts)) * C.size_t(unsafe.Sizeof((*C.char)(nil))))
		defer C.free(arr)
		ptrs := unsafe.Slice((**C.char)(arr), len(opts))
		for i, o := range opts {
			ptrs[i] = C.CString(o)
		}
		defer func() {
			for i := range ptrs {
				C.free(unsafe.Pointer(ptrs[i]))
			}
		}()
		copts = (**C.char)(arr)
	}
	var cout unsafe.Pointer
	var coutlen C.size_t
	var clog *C.char
	var cstage C.int
	r := C.gotrt_nvrtc_compile(csrc, cname, C.int(len(opts)), copts, cbool(cubin), &cout, &coutlen,
		&clog, &cstage)
	if clog != nil {
		log = C.GoString(clog)
		C.free(unsafe.Pointer(clog))
	}
	if cout != nil {
		out = C.GoBytes(cout, C.int(coutlen))
		C.free(cout)
	}
	return out, log, int(cstage), int32(r)
}
