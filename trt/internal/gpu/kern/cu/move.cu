// Data movement: a general N-D index-mapping copy (Shuffle, Slice, Expand,
// Tile, Padding, Resize nearest), a tiled 2-D transpose, row-block copies
// (Concatenation, Split), plain copies, Trilu, Gather and Scatter.
// Kernels named *_eN move N-byte elements as they are; *_cv convert between
// element types with Cast semantics.

template <int ES> struct Raw;
template <> struct Raw<1> { typedef u8 T; };
template <> struct Raw<2> { typedef u16 T; };
template <> struct Raw<4> { typedef u32 T; };
template <> struct Raw<8> { typedef u64 T; };

// Element mover: ES > 0 copies raw bits; ES == 0 converts types.
template <int ES> struct Mover {
    typedef typename Raw<ES>::T T;
    const T* src; T* dst; T fill;
    __device__ Mover(const void* s, int st, void* d, int dt, u64 fillbits, u64 fillptr, int filltype) {
        src = (const T*)s; dst = (T*)d; fill = (T)fillbits;
        if (fillptr) {
            T v;
            cast_elem(&v, dt, 0, (const void*)fillptr, filltype, 0);
            fill = v;
        }
    }
    __device__ __forceinline__ void copy(i64 di, i64 si) { dst[di] = src[si]; }
    __device__ __forceinline__ void put_fill(i64 di) { dst[di] = fill; }
};
template <> struct Mover<0> {
    const void* src; void* dst; int st, dt; u64 fill;
    __device__ Mover(const void* s, int st_, void* d, int dt_, u64 fillbits, u64 fillptr, int filltype) {
        src = s; st = st_; dst = d; dt = dt_; fill = fillbits;
        if (fillptr) cast_elem(&fill, dt, 0, (const void*)fillptr, filltype, 0);
    }
    __device__ __forceinline__ void copy(i64 di, i64 si) { cast_elem(dst, dt, di, src, st, si); }
    __device__ __forceinline__ void put_fill(i64 di) {
        switch (type_size(dt)) {
        case 1: ((u8*)dst)[di] = (u8)fill; break;
        case 2: ((u16*)dst)[di] = (u16)fill; break;
        case 4: ((u32*)dst)[di] = (u32)fill; break;
        default: ((u64*)dst)[di] = fill; break;
        }
    }
};

// Per output axis: how output coordinate o maps to an input coordinate.
enum { M_LINEAR = 0, M_MOD = 1, M_PAD_CONST = 2, M_PAD_EDGE = 3, M_PAD_REFLECT = 4, M_PAD_WRAP = 5 };
struct MapAxis { i64 n, stride, mode, a, b, c; };
// LINEAR: src = a + o*b. MOD: src = o % b.
// PAD_*: j = o - a over a view of b values starting at c: out of [0, b) the
// mode decides (constant: fill); src = c + j.
struct MapArgs {
    u64 out, in; i64 total, rank, otype, itype, fillptr, filltype; u64 fillbits;
    i64 rank2;                    // > 0: the mapped offset is a linear index into dims2
    MapAxis ax[MAXR];
    i64 dims2[MAXR], str2[MAXR];
};

template <int ES, typename I>
__device__ __forceinline__ void map_kernel(const MapArgs& a) {
    Mover<ES> m((const void*)a.in, (int)a.itype, (void*)a.out, (int)a.otype, a.fillbits, (u64)a.fillptr, (int)a.filltype);
    int r = (int)a.rank, r2 = (int)a.rank2;
    GRID_LOOP(I, i, a.total) {
        I rem = i;
        i64 off = 0;
        bool fill = false;
        for (int d = r - 1; d >= 0; --d) {
            const MapAxis& x = a.ax[d];
            I n = (I)x.n;
            i64 o = (i64)(rem % n);
            rem /= n;
            i64 s;
            switch (x.mode) {
            case M_LINEAR: s = x.a + o * x.b; break;
            case M_MOD: s = o % x.b; break;
            default: {
                i64 j = o - x.a, mm = x.b;
                if (j < 0 || j >= mm) {
                    switch (x.mode) {
                    case M_PAD_CONST: fill = true; break;
                    case M_PAD_EDGE: j = j < 0 ? 0 : mm - 1; break;
                    case M_PAD_REFLECT:
                        if (mm == 1) j = 0;
                        else {
                            i64 per = 2 * (mm - 1);
                            j = ((j % per) + per) % per;
                            if (j >= mm) j = per - j;
                        }
                        break;
                    default: j = ((j % mm) + mm) % mm; break;
                    }
                }
                s = x.c + j;
            }
            }
            off += s * x.stride;
        }
        if (fill) { m.put_fill((i64)i); continue; }
        if (r2 > 0) {
            I rem2 = (I)off;
            off = 0;
            for (int d = r2 - 1; d >= 0; --d) {
                I n = (I)a.dims2[d];
                off += (i64)(rem2 % n) * a.str2[d];
                rem2 /= n;
            }
        }
        m.copy((i64)i, off);
    }
}

