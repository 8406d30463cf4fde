package main

import (
	"bytes"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/waiter"
)

// sock is one of a client's sockets: a netstack endpoint and the two credit windows.
type sock struct {
	id     uint32
	ep     tcpip.Endpoint
	wq     *waiter.Queue
	entry  waiter.Entry
	stream bool // TCP; else UDP

	// queued is set while the socket is on the client's ready list (guarded by client.mu).
	queued bool

	// The client's DATA that netstack has not taken yet (at most NETPROTO_WINDOW bytes: the
	// client's send credit), and what netstack took since the last CREDIT went out.
	pending  [][]byte
	pendingN int
	taken    int

	// How many more bytes of DATA payload netd may push (the client's ring's free room).
	recvCredit int

	connecting  bool // a CONNECT was answered -EINPROGRESS, EV_CONNECTED not yet sent
	listening   bool
	acceptArmed bool // send EV_ACCEPT when a connection waits
	shutWr      bool // SHUT_WR asked for: done once pending is empty
	closing     bool // CLOSE asked for: closed once pending is empty
	eof, failed bool // EV_EOF / EV_ERROR sent: nothing more is read
}

const sockEvents = waiter.EventIn | waiter.EventOut | waiter.EventErr | waiter.EventHUp

func (c *client) addSock(ep tcpip.Endpoint, wq *waiter.Queue, stream bool) *sock {
	s := &sock{id: c.nextID, ep: ep, wq: wq, stream: stream, recvCredit: netprotoWindow}
	c.nextID++
	if c.nextID == 0 {
		c.nextID = 1
	}
	s.entry = waiter.NewFunctionEntry(sockEvents, func(waiter.EventMask) { c.markReady(s) })
	wq.EventRegister(&s.entry)
	c.socks[s.id] = s
	return s
}

// release closes the endpoint and forgets its callbacks.
func (s *sock) release() {
	s.wq.EventUnregister(&s.entry)
	s.ep.Close()
	s.pending, s.pendingN = nil, 0
}

// fail sends EV_ERROR once; the socket then only waits for the client's CLOSE.
func (c *client) fail(s *sock, errno int32) {
	if s.failed || s.closing {
		return
	}
	s.failed = true
	s.pending, s.pendingN = nil, 0
	c.send(hdr{typ: netprotoTEvError, sock: s.id, val: errno})
}

// service does what the socket's state allows, in order: hand the client's data to netstack
// (and return the credit), finish a shutdown or close, report a finished connect or a waiting
// connection, push received data while the client has room.
func (c *client) service(s *sock) {
	c.flush(s)
	if c.socks[s.id] != s {
		return
	}
	if s.connecting {
		if s.ep.Readiness(waiter.EventOut|waiter.EventErr|waiter.EventHUp) == 0 {
			return
		}
		s.connecting = false
		errno := errnoOf(s.ep.LastError())
		c.send(hdr{typ: netprotoTEvConnected, sock: s.id, val: errno})
		if errno != 0 {
			s.failed = true
			return
		}
	}
	if s.listening {
		if s.acceptArmed && s.ep.Readiness(waiter.ReadableEvents)&waiter.EventIn != 0 {
			s.acceptArmed = false
			c.send(hdr{typ: netprotoTEvAccept, sock: s.id})
		}
		return
	}
	if s.stream {
		c.pushStream(s)
	} else {
		c.pushDgrams(s)
	}
}

// flush hands pending DATA to netstack as far as it takes it.
func (c *client) flush(s *sock) {
	for len(s.pending) > 0 && !s.failed {
		p := s.pending[0]
		var opts tcpip.WriteOptions
		body := p
		if !s.stream {
			to, family, _ := parseSockaddr(p)
			if family != 0 {
				to.NIC = 0
				opts.To = &to
			}
			body = p[netprotoSockaddrSize:]
		}
		n, err := s.ep.Write(bytes.NewReader(body), opts)
		if _, ok := err.(*tcpip.ErrWouldBlock); ok {
			break
		}
		if err != nil {
			c.fail(s, errnoOf(err))
			break
		}
		if s.stream && int(n) < len(body) {
			s.pending[0] = p[n:]
			s.pendingN -= int(n)
			s.taken += int(n)
			continue
		}
		s.pending = s.pending[1:]
		s.pendingN -= len(p)
		s.taken += len(p)
	}
	if s.taken > 0 && !s.closing {
		c.send(hdr{typ: netprotoTCredit, sock: s.id, val: int32(s.taken)})
	}
	s.taken = 0
	if len(s.pending) > 0 && !s.failed {
		return
	}
	if s.shutWr {
		s.shutWr = false
		s.ep.Shutdown(tcpip.ShutdownWrite)
	}
	if s.closing {
		s.release()
		delete(c.socks, s.id)
		if len(c.socks) == netprotoMaxSockets-1 {
			c.rearmListeners()
		}
	}
}

// rearmListeners looks at the client's listeners again once it is back under its socket limit:
// an ACCEPT answered -EMFILE left its connection in the backlog, and netstack, which reported
// that backlog once, says nothing more of it.
func (c *client) rearmListeners() {
	for _, l := range c.socks {
		if l.listening {
			c.markReady(l)
		}
	}
}

func (c *client) pushStream(s *sock) {
	for s.recvCredit > 0 && !s.eof && !s.failed {
		buf := make([]byte, min(s.recvCredit, netprotoDataMax))
		w := tcpip.SliceWriter(buf)
		res, err := s.ep.Read(&w, tcpip.ReadOptions{})
		switch err.(type) {
		case nil:
		case *tcpip.ErrWouldBlock:
			return
		case *tcpip.ErrClosedForReceive:
			s.eof = true
			c.send(hdr{typ: netprotoTEvEOF, sock: s.id})
			return
		default:
			c.fail(s, errnoOf(err))
			return
		}
		if res.Count == 0 {
			return
		}
		s.recvCredit -= res.Count
		c.send(hdr{typ: netprotoTData, sock: s.id}, buf[:res.Count])
	}
}

// pushDgrams pushes whole datagrams while a largest one fits the client's room (a datagram
// waits in netstack's receive buffer meanwhile, and past it netstack drops, as UDP does).
func (c *client) pushDgrams(s *sock) {
	for errs := 0; s.recvCredit >= netprotoDataMax && !s.failed && errs < 4; {
		buf := make([]byte, netprotoDgramMax)
		w := tcpip.SliceWriter(buf)
		res, err := s.ep.Read(&w, tcpip.ReadOptions{NeedRemoteAddr: true})
		switch err.(type) {
		case nil:
		case *tcpip.ErrWouldBlock, *tcpip.ErrClosedForReceive:
			return
		default:
			// A datagram socket's error (an ICMP unreachable) is not fatal: netstack clears it.
			errs++
			continue
		}
		var flags uint16
		if res.Total > res.Count {
			flags = netprotoFTrunc
		}
		s.recvCredit -= netprotoSockaddrSize + res.Count
		c.send(hdr{typ: netprotoTData, sock: s.id, flags: flags}, sockaddr(res.RemoteAddr), buf[:res.Count])
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
