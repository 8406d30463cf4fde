//go:build tamago && riscv64

// The goos package's entry points and its trap vector. Go's assembler has no names for the
// supervisor CSRs, so their instructions are spelled as WORDs, each with its assembly.

#include "go_asm.h"
#include "textflag.h"

// What every vCPU sets up first, with its index in TP: FP on (the hv starts a vCPU with
// sstatus.FS off, and the runtime's first FP instruction would be illegal), the trap vector, and
// sscratch = its scheduler state, cpus[tp] (sched.go). Uses T0, T1.
#define VCPU_SETUP \
	MOV	$0x6000, T0; \
	WORD	$0x1002a073; /* csrs sstatus, t0: FS = dirty */ \
	MOV	$·trapEntry(SB), T0; \
	WORD	$0x10529073; /* csrw stvec, t0 */ \
	MOV	$·cpus(SB), T0; \
	SLL	$const_vcpuShift, TP, T1; \
	ADD	T1, T0; \
	WORD	$0x14029073 /* csrw sscratch, t0 */

// vCPU 0's first instruction (via the runtime's _rt0_riscv64_tamago): a0 = 0, a1 = the device
// tree, which sits at the top of RAM; the runtime gets all RAM below it, stack at its top. It
// runs thread0, with interrupts on (none is enabled in sie until setTimer arms the timer).
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
	CALL	·schedInit(SB)
	MOV	$2, T0
	WORD	$0x1002a073	// csrs sstatus, t0: SIE
	JMP	_rt0_tamago_start(SB)

// A vCPU started (goos vCPU start): a0 = its index, a1 = the thread to run (sched.go's task
// made its registers: a new M's g0, stack and mstart). Its timer is armed as a scheduler's, on
// its scheduler stack, then it loads the thread as a tick would.
TEXT ·secondaryStart(SB),NOSPLIT|NOFRAME,$0
	MOV	A0, TP
	VCPU_SETUP
	WORD	$0x140022f3	// csrr t0, sscratch
	MOV	A1, const_vcpuCur(T0)
	MOV	const_vcpuStack(T0), X2
	MOV	ZERO, g
	CALL	·rearm(SB)
	MOV	$0x120, T0
	WORD	$0x1002a073	// csrs sstatus, t0: SPP = S, SPIE: sret to the thread, interrupts on
	JMP	·resume(SB)

// func secondaryEntry() uintptr
TEXT ·secondaryEntry(SB),NOSPLIT,$0-8
	MOV	$·secondaryStart(SB), T0
	MOV	T0, ret+0(FP)
	RET

// Where a thread's mstart returns to (ra of its first frame): the thread is done.
TEXT ·threadExit(SB),NOSPLIT|NOFRAME,$0
	JMP	·threadExited(SB)

// func threadExitPC() uintptr
TEXT ·threadExitPC(SB),NOSPLIT,$0-8
	MOV	$·threadExit(SB), T0
	MOV	T0, ret+0(FP)
	RET

// The trap vector. An interrupt is the timer, the scheduler's tick: every register of the
// interrupted thread goes into its thread (cpus[tp].cur), tick (sched.go) runs on the vCPU's
// scheduler stack with g = 0 and chooses the thread to go on with, and resume loads that one.
// An exception goes to fault (fault.go) as if the faulting instruction had called it.
TEXT ·trapEntry(SB),NOSPLIT|NOFRAME,$0
	WORD	$0x140292f3	// csrrw t0, sscratch, t0: t0 = cpus[tp]
	MOV	T1, const_vcpuScr(T0)
	WORD	$0x14202373	// csrr t1, scause
	BLTZ	T1, interrupt
	MOV	const_vcpuScr(T0), T1
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
	MOV	const_vcpuCur(T0), T1
	MOV	X1, 8(T1)
	MOV	X2, 16(T1)
	MOV	X3, 24(T1)
	MOV	X7, 56(T1)
	MOV	X8, 64(T1)
	MOV	X9, 72(T1)
	MOV	X10, 80(T1)
	MOV	X11, 88(T1)
	MOV	X12, 96(T1)
	MOV	X13, 104(T1)
	MOV	X14, 112(T1)
	MOV	X15, 120(T1)
	MOV	X16, 128(T1)
	MOV	X17, 136(T1)
	MOV	X18, 144(T1)
	MOV	X19, 152(T1)
	MOV	X20, 160(T1)
	MOV	X21, 168(T1)
	MOV	X22, 176(T1)
	MOV	X23, 184(T1)
	MOV	X24, 192(T1)
	MOV	X25, 200(T1)
	MOV	X26, 208(T1)
	MOV	g, 216(T1)
	MOV	X28, 224(T1)
	MOV	X29, 232(T1)
	MOV	X30, 240(T1)
	MOV	X31, 248(T1)
	MOV	const_vcpuScr(T0), T2
	MOV	T2, 48(T1)	// t1
	WORD	$0x140023f3	// csrr t2, sscratch: t0
	MOV	T2, 40(T1)
	WORD	$0x14029073	// csrw sscratch, t0: cpus[tp] again
	WORD	$0x141023f3	// csrr t2, sepc
	MOV	T2, 0(T1)
	MOVD	F0, const_thFregs+0(T1)
	MOVD	F1, const_thFregs+8(T1)
	MOVD	F2, const_thFregs+16(T1)
	MOVD	F3, const_thFregs+24(T1)
	MOVD	F4, const_thFregs+32(T1)
	MOVD	F5, const_thFregs+40(T1)
	MOVD	F6, const_thFregs+48(T1)
	MOVD	F7, const_thFregs+56(T1)
	MOVD	F8, const_thFregs+64(T1)
	MOVD	F9, const_thFregs+72(T1)
	MOVD	F10, const_thFregs+80(T1)
	MOVD	F11, const_thFregs+88(T1)
	MOVD	F12, const_thFregs+96(T1)
	MOVD	F13, const_thFregs+104(T1)
	MOVD	F14, const_thFregs+112(T1)
	MOVD	F15, const_thFregs+120(T1)
	MOVD	F16, const_thFregs+128(T1)
	MOVD	F17, const_thFregs+136(T1)
	MOVD	F18, const_thFregs+144(T1)
	MOVD	F19, const_thFregs+152(T1)
	MOVD	F20, const_thFregs+160(T1)
	MOVD	F21, const_thFregs+168(T1)
	MOVD	F22, const_thFregs+176(T1)
	MOVD	F23, const_thFregs+184(T1)
	MOVD	F24, const_thFregs+192(T1)
	MOVD	F25, const_thFregs+200(T1)
	MOVD	F26, const_thFregs+208(T1)
	MOVD	F27, const_thFregs+216(T1)
	MOVD	F28, const_thFregs+224(T1)
	MOVD	F29, const_thFregs+232(T1)
	MOVD	F30, const_thFregs+240(T1)
	MOVD	F31, const_thFregs+248(T1)
	WORD	$0x003023f3	// csrr t2, fcsr
	MOV	T2, const_thFcsr(T1)
	MOV	const_vcpuStack(T0), X2
	MOV	ZERO, g
	CALL	·tick(SB)
	JMP	·resume(SB)

