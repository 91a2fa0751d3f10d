package localtsa

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
)

// Files of an authority's directory.
const (
	RootFile = "root.pem" // the CA certificate: the trust anchor to give verifiers
	CertFile = "tsa.pem"  // the TSA certificate, issued by the root
	KeyFile  = "tsa.key"  // the TSA private key, PKCS#8 PEM, mode 0600
)

const (
	rootValidity = 20 * 365 * 24 * time.Hour
	certValidity = 10 * 365 * 24 * time.Hour
	// backdate lets a verifier whose clock is a little behind accept a
	// token issued right after Init.
	backdate = time.Hour
)

// Init creates a new authority in dir: a throwaway root CA (its key is never
// written, so it can issue nothing else), a TSA certificate issued by it, and
// the TSA key. All keys are ECDSA P-256. dir is created (0700) if missing;
// existing files are never overwritten.
func Init(dir string) error {
	paths := []string{filepath.Join(dir, RootFile), filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)}
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("tsa init: %s already exists; refusing to overwrite it", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("tsa init: %w", err)
		}
	}
	rootPEM, certPEM, keyPEM, err := newAuthority(time.Now())
	if err != nil {
		return fmt.Errorf("tsa init: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("tsa init: %w", err)
	}
	// The key goes first and alone could be left behind by a failure;
	// writeAll removes what it wrote if any file fails.
	return writeAll([]string{paths[2], paths[1], paths[0]}, [][]byte{keyPEM, certPEM, rootPEM}, []fs.FileMode{0o600, 0o644, 0o644})
}

// newAuthority returns the PEM of a root certificate, of a TSA certificate
// issued by it, and of the TSA key.
func newAuthority(now time.Time) (rootPEM, certPEM, keyPEM []byte, err error) {
	now = now.UTC().Truncate(time.Second).Add(-backdate)
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	rootTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "custody local TSA root", Organization: []string{"custody (test only)"}},
		NotBefore:             now,
		NotAfter:              now.Add(rootValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, nil, nil, err
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		return nil, nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	certDER, err := issueTSACert(root, rootKey, key.Public(), now)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	return pemBlock("CERTIFICATE", rootDER), pemBlock("CERTIFICATE", certDER), pemBlock("PRIVATE KEY", keyDER), nil
}

// issueTSACert issues a certificate fit for RFC 3161 §2.3: key usage
// digitalSignature, and id-kp-timeStamping as the only extended key usage,
// marked critical. Go's x509 writes ExtKeyUsage non-critical, hence the
// extension is written by hand.
func issueTSACert(root *x509.Certificate, rootKey crypto.Signer, pub crypto.PublicKey, now time.Time) ([]byte, error) {
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{cms.OIDKPTimeStamping})
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "custody local TSA", Organization: []string{"custody (test only)"}},
		NotBefore:             now,
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		ExtraExtensions:       []pkix.Extension{{Id: cms.OIDExtKeyUsage, Critical: true, Value: eku}},
	}
	return x509.CreateCertificate(rand.Reader, tmpl, root, pub, rootKey)
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// writeAll creates each file exclusively, or none of them.
func writeAll(paths []string, contents [][]byte, modes []fs.FileMode) error {
	for i, p := range paths {
		if err := writeNew(p, contents[i], modes[i]); err != nil {
			for _, q := range paths[:i] {
				os.Remove(q)
			}
			return fmt.Errorf("tsa init: %w", err)
		}
	}
	return nil
}

// writeNew writes a file that must not exist yet (O_EXCL: no race with
// another writer) and syncs it.
func writeNew(path string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