#define MAP_INST(ES, SUF) \
    extern "C" __global__ void __launch_bounds__(256) map_##SUF##_32(const MapArgs a) { map_kernel<ES, u32>(a); } \
    extern "C" __global__ void __launch_bounds__(256) map_##SUF##_64(const MapArgs a) { map_kernel<ES, i64>(a); }
MAP_INST(1, e1)
MAP_INST(2, e2)
MAP_INST(4, e4)
MAP_INST(8, e8)
MAP_INST(0, cv)

// Tiled transpose of [B, R, C] into [B, C, R]: block (32, 8), grid
// (ceil(C/32), ceil(R/32), min(B, 65535)).
struct TrArgs { u64 out, in; i64 b, r, c; };
template <int ES>
__device__ __forceinline__ void transpose_kernel(const TrArgs& a) {
    typedef typename Raw<ES>::T T;
    __shared__ T tile[32][33];
    const T* in = (const T*)a.in;
    T* out = (T*)a.out;
    i64 R = a.r, C = a.c;
    i64 c0 = (i64)blockIdx.x * 32, r0 = (i64)blockIdx.y * 32;
    for (i64 b = blockIdx.z; b < a.b; b += gridDim.z) {
        const T* ib = in + b * R * C;
        T* ob = out + b * R * C;
        for (int k = threadIdx.y; k < 32; k += 8) {
            i64 rr = r0 + k, cc = c0 + threadIdx.x;
            if (rr < R && cc < C) tile[k][threadIdx.x] = ib[rr * C + cc];
        }
        __syncthreads();
        for (int k = threadIdx.y; k < 32; k += 8) {
            i64 cc = c0 + k, rr = r0 + threadIdx.x;
            if (rr < R && cc < C) ob[cc * R + rr] = tile[threadIdx.x][k];
        }
        __syncthreads();
    }
}
extern "C" __global__ void __launch_bounds__(256) transpose_e1(const TrArgs a) { transpose_kernel<1>(a); }
extern "C" __global__ void __launch_bounds__(256) transpose_e2(const TrArgs a) { transpose_kernel<2>(a); }
extern "C" __global__ void __launch_bounds__(256) transpose_e4(const TrArgs a) { transpose_kernel<4>(a); }
extern "C" __global__ void __launch_bounds__(256) transpose_e8(const TrArgs a) { transpose_kernel<8>(a); }

// Row-block copy: dst[r*dpitch + doff + k] = src[r*spitch + soff + k] for
// r < rows, k < width (elements).
struct Copy2DArgs { u64 dst, src; i64 rows, width, dpitch, doff, spitch, soff, dtype, stype; };
template <int ES>
__device__ __forceinline__ void copy2d_kernel(const Copy2DArgs& a) {
    Mover<ES> m((const void*)a.src, (int)a.stype, (void*)a.dst, (int)a.dtype, 0, 0, 0);
    i64 n = a.rows * a.width;
    if (a.width == 0) return;
    GRID_LOOP(i64, i, n) {
        i64 r = i / a.width, k = i - r * a.width;
        m.copy(r * a.dpitch + a.doff + k, r * a.spitch + a.soff + k);
    }
}
extern "C" __global__ void __launch_bounds__(256) copy2d_e1(const Copy2DArgs a) { copy2d_kernel<1>(a); }
extern "C" __global__ void __launch_bounds__(256) copy2d_e2(const Copy2DArgs a) { copy2d_kernel<2>(a); }
extern "C" __global__ void __launch_bounds__(256) copy2d_e4(const Copy2DArgs a) { copy2d_kernel<4>(a); }
extern "C" __global__ void __launch_bounds__(256) copy2d_e8(const Copy2DArgs a) { copy2d_kernel<8>(a); }
extern "C" __global__ void __launch_bounds__(256) copy2d_cv(const Copy2DArgs a) { copy2d_kernel<0>(a); }

// Plain copy of n units of 16 bytes (both pointers 16-byte aligned), or of
// n bytes.
extern "C" __global__ void __launch_bounds__(256) copy_v16(u64 dst, u64 src, i64 n) {
    const uint4* s = (const uint4*)src;
    uint4* d = (uint4*)dst;
    GRID_LOOP(i64, i, n) d[i] = s[i];
}
extern "C" __global__ void __launch_bounds__(256) copy_b1(u64 dst, u64 src, i64 n) {
    const u8* s = (const u8*)src;
    u8* d = (u8*)dst;
    GRID_LOOP(i64, i, n) d[i] = s[i];
}

