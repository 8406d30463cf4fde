package main

import (
	"bytes"
	"syscall"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// connected returns a TCP connection between a client of stack B (listening on 10.0.2.2:port)
// and a client of stack A (connecting), as (a's socket, b's socket).
func connected(t *testing.T, ca, cb *pclient, port uint16) (uint32, uint32) {
	t.Helper()
	l := cb.listen(addrB, port)
	sa, errno := ca.connect(addrB, port)
	if errno != 0 {
		t.Fatalf("connect: %v", errno)
	}
	sb, peer := cb.accept(l)
	if peer.Addr != addrA {
		t.Fatalf("accepted a connection from %v, not 10.0.2.15", peer.Addr)
	}
	return sa, sb
}

func TestTCPTransferBothWays(t *testing.T) {
	p := newNetPair(t)
	ca, cb := serveClient(t, p.a, "a"), serveClient(t, p.b, "b")
	sa, sb := connected(t, ca, cb, 8080)

	r := ca.call(netprotoTGetsockname, sa, 0)
	if a, _, _ := parseSockaddr(r.p); r.h.val != 0 || a.Addr != addrA || a.Port == 0 {
		t.Fatalf("GETSOCKNAME: %d %v", r.h.val, a)
	}
	r = ca.call(netprotoTGetpeername, sa, 0)
	if a, _, _ := parseSockaddr(r.p); r.h.val != 0 || a.Addr != addrB || a.Port != 8080 {
		t.Fatalf("GETPEERNAME: %d %v", r.h.val, a)
	}

	const size = 1 << 20
	up, down := pattern(size, 1), pattern(size, 2)
	done := make(chan struct{})
	go func() { ca.write(sa, up); cb.write(sb, down); close(done) }()
	if got := cb.read(sb, size); !bytes.Equal(got, up) {
		t.Fatalf("A to B: the 1 MiB differs")
	}
	if got := ca.read(sa, size); !bytes.Equal(got, down) {
		t.Fatalf("B to A: the 1 MiB differs")
	}
	<-done

	// A closes: B reads EOF after the last byte, and B's close ends it.
	ca.write(sa, []byte("last"))
	ca.mustOK("CLOSE", ca.call(netprotoTClose, sa, 0))
	if got := cb.read(sb, 4); string(got) != "last" {
		t.Fatalf("after close: %q", got)
	}
	if m := cb.next(sb); m.h.typ != netprotoTEvEOF {
		t.Fatalf("after the last byte: %+v, not EV_EOF", m.h)
	}
	cb.mustOK("CLOSE", cb.call(netprotoTClose, sb, 0))
	if r := ca.call(netprotoTGetpeername, sa, 0); r.h.val != -int32(syscall.EBADF) {
		t.Fatalf("a closed socket's id: %d, not -EBADF", r.h.val)
	}
}

func TestShutdownWriteSendsEOFAfterData(t *testing.T) {
	p := newNetPair(t)
	ca, cb := serveClient(t, p.a, "a"), serveClient(t, p.b, "b")
	sa, sb := connected(t, ca, cb, 8081)
	ca.write(sa, []byte("half"))
	ca.mustOK("SHUTDOWN", ca.call(netprotoTShutdown, sa, syscall.SHUT_WR))
	if got := cb.read(sb, 4); string(got) != "half" {
		t.Fatalf("got %q", got)
	}
	if m := cb.next(sb); m.h.typ != netprotoTEvEOF {
		t.Fatalf("%+v, not EV_EOF", m.h)
	}
	// The other way still works.
	cb.write(sb, []byte("back"))
	if got := ca.read(sa, 4); string(got) != "back" {
		t.Fatalf("got %q", got)
	}
}

func TestConnectRefused(t *testing.T) {
	p := newNetPair(t)
	ca := serveClient(t, p.a, "a")
	serveClient(t, p.b, "b")
	if _, errno := ca.connect(addrB, 9); errno != syscall.ECONNREFUSED {
		t.Fatalf("connect to a closed port: %v, not ECONNREFUSED", errno)
	}
}

// A reader that stops reading: netd pushes at most a window of DATA to it, the sender's
// credit stops coming back (so netd holds at most a window of the sender's data too), and
// nothing is lost when the reader resumes.
func TestFlowControlBoundsBuffering(t *testing.T) {
	p := newNetPair(t)
	ca, cb := serveClient(t, p.a, "a"), serveClient(t, p.b, "b")
	sa, sb := connected(t, ca, cb, 8082)
	const size = 4 << 20
	data := pattern(size, 3)
	wrote := make(chan struct{})
	go func() { ca.write(sa, data); close(wrote) }()

	// Let the sender run into the window, then count what reached B unread.
	time.Sleep(2 * time.Second)
	cb.mu.Lock()
	pushed := 0
	for _, m := range cb.socks[sb].events {
		pushed += len(m.p)
	}
	cb.mu.Unlock()
	if pushed == 0 || pushed > netprotoWindow {
		t.Fatalf("netd pushed %d unread bytes to a reader that does not read (window %d)", pushed, netprotoWindow)
	}
	select {
	case <-wrote:
		t.Fatalf("the whole %d bytes went out while the reader read nothing", size)
	default:
	}
	ca.mu.Lock()
	held := netprotoWindow - ca.socks[sa].credit
	ca.mu.Unlock()
	if held > netprotoWindow {
		t.Fatalf("netd A holds %d bytes of the sender's", held)
	}
	if got := cb.read(sb, size); !bytes.Equal(got, data) {
		t.Fatalf("after the stall the data differs")
	}
	<-wrote
}

// A client that sends past its credit, to a peer that does not read, has the socket failed
// with ENOBUFS once netd would hold more than a window of its data.
func TestDataPastCreditFailsTheSocket(t *testing.T) {
	p := newNetPair(t)
	ca, cb := serveClient(t, p.a, "a"), serveClient(t, p.b, "b")
	sa, _ := connected(t, ca, cb, 8085)
	chunk := make([]byte, netprotoDataMax)
	for sent := 0; sent < 4<<20; sent += len(chunk) {
		ca.mu.Lock()
		ca.socks[sa].credit -= len(chunk) // spent, credit or not
		ca.mu.Unlock()
		ca.post(hdr{typ: netprotoTData, sock: sa}, chunk)
		ca.mu.Lock()
		n := len(ca.socks[sa].events)
		ca.mu.Unlock()
		if n > 0 {
			break
		}
	}
	m := ca.next(sa)
	if m.h.typ != netprotoTEvError || m.h.val != -int32(syscall.ENOBUFS) {
		t.Fatalf("after data past the credit: %+v, not EV_ERROR -ENOBUFS", m.h)
	}
}

func TestUDPBothWays(t *testing.T) {
	p := newNetPair(t)
	ca, cb := serveClient(t, p.a, "a"), serveClient(t, p.b, "b")
	ua := ca.socket(syscall.SOCK_DGRAM)
	ca.mustOK("BIND", ca.call(netprotoTBind, ua, 0, inet("\x00\x00\x00\x00", 5353)))
	ub := cb.socket(syscall.SOCK_DGRAM)
	ping := pattern(1200, 4)
	cb.write(ub, append(inet(addrA, 5353), ping...))
	m := ca.next(ua)
	from, _, _ := parseSockaddr(m.p)
	if m.h.typ != netprotoTData || from.Addr != addrB || !bytes.Equal(m.p[netprotoSockaddrSize:], ping) {
		t.Fatalf("A got %+v from %v (%d bytes)", m.h, from, len(m.p))
	}
	ca.giveCredit(ua)
	// Answer to the source, with AF_UNSPEC after a CONNECT.
	ca.mustOK("CONNECT", ca.call(netprotoTConnect, ua, 0, inet(from.Addr, from.Port)))
	pong := pattern(300, 5)
	ca.write(ua, append(make([]byte, netprotoSockaddrSize), pong...))
	m = cb.next(ub)
	src, _, _ := parseSockaddr(m.p)
	if m.h.typ != netprotoTData || src.Addr != addrA || src.Port != 5353 || !bytes.Equal(m.p[netprotoSockaddrSize:], pong) {
		t.Fatalf("B got %+v from %v", m.h, src)
	}
}

// A client that restarts has its sockets closed by netd: the peer sees the end, the port is
// free again, and the old ids are gone.
func TestClientRestartClosesItsSockets(t *testing.T) {
	p := newNetPair(t)
	ca, cb := serveClient(t, p.a, "a"), serveClient(t, p.b, "b")
	sa, sb := connected(t, ca, cb, 8083)
	ua := ca.socket(syscall.SOCK_DGRAM)
	ca.mustOK("BIND", ca.call(netprotoTBind, ua, 0, inet("\x00\x00\x00\x00", 6000)))
	ca.restart()
	// The reset alone closes them (the restarted client has said nothing yet).
	if m := cb.next(sb); m.h.typ != netprotoTEvEOF && m.h.typ != netprotoTEvError {
		t.Fatalf("the peer of a restarted client's socket: %+v", m.h)
	}
	ca.hello()
	for _, id := range []uint32{sa, ua} {
		if r := ca.call(netprotoTGetsockname, id, 0); r.h.val != -int32(syscall.EBADF) {
			t.Fatalf("socket %d of the old session: %d, not -EBADF", id, r.h.val)
		}
	}
	u := ca.socket(syscall.SOCK_DGRAM)
	ca.mustOK("BIND again", ca.call(netprotoTBind, u, 0, inet("\x00\x00\x00\x00", 6000)))
}

// One client is held to NETPROTO_MAX_SOCKETS; another on the same netd goes on being served,
// and so does it while a third client has stopped reading netd's replies altogether.
func TestPerClientLimits(t *testing.T) {
	p := newNetPair(t)
	flood, other, cb := serveClient(t, p.a, "flood"), serveClient(t, p.a, "other"), serveClient(t, p.b, "b")
	for i := 0; i < netprotoMaxSockets; i++ {
		flood.socket(syscall.SOCK_STREAM)
	}
	r := flood.call(netprotoTSocket, 0, 0, putI32s(syscall.AF_INET, syscall.SOCK_STREAM, 0))
	if r.h.val != -int32(syscall.EMFILE) {
		t.Fatalf("socket %d of one client: %d, not -EMFILE", netprotoMaxSockets+1, r.h.val)
	}
	// A client that never reads: its requests pile up until its own loop waits.
	deaf := newMemChan()
	go newClient("deaf", deaf, p.a, t.Logf).serve()
	go func() {
		for i := uint32(1); i < 100000; i++ {
			select {
			case deaf.toSrv <- encode(hdr{typ: netprotoTGetsockname, sock: 1, req: i}):
			case <-time.After(5 * time.Second):
				return
			}
		}
	}()
	time.Sleep(200 * time.Millisecond)
	sa, sb := connected(t, other, cb, 8084)
	data := pattern(256<<10, 6)
	go other.write(sa, data)
	if got := cb.read(sb, len(data)); !bytes.Equal(got, data) {
		t.Fatalf("the other client's data differs")
	}
	// The flooding client's sockets are its own: closing one makes room for one.
	flood.mustOK("CLOSE", flood.call(netprotoTClose, 1, 0))
	flood.socket(syscall.SOCK_DGRAM)
}

func TestBadRequests(t *testing.T) {
	p := newNetPair(t)
	ca := serveClient(t, p.a, "a")
	cases := []struct {
		what string
		typ  uint16
		sock uint32
		val  int32
		p    []byte
		want syscall.Errno
	}{
		{"AF_INET6", netprotoTSocket, 0, 0, putI32s(syscall.AF_INET6, syscall.SOCK_STREAM, 0), syscall.EAFNOSUPPORT},
		{"SOCK_RAW", netprotoTSocket, 0, 0, putI32s(syscall.AF_INET, syscall.SOCK_RAW, 0), syscall.ESOCKTNOSUPPORT},
		{"short SOCKET", netprotoTSocket, 0, 0, putI32s(syscall.AF_INET), syscall.EINVAL},
		{"no such socket", netprotoTBind, 77, 0, inet(addrA, 1), syscall.EBADF},
	}
	for _, tc := range cases {
		if r := ca.call(tc.typ, tc.sock, tc.val, tc.p); r.h.val != -int32(tc.want) {
			t.Errorf("%s: %d, not -%v", tc.what, r.h.val, tc.want)
		}
	}
	s := ca.socket(syscall.SOCK_STREAM)
	if r := ca.call(netprotoTBind, s, 0, sockaddr(tcpip.FullAddress{Addr: addrA})[:8]); r.h.val != -int32(syscall.EINVAL) {
		t.Errorf("short sockaddr: %d", r.h.val)
	}
	if r := ca.call(netprotoTSetsockopt, s, 0, putI32s(syscall.SOL_SOCKET, 9999, 1)); r.h.val != -int32(syscall.ENOPROTOOPT) {
		t.Errorf("unknown option: %d", r.h.val)
	}
	ca.mustOK("TCP_NODELAY", ca.call(netprotoTSetsockopt, s, 0, putI32s(syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)))
	if r := ca.call(netprotoTGetsockopt, s, 0, putI32s(syscall.IPPROTO_TCP, syscall.TCP_NODELAY)); r.h.val != 0 || le.Uint32(r.p) != 1 {
		t.Errorf("TCP_NODELAY reads back %d %v", r.h.val, r.p)
	}
	if r := ca.call(netprotoTGetsockopt, s, 0, putI32s(syscall.SOL_SOCKET, syscall.SO_TYPE)); r.h.val != 0 || le.Uint32(r.p) != syscall.SOCK_STREAM {
		t.Errorf("SO_TYPE %d %v", r.h.val, r.p)
	}
	// Garbage is dropped and the client goes on being served.
	ca.post(hdr{typ: 999, sock: s})
	ca.ch.toSrv <- []byte{1, 2, 3}
	ca.mustOK("after garbage", ca.call(netprotoTGetsockname, s, 0))
}

// A connection that waits while its client is at NETPROTO_MAX_SOCKETS (ACCEPT answered -EMFILE)
// is announced again (EV_ACCEPT) once one of the client's sockets is closed: netstack says
// nothing more of a backlog it already reported, so netd must.
func TestAcceptAfterEMFILE(t *testing.T) {
	p := newNetPair(t)
	ca, cb := serveClient(t, p.a, "a"), serveClient(t, p.b, "b")
	l := ca.listen("\x00\x00\x00\x00", 8090)
	var filler []uint32
	for i := 0; i < netprotoMaxSockets-1; i++ {
		filler = append(filler, ca.socket(syscall.SOCK_DGRAM))
	}
	if _, e := cb.connect(addrA, 8090); e != 0 {
		t.Fatalf("connect: %v", e)
	}
	if m := ca.next(l); m.h.typ != netprotoTEvAccept {
		t.Fatalf("listener: %+v, not EV_ACCEPT", m.h)
	}
	if r := ca.call(netprotoTAccept, l, 0); r.h.val != -int32(syscall.EMFILE) {
		t.Fatalf("ACCEPT at the limit: %d, not -EMFILE", r.h.val)
	}
	ca.mustOK("CLOSE", ca.call(netprotoTClose, filler[0], 0))
	if m, ok := ca.nextWithin(l, 2*time.Second); !ok || m.h.typ != netprotoTEvAccept {
		t.Fatalf("after a close, the waiting connection was not announced again (%v %+v)", ok, m.h)
	}
	if s, _ := ca.accept(l); s == 0 {
		t.Fatalf("no socket accepted")
	}
}
