// bench_getpid: the null Linux system call under gort, for `make bench` (tools/bench/gohv-bench.c,
// BENCHMARKS.md). Each sample is rdinstret, a raw getpid, rdinstret, minus the median of two
// back-to-back rdinstret calls: the trap into gort, its dispatch, getpid and the return to user
// mode. RawSyscall: no entersyscall/exitsyscall bookkeeping around the trap, so the figure is
// gort's alone. Prints
//
//	BENCH syscall.getpid.go <median> instr min=<min> max=<max> n=<n>
//	BENCH syscall.gettid.go <median> instr min=<min> max=<max> n=<n>
//
// getpid is answered in gort's trap vector; gettid, as light, in C (gort's full path).
package main

import (
	"fmt"
	"os"
	"syscall"

	"gohv.bench/probe"
)

const (
	warmup = 16
	iters  = 200
)

func main() {
	pid := uint64(os.Getpid())
	over := make([]uint64, 0, iters)
	s := make([]uint64, 0, iters)
	for i := 0; i < warmup+iters; i++ {
		t0 := probe.Instret()
		t1 := probe.Instret()
		if i >= warmup {
			over = append(over, t1-t0)
		}
	}
	o := probe.Median(over)
	for i := 0; i < warmup+iters; i++ {
		t0 := probe.Instret()
		r, _, errno := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
		t1 := probe.Instret()
		if errno != 0 || uint64(r) != pid {
			fmt.Printf("BENCH FAIL getpid gave %d (errno %d), want %d\n", r, errno, pid)
			os.Exit(1)
		}
		if i >= warmup {
			s = append(s, t1-t0-o)
		}
	}
	probe.Report("syscall.getpid.go", "instr", s)
	// gettid: as light, but answered in C (the full register save, the dispatch, the checks
	// on the way back to user mode), the path of every other call.
	s = s[:0]
	for i := 0; i < warmup+iters; i++ {
		t0 := probe.Instret()
		r, _, errno := syscall.RawSyscall(syscall.SYS_GETTID, 0, 0, 0)
		t1 := probe.Instret()
		if errno != 0 || r == 0 {
			fmt.Printf("BENCH FAIL gettid gave %d (errno %d)\n", r, errno)
			os.Exit(1)
		}
		if i >= warmup {
			s = append(s, t1-t0-o)
		}
	}
	probe.Report("syscall.gettid.go", "instr", s)
}