// Trilu over [.., R, C]: keeps col-row <= k (lower) or >= k (upper).
struct TriluArgs { u64 out, in; i64 n, r, c, k, upper; };
template <int ES>
__device__ __forceinline__ void trilu_kernel(const TriluArgs& a) {
    typedef typename Raw<ES>::T T;
    const T* in = (const T*)a.in;
    T* out = (T*)a.out;
    GRID_LOOP(i64, i, a.n) {
        i64 col = i % a.c, row = (i / a.c) % a.r;
        bool keep = a.upper ? (col - row >= a.k) : (col - row <= a.k);
        out[i] = keep ? in[i] : (T)0;
    }
}
extern "C" __global__ void __launch_bounds__(256) trilu_e1(const TriluArgs a) { trilu_kernel<1>(a); }
extern "C" __global__ void __launch_bounds__(256) trilu_e2(const TriluArgs a) { trilu_kernel<2>(a); }
extern "C" __global__ void __launch_bounds__(256) trilu_e4(const TriluArgs a) { trilu_kernel<4>(a); }
extern "C" __global__ void __launch_bounds__(256) trilu_e8(const TriluArgs a) { trilu_kernel<8>(a); }

// Gather. Indices (INT32 or INT64) wrap when negative; out-of-range indices
// give zeros (the host validates indices whose values it knows).
enum { G_DEFAULT = 0, G_ELEMENTS = 1, G_ND = 2 };
struct GatherArgs {
    u64 out, data, idx; i64 itype, mode, total;
    // default: outer, m (index count), n (axis extent), inner
    i64 outer, m, n, inner;
    // elements: rank, idx dims, data strides, axis; ND: batch, tuples, last, block, xbatch
    i64 rank, axis;
    i64 idims[MAXR], xstr[MAXR], xdims[MAXR];
    i64 batch, tuples, last, block, xbatch;
};
__device__ __forceinline__ bool norm_index(i64& k, i64 n) {
    if (k < 0) k += n;
    return k >= 0 && k < n;
}
template <int ES>
__device__ __forceinline__ void gather_kernel(const GatherArgs& a) {
    typedef typename Raw<ES>::T T;
    const T* x = (const T*)a.data;
    T* out = (T*)a.out;
    const void* ip = (const void*)a.idx;
    int it = (int)a.itype;
    GRID_LOOP(i64, i, a.total) {
        i64 src = -1;
        if (a.mode == G_DEFAULT) {
            i64 k = i % a.inner, row = i / a.inner;
            i64 j = row % a.m, o = row / a.m;
            i64 q = ldi(ip, it, j);
            if (norm_index(q, a.n)) src = (o * a.n + q) * a.inner + k;
        } else if (a.mode == G_ELEMENTS) {
            i64 rem = i, off = 0;
            for (int d = (int)a.rank - 1; d >= 0; --d) {
                i64 c = rem % a.idims[d];
                rem /= a.idims[d];
                if (d != a.axis) off += c * a.xstr[d];
            }
            i64 q = ldi(ip, it, i);
            if (norm_index(q, a.xdims[a.axis])) src = off + q * a.xstr[a.axis];
        } else {
            i64 e = i % a.block, row = i / a.block;
            i64 bi = row / a.tuples;
            i64 off = bi * a.xbatch + e;
            bool ok = true;
            for (int j = 0; j < (int)a.last; ++j) {
                int ax = (int)a.batch + j;
                i64 q = ldi(ip, it, row * a.last + j);
                if (!norm_index(q, a.xdims[ax])) { ok = false; break; }
                off += q * a.xstr[ax];
            }
            if (ok) src = off;
        }
        out[i] = src >= 0 ? x[src] : (T)0;
    }
}
extern "C" __global__ void __launch_bounds__(256) gather_e1(const GatherArgs a) { gather_kernel<1>(a); }
extern "C" __global__ void __launch_bounds__(256) gather_e2(const GatherArgs a) { gather_kernel<2>(a); }
extern "C" __global__ void __launch_bounds__(256) gather_e4(const GatherArgs a) { gather_kernel<4>(a); }
extern "C" __global__ void __launch_bounds__(256) gather_e8(const GatherArgs a) { gather_kernel<8>(a); }

