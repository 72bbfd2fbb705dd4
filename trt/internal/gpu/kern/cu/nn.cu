// Windowed and index kernels: Pooling, Resize, OneHot, Fill.

// ---- pooling ------------------------------------------------------------------
#define MAXS 6
enum { P_MAX = 0, P_AVG = 1, P_LP = 2 };
struct PoolArgs {
    u64 out, in, ind; i64 otype, itype, type, nout, nsp, plane, oplane;
    i64 countpad, colmajor, pw;
    i64 sp[MAXS], osp[MAXS], k[MAXS], s[MAXS], d[MAXS], pb[MAXS], pe[MAXS];
};
extern "C" __global__ void __launch_bounds__(256) pool(const PoolArgs a) {
    const void* x = (const void*)a.in;
    int it = (int)a.itype, r = (int)a.nsp;
    bool isint = !is_float_t(it);
    GRID_LOOP(i64, o, a.nout) {
        i64 pl = o / a.oplane, oi = o % a.oplane;
        i64 st[MAXS], cnt[MAXS], first[MAXS];
        i64 rem = oi, valid = 1, padcnt = 1;
        for (int i = r - 1; i >= 0; --i) {
            i64 oc = rem % a.osp[i];
            rem /= a.osp[i];
            st[i] = oc * a.s[i] - a.pb[i];
            // taps inside the input: t with 0 <= st + t*d < sp
            i64 c = 0, f = -1, pc = 0;
            for (i64 t = 0; t < a.k[i]; ++t) {
                i64 q = st[i] + t * a.d[i];
                if (q >= 0 && q < a.sp[i]) { if (f < 0) f = t; c++; }
                if (q >= -a.pb[i] && q < a.sp[i] + a.pe[i]) pc++;
            }
            cnt[i] = c;
            first[i] = f;
            valid *= c;
            padcnt *= pc;
        }
        i64 base = pl * a.plane;
        // iterate the valid taps in row-major window order
        i64 tc[MAXS];
        for (int i = 0; i < r; ++i) tc[i] = 0;
        float fbest = -f_inf();
        i64 ibest = 0;
        i64 bestoff = -1, nanoff = -1;
        bool seen = false;
        double sum = 0.0;
        for (i64 t = 0; t < valid; ++t) {
            i64 off = 0, mul = 1;
            for (int i = r - 1; i >= 0; --i) {
                // the tc[i]-th valid tap of dim i
                i64 q = st[i] + (first[i] + tc[i]) * a.d[i];
                off += q * mul;
                mul *= a.sp[i];
            }
            if (isint) {
                i64 u = ldi(x, it, base + off);
                if (bestoff < 0 || u > ibest) { ibest = u; bestoff = off; }
            } else {
                float u = ldf(x, it, base + off);
                if (a.type == P_MAX) {
                    if (u != u) {
                        if (nanoff < 0) nanoff = off;
                    } else {
                        seen = true;
                        if (bestoff < 0 || u > fbest) { fbest = u; bestoff = off; }
                    }
                } else if (a.type == P_AVG) {
                    sum += (double)u;
                } else {
                    double du = fabs((double)u);
                    if (a.pw == 1) sum += du;
                    else if (a.pw == 2) sum += du * du;
                    else sum += pow(du, (double)a.pw);
                }
            }
            // advance: valid taps along a dim are every d-th position, so the
            // next valid tap of dim i is the next t (they are contiguous in t)
            for (int i = r - 1; i >= 0; --i) {
                if (++tc[i] < cnt[i]) break;
                tc[i] = 0;
            }
        }
        void* y = (void*)a.out;
        if (isint) {
            if (bestoff < 0) {
                switch (it) {
                case T_I8: ibest = -128; break;
                case T_I32: ibest = -2147483648LL; break;
                case T_I64: ibest = I64_MIN; break;
                default: ibest = 0; break;
                }
            }
            sti(y, (int)a.otype, o, ibest);
        } else if (a.type == P_MAX) {
            float v = fbest;
            if (!seen && nanoff >= 0) { v = f_nan(); bestoff = nanoff; }
            stf(y, (int)a.otype, o, v);
        } else if (a.type == P_AVG) {
            double div = a.countpad ? (double)padcnt : (double)valid;
            std_(y, (int)a.otype, o, sum / div);
        } else {
            double v = sum;
            if (a.pw == 2) v = sqrt(v);
            else if (a.pw != 1) v = pow(v, 1.0 / (double)a.pw);
            std_(y, (int)a.otype, o, v);
        }
        if (a.ind) {
            i64 idx = -1;
            if (bestoff >= 0) {
                i64 ci = bestoff;
                if (a.colmajor) {
                    i64 rem2 = bestoff, cm = 1;
                    ci = 0;
                    i64 coords[MAXS];
                    for (int i = r - 1; i >= 0; --i) { coords[i] = rem2 % a.sp[i]; rem2 /= a.sp[i]; }
                    for (int i = 0; i < r; ++i) { ci += coords[i] * cm; cm *= a.sp[i]; }
                }
                idx = pl * a.plane + ci;
            }
            ((i64*)a.ind)[o] = idx;
        }
    }
}

