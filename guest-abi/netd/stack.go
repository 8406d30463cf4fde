package main

import (
	"fmt"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/loopback"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

const (
	nicLink     tcpip.NICID = 1
	nicLoopback tcpip.NICID = 2
)

// netConfig is the interface's static configuration (QEMU user networking's by default).
type netConfig struct {
	addr    tcpip.AddressWithPrefix
	gateway tcpip.Address
	mac     tcpip.LinkAddress
	mtu     uint32
}

// TCP buffer sizes per socket. They bound what a client's sockets can hold inside netstack
// (docs/netproto.md, "Limits"); the default send buffer is above NETPROTO_WINDOW so a socket's
// credit is usually returned as soon as its DATA arrives.
const (
	tcpBufMin     = 4 << 10
	tcpBufDefault = 128 << 10
	tcpBufMax     = 256 << 10
)

// newStack builds netstack with ARP, IPv4, TCP, UDP and ICMP on the link, plus loopback
// (ICMP echo is answered by the IPv4 layer itself).
func newStack(link stack.LinkEndpoint, cfg netConfig) (*stack.Stack, error) {
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, arp.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol, icmp.NewProtocol4},
		HandleLocal:        true,
	})
	sack := tcpip.TCPSACKEnabled(true)
	opts := []tcpip.SettableTransportProtocolOption{
		&sack,
		&tcpip.TCPSendBufferSizeRangeOption{Min: tcpBufMin, Default: tcpBufDefault, Max: tcpBufMax},
		&tcpip.TCPReceiveBufferSizeRangeOption{Min: tcpBufMin, Default: tcpBufDefault, Max: tcpBufMax},
	}
	for _, o := range opts {
		if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, o); err != nil {
			return nil, fmt.Errorf("tcp option %T: %v", o, err)
		}
	}
	if err := s.CreateNIC(nicLink, link); err != nil {
		return nil, fmt.Errorf("nic: %v", err)
	}
	if err := s.CreateNIC(nicLoopback, loopback.New()); err != nil {
		return nil, fmt.Errorf("loopback nic: %v", err)
	}
	addrs := []struct {
		nic tcpip.NICID
		a   tcpip.AddressWithPrefix
	}{
		{nicLink, cfg.addr},
		{nicLoopback, tcpip.AddressWithPrefix{Address: tcpip.Address("\x7f\x00\x00\x01"), PrefixLen: 8}},
	}
	for _, a := range addrs {
		pa := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: a.a}
		if err := s.AddProtocolAddress(a.nic, pa, stack.AddressProperties{}); err != nil {
			return nil, fmt.Errorf("address %v: %v", a.a, err)
		}
	}
	routes := []tcpip.Route{
		{Destination: tcpip.AddressWithPrefix{Address: "\x7f\x00\x00\x00", PrefixLen: 8}.Subnet(), NIC: nicLoopback},
		{Destination: cfg.addr.Subnet(), NIC: nicLink},
	}
	if cfg.gateway != "" {
		routes = append(routes, tcpip.Route{Destination: header4Any(), Gateway: cfg.gateway, NIC: nicLink})
	}
	s.SetRouteTable(routes)
	return s, nil
}

// header4Any is 0.0.0.0/0.
func header4Any() tcpip.Subnet {
	return tcpip.AddressWithPrefix{Address: "\x00\x00\x00\x00", PrefixLen: 0}.Subnet()
}
