package main

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// goName is the Go constant for a header's NETPROTO_<NAME>: NETPROTO_T_EV_EOF is netprotoTEvEOF.
func goName(c string) string {
	words := strings.Split(strings.TrimPrefix(c, "NETPROTO_"), "_")
	out := "netproto"
	for _, w := range words {
		switch w {
		case "EOF":
		default:
			w = w[:1] + strings.ToLower(w[1:])
		}
		out += w
	}
	return out
}

// TestProtoConstantsMatchHeader: guest-abi/net/netproto.h is the one definition of the
// protocol; every NETPROTO_ constant there has its twin of the same value in proto.go, and
// proto.go has nothing else.
func TestProtoConstantsMatchHeader(t *testing.T) {
	src, err := os.ReadFile("../net/netproto.h")
	if err != nil {
		t.Fatal(err)
	}
	// A define clang-format wrapped is one line again.
	text := strings.ReplaceAll(string(src), "\\\n", " ")
	re := regexp.MustCompile(`(?m)^#define\s+(NETPROTO_\w+)\s+(\d+)\b`)
	want := map[string]int64{}
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		v, _ := strconv.ParseInt(m[2], 10, 64)
		want[goName(m[1])] = v
	}
	if len(want) < 30 {
		t.Fatalf("only %d constants found in netproto.h", len(want))
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "proto.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, name := range pkg.Scope().Names() {
		c, ok := pkg.Scope().Lookup(name).(*types.Const)
		if !ok {
			continue
		}
		got[name] = true
		w, ok := want[name]
		v, _ := constant.Int64Val(c.Val())
		if !ok {
			t.Errorf("proto.go's %s = %d is not in netproto.h", name, v)
		} else if v != w {
			t.Errorf("%s: proto.go says %d, netproto.h %d", name, v, w)
		}
	}
	for name, w := range want {
		if !got[name] {
			t.Errorf("netproto.h's %s (%d) has no constant %s in proto.go", name, w, name)
		}
	}
}
