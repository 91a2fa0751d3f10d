package main

// Fixed keys and certificates: every key is derived from a name (its
// seed), every signature is deterministic (Ed25519; ECDSA with the RFC 6979
// nonce Go uses when no random source is given; RSA PKCS #1 v1.5; RSA-PSS
// with a salt drawn from a seeded stream), and every certificate has fixed
// dates and serial numbers, so that running the generator twice writes the
// same bytes.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"time"
)

// The clock of the vectors: every export, token and event happens at
// these times, whatever the day the generator runs.
var (
	exportTime = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	genTime0   = exportTime
	certStart  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	certEnd    = time.Date(2046, 1, 1, 0, 0, 0, 0, time.UTC)
	// The renewals: a year and two years after the export, inside the
	// TSA's certificate (certStart–certEnd); the newest proof's genTime,
	// not the day of verifying, is the validation time.
	renewal1Time = time.Date(2027, 12, 1, 10, 0, 0, 0, time.UTC)
	renewal2Time = time.Date(2028, 12, 1, 10, 0, 0, 0, time.UTC)
)

var (
	oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidServerAuth   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	oidExtKeyUsage  = asn1.ObjectIdentifier{2, 5, 29, 37}
)

// seed is a 32-byte value derived from a name.
func seed(name string) []byte {
	s := sha256.Sum256([]byte("custody conformance vectors: " + name))
	return s[:]
}

// ed25519Key is the Ed25519 key of name.
func ed25519Key(name string) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(seed(name)) }

// ecdsaKey is the P-256 key of name, signing deterministically.
func ecdsaKey(name string) crypto.Signer {
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), seed(name))
	if err != nil {
		panic(fmt.Sprintf("vectorgen: key %s: %v", name, err))
	}
	return deterministic{k}
}

// tsaRSAKey is a fixed RSA key for the RSA TSAs (Go draws RSA keys at
// random, whatever the reader): a test key, generated once with openssl
// and used nowhere else.
//
//go:embed testkeys/tsa-rsa.pem
var tsaRSAKeyPEM []byte

func rsaKey() *rsa.PrivateKey { return parseRSAKey(tsaRSAKeyPEM) }

// deterministic signs with RFC 6979 nonces whatever random source it is
// handed (x509.CreateCertificate hands it one).
type deterministic struct{ *ecdsa.PrivateKey }

func (d deterministic) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return d.PrivateKey.Sign(nil, digest, opts)
}

// stream is a seeded byte stream (SHA-256 in counter mode), for the salt
// of RSA-PSS signatures.
type stream struct {
	seed []byte
	n    uint64
	buf  []byte
}

func (s *stream) Read(p []byte) (int, error) {
	for i := range p {
		if len(s.buf) == 0 {
			b := sha256.Sum256(append(s.seed, byte(s.n>>8), byte(s.n)))
			s.buf, s.n = b[:], s.n+1
		}
		p[i], s.buf = s.buf[0], s.buf[1:]
	}
	return len(p), nil
}

// cert is an issued certificate and its key.
type cert struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func (c *cert) pem() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})
}

// certSpec describes a certificate to issue.
type certSpec struct {
	name      string // common name, also the key's seed
	serial    int64
	ca        bool
	eku       []asn1.ObjectIdentifier // nil: no extended key usage
	critical  bool                    // the EKU extension is critical
	notBefore time.Time
	notAfter  time.Time
	key       crypto.Signer // default: ecdsaKey(name)
	pathLen0  bool          // a CA that allows no intermediate below it
	extra     []pkix.Extension
}

