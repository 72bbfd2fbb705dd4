package cpu

import "math"

// Float32 transcendental functions for the element-wise kernels.
//
// They compute in float64 registers with a single rounding to float32 at the
// end, so results stay within 1 ulp (~1.2e-7 relative) of
// float32(math.F(float64(x))); NaN propagates and ±Inf, overflow and
// underflow give what the float64 functions give once rounded to float32.
// What makes them cheaper than the float64 functions: one exponential where
// math.Tanh and math.Erf's tail use two (float32 accuracy does not need the
// second), no special-case ladders, and loops that call them directly rather
// than through a function value. e^x itself is math.Exp: on amd64 it is
// assembly, faster than any polynomial written in Go (measured: 7-10 ns
// against 13-18 ns for a degree-8 Taylor with exponent scaling).
// TestFloat32Math checks them against the float64 versions.

func exp64(x float64) float64 { return math.Exp(x) }

// expf is e^x for float32.
func expf(x float32) float32 {
	if x != x {
		return x
	}
	return float32(exp64(float64(x)))
}

// sigmoidf is 1/(1+e^-x).
func sigmoidf(x float32) float32 {
	if x != x {
		return x
	}
	v := float64(x)
	e := exp64(-math.Abs(v)) // in (0, 1]
	s := 1 / (1 + e)
	if v < 0 {
		s = e * s
	}
	return float32(s)
}

// tanhf is tanh(x) (the rational approximation of math.Tanh near 0, the
// exponential form elsewhere).
func tanhf(x float32) float32 {
	if x != x {
		return x
	}
	v := float64(x)
	z := math.Abs(v)
	const (
		p0 = -9.64399179425052238628e-1
		p1 = -9.92877231001918586564e1
		p2 = -1.61468768441708447952e3
		q0 = 1.12811678491632931402e2
		q1 = 2.23548839060100448583e3
		q2 = 4.84406305325125486048e3
	)
	switch {
	case z > 22:
		z = 1
	case z > 0.625:
		s := exp64(2 * z)
		z = 1 - 2/(s+1)
	case z == 0:
		return x // ±0
	default:
		s := v * v
		return float32(v + v*s*((p0*s+p1)*s+p2)/(((s+q0)*s+q1)*s+q2))
	}
	if v < 0 {
		z = -z
	}
	return float32(z)
}

// erf64 returns erf(v) and erfc(v) = 1 - erf(v) for v >= 0 (not NaN):
// fdlibm's rational approximations (as math.Erf), with the tail's two
// exponentials merged into one (x*x is exact in float64 for a float32 x, so
// the second only recovered bits a float32 result never sees). erfc is
// accurate (not 1 - erf) from v >= 1.25 on, where it is below 0.08.
func erf64(v float64) (e, c float64) {
	const (
		erx   = 8.45062911510467529297e-01
		efx   = 1.28379167095512586316e-01
		pp0   = 1.28379167095512558561e-01
		pp1   = -3.25042107247001499370e-01
		pp2   = -2.84817495755985104766e-02
		pp3   = -5.77027029648944159157e-03
		pp4   = -2.37630166566501626084e-05
		qq1   = 3.97917223959155352819e-01
		qq2   = 6.50222499887672944485e-02
		qq3   = 5.08130628187576562776e-03
		qq4   = 1.32494738004321644526e-04
		qq5   = -3.96022827877536812320e-06
		pa0   = -2.36211856075265944077e-03
		pa1   = 4.14856118683748331666e-01
		pa2   = -3.72207876035701323847e-01
		pa3   = 3.18346619901161753674e-01
		pa4   = -1.10894694282396677476e-01
		pa5   = 3.54783043256182359371e-02
		pa6   = -2.16637559486879084300e-03
		qa1   = 1.06420880400844228286e-01
		qa2   = 5.40397917702171048937e-01
		qa3   = 7.18286544141962662868e-02
		qa4   = 1.26171219808761642112e-01
		qa5   = 1.36370839120290507362e-02
		qa6   = 1.19844998467991074170e-02
		ra0   = -9.86494403484714822705e-03
		ra1   = -6.93858572707181764372e-01
		ra2   = -1.05586262253232909814e+01
		ra3   = -6.23753324503260060396e+01
		ra4   = -1.62396669462573470355e+02
		ra5   = -1.84605092906711035994e+02
		ra6   = -8.12874355063065934246e+01
		ra7   = -9.81432934416914548592e+00
		sa1   = 1.96512716674392571292e+01
		sa2   = 1.37657754143519042600e+02
		sa3   = 4.34565877475229228821e+02
		sa4   = 6.45387271733267880336e+02
		sa5   = 4.29008140027567833386e+02
		sa6   = 1.08635005541779435134e+02
		sa7   = 6.57024977031928170135e+00
		sa8   = -6.04244152148580987438e-02
		rb0   = -9.86494292470009928597e-03
		rb1   = -7.99283237680523006574e-01
		rb2   = -1.77579549177547519889e+01
		rb3   = -1.60636384855821916062e+02
		rb4   = -6.37566443368389627722e+02
		rb5   = -1.02509513161107724954e+03
		rb6   = -4.83519191608651397019e+02
		sb1   = 3.03380607434824582924e+01
		sb2   = 3.25792512996573918826e+02
		sb3   = 1.53672958608443695994e+03
		sb4   = 3.19985821950859553908e+03
		sb5   = 2.55305040643316442583e+03
		sb6   = 4.74528541206955367215e+02
		sb7   = -2.24409524465858183362e+01
		small = 1.0 / (1 << 28)
	)
	switch {
	case v < small:
		e = v + efx*v
	case v < 0.84375:
		z := v * v
		p := pp0 + z*(pp1+z*(pp2+z*(pp3+z*pp4)))
		q := 1 + z*(qq1+z*(qq2+z*(qq3+z*(qq4+z*qq5))))
		e = v + v*(p/q)
	case v < 1.25:
		s := v - 1
		p := pa0 + s*(pa1+s*(pa2+s*(pa3+s*(pa4+s*(pa5+s*pa6)))))
		q := 1 + s*(qa1+s*(qa2+s*(qa3+s*(qa4+s*(qa5+s*qa6)))))
		e = erx + p/q
	case v >= 28:
		return 1, 0
	default:
		s := 1 / (v * v)
		var R, S float64
		if v < 1/0.35 {
			R = ra0 + s*(ra1+s*(ra2+s*(ra3+s*(ra4+s*(ra5+s*(ra6+s*ra7))))))
			S = 1 + s*(sa1+s*(sa2+s*(sa3+s*(sa4+s*(sa5+s*(sa6+s*(sa7+s*sa8)))))))
		} else {
			R = rb0 + s*(rb1+s*(rb2+s*(rb3+s*(rb4+s*(rb5+s*rb6)))))
			S = 1 + s*(sb1+s*(sb2+s*(sb3+s*(sb4+s*(sb5+s*(sb6+s*sb7))))))
		}
		c = exp64(-v*v-0.5625+R/S) / v
		return 1 - c, c
	}
	return e, 1 - e
}

