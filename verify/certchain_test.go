package verify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testpki"
)

var chainTime = time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)

// issued is a certificate and its private key, for building test chains.

var (
	rsaOnce sync.Once
	rsa2048 *rsa.PrivateKey
)

// rsaKey is generated once: RSA key generation is slow on a shared machine.
func rsaKey(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsa2048, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return rsa2048
}

// testChain is a doctor's certificate (ECDSA), an intermediate (ECDSA) and
// an RSA root.
func testChain(t testing.TB) (leaf, inter, root *testpki.Cert) {
	root = testpki.Issue(t, chainTime, testpki.CA("Test Medical Council Root"), rsaKey(t), nil)
	inter = testpki.Issue(t, chainTime, testpki.CA("Test Medical Council Signing CA"), testpki.P256Key(t), root)
	leaf = testpki.Issue(t, chainTime, testpki.Leaf("Dra. María Núñez"), testpki.P256Key(t), inter)
	return leaf, inter, root
}

func certs(is ...*testpki.Cert) []*x509.Certificate {
	var out []*x509.Certificate
	for _, i := range is {
		out = append(out, i.Cert)
	}
	return out
}

func TestCheckCertificateChainAccepts(t *testing.T) {
	t.Parallel()
	leaf, inter, root := testChain(t)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	for name, chain := range map[string][]*x509.Certificate{
		"leaf, intermediate, root":   certs(leaf, inter, root),
		"leaf issued by the root":    certs(testpki.Issue(t, chainTime, testpki.Leaf("Dr. Root-issued"), testpki.P256Key(t), root), root),
		"self-issued ECDSA":          certs(testpki.Issue(t, chainTime, testpki.Leaf("self"), testpki.P256Key(t), nil)),
		"self-issued Ed25519":        certs(testpki.Issue(t, chainTime, testpki.Leaf("self"), ed, nil)),
		"leaf without key usage":     certs(testpki.Issue(t, chainTime, &x509.Certificate{Subject: pkix.Name{CommonName: "no KU"}}, testpki.P256Key(t), inter), inter, root),
		"leaf for contentCommitment": certs(testpki.Issue(t, chainTime, &x509.Certificate{Subject: pkix.Name{CommonName: "nr"}, KeyUsage: x509.KeyUsageContentCommitment}, testpki.P256Key(t), root), root),
	} {
		if err := CheckCertificateChain(chain); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckCertificateChainRefuses(t *testing.T) {
	t.Parallel()
	leaf, inter, root := testChain(t)
	otherRoot := testpki.Issue(t, chainTime, testpki.CA("Other Root"), testpki.P256Key(t), nil)
	// Same subject as the intermediate, another key: names match, the
	// signature does not.
	impostor := testpki.Issue(t, chainTime, testpki.CA("Test Medical Council Signing CA"), testpki.P256Key(t), root)
	notCA := testpki.Issue(t, chainTime, testpki.Leaf("Not a CA"), testpki.P256Key(t), root)
	sha1Leaf := testpki.Issue(t, chainTime, &x509.Certificate{Subject: pkix.Name{CommonName: "Dr. SHA-1"}, SignatureAlgorithm: x509.ECDSAWithSHA1}, testpki.P256Key(t), inter)
	short, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	shortRoot := testpki.Issue(t, chainTime, testpki.CA("Short Root"), short, nil)
	// Self-issued (subject = issuer) but signed by another key of the
	// same name and type.
	fakeRoot := testpki.Issue(t, chainTime, testpki.CA("Test Medical Council Root"), testpki.P256Key(t), testpki.Issue(t, chainTime, testpki.CA("Test Medical Council Root"), testpki.P256Key(t), nil))
	// A long valid chain: a root and eight intermediates under it.
	long := []*testpki.Cert{testpki.Issue(t, chainTime, testpki.CA("Long Root"), testpki.P256Key(t), nil)}
	for i := range 8 {
		long = append([]*testpki.Cert{testpki.Issue(t, chainTime, testpki.CA("Long CA "+string(rune('A'+i))), testpki.P256Key(t), long[0])}, long...)
	}

	for _, tc := range []struct {
		what  string
		chain []*x509.Certificate
		want  string
	}{
		{"no certificate", nil, "no certificate"},
		{"a nil certificate", []*x509.Certificate{leaf.Cert, nil, root.Cert}, "certificate 2 is missing"},
		{"too long", certs(long...), "9 certificates: a chain of at most 8"},
		{"root missing", certs(leaf, inter), `certificate 2 ('CN=Test Medical Council Signing CA') is not self-issued`},
		{"out of order", certs(leaf, root, inter), `certificate 1 ('CN=Dra. María Núñez') names 'CN=Test Medical Council Signing CA' as its issuer, but the next certificate is 'CN=Test Medical Council Root'`},
		{"wrong issuer key", certs(leaf, impostor, root), `certificate 1 ('CN=Dra. María Núñez') does not verify with the key of the next certificate`},
		{"certificate twice", certs(leaf, inter, root, root), `certificate 4 ('CN=Test Medical Council Root') is also certificate 3`},
		{"root not last", certs(leaf, inter, root, otherRoot), `certificate 3 ('CN=Test Medical Council Root') is self-issued but not the last`},
		{"issuer not a CA", certs(testpki.Issue(t, chainTime, testpki.Leaf("Dr. Under Leaf"), testpki.P256Key(t), notCA), notCA, root), `certificate 1 ('CN=Dr. Under Leaf') does not verify`},
		{"SHA-1 signed leaf", certs(sha1Leaf, inter, root), `certificate 1 ('CN=Dr. SHA-1') is signed with ECDSA-SHA1`},
		{"1024-bit RSA root", certs(testpki.Issue(t, chainTime, testpki.Leaf("Dr. Short"), testpki.P256Key(t), shortRoot), shortRoot), `certificate 2 ('CN=Short Root') holds a 1024-bit RSA key`},
		{"root signed by another key", certs(testpki.Issue(t, chainTime, testpki.Leaf("Dr. Fake"), testpki.P256Key(t), fakeRoot), fakeRoot), `certificate 2 ('CN=Test Medical Council Root') has a self-signature that does not verify`},
		{"leaf for certificates only", certs(testpki.Issue(t, chainTime, &x509.Certificate{Subject: pkix.Name{CommonName: "Dr. KU"}, KeyUsage: x509.KeyUsageCertSign}, testpki.P256Key(t), root), root), `certificate 1 ('CN=Dr. KU') does not allow signing`},
	} {
		t.Run(tc.what, func(t *testing.T) {
			err := CheckCertificateChain(tc.chain)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %s", err, tc.want)
			}
			t.Log(err)
		})
	}
}

// TestCheckCertificateChainAlteredByte: a byte changed anywhere in the
// signature or the to-be-signed part of any certificate of a chain is
// caught (that is what the chain up to the root is for).
func TestCheckCertificateChainAlteredByte(t *testing.T) {
	t.Parallel()
	leaf, inter, root := testChain(t)
	chain := certs(leaf, inter, root)
	tried := 0
	for i, c := range chain {
		for _, part := range []struct {
			name string
			b    []byte
		}{{"to-be-signed", c.RawTBSCertificate}, {"signature", c.Signature}} {
			off := bytes.Index(c.Raw, part.b) + len(part.b) - 2 // near its end: inside a value, not the DER framing
			raw := bytes.Clone(c.Raw)
			raw[off] ^= 0x01
			altered, err := x509.ParseCertificate(raw)
			if err != nil {
				continue // unreadable is refused anyway
			}
			tried++
			bad := append([]*x509.Certificate(nil), chain...)
			bad[i] = altered
			if err := CheckCertificateChain(bad); err == nil {
				t.Errorf("certificate %d, a byte of its %s altered: accepted", i+1, part.name)
			}
		}
	}
	if tried < len(chain) {
		t.Errorf("only %d altered certificates could be parsed: the test checks little", tried)
	}
}

// FuzzCheckCertificateChain: certificates read from hostile bytes (as
// from a PDF's CMS) never make the check panic.
func FuzzCheckCertificateChain(f *testing.F) {
	// ECDSA only: RSA key generation is slow under fuzzing instrumentation.
	root := testpki.Issue(f, chainTime, testpki.CA("Fuzz Root"), testpki.P256Key(f), nil)
	inter := testpki.Issue(f, chainTime, testpki.CA("Fuzz CA"), testpki.P256Key(f), root)
	leaf := testpki.Issue(f, chainTime, testpki.Leaf("Dr. Fuzz"), testpki.P256Key(f), inter)
	f.Add(append(append(bytes.Clone(leaf.Cert.Raw), inter.Cert.Raw...), root.Cert.Raw...))
	f.Add(append(bytes.Clone(leaf.Cert.Raw), root.Cert.Raw...))
	f.Add(bytes.Clone(root.Cert.Raw))
	f.Fuzz(func(t *testing.T, der []byte) {
		chain, err := x509.ParseCertificates(der)
		if err != nil {
			return
		}
		CheckCertificateChain(chain)
	})
}
