// crypto: a SHA-256 digest against its known value, and an Ed25519 key from crypto/rand (which
// reads getrandom, served from the partition's own DRBG) that signs and verifies.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
)

func main() {
	sum := sha256.Sum256([]byte("hello from Go on gohv"))
	fmt.Printf("sha256=%s\n", hex.EncodeToString(sum[:]))

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		fmt.Println("ed25519: GenerateKey:", err)
		os.Exit(1)
	}
	msg := []byte("partitions do not share memory")
	sig := ed25519.Sign(priv, msg)
	fmt.Printf("ed25519 public key %d bytes, signature %d bytes\n", len(pub), len(sig))
	fmt.Printf("verify=%v\n", ed25519.Verify(pub, msg, sig))
	tampered := append([]byte{}, msg...)
	tampered[0] ^= 1
	fmt.Printf("verify tampered=%v\n", ed25519.Verify(pub, tampered, sig))
}
