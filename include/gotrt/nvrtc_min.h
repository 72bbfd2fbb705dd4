/*
 * gotrt: minimal hand-written declarations of NVRTC (libnvrtc.so.13/.12/.11.2) used by
 * the shims. Every function is reached through a pointer filled by dlsym at run time.
 */
#ifndef GOTRT_NVRTC_MIN_H
#define GOTRT_NVRTC_MIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int nvrtcResult; /* NVRTC_SUCCESS = 0, NVRTC_ERROR_COMPILATION = 6, ... */
typedef struct _nvrtcProgram *nvrtcProgram;

#define NVRTC_SUCCESS 0

/* X(return type, field name, parameter list, symbol, fallback symbol or NULL) */
#define GOTRT_NVRTC_FUNCS(X)                                                                       \
  X(const char *, nvrtcGetErrorString, (nvrtcResult r), "nvrtcGetErrorString", NULL)              \
  X(nvrtcResult, nvrtcVersion, (int *major, int *minor), "nvrtcVersion", NULL)                     \
  X(nvrtcResult, nvrtcGetNumSupportedArchs, (int *n), "nvrtcGetNumSupportedArchs", NULL)          \
  X(nvrtcResult, nvrtcGetSupportedArchs, (int *archs), "nvrtcGetSupportedArchs", NULL)            \
  X(nvrtcResult, nvrtcCreateProgram,                                                               \
    (nvrtcProgram * prog, const char *src, const char *name, int numHeaders,                       \
     const char *const *headers, const char *const *includeNames),                                 \
    "nvrtcCreateProgram", NULL)                                                                    \
  X(nvrtcResult, nvrtcDestroyProgram, (nvrtcProgram * prog), "nvrtcDestroyProgram", NULL)          \
  X(nvrtcResult, nvrtcCompileProgram, (nvrtcProgram prog, int n, const char *const *opts),        \
    "nvrtcCompileProgram", NULL)                                                                   \
  X(nvrtcResult, nvrtcGetPTXSize, (nvrtcProgram prog, size_t *n), "nvrtcGetPTXSize", NULL)        \
  X(nvrtcResult, nvrtcGetPTX, (nvrtcProgram prog, char *ptx), "nvrtcGetPTX", NULL)                \
  X(nvrtcResult, nvrtcGetCUBINSize, (nvrtcProgram prog, size_t *n), "nvrtcGetCUBINSize", NULL)    \
  X(nvrtcResult, nvrtcGetCUBIN, (nvrtcProgram prog, char *cubin), "nvrtcGetCUBIN", NULL)          \
  X(nvrtcResult, nvrtcGetProgramLogSize, (nvrtcProgram prog, size_t *n),                           \
    "nvrtcGetProgramLogSize", NULL)                                                                \
  X(nvrtcResult, nvrtcGetProgramLog, (nvrtcProgram prog, char *log), "nvrtcGetProgramLog", NULL)  \
  X(nvrtcResult, nvrtcAddNameExpression, (nvrtcProgram prog, const char *expr),                    \
    "nvrtcAddNameExpression", NULL)                                                                \
  X(nvrtcResult, nvrtcGetLoweredName,                                                              \
    (nvrtcProgram prog, const char *expr, const char **lowered), "nvrtcGetLoweredName", NULL)

#ifdef __cplusplus
}
#endif

#endif /* GOTRT_NVRTC_MIN_H */
