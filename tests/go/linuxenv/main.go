// Command linuxenv prints what a Go program finds of a Linux machine's environment under gort:
// the memory devices, the user, the resolver's /etc/hosts. With "mem N" it holds N MiB (one byte
// written per page, so every page is really the partition's) to show a partition that large.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

func check(what string, err error) {
	if err != nil {
		fmt.Printf("linuxenv: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func devices() {
	b, err := os.ReadFile(os.DevNull)
	check("read /dev/null", err)
	fmt.Printf("null: read %d bytes\n", len(b))
	check("write /dev/null", os.WriteFile(os.DevNull, []byte("gone"), 0666))
	t, err := template.ParseFiles(os.DevNull)
	check("template.ParseFiles(os.DevNull)", err)
	fmt.Printf("null: template %q parsed\n", t.Name())

	z, err := os.Open("/dev/zero")
	check("open /dev/zero", err)
	buf := bytes.Repeat([]byte{0xff}, 10000)
	n, err := z.Read(buf)
	check("read /dev/zero", err)
	fmt.Printf("zero: %d bytes, all zero %v\n", n, bytes.Count(buf[:n], []byte{0}) == n)
	z.Close()

	f, err := os.OpenFile("/dev/full", os.O_RDWR, 0)
	check("open /dev/full", err)
	_, err = f.Write([]byte("x"))
	fmt.Printf("full: write ENOSPC %v\n", errors.Is(err, syscall.ENOSPC))
	f.Close()

	u, err := os.Open("/dev/urandom")
	check("open /dev/urandom", err)
	a, c := make([]byte, 32), make([]byte, 32)
	_, err = u.Read(a)
	check("read /dev/urandom", err)
	_, err = u.Read(c)
	check("read /dev/urandom", err)
	fmt.Printf("urandom: two reads differ %v, not zero %v\n", !bytes.Equal(a, c),
		!bytes.Equal(a, make([]byte, 32)))
	u.Close()
}

func users() {
	me, err := user.Current()
	check("user.Current", err)
	fmt.Printf("user: current %s uid=%s gid=%s home=%s\n", me.Username, me.Uid, me.Gid, me.HomeDir)
	root, err := user.Lookup("root")
	check("user.Lookup(root)", err)
	g, err := user.LookupGroupId(root.Gid)
	check("user.LookupGroupId", err)
	fmt.Printf("user: root uid=%s group %s\n", root.Uid, g.Name)
	fmt.Printf("env: USER=%s LOGNAME=%s HOME=%s\n", os.Getenv("USER"), os.Getenv("LOGNAME"),
		os.Getenv("HOME"))
}

func hosts() {
	addrs, err := net.LookupHost("localhost")
	check("net.LookupHost(localhost)", err)
	fmt.Printf("hosts: localhost %v\n", addrs)
	name, err := os.Hostname()
	check("os.Hostname", err)
	addrs, err = net.LookupHost(name)
	check("net.LookupHost("+name+")", err)
	fmt.Printf("hosts: own name %v\n", addrs)
}

func hold(mib int) {
	var keep [][]byte
	for i := 0; i < mib; i++ {
		b := make([]byte, 1<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		keep = append(keep, b)
	}
	fmt.Printf("mem: holding %d MiB\n", len(keep))
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "mem" {
		mib, err := strconv.Atoi(os.Args[2])
		check("mem", err)
		hold(mib)
		return
	}
	devices()
	users()
	hosts()
}
