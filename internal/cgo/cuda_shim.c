// gotrt: CUDA driver shims. Each one makes the context current (when it is given one) and
// makes its call, in one cgo call.
#include <stdlib.h>
#include <string.h>

#include "gotrt/shim.h"

#define CU_NEED(fn)                                                                                \
  do {                                                                                             \
    if (!gotrt_loaded[GOTRT_LIB_CUDA]) return GOTRT_ERR_NOT_LOADED;                                \
    if (!gotrt_cu.fn) return GOTRT_ERR_MISSING_SYMBOL;                                             \
  } while (0)

/* Makes ctx current on this thread unless it already is. */
static int ctx_on(uintptr_t ctx) {
  if (!ctx) return CUDA_SUCCESS;
  CU_NEED(cuCtxSetCurrent);
  if (gotrt_cu.cuCtxGetCurrent) {
    CUcontext cur = NULL;
    if (gotrt_cu.cuCtxGetCurrent(&cur) == CUDA_SUCCESS && cur == (CUcontext)ctx) return CUDA_SUCCESS;
  }
  return gotrt_cu.cuCtxSetCurrent((CUcontext)ctx);
}

#define CU_CTX(ctx)                                                                                \
  do {                                                                                             \
    int _r = ctx_on(ctx);                                                                          \
    if (_r != CUDA_SUCCESS) return _r;                                                             \
  } while (0)

int gotrt_cu_init(unsigned int flags) {
  CU_NEED(cuInit);
  return gotrt_cu.cuInit(flags);
}

int gotrt_cu_driver_version(int *version) {
  CU_NEED(cuDriverGetVersion);
  return gotrt_cu.cuDriverGetVersion(version);
}

void gotrt_cu_error_strings(int code, const char **name, const char **desc) {
  *name = NULL;
  *desc = NULL;
  if (!gotrt_loaded[GOTRT_LIB_CUDA]) return;
  if (gotrt_cu.cuGetErrorName && gotrt_cu.cuGetErrorName(code, name) != CUDA_SUCCESS) *name = NULL;
  if (gotrt_cu.cuGetErrorString && gotrt_cu.cuGetErrorString(code, desc) != CUDA_SUCCESS)
    *desc = NULL;
}

int gotrt_cu_device_count(int *count) {
  CU_NEED(cuDeviceGetCount);
  return gotrt_cu.cuDeviceGetCount(count);
}

int gotrt_cu_device_get(int ordinal, int *dev) {
  CU_NEED(cuDeviceGet);
  return gotrt_cu.cuDeviceGet(dev, ordinal);
}

int gotrt_cu_device_props(int dev, char *name, int namelen, size_t *total, char *busid,
                          int buslen, unsigned char *uuid16) {
  CU_NEED(cuDeviceGetName);
  CU_NEED(cuDeviceTotalMem);
  int r = gotrt_cu.cuDeviceGetName(name, namelen, dev);
  if (r != CUDA_SUCCESS) return r;
  r = gotrt_cu.cuDeviceTotalMem(total, dev);
  if (r != CUDA_SUCCESS) return r;
  if (busid && buslen > 0) {
    busid[0] = 0;
    if (gotrt_cu.cuDeviceGetPCIBusId) gotrt_cu.cuDeviceGetPCIBusId(busid, buslen, dev);
  }
  if (uuid16) {
    memset(uuid16, 0, 16);
    CUuuid u;
    if (gotrt_cu.cuDeviceGetUuid && gotrt_cu.cuDeviceGetUuid(&u, dev) == CUDA_SUCCESS)
      memcpy(uuid16, u.bytes, 16);
  }
  return CUDA_SUCCESS;
}

int gotrt_cu_device_attrs(int dev, const int *attrs, int *vals, int n) {
  CU_NEED(cuDeviceGetAttribute);
  for (int i = 0; i < n; i++) {
    int r = gotrt_cu.cuDeviceGetAttribute(&vals[i], attrs[i], dev);
    if (r != CUDA_SUCCESS) {
      /* An attribute this driver does not know reads as -1; other errors stop. */
      if (r == CUDA_ERROR_INVALID_VALUE) {
        vals[i] = -1;
        continue;
      }
      return r;
    }
  }
  return CUDA_SUCCESS;
}

int gotrt_cu_ctx_retain(int dev, uintptr_t *ctx) {
  CU_NEED(cuDevicePrimaryCtxRetain);
  CUcontext c = NULL;
  int r = gotrt_cu.cuDevicePrimaryCtxRetain(&c, dev);
  if (r != CUDA_SUCCESS) return r;
  *ctx = (uintptr_t)c;
  return ctx_on((uintptr_t)c);
}

