// exit3: os.Exit(3) becomes the partition's exit code, and so gohv run's.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("exiting with 3")
	os.Exit(3)
}
