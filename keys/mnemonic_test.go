package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

// The P-256 key of RFC 6979 appendix A.2.5 and its public point.
const (
	rfc6979Key = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721"
	rfc6979Ux  = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
	rfc6979Uy  = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"
)

// BIP-39 vectors (Trezor's list): the all-zero and all-ones 32-byte entropies.
var (
	zeroWords = strings.Repeat("abandon ", 23) + "art"
	onesWords = strings.Repeat("zoo ", 23) + "vote"
)

func rfc6979PrivateKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	d, _ := hex.DecodeString(rfc6979Key)
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func fingerprint(t testing.TB, key crypto.Signer) string {
	t.Helper()
	fp, err := manifest.Fingerprint(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func TestMnemonicRoundTrip(t *testing.T) {
	t.Parallel()
	for _, alg := range algorithms {
		t.Run(alg, func(t *testing.T) {
			key, _ := Generate(alg)
			words, err := Mnemonic(key)
			if err != nil {
				t.Fatal(err)
			}
			fields := strings.Fields(words)
			if len(fields) != 25 || fields[0] != alg {
				t.Fatalf("mnemonic %d fields starting %q, want %q and 24 words", len(fields), fields[0], alg)
			}
			// The name alone, or the name and a matching algorithm, in any
			// letter case and spacing; the bare words with the algorithm.
			for _, in := range []struct{ words, alg string }{
				{strings.ToUpper(words) + "\n", ""},
				{"  " + strings.ReplaceAll(words, " ", "\n\t") + "\n", alg},
				{strings.Join(fields[1:], " "), alg},
			} {
				back, err := KeyFromMnemonic(in.words, in.alg)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := fingerprint(t, back), fingerprint(t, key); got != want {
					t.Fatalf("restored fingerprint %s, want %s", got, want)
				}
			}
		})
	}
}

// TestMnemonicWrongAlgorithm: words restored under the other algorithm
// fail when they name theirs, and need an explicit algorithm when they do
// not (they then give another key: nothing in them can tell).
func TestMnemonicWrongAlgorithm(t *testing.T) {
	t.Parallel()
	ec, _ := Generate(ECDSAP256)
	words, _ := Mnemonic(ec)
	_, err := KeyFromMnemonic(words, Ed25519)
	if err == nil || !strings.Contains(err.Error(), "for an ecdsa-p256 key, not ed25519") {
		t.Fatalf("ecdsa-p256 words restored as ed25519: %v", err)
	}
	bare := strings.Join(strings.Fields(words)[1:], " ")
	if _, err := KeyFromMnemonic(bare, ""); err == nil || !strings.Contains(err.Error(), "do not name their key algorithm") {
		t.Fatalf("bare words, no algorithm: %v", err)
	}
	other, err := KeyFromMnemonic(bare, Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, other) == fingerprint(t, ec) {
		t.Fatal("the same words gave the same key under both algorithms")
	}
}

func TestMnemonicBadInput(t *testing.T) {
	t.Parallel()
	// A fixed key, not a random one: swapping two words of a random key
	// keeps BIP-39's 8-bit checksum valid once in 256 runs.
	ed := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x5a}, ed25519.SeedSize))
	words, _ := Mnemonic(ed)
	fields := strings.Fields(words)
	secretWord := fields[1]
	for _, tc := range []struct{ name, words, alg, want string }{
		{"12 words", strings.Join(fields[:13], " "), "", "12 words, want 24"},
		{"empty", "", Ed25519, "0 words"},
		{"not a word", strings.Replace(words, secretWord, "notaword", 1), "", "word 1 is not in the BIP-39"},
		{"swapped", fields[0] + " " + fields[2] + " " + fields[1] + " " + strings.Join(fields[3:], " "), "", "checksum"},
		{"25 words, no name", secretWord + " " + strings.Join(fields[1:], " "), "", "the first should name the algorithm"},
		{"unknown algorithm", words, "rsa", `unknown key algorithm "rsa"`},
		{"P-256 scalar 0", "ecdsa-p256 " + zeroWords, "", "do not encode an ECDSA P-256 private key"},
		{"P-256 scalar above n", onesWords, ECDSAP256, "do not encode an ECDSA P-256 private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := KeyFromMnemonic(tc.words, tc.alg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), nil)
	if _, err := Mnemonic(p384); err == nil || !strings.Contains(err.Error(), "P-384") {
		t.Fatalf("Mnemonic of a P-384 key: %v", err)
	}
}

// TestMnemonicKnownKeys ties the words to keys derived independently: the
// all-zero seed is "abandon … art" (BIP-39 vector), and Ed25519 with that
// seed is RFC 8032 key generation by the standard library; the words of the
// RFC 6979 P-256 key give the RFC's public point, and openssl reads the
// restored key's scalar and point back.
func TestMnemonicKnownKeys(t *testing.T) {
	t.Parallel()
	key, err := KeyFromMnemonic(zeroWords, Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	want := ed25519.NewKeyFromSeed(make([]byte, 32))
	if !want.Equal(key) {
		t.Fatal("abandon…art did not give the all-zero seed")
	}
	if got, _ := Mnemonic(want); got != "ed25519 "+zeroWords {
		t.Fatalf("Mnemonic(zero seed) = %q", got)
	}

	words, err := Mnemonic(rfc6979PrivateKey(t))
	if err != nil {
		t.Fatal(err)
	}
	back, err := KeyFromMnemonic(words, "")
	if err != nil {
		t.Fatal(err)
	}
	point, err := back.Public().(*ecdsa.PublicKey).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ToUpper(hex.EncodeToString(point)); got != "04"+rfc6979Ux+rfc6979Uy {
		t.Fatalf("RFC 6979 key restored with point %s", got)
	}

	requireTool(t, "openssl")
	der, err := x509.MarshalPKCS8PrivateKey(back)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("openssl", "pkey", "-text", "-noout")
	cmd.Stdin = strings.NewReader(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl pkey: %v", err)
	}
	// openssl prints "priv:" then "pub:", each as colon-separated hex.
	m := regexp.MustCompile(`(?s)priv:(.*)pub:(.*)ASN1 OID`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("openssl output:\n%s", out)
	}
	hexOf := func(b []byte) string {
		return strings.ToUpper(regexp.MustCompile(`[^0-9a-fA-F]`).ReplaceAllString(string(b), ""))
	}
	if got := strings.TrimLeft(hexOf(m[1]), "0"); got != rfc6979Key {
		t.Errorf("openssl reads scalar %s, want %s", got, rfc6979Key)
	}
	if got := hexOf(m[2]); got != "04"+rfc6979Ux+rfc6979Uy {
		t.Errorf("openssl reads point %s", got)
	}
}

// TestSignDeterministicRFC6979: our ECDSA signature of "sample" with the
// key of RFC 6979 appendix A.2.5 (P-256, SHA-256) is the RFC's (r, s), and
// the same every time; Ed25519 is RFC 8032's, which is deterministic.
func TestSignDeterministicRFC6979(t *testing.T) {
	t.Parallel()
	const (
		wantR = "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
		wantS = "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"
	)
	key := rfc6979PrivateKey(t)
	sig, err := SignDeterministic(key, []byte("sample"))
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 {
		t.Fatalf("signature is not one DER ECDSA-Sig-Value: %v", err)
	}
	if r, s := strings.ToUpper(rs.R.Text(16)), strings.ToUpper(rs.S.Text(16)); r != wantR || s != wantS {
		t.Fatalf("(r, s) = (%s, %s), want RFC 6979 A.2.5 (%s, %s)", r, s, wantR, wantS)
	}
	again, _ := SignDeterministic(key, []byte("sample"))
	if string(again) != string(sig) {
		t.Fatal("two signatures of the same message differ")
	}
	if !stdlibVerify(key.Public(), []byte("sample"), sig) {
		t.Fatal("the signature does not verify as a bundle signature")
	}

	ed, _ := Generate(Ed25519)
	edSig, err := SignDeterministic(ed, []byte("sample"))
	if err != nil || !ed25519.Verify(ed.Public().(ed25519.PublicKey), []byte("sample"), edSig) {
		t.Fatalf("Ed25519: %v", err)
	}
	if _, err := SignDeterministic(opaqueSigner{key}, []byte("sample")); err == nil {
		t.Fatal("an opaque ECDSA signer was accepted")
	}
}

// opaqueSigner hides the key type, as a hardware or KMS signer would.
type opaqueSigner struct{ crypto.Signer }

// FuzzKeyFromMnemonic: any input gives a key or an error, never a panic,
// and a key restored from the words gives the same words back.
func FuzzKeyFromMnemonic(f *testing.F) {
	for _, alg := range algorithms {
		key, _ := Generate(alg)
		words, _ := Mnemonic(key)
		f.Add(words, "")
		f.Add(words, alg)
		f.Add(strings.Join(strings.Fields(words)[1:], " "), alg)
	}
	f.Add(zeroWords, Ed25519)
	f.Add(onesWords, ECDSAP256)
	f.Add("ecdsa-p256 "+zeroWords, "")
	f.Add("ED25519 "+strings.Repeat("zoo ", 24), "")
	f.Add("abandon", "rsa")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, words, alg string) {
		key, err := KeyFromMnemonic(words, alg)
		if err != nil {
			return
		}
		again, err := Mnemonic(key)
		if err != nil {
			t.Fatalf("a restored key has no mnemonic: %v", err)
		}
		back, err := KeyFromMnemonic(again, "")
		if err != nil || fingerprint(t, back) != fingerprint(t, key) {
			t.Fatalf("mnemonic does not round-trip: %v", err)
		}
	})
}