// ---- resize ---------------------------------------------------------------------
enum { CT_HALF_PIXEL = 0, CT_HALF_PIXEL_SYM, CT_PYTORCH, CT_ALIGN, CT_ASYM, CT_TF_NN, CT_TF_CROP };
enum { NM_ROUND_FLOOR = 0, NM_ROUND_CEIL, NM_FLOOR, NM_CEIL };
enum { RZ_NEAREST = 0, RZ_LINEAR = 1, RZ_CUBIC = 2 };
struct ResizeArgs {
    u64 out, in; i64 otype, itype, total, rank, mode, ctm, nearest, exclude, antialias;
    double cubic_a, extrap;
    i64 ident[MAXR];            // axis copies its coordinate
    i64 in_d[MAXR], out_d[MAXR];
    double scale[MAXR], roi_s[MAXR], roi_e[MAXR];
};
__device__ double rz_coord(int ctm, i64 o, i64 inLen, i64 outLen, double scale, double rs, double re, bool* ex) {
    double x = (double)o, in = (double)inLen, outF = scale * in;
    *ex = false;
    switch (ctm) {
    case CT_HALF_PIXEL: return (x + 0.5) / scale - 0.5;
    case CT_HALF_PIXEL_SYM: {
        double adj = (double)outLen / outF;
        double center = in / 2;
        return center * (1 - adj) + (x + 0.5) / scale - 0.5;
    }
    case CT_PYTORCH: return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    case CT_ALIGN: return outF == 1 ? 0.0 : x * (in - 1) / (outF - 1);
    case CT_ASYM: return x / scale;
    case CT_TF_NN: return (x + 0.5) / scale;
    case CT_TF_CROP: {
        double xo;
        if (outF == 1) xo = (re - rs) * (in - 1) / 2;
        else xo = x * (re - rs) * (in - 1) / (outF - 1);
        xo += rs * (in - 1);
        *ex = xo < 0 || xo > in - 1 || xo != xo;
        return xo;
    }
    }
    return 0.0;
}
__device__ __forceinline__ double rz_cubic(double t, double a) {
    t = fabs(t);
    if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
    if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
    return 0;
}
// Tap set of one axis for one output coordinate. Weights follow the host
// exactly: kernel value, divided by the antialias sum (sum1 > 0), zeroed
// outside the input (exclude_outside) and divided by the remaining sum (sum2 > 0).
struct RzTaps { i64 base, start, n; double ratio, s2, sum1, sum2; bool nearest; i64 idx; };
__device__ __forceinline__ double rz_w(const ResizeArgs& a, const RzTaps& t, i64 k, i64 inLen, i64* idx) {
    if (t.nearest) { *idx = t.idx; return 1.0; }
    i64 off = t.start + k;
    i64 q = t.base + off;
    double arg = t.s2 * ((double)off - t.ratio);
    double w = a.mode == RZ_LINEAR ? fmax(0.0, 1 - fabs(arg)) : rz_cubic(arg, a.cubic_a);
    if (t.sum1 != 0) w = w / t.sum1;
    if (a.exclude) {
        if (q < 0 || q >= inLen) w = 0;
        w = w / t.sum2;
    }
    *idx = q < 0 ? 0 : (q > inLen - 1 ? inLen - 1 : q);
    return w;
}
// Stores an interpolated value: floats rounded, integers truncated toward
// zero and saturated to the type's range (numpy astype, as the host).
__device__ void rz_store(void* y, int ot, i64 o, double v) {
    if (is_float_t(ot)) { std_(y, ot, o, v); return; }
    i64 res;
    if (v != v) res = 0;
    else if (ot == T_BOOL) res = v != 0;
    else {
        v = trunc(v);
        double lo = -9223372036854775808.0, hi = 9223372036854775807.0;
        switch (ot) {
        case T_I8: lo = -128; hi = 127; break;
        case T_U8: lo = 0; hi = 255; break;
        case T_I32: lo = -2147483648.0; hi = 2147483647.0; break;
        }
        if (v <= lo) res = (i64)lo;
        else if (v >= hi) res = ot == T_I64 ? I64_MAX : (i64)hi;
        else res = (i64)v;
    }
    sti(y, ot, o, res);
}
extern "C" __global__ void __launch_bounds__(256) resize(const ResizeArgs a) {
    const void* x = (const void*)a.in;
    int r = (int)a.rank, it = (int)a.itype, ot = (int)a.otype;
    GRID_LOOP(i64, o, a.total) {
        RzTaps tp[MAXR];
        i64 rem = o;
        bool extrap = false;
        for (int d = r - 1; d >= 0; --d) {
            i64 oc = rem % a.out_d[d];
            rem /= a.out_d[d];
            RzTaps& t = tp[d];
            i64 inLen = a.in_d[d];
            t.nearest = true;
            t.idx = oc;
            t.n = 1;
            if (a.ident[d]) continue;
            bool ex;
            double xo = rz_coord((int)a.ctm, oc, inLen, a.out_d[d], a.scale[d], a.roi_s[d], a.roi_e[d], &ex);
            if (ex) { extrap = true; continue; }
            if (a.mode == RZ_NEAREST) {
                double fl = floor(xo), i = fl;
                if (fl != xo) {
                    double ratio = xo - fl;
                    switch (a.nearest) {
                    case NM_ROUND_FLOOR: if (ratio > 0.5) i += 1; break;
                    case NM_ROUND_CEIL: if (ratio >= 0.5) i += 1; break;
                    case NM_FLOOR: break;
                    default: i += 1; break;
                    }
                }
                i = i < 0 ? 0 : i;
                i = i > (double)(inLen - 1) ? (double)(inLen - 1) : i;
                t.idx = (i64)i;
                continue;
            }
            double radius = a.mode == RZ_LINEAR ? 1.0 : 2.0;
            double s2 = (a.antialias && a.scale[d] < 1) ? a.scale[d] : 1.0;
            i64 start = (i64)floor(-radius / s2) + 1;
            i64 n = 2 - 2 * start;
            double fl = floor(xo), ratio = xo - fl;
            if (ratio == 0) { ratio = 1; fl = fl - 1; }
            double lo = -(double)n - 1, hi = (double)(inLen + n);
            fl = fl < lo ? lo : (fl > hi ? hi : fl);
            t.nearest = false;
            t.base = (i64)fl;
            t.start = start;
            t.n = n;
            t.ratio = ratio;
            t.s2 = s2;
            t.sum1 = 0;
            t.sum2 = 1;
            if (a.antialias) {
                double sum = 0;
                for (i64 k = 0; k < n; ++k) {
                    double arg = s2 * ((double)(start + k) - ratio);
                    sum += a.mode == RZ_LINEAR ? fmax(0.0, 1 - fabs(arg)) : rz_cubic(arg, a.cubic_a);
                }
                t.sum1 = sum;
            }
            if (a.exclude) {
                double sum = 0;
                for (i64 k = 0; k < n; ++k) {
                    i64 q = t.base + t.start + k;
                    if (q < 0 || q >= inLen) continue;
                    double arg = s2 * ((double)(start + k) - ratio);
                    double w = a.mode == RZ_LINEAR ? fmax(0.0, 1 - fabs(arg)) : rz_cubic(arg, a.cubic_a);
                    if (t.sum1 != 0) w = w / t.sum1;
                    sum += w;
                }
                t.sum2 = sum;
            }
        }
        if (extrap) { rz_store((void*)a.out, ot, o, (double)(float)a.extrap); continue; }
        // input offset strides
        i64 str[MAXR];
        i64 sacc = 1;
        for (int d = r - 1; d >= 0; --d) { str[d] = sacc; sacc *= a.in_d[d]; }
        if (a.mode == RZ_NEAREST) {
            i64 off = 0;
            for (int d = 0; d < r; ++d) off += tp[d].idx * str[d];
            cast_elem((void*)a.out, ot, o, x, it, off);
            continue;
        }
        // Separable interpolation in the host's order: the innermost axis is
        // summed first (taps in order, zero weights skipped), then each outer
        // axis sums the partial results of the inner ones.
        i64 kc[MAXR];
        double acc[MAXR];
        for (int d = 0; d < r; ++d) { kc[d] = 0; acc[d] = 0; }
        bool isint = !is_float_t(it);
        double sum = 0;
        if (r == 0) {
            sum = isint ? (double)ldi(x, it, 0) : (double)ldf(x, it, 0);
        } else {
            while (true) {
                i64 off = 0, idx;
                for (int d = 0; d < r; ++d) {
                    rz_w(a, tp[d], kc[d], a.in_d[d], &idx);
                    off += idx * str[d];
                }
                double w = rz_w(a, tp[r - 1], kc[r - 1], a.in_d[r - 1], &idx);
                if (w != 0) acc[r - 1] += w * (isint ? (double)ldi(x, it, off) : (double)ldf(x, it, off));
                int d = r - 1;
                for (; d >= 0; --d) {
                    if (++kc[d] < tp[d].n) break;
                    kc[d] = 0;
                    if (d > 0) {
                        double wp = rz_w(a, tp[d - 1], kc[d - 1], a.in_d[d - 1], &idx);
                        if (wp != 0) acc[d - 1] += wp * acc[d];
                        acc[d] = 0;
                    }
                }
                if (d < 0) break;
            }
            sum = acc[0];
        }
        rz_store((void*)a.out, ot, o, sum);
    }
}

