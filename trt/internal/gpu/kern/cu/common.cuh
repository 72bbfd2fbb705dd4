// Common definitions of gotrt's NVRTC kernel library. No CUDA headers are
// included: half and bfloat16 values are handled as their 16-bit patterns,
// converted with PTX cvt (FP16, round to nearest even, overflow to Inf) and
// integer arithmetic (BF16, round to nearest even as the host does).
// Every kernel argument struct holds only 8-byte fields, mirrored field by
// field by a Go struct.

typedef unsigned char u8;
typedef signed char i8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef long long i64;
typedef unsigned long long u64;

#define MAXR 8
#define I64_MAX 9223372036854775807LL
#define I64_MIN (-I64_MAX - 1LL)

// Element type codes: the values of gotrt's DataType.
enum { T_F32 = 0, T_F16 = 1, T_I8 = 2, T_I32 = 3, T_BOOL = 4, T_U8 = 5, T_BF16 = 7, T_I64 = 8 };

__device__ __forceinline__ float f_inf() { return __int_as_float(0x7f800000); }
__device__ __forceinline__ float f_nan() { return __int_as_float(0x7fc00000); }
__device__ __forceinline__ bool is_float_t(int t) { return t == T_F32 || t == T_F16 || t == T_BF16; }

__device__ __forceinline__ float h2f(u16 h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}
__device__ __forceinline__ u16 f2h(float f) {
    u16 h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}
__device__ __forceinline__ float bf2f(u16 b) { return __uint_as_float(((u32)b) << 16); }
__device__ __forceinline__ u16 f2bf(float f) {
    u32 u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u16)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (u16)(u >> 16);
}
// round a float to type t (identity for FP32 and integers)
__device__ __forceinline__ float round_to(float v, int t) {
    if (t == T_F16) return h2f(f2h(v));
    if (t == T_BF16) return bf2f(f2bf(v));
    return v;
}

// Loads element i of p (type t) as float / as int64.
__device__ __forceinline__ float ldf(const void* p, int t, i64 i) {
    switch (t) {
    case T_F32: return ((const float*)p)[i];
    case T_F16: return h2f(((const u16*)p)[i]);
    case T_BF16: return bf2f(((const u16*)p)[i]);
    case T_I8: return (float)((const i8*)p)[i];
    case T_I32: return (float)((const int*)p)[i];
    case T_I64: return (float)((const i64*)p)[i];
    default: return (float)((const u8*)p)[i];
    }
}
__device__ __forceinline__ i64 ldi(const void* p, int t, i64 i) {
    switch (t) {
    case T_I8: return ((const i8*)p)[i];
    case T_I32: return ((const int*)p)[i];
    case T_I64: return ((const i64*)p)[i];
    case T_F32: return (i64)((const float*)p)[i];
    case T_F16: return (i64)h2f(((const u16*)p)[i]);
    case T_BF16: return (i64)bf2f(((const u16*)p)[i]);
    default: return ((const u8*)p)[i];
    }
}

// Float to integer as the CPU backend's Cast: bool is v != 0 (NaN too),
// NaN is 0, truncation toward zero, saturation at the int64 range; the store
// then wraps to the type.
__device__ __forceinline__ i64 f2int(float v, int to) {
    if (to == T_BOOL) return v != 0.0f ? 1 : 0;
    if (v != v) return 0;
    double f = (double)v;
    if (f >= 9223372036854775808.0) return I64_MAX;
    if (f <= -9223372036854775808.0) return I64_MIN;
    return (i64)f;
}

// Stores v into element i of p (type t): integers wrap (bool: v != 0),
// floats are rounded to nearest even.
__device__ __forceinline__ void sti(void* p, int t, i64 i, i64 v) {
    switch (t) {
    case T_I8: ((i8*)p)[i] = (i8)v; break;
    case T_U8: ((u8*)p)[i] = (u8)v; break;
    case T_BOOL: ((u8*)p)[i] = v != 0 ? 1 : 0; break;
    case T_I32: ((int*)p)[i] = (int)v; break;
    case T_I64: ((i64*)p)[i] = v; break;
    case T_F32: ((float*)p)[i] = (float)v; break;
    case T_F16: ((u16*)p)[i] = f2h((float)v); break;
    case T_BF16: ((u16*)p)[i] = f2bf((float)v); break;
    }
}
__device__ __forceinline__ void stf(void* p, int t, i64 i, float v) {
    switch (t) {
    case T_F32: ((float*)p)[i] = v; break;
    case T_F16: ((u16*)p)[i] = f2h(v); break;
    case T_BF16: ((u16*)p)[i] = f2bf(v); break;
    default: sti(p, t, i, f2int(v, t)); break;
    }
}
// Stores a double result (rounded to float first, as the host does).
__device__ __forceinline__ void std_(void* p, int t, i64 i, double v) { stf(p, t, i, (float)v); }

// Copies element si of src (type st) to element di of dst (type dt) with the
// semantics of Cast.
__device__ __forceinline__ void cast_elem(void* dst, int dt, i64 di, const void* src, int st, i64 si) {
    if (is_float_t(st)) {
        stf(dst, dt, di, ldf(src, st, si));
    } else {
        sti(dst, dt, di, ldi(src, st, si));
    }
}

__device__ __forceinline__ int type_size(int t) {
    switch (t) {
    case T_F32: case T_I32: return 4;
    case T_F16: case T_BF16: return 2;
    case T_I64: return 8;
    default: return 1;
    }
}

// Grid-stride loop helpers.
#define GRID_LOOP(I, i, n) for (I i = (I)blockIdx.x * (I)blockDim.x + (I)threadIdx.x; i < (I)(n); i += (I)gridDim.x * (I)blockDim.x)

// NaN-propagating max/min as the host's reductions (a NaN wins).
__device__ __forceinline__ float nmax(float a, float b) { return (b > a || b != b) ? b : a; }
__device__ __forceinline__ float nmin(float a, float b) { return (b < a || b != b) ? b : a; }

// Block-wide reductions (blockDim.x a multiple of 32, at most 1024). Every
// thread gets the result.
__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = nmax(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}
__device__ float block_sum(float v) {
    __shared__ float sh[32];
    __syncthreads();
    v = warp_sum(v);
    int w = threadIdx.x >> 5, l = threadIdx.x & 31, nw = (blockDim.x + 31) >> 5;
    if (l == 0) sh[w] = v;
    __syncthreads();
    v = l < nw ? sh[l] : 0.0f;
    return warp_sum(v);
}
__device__ float block_max(float v) {
    __shared__ float sh[32];
    __syncthreads();
    v = warp_max(v);
    int w = threadIdx.x >> 5, l = threadIdx.x & 31, nw = (blockDim.x + 31) >> 5;
    if (l == 0) sh[w] = v;
    __syncthreads();
    v = l < nw ? sh[l] : -f_inf();
    return warp_max(v);
}
