// Package tokencheck checks an RFC 3161 timestamp token offline: its
// imprint over the data, the CMS signature, the ESS signing-certificate
// binding, the TSA's timeStamping purpose, the chain to the anchors given
// and, if asked, the nonce. It reports each as a verdict.Check, so that
// what it finds reads the same wherever it runs: in the verifier (package
// verify re-exports it as verify.VerifyToken) and in the exporter, which
// checks every token a TSA answers before storing it (tsa.Client,
// pdfseal). Neither side imports the other; both use this.
//
// It also holds the certificate rules that a signature and a token share:
// the carried chain (carriedChain), path validation at the token's time
// and the stricter CheckCertificateChain for the PDF signer's own chain.
package tokencheck

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
	"github.com/custody-toolkit/custody/internal/verdict"
)

// MaxSize bounds the RFC 3161 tokens and responses Verify reads:
// real tokens with a full chain are a few KiB.
const MaxSize = 1 << 20

// Options configure Verify.
type Options struct {
	// Roots are the trust anchors: any certificate here is an anchor, root
	// or not (EU trusted lists name a TSA's own certificate).
	Roots []*x509.Certificate
	// Certs are extra certificates (the TSA's own or intermediates) for
	// tokens that lack them.
	Certs []*x509.Certificate
	// Nonce, when non-nil, must equal the token's nonce.
	Nonce *big.Int
	// Stored says the token is one a bundle stores (manifest.tsr, a
	// custody event's .tsr): a TimeStampResp whose status is granted and
	// nothing else (bundle-format.md §6). Unsigned, the status proves
	// nothing; holding it to one value means no byte of the entry can
	// change without the verdict changing.
	Stored bool
	// Unsealed says the token's bytes must not change unseen and no
	// signature of ours covers them (a bundle's stored token without a
	// seal over it, a standalone PDF's token): then what the TSA's
	// signature does not cover either and honest TSAs vary (certificates
	// besides its TSA's chain; for a stored token, a response status
	// other than a plain granted, or a bare token) makes the check
	// INDETERMINATE instead of a fact reported: it cannot be told from an
	// alteration. Sealed, it is reported as it is.
	Unsealed bool
}

// Result is what Verify established.
type Result struct {
	Timestamp  verdict.Timestamp
	Checks     []verdict.Check // token.format, token.imprint, token.signature, token.signing-certificate, token.certificates, token.eku, token.chain[, token.nonce]
	Status     verdict.Status  // Verdict(Checks)
	SignerCert *x509.Certificate
}

// Parse accepts a DER TimeStampResp, whose status must be granted or
// grantedWithMods, or a bare DER TimeStampToken, and returns the DER of
// the TimeStampToken. An error means the input is unreadable.
func Parse(der []byte) ([]byte, error) {
	p, err := parseToken(der)
	if err != nil {
		return nil, err
	}
	return p.der, nil
}

// parsedToken is a token as read: its DER, its decoding, and what its
// response said besides "granted".
type parsedToken struct {
	der      []byte
	sd       *cms.SignedData
	response bool   // der came wrapped in a TimeStampResp
	status   string // "" for a plain granted status (or no response)
}

func parseToken(der []byte) (*parsedToken, error) {
	if len(der) > MaxSize {
		return nil, fmt.Errorf("timestamp token is %d bytes, more than the %d accepted", len(der), MaxSize)
	}
	if len(der) == 0 {
		return nil, errors.New("timestamp token is empty")
	}
	p := &parsedToken{der: der}
	if cms.IsResponse(der) {
		var err error
		if p.der, p.status, err = cms.UnwrapResponse(der); err != nil {
			return nil, err
		}
		p.response = true
	}
	var err error
	if p.sd, err = cms.Parse(p.der); err != nil {
		return nil, err
	}
	return p, nil
}

// Verify verifies an RFC 3161 token (a TimeStampResp or a bare
// token) over data, which it streams through the token's imprint hash.
// The error is non-nil only when the token cannot be read at all, or
// data cannot be read; every other problem is a FAILED or INDETERMINATE
// Check in the result. For a bundle's manifest.tsr:
//
//	anchors, err := tokencheck.ParseCertificates(trustFile) // --trust
//	res, err := tokencheck.Verify(tsr, bytes.NewReader(manifestSig), tokencheck.Options{Roots: anchors})
//	// err: unreadable (exit 2); else res.Status, with res.Checks saying why.
//
// Everything is checked offline and at the token's genTime: the imprint,
// the CMS signature (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA, Ed25519; never
// SHA-1 or MD5), the ESS signing-certificate binding, the TSA's
// timeStamping purpose, the chain to an anchor and, if asked, the nonce.
// Revocation is not checked.
func Verify(der []byte, data io.Reader, opts Options) (*Result, error) {
	v, err := newTokenVerifier(der, opts)
	if err != nil {
		return nil, err
	}
	if v.imprintHash != 0 {
		h := v.imprintHash.New()
		// Hide any WriteTo (os.File has one) so that the large buffer is
		// used: hashing is faster with it.
		onlyRead := struct{ io.Reader }{data}
		if _, err := io.CopyBuffer(h, onlyRead, make([]byte, 256<<10)); err != nil {
			return nil, fmt.Errorf("reading the time-stamped data: %w", err)
		}
		v.dataDigest = h.Sum(nil)
	}
	return v.run(), nil
}

