// httpserver: an ordinary net/http server, as a user would write it, that gohv serves to the host
// with `gohv run --publish 8080:8080 build/go/httpserver` (netd carries its sockets; see
// docs/netproto.md). Every answer can be checked byte for byte:
//
//	GET  /          a fixed page (page below)
//	GET  /bytes?n=N N bytes, byte i being 'a' + i%26 (N up to 64 MiB)
//	POST /echo      the request's body
//	GET  /exit      answers "bye\n", then the program exits 0
//
// Every answer has a Content-Length (none is chunked). -addr (default ":8080") is where it
// listens.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"
)

const page = "hello from Go on gohv\n"

const bytesMax = 64 << 20

func bytesHandler(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 0 || n > bytesMax {
		http.Error(w, "n must be 0 to 67108864", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(n))
	var chunk [26 * 1260]byte // a whole number of alphabets, so every chunk starts at 'a'
	for i := range chunk {
		chunk[i] = byte('a' + i%26)
	}
	for n > 0 {
		k := n
		if k > len(chunk) {
			k = len(chunk)
		}
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		n -= k
	}
}

func echoHandler(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, bytesMax))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func main() {
	addr := flag.String("addr", ":8080", "where to listen")
	flag.Parse()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, page)
	})
	http.HandleFunc("/bytes", bytesHandler)
	http.HandleFunc("/echo", echoHandler)
	http.HandleFunc("/exit", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4")
		io.WriteString(w, "bye\n")
		w.(http.Flusher).Flush()
		go func() {
			time.Sleep(100 * time.Millisecond) // the answer leaves first
			fmt.Println("httpserver: exiting, as asked")
			os.Exit(0)
		}()
	})
	fmt.Printf("httpserver: listening on %s\n", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
