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
	"sort"
	"syscall"
)

const (
	warmup = 16
	iters  = 200
)

func instret() uint64

func median(s []uint64) uint64 {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)/2]
}

func main() {
	pid := uint64(os.Getpid())
	over := make([]uint64, 0, iters)
	s := make([]uint64, 0, iters)
	for i := 0; i < warmup+iters; i++ {
		t0 := instret()
		t1 := instret()
		if i >= warmup {
			over = append(over, t1-t0)
		}
	}
	o := median(over)
	for i := 0; i < warmup+iters; i++ {
		t0 := instret()
		r, _, errno := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
		t1 := instret()
		if errno != 0 || uint64(r) != pid {
			fmt.Printf("BENCH FAIL getpid gave %d (errno %d), want %d\n", r, errno, pid)
			os.Exit(1)
		}
		if i >= warmup {
			s = append(s, t1-t0-o)
		}
	}
	report("syscall.getpid.go", s)
	// gettid: as light, but answered in C (the full register save, the dispatch, the checks
	// on the way back to user mode), the path of every other call.
	s = s[:0]
	for i := 0; i < warmup+iters; i++ {
		t0 := instret()
		r, _, errno := syscall.RawSyscall(syscall.SYS_GETTID, 0, 0, 0)
		t1 := instret()
		if errno != 0 || r == 0 {
			fmt.Printf("BENCH FAIL gettid gave %d (errno %d)\n", r, errno)
			os.Exit(1)
		}
		if i >= warmup {
			s = append(s, t1-t0-o)
		}
	}
	report("syscall.gettid.go", s)
}

func report(name string, s []uint64) {
	m := median(s)
	fmt.Printf("BENCH %s %d instr min=%d max=%d n=%d\n", name, m, s[0], s[len(s)-1], len(s))
}
