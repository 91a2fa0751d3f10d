package localtsa_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
)

func TestInitLoadRoundTrip(t *testing.T) {
	dir, a := tsatest.NewAuthority(t, time.Time{})
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m != 0o700 {
		t.Errorf("dir mode %v, want 0700", m)
	}
	info, err = os.Stat(filepath.Join(dir, localtsa.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m&0o077 != 0 {
		t.Errorf("key mode %v, want 0600", m)
	}
	if k, ok := a.Key().(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("key %T, want ECDSA P-256", a.Key())
	}

	root, err := x509.ParseCertificate(mustPEM(t, filepath.Join(dir, localtsa.RootFile)))
	if err != nil {
		t.Fatal(err)
	}
	if !root.IsCA || root.Subject.String() != root.Issuer.String() {
		t.Errorf("root is not a self-issued CA: %v", root.Subject)
	}
	if err := a.Cert().CheckSignatureFrom(root); err != nil {
		t.Errorf("TSA certificate not issued by the root: %v", err)
	}
	if got := a.Cert().NotAfter.Sub(a.Cert().NotBefore); got < 9*365*24*time.Hour || got > 11*365*24*time.Hour {
		t.Errorf("TSA certificate valid for %v, want about 10 years", got)
	}
	if got := root.NotAfter.Sub(root.NotBefore); got < 19*365*24*time.Hour {
		t.Errorf("root valid for %v, want about 20 years", got)
	}
	if a.Cert().SerialNumber.Cmp(root.SerialNumber) == 0 || a.Cert().SerialNumber.BitLen() < 64 {
		t.Errorf("serials not random: root %v, tsa %v", root.SerialNumber, a.Cert().SerialNumber)
	}
	if a.Cert().KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("key usage %v, want digitalSignature only", a.Cert().KeyUsage)
	}
	var critical bool
	for _, e := range a.Cert().Extensions {
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
	dir, _ := tsatest.NewAuthority(t, time.Time{})
	out := tsatest.OpenSSL(t, "verify", "-purpose", "timestampsign", "-CAfile", filepath.Join(dir, localtsa.RootFile), filepath.Join(dir, localtsa.CertFile))
	if !strings.Contains(out, ": OK") {
		t.Errorf("openssl verify: %s", out)
	}
	text := tsatest.OpenSSL(t, "x509", "-noout", "-text", "-in", filepath.Join(dir, localtsa.CertFile))
	if !strings.Contains(text, "X509v3 Extended Key Usage: critical\n                Time Stamping\n") {
		t.Errorf("openssl does not show a critical timeStamping EKU:\n%s", text)
	}
}

func TestInitRefusesOverwrite(t *testing.T) {
	for _, name := range []string{localtsa.RootFile, localtsa.CertFile, localtsa.KeyFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := tsatest.WriteFile(t, filepath.Join(dir, name), []byte("precious"))
			err := localtsa.Init(dir)
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "already exists") {
				t.Fatalf("Init over %s: %v", name, err)
			}
			if got := string(tsatest.ReadFile(t, p)); got != "precious" {
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
	good, _ := tsatest.NewAuthority(t, time.Time{})
	other, _ := tsatest.NewAuthority(t, time.Time{})
	cases := []struct {
		name  string
		setup func(dir string)
		want  string
	}{
		{"missing key", func(dir string) { os.Remove(filepath.Join(dir, localtsa.KeyFile)) }, localtsa.KeyFile},
		{"key of another TSA", func(dir string) {
			tsatest.WriteFile(t, filepath.Join(dir, localtsa.KeyFile), tsatest.ReadFile(t, filepath.Join(other, localtsa.KeyFile)))
		}, "does not hold the key"},
		{"garbage certificate", func(dir string) { tsatest.WriteFile(t, filepath.Join(dir, localtsa.CertFile), []byte("junk")) }, "no PEM"},
		{"root as TSA certificate", func(dir string) {
			tsatest.WriteFile(t, filepath.Join(dir, localtsa.CertFile), tsatest.ReadFile(t, filepath.Join(dir, localtsa.RootFile)))
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
			tsatest.WriteFile(t, filepath.Join(dir, localtsa.CertFile), localtsa.PEMBlock("CERTIFICATE", der))
			tsatest.WriteFile(t, filepath.Join(dir, localtsa.KeyFile), localtsa.PEMBlock("PRIVATE KEY", keyDER))
		}, "critical"},
		{"two certificates", func(dir string) {
			c := tsatest.ReadFile(t, filepath.Join(dir, localtsa.CertFile))
			tsatest.WriteFile(t, filepath.Join(dir, localtsa.CertFile), append(c, c...))
		}, "unexpected data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{localtsa.RootFile, localtsa.CertFile, localtsa.KeyFile} {
				tsatest.WriteFile(t, filepath.Join(dir, f), tsatest.ReadFile(t, filepath.Join(good, f)))
			}
			c.setup(dir)
			_, err := localtsa.LoadAuthority(dir)
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
	der, err := localtsa.ReadPEM(path, "CERTIFICATE")
	if err != nil {
		t.Fatal(err)
	}
	return der
}
