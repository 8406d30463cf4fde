// Command hostfiles reads the host's files the way a test run by `go test -exec "gohv run"` does:
// from its package folder (the working directory) it reads ../testdata, lists it, stats, reads a
// symbolic link, reads a file of more than 1 MiB byte for byte, finds Go's own files from
// runtime.GOROOT(), and writes into the read-only share (the write stays in the guest: the test
// checks the host afterwards). Each line says what it saw; any unexpected error ends it.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

func check(what string, err error) {
	if err != nil {
		fmt.Printf("hostfiles: %s: %v\n", what, err)
		os.Exit(1)
	}
}

// The big file's bytes, as the test wrote them on the host.
func pattern(i int) byte {
	return byte(i*7 + i>>10)
}

func main() {
	cwd, err := os.Getwd()
	check("getwd", err)
	fmt.Printf("cwd: %s\n", filepath.Base(cwd))

	b, err := os.ReadFile("../testdata/hello.txt")
	check("read", err)
	fmt.Printf("read: %q\n", b)

	ents, err := os.ReadDir("../testdata")
	check("readdir", err)
	var names []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		} else if e.Type()&fs.ModeSymlink != 0 {
			n += "@"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("list: %s\n", strings.Join(names, " "))

	st, err := os.Stat("../testdata/big.bin")
	check("stat", err)
	fmt.Printf("stat: %d bytes, %v, regular %v\n", st.Size(), st.Mode().Perm(), st.Mode().IsRegular())
	st, err = os.Stat("../testdata/sub")
	check("stat sub", err)
	fmt.Printf("stat sub: dir %v\n", st.IsDir())

	target, err := os.Readlink("../testdata/link")
	check("readlink", err)
	b, err = os.ReadFile("../testdata/link")
	check("read link", err)
	fmt.Printf("readlink: %s, reads %q\n", target, b)

	big, err := os.ReadFile("../testdata/big.bin")
	check("read big", err)
	bad := -1
	for i := range big {
		if big[i] != pattern(i) {
			bad = i
			break
		}
	}
	fmt.Printf("big: %d bytes, first difference at %d\n", len(big), bad)
	f, err := os.Open("../testdata/big.bin")
	check("open big", err)
	part := make([]byte, 100)
	_, err = f.ReadAt(part, 1<<20)
	check("pread big", err)
	f.Close()
	fmt.Printf("pread: same %v\n", bytes.Equal(part, big[1<<20:1<<20+100]))

	b, err = os.ReadFile("../testdata/sub/deep.txt")
	check("read deep", err)
	fmt.Printf("deep: %q\n", b)

	_, err = os.Open("../testdata/missing")
	fmt.Printf("missing: not exist %v\n", errors.Is(err, fs.ErrNotExist))
	_, err = os.ReadFile("../testdata/escape")
	fmt.Printf("escape: not exist %v\n", errors.Is(err, fs.ErrNotExist))

	// Writes stay in the guest: a new file, an append to a host file, a removal.
	check("write new", os.WriteFile("../testdata/new.txt", []byte("made in the guest\n"), 0644))
	f, err = os.OpenFile("../testdata/hello.txt", os.O_APPEND|os.O_WRONLY, 0)
	check("open for append", err)
	_, err = f.WriteString("appended\n")
	check("append", err)
	f.Close()
	b, err = os.ReadFile("../testdata/hello.txt")
	check("reread", err)
	fmt.Printf("overlay: hello now %q\n", b)
	check("remove", os.Remove("../testdata/sub/deep.txt"))
	_, err = os.Stat("../testdata/sub/deep.txt")
	fmt.Printf("overlay: removed %v\n", errors.Is(err, fs.ErrNotExist))
	check("rename", os.Rename("../testdata/new.txt", "../testdata/renamed.txt"))
	b, err = os.ReadFile("../testdata/renamed.txt")
	check("read renamed", err)
	fmt.Printf("overlay: renamed %q\n", b)

	root := runtime.GOROOT()
	v, err := os.ReadFile(filepath.Join(root, "VERSION"))
	check("goroot VERSION", err)
	fmt.Printf("goroot: VERSION %s\n", strings.Fields(string(v))[0])
	src, err := os.ReadFile(filepath.Join(root, "src", "fmt", "print.go"))
	check("goroot src", err)
	fmt.Printf("goroot: src/fmt/print.go package fmt %v\n", bytes.Contains(src, []byte("\npackage fmt\n")))
	fmt.Println("done")
}
