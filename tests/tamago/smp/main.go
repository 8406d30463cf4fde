// smp: with gohv.dev/tamago/smp, GOMAXPROCS is the partition's vCPU count, and CPU-bound
// goroutines spread over every vCPU (each notes the vCPUs it ran on). Twice: at start, and again
// after the whole program slept, when every vCPU was idle and has to be woken by the one that
// runs again; then a collection stops the world on all of them. The sums are checked, so lost or
// repeated work shows.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gohv.dev/tamago/partition"
	_ "gohv.dev/tamago/smp"
)

const (
	workers = 16
	steps   = 4000000
)

// round runs the workers and returns on how many vCPUs they ran, and whether the sum is right.
func round() (used int, ok bool) {
	var (
		wg   sync.WaitGroup
		seen [partition.MaxVCPUs]atomic.Int64
		sum  atomic.Int64
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := 0
			for i := 1; i <= steps; i++ {
				s += i % 7
				if i%100000 == 0 {
					seen[partition.VCPUID()].Add(1)
				}
			}
			sum.Add(int64(s))
		}()
	}
	wg.Wait()
	for v := range seen {
		if seen[v].Load() > 0 {
			used++
		}
	}
	want := int64(0)
	for i := 1; i <= steps; i++ {
		want += int64(i % 7)
	}
	return used, sum.Load() == want*workers
}

func main() {
	used, ok := round()
	fmt.Printf("smp: GOMAXPROCS=%d vCPUs=%d used=%d sum ok=%v\n", runtime.GOMAXPROCS(0),
		partition.VCPUs(), used, ok)
	time.Sleep(100 * time.Millisecond)
	used2, ok2 := round()
	runtime.GC()
	fmt.Printf("smp: after a sleep: used=%d sum ok=%v\n", used2, ok2)
	if !ok || !ok2 {
		os.Exit(1)
	}
}
