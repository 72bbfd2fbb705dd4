/*
 * gotrt: minimal hand-written declarations of cuBLASLt (libcublasLt.so.13/.12/.11) used by
 * the shims. Enum values are the ones of cublas_api.h, cublasLt.h and library_types.h:
 *   cublasComputeType_t: CUBLAS_COMPUTE_16F = 64, _16F_PEDANTIC = 65, _32F = 68,
 *     _32F_PEDANTIC = 69, _32F_FAST_16F = 74, _32F_FAST_16BF = 75, _32F_FAST_TF32 = 77
 *   cudaDataType: CUDA_R_32F = 0, CUDA_R_64F = 1, CUDA_R_16F = 2, CUDA_R_8I = 3, CUDA_R_32I = 10,
 *     CUDA_R_16BF = 14
 *   cublasStatus_t: SUCCESS 0, NOT_INITIALIZED 1, ALLOC_FAILED 3, INVALID_VALUE 7,
 *     ARCH_MISMATCH 8, MAPPING_ERROR 11, EXECUTION_FAILED 13, INTERNAL_ERROR 14,
 *     NOT_SUPPORTED 15, LICENSE_ERROR 16
 * The Go side (package cuda) names the descriptor attributes.
 */
#ifndef GOTRT_CUBLASLT_MIN_H
#define GOTRT_CUBLASLT_MIN_H

#include <stddef.h>
#include <stdint.h>

#include "gotrt/cuda_min.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int cublasStatus_t;
typedef int cublasComputeType_t;
typedef int cudaDataType_t;
typedef int cublasLtMatmulDescAttributes_t;
typedef int cublasLtMatrixLayoutAttribute_t;
typedef int cublasLtMatmulPreferenceAttributes_t;
typedef struct cublasLtContext *cublasLtHandle_t;
typedef struct cublasLtMatmulDescOpaque_st *cublasLtMatmulDesc_t;
typedef struct cublasLtMatrixLayoutOpaque_st *cublasLtMatrixLayout_t;
typedef struct cublasLtMatmulPreferenceOpaque_st *cublasLtMatmulPreference_t;

typedef struct {
  uint64_t data[8];
} cublasLtMatmulAlgo_t;

typedef struct {
  cublasLtMatmulAlgo_t algo;
  size_t workspaceSize;
  cublasStatus_t state;
  float wavesCount;
  int reserved[4];
} cublasLtMatmulHeuristicResult_t;

/* X(return type, field name, parameter list, symbol, fallback symbol or NULL) */
#define GOTRT_LT_FUNCS(X)                                                                          \
  X(cublasStatus_t, cublasLtCreate, (cublasLtHandle_t * h), "cublasLtCreate", NULL)                \
  X(cublasStatus_t, cublasLtDestroy, (cublasLtHandle_t h), "cublasLtDestroy", NULL)                \
  X(size_t, cublasLtGetVersion, (void), "cublasLtGetVersion", NULL)                                \
  X(const char *, cublasLtGetStatusName, (cublasStatus_t s), "cublasLtGetStatusName", NULL)        \
  X(const char *, cublasLtGetStatusString, (cublasStatus_t s), "cublasLtGetStatusString", NULL)    \
  X(cublasStatus_t, cublasLtMatmulDescCreate,                                                      \
    (cublasLtMatmulDesc_t * d, cublasComputeType_t compute, cudaDataType_t scale),                 \
    "cublasLtMatmulDescCreate", NULL)                                                              \
  X(cublasStatus_t, cublasLtMatmulDescDestroy, (cublasLtMatmulDesc_t d),                           \
    "cublasLtMatmulDescDestroy", NULL)                                                             \
  X(cublasStatus_t, cublasLtMatmulDescSetAttribute,                                                \
    (cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a, const void *buf, size_t n),        \
    "cublasLtMatmulDescSetAttribute", NULL)                                                        \
  X(cublasStatus_t, cublasLtMatrixLayoutCreate,                                                    \
    (cublasLtMatrixLayout_t * l, cudaDataType_t t, uint64_t rows, uint64_t cols, int64_t ld),     \
    "cublasLtMatrixLayoutCreate", NULL)                                                            \
  X(cublasStatus_t, cublasLtMatrixLayoutDestroy, (cublasLtMatrixLayout_t l),                       \
    "cublasLtMatrixLayoutDestroy", NULL)                                                           \
  X(cublasStatus_t, cublasLtMatrixLayoutSetAttribute,                                              \
    (cublasLtMatrixLayout_t l, cublasLtMatrixLayoutAttribute_t a, const void *buf, size_t n),     \
    "cublasLtMatrixLayoutSetAttribute", NULL)                                                      \
  X(cublasStatus_t, cublasLtMatmulPreferenceCreate, (cublasLtMatmulPreference_t * p),              \
    "cublasLtMatmulPreferenceCreate", NULL)                                                        \
  X(cublasStatus_t, cublasLtMatmulPreferenceDestroy, (cublasLtMatmulPreference_t p),               \
    "cublasLtMatmulPreferenceDestroy", NULL)                                                       \
  X(cublasStatus_t, cublasLtMatmulPreferenceSetAttribute,                                          \
    (cublasLtMatmulPreference_t p, cublasLtMatmulPreferenceAttributes_t a, const void *buf,       \
     size_t n),                                                                                    \
    "cublasLtMatmulPreferenceSetAttribute", NULL)                                                  \
  X(cublasStatus_t, cublasLtMatmulAlgoGetHeuristic,                                                \
    (cublasLtHandle_t h, cublasLtMatmulDesc_t op, cublasLtMatrixLayout_t a,                        \
     cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,                 \
     cublasLtMatmulPreference_t pref, int requested, cublasLtMatmulHeuristicResult_t *results,    \
     int *returned),                                                                               \
    "cublasLtMatmulAlgoGetHeuristic", NULL)                                                        \
  X(cublasStatus_t, cublasLtMatmul,                                                                \
    (cublasLtHandle_t h, cublasLtMatmulDesc_t op, const void *alpha, const void *A,               \
     cublasLtMatrixLayout_t Ad, const void *B, cublasLtMatrixLayout_t Bd, const void *beta,       \
     const void *C, cublasLtMatrixLayout_t Cd, void *D, cublasLtMatrixLayout_t Dd,                \
     const cublasLtMatmulAlgo_t *algo, void *ws, size_t wsSize, CUstream stream),                 \
    "cublasLtMatmul", NULL)

#ifdef __cplusplus
}
#endif

#endif /* GOTRT_CUBLASLT_MIN_H */
