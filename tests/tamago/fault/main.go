// fault: the faults a GOOS=tamago partition can meet, one per run, chosen by its bootarg
// (`gohv run fault WHAT`): an exception the hv hands to the guest becomes Go's own panic, one it
// keeps ends the partition in the hv's fault line, and a program blocked for good is reported as
// Go reports a deadlock. (And two cases with no fault: crypto/rand's bytes, to compare two runs,
// and petting the watchdog, then not.)
package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"gohv.dev/tamago/partition"
	_ "gohv.dev/tamago/smp"
)

var words [4]uint64

// An atomic add on an address that is not 4-byte aligned: the hart raises a store address
// misaligned exception, which the hv delegates to the guest. (The call after it gives the function
// a frame: a frameless leaf that faults is left out of the trace, see guest-abi/README.md.)
//
//go:noinline
func misaligned() {
	p := (*uint32)(unsafe.Add(unsafe.Pointer(&words[0]), 1))
	atomic.AddUint32(p, 1)
	fmt.Println("fault: the misaligned add did not trap")
}

//go:noinline
func deref(p *int) int { return *p }

func main() {
	what := partition.Bootargs()
	fmt.Println("fault:", what)
	switch what {
	case "breakpoint":
		runtime.Breakpoint()
	case "misaligned":
		misaligned()
	case "recover":
		func() {
			defer func() { fmt.Println("fault: recovered:", recover()) }()
			misaligned()
		}()
		fmt.Println("fault: still running")
		os.Exit(0)
	case "entropy":
		// Not a fault: crypto/rand, as a fault-free run of the same program.
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			fmt.Println("fault: crypto/rand:", err)
			os.Exit(1)
		}
		fmt.Printf("fault: random %x\n", b)
		os.Exit(0)
	case "watchdog":
		// Not a fault either, until it stops petting (tests/boards/tamago-watchdog.dts).
		for i := 1; i <= 20; i++ {
			if err := partition.PetWatchdog(); err != nil {
				fmt.Println("fault: watchdog:", err)
				os.Exit(1)
			}
			time.Sleep(50 * time.Millisecond)
		}
		fmt.Println("fault: petted the watchdog 20 times in 1 s; stopping")
		time.Sleep(10 * time.Second)
	case "nil":
		fmt.Println(deref(nil))
	case "deadlock":
		// Work on every vCPU first, so that all of them have gone idle when main blocks.
		done := make(chan int)
		for i := 0; i < 2*runtime.GOMAXPROCS(0); i++ {
			go func() {
				x := 0
				for j := 0; j < 1000000; j++ {
					x += j
				}
				done <- x
			}()
		}
		for i := 0; i < 2*runtime.GOMAXPROCS(0); i++ {
			<-done
		}
		<-done
	default:
		fmt.Println("fault: want breakpoint, misaligned, recover, entropy, watchdog, nil or " +
			"deadlock")
		os.Exit(1)
	}
	fmt.Println("fault: no fault")
}
