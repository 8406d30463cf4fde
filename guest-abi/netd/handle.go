package main

import (
	"syscall"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

func neg(e syscall.Errno) int32 { return -int32(e) }

// handle is one message from the client.
func (c *client) handle(m []byte) {
	h, p, ok := decode(m)
	if !ok {
		c.badf("a message of %d bytes (a header is %d, the most %d): dropped", len(m), netprotoHdrSize, netprotoMsgMax)
		return
	}
	switch h.typ {
	case netprotoTHello:
		c.closeAll()
		if h.val != netprotoVersion {
			c.reply(h, neg(syscall.EPROTONOSUPPORT))
			return
		}
		c.reply(h, netprotoVersion)
		return
	case netprotoTSocket:
		c.socket(h, p)
		return
	}
	s := c.socks[h.sock]
	if s != nil && s.closing {
		s = nil
	}
	switch h.typ {
	case netprotoTData:
		if s != nil {
			c.data(s, p)
		}
		return
	case netprotoTCredit:
		if s != nil {
			c.credit(s, h.val)
		}
		return
	}
	if h.typ < netprotoTHello || h.typ > netprotoTClose {
		c.badf("message type %d (socket %d): dropped", h.typ, h.sock)
		return
	}
	if s == nil {
		c.reply(h, neg(syscall.EBADF))
		return
	}
	switch h.typ {
	case netprotoTBind:
		c.reply(h, c.bind(s, p))
	case netprotoTListen:
		c.reply(h, c.listen(s, h.val))
	case netprotoTAccept:
		c.accept(s, h)
	case netprotoTConnect:
		c.connect(s, h, p)
	case netprotoTGetsockname, netprotoTGetpeername:
		get := s.ep.GetLocalAddress
		if h.typ == netprotoTGetpeername {
			get = s.ep.GetRemoteAddress
		}
		a, err := get()
		if err != nil {
			c.reply(h, errnoOf(err))
			return
		}
		c.reply(h, 0, sockaddr(a))
	case netprotoTSetsockopt:
		v, ok := i32s(p, 3)
		if !ok {
			c.reply(h, neg(syscall.EINVAL))
			return
		}
		c.reply(h, setsockopt(s, v[0], v[1], v[2]))
	case netprotoTGetsockopt:
		v, ok := i32s(p, 2)
		if !ok {
			c.reply(h, neg(syscall.EINVAL))
			return
		}
		val, errno := getsockopt(s, v[0], v[1])
		if errno != 0 {
			c.reply(h, errno)
			return
		}
		c.reply(h, 0, putI32s(val))
	case netprotoTShutdown:
		c.reply(h, c.shutdown(s, h.val))
	case netprotoTClose:
		s.closing = true
		c.reply(h, 0)
		c.flush(s)
	}
}

func (c *client) socket(h hdr, p []byte) {
	v, ok := i32s(p, 3)
	if !ok {
		c.reply(h, neg(syscall.EINVAL))
		return
	}
	domain, typ, proto := v[0], v[1]&^(syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC), v[2]
	if domain != syscall.AF_INET {
		c.reply(h, neg(syscall.EAFNOSUPPORT))
		return
	}
	var tp tcpip.TransportProtocolNumber
	switch {
	case typ == syscall.SOCK_STREAM && (proto == 0 || proto == syscall.IPPROTO_TCP):
		tp = tcp.ProtocolNumber
	case typ == syscall.SOCK_DGRAM && (proto == 0 || proto == syscall.IPPROTO_UDP):
		tp = udp.ProtocolNumber
	case typ == syscall.SOCK_STREAM || typ == syscall.SOCK_DGRAM:
		c.reply(h, neg(syscall.EPROTONOSUPPORT))
		return
	default:
		c.reply(h, neg(syscall.ESOCKTNOSUPPORT))
		return
	}
	if len(c.socks) >= netprotoMaxSockets {
		c.reply(h, neg(syscall.EMFILE))
		return
	}
	wq := &waiter.Queue{}
	ep, err := c.st.NewEndpoint(tp, ipv4.ProtocolNumber, wq)
	if err != nil {
		c.reply(h, errnoOf(err))
		return
	}
	s := c.addSock(ep, wq, tp == tcp.ProtocolNumber)
	c.reply(h, int32(s.id))
}

// inetAddr reads a sockaddr_in payload: an AF_INET one, or an error for the reply.
func inetAddr(p []byte) (tcpip.FullAddress, int32) {
	a, family, ok := parseSockaddr(p)
	if !ok {
		return a, neg(syscall.EINVAL)
	}
	if family != syscall.AF_INET {
		return a, neg(syscall.EAFNOSUPPORT)
	}
	if a.Addr == "\x00\x00\x00\x00" {
		a.Addr = ""
	}
	return a, 0
}

func (c *client) bind(s *sock, p []byte) int32 {
	a, errno := inetAddr(p)
	if errno != 0 {
		return errno
	}
	return errnoOf(s.ep.Bind(a))
}

func (c *client) listen(s *sock, backlog int32) int32 {
	if !s.stream {
		return neg(syscall.EOPNOTSUPP)
	}
	if backlog > netprotoMaxBacklog {
		backlog = netprotoMaxBacklog
	}
	if backlog < 1 {
		backlog = 1
	}
	if err := s.ep.Listen(int(backlog)); err != nil {
		return errnoOf(err)
	}
	s.listening, s.acceptArmed = true, true
	c.service(s)
	return 0
}

func (c *client) accept(s *sock, h hdr) {
	if !s.listening {
		c.reply(h, neg(syscall.EINVAL))
		return
	}
	s.acceptArmed = true
	if len(c.socks) >= netprotoMaxSockets {
		c.reply(h, neg(syscall.EMFILE))
		return
	}
	var peer tcpip.FullAddress
	ep, wq, err := s.ep.Accept(&peer)
	if err != nil {
		c.reply(h, errnoOf(err)) // ErrWouldBlock is -EAGAIN
		c.service(s)
		return
	}
	ns := c.addSock(ep, wq, true)
	var flags uint16
	if s.ep.Readiness(waiter.ReadableEvents)&waiter.EventIn != 0 {
		flags = netprotoFMore
		s.acceptArmed = false
	}
	c.send(hdr{typ: netprotoTReply, flags: flags, sock: h.sock, req: h.req, val: int32(ns.id)}, sockaddr(peer))
	c.service(ns)
	if onAccepted != nil {
		onAccepted()
	}
}

// onAccepted is called after each connection handed to a client (main's -exit-after-accepts).
var onAccepted func()

func (c *client) connect(s *sock, h hdr, p []byte) {
	a, errno := inetAddr(p)
	if errno != 0 {
		c.reply(h, errno)
		return
	}
	err := s.ep.Connect(a)
	if _, ok := err.(*tcpip.ErrConnectStarted); ok {
		s.connecting = true
		c.reply(h, neg(syscall.EINPROGRESS))
		c.service(s)
		return
	}
	c.reply(h, errnoOf(err))
	if err == nil {
		c.service(s)
	}
}

func (c *client) shutdown(s *sock, how int32) int32 {
	var f tcpip.ShutdownFlags
	switch how {
	case syscall.SHUT_RD:
		f = tcpip.ShutdownRead
	case syscall.SHUT_WR:
		s.shutWr = true
	case syscall.SHUT_RDWR:
		f = tcpip.ShutdownRead
		s.shutWr = true
	default:
		return neg(syscall.EINVAL)
	}
	if f != 0 {
		if err := s.ep.Shutdown(f); err != nil {
			s.shutWr = false
			return errnoOf(err)
		}
	}
	c.flush(s)
	return 0
}

// data is the client's DATA: netd keeps it until netstack takes it, within the client's credit.
func (c *client) data(s *sock, p []byte) {
	if s.failed {
		return // the client learns of the error from EV_ERROR; its data is dropped
	}
	if len(p) == 0 || (!s.stream && len(p) < netprotoSockaddrSize) {
		c.badf("socket %d: DATA of %d bytes: dropped", s.id, len(p))
		return
	}
	if s.pendingN+len(p) > netprotoWindow {
		c.badf("socket %d: DATA past its credit (%d + %d > %d): the socket is failed", s.id, s.pendingN, len(p), netprotoWindow)
		c.fail(s, neg(syscall.ENOBUFS))
		return
	}
	s.pending = append(s.pending, p)
	s.pendingN += len(p)
	c.flush(s)
}

func (c *client) credit(s *sock, n int32) {
	if n <= 0 || s.recvCredit+int(n) > netprotoWindow {
		c.badf("socket %d: CREDIT of %d with %d already free: dropped", s.id, n, s.recvCredit)
		return
	}
	s.recvCredit += int(n)
	c.service(s)
}

func boolOpt(v int32) bool { return v != 0 }

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// setsockopt is the subset Go's net package and common servers set.
func setsockopt(s *sock, level, name, v int32) int32 {
	so := s.ep.SocketOptions()
	switch {
	case level == syscall.SOL_SOCKET && name == syscall.SO_REUSEADDR:
		so.SetReuseAddress(boolOpt(v))
	case level == syscall.SOL_SOCKET && name == soReusePort:
		so.SetReusePort(boolOpt(v))
	case level == syscall.SOL_SOCKET && name == syscall.SO_KEEPALIVE:
		so.SetKeepAlive(boolOpt(v))
	case level == syscall.SOL_SOCKET && name == syscall.SO_BROADCAST:
		so.SetBroadcast(boolOpt(v))
	case level == syscall.SOL_SOCKET && name == syscall.SO_SNDBUF:
		so.SetSendBufferSize(int64(v), true)
	case level == syscall.SOL_SOCKET && name == syscall.SO_RCVBUF:
		so.SetReceiveBufferSize(int64(v), true)
	case level == syscall.IPPROTO_TCP && s.stream && name == syscall.TCP_NODELAY:
		so.SetDelayOption(!boolOpt(v))
	case level == syscall.IPPROTO_TCP && s.stream && name == syscall.TCP_KEEPIDLE:
		o := tcpip.KeepaliveIdleOption(time.Duration(v) * time.Second)
		return errnoOf(s.ep.SetSockOpt(&o))
	case level == syscall.IPPROTO_TCP && s.stream && name == syscall.TCP_KEEPINTVL:
		o := tcpip.KeepaliveIntervalOption(time.Duration(v) * time.Second)
		return errnoOf(s.ep.SetSockOpt(&o))
	case level == syscall.IPPROTO_TCP && s.stream && name == syscall.TCP_KEEPCNT:
		return errnoOf(s.ep.SetSockOptInt(tcpip.KeepaliveCountOption, int(v)))
	default:
		return neg(syscall.ENOPROTOOPT)
	}
	return 0
}

func getsockopt(s *sock, level, name int32) (int32, int32) {
	so := s.ep.SocketOptions()
	switch {
	case level == syscall.SOL_SOCKET && name == syscall.SO_ERROR:
		return -errnoOf(s.ep.LastError()), 0
	case level == syscall.SOL_SOCKET && name == syscall.SO_TYPE:
		if s.stream {
			return syscall.SOCK_STREAM, 0
		}
		return syscall.SOCK_DGRAM, 0
	case level == syscall.SOL_SOCKET && name == syscall.SO_REUSEADDR:
		return b2i(so.GetReuseAddress()), 0
	case level == syscall.SOL_SOCKET && name == syscall.SO_KEEPALIVE:
		return b2i(so.GetKeepAlive()), 0
	case level == syscall.SOL_SOCKET && name == syscall.SO_BROADCAST:
		return b2i(so.GetBroadcast()), 0
	case level == syscall.SOL_SOCKET && name == syscall.SO_SNDBUF:
		return int32(so.GetSendBufferSize()), 0
	case level == syscall.SOL_SOCKET && name == syscall.SO_RCVBUF:
		return int32(so.GetReceiveBufferSize()), 0
	case level == syscall.IPPROTO_TCP && s.stream && name == syscall.TCP_NODELAY:
		return b2i(!so.GetDelayOption()), 0
	}
	return 0, neg(syscall.ENOPROTOOPT)
}

// soReusePort is Linux's SO_REUSEPORT (the syscall package has no name for it).
const soReusePort = 15