int gotrt_cu_ctx_release(int dev) {
  CU_NEED(cuDevicePrimaryCtxRelease);
  return gotrt_cu.cuDevicePrimaryCtxRelease(dev);
}

int gotrt_cu_ctx_sync(uintptr_t ctx) {
  CU_NEED(cuCtxSynchronize);
  CU_CTX(ctx);
  return gotrt_cu.cuCtxSynchronize();
}

int gotrt_cu_mem_info(uintptr_t ctx, size_t *free_bytes, size_t *total_bytes) {
  CU_NEED(cuMemGetInfo);
  CU_CTX(ctx);
  return gotrt_cu.cuMemGetInfo(free_bytes, total_bytes);
}

int gotrt_cu_malloc(uintptr_t ctx, uint64_t *dptr, size_t n) {
  CU_NEED(cuMemAlloc);
  CU_CTX(ctx);
  CUdeviceptr p = 0;
  int r = gotrt_cu.cuMemAlloc(&p, n);
  *dptr = (uint64_t)p;
  return r;
}

int gotrt_cu_free(uintptr_t ctx, uint64_t dptr) {
  CU_NEED(cuMemFree);
  CU_CTX(ctx);
  return gotrt_cu.cuMemFree((CUdeviceptr)dptr);
}

/* The synchronous copies and memsets of the legacy API may return before the device has
 * finished (host-to-device from pageable memory returns once the data is staged;
 * device-to-device and memset do not wait at all), and work on non-blocking streams is not
 * ordered after them. gotrt's synchronous operations therefore wait for the legacy default
 * stream before returning, so that they are complete when they return. */
static int wait_legacy(int r) {
  if (r != CUDA_SUCCESS) return r;
  if (!gotrt_cu.cuStreamSynchronize) return GOTRT_ERR_MISSING_SYMBOL;
  return gotrt_cu.cuStreamSynchronize(NULL);
}

int gotrt_cu_htod(uintptr_t ctx, uint64_t dst, const void *src, size_t n) {
  CU_NEED(cuMemcpyHtoD);
  CU_CTX(ctx);
  return wait_legacy(gotrt_cu.cuMemcpyHtoD((CUdeviceptr)dst, src, n));
}

int gotrt_cu_dtoh(uintptr_t ctx, void *dst, uint64_t src, size_t n) {
  CU_NEED(cuMemcpyDtoH);
  CU_CTX(ctx);
  return gotrt_cu.cuMemcpyDtoH(dst, (CUdeviceptr)src, n);
}

int gotrt_cu_dtod(uintptr_t ctx, uint64_t dst, uint64_t src, size_t n) {
  CU_NEED(cuMemcpyDtoD);
  CU_CTX(ctx);
  return wait_legacy(gotrt_cu.cuMemcpyDtoD((CUdeviceptr)dst, (CUdeviceptr)src, n));
}

int gotrt_cu_htod_async(uintptr_t ctx, uint64_t dst, const void *host, size_t n, uintptr_t stream) {
  CU_NEED(cuMemcpyHtoDAsync);
  CU_CTX(ctx);
  return gotrt_cu.cuMemcpyHtoDAsync((CUdeviceptr)dst, host, n, (CUstream)stream);
}

int gotrt_cu_dtoh_async(uintptr_t ctx, void *host, uint64_t src, size_t n, uintptr_t stream) {
  CU_NEED(cuMemcpyDtoHAsync);
  CU_CTX(ctx);
  return gotrt_cu.cuMemcpyDtoHAsync(host, (CUdeviceptr)src, n, (CUstream)stream);
}

int gotrt_cu_dtod_async(uintptr_t ctx, uint64_t dst, uint64_t src, size_t n, uintptr_t stream) {
  CU_NEED(cuMemcpyDtoDAsync);
  CU_CTX(ctx);
  return gotrt_cu.cuMemcpyDtoDAsync((CUdeviceptr)dst, (CUdeviceptr)src, n, (CUstream)stream);
}

int gotrt_cu_memset_d8(uintptr_t ctx, uint64_t dst, unsigned char v, size_t n, uintptr_t stream,
                       int async) {
  if (async) {
    CU_NEED(cuMemsetD8Async);
    CU_CTX(ctx);
    return gotrt_cu.cuMemsetD8Async((CUdeviceptr)dst, v, n, (CUstream)stream);
  }
  CU_NEED(cuMemsetD8);
  CU_CTX(ctx);
  return wait_legacy(gotrt_cu.cuMemsetD8((CUdeviceptr)dst, v, n));
}

