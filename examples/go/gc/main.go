// gc: allocates ten times more garbage than the partition has RAM (64 MiB assumed: run with
// --memory 64M or more) while keeping a small live set, forcing collections, and prints the
// collector's counters. It passes if the heap stays bounded, i.e. the GC returns memory.
package main

import (
	"fmt"
	"os"
	"runtime"
)

const (
	ramAssumed = 64 << 20
	total      = 10 * ramAssumed
	chunk      = 64 << 10 // bytes per allocation
	keep       = 64       // live chunks at any time: 4 MiB
)

var sink [][]byte

func main() {
	live := make([][]byte, keep)
	var allocated uint64
	for i := 0; allocated < total; i++ {
		b := make([]byte, chunk)
		b[0], b[len(b)-1] = byte(i), byte(i>>8)
		live[i%keep] = b
		allocated += chunk
		if i%2048 == 0 {
			runtime.GC()
		}
	}
	sink = live
	runtime.GC()

	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("allocated %d MiB in total\n", allocated>>20)
	fmt.Printf("TotalAlloc=%d MiB HeapAlloc=%d MiB HeapSys=%d MiB Sys=%d MiB\n",
		m.TotalAlloc>>20, m.HeapAlloc>>20, m.HeapSys>>20, m.Sys>>20)
	fmt.Printf("NumGC=%d Mallocs=%d Frees=%d PauseTotal=%dus\n", m.NumGC, m.Mallocs, m.Frees,
		m.PauseTotalNs/1000)
	if m.TotalAlloc < total || m.HeapSys > ramAssumed {
		fmt.Println("gc: WRONG")
		os.Exit(1)
	}
	fmt.Println("gc: ok")
}
