// app: the untrusted half of the vault/app example (boards/qemu-virt-riscv64-vault). It has no
// key of its own: it asks the vault, over net/rpc on /dev/chan/vault, for its public key and for
// signatures of its messages, and checks each with crypto/ed25519. When the vault goes away
// mid-call (it crashed, or its restart policy brought it back) the call fails; the app opens the
// channel again, which waits until the vault is back, and carries on with the vault's new key.
//
// APP_SIGNATURES=N: exit 0 after N verified signatures (0, the default: never);
// APP_INTERVAL_MS=T: wait T ms between signatures (default 500).
package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"net/rpc"
	"os"
	"strconv"
	"time"
)

func envInt(name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		fmt.Printf("app: %s is not a count: %q\n", name, s)
		os.Exit(1)
	}
	return n
}

func main() {
	want := envInt("APP_SIGNATURES", 0)
	interval := time.Duration(envInt("APP_INTERVAL_MS", 500)) * time.Millisecond
	var key ed25519.PublicKey
	verified, keys := 0, 0
	for {
		f, err := os.OpenFile("/dev/chan/vault", os.O_RDWR, 0)
		if err != nil {
			fmt.Println("app:", err)
			os.Exit(1)
		}
		c := rpc.NewClient(f)
		var pub []byte
		if err := c.Call("Vault.PublicKey", struct{}{}, &pub); err != nil {
			fmt.Printf("app: public key: %v\n", err)
			c.Close()
			continue
		}
		if len(pub) != ed25519.PublicKeySize {
			fmt.Printf("app: the vault's public key is %d bytes\n", len(pub))
			os.Exit(1)
		}
		if !bytes.Equal(pub, key) {
			keys++
			if key == nil {
				fmt.Printf("app: vault key %d: %s\n", keys, hex.EncodeToString(pub))
			} else {
				fmt.Printf("app: vault key %d: %s (a new key: the vault restarted)\n", keys,
					hex.EncodeToString(pub))
			}
			key = pub
		}
		for {
			msg := []byte(fmt.Sprintf("message %d from %s", verified+1, "app"))
			var sig []byte
			if err := c.Call("Vault.Sign", msg, &sig); err != nil {
				fmt.Printf("app: sign %q: %v\n", msg, err)
				break
			}
			if !ed25519.Verify(key, msg, sig) {
				fmt.Printf("app: BAD SIGNATURE of %q under key %d\n", msg, keys)
				os.Exit(1)
			}
			verified++
			fmt.Printf("app: verified signature %d (key %d) of %q: %s...\n", verified, keys, msg,
				hex.EncodeToString(sig[:8]))
			if want > 0 && verified == want {
				fmt.Printf("app: %d signatures verified with %d vault key(s)\n", verified, keys)
				return
			}
			time.Sleep(interval)
		}
		c.Close()
	}
}
