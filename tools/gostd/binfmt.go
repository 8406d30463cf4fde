package main

// binfmt_misc for the qemu-user runs: a test that re-executes os.Args[0] asks the host kernel to
// run a riscv64 binary, which only a binfmt_misc entry naming qemu-user can do. The entry is
// registered for the run under a name of our own and removed after (and binfmt_misc unmounted
// if we mounted it), so the host is left as it was. An entry for the architecture that is
// already there is used and left alone.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

const binfmtDir = "/proc/sys/fs/binfmt_misc"

// elfMagic is the ELF header prefix that identifies an executable for e_machine, and its mask:
// 64-bit, little-endian, version 1, e_type EXEC or DYN (the mask drops e_type's low bit).
func elfMagic(machine uint16) (magic, mask string) {
	hdr := []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0,
		byte(machine), byte(machine >> 8)}
	msk := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff}
	var a, b strings.Builder
	for i := range hdr {
		fmt.Fprintf(&a, `\x%02x`, hdr[i])
		fmt.Fprintf(&b, `\x%02x`, msk[i])
	}
	return a.String(), b.String()
}

// binfmt is what setupBinfmt did, for undoBinfmt to reverse.
type binfmt struct {
	ok      bool   // qemu-user can run a re-executed test binary
	entry   string // the entry we registered ("" if none)
	mounted bool   // we mounted binfmt_misc
	note    string // what was done, or why not
}

// setupBinfmt makes the kernel run ELF binaries for machine through interp, if it can.
func setupBinfmt(name string, machine uint16, interp string) binfmt {
	var b binfmt
	if _, err := os.Stat(filepath.Join(binfmtDir, "register")); err != nil {
		if err := syscall.Mount("binfmt_misc", binfmtDir, "binfmt_misc", 0, ""); err != nil {
			b.note = fmt.Sprintf("binfmt_misc: cannot mount %s: %v", binfmtDir, err)
			return b
		}
		b.mounted = true
	}
	magic, mask := elfMagic(machine)
	if other := existingEntry(magic); other != "" {
		b.ok, b.note = true, "binfmt_misc: using the existing entry "+other
		return b
	}
	rule := fmt.Sprintf(":%s:M::%s:%s:%s:", name, magic, mask, interp)
	if err := os.WriteFile(filepath.Join(binfmtDir, "register"), []byte(rule), 0); err != nil {
		b.note = fmt.Sprintf("binfmt_misc: cannot register %s: %v", name, err)
		undoBinfmt(&b)
		return b
	}
	b.ok, b.entry = true, name
	b.note = "binfmt_misc: registered " + name + " for the run (" + interp + ")"
	return b
}

// existingEntry names an enabled entry that already matches magic, if there is one.
func existingEntry(magic string) string {
	ents, _ := os.ReadDir(binfmtDir)
	want := strings.ReplaceAll(magic, `\x`, "")
	for _, e := range ents {
		if e.Name() == "register" || e.Name() == "status" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(binfmtDir, e.Name()))
		if err != nil {
			continue
		}
		s := string(data)
		// The kernel shows "enabled" and "magic 7f454c46..." (the prefix: offset 0).
		if strings.HasPrefix(s, "enabled") && strings.Contains(s, "magic "+want+"\n") {
			return e.Name()
		}
	}
	return ""
}

func undoBinfmt(b *binfmt) {
	if b.entry != "" {
		_ = os.WriteFile(filepath.Join(binfmtDir, b.entry), []byte("-1"), 0)
		b.entry = ""
	}
	if b.mounted {
		_ = syscall.Unmount(binfmtDir, 0)
		b.mounted = false
	}
}
