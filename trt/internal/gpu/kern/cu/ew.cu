// Element-wise kernels: Cast/Identity, ElementWise, Unary, Activation,
// ParametricReLU and Select, over up to three inputs broadcast to the output
// by strides (fast path: every input contiguous or a scalar).

struct EwArgs {
    u64 out; i64 n, rank, otype;
    i64 dims[MAXR];
    u64 in[3]; i64 itype[3]; i64 imode[3];   // imode: 0 strided, 1 contiguous, 2 scalar
    i64 str[3][MAXR];
    i64 op; double alpha, beta; i64 flags;
};

enum { C_CAST = 0, C_UNARY_F, C_UNARY_I, C_ACT, C_BIN_F, C_BIN_I, C_PRELU, C_SELECT };

// ir.ElementWiseOp
enum { EW_SUM, EW_PROD, EW_MAX, EW_MIN, EW_SUB, EW_DIV, EW_POW, EW_FLOORDIV, EW_AND, EW_OR, EW_XOR,
       EW_EQ, EW_GT, EW_LT, EW_GE, EW_LE, EW_MOD, EW_FMOD, EW_SHL, EW_SHR };
// ir.UnaryOp
enum { UN_EXP, UN_LOG, UN_SQRT, UN_RECIP, UN_ABS, UN_NEG, UN_SIN, UN_COS, UN_TAN, UN_SINH, UN_COSH,
       UN_ASIN, UN_ACOS, UN_ATAN, UN_ASINH, UN_ACOSH, UN_ATANH, UN_CEIL, UN_FLOOR, UN_ERF, UN_NOT,
       UN_SIGN, UN_ROUND, UN_ISINF, UN_ISNAN };
// ir.ActivationType
enum { A_RELU, A_SIGMOID, A_TANH, A_LEAKY, A_ELU, A_SELU, A_SOFTSIGN, A_SOFTPLUS, A_CLIP, A_HSIGMOID,
       A_STANH, A_TRELU, A_GELU_ERF, A_GELU_TANH, A_CELU, A_MISH, A_HSWISH, A_SHRINK };

__device__ __forceinline__ float sigmoidf_(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

__device__ float activate(int t, float a, float b, float v) {
    float x = v;
    switch (t) {
    case A_RELU: return (v > 0.0f || v != v) ? v : 0.0f;
    case A_SIGMOID: return sigmoidf_(x);
    case A_TANH: return tanhf(x);
    case A_LEAKY: return v >= 0.0f ? v : a * x;
    case A_ELU: return v >= 0.0f ? v : a * expm1f(x);
    case A_SELU: return v > 0.0f ? b * x : (b * a) * expm1f(x);
    case A_SOFTSIGN: return x / (1.0f + fabsf(x));
    case A_SOFTPLUS: {
        float bx = b * x;
        if (bx > 30.0f) return a * bx;
        return a * log1pf(expf(bx));
    }
    case A_CLIP:
        if (v != v) return v;
        return fminf(fmaxf(v, a), b);
    case A_HSIGMOID: {
        float y = a * x + b;
        if (y != y) return y;
        return fmaxf(0.0f, fminf(1.0f, y));
    }
    case A_STANH: return a * tanhf(b * x);
    case A_TRELU: return x > a ? v : 0.0f;
    case A_GELU_ERF: return 0.5f * x * erfcf(-x * 0.70710678118654752f);
    case A_GELU_TANH: {
        float u = 0.79788456080286536f * (x + 0.044715f * x * x * x);
        return x / (1.0f + expf(-2.0f * u));
    }
    case A_CELU:
        if (x != x) return x;
        return fmaxf(0.0f, x) + fminf(0.0f, a * expm1f(x / a));
    case A_MISH: {
        float sp = x < 30.0f ? log1pf(expf(x)) : x;
        return x * tanhf(sp);
    }
    case A_HSWISH: {
        float y = a * x + b;
        if (y != y) return y;
        return x * fmaxf(0.0f, fminf(1.0f, y));
    }
    case A_SHRINK:
        if (x < -a) return x + b;
        if (x > a) return x - b;
        return 0.0f;
    }
    return f_nan();
}

__device__ float unary_f(int op, float v) {
    switch (op) {
    case UN_EXP: return expf(v);
    case UN_LOG: return logf(v);
    case UN_SQRT: return sqrtf(v);
    case UN_RECIP: return 1.0f / v;
    case UN_ABS: return fabsf(v);
    case UN_NEG: return -v;
    case UN_SIN: return sinf(v);
    case UN_COS: return cosf(v);
    case UN_TAN: return tanf(v);
    case UN_SINH: return sinhf(v);
    case UN_COSH: return coshf(v);
    case UN_ASIN: return asinf(v);
    case UN_ACOS: return acosf(v);
    case UN_ATAN: return atanf(v);
    case UN_ASINH: return asinhf(v);
    case UN_ACOSH: return acoshf(v);
    case UN_ATANH: return atanhf(v);
    case UN_CEIL: return ceilf(v);
    case UN_FLOOR: return floorf(v);
    case UN_ERF: return erff(v);
    case UN_SIGN: return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : v);
    case UN_ROUND: return rintf(v);
    }
    return f_nan();
}