// erff is erf(x); |x| >= 4 rounds to ±1 in float32.
func erff(x float32) float32 {
	v := float64(x)
	switch {
	case x != x:
		return x
	case v >= 4:
		return 1
	case v <= -4:
		return -1
	case v < 0:
		e, _ := erf64(-v)
		return float32(-e)
	}
	e, _ := erf64(v)
	return float32(e)
}

// geluErff is x/2 * (1 + erf(x/sqrt2)), with 1 + erf(-v) taken as erfc(v)
// (the float64 formula loses it to cancellation for x below about -5).
func geluErff(x float32) float32 {
	if x != x {
		return x
	}
	v := float64(x)
	z := v / math.Sqrt2
	var g float64
	if z >= 0 {
		e, _ := erf64(z)
		g = 1 + e
	} else {
		_, g = erf64(-z)
	}
	return float32(0.5 * v * g)
}

// geluTanhf is x/2 * (1 + tanh(sqrt(2/pi)*(x + 0.044715x^3))), with
// 1 + tanh(u) taken as 2*sigmoid(2u) (no cancellation for negative u).
func geluTanhf(x float32) float32 {
	if x != x {
		return x
	}
	v := float64(x)
	u := math.Sqrt(2/math.Pi) * (v + 0.044715*v*v*v)
	return float32(v * sigmoid(2*u))
}

// sigmoid is the float64 logistic function.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + exp64(-x))
	}
	e := exp64(x)
	return e / (1 + e)
}

// ---- row loops -----------------------------------------------------------------

// expRow, sigmoidRow and erfRow use the vector forms (vmath_amd64.go) where
// the CPU has them, the tail of fewer than 8 values included (through a
// padded block), so that every value comes from the same code however the
// data is split across goroutines.
func expRow(dst, x []float32) { vecRow(dst, x, vecExp, expf) }

func sigmoidRow(dst, x []float32) { vecRow(dst, x, vecSigmoid, sigmoidf) }

func vecRow(dst, x []float32, vec func(dst, x []float32) int, scalar func(float32) float32) {
	x = x[:len(dst)]
	i := vec(dst, x)
	if i == len(x) {
		return
	}
	if hasVecMath {
		var blk [8]float32
		copy(blk[:], x[i:])
		vec(blk[:], blk[:])
		copy(dst[i:], blk[:])
		return
	}
	for ; i < len(x); i++ {
		dst[i] = scalar(x[i])
	}
}

func tanhRow(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = tanhf(v)
	}
}

func erfRow(dst, x []float32) { vecRow(dst, x, vecErf, erff) }