// issue signs spec with parent's key (self-signed when parent is nil).
func issue(spec certSpec, parent *cert) *cert {
	key := spec.key
	if key == nil {
		key = ecdsaKey(spec.name)
	}
	if spec.notBefore.IsZero() {
		spec.notBefore, spec.notAfter = certStart, certEnd
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(spec.serial),
		Subject:      pkix.Name{CommonName: spec.name, Organization: []string{"custody conformance vectors"}},
		NotBefore:    spec.notBefore, NotAfter: spec.notAfter,
		BasicConstraintsValid: true,
		SubjectKeyId:          subjectKeyID(key.Public()),
	}
	if spec.ca {
		tmpl.IsCA, tmpl.KeyUsage = true, x509.KeyUsageCertSign|x509.KeyUsageCRLSign
		tmpl.MaxPathLenZero = spec.pathLen0
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	if spec.eku != nil {
		v, _ := asn1.Marshal(spec.eku)
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidExtKeyUsage, Critical: spec.critical, Value: v}}
	}
	tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, spec.extra...)
	issuer, issuerKey := tmpl, key
	if parent != nil {
		issuer, issuerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(&stream{seed: seed("cert " + spec.name)}, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		panic(fmt.Sprintf("vectorgen: certificate %s: %v", spec.name, err))
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return &cert{c, key}
}

func subjectKeyID(pub crypto.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	s := sha256.Sum256(der)
	return s[:20]
}

// pki is every key and certificate the vectors use.
type pki struct {
	root, tsa *cert // the trusted TSA: root.pem is the vectors' trust anchor

	// Other TSA certificates under the same root, each one way off.
	tsaNoEKU, tsaNonCritical, tsaTwoEKU, tsaExpired, tsaNotYet *cert
	intermediate, tsaUnderIntermediate                         *cert
	strangerRoot, strangerTSA                                  *cert // a TSA the verifier does not trust
	// Roots whose own constraints break the path: one expired before
	// genTime, one allowing no intermediate CA below it.
	expiredRoot, tsaUnderExpiredRoot                  *cert
	pathLenRoot, pathLenIntermediate, tsaUnderPathLen *cert
	tsaRSA                                            *cert // an RSA key: PKCS #1 v1.5 and RSASSA-PSS tokens

	signer, other ed25519.PrivateKey // the sealing key; another clinician's
	ecdsaSigner   crypto.Signer

	// The signer's certificates (bundle-format.md §5.1, §7.2): a CA
	// certifying the sealing key, valid, qualified (QCStatements), expired
	// or not yet valid at genTime; and a certificate for another key.
	signerCA                                                 *cert
	signerCert, signerQualified, signerExpired, signerNotYet *cert
	otherSignerCert                                          *cert
}

func newPKI() *pki {
	p := &pki{signer: ed25519Key("signer"), other: ed25519Key("another clinician"), ecdsaSigner: ecdsaKey("ecdsa signer")}
	p.root = issue(certSpec{name: "Vectors Root CA", serial: 1, ca: true}, nil)
	tsa := func(name string, serial int64, eku []asn1.ObjectIdentifier, critical bool, parent *cert) *cert {
		return issue(certSpec{name: name, serial: serial, eku: eku, critical: critical}, parent)
	}
	ts := []asn1.ObjectIdentifier{oidTimeStamping}
	p.tsa = tsa("Vectors TSA", 2, ts, true, p.root)
	p.tsaNoEKU = tsa("Vectors TSA without EKU", 3, nil, false, p.root)
	p.tsaNonCritical = tsa("Vectors TSA non-critical EKU", 4, ts, false, p.root)
	p.tsaTwoEKU = tsa("Vectors TSA two EKUs", 5, []asn1.ObjectIdentifier{oidTimeStamping, oidServerAuth}, true, p.root)
	p.tsaExpired = issue(certSpec{name: "Vectors TSA expired", serial: 6, eku: ts, critical: true,
		notBefore: certStart, notAfter: genTime0.Add(-24 * time.Hour)}, p.root)
	p.tsaNotYet = issue(certSpec{name: "Vectors TSA not yet valid", serial: 7, eku: ts, critical: true,
		notBefore: genTime0.Add(24 * time.Hour), notAfter: certEnd}, p.root)
	p.intermediate = issue(certSpec{name: "Vectors Intermediate CA", serial: 8, ca: true}, p.root)
	p.tsaUnderIntermediate = tsa("Vectors TSA under intermediate", 9, ts, true, p.intermediate)
	p.strangerRoot = issue(certSpec{name: "Stranger Root CA", serial: 10, ca: true}, nil)
	p.strangerTSA = tsa("Stranger TSA", 11, ts, true, p.strangerRoot)
	p.expiredRoot = issue(certSpec{name: "Vectors Expired Root CA", serial: 12, ca: true, notBefore: certStart, notAfter: genTime0.Add(-time.Hour)}, nil)
	p.tsaUnderExpiredRoot = issue(certSpec{name: "Vectors TSA under expired root", serial: 13, eku: ts, critical: true, notBefore: certStart, notAfter: certEnd}, p.expiredRoot)
	p.pathLenRoot = issue(certSpec{name: "Vectors Root CA pathlen 0", serial: 14, ca: true, pathLen0: true}, nil)
	p.pathLenIntermediate = issue(certSpec{name: "Vectors Intermediate under pathlen 0", serial: 15, ca: true}, p.pathLenRoot)
	p.tsaUnderPathLen = tsa("Vectors TSA under pathlen 0", 16, ts, true, p.pathLenIntermediate)
	p.tsaRSA = issue(certSpec{name: "Vectors RSA TSA", serial: 17, eku: ts, critical: true, key: rsaKey()}, p.root)
	p.signerCA = issue(certSpec{name: "Vectors Signer CA", serial: 18, ca: true}, nil)
	p.signerCert = issue(certSpec{name: "Dra. Vectores", serial: 19, key: p.signer}, p.signerCA)
	p.signerQualified = issue(certSpec{name: "Dra. Vectores (qualified)", serial: 20, key: p.signer, extra: []pkix.Extension{qcStatements()}}, p.signerCA)
	p.signerExpired = issue(certSpec{name: "Dra. Vectores (expired)", serial: 21, key: p.signer,
		notBefore: certStart, notAfter: genTime0.Add(-24 * time.Hour)}, p.signerCA)
	p.signerNotYet = issue(certSpec{name: "Dra. Vectores (not yet valid)", serial: 22, key: p.signer,
		notBefore: genTime0.Add(24 * time.Hour), notAfter: certEnd}, p.signerCA)
	p.otherSignerCert = issue(certSpec{name: "Another clinician", serial: 23, key: p.other}, p.signerCA)
	return p
}

// qcStatements declares an EU qualified certificate for electronic
// signatures (RFC 3739, ETSI EN 319 412-5): QcCompliance, QcSSCD and
// QcType esign.
func qcStatements() pkix.Extension {
	etsi := func(arc ...int) asn1.ObjectIdentifier { return append(asn1.ObjectIdentifier{0, 4, 0, 1862, 1}, arc...) }
	value := seq(
		seq(oid(etsi(1))),
		seq(oid(etsi(4))),
		seq(oid(etsi(6)), seq(oid(etsi(6, 1)))),
	)
	return pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}, Value: value}
}
