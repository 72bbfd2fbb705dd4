/*
 * gotrt: minimal hand-written declarations of the CUDA driver API (libcuda.so.1)
 * that the shims call. No CUDA header is needed to build gotrt: every type below
 * mirrors the ABI of the CUDA 11.4+ driver, and every function is reached through a
 * pointer filled by dlsym at run time (see gotrt/shim.h).
 *
 * Versioned entry points are named by their exported symbol (cuMemAlloc_v2 ...).
 * An entry lists a second symbol only where the older export has the same
 * signature; unversioned exports with other signatures (cuMemAlloc taking a 32-bit
 * size, cuStreamBeginCapture without a mode) are never used.
 */
#ifndef GOTRT_CUDA_MIN_H
#define GOTRT_CUDA_MIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int CUresult;
typedef int CUdevice;
typedef int CUdevice_attribute;
typedef int CUfunction_attribute;
typedef int CUjit_option;
typedef int CUstreamCaptureMode;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef struct CUgraph_st *CUgraph;
typedef struct CUgraphExec_st *CUgraphExec;
typedef struct CUuuid_st { char bytes[16]; } CUuuid;

/* CUresult values used by the shims themselves (the Go side keeps the full table). */
#define CUDA_SUCCESS 0
#define CUDA_ERROR_INVALID_VALUE 1

/* CUjit_option values (cuModuleLoadDataEx). */
#define CU_JIT_INFO_LOG_BUFFER 3
#define CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES 4
#define CU_JIT_ERROR_LOG_BUFFER 5
#define CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES 6

/*
 * X(return type, field name, parameter list, symbol, fallback symbol or NULL)
 */