// ---- one-hot, fill ---------------------------------------------------------------
struct OneHotArgs { u64 out, idx, vals; i64 otype, itype, vtype, total, depth, post; };
extern "C" __global__ void __launch_bounds__(256) onehot(const OneHotArgs a) {
    GRID_LOOP(i64, i, a.total) {
        i64 p = i % a.post, dd = (i / a.post) % a.depth, pre = i / (a.post * a.depth);
        i64 e = pre * a.post + p;
        bool hit = false;
        i64 v = 0;
        if (is_float_t((int)a.itype)) {
            double f = (double)ldf((const void*)a.idx, (int)a.itype, e);
            if (f == trunc(f) && fabs(f) <= 9007199254740992.0) { v = (i64)f; hit = true; }
        } else {
            v = ldi((const void*)a.idx, (int)a.itype, e);
            hit = true;
        }
        if (hit) {
            if (v < 0) v += a.depth;
            hit = v == dd;
        }
        cast_elem((void*)a.out, (int)a.otype, i, (const void*)a.vals, (int)a.vtype, hit ? 1 : 0);
    }
}

enum { F_CONST = 0, F_RANGE = 1, F_EYE = 2 };
struct FillArgs { u64 out; i64 otype, op, total, cols, k, istart, idelta; double fstart, fdelta; u64 bits; };
extern "C" __global__ void __launch_bounds__(256) fill(const FillArgs a) {
    int t = (int)a.otype;
    int es = type_size(t);
    GRID_LOOP(i64, i, a.total) {
        if (a.op == F_CONST) {
            switch (es) {
            case 1: ((u8*)a.out)[i] = (u8)a.bits; break;
            case 2: ((u16*)a.out)[i] = (u16)a.bits; break;
            case 4: ((u32*)a.out)[i] = (u32)a.bits; break;
            default: ((u64*)a.out)[i] = a.bits; break;
            }
        } else if (a.op == F_RANGE) {
            if (is_float_t(t)) std_((void*)a.out, t, i, a.fstart + (double)i * a.fdelta);
            else sti((void*)a.out, t, i, (i64)((u64)a.istart + (u64)i * (u64)a.idelta));
        } else {
            i64 row = i / a.cols, col = i % a.cols;
            sti((void*)a.out, t, i, row + a.k == col ? 1 : 0);
        }
    }
}