__device__ float binary_f(int op, float x, float y) {
    switch (op) {
    case EW_SUM: return x + y;
    case EW_SUB: return x - y;
    case EW_PROD: return x * y;
    case EW_DIV: return x / y;
    case EW_MAX: return (x != x || y != y) ? f_nan() : fmaxf(x, y);
    case EW_MIN: return (x != x || y != y) ? f_nan() : fminf(x, y);
    case EW_POW: return (float)pow((double)x, (double)y);
    case EW_FLOORDIV: return (float)floor((double)x / (double)y);
    case EW_FMOD: return (float)fmod((double)x, (double)y);
    case EW_MOD: {
        double m = fmod((double)x, (double)y);
        if (m != 0.0 && ((m < 0.0) != (y < 0.0f))) m += (double)y;
        return (float)m;
    }
    }
    return f_nan();
}

__device__ __forceinline__ bool compare_f(int op, float x, float y) {
    switch (op) {
    case EW_EQ: return x == y;
    case EW_GT: return x > y;
    case EW_LT: return x < y;
    case EW_GE: return x >= y;
    default: return x <= y;
    }
}

// Integer ops on int64 values (the store wraps to the type).
__device__ i64 binary_i(int op, i64 x, i64 y, bool uns) {
    switch (op) {
    case EW_SUM: return (i64)((u64)x + (u64)y);
    case EW_SUB: return (i64)((u64)x - (u64)y);
    case EW_PROD: return (i64)((u64)x * (u64)y);
    case EW_DIV:
        if (y == 0) return 0;
        if (y == -1) return (i64)(0ull - (u64)x);
        return x / y;
    case EW_FLOORDIV: {
        if (y == 0) return 0;
        if (y == -1) return (i64)(0ull - (u64)x);
        i64 q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
        return q;
    }
    case EW_MAX: return x > y ? x : y;
    case EW_MIN: return x < y ? x : y;
    case EW_POW: {
        double p;
        if (y >= 0) {  // exact while representable, as the host's math.Pow
            double b = (double)x;
            p = 1;
            for (i64 e = y; e > 0; e >>= 1) {
                if (e & 1) p *= b;
                if (e > 1) b *= b;
            }
        } else {
            p = pow((double)x, (double)y);
        }
        if (!(p > -9223372036854775808.0 && p < 9223372036854775808.0)) return I64_MIN; // as amd64
        return (i64)p;
    }
    case EW_MOD: {
        if (y == 0) return 0;
        i64 m = y == -1 ? 0 : x % y;
        if (m != 0 && ((m < 0) != (y < 0))) m += y;
        return m;
    }
    case EW_FMOD:
        if (y == 0 || y == -1) return 0;
        return x % y;
    case EW_AND: return (x != 0 && y != 0) ? 1 : 0;
    case EW_OR: return (x != 0 || y != 0) ? 1 : 0;
    case EW_XOR: return ((x != 0) != (y != 0)) ? 1 : 0;
    case EW_EQ: return x == y;
    case EW_GT: return x > y;
    case EW_LT: return x < y;
    case EW_GE: return x >= y;
    case EW_LE: return x <= y;
    case EW_SHL:
        if (y < 0 || y >= 64) return 0;
        return (i64)((u64)x << y);
    case EW_SHR:
        if (y < 0 || y >= 64) return 0;
        if (uns || x >= 0) return (i64)((u64)x >> y);
        return x >> y;
    }
    return 0;
}