// VerifyDigest is Verify for a caller that already holds the
// digest of the data, computed with h (a TSA client checking a response
// against its request, say). A token whose imprint uses another hash
// fails the imprint check.
func VerifyDigest(der []byte, h crypto.Hash, digest []byte, opts Options) (*Result, error) {
	v, err := newTokenVerifier(der, opts)
	if err != nil {
		return nil, err
	}
	v.dataName = "digest given"
	if v.imprintHash != 0 {
		if h != v.imprintHash {
			v.digestMismatch = fmt.Sprintf("the token's imprint is %s but the digest given is %s", v.imprintHash, h)
		}
		v.dataDigest = digest
	}
	return v.run(), nil
}

// ReadCertificateFiles reads and parses --trust or --certs files
// (ParseCertificates each); errors name the file.
func ReadCertificateFiles(paths []string) ([]*x509.Certificate, error) {
	var all []*x509.Certificate
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		certs, err := ParseCertificates(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, certs...)
	}
	return all, nil
}

// ParseCertificates reads a PEM bundle of one or more CERTIFICATE blocks,
// or a single DER certificate (for --trust and --certs files).
func ParseCertificates(pemOrDER []byte) ([]*x509.Certificate, error) {
	if !bytes.Contains(pemOrDER, []byte("-----BEGIN")) {
		c, err := x509.ParseCertificate(pemOrDER)
		if err != nil {
			return nil, fmt.Errorf("neither PEM nor a DER certificate: %w", err)
		}
		return []*x509.Certificate{c}, nil
	}
	var certs []*x509.Certificate
	rest := pemOrDER
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		n := len(certs) + 1
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is %q, want CERTIFICATE", n, b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM certificate %d: %w", n, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block found")
	}
	return certs, nil
}

// tokenVerifier holds what the checks share.
type tokenVerifier struct {
	opts     Options
	tok      *cms.SignedData
	info     *cms.TSTInfo // nil when the TSTInfo is unreadable
	infoErr  error
	signer   *cms.SignerInfo // nil unless exactly one SignerInfo
	embedded []*x509.Certificate
	certErrs []string // embedded certificates Go could not parse

	signerCert     *x509.Certificate
	imprintHash    crypto.Hash // 0 when the imprint algorithm is refused
	imprintErr     error
	storedOddity   string // how the token is not stored as the exporter stores it
	dataDigest     []byte
	dataName       string // "data", or "digest given"
	digestMismatch string
}

func newTokenVerifier(der []byte, opts Options) (*tokenVerifier, error) {
	p, err := parseToken(der)
	if err != nil {
		return nil, err
	}
	tok := p.sd
	v := &tokenVerifier{opts: opts, tok: tok, dataName: "data"}
	switch {
	case opts.Stored && !p.response:
		v.storedOddity = "it is a bare token, not the TimeStampResp a bundle stores (bundle-format.md §6)"
	case opts.Stored && p.status != "":
		v.storedOddity = fmt.Sprintf("its TimeStampResp's status is %s, not a plain granted (0) (bundle-format.md §6)", p.status)
	}
	switch {
	case !tok.EContentType.Equal(cms.OIDTSTInfo):
		v.infoErr = fmt.Errorf("eContentType %v is not id-ct-TSTInfo", tok.EContentType)
	case tok.Version != tok.ExpectedVersion():
		// RFC 5652 §5.1: content other than id-data makes the SignedData
		// version 3. Fields outside the signature are held to the one value
		// they can have, so that no byte of a token changes without the
		// verdict changing.
		v.infoErr = fmt.Errorf("SignedData version %d, want %d for a TSTInfo (RFC 5652 §5.1)", tok.Version, tok.ExpectedVersion())
	default:
		v.info, v.infoErr = cms.ParseTSTInfo(tok.EContent)
	}
	if v.info != nil {
		v.imprintHash, v.imprintErr = cms.Hash(v.info.MessageImprint.HashAlgorithm.Algorithm)
	}
	if len(tok.SignerInfos) == 1 {
		v.signer = &tok.SignerInfos[0]
	}
	for i, raw := range tok.Certificates {
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			v.certErrs = append(v.certErrs, fmt.Sprintf("embedded certificate %d unreadable: %v", i, err))
			continue
		}
		v.embedded = append(v.embedded, c)
	}
	v.signerCert = v.findSignerCert()
	return v, nil
}

