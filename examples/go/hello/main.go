// hello: the smallest Go program on gohv; prints where it runs and how many CPUs the runtime uses.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Println("hello from Go on gohv")
	fmt.Printf("GOOS=%s GOARCH=%s\n", runtime.GOOS, runtime.GOARCH)
	fmt.Printf("GOMAXPROCS=%d NumCPU=%d\n", runtime.GOMAXPROCS(0), runtime.NumCPU())
}
