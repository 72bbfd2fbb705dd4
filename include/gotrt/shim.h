/*
 * gotrt shim ABI: the C functions that Go (package internal/cgo) calls.
 *
 * Rules of this ABI:
 *  - Every library is opened with dlopen at run time; its functions live in one table of
 *    pointers per library (gotrt_cu, gotrt_nvrtc, gotrt_lt, gotrt_dnn) filled by dlsym.
 *    Nothing here links against a CUDA library.
 *  - A shim returns the library's own status code (CUresult, nvrtcResult, cublasStatus_t,
 *    cudnnStatus_t; 0 is success), or GOTRT_ERR_MISSING_SYMBOL when a pointer it needs is
 *    NULL, or GOTRT_ERR_NOT_LOADED when its library is not loaded. A shim never calls through
 *    a NULL pointer.
 *  - A shim does its whole job in one call: shims that touch device state take the CUDA
 *    context and make it current on the calling thread first (Go moves goroutines between
 *    threads, so the context cannot be left current between calls).
 *  - Handles cross the ABI as uintptr_t; device pointers as uint64_t (CUdeviceptr). Pointers
 *    into Go memory are passed only for the duration of a call and hold no Go pointers.
 */
#ifndef GOTRT_SHIM_H
#define GOTRT_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include "gotrt/cublaslt_min.h"
#include "gotrt/cuda_min.h"
#include "gotrt/cudnn_min.h"
#include "gotrt/nvrtc_min.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GOTRT_ERR_MISSING_SYMBOL (-1)
#define GOTRT_ERR_NOT_LOADED (-2)
/* cuBLASLt/cuDNN shims: the CUDA context could not be made current. */
#define GOTRT_ERR_CONTEXT (-3)

/* Size of the message buffers that cuDNN shims fill with cudnnGetLastErrorString. */
#define GOTRT_MSG_LEN 1024

enum {
  GOTRT_LIB_CUDA = 0,
  GOTRT_LIB_NVRTC = 1,
  GOTRT_LIB_CUBLASLT = 2,
  GOTRT_LIB_CUDNN = 3,
  GOTRT_LIB_COUNT = 4
};

/* ---- function-pointer tables, one per library ---- */
#define GOTRT_TABLE_FIELD(ret, name, params, sym, fallback) ret(*name) params;
typedef struct {
  GOTRT_CU_FUNCS(GOTRT_TABLE_FIELD)
} gotrt_cu_table;
typedef struct {
  GOTRT_NVRTC_FUNCS(GOTRT_TABLE_FIELD)
} gotrt_nvrtc_table;
typedef struct {
  GOTRT_LT_FUNCS(GOTRT_TABLE_FIELD)
} gotrt_lt_table;
typedef struct {
  GOTRT_DNN_FUNCS(GOTRT_TABLE_FIELD)
} gotrt_dnn_table;

extern gotrt_cu_table gotrt_cu;
extern gotrt_nvrtc_table gotrt_nvrtc;
extern gotrt_lt_table gotrt_lt;
extern gotrt_dnn_table gotrt_dnn;
extern int gotrt_loaded[GOTRT_LIB_COUNT];

/* ---- loader ---- */
/* dlopen(path); on failure returns 0 and copies dlerror() into err. */
uintptr_t gotrt_dlopen(const char *path, int global, char *err, size_t errlen);
int gotrt_dlclose(uintptr_t handle);
/* Path of the file that defines sym in handle (dladdr); 0 on success. */
int gotrt_dl_origin(uintptr_t handle, const char *sym, char *out, size_t outlen);
/* Fills the table of lib from handle and marks it loaded. Returns the number of symbols not
 * found; their names are written, comma-separated, into missing. */
int gotrt_bind(int lib, uintptr_t handle, char *missing, size_t mlen);
/* Clears the table of lib and marks it unloaded (tests). */
void gotrt_unbind(int lib);
int gotrt_symbol_count(int lib);

/* ---- CUDA driver ---- */
int gotrt_cu_init(unsigned int flags);
int gotrt_cu_driver_version(int *version);
void gotrt_cu_error_strings(int code, const char **name, const char **desc);
int gotrt_cu_device_count(int *count);
int gotrt_cu_device_get(int ordinal, int *dev);
int gotrt_cu_device_props(int dev, char *name, int namelen, size_t *total, char *busid,
                          int buslen, unsigned char *uuid16);
