// panic: a panic with a custom error value. The Go runtime prints "panic:" and the goroutine's
// stack trace and exits with code 2, as it would on Linux.
package main

import "fmt"

type partitionError struct {
	what string
}

func (e *partitionError) Error() string { return "partition error: " + e.what }

func fail(depth int) {
	if depth == 0 {
		panic(&partitionError{"something went wrong on purpose"})
	}
	fail(depth - 1)
}

func main() {
	fmt.Println("about to panic")
	fail(3)
}
