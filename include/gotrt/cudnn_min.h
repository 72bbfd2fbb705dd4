/*
 * gotrt: minimal hand-written declarations of the cuDNN 9 legacy (descriptor) API in
 * libcudnn.so.9 used by the shims. cuDNN 9 still ships these functions (deprecated, in
 * cudnn_ops.h / cudnn_cnn.h, served by libcudnn_ops / libcudnn_cnn through libcudnn.so.9).
 * Enum values (cudnn_graph.h, cudnn 9):
 *   cudnnDataType_t: FLOAT 0, DOUBLE 1, HALF 2, INT8 3, INT32 4, UINT8 6, BFLOAT16 9, INT64 10
 *   cudnnMathType_t: DEFAULT 0, TENSOR_OP 1, TENSOR_OP_ALLOW_CONVERSION 2, FMA 3
 *   cudnnTensorFormat_t: NCHW 0, NHWC 1;  cudnnConvolutionMode_t: CONVOLUTION 0, CROSS_CORRELATION 1
 *   cudnnStatus_t: SUCCESS 0; categories 1000 (init), 2000 (bad param), 3000 (not supported),
 *     4000 (internal), 5000 (execution failed)
 */
#ifndef GOTRT_CUDNN_MIN_H
#define GOTRT_CUDNN_MIN_H

#include <stddef.h>

#include "gotrt/cuda_min.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int cudnnStatus_t;
typedef int cudnnDataType_t;
typedef int cudnnMathType_t;
typedef int cudnnTensorFormat_t;
typedef int cudnnConvolutionMode_t;
typedef int cudnnConvolutionFwdAlgo_t;
typedef int cudnnConvolutionBwdDataAlgo_t;
typedef int cudnnDeterminism_t;
typedef struct cudnnContext *cudnnHandle_t;
typedef struct cudnnTensorStruct *cudnnTensorDescriptor_t;
typedef struct cudnnFilterStruct *cudnnFilterDescriptor_t;
typedef struct cudnnConvolutionStruct *cudnnConvolutionDescriptor_t;

typedef struct {
  cudnnConvolutionFwdAlgo_t algo;
  cudnnStatus_t status;
  float time;
  size_t memory;
  cudnnDeterminism_t determinism;
  cudnnMathType_t mathType;
  int reserved[3];
} cudnnConvolutionFwdAlgoPerf_t;

typedef struct {
  cudnnConvolutionBwdDataAlgo_t algo;
  cudnnStatus_t status;
  float time;
  size_t memory;
  cudnnDeterminism_t determinism;
  cudnnMathType_t mathType;
  int reserved[3];
} cudnnConvolutionBwdDataAlgoPerf_t;

