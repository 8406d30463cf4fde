// bench_gochan: the Go half of `make bench`'s channel figures (tools/bench/gohv-bench.c,
// BENCHMARKS.md): the schedule of tools/bench/guests/bench_msgchan.c through gort's
// /dev/chan/bench, with plain os.File reads and writes (so Go's netpoller waits on the device).
// The partition's name picks the end: "client" measures and prints
//
//	BENCH chan.rpc64.go <median> instr min=<min> max=<max> n=<n>
//	BENCH chan.xfer64k.go <median> instr/KiB min=<min> max=<max> n=<n>
//
// and exits 0; "server" echoes the round trips, stamps each 64 KiB it has read whole, and exits
// 0 when the client has gone (ECONNRESET). A round trip is a 64-byte Write and the Read of its
// echo; a transfer is one 64 KiB Write (gort posts it as messages of at most 4088 bytes, waiting
// for free buffers) until the server's stamp of the last byte, over 64.
package main

import (
	"encoding/binary"
	"fmt"
	"os"

	"gohv.bench/probe"
)

const (
	warmup     = 16
	iters      = 200
	xferWarmup = 4
	xfers      = 32
	xferBytes  = 65536
	msgMax     = 4088 // GOOS_CHAN_MSG_MAX
)

func client(f *os.File) {
	buf := make([]byte, msgMax)
	s := make([]uint64, 0, iters)
	for i := 0; i < warmup+iters; i++ {
		t0 := probe.Instret()
		if _, err := f.Write(buf[:64]); err != nil {
			probe.Fail("write", err)
		}
		if n, err := f.Read(buf); err != nil || n != 64 {
			probe.Fail(fmt.Sprintf("echo of %d bytes", n), err)
		}
		if t1 := probe.Instret(); i >= warmup {
			s = append(s, t1-t0)
		}
	}
	probe.Report("chan.rpc64.go", "instr", s)
	data := make([]byte, xferBytes)
	s = s[:0]
	for i := 0; i < xferWarmup+xfers; i++ {
		t0 := probe.Instret()
		if _, err := f.Write(data); err != nil {
			probe.Fail("write 64 KiB", err)
		}
		if n, err := f.Read(buf); err != nil || n != 8 {
			probe.Fail(fmt.Sprintf("stamp of %d bytes", n), err)
		}
		if i >= xferWarmup {
			s = append(s, (binary.LittleEndian.Uint64(buf)-t0)/(xferBytes/1024))
		}
	}
	probe.Report("chan.xfer64k.go", "instr/KiB", s)
	fmt.Println("BENCH done")
}

func server(f *os.File) {
	buf := make([]byte, msgMax)
	for i := 0; i < warmup+iters; i++ {
		n, err := f.Read(buf)
		if err != nil {
			probe.Fail("read", err)
		}
		if _, err := f.Write(buf[:n]); err != nil {
			probe.Fail("echo", err)
		}
	}
	for got := 0; ; {
		n, err := f.Read(buf)
		if err != nil {
			return // the client has gone: the end
		}
		if got += n; got < xferBytes {
			continue
		}
		binary.LittleEndian.PutUint64(buf, probe.Instret())
		if _, err := f.Write(buf[:8]); err != nil {
			probe.Fail("stamp", err)
		}
		got = 0
	}
}

func main() {
	f, err := os.OpenFile("/dev/chan/bench", os.O_RDWR, 0)
	if err != nil {
		probe.Fail("open", err)
	}
	if me, _ := os.Hostname(); me == "client" {
		client(f)
	} else {
		server(f)
	}
}
