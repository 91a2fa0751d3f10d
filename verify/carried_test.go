package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyTokenCarriedCertificates re-signs an openssl TSTInfo with
// openssl cms, carrying other certificate sets: the certificates of a
// token are outside its signature. Read alone, a token with more than its
// chain is what honest TSAs send (INFO); where its bytes must not change
// unseen (Unsealed), only token.certificates stands between a
// byte changed in a copy and PASSED.
func TestVerifyTokenCarriedCertificates(t *testing.T) {
	t.Parallel()
	o := newOpenSSLTSA(t, "ec", "sha256")
	const data = "carried certificates"
	o.TSTInfo(data, "-sha256")
	o.Run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", "other.key", "-nodes",
		"-subj", "/CN=Unrelated CA", "-days", "30", "-out", "unrelated.pem")
	// The CA's copy with one bit of its signature flipped: it still
	// parses, and the TSA certificate's chain to the anchor does not
	// need it.
	damaged := bytes.Clone(o.CA.Raw)
	damaged[len(damaged)-3] ^= 0x01
	o.Write("damaged.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: damaged})))
	o.Write("both.pem", readPEM(t, o.Dir, "ca.pem")+readPEM(t, o.Dir, "unrelated.pem"))

	sign := func(certfile string) []byte {
		args := []string{"cms", "-sign", "-binary", "-nodetach", "-in", "tstinfo.der", "-econtent_type", "id-smime-ct-TSTInfo",
			"-signer", "tsa.pem", "-inkey", "tsa.key", "-md", "sha256", "-cades", "-outform", "DER", "-out", "resigned.p7s"}
		if certfile != "" {
			args = append(args, "-certfile", certfile)
		}
		o.Run(args...)
		return readFile(t, filepath.Join(o.Dir, "resigned.p7s"))
	}
	// The anchor is the TSA's own certificate, as EU trusted lists name
	// it: the CA's copy then plays no part in path validation.
	anchors := TokenOptions{Roots: []*x509.Certificate{o.TSA}}
	tests := []struct {
		name      string
		certfile  string
		want      Status // read alone; the verdict is then PASSED
		wantExact Status // under Unsealed
		detail    string
	}{
		{"the TSA certificate alone", "", Passed, Passed, "chain they form from the TSA's: 'CN=Custody Test TSA'"},
		{"the TSA certificate and its CA", "ca.pem", Passed, Passed, "'CN=Custody Test TSA' -> 'CN=Custody Test CA'"},
		{"an unrelated certificate added", "both.pem", Info, Indeterminate, "'CN=Unrelated CA' is not on the chain"},
		{"the CA copy damaged", "damaged.pem", Info, Indeterminate, "does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der := sign(tt.certfile)
			for _, exact := range []bool{false, true} {
				opts, want, verdict := anchors, tt.want, Passed
				if exact {
					opts.Unsealed, want, verdict = true, tt.wantExact, tt.wantExact
				}
				r, err := VerifyToken(der, strings.NewReader(data), opts)
				if err != nil {
					t.Fatal(err)
				}
				c := findCheck(t, r.Checks, CheckTokenCerts)
				if c.Status != want || !strings.Contains(c.Detail, tt.detail) {
					t.Errorf("exact %v: %s: %s %q, want %s with %q", exact, c.Name, c.Status, c.Detail, want, tt.detail)
				}
				if r.Status != verdict {
					t.Errorf("exact %v: verdict %s, want %s: %+v", exact, r.Status, verdict, r.Checks)
				}
			}
		})
	}
}

