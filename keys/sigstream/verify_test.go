package sigstream_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"testing"

	"filippo.io/edwards25519"

	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/keys/sigstream"
)

// streamVerify feeds msg to a Verifier in uneven pieces.
func streamVerify(a *sigalg.Algorithm, pub crypto.PublicKey, msg, sig []byte) bool {
	v := sigstream.NewVerifier(a, pub, sig)
	for len(msg) > 0 {
		n := min(len(msg), 1+len(msg)/3)
		v.Write(msg[:n])
		msg = msg[n:]
	}
	return v.Verify()
}

// TestVerifierRFC8032: the test vectors of RFC 8032 §7.1 verify, and
// fail with one bit of the message or the signature changed.
func TestVerifierRFC8032(t *testing.T) {
	vectors := []struct{ pub, msg, sig string }{
		{"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
			"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
		{"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
			"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
		{"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
			"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
		{"ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
			"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
			"dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
	}
	for _, vec := range vectors {
		pub, msg, sig := unhex(t, vec.pub), unhex(t, vec.msg), unhex(t, vec.sig)
		if !streamVerify(sigalg.Ed25519, ed25519.PublicKey(pub), msg, sig) {
			t.Errorf("RFC 8032 vector %s does not verify", vec.pub)
		}
		sig[5] ^= 1
		if streamVerify(sigalg.Ed25519, ed25519.PublicKey(pub), msg, sig) {
			t.Errorf("RFC 8032 vector %s verifies with its signature changed", vec.pub)
		}
		sig[5] ^= 1
		if streamVerify(sigalg.Ed25519, ed25519.PublicKey(pub), append(msg, 0), sig) {
			t.Errorf("RFC 8032 vector %s verifies with its message changed", vec.pub)
		}
	}
}

func unhex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVerifierAgreesEd25519: the streamed verification answers as
// ed25519.Verify for genuine signatures and for the edge cases where
// implementations of Ed25519 disagree: S not reduced (S + L), R and A
// of small order, A and R encoded non-canonically, the high bits of S.
func TestVerifierAgreesEd25519(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range edgeCases(t, pub, priv) {
		want := ed25519.Verify(c.pub, c.msg, c.sig)
		if got := streamVerify(sigalg.Ed25519, c.pub, c.msg, c.sig); got != want {
			t.Errorf("%s: streamed verification says %v, ed25519.Verify %v", c.name, got, want)
		}
	}
}

type edgeCase struct {
	name     string
	pub      ed25519.PublicKey
	msg, sig []byte
}

// smallOrder are encodings of points of small order, canonical and not
// (the identity, a point of order 2, of order 4, and y = p, p+1
// encodings), the inputs on which verifiers differ.
var smallOrder = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0100000000000000000000000000000000000000000000000000000000000080",
}

func edgeCases(t *testing.T, pub ed25519.PublicKey, priv ed25519.PrivateKey) []edgeCase {
	msg := []byte("manifest.json")
	sig := ed25519.Sign(priv, msg)
	cases := []edgeCase{
		{"genuine", pub, msg, sig},
		{"empty message", pub, nil, ed25519.Sign(priv, nil)},
		{"short signature", pub, msg, sig[:63]},
		{"long signature", pub, msg, append(bytes.Clone(sig), 0)},
		{"high bits of S", pub, msg, withByte(sig, 63, sig[63]|0x80)},
	}
	// S + L: the same point equation, S not reduced (RFC 8032 requires S < L).
	s, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		t.Fatal(err)
	}
	var unreduced [32]byte
	copy(unreduced[:], s.Bytes())
	addL(unreduced[:])
	cases = append(cases, edgeCase{"S + L", pub, msg, append(bytes.Clone(sig[:32]), unreduced[:]...)})
	zeroS := make([]byte, 32)
	for _, a := range smallOrder {
		A := ed25519.PublicKey(unhex(t, a))
		for _, r := range smallOrder {
			R := unhex(t, r)
			cases = append(cases, edgeCase{"A " + a[:8] + ", R " + r[:8] + ", S 0", A, msg, append(R, zeroS...)})
		}
		cases = append(cases, edgeCase{"small-order A " + a[:8] + " with a genuine signature", A, msg, sig})
	}
	return cases
}

func withByte(b []byte, i int, c byte) []byte {
	b = bytes.Clone(b)
	b[i] = c
	return b
}

// addL adds the group order L to a little-endian 256-bit number.
func addL(n []byte) {
	l := unhex(nil, "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
	carry := 0
	for i := range n {
		sum := int(n[i]) + int(l[i]) + carry
		n[i], carry = byte(sum), sum>>8
	}
}

// FuzzVerifierEd25519: on any key, message and signature, the streamed
// verification answers as ed25519.Verify.
func FuzzVerifierEd25519(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	msg := []byte("manifest.json")
	f.Add([]byte(pub), msg, ed25519.Sign(priv, msg))
	f.Add(unhex(f, smallOrder[0]), msg, make([]byte, 64))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		if len(pub) != ed25519.PublicKeySize {
			return // ed25519.Verify panics; keys are read as 32 bytes
		}
		want := ed25519.Verify(pub, msg, sig)
		if got := streamVerify(sigalg.Ed25519, ed25519.PublicKey(pub), msg, sig); got != want {
			t.Fatalf("streamed verification says %v, ed25519.Verify %v", got, want)
		}
	})
}

// TestVerifierDigestAlgorithms: ECDSA P-256 and RSA PKCS #1 v1.5 over a
// streamed SHA-256 answer as the table's Verify over the whole message.
func TestVerifierDigestAlgorithms(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	msg := bytes.Repeat([]byte("manifest "), 10_000)
	for _, c := range []struct {
		alg *sigalg.Algorithm
		key crypto.Signer
	}{{sigalg.ECDSAP256SHA256, ec}, {sigalg.RSAPKCS1SHA256, rk}} {
		sig, err := c.alg.Sign(c.key, msg)
		if err != nil {
			t.Fatal(err)
		}
		altered := withByte(msg, 77, 'X')
		for _, m := range [][]byte{msg, altered} {
			if got, want := streamVerify(c.alg, c.key.Public(), m, sig), c.alg.Verify(c.key.Public(), m, sig); got != want {
				t.Errorf("%s: streamed %v, whole %v", c.alg.Name, got, want)
			}
		}
		if !streamVerify(c.alg, c.key.Public(), msg, sig) || streamVerify(c.alg, c.key.Public(), altered, sig) {
			t.Errorf("%s: the streamed verification does not tell the genuine message from the altered one", c.alg.Name)
		}
	}
	if streamVerify(sigalg.RSAPKCS1SHA256, ec.Public(), msg, nil) {
		t.Error("an ECDSA key verified as RSA")
	}
}
