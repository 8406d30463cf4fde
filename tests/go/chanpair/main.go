// chanpair: two partitions on gort's /dev/chan (docs/channels.md). The partition's name (its
// hostname) and the channels it has pick the part: on /dev/chan/count both ends send 10 000
// numbered messages and check the other's arrive whole, once and in order; on /dev/chan/rpc
// "client" calls "server" over net/rpc, with a read deadline on the raw device first; on
// /dev/chan/small "big" sends messages of many sizes and "small" reads them 7 bytes at a time; on
// /dev/chan/busy "asker" asks and "busy" answers while it keeps both its vCPUs at work.
// Messages still unread when an end exits are lost with it, so the parts end with a handshake.
package main

import (
	"encoding/binary"
	"fmt"
	"net/rpc"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

const count = 10000

func count10k(f *os.File, me string) {
	done := make(chan error, 1)
	go func() {
		for i := uint64(0); i < count; i++ {
			msg := make([]byte, 8+i%40)
			binary.LittleEndian.PutUint64(msg, i)
			if n, err := f.Write(msg); err != nil || n != len(msg) {
				done <- fmt.Errorf("write %d: %d %v", i, n, err)
				return
			}
		}
		done <- nil
	}()
	buf := make([]byte, 64)
	for i := uint64(0); i < count; i++ {
		n, err := f.Read(buf)
		if err != nil {
			fmt.Printf("chanpair: read %d: %v\n", i, err)
			os.Exit(1)
		}
		if n != 8+int(i%40) || binary.LittleEndian.Uint64(buf) != i {
			fmt.Printf("chanpair: message %d: %d bytes, number %d\n", i, n, binary.LittleEndian.Uint64(buf))
			os.Exit(1)
		}
	}
	if err := <-done; err != nil {
		fmt.Printf("chanpair: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("chanpair: %s: %d messages each way in order\n", me, count)
	// An end that stops takes its unread messages with it (the channel resets): exit only once
	// the peer says it has read everything, which its "done" (after its own reads) does.
	if _, err := f.Write([]byte("done")); err != nil {
		fmt.Printf("chanpair: done: %v\n", err)
		os.Exit(1)
	}
	f.Read(buf) // the peer's "done", or ECONNRESET if it has already gone: both are the end
}

// A message of the small part: its length and bytes follow from its number.
func smallMsg(i int) []byte {
	m := make([]byte, 1+(i*37)%300)
	for j := range m {
		m[j] = byte(i + j)
	}
	return m
}

const smallCount = 50

// A read with a buffer smaller than the message returns what fits and leaves the rest for the
// next read; no read returns bytes of two messages (docs/channels.md).
func smallPart(f *os.File, me string) {
	buf := make([]byte, 64)
	if me == "big" {
		for i := 0; i < smallCount; i++ {
			if n, err := f.Write(smallMsg(i)); err != nil || n != len(smallMsg(i)) {
				fmt.Printf("chanpair: write %d: %d %v\n", i, n, err)
				os.Exit(1)
			}
		}
		n, err := f.Read(buf) // "done": everything was read
		fmt.Printf("chanpair: big: %d messages sent, the reader says %q %v\n", smallCount,
			buf[:n], err)
		return
	}
	reads := 0
	for i := 0; i < smallCount; i++ {
		want := smallMsg(i)
		for off := 0; off < len(want); {
			k := len(want) - off
			if k > 7 {
				k = 7
			}
			n, err := f.Read(buf[:7])
			reads++
			if err != nil || n != k || string(buf[:n]) != string(want[off:off+k]) {
				fmt.Printf("chanpair: message %d (%d bytes) at %d: read %d bytes %x, %v; "+
					"want %x\n", i, len(want), off, n, buf[:n], err, want[off:off+k])
				os.Exit(1)
			}
			off += n
		}
	}
	fmt.Printf("chanpair: small: %d messages in %d reads of at most 7 bytes, none across two\n",
		smallCount, reads)
	if _, err := f.Write([]byte("done")); err != nil {
		fmt.Printf("chanpair: done: %v\n", err)
		os.Exit(1)
	}
	f.Read(buf) // ECONNRESET once big has gone, or nothing: the end either way
}

type Arith struct{}

func (Arith) Mul(args [2]int, reply *int) error { *reply = args[0] * args[1]; return nil }

func rpcPart(f *os.File, me string) {
	if me == "server" {
		// Nothing comes before the client has waited out its deadline: a read that must wait.
		rpc.Register(Arith{})
		rpc.ServeConn(f)
		return
	}
	f.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, err := f.Read(make([]byte, 1))
	fmt.Printf("chanpair: client: read before any request: timeout=%v\n", os.IsTimeout(err))
	f.SetReadDeadline(time.Time{})
	c := rpc.NewClient(f)
	sum := 0
	for i := 1; i <= 100; i++ {
		var r int
		if err := c.Call("Arith.Mul", [2]int{i, i}, &r); err != nil {
			fmt.Printf("chanpair: call %d: %v\n", i, err)
			os.Exit(1)
		}
		sum += r
	}
	fmt.Printf("chanpair: client: 100 calls, sum of squares %d\n", sum)
}

const (
	busyRounds  = 200
	busyWriters = 6 // threads: gort always has more runnable than busy has vCPUs
)

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Six goroutines (on six threads) write 1 MiB files to the tmpfs over and over, each write under
// gort's lock for long, so busy's two vCPUs never idle in gort's scheduler and often wait for its
// lock in the idle call. A ring then wakes such a vCPU and raises no interrupt (docs/channels.md):
// unless gort serves what that idle call returned, the question is never seen and asker waits for
// good.
// busy reads and writes the raw descriptor (Fd puts it in blocking mode), so a read waits in gort
// for the doorbell: Go's netpoller, which looks every 10 ms, does not stand in for a lost one.
func busyPart(f *os.File, me string) {
	buf := make([]byte, 64)
	fail := func(what string, i uint64, n int, err error) {
		fmt.Printf("chanpair: %s %d: %d bytes %x, %v\n", what, i, n, buf[:max(n, 0)], err)
		os.Exit(1)
	}
	if me == "asker" {
		for i := uint64(0); i < busyRounds; i++ {
			binary.LittleEndian.PutUint64(buf, i)
			if n, err := f.Write(buf[:8]); err != nil {
				fail("question", i, n, err)
			}
			if n, err := f.Read(buf); err != nil || n != 8 || binary.LittleEndian.Uint64(buf) != i+1 {
				fail("answer", i, n, err)
			}
		}
		fmt.Printf("chanpair: asker: %d answers in order\n", busyRounds)
		if _, err := f.Write([]byte("done")); err != nil {
			fail("done", busyRounds, 0, err)
		}
		f.Read(buf) // ECONNRESET once busy has gone, or its "done": the end either way
		return
	}
	var stop atomic.Bool
	var writes atomic.Int64
	runtime.GOMAXPROCS(busyWriters)
	for w := 0; w < busyWriters; w++ {
		go func(name string) {
			data := make([]byte, 1<<20)
			for !stop.Load() {
				if err := os.WriteFile(name, data, 0o600); err != nil {
					fmt.Printf("chanpair: busy: %v\n", err)
					os.Exit(1)
				}
				writes.Add(1)
			}
		}(fmt.Sprintf("%s/busy%d", os.TempDir(), w))
	}
	fd := int(f.Fd())
	for i := uint64(0); i < busyRounds; i++ {
		n, err := syscall.Read(fd, buf)
		if err != nil || n != 8 || binary.LittleEndian.Uint64(buf) != i {
			fail("question", i, n, err)
		}
		binary.LittleEndian.PutUint64(buf, i+1)
		if n, err := syscall.Write(fd, buf[:8]); err != nil {
			fail("answer", i, n, err)
		}
	}
	n, err := syscall.Read(fd, buf) // "done": asker has every answer
	stop.Store(true)
	fmt.Printf("chanpair: busy: %d answers while writing, writers busy: %v, then %q %v\n",
		busyRounds, writes.Load() > busyRounds, buf[:max(n, 0)], err)
	syscall.Write(fd, []byte("done"))
	runtime.KeepAlive(f) // its finalizer would close fd
}

func main() {
	me, _ := os.Hostname()
	if f, err := os.OpenFile("/dev/chan/count", os.O_RDWR, 0); err == nil {
		count10k(f, me)
		return
	}
	if f, err := os.OpenFile("/dev/chan/small", os.O_RDWR, 0); err == nil {
		smallPart(f, me)
		return
	}
	if f, err := os.OpenFile("/dev/chan/busy", os.O_RDWR, 0); err == nil {
		busyPart(f, me)
		return
	}
	f, err := os.OpenFile("/dev/chan/rpc", os.O_RDWR, 0)
	if err != nil {
		fmt.Printf("chanpair: %v\n", err)
		os.Exit(1)
	}
	rpcPart(f, me)
	if me == "client" {
		os.Exit(0)
	}
}
