// Command heartbeat is the Go partition of the default board: it keeps a few goroutines busy
// hashing, and every two seconds reports what they did, so `make run` shows a Go program at
// work next to the C partitions.
package main

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

func main() {
	var hashes atomic.Int64
	workers := runtime.GOMAXPROCS(0)
	for i := 0; i < workers; i++ {
		go func(seed byte) {
			sum := sha256.Sum256([]byte{seed})
			for {
				sum = sha256.Sum256(sum[:])
				hashes.Add(1)
				if hashes.Load()%64 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}(byte(i))
	}
	start := time.Now()
	fmt.Printf("heartbeat: Go %s, %d vCPUs, %d workers hashing\n", runtime.Version(),
		runtime.NumCPU(), workers)
	for beat := 1; ; beat++ {
		time.Sleep(2 * time.Second)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Printf("beat %d at %.1fs: %d hashes, %d goroutines, heap %d KiB, %d GCs\n", beat,
			time.Since(start).Seconds(), hashes.Load(), runtime.NumGoroutine(),
			m.HeapAlloc>>10, m.NumGC)
	}
}
