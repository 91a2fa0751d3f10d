package cms

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Building: the detached SignedData of a PDF signature (RFC 5652 §5.3),
// written with cryptobyte, which gives every length its one DER form at
// any size, so that what the exporter signs is what this package's parser
// reads back.

var (
	errNoSigner         = errors.New("cms: no signer certificate")
	errSignedAttributes = errors.New("cms: the signed attributes are not one DER SET")
	errAttribute        = errors.New("cms: an attribute cannot be encoded")
)

// Detached is a detached CMS SignedData with one signer.
type Detached struct {
	DigestAlgorithm    asn1.ObjectIdentifier // of the content and of the signed attributes
	Chain              []*x509.Certificate   // the signer's certificate first, carried in this order
	SignedAttributes   []byte                // the DER SET OF that was signed (SignedAttributes)
	SignatureAlgorithm asn1.ObjectIdentifier
	Signature          []byte
	TimeStampToken     []byte // unsigned attribute id-aa-signatureTimeStampToken (RFC 3161 appendix A); nil: none
}

var (
	tagContext0 = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagContext1 = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagContext4 = cbasn1.Tag(4).ContextSpecific().Constructed() // GeneralName directoryName
)

// SignedAttributes is the DER SET OF signed attributes of a detached
// signature over content with the given digest: the content type id-data,
// the signing time (left out when signingTime is zero, as a PAdES
// signature must: ETSI EN 319 142-1 §5.3 claims the time in the signature
// dictionary's /M instead), the message digest and the ESS
// signing-certificate-v2 binding to leaf (RFC 5035; its hash, SHA-256, is
// the default and so omitted). The signature is computed over these bytes.
func SignedAttributes(digest []byte, signingTime time.Time, leaf *x509.Certificate) ([]byte, error) {
	certHash := sha256.Sum256(leaf.Raw)
	essCert := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
					b.AddASN1OctetString(certHash[:])
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
							b.AddASN1(tagContext4, func(b *cryptobyte.Builder) { b.AddBytes(leaf.RawIssuer) })
						})
						b.AddASN1BigInt(leaf.SerialNumber)
					})
				})
			})
		})
	}
	attrs := [][]byte{
		attribute(OIDContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(OIDData) }),
		attribute(OIDMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) }),
		attribute(OIDSigningCertV2, essCert),
	}
	if !signingTime.IsZero() {
		when, err := asn1.Marshal(signingTime.UTC()) // UTCTime until 2049, GeneralizedTime after (RFC 5652 §11.3)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, attribute(OIDSigningTime, func(b *cryptobyte.Builder) { b.AddBytes(when) }))
	}
	for _, a := range attrs {
		if a == nil {
			return nil, errAttribute
		}
	}
	return setOf(cbasn1.SET, attrs...)
}

// Marshal encodes d as a ContentInfo.
func (d *Detached) Marshal() ([]byte, error) {
	if len(d.Chain) == 0 {
		return nil, errNoSigner
	}
	leaf := d.Chain[0]
	attrs := cryptobyte.String(d.SignedAttributes)
	var attrsContent cryptobyte.String
	if !attrs.ReadASN1(&attrsContent, cbasn1.SET) || !attrs.Empty() {
		return nil, errSignedAttributes
	}
	signerInfo, err := build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(1)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // issuerAndSerialNumber
				b.AddBytes(leaf.RawIssuer)
				b.AddASN1BigInt(leaf.SerialNumber)
			})
			algorithm(b, d.DigestAlgorithm)
			b.AddASN1(tagContext0, func(b *cryptobyte.Builder) { b.AddBytes(attrsContent) }) // [0] IMPLICIT SET OF
			algorithm(b, d.SignatureAlgorithm)
			b.AddASN1OctetString(d.Signature)
			if d.TimeStampToken != nil {
				b.AddASN1(tagContext1, func(b *cryptobyte.Builder) {
					b.AddBytes(attribute(OIDSignatureTimeStampToken, func(b *cryptobyte.Builder) { b.AddBytes(d.TimeStampToken) }))
				})
			}
		})
	})
	if err != nil {
		return nil, err
	}
	digestAlgs, err := build(func(b *cryptobyte.Builder) { algorithm(b, d.DigestAlgorithm) })
	if err != nil {
		return nil, err
	}
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
			b.AddASN1ObjectIdentifier(OIDSignedData)
			b.AddASN1(tagContext0, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
					b.AddASN1Int64(1)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(digestAlgs) })
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // detached: no eContent
						b.AddASN1ObjectIdentifier(OIDData)
					})
					b.AddASN1(tagContext0, func(b *cryptobyte.Builder) {
						for _, c := range d.Chain {
							b.AddBytes(c.Raw)
						}
					})
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(signerInfo) })
				})
			})
		})
	})
}

// AlgorithmIdentifier is the DER AlgorithmIdentifier of alg as the
// exporter writes it: without parameters (RFC 5754 for the SHA-2
// digests, RFC 5758 for ECDSA, RFC 8419 for Ed25519), except for
// sha256WithRSAEncryption, whose parameters RFC 4055 §5 requires to be
// NULL.
func AlgorithmIdentifier(alg asn1.ObjectIdentifier) ([]byte, error) {
	return build(func(b *cryptobyte.Builder) { algorithm(b, alg) })
}

func algorithm(b *cryptobyte.Builder, alg asn1.ObjectIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(alg)
		if alg.Equal(OIDSHA256WithRSA) {
			b.AddASN1NULL()
		}
	})
}

// attribute encodes an Attribute with one value; nil if it cannot.
func attribute(typ asn1.ObjectIdentifier, value cryptobyte.BuilderContinuation) []byte {
	out, err := build(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(typ)
			b.AddASN1(cbasn1.SET, value)
		})
	})
	if err != nil {
		return nil
	}
	return out
}

// setOf encodes a DER SET OF: its elements sorted by their encodings
// (X.690 §11.6).
func setOf(tag cbasn1.Tag, elems ...[]byte) ([]byte, error) {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	return build(func(b *cryptobyte.Builder) {
		b.AddASN1(tag, func(b *cryptobyte.Builder) {
			for _, e := range sorted {
				b.AddBytes(e)
			}
		})
	})
}

func build(f cryptobyte.BuilderContinuation) ([]byte, error) {
	var b cryptobyte.Builder
	f(&b)
	return b.Bytes()
}
