// memory: how the partition's RAM is shared out between the Go runtime and gort, in three modes.
//
//	memory churn MiB  allocates, writes and drops buffers of 1 to 32 MiB until it has allocated
//	                  MiB in all (far more than the partition's RAM); prints "churn: ok".
//	memory fill       keeps 1 MiB buffers, each written, until the runtime gives up with its own
//	                  "fatal error: runtime: out of memory"; prints "fill: held N MiB" as it goes.
//	memory pem        encoding/pem's TestCVE202224675: 2 x 114 MiB live at once.
package main

import (
	"encoding/pem"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
)

var sink [][]byte

func churn(total int) {
	done := 0
	for i := 0; done < total; i++ {
		n := 1 + (i*7)%32
		b := make([]byte, n<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = byte(i)
		}
		done += n
	}
	fmt.Printf("churn: %d MiB allocated: ok\n", done)
}

func fill() {
	for i := 1; ; i++ {
		b := make([]byte, 1<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		sink = append(sink, b)
		if i%4 == 0 {
			fmt.Printf("fill: held %d MiB\n", i)
		}
	}
}

func pemCVE() {
	input := []byte(strings.Repeat("-----BEGIN \n", 10000000))
	result, rest := pem.Decode(input)
	if result != nil || !reflect.DeepEqual(rest, input) {
		fmt.Println("pem: wrong result")
		os.Exit(1)
	}
	fmt.Printf("pem: %d MiB decoded: ok\n", len(input)>>20)
}

func main() {
	switch os.Args[1] {
	case "churn":
		n, _ := strconv.Atoi(os.Args[2])
		churn(n)
	case "fill":
		fill()
	case "pem":
		pemCVE()
	}
}
