// gotrt: cuBLASLt shims.
#include "gotrt/shim.h"

#define LT_NEED(fn)                                                                                \
  do {                                                                                             \
    if (!gotrt_loaded[GOTRT_LIB_CUBLASLT]) return GOTRT_ERR_NOT_LOADED;                            \
    if (!gotrt_lt.fn) return GOTRT_ERR_MISSING_SYMBOL;                                             \
  } while (0)

/* cuBLASLt runs on the context current on the calling thread. */
static int lt_ctx_on(uintptr_t ctx) {
  if (!ctx) return 0;
  if (!gotrt_loaded[GOTRT_LIB_CUDA]) return GOTRT_ERR_NOT_LOADED;
  if (!gotrt_cu.cuCtxSetCurrent) return GOTRT_ERR_MISSING_SYMBOL;
  if (gotrt_cu.cuCtxGetCurrent) {
    CUcontext cur = NULL;
    if (gotrt_cu.cuCtxGetCurrent(&cur) == CUDA_SUCCESS && cur == (CUcontext)ctx) return 0;
  }
  return gotrt_cu.cuCtxSetCurrent((CUcontext)ctx) == CUDA_SUCCESS ? 0 : GOTRT_ERR_CONTEXT;
}

#define LT_CTX(ctx)                                                                                \
  do {                                                                                             \
    int _r = lt_ctx_on(ctx);                                                                       \
    if (_r != 0) return _r;                                                                        \
  } while (0)

int gotrt_lt_create(uintptr_t ctx, uintptr_t *h) {
  LT_NEED(cublasLtCreate);
  LT_CTX(ctx);
  cublasLtHandle_t hh = NULL;
  int r = gotrt_lt.cublasLtCreate(&hh);
  *h = (uintptr_t)hh;
  return r;
}

int gotrt_lt_destroy(uintptr_t ctx, uintptr_t h) {
  LT_NEED(cublasLtDestroy);
  LT_CTX(ctx);
  return gotrt_lt.cublasLtDestroy((cublasLtHandle_t)h);
}

size_t gotrt_lt_version(void) {
  if (!gotrt_loaded[GOTRT_LIB_CUBLASLT] || !gotrt_lt.cublasLtGetVersion) return 0;
  return gotrt_lt.cublasLtGetVersion();
}

void gotrt_lt_status_strings(int code, const char **name, const char **desc) {
  *name = NULL;
  *desc = NULL;
  if (!gotrt_loaded[GOTRT_LIB_CUBLASLT]) return;
  if (gotrt_lt.cublasLtGetStatusName) *name = gotrt_lt.cublasLtGetStatusName(code);
  if (gotrt_lt.cublasLtGetStatusString) *desc = gotrt_lt.cublasLtGetStatusString(code);
}

int gotrt_lt_desc_create(uintptr_t *d, int compute, int scale) {
  LT_NEED(cublasLtMatmulDescCreate);
  cublasLtMatmulDesc_t dd = NULL;
  int r = gotrt_lt.cublasLtMatmulDescCreate(&dd, compute, scale);
  *d = (uintptr_t)dd;
  return r;
}

int gotrt_lt_desc_destroy(uintptr_t d) {
  LT_NEED(cublasLtMatmulDescDestroy);
  return gotrt_lt.cublasLtMatmulDescDestroy((cublasLtMatmulDesc_t)d);
}

int gotrt_lt_desc_set(uintptr_t d, int attr, const void *buf, size_t n) {
  LT_NEED(cublasLtMatmulDescSetAttribute);
  return gotrt_lt.cublasLtMatmulDescSetAttribute((cublasLtMatmulDesc_t)d, attr, buf, n);
}

int gotrt_lt_layout_create(uintptr_t *l, int type, uint64_t rows, uint64_t cols, int64_t ld) {
  LT_NEED(cublasLtMatrixLayoutCreate);
  cublasLtMatrixLayout_t ll = NULL;
  int r = gotrt_lt.cublasLtMatrixLayoutCreate(&ll, type, rows, cols, ld);
  *l = (uintptr_t)ll;
  return r;
}

