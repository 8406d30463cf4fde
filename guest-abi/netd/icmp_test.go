package main

import (
	"bytes"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// netd's stack answers ICMP echo (ping 10.0.2.15 from the other end of the wire), having
// resolved the asker's MAC by ARP.
func TestNetdAnswersPing(t *testing.T) {
	p := newNetPair(t)
	var wq waiter.Queue
	ep, err := p.b.NewEndpoint(icmp.ProtocolNumber4, ipv4.ProtocolNumber, &wq)
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	if err := ep.Connect(tcpip.FullAddress{Addr: addrA}); err != nil {
		t.Fatal(err)
	}
	e, ch := waiter.NewChannelEntry(waiter.ReadableEvents)
	wq.EventRegister(&e)
	defer wq.EventUnregister(&e)
	req := header.ICMPv4(make([]byte, header.ICMPv4MinimumSize+8))
	req.SetType(header.ICMPv4Echo)
	req.SetSequence(1)
	copy(req.Payload(), "gohvping")
	if _, err := ep.Write(bytes.NewReader(req), tcpip.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		var out bytes.Buffer
		_, err := ep.Read(&out, tcpip.ReadOptions{})
		if err == nil {
			rep := header.ICMPv4(out.Bytes())
			if rep.Type() != header.ICMPv4EchoReply || string(rep.Payload()) != "gohvping" {
				t.Fatalf("reply: type %d payload %q", rep.Type(), rep.Payload())
			}
			return
		}
		if _, ok := err.(*tcpip.ErrWouldBlock); !ok {
			t.Fatal(err)
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatal("no echo reply from 10.0.2.15 in 10 s")
		}
	}
}
