package cgo

/*
#include <stdlib.h>
#include "gotrt/shim.h"
#cgo noescape gotrt_cu_htod
#cgo nocallback gotrt_cu_htod
#cgo noescape gotrt_cu_dtoh
#cgo nocallback gotrt_cu_dtoh
#cgo noescape gotrt_cu_launch
#cgo nocallback gotrt_cu_launch
#cgo noescape gotrt_cu_device_attrs
#cgo noescape gotrt_cu_event_elapsed
#cgo noescape gotrt_cu_module_load
*/
import "C"

import (
	"unsafe"
)

// CuInit calls cuInit(0).
func CuInit() int32 { return int32(C.gotrt_cu_init(0)) }

// CuDriverVersion returns the driver's CUDA version (e.g. 13000).
func CuDriverVersion() (int, int32) {
	var v C.int
	r := C.gotrt_cu_driver_version(&v)
	return int(v), int32(r)
}

// CuErrorStrings returns cuGetErrorName and cuGetErrorString of code ("" when unknown).
func CuErrorStrings(code int32) (name, desc string) {
	var n, d *C.char
	C.gotrt_cu_error_strings(C.int(code), &n, &d)
	if n != nil {
		name = C.GoString(n)
	}
	if d != nil {
		desc = C.GoString(d)
	}
	return name, desc
}

// CuDeviceCount calls cuDeviceGetCount.
func CuDeviceCount() (int, int32) {
	var n C.int
	r := C.gotrt_cu_device_count(&n)
	return int(n), int32(r)
}

// CuDeviceGet calls cuDeviceGet.
func CuDeviceGet(ordinal int) (int32, int32) {
	var d C.int
	r := C.gotrt_cu_device_get(C.int(ordinal), &d)
	return int32(d), int32(r)
}

// DeviceProps are the device properties the driver reports in one call.
type DeviceProps struct {
	Name     string
	TotalMem uint64
	PCIBusID string
	UUID     [16]byte
}

// CuDeviceProps returns the name, total memory, PCI bus id and UUID of dev.
func CuDeviceProps(dev int32) (DeviceProps, int32) {
	var name [256]C.char
	var bus [64]C.char
	var uuid [16]C.uchar
	var total C.size_t
	r := C.gotrt_cu_device_props(C.int(dev), &name[0], C.int(len(name)), &total, &bus[0],
		C.int(len(bus)), &uuid[0])
	var p DeviceProps
	if r != 0 {
		return p, int32(r)
	}
	p.Name = C.GoString(&name[0])
	p.TotalMem = uint64(total)
	p.PCIBusID = C.GoString(&bus[0])
	for i := range uuid {
		p.UUID[i] = byte(uuid[i])
	}
	return p, 0
}

// CuDeviceAttrs reads several device attributes in one call; an attribute the driver does
// not know reads as -1.
func CuDeviceAttrs(dev int32, attrs []int32) ([]int32, int32) {
	vals := make([]int32, len(attrs))
	if len(attrs) == 0 {
		return vals, 0
	}
	r := C.gotrt_cu_device_attrs(C.int(dev), (*C.int)(unsafe.Pointer(&attrs[0])),
		(*C.int)(unsafe.Pointer(&vals[0])), C.int(len(attrs)))
	return vals, int32(r)
}

// CuCtxRetain retains the primary context of dev and makes it current.
func CuCtxRetain(dev int32) (uintptr, int32) {
	var c C.uintptr_t
	r := C.gotrt_cu_ctx_retain(C.int(dev), &c)
	return uintptr(c), int32(r)
}

// CuCtxRelease releases the primary context of dev.
func CuCtxRelease(dev int32) int32 { return int32(C.gotrt_cu_ctx_release(C.int(dev))) }

// CuCtxSync synchronizes ctx.
func CuCtxSync(ctx uintptr) int32 { return int32(C.gotrt_cu_ctx_sync(C.uintptr_t(ctx))) }

// CuMemInfo calls cuMemGetInfo_v2.
func CuMemInfo(ctx uintptr) (free, total uint64, code int32) {
	var f, t C.size_t
	r := C.gotrt_cu_mem_info(C.uintptr_t(ctx), &f, &t)
	return uint64(f), uint64(t), int32(r)
}

