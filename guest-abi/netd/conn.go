package main

import (
	"errors"
	"os"
	"syscall"
)

// msgConn is a client's channel: each ReadMsg returns one whole message, each WriteMsg posts
// one. ReadMsg returns errPeerReset once when the client restarted; the channel then works
// again (gort's /dev/chan/NAME, docs/channels.md). Any other error ends the client.
type msgConn interface {
	ReadMsg(b []byte) (int, error)
	WriteMsg(b []byte) error
}

var errPeerReset = syscall.ECONNRESET

// chanFile is gort's /dev/chan/NAME: a read with a buffer of a whole message's size returns one
// message, a write of at most the maximum posts one.
type chanFile struct{ f *os.File }

func (c chanFile) ReadMsg(b []byte) (int, error) {
	n, err := c.f.Read(b)
	if errors.Is(err, syscall.ECONNRESET) {
		return 0, errPeerReset
	}
	return n, err
}

func (c chanFile) WriteMsg(b []byte) error {
	_, err := c.f.Write(b)
	return err
}