int gotrt_lt_layout_destroy(uintptr_t l) {
  LT_NEED(cublasLtMatrixLayoutDestroy);
  return gotrt_lt.cublasLtMatrixLayoutDestroy((cublasLtMatrixLayout_t)l);
}

int gotrt_lt_layout_set(uintptr_t l, int attr, const void *buf, size_t n) {
  LT_NEED(cublasLtMatrixLayoutSetAttribute);
  return gotrt_lt.cublasLtMatrixLayoutSetAttribute((cublasLtMatrixLayout_t)l, attr, buf, n);
}

int gotrt_lt_pref_create(uintptr_t *p) {
  LT_NEED(cublasLtMatmulPreferenceCreate);
  cublasLtMatmulPreference_t pp = NULL;
  int r = gotrt_lt.cublasLtMatmulPreferenceCreate(&pp);
  *p = (uintptr_t)pp;
  return r;
}

int gotrt_lt_pref_destroy(uintptr_t p) {
  LT_NEED(cublasLtMatmulPreferenceDestroy);
  return gotrt_lt.cublasLtMatmulPreferenceDestroy((cublasLtMatmulPreference_t)p);
}

int gotrt_lt_pref_set(uintptr_t p, int attr, const void *buf, size_t n) {
  LT_NEED(cublasLtMatmulPreferenceSetAttribute);
  return gotrt_lt.cublasLtMatmulPreferenceSetAttribute((cublasLtMatmulPreference_t)p, attr, buf,
                                                       n);
}

int gotrt_lt_heuristic(uintptr_t ctx, uintptr_t h, uintptr_t desc, uintptr_t a, uintptr_t b,
                       uintptr_t c, uintptr_t d, uintptr_t pref, int requested,
                       cublasLtMatmulHeuristicResult_t *results, int *returned) {
  LT_NEED(cublasLtMatmulAlgoGetHeuristic);
  LT_CTX(ctx);
  return gotrt_lt.cublasLtMatmulAlgoGetHeuristic(
      (cublasLtHandle_t)h, (cublasLtMatmulDesc_t)desc, (cublasLtMatrixLayout_t)a,
      (cublasLtMatrixLayout_t)b, (cublasLtMatrixLayout_t)c, (cublasLtMatrixLayout_t)d,
      (cublasLtMatmulPreference_t)pref, requested, results, returned);
}

int gotrt_lt_matmul(uintptr_t ctx, uintptr_t h, uintptr_t desc, uint64_t alpha_bits, uint64_t A,
                    uintptr_t Ad, uint64_t B, uintptr_t Bd, uint64_t beta_bits, uint64_t C,
                    uintptr_t Cd, uint64_t D, uintptr_t Dd, const uint64_t *algo, uint64_t ws,
                    size_t ws_size, uintptr_t stream) {
  LT_NEED(cublasLtMatmul);
  LT_CTX(ctx);
  /* Host pointer mode: cuBLASLt reads alpha and beta before it returns. */
  uint64_t alpha = alpha_bits, beta = beta_bits;
  return gotrt_lt.cublasLtMatmul(
      (cublasLtHandle_t)h, (cublasLtMatmulDesc_t)desc, &alpha, (const void *)(uintptr_t)A,
      (cublasLtMatrixLayout_t)Ad, (const void *)(uintptr_t)B, (cublasLtMatrixLayout_t)Bd, &beta,
      (const void *)(uintptr_t)C, (cublasLtMatrixLayout_t)Cd, (void *)(uintptr_t)D,
      (cublasLtMatrixLayout_t)Dd, (const cublasLtMatmulAlgo_t *)algo, (void *)(uintptr_t)ws,
      ws_size, (CUstream)stream);
}
