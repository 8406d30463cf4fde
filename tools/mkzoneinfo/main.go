// Command mkzoneinfo writes the zoneinfo.zip that Go's own time tests read from
// $GOROOT/lib/time (Debian ships the zones in /usr/share/zoneinfo instead). Like Go's
// lib/time/update.bash, entries are stored uncompressed, which is all the time package reads.
package main

import (
	"archive/zip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mkzoneinfo ZONEINFO-DIR OUT.zip")
		os.Exit(2)
	}
	if err := write(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mkzoneinfo:", err)
		os.Exit(1)
	}
}

func write(dir, out string) error {
	f, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	z := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		// posix/ and right/ are alternative copies; Go's zip has neither.
		if d.IsDir() && (rel == "posix" || rel == "right") {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || strings.Contains(rel, ".") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if len(data) < 4 || string(data[:4]) != "TZif" {
			return nil
		}
		w, err := z.CreateHeader(&zip.FileHeader{Name: rel, Method: zip.Store})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err == nil {
		err = z.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out + ".tmp")
		return err
	}
	return os.Rename(out+".tmp", out)
}
