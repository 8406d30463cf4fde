// signals: gort's signal semantics and timers as Go sees them (guest-abi/gort/signal.c, timers.c).
//
//	signals restart   a raw blocking read(2) of a pipe on a locked thread, sent 5 SIGUSR1s
//	                  (tgkill to that thread; Go's handlers have SA_RESTART) before data comes:
//	                  the read returns the data, not EINTR
//	signals itimer    ITIMER_REAL every 20 ms for 300 ms: the SIGALRMs counted
//	signals pprof     runtime/pprof CPU profile around 1 s of spinning on every vCPU: the samples
//	                  it holds (gunzipped protobuf, Profile.sample's first value summed)
//	signals prctl     PR_SET_NAME then PR_GET_NAME on this thread
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

func restart() {
	usr1 := make(chan os.Signal, 16)
	signal.Notify(usr1, syscall.SIGUSR1)
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fmt.Println("restart: pipe:", err)
		os.Exit(1)
	}
	tids := make(chan int)
	type result struct {
		n   int
		err error
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread()
		tids <- syscall.Gettid()
		buf := make([]byte, 16)
		n, err := syscall.Read(p[0], buf)
		done <- result{n, err}
	}()
	tid := <-tids
	time.Sleep(100 * time.Millisecond) // the reader is in read(2) by now
	sent := 0
	for i := 0; i < 5; i++ {
		if err := syscall.Tgkill(syscall.Getpid(), tid, syscall.SIGUSR1); err != nil {
			fmt.Println("restart: tgkill:", err)
			os.Exit(1)
		}
		sent++
		time.Sleep(20 * time.Millisecond)
	}
	got := 0
	for wait := time.After(time.Second); got < sent; got++ {
		select {
		case <-usr1:
		case <-wait:
			fmt.Printf("restart: only %d of %d signals handled\n", got, sent)
			os.Exit(1)
		}
	}
	select {
	case r := <-done:
		fmt.Printf("restart: read returned before any data: n=%d err=%v\n", r.n, r.err)
		os.Exit(1)
	default:
	}
	syscall.Write(p[1], []byte("x"))
	r := <-done
	fmt.Printf("restart: %d signals handled, read n=%d err=%v\n", got, r.n, r.err)
}

func itimer() {
	alrm := make(chan os.Signal, 64)
	signal.Notify(alrm, syscall.SIGALRM)
	it := [4]int64{0, 20000, 0, 20000} // interval, value: 20 ms
	if _, _, e := syscall.Syscall(syscall.SYS_SETITIMER, 0, uintptr(unsafe.Pointer(&it)), 0); e != 0 {
		fmt.Println("itimer: setitimer:", e)
		os.Exit(1)
	}
	time.Sleep(300 * time.Millisecond)
	off := [4]int64{}
	syscall.Syscall(syscall.SYS_SETITIMER, 0, uintptr(unsafe.Pointer(&off)), 0)
	n := 0
	for wait := time.After(100 * time.Millisecond); ; n++ {
		select {
		case <-alrm:
			continue
		case <-wait:
		}
		break
	}
	fmt.Printf("itimer: %d SIGALRMs in 300 ms\n", n)
}

// varint reads one protobuf varint.
func varint(b []byte) (uint64, []byte) {
	var v uint64
	for s := 0; len(b) > 0; s += 7 {
		c := b[0]
		b = b[1:]
		v |= uint64(c&0x7f) << s
		if c < 0x80 {
			break
		}
	}
	return v, b
}

// samples sums the first value of every Profile.sample (field 2; Sample.value is field 2 too).
func samples(p []byte) (count, total uint64) {
	for len(p) > 0 {
		var key, n uint64
		key, p = varint(p)
		switch key & 7 {
		case 0:
			_, p = varint(p)
		case 1:
			p = p[8:]
		case 5:
			p = p[4:]
		case 2:
			n, p = varint(p)
			if key>>3 == 2 {
				s := p[:n]
				count++
				// Go writes up to two values as plain varints, more packed.
				first := true
				for len(s) > 0 {
					var k, m uint64
					k, s = varint(s)
					if k&7 != 2 {
						m, s = varint(s)
						if k>>3 == 2 && first {
							total += m
							first = false
						}
						continue
					}
					m, s = varint(s)
					if k>>3 == 2 && first {
						v, _ := varint(s[:m])
						total += v
						first = false
					}
					s = s[m:]
				}
			}
			p = p[n:]
		}
	}
	return
}

func cpuNs() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 2, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

func profile() {
	var buf bytes.Buffer
	cpu0 := cpuNs()
	if err := pprof.StartCPUProfile(&buf); err != nil {
		fmt.Println("pprof:", err)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	end := time.Now().Add(time.Second)
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 1
			for time.Now().Before(end) {
				for j := 0; j < 10000; j++ {
					x = x*7 + j
				}
			}
			_ = x
		}()
	}
	wg.Wait()
	pprof.StopCPUProfile()
	cpu := cpuNs() - cpu0
	z, err := gzip.NewReader(&buf)
	if err != nil {
		fmt.Println("pprof: not gzip:", err)
		os.Exit(1)
	}
	raw, _ := io.ReadAll(z)
	n, total := samples(raw)
	fmt.Printf("pprof: process CPU %d ms over 1 s\n", cpu/1e6)
	fmt.Printf("pprof: %d samples (%d stacks)\n", total, n)
}

func prctl() {
	name := []byte("gohv-worker\x00")
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0); e != 0 {
		fmt.Println("prctl: set:", e)
		os.Exit(1)
	}
	var got [16]byte
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_GET_NAME, uintptr(unsafe.Pointer(&got[0])), 0); e != 0 {
		fmt.Println("prctl: get:", e)
		os.Exit(1)
	}
	fmt.Printf("prctl: name %q\n", string(bytes.TrimRight(got[:], "\x00")))
}

func main() {
	runtime.LockOSThread() // prctl names this thread
	switch os.Args[1] {
	case "restart":
		restart()
	case "itimer":
		itimer()
	case "pprof":
		profile()
	case "prctl":
		prctl()
	}
}
