package main

import (
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"
	"math/big"
	"time"
)

var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCert   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidSigningCertV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidPolicy        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 3161, 9}
	oidECDSASHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidRSASHA256     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}

	hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 3, 14, 3, 2, 26},
		crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
		crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
		crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
	}
)

// tokenSpec is how a TSA answers; the zero value (with signer and
// certificates set by stamp) is what an honest, ordinary TSA sends.
type tokenSpec struct {
	tsa       *cert   // the signing TSA (default: the trusted one)
	certs     []*cert // carried certificates (default: the TSA's alone); empty slice with noCerts
	noCerts   bool
	imprint   crypto.Hash // default SHA-256
	digest    crypto.Hash // the SignerInfo's digest algorithm, default SHA-256
	essV1     bool        // ESSCertID (SHA-1) instead of ESSCertIDv2
	essSHA384 bool        // ESSCertIDv2 hashed with SHA-384 (hashAlgorithm written)
	noESS     bool
	essCert   *cert // the certificate the ESS attribute names (default: the TSA's)
	noTSAName bool
	tsaName   *cert // the certificate whose subject the tsa field names
	genTime   time.Time
	// genTimeText, when set, is the GeneralizedTime written (a fraction
	// of a second).
	genTimeText string
	serial      int64
	nullHash    bool // hash AlgorithmIdentifiers with NULL parameters
	signTime    bool // a signing-time signed attribute
	pss         bool // an RSA TSA signs with RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32)
	// pssParamSalt, when set, is the salt length the PSS parameters state
	// (the signature still uses 32).
	pssParamSalt int64
	status       []byte
	// digest, when set, is the imprint's hash value (a TSA client's
	// request), and nonce the request's nonce.
	hashed []byte
	nonce  *big.Int
	// edit, when set, changes the finished TimeStampResp (a broken
	// encoding, a flipped byte).
	edit func([]byte) []byte
	// editTST changes the TSTInfo before it is signed.
	editTST func([]byte) []byte
	// certValues adds an unsigned attribute (CAdES certValues, holding
	// the root), outside the TSA's signature.
	certValues *cert
}

// stamp answers a request over data as the spec says.
func (p *pki) stamp(data []byte, s tokenSpec) []byte {
	if s.tsa == nil {
		s.tsa = p.tsa
	}
	if s.certs == nil && !s.noCerts {
		s.certs = []*cert{s.tsa}
	}
	if s.imprint == 0 {
		s.imprint = crypto.SHA256
	}
	if s.digest == 0 {
		s.digest = crypto.SHA256
	}
	if s.essCert == nil {
		s.essCert = s.tsa
	}
	if s.tsaName == nil {
		s.tsaName = s.tsa
	}
	if s.genTime.IsZero() {
		s.genTime = genTime0
	}
	if s.serial == 0 {
		s.serial = int64(sha256.Sum256(data)[0])<<16 | 0x1234
	}
	imprint := s.hashed
	if imprint == nil {
		h := s.imprint.New()
		h.Write(data)
		imprint = h.Sum(nil)
	}
	tst := s.tstInfo(imprint)
	if s.editTST != nil {
		tst = s.editTST(tst)
	}
	token := s.signedData(tst)
	status := s.status
	if status == nil {
		status = seq(small(0))
	}
	resp := seq(status, token)
	if s.edit != nil {
		resp = s.edit(resp)
	}
	return resp
}

func (s *tokenSpec) tstInfo(imprint []byte) []byte {
	fields := [][]byte{
		small(1),
		oid(oidPolicy),
		seq(algorithm(hashOIDs[s.imprint], s.nullHash), octets(imprint)),
		small(s.serial),
		s.genTimeDER(),
		seq(small(1)), // accuracy: 1 second
	}
	if s.nonce != nil {
		fields = append(fields, integer(s.nonce))
	}
	if !s.noTSAName {
		// tsa [0] EXPLICIT GeneralName, directoryName [4] EXPLICIT Name.
		fields = append(fields, explicit(0, explicit(4, s.tsaName.cert.RawSubject)))
	}
	return seq(fields...)
}

func (s *tokenSpec) genTimeDER() []byte {
	if s.genTimeText != "" {
		return tlv(tagGenTime, []byte(s.genTimeText))
	}
	return genTime(s.genTime)
}

