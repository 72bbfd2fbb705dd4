// gotrt: NVRTC shims.
#include <stdlib.h>
#include <string.h>

#include "gotrt/shim.h"

#define NVRTC_NEED(fn)                                                                             \
  do {                                                                                             \
    if (!gotrt_loaded[GOTRT_LIB_NVRTC]) return GOTRT_ERR_NOT_LOADED;                               \
    if (!gotrt_nvrtc.fn) return GOTRT_ERR_MISSING_SYMBOL;                                          \
  } while (0)

int gotrt_nvrtc_version(int *major, int *minor) {
  NVRTC_NEED(nvrtcVersion);
  return gotrt_nvrtc.nvrtcVersion(major, minor);
}

int gotrt_nvrtc_supported_archs(int *archs, int cap, int *n) {
  NVRTC_NEED(nvrtcGetNumSupportedArchs);
  NVRTC_NEED(nvrtcGetSupportedArchs);
  int count = 0;
  int r = gotrt_nvrtc.nvrtcGetNumSupportedArchs(&count);
  if (r != NVRTC_SUCCESS) return r;
  *n = count;
  if (count <= 0) return NVRTC_SUCCESS;
  int *all = (int *)malloc(sizeof(int) * (size_t)count);
  if (!all) return 1; /* NVRTC_ERROR_OUT_OF_MEMORY */
  r = gotrt_nvrtc.nvrtcGetSupportedArchs(all);
  if (r == NVRTC_SUCCESS) memcpy(archs, all, sizeof(int) * (size_t)(count < cap ? count : cap));
  free(all);
  return r;
}

const char *gotrt_nvrtc_error_string(int code) {
  if (!gotrt_loaded[GOTRT_LIB_NVRTC] || !gotrt_nvrtc.nvrtcGetErrorString) return NULL;
  return gotrt_nvrtc.nvrtcGetErrorString(code);
}

int gotrt_nvrtc_compile(const char *src, const char *name, int nopts, const char *const *opts,
                        int want_cubin, void **out, size_t *outlen, char **log, int *stage) {
  *out = NULL;
  *outlen = 0;
  *log = NULL;
  *stage = 0;
  NVRTC_NEED(nvrtcCreateProgram);
  NVRTC_NEED(nvrtcDestroyProgram);
  NVRTC_NEED(nvrtcCompileProgram);
  NVRTC_NEED(nvrtcGetProgramLogSize);
  NVRTC_NEED(nvrtcGetProgramLog);
  nvrtcProgram prog = NULL;
  int r = gotrt_nvrtc.nvrtcCreateProgram(&prog, src, name, 0, NULL, NULL);
  if (r != NVRTC_SUCCESS) return r;
  *stage = 1;
  int cr = gotrt_nvrtc.nvrtcCompileProgram(prog, nopts, opts);
  size_t loglen = 0;
  if (gotrt_nvrtc.nvrtcGetProgramLogSize(prog, &loglen) == NVRTC_SUCCESS && loglen > 1) {
    *log = (char *)malloc(loglen + 1);
    if (*log) {
      if (gotrt_nvrtc.nvrtcGetProgramLog(prog, *log) != NVRTC_SUCCESS) (*log)[0] = 0;
      (*log)[loglen] = 0;
    }
  }
  if (cr != NVRTC_SUCCESS) {
    gotrt_nvrtc.nvrtcDestroyProgram(&prog);
    return cr;
  }
  *stage = 2;
  size_t n = 0;
  if (want_cubin) {
    if (!gotrt_nvrtc.nvrtcGetCUBINSize || !gotrt_nvrtc.nvrtcGetCUBIN) r = GOTRT_ERR_MISSING_SYMBOL;
    else r = gotrt_nvrtc.nvrtcGetCUBINSize(prog, &n);
  } else {
    if (!gotrt_nvrtc.nvrtcGetPTXSize || !gotrt_nvrtc.nvrtcGetPTX) r = GOTRT_ERR_MISSING_SYMBOL;
    else r = gotrt_nvrtc.nvrtcGetPTXSize(prog, &n);
  }
  if (r == NVRTC_SUCCESS && n > 0) {
    void *buf = malloc(n);
    if (!buf) r = 1; /* NVRTC_ERROR_OUT_OF_MEMORY */
    else {
      r = want_cubin ? gotrt_nvrtc.nvrtcGetCUBIN(prog, (char *)buf)
                     : gotrt_nvrtc.nvrtcGetPTX(prog, (char *)buf);
      if (r == NVRTC_SUCCESS) {
        *out = buf;
        *outlen = n;
      } else free(buf);
    }
  }
  gotrt_nvrtc.nvrtcDestroyProgram(&prog);
  return r;
}
