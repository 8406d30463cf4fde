// Command enosys makes a system call gort does not serve (socket: there is no network yet) and
// reports what it got back: gort answers ENOSYS and says so once on the console.
package main

import (
	"fmt"
	"syscall"
)

func main() {
	for i := 0; i < 2; i++ {
		_, _, errno := syscall.RawSyscall(syscall.SYS_SOCKET, syscall.AF_INET,
			syscall.SOCK_STREAM, 0)
		fmt.Printf("enosys: socket: %v (errno %d)\n", errno, errno)
	}
}
