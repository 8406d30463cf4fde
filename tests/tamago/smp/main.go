// smp: with gohv.dev/tamago/smp, GOMAXPROCS is the partition's vCPU count, and CPU-bound
// goroutines spread over every vCPU (each notes the vCPUs it ran on). The sum is checked, so lost
// or repeated work shows.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"gohv.dev/tamago/partition"
	_ "gohv.dev/tamago/smp"
)

const (
	workers = 16
	steps   = 4000000
)

func main() {
	var (
		wg   sync.WaitGroup
		seen [partition.MaxVCPUs]atomic.Int64
		sum  atomic.Int64
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := 0
			for i := 1; i <= steps; i++ {
				s += i % 7
				if i%100000 == 0 {
					seen[partition.VCPUID()].Add(1)
				}
			}
			sum.Add(int64(s))
		}(w)
	}
	wg.Wait()
	used := 0
	for v := range seen {
		if seen[v].Load() > 0 {
			used++
		}
	}
	want := int64(0)
	for i := 1; i <= steps; i++ {
		want += int64(i % 7)
	}
	want *= workers
	fmt.Printf("smp: GOMAXPROCS=%d vCPUs=%d used=%d sum ok=%v\n", runtime.GOMAXPROCS(0),
		partition.VCPUs(), used, sum.Load() == want)
	if sum.Load() != want {
		os.Exit(1)
	}
}
