//go:build tamago && riscv64

// The goos package's entry points and its trap vector. Go's assembler has no names for the
// supervisor CSRs, so their instructions are spelled as WORDs, each with its assembly.

#include "go_asm.h"
#include "textflag.h"

// What every vCPU sets up first, with its index in TP: FP on (the hv starts a vCPU with
// sstatus.FS off, and the runtime's first FP instruction would be illegal), the trap vector,
// sscratch = its interrupt save area, and interrupts on (none is enabled in sie until
// setTimer arms the confirm timer). Uses T0, T1.
#define VCPU_SETUP \
	MOV	$0x6000, T0; \
	WORD	$0x1002a073; /* csrs sstatus, t0: FS = dirty */ \
	MOV	$·trapEntry(SB), T0; \
	WORD	$0x10529073; /* csrw stvec, t0 */ \
	MOV	$·intrSaves(SB), T0; \
	SLL	$const_intrSaveShift, TP, T1; \
	ADD	T1, T0; \
	WORD	$0x14029073; /* csrw sscratch, t0 */ \
	MOV	$2, T0; \
	WORD	$0x1002a073 /* csrs sstatus, t0: SIE */

// vCPU 0's first instruction (via the runtime's _rt0_riscv64_tamago): a0 = 0, a1 = the device
// tree, which sits at the top of RAM; the runtime gets all RAM below it, stack at its top.
TEXT ·CPUInit(SB),NOSPLIT|NOFRAME,$0
	MOV	A0, TP
	MOV	ZERO, g
	VCPU_SETUP
	MOV	A1, ·deviceTree(SB)
	MOV	$const_infoBase, T0
	MOV	const_infoRAMBase(T0), T1
	MOV	T1, ·RamStart(SB)
	SUB	T1, A1, T2
	MOV	T2, ·RamSize(SB)
	MOV	·RamStackOffset(SB), T2
	SUB	T2, A1, X2
	JMP	_rt0_tamago_start(SB)

// A vCPU task started (goos vCPU start): a0 = its index, a1 = &tasks[a0]. It becomes the new
// M's g0 on g0's own stack and calls the runtime's mstart, which never returns.
TEXT ·secondaryStart(SB),NOSPLIT|NOFRAME,$0
	MOV	A0, TP
	MOV	const_taskG0(A1), g
	MOV	const_taskFn(A1), T2
	MOV	8(g), X2	// g0.stack.hi (runtime.g starts with stack{lo, hi})
	VCPU_SETUP
	JALR	RA, T2
	MOV	$2, A0
	MOV	$const_fnExit, A6
	MOV	$const_eid, A7
	ECALL

// func secondaryEntry() uintptr
TEXT ·secondaryEntry(SB),NOSPLIT,$0-8
	MOV	$·secondaryStart(SB), T0
	MOV	T0, ret+0(FP)
	RET

// The trap vector. An interrupt is the confirm timer (idle.go): the vCPU has been out of idle
// for confirmWindowNS, so it wakes the vCPUs sleeping long, on no stack but this vCPU's save
// area, and returns to the interrupted code with every register as it was. An exception goes
// to fault (fault.go) as if the faulting instruction had called it.
TEXT ·trapEntry(SB),NOSPLIT|NOFRAME,$0
	WORD	$0x140292f3	// csrrw t0, sscratch, t0: t0 = this vCPU's save area
	MOV	T1, 0(T0)
	WORD	$0x14202373	// csrr t1, scause
	BLTZ	T1, interrupt
	MOV	0(T0), T1
	WORD	$0x140292f3	// csrrw t0, sscratch, t0: t0 as it was
	// traps[tp] = {scause, sepc, stval}; never returns, so any register may be used
	MOV	$·traps(SB), T0
	AND	$const_vcpuMask, TP, T1
	MOV	$const_trapFrameSize, T2
	MUL	T2, T1, T1
	ADD	T1, T0
	WORD	$0x14202373	// csrr t1, scause
	MOV	T1, 0(T0)
	WORD	$0x14102373	// csrr t1, sepc
	MOV	T1, 8(T0)
	WORD	$0x14302373	// csrr t1, stval
	MOV	T1, 16(T0)
	BEQZ	g, early
	// Make the faulting function F look as if it had called fault, for Go's traceback, which
	// takes each caller's return address from 0(sp) of its frame. If 0(sp) is ra, F has a
	// frame holding its return address and has called nothing since: its caller comes from
	// 0(sp), so ra = the faulting pc shows F itself. Otherwise F has no frame (a leaf: ra is
	// its return address) or has called since (ra is in F, past that call): as it is, ra
	// unwinds correctly, from F's caller or from F at that call.
	MOV	0(X2), T1
	BNE	T1, RA, call
	MOV	8(T0), RA
call:
	JMP	·fault(SB)
early:
	// No Go runtime to panic in yet (g not set up): say so, with libgoos's code for an
	// exception no handler took.
	MOV	·earlyMsg(SB), A0	// the string's data and length
	MOV	·earlyMsg+8(SB), A1
	MOV	$const_fnConsoleWrite, A6
	MOV	$const_eid, A7
	ECALL
	MOV	$254, A0
	MOV	$const_fnExit, A6
	ECALL

