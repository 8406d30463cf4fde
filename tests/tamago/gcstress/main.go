// gcstress: goroutines on every vCPU build and drop linked structures (pointers, maps, slices)
// while the collector runs, forced now and then (a stop-the-world across all vCPUs each time), and
// check every structure they kept. A collection that freed something still in use shows as a
// wrong checksum or a crash.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"

	"gohv.dev/tamago/partition"
	_ "gohv.dev/tamago/smp"
)

type node struct {
	next *node
	val  int
	pad  []byte
}

func build(seed, n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, val: seed + i, pad: make([]byte, 64+i%512)}
	}
	return head
}

func sum(h *node) (s int) {
	for ; h != nil; h = h.next {
		s += h.val + len(h.pad)
	}
	return s
}

func want(seed, n int) (s int) {
	for i := 0; i < n; i++ {
		s += seed + i + 64 + i%512
	}
	return s
}

func main() {
	const (
		workers = 8
		rounds  = 150
		length  = 500
	)
	var wg sync.WaitGroup
	bad := make(chan string, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			keep := map[int]*node{}
			for r := 0; r < rounds; r++ {
				seed := w*1000000 + r
				keep[r%8] = build(seed, length)
				if r%50 == 49 {
					runtime.GC()
				}
				for k, h := range keep {
					_ = k
					if h != nil && sum(h) != want(int(h.val)-length+1, length) {
						bad <- fmt.Sprintf("worker %d round %d: a kept list changed", w, r)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(bad)
	for b := range bad {
		fmt.Println("gcstress:", b)
		os.Exit(1)
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("gcstress: GOMAXPROCS=%d NumGC=%d HeapSys=%dMiB Ms=%d\n", runtime.GOMAXPROCS(0), m.NumGC,
		m.HeapSys>>20, partition.Threads())
	fmt.Println("gcstress: ok")
}
