// gotrt: cuDNN 9 shims (legacy descriptor API). On failure each shim copies
// cudnnGetLastErrorString into msg in the same call, on the thread that failed.
#include <stdio.h>
#include <string.h>

#include "gotrt/shim.h"

#define DNN_NEED(fn)                                                                               \
  do {                                                                                             \
    if (!gotrt_loaded[GOTRT_LIB_CUDNN]) return GOTRT_ERR_NOT_LOADED;                               \
    if (!gotrt_dnn.fn) return GOTRT_ERR_MISSING_SYMBOL;                                            \
  } while (0)

static int dnn_ctx_on(uintptr_t ctx) {
  if (!ctx) return 0;
  if (!gotrt_loaded[GOTRT_LIB_CUDA]) return GOTRT_ERR_NOT_LOADED;
  if (!gotrt_cu.cuCtxSetCurrent) return GOTRT_ERR_MISSING_SYMBOL;
  if (gotrt_cu.cuCtxGetCurrent) {
    CUcontext cur = NULL;
    if (gotrt_cu.cuCtxGetCurrent(&cur) == CUDA_SUCCESS && cur == (CUcontext)ctx) return 0;
  }
  return gotrt_cu.cuCtxSetCurrent((CUcontext)ctx) == CUDA_SUCCESS ? 0 : GOTRT_ERR_CONTEXT;
}

#define DNN_CTX(ctx)                                                                               \
  do {                                                                                             \
    int _r = dnn_ctx_on(ctx);                                                                      \
    if (_r != 0) return _r;                                                                        \
  } while (0)

static int dnn_done(int r, char *msg) {
  if (msg) {
    msg[0] = 0;
    if (r != 0 && gotrt_dnn.cudnnGetLastErrorString)
      gotrt_dnn.cudnnGetLastErrorString(msg, GOTRT_MSG_LEN);
    msg[GOTRT_MSG_LEN - 1] = 0;
  }
  return r;
}

size_t gotrt_dnn_version(void) {
  if (!gotrt_loaded[GOTRT_LIB_CUDNN] || !gotrt_dnn.cudnnGetVersion) return 0;
  return gotrt_dnn.cudnnGetVersion();
}

const char *gotrt_dnn_error_string(int code) {
  if (!gotrt_loaded[GOTRT_LIB_CUDNN] || !gotrt_dnn.cudnnGetErrorString) return NULL;
  return gotrt_dnn.cudnnGetErrorString(code);
}

int gotrt_dnn_create(uintptr_t ctx, uintptr_t *h, char *msg) {
  DNN_NEED(cudnnCreate);
  DNN_CTX(ctx);
  cudnnHandle_t hh = NULL;
  int r = gotrt_dnn.cudnnCreate(&hh);
  *h = (uintptr_t)hh;
  return dnn_done(r, msg);
}

int gotrt_dnn_destroy(uintptr_t ctx, uintptr_t h, char *msg) {
  DNN_NEED(cudnnDestroy);
  DNN_CTX(ctx);
  return dnn_done(gotrt_dnn.cudnnDestroy((cudnnHandle_t)h), msg);
}

int gotrt_dnn_set_stream(uintptr_t ctx, uintptr_t h, uintptr_t stream, char *msg) {
  DNN_NEED(cudnnSetStream);
  DNN_CTX(ctx);
  return dnn_done(gotrt_dnn.cudnnSetStream((cudnnHandle_t)h, (CUstream)stream), msg);
}

int gotrt_dnn_tensor_create(uintptr_t *d, int dtype, int nb, const int *dims, const int *strides,
                            char *msg) {
  DNN_NEED(cudnnCreateTensorDescriptor);
  DNN_NEED(cudnnSetTensorNdDescriptor);
  DNN_NEED(cudnnDestroyTensorDescriptor);
  cudnnTensorDescriptor_t t = NULL;
  *d = 0;
  int r = gotrt_dnn.cudnnCreateTensorDescriptor(&t);
  if (r != 0) return dnn_done(r, msg);
  r = gotrt_dnn.cudnnSetTensorNdDescriptor(t, dtype, nb, dims, strides);
  if (r != 0) {
    dnn_done(r, msg);
    gotrt_dnn.cudnnDestroyTensorDescriptor(t);
    return r;
  }
  *d = (uintptr_t)t;
  return dnn_done(0, msg);
}

int gotrt_dnn_tensor_destroy(uintptr_t d) {
  DNN_NEED(cudnnDestroyTensorDescriptor);
  return gotrt_dnn.cudnnDestroyTensorDescriptor((cudnnTensorDescriptor_t)d);
}

