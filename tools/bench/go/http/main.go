// bench_http: `make bench`'s HTTP figures (tools/bench/gohv-bench.c, BENCHMARKS.md). A stock
// net/http server listens on :8080, which gort carries to netd (tools/bench/boards/bench-http.dts);
// a client in the same program dials netd's own address, 10.0.2.15:8080, so every byte goes
// program -> channel -> netd's netstack -> channel -> program, twice per exchange, and nothing
// leaves the machine (netstack delivers to its own address locally: no frame reaches QEMU, so
// the host's timing cannot move a figure). Prints
//
//	BENCH http.req.keepalive <median> instr ...  a GET / and its answer on one open connection
//	BENCH http.req.newconn <median> instr ...    dial, GET / with Connection: close, answer, close
//	BENCH http.xfer1m <median> instr/KiB ...     a 1 MiB answer read whole, per KiB
//	BENCH http done
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"gohv.bench/probe"
)

const (
	warmup   = 16
	iters    = 100
	connIter = 50
	xferWarm = 2
	xfers    = 8
	xferSize = 1 << 20
	page     = "hello from Go on gohv\n"
	target   = "10.0.2.15:8080"
)

func serve() {
	ln, err := net.Listen("tcp", ":8080")
	if err != nil {
		probe.Fail("listen", err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, page) })
	chunk := make([]byte, 65536)
	for i := range chunk {
		chunk[i] = byte('a' + i%26)
	}
	http.HandleFunc("/bytes", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		for ; n > 0; n -= len(chunk) {
			w.Write(chunk[:min(n, len(chunk))])
		}
	})
	go http.Serve(ln, nil)
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// get sends one request on c and reads its whole answer: the body's length.
func get(c net.Conn, br *bufio.Reader, path string, close bool) int {
	req := "GET " + path + " HTTP/1.1\r\nHost: bench\r\n"
	if close {
		req += "Connection: close\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		probe.Fail("write", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		probe.Fail("read", err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		probe.Fail(fmt.Sprintf("answer %d", resp.StatusCode), err)
	}
	return int(n)
}

func dial() (net.Conn, *bufio.Reader) {
	c, err := net.Dial("tcp", target)
	if err != nil {
		probe.Fail("dial", err)
	}
	return c, bufio.NewReaderSize(c, 65536)
}

// firstDial waits for netd to listen for us: gort's listen returns before netd's answer.
func firstDial() (net.Conn, *bufio.Reader) {
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", target)
		if err == nil {
			return c, bufio.NewReaderSize(c, 65536)
		}
		if i == 100 {
			probe.Fail("dial", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func main() {
	serve()
	c, br := firstDial()
	s := make([]uint64, 0, iters)
	for i := 0; i < warmup+iters; i++ {
		t0 := probe.Instret()
		if n := get(c, br, "/", false); n != len(page) {
			probe.Fail(fmt.Sprintf("page of %d bytes", n), nil)
		}
		if t1 := probe.Instret(); i >= warmup {
			s = append(s, t1-t0)
		}
	}
	probe.Report("http.req.keepalive", "instr", s)

	s = s[:0]
	for i := 0; i < warmup+connIter; i++ {
		t0 := probe.Instret()
		nc, nbr := dial()
		if n := get(nc, nbr, "/", true); n != len(page) {
			probe.Fail(fmt.Sprintf("page of %d bytes", n), nil)
		}
		nc.Close()
		if t1 := probe.Instret(); i >= warmup {
			s = append(s, t1-t0)
		}
	}
	probe.Report("http.req.newconn", "instr", s)

	s = s[:0]
	path := "/bytes?n=" + strconv.Itoa(xferSize)
	for i := 0; i < xferWarm+xfers; i++ {
		t0 := probe.Instret()
		if n := get(c, br, path, false); n != xferSize {
			probe.Fail(fmt.Sprintf("1 MiB answer of %d bytes", n), nil)
		}
		if t1 := probe.Instret(); i >= xferWarm {
			s = append(s, (t1-t0)/(xferSize/1024))
		}
	}
	probe.Report("http.xfer1m", "instr/KiB", s)
	c.Close()
	fmt.Println("BENCH http done")
}