func (v *tokenVerifier) run() *Result {
	checks := []verdict.Check{
		v.checkFormat(),
		v.checkImprint(),
		v.checkSignature(),
		v.checkSigningCertificate(),
		v.checkCarriedCertificates(),
		v.checkEKU(),
		v.checkChain(),
	}
	if v.opts.Nonce != nil {
		checks = append(checks, v.checkNonce())
	}
	r := &Result{Checks: checks, Status: verdict.Verdict(checks), SignerCert: v.signerCert}
	r.Timestamp = v.timestamp(r.Status)
	return r
}

func (v *tokenVerifier) timestamp(s verdict.Status) verdict.Timestamp {
	ts := verdict.Timestamp{Trusted: s == verdict.Passed} // trusted only when every check holds
	if c := v.signerCert; c != nil {
		ts.TSA = c.Subject.CommonName
		if ts.TSA == "" {
			ts.TSA = c.Subject.String()
		}
		sum := sha256.Sum256(c.Raw)
		ts.TSACertSHA256 = hex.EncodeToString(sum[:])
	}
	if i := v.info; i != nil {
		ts.Time = i.GenTime.UTC()
		ts.Policy = i.Policy.String()
		ts.Serial = i.SerialNumber.Text(16)
		if v.imprintHash != 0 {
			ts.Hash = v.imprintHash.String()
		}
		if ts.TSA == "" {
			ts.TSA = i.TSAName()
		}
	}
	return ts
}

// findSignerCert looks for the certificate the SignerIdentifier names, in
// the token first, then in the certificates and anchors the caller gave:
// tokens may list their certificates in any order.
func (v *tokenVerifier) findSignerCert() *x509.Certificate {
	if v.signer == nil {
		return nil
	}
	for _, pool := range [][]*x509.Certificate{v.embedded, v.opts.Certs, v.opts.Roots} {
		for _, c := range pool {
			if Identifies(v.signer, c) {
				return c
			}
		}
	}
	return nil
}

func notEvaluated(name, why string) verdict.Check {
	return verdict.Check{Name: name, Status: verdict.Indeterminate, Detail: "not evaluated: " + why}
}

func (v *tokenVerifier) checkFormat() verdict.Check {
	c := verdict.Check{Name: verdict.CheckTokenFormat, Status: verdict.Failed}
	outside := strings.Join(v.outsideSignature(), "; ")
	switch {
	case outside != "" && v.opts.Unsealed:
		// Unsigned bytes that no signature of ours covers here: a status
		// another exporter may have stored, attributes a TSA added, or an
		// alteration.
		c.Status, c.Sub = verdict.Indeterminate, verdict.FormatFailure
		c.Detail = "the token is not stored as the exporter stores it, in bytes no signature covers: " + outside
	case v.infoErr != nil:
		c.Detail = "the token does not carry a readable TSTInfo: " + v.infoErr.Error()
	case len(v.tok.SignerInfos) != 1:
		c.Detail = fmt.Sprintf("the token has %d SignerInfos; RFC 3161 §2.4.2 allows exactly one", len(v.tok.SignerInfos))
	default:
		c.Status = verdict.Passed
		c.Detail = fmt.Sprintf("TimeStampToken with one SignerInfo and a version 1 TSTInfo, serial %s, genTime %s, policy %s",
			v.info.SerialNumber.Text(16), v.info.GenTime.UTC().Format(time.RFC3339Nano), v.info.Policy)
		switch {
		case outside != "" && v.opts.Stored:
			c.Detail += "; " + outside + ", sealed as the TSA sent it"
		case outside != "":
			c.Detail += "; " + outside + ", outside the TSA's signature: no part of what the token proves"
		}
	}
	return c
}

// outsideSignature lists what the token holds outside the TSA's signature
// beyond the one form a bundle stores (bundle-format.md §6, *No unread
// byte*): a response other than a plain granted one, and the SignerInfo's
// unsigned attributes, which the verifier reports but does not interpret.
// Under the token seal these bytes are the signer's and are reported; a
// stored token without the seal cannot tell them from an alteration.
func (v *tokenVerifier) outsideSignature() []string {
	var out []string
	if v.storedOddity != "" {
		out = append(out, v.storedOddity)
	}
	if v.signer != nil && len(v.signer.Unsigned) > 0 {
		var names []string
		for _, a := range v.signer.Unsigned {
			names = append(names, attributeName(a.Type))
		}
		out = append(out, fmt.Sprintf("its SignerInfo carries %d unsigned attribute(s), not read: %s", len(names), strings.Join(names, ", ")))
	}
	return out
}

