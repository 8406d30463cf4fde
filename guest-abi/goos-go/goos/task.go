//go:build tamago && riscv64

package goos

import "unsafe"

// Task gives each new M of the runtime (GOMAXPROCS > 1) a vCPU of its own, started with the goos
// vCPU start call: vCPU 1 for the first, then 2, and so on. The tamago runtime never drops an M
// (an idle one keeps its P and idles), so each vCPU is started once and runs that M for good.
//
// The new vCPU runs on the g0 stack the runtime gave the M (g0.stack.hi), as a Linux thread
// does, not on sp: that is the HW-thread stack the runtime allocated besides (8 MiB), whose
// bounds g0 does not describe, so a stack check there would compare against the wrong stack.

type taskArgs struct {
	g0, fn uintptr // written by task, read by secondaryStart (goos_riscv64.s)
}

var tasks [MaxVCPUs]taskArgs

// May run with m.p == nil: no write barriers (the fields are uintptrs), no allocation.
func task(sp, mp, gp, fn unsafe.Pointer) {
	v := int(xadd32(&started, 1)) - 1
	if v >= vcpuCount || v >= MaxVCPUs {
		print("goos: no vCPU left for another M (GOMAXPROCS or LockOSThread): the partition has ",
			vcpuCount, " vCPU(s)\n")
		exit(2)
	}
	tasks[v] = taskArgs{g0: uintptr(gp), fn: uintptr(fn)}
	swap32(&state[v], stRunning)
	if e, _ := Call(FnVCPUStart, uintptr(v), secondaryEntry(), 0,
		uintptr(unsafe.Pointer(&tasks[v]))); e != OK {
		print("goos: starting vCPU ", v, " for a new M failed (error ", e, ")\n")
		exit(2)
	}
}

// defined in goos_riscv64.s
func secondaryEntry() uintptr
