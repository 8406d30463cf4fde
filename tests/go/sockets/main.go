// Command sockets exercises gort's sockets (guest-abi/gort/sock.c, sock_loop.c) through Go's own
// net, net/http and syscall packages, all on the partition's loopback. Each check prints one line
// whose values a broken feature changes; a failure prints "sockets: FAIL ..." and exits 1.
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

func fail(format string, args ...interface{}) {
	fmt.Printf("sockets: FAIL "+format+"\n", args...)
	os.Exit(1)
}

func check(what string, err error) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func pattern(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// echoServer accepts until the listener closes and echoes each connection back.
func echoServer(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			io.Copy(c, c)
			c.Close()
		}()
	}
}

func echo() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	defer ln.Close()
	go echoServer(ln)
	c, err := net.Dial("tcp", ln.Addr().String())
	check("dial", err)
	data := pattern(1<<20, 1)
	go func() {
		c.Write(data)
		c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	check("read echo", err)
	c.Close()
	fmt.Printf("echo: %d bytes back, same %v, local %s\n", len(got), bytes.Equal(got, data),
		strings.Split(c.LocalAddr().String(), ":")[0])
}

func concurrent() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	defer ln.Close()
	go echoServer(ln)
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				fmt.Printf("concurrent: dial %d: %v\n", i, err)
				return
			}
			defer c.Close()
			data := pattern(64<<10+i, int64(i))
			go c.Write(data)
			got := make([]byte, len(data))
			if _, err := io.ReadFull(c, got); err != nil {
				fmt.Printf("concurrent: read %d: %v\n", i, err)
				return
			}
			if bytes.Equal(got, data) {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	fmt.Printf("concurrent: %d of %d connections echoed\n", ok, n)
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return fmt.Sprintf("%x", h[:8])
}

func httpServer() {
	body := pattern(1<<20+17, 7)
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	mux.HandleFunc("/up", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "%d %s", len(b), sum(b))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String()
	same := 0
	for i := 0; i < 5; i++ {
		resp, err := http.Get(url + "/big")
		check("GET", err)
		got, err := io.ReadAll(resp.Body)
		check("GET body", err)
		resp.Body.Close()
		if bytes.Equal(got, body) {
			same++
		}
	}
	up := pattern(300000, 9)
	resp, err := http.Post(url+"/up", "application/octet-stream", bytes.NewReader(up))
	check("POST", err)
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("http: 5 GETs of %d bytes, %d same; POST reply ok %v\n", len(body), same,
		string(reply) == fmt.Sprintf("%d %s", len(up), sum(up)))
	srv.Close()
}

func httptestServer() {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	}))
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/gort")
	check("httptest GET", err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("httptest: %d %q on %v\n", resp.StatusCode, b, strings.HasPrefix(ts.URL, "http://127.0.0.1:"))
}

func udp() {
	srv, err := net.ListenPacket("udp", "127.0.0.1:0")
	check("listen udp", err)
	defer srv.Close()
	go func() {
		buf := make([]byte, 70000)
		for {
			n, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			srv.WriteTo(buf[:n], from)
		}
	}()
	c, err := net.Dial("udp", srv.LocalAddr().String())
	check("dial udp", err)
	defer c.Close()
	whole := 0
	sizes := []int{1, 100, 1500, 9000, 60000}
	for i, n := range sizes {
		d := pattern(n, int64(100+i))
		_, err := c.Write(d)
		check("udp write", err)
		buf := make([]byte, 70000)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		m, err := c.Read(buf)
		check("udp read", err)
		if m == n && bytes.Equal(buf[:m], d) {
			whole++
		}
	}
	// A short buffer gets the start of the datagram; the rest is gone, not the next read's.
	c.Write([]byte("0123456789"))
	c.Write([]byte("next"))
	small := make([]byte, 4)
	m1, _ := c.Read(small)
	first := string(small[:m1])
	m2, _ := c.Read(small)
	fmt.Printf("udp: %d of %d datagrams whole; truncated %q then %q\n", whole, len(sizes), first,
		string(small[:m2]))
}

func refused() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	addr := ln.Addr().String()
	ln.Close()
	_, err = net.Dial("tcp", addr)
	fmt.Printf("refused: ECONNREFUSED %v\n", errors.Is(err, syscall.ECONNREFUSED))
}

func deadline() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			time.Sleep(2 * time.Second)
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	check("dial", err)
	defer c.Close()
	start := time.Now()
	c.SetReadDeadline(start.Add(100 * time.Millisecond))
	_, err = c.Read(make([]byte, 10))
	el := time.Since(start)
	var ne net.Error
	timeout := errors.As(err, &ne) && ne.Timeout() && errors.Is(err, os.ErrDeadlineExceeded)
	fmt.Printf("deadline: timeout %v, after 100ms %v, before 2s %v\n", timeout,
		el >= 100*time.Millisecond, el < 2*time.Second)
}

func halfClose() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		b, _ := io.ReadAll(c) // ends at the client's CloseWrite
		fmt.Fprintf(c, "got %d bytes %q", len(b), b)
		c.Close()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	check("dial", err)
	c.Write([]byte("half"))
	check("CloseWrite", c.(*net.TCPConn).CloseWrite())
	_, werr := c.Write([]byte("more"))
	reply, err := io.ReadAll(c)
	check("read reply", err)
	c.Close()
	fmt.Printf("halfclose: reply %q, write after CloseWrite EPIPE %v\n", reply,
		errors.Is(werr, syscall.EPIPE))
}