func (s *tokenSpec) signedData(tst []byte) []byte {
	digestAlg := algorithm(hashOIDs[s.digest], s.nullHash)
	h := s.digest.New()
	h.Write(tst)
	attrs := [][]byte{
		seq(oid(oidContentType), setOf(oid(oidTSTInfo))),
		seq(oid(oidMessageDigest), setOf(octets(h.Sum(nil)))),
	}
	if !s.noESS {
		attrs = append(attrs, s.essAttribute())
	}
	if s.signTime {
		attrs = append(attrs, seq(oid(oidSigningTime), setOf(tlv(0x17, []byte(s.genTime.UTC().Format("060102150405Z"))))))
	}
	signed := setOf(attrs...) // the bytes signed: tag SET (RFC 5652 §5.4)
	sigAlg, sig := sign(s.tsa.key, s.digest, signed)
	if s.pss {
		sigAlg, sig = signPSS(s.tsa.key.(*rsa.PrivateKey), signed, cmp.Or(s.pssParamSalt, 32))
	}
	var unsigned []byte
	if s.certValues != nil {
		certValues := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 23}
		unsigned = tlv(0xa1, seq(oid(certValues), setOf(seq(s.certValues.cert.Raw)))) // [1] IMPLICIT
	}
	signerInfo := seq(
		small(1),
		seq(s.tsa.cert.RawIssuer, integer(s.tsa.cert.SerialNumber)),
		digestAlg,
		append([]byte{0xa0}, signed[1:]...), // [0] IMPLICIT
		sigAlg,
		octets(sig),
		unsigned,
	)
	var certs []byte
	if len(s.certs) > 0 {
		var raws [][]byte
		for _, c := range s.certs {
			raws = append(raws, c.cert.Raw)
		}
		// [0] IMPLICIT CertificateSet: in the order given (a SET OF, but
		// TSAs send their certificates in any order; so do the vectors).
		certs = tlv(0xa0, raws...)
	}
	sd := seq(
		small(3),
		setOf(digestAlg),
		seq(oid(oidTSTInfo), explicit(0, octets(tst))),
		certs,
		setOf(signerInfo),
	)
	return seq(oid(oidSignedData), explicit(0, sd))
}

// essAttribute names the signing certificate (RFC 2634 §5.4, RFC 5035).
func (s *tokenSpec) essAttribute() []byte {
	c := s.essCert.cert
	issuerSerial := seq(seq(explicit(4, c.RawIssuer)), integer(c.SerialNumber))
	if s.essV1 {
		sum := sha1.Sum(c.Raw)
		return seq(oid(oidSigningCert), setOf(seq(seq(seq(octets(sum[:]), issuerSerial)))))
	}
	if s.essSHA384 {
		hh := crypto.SHA384.New()
		hh.Write(c.Raw)
		id := seq(algorithm(hashOIDs[crypto.SHA384], false), octets(hh.Sum(nil)), issuerSerial)
		return seq(oid(oidSigningCertV2), setOf(seq(seq(id))))
	}
	sum := sha256.Sum256(c.Raw)
	return seq(oid(oidSigningCertV2), setOf(seq(seq(seq(octets(sum[:]), issuerSerial)))))
}

var (
	oidRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
)

// signPSS signs msg with RSASSA-PSS, SHA-256, MGF1 with SHA-256, a
// 32-byte salt drawn from a seeded stream (RFC 4055 parameters).
func signPSS(k *rsa.PrivateKey, msg []byte, statedSalt int64) ([]byte, []byte) {
	d := sha256.Sum256(msg)
	sig, err := rsa.SignPSS(&stream{seed: d[:]}, k, crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: 32})
	must(err)
	sha := algorithm(hashOIDs[crypto.SHA256], true)
	params := seq(explicit(0, sha), explicit(1, seq(oid(oidMGF1), sha)), explicit(2, small(statedSalt)))
	return seq(oid(oidRSAPSS), params), sig
}

// sign signs msg with key over hash h, returning the signatureAlgorithm
// and the signature value.
func sign(key crypto.Signer, h crypto.Hash, msg []byte) ([]byte, []byte) {
	hh := h.New()
	hh.Write(msg)
	digest := hh.Sum(nil)
	switch k := key.(type) {
	case deterministic:
		sig, err := k.Sign(nil, digest, h)
		must(err)
		alg := oidECDSASHA256
		if h == crypto.SHA384 {
			alg = oidECDSASHA384
		}
		return algorithm(alg, false), sig
	case *rsa.PrivateKey:
		sig, err := rsa.SignPKCS1v15(nil, k, h, digest)
		must(err)
		return algorithm(oidRSASHA256, true), sig
	case ed25519.PrivateKey:
		return algorithm(asn1.ObjectIdentifier{1, 3, 101, 112}, false), ed25519.Sign(k, msg)
	}
	panic("vectorgen: unsupported key")
}

var _ = ecdsa.PublicKey{}

// stampRequest answers a DER TimeStampReq (RFC 3161 §2.4.1), SHA-256,
// and returns too the same answer without the request's nonce.
func (p *pki) stampRequest(req []byte) (answered, fixed []byte) {
	var q struct {
		Version int
		Imprint struct {
			Alg    asn1.RawValue
			Hashed []byte
		}
		Nonce   *big.Int `asn1:"optional"`
		CertReq bool     `asn1:"optional"`
	}
	_, err := asn1.Unmarshal(req, &q)
	must(err)
	return p.stamp(nil, tokenSpec{hashed: q.Imprint.Hashed, nonce: q.Nonce}), p.stamp(nil, tokenSpec{hashed: q.Imprint.Hashed})
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
