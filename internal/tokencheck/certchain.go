package tokencheck

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
)

// maxCertificateChain is the longest chain CheckCertificateChain accepts:
// a signer's certificate, a few intermediates and a root. It bounds the
// work a hostile PDF can ask of the verifier.
const maxCertificateChain = 8

// minRSABits is the smallest RSA modulus accepted anywhere in a chain.
const minRSABits = 2048

// CheckCertificateChain checks that chain is exactly one certification
// path, signer first, from the certificate of a PDF signature's key to a
// self-issued root, each link verified, so that no byte of any
// certificate in it can change unseen:
//
//   - one to eight certificates, none twice;
//   - each certificate but the last was issued by the next one (its
//     issuer is the next one's subject, and its signature verifies with
//     the next one's key, which must be allowed to sign certificates);
//     none of them is self-issued, so the chain stops at its root;
//   - the last certificate is self-issued and its signature verifies with
//     its own key;
//   - no certificate is signed with MD5 or SHA-1, nor holds an RSA key
//     shorter than 2048 bits;
//   - the first certificate, when it states key usages, allows
//     digitalSignature or contentCommitment (non-repudiation).
//
// It does not say whom to trust, nor check validity periods (which
// depend on the time the caller cares about), nor which key the first
// certificate must hold: those are the caller's. Errors name the
// certificate at fault by its position (1 is the signer's) and subject.
func CheckCertificateChain(chain []*x509.Certificate) error {
	switch {
	case len(chain) == 0:
		return errors.New("no certificate: the chain needs at least the signer's certificate")
	case len(chain) > maxCertificateChain:
		return fmt.Errorf("%d certificates: a chain of at most %d is accepted", len(chain), maxCertificateChain)
	}
	for i, c := range chain {
		if c == nil {
			return fmt.Errorf("certificate %d is missing", i+1)
		}
		for j := range i {
			if bytes.Equal(chain[j].Raw, c.Raw) {
				return fmt.Errorf("%s is also certificate %d: each certificate may appear once", inChain(i, c), j+1)
			}
		}
		if err := checkCertificateAlgorithms(c); err != nil {
			return fmt.Errorf("%s %w", inChain(i, c), err)
		}
	}
	for i, c := range chain[:len(chain)-1] {
		if err := checkIssuedBy(c, chain[i+1]); err != nil {
			return fmt.Errorf("%s %w", inChain(i, c), err)
		}
	}
	root := chain[len(chain)-1]
	if !bytes.Equal(root.RawIssuer, root.RawSubject) {
		return fmt.Errorf("%s is not self-issued (its issuer is '%s'): the chain must go on up to its root", inChain(len(chain)-1, root), root.Issuer)
	}
	if err := root.CheckSignature(root.SignatureAlgorithm, root.RawTBSCertificate, root.Signature); err != nil {
		return fmt.Errorf("%s has a self-signature that does not verify with its own key: %w", inChain(len(chain)-1, root), err)
	}
	leaf := chain[0]
	if leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return fmt.Errorf("%s does not allow signing: its key usage has neither digitalSignature nor contentCommitment", inChain(0, leaf))
	}
	return nil
}

// checkIssuedBy checks one link: parent issued c.
func checkIssuedBy(c, parent *x509.Certificate) error {
	if bytes.Equal(c.RawIssuer, c.RawSubject) {
		// A self-issued certificate is a root: anything after it is
		// not part of the path, and a second path would let certificates
		// ride along unchecked.
		return errors.New("is self-issued but not the last: the chain must end at its first self-issued certificate")
	}
	if !bytes.Equal(c.RawIssuer, parent.RawSubject) {
		return fmt.Errorf("names '%s' as its issuer, but the next certificate is %s: the chain must be in order, signer first, each issuer next", c.Issuer, certName(parent))
	}
	if err := c.CheckSignatureFrom(parent); err != nil {
		return fmt.Errorf("does not verify with the key of the next certificate (%s): %w", certName(parent), err)
	}
	return nil
}

// checkCertificateAlgorithms refuses broken signature hashes and short RSA
// keys: a certificate signed with SHA-1 or MD5 can be forged by collision.
func checkCertificateAlgorithms(c *x509.Certificate) error {
	switch c.SignatureAlgorithm {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return fmt.Errorf("is signed with %s: certificates signed with MD5 or SHA-1 are refused", c.SignatureAlgorithm)
	case x509.UnknownSignatureAlgorithm:
		return errors.New("is signed with an unknown signature algorithm")
	}
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
		return fmt.Errorf("holds a %d-bit RSA key: at least %d bits are required", k.N.BitLen(), minRSABits)
	}
	return nil
}

// inChain names a certificate of a chain in an error: its position (1 is
// the signer's) and its subject.
func inChain(i int, c *x509.Certificate) string {
	return fmt.Sprintf("certificate %d (%s)", i+1, certName(c))
}