func names() {
	ln, err := net.Listen("tcp", "localhost:0")
	check("listen localhost", err)
	defer ln.Close()
	go echoServer(ln)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	c, err := net.Dial("tcp", "localhost:"+port)
	check("dial localhost", err)
	c.Close()
	_, err6 := net.Listen("tcp6", "[::1]:0")
	_, errUse := net.Listen("tcp", ln.Addr().String())
	ln0, err := net.Listen("tcp", ":0") // every address: 0.0.0.0, reached on 127.0.0.1
	check("listen :0", err)
	go echoServer(ln0)
	_, port0, _ := net.SplitHostPort(ln0.Addr().String())
	c0, err := net.Dial("tcp", "127.0.0.1:"+port0)
	check("dial 127.0.0.1 to :0", err)
	c0.Close()
	ln0.Close()
	fmt.Printf("names: localhost is %s, ipv6 refused %v, second listen EADDRINUSE %v\n",
		strings.Split(ln.Addr().String(), ":")[0], err6 != nil, errors.Is(errUse, syscall.EADDRINUSE))
}

// peerGone: the server closes without reading what came; the client's writes then fail.
func peerGone() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	defer ln.Close()
	accepted := make(chan net.Conn)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	check("dial", err)
	defer c.Close()
	s := <-accepted
	c.Write([]byte("unread"))
	time.Sleep(10 * time.Millisecond)
	s.Close()
	_, rerr := c.Read(make([]byte, 10))
	var werr error
	for i := 0; i < 3 && werr == nil; i++ {
		_, werr = c.Write([]byte("x"))
	}
	fmt.Printf("peergone: read ECONNRESET %v, write EPIPE %v\n", errors.Is(rerr, syscall.ECONNRESET),
		errors.Is(werr, syscall.EPIPE))
}

// buffers: a reader that never reads holds the writer back at its receive buffer's size.
func buffers() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check("listen", err)
	defer ln.Close()
	accepted := make(chan net.Conn)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	check("dial", err)
	s := <-accepted
	c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	n, werr := c.Write(make([]byte, 4<<20))
	timeout := errors.Is(werr, os.ErrDeadlineExceeded)
	// Now the reader drains it all, and the writer can go on.
	c.SetWriteDeadline(time.Time{})
	go func() {
		c.Write(make([]byte, 100000))
		c.Close()
	}()
	got, _ := io.Copy(io.Discard, s)
	s.Close()
	fmt.Printf("buffers: write held at %d KiB (timeout %v), reader got all %v\n", n/1024, timeout,
		got == int64(n)+100000)
}

// raw: blocking sockets through the syscall package (a parked accept and read made again when
// the connection comes), and an AF_UNIX socketpair.
func raw() {
	ls, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	check("socket", err)
	check("bind", syscall.Bind(ls, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	check("listen", syscall.Listen(ls, 1))
	sa, err := syscall.Getsockname(ls)
	check("getsockname", err)
	port := sa.(*syscall.SockaddrInet4).Port
	type res struct {
		msg  string
		peer int
	}
	done := make(chan res)
	go func() {
		fd, from, err := syscall.Accept(ls) // blocks in gort until the connect below
		if err != nil {
			done <- res{err.Error(), 0}
			return
		}
		b := make([]byte, 16)
		n, _ := syscall.Read(fd, b) // blocks until the write below
		syscall.Close(fd)
		done <- res{string(b[:n]), from.(*syscall.SockaddrInet4).Port}
	}()
	time.Sleep(50 * time.Millisecond)
	cs, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	check("socket", err)
	check("connect", syscall.Connect(cs, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}))
	time.Sleep(50 * time.Millisecond)
	syscall.Write(cs, []byte("blocking"))
	r := <-done
	me, _ := syscall.Getsockname(cs)
	syscall.Close(cs)
	syscall.Close(ls)
	v, _ := syscall.GetsockoptInt(cs, syscall.SOL_SOCKET, syscall.SO_TYPE)
	_ = v
	fmt.Printf("raw: blocking accept+read got %q, peer port matches %v\n", r.msg,
		r.peer == me.(*syscall.SockaddrInet4).Port)

	p, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	check("socketpair", err)
	syscall.Write(p[0], []byte("pair"))
	b := make([]byte, 8)
	n, _ := syscall.Read(p[1], b)
	syscall.Close(p[0])
	m, _ := syscall.Read(p[1], b[n:])
	syscall.Close(p[1])
	_, e6 := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM, 0)
	fmt.Printf("raw: socketpair %q then eof %v; AF_INET6 %v\n", b[:n], m == 0, e6)
}

func main() {
	tests := map[string]func(){
		"echo": echo, "concurrent": concurrent, "http": httpServer, "httptest": httptestServer,
		"udp": udp, "refused": refused, "deadline": deadline, "halfclose": halfClose,
		"names": names, "peergone": peerGone, "buffers": buffers, "raw": raw,
	}
	order := []string{"echo", "concurrent", "http", "httptest", "udp", "refused", "deadline",
		"halfclose", "names", "peergone", "buffers", "raw"}
	if len(os.Args) > 1 {
		order = os.Args[1:]
	}
	for _, name := range order {
		f, ok := tests[name]
		if !ok {
			fail("no test %q", name)
		}
		f()
	}
	fmt.Println("sockets: done")
}