// CuMalloc calls cuMemAlloc_v2.
func CuMalloc(ctx uintptr, n uint64) (uint64, int32) {
	var p C.uint64_t
	r := C.gotrt_cu_malloc(C.uintptr_t(ctx), &p, C.size_t(n))
	return uint64(p), int32(r)
}

// CuFree calls cuMemFree_v2.
func CuFree(ctx uintptr, p uint64) int32 {
	return int32(C.gotrt_cu_free(C.uintptr_t(ctx), C.uint64_t(p)))
}

// CuHtoD copies n bytes from host memory src (which must hold no Go pointers) to dst.
func CuHtoD(ctx uintptr, dst uint64, src unsafe.Pointer, n uint64) int32 {
	return int32(C.gotrt_cu_htod(C.uintptr_t(ctx), C.uint64_t(dst), src, C.size_t(n)))
}

// CuDtoH copies n bytes from src to host memory dst (which must hold no Go pointers).
func CuDtoH(ctx uintptr, dst unsafe.Pointer, src uint64, n uint64) int32 {
	return int32(C.gotrt_cu_dtoh(C.uintptr_t(ctx), dst, C.uint64_t(src), C.size_t(n)))
}

// CuDtoD copies n bytes between device buffers.
func CuDtoD(ctx uintptr, dst, src, n uint64) int32 {
	return int32(C.gotrt_cu_dtod(C.uintptr_t(ctx), C.uint64_t(dst), C.uint64_t(src), C.size_t(n)))
}

// CuHtoDAsync copies from pinned C host memory on stream.
func CuHtoDAsync(ctx uintptr, dst uint64, host unsafe.Pointer, n uint64, stream uintptr) int32 {
	return int32(C.gotrt_cu_htod_async(C.uintptr_t(ctx), C.uint64_t(dst), host, C.size_t(n),
		C.uintptr_t(stream)))
}

// CuDtoHAsync copies to pinned C host memory on stream.
func CuDtoHAsync(ctx uintptr, host unsafe.Pointer, src, n uint64, stream uintptr) int32 {
	return int32(C.gotrt_cu_dtoh_async(C.uintptr_t(ctx), host, C.uint64_t(src), C.size_t(n),
		C.uintptr_t(stream)))
}

// CuDtoDAsync copies between device buffers on stream.
func CuDtoDAsync(ctx uintptr, dst, src, n uint64, stream uintptr) int32 {
	return int32(C.gotrt_cu_dtod_async(C.uintptr_t(ctx), C.uint64_t(dst), C.uint64_t(src),
		C.size_t(n), C.uintptr_t(stream)))
}

// CuMemsetD8 sets n bytes at dst to v (on stream when async).
func CuMemsetD8(ctx uintptr, dst uint64, v uint8, n uint64, stream uintptr, async bool) int32 {
	return int32(C.gotrt_cu_memset_d8(C.uintptr_t(ctx), C.uint64_t(dst), C.uchar(v), C.size_t(n),
		C.uintptr_t(stream), cbool(async)))
}

// CuMemsetD32 sets n 32-bit words at dst to v (on stream when async).
func CuMemsetD32(ctx uintptr, dst uint64, v uint32, n uint64, stream uintptr, async bool) int32 {
	return int32(C.gotrt_cu_memset_d32(C.uintptr_t(ctx), C.uint64_t(dst), C.uint(v), C.size_t(n),
		C.uintptr_t(stream), cbool(async)))
}

// CuHostAlloc calls cuMemHostAlloc; the memory is C memory, page-locked.
func CuHostAlloc(ctx uintptr, n uint64, flags uint32) (unsafe.Pointer, int32) {
	var p unsafe.Pointer
	r := C.gotrt_cu_host_alloc(C.uintptr_t(ctx), &p, C.size_t(n), C.uint(flags))
	return p, int32(r)
}

// CuHostFree calls cuMemFreeHost.
func CuHostFree(ctx uintptr, p unsafe.Pointer) int32 {
	return int32(C.gotrt_cu_host_free(C.uintptr_t(ctx), p))
}

