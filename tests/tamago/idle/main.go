// idle: what sleeping costs. Every vCPU runs a goroutine first (so each has started its M),
// then the whole program sleeps for a second; the goos idle calls each vCPU made meanwhile are
// counted (gohv.dev/tamago/partition.IdleCalls). An idle partition should sleep through to its
// timer, not wake to poll.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"gohv.dev/tamago/partition"
	_ "gohv.dev/tamago/smp"
)

func main() {
	n := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for i := 0; i < 4*n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 0
			for j := 0; j < 1000000; j++ {
				x += j
			}
			_ = x
		}()
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond) // let every vCPU settle into idle

	before := make([]uint64, n)
	for v := range before {
		before[v] = partition.IdleCalls(v)
	}
	start := time.Now()
	time.Sleep(time.Second)
	slept := time.Since(start)
	total := uint64(0)
	for v := range before {
		total += partition.IdleCalls(v) - before[v]
	}
	fmt.Printf("idle: slept %dms on %d vCPU(s): %d idle calls\n", slept.Milliseconds(), n, total)
}
