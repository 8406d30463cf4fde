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
	taskG0        = unsafe.Offsetof(taskArgs{}.g0)
	taskFn        = unsafe.Offsetof(taskArgs{}.fn)

	// Each vCPU's interrupt save area: t1..t3, a0, a1, a6, a7, x31 (t0 lives in sscratch).
	intrSaveShift = 6
	intrSaveSize  = 1 << intrSaveShift
)

var earlyMsg = "goos: exception before the Go runtime started\n"

var intrSaves [MaxVCPUs][intrSaveSize / 8]uint64