// attributeNames are the unsigned attributes a TSA or a CAdES tool may
// add, by the names their standards give them.
var attributeNames = map[string]string{
	"1.2.840.113549.1.9.6":       "counterSignature",
	"1.2.840.113549.1.9.16.2.14": "signatureTimeStampToken",
	"1.2.840.113549.1.9.16.2.23": "certValues",
	"1.2.840.113549.1.9.16.2.24": "revocationValues",
	"1.2.840.113549.1.9.16.2.21": "completeCertificateRefs",
	"1.2.840.113549.1.9.16.2.22": "completeRevocationRefs",
	"0.4.0.1733.2.4":             "archiveTimeStampV3",
	"1.2.840.113549.1.9.16.2.48": "archiveTimeStampV2",
}

// attributeName is the attribute's name and OID, or its OID.
func attributeName(oid asn1.ObjectIdentifier) string {
	if name, ok := attributeNames[oid.String()]; ok {
		return name + " (" + oid.String() + ")"
	}
	return oid.String()
}

func (v *tokenVerifier) checkImprint() verdict.Check {
	c := verdict.Check{Name: verdict.CheckTokenImprint, Status: verdict.Failed}
	switch {
	case v.info == nil:
		return notEvaluated(c.Name, "no readable TSTInfo")
	case v.imprintErr != nil:
		c.Detail = "the imprint hash is not accepted: " + v.imprintErr.Error()
		return weakIsIndeterminate(c, v.imprintErr)
	case v.digestMismatch != "":
		c.Detail = v.digestMismatch
	case len(v.info.MessageImprint.HashedMessage) != v.imprintHash.Size():
		c.Detail = fmt.Sprintf("the %s imprint is %d bytes long, want %d", v.imprintHash, len(v.info.MessageImprint.HashedMessage), v.imprintHash.Size())
	case !bytes.Equal(v.info.MessageImprint.HashedMessage, v.dataDigest):
		c.Detail = fmt.Sprintf("%s imprint does not match the %s: token %x, %s %x", v.imprintHash, v.dataName, v.info.MessageImprint.HashedMessage, v.dataName, v.dataDigest)
	default:
		c.Status = verdict.Passed
		c.Detail = fmt.Sprintf("%s imprint matches the %s", v.imprintHash, v.dataName)
	}
	return c
}

// certName names a certificate for humans: its subject.
func certName(c *x509.Certificate) string {
	return "'" + c.Subject.String() + "'"
}

const passCerts = "the signer certificate is neither in the token nor among the certificates given: pass the TSA certificate with --certs"

// noSignerCert explains a missing signer certificate, naming embedded
// certificates that could not be read (one may be the signer's).
func (v *tokenVerifier) noSignerCert() string {
	if len(v.certErrs) == 0 {
		return passCerts
	}
	return passCerts + " (" + strings.Join(v.certErrs, "; ") + ")"
}

func (v *tokenVerifier) checkSignature() verdict.Check {
	c := verdict.Check{Name: verdict.CheckTokenSignature, Status: verdict.Failed}
	s := v.signer
	if s == nil {
		return notEvaluated(c.Name, fmt.Sprintf("%d SignerInfos", len(v.tok.SignerInfos)))
	}
	if s.SignedAttrs == nil {
		c.Detail = "the SignerInfo has no signed attributes; RFC 3161 requires content-type, message-digest and signing-certificate"
		return c
	}
	digest, err := cms.Hash(s.DigestAlgorithm.Algorithm)
	if err != nil {
		c.Detail = "SignerInfo digestAlgorithm: " + err.Error()
		return weakIsIndeterminate(c, err)
	}
	if msg := v.checkSignedAttrs(digest); msg != "" {
		c.Detail = msg
		return c
	}
	if v.signerCert == nil {
		c.Status, c.Detail = verdict.Indeterminate, "the messageDigest matches the TSTInfo, but the signature cannot be checked: "+v.noSignerCert()
		c.Sub = verdict.NoSigningCertificateFound // ETSI: the signer's certificate is not available
		if len(v.certErrs) > 0 {
			c.Sub = verdict.CertificateChainGeneralFailure // carried, but not readable
		}
		return c
	}
	name, err := cms.VerifyByCertificate(v.signerCert, s.SignatureAlgorithm, digest, s.SignedAttrs, s.Signature)
	if err != nil {
		c.Detail = err.Error()
		return unboundIsIndeterminate(weakIsIndeterminate(c, err), s, v.signerCert)
	}
	c.Status = verdict.Passed
	c.Detail = fmt.Sprintf("%s signature over the signed attributes verifies with the key of %s; the %s messageDigest matches the TSTInfo",
		name, certName(v.signerCert), digest)
	return c
}

