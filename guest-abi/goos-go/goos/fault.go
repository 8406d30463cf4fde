//go:build tamago && riscv64

package goos

import "unsafe"

// An exception the hv hands to the guest (a breakpoint, a misaligned access the hart does not
// do itself) reaches trapEntry (goos_riscv64.s), which records it and makes the faulting
// instruction look as if it had called fault: Go's own panic and traceback then start at the
// function that faulted, as TamaGo's exception handlers do. What the hv keeps for itself (an
// access outside the partition's RAM, such as a nil dereference, or an illegal instruction)
// never reaches the guest: the hv stops the partition with its fault line.

type trapFrame struct {
	cause, epc, tval uint64 // scause, sepc, stval
}

var traps [MaxVCPUs]trapFrame

// Exception is the value fault panics with: a runtime.Error.
type Exception struct {
	Cause uint64 // scause
}

func (e *Exception) Error() string { return "runtime error: " + exceptionName(e.Cause) }
func (e *Exception) RuntimeError() {}

// One per cause, so that panicking allocates nothing.
var exceptions [16]Exception

func exceptionName(cause uint64) string {
	switch cause {
	case 0:
		return "instruction address misaligned"
	case 3:
		return "breakpoint"
	case 4:
		return "load address misaligned"
	case 6:
		return "store address misaligned"
	case 8:
		return "ecall from user mode"
	case 12:
		return "instruction page fault"
	case 13:
		return "load page fault"
	case 15:
		return "store page fault"
	}
	return "unexpected exception"
}

var hexBufs [MaxVCPUs][18]byte

func hex(v uint64, buf *[18]byte) string {
	const digits = "0123456789abcdef"
	i := len(buf)
	for {
		i--
		buf[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	i--
	buf[i] = 'x'
	i--
	buf[i] = '0'
	return unsafe.String(&buf[i], len(buf)-i)
}

func fault() {
	id := thisVCPU()
	t := &traps[id]
	print("goos: vcpu ", id, ": ", exceptionName(t.cause), " at pc ", hex(t.epc, &hexBufs[id]))
	print(" (scause ", t.cause, ", stval ", hex(t.tval, &hexBufs[id]), ")\n")
	e := &exceptions[0]
	if t.cause < uint64(len(exceptions)) {
		e = &exceptions[t.cause]
	}
	e.Cause = t.cause
	intrRestore(1) // off since the trap: the thread may be preempted again
	panic(e)
}
