//go:build amd64 && !purego

#include "textflag.h"

// Vector e^x and logistic sigmoid for AVX2+FMA, 8 float32 lanes at a time
// (vmath_amd64.go holds the Go side and the accuracy notes).

#define C8(name, v) DATA name<>+0(SB)/4, v; DATA name<>+4(SB)/4, v; DATA name<>+8(SB)/4, v; DATA name<>+12(SB)/4, v; DATA name<>+16(SB)/4, v; DATA name<>+20(SB)/4, v; DATA name<>+24(SB)/4, v; DATA name<>+28(SB)/4, v; GLOBL name<>(SB), RODATA|NOPTR, $32

C8(vmLo, $0xc2d00000)    // -104: e^x rounds to 0 below
C8(vmHi, $0x42b20000)    // 89: e^x overflows above
C8(vmLog2e, $0x3fb8aa3b) // log2(e)
C8(vmC1, $0x3f318000)    // ln2 = C1 - C2, C1 exact in 9 bits
C8(vmC2, $0xb95e8083)
C8(vmP0, $0x39506967)    // Cephes expf polynomial
C8(vmP1, $0x3ab743ce)
C8(vmP2, $0x3c088908)
C8(vmP3, $0x3d2aa9c1)
C8(vmP4, $0x3e2aaaaa)
C8(vmP5, $0x3f000000)
C8(vmOne, $0x3f800000)
C8(vmBias, $127)
C8(vmAbs, $0x7fffffff)
C8(vmSign, $0x80000000)

// erf: the faithfully rounded float32 approximation of N. Juffa
// ("Efficient faithfully-rounded implementation of error function erff",
// Stack Overflow 35148198), with the coefficient set ONNX Runtime's MLAS uses:
// an odd polynomial below |x| = 0.921875, 1 - e^-p(|x|) above.
C8(erfS0, $0xba1d0d41) // -5.99104969e-4
C8(erfS1, $0x3ba39fa4) //  4.99339588e-3
C8(erfS2, $0xbcdb45e9) // -2.67667342e-2
C8(erfS3, $0x3de70d23) //  1.12818025e-1
C8(erfS4, $0xbec09370) // -3.76124859e-1
C8(erfS5, $0x3e0375d3) //  1.28379151e-1 (2/sqrt(pi) - 1)
C8(erfB0, $0x37911480) //  1.72948930e-5
C8(erfB1, $0xb9c8e966) // -3.83208680e-4
C8(erfB2, $0x3b7e899b) //  3.88393435e-3
C8(erfB3, $0xbcc6b180) // -2.42545605e-2
C8(erfB4, $0x3ddaae58) //  1.06777847e-1
C8(erfB5, $0x3f228550) //  6.34846687e-1
C8(erfB6, $0x3e03ce86) //  1.28717512e-1
C8(erfSplit, $0x3f6c0000) // 0.921875
C8(erfClamp, $0x40800000) // 4: erf rounds to ±1 beyond

// EXPCORE computes Y3 = e^Y0 for Y0 already in [-104, 89]; clobbers Y1, Y2,
// Y4, Y5, Y6. 2^k is applied as two factors 2^(k>>1) * 2^(k-(k>>1)) so that
// subnormal results and the overflow to +Inf come out of the last multiply.
#define EXPCORE \
	VMULPS vmLog2e<>(SB), Y0, Y1 \
	VROUNDPS $0, Y1, Y1 \
	VMOVAPS Y0, Y2 \
	VFNMADD231PS vmC1<>(SB), Y1, Y2 \
	VFNMADD231PS vmC2<>(SB), Y1, Y2 \
	VMOVUPS vmP0<>(SB), Y3 \
	VFMADD213PS vmP1<>(SB), Y2, Y3 \
	VFMADD213PS vmP2<>(SB), Y2, Y3 \
	VFMADD213PS vmP3<>(SB), Y2, Y3 \
	VFMADD213PS vmP4<>(SB), Y2, Y3 \
	VFMADD213PS vmP5<>(SB), Y2, Y3 \
	VMULPS Y2, Y2, Y4 \
	VFMADD213PS Y2, Y4, Y3 \
	VADDPS vmOne<>(SB), Y3, Y3 \
	VCVTPS2DQ Y1, Y5 \
	VPSRAD $1, Y5, Y6 \
	VPSUBD Y6, Y5, Y5 \
	VPADDD vmBias<>(SB), Y6, Y6 \
	VPSLLD $23, Y6, Y6 \
	VPADDD vmBias<>(SB), Y5, Y5 \
	VPSLLD $23, Y5, Y5 \
	VMULPS Y6, Y3, Y3 \
	VMULPS Y5, Y3, Y3

