// lines: goroutines on every vCPU print at the same time, a line per write, half of them with
// fmt (os.Stdout, whose writes Go serializes) and half with the print builtin (the runtime's own,
// as panics write, under another lock). Every line must come out whole: the runtime hands the goos
// package each write a byte at a time, and its Printk gathers each vCPU's line and writes it with
// one console call. (As on Linux, writes of parts of a line from goroutines sharing a vCPU would
// interleave.)
package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	_ "gohv.dev/tamago/smp"
)

const (
	workers = 8
	lines   = 100
)

func main() {
	var wg sync.WaitGroup
	payload := strings.Repeat("abcdefgh", 8)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < lines; i++ {
				if w%2 == 0 {
					fmt.Printf("line %d %d %s\n", w, i, payload)
				} else {
					print("line ", w, " ", i, " ", payload, "\n")
				}
				runtime.Gosched()
			}
		}(w)
	}
	wg.Wait()
	fmt.Printf("lines: %d workers on GOMAXPROCS=%d done\n", workers, runtime.GOMAXPROCS(0))
}
