package sigstream_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"testing"

	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/keys/sigstream"
)

// TestSignReaderEd25519: the streamed Ed25519 signature is ed25519.Sign's,
// byte for byte, for messages of every length around the hash's blocks;
// ECDSA's verifies.
func TestSignReaderEd25519(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for n := range 300 {
		msg := make([]byte, n*37)
		rand.Read(msg)
		open := func() (io.Reader, error) { return bytes.NewReader(msg), nil }
		got, err := sigstream.SignReader(sigalg.Ed25519, priv, open)
		if err != nil || !bytes.Equal(got, ed25519.Sign(priv, msg)) {
			t.Fatalf("%d bytes: streamed signature %x differs from ed25519.Sign (%v)", len(msg), got, err)
		}
		sig, err := sigstream.SignReader(sigalg.ECDSAP256SHA256, ec, open)
		if err != nil || !sigalg.ECDSAP256SHA256.Verify(ec.Public(), msg, sig) {
			t.Fatalf("%d bytes: ECDSA signature from a reader does not verify (%v)", len(msg), err)
		}
	}
}

// TestSignReaderRSA: an RSA key signs from a reader as the table signs
// (PKCS #1 v1.5 over SHA-256), and its signature verifies.
func TestSignReaderRSA(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	msg := bytes.Repeat([]byte("manifest "), 100_000)
	open := func() (io.Reader, error) { return bytes.NewReader(msg), nil }
	sig, err := sigstream.SignReader(sigalg.RSAPKCS1SHA256, key, open)
	if err != nil || !sigalg.RSAPKCS1SHA256.Verify(&key.PublicKey, msg, sig) {
		t.Fatalf("RSA signature from a reader does not verify (%v)", err)
	}
	if _, err := sigstream.SignReader(sigalg.Ed25519, key, open); err == nil {
		t.Fatal("an RSA key signed as Ed25519")
	}
}
