package verify

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/manifest"
)

// The signer's certificate chain (docs/bundle-format.md §5.1). A bundle
// sealed with a key a CA certified (a PKCS#12 file, a card) carries the
// chain in META-INF/signer-chain.pem, sealed by the manifest's
// signer.certificates_sha256. The chain names a person; whether that name
// is to be believed is a question of trust, asked only with
// --trust-signers, and answered at the proven signing time: the earliest
// trusted token's genTime, before which the signature existed.

// CheckSignerCertificates is the check of the signer's certificate chain.
const CheckSignerCertificates = "signer.certificates"

// Identity is the person or body a bundle's signer certificate names.
type Identity struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"` // hex
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// Anchored: the chain leads to a --trust-signers anchor and every
	// certificate was valid at AnchoredAt, the proven signing time.
	Anchored   bool       `json:"anchored"`
	AnchoredAt *time.Time `json:"anchored_at,omitempty"`
	// Qualified is what the certificate's QCStatements declare (ETSI EN
	// 319 412-5); nil when it declares none. A declaration, not trust.
	Qualified *Qualified `json:"qualified,omitempty"`
}

// Qualified lists the EU qualified-certificate statements of a
// certificate: QcCompliance (issued as a qualified certificate), QcSSCD
// (its key lives in a qualified signature creation device) and QcType
// (esign, eseal, web).
type Qualified struct {
	Compliance bool     `json:"compliance"`
	SSCD       bool     `json:"sscd"`
	Types      []string `json:"types,omitempty"`
}

// checkSignerCertificates verifies the signer's certificate chain when the
// manifest declares one. Its bytes are sealed (their SHA-256 is signed):
// a chain removed, added or altered is FAILED, as is a first certificate
// for another key than signer.pem's. What cannot be established (a
// certificate Go cannot parse, no anchor, not valid at the proven time)
// is INDETERMINATE; without --trust-signers the name is reported, INFO.
// signer is the fingerprint of the key that sealed the bundle, sealProofs
// the trusted tokens; it returns the chain once its first certificate is
// shown to be that key's.
func (v *bundleVerifier) checkSignerCertificates(m *manifest.Manifest, signer string, sealProofs []proof) (chain []*x509.Certificate) {
	want, has := m.Signer.CertificatesSHA256, v.b.Has(manifest.SignerChainName)
	switch {
	case want == "" && !has:
		return nil
	case want == "":
		v.failSub(CheckSignerCertificates, HashFailure, "%s is in the bundle, but the manifest declares no signer certificates: an unsealed addition", manifest.SignerChainName)
		return nil
	case !has:
		v.failSub(CheckSignerCertificates, HashFailure, "the manifest declares the signer's certificates, but %s is missing: removed", manifest.SignerChainName)
		return nil
	}
	if err := v.tooLarge(manifest.SignerChainName, manifest.MaxSignerChainSize); err != nil {
		v.signerChainUnread(want, err)
		return nil
	}
	data, err := v.b.ReadSmall(manifest.SignerChainName, manifest.MaxSignerChainSize)
	if err != nil {
		v.failSub(CheckSignerCertificates, FormatFailure, "%v", err)
		return nil
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
		v.failSub(CheckSignerCertificates, HashFailure, "%s has SHA-256 %x, but the manifest sealed %s: altered", manifest.SignerChainName, sum, want)
		return nil
	}
	v.rep.sealed.chain, _ = pemCertificates(data)
	chain, err = parseSignerChain(data)
	if err != nil {
		// Sealed bytes a conformant exporter wrote, which this verifier
		// cannot read: nothing is shown altered, nothing established.
		v.rep.Checks = append(v.rep.Checks, Check{Name: CheckSignerCertificates, Status: Indeterminate, Sub: FormatNotImplemented,
			Detail: fmt.Sprintf("%s: %v", manifest.SignerChainName, err)})
		return nil
	}
	// The signature check has verified signer.pem's key, of fingerprint
	// signer.
	if fp, err := manifest.Fingerprint(chain[0].PublicKey); err != nil || fp != signer {
		v.failSub(CheckSignerCertificates, UnexpectedSigner, "the first certificate of %s ('%s') is not for the key that sealed the bundle (%s)", manifest.SignerChainName, chain[0].Subject, manifest.SignerName)
		return nil
	}
	id := identityOf(chain[0])
	v.rep.Signer.Identity = id
	v.anchorIdentity(chain, id, sealProofs)
	return chain
}

// anchorIdentity validates chain against --trust-signers at the proven
// signing time and reports the identity.
func (v *bundleVerifier) anchorIdentity(chain []*x509.Certificate, id *Identity, sealProofs []proof) {
	name := describeIdentity(id)
	if len(v.opts.TrustSigners) == 0 {
		v.add(CheckSignerCertificates, Info, "signed by %s; the identity is NOT verified (no --trust-signers): the name is the certificate's claim", name)
		return
	}
	at, ok := provenSigningTime(sealProofs)
	if !ok {
		v.indeterminate(CheckSignerCertificates, OutOfBoundsNoPOE, "signed by %s; no trusted timestamp proves when, so the certificate cannot be validated at the signing time", name)
		return
	}
	roots := x509.NewCertPool()
	for _, r := range v.opts.TrustSigners {
		roots.AddCert(r)
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		sub := NoCertificateChainFound
		var invalid x509.CertificateInvalidError
		if errors.As(err, &invalid) && invalid.Reason == x509.Expired {
			sub = OutOfBoundsNoPOE
		}
		v.indeterminate(CheckSignerCertificates, sub, "signed by %s; the identity is not established at the signing time %s: %v", name, at.Format(time.RFC3339), err)
		return
	}
	id.Anchored, id.AnchoredAt = true, &at
	v.pass(CheckSignerCertificates, "signed by %s; the chain leads to a --trust-signers anchor and was valid at the signing time %s", name, at.Format(time.RFC3339))
}

