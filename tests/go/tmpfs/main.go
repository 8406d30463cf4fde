// Command tmpfs uses gort's writable file tree the way Go programs and tests do: temporary
// folders and files, appends, truncation, renames over existing files, links, modes, owners and
// times, walking a tree, removing it, writing next to the program in the initrd's own folders,
// and filling the file system until ENOSPC. Each line says what it saw; any error ends it.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

func check(what string, err error) {
	if err != nil {
		fmt.Printf("tmpfs: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func read(path string) string {
	b, err := os.ReadFile(path)
	check("read "+path, err)
	return string(b)
}

func size(path string) int64 {
	st, err := os.Stat(path)
	check("stat "+path, err)
	return st.Size()
}

func files(dir string) {
	f, err := os.CreateTemp(dir, "data-*.txt")
	check("CreateTemp", err)
	_, err = f.WriteString("hello, ")
	check("write", err)
	check("close", f.Close())
	a, err := os.OpenFile(f.Name(), os.O_WRONLY|os.O_APPEND, 0)
	check("open O_APPEND", err)
	_, err = a.WriteString("tmpfs\n")
	check("append", err)
	check("close", a.Close())
	fmt.Printf("append: %q\n", read(f.Name()))
	_, err = os.OpenFile(f.Name(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0600)
	fmt.Printf("excl: exists %v\n", errors.Is(err, fs.ErrExist))

	big := make([]byte, 300000)
	for i := range big {
		big[i] = byte(i*7 + i/4096)
	}
	p := filepath.Join(dir, "big")
	check("WriteFile", os.WriteFile(p, big, 0644))
	fmt.Printf("big: %d bytes, same %v\n", size(p), read(p) == string(big))

	// A write past the end leaves a hole that reads as zeros.
	h, err := os.OpenFile(filepath.Join(dir, "holes"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0644)
	check("create holes", err)
	_, err = h.WriteAt([]byte("end"), 10000)
	check("WriteAt", err)
	buf := make([]byte, 10003)
	_, err = h.ReadAt(buf, 0)
	check("ReadAt", err)
	fmt.Printf("hole: %d zeros then %q\n", bytes.Count(buf[:10000], []byte{0}), buf[10000:])
	check("Truncate", h.Truncate(3))
	check("Sync", h.Sync())
	_, err = h.Seek(0, io.SeekStart)
	check("Seek", err)
	n, _ := h.Read(buf)
	fmt.Printf("truncate: %d bytes %q\n", n, buf[:n])
	check("close", h.Close())
	check("os.Truncate", os.Truncate(p, 5))
	fmt.Printf("os.Truncate: %q\n", read(p))
}

func names(dir string) {
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	check("write a", os.WriteFile(a, []byte("A"), 0644))
	check("write b", os.WriteFile(b, []byte("B"), 0644))
	check("Rename", os.Rename(a, b))
	_, err := os.Stat(a)
	fmt.Printf("rename: b=%q, a gone %v\n", read(b), errors.Is(err, fs.ErrNotExist))

	l := filepath.Join(dir, "link")
	check("Symlink", os.Symlink("b", l))
	target, err := os.Readlink(l)
	check("Readlink", err)
	lst, err := os.Lstat(l)
	check("Lstat", err)
	fmt.Printf("symlink: -> %s, reads %q, is link %v\n", target, read(l),
		lst.Mode()&fs.ModeSymlink != 0)

	h := filepath.Join(dir, "hard")
	check("Link", os.Link(b, h))
	hst, err := os.Stat(h)
	check("Stat hard", err)
	bst, err := os.Stat(b)
	check("Stat b", err)
	fmt.Printf("link: same file %v, links %d\n", os.SameFile(hst, bst),
		hst.Sys().(*syscall.Stat_t).Nlink)
	check("Remove hard", os.Remove(h))

	check("Chmod", os.Chmod(b, 0600))
	when := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
	check("Chtimes", os.Chtimes(b, when, when))
	check("Chown", os.Chown(b, 1000, 100))
	st, err := os.Stat(b)
	check("Stat", err)
	sys := st.Sys().(*syscall.Stat_t)
	fmt.Printf("chmod: %v, mtime %v, owner %d:%d\n", st.Mode(), st.ModTime().Equal(when),
		sys.Uid, sys.Gid)

	// An open file keeps its data after its name is gone.
	f, err := os.Open(b)
	check("open b", err)
	check("Remove", os.Remove(b))
	got, err := io.ReadAll(f)
	check("read removed", err)
	_, err = os.Stat(b)
	fmt.Printf("unlinked: still reads %q, name gone %v\n", got, errors.Is(err, fs.ErrNotExist))
	check("close", f.Close())
}

func walk(dir string) {
	root := filepath.Join(dir, "tree")
	check("MkdirAll", os.MkdirAll(filepath.Join(root, "x", "y"), 0755))
	check("Mkdir", os.Mkdir(filepath.Join(root, "z"), 0700))
	for _, p := range []string{"one", "x/two", "x/y/three", "z/four"} {
		check("write", os.WriteFile(filepath.Join(root, p), []byte(p), 0644))
	}
	var seen []string
	check("WalkDir", filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		check("walk "+p, err)
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			rel += "/"
		}
		seen = append(seen, rel)
		return nil
	}))
	fmt.Printf("walk: %s\n", strings.Join(seen, " "))
	ents, err := os.ReadDir(filepath.Join(root, "x"))
	check("ReadDir", err)
	var ls []string
	for _, e := range ents {
		ls = append(ls, fmt.Sprintf("%s:%v", e.Name(), e.IsDir()))
	}
	fmt.Printf("readdir: %s\n", strings.Join(ls, " "))
	check("RemoveAll", os.RemoveAll(root))
	_, err = os.Stat(root)
	fmt.Printf("removeall: gone %v\n", errors.Is(err, fs.ErrNotExist))
}

// The initrd's folders are writable too: a new file joins the archive's, a removed archive file
// leaves the listing, and a changed archive file keeps its old bytes in front.
func initrd() {
	exe, err := os.Executable()
	check("Executable", err)
	dir := filepath.Dir(exe)
	check("WriteFile next to the program",
		os.WriteFile(filepath.Join(dir, "made-here"), []byte("new"), 0644))
	ents, err := os.ReadDir(dir)
	check("ReadDir", err)
	var ls []string
	for _, e := range ents {
		ls = append(ls, e.Name())
	}
	sort.Strings(ls)
	fmt.Printf("initrd: the program's folder has %s\n", strings.Join(ls, " "))

	old := read("/.gort/cwd")
	f, err := os.OpenFile("/.gort/cwd", os.O_WRONLY|os.O_APPEND, 0)
	check("open an archive file to append", err)
	_, err = f.WriteString("+more")
	check("append to an archive file", err)
	check("close", f.Close())
	fmt.Printf("initrd: appended %v\n", read("/.gort/cwd") == old+"+more")
	check("Remove an archive file", os.Remove("/.gort/cwd"))
	ents, err = os.ReadDir("/.gort")
	check("ReadDir /.gort", err)
	ls = ls[:0]
	for _, e := range ents {
		ls = append(ls, e.Name())
	}
	fmt.Printf("initrd: /.gort has %s\n", strings.Join(ls, " "))
}

// Fills the file system: the write that finds no room says ENOSPC, what was written stays, and
// removing the file gives the room back.
func fill(dir string) {
	var before syscall.Statfs_t
	check("Statfs", syscall.Statfs(dir, &before))
	fmt.Printf("statfs: tmpfs %v, room %v\n", before.Type == 0x01021994, before.Bfree > 0)
	p := filepath.Join(dir, "fill")
	f, err := os.Create(p)
	check("create fill", err)
	chunk := bytes.Repeat([]byte{0x5a}, 1<<20)
	var written int64
	for {
		n, err := f.Write(chunk)
		written += int64(n)
		if err != nil {
			fmt.Printf("fill: ENOSPC %v after %v MiB, size matches %v\n",
				errors.Is(err, syscall.ENOSPC), written >= 1<<20, size(p) == written)
			fmt.Printf("fill: %d MiB written\n", written>>20)
			break
		}
	}
	check("close", f.Close())
	check("Remove fill", os.Remove(p))
	var after syscall.Statfs_t
	check("Statfs", syscall.Statfs(dir, &after))
	fmt.Printf("fill: room back %v, writes again %v\n", after.Bfree+16 >= before.Bfree,
		os.WriteFile(p, []byte("x"), 0644) == nil)
}

func main() {
	dir, err := os.MkdirTemp("", "gohv-*")
	check("MkdirTemp", err)
	st, err := os.Stat(dir)
	check("stat temp dir", err)
	fmt.Printf("mkdirtemp: in %s %v, mode %v\n", os.TempDir(),
		strings.HasPrefix(dir, os.TempDir()+"/"), st.Mode())
	files(dir)
	names(dir)
	walk(dir)
	initrd()
	if len(os.Args) > 1 && os.Args[1] == "fill" {
		fill(dir)
	}
	check("RemoveAll", os.RemoveAll(dir))
	_, err = os.Stat(dir)
	fmt.Printf("done: temp dir gone %v\n", errors.Is(err, fs.ErrNotExist))
}