template <int CLS>
__device__ __forceinline__ void ew_apply(const EwArgs& a, i64 i, i64 o0, i64 o1, i64 o2) {
    void* out = (void*)a.out;
    int ot = (int)a.otype;
    const void* p0 = (const void*)a.in[0];
    int t0 = (int)a.itype[0];
    int op = (int)a.op;
    if (CLS == C_CAST) {
        cast_elem(out, ot, i, p0, t0, o0);
    } else if (CLS == C_UNARY_F) {
        float v = ldf(p0, t0, o0);
        if (op == UN_ISNAN) {
            sti(out, ot, i, v != v);
        } else if (op == UN_ISINF) {
            bool pos = (a.flags & 1) != 0, neg = (a.flags & 2) != 0;
            sti(out, ot, i, (pos && v == f_inf()) || (neg && v == -f_inf()));
        } else {
            stf(out, ot, i, unary_f(op, v));
        }
    } else if (CLS == C_UNARY_I) {
        i64 v = ldi(p0, t0, o0), r = 0;
        switch (op) {
        case UN_NOT: r = v == 0; break;
        case UN_ABS: r = v < 0 ? (i64)(0ull - (u64)v) : v; break;
        case UN_NEG: r = (i64)(0ull - (u64)v); break;
        case UN_SIGN: r = (v > 0) - (v < 0); break;
        }
        sti(out, ot, i, r);
    } else if (CLS == C_ACT) {
        stf(out, ot, i, activate(op, (float)a.alpha, (float)a.beta, ldf(p0, t0, o0)));
    } else if (CLS == C_BIN_F) {
        float x = ldf(p0, t0, o0), y = ldf((const void*)a.in[1], (int)a.itype[1], o1);
        if (op >= EW_EQ && op <= EW_LE) sti(out, ot, i, compare_f(op, x, y));
        else stf(out, ot, i, binary_f(op, x, y));
    } else if (CLS == C_BIN_I) {
        i64 x = ldi(p0, t0, o0), y = ldi((const void*)a.in[1], (int)a.itype[1], o1);
        sti(out, ot, i, binary_i(op, x, y, t0 == T_U8));
    } else if (CLS == C_PRELU) {
        float x = ldf(p0, t0, o0);
        if (x < 0.0f) x = x * ldf((const void*)a.in[1], (int)a.itype[1], o1);
        stf(out, ot, i, x);
    } else if (CLS == C_SELECT) {
        bool c = ldi(p0, t0, o0) != 0;
        if (c) cast_elem(out, ot, i, (const void*)a.in[1], (int)a.itype[1], o1);
        else cast_elem(out, ot, i, (const void*)a.in[2], (int)a.itype[2], o2);
    }
}

template <int CLS, bool FAST, typename I>
__device__ __forceinline__ void ew_kernel(const EwArgs& a) {
    if (FAST) {
        bool s0 = a.imode[0] == 2, s1 = a.imode[1] == 2, s2 = a.imode[2] == 2;
        GRID_LOOP(I, i, a.n) {
            ew_apply<CLS>(a, (i64)i, s0 ? 0 : (i64)i, s1 ? 0 : (i64)i, s2 ? 0 : (i64)i);
        }
    } else {
        int r = (int)a.rank;
        GRID_LOOP(I, i, a.n) {
            I rem = i, o0 = 0, o1 = 0, o2 = 0;
            for (int d = r - 1; d >= 0; --d) {
                I n = (I)a.dims[d];
                I c = rem % n;
                rem /= n;
                o0 += c * (I)a.str[0][d];
                o1 += c * (I)a.str[1][d];
                o2 += c * (I)a.str[2][d];
            }
            ew_apply<CLS>(a, (i64)i, (i64)o0, (i64)o1, (i64)o2);
        }
    }
}

#define EW_INST(NAME, CLS) \
    extern "C" __global__ void __launch_bounds__(256) NAME##_f32(const EwArgs a) { ew_kernel<CLS, true, u32>(a); } \
    extern "C" __global__ void __launch_bounds__(256) NAME##_f64(const EwArgs a) { ew_kernel<CLS, true, i64>(a); } \
    extern "C" __global__ void __launch_bounds__(256) NAME##_g32(const EwArgs a) { ew_kernel<CLS, false, u32>(a); } \
    extern "C" __global__ void __launch_bounds__(256) NAME##_g64(const EwArgs a) { ew_kernel<CLS, false, i64>(a); }

EW_INST(ew_cast, C_CAST)
EW_INST(ew_unary_f, C_UNARY_F)
EW_INST(ew_unary_i, C_UNARY_I)
EW_INST(ew_act, C_ACT)
EW_INST(ew_bin_f, C_BIN_F)
EW_INST(ew_bin_i, C_BIN_I)
EW_INST(ew_prelu, C_PRELU)
EW_INST(ew_select, C_SELECT)
