package main

import (
	"context"
	"fmt"
	"io"

	"gvisor.dev/gvisor/pkg/bufferv2"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/link/ethernet"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// A frame device moves whole Ethernet frames: one Read returns one frame, one Write sends one
// (gort's /dev/netN, or the tests' in-memory wire). No virtio header, no checksum offload.
type frameDev = io.ReadWriter

// The most frames the stack may queue for the device before it drops (the stack's own retries
// and TCP's window cover a drop).
const txQueueLen = 256

// frameLink is the stack's link endpoint over a frame device: netstack's in-memory channel
// endpoint under its Ethernet framing, with a goroutine that reads frames from the device into
// the stack and one that writes the stack's frames to the device.
type frameLink struct {
	ch  *channel.Endpoint
	eth *ethernet.Endpoint
	dev frameDev
	mtu uint32 // IP MTU
}

func newFrameLink(dev frameDev, mac tcpip.LinkAddress, mtu uint32) *frameLink {
	ch := channel.New(txQueueLen, mtu+header.EthernetMinimumSize, mac)
	return &frameLink{ch: ch, eth: ethernet.New(ch), dev: dev, mtu: mtu}
}

// endpoint is what the NIC is created on.
func (l *frameLink) endpoint() stack.LinkEndpoint { return l.eth }

// run moves frames both ways until the device fails or ctx ends; it returns the first error.
func (l *frameLink) run(ctx context.Context) error {
	errc := make(chan error, 2)
	go func() { errc <- l.rx() }()
	go func() { errc <- l.tx(ctx) }()
	return <-errc
}

func (l *frameLink) rx() error {
	buf := make([]byte, l.mtu+header.EthernetMinimumSize)
	for {
		n, err := l.dev.Read(buf)
		if err == nil && n == 0 {
			err = io.EOF // a device that ended: reading on would spin
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if n < header.EthernetMinimumSize {
			continue
		}
		pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{
			Payload: bufferv2.MakeWithData(append([]byte(nil), buf[:n]...)),
		})
		l.ch.InjectInbound(0, pkt)
		pkt.DecRef()
	}
}

func (l *frameLink) tx(ctx context.Context) error {
	for {
		pkt := l.ch.ReadContext(ctx)
		if pkt.IsNil() {
			return ctx.Err()
		}
		v := pkt.ToView()
		pkt.DecRef()
		_, err := l.dev.Write(v.AsSlice())
		v.Release()
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
}
