// netdev: gort's packet device /dev/net0 (a passed-through virtio-net on QEMU's user network,
// restrict=on: only QEMU's own gateway 10.0.2.2 answers). It reads the MAC and MTU files, checks
// the sizes a write refuses, then asks the gateway for its MAC with an ARP request three ways: raw
// non-blocking calls with epoll, a blocking read, and Go's own poller on an *os.File (with a read
// deadline). Each prints the reply's sender MAC. Any surprise: "netdev: FAIL ...", exit 1.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

const dev = "/dev/net0"

var myIP = []byte{10, 0, 2, 15}
var gwIP = []byte{10, 0, 2, 2}

func fail(format string, a ...interface{}) {
	fmt.Printf("netdev: FAIL "+format+"\n", a...)
	os.Exit(1)
}

func arpRequest(mac net.HardwareAddr) []byte {
	f := make([]byte, 42)
	copy(f[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(f[6:12], mac)
	copy(f[12:22], []byte{0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1})
	copy(f[22:28], mac)
	copy(f[28:32], myIP)
	copy(f[38:42], gwIP)
	return f
}

// The gateway's answer to arpRequest: its MAC, or nil for any other frame.
func arpReply(f []byte) net.HardwareAddr {
	if len(f) < 42 || f[12] != 0x08 || f[13] != 0x06 || f[20] != 0 || f[21] != 2 ||
		!bytes.Equal(f[28:32], gwIP) || !bytes.Equal(f[38:42], myIP) {
		return nil
	}
	return net.HardwareAddr(append([]byte(nil), f[22:28]...))
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	return string(b)
}

// Raw calls on an O_NONBLOCK descriptor, waiting in epoll_wait.
func nonblocking(mac net.HardwareAddr) {
	fd, err := syscall.Open(dev, syscall.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		fail("open: %v", err)
	}
	for _, n := range []int{0, 13, 1515, 9000} {
		_, err := syscall.Write(fd, make([]byte, n))
		fmt.Printf("netdev: write of %d bytes: %v\n", n, err)
	}
	ep, err := syscall.EpollCreate1(0)
	if err != nil {
		fail("epoll_create1: %v", err)
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLOUT, Fd: int32(fd)}
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		fail("epoll_ctl: %v", err)
	}
	evs := make([]syscall.EpollEvent, 1)
	if n, err := syscall.EpollWait(ep, evs, 1000); err != nil || n != 1 || evs[0].Events&syscall.EPOLLOUT == 0 {
		fail("epoll_wait for writable: %d %v %#x", n, err, evs[0].Events)
	}
	fmt.Printf("netdev: epoll says writable\n")
	req := arpRequest(mac)
	if n, err := syscall.Write(fd, req); err != nil || n != len(req) {
		fail("write: %d %v", n, err)
	}
	ev.Events = syscall.EPOLLIN
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_MOD, fd, &ev); err != nil {
		fail("epoll_ctl mod: %v", err)
	}
	buf := make([]byte, 2048)
	waits := 0
	for frames := 0; frames < 16; {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EAGAIN {
			if waits++; waits > 20 {
				fail("no ARP reply after %d waits", waits)
			}
			if k, err := syscall.EpollWait(ep, evs, 1000); err != nil && err != syscall.EINTR {
				fail("epoll_wait: %d %v", k, err)
			}
			continue
		}
		if err != nil {
			fail("read: %v", err)
		}
		frames++
		if gw := arpReply(buf[:n]); gw != nil {
			fmt.Printf("netdev: non-blocking with epoll: 10.0.2.2 is at %v (%d bytes)\n", gw, n)
			// The same question, the answer read into a buffer smaller than the frame.
			syscall.Write(fd, req)
			for i := 0; i < 100; i++ {
				syscall.EpollWait(ep, evs, 1000)
				small := make([]byte, 20)
				n, err := syscall.Read(fd, small)
				if err == nil && small[12] == 0x08 && small[13] == 0x06 {
					fmt.Printf("netdev: an ARP reply read into 20 bytes: %d\n", n)
					syscall.Close(ep)
					syscall.Close(fd)
					return
				}
			}
			fail("no second ARP reply")
		}
	}
	fail("no ARP reply among 16 frames")
}

// A blocking descriptor: read parks until a frame comes.
func blocking(mac net.HardwareAddr) {
	fd, err := syscall.Open(dev, syscall.O_RDWR, 0)
	if err != nil {
		fail("open: %v", err)
	}
	defer syscall.Close(fd)
	if _, err := syscall.Write(fd, arpRequest(mac)); err != nil {
		fail("write: %v", err)
	}
	buf := make([]byte, 1514)
	for i := 0; i < 16; i++ {
		n, err := syscall.Read(fd, buf)
		if err != nil {
			fail("blocking read: %v", err)
		}
		if gw := arpReply(buf[:n]); gw != nil {
			fmt.Printf("netdev: blocking: 10.0.2.2 is at %v\n", gw)
			return
		}
	}
	fail("no ARP reply among 16 frames")
}

// Go's poller: os.OpenFile registers the device with epoll, so deadlines work.
func osFile(mac net.HardwareAddr) {
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		fail("open: %v", err)
	}
	defer f.Close()
	buf := make([]byte, 1514)
	f.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := f.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		fail("a read past its deadline: %v (the file is not in the poller?)", err)
	}
	fmt.Printf("netdev: os.File: a read past its deadline: i/o timeout\n")
	if _, err := f.Write(arpRequest(mac)); err != nil {
		fail("write: %v", err)
	}
	f.SetReadDeadline(time.Now().Add(20 * time.Second))
	for i := 0; i < 16; i++ {
		n, err := f.Read(buf)
		if err != nil {
			fail("read: %v", err)
		}
		if gw := arpReply(buf[:n]); gw != nil {
			fmt.Printf("netdev: os.File: 10.0.2.2 is at %v\n", gw)
			return
		}
	}
	fail("no ARP reply among 16 frames")
}

func main() {
	addr := readFile("/sys/class/net/net0/address")
	mtu := readFile("/sys/class/net/net0/mtu")
	for _, s := range []string{addr, mtu} {
		if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
			fail("%q is not one line", s)
		}
	}
	fmt.Printf("netdev: address %s mtu %s\n", strings.TrimSpace(addr), strings.TrimSpace(mtu))
	mac, err := net.ParseMAC(strings.TrimSpace(addr))
	if err != nil {
		fail("%v", err)
	}
	if _, err := os.Stat("/dev/net1"); !errors.Is(err, os.ErrNotExist) {
		fail("/dev/net1: %v", err)
	}
	nonblocking(mac)
	blocking(mac)
	osFile(mac)
	fmt.Printf("netdev: ok\n")
}
