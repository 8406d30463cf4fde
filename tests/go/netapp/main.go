// netapp: a Go program whose sockets gort carries to netd (tests/boards/go-netd*.dts). Set by
// its environment:
//
//	NETAPP=dial  NETAPP_ADDR=host:port NETAPP_SEND=n NETAPP_RECV=m
//	    connects, writes n bytes of pattern p, reads m bytes and checks they are pattern q.
//	NETAPP=serve NETAPP_PORT=port NETAPP_CONNS=k
//	    listens on 0.0.0.0:port; first exchanges with itself over loopback, then serves
//	    connections: a 4-byte big-endian length L, L bytes of p, answered by L bytes of q. It
//	    exits 0 after k good remote connections; a failed one is printed and it carries on.
//	NETAPP=tftp NETAPP_ADDR=host:port NETAPP_FILE=name NETAPP_RECV=m
//	    reads name over TFTP (UDP, from an unconnected socket: the server answers from a port
//	    of its own) and checks it is m bytes of pattern p.
//	NETAPP=flood NETAPP_ADDR=host:port
//	    dials host:port without end, many at once, keeping every connection it gets; prints
//	    once when netd first refuses it a socket (EMFILE), and goes on.
//
// Patterns: p(i) = 7i+3, q(i) = 13i+5 (mod 256), so a byte lost, doubled or moved shows.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func p(i int) byte { return byte(7*i + 3) }
func q(i int) byte { return byte(13*i + 5) }

func fill(n int, f func(int) byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = f(i)
	}
	return b
}

func check(b []byte, f func(int) byte) error {
	for i, c := range b {
		if c != f(i) {
			return fmt.Errorf("byte %d is %d, not %d", i, c, f(i))
		}
	}
	return nil
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

func fail(format string, a ...interface{}) {
	fmt.Printf("netapp: FAIL "+format+"\n", a...)
	os.Exit(1)
}

func dial() {
	addr := os.Getenv("NETAPP_ADDR")
	send, recv := envInt("NETAPP_SEND", 1000), envInt("NETAPP_RECV", 1000)
	c, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		fail("dial %s: %v", addr, err)
	}
	fmt.Printf("netapp: connected to %s from %s\n", c.RemoteAddr(), c.LocalAddr())
	done := make(chan error, 1)
	go func() {
		_, err := c.Write(fill(send, p))
		done <- err
	}()
	got := make([]byte, recv)
	if _, err := io.ReadFull(c, got); err != nil {
		fail("read: %v", err)
	}
	if err := <-done; err != nil {
		fail("write: %v", err)
	}
	if err := check(got, q); err != nil {
		fail("what came back: %v", err)
	}
	c.Close()
	fmt.Printf("netapp: sent %d bytes, received %d bytes, all as expected\n", send, recv)
}

// exchange is the client's side of one serve exchange.
func exchange(c net.Conn, n int) error {
	var h [4]byte
	binary.BigEndian.PutUint32(h[:], uint32(n))
	go func() {
		c.Write(h[:])
		c.Write(fill(n, p))
	}()
	got := make([]byte, n)
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	return check(got, q)
}

// serveOne is the server's side: the bytes in, or an error.
func serveOne(c net.Conn) (int, error) {
	defer c.Close()
	var h [4]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		return 0, fmt.Errorf("read: %v", err)
	}
	n := int(binary.BigEndian.Uint32(h[:]))
	if n > 16<<20 {
		return 0, fmt.Errorf("length %d", n)
	}
	got := make([]byte, n)
	if _, err := io.ReadFull(c, got); err != nil {
		return 0, fmt.Errorf("read: %v", err)
	}
	if err := check(got, p); err != nil {
		return 0, err
	}
	if _, err := c.Write(fill(n, q)); err != nil {
		return 0, fmt.Errorf("write: %v", err)
	}
	// Done when the client has read it all and closed: then it knows too.
	if k, err := c.Read(h[:1]); k != 0 || err != io.EOF {
		return 0, fmt.Errorf("after the reply: %d bytes, %v", k, err)
	}
	return n, nil
}

