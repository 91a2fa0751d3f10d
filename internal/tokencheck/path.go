package tokencheck

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
)

// Path validation of a TSA's certificate. crypto/x509 does it, except
// where it cannot verify a signature: a CA key restricted to RSASSA-PSS
// (id-RSASSA-PSS SubjectPublicKeyInfo, as D-Trust's qualified CAs have),
// or an RSASSA-PSS certificate signature whose salt is not the hash length
// (OpenSSL's default). For those paths, and only those, ownPath validates
// with the signatures of package cms and the subset of RFC 5280 §6
// that crypto/x509 applies: validity at the given time, issuers that are
// CAs allowed to sign certificates, path lengths, no unknown critical
// extension; name constraints are not evaluated, so a path that has them
// is refused (INDETERMINATE, never PASSED).

// maxPathSignatures bounds the signatures one path search may check,
// whatever the certificates a hostile token carries.
const maxPathSignatures = 64

// validatePath returns a certification path, leaf first, from leaf to a
// certificate of roots (any of which is an anchor, leaf included),
// through inter, valid at t; own is set when ownPath found it.
func validatePath(leaf *x509.Certificate, roots, inter []*x509.Certificate, at time.Time) (path []*x509.Certificate, own bool, err error) {
	rootPool, interPool := x509.NewCertPool(), x509.NewCertPool()
	for _, r := range roots {
		rootPool.AddCert(r)
	}
	for _, i := range inter {
		interPool.AddCert(i)
	}
	// Go's further demand that CA certificates with an EKU list
	// timeStamping too is not in RFC 5280 path validation, and real chains
	// break it (GlobalSign's Adobe CA lists only Adobe's document-signing
	// purpose), hence ExtKeyUsageAny; the TSA's own purpose is checkEKU's.
	chains, goErr := leaf.Verify(x509.VerifyOptions{Roots: rootPool, Intermediates: interPool, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if goErr == nil {
		return chains[0], false, nil
	}
	if !slices.ContainsFunc(slices.Concat([]*x509.Certificate{leaf}, roots, inter), beyondX509) {
		return nil, false, goErr
	}
	s := &pathSearch{roots: roots, candidates: slices.Concat(roots, inter), at: at}
	path, err = s.from([]*x509.Certificate{leaf})
	if err != nil {
		return nil, false, err
	}
	return path, true, nil
}

// beyondX509 reports whether crypto/x509 cannot verify a signature of or
// by c, which cms may.
func beyondX509(c *x509.Certificate) bool {
	return c.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm || c.SignatureAlgorithm == x509.UnknownSignatureAlgorithm
}

type pathSearch struct {
	roots      []*x509.Certificate
	candidates []*x509.Certificate // roots, then intermediates
	at         time.Time
	signatures int
}

// from extends path (leaf first) up to an anchor, depth first.
func (s *pathSearch) from(path []*x509.Certificate) ([]*x509.Certificate, error) {
	cur := path[len(path)-1]
	if err := s.usable(cur); err != nil {
		return nil, err
	}
	if containsCert(s.roots, cur) {
		return path, nil
	}
	if len(path) >= maxCertificateChain {
		return nil, fmt.Errorf("no trust anchor within %d certificates", maxCertificateChain)
	}
	var firstErr error
	for _, issuer := range s.candidates {
		if !bytes.Equal(issuer.RawSubject, cur.RawIssuer) || containsCert(path, issuer) {
			continue
		}
		err := s.issued(cur, issuer, path)
		if err == nil {
			var found []*x509.Certificate
			if found, err = s.from(append(slices.Clip(path), issuer)); err == nil {
				return found, nil
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("%s names the issuer '%s', which is neither a trust anchor nor among the certificates", certName(cur), cur.Issuer)
	}
	return nil, firstErr
}

// usable checks what RFC 5280 asks of every certificate of a path.
func (s *pathSearch) usable(c *x509.Certificate) error {
	switch {
	case s.at.Before(c.NotBefore) || s.at.After(c.NotAfter):
		return fmt.Errorf("%s is not valid at %s (valid %s to %s)", certName(c), s.at.Format(time.RFC3339),
			c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
	case len(c.UnhandledCriticalExtensions) > 0:
		return fmt.Errorf("%s has critical extensions this verifier does not implement: %v", certName(c), c.UnhandledCriticalExtensions)
	case hasNameConstraints(c):
		return fmt.Errorf("%w: %s has name constraints, which this verifier does not evaluate", cms.ErrUnsupported, certName(c))
	}
	return nil
}

// issued checks that issuer, a CA allowed to sign certificates whose path
// length allows path below it, signed c.
func (s *pathSearch) issued(c, issuer *x509.Certificate, path []*x509.Certificate) error {
	switch {
	case !issuer.BasicConstraintsValid || !issuer.IsCA:
		return fmt.Errorf("%s, the issuer of %s, is not a CA certificate", certName(issuer), certName(c))
	case issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCertSign == 0:
		return fmt.Errorf("%s, the issuer of %s, may not sign certificates (key usage)", certName(issuer), certName(c))
	case (issuer.MaxPathLen > 0 || issuer.MaxPathLenZero) && intermediates(path) > issuer.MaxPathLen:
		return fmt.Errorf("%s allows %d intermediate certificates below it, the path has %d", certName(issuer), issuer.MaxPathLen, intermediates(path))
	case s.signatures >= maxPathSignatures:
		return errors.New("too many candidate certificates to build a path")
	}
	s.signatures++
	if err := cms.CheckIssuedBy(c, issuer); err != nil {
		return fmt.Errorf("%s does not verify with the key of %s: %w", certName(c), certName(issuer), err)
	}
	return nil
}

// intermediates counts the CA certificates of path below a new issuer
// that count toward its path length (RFC 5280 §4.2.1.9: not the leaf,
// not self-issued ones).
func intermediates(path []*x509.Certificate) int {
	n := 0
	for _, c := range path[1:] {
		if !bytes.Equal(c.RawIssuer, c.RawSubject) {
			n++
		}
	}
	return n
}

func hasNameConstraints(c *x509.Certificate) bool {
	return len(c.PermittedDNSDomains)+len(c.ExcludedDNSDomains)+len(c.PermittedIPRanges)+len(c.ExcludedIPRanges)+
		len(c.PermittedEmailAddresses)+len(c.ExcludedEmailAddresses)+len(c.PermittedURIDomains)+len(c.ExcludedURIDomains) > 0
}

func containsCert(certs []*x509.Certificate, c *x509.Certificate) bool {
	return slices.ContainsFunc(certs, func(x *x509.Certificate) bool { return bytes.Equal(x.Raw, c.Raw) })
}