// weakIsIndeterminate: a hash no longer accepted (SHA-1, MD5) proves no
// forgery, it only means that trust cannot be established any more: ETSI EN
// 319 102-1 INDETERMINATE (CRYPTO_CONSTRAINTS_FAILURE), not FAILED. Nor do
// an algorithm this verifier does not implement, or a signature its key's
// parameters forbid (SIG_CONSTRAINTS_FAILURE).
func weakIsIndeterminate(c verdict.Check, err error) verdict.Check {
	switch {
	case errors.Is(err, cms.ErrWeakHash):
		c.Status, c.Sub = verdict.Indeterminate, verdict.CryptoConstraintsFailure
		c.Detail += " (crypto constraints: the token cannot be trusted, which does not show it was altered)"
	case errors.Is(err, cms.ErrUnsupported):
		c.Status, c.Sub = verdict.Indeterminate, verdict.CryptoConstraintsFailure
		c.Detail += " (not implemented by this verifier, which does not show the token was altered)"
	case errors.Is(err, cms.ErrKeyConstraint):
		c.Status, c.Sub = verdict.Indeterminate, verdict.SigConstraintsFailure
	}
	return c
}

// unboundIsIndeterminate: a signature that does not verify with a
// certificate that the signed attributes' ESS hash does not name (or that
// none names) proves nothing altered: that certificate, which no
// signature covers, may be the one swapped, and a verifier whose X.509
// parser refuses it could not have checked the signature at all (the TSA's
// key is known only from the token). INDETERMINATE,
// NO_SIGNING_CERTIFICATE_FOUND, so that the verdict is every verifier's
// whatever its parser (bundle-format.md, Conventions, "a certificate that
// cannot be parsed"). A stored token's certificates are sealed by the
// token seal, which shows such a swap FAILED (§6).
func unboundIsIndeterminate(c verdict.Check, si *cms.SignerInfo, cert *x509.Certificate) verdict.Check {
	if c.Status != verdict.Failed {
		return c
	}
	found, _, _ := SigningCertificates(si, nil)
	if found > 0 && SigningCertificateHashes(si, cert.Raw) == nil {
		return c
	}
	c.Status, c.Sub = verdict.Indeterminate, verdict.NoSigningCertificateFound
	c.Detail += "; the signed attributes do not name this certificate by its hash, so it may not be the TSA's: the signature is not shown altered"
	return c
}

// checkSignedAttrs checks content-type and message-digest, which bind the
// signature to the TSTInfo; it returns "" when both hold.
func (v *tokenVerifier) checkSignedAttrs(digest crypto.Hash) string {
	ct, got, err := v.signer.ContentAttributes()
	if err != nil {
		return err.Error()
	}
	if !ct.Equal(cms.OIDTSTInfo) {
		return fmt.Sprintf("the content-type signed attribute is not id-ct-TSTInfo (%v)", ct)
	}
	h := digest.New()
	h.Write(v.tok.EContent)
	if want := h.Sum(nil); !bytes.Equal(got, want) {
		return fmt.Sprintf("the messageDigest %x does not match the %s of the TSTInfo, %x: the TSTInfo was altered", got, digest, want)
	}
	return ""
}

// checkSigningCertificate: the ESSCertID(v2) attribute and the TSTInfo tsa
// name bind the token to its TSA certificate (RFC 3161 §2.4). A token that
// breaks them proves no time, but proves nothing altered either (the TSA's
// own bytes: an honest TSA may be misconfigured; a substituted certificate
// in a stored token is FAILED through the token seal, bundle-format.md §6):
// INDETERMINATE, SIG_CONSTRAINTS_FAILURE.
func (v *tokenVerifier) checkSigningCertificate() verdict.Check {
	c := verdict.Check{Name: verdict.CheckTokenSigningCert, Status: verdict.Indeterminate, Sub: verdict.SigConstraintsFailure}
	s := v.signer
	if s == nil {
		return notEvaluated(c.Name, fmt.Sprintf("%d SignerInfos", len(v.tok.SignerInfos)))
	}
	found, details, err := SigningCertificates(s, v.signerCert)
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	switch {
	case found == 0:
		c.Detail = "no signing-certificate (ESSCertID) or signing-certificate-v2 (ESSCertIDv2) signed attribute; RFC 3161 §2.4.1 requires one"
	case v.signerCert == nil:
		c.Sub, c.Detail = verdict.NoSigningCertificateFound, v.noSignerCert()
	default:
		if msg, ok := v.matchTSAName(); !ok {
			c.Detail = msg
			return c
		} else if msg != "" {
			details = append(details, msg)
		}
		c.Status, c.Sub, c.Detail = verdict.Passed, "", strings.Join(details, "; ")
	}
	return c
}

