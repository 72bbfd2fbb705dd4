package cuda

import "math"

// Float32ToHalf rounds f to binary16 (round to nearest even; overflow gives ±Inf, as on
// hardware; NaN stays NaN).
func Float32ToHalf(f float32) Half { return Half(float32ToHalf(f)) }

// Float32 returns the value of h.
func (h Half) Float32() float32 { return halfToFloat32(uint16(h)) }

// Float32ToBFloat16 rounds f to bfloat16 (round to nearest even; NaN stays NaN).
func Float32ToBFloat16(f float32) BFloat16 {
	b := math.Float32bits(f)
	if f != f {
		return BFloat16(uint16(b>>16) | 0x40)
	}
	round := uint32(0x7fff) + (b>>16)&1
	return BFloat16((b + round) >> 16)
}

// Float32 returns the value of b.
func (b BFloat16) Float32() float32 { return math.Float32frombits(uint32(b) << 16) }

func float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff { // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		if e < -10 {
			return sign
		}
		// subnormal: shift the implicit bit in, round to nearest even
		m := mant | 0x800000
		shift := uint32(14 - e)
		half := uint32(1) << (shift - 1)
		rem := m & ((uint32(1) << shift) - 1)
		r := m >> shift
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++ // may carry into the exponent, up to Inf: correct
	}
	return sign | uint16(r)
}

func halfToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		f := float32(mant) / 1024 / 16384 // mant * 2^-24
		if sign != 0 {
			return -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}
