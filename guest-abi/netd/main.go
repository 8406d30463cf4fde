// netd: gohv's networking driver partition. A stock GOOS=linux Go program under gort, built on
// gVisor's netstack (Debian's golang-gvisor-gvisor-dev): it owns the packet device /dev/net0
// (ARP, IPv4, TCP, UDP, ICMP echo) and serves sockets to client partitions, one gohv channel
// each, with the protocol of docs/netproto.md (guest-abi/net/netproto.h).
//
// Flags (each also from the environment, gort.env= in a board's bootargs; a flag wins):
//
//	-dev PATH        NETD_DEV      the packet device (/dev/net0)
//	-addr A/N        NETD_ADDR     the interface's address (10.0.2.15/24, QEMU user networking)
//	-gateway A       NETD_GATEWAY  the default route ("" for none; 10.0.2.2)
//	-clients N,N...  NETD_CLIENTS  the channels under -chan-dir to serve (all of them)
//	-chan-dir DIR    NETD_CHAN_DIR where the channels are (/dev/chan)
//	-mac, -mtu       NETD_MAC, NETD_MTU  override /sys/class/net/<dev>/address and mtu
//	-exit-after-accepts N  NETD_EXIT_AFTER_ACCEPTS  tests only: exit 3 a second after the Nth
//	                 accepted connection (none)
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func logf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

func die(format string, args ...any) {
	logf("netd: "+format, args...)
	os.Exit(1)
}

// sysfsValue reads /sys/class/net/<name>/<what>, as gort provides it for /dev/<name>.
func sysfsValue(dev, what string) (string, error) {
	b, err := os.ReadFile(filepath.Join("/sys/class/net", filepath.Base(dev), what))
	return strings.TrimSpace(string(b)), err
}

func parseConfig(addr, gw, mac, mtu string) (netConfig, error) {
	var cfg netConfig
	ip, ipnet, err := net.ParseCIDR(addr)
	if err != nil || ip.To4() == nil {
		return cfg, fmt.Errorf("-addr %q is not an IPv4 address/prefix", addr)
	}
	ones, _ := ipnet.Mask.Size()
	cfg.addr = tcpip.AddressWithPrefix{Address: tcpip.Address(ip.To4()), PrefixLen: ones}
	if gw != "" {
		g := net.ParseIP(gw).To4()
		if g == nil {
			return cfg, fmt.Errorf("-gateway %q is not an IPv4 address", gw)
		}
		cfg.gateway = tcpip.Address(g)
	}
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 {
		return cfg, fmt.Errorf("MAC %q is not an Ethernet address", mac)
	}
	cfg.mac = tcpip.LinkAddress(hw)
	n, err := strconv.Atoi(mtu)
	if err != nil || n < 576 || n > 1500 {
		return cfg, fmt.Errorf("MTU %q is not between 576 and 1500", mtu)
	}
	cfg.mtu = uint32(n)
	return cfg, nil
}

func main() {
	dev := flag.String("dev", env("NETD_DEV", "/dev/net0"), "the packet device")
	addr := flag.String("addr", env("NETD_ADDR", "10.0.2.15/24"), "the interface's IPv4 address/prefix")
	gw := flag.String("gateway", env("NETD_GATEWAY", "10.0.2.2"), "the default gateway (empty: none)")
	clients := flag.String("clients", env("NETD_CLIENTS", ""), "comma-separated channel names (empty: every channel)")
	chanDir := flag.String("chan-dir", env("NETD_CHAN_DIR", "/dev/chan"), "where the channels are")
	mac := flag.String("mac", env("NETD_MAC", ""), "the MAC address (empty: from sysfs)")
	mtu := flag.String("mtu", env("NETD_MTU", ""), "the IP MTU (empty: from sysfs)")
	exitAfter := flag.String("exit-after-accepts", env("NETD_EXIT_AFTER_ACCEPTS", ""), "for tests: exit 3 a second after handing out this many accepted connections")
	flag.Parse()
	if *exitAfter != "" {
		n, err := strconv.Atoi(*exitAfter)
		if err != nil || n < 1 {
			die("-exit-after-accepts %q is not a count of connections", *exitAfter)
		}
		exitAfterAccepts(n)
	}

	f, err := os.OpenFile(*dev, os.O_RDWR, 0)
	if err != nil {
		die("cannot open the packet device %s: %v", *dev, err)
	}
	if *mac == "" {
		if *mac, err = sysfsValue(*dev, "address"); err != nil {
			die("no MAC address for %s: %v", *dev, err)
		}
	}
	if *mtu == "" {
		if *mtu, err = sysfsValue(*dev, "mtu"); err != nil {
			die("no MTU for %s: %v", *dev, err)
		}
	}
	cfg, err := parseConfig(*addr, *gw, *mac, *mtu)
	if err != nil {
		die("%v", err)
	}
	link := newFrameLink(f, cfg.mac, cfg.mtu)
	st, err := newStack(link.endpoint(), cfg)
	if err != nil {
		die("%v", err)
	}
	go func() {
		err := link.run(context.Background())
		die("%s: %v", *dev, err)
	}()

	logf("netd: %s %s (mtu %d), %s gateway %s", *dev, net.HardwareAddr(cfg.mac), cfg.mtu, *addr, *gw)
	names, err := channels(*chanDir, splitList(*clients))
	if err != nil {
		die("%v", err)
	}
	logf("netd: serving %s", strings.Join(names, ","))
	for _, n := range names {
		go serveChannel(filepath.Join(*chanDir, n), n, st)
	}
	select {}
}

// exitAfterAccepts makes netd end on purpose (exit code 3, a failure for its restart policy)
// a second after its nth accepted connection went to a client: its clients' recovery is tested
// with it (tests/integration/test_netback.c).
func exitAfterAccepts(n int) {
	var count atomic.Int64
	onAccepted = func() {
		if count.Add(1) == int64(n) {
			go func() {
				time.Sleep(time.Second)
				logf("netd: exiting on purpose after %d accepted connection(s) (-exit-after-accepts)", n)
				os.Exit(3)
			}()
		}
	}
}

// channels is the clients' channel names: the ones named, each of which must be there, or
// every channel of the folder.
func channels(dir string, named []string) ([]string, error) {
	for _, n := range named {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			return nil, fmt.Errorf("no channel %s in %s (-clients): %v", n, dir, err)
		}
	}
	if len(named) > 0 {
		return named, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("no channels to serve: %v", err)
	}
	for _, e := range ents {
		named = append(named, e.Name())
	}
	if len(named) == 0 {
		return nil, fmt.Errorf("no channels to serve in %s", dir)
	}
	return named, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// serveChannel serves one client for as long as netd runs: a channel that fails otherwise
// than by a restart is opened again after a pause.
func serveChannel(path, name string, st *stack.Stack) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			logf("netd: client %s: %v", name, err)
			time.Sleep(time.Second)
			continue
		}
		err = newClient(name, chanFile{f}, st, logf).serve()
		f.Close()
		logf("netd: client %s: %v (opening it again)", name, err)
		time.Sleep(100 * time.Millisecond)
	}
}
