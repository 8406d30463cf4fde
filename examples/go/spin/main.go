// spin: with a single P (GOMAXPROCS(1)), one goroutine spins in a loop with no function calls
// while another sleeps 100ms five times and prints how late each wake-up was. The sleeper can
// only run again if the spinner is preempted, and only asynchronous preemption (a SIGURG signal
// from the runtime's sysmon thread) can stop a loop without calls.
package main

import (
	"fmt"
	"runtime"
	"time"
)

var spins uint64

func main() {
	runtime.GOMAXPROCS(1)
	go func() {
		for {
			spins++
		}
	}()
	var worst time.Duration
	for i := 1; i <= 5; i++ {
		start := time.Now()
		time.Sleep(100 * time.Millisecond)
		late := time.Since(start) - 100*time.Millisecond
		if late > worst {
			worst = late
		}
		fmt.Printf("wake %d late=%dus\n", i, late.Microseconds())
	}
	fmt.Printf("worst late=%dus\n", worst.Microseconds())
	fmt.Println("spin: done")
}