// func expAVX2(dst, src *float32, n int)
// dst[i] = e^src[i] for i < n (n a multiple of 8).
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
expLoop:
	CMPQ CX, $8
	JLT expDone
	VMOVUPS (SI), Y7
	VMAXPS vmLo<>(SB), Y7, Y0
	VMINPS vmHi<>(SB), Y0, Y0
	EXPCORE
	VCMPPS $3, Y7, Y7, Y8
	VBLENDVPS Y8, Y7, Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP expLoop
expDone:
	VZEROUPPER
	RET

// func sigmoidAVX2(dst, src *float32, n int)
// dst[i] = 1/(1+e^-src[i]) for i < n (n a multiple of 8), as e/(1+e) with
// e = e^-|x| for negative x.
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
sigLoop:
	CMPQ CX, $8
	JLT sigDone
	VMOVUPS (SI), Y7
	VANDPS vmAbs<>(SB), Y7, Y0
	VORPS vmSign<>(SB), Y0, Y0
	VMAXPS vmLo<>(SB), Y0, Y0
	EXPCORE
	VADDPS vmOne<>(SB), Y3, Y4
	VMOVUPS vmOne<>(SB), Y5
	VDIVPS Y4, Y5, Y5
	VMULPS Y5, Y3, Y6
	VBLENDVPS Y7, Y6, Y5, Y5
	VCMPPS $3, Y7, Y7, Y8
	VBLENDVPS Y8, Y7, Y5, Y5
	VMOVUPS Y5, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP sigLoop
sigDone:
	VZEROUPPER
	RET

// func erfAVX2(dst, src *float32, n int)
// dst[i] = erf(src[i]) for i < n (n a multiple of 8).
TEXT ·erfAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
erfLoop:
	CMPQ CX, $8
	JLT erfDone
	VMOVUPS (SI), Y7
	VANDPS vmAbs<>(SB), Y7, Y9
	// Small: x + x*S(x^2).
	VMULPS Y7, Y7, Y1
	VMOVUPS erfS0<>(SB), Y8
	VFMADD213PS erfS1<>(SB), Y1, Y8
	VFMADD213PS erfS2<>(SB), Y1, Y8
	VFMADD213PS erfS3<>(SB), Y1, Y8
	VFMADD213PS erfS4<>(SB), Y1, Y8
	VFMADD213PS erfS5<>(SB), Y1, Y8
	VFMADD213PS Y7, Y7, Y8
	// Big: sign(x) * (1 - e^-(t + t*B(t))), t = min(|x|, 4).
	VMINPS erfClamp<>(SB), Y9, Y10
	VMOVUPS erfB0<>(SB), Y0
	VFMADD213PS erfB1<>(SB), Y10, Y0
	VFMADD213PS erfB2<>(SB), Y10, Y0
	VFMADD213PS erfB3<>(SB), Y10, Y0
	VFMADD213PS erfB4<>(SB), Y10, Y0
	VFMADD213PS erfB5<>(SB), Y10, Y0
	VFMADD213PS erfB6<>(SB), Y10, Y0
	VFMADD213PS Y10, Y10, Y0
	VXORPS vmSign<>(SB), Y0, Y0
	VMAXPS vmLo<>(SB), Y0, Y0
	EXPCORE
	VMOVUPS vmOne<>(SB), Y4
	VSUBPS Y3, Y4, Y4
	VANDPS vmSign<>(SB), Y7, Y5
	VORPS Y5, Y4, Y4
	// |x| > 0.921875 (false for NaN, which the small branch propagates).
	VCMPPS $0x1e, erfSplit<>(SB), Y9, Y11
	VBLENDVPS Y11, Y4, Y8, Y8
	VMOVUPS Y8, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP erfLoop
erfDone:
	VZEROUPPER
	RET
