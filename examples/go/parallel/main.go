// Command parallel checks that goroutines really run on several vCPUs at the same time. Two
// goroutines, each on its own OS thread, spin and ask the kernel where they run (getcpu). A
// goroutine that sees the other make progress during a window of under a millisecond while it
// stayed on its own vCPU, and the other reports a different vCPU, has seen both run at once: a
// shared vCPU could only switch between them after a 10 ms scheduling quantum.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

func getcpu() int32 {
	var cpu, node uint32
	syscall.RawSyscall(syscall.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)),
		uintptr(unsafe.Pointer(&node)), 0)
	return int32(cpu)
}

func main() {
	const spin = time.Second
	var (
		wg      sync.WaitGroup
		seq     [2]atomic.Int64
		where   [2]atomic.Int32
		overlap atomic.Bool
		pair    atomic.Value
	)
	start := make(chan struct{})
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g, o int) {
			defer wg.Done()
			runtime.LockOSThread()
			<-start
			for t0 := time.Now(); time.Since(t0) < spin; {
				c1, s1, t1 := getcpu(), seq[o].Load(), time.Now()
				where[g].Store(c1)
				for i := 0; i < 200; i++ {
					seq[g].Add(1)
				}
				s2, other, c2 := seq[o].Load(), where[o].Load(), getcpu()
				if c1 == c2 && s2 != s1 && other != c1 && time.Since(t1) < time.Millisecond {
					overlap.Store(true)
					pair.Store([2]int32{c1, other})
				}
			}
		}(g, 1-g)
	}
	time.Sleep(10 * time.Millisecond)
	close(start)
	wg.Wait()
	fmt.Printf("parallel: GOMAXPROCS=%d NumCPU=%d\n", runtime.GOMAXPROCS(0), runtime.NumCPU())
	if p, ok := pair.Load().([2]int32); ok {
		fmt.Printf("parallel: seen running at once on vCPUs %d and %d\n", p[0], p[1])
	}
	fmt.Printf("parallel: at once on different vCPUs: %v\n", overlap.Load())
}