// Scatter of updates into out (already a copy of data). Reductions use
// compare-and-swap loops on the aligned word holding the element.
enum { SR_NONE = 0, SR_ADD, SR_MUL, SR_MAX, SR_MIN };
struct ScatterArgs {
    u64 out, upd, idx; i64 itype, otype, mode, red, total;
    i64 rank, axis;
    i64 idims[MAXR], xstr[MAXR], xdims[MAXR];
    i64 k, block;     // ND: index tuple length, block size
};
__device__ __forceinline__ u64 combine_bits(u64 oldb, u64 ub, int t, int red) {
    u64 r = 0;
    if (is_float_t(t)) {
        float o, u;
        if (t == T_F32) { o = __uint_as_float((u32)oldb); u = __uint_as_float((u32)ub); }
        else if (t == T_F16) { o = h2f((u16)oldb); u = h2f((u16)ub); }
        else { o = bf2f((u16)oldb); u = bf2f((u16)ub); }
        float v;
        switch (red) {
        case SR_ADD: v = o + u; break;
        case SR_MUL: v = o * u; break;
        case SR_MAX: v = (u > o || u != u) ? u : o; break;
        default: v = (u < o || u != u) ? u : o; break;
        }
        if (t == T_F32) r = __float_as_uint(v);
        else if (t == T_F16) r = f2h(v);
        else r = f2bf(v);
    } else {
        i64 o, u;
        switch (t) {
        case T_I8: o = (i8)(u8)oldb; u = (i8)(u8)ub; break;
        case T_I32: o = (int)(u32)oldb; u = (int)(u32)ub; break;
        case T_I64: o = (i64)oldb; u = (i64)ub; break;
        default: o = (u8)oldb; u = (u8)ub; break;
        }
        i64 v;
        switch (red) {
        case SR_ADD: v = (i64)((u64)o + (u64)u); break;
        case SR_MUL: v = (i64)((u64)o * (u64)u); break;
        case SR_MAX: v = u > o ? u : o; break;
        default: v = u < o ? u : o; break;
        }
        if (t == T_BOOL) v = v != 0;
        r = (u64)v;
    }
    return r;
}
__device__ void scatter_apply(void* base, int t, i64 di, u64 ub, int red) {
    int es = type_size(t);
    if (es == 8) {
        unsigned long long* p = (unsigned long long*)base + di;
        unsigned long long old = *p, assumed;
        do {
            assumed = old;
            old = atomicCAS(p, assumed, (unsigned long long)combine_bits(assumed, ub, t, red));
        } while (old != assumed);
        return;
    }
    char* addr = (char*)base + di * es;
    unsigned int* word = (unsigned int*)((u64)addr & ~(u64)3);
    int shift = (int)((u64)addr & 3) * 8;
    u32 mask = es == 4 ? 0xffffffffu : (((1u << (es * 8)) - 1u) << shift);
    unsigned int old = *word, assumed;
    do {
        assumed = old;
        u32 cur = es == 4 ? assumed : ((assumed & mask) >> shift);
        u32 nv = (u32)combine_bits(cur, ub, t, red);
        u32 neww = es == 4 ? nv : ((assumed & ~mask) | ((nv << shift) & mask));
        old = atomicCAS(word, assumed, neww);
    } while (old != assumed);
}
__device__ __forceinline__ u64 load_bits(const void* p, int t, i64 i) {
    switch (type_size(t)) {
    case 1: return ((const u8*)p)[i];
    case 2: return ((const u16*)p)[i];
    case 4: return ((const u32*)p)[i];
    default: return ((const u64*)p)[i];
    }
}
__device__ __forceinline__ void store_bits(void* p, int t, i64 i, u64 v) {
    switch (type_size(t)) {
    case 1: ((u8*)p)[i] = (u8)v; break;
    case 2: ((u16*)p)[i] = (u16)v; break;
    case 4: ((u32*)p)[i] = (u32)v; break;
    default: ((u64*)p)[i] = v; break;
    }
}
extern "C" __global__ void __launch_bounds__(256) scatter(const ScatterArgs a) {
    const void* ip = (const void*)a.idx;
    int it = (int)a.itype, t = (int)a.otype;
    GRID_LOOP(i64, i, a.total) {
        i64 dst = -1;
        if (a.mode == 0) {  // elements
            i64 rem = i, off = 0;
            for (int d = (int)a.rank - 1; d >= 0; --d) {
                i64 c = rem % a.idims[d];
                rem /= a.idims[d];
                if (d != a.axis) off += c * a.xstr[d];
            }
            i64 q = ldi(ip, it, i);
            if (norm_index(q, a.xdims[a.axis])) dst = off + q * a.xstr[a.axis];
        } else {  // ND
            i64 e = i % a.block, row = i / a.block, off = e;
            bool ok = true;
            for (int j = 0; j < (int)a.k; ++j) {
                i64 q = ldi(ip, it, row * a.k + j);
                if (!norm_index(q, a.xdims[j])) { ok = false; break; }
                off += q * a.xstr[j];
            }
            if (ok) dst = off;
        }
        if (dst < 0) continue;
        u64 ub = load_bits((const void*)a.upd, t, i);
        if (a.red == SR_NONE) store_bits((void*)a.out, t, dst, ub);
        else scatter_apply((void*)a.out, t, dst, ub, (int)a.red);
    }
}
