//go:build tamago && riscv64

// Package goos is the runtime/goos contract of TamaGo's GOOS=tamago for a gohv partition on
// riscv64, in VS-mode with paging off: build a program with GOOSPKG=gohv.dev/tamago (`gohv
// build` does) and the Go runtime runs on the goos ABI alone, with no guest kernel beneath it.
// guest-abi/README.md maps each symbol to the goos call behind it.
//
// The runtime compiles this package as runtime/goos, and a program that imports "runtime/goos"
// gets it too: beside the contract it exports the partition's facts and the goos call, which
// gohv.dev/tamago/partition wraps for programs. (Importing it as gohv.dev/tamago/goos would give
// a second, unrelated copy that never booted.)
//
// The runtime's Ms are the package's threads, and may outnumber the vCPUs: a 1 ms timer tick
// (sched.go) switches a vCPU between them, takes it from an M the runtime parked in semasleep
// (watch.go), and idles a vCPU that has nothing to run in the goos idle call (idle.go).
package goos

import "unsafe"

// The runtime's memory: everything from the start of RAM to the device tree, which the hv
// writes into the last 64 KiB (CPUInit sets both from the info page and the tree's address).
// The initial stack's top sits RamStackOffset below the tree.
var (
	RamStart       uint
	RamSize        uint
	RamStackOffset uint = 0x100
)

// The optional hooks. Bloc stays 0: the heap starts where the image ends.
var (
	Bloc   uintptr
	Exit   = exit
	Idle   = idle
	ProcID = procID
	Task   = task
)

// Written by CPUInit (goos_riscv64.s), before any Go code runs.
var deviceTree uintptr

// What Nanotime (goos_riscv64.s) computes with: ns = nsOffset + ticks * 1e9 / tickHz, with
// nsPerTick the exact quotient when there is one (10 MHz: 100), else 0.
var (
	tickHz    uint64
	nsPerTick uint64
	nsOffset  int64
)

// defined in goos_riscv64.s
func CPUInit()
func Nanotime() int64

// Hwinit0 runs on vCPU 0 before the runtime's own start-up: it reads the partition's facts.
// The clock counts Unix time when the machine has an RTC (gohv,realtime-ns), so time.Now is the
// date: the tamago runtime's wall clock is its monotonic one.
func Hwinit0() {
	bootFacts(deviceTree)
	tickHz = timebase
	if tickHz != 0 && 1000000000%tickHz == 0 {
		nsPerTick = 1000000000 / tickHz
	}
	if ns, ok := Realtime(); ok {
		nsOffset = ns
	}
	idleInit()
}

// Hwinit1 runs once the runtime can allocate: nothing is left to do by then.
func Hwinit1() {}

// InitRNG: the partition's DRBG is the hv's, ready before the partition starts.
func InitRNG() {}

// GetRandomData fills b from the goos entropy call (crypto/rand ends here).
func GetRandomData(b []byte) {
	for done := 0; done < len(b); {
		n := len(b) - done
		if n > MaxXfer {
			n = MaxXfer
		}
		e, got := Call(FnEntropy, uintptr(unsafe.Pointer(&b[done])), uintptr(n), 0, 0)
		if e != OK || got == 0 || got > uintptr(n) {
			// Never hand out bytes that are not random.
			print("goos: the entropy call failed (error ", e, ")\n")
			exit(2)
		}
		done += int(got)
	}
}

//go:nosplit
func procID() uint64 { return uint64(thisVCPU()) }

// thisVCPU is the vCPU index kept in tp since the vCPU's first instruction, masked so that
// indexing per-vCPU state never needs a bounds check (the goos package never starts a vCPU at
// or beyond MaxVCPUs).
//
//go:nosplit
func thisVCPU() int { return VCPUID() & (MaxVCPUs - 1) }

func exit(code int32) {
	flushLine(self())
	for {
		Call(FnExit, uintptr(code), 0, 0, 0)
	}
}

// ticksAt is the time CSR value at which Nanotime reaches ns, rounded up: a deadline never
// comes early. 0 if that is already past.
func ticksAt(ns int64) uint64 {
	d := ns - nsOffset
	if d <= 0 {
		return 0
	}
	u := uint64(d)
	return u/1000000000*tickHz + (u%1000000000*tickHz+999999999)/1000000000
}

// nsTicks is a duration in ticks.
func nsTicks(ns uint64) uint64 {
	return ns/1000000000*tickHz + ns%1000000000*tickHz/1000000000
}
