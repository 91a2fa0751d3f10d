package scryptmem

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"

	"golang.org/x/crypto/scrypt"
)

// TestSameAsXCrypto: the key is x/crypto/scrypt's for the parameters of
// sigstore's key files and others, over random passwords and salts.
func TestSameAsXCrypto(t *testing.T) {
	for _, c := range []struct{ N, r, p, keyLen int }{
		{4, 1, 1, 32}, {16, 1, 1, 64}, {1024, 8, 1, 32}, {1024, 8, 2, 32}, {256, 3, 3, 48}, {32768, 8, 1, 32},
	} {
		t.Run(fmt.Sprintf("N=%d,r=%d,p=%d", c.N, c.r, c.p), func(t *testing.T) {
			for range max(1, 3*1024/c.N) { // a few random inputs, one for the costly N
				password, salt := make([]byte, 12), make([]byte, 32)
				rand.Read(password)
				rand.Read(salt)
				want, err := scrypt.Key(password, salt, c.N, c.r, c.p, c.keyLen)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Key(password, salt, c.N, c.r, c.p, c.keyLen)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("%x, %v; want %x", got, err, want)
				}
			}
		})
	}
}

// TestRFC7914: the test vectors of RFC 7914 §12 that fit a test.
func TestRFC7914(t *testing.T) {
	for _, c := range []struct {
		password, salt string
		N, r, p        int
		want           string
	}{
		{"password", "NaCl", 1024, 8, 16, "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"},
		{"pleaseletmein", "SodiumChloride", 16384, 8, 1, "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"},
	} {
		got, err := Key([]byte(c.password), []byte(c.salt), c.N, c.r, c.p, 64)
		if err != nil || hex.EncodeToString(got) != c.want {
			t.Errorf("%s: %x, %v", c.password, got, err)
		}
	}
}

func TestBadParameters(t *testing.T) {
	for _, c := range [][3]int{{0, 8, 1}, {3, 8, 1}, {2, 8, 1}, {1024, 0, 1}, {1024, 8, 0}, {1 << 25, 8, 1}} {
		if _, err := Key(nil, nil, c[0], c[1], c[2], 32); err == nil {
			t.Errorf("N=%d r=%d p=%d accepted", c[0], c[1], c[2])
		}
	}
}