interrupt:
	MOV	T2, 8(T0)
	MOV	T3, 16(T0)
	MOV	A0, 24(T0)
	MOV	A1, 32(T0)
	MOV	A6, 40(T0)
	MOV	A7, 48(T0)
	MOV	X31, 56(T0)
	// Timer interrupts are the only ones enabled: disarm, as setTimer(NoDeadline) does.
	MOV	$-1, A0
	MOVWU	·useSstc(SB), T1
	BEQZ	T1, sbi
	WORD	$0x14d51073	// csrw stimecmp, a0
	JMP	wake
sbi:
	MOV	$const_fnSetTimer, A6
	MOV	$const_eid, A7
	ECALL
wake:
	// for v in 0..started-1, v != tp: if state[v] >= stLong { goos wake(v) }
	MOVWU	·started(SB), T1
	MOV	$·state(SB), T3
	MOV	ZERO, T2
loop:
	BGEU	T2, T1, done
	BEQ	T2, TP, next
	FENCE
	MOVWU	0(T3), A0
	MOV	$const_stLong, A1
	BLTU	A0, A1, next
	MOV	T2, A0
	MOV	$const_fnWake, A6
	MOV	$const_eid, A7
	ECALL
next:
	ADD	$1, T2
	ADD	$4, T3
	JMP	loop
done:
	MOV	8(T0), T2
	MOV	16(T0), T3
	MOV	24(T0), A0
	MOV	32(T0), A1
	MOV	40(T0), A6
	MOV	48(T0), A7
	MOV	56(T0), X31
	MOV	0(T0), T1
	WORD	$0x140292f3	// csrrw t0, sscratch, t0
	WORD	$0x10200073	// sret

// func Nanotime() int64: nsOffset + time * 1e9 / tickHz.
TEXT ·Nanotime(SB),NOSPLIT,$0-8
	RDTIME	T0
	MOV	·nsPerTick(SB), T1
	BEQZ	T1, general
	MUL	T1, T0, T0
	JMP	offset
general:
	MOV	·tickHz(SB), T1
	DIVU	T1, T0, T2	// whole seconds
	REMU	T1, T0, T3	// and the ticks left
	MOV	$1000000000, T4
	MUL	T4, T2, T2
	MUL	T4, T3, T3
	DIVU	T1, T3, T3
	ADD	T2, T3, T0
offset:
	MOV	·nsOffset(SB), T1
	ADD	T1, T0
	MOV	T0, ret+0(FP)
	RET

// func setTimer(deadline uint64): the confirm timer, stimecmp with Sstc, else
// GOOS_FN_SET_TIMER; enables the timer interrupt (sie.STIE).
TEXT ·setTimer(SB),NOSPLIT,$0-8
	MOV	deadline+0(FP), A0
	MOVWU	·useSstc(SB), T1
	BEQZ	T1, sbi
	WORD	$0x14d51073	// csrw stimecmp, a0
	JMP	enable
sbi:
	MOV	$const_fnSetTimer, A6
	MOV	$const_eid, A7
	ECALL
enable:
	MOV	$0x20, T0
	WORD	$0x1042a073	// csrs sie, t0
	RET

// The atomics (AMOs and fences are sequentially consistent as Go's assembler encodes them).

// func load32(p *uint32) uint32
TEXT ·load32(SB),NOSPLIT,$0-12
	MOV	p+0(FP), A0
	FENCE
	MOVWU	0(A0), A1
	FENCE
	MOVW	A1, ret+8(FP)
	RET

// func swap32(p *uint32, v uint32) uint32
TEXT ·swap32(SB),NOSPLIT,$0-20
	MOV	p+0(FP), A0
	MOVWU	v+8(FP), A1
	AMOSWAPW	A1, (A0), A2
	MOVW	A2, ret+16(FP)
	RET

// func xadd32(p *uint32, d int32) uint32: the new value
TEXT ·xadd32(SB),NOSPLIT,$0-20
	MOV	p+0(FP), A0
	MOVW	d+8(FP), A1
	AMOADDW	A1, (A0), A2
	ADD	A1, A2
	MOVW	A2, ret+16(FP)
	RET

// The goos calls and the info page. One load each for the latter: the page is emulated, and a
// load the compiler merged or split would read something else (or fault).

// func Call(fn, a0, a1, a2, a3 uintptr) (err int, val uintptr)
TEXT ·Call(SB),NOSPLIT,$0-56
	MOV	fn+0(FP), A6
	MOV	a0+8(FP), A0
	MOV	a1+16(FP), A1
	MOV	a2+24(FP), A2
	MOV	a3+32(FP), A3
	MOV	$const_EID, A7
	ECALL
	MOV	A0, err+40(FP)
	MOV	A1, val+48(FP)
	RET

// func Now() uint64
TEXT ·Now(SB),NOSPLIT,$0-8
	RDTIME	T0
	MOV	T0, ret+0(FP)
	RET

// func tp() uintptr
TEXT ·tp(SB),NOSPLIT,$0-8
	MOV	TP, T0
	MOV	T0, ret+0(FP)
	RET

// func InfoRead32(off uintptr) uint32
TEXT ·InfoRead32(SB),NOSPLIT,$0-12
	MOV	off+0(FP), T0
	MOV	$const_InfoBase, T1
	ADD	T1, T0
	MOVWU	(T0), T0
	MOVW	T0, ret+8(FP)
	RET

// func InfoRead64(off uintptr) uint64
TEXT ·InfoRead64(SB),NOSPLIT,$0-16
	MOV	off+0(FP), T0
	MOV	$const_InfoBase, T1
	ADD	T1, T0
	MOV	(T0), T0
	MOV	T0, ret+8(FP)
	RET