// matchTSAName applies RFC 3161 §2.4.2: the TSTInfo tsa field, when
// present, names the TSA certificate (its subject or a subjectAltName).
// Every real token of the corpus that has the field meets it.
func (v *tokenVerifier) matchTSAName() (string, bool) {
	if v.info == nil {
		return "", true
	}
	tag, content, ok := v.info.TSAGeneralName()
	if !ok {
		if len(v.info.TSA.FullBytes) > 0 {
			return "the TSTInfo tsa field is unreadable", false
		}
		return "", true
	}
	cert := v.signerCert
	name := v.info.TSAName()
	match := false
	switch {
	case tag == cms.TagDirectoryName:
		match = bytes.Equal(content, cert.RawSubject)
		if n, err := cms.ParseName(content); !match && err == nil {
			// Same names in other string types (PrintableString, UTF8String).
			match = n.String() == cert.Subject.String()
		}
	case tag == cms.TagDNSName:
		match = slices.Contains(cert.DNSNames, name)
	case tag == cms.TagRFC822Name:
		match = slices.Contains(cert.EmailAddresses, name)
	case tag == cms.TagURI:
		for _, u := range cert.URIs {
			match = match || u.String() == name
		}
	default:
		return fmt.Sprintf("the TSTInfo tsa field is a GeneralName [%d], not compared with the certificate", tag), true
	}
	if !match {
		return fmt.Sprintf("the TSTInfo names the TSA %q, which is not a name of the signer certificate %s (RFC 3161 §2.4.2)", name, certName(cert)), false
	}
	return "the TSTInfo tsa name matches the signer certificate", true
}

// essKinds are the ESS signing-certificate attributes, in the order they
// are checked: v2 (any hash), then v1 (SHA-1).
var essKinds = []struct {
	oid  asn1.ObjectIdentifier
	v2   bool
	name string
}{{cms.OIDSigningCertV2, true, "ESSCertIDv2"}, {cms.OIDSigningCert, false, "ESSCertID"}}

// SigningCertificates checks each ESS signing-certificate attribute si
// has (ESSCertIDv2, then ESSCertID) against cert, when cert is known: how
// many there are, what each established, or the first that does not
// identify cert.
func SigningCertificates(si *cms.SignerInfo, cert *x509.Certificate) (found int, details []string, err error) {
	for _, kind := range essKinds {
		val, ok, err := si.Attribute(kind.oid)
		if err != nil {
			return found, nil, err
		}
		if !ok {
			continue
		}
		found++
		if cert == nil {
			continue
		}
		msg, err := matchCertID(val.FullBytes, kind.v2, cert)
		if err != nil {
			return found, nil, fmt.Errorf("%s: %w", kind.name, err)
		}
		details = append(details, kind.name+" "+msg)
	}
	return found, details, nil
}

// matchCertID checks that the first certificate identifier of a signing
// certificate attribute names cert (RFC 5035 §5.4: the first one is the
// signer's).
func matchCertID(value []byte, v2 bool, cert *x509.Certificate) (string, error) {
	ids, err := cms.ParseSigningCertificate(value, v2)
	if err != nil {
		return "", err
	}
	id := ids[0]
	if !matchCertHash(id, cert.Raw) {
		return "", fmt.Errorf("the %s certificate hash does not match the signer certificate %s", id.Hash, certName(cert))
	}
	msg := fmt.Sprintf("(%s) Identifies the signer certificate", id.Hash)
	if id.Hash == crypto.SHA1 {
		msg = "(SHA-1, used here only as a certificate identifier, as RFC 2634 defines ESSCertID) Identifies the signer certificate"
	}
	if id.Serial != nil {
		issuerOK := false
		for _, n := range id.Issuers {
			issuerOK = issuerOK || bytes.Equal(n, cert.RawIssuer)
		}
		if !issuerOK || id.Serial.Cmp(cert.SerialNumber) != 0 {
			return "", fmt.Errorf("issuerSerial does not match the issuer and serial of the signer certificate %s", certName(cert))
		}
		msg += ", issuerSerial matches"
	}
	return msg, nil
}