#define GOTRT_CU_FUNCS(X)                                                                          \
  X(CUresult, cuInit, (unsigned int flags), "cuInit", NULL)                                        \
  X(CUresult, cuDriverGetVersion, (int *version), "cuDriverGetVersion", NULL)                      \
  X(CUresult, cuGetErrorName, (CUresult err, const char **str), "cuGetErrorName", NULL)            \
  X(CUresult, cuGetErrorString, (CUresult err, const char **str), "cuGetErrorString", NULL)        \
  X(CUresult, cuDeviceGetCount, (int *count), "cuDeviceGetCount", NULL)                            \
  X(CUresult, cuDeviceGet, (CUdevice *dev, int ordinal), "cuDeviceGet", NULL)                      \
  X(CUresult, cuDeviceGetName, (char *name, int len, CUdevice dev), "cuDeviceGetName", NULL)       \
  X(CUresult, cuDeviceTotalMem, (size_t *bytes, CUdevice dev), "cuDeviceTotalMem_v2", NULL)        \
  X(CUresult, cuDeviceGetAttribute, (int *pi, CUdevice_attribute attrib, CUdevice dev),            \
    "cuDeviceGetAttribute", NULL)                                                                  \
  X(CUresult, cuDeviceGetPCIBusId, (char *busid, int len, CUdevice dev), "cuDeviceGetPCIBusId",   \
    NULL)                                                                                          \
  X(CUresult, cuDeviceGetUuid, (CUuuid *uuid, CUdevice dev), "cuDeviceGetUuid_v2",                 \
    "cuDeviceGetUuid")                                                                             \
  X(CUresult, cuDevicePrimaryCtxRetain, (CUcontext *pctx, CUdevice dev),                           \
    "cuDevicePrimaryCtxRetain", NULL)                                                              \
  X(CUresult, cuDevicePrimaryCtxRelease, (CUdevice dev), "cuDevicePrimaryCtxRelease_v2",           \
    "cuDevicePrimaryCtxRelease")                                                                   \
  X(CUresult, cuCtxSetCurrent, (CUcontext ctx), "cuCtxSetCurrent", NULL)                           \
  X(CUresult, cuCtxGetCurrent, (CUcontext * pctx), "cuCtxGetCurrent", NULL)                        \
  X(CUresult, cuCtxSynchronize, (void), "cuCtxSynchronize", NULL)                                  \
  X(CUresult, cuMemGetInfo, (size_t *free, size_t *total), "cuMemGetInfo_v2", NULL)                \
  X(CUresult, cuMemAlloc, (CUdeviceptr *dptr, size_t bytes), "cuMemAlloc_v2", NULL)                \
  X(CUresult, cuMemFree, (CUdeviceptr dptr), "cuMemFree_v2", NULL)                                 \
  X(CUresult, cuMemcpyHtoD, (CUdeviceptr dst, const void *src, size_t n), "cuMemcpyHtoD_v2",       \
    NULL)                                                                                          \
  X(CUresult, cuMemcpyDtoH, (void *dst, CUdeviceptr src, size_t n), "cuMemcpyDtoH_v2", NULL)       \
  X(CUresult, cuMemcpyDtoD, (CUdeviceptr dst, CUdeviceptr src, size_t n), "cuMemcpyDtoD_v2",       \
    NULL)                                                                                          \
  X(CUresult, cuMemcpyHtoDAsync, (CUdeviceptr dst, const void *src, size_t n, CUstream s),        \
    "cuMemcpyHtoDAsync_v2", NULL)                                                                  \
  X(CUresult, cuMemcpyDtoHAsync, (void *dst, CUdeviceptr src, size_t n, CUstream s),              \
    "cuMemcpyDtoHAsync_v2", NULL)                                                                  \
  X(CUresult, cuMemcpyDtoDAsync, (CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s),        \
    "cuMemcpyDtoDAsync_v2", NULL)                                                                  \
  X(CUresult, cuMemsetD8, (CUdeviceptr dst, unsigned char v, size_t n), "cuMemsetD8_v2", NULL)     \
  X(CUresult, cuMemsetD32, (CUdeviceptr dst, unsigned int v, size_t n), "cuMemsetD32_v2", NULL)    \
  X(CUresult, cuMemsetD8Async, (CUdeviceptr dst, unsigned char v, size_t n, CUstream s),          \
    "cuMemsetD8Async", NULL)                                                                       \
  X(CUresult, cuMemsetD32Async, (CUdeviceptr dst, unsigned int v, size_t n, CUstream s),          \
    "cuMemsetD32Async", NULL)                                                                      \
  X(CUresult, cuMemHostAlloc, (void **pp, size_t bytes, unsigned int flags), "cuMemHostAlloc",     \
    NULL)                                                                                          \
  X(CUresult, cuMemFreeHost, (void *p), "cuMemFreeHost", NULL)                                     \
  X(CUresult, cuStreamCreate, (CUstream * ps, unsigned int flags), "cuStreamCreate", NULL)         \
  X(CUresult, cuStreamSynchronize, (CUstream s), "cuStreamSynchronize", NULL)                      \
  X(CUresult, cuStreamQuery, (CUstream s), "cuStreamQuery", NULL)                                  \
  X(CUresult, cuStreamDestroy, (CUstream s), "cuStreamDestroy_v2", "cuStreamDestroy")              \
  X(CUresult, cuStreamWaitEvent, (CUstream s, CUevent e, unsigned int flags),                      \
    "cuStreamWaitEvent", NULL)                                                                     \
  X(CUresult, cuEventCreate, (CUevent * pe, unsigned int flags), "cuEventCreate", NULL)            \
  X(CUresult, cuEventRecord, (CUevent e, CUstream s), "cuEventRecord", NULL)                       \
  X(CUresult, cuEventSynchronize, (CUevent e), "cuEventSynchronize", NULL)                         \
  X(CUresult, cuEventQuery, (CUevent e), "cuEventQuery", NULL)                                     \
  X(CUresult, cuEventElapsedTime, (float *ms, CUevent start, CUevent end),                         \
    "cuEventElapsedTime_v2", "cuEventElapsedTime")                                                 \
  X(CUresult, cuEventDestroy, (CUevent e), "cuEventDestroy_v2", "cuEventDestroy")                  \
  X(CUresult, cuModuleLoadDataEx,                                                                  \
    (CUmodule * pm, const void *image, unsigned int n, CUjit_option *opts, void **vals),          \
    "cuModuleLoadDataEx", NULL)                                                                    \
  X(CUresult, cuModuleGetFunction, (CUfunction * pf, CUmodule m, const char *name),               \
    "cuModuleGetFunction", NULL)                                                                   \
  X(CUresult, cuModuleUnload, (CUmodule m), "cuModuleUnload", NULL)                                \
  X(CUresult, cuFuncGetAttribute, (int *pi, CUfunction_attribute attrib, CUfunction f),           \
    "cuFuncGetAttribute", NULL)                                                                    \
  X(CUresult, cuFuncSetAttribute, (CUfunction f, CUfunction_attribute attrib, int value),         \
    "cuFuncSetAttribute", NULL)                                                                    \
  X(CUresult, cuOccupancyMaxActiveBlocksPerMultiprocessor,                                         \
    (int *blocks, CUfunction f, int blockSize, size_t dynSmem),                                    \
    "cuOccupancyMaxActiveBlocksPerMultiprocessor", NULL)                                           \
  X(CUresult, cuLaunchKernel,                                                                      \
    (CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,             \
     unsigned int by, unsigned int bz, unsigned int shmem, CUstream s, void **params,              \
     void **extra),                                                                                \
    "cuLaunchKernel", NULL)                                                                        \
  X(CUresult, cuStreamBeginCapture, (CUstream s, CUstreamCaptureMode mode),                        \
    "cuStreamBeginCapture_v2", NULL)                                                               \
  X(CUresult, cuStreamEndCapture, (CUstream s, CUgraph * pg), "cuStreamEndCapture", NULL)          \
  X(CUresult, cuGraphInstantiateWithFlags,                                                         \
    (CUgraphExec * pe, CUgraph g, unsigned long long flags), "cuGraphInstantiateWithFlags", NULL) \
  X(CUresult, cuGraphLaunch, (CUgraphExec e, CUstream s), "cuGraphLaunch", NULL)                   \
  X(CUresult, cuGraphDestroy, (CUgraph g), "cuGraphDestroy", NULL)                                 \
  X(CUresult, cuGraphExecDestroy, (CUgraphExec e), "cuGraphExecDestroy", NULL)

#ifdef __cplusplus
}
#endif

#endif /* GOTRT_CUDA_MIN_H */