int gotrt_cu_memset_d32(uintptr_t ctx, uint64_t dst, unsigned int v, size_t n, uintptr_t stream,
                        int async) {
  if (async) {
    CU_NEED(cuMemsetD32Async);
    CU_CTX(ctx);
    return gotrt_cu.cuMemsetD32Async((CUdeviceptr)dst, v, n, (CUstream)stream);
  }
  CU_NEED(cuMemsetD32);
  CU_CTX(ctx);
  return wait_legacy(gotrt_cu.cuMemsetD32((CUdeviceptr)dst, v, n));
}

int gotrt_cu_host_alloc(uintptr_t ctx, void **p, size_t n, unsigned int flags) {
  *p = NULL;
  CU_NEED(cuMemHostAlloc);
  CU_CTX(ctx);
  return gotrt_cu.cuMemHostAlloc(p, n, flags);
}

int gotrt_cu_host_free(uintptr_t ctx, void *p) {
  CU_NEED(cuMemFreeHost);
  CU_CTX(ctx);
  return gotrt_cu.cuMemFreeHost(p);
}

int gotrt_cu_stream_create(uintptr_t ctx, uintptr_t *s, unsigned int flags) {
  CU_NEED(cuStreamCreate);
  CU_CTX(ctx);
  CUstream st = NULL;
  int r = gotrt_cu.cuStreamCreate(&st, flags);
  *s = (uintptr_t)st;
  return r;
}

int gotrt_cu_stream_sync(uintptr_t ctx, uintptr_t s) {
  CU_NEED(cuStreamSynchronize);
  CU_CTX(ctx);
  return gotrt_cu.cuStreamSynchronize((CUstream)s);
}

int gotrt_cu_stream_query(uintptr_t ctx, uintptr_t s) {
  CU_NEED(cuStreamQuery);
  CU_CTX(ctx);
  return gotrt_cu.cuStreamQuery((CUstream)s);
}

int gotrt_cu_stream_destroy(uintptr_t ctx, uintptr_t s) {
  CU_NEED(cuStreamDestroy);
  CU_CTX(ctx);
  return gotrt_cu.cuStreamDestroy((CUstream)s);
}

int gotrt_cu_stream_wait_event(uintptr_t ctx, uintptr_t s, uintptr_t e) {
  CU_NEED(cuStreamWaitEvent);
  CU_CTX(ctx);
  return gotrt_cu.cuStreamWaitEvent((CUstream)s, (CUevent)e, 0);
}

int gotrt_cu_event_create(uintptr_t ctx, uintptr_t *e, unsigned int flags) {
  CU_NEED(cuEventCreate);
  CU_CTX(ctx);
  CUevent ev = NULL;
  int r = gotrt_cu.cuEventCreate(&ev, flags);
  *e = (uintptr_t)ev;
  return r;
}

int gotrt_cu_event_record(uintptr_t ctx, uintptr_t e, uintptr_t s) {
  CU_NEED(cuEventRecord);
  CU_CTX(ctx);
  return gotrt_cu.cuEventRecord((CUevent)e, (CUstream)s);
}

int gotrt_cu_event_sync(uintptr_t ctx, uintptr_t e) {
  CU_NEED(cuEventSynchronize);
  CU_CTX(ctx);
  return gotrt_cu.cuEventSynchronize((CUevent)e);
}

int gotrt_cu_event_query(uintptr_t ctx, uintptr_t e) {
  CU_NEED(cuEventQuery);
  CU_CTX(ctx);
  return gotrt_cu.cuEventQuery((CUevent)e);
}

int gotrt_cu_event_elapsed(uintptr_t ctx, float *ms, uintptr_t start, uintptr_t end) {
  CU_NEED(cuEventElapsedTime);
  CU_CTX(ctx);
  return gotrt_cu.cuEventElapsedTime(ms, (CUevent)start, (CUevent)end);
}

int gotrt_cu_event_destroy(uintptr_t ctx, uintptr_t e) {
  CU_NEED(cuEventDestroy);
  CU_CTX(ctx);
  return gotrt_cu.cuEventDestroy((CUevent)e);
}

int gotrt_cu_module_load(uintptr_t ctx, uintptr_t *mod, const void *image, char *log,
                         unsigned int loglen) {
  CU_NEED(cuModuleLoadDataEx);
  CU_CTX(ctx);
  CUmodule m = NULL;
  CUjit_option opts[2] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *vals[2] = {log, (void *)(uintptr_t)loglen};
  unsigned int nopts = (log && loglen > 0) ? 2 : 0;
  if (log && loglen > 0) log[0] = 0;
  int r = gotrt_cu.cuModuleLoadDataEx(&m, image, nopts, nopts ? opts : NULL, nopts ? vals : NULL);
  *mod = (uintptr_t)m;
  return r;
}