int gotrt_dnn_filter_create(uintptr_t *d, int dtype, int format, int nb, const int *dims,
                            char *msg) {
  DNN_NEED(cudnnCreateFilterDescriptor);
  DNN_NEED(cudnnSetFilterNdDescriptor);
  DNN_NEED(cudnnDestroyFilterDescriptor);
  cudnnFilterDescriptor_t f = NULL;
  *d = 0;
  int r = gotrt_dnn.cudnnCreateFilterDescriptor(&f);
  if (r != 0) return dnn_done(r, msg);
  r = gotrt_dnn.cudnnSetFilterNdDescriptor(f, dtype, format, nb, dims);
  if (r != 0) {
    dnn_done(r, msg);
    gotrt_dnn.cudnnDestroyFilterDescriptor(f);
    return r;
  }
  *d = (uintptr_t)f;
  return dnn_done(0, msg);
}

int gotrt_dnn_filter_destroy(uintptr_t d) {
  DNN_NEED(cudnnDestroyFilterDescriptor);
  return gotrt_dnn.cudnnDestroyFilterDescriptor((cudnnFilterDescriptor_t)d);
}

int gotrt_dnn_conv_create(uintptr_t *d, int n, const int *pads, const int *strides,
                          const int *dilations, int mode, int compute, int groups, int math,
                          char *msg) {
  DNN_NEED(cudnnCreateConvolutionDescriptor);
  DNN_NEED(cudnnSetConvolutionNdDescriptor);
  DNN_NEED(cudnnSetConvolutionGroupCount);
  DNN_NEED(cudnnSetConvolutionMathType);
  DNN_NEED(cudnnDestroyConvolutionDescriptor);
  cudnnConvolutionDescriptor_t c = NULL;
  *d = 0;
  int r = gotrt_dnn.cudnnCreateConvolutionDescriptor(&c);
  if (r != 0) return dnn_done(r, msg);
  r = gotrt_dnn.cudnnSetConvolutionNdDescriptor(c, n, pads, strides, dilations, mode, compute);
  if (r == 0 && groups > 1) r = gotrt_dnn.cudnnSetConvolutionGroupCount(c, groups);
  if (r == 0) r = gotrt_dnn.cudnnSetConvolutionMathType(c, math);
  if (r != 0) {
    dnn_done(r, msg);
    gotrt_dnn.cudnnDestroyConvolutionDescriptor(c);
    return r;
  }
  *d = (uintptr_t)c;
  return dnn_done(0, msg);
}

int gotrt_dnn_conv_set_math(uintptr_t d, int math, char *msg) {
  DNN_NEED(cudnnSetConvolutionMathType);
  return dnn_done(gotrt_dnn.cudnnSetConvolutionMathType((cudnnConvolutionDescriptor_t)d, math), msg);
}

int gotrt_dnn_conv_destroy(uintptr_t d) {
  DNN_NEED(cudnnDestroyConvolutionDescriptor);
  return gotrt_dnn.cudnnDestroyConvolutionDescriptor((cudnnConvolutionDescriptor_t)d);
}

int gotrt_dnn_conv_output_dims(uintptr_t conv, uintptr_t x, uintptr_t w, int nb, int *out,
                               char *msg) {
  DNN_NEED(cudnnGetConvolutionNdForwardOutputDim);
  return dnn_done(gotrt_dnn.cudnnGetConvolutionNdForwardOutputDim(
                      (cudnnConvolutionDescriptor_t)conv, (cudnnTensorDescriptor_t)x,
                      (cudnnFilterDescriptor_t)w, nb, out),
                  msg);
}

int gotrt_dnn_conv_fwd_algos(uintptr_t ctx, uintptr_t h, uintptr_t x, uintptr_t w, uintptr_t conv,
                             uintptr_t y, int find, int requested, int *returned,
                             cudnnConvolutionFwdAlgoPerf_t *perf, char *msg) {
  if (find) DNN_NEED(cudnnFindConvolutionForwardAlgorithm);
  else DNN_NEED(cudnnGetConvolutionForwardAlgorithm_v7);
  DNN_CTX(ctx);
  int r = (find ? gotrt_dnn.cudnnFindConvolutionForwardAlgorithm
                : gotrt_dnn.cudnnGetConvolutionForwardAlgorithm_v7)(
      (cudnnHandle_t)h, (cudnnTensorDescriptor_t)x, (cudnnFilterDescriptor_t)w,
      (cudnnConvolutionDescriptor_t)conv, (cudnnTensorDescriptor_t)y, requested, returned, perf);
  return dnn_done(r, msg);
}

int gotrt_dnn_conv_fwd_ws(uintptr_t ctx, uintptr_t h, uintptr_t x, uintptr_t w, uintptr_t conv,
                          uintptr_t y, int algo, size_t *bytes, char *msg) {
  DNN_NEED(cudnnGetConvolutionForwardWorkspaceSize);
  DNN_CTX(ctx);
  return dnn_done(gotrt_dnn.cudnnGetConvolutionForwardWorkspaceSize(
                      (cudnnHandle_t)h, (cudnnTensorDescriptor_t)x, (cudnnFilterDescriptor_t)w,
                      (cudnnConvolutionDescriptor_t)conv, (cudnnTensorDescriptor_t)y, algo, bytes),
                  msg);
}

/* alpha/beta: float for FLOAT/HALF/BFLOAT16 data, double for DOUBLE data (dbl != 0). */
typedef union {
  float f;
  double d;
} scalar;

