//go:build tamago && riscv64

package goos

import "unsafe"

// A flattened device tree (devicetree.org's DTB format), read in place: no copy, no allocation.
// Only what a partition needs: a property of a node given by its path.
type fdt struct {
	base, end   uintptr // the blob, [base, end)
	structs     uintptr // the structure block
	structsEnd  uintptr
	strings     uintptr // the strings block
	stringsSize uint32
}

const (
	fdtMagic     = 0xd00dfeed
	fdtBeginNode = 1
	fdtEndNode   = 2
	fdtProp      = 3
	fdtNop       = 4
	fdtEnd       = 9
	// The hv writes the tree into the last 64 KiB of RAM: a header claiming more is not its.
	fdtMaxSize = 64 << 10
)

func be32(p uintptr) uint32 {
	b := (*[4]byte)(unsafe.Pointer(p))
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func be64(p uintptr) uint64 {
	return uint64(be32(p))<<32 | uint64(be32(p+4))
}

// openFDT checks the header at p; ok is false when it is not a blob this package can read.
func openFDT(p uintptr) (t fdt, ok bool) {
	if p == 0 || p%8 != 0 || be32(p) != fdtMagic {
		return t, false
	}
	size := be32(p + 4)
	offStruct, offStrings := be32(p+8), be32(p+12)
	sizeStrings, sizeStruct := be32(p+32), be32(p+36)
	if size > fdtMaxSize || offStruct > size || sizeStruct > size-offStruct ||
		offStrings > size || sizeStrings > size-offStrings {
		return t, false
	}
	return fdt{
		base: p, end: p + uintptr(size),
		structs: p + uintptr(offStruct), structsEnd: p + uintptr(offStruct) + uintptr(sizeStruct),
		strings: p + uintptr(offStrings), stringsSize: sizeStrings,
	}, true
}

// cstring is the NUL-terminated string at p, not reaching end ("" if unterminated).
func cstring(p, end uintptr) string {
	n := uintptr(0)
	for p+n < end && *(*byte)(unsafe.Pointer(p + n)) != 0 {
		n++
	}
	if p+n >= end {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(p)), int(n))
}

// component is the i-th (from 0) name of path "/a/b/c", and whether there is one.
func component(path string, i int) (string, bool) {
	for len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	for ; i > 0; i-- {
		j := 0
		for j < len(path) && path[j] != '/' {
			j++
		}
		if j == len(path) {
			return "", false
		}
		path = path[j+1:]
	}
	if path == "" {
		return "", false
	}
	j := 0
	for j < len(path) && path[j] != '/' {
		j++
	}
	return path[:j], true
}

// nameMatches: a node "memory@80000000" is found as "memory" too.
func nameMatches(node, want string) bool {
	if node == want {
		return true
	}
	return len(node) > len(want) && node[:len(want)] == want && node[len(want)] == '@'
}

// prop finds property name of the node at path ("/" is the root) and returns where its value
// is and how long it is; ok is false if there is no such node or property.
func (t *fdt) prop(path, name string) (val uintptr, size int, ok bool) {
	want := 0 // levels below the root the path names
	for {
		if _, more := component(path, want); !more {
			break
		}
		want++
	}
	depth, matched := -1, -1 // the root is depth 0
	for p := t.structs; p+4 <= t.structsEnd; {
		tok := be32(p)
		p += 4
		switch tok {
		case fdtBeginNode:
			n := cstring(p, t.structsEnd)
			p += (uintptr(len(n)) + 1 + 3) &^ 3
			depth++
			if matched == depth-1 {
				if depth == 0 {
					matched = 0
				} else if c, _ := component(path, depth-1); nameMatches(n, c) {
					matched = depth
				}
			}
		case fdtEndNode:
			if matched == depth {
				matched--
			}
			depth--
			if depth < 0 {
				return 0, 0, false
			}
		case fdtProp:
			if p+8 > t.structsEnd {
				return 0, 0, false
			}
			ln, nameOff := be32(p), be32(p+4)
			p += 8
			if uintptr(ln) > t.structsEnd-p {
				return 0, 0, false
			}
			if matched == want && depth == want && nameOff < t.stringsSize &&
				cstring(t.strings+uintptr(nameOff), t.strings+uintptr(t.stringsSize)) == name {
				return p, int(ln), true
			}
			p += (uintptr(ln) + 3) &^ 3
		case fdtNop:
		default:
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// str is a string property (its value up to the first NUL).
func (t *fdt) str(path, name string) (string, bool) {
	v, n, ok := t.prop(path, name)
	if !ok || n == 0 {
		return "", false
	}
	return cstring(v, v+uintptr(n)), true
}

func (t *fdt) u64(path, name string) (uint64, bool) {
	v, n, ok := t.prop(path, name)
	if !ok || n != 8 {
		return 0, false
	}
	return be64(v), true
}