int gotrt_cu_module_function(uintptr_t ctx, uintptr_t *fn, uintptr_t mod, const char *name) {
  CU_NEED(cuModuleGetFunction);
  CU_CTX(ctx);
  CUfunction f = NULL;
  int r = gotrt_cu.cuModuleGetFunction(&f, (CUmodule)mod, name);
  *fn = (uintptr_t)f;
  return r;
}

int gotrt_cu_module_unload(uintptr_t ctx, uintptr_t mod) {
  CU_NEED(cuModuleUnload);
  CU_CTX(ctx);
  return gotrt_cu.cuModuleUnload((CUmodule)mod);
}

int gotrt_cu_func_get_attr(uintptr_t ctx, int *v, int attr, uintptr_t fn) {
  CU_NEED(cuFuncGetAttribute);
  CU_CTX(ctx);
  return gotrt_cu.cuFuncGetAttribute(v, attr, (CUfunction)fn);
}

int gotrt_cu_func_set_attr(uintptr_t ctx, uintptr_t fn, int attr, int v) {
  CU_NEED(cuFuncSetAttribute);
  CU_CTX(ctx);
  return gotrt_cu.cuFuncSetAttribute((CUfunction)fn, attr, v);
}

int gotrt_cu_occupancy(uintptr_t ctx, int *blocks, uintptr_t fn, int block_size, size_t dyn_smem) {
  CU_NEED(cuOccupancyMaxActiveBlocksPerMultiprocessor);
  CU_CTX(ctx);
  return gotrt_cu.cuOccupancyMaxActiveBlocksPerMultiprocessor(blocks, (CUfunction)fn, block_size,
                                                              dyn_smem);
}

int gotrt_cu_launch(uintptr_t ctx, uintptr_t fn, unsigned int gx, unsigned int gy, unsigned int gz,
                    unsigned int bx, unsigned int by, unsigned int bz, unsigned int shmem,
                    uintptr_t stream, void *argbuf, const int32_t *offsets, int nargs) {
  CU_NEED(cuLaunchKernel);
  CU_CTX(ctx);
  void *stack_params[32];
  void **params = stack_params;
  if (nargs > 32) {
    params = (void **)malloc(sizeof(void *) * (size_t)nargs);
    if (!params) return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
  }
  for (int i = 0; i < nargs; i++) params[i] = (char *)argbuf + offsets[i];
  int r = gotrt_cu.cuLaunchKernel((CUfunction)fn, gx, gy, gz, bx, by, bz, shmem, (CUstream)stream,
                                  nargs > 0 ? params : NULL, NULL);
  if (params != stack_params) free(params);
  return r;
}

int gotrt_cu_begin_capture(uintptr_t ctx, uintptr_t s, int mode) {
  CU_NEED(cuStreamBeginCapture);
  CU_CTX(ctx);
  return gotrt_cu.cuStreamBeginCapture((CUstream)s, mode);
}

int gotrt_cu_end_capture(uintptr_t ctx, uintptr_t s, uintptr_t *graph) {
  CU_NEED(cuStreamEndCapture);
  CU_CTX(ctx);
  CUgraph g = NULL;
  int r = gotrt_cu.cuStreamEndCapture((CUstream)s, &g);
  *graph = (uintptr_t)g;
  return r;
}

int gotrt_cu_graph_instantiate(uintptr_t ctx, uintptr_t *exec, uintptr_t graph,
                               unsigned long long flags) {
  CU_NEED(cuGraphInstantiateWithFlags);
  CU_CTX(ctx);
  CUgraphExec e = NULL;
  int r = gotrt_cu.cuGraphInstantiateWithFlags(&e, (CUgraph)graph, flags);
  *exec = (uintptr_t)e;
  return r;
}

int gotrt_cu_graph_launch(uintptr_t ctx, uintptr_t exec, uintptr_t s) {
  CU_NEED(cuGraphLaunch);
  CU_CTX(ctx);
  return gotrt_cu.cuGraphLaunch((CUgraphExec)exec, (CUstream)s);
}

int gotrt_cu_graph_destroy(uintptr_t ctx, uintptr_t graph) {
  CU_NEED(cuGraphDestroy);
  CU_CTX(ctx);
  return gotrt_cu.cuGraphDestroy((CUgraph)graph);
}

int gotrt_cu_graph_exec_destroy(uintptr_t ctx, uintptr_t exec) {
  CU_NEED(cuGraphExecDestroy);
  CU_CTX(ctx);
  return gotrt_cu.cuGraphExecDestroy((CUgraphExec)exec);
}
