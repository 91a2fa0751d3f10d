package localtsa

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/custody-toolkit/custody/internal/tokencheck"
	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
)

// An Authority issues RFC 3161 time-stamp tokens. Get one from
// LoadAuthority; it is safe for concurrent use.
type Authority struct {
	cert *x509.Certificate
	key  crypto.Signer

	// Now, if set, replaces time.Now as the TSA's clock (tests). genTime is
	// its value in UTC, truncated to whole seconds.
	Now func() time.Time
}

// LoadAuthority loads the authority that Init wrote in dir: tsa.pem (one
// certificate with the timeStamping extended key usage) and tsa.key (its
// ECDSA or RSA private key, PKCS#8 PEM).
func LoadAuthority(dir string) (*Authority, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	certDER, err := readPEM(certPath, "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("tsa: %s: %w", certPath, err)
	}
	if err := tokencheck.TimeStampingOnly(cert); err != nil {
		return nil, fmt.Errorf("tsa: %s: not a TSA certificate: %w", certPath, err)
	}
	keyDER, err := readPEM(keyPath, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("tsa: %s: %w", keyPath, err)
	}
	var key crypto.Signer
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		key = k
	case *rsa.PrivateKey:
		key = k
	default:
		return nil, fmt.Errorf("tsa: %s: unsupported key type %T (want ECDSA or RSA)", keyPath, k)
	}
	if !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cert.PublicKey) {
		return nil, fmt.Errorf("tsa: %s does not hold the key of the certificate in %s", keyPath, certPath)
	}
	return &Authority{cert: cert, key: key}, nil
}

// readPEM returns the content of the single PEM block of the given type
// that makes up the file.
func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	b, rest := pem.Decode(data)
	if b == nil || b.Type != typ {
		return nil, fmt.Errorf("tsa: %s: no PEM %q block", path, typ)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("tsa: %s: unexpected data after the %q block", path, typ)
	}
	return b.Bytes, nil
}

// rejection is a TimeStampResp refusing a request (RFC 3161 §2.4.2).
type rejection struct {
	fail timestamp.FailureInfo
	text string
}

func reject(fail timestamp.FailureInfo, format string, args ...any) *rejection {
	return &rejection{fail, fmt.Sprintf(format, args...)}
}

func (r *rejection) marshal() ([]byte, error) {
	return asn1.Marshal(rfc3161.TimeStampResp{Status: rfc3161.PKIStatusInfo{
		Status:       int(timestamp.Rejection),
		StatusString: rfc3161.FreeText(r.text),
		FailInfo:     rfc3161.FailInfoBit(r.fail),
	}})
}

// Respond answers a DER TimeStampReq with a DER TimeStampResp: granted with
// a token, or a rejection with its failure info when the request is
// malformed (badDataFormat), of the wrong version (badRequest), over SHA-1,
// MD5 or another hash than SHA-256/384/512 (badAlg), asks for another
// policy (unacceptedPolicy) or carries extensions (unacceptedExtension);
// also when the clock is outside the TSA certificate's validity
// (systemFailure), as no verifier would accept that token.
//
// The token has genTime in UTC whole seconds, accuracy 1 s, policy Policy,
// the request's nonce, a random 160-bit serial number (drawn by the
// timestamp library), an ESSCertIDv2 of the TSA certificate (hashed with the
// imprint's algorithm), and that certificate, without the root, when the
// request sets certReq. The error is for internal rfc3161.Failures only.
func (a *Authority) Respond(req []byte) ([]byte, error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	genTime := now().UTC().Truncate(time.Second)
	q, h, rej := parseRequest(req)
	if rej == nil && (genTime.Before(a.cert.NotBefore) || genTime.After(a.cert.NotAfter)) {
		rej = reject(timestamp.SystemFailure, "the TSA certificate is not valid at %s", genTime.Format(time.RFC3339))
	}
	if rej != nil {
		return rej.marshal()
	}
	ts := timestamp.Timestamp{
		HashAlgorithm:     h,
		HashedMessage:     q.MessageImprint.HashedMessage,
		Time:              genTime,
		Accuracy:          time.Second,
		Policy:            policyOID,
		Nonce:             q.Nonce,
		AddTSACertificate: q.CertReq,
	}
	resp, err := ts.CreateResponseWithOpts(a.cert, a.key, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("tsa: signing a token: %w", err)
	}
	return resp, nil
}

// parseRequest decodes a TimeStampReq and checks it is one this authority
// grants.
func parseRequest(der []byte) (*rfc3161.TimeStampReq, crypto.Hash, *rejection) {
	var q rfc3161.TimeStampReq
	rest, err := asn1.Unmarshal(der, &q)
	if err != nil {
		return nil, 0, reject(timestamp.BadDataFormat, "the request is not a DER TimeStampReq")
	}
	if len(rest) > 0 {
		return nil, 0, reject(timestamp.BadDataFormat, "trailing data after the TimeStampReq")
	}
	if q.Version != 1 {
		return nil, 0, reject(timestamp.BadRequest, "unsupported TimeStampReq version %d (want 1)", q.Version)
	}
	alg := q.MessageImprint.HashAlgorithm.Algorithm
	h, ok := rfc3161.ImprintHashes[alg.String()]
	if !ok {
		return nil, 0, reject(timestamp.BadAlgorithm, "unsupported imprint hash algorithm %s (use SHA-256, SHA-384 or SHA-512)", alg)
	}
	if len(q.MessageImprint.HashedMessage) != h.Size() {
		return nil, 0, reject(timestamp.BadDataFormat, "the hashed message has %d bytes, %v needs %d", len(q.MessageImprint.HashedMessage), h, h.Size())
	}
	if q.ReqPolicy != nil && !q.ReqPolicy.Equal(policyOID) {
		return nil, 0, reject(timestamp.UnacceptedPolicy, "unsupported policy %s (this TSA uses %s)", q.ReqPolicy, Policy)
	}
	if len(q.Extensions) > 0 {
		return nil, 0, reject(timestamp.UnacceptedExtension, "request extensions are not supported")
	}
	return &q, h, nil
}
