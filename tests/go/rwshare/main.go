// Command rwshare changes a read-write host share the way a test writing its results would:
// given the shared folders RW (`--share RW:rw`) and RO (`--share RO:ro`), it creates, appends
// to, truncates, syncs, renames and removes files and folders in RW, makes links there, sets a
// mode and times, reads back what it wrote, and checks the host's errors reach it; then it writes
// into RO, which must stay unchanged on the host. The test checks both folders on the host
// afterwards. Each line says what it saw; any unexpected error ends it.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

func check(what string, err error) {
	if err != nil {
		fmt.Printf("rwshare: %s: %v\n", what, err)
		os.Exit(1)
	}
}

// The big file's bytes, as the test checks them on the host.
func pattern(i int) byte {
	return byte(i*13 + i>>9)
}

const bigSize = 300000 // several Twrites of msize each

func appendTo(path, text string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0644)
	check("open for append", err)
	_, err = f.WriteString(text)
	check("append", err)
	check("close", f.Close())
}

func main() {
	rw, ro := os.Args[1], os.Args[2]
	at := func(rel string) string { return filepath.Join(rw, rel) }

	check("write", os.WriteFile(at("new.txt"), []byte("made in the guest\n"), 0644))
	b, err := os.ReadFile(at("new.txt"))
	check("read back", err)
	fmt.Printf("new: %q\n", b)

	appendTo(at("log.txt"), "one\n")
	appendTo(at("log.txt"), "two\n")
	appendTo(at("host.txt"), "guest line\n") // the host made it
	b, err = os.ReadFile(at("host.txt"))
	check("read host.txt", err)
	fmt.Printf("appended: %q\n", b)

	big := make([]byte, bigSize)
	for i := range big {
		big[i] = pattern(i)
	}
	f, err := os.Create(at("big.bin"))
	check("create big", err)
	_, err = f.Write(big)
	check("write big", err)
	check("sync big", f.Sync())
	check("close big", f.Close())
	b, err = os.ReadFile(at("big.bin"))
	check("read big", err)
	fmt.Printf("big: %d bytes, same %v\n", len(b), bytes.Equal(b, big))

	check("truncate", os.Truncate(at("trunc.txt"), 4))
	b, err = os.ReadFile(at("trunc.txt"))
	check("read trunc", err)
	fmt.Printf("truncated: %q\n", b)

	check("mkdirall", os.MkdirAll(at("d/e"), 0755))
	check("write deep", os.WriteFile(at("d/e/f.txt"), []byte("deep\n"), 0644))
	check("rename folder", os.Rename(at("d"), at("d2")))
	b, err = os.ReadFile(at("d2/e/f.txt"))
	check("read moved", err)
	fmt.Printf("moved folder: %q\n", b)
	check("rename file", os.Rename(at("existing.txt"), at("renamed.txt")))

	check("remove", os.Remove(at("gone.txt")))
	check("removeall", os.RemoveAll(at("tree")))
	_, err = os.Stat(at("tree"))
	fmt.Printf("removed: %v\n", errors.Is(err, fs.ErrNotExist))

	check("symlink", os.Symlink("new.txt", at("sl")))
	check("link", os.Link(at("new.txt"), at("hl")))
	check("chmod", os.Chmod(at("new.txt"), 0600))
	when := time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC)
	check("chtimes", os.Chtimes(at("new.txt"), when, when))
	st, err := os.Stat(at("new.txt"))
	check("stat", err)
	fmt.Printf("stat: %v %v\n", st.Mode().Perm(), st.ModTime().UTC().Format("2006-01-02"))

	var sfs syscall.Statfs_t
	check("statfs", syscall.Statfs(rw, &sfs))
	fmt.Printf("statfs: type %#x\n", sfs.Type)

	// Sizes are the host's: past what gort's memory would hold (1 GiB), and past what the host's
	// file system holds, where the host's errno comes back (0: it held it).
	check("write huge", os.WriteFile(at("huge"), nil, 0644))
	check("truncate 1 TiB", os.Truncate(at("huge"), 1<<40))
	st, err = os.Stat(at("huge"))
	check("stat huge", err)
	fmt.Printf("sparse: %d bytes\n", st.Size())
	var errno syscall.Errno
	if err = os.Truncate(at("huge"), 1<<62); err != nil && !errors.As(err, &errno) {
		check("truncate 4 EiB", err)
	}
	fmt.Printf("too big: errno %d\n", int(errno))
	check("remove huge", os.Remove(at("huge")))

	// The host's own refusals.
	err = os.Mkdir(at("d2"), 0755)
	fmt.Printf("mkdir again: exist %v\n", errors.Is(err, fs.ErrExist))
	err = syscall.Rmdir(at("d2"))
	fmt.Printf("rmdir full: %v\n", err == syscall.ENOTEMPTY)
	_, err = os.OpenFile(at("renamed.txt"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0644)
	fmt.Printf("excl: exist %v\n", errors.Is(err, fs.ErrExist))
	err = os.Rename(at("renamed.txt"), filepath.Join(ro, "renamed.txt"))
	fmt.Printf("across shares: exdev %v\n", errors.Is(err, syscall.EXDEV))

	// The read-only share: writes stay in the guest.
	check("ro write", os.WriteFile(filepath.Join(ro, "new.txt"), []byte("guest only\n"), 0644))
	appendTo(filepath.Join(ro, "hello.txt"), "guest only\n")
	check("ro remove", os.Remove(filepath.Join(ro, "gone.txt")))
	b, err = os.ReadFile(filepath.Join(ro, "hello.txt"))
	check("ro read", err)
	fmt.Printf("ro: %q\n", b)
	fmt.Println("done")
}
