// Command watchdog pets the partition's watchdog through gort's /dev/watchdog from a worker
// goroutine, a pet after each step of its work (a quarter period each): first by writes, then by
// the WDIOC_KEEPALIVE ioctl, two periods each. Then it writes Linux's magic close byte, closes
// the file (neither stops a gohv watchdog) and its work livelocks: it spins, petting no more,
// while the Go runtime carries on around it (sysmon preempts the spinner, the other vCPU idles).
// The hv must stop the partition one period later; should it not, the worker gives up after three
// periods and the program says it is still running. With the argument "absent" it only reports
// what opening /dev/watchdog gives (a partition without a watchdog has none).
package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// linux/watchdog.h
const (
	wdiocGetSupport = 0x80285700
	wdiocKeepAlive  = 0x80045705
	wdiocGetTimeout = 0x80045707
)

type watchdogInfo struct {
	Options, FirmwareVersion uint32
	Identity                 [32]byte
}

var spins uint64

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg))
	if e != 0 {
		return e
	}
	return nil
}

func must(what string, err error) {
	if err != nil {
		fmt.Printf("watchdog: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func main() {
	f, err := os.OpenFile("/dev/watchdog", os.O_WRONLY, 0)
	if len(os.Args) > 1 && os.Args[1] == "absent" {
		fmt.Printf("watchdog: absent: %v\n", err)
		return
	}
	must("open", err)
	var info watchdogInfo
	must("WDIOC_GETSUPPORT", ioctl(f, wdiocGetSupport, unsafe.Pointer(&info)))
	n := 0
	for n < len(info.Identity) && info.Identity[n] != 0 {
		n++
	}
	fmt.Printf("watchdog: identity=%q options=%#x\n", info.Identity[:n], info.Options)
	var secs int32
	must("WDIOC_GETTIMEOUT", ioctl(f, wdiocGetTimeout, unsafe.Pointer(&secs)))
	fmt.Printf("watchdog: timeout=%ds\n", secs)

	period := time.Duration(secs) * time.Second
	done := make(chan struct{})
	go func() {
		for i := 0; i < 8; i++ {
			time.Sleep(period / 4)
			_, err := f.Write([]byte{'x'})
			must("write", err)
		}
		fmt.Println("watchdog: 8 pets by write")
		for i := 0; i < 8; i++ {
			time.Sleep(period / 4)
			must("WDIOC_KEEPALIVE", ioctl(f, wdiocKeepAlive, nil))
		}
		fmt.Println("watchdog: 8 pets by ioctl")
		_, err := f.Write([]byte{'V'})
		must("write V", err)
		must("close", f.Close())
		fmt.Println("watchdog: stopped petting")
		for start := time.Now(); time.Since(start) < 3*period; {
			spins++
		}
		close(done)
	}()
	<-done
	fmt.Println("watchdog: still running 3 periods after the last pet")
}
