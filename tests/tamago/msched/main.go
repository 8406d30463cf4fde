// msched: more Ms than vCPUs, made so on purpose. Each of the locked goroutines calls
// runtime.LockOSThread and blocks, so the runtime keeps an M for each and starts others for the
// Ps; when they are let go, all of them compute at once on their own Ms, several Ms to a vCPU. Then
// GOMAXPROCS goes above the vCPU count (an M for each P) and back. Every sum is checked, so lost or
// repeated work shows, and the M count says the Ms did outnumber the vCPUs.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"

	"gohv.dev/tamago/partition"
	_ "gohv.dev/tamago/smp"
)

const (
	locked = 8
	steps  = 300000
)

func work(i int) int64 {
	s := int64(0)
	for j := 0; j < steps; j++ {
		s += int64(j % (i + 3))
		if j%1000 == 0 {
			_ = make([]byte, 64+j%512) // allocation: now and then a collection, a stop of the world
		}
	}
	return s
}

func want(i int) int64 {
	s := int64(0)
	for j := 0; j < steps; j++ {
		s += int64(j % (i + 3))
	}
	return s
}

// round runs n goroutines of work, each locked to its M if lock, and says whether all sums were right.
func round(n int, lock bool) bool {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	sums := make([]int64, n)
	for i := 0; i < n; i++ {
		ready.Add(1)
		done.Add(1)
		go func(i int) {
			defer done.Done()
			if lock {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
			}
			ready.Done()
			<-start // a locked goroutine blocks holding its M
			sums[i] = work(i)
		}(i)
	}
	ready.Wait()
	close(start)
	done.Wait()
	ok := true
	for i := range sums {
		if sums[i] != want(i) {
			fmt.Printf("msched: goroutine %d: sum %d, want %d\n", i, sums[i], want(i))
			ok = false
		}
	}
	return ok
}

func main() {
	v := partition.VCPUs()
	ok := round(locked, true)
	fmt.Printf("msched: %d locked goroutines: Ms=%d vCPUs=%d sums ok=%v\n", locked, partition.Threads(), v, ok)
	runtime.GOMAXPROCS(2 * v)
	ok2 := round(4*v, false)
	runtime.GOMAXPROCS(v)
	ok3 := round(2*v, false)
	runtime.GC()
	fmt.Printf("msched: GOMAXPROCS=%d then %d: Ms=%d sums ok=%v\n", 2*v, v, partition.Threads(), ok2 && ok3)
	if !ok || !ok2 || !ok3 {
		os.Exit(1)
	}
	fmt.Println("msched: ok")
}
