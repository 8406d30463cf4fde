package main

import (
	"encoding/binary"
	"syscall"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// hdr is a protocol message's header (netproto.h, struct netproto_hdr).
type hdr struct {
	typ   uint16
	flags uint16
	sock  uint32
	req   uint32
	val   int32
}

var le = binary.LittleEndian

// encode returns one message: h, then the payload parts.
func encode(h hdr, parts ...[]byte) []byte {
	n := netprotoHdrSize
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, netprotoHdrSize, n)
	le.PutUint16(b[netprotoOffType:], h.typ)
	le.PutUint16(b[netprotoOffFlags:], h.flags)
	le.PutUint32(b[netprotoOffSock:], h.sock)
	le.PutUint32(b[netprotoOffReq:], h.req)
	le.PutUint32(b[netprotoOffVal:], uint32(h.val))
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// decode splits a message into its header and payload; ok is false for one shorter than a
// header or longer than the maximum.
func decode(m []byte) (h hdr, payload []byte, ok bool) {
	if len(m) < netprotoHdrSize || len(m) > netprotoMsgMax {
		return h, nil, false
	}
	h.typ = le.Uint16(m[netprotoOffType:])
	h.flags = le.Uint16(m[netprotoOffFlags:])
	h.sock = le.Uint32(m[netprotoOffSock:])
	h.req = le.Uint32(m[netprotoOffReq:])
	h.val = int32(le.Uint32(m[netprotoOffVal:]))
	return h, m[netprotoHdrSize:], true
}

// i32s reads n little-endian i32s from p; ok is false if p is too short.
func i32s(p []byte, n int) ([]int32, bool) {
	if len(p) < 4*n {
		return nil, false
	}
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(le.Uint32(p[4*i:]))
	}
	return v, true
}

func putI32s(v ...int32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		le.PutUint32(b[4*i:], uint32(x))
	}
	return b
}

// sockaddr encodes a Linux struct sockaddr_in as it lies in memory on a little-endian machine:
// family (host order), port and address (network order), 8 zero bytes.
func sockaddr(a tcpip.FullAddress) []byte {
	b := make([]byte, netprotoSockaddrSize)
	le.PutUint16(b[0:], syscall.AF_INET)
	binary.BigEndian.PutUint16(b[2:], a.Port)
	copy(b[4:8], a.Addr)
	if len(a.Addr) != 4 {
		copy(b[4:8], "\x00\x00\x00\x00")
	}
	return b
}

// parseSockaddr reads a sockaddr_in; family is what it names (AF_INET, or AF_UNSPEC for none).
func parseSockaddr(p []byte) (a tcpip.FullAddress, family uint16, ok bool) {
	if len(p) < netprotoSockaddrSize {
		return a, 0, false
	}
	family = le.Uint16(p[0:])
	a.Port = binary.BigEndian.Uint16(p[2:])
	a.Addr = tcpip.Address(p[4:8])
	return a, family, true
}
