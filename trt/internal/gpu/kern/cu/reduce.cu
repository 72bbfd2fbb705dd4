// Reductions with FP32 accumulation (integers in int64): Softmax, Reduce,
// normalizations, cumulative sums and arg-min/max. A tensor is viewed as
// [outer, n, inner] (reduction over n) or, for Reduce, as kept and reduced
// dims. "rows" kernels give a block to each reduction (inner == 1,
// contiguous), "cols" kernels a thread to each (inner > 1, coalesced across
// threads).

// ---- softmax ----------------------------------------------------------------
enum { SM_NORMAL = 0, SM_LOG = 1, SM_HARD = 2 };
struct SoftmaxArgs { u64 out, in; i64 otype, itype, outer, n, inner, mode; };

// hardmax pair order: the first NaN, else the first maximum
__device__ __forceinline__ bool hm_better(float v, i64 j, float bv, i64 bj) {
    bool vn = v != v, bn = bv != bv;
    if (vn != bn) return vn;
    if (vn) return j < bj;
    if (v != bv) return v > bv;
    return j < bj;
}

extern "C" __global__ void __launch_bounds__(256) softmax_rows(const SoftmaxArgs a) {
    const void* x = (const void*)a.in;
    void* y = (void*)a.out;
    int it = (int)a.itype, ot = (int)a.otype;
    i64 n = a.n;
    for (i64 row = blockIdx.x; row < a.outer; row += gridDim.x) {
        i64 base = row * n;
        if (a.mode == SM_HARD) {
            __shared__ float sv[32];
            __shared__ i64 sj[32];
            float bv = -f_inf();
            i64 bj = I64_MAX;
            for (i64 j = threadIdx.x; j < n; j += blockDim.x) {
                float v = ldf(x, it, base + j);
                if (hm_better(v, j, bv, bj)) { bv = v; bj = j; }
            }
            for (int o = 16; o > 0; o >>= 1) {
                float ov = __shfl_xor_sync(0xffffffffu, bv, o);
                i64 oj = __shfl_xor_sync(0xffffffffu, bj, o);
                if (hm_better(ov, oj, bv, bj)) { bv = ov; bj = oj; }
            }
            __syncthreads();
            int w = threadIdx.x >> 5, l = threadIdx.x & 31, nw = blockDim.x >> 5;
            if (l == 0) { sv[w] = bv; sj[w] = bj; }
            __syncthreads();
            if (w == 0) {
                bv = l < nw ? sv[l] : -f_inf();
                bj = l < nw ? sj[l] : I64_MAX;
                for (int o = 16; o > 0; o >>= 1) {
                    float ov = __shfl_xor_sync(0xffffffffu, bv, o);
                    i64 oj = __shfl_xor_sync(0xffffffffu, bj, o);
                    if (hm_better(ov, oj, bv, bj)) { bv = ov; bj = oj; }
                }
                if (l == 0) sj[0] = bj;
            }
            __syncthreads();
            i64 arg = sj[0];
            if (arg == I64_MAX) arg = 0;
            for (i64 j = threadIdx.x; j < n; j += blockDim.x) stf(y, ot, base + j, j == arg ? 1.0f : 0.0f);
            __syncthreads();
            continue;
        }
        float mx = -f_inf();
        for (i64 j = threadIdx.x; j < n; j += blockDim.x) mx = nmax(mx, ldf(x, it, base + j));
        mx = block_max(mx);
        float s = 0.0f;
        for (i64 j = threadIdx.x; j < n; j += blockDim.x) s += expf(ldf(x, it, base + j) - mx);
        s = block_sum(s);
        if (a.mode == SM_LOG) {
            float ls = logf(s);
            for (i64 j = threadIdx.x; j < n; j += blockDim.x) stf(y, ot, base + j, (ldf(x, it, base + j) - mx) - ls);
        } else {
            float inv = 1.0f / s;
            for (i64 j = threadIdx.x; j < n; j += blockDim.x) stf(y, ot, base + j, expf(ldf(x, it, base + j) - mx) * inv);
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) softmax_cols(const SoftmaxArgs a) {
    const void* x = (const void*)a.in;
    void* y = (void*)a.out;
    int it = (int)a.itype, ot = (int)a.otype;
    i64 n = a.n, inner = a.inner;
    GRID_LOOP(i64, r, a.outer * inner) {
        i64 base = (r / inner) * n * inner + r % inner;
        if (a.mode == SM_HARD) {
            float bv = -f_inf();
            i64 bj = 0;
            for (i64 j = 0; j < n; ++j) {
                float v = ldf(x, it, base + j * inner);
                if (v > bv || v != v) { bv = v; bj = j; if (v != v) break; }
            }
            for (i64 j = 0; j < n; ++j) stf(y, ot, base + j * inner, j == bj ? 1.0f : 0.0f);
            continue;
        }
        float mx = -f_inf();
        for (i64 j = 0; j < n; ++j) mx = nmax(mx, ldf(x, it, base + j * inner));
        float s = 0.0f;
        for (i64 j = 0; j < n; ++j) s += expf(ldf(x, it, base + j * inner) - mx);
        if (a.mode == SM_LOG) {
            float ls = logf(s);
            for (i64 j = 0; j < n; ++j) stf(y, ot, base + j * inner, (ldf(x, it, base + j * inner) - mx) - ls);
        } else {
            float inv = 1.0f / s;
            for (i64 j = 0; j < n; ++j) stf(y, ot, base + j * inner, expf(ldf(x, it, base + j * inner) - mx) * inv);
        }
    }
}

// ---- reduce -----------------------------------------------------------------
// ir.ReduceOp
enum { R_SUM, R_PROD, R_MAX, R_MIN, R_MEAN, R_L1, R_L2, R_LOGSUM, R_LSE, R_SUMSQ };
struct ReduceArgs {
    u64 out, in; i64 otype, itype, op, nout, count;
    i64 krank, rrank;
    i64 kdims[MAXR], kstr[MAXR], rdims[MAXR], rstr[MAXR];
};
__device__ __forceinline__ i64 red_koff(const ReduceArgs& a, i64 o) {
    i64 off = 0;
    for (int d = (int)a.krank - 1; d >= 0; --d) {
        off += (o % a.kdims[d]) * a.kstr[d];
        o /= a.kdims[d];
    }
    return off;
}
__device__ __forceinline__ i64 red_roff(const ReduceArgs& a, i64 r) {
    if (a.rrank == 1) return r * a.rstr[0];
    i64 off = 0;
    for (int d = (int)a.rrank - 1; d >= 0; --d) {
        off += (r % a.rdims[d]) * a.rstr[d];
        r /= a.rdims[d];
    }
    return off;
}
__device__ __forceinline__ float red_init_f(int op) {
    switch (op) {
    case R_PROD: return 1.0f;
    case R_MAX: return -f_inf();
    case R_MIN: return f_inf();
    }
    return 0.0f;
}
__device__ __forceinline__ float red_step_f(int op, float acc, float v, float mx) {
    switch (op) {
    case R_PROD: return acc * v;
    case R_MAX: return nmax(acc, v);
    case R_MIN: return nmin(acc, v);
    case R_L1: return acc + fabsf(v);
    case R_L2: case R_SUMSQ: return acc + v * v;
    case R_LSE: return acc + expf(v - mx);
    }
    return acc + v;
}
__device__ __forceinline__ float red_comb_f(int op, float x, float y) {
    switch (op) {
    case R_PROD: return x * y;
    case R_MAX: return nmax(x, y);
    case R_MIN: return nmin(x, y);
    }
    return x + y;
}
__device__ __forceinline__ float red_final_f(int op, float acc, i64 count, float mx) {
    switch (op) {
    case R_MEAN: return acc / (float)count;
    case R_L2: return sqrtf(acc);
    case R_LOGSUM: return logf(acc);
    case R_LSE: return logf(acc) + mx;
    }
    return acc;
}
__device__ __forceinline__ i64 red_init_i(int op) {
    switch (op) {
    case R_PROD: return 1;
    case R_MAX: return I64_MIN;
    case R_MIN: return I64_MAX;
    }
    return 0;
}
__device__ __forceinline__ i64 red_step_i(int op, i64 acc, i64 v) {
    switch (op) {
    case R_PROD: return (i64)((u64)acc * (u64)v);
    case R_MAX: return v > acc ? v : acc;
    case R_MIN: return v < acc ? v : acc;
    case R_L1: return (i64)((u64)acc + (u64)(v < 0 ? (i64)(0ull - (u64)v) : v));
    case R_L2: case R_SUMSQ: return (i64)((u64)acc + (u64)v * (u64)v);
    }
    return (i64)((u64)acc + (u64)v);
}
__device__ __forceinline__ i64 red_comb_i(int op, i64 x, i64 y) {
    switch (op) {
    case R_PROD: return (i64)((u64)x * (u64)y);
    case R_MAX: return x > y ? x : y;
    case R_MIN: return x < y ? x : y;
    }
    return (i64)((u64)x + (u64)y);
}
__device__ __forceinline__ i64 red_final_i(int op, i64 acc, i64 count) {
    if (op == R_MEAN) return count > 0 ? acc / count : acc;
    if (op == R_L2) return (i64)sqrt((double)acc);
    return acc;
}

// One thread per output.
extern "C" __global__ void __launch_bounds__(256) reduce_cols(const ReduceArgs a) {
    const void* x = (const void*)a.in;
    int it = (int)a.itype, op = (int)a.op;
    bool isint = !is_float_t(it);
    GRID_LOOP(i64, o, a.nout) {
        i64 base = red_koff(a, o);
        if (isint) {
            i64 acc = red_init_i(op);
            for (i64 r = 0; r < a.count; ++r) acc = red_step_i(op, acc, ldi(x, it, base + red_roff(a, r)));
            sti((void*)a.out, (int)a.otype, o, red_final_i(op, acc, a.count));
            continue;
        }
        float mx = 0.0f;
        if (op == R_LSE) {
            mx = -f_inf();
            for (i64 r = 0; r < a.count; ++r) mx = fmaxf(mx, ldf(x, it, base + red_roff(a, r)));
            if (mx == f_inf() || mx == -f_inf()) mx = 0.0f;
        }
        float acc = red_init_f(op);
        for (i64 r = 0; r < a.count; ++r) acc = red_step_f(op, acc, ldf(x, it, base + red_roff(a, r)), mx);
        stf((void*)a.out, (int)a.otype, o, red_final_f(op, acc, a.count, mx));
    }
}

// A block of 32 x 8 threads per tile of 32 outputs (adjacent outputs are
// adjacent in memory when the innermost dim is kept): each of the 8 rows of
// threads reduces every 8th value of the reduction, then the partial results
// are combined in shared memory.
extern "C" __global__ void __launch_bounds__(256) reduce_tile(const ReduceArgs a) {
    __shared__ float shf[8][33];
    __shared__ i64 shi[8][33];
    const void* x = (const void*)a.in;
    int it = (int)a.itype, op = (int)a.op;
    bool isint = !is_float_t(it);
    int tx = threadIdx.x, ty = threadIdx.y;
    i64 ntiles = (a.nout + 31) / 32;
    for (i64 tile = blockIdx.x; tile < ntiles; tile += gridDim.x) {
        i64 o = tile * 32 + tx;
        bool ok = o < a.nout;
        i64 base = ok ? red_koff(a, o) : 0;
        if (isint) {
            i64 acc = red_init_i(op);
            if (ok)
                for (i64 r = ty; r < a.count; r += 8) acc = red_step_i(op, acc, ldi(x, it, base + red_roff(a, r)));
            shi[ty][tx] = acc;
            __syncthreads();
            if (ty == 0 && ok) {
                for (int k = 1; k < 8; ++k) acc = red_comb_i(op, acc, shi[k][tx]);
                sti((void*)a.out, (int)a.otype, o, red_final_i(op, acc, a.count));
            }
            __syncthreads();
            continue;
        }
        float mx = 0.0f;
        if (op == R_LSE) {
            float m = -f_inf();
            if (ok)
                for (i64 r = ty; r < a.count; r += 8) m = fmaxf(m, ldf(x, it, base + red_roff(a, r)));
            shf[ty][tx] = m;
            __syncthreads();
            mx = shf[0][tx];
            for (int k = 1; k < 8; ++k) mx = fmaxf(mx, shf[k][tx]);
            if (mx == f_inf() || mx == -f_inf()) mx = 0.0f;
            __syncthreads();
        }
        float acc = red_init_f(op);
        if (ok)
            for (i64 r = ty; r < a.count; r += 8) acc = red_step_f(op, acc, ldf(x, it, base + red_roff(a, r)), mx);
        shf[ty][tx] = acc;
        __syncthreads();
        if (ty == 0 && ok) {
            int cop = (op == R_PROD || op == R_MAX || op == R_MIN) ? op : R_SUM;
            for (int k = 1; k < 8; ++k) acc = red_comb_f(cop, acc, shf[k][tx]);
            stf((void*)a.out, (int)a.otype, o, red_final_f(op, acc, a.count, mx));
        }
        __syncthreads();
    }
}

// One block per output.
extern "C" __global__ void __launch_bounds__(256) reduce_rows(const ReduceArgs a) {
    __shared__ float shf[32];
    __shared__ i64 shi[32];
    const void* x = (const void*)a.in;
    int it = (int)a.itype, op = (int)a.op;
    bool isint = !is_float_t(it);
    int w = threadIdx.x >> 5, l = threadIdx.x & 31, nw = blockDim.x >> 5;
    for (i64 o = blockIdx.x; o < a.nout; o += gridDim.x) {
        i64 base = red_koff(a, o);
        if (isint) {
            i64 acc = red_init_i(op);
            for (i64 r = threadIdx.x; r < a.count; r += blockDim.x) acc = red_step_i(op, acc, ldi(x, it, base + red_roff(a, r)));
            for (int s = 16; s > 0; s >>= 1) acc = red_comb_i(op, acc, __shfl_xor_sync(0xffffffffu, acc, s));
            __syncthreads();
            if (l == 0) shi[w] = acc;
            __syncthreads();
            if (threadIdx.x == 0) {
                for (int k = 1; k < nw; ++k) acc = red_comb_i(op, acc, shi[k]);
                sti((void*)a.out, (int)a.otype, o, red_final_i(op, acc, a.count));
            }
            continue;
        }
        float mx = 0.0f;
        if (op == R_LSE) {
            mx = -f_inf();
            for (i64 r = threadIdx.x; r < a.count; r += blockDim.x) mx = fmaxf(mx, ldf(x, it, base + red_roff(a, r)));
            for (int s = 16; s > 0; s >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, s));
            __syncthreads();
            if (l == 0) shf[w] = mx;
            __syncthreads();
            mx = shf[0];
            for (int k = 1; k < nw; ++k) mx = fmaxf(mx, shf[k]);
            if (mx == f_inf() || mx == -f_inf()) mx = 0.0f;
        }
        float acc = red_init_f(op);
        for (i64 r = threadIdx.x; r < a.count; r += blockDim.x) acc = red_step_f(op, acc, ldf(x, it, base + red_roff(a, r)), mx);
        int cop = (op == R_PROD || op == R_MAX || op == R_MIN) ? op : R_SUM;
        for (int s = 16; s > 0; s >>= 1) acc = red_comb_f(cop, acc, __shfl_xor_sync(0xffffffffu, acc, s));
        __syncthreads();
        if (l == 0) shf[w] = acc;
        __syncthreads();
        if (threadIdx.x == 0) {
            for (int k = 1; k < nw; ++k) acc = red_comb_f(cop, acc, shf[k]);
            stf((void*)a.out, (int)a.otype, o, red_final_f(op, acc, a.count, mx));
        }
    }
}

// ---- normalization over contiguous rows ---------------------------------------
// y = (x - mean) * inv * scale + bias per row of `size` values, with
// inv = 1/sqrt(var + eps) (NORM_STD), or y = x / norm (NORM_L1, NORM_L2), or
// MVN's (x - mean) / (sqrt(var) + eps). Scale and bias indices:
// smode 0: none; 1: (row / rdiv % rmod) * rmul + (j / jdiv % jmod) * jmul;
// 2: general, from the coordinates of the element over xdims with strides.
enum { NORM_STD = 0, NORM_L1 = 1, NORM_L2 = 2, NORM_MVN = 3 };
struct AffIdx { i64 mode, rdiv, rmod, rmul, jdiv, jmod, jmul; i64 str[MAXR]; };
struct RowNormArgs {
    u64 out, in, scale, bias, mean, invstd;
    i64 otype, itype, stype, btype, stash, kind;
    i64 rows, size;
    double eps;
    i64 rank;
    i64 xdims[MAXR];
    AffIdx sidx, bidx;
};
__device__ __forceinline__ i64 aff_index(const AffIdx& f, i64 row, i64 j, i64 size, int rank, const i64* xdims) {
    if (f.mode == 1) return (row / f.rdiv % f.rmod) * f.rmul + (j / f.jdiv % f.jmod) * f.jmul;
    i64 e = row * size + j, off = 0;
    for (int d = rank - 1; d >= 0; --d) {
        off += (e % xdims[d]) * f.str[d];
        e /= xdims[d];
    }
    return off;
}
extern "C" __global__ void __launch_bounds__(256) rownorm(const RowNormArgs a) {
    const void* x = (const void*)a.in;
    void* y = (void*)a.out;
    int it = (int)a.itype, ot = (int)a.otype, kind = (int)a.kind;
    i64 size = a.size;
    for (i64 row = blockIdx.x; row < a.rows; row += gridDim.x) {
        i64 base = row * size;
        float mean = 0.0f, inv = 1.0f;
        if (kind == NORM_L1 || kind == NORM_L2) {
            float s = 0.0f;
            for (i64 j = threadIdx.x; j < size; j += blockDim.x) {
                float v = ldf(x, it, base + j);
                s += kind == NORM_L1 ? fabsf(v) : v * v;
            }
            s = block_sum(s);
            if (kind == NORM_L2) s = sqrtf(s);
            for (i64 j = threadIdx.x; j < size; j += blockDim.x)
                stf(y, ot, base + j, s == 0.0f ? 0.0f : ldf(x, it, base + j) / s);
            continue;
        }
        float s = 0.0f;
        for (i64 j = threadIdx.x; j < size; j += blockDim.x) s += ldf(x, it, base + j);
        s = block_sum(s);
        mean = size > 0 ? s / (float)size : 0.0f;
        float q = 0.0f;
        for (i64 j = threadIdx.x; j < size; j += blockDim.x) {
            float d = ldf(x, it, base + j) - mean;
            q += d * d;
        }
        q = block_sum(q);
        float var = size > 0 ? q / (float)size : 0.0f;
        if (kind == NORM_MVN) {
            inv = 1.0f / (sqrtf(var) + (float)a.eps);
        } else {
            inv = 1.0f / sqrtf(var + (float)a.eps);
            mean = round_to(mean, (int)a.stash);
            inv = round_to(inv, (int)a.stash);
        }
        if (threadIdx.x == 0) {
            if (a.mean) stf((void*)a.mean, (int)a.stash, row, mean);
            if (a.invstd) stf((void*)a.invstd, (int)a.stash, row, inv);
        }
        for (i64 j = threadIdx.x; j < size; j += blockDim.x) {
            float v = (ldf(x, it, base + j) - mean) * inv;
            if (a.scale) v *= ldf((const void*)a.scale, (int)a.stype, aff_index(a.sidx, row, j, size, (int)a.rank, a.xdims));
            if (a.bias) v += ldf((const void*)a.bias, (int)a.btype, aff_index(a.bidx, row, j, size, (int)a.rank, a.xdims));
            stf(y, ot, base + j, v);
        }
    }
}

// Lp normalization along a non-innermost axis: a thread per column.
extern "C" __global__ void __launch_bounds__(256) lpnorm_cols(u64 out, u64 in, i64 otype, i64 itype, i64 outer, i64 n, i64 inner, i64 p) {
    const void* x = (const void*)in;
    GRID_LOOP(i64, r, outer * inner) {
        i64 base = (r / inner) * n * inner + r % inner;
        float s = 0.0f;
        for (i64 j = 0; j < n; ++j) {
            float v = ldf(x, (int)itype, base + j * inner);
            s += p == 1 ? fabsf(v) : v * v;
        }
        if (p == 2) s = sqrtf(s);
        for (i64 j = 0; j < n; ++j)
            stf((void*)out, (int)otype, base + j * inner, s == 0.0f ? 0.0f : ldf(x, (int)itype, base + j * inner) / s);
    }
}

// Normalization over arbitrary axes (MVN): a block per group, elements
// enumerated over the reduced dims (after the kept dims give the base).
extern "C" __global__ void __launch_bounds__(256) mvn_general(const ReduceArgs a, double eps) {
    const void* x = (const void*)a.in;
    for (i64 o = blockIdx.x; o < a.nout; o += gridDim.x) {
        i64 base = red_koff(a, o);
        float s = 0.0f;
        for (i64 r = threadIdx.x; r < a.count; r += blockDim.x) s += ldf(x, (int)a.itype, base + red_roff(a, r));
        s = block_sum(s);
        float mean = a.count > 0 ? s / (float)a.count : 0.0f;
        float q = 0.0f;
        for (i64 r = threadIdx.x; r < a.count; r += blockDim.x) {
            float d = ldf(x, (int)a.itype, base + red_roff(a, r)) - mean;
            q += d * d;
        }
        q = block_sum(q);
        float var = a.count > 0 ? q / (float)a.count : 0.0f;
        float inv = 1.0f / (sqrtf(var) + (float)eps);
        for (i64 r = threadIdx.x; r < a.count; r += blockDim.x) {
            i64 off = base + red_roff(a, r);
            stf((void*)a.out, (int)a.otype, off, (ldf(x, (int)a.itype, off) - mean) * inv);
        }
    }
}

// Batch normalization (inference): per channel c = (i / inner) % C.
struct BatchNormArgs { u64 out, in, scale, bias, mean, var; i64 otype, itype, ptype[4], n, c, inner; double eps; };
extern "C" __global__ void __launch_bounds__(256) batchnorm(const BatchNormArgs a) {
    GRID_LOOP(i64, i, a.n) {
        i64 ch = (i / a.inner) % a.c;
        float sc = ldf((const void*)a.scale, (int)a.ptype[0], ch);
        float bi = ldf((const void*)a.bias, (int)a.ptype[1], ch);
        float m = ldf((const void*)a.mean, (int)a.ptype[2], ch);
        float v = ldf((const void*)a.var, (int)a.ptype[3], ch);
        float s = sc / sqrtf(v + (float)a.eps);
        stf((void*)a.out, (int)a.otype, i, (ldf((const void*)a.in, (int)a.itype, i) - m) * s + bi);
    }
}

// LRN across channels of [N, C, S].
struct LRNArgs { u64 out, in; i64 otype, itype, n, c, s, lo, hi; double alpha, beta, bias; };
extern "C" __global__ void __launch_bounds__(256) lrn(const LRNArgs a) {
    const void* x = (const void*)a.in;
    GRID_LOOP(i64, i, a.n) {
        i64 sp = i % a.s, ch = (i / a.s) % a.c, nn = i / (a.s * a.c);
        i64 k0 = ch - a.lo < 0 ? 0 : ch - a.lo, k1 = ch + a.hi > a.c - 1 ? a.c - 1 : ch + a.hi;
        float acc = 0.0f;
        for (i64 k = k0; k <= k1; ++k) {
            float v = ldf(x, (int)a.itype, (nn * a.c + k) * a.s + sp);
            acc += v * v;
        }
        float d = powf((float)a.bias + (float)a.alpha * acc, (float)a.beta);
        stf((void*)a.out, (int)a.otype, i, ldf(x, (int)a.itype, i) / d);
    }
}

// ---- cumulative sum, arg-min/max -------------------------------------------------
struct ScanArgs { u64 out, in; i64 otype, itype, outer, n, inner, exclusive, reverse, amax, last; };
extern "C" __global__ void __launch_bounds__(256) cumsum_cols(const ScanArgs a) {
    const void* x = (const void*)a.in;
    int it = (int)a.itype, ot = (int)a.otype;
    bool isint = !is_float_t(it);
    GRID_LOOP(i64, r, a.outer * a.inner) {
        i64 base = (r / a.inner) * a.n * a.inner + r % a.inner;
        double sf = 0.0;
        i64 si = 0;
        for (i64 s = 0; s < a.n; ++s) {
            i64 j = a.reverse ? a.n - 1 - s : s;
            i64 i = base + j * a.inner;
            if (isint) {
                i64 v = ldi(x, it, i);
                if (a.exclusive) { sti((void*)a.out, ot, i, si); si = (i64)((u64)si + (u64)v); }
                else { si = (i64)((u64)si + (u64)v); sti((void*)a.out, ot, i, si); }
            } else {
                double v = (double)ldf(x, it, i);
                if (a.exclusive) { stf((void*)a.out, ot, i, (float)sf); sf += v; }
                else { sf += v; stf((void*)a.out, ot, i, (float)sf); }
            }
        }
    }
}
extern "C" __global__ void __launch_bounds__(256) argminmax_cols(const ScanArgs a) {
    const void* x = (const void*)a.in;
    int it = (int)a.itype;
    bool isint = !is_float_t(it);
    GRID_LOOP(i64, r, a.outer * a.inner) {
        i64 base = (r / a.inner) * a.n * a.inner + r % a.inner;
        i64 best = 0;
        if (isint) {
            i64 bv = ldi(x, it, base);
            for (i64 j = 1; j < a.n; ++j) {
                i64 v = ldi(x, it, base + j * a.inner);
                bool gt = a.amax ? v > bv : v < bv;
                if (gt || (v == bv && a.last)) { best = j; bv = v; }
            }
        } else {
            float bv = ldf(x, it, base);
            for (i64 j = 1; j < a.n; ++j) {
                float v = ldf(x, it, base + j * a.inner);
                bool gt = a.amax ? v > bv : v < bv;
                if (gt || (v == bv && a.last)) { best = j; bv = v; }
            }
        }
        sti((void*)a.out, (int)a.otype, r, best);
    }
}
