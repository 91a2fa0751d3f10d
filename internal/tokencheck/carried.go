package tokencheck

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/custody-toolkit/custody/internal/cms"
)

// A CMS signature (a timestamp token, a PDF's signature) carries
// certificates that no signature covers. Honest TSAs carry them in any
// order, some twice (OpenSSL's TSA with a `certs` file that holds its own
// certificate), with extras off the signer's path (cross-certificates, a
// root), or none. carriedChain sorts them: the chain from the signer's
// certificate upwards, each link verified, and the oddities around it.
// What the oddities mean is the caller's: nothing for a token read alone,
// but an unseen change for a token whose bytes must not change
// (Options.Unsealed). A standalone PDF's own signature is
// held to more: CheckCertificateChain.

// carried is what carriedChain found.
type carried struct {
	chain     []*x509.Certificate // from the signer's certificate up, each link verified
	unchecked []string            // links followed by name only: SHA-1 or MD5
	undecided []string            // links that could not be checked: an algorithm not implemented
	oddities  []string            // duplicates, certificates off the chain
}

// carriedChain follows the chain that starts at signer (which may or may
// not be carried) through the carried certificates, in any order. The
// chain ends at a self-issued certificate whose own key verifies it, or
// at a certificate whose issuer is not carried (or not verified). A link
// signed with SHA-1 or MD5 (legacy roots) cannot be checked: it is
// followed by name and named in unchecked; such a link never counts for
// trust, as path validation (checkChain) refuses it.
func carriedChain(signer *x509.Certificate, all []*x509.Certificate) carried {
	var r carried
	certs := r.distinct(all)
	used := make([]bool, len(certs))
	mark := func(c *x509.Certificate) {
		for i, x := range certs {
			used[i] = used[i] || bytes.Equal(x.Raw, c.Raw)
		}
	}
	mark(signer)
	r.chain = []*x509.Certificate{signer}
	for cur := signer; len(r.chain) <= len(certs)+1; {
		if r.atTop(cur, certs, used) {
			break
		}
		next := r.issuer(cur, certs, used)
		if next == nil {
			break
		}
		mark(next)
		r.chain = append(r.chain, next)
		cur = next
	}
	for i, c := range certs {
		if !used[i] {
			r.oddities = append(r.oddities, fmt.Sprintf("%s is not on the chain of the signer's certificate", certName(c)))
		}
	}
	return r
}

// distinct returns certs without repeats, noting each repeat.
func (r *carried) distinct(certs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		if containsCert(out, c) {
			r.oddities = append(r.oddities, fmt.Sprintf("%s is carried more than once", certName(c)))
			continue
		}
		out = append(out, c)
	}
	return out
}

// atTop reports whether cur ends the chain: a self-issued certificate
// that its own key verifies (or that is signed by another key of the same
// name, a key rollover certificate, whose issuer is not carried).
func (r *carried) atTop(cur *x509.Certificate, certs []*x509.Certificate, used []bool) bool {
	if !bytes.Equal(cur.RawIssuer, cur.RawSubject) {
		return false
	}
	err := cms.CheckIssuedBy(cur, cur)
	switch {
	case err == nil:
		return true
	case errors.Is(err, cms.ErrWeakHash):
		r.unchecked = append(r.unchecked, fmt.Sprintf("the self-signature of %s (%v)", certName(cur), err))
		return true
	case errors.Is(err, cms.ErrUnsupported):
		r.undecided = append(r.undecided, fmt.Sprintf("the self-signature of %s (%v)", certName(cur), err))
		return true
	case !hasIssuerCandidate(cur, certs, used):
		r.oddities = append(r.oddities, fmt.Sprintf("the self-signature of %s does not verify with its own key: %v", certName(cur), err))
		return true
	}
	return false
}

// issuer returns the unused carried certificate whose key signed cur, or
// nil. A carried certificate of the issuer's name whose key does not
// verify cur is left off the chain; one whose algorithm is not
// implemented is followed, and noted.
func (r *carried) issuer(cur *x509.Certificate, certs []*x509.Certificate, used []bool) *x509.Certificate {
	var fallback *x509.Certificate
	var fallbackNote *[]string
	var fallbackErr error
	for i, c := range certs {
		if used[i] || !bytes.Equal(c.RawSubject, cur.RawIssuer) {
			continue
		}
		err := cms.CheckIssuedBy(cur, c)
		switch {
		case err == nil:
			return c
		case fallback != nil:
		case errors.Is(err, cms.ErrWeakHash):
			fallback, fallbackNote, fallbackErr = c, &r.unchecked, err
		case errors.Is(err, cms.ErrUnsupported):
			fallback, fallbackNote, fallbackErr = c, &r.undecided, err
		}
	}
	if fallback != nil {
		*fallbackNote = append(*fallbackNote, fmt.Sprintf("the signature of %s by %s (%v)", certName(cur), certName(fallback), fallbackErr))
	}
	return fallback
}

func hasIssuerCandidate(cur *x509.Certificate, carried []*x509.Certificate, used []bool) bool {
	for i, c := range carried {
		if !used[i] && bytes.Equal(c.RawSubject, cur.RawIssuer) {
			return true
		}
	}
	return false
}

// ChainNames renders a chain for a report: "TSA -> CA -> Root".
func ChainNames(chain []*x509.Certificate) string {
	names := make([]string, len(chain))
	for i, c := range chain {
		names[i] = certName(c)
	}
	return strings.Join(names, " -> ")
}

// Identifies reports whether the SignerInfo's identifier (a subject key
// identifier, or an issuer and serial number) designates c.
func Identifies(si *cms.SignerInfo, c *x509.Certificate) bool {
	if si.SubjectKeyID != nil {
		return len(c.SubjectKeyId) > 0 && bytes.Equal(si.SubjectKeyID, c.SubjectKeyId)
	}
	return si.Serial != nil && si.Serial.Cmp(c.SerialNumber) == 0 && bytes.Equal(si.Issuer, c.RawIssuer)
}
