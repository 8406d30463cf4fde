//go:build tamago && riscv64

package goos

import "unsafe"

// The constants goos_riscv64.s uses (go_asm.h names them const_*), and its data.

const (
	eid            = EID
	fnConsoleWrite = FnConsoleWrite
	fnExit         = FnExit
	fnSetTimer     = FnSetTimer
	fnWake         = FnWake
	infoBase       = InfoBase
	infoRAMBase    = InfoRAMBase
	vcpuMask       = MaxVCPUs - 1

	trapFrameSize = unsafe.Sizeof(trapFrame{})

	// A thread's registers, and a vCPU's scheduler state (its size a power of two).
	thFregs   = unsafe.Offsetof(thread{}.fregs)
	thFcsr    = unsafe.Offsetof(thread{}.fcsr)
	vcpuCur   = unsafe.Offsetof(vcpu{}.cur)
	vcpuScr   = unsafe.Offsetof(vcpu{}.scratch)
	vcpuStack = unsafe.Offsetof(vcpu{}.stack)
	vcpuShift = 6
	_         = uint(1<<vcpuShift - unsafe.Sizeof(vcpu{})) // no larger
	_         = uint(unsafe.Sizeof(vcpu{}) - 1<<vcpuShift) // no smaller
)

var earlyMsg = "goos: exception before the Go runtime started\n"
