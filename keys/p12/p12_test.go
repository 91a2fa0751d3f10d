package p12_test

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/keys"
	_ "github.com/custody-toolkit/custody/keys/p12"
	"github.com/custody-toolkit/custody/keys/sigalg"
)

// opensslPKI makes, with openssl, a root CA and a doctor's key (newkey:
// openssl req's -newkey, with pkeyopt its -pkeyopt) and certificate
// issued by it, in dir: root.pem, doctor.key, doctor.pem. It skips where
// openssl is absent.
func opensslPKI(t *testing.T, dir string, newkey ...string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("req", "-utf8", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key",
		"-out", "root.pem", "-days", "3650", "-subj", "/CN=Colegio de Médicos test CA/O=Test")
	run(append(append([]string{"req", "-utf8", "-new"}, newkey...), "-nodes", "-keyout", "doctor.key",
		"-out", "doctor.csr", "-subj", "/CN=Dra. María Núñez/serialNumber=IDCES-12345678Z")...)
	os.WriteFile(filepath.Join(dir, "ext.cnf"), []byte("keyUsage=critical,digitalSignature,nonRepudiation\n"), 0o644)
	run("x509", "-req", "-in", "doctor.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial",
		"-days", "730", "-extfile", "ext.cnf", "-out", "doctor.pem")
}

// The doctor's keys: ECDSA P-256, and RSA-2048 as FNMT, the health
// services and the cards issue them.
var (
	ecdsaKey = []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}
	rsaKey   = []string{"-newkey", "rsa:2048"}
)

// TestLoadPKCS12: a PKCS#12 file made by openssl, in the legacy form
// (3DES, SHA-1 MAC: what older CA tools and Windows export) and in
// OpenSSL 3's default (PBES2 with AES-256-CBC, SHA-256 MAC), with an
// ECDSA or an RSA key, loads as a signer whose chain is the doctor's
// certificate, then the CA, in order; a wrong passphrase is named as
// such.
func TestLoadPKCS12(t *testing.T) {
	t.Parallel()
	for _, key := range []struct {
		alg    *sigalg.Algorithm
		newkey []string
	}{{sigalg.ECDSAP256SHA256, ecdsaKey}, {sigalg.RSAPKCS1SHA256, rsaKey}} {
		t.Run(key.alg.Name, func(t *testing.T) {
			t.Parallel()
			testLoadPKCS12(t, key.alg, key.newkey)
		})
	}
}

func testLoadPKCS12(t *testing.T, alg *sigalg.Algorithm, newkey []string) {
	dir := t.TempDir()
	opensslPKI(t, dir, newkey...)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"legacy", []string{"-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"}},
		{"aes256", []string{"-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC", "-macalg", "sha256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p12 := filepath.Join(dir, tc.name+".p12")
			// The CA first: a file keeps its certificates in no set order.
			args := append([]string{"pkcs12", "-export", "-inkey", "doctor.key", "-in", "doctor.pem",
				"-certfile", "root.pem", "-name", "Dra. Núñez", "-passout", "pass:pass phrase", "-out", p12}, tc.args...)
			cmd := exec.Command("openssl", args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("openssl pkcs12: %v\n%s", err, out)
			}
			os.Chmod(p12, 0o600)
			s, err := keys.Load(p12, keys.LoadOptions{Passphrase: staticPassphrase("pass phrase")})
			if err != nil {
				t.Fatal(err)
			}
			if s.Algorithm() != alg {
				t.Fatalf("algorithm %s, want %s", s.Algorithm().Name, alg.Name)
			}
			chain := s.Chain()
			if len(chain) != 2 || chain[0].Subject.CommonName != "Dra. María Núñez" || chain[1].Subject.CommonName != "Colegio de Médicos test CA" {
				t.Fatalf("chain %v, want the doctor's certificate then the CA's", subjects(chain))
			}
			sig, err := s.SignMessage(context.Background(), []byte("manifest"))
			if err != nil || !s.Algorithm().Verify(chain[0].PublicKey, []byte("manifest"), sig) {
				t.Fatalf("the signature does not verify with the certificate's key: %v", err)
			}
			_, err = keys.Load(p12, keys.LoadOptions{Passphrase: staticPassphrase("wrong")})
			if !errors.Is(err, keys.ErrWrongPassphrase) || !strings.Contains(err.Error(), p12) {
				t.Errorf("wrong passphrase: %v, want one naming the file and the passphrase", err)
			}
		})
	}
}

// TestLoadPKCS12Refused: a .p12 that is not PKCS#12, or readable by
// others, or whose RSA key is too short to prove anything, is refused
// with the file named.
func TestLoadPKCS12Refused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opensslPKI(t, dir, "-newkey", "rsa:1024")
	weak := filepath.Join(dir, "weak.p12")
	cmd := exec.Command("openssl", "pkcs12", "-export", "-inkey", "doctor.key", "-in", "doctor.pem", "-passout", "pass:pw", "-out", weak)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl pkcs12: %v\n%s", err, out)
	}
	os.Chmod(weak, 0o600)
	if _, err := keys.Load(weak, keys.LoadOptions{Passphrase: staticPassphrase("pw")}); err == nil || !strings.Contains(err.Error(), weak) || !strings.Contains(err.Error(), "1024 bits") {
		t.Errorf("RSA-1024: %v, want an error naming %s and the key's size", err, weak)
	}
	bad := filepath.Join(dir, "bad.p12")
	os.WriteFile(bad, []byte("not a pkcs12 file"), 0o600)
	if _, err := keys.Load(bad, keys.LoadOptions{Passphrase: staticPassphrase("x")}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("garbage: %v, want an error naming %s", err, bad)
	}
	os.Chmod(bad, 0o644)
	if _, err := keys.Load(bad, keys.LoadOptions{Passphrase: staticPassphrase("x")}); err == nil || !strings.Contains(err.Error(), "permissions") {
		t.Errorf("readable by others: %v, want a permissions error", err)
	}
}

func subjects(chain []*x509.Certificate) []string {
	var s []string
	for _, c := range chain {
		s = append(s, c.Subject.String())
	}
	return s
}

func staticPassphrase(p string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(p), nil }
}
