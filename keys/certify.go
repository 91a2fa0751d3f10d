package keys

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/youmark/pkcs8"
)

// What a CA needs to certify a custody key, and what openssl needs to use
// one: a certificate signing request (PKCS#10) and the key as an
// encrypted PKCS#8 file. The custody key file itself (sigstore's scrypt
// and secretbox) is readable by custody only.

// pkcs8Options encrypt an exported key as openssl reads it by default:
// PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC. 600,000 iterations is
// OWASP's 2023 figure for PBKDF2-HMAC-SHA-256 (about a third of a second).
var pkcs8Options = &pkcs8.Opts{
	Cipher:  pkcs8.AES256CBC,
	KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 16, IterationCount: 600_000, HMACHash: crypto.SHA256},
}

// MarshalEncryptedPKCS8 is key as an "ENCRYPTED PRIVATE KEY" PEM under
// passphrase (what `openssl pkey -in FILE` opens, and LoadKey too).
func MarshalEncryptedPKCS8(key crypto.Signer, passphrase []byte) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("refusing to export a private key under an empty passphrase")
	}
	der, err := pkcs8.MarshalPrivateKey(key, passphrase, pkcs8Options)
	if err != nil {
		return nil, fmt.Errorf("encrypting the private key as PKCS#8: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), nil
}

// CertificateRequest is a PKCS#10 request (PEM) for key under subject,
// signed by key: what a CA certifies. The CA decides the rest (validity,
// key usage, qualified status); the request asks for nothing else.
func CertificateRequest(key crypto.Signer, subject pkix.Name) ([]byte, error) {
	if len(subject.Names) == 0 && subject.String() == "" {
		return nil, errors.New("a certificate request needs a subject")
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject}, key)
	if err != nil {
		return nil, fmt.Errorf("the certificate request: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// subjectAttributes are the attribute names ParseSubject accepts: those
// of RFC 4514 and the ones ETSI EN 319 412-2 asks of a natural person's
// certificate (givenName, surname, serialNumber).
var subjectAttributes = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SN": {2, 5, 4, 4}, "surname": {2, 5, 4, 4}, "serialNumber": {2, 5, 4, 5},
	"C": {2, 5, 4, 6}, "L": {2, 5, 4, 7}, "ST": {2, 5, 4, 8}, "O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11},
	"title": {2, 5, 4, 12}, "GN": {2, 5, 4, 42}, "givenName": {2, 5, 4, 42},
	"organizationIdentifier": {2, 5, 4, 97},
}

// ParseSubject reads a subject written as openssl does
// ("/CN=Dra. María Núñez/O=Consulta 3/C=ES") or as RFC 4514 does
// ("CN=Dra. María Núñez,O=Consulta 3,C=ES"; "\," escapes a comma),
// keeping the attributes in the order written.
func ParseSubject(s string) (pkix.Name, error) {
	var parts []string
	if strings.HasPrefix(s, "/") {
		parts = strings.Split(s[1:], "/")
	} else {
		parts = splitUnescaped(s, ',')
	}
	var rdn pkix.RDNSequence
	for _, p := range parts {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		oid, known := subjectAttributes[strings.TrimSpace(name)]
		switch {
		case !ok || value == "":
			return pkix.Name{}, fmt.Errorf("subject %q: %q is not NAME=VALUE", s, p)
		case !known:
			return pkix.Name{}, fmt.Errorf("subject %q: unknown attribute %q", s, name)
		}
		rdn = append(rdn, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: value}})
	}
	if len(rdn) == 0 {
		return pkix.Name{}, fmt.Errorf("subject %q is empty", s)
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	n.ExtraNames = n.Names // written as given, in order
	return n, nil
}

// splitUnescaped splits s at each sep not preceded by a backslash, and
// unescapes "\<sep>".
func splitUnescaped(s string, sep byte) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == sep {
			cur.WriteByte(sep)
			i++
			continue
		}
		if s[i] == sep {
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(s[i])
	}
	return append(parts, cur.String())
}
