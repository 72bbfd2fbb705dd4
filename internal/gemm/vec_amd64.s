//go:build amd64 && !purego

#include "textflag.h"

// func axpyAVX2(n int, alpha float32, x, y *float32)
// y[i] += alpha * x[i] for i < n.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	VBROADCASTSS alpha+8(FP), Y0
	MOVQ x+16(FP), SI
	MOVQ y+24(FP), DI
	CMPQ CX, $32
	JLT axpy8
axpy32:
	VMOVUPS (DI), Y1
	VMOVUPS 32(DI), Y2
	VMOVUPS 64(DI), Y3
	VMOVUPS 96(DI), Y4
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VFMADD231PS 64(SI), Y0, Y3
	VFMADD231PS 96(SI), Y0, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE axpy32
axpy8:
	CMPQ CX, $8
	JLT axpy1
	VMOVUPS (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP axpy8
axpy1:
	TESTQ CX, CX
	JEQ axpydone
	VMOVSS (DI), X1
	VFMADD231SS (SI), X0, X1
	VMOVSS X1, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP axpy1
axpydone:
	VZEROUPPER
	RET

// func dotAVX2(n int, x, y *float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ CX, $32
	JLT dot8
dot32:
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE dot32
dot8:
	CMPQ CX, $8
	JLT dotred
	VMOVUPS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP dot8
dotred:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
dot1:
	TESTQ CX, CX
	JEQ dotdone
	VMOVSS (SI), X4
	VFMADD231SS (DI), X4, X0
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP dot1
dotdone:
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func dwRow3AVX2(n int, y, x0, x1, x2 *float32, w0, w1, w2 float32)
// y[i] += w0*x0[i] + w1*x1[i] + w2*x2[i] for i < n.
TEXT ·dwRow3AVX2(SB), NOSPLIT, $0-52
	MOVQ n+0(FP), CX
	MOVQ y+8(FP), DI
	MOVQ x0+16(FP), R8
	MOVQ x1+24(FP), R9
	MOVQ x2+32(FP), R10
	VBROADCASTSS w0+40(FP), Y0
	VBROADCASTSS w1+44(FP), Y1
	VBROADCASTSS w2+48(FP), Y2
	XORQ AX, AX
	CMPQ CX, $16
	JLT dw8
dw16:
	VMOVUPS (DI)(AX*4), Y3
	VMOVUPS 32(DI)(AX*4), Y4
	VFMADD231PS (R8)(AX*4), Y0, Y3
	VFMADD231PS 32(R8)(AX*4), Y0, Y4
	VFMADD231PS (R9)(AX*4), Y1, Y3
	VFMADD231PS 32(R9)(AX*4), Y1, Y4
	VFMADD231PS (R10)(AX*4), Y2, Y3
	VFMADD231PS 32(R10)(AX*4), Y2, Y4
	VMOVUPS Y3, (DI)(AX*4)
	VMOVUPS Y4, 32(DI)(AX*4)
	ADDQ $16, AX
	SUBQ $16, CX
	CMPQ CX, $16
	JGE dw16
dw8:
	CMPQ CX, $8
	JLT dw1
	VMOVUPS (DI)(AX*4), Y3
	VFMADD231PS (R8)(AX*4), Y0, Y3
	VFMADD231PS (R9)(AX*4), Y1, Y3
	VFMADD231PS (R10)(AX*4), Y2, Y3
	VMOVUPS Y3, (DI)(AX*4)
	ADDQ $8, AX
	SUBQ $8, CX
dw1:
	TESTQ CX, CX
	JEQ dwdone
	VMOVSS (DI)(AX*4), X3
	VFMADD231SS (R8)(AX*4), X0, X3
	VFMADD231SS (R9)(AX*4), X1, X3
	VFMADD231SS (R10)(AX*4), X2, X3
	VMOVSS X3, (DI)(AX*4)
	INCQ AX
	DECQ CX
	JMP dw1
dwdone:
	VZEROUPPER
	RET

// func clampAVX2(n int, x *float32, lo, hi float32)
// x[i] = min(max(x[i], lo), hi), NaN-propagating.
TEXT ·clampAVX2(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), DI
	VBROADCASTSS lo+16(FP), Y0
	VBROADCASTSS hi+20(FP), Y1
	CMPQ CX, $16
	JLT cl8
cl16:
	VMOVUPS (DI), Y2
	VMOVUPS 32(DI), Y3
	VMAXPS Y2, Y0, Y2
	VMAXPS Y3, Y0, Y3
	VMINPS Y2, Y1, Y2
	VMINPS Y3, Y1, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ $64, DI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE cl16
cl8:
	CMPQ CX, $8
	JLT cl1
	VMOVUPS (DI), Y2
	VMAXPS Y2, Y0, Y2
	VMINPS Y2, Y1, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, DI
	SUBQ $8, CX
cl1:
	TESTQ CX, CX
	JEQ cldone
	VMOVSS (DI), X2
	VMAXSS X2, X0, X2
	VMINSS X2, X1, X2
	VMOVSS X2, (DI)
	ADDQ $4, DI
	DECQ CX
	JMP cl1
cldone:
	VZEROUPPER
	RET

// Lanes [8-n, 16-n) of dwMask<> are the mask of an n-lane (n < 8) store.
DATA dwMask<>+0(SB)/4, $0xffffffff
DATA dwMask<>+4(SB)/4, $0xffffffff
DATA dwMask<>+8(SB)/4, $0xffffffff
DATA dwMask<>+12(SB)/4, $0xffffffff
DATA dwMask<>+16(SB)/4, $0xffffffff
DATA dwMask<>+20(SB)/4, $0xffffffff
DATA dwMask<>+24(SB)/4, $0xffffffff
DATA dwMask<>+28(SB)/4, $0xffffffff
DATA dwMask<>+32(SB)/4, $0
DATA dwMask<>+36(SB)/4, $0
DATA dwMask<>+40(SB)/4, $0
DATA dwMask<>+44(SB)/4, $0
DATA dwMask<>+48(SB)/4, $0
DATA dwMask<>+52(SB)/4, $0
DATA dwMask<>+56(SB)/4, $0
DATA dwMask<>+60(SB)/4, $0
GLOBL dwMask<>(SB), RODATA|NOPTR, $64

// func dwPlaneAVX2(rows, n int, y *float32, ystride int, x *float32, xstride int, offs *int, w *float32, taps int, bias float32, flags int, lo, hi float32)
// For each row r < rows, with yr = y + r*ystride and xr = x + r*xstride
// (strides in floats): yr[i] = clamp?(bias + sum_t w[t]*xr[offs[t]+i]) for
// i < n. xr must be readable 8 floats past xr[offs[t]+n-1] (the padded
// input has slack). flags&1 clamps to [lo, hi].
TEXT ·dwPlaneAVX2(SB), NOSPLIT, $0-96
	MOVQ rows+0(FP), R13
	MOVQ y+16(FP), DX
	MOVQ x+32(FP), R8
	VBROADCASTSS bias+72(FP), Y9
	VBROADCASTSS lo+88(FP), Y10
	VBROADCASTSS hi+92(FP), Y11
	MOVQ flags+80(FP), BX
	TESTQ R13, R13
	JEQ dwdone

dwrow:
	MOVQ n+8(FP), CX
	MOVQ DX, DI
	MOVQ R8, SI

dw32:
	CMPQ CX, $32
	JLT dw8
	VMOVAPS Y9, Y0
	VMOVAPS Y9, Y1
	VMOVAPS Y9, Y2
	VMOVAPS Y9, Y3
	MOVQ taps+64(FP), R10
	MOVQ offs+48(FP), R11
	MOVQ w+56(FP), R12
dw32tap:
	MOVQ (R11), AX
	VBROADCASTSS (R12), Y8
	VFMADD231PS (SI)(AX*4), Y8, Y0
	VFMADD231PS 32(SI)(AX*4), Y8, Y1
	VFMADD231PS 64(SI)(AX*4), Y8, Y2
	VFMADD231PS 96(SI)(AX*4), Y8, Y3
	ADDQ $8, R11
	ADDQ $4, R12
	DECQ R10
	JNZ dw32tap
	TESTQ $1, BX
	JEQ dw32store
	VMAXPS Y0, Y10, Y0
	VMAXPS Y1, Y10, Y1
	VMAXPS Y2, Y10, Y2
	VMAXPS Y3, Y10, Y3
	VMINPS Y0, Y11, Y0
	VMINPS Y1, Y11, Y1
	VMINPS Y2, Y11, Y2
	VMINPS Y3, Y11, Y3
dw32store:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP dw32

dw8:
	TESTQ CX, CX
	JEQ dwnext
	VMOVAPS Y9, Y0
	MOVQ taps+64(FP), R10
	MOVQ offs+48(FP), R11
	MOVQ w+56(FP), R12
dw8tap:
	MOVQ (R11), AX
	VBROADCASTSS (R12), Y8
	VFMADD231PS (SI)(AX*4), Y8, Y0
	ADDQ $8, R11
	ADDQ $4, R12
	DECQ R10
	JNZ dw8tap
	TESTQ $1, BX
	JEQ dw8store
	VMAXPS Y0, Y10, Y0
	VMINPS Y0, Y11, Y0
dw8store:
	CMPQ CX, $8
	JLT dwpartial
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP dw8
dwpartial:
	// CX in 1..7: mask = dwMask[8-CX : 16-CX]
	LEAQ dwMask<>(SB), R9
	NEGQ CX
	LEAQ 32(R9)(CX*4), R9
	VMOVUPS (R9), Y1
	VMASKMOVPS Y0, Y1, (DI)

dwnext:
	MOVQ ystride+24(FP), AX
	LEAQ (DX)(AX*4), DX
	MOVQ xstride+40(FP), AX
	LEAQ (R8)(AX*4), R8
	DECQ R13
	JNZ dwrow
dwdone:
	VZEROUPPER
	RET

// func copyRowsAVX2(rows, n int, dst *float32, dstStride int, src *float32, srcStride int)
// Copies rows of n floats between strided buffers (strides in floats).
TEXT ·copyRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ rows+0(FP), R13
	MOVQ dst+16(FP), DX
	MOVQ src+32(FP), R8
	TESTQ R13, R13
	JEQ crdone
crrow:
	MOVQ n+8(FP), CX
	MOVQ DX, DI
	MOVQ R8, SI
cr32:
	CMPQ CX, $32
	JLT cr8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP cr32
cr8:
	CMPQ CX, $8
	JLT cr1
	VMOVUPS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP cr8
cr1:
	TESTQ CX, CX
	JEQ crnext
	MOVL (SI), AX
	MOVL AX, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP cr1
crnext:
	MOVQ dstStride+24(FP), AX
	LEAQ (DX)(AX*4), DX
	MOVQ srcStride+40(FP), AX
	LEAQ (R8)(AX*4), R8
	DECQ R13
	JNZ crrow
crdone:
	VZEROUPPER
	RET

// func deinterleave2AVX2(rows, pairs int, even, odd *float32, dstStride int, src *float32, srcStride int)
// For each row r: even[r*dstStride+i] = src[r*srcStride+2i] and
// odd[r*dstStride+i] = src[r*srcStride+2i+1] for i < pairs.
TEXT ·deinterleave2AVX2(SB), NOSPLIT, $0-56
	MOVQ rows+0(FP), R13
	MOVQ even+16(FP), DX
	MOVQ odd+24(FP), BX
	MOVQ src+40(FP), R8
	TESTQ R13, R13
	JEQ didone
dirow:
	MOVQ pairs+8(FP), CX
	MOVQ DX, DI
	MOVQ BX, R9
	MOVQ R8, SI
di8:
	CMPQ CX, $8
	JLT di1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (R9)
	ADDQ $64, SI
	ADDQ $32, DI
	ADDQ $32, R9
	SUBQ $8, CX
	JMP di8
di1:
	TESTQ CX, CX
	JEQ dinext
	MOVL (SI), AX
	MOVL AX, (DI)
	MOVL 4(SI), AX
	MOVL AX, (R9)
	ADDQ $8, SI
	ADDQ $4, DI
	ADDQ $4, R9
	DECQ CX
	JMP di1
dinext:
	MOVQ dstStride+32(FP), AX
	LEAQ (DX)(AX*4), DX
	LEAQ (BX)(AX*4), BX
	MOVQ srcStride+48(FP), AX
	LEAQ (R8)(AX*4), R8
	DECQ R13
	JNZ dirow
didone:
	VZEROUPPER
	RET

// func gatherRowsAVX2(k int, dst, x *float32, offs *int, base, width int)
// For p < k: dst[p*width : (p+1)*width] = x[offs[p]+base : ...+width];
// width is 16 or 32 (one packed B panel of a convolution).
TEXT ·gatherRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ x+16(FP), SI
	MOVQ offs+24(FP), R11
	MOVQ base+32(FP), AX
	LEAQ (SI)(AX*4), SI
	MOVQ width+40(FP), BX
	TESTQ CX, CX
	JEQ grdone
	CMPQ BX, $32
	JNE gr16
gr32:
	MOVQ (R11), AX
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $8, R11
	ADDQ $128, DI
	DECQ CX
	JNZ gr32
	JMP grdone
gr16:
	MOVQ (R11), AX
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $8, R11
	ADDQ $64, DI
	DECQ CX
	JNZ gr16
grdone:
	VZEROUPPER
	RET
