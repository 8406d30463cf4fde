// Command oom keeps every block it allocates until the partition's memory runs out, to show
// what a Go program sees then: its own "fatal error: out of memory" and exit status 2, as on
// Linux when an allocation fails, with the rest of the machine untouched.
package main

import "fmt"

func main() {
	var keep [][]byte
	for i := 1; ; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(i + j) // touch every page
		}
		keep = append(keep, b)
		if i%16 == 0 {
			fmt.Printf("oom: holding %d MiB\n", i)
		}
	}
}