int gotrt_cu_device_attrs(int dev, const int *attrs, int *vals, int n);
int gotrt_cu_ctx_retain(int dev, uintptr_t *ctx);
int gotrt_cu_ctx_release(int dev);
int gotrt_cu_ctx_sync(uintptr_t ctx);
int gotrt_cu_mem_info(uintptr_t ctx, size_t *free_bytes, size_t *total_bytes);
int gotrt_cu_malloc(uintptr_t ctx, uint64_t *dptr, size_t n);
int gotrt_cu_free(uintptr_t ctx, uint64_t dptr);
int gotrt_cu_htod(uintptr_t ctx, uint64_t dst, const void *src, size_t n);
int gotrt_cu_dtoh(uintptr_t ctx, void *dst, uint64_t src, size_t n);
int gotrt_cu_dtod(uintptr_t ctx, uint64_t dst, uint64_t src, size_t n);
int gotrt_cu_htod_async(uintptr_t ctx, uint64_t dst, const void *host, size_t n, uintptr_t stream);
int gotrt_cu_dtoh_async(uintptr_t ctx, void *host, uint64_t src, size_t n, uintptr_t stream);
int gotrt_cu_dtod_async(uintptr_t ctx, uint64_t dst, uint64_t src, size_t n, uintptr_t stream);
int gotrt_cu_memset_d8(uintptr_t ctx, uint64_t dst, unsigned char v, size_t n, uintptr_t stream,
                       int async);
int gotrt_cu_memset_d32(uintptr_t ctx, uint64_t dst, unsigned int v, size_t n, uintptr_t stream,
                        int async);
int gotrt_cu_host_alloc(uintptr_t ctx, void **p, size_t n, unsigned int flags);
int gotrt_cu_host_free(uintptr_t ctx, void *p);
int gotrt_cu_stream_create(uintptr_t ctx, uintptr_t *s, unsigned int flags);
int gotrt_cu_stream_sync(uintptr_t ctx, uintptr_t s);
int gotrt_cu_stream_query(uintptr_t ctx, uintptr_t s);
int gotrt_cu_stream_destroy(uintptr_t ctx, uintptr_t s);
int gotrt_cu_stream_wait_event(uintptr_t ctx, uintptr_t s, uintptr_t e);
int gotrt_cu_event_create(uintptr_t ctx, uintptr_t *e, unsigned int flags);
int gotrt_cu_event_record(uintptr_t ctx, uintptr_t e, uintptr_t s);
int gotrt_cu_event_sync(uintptr_t ctx, uintptr_t e);
int gotrt_cu_event_query(uintptr_t ctx, uintptr_t e);
int gotrt_cu_event_elapsed(uintptr_t ctx, float *ms, uintptr_t start, uintptr_t end);
int gotrt_cu_event_destroy(uintptr_t ctx, uintptr_t e);
int gotrt_cu_module_load(uintptr_t ctx, uintptr_t *mod, const void *image, char *log,
                         unsigned int loglen);
int gotrt_cu_module_function(uintptr_t ctx, uintptr_t *fn, uintptr_t mod, const char *name);
int gotrt_cu_module_unload(uintptr_t ctx, uintptr_t mod);
int gotrt_cu_func_get_attr(uintptr_t ctx, int *v, int attr, uintptr_t fn);
int gotrt_cu_func_set_attr(uintptr_t ctx, uintptr_t fn, int attr, int v);
int gotrt_cu_occupancy(uintptr_t ctx, int *blocks, uintptr_t fn, int block_size, size_t dyn_smem);
/* Launches fn; argument i lives at argbuf + offsets[i]. */
int gotrt_cu_launch(uintptr_t ctx, uintptr_t fn, unsigned int gx, unsigned int gy, unsigned int gz,
                    unsigned int bx, unsigned int by, unsigned int bz, unsigned int shmem,
                    uintptr_t stream, void *argbuf, const int32_t *offsets, int nargs);
int gotrt_cu_begin_capture(uintptr_t ctx, uintptr_t s, int mode);
int gotrt_cu_end_capture(uintptr_t ctx, uintptr_t s, uintptr_t *graph);
int gotrt_cu_graph_instantiate(uintptr_t ctx, uintptr_t *exec, uintptr_t graph,
                               unsigned long long flags);
int gotrt_cu_graph_launch(uintptr_t ctx, uintptr_t exec, uintptr_t s);
int gotrt_cu_graph_destroy(uintptr_t ctx, uintptr_t graph);
int gotrt_cu_graph_exec_destroy(uintptr_t ctx, uintptr_t exec);

/* ---- NVRTC ---- */
int gotrt_nvrtc_version(int *major, int *minor);
int gotrt_nvrtc_supported_archs(int *archs, int cap, int *n);
const char *gotrt_nvrtc_error_string(int code);
/* Compiles src in one call: create, compile, fetch the log and the PTX or CUBIN, destroy.
 * *out and *log are malloc'd (free with free()); *stage names the step that failed:
 * 0 create, 1 compile, 2 fetch. */
int gotrt_nvrtc_compile(const char *src, const char *name, int nopts, const char *const *opts,
                        int want_cubin, void **out, size_t *outlen, char **log, int *stage);