// resume loads every register of thread cpus[tp].cur and returns to it (sret: interrupts on).
TEXT ·resume(SB),NOSPLIT|NOFRAME,$0
	WORD	$0x140022f3	// csrr t0, sscratch
	MOV	const_vcpuCur(T0), T1
	MOV	0(T1), T2
	WORD	$0x14139073	// csrw sepc, t2
	MOV	const_thFcsr(T1), T2
	WORD	$0x00339073	// csrw fcsr, t2
	MOVD	const_thFregs+0(T1), F0
	MOVD	const_thFregs+8(T1), F1
	MOVD	const_thFregs+16(T1), F2
	MOVD	const_thFregs+24(T1), F3
	MOVD	const_thFregs+32(T1), F4
	MOVD	const_thFregs+40(T1), F5
	MOVD	const_thFregs+48(T1), F6
	MOVD	const_thFregs+56(T1), F7
	MOVD	const_thFregs+64(T1), F8
	MOVD	const_thFregs+72(T1), F9
	MOVD	const_thFregs+80(T1), F10
	MOVD	const_thFregs+88(T1), F11
	MOVD	const_thFregs+96(T1), F12
	MOVD	const_thFregs+104(T1), F13
	MOVD	const_thFregs+112(T1), F14
	MOVD	const_thFregs+120(T1), F15
	MOVD	const_thFregs+128(T1), F16
	MOVD	const_thFregs+136(T1), F17
	MOVD	const_thFregs+144(T1), F18
	MOVD	const_thFregs+152(T1), F19
	MOVD	const_thFregs+160(T1), F20
	MOVD	const_thFregs+168(T1), F21
	MOVD	const_thFregs+176(T1), F22
	MOVD	const_thFregs+184(T1), F23
	MOVD	const_thFregs+192(T1), F24
	MOVD	const_thFregs+200(T1), F25
	MOVD	const_thFregs+208(T1), F26
	MOVD	const_thFregs+216(T1), F27
	MOVD	const_thFregs+224(T1), F28
	MOVD	const_thFregs+232(T1), F29
	MOVD	const_thFregs+240(T1), F30
	MOVD	const_thFregs+248(T1), F31
	MOV	8(T1), X1
	MOV	16(T1), X2
	MOV	24(T1), X3
	MOV	56(T1), X7
	MOV	64(T1), X8
	MOV	72(T1), X9
	MOV	80(T1), X10
	MOV	88(T1), X11
	MOV	96(T1), X12
	MOV	104(T1), X13
	MOV	112(T1), X14
	MOV	120(T1), X15
	MOV	128(T1), X16
	MOV	136(T1), X17
	MOV	144(T1), X18
	MOV	152(T1), X19
	MOV	160(T1), X20
	MOV	168(T1), X21
	MOV	176(T1), X22
	MOV	184(T1), X23
	MOV	192(T1), X24
	MOV	200(T1), X25
	MOV	208(T1), X26
	MOV	216(T1), g
	MOV	224(T1), X28
	MOV	232(T1), X29
	MOV	240(T1), X30
	MOV	248(T1), X31
	MOV	40(T1), T0
	MOV	48(T1), T1
	WORD	$0x10200073	// sret

// func intrOff() uintptr: clears sstatus.SIE, returns what it was (2: set).
TEXT ·intrOff(SB),NOSPLIT,$0-8
	WORD	$0x100172f3	// csrrci t0, sstatus, 2
	AND	$2, T0
	MOV	T0, ret+0(FP)
	RET

// func intrRestore(was uintptr)
TEXT ·intrRestore(SB),NOSPLIT,$0-8
	MOV	was+0(FP), T0
	BEQZ	T0, off
	WORD	$0x10016073	// csrsi sstatus, 2
off:
	RET

// func pclntabAddr() uintptr
TEXT ·pclntabAddr(SB),NOSPLIT,$0-8
	MOV	$runtime·pclntab(SB), T0
	MOV	T0, ret+0(FP)
	RET

// func textAddr() uintptr
TEXT ·textAddr(SB),NOSPLIT,$0-8
	MOV	$runtime·text(SB), T0
	MOV	T0, ret+0(FP)
	RET

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
