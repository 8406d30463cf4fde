// vault: the trusted half of the vault/app example (boards/qemu-virt-riscv64-vault). At start it
// makes an ed25519 key with crypto/rand, which reads getrandom, which gort serves from the
// partition's goos entropy (GOOS_FN_ENTROPY): a new key at every start, restarts included. The
// private key never leaves this partition: over net/rpc on /dev/chan/vault (a channel to the
// app) it serves only Vault.PublicKey and Vault.Sign.
//
// VAULT_CRASH_AFTER=N (gort.env= in the board's bootargs): after N signatures the vault ends on
// purpose (exit 3) with the next request unanswered, so its restart policy brings it back with a
// new key and the app sees what a crashed vault looks like.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/rpc"
	"os"
	"strconv"
	"sync"
)

// The most the vault signs at once: a request is one message or a few, not a stream.
const maxMessage = 1024

type Vault struct {
	mu         sync.Mutex
	priv       ed25519.PrivateKey
	pub        ed25519.PublicKey
	signed     int
	crashAfter int
}

func (v *Vault) PublicKey(_ struct{}, pub *[]byte) error {
	*pub = append([]byte(nil), v.pub...)
	return nil
}

func (v *Vault) Sign(msg []byte, sig *[]byte) error {
	if len(msg) > maxMessage {
		return errors.New("vault: message too long")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.crashAfter > 0 && v.signed >= v.crashAfter {
		fmt.Printf("vault: ending on purpose after %d signatures (VAULT_CRASH_AFTER)\n", v.signed)
		os.Exit(3)
	}
	v.signed++
	*sig = ed25519.Sign(v.priv, msg)
	return nil
}

func main() {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		fmt.Println("vault: no key:", err)
		os.Exit(1)
	}
	v := &Vault{priv: priv, pub: pub}
	if s := os.Getenv("VAULT_CRASH_AFTER"); s != "" {
		if v.crashAfter, err = strconv.Atoi(s); err != nil || v.crashAfter < 0 {
			fmt.Println("vault: VAULT_CRASH_AFTER is not a count:", s)
			os.Exit(1)
		}
	}
	srv := rpc.NewServer()
	if err := srv.Register(v); err != nil {
		fmt.Println("vault:", err)
		os.Exit(1)
	}
	fmt.Printf("vault: new key, public %s, serving /dev/chan/vault\n", hex.EncodeToString(pub))
	// ServeConn ends when the app restarts (ECONNRESET) and closes the file: open it again, the
	// next session starts once both ends have reset.
	for session := 1; ; session++ {
		f, err := os.OpenFile("/dev/chan/vault", os.O_RDWR, 0)
		if err != nil {
			fmt.Println("vault:", err)
			os.Exit(1)
		}
		srv.ServeConn(f)
		fmt.Printf("vault: session %d ended (the app went away)\n", session)
	}
}
