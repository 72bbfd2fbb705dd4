// gotrt: dlopen/dlsym loader and the function-pointer tables.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "gotrt/shim.h"

gotrt_cu_table gotrt_cu;
gotrt_nvrtc_table gotrt_nvrtc;
gotrt_lt_table gotrt_lt;
gotrt_dnn_table gotrt_dnn;
int gotrt_loaded[GOTRT_LIB_COUNT];

typedef struct {
  const char *sym;
  const char *fallback;
  size_t offset;
} gotrt_symdef;

#define GOTRT_DEF_CU(ret, name, params, sym, fallback) {sym, fallback, offsetof(gotrt_cu_table, name)},
#define GOTRT_DEF_NVRTC(ret, name, params, sym, fallback)                                          \
  {sym, fallback, offsetof(gotrt_nvrtc_table, name)},
#define GOTRT_DEF_LT(ret, name, params, sym, fallback) {sym, fallback, offsetof(gotrt_lt_table, name)},
#define GOTRT_DEF_DNN(ret, name, params, sym, fallback)                                            \
  {sym, fallback, offsetof(gotrt_dnn_table, name)},

static const gotrt_symdef cu_defs[] = {GOTRT_CU_FUNCS(GOTRT_DEF_CU)};
static const gotrt_symdef nvrtc_defs[] = {GOTRT_NVRTC_FUNCS(GOTRT_DEF_NVRTC)};
static const gotrt_symdef lt_defs[] = {GOTRT_LT_FUNCS(GOTRT_DEF_LT)};
static const gotrt_symdef dnn_defs[] = {GOTRT_DNN_FUNCS(GOTRT_DEF_DNN)};

static int lib_defs(int lib, const gotrt_symdef **defs, size_t *n, void **table, size_t *tsize) {
  switch (lib) {
  case GOTRT_LIB_CUDA:
    *defs = cu_defs;
    *n = sizeof(cu_defs) / sizeof(cu_defs[0]);
    *table = &gotrt_cu;
    *tsize = sizeof(gotrt_cu);
    return 0;
  case GOTRT_LIB_NVRTC:
    *defs = nvrtc_defs;
    *n = sizeof(nvrtc_defs) / sizeof(nvrtc_defs[0]);
    *table = &gotrt_nvrtc;
    *tsize = sizeof(gotrt_nvrtc);
    return 0;
  case GOTRT_LIB_CUBLASLT:
    *defs = lt_defs;
    *n = sizeof(lt_defs) / sizeof(lt_defs[0]);
    *table = &gotrt_lt;
    *tsize = sizeof(gotrt_lt);
    return 0;
  case GOTRT_LIB_CUDNN:
    *defs = dnn_defs;
    *n = sizeof(dnn_defs) / sizeof(dnn_defs[0]);
    *table = &gotrt_dnn;
    *tsize = sizeof(gotrt_dnn);
    return 0;
  }
  return -1;
}

uintptr_t gotrt_dlopen(const char *path, int global, char *err, size_t errlen) {
  dlerror(); /* clear */
  void *h = dlopen(path, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL));
  if (!h && err && errlen > 0) {
    const char *e = dlerror();
    snprintf(err, errlen, "%s", e ? e : "dlopen failed");
  }
  return (uintptr_t)h;
}

int gotrt_dlclose(uintptr_t handle) {
  if (!handle) return 0;
  return dlclose((void *)handle);
}

int gotrt_dl_origin(uintptr_t handle, const char *sym, char *out, size_t outlen) {
  if (!handle || !out || outlen == 0) return -1;
  void *p = dlsym((void *)handle, sym);
  if (!p) return -1;
  Dl_info info;
  if (!dladdr(p, &info) || !info.dli_fname) return -1;
  snprintf(out, outlen, "%s", info.dli_fname);
  return 0;
}

int gotrt_bind(int lib, uintptr_t handle, char *missing, size_t mlen) {
  const gotrt_symdef *defs;
  size_t n, tsize;
  void *table;
  if (lib_defs(lib, &defs, &n, &table, &tsize) != 0 || !handle) return -1;
  if (missing && mlen) missing[0] = 0;
  int nmissing = 0;
  size_t used = 0;
  memset(table, 0, tsize);
  for (size_t i = 0; i < n; i++) {
    void *p = dlsym((void *)handle, defs[i].sym);
    if (!p && defs[i].fallback) p = dlsym((void *)handle, defs[i].fallback);
    *(void **)((char *)table + defs[i].offset) = p;
    if (!p) {
      nmissing++;
      if (missing && used + 1 < mlen) {
        int w = snprintf(missing + used, mlen - used, "%s%s", used ? "," : "", defs[i].sym);
        if (w > 0) used += (size_t)w;
        if (used >= mlen) used = mlen - 1;
      }
    }
  }
  gotrt_loaded[lib] = 1;
  return nmissing;
}

void gotrt_unbind(int lib) {
  const gotrt_symdef *defs;
  size_t n, tsize;
  void *table;
  if (lib_defs(lib, &defs, &n, &table, &tsize) != 0) return;
  gotrt_loaded[lib] = 0;
  memset(table, 0, tsize);
}

int gotrt_symbol_count(int lib) {
  const gotrt_symdef *defs;
  size_t n, tsize;
  void *table;
  if (lib_defs(lib, &defs, &n, &table, &tsize) != 0) return -1;
  return (int)n;
}