// matchCertHash: whether id's certificate hash is the hash of raw, a
// certificate's DER.
func matchCertHash(id cms.CertID, raw []byte) bool {
	h := id.Hash.New()
	h.Write(raw)
	return bytes.Equal(h.Sum(nil), id.CertHash)
}

// SigningCertificateHashes checks the certificate hash of each ESS
// signing-certificate attribute si has (its first identifier, the
// signer's) against raw, the DER of the signer's certificate as carried.
// It needs no X.509 parser, so its answer is every verifier's: a
// certificate that is not the one the signer named is shown so even when
// it cannot be parsed (bundle-format.md §7.2, "Order").
func SigningCertificateHashes(si *cms.SignerInfo, raw []byte) error {
	for _, kind := range essKinds {
		val, ok, err := si.Attribute(kind.oid)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		ids, err := cms.ParseSigningCertificate(val.FullBytes, kind.v2)
		if err != nil {
			return fmt.Errorf("%s: %w", kind.name, err)
		}
		if !matchCertHash(ids[0], raw) {
			return fmt.Errorf("%s: the %s certificate hash does not match the CMS's first certificate: it is not the certificate the signer named", kind.name, ids[0].Hash)
		}
	}
	return nil
}

// checkCarriedCertificates reports on the certificates the token
// carries, which its signature does not cover: the chain they form from
// the TSA's certificate, and the oddities around it (repeats, certificates
// off the chain, unreadable ones), which honest TSAs produce. An oddity
// is INFO, or INDETERMINATE under Unsealed; a link of the chain
// whose algorithm is not implemented is INDETERMINATE. Nothing here is
// FAILED: trust comes from the anchors (token.chain), not from these
// copies.
func (v *tokenVerifier) checkCarriedCertificates() verdict.Check {
	c := verdict.Check{Name: verdict.CheckTokenCerts, Status: verdict.Indeterminate}
	switch {
	case v.signer == nil:
		return notEvaluated(c.Name, fmt.Sprintf("%d SignerInfos", len(v.tok.SignerInfos)))
	case v.signerCert == nil:
		c.Detail, c.Sub = v.noSignerCert(), verdict.NoSigningCertificateFound
		return c
	}
	r := carriedChain(v.signerCert, v.embedded)
	oddities := append(append([]string(nil), v.certErrs...), r.oddities...)
	if v.tok.HasCRLs {
		// Unsigned like the certificates, and not read here: revocation
		// is not checked offline.
		oddities = append(oddities, "the token carries CRLs, which its signature does not cover and this verifier does not read")
	}
	c.Detail = fmt.Sprintf("the token carries %d certificates; the chain they form from the TSA's: %s", len(v.tok.Certificates), ChainNames(r.chain))
	if len(v.tok.Certificates) == 0 {
		c.Detail = "the token carries no certificate"
	}
	if len(r.unchecked) > 0 {
		// Path validation (token.chain) refuses these algorithms: a
		// certificate only they vouch for is never relied on.
		c.Detail += "; not checked, as SHA-1 and MD5 are refused: " + strings.Join(r.unchecked, "; ")
	}
	switch {
	case len(r.undecided) > 0:
		c.Detail += "; not checked, as this verifier does not implement the algorithm: " + strings.Join(r.undecided, "; ")
		c.Sub = verdict.CryptoConstraintsFailure
	case len(oddities) > 0 && v.opts.Unsealed:
		c.Detail += "; but the token carries more than that chain, which its signature does not cover, so its bytes may have changed unseen: " + strings.Join(oddities, "; ")
		c.Sub = verdict.FormatFailure
	case len(oddities) > 0:
		c.Status = verdict.Info
		c.Detail += "; besides: " + strings.Join(oddities, "; ")
	default:
		c.Status = verdict.Passed
	}
	return c
}

// checkEKU applies RFC 3161 §2.3 to the letter (TimeStampingOnly). A
// certificate that breaks it is not a TSA's to RFC 3161: the token proves
// no time, but nothing is proven altered, so INDETERMINATE
// (CHAIN_CONSTRAINTS_FAILURE), as ETSI EN 319 102-1 reports a broken
// certificate constraint.
func (v *tokenVerifier) checkEKU() verdict.Check {
	c := verdict.Check{Name: verdict.CheckTokenEKU, Status: verdict.Indeterminate}
	cert := v.signerCert
	switch {
	case v.signer == nil:
		return notEvaluated(c.Name, fmt.Sprintf("%d SignerInfos", len(v.tok.SignerInfos)))
	case cert == nil:
		return verdict.Check{Name: c.Name, Status: verdict.Indeterminate, Detail: v.noSignerCert()}
	}
	if err := TimeStampingOnly(cert); err != nil {
		c.Detail = fmt.Sprintf("the TSA certificate %s: %v", certName(cert), err)
		return c
	}
	c.Status = verdict.Passed
	c.Detail = fmt.Sprintf("the TSA certificate %s has the critical extended key usage id-kp-timeStamping alone", certName(cert))
	return c
}