/* ---- cuBLASLt ---- */
int gotrt_lt_create(uintptr_t ctx, uintptr_t *h);
int gotrt_lt_destroy(uintptr_t ctx, uintptr_t h);
size_t gotrt_lt_version(void);
void gotrt_lt_status_strings(int code, const char **name, const char **desc);
int gotrt_lt_desc_create(uintptr_t *d, int compute, int scale);
int gotrt_lt_desc_destroy(uintptr_t d);
int gotrt_lt_desc_set(uintptr_t d, int attr, const void *buf, size_t n);
int gotrt_lt_layout_create(uintptr_t *l, int type, uint64_t rows, uint64_t cols, int64_t ld);
int gotrt_lt_layout_destroy(uintptr_t l);
int gotrt_lt_layout_set(uintptr_t l, int attr, const void *buf, size_t n);
int gotrt_lt_pref_create(uintptr_t *p);
int gotrt_lt_pref_destroy(uintptr_t p);
int gotrt_lt_pref_set(uintptr_t p, int attr, const void *buf, size_t n);
int gotrt_lt_heuristic(uintptr_t ctx, uintptr_t h, uintptr_t desc, uintptr_t a, uintptr_t b,
                       uintptr_t c, uintptr_t d, uintptr_t pref, int requested,
                       cublasLtMatmulHeuristicResult_t *results, int *returned);
/* alpha_bits and beta_bits hold the bits of values of the descriptor's scale type in their
 * low bytes (little endian: float in the low 4 bytes, half in the low 2); algo may be NULL. */
int gotrt_lt_matmul(uintptr_t ctx, uintptr_t h, uintptr_t desc, uint64_t alpha_bits, uint64_t A,
                    uintptr_t Ad, uint64_t B, uintptr_t Bd, uint64_t beta_bits, uint64_t C,
                    uintptr_t Cd, uint64_t D, uintptr_t Dd, const uint64_t *algo, uint64_t ws,
                    size_t ws_size, uintptr_t stream);

/* ---- cuDNN (legacy descriptor API). msg (GOTRT_MSG_LEN bytes) receives
 * cudnnGetLastErrorString on failure. ---- */
size_t gotrt_dnn_version(void);
const char *gotrt_dnn_error_string(int code);
int gotrt_dnn_create(uintptr_t ctx, uintptr_t *h, char *msg);
int gotrt_dnn_destroy(uintptr_t ctx, uintptr_t h, char *msg);
int gotrt_dnn_set_stream(uintptr_t ctx, uintptr_t h, uintptr_t stream, char *msg);
int gotrt_dnn_tensor_create(uintptr_t *d, int dtype, int nb, const int *dims, const int *strides,
                            char *msg);
int gotrt_dnn_tensor_destroy(uintptr_t d);
int gotrt_dnn_filter_create(uintptr_t *d, int dtype, int format, int nb, const int *dims,
                            char *msg);
int gotrt_dnn_filter_destroy(uintptr_t d);
int gotrt_dnn_conv_create(uintptr_t *d, int n, const int *pads, const int *strides,
                          const int *dilations, int mode, int compute, int groups, int math,
                          char *msg);
int gotrt_dnn_conv_set_math(uintptr_t d, int math, char *msg);
int gotrt_dnn_conv_destroy(uintptr_t d);
int gotrt_dnn_conv_output_dims(uintptr_t conv, uintptr_t x, uintptr_t w, int nb, int *out,
                               char *msg);
int gotrt_dnn_conv_fwd_algos(uintptr_t ctx, uintptr_t h, uintptr_t x, uintptr_t w, uintptr_t conv,
                             uintptr_t y, int find, int requested, int *returned,
                             cudnnConvolutionFwdAlgoPerf_t *perf, char *msg);
int gotrt_dnn_conv_fwd_ws(uintptr_t ctx, uintptr_t h, uintptr_t x, uintptr_t w, uintptr_t conv,
                          uintptr_t y, int algo, size_t *bytes, char *msg);
int gotrt_dnn_conv_fwd(uintptr_t ctx, uintptr_t h, double alpha, uintptr_t x, uint64_t xp,
                       uintptr_t w, uint64_t wp, uintptr_t conv, int algo, uint64_t ws,
                       size_t ws_size, double beta, uintptr_t y, uint64_t yp, int dbl, char *msg);
int gotrt_dnn_conv_bwd_data_algos(uintptr_t ctx, uintptr_t h, uintptr_t w, uintptr_t dy,
                                  uintptr_t conv, uintptr_t dx, int find, int requested,
                                  int *returned, cudnnConvolutionBwdDataAlgoPerf_t *perf,
                                  char *msg);
int gotrt_dnn_conv_bwd_data_ws(uintptr_t ctx, uintptr_t h, uintptr_t w, uintptr_t dy,
                               uintptr_t conv, uintptr_t dx, int algo, size_t *bytes, char *msg);
int gotrt_dnn_conv_bwd_data(uintptr_t ctx, uintptr_t h, double alpha, uintptr_t w, uint64_t wp,
                            uintptr_t dy, uint64_t dyp, uintptr_t conv, int algo, uint64_t ws,
                            size_t ws_size, double beta, uintptr_t dx, uint64_t dxp, int dbl,
                            char *msg);
int gotrt_dnn_add_tensor(uintptr_t ctx, uintptr_t h, double alpha, uintptr_t a, uint64_t ap,
                         double beta, uintptr_t c, uint64_t cp, int dbl, char *msg);

#ifdef __cplusplus
}
#endif

#endif /* GOTRT_SHIM_H */
