package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fmInputs are float32 test points: a dense sweep of the interesting range,
// random bit patterns over every finite float32, and the special values.
func fmInputs() []float32 {
	var xs []float32
	for i := -120000; i <= 120000; i++ {
		xs = append(xs, float32(i)/1000)
	}
	for i := -2000; i <= 2000; i++ {
		xs = append(xs, float32(i)*1e-7, float32(i)*1e-30)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		v := math.Float32frombits(rng.Uint32())
		if v == v && !math.IsInf(float64(v), 0) {
			xs = append(xs, v)
		}
	}
	inf := float32(math.Inf(1))
	xs = append(xs, 0, float32(math.Copysign(0, -1)), inf, -inf, float32(math.NaN()),
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		88.72283, 88.72284, 88.7229, -87.33654, -103.97, -103.98, -104, 0.84375, 1.25, 1/0.35, 4, 6, 0.625, 22)
	return xs
}

func TestFloat32Math(t *testing.T) {
	xs := fmInputs()
	cases := []struct {
		name string
		got  func(float32) float32
		want func(float64) float64
		// cancel is the absolute error of the float64 formula itself per
		// unit of |x| (GELU's 1 + erf and 1 + tanh cancel for x < 0).
		cancel float64
	}{
		{"exp", expf, math.Exp, 0},
		{"sigmoid", sigmoidf, func(x float64) float64 {
			if x >= 0 {
				return 1 / (1 + math.Exp(-x))
			}
			e := math.Exp(x)
			return e / (1 + e)
		}, 0},
		{"tanh", tanhf, math.Tanh, 0},
		{"erf", erff, math.Erf, 0},
		// The float64 formula 0.5x(1+erf(x/sqrt2)) itself cancels for x < 0.
		{"gelu-erf-formula", geluErff, func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }, 2e-16},
		{"gelu-erf", geluErff, func(x float64) float64 { return 0.5 * x * math.Erfc(-x/math.Sqrt2) }, 0},
		{"gelu-tanh-formula", geluTanhf, func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
		}, 2e-16},
		{"gelu-tanh", geluTanhf, func(x float64) float64 {
			u := math.Sqrt(2/math.Pi) * (x + 0.044715*x*x*x)
			if u >= 0 {
				return 0.5 * x * (1 + math.Tanh(u))
			}
			e := math.Exp(2 * u) // 1 + tanh(u) = 2e/(1+e)
			return x * e / (1 + e)
		}, 0},
	}
	for _, tc := range cases {
		worst, at := 0.0, float32(0)
		ulps := 0
		for _, x := range xs {
			got := tc.got(x)
			want := float32(tc.want(float64(x)))
			if want != want {
				if got == got {
					t.Errorf("%s(%g) = %g, want NaN", tc.name, x, got)
				}
				continue
			}
			if math.IsInf(float64(want), 0) || math.IsInf(float64(got), 0) {
				if got != want {
					t.Errorf("%s(%g) = %g, want %g", tc.name, x, got, want)
				}
				continue
			}
			d := math.Abs(float64(got) - float64(want))
			// Subnormal results have fewer digits: allow two of their ulps.
			if d > 1e-6*math.Abs(float64(want))+3e-45+tc.cancel*math.Abs(float64(x)) {
				t.Errorf("%s(%g) = %g, want %g (rel %.3g)", tc.name, x, got, want, d/math.Abs(float64(want)))
				continue
			}
			if want != 0 {
				if r := d / math.Abs(float64(want)); r > worst {
					worst, at = r, x
				}
			}
			if u := int(math.Float32bits(got)) - int(math.Float32bits(want)); u > ulps || -u > ulps {
				ulps = max(u, -u)
			}
		}
		t.Logf("%s: worst relative error %.3g at %g, max %d ulp", tc.name, worst, at, ulps)
	}
}

func BenchmarkFloat32Math(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i-2048) / 400
	}
	ys := make([]float32, len(xs))
	for _, bc := range []struct {
		name string
		f    func(dst, x []float32)
	}{
		{"exp", expRow},
		{"exp64", func(dst, x []float32) {
			for i, v := range x {
				dst[i] = float32(math.Exp(float64(v)))
			}
		}},
		{"sigmoid", sigmoidRow},
		{"tanh", tanhRow},
		{"tanh64", func(dst, x []float32) {
			for i, v := range x {
				dst[i] = float32(math.Tanh(float64(v)))
			}
		}},
		{"erf", erfRow},
		{"erf64", func(dst, x []float32) {
			for i, v := range x {
				dst[i] = float32(math.Erf(float64(v)))
			}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				bc.f(ys, xs)
			}
			b.SetBytes(int64(4 * len(xs)))
		})
	}
}

// TestVectorMath checks the vector e^x and sigmoid (where the CPU has them)
// against the float64 functions: within 1e-6 relative (two subnormal ulps
// absolute), NaN and ±Inf as float32(math.Exp(x)).
func TestVectorMath(t *testing.T) {
	if !hasVecMath {
		t.Skip("no vector math on this CPU")
	}
	xs := fmInputs()
	xs = xs[:len(xs)&^7]
	got := make([]float32, len(xs))
	for _, tc := range []struct {
		name string
		vec  func(dst, x []float32) int
		want func(float64) float64
	}{
		{"exp", vecExp, math.Exp},
		{"erf", vecErf, math.Erf},
		{"sigmoid", vecSigmoid, func(x float64) float64 {
			if x >= 0 {
				return 1 / (1 + math.Exp(-x))
			}
			e := math.Exp(x)
			return e / (1 + e)
		}},
	} {
		if n := tc.vec(got, xs); n != len(xs) {
			t.Fatalf("%s did %d of %d", tc.name, n, len(xs))
		}
		worst, at, ulps := 0.0, float32(0), 0
		for i, x := range xs {
			g, w := got[i], float32(tc.want(float64(x)))
			if w != w {
				if g == g {
					t.Errorf("%s(%g) = %g, want NaN", tc.name, x, g)
				}
				continue
			}
			if math.IsInf(float64(w), 0) || math.IsInf(float64(g), 0) {
				if g != w {
					t.Errorf("%s(%g) = %g, want %g", tc.name, x, g, w)
				}
				continue
			}
			d := math.Abs(float64(g) - float64(w))
			if d > 1e-6*math.Abs(float64(w))+3e-45 {
				t.Errorf("%s(%g) = %g, want %g (rel %.3g)", tc.name, x, g, w, d/math.Abs(float64(w)))
				continue
			}
			if math.Abs(float64(w)) >= 0x1p-126 { // normal results
				if r := d / math.Abs(float64(w)); r > worst {
					worst, at = r, x
				}
				if u := int(math.Float32bits(g)) - int(math.Float32bits(w)); u > ulps || -u > ulps {
					ulps = max(u, -u)
				}
			}
		}
		t.Logf("%s: worst relative error %.3g at %g, max %d ulp (normal results)", tc.name, worst, at, ulps)
	}
}
