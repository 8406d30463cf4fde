// timers: how accurately time.Sleep, a time.Ticker and time.After wake up, measured with the
// monotonic clock (time.Since). Prints each measured duration in milliseconds.
package main

import (
	"fmt"
	"time"
)

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

func main() {
	for _, d := range []time.Duration{time.Millisecond, 10 * time.Millisecond, 50 * time.Millisecond,
		100 * time.Millisecond} {
		start := time.Now()
		time.Sleep(d)
		got := time.Since(start)
		fmt.Printf("sleep %v: took %s (late %s)\n", d, ms(got), ms(got-d))
	}

	tick := time.NewTicker(20 * time.Millisecond)
	start := time.Now()
	for i := 1; i <= 5; i++ {
		<-tick.C
		fmt.Printf("tick %d at %s\n", i, ms(time.Since(start)))
	}
	tick.Stop()

	start = time.Now()
	<-time.After(30 * time.Millisecond)
	fmt.Printf("after 30ms: took %s\n", ms(time.Since(start)))

	// The wall clock comes from the hv's RTC reading: a date after 2020 means it is set.
	fmt.Printf("wall clock year ok: %v\n", time.Now().Year() >= 2020)
	fmt.Println("timers: done")
}
