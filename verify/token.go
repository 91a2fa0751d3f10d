package verify

import (
	"crypto"
	"crypto/x509"
	"io"

	"github.com/custody-toolkit/custody/internal/tokencheck"
)

// The token check is internal/tokencheck, which the exporter also runs on
// every token a TSA answers; these names are its public face.

// MaxTokenSize bounds the RFC 3161 tokens and responses VerifyToken reads:
// real tokens with a full chain are a few KiB.
const MaxTokenSize = tokencheck.MaxSize

// TokenOptions configure VerifyToken: the trust anchors (Roots), extra
// certificates (Certs), the nonce expected, and whether the token is one
// a bundle stores (Stored) whose bytes no signature of ours covers
// (Unsealed).
type TokenOptions = tokencheck.Options

// TokenResult is what VerifyToken established: the Timestamp, the Checks
// in report order (token.format, token.imprint, token.signature,
// token.signing-certificate, token.certificates, token.eku, token.chain[,
// token.nonce]), their Status and the TSA's certificate.
type TokenResult = tokencheck.Result

// ParseToken accepts a DER TimeStampResp, whose status must be granted or
// grantedWithMods, or a bare DER TimeStampToken, and returns the DER of
// the TimeStampToken. An error means the input is unreadable.
func ParseToken(der []byte) ([]byte, error) { return tokencheck.Parse(der) }

// VerifyToken verifies an RFC 3161 token (a TimeStampResp or a bare
// token) over data, which it streams through the token's imprint hash.
// The error is non-nil only when the token cannot be read at all, or
// data cannot be read; every other problem is a FAILED or INDETERMINATE
// Check in the result. For a bundle's manifest.tsr:
//
//	anchors, err := verify.ParseCertificates(trustFile) // --trust
//	res, err := verify.VerifyToken(tsr, bytes.NewReader(manifestSig), verify.TokenOptions{Roots: anchors})
//	// err: unreadable (exit 2); else res.Status, with res.Checks saying why.
//
// Everything is checked offline and at the token's genTime: the imprint,
// the CMS signature (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA, Ed25519; never
// SHA-1 or MD5), the ESS signing-certificate binding, the TSA's
// timeStamping purpose, the chain to an anchor and, if asked, the nonce.
// Revocation is not checked.
func VerifyToken(der []byte, data io.Reader, opts TokenOptions) (*TokenResult, error) {
	return tokencheck.Verify(der, data, opts)
}

// VerifyTokenDigest is VerifyToken for a caller that already holds the
// digest of the data, computed with h. A token whose imprint uses another
// hash fails the imprint check.
func VerifyTokenDigest(der []byte, h crypto.Hash, digest []byte, opts TokenOptions) (*TokenResult, error) {
	return tokencheck.VerifyDigest(der, h, digest, opts)
}

// ReadCertificateFiles reads and parses --trust or --certs files
// (ParseCertificates each); errors name the file.
func ReadCertificateFiles(paths []string) ([]*x509.Certificate, error) {
	return tokencheck.ReadCertificateFiles(paths)
}

// ParseCertificates reads a PEM bundle of one or more CERTIFICATE blocks,
// or a single DER certificate (for --trust and --certs files).
func ParseCertificates(pemOrDER []byte) ([]*x509.Certificate, error) {
	return tokencheck.ParseCertificates(pemOrDER)
}

// CheckCertificateChain checks that chain, signer first, is the whole
// path the standalone PDF's signature must carry: one to eight
// certificates, each issued by the next and verified with its key, the
// last a self-issued root, none signed with MD5 or SHA-1 nor holding an
// RSA key under 2048 bits. It says nothing of trust or validity periods.
func CheckCertificateChain(chain []*x509.Certificate) error {
	return tokencheck.CheckCertificateChain(chain)
}