/* X(return type, field name, parameter list, symbol, fallback symbol or NULL) */
#define GOTRT_DNN_FUNCS(X)                                                                         \
  X(size_t, cudnnGetVersion, (void), "cudnnGetVersion", NULL)                                      \
  X(const char *, cudnnGetErrorString, (cudnnStatus_t s), "cudnnGetErrorString", NULL)             \
  X(void, cudnnGetLastErrorString, (char *msg, size_t max), "cudnnGetLastErrorString", NULL)       \
  X(cudnnStatus_t, cudnnCreate, (cudnnHandle_t * h), "cudnnCreate", NULL)                          \
  X(cudnnStatus_t, cudnnDestroy, (cudnnHandle_t h), "cudnnDestroy", NULL)                          \
  X(cudnnStatus_t, cudnnSetStream, (cudnnHandle_t h, CUstream s), "cudnnSetStream", NULL)          \
  X(cudnnStatus_t, cudnnCreateTensorDescriptor, (cudnnTensorDescriptor_t * d),                     \
    "cudnnCreateTensorDescriptor", NULL)                                                           \
  X(cudnnStatus_t, cudnnSetTensorNdDescriptor,                                                     \
    (cudnnTensorDescriptor_t d, cudnnDataType_t t, int nbDims, const int *dims,                    \
     const int *strides),                                                                          \
    "cudnnSetTensorNdDescriptor", NULL)                                                            \
  X(cudnnStatus_t, cudnnDestroyTensorDescriptor, (cudnnTensorDescriptor_t d),                      \
    "cudnnDestroyTensorDescriptor", NULL)                                                          \
  X(cudnnStatus_t, cudnnCreateFilterDescriptor, (cudnnFilterDescriptor_t * d),                     \
    "cudnnCreateFilterDescriptor", NULL)                                                           \
  X(cudnnStatus_t, cudnnSetFilterNdDescriptor,                                                     \
    (cudnnFilterDescriptor_t d, cudnnDataType_t t, cudnnTensorFormat_t f, int nbDims,              \
     const int *dims),                                                                             \
    "cudnnSetFilterNdDescriptor", NULL)                                                            \
  X(cudnnStatus_t, cudnnDestroyFilterDescriptor, (cudnnFilterDescriptor_t d),                      \
    "cudnnDestroyFilterDescriptor", NULL)                                                          \
  X(cudnnStatus_t, cudnnCreateConvolutionDescriptor, (cudnnConvolutionDescriptor_t * d),           \
    "cudnnCreateConvolutionDescriptor", NULL)                                                      \
  X(cudnnStatus_t, cudnnSetConvolutionNdDescriptor,                                                \
    (cudnnConvolutionDescriptor_t d, int n, const int *pads, const int *strides,                   \
     const int *dilations, cudnnConvolutionMode_t mode, cudnnDataType_t computeType),              \
    "cudnnSetConvolutionNdDescriptor", NULL)                                                       \
  X(cudnnStatus_t, cudnnSetConvolutionGroupCount, (cudnnConvolutionDescriptor_t d, int groups),    \
    "cudnnSetConvolutionGroupCount", NULL)                                                         \
  X(cudnnStatus_t, cudnnSetConvolutionMathType,                                                    \
    (cudnnConvolutionDescriptor_t d, cudnnMathType_t m), "cudnnSetConvolutionMathType", NULL)     \
  X(cudnnStatus_t, cudnnDestroyConvolutionDescriptor, (cudnnConvolutionDescriptor_t d),            \
    "cudnnDestroyConvolutionDescriptor", NULL)                                                     \
  X(cudnnStatus_t, cudnnGetConvolutionNdForwardOutputDim,                                          \
    (cudnnConvolutionDescriptor_t c, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,         \
     int nbDims, int *out),                                                                        \
    "cudnnGetConvolutionNdForwardOutputDim", NULL)                                                 \
  X(cudnnStatus_t, cudnnGetConvolutionForwardAlgorithm_v7,                                         \
    (cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,                        \
     cudnnConvolutionDescriptor_t c, cudnnTensorDescriptor_t y, int requested, int *returned,     \
     cudnnConvolutionFwdAlgoPerf_t *perf),                                                         \
    "cudnnGetConvolutionForwardAlgorithm_v7", NULL)                                                \
  X(cudnnStatus_t, cudnnFindConvolutionForwardAlgorithm,                                           \
    (cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,                        \
     cudnnConvolutionDescriptor_t c, cudnnTensorDescriptor_t y, int requested, int *returned,     \
     cudnnConvolutionFwdAlgoPerf_t *perf),                                                         \
    "cudnnFindConvolutionForwardAlgorithm", NULL)                                                  \
  X(cudnnStatus_t, cudnnGetConvolutionForwardWorkspaceSize,                                        \
    (cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,                        \
     cudnnConvolutionDescriptor_t c, cudnnTensorDescriptor_t y, cudnnConvolutionFwdAlgo_t algo,   \
     size_t *bytes),                                                                               \
    "cudnnGetConvolutionForwardWorkspaceSize", NULL)                                               \
  X(cudnnStatus_t, cudnnConvolutionForward,                                                        \
    (cudnnHandle_t h, const void *alpha, cudnnTensorDescriptor_t xd, const void *x,                \
     cudnnFilterDescriptor_t wd, const void *w, cudnnConvolutionDescriptor_t c,                    \
     cudnnConvolutionFwdAlgo_t algo, void *ws, size_t wsSize, const void *beta,                    \
     cudnnTensorDescriptor_t yd, void *y),                                                         \
    "cudnnConvolutionForward", NULL)                                                               \
  X(cudnnStatus_t, cudnnGetConvolutionBackwardDataAlgorithm_v7,                                    \
    (cudnnHandle_t h, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,                       \
     cudnnConvolutionDescriptor_t c, cudnnTensorDescriptor_t dx, int requested, int *returned,    \
     cudnnConvolutionBwdDataAlgoPerf_t *perf),                                                     \
    "cudnnGetConvolutionBackwardDataAlgorithm_v7", NULL)                                           \
  X(cudnnStatus_t, cudnnFindConvolutionBackwardDataAlgorithm,                                      \
    (cudnnHandle_t h, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,                       \
     cudnnConvolutionDescriptor_t c, cudnnTensorDescriptor_t dx, int requested, int *returned,    \
     cudnnConvolutionBwdDataAlgoPerf_t *perf),                                                     \
    "cudnnFindConvolutionBackwardDataAlgorithm", NULL)                                             \
  X(cudnnStatus_t, cudnnGetConvolutionBackwardDataWorkspaceSize,                                   \
    (cudnnHandle_t h, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,                       \
     cudnnConvolutionDescriptor_t c, cudnnTensorDescriptor_t dx,                                   \
     cudnnConvolutionBwdDataAlgo_t algo, size_t *bytes),                                           \
    "cudnnGetConvolutionBackwardDataWorkspaceSize", NULL)                                          \
  X(cudnnStatus_t, cudnnConvolutionBackwardData,                                                   \
    (cudnnHandle_t h, const void *alpha, cudnnFilterDescriptor_t wd, const void *w,                \
     cudnnTensorDescriptor_t dyd, const void *dy, cudnnConvolutionDescriptor_t c,                  \
     cudnnConvolutionBwdDataAlgo_t algo, void *ws, size_t wsSize, const void *beta,                \
     cudnnTensorDescriptor_t dxd, void *dx),                                                       \
    "cudnnConvolutionBackwardData", NULL)                                                          \
  X(cudnnStatus_t, cudnnAddTensor,                                                                 \
    (cudnnHandle_t h, const void *alpha, cudnnTensorDescriptor_t ad, const void *A,                \
     const void *beta, cudnnTensorDescriptor_t cd, void *C),                                       \
    "cudnnAddTensor", NULL)

#ifdef __cplusplus
}
#endif

#endif /* GOTRT_CUDNN_MIN_H */