static const void *put_scalar(scalar *s, double v, int dbl) {
  if (dbl) s->d = v;
  else s->f = (float)v;
  return s;
}

int gotrt_dnn_conv_fwd(uintptr_t ctx, uintptr_t h, double alpha, uintptr_t x, uint64_t xp,
                       uintptr_t w, uint64_t wp, uintptr_t conv, int algo, uint64_t ws,
                       size_t ws_size, double beta, uintptr_t y, uint64_t yp, int dbl, char *msg) {
  DNN_NEED(cudnnConvolutionForward);
  DNN_CTX(ctx);
  scalar a, b;
  int r = gotrt_dnn.cudnnConvolutionForward(
      (cudnnHandle_t)h, put_scalar(&a, alpha, dbl), (cudnnTensorDescriptor_t)x,
      (const void *)(uintptr_t)xp, (cudnnFilterDescriptor_t)w, (const void *)(uintptr_t)wp,
      (cudnnConvolutionDescriptor_t)conv, algo, (void *)(uintptr_t)ws, ws_size,
      put_scalar(&b, beta, dbl), (cudnnTensorDescriptor_t)y, (void *)(uintptr_t)yp);
  return dnn_done(r, msg);
}

int gotrt_dnn_conv_bwd_data_algos(uintptr_t ctx, uintptr_t h, uintptr_t w, uintptr_t dy,
                                  uintptr_t conv, uintptr_t dx, int find, int requested,
                                  int *returned, cudnnConvolutionBwdDataAlgoPerf_t *perf,
                                  char *msg) {
  if (find) DNN_NEED(cudnnFindConvolutionBackwardDataAlgorithm);
  else DNN_NEED(cudnnGetConvolutionBackwardDataAlgorithm_v7);
  DNN_CTX(ctx);
  int r = (find ? gotrt_dnn.cudnnFindConvolutionBackwardDataAlgorithm
                : gotrt_dnn.cudnnGetConvolutionBackwardDataAlgorithm_v7)(
      (cudnnHandle_t)h, (cudnnFilterDescriptor_t)w, (cudnnTensorDescriptor_t)dy,
      (cudnnConvolutionDescriptor_t)conv, (cudnnTensorDescriptor_t)dx, requested, returned, perf);
  return dnn_done(r, msg);
}

int gotrt_dnn_conv_bwd_data_ws(uintptr_t ctx, uintptr_t h, uintptr_t w, uintptr_t dy,
                               uintptr_t conv, uintptr_t dx, int algo, size_t *bytes, char *msg) {
  DNN_NEED(cudnnGetConvolutionBackwardDataWorkspaceSize);
  DNN_CTX(ctx);
  return dnn_done(gotrt_dnn.cudnnGetConvolutionBackwardDataWorkspaceSize(
                      (cudnnHandle_t)h, (cudnnFilterDescriptor_t)w, (cudnnTensorDescriptor_t)dy,
                      (cudnnConvolutionDescriptor_t)conv, (cudnnTensorDescriptor_t)dx, algo,
                      bytes),
                  msg);
}

int gotrt_dnn_conv_bwd_data(uintptr_t ctx, uintptr_t h, double alpha, uintptr_t w, uint64_t wp,
                            uintptr_t dy, uint64_t dyp, uintptr_t conv, int algo, uint64_t ws,
                            size_t ws_size, double beta, uintptr_t dx, uint64_t dxp, int dbl,
                            char *msg) {
  DNN_NEED(cudnnConvolutionBackwardData);
  DNN_CTX(ctx);
  scalar a, b;
  int r = gotrt_dnn.cudnnConvolutionBackwardData(
      (cudnnHandle_t)h, put_scalar(&a, alpha, dbl), (cudnnFilterDescriptor_t)w,
      (const void *)(uintptr_t)wp, (cudnnTensorDescriptor_t)dy, (const void *)(uintptr_t)dyp,
      (cudnnConvolutionDescriptor_t)conv, algo, (void *)(uintptr_t)ws, ws_size,
      put_scalar(&b, beta, dbl), (cudnnTensorDescriptor_t)dx, (void *)(uintptr_t)dxp);
  return dnn_done(r, msg);
}

int gotrt_dnn_add_tensor(uintptr_t ctx, uintptr_t h, double alpha, uintptr_t a, uint64_t ap,
                         double beta, uintptr_t c, uint64_t cp, int dbl, char *msg) {
  DNN_NEED(cudnnAddTensor);
  DNN_CTX(ctx);
  scalar sa, sb;
  int r = gotrt_dnn.cudnnAddTensor((cudnnHandle_t)h, put_scalar(&sa, alpha, dbl),
                                   (cudnnTensorDescriptor_t)a, (const void *)(uintptr_t)ap,
                                   put_scalar(&sb, beta, dbl), (cudnnTensorDescriptor_t)c,
                                   (void *)(uintptr_t)cp);
  return dnn_done(r, msg);
}
