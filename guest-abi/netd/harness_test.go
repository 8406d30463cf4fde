package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// wireEnd is one end of an in-memory Ethernet wire: what one end writes the other reads, frame
// by frame; a full wire drops (as a real one would).
type wireEnd struct {
	rx, tx chan []byte
	done   chan struct{}
}

func newWire() (*wireEnd, *wireEnd) {
	a, b := make(chan []byte, 512), make(chan []byte, 512)
	done := make(chan struct{})
	return &wireEnd{rx: a, tx: b, done: done}, &wireEnd{rx: b, tx: a, done: done}
}

func (w *wireEnd) Read(b []byte) (int, error) {
	select {
	case f := <-w.rx:
		return copy(b, f), nil
	case <-w.done:
		return 0, fmt.Errorf("wire closed")
	}
}

func (w *wireEnd) Write(b []byte) (int, error) {
	if len(b) < 14 || len(b) > 1514 {
		return 0, syscall.EINVAL // what gort's /dev/netN refuses
	}
	select {
	case w.tx <- append([]byte(nil), b...):
	default:
	}
	return len(b), nil
}

var (
	addrA = tcpip.Address("\x0a\x00\x02\x0f") // 10.0.2.15, netd
	addrB = tcpip.Address("\x0a\x00\x02\x02") // 10.0.2.2, the other stack ("the gateway")
)

// netPair is two netd stacks on one wire: A at 10.0.2.15 (gateway B), B at 10.0.2.2.
type netPair struct {
	a, b *stack.Stack
}

