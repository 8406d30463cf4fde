package main

import (
	"fmt"
	"sync"
	"sync/atomic"

	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// How many messages netd queues for one client before that client's own loop waits (its
// channel is full: the client is not reading). Only that client waits; the others are served
// by their own loops.
const outQueueLen = 64

// How many bad-message lines one client may cause per session (then they are counted only).
const maxBadLines = 8

// outMsg is one message for the client, tagged with the session it belongs to: the writer drops
// what was queued for a session that has ended.
type outMsg struct {
	session uint64
	b       []byte
}

// client is one client partition on its channel. One goroutine (serve) owns every field
// below mu; the reader and writer goroutines only move messages, and netstack's callbacks only
// mark sockets ready.
type client struct {
	name string
	conn msgConn
	st   *stack.Stack
	logf func(format string, args ...any)

	in      chan []byte // messages from the client; nil entry = the client restarted
	out     chan outMsg
	session atomic.Uint64

	mu       sync.Mutex
	ready    []*sock
	readyNow chan struct{} // one token: ready is not empty

	socks  map[uint32]*sock
	nextID uint32
	bad    int
}

func newClient(name string, conn msgConn, st *stack.Stack, logf func(string, ...any)) *client {
	return &client{
		name: name, conn: conn, st: st, logf: logf,
		in:       make(chan []byte, 1),
		out:      make(chan outMsg, outQueueLen),
		readyNow: make(chan struct{}, 1),
		socks:    map[uint32]*sock{},
		nextID:   1,
	}
}

// serve runs the client until its channel fails for good (never, on gort).
func (c *client) serve() error {
	errc := make(chan error, 1)
	go c.reader(errc)
	go c.writer()
	defer close(c.out)
	for {
		select {
		case m := <-c.in:
			if m == nil {
				c.logf("netd: client %s restarted: closing its %d socket(s)", c.name, len(c.socks))
				c.closeAll()
				continue
			}
			c.handle(m)
		case <-c.readyNow:
			c.serviceReady()
		case err := <-errc:
			c.closeAll()
			return err
		}
	}
}

func (c *client) reader(errc chan<- error) {
	for {
		buf := make([]byte, netprotoMsgMax)
		n, err := c.conn.ReadMsg(buf)
		if err == errPeerReset {
			c.in <- nil
			continue
		}
		if err != nil {
			errc <- fmt.Errorf("client %s: read: %w", c.name, err)
			return
		}
		c.in <- buf[:n]
	}
}

// writer posts queued messages; one that fails is dropped (a restarted client discards what
// arrives before its HELLO's reply, docs/netproto.md).
func (c *client) writer() {
	for m := range c.out {
		if m.session != c.session.Load() {
			continue
		}
		_ = c.conn.WriteMsg(m.b)
	}
}

func (c *client) send(h hdr, parts ...[]byte) {
	c.out <- outMsg{session: c.session.Load(), b: encode(h, parts...)}
}

func (c *client) reply(req hdr, val int32, parts ...[]byte) {
	c.send(hdr{typ: netprotoTReply, sock: req.sock, req: req.req, val: val}, parts...)
}

// badf reports a malformed message from the client: one line (the first few per session).
func (c *client) badf(format string, args ...any) {
	c.bad++
	if c.bad <= maxBadLines {
		c.logf("netd: client %s: "+format, append([]any{c.name}, args...)...)
	}
}

// markReady is netstack's callback: the socket has something to do. It runs inside netstack,
// so it only queues the socket and wakes the loop.
func (c *client) markReady(s *sock) {
	c.mu.Lock()
	if !s.queued {
		s.queued = true
		c.ready = append(c.ready, s)
	}
	c.mu.Unlock()
	select {
	case c.readyNow <- struct{}{}:
	default:
	}
}

func (c *client) serviceReady() {
	c.mu.Lock()
	list := c.ready
	c.ready = nil
	for _, s := range list {
		s.queued = false
	}
	c.mu.Unlock()
	for _, s := range list {
		if c.socks[s.id] == s {
			c.service(s)
		}
	}
}

// closeAll ends the session: every socket of the client is closed, and what was queued for it
// is dropped.
func (c *client) closeAll() {
	for _, s := range c.socks {
		s.release()
	}
	c.socks = map[uint32]*sock{}
	c.bad = 0
	c.session.Add(1)
}