// TimeStampingOnly is the rule of RFC 3161 §2.3, in the one place both
// sides of the protocol read it: the verifier (token.eku) and the local
// authority, which refuses to load a certificate that breaks it (openssl
// would refuse its tokens). The certificate has exactly one extended key
// usage extension, critical, whose only purpose is id-kp-timeStamping.
// Every real TSA certificate in the test corpus (DigiCert, GlobalSign,
// IdenTrust, Symantec, FreeTSA, Sigstore) meets it, so nothing justifies
// accepting less. The error says which part is broken.
func TimeStampingOnly(cert *x509.Certificate) error {
	var critical []bool // of each extended key usage extension
	for _, e := range cert.Extensions {
		if e.Id.Equal(cms.OIDExtKeyUsage) {
			critical = append(critical, e.Critical)
		}
	}
	onlyTS := len(cert.ExtKeyUsage) == 1 && cert.ExtKeyUsage[0] == x509.ExtKeyUsageTimeStamping && len(cert.UnknownExtKeyUsage) == 0
	switch {
	case len(critical) == 0:
		return errors.New("no extended key usage; RFC 3161 §2.3 requires id-kp-timeStamping")
	case len(critical) > 1:
		return fmt.Errorf("%d extended key usage extensions; RFC 3161 §2.3 requires one", len(critical))
	case !onlyTS:
		return errors.New("the extended key usage is not id-kp-timeStamping alone, as RFC 3161 §2.3 requires")
	case !critical[0]:
		return errors.New("the id-kp-timeStamping extended key usage is not critical, as RFC 3161 §2.3 requires")
	}
	return nil
}

func (v *tokenVerifier) checkChain() verdict.Check {
	c := verdict.Check{Name: verdict.CheckTokenChain, Status: verdict.Indeterminate}
	cert := v.signerCert
	switch {
	case v.signer == nil:
		return notEvaluated(c.Name, fmt.Sprintf("%d SignerInfos", len(v.tok.SignerInfos)))
	case cert == nil:
		c.Detail = v.noSignerCert()
		return c
	case v.info == nil:
		return notEvaluated(c.Name, "no readable TSTInfo, hence no genTime")
	case len(v.opts.Roots) == 0:
		c.Detail = fmt.Sprintf("no trust anchor given (--trust): the TSA certificate %s was not checked against any", certName(cert))
		return c
	}
	genTime := v.info.GenTime.UTC()
	when := genTime.Format(time.RFC3339)
	// Validate at genTime: TSA certificates expire, the evidence does not.
	chain, own, err := validatePath(cert, v.opts.Roots, slices.Concat(v.embedded, v.opts.Certs), genTime)
	if err != nil {
		c.Detail = fmt.Sprintf("the TSA certificate %s does not chain to any trust anchor at genTime %s: %v", certName(cert), when, err)
		if len(v.certErrs) > 0 {
			c.Detail += " (" + strings.Join(v.certErrs, "; ") + ")"
		}
		if errors.Is(err, cms.ErrUnsupported) {
			c.Sub = verdict.CryptoConstraintsFailure
		}
		return c
	}
	c.Status = verdict.Passed
	c.Detail = fmt.Sprintf("the TSA certificate chains to trust anchor %s at genTime %s (chain %s); revocation not checked (offline)",
		certName(chain[len(chain)-1]), when, ChainNames(chain))
	if own {
		c.Detail += "; path validated by this verifier, as crypto/x509 cannot verify its RSASSA-PSS signatures"
	}
	return c
}

func (v *tokenVerifier) checkNonce() verdict.Check {
	c := verdict.Check{Name: verdict.CheckTokenNonce, Status: verdict.Failed}
	want := v.opts.Nonce
	switch {
	case v.info == nil:
		return notEvaluated(c.Name, "no readable TSTInfo")
	case v.info.Nonce == nil:
		c.Detail = fmt.Sprintf("the token has no nonce, expected 0x%x", want)
	case v.info.Nonce.Cmp(want) != 0:
		c.Detail = fmt.Sprintf("the token's nonce 0x%x differs from the request's 0x%x: the response answers another request", v.info.Nonce, want)
	default:
		c.Status = verdict.Passed
		c.Detail = fmt.Sprintf("the nonce 0x%x matches the request", want)
	}
	return c
}