func newNetPair(t *testing.T) *netPair {
	t.Helper()
	wa, wb := newWire()
	ctx, cancel := context.WithCancel(context.Background())
	mk := func(w *wireEnd, addr, gw tcpip.Address, mac string) *stack.Stack {
		cfg := netConfig{addr: tcpip.AddressWithPrefix{Address: addr, PrefixLen: 24}, gateway: gw,
			mac: tcpip.LinkAddress(mac), mtu: 1500}
		l := newFrameLink(w, cfg.mac, cfg.mtu)
		s, err := newStack(l.endpoint(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		go l.run(ctx)
		return s
	}
	p := &netPair{
		a: mk(wa, addrA, addrB, "\x52\x54\x00\x12\x34\x56"),
		b: mk(wb, addrB, "", "\x52\x55\x0a\x00\x02\x02"),
	}
	t.Cleanup(func() {
		cancel()
		close(wa.done)
		p.a.Close()
		p.b.Close()
	})
	return p
}

// memChan is a client's channel in memory: bounded queues both ways (like a channel's ring) and
// a restart that discards what is in flight and shows netd one errPeerReset.
type memChan struct {
	toSrv, toCli chan []byte
	reset        chan struct{}
}

const memChanSlots = 16

func newMemChan() *memChan {
	return &memChan{toSrv: make(chan []byte, memChanSlots), toCli: make(chan []byte, memChanSlots),
		reset: make(chan struct{}, 1)}
}

// server side (netd's msgConn)
func (m *memChan) ReadMsg(b []byte) (int, error) {
	select {
	case <-m.reset:
		return 0, errPeerReset
	case msg := <-m.toSrv:
		return copy(b, msg), nil
	}
}

func (m *memChan) WriteMsg(b []byte) error {
	if len(b) > netprotoMsgMax {
		return syscall.EMSGSIZE
	}
	m.toCli <- append([]byte(nil), b...)
	return nil
}

// serveClient starts netd's server for one client of stack s and returns the test's client.
func serveClient(t *testing.T, s *stack.Stack, name string) *pclient {
	t.Helper()
	ch := newMemChan()
	c := newClient(name, ch, s, t.Logf)
	go c.serve()
	pc := &pclient{t: t, ch: ch, name: name, waits: map[uint32]chan msg{}, socks: map[uint32]*psock{}}
	pc.cond = sync.NewCond(&pc.mu)
	go pc.reader()
	pc.hello()
	return pc
}

type msg struct {
	h hdr
	p []byte
}

// psock is the test client's view of one socket: what netd pushed, and the send credit.
type psock struct {
	events []msg // DATA and events, in order
	credit int   // send credit left
	unread int   // DATA bytes taken from events but not credited back
}

// pclient is a protocol client as gort's remote backend would be, blocking and simple.
type pclient struct {
	t       *testing.T
	ch      *memChan
	name    string
	mu      sync.Mutex
	cond    *sync.Cond
	nextReq uint32
	helloID uint32 // messages before this HELLO's reply are a previous session's
	inSess  bool
	waits   map[uint32]chan msg
	socks   map[uint32]*psock
}

const waitFor = 20 * time.Second

func (c *pclient) reader() {
	for b := range c.ch.toCli {
		h, p, ok := decode(b)
		if !ok {
			c.t.Errorf("%s: bad message from netd: % x", c.name, b)
			continue
		}
		c.mu.Lock()
		if !c.inSess {
			if h.typ == netprotoTReply && h.req == c.helloID {
				c.inSess = true
			} else {
				c.mu.Unlock()
				continue
			}
		}
		switch h.typ {
		case netprotoTReply:
			if w := c.waits[h.req]; w != nil {
				delete(c.waits, h.req)
				w <- msg{h, p}
			} else {
				c.t.Errorf("%s: reply to no request: %+v", c.name, h)
			}
		case netprotoTCredit:
			if s := c.socks[h.sock]; s != nil {
				s.credit += int(h.val)
				if s.credit > netprotoWindow {
					c.t.Errorf("%s: socket %d: credit %d above the window", c.name, h.sock, s.credit)
				}
			}
		default:
			if s := c.socks[h.sock]; s != nil {
				s.events = append(s.events, msg{h, p})
			} else {
				c.t.Errorf("%s: message for unknown socket: %+v", c.name, h)
			}
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

func (c *pclient) post(h hdr, parts ...[]byte) {
	select {
	case c.ch.toSrv <- encode(h, parts...):
	case <-time.After(waitFor):
		c.t.Fatalf("%s: netd does not take messages", c.name)
	}
}

// call sends a request and waits for its reply.
func (c *pclient) call(typ uint16, sock uint32, val int32, parts ...[]byte) msg {
	c.t.Helper()
	m, ok := c.tryCall(typ, sock, val, parts...)
	if !ok {
		c.t.Fatalf("%s: no reply to request type %d (socket %d)", c.name, typ, sock)
	}
	return m
}

func (c *pclient) tryCall(typ uint16, sock uint32, val int32, parts ...[]byte) (msg, bool) {
	c.mu.Lock()
	c.nextReq++
	req := c.nextReq
	w := make(chan msg, 1)
	c.waits[req] = w
	c.mu.Unlock()
	c.post(hdr{typ: typ, sock: sock, req: req, val: val}, parts...)
	select {
	case m := <-w:
		return m, true
	case <-time.After(waitFor):
		return msg{}, false
	}
}

func (c *pclient) hello() {
	c.t.Helper()
	c.mu.Lock()
	c.nextReq++
	c.helloID = c.nextReq
	c.inSess = false
	w := make(chan msg, 1)
	c.waits = map[uint32]chan msg{c.helloID: w}
	c.socks = map[uint32]*psock{}
	c.mu.Unlock()
	c.post(hdr{typ: netprotoTHello, req: c.helloID, val: netprotoVersion})
	select {
	case m := <-w:
		if m.h.val != netprotoVersion {
			c.t.Fatalf("%s: HELLO: %d", c.name, m.h.val)
		}
	case <-time.After(waitFor):
		c.t.Fatalf("%s: no reply to HELLO", c.name)
	}
}

// restart is the client partition restarting: what is in flight is lost, netd sees the reset.
// The new session starts with hello.
func (c *pclient) restart() {
	c.t.Helper()
	c.mu.Lock()
	c.inSess = false
	c.helloID = 0
	c.mu.Unlock()
	for len(c.ch.toSrv) > 0 {
		<-c.ch.toSrv
	}
	c.ch.reset <- struct{}{}
}

func (c *pclient) addSock(id uint32) {
	c.mu.Lock()
	c.socks[id] = &psock{credit: netprotoWindow}
	c.mu.Unlock()
}

func (c *pclient) socket(typ int32) uint32 {
	c.t.Helper()
	r := c.call(netprotoTSocket, 0, 0, putI32s(syscall.AF_INET, typ, 0))
	if r.h.val <= 0 {
		c.t.Fatalf("%s: SOCKET: %v", c.name, syscall.Errno(-r.h.val))
	}
	c.addSock(uint32(r.h.val))
	return uint32(r.h.val)
}

func inet(addr tcpip.Address, port uint16) []byte {
	return sockaddr(tcpip.FullAddress{Addr: addr, Port: port})
}

func (c *pclient) mustOK(what string, r msg) {
	c.t.Helper()
	if r.h.val < 0 {
		c.t.Fatalf("%s: %s: %v", c.name, what, syscall.Errno(-r.h.val))
	}
}

// listen makes a TCP listener on port of addr.
func (c *pclient) listen(addr tcpip.Address, port uint16) uint32 {
	c.t.Helper()
	s := c.socket(syscall.SOCK_STREAM)
	c.mustOK("SETSOCKOPT", c.call(netprotoTSetsockopt, s, 0, putI32s(syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)))
	c.mustOK("BIND", c.call(netprotoTBind, s, 0, inet(addr, port)))
	c.mustOK("LISTEN", c.call(netprotoTListen, s, 16))
	return s
}

// next waits for the next DATA or event of a socket.
func (c *pclient) next(sock uint32) msg {
	c.t.Helper()
	m, ok := c.nextWithin(sock, waitFor)
	if !ok {
		c.t.Fatalf("%s: socket %d: nothing from netd in %v", c.name, sock, waitFor)
	}
	return m
}

func (c *pclient) nextWithin(sock uint32, d time.Duration) (msg, bool) {
	deadline := time.Now().Add(d)
	t := time.AfterFunc(d, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer t.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		s := c.socks[sock]
		if s != nil && len(s.events) > 0 {
			m := s.events[0]
			s.events = s.events[1:]
			if m.h.typ == netprotoTData {
				s.unread += len(m.p)
			}
			return m, true
		}
		if time.Now().After(deadline) {
			return msg{}, false
		}
		c.cond.Wait()
	}
}

// accept waits for a connection on a listener and accepts it.
func (c *pclient) accept(l uint32) (uint32, tcpip.FullAddress) {
	c.t.Helper()
	for {
		r := c.call(netprotoTAccept, l, 0)
		if r.h.val > 0 {
			c.addSock(uint32(r.h.val))
			a, _, _ := parseSockaddr(r.p)
			return uint32(r.h.val), a
		}
		if r.h.val != -int32(syscall.EAGAIN) {
			c.t.Fatalf("%s: ACCEPT: %v", c.name, syscall.Errno(-r.h.val))
		}
		if m := c.next(l); m.h.typ != netprotoTEvAccept {
			c.t.Fatalf("%s: listener: %+v, not EV_ACCEPT", c.name, m.h)
		}
	}
}

// connect connects a TCP socket and waits for EV_CONNECTED; it returns its errno (0: connected).
func (c *pclient) connect(addr tcpip.Address, port uint16) (uint32, syscall.Errno) {
	c.t.Helper()
	s := c.socket(syscall.SOCK_STREAM)
	r := c.call(netprotoTConnect, s, 0, inet(addr, port))
	if r.h.val == 0 {
		return s, 0
	}
	if r.h.val != -int32(syscall.EINPROGRESS) {
		return s, syscall.Errno(-r.h.val)
	}
	m := c.next(s)
	if m.h.typ != netprotoTEvConnected {
		c.t.Fatalf("%s: after CONNECT: %+v", c.name, m.h)
	}
	return s, syscall.Errno(-m.h.val)
}

// write sends data on a socket, as fast as its credit allows.
func (c *pclient) write(sock uint32, data []byte) {
	c.t.Helper()
	for len(data) > 0 {
		n := len(data)
		if n > netprotoDataMax {
			n = netprotoDataMax
		}
		c.mu.Lock()
		deadline := time.Now().Add(waitFor)
		for c.socks[sock].credit < n {
			if time.Now().After(deadline) {
				c.mu.Unlock()
				c.t.Fatalf("%s: socket %d: no credit in %v", c.name, sock, waitFor)
			}
			t := time.AfterFunc(time.Second, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
			c.cond.Wait()
			t.Stop()
		}
		c.socks[sock].credit -= n
		c.mu.Unlock()
		c.post(hdr{typ: netprotoTData, sock: sock}, data[:n])
		data = data[n:]
	}
}

// giveCredit returns what the test has read of a socket.
func (c *pclient) giveCredit(sock uint32) {
	c.mu.Lock()
	n := c.socks[sock].unread
	c.socks[sock].unread = 0
	c.mu.Unlock()
	if n > 0 {
		c.post(hdr{typ: netprotoTCredit, sock: sock, val: int32(n)})
	}
}

// read reads exactly n bytes of a stream (returning credit as it goes); then it expects more
// (eof false) or EV_EOF (eof true).
func (c *pclient) read(sock uint32, n int) []byte {
	c.t.Helper()
	var out bytes.Buffer
	for out.Len() < n {
		m := c.next(sock)
		if m.h.typ != netprotoTData {
			c.t.Fatalf("%s: socket %d: %+v after %d of %d bytes", c.name, sock, m.h, out.Len(), n)
		}
		out.Write(m.p)
		c.giveCredit(sock)
	}
	if out.Len() != n {
		c.t.Fatalf("%s: socket %d: %d bytes, not %d", c.name, sock, out.Len(), n)
	}
	return out.Bytes()
}

// pattern is n bytes no two 4 KiB pieces of which are alike.
func pattern(n int, seed uint32) []byte {
	b := make([]byte, n)
	x := seed
	for i := 0; i < n; i += 4 {
		x = x*1664525 + 1013904223
		var w [4]byte
		binary.LittleEndian.PutUint32(w[:], x)
		copy(b[i:], w[:])
	}
	return b
}
