package verify

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/custody-toolkit/custody/verify/internal/tstoken"
)

// A CMS signature (a timestamp token, a PDF's signature) carries
// certificates that no signature covers: anyone could change a byte of a
// copy the chain validation does not happen to use. carriedChain closes
// that gap by holding the carried set to one shape, which real TSAs follow:
// one chain from the signer's certificate upwards, each certificate signed
// by the next, every link and any self-signature verified. (A standalone
// PDF's own signature is held to more: CheckCertificateChain.)

// carriedChain orders carried into the chain that starts at signer (which
// may or may not be among them) and returns it, signer first. The chain
// ends at a self-issued certificate whose own key verifies it, or at a
// certificate whose issuer is not carried. Every carried certificate must
// be on the chain, once. A link signed with SHA-1 or MD5 (legacy roots)
// cannot be checked: it is followed by name and named in unchecked. Such
// a link never counts for trust: path validation (checkChain) refuses it.
func carriedChain(signer *x509.Certificate, carried []*x509.Certificate) (chain []*x509.Certificate, unchecked []string, err error) {
	if err := distinct(carried); err != nil {
		return nil, nil, err
	}
	used := make([]bool, len(carried))
	mark := func(c *x509.Certificate) {
		for i, x := range carried {
			if bytes.Equal(x.Raw, c.Raw) {
				used[i] = true
			}
		}
	}
	mark(signer)
	chain = []*x509.Certificate{signer}
	for cur := signer; len(chain) <= len(carried)+1; { // each carried certificate is used once
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) {
			err := cur.CheckSignature(cur.SignatureAlgorithm, cur.RawTBSCertificate, cur.Signature)
			if isWeak(err) {
				unchecked = append(unchecked, fmt.Sprintf("the self-signature of %s (%v)", certName(cur), err))
				break
			}
			if err == nil {
				break // a root (or a self-signed leaf): the top
			}
			if !hasIssuerCandidate(cur, carried, used) {
				return nil, nil, linkError(cur, cur, err)
			}
			// Self-issued but signed by another key of the same name (a
			// key rollover certificate): look for that key below.
		}
		next, weak, err := carriedIssuer(cur, carried, used)
		if err != nil {
			return nil, nil, err
		}
		if next == nil {
			break // the issuer is not carried
		}
		if weak != nil {
			unchecked = append(unchecked, fmt.Sprintf("the signature of %s by %s (%v)", certName(cur), certName(next), weak))
		}
		mark(next)
		chain = append(chain, next)
		cur = next
	}
	for i, c := range carried {
		if !used[i] {
			return nil, nil, fmt.Errorf("certificate %d (%s) is not on the chain of the signer's certificate %s: a signature carries its signer's chain and nothing else",
				i+1, certName(c), certName(signer))
		}
	}
	return chain, unchecked, nil
}

func isWeak(err error) bool {
	var weak x509.InsecureAlgorithmError
	return errors.As(err, &weak)
}

// carriedIssuer returns the unused carried certificate whose key signed
// cur: nil when no carried certificate bears cur's issuer's name, an error
// when some do but none of their keys verifies cur. weak is set when the
// one found could not be checked for its algorithm.
func carriedIssuer(cur *x509.Certificate, carried []*x509.Certificate, used []bool) (issuer *x509.Certificate, weak, err error) {
	var firstErr error
	var firstCand *x509.Certificate
	for i, c := range carried {
		if used[i] || !bytes.Equal(c.RawSubject, cur.RawIssuer) {
			continue
		}
		err := cur.CheckSignatureFrom(c)
		switch {
		case err == nil:
			return c, nil, nil
		case isWeak(err) && weak == nil:
			issuer, weak = c, err
		case firstErr == nil:
			firstErr, firstCand = err, c
		}
	}
	if issuer != nil {
		return issuer, weak, nil
	}
	if firstErr != nil {
		return nil, nil, linkError(cur, firstCand, firstErr)
	}
	return nil, nil, nil
}

func hasIssuerCandidate(cur *x509.Certificate, carried []*x509.Certificate, used []bool) bool {
	for i, c := range carried {
		if !used[i] && bytes.Equal(c.RawSubject, cur.RawIssuer) {
			return true
		}
	}
	return false
}

func linkError(cert, issuer *x509.Certificate, err error) error {
	by := "carried certificate " + certName(issuer)
	if cert == issuer {
		by = "its own key"
	}
	return fmt.Errorf("certificate %s does not verify with %s: %v", certName(cert), by, err)
}

func distinct(certs []*x509.Certificate) error {
	for i := range certs {
		for j := range i {
			if bytes.Equal(certs[i].Raw, certs[j].Raw) {
				return fmt.Errorf("certificate %s is carried twice", certName(certs[i]))
			}
		}
	}
	return nil
}

// chainNames renders a chain for a report: "TSA -> CA -> Root".
func chainNames(chain []*x509.Certificate) string {
	names := make([]string, len(chain))
	for i, c := range chain {
		names[i] = certName(c)
	}
	return strings.Join(names, " -> ")
}

// identifies reports whether the SignerInfo's identifier (a subject key
// identifier, or an issuer and serial number) designates c.
func identifies(si *tstoken.SignerInfo, c *x509.Certificate) bool {
	if si.SubjectKeyID != nil {
		return len(c.SubjectKeyId) > 0 && bytes.Equal(si.SubjectKeyID, c.SubjectKeyId)
	}
	return si.Serial != nil && si.Serial.Cmp(c.SerialNumber) == 0 && bytes.Equal(si.Issuer, c.RawIssuer)
}
