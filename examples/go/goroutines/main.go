// goroutines: a worker pool over channels, joined with a sync.WaitGroup. The sum is checked
// against the closed form, so a lost or duplicated job shows as a wrong total.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

const (
	workers = 8
	jobs    = 10000
)

func main() {
	in := make(chan int, 64)
	out := make(chan int, workers)
	var wg sync.WaitGroup

	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum := 0
			for n := range in {
				sum += n
			}
			out <- sum
		}()
	}
	go func() {
		for i := 1; i <= jobs; i++ {
			in <- i
		}
		close(in)
	}()
	go func() {
		wg.Wait()
		close(out)
	}()

	total, parts := 0, 0
	for s := range out {
		total += s
		parts++
	}
	want := jobs * (jobs + 1) / 2
	fmt.Printf("workers=%d parts=%d sum=%d want=%d GOMAXPROCS=%d\n", workers, parts, total, want,
		runtime.GOMAXPROCS(0))
	if total != want || parts != workers {
		fmt.Println("goroutines: WRONG")
		os.Exit(1)
	}
	fmt.Println("goroutines: ok")
}