func serve() {
	port := os.Getenv("NETAPP_PORT")
	want := envInt("NETAPP_CONNS", 1)
	l, err := net.Listen("tcp", ":"+port)
	if err != nil {
		fail("listen: %v", err)
	}
	fmt.Printf("netapp: listening on %s\n", l.Addr())
	// The same listener serves this partition over loopback.
	go func() {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err != nil {
			fail("loopback dial: %v", err)
		}
		if err := exchange(c, 100000); err != nil {
			fail("loopback exchange: %v", err)
		}
		c.Close()
		fmt.Printf("netapp: loopback exchange of 100000 bytes ok\n")
	}()
	good := 0
	for k := 1; good < want; k++ {
		c, err := l.Accept()
		if err != nil {
			fail("accept: %v", err)
		}
		from := c.RemoteAddr().String()
		local := c.LocalAddr().String()
		n, err := serveOne(c)
		if err != nil {
			fmt.Printf("netapp: connection %d (to %s): %v\n", k, local, err)
			continue
		}
		if from[:10] == "127.0.0.1:" {
			k--
			continue // the loopback exchange
		}
		good++
		fmt.Printf("netapp: connection %d to %s: %d bytes in, %d bytes out\n", k, local, n, n)
	}
	fmt.Printf("netapp: served %d connections\n", good)
}

// tftp reads one file with TFTP's octet mode (RFC 1350): a read request, then each 512-byte
// block acknowledged until a shorter one. A request or acknowledgement without an answer is
// sent again, as TFTP does.
func tftp() {
	server, err := net.ResolveUDPAddr("udp", os.Getenv("NETAPP_ADDR"))
	if err != nil {
		fail("address: %v", err)
	}
	name, want := os.Getenv("NETAPP_FILE"), envInt("NETAPP_RECV", 0)
	c, err := net.ListenUDP("udp", nil)
	if err != nil {
		fail("listen: %v", err)
	}
	out := append(append([]byte{0, 1}, name...), 0)
	out = append(append(out, "octet"...), 0)
	to := server
	var got []byte
	buf := make([]byte, 1024)
	for block, tries := uint16(1), 0; ; {
		if _, err := c.WriteToUDP(out, to); err != nil {
			fail("send: %v", err)
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			if tries++; tries == 10 {
				fail("read: %v", err)
			}
			continue // sent again
		}
		tries = 0
		if n < 4 || buf[1] != 3 {
			fail("from %v: %d bytes, opcode %d (%q)", from, n, buf[1], buf[4:n])
		}
		if binary.BigEndian.Uint16(buf[2:]) != block {
			continue // a block sent again: acknowledged again below
		}
		got = append(got, buf[4:n]...)
		out = []byte{0, 4, byte(block >> 8), byte(block)}
		to = from // the server's own port from now on
		if n-4 < 512 {
			c.WriteToUDP(out, to)
			break
		}
		block++
	}
	if len(got) != want {
		fail("tftp: %d bytes, not %d", len(got), want)
	}
	if err := check(got, p); err != nil {
		fail("tftp: %v", err)
	}
	fmt.Printf("netapp: tftp: %d bytes of %s from %v, all as expected\n", len(got), name, to.IP)
}

// flood asks netd for sockets without end: floodDialers dials at once, more than netd gives one
// client (NETPROTO_MAX_SOCKETS, 128), each made again a little after it fails.
func flood() {
	const floodDialers = 200
	addr := os.Getenv("NETAPP_ADDR")
	var waiting atomic.Int64
	var refused sync.Once
	for i := 0; i < floodDialers; i++ {
		go func() {
			for {
				waiting.Add(1)
				c, err := net.Dial("tcp", addr)
				n := waiting.Add(-1)
				if err == nil {
					defer c.Close()
					select {} // kept for good
				}
				// netd's refusal comes as the connect's error; gort's own fd limit
				// (256) is the socket call's, which the dialers stay below.
				var se *os.SyscallError
				if errors.As(err, &se) && se.Syscall == "connect" && se.Err == syscall.EMFILE {
					refused.Do(func() {
						fmt.Printf("netapp: flood: netd refused a socket (%v), %d dials waiting\n",
							err, n)
					})
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	select {}
}

func main() {
	switch os.Getenv("NETAPP") {
	case "dial":
		dial()
	case "flood":
		flood()
	case "tftp":
		tftp()
	case "serve":
		serve()
	default:
		fail("NETAPP is %q: dial, serve, tftp or flood", os.Getenv("NETAPP"))
	}
}
