package localtsa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
)

func TestInitLoadRoundTrip(t *testing.T) {
	dir, a := newTestAuthority(t, time.Time{})
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m != 0o700 {
		t.Errorf("dir mode %v, want 0700", m)
	}
	info, err = os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m&0o077 != 0 {
		t.Errorf("key mode %v, want 0600", m)
	}
	if k, ok := a.key.(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("key %T, want ECDSA P-256", a.key)
	}

	root, err := x509.ParseCertificate(mustPEM(t, filepath.Join(dir, RootFile)))
	if err != nil {
		t.Fatal(err)
	}
	if !root.IsCA || root.Subject.String() != root.Issuer.String() {
		t.Errorf("root is not a self-issued CA: %v", root.Subject)
	}
	if err := a.cert.CheckSignatureFrom(root); err != nil {
		t.Errorf("TSA certificate not issued by the root: %v", err)
	}
	if got := a.cert.NotAfter.Sub(a.cert.NotBefore); got < 9*365*24*time.Hour || got > 11*365*24*time.Hour {
		t.Errorf("TSA certificate valid for %v, want about 10 years", got)
	}
	if got := root.NotAfter.Sub(root.NotBefore); got < 19*365*24*time.Hour {
		t.Errorf("root valid for %v, want about 20 years", got)
	}
	if a.cert.SerialNumber.Cmp(root.SerialNumber) == 0 || a.cert.SerialNumber.BitLen() < 64 {
		t.Errorf("serials not random: root %v, tsa %v", root.SerialNumber, a.cert.SerialNumber)
	}
	if a.cert.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("key usage %v, want digitalSignature only", a.cert.KeyUsage)
	}
	var critical bool
	for _, e := range a.cert.Extensions {
		if e.Id.Equal(cms.OIDExtKeyUsage) {
			critical = e.Critical
		}
	}
	if !critical {
		t.Error("extended key usage is not critical")
	}
}

// openssl agrees the certificate is fit for time stamping (its check wants
// the EKU critical and timeStamping only) and chains to the root.
func TestInitOpenSSLPurpose(t *testing.T) {
	dir, _ := newTestAuthority(t, time.Time{})
	out := openssl(t, "verify", "-purpose", "timestampsign", "-CAfile", filepath.Join(dir, RootFile), filepath.Join(dir, CertFile))
	if !strings.Contains(out, ": OK") {
		t.Errorf("openssl verify: %s", out)
	}
	text := openssl(t, "x509", "-noout", "-text", "-in", filepath.Join(dir, CertFile))
	if !strings.Contains(text, "X509v3 Extended Key Usage: critical\n                Time Stamping\n") {
		t.Errorf("openssl does not show a critical timeStamping EKU:\n%s", text)
	}
}

func TestInitRefusesOverwrite(t *testing.T) {
	for _, name := range []string{RootFile, CertFile, KeyFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, filepath.Join(dir, name), []byte("precious"))
			err := Init(dir)
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "already exists") {
				t.Fatalf("Init over %s: %v", name, err)
			}
			if got := string(readFile(t, p)); got != "precious" {
				t.Errorf("%s overwritten", name)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("Init left files behind: %v", entries)
			}
		})
	}
}

func TestLoadAuthorityErrors(t *testing.T) {
	good, _ := newTestAuthority(t, time.Time{})
	other, _ := newTestAuthority(t, time.Time{})
	cases := []struct {
		name  string
		setup func(dir string)
		want  string
	}{
		{"missing key", func(dir string) { os.Remove(filepath.Join(dir, KeyFile)) }, KeyFile},
		{"key of another TSA", func(dir string) {
			writeFile(t, filepath.Join(dir, KeyFile), readFile(t, filepath.Join(other, KeyFile)))
		}, "does not hold the key"},
		{"garbage certificate", func(dir string) { writeFile(t, filepath.Join(dir, CertFile), []byte("junk")) }, "no PEM"},
		{"root as TSA certificate", func(dir string) {
			writeFile(t, filepath.Join(dir, CertFile), readFile(t, filepath.Join(dir, RootFile)))
		}, "timeStamping"},
		{"non-critical EKU", func(dir string) {
			// A TSA certificate as Go's x509 writes it by default.
			root, rootKey := newCA(t)
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			tmpl := &x509.Certificate{
				Subject: pkix.Name{CommonName: "tsa"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
				KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, root, key.Public(), rootKey)
			if err != nil {
				t.Fatal(err)
			}
			keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
			writeFile(t, filepath.Join(dir, CertFile), pemBlock("CERTIFICATE", der))
			writeFile(t, filepath.Join(dir, KeyFile), pemBlock("PRIVATE KEY", keyDER))
		}, "critical"},
		{"two certificates", func(dir string) {
			c := readFile(t, filepath.Join(dir, CertFile))
			writeFile(t, filepath.Join(dir, CertFile), append(c, c...))
		}, "unexpected data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{RootFile, CertFile, KeyFile} {
				writeFile(t, filepath.Join(dir, f), readFile(t, filepath.Join(good, f)))
			}
			c.setup(dir)
			_, err := LoadAuthority(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("LoadAuthority: %v, want an error with %q", err, c.want)
			}
		})
	}
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "ca"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func mustPEM(t *testing.T, path string) []byte {
	t.Helper()
	der, err := readPEM(path, "CERTIFICATE")
	if err != nil {
		t.Fatal(err)
	}
	return der
}
