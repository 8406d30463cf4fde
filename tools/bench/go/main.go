// bench_gomain: the Go probe of `make bench` (tools/bench/gohv-bench.c, BENCHMARKS.md).
//
// Its first act in main.main is a raw clock_gettime(CLOCK_MONOTONIC) system call. Under gort that
// clock is exactly the partition's time CSR in ns (1 tick = 100 ns at 10 MHz), so the probe turns
// it back into ticks and prints the same line as the C boot guest (tools/bench/guests/bench_boot.c):
//
//	BENCH-BOOT start <tick>
//
// The host subtracts the bench hv's "bench: hv entered at tick N". The figure therefore includes
// the system call itself (trap into gort, its dispatch, the CSR read, the return: a few hundred
// instructions, i.e. a few ticks). The probe imports only syscall and unsafe, so what runs before
// main.main is the Go runtime's own start-up plus the smallest set of package initialisers.
package main

import (
	"syscall"
	"unsafe"
)

const clockMonotonic = 1

func main() {
	var ts syscall.Timespec
	// RawSyscall: no entersyscall/exitsyscall bookkeeping around the trap.
	_, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic,
		uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		syscall.Write(1, []byte("BENCH-BOOT FAIL clock_gettime\n"))
		syscall.Exit(1)
	}
	ns := uint64(ts.Sec)*1000000000 + uint64(ts.Nsec)
	syscall.Write(1, []byte("BENCH-BOOT start "+itoa(ns/100)+"\n"))
}

// itoa: no strconv, so that no more package initialisers run before main.
func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}