// CuStreamCreate calls cuStreamCreate.
func CuStreamCreate(ctx uintptr, flags uint32) (uintptr, int32) {
	var s C.uintptr_t
	r := C.gotrt_cu_stream_create(C.uintptr_t(ctx), &s, C.uint(flags))
	return uintptr(s), int32(r)
}

// CuStreamSync calls cuStreamSynchronize.
func CuStreamSync(ctx, s uintptr) int32 {
	return int32(C.gotrt_cu_stream_sync(C.uintptr_t(ctx), C.uintptr_t(s)))
}

// CuStreamQuery calls cuStreamQuery.
func CuStreamQuery(ctx, s uintptr) int32 {
	return int32(C.gotrt_cu_stream_query(C.uintptr_t(ctx), C.uintptr_t(s)))
}

// CuStreamDestroy calls cuStreamDestroy_v2.
func CuStreamDestroy(ctx, s uintptr) int32 {
	return int32(C.gotrt_cu_stream_destroy(C.uintptr_t(ctx), C.uintptr_t(s)))
}

// CuStreamWaitEvent calls cuStreamWaitEvent.
func CuStreamWaitEvent(ctx, s, e uintptr) int32 {
	return int32(C.gotrt_cu_stream_wait_event(C.uintptr_t(ctx), C.uintptr_t(s), C.uintptr_t(e)))
}

// CuEventCreate calls cuEventCreate.
func CuEventCreate(ctx uintptr, flags uint32) (uintptr, int32) {
	var e C.uintptr_t
	r := C.gotrt_cu_event_create(C.uintptr_t(ctx), &e, C.uint(flags))
	return uintptr(e), int32(r)
}

// CuEventRecord calls cuEventRecord.
func CuEventRecord(ctx, e, s uintptr) int32 {
	return int32(C.gotrt_cu_event_record(C.uintptr_t(ctx), C.uintptr_t(e), C.uintptr_t(s)))
}

// CuEventSync calls cuEventSynchronize.
func CuEventSync(ctx, e uintptr) int32 {
	return int32(C.gotrt_cu_event_sync(C.uintptr_t(ctx), C.uintptr_t(e)))
}

// CuEventQuery calls cuEventQuery.
func CuEventQuery(ctx, e uintptr) int32 {
	return int32(C.gotrt_cu_event_query(C.uintptr_t(ctx), C.uintptr_t(e)))
}

// CuEventElapsed calls cuEventElapsedTime(_v2) and returns milliseconds.
func CuEventElapsed(ctx, start, end uintptr) (float32, int32) {
	var ms C.float
	r := C.gotrt_cu_event_elapsed(C.uintptr_t(ctx), &ms, C.uintptr_t(start), C.uintptr_t(end))
	return float32(ms), int32(r)
}

// CuEventDestroy calls cuEventDestroy_v2.
func CuEventDestroy(ctx, e uintptr) int32 {
	return int32(C.gotrt_cu_event_destroy(C.uintptr_t(ctx), C.uintptr_t(e)))
}

// CuModuleLoad loads a CUBIN, fatbin or NUL-terminated PTX image; log is the JIT error log.
func CuModuleLoad(ctx uintptr, image []byte) (mod uintptr, log string, code int32) {
	if len(image) == 0 {
		return 0, "", 1 // CUDA_ERROR_INVALID_VALUE
	}
	logbuf := make([]C.char, 16384)
	var m C.uintptr_t
	r := C.gotrt_cu_module_load(C.uintptr_t(ctx), &m, unsafe.Pointer(&image[0]), &logbuf[0],
		C.uint(len(logbuf)))
	return uintptr(m), C.GoString(&logbuf[0]), int32(r)
}

// CuModuleFunction calls cuModuleGetFunction.
func CuModuleFunction(ctx, mod uintptr, name string) (uintptr, int32) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var f C.uintptr_t
	r := C.gotrt_cu_module_function(C.uintptr_t(ctx), &f, C.uintptr_t(mod), cname)
	return uintptr(f), int32(r)
}

