// Package cgo is gotrt's only cgo: C shims over the CUDA driver, NVRTC, cuBLASLt and cuDNN,
// whose functions are reached through one table of pointers per library, filled with
// dlopen/dlsym at run time. Nothing links against a CUDA library, so the same binary builds
// on a machine without CUDA and runs GPU work where the libraries exist.
//
// This is the raw layer: functions return the library's status code (0 is success),
// CodeMissingSymbol when the library lacks a function, or CodeNotLoaded when the library is
// not loaded. Package cuda turns the codes into typed errors and wraps the handles in safe
// types. The C ABI is declared in include/gotrt/shim.h.
package cgo

/*
#cgo CFLAGS: -I${SRCDIR}/../../include -O2 -Wall -Wno-unused-function
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "gotrt/shim.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// Status codes of the shims themselves (the libraries' own codes are all >= 0).
const (
	CodeMissingSymbol = int32(C.GOTRT_ERR_MISSING_SYMBOL)
	CodeNotLoaded     = int32(C.GOTRT_ERR_NOT_LOADED)
	CodeContext       = int32(C.GOTRT_ERR_CONTEXT)
)

// MsgLen is the size of the message buffers cuDNN shims fill.
const MsgLen = int(C.GOTRT_MSG_LEN)

// Lib names one of the libraries with a function table.
type Lib int

// The libraries with a function table.
const (
	LibCUDA     Lib = C.GOTRT_LIB_CUDA
	LibNVRTC    Lib = C.GOTRT_LIB_NVRTC
	LibCUBLASLt Lib = C.GOTRT_LIB_CUBLASLT
	LibCUDNN    Lib = C.GOTRT_LIB_CUDNN
)

// Dlopen opens the shared object at path (a file path or a soname searched by the dynamic
// loader). It returns 0 and the dlerror text when it fails.
func Dlopen(path string, global bool) (uintptr, string) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var errbuf [1024]C.char
	g := C.int(0)
	if global {
		g = 1
	}
	h := C.gotrt_dlopen(cpath, g, &errbuf[0], C.size_t(len(errbuf)))
	if h == 0 {
		return 0, C.GoString(&errbuf[0])
	}
	return uintptr(h), ""
}

// Dlclose closes a handle from Dlopen.
func Dlclose(h uintptr) { C.gotrt_dlclose(C.uintptr_t(h)) }

// Origin returns the path of the file that defines sym in the library h, or "".
func Origin(h uintptr, sym string) string {
	csym := C.CString(sym)
	defer C.free(unsafe.Pointer(csym))
	var out [4096]C.char
	if C.gotrt_dl_origin(C.uintptr_t(h), csym, &out[0], C.size_t(len(out))) != 0 {
		return ""
	}
	return C.GoString(&out[0])
}

// Bind fills the function table of lib from the library h and marks lib loaded. It returns
// the symbols it did not find; calling one of them later returns CodeMissingSymbol.
func Bind(lib Lib, h uintptr) (missing []string) {
	buf := make([]C.char, 16384)
	n := C.gotrt_bind(C.int(lib), C.uintptr_t(h), &buf[0], C.size_t(len(buf)))
	if n <= 0 {
		return nil
	}
	s := C.GoString(&buf[0])
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Unbind clears the function table of lib and marks it not loaded.
func Unbind(lib Lib) { C.gotrt_unbind(C.int(lib)) }

// SymbolCount returns the number of functions in the table of lib.
func SymbolCount(lib Lib) int { return int(C.gotrt_symbol_count(C.int(lib))) }

// Loaded reports whether lib's table is bound.
func Loaded(lib Lib) bool {
	if lib < 0 || lib >= C.GOTRT_LIB_COUNT {
		return false
	}
	return C.gotrt_loaded[lib] != 0
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
