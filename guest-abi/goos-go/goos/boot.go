//go:build tamago && riscv64

package goos

// What the hv told the partition at boot, read once on vCPU 0 (Hwinit0) from the info page and
// the device tree; exported for gohv.dev/tamago/partition, which programs use.

// MaxVCPUs is how many vCPUs this package keeps state for: the vCPUs of a larger partition
// beyond it stay stopped. A power of two (thisVCPU masks with it).
const MaxVCPUs = 16

var (
	tree        fdt
	haveTree    bool
	vcpuCount   int
	timebase    uint64
	realtime    int64 // Unix time in ns when the time CSR read 0
	hasRealtime bool
	sstc        bool
	idleCalls   [MaxVCPUs]uint64
)

func bootFacts(dt uintptr) {
	tree, haveTree = openFDT(dt)
	vcpuCount = int(InfoRead32(InfoVCPUs))
	timebase = InfoRead64(InfoTimebase)
	if haveTree {
		if ns, ok := tree.u64("/chosen", "gohv,realtime-ns"); ok {
			realtime, hasRealtime = int64(ns), true
		}
	}
	sstc = cpuHasSstc()
}

// Sstc is assumed unless the tree lists vCPU 0's extensions and leaves it out, as libgoos does:
// the boot contract says the guest arms its own timer.
func cpuHasSstc() bool {
	if !haveTree {
		return true
	}
	if v, n, ok := tree.prop("/cpus/cpu@0", "riscv,isa-extensions"); ok {
		for end := v + uintptr(n); v < end; {
			s := cstring(v, end)
			if s == "sstc" {
				return true
			}
			v += uintptr(len(s)) + 1
		}
		return false
	}
	isa, ok := tree.str("/cpus/cpu@0", "riscv,isa")
	if !ok {
		return true
	}
	for i := 0; i+5 <= len(isa); i++ {
		if isa[i] == '_' && isa[i+1:i+5] == "sstc" && (i+5 == len(isa) || isa[i+5] == '_') {
			return true
		}
	}
	return false
}

// VCPUs is the partition's vCPU count (GOOS_INFO_VCPUS).
func VCPUs() int { return vcpuCount }

// VCPUID is the index of the vCPU the caller runs on, kept in tp since the vCPU's first
// instruction: no trap (GOOS_INFO_VCPU_ID says the same for one).
//
//go:nosplit
func VCPUID() int { return int(tp()) }

// Timebase is the time CSR's frequency in Hz (GOOS_INFO_TIMEBASE).
func Timebase() uint64 { return timebase }

// HasSstc says whether vCPUs arm their timer with stimecmp (else GOOS_FN_SET_TIMER).
func HasSstc() bool { return sstc }

// Realtime is the Unix time in ns at which the time CSR read 0 (/chosen/gohv,realtime-ns); ok is
// false when the machine has no RTC.
func Realtime() (ns int64, ok bool) { return realtime, hasRealtime }

// DeviceTree is the guest-physical address of the device tree the hv wrote (a1 at entry).
func DeviceTree() uintptr { return deviceTree }

// DTString is the string property name of the device-tree node at path ("/chosen").
func DTString(path, name string) (string, bool) { return tree.str(path, name) }

// IdleCalls is how many goos idle calls vCPU v has made: what the program's idle time cost, in
// wake-ups.
func IdleCalls(v int) uint64 {
	if v < 0 || v >= MaxVCPUs {
		return 0
	}
	return idleCalls[v]
}

// IdleCall is the goos idle call (GOOS_FN_IDLE), counted: it blocks the vCPU until the time CSR
// reaches deadline (NoDeadline: never) or an event comes, and returns the GOOS_EV_* ready.
//
//go:nosplit
func IdleCall(deadline uint64) uint64 {
	was := intrOff() // the vCPU counted is the one that idles
	idleCalls[thisVCPU()]++
	_, ev := Call(FnIdle, uintptr(deadline), 0, 0, 0)
	intrRestore(was)
	return uint64(ev)
}

// defined in goos_riscv64.s

// Call makes goos call fn with arguments a0..a3: the hv's error code (a0) and value (a1).
//
//go:noescape
func Call(fn, a0, a1, a2, a3 uintptr) (err int, val uintptr)

// Now is the time CSR, in ticks of Timebase Hz.
func Now() uint64

// InfoRead32 and InfoRead64 read info page register off (GOOS_INFO_*): one load, one trap.
func InfoRead32(off uintptr) uint32
func InfoRead64(off uintptr) uint64

func tp() uintptr