// CuModuleUnload calls cuModuleUnload.
func CuModuleUnload(ctx, mod uintptr) int32 {
	return int32(C.gotrt_cu_module_unload(C.uintptr_t(ctx), C.uintptr_t(mod)))
}

// CuFuncGetAttr calls cuFuncGetAttribute.
func CuFuncGetAttr(ctx, fn uintptr, attr int32) (int32, int32) {
	var v C.int
	r := C.gotrt_cu_func_get_attr(C.uintptr_t(ctx), &v, C.int(attr), C.uintptr_t(fn))
	return int32(v), int32(r)
}

// CuFuncSetAttr calls cuFuncSetAttribute.
func CuFuncSetAttr(ctx, fn uintptr, attr, v int32) int32 {
	return int32(C.gotrt_cu_func_set_attr(C.uintptr_t(ctx), C.uintptr_t(fn), C.int(attr), C.int(v)))
}

// CuOccupancy calls cuOccupancyMaxActiveBlocksPerMultiprocessor.
func CuOccupancy(ctx, fn uintptr, blockSize int32, dynSmem uint64) (int32, int32) {
	var b C.int
	r := C.gotrt_cu_occupancy(C.uintptr_t(ctx), &b, C.uintptr_t(fn), C.int(blockSize),
		C.size_t(dynSmem))
	return int32(b), int32(r)
}

// CuLaunch launches fn. Argument i is the bytes of argbuf at offsets[i]; argbuf must hold no
// Go pointers. cuLaunchKernel copies the arguments before it returns.
func CuLaunch(ctx, fn uintptr, grid, block [3]uint32, shmem uint32, stream uintptr,
	argbuf []byte, offsets []int32) int32 {
	var ab unsafe.Pointer
	var off *C.int32_t
	if len(argbuf) > 0 {
		ab = unsafe.Pointer(&argbuf[0])
	}
	if len(offsets) > 0 {
		off = (*C.int32_t)(unsafe.Pointer(&offsets[0]))
	}
	return int32(C.gotrt_cu_launch(C.uintptr_t(ctx), C.uintptr_t(fn),
		C.uint(grid[0]), C.uint(grid[1]), C.uint(grid[2]),
		C.uint(block[0]), C.uint(block[1]), C.uint(block[2]),
		C.uint(shmem), C.uintptr_t(stream), ab, off, C.int(len(offsets))))
}

// CuBeginCapture calls cuStreamBeginCapture_v2.
func CuBeginCapture(ctx, s uintptr, mode int32) int32 {
	return int32(C.gotrt_cu_begin_capture(C.uintptr_t(ctx), C.uintptr_t(s), C.int(mode)))
}

// CuEndCapture calls cuStreamEndCapture.
func CuEndCapture(ctx, s uintptr) (uintptr, int32) {
	var g C.uintptr_t
	r := C.gotrt_cu_end_capture(C.uintptr_t(ctx), C.uintptr_t(s), &g)
	return uintptr(g), int32(r)
}

// CuGraphInstantiate calls cuGraphInstantiateWithFlags.
func CuGraphInstantiate(ctx, g uintptr, flags uint64) (uintptr, int32) {
	var e C.uintptr_t
	r := C.gotrt_cu_graph_instantiate(C.uintptr_t(ctx), &e, C.uintptr_t(g), C.ulonglong(flags))
	return uintptr(e), int32(r)
}

// CuGraphLaunch calls cuGraphLaunch.
func CuGraphLaunch(ctx, e, s uintptr) int32 {
	return int32(C.gotrt_cu_graph_launch(C.uintptr_t(ctx), C.uintptr_t(e), C.uintptr_t(s)))
}

// CuGraphDestroy calls cuGraphDestroy.
func CuGraphDestroy(ctx, g uintptr) int32 {
	return int32(C.gotrt_cu_graph_destroy(C.uintptr_t(ctx), C.uintptr_t(g)))
}

// CuGraphExecDestroy calls cuGraphExecDestroy.
func CuGraphExecDestroy(ctx, e uintptr) int32 {
	return int32(C.gotrt_cu_graph_exec_destroy(C.uintptr_t(ctx), C.uintptr_t(e)))
}
