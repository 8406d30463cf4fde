// Command enosys makes a system call gort does not serve (swapon: a partition has no swap, and a
// Go program never asks for it) and reports what it got back: gort answers ENOSYS and says so
// once on the console.
package main

import (
	"fmt"
	"syscall"
)

func main() {
	for i := 0; i < 2; i++ {
		_, _, errno := syscall.RawSyscall(syscall.SYS_SWAPON, 0, 0, 0)
		fmt.Printf("enosys: swapon: %v (errno %d)\n", errno, errno)
	}
}
