#include "textflag.h"

// func Instret() uint64: rdinstret, which gort lets the program read (scounteren.IR) and which
// under -icount is the machine's clock in instructions (BENCHMARKS.md).
TEXT ·Instret(SB),NOSPLIT,$0-8
	WORD	$0xc0202573 // rdinstret a0 (csrrs a0, instret, zero)
	MOV	X10, ret+0(FP)
	RET