// TestVerifyTokenCarriedSHA1: real tokens carry legacy certificates
// signed with SHA-1. A self-signature is still checked (for integrity:
// x509's CheckSignature allows SHA-1 there, and it grants no trust); a
// link signed with SHA-1 cannot be checked, and the report says so. Path
// validation (token.chain) never relies on either.
func TestVerifyTokenCarriedSHA1(t *testing.T) {
	t.Parallel()
	o := newOpenSSLTSA(t, "rsa:2048", "sha256")
	// Made before the token: its genTime must fall in their validity.
	// The CA's certificate re-issued with SHA-1 (same key and name), and
	// the TSA's certificate issued by the CA with SHA-1.
	o.Run("x509", "-in", "ca.pem", "-signkey", "ca.key", "-sha1", "-days", "30", "-out", "ca-sha1.pem")
	o.Run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30",
		"-extfile", "ext.cnf", "-extensions", "tsa", "-sha1", "-out", "tsa-sha1.pem")
	const data = "legacy certificates"
	o.TSTInfo(data, "-sha256")
	for _, f := range []string{"ca-sha1.pem", "tsa-sha1.pem"} {
		if c := readCerts(t, filepath.Join(o.Dir, f))[0]; c.SignatureAlgorithm != x509.SHA1WithRSA {
			t.Skipf("openssl made a %v certificate, not SHA-1", c.SignatureAlgorithm)
		}
	}
	tests := []struct {
		name, signer, certfile, detail string
	}{
		{"a root self-signed with SHA-1", "tsa.pem", "ca-sha1.pem", "not checked, as SHA-1 and MD5 are refused: the self-signature of 'CN=Custody Test CA'"},
		{"a TSA certificate signed with SHA-1", "tsa-sha1.pem", "ca.pem", "not checked, as SHA-1 and MD5 are refused: the signature of 'CN=Custody Test TSA' by 'CN=Custody Test CA'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o.Run("cms", "-sign", "-binary", "-nodetach", "-in", "tstinfo.der", "-econtent_type", "id-smime-ct-TSTInfo",
				"-signer", tt.signer, "-inkey", "tsa.key", "-md", "sha256", "-cades", "-certfile", tt.certfile, "-outform", "DER", "-out", "resigned.p7s")
			anchor := readCerts(t, filepath.Join(o.Dir, tt.signer))[0]
			r, err := VerifyToken(readFile(t, filepath.Join(o.Dir, "resigned.p7s")), strings.NewReader(data), TokenOptions{Roots: []*x509.Certificate{anchor}})
			if err != nil {
				t.Fatal(err)
			}
			if c := findCheck(t, r.Checks, CheckTokenCerts); c.Status != Passed || !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("%s: %s %q, want PASSED with %q", c.Name, c.Status, c.Detail, tt.detail)
			}
			if r.Status != Passed {
				t.Errorf("verdict %s: %+v", r.Status, r.Checks)
			}
		})
	}
}

// TestVerifyTokenStored: the exporter stores a TimeStampResp as the TSA
// sent it. grantedWithMods is a valid answer, outside the TSA's signature:
// under the token seal (our signature over the stored bytes) it is
// reported and passes; without the seal (Unsealed: bundles sealed before
// it) it cannot be told from an alteration, and is INDETERMINATE, never
// FAILED: older exporters stored it.
func TestVerifyTokenStored(t *testing.T) {
	t.Parallel()
	o := newOpenSSLTSA(t, "ec", "sha256")
	const data = "stored"
	tsr, _ := o.Stamp(data, "-sha256", "-cert")
	o.Run("ts", "-reply", "-in", "r.tsr", "-token_out", "-out", "tok.der")
	// PKIStatusInfo is the first element: 30 82 LL LL 30 03 02 01 00.
	if !bytes.Equal(tsr[4:9], []byte{0x30, 0x03, 0x02, 0x01, 0x00}) {
		t.Fatalf("unexpected response start % x", tsr[:9])
	}
	withMods := bytes.Clone(tsr)
	withMods[8] = 1
	bare := readFile(t, filepath.Join(o.Dir, "tok.der"))
	roots := []*x509.Certificate{o.CA}
	tests := []struct {
		name             string
		der              []byte
		stored, unsealed bool
		want             Status
		detail           string
	}{
		{"granted", tsr, true, true, Passed, ""},
		{"grantedWithMods, as received", withMods, false, false, Passed, ""},
		{"grantedWithMods, stored under the seal", withMods, true, false, Passed, "grantedWithMods (1), not a plain granted (0) (bundle-format.md §6), sealed as the TSA sent it"},
		{"grantedWithMods, stored without a seal", withMods, true, true, Indeterminate, "in bytes no signature covers: its TimeStampResp's status is grantedWithMods"},
		{"a bare token, stored without a seal", bare, true, true, Indeterminate, "in bytes no signature covers: it is a bare token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := VerifyToken(tt.der, strings.NewReader(data), TokenOptions{Roots: roots, Stored: tt.stored, Unsealed: tt.unsealed})
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.want {
				t.Errorf("verdict %s, want %s: %+v", r.Status, tt.want, r.Checks)
			}
			if c := findCheck(t, r.Checks, CheckTokenFormat); !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("%s: %s %q, want %q", c.Name, c.Status, c.Detail, tt.detail)
			}
		})
	}
}

func findCheck(t *testing.T, checks []Check, name string) Check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", name, checks)
	return Check{}
}

func readPEM(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
