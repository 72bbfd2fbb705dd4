package tensor

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/x448/float16"
)

// TestRoundHalfAllExponents checks FP16 rounding against x448/float16 for
// every float32 exponent, both signs, with edge and random mantissas.
func TestRoundHalfAllExponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mantissas := []uint32{0, 1, 0x1000, 0x0fff, 0x1fff, 0x2000, 0x3fff, 0x7fffff, 0x400000, 0x402000, 0x401000}
	checked := 0
	for exp := uint32(0); exp < 256; exp++ {
		for sign := uint32(0); sign < 2; sign++ {
			ms := append([]uint32{}, mantissas...)
			for range 64 {
				ms = append(ms, rng.Uint32()&0x7fffff)
			}
			for _, m := range ms {
				bits := sign<<31 | exp<<23 | m
				f := math.Float32frombits(bits)
				got := RoundHalf(f)
				want := float16.Fromfloat32(f).Float32()
				if f != f {
					require.True(t, got != got, "NaN stays NaN for %#x", bits)
					continue
				}
				require.Equal(t, math.Float32bits(want), math.Float32bits(got), "bits %#x", bits)
				checked++
			}
		}
	}
	require.Greater(t, checked, 30000)
	// Overflow goes to ±Inf as on hardware; 65504 is the largest finite half.
	require.True(t, math.IsInf(float64(RoundHalf(65520)), 1))
	require.Equal(t, float32(65504), RoundHalf(65519))
	require.True(t, math.IsInf(float64(RoundHalf(-1e6)), -1))
}

// bf16Ref rounds with exact rational arithmetic: nearest representable
// bfloat16 value, ties to even mantissa.
func bf16Ref(f float32) uint16 {
	bits := math.Float32bits(f)
	if f != f {
		return 0
	}
	if math.IsInf(float64(f), 0) {
		return uint16(bits >> 16)
	}
	lo := bits &^ 0xffff // truncation toward zero
	hi := lo + 0x10000   // next bfloat16 away from zero (may become Inf)
	x := new(big.Rat).SetFloat64(float64(f))
	a := new(big.Rat).SetFloat64(float64(math.Float32frombits(lo)))
	var b *big.Rat
	if (hi>>23)&0xff == 0xff { // next value overflows: compare against 2^128
		b = new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 128))
		if bits>>31 == 1 {
			b.Neg(b)
		}
	} else {
		b = new(big.Rat).SetFloat64(float64(math.Float32frombits(hi)))
	}
	da := new(big.Rat).Abs(new(big.Rat).Sub(x, a))
	db := new(big.Rat).Abs(new(big.Rat).Sub(x, b))
	switch da.Cmp(db) {
	case -1:
		return uint16(lo >> 16)
	case 1:
		return uint16(hi >> 16)
	}
	if (lo>>16)&1 == 0 {
		return uint16(lo >> 16)
	}
	return uint16(hi >> 16)
}

func TestToBF16RoundToNearestEven(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []uint32{
		0, 0x80000000, // ±0
		0x00000001, 0x00007fff, 0x00008000, 0x00018000, 0x007fffff, // subnormals incl. ties
		0x3f808000, 0x3f818000, 0x3f80ffff, 0x3f807fff, // ties to even, around 1
		0x7f7fffff, 0xff7fffff, 0x7f7f8000, 0x7f7f7fff, // overflow edges
		0x7f800000, 0xff800000, // ±Inf
	}
	for _, b := range special {
		f := math.Float32frombits(b)
		require.Equal(t, bf16Ref(f), uint16(ToBF16(f)), "bits %#08x", b)
	}
	for range 60000 {
		b := rng.Uint32()
		f := math.Float32frombits(b)
		if f != f {
			got := ToBF16(f)
			require.True(t, got.Float32() != got.Float32(), "NaN %#x stays NaN", b)
			require.Equal(t, b>>31, uint32(got)>>15, "NaN keeps its sign")
			continue
		}
		require.Equal(t, bf16Ref(f), uint16(ToBF16(f)), "bits %#08x", b)
	}
	// Ties: 1 + 2^-8 is halfway between 1 and 1+2^-7: rounds to even (1).
	require.Equal(t, float32(1), RoundBF16(1+1.0/256))
	require.Equal(t, float32(1+2.0/128), RoundBF16(1+3.0/256))
}

func TestRoundTF32(t *testing.T) {
	require.Equal(t, float32(1), RoundTF32(1+1.0/4096))               // below half ulp (2^-11)
	require.Equal(t, float32(1), RoundTF32(1+1.0/2048))               // tie to even
	require.Equal(t, float32(1+2.0/1024), RoundTF32(1+3.0/2048))      // tie to even (up)
	require.Equal(t, float32(1+1.0/1024), RoundTF32(1+1.0/1024+1e-7)) // representable stays
	require.True(t, math.IsInf(float64(RoundTF32(float32(math.Inf(1)))), 1))
	nan := RoundTF32(float32(math.NaN()))
	require.True(t, nan != nan)
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		f := math.Float32frombits(rng.Uint32() & 0x7f7fffff)
		r := RoundTF32(f)
		if math.IsInf(float64(r), 0) {
			require.Greater(t, float64(f), (2-1.0/1024)*math.Ldexp(1, 127), "only values past the largest TF32 overflow")
			continue
		}
		require.Zero(t, math.Float32bits(r)&0x1fff, "TF32 keeps 10 mantissa bits")
		require.LessOrEqual(t, math.Abs(float64(r)-float64(f)), math.Max(math.Abs(float64(f))/2048*1.0001, math.Ldexp(1, -136)))
	}
}

func TestParseDataTypeAndValidate(t *testing.T) {
	for s, want := range map[string]DataType{"fp32": Float, "FP16": Half, "bf16": BF16, "int64": Int64, "bool": Bool} {
		got, err := ParseDataType(s)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := ParseDataType("fp7")
	require.Error(t, err)
	x := &Tensor{Name: "x", Type: Float, Dims: []int{2}, Data: []float32{1}}
	require.ErrorContains(t, x.Validate(), "need 2 elements")
	x.Data = []int32{1, 2}
	require.ErrorContains(t, x.Validate(), "needs data of type []float32")
}