// provenSigningTime is the earliest genTime of a trusted token
// (sealProofs): the signature existed then.
func provenSigningTime(sealProofs []proof) (time.Time, bool) {
	var at time.Time
	for _, p := range sealProofs {
		if at.IsZero() || p.ts.Time.Before(at) {
			at = p.ts.Time
		}
	}
	return at.UTC(), !at.IsZero()
}

func (v *bundleVerifier) failSub(name string, sub SubIndication, format string, args ...any) {
	v.rep.Checks = append(v.rep.Checks, Check{Name: name, Status: Failed, Sub: sub, Detail: fmt.Sprintf(format, args...)})
	v.stopped = true
}

func (v *bundleVerifier) indeterminate(name string, sub SubIndication, format string, args ...any) {
	v.rep.Checks = append(v.rep.Checks, Check{Name: name, Status: Indeterminate, Sub: sub, Detail: fmt.Sprintf(format, args...)})
}

// signerChainUnread: signer-chain.pem is larger than this verifier reads
// (err), so its sealed digest want is checked over a stream: a mismatch
// is FAILED as any edit, a match INDETERMINATE (limits.go).
func (v *bundleVerifier) signerChainUnread(want string, err error) {
	digest, herr := v.hashEntry(manifest.SignerChainName)
	switch {
	case herr != nil:
		v.failSub(CheckSignerCertificates, FormatFailure, "%v", herr)
	case digest != want:
		v.failSub(CheckSignerCertificates, HashFailure, "%s has SHA-256 %s, but the manifest sealed %s: altered", manifest.SignerChainName, digest, want)
	default:
		v.indeterminate(CheckSignerCertificates, FormatNotImplemented, "%v: its SHA-256 matches the manifest, so nothing is shown altered, and the signer is not named", err)
	}
}

// maxSignerChain is the most certificates signer-chain.pem holds.
const maxSignerChain = 8

// parseSignerChain reads signer-chain.pem: CERTIFICATE blocks and nothing
// else, at most eight.
func parseSignerChain(data []byte) ([]*x509.Certificate, error) {
	ders, err := pemCertificates(data)
	if err != nil {
		return nil, err
	}
	chain := make([]*x509.Certificate, len(ders))
	for i, der := range ders {
		if chain[i], err = x509.ParseCertificate(der); err != nil {
			return nil, fmt.Errorf("certificate %d: %w", i+1, err)
		}
	}
	return chain, nil
}

// pemCertificates is the DER of each CERTIFICATE block of
// signer-chain.pem, unparsed: what the PDF's CMS certificates are
// compared with, byte for byte (pdf.go, checkSealedChain).
func pemCertificates(data []byte) ([][]byte, error) {
	var ders [][]byte
	rest := data
	for len(bytes.TrimSpace(rest)) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("not a sequence of CERTIFICATE PEM blocks")
		}
		if ders = append(ders, b.Bytes); len(ders) > maxSignerChain {
			return nil, fmt.Errorf("more than %d certificates", maxSignerChain)
		}
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("no certificate")
	}
	return ders, nil
}

func identityOf(c *x509.Certificate) *Identity {
	return &Identity{Subject: c.Subject.String(), Issuer: c.Issuer.String(), Serial: c.SerialNumber.Text(16),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), Qualified: qualifiedStatements(c)}
}

// describeIdentity is the identity in one line of the report.
func describeIdentity(id *Identity) string {
	s := fmt.Sprintf("'%s' (issuer '%s', serial %s, valid %s to %s)", id.Subject, id.Issuer, id.Serial,
		id.NotBefore.Format(time.RFC3339), id.NotAfter.Format(time.RFC3339))
	if q := id.Qualified; q != nil {
		var says []string
		if q.Compliance {
			says = append(says, "QcCompliance")
		}
		if q.SSCD {
			says = append(says, "QcSSCD")
		}
		for _, t := range q.Types {
			says = append(says, "QcType "+t)
		}
		s += "; the certificate declares " + strings.Join(says, ", ") + " (EN 319 412-5; a declaration, not trust)"
	}
	return s
}

// QCStatements (RFC 3739, ETSI EN 319 412-5).
var (
	oidQCStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcCompliance = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	oidQcSSCD       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}
	oidQcType       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	qcTypes         = map[string]string{"0.4.0.1862.1.6.1": "esign", "0.4.0.1862.1.6.2": "eseal", "0.4.0.1862.1.6.3": "web"}
)

type qcStatement struct {
	ID   asn1.ObjectIdentifier
	Info asn1.RawValue `asn1:"optional"`
}

// qualifiedStatements reads the QCStatements extension; nil when absent or
// unreadable (then nothing is declared that this verifier can report).
func qualifiedStatements(c *x509.Certificate) *Qualified {
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidQCStatements) {
			continue
		}
		var stmts []qcStatement
		if _, err := asn1.Unmarshal(ext.Value, &stmts); err != nil {
			return nil
		}
		q := &Qualified{}
		for _, s := range stmts {
			switch {
			case s.ID.Equal(oidQcCompliance):
				q.Compliance = true
			case s.ID.Equal(oidQcSSCD):
				q.SSCD = true
			case s.ID.Equal(oidQcType):
				var types []asn1.ObjectIdentifier
				if _, err := asn1.Unmarshal(s.Info.FullBytes, &types); err == nil {
					for _, t := range types {
						if name, ok := qcTypes[t.String()]; ok {
							q.Types = append(q.Types, name)
						} else {
							q.Types = append(q.Types, t.String())
						}
					}
				}
			}
		}
		return q
	}
	return nil
}
