package main

import (
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
)

// signerRevocation: the signer's certificate (a chain bundle, §5.1) and
// the revocation data custody event 1 or a renewal carries about it
// (long-term.md, Revocation data): an OCSP response or a CRL by the
// signer's CA saying good, revoked before or after the proven signing
// time (genTime0), or not covering it.
func (g *generator) signerRevocation() {
	const rule = "long-term.md, Revocation data"
	p := g.p
	day := 24 * time.Hour
	carrying := func(name string, rev ...logwriter.Revocation) *bundle {
		return p.export(g.dir("signer-revocation-"+name), exportOptions{chain: []*cert{p.signerCert, p.signerCA}, revocation: rev})
	}
	trusted := func(e expectation) expectation { e.TrustSigners = []string{"signer-ca.pem"}; return e }
	ocspOf := func(s ocspStatus) logwriter.Revocation {
		return logwriter.Revocation{Kind: custodylog.RevocationOCSP, DER: ocspResponse(p.signerCert, p.signerCA, s)}
	}
	fresh := ocspStatus{thisUpdate: exportTime.Add(time.Hour), nextUpdate: exportTime.Add(7 * day)}

	g.bundleVector("valid/signer-ocsp-good", carrying("good", ocspOf(fresh)), trusted(passed(rule,
		"custody event 1 carries an OCSP response of the signer's CA, produced an hour after the proven signing time: good; signer.revocation PASSED")))
	current := ocspStatus{thisUpdate: exportTime.Add(-day), nextUpdate: exportTime.Add(6 * day)}
	g.bundleVector("valid/signer-ocsp-current", carrying("current", ocspOf(current)), trusted(passed(rule,
		"the OCSP response says good, produced the day before the proven signing time and current until 6 days after it: it covers that time")))
	revokedBefore := fresh
	revokedBefore.revokedAt = exportTime.Add(-day)
	g.bundleVector("signer-revocation/ocsp-revoked-before", carrying("revoked-before", ocspOf(revokedBefore)), trusted(failed(rule,
		"custody event 1 carries an OCSP response of the signer's CA: the signer's certificate revoked the day before the proven signing time", "signer.revocation", "REVOKED").withSigner("signer.pub")))
	stale := ocspStatus{thisUpdate: exportTime.Add(-10 * day), nextUpdate: exportTime.Add(-3 * day)}
	g.bundleVector("signer-revocation/ocsp-not-covering", carrying("stale", ocspOf(stale)), trusted(indeterminate(rule,
		"the OCSP response says good, but was current from 10 to 3 days before the proven signing time: it does not say the certificate was good then", "signer.revocation", "TRY_LATER").withSigner("signer.pub")))
	crl := logwriter.Revocation{Kind: custodylog.RevocationCRL, DER: revokingCRL(p.signerCA, exportTime.Add(time.Hour), p.signerCert.cert.SerialNumber, exportTime.Add(-day))}
	g.bundleVector("signer-revocation/crl-revoked-before", carrying("crl-revoked-before", crl), trusted(failed(rule,
		"custody event 1 carries a CRL of the signer's CA listing the signer's certificate, revoked the day before the proven signing time", "signer.revocation", "REVOKED").withSigner("signer.pub")))
	otherIssuer := logwriter.Revocation{Kind: custodylog.RevocationOCSP, DER: ocspResponse(p.signerCert, p.root, revokedBefore)}
	g.bundleVector("valid/signer-ocsp-other-issuer", carrying("other-issuer", otherIssuer), trusted(passed(rule,
		"an OCSP response saying revoked, signed by another CA than the signer's issuer: not about this certificate, not used (signer.revocation INFO, not checked)")))
	unreadable := logwriter.Revocation{Kind: custodylog.RevocationOCSP, DER: []byte("not an OCSP response")}
	g.bundleVector("signer-revocation/ocsp-unreadable", carrying("unreadable", unreadable), trusted(indeterminate(rule,
		"custody event 1 carries, signed, an .ocsp entry that is not an OCSP response: what it would say is unknown", "revocation", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub")))

	after := carrying("none")
	revokedAfter := ocspStatus{thisUpdate: renewal1Time, nextUpdate: renewal1Time.Add(7 * day), revokedAt: exportTime.Add(30 * day)}
	after.renewWith(renewal1Time, nil, ocspOf(revokedAfter))
	g.bundleVector("valid/signer-ocsp-revoked-after", after, trusted(passed(rule,
		"a renewal carries an OCSP response: the signer's certificate revoked 30 days after the proven signing time; the seal was made while it was valid (signer.revocation INFO)")))
}

// ocspStatus is what an OCSP response says of one certificate: good, or
// revoked at revokedAt.
type ocspStatus struct {
	thisUpdate, nextUpdate, revokedAt time.Time
}

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidSHA1      = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
)

// ocspResponse is a successful OCSP response (RFC 6960 §4.2.1) about
// cert, signed by issuer's key, its responder named by key hash, produced
// at s.thisUpdate. Built here because x/crypto/ocsp stamps producedAt
// with the clock, and the vectors must not depend on the day.
func ocspResponse(cert, issuer *cert, s ocspStatus) []byte {
	status := []byte{0x80, 0} // good [0] IMPLICIT NULL
	if !s.revokedAt.IsZero() {
		status = tlv(0xa1, genTime(s.revokedAt)) // revoked [1] IMPLICIT RevokedInfo
	}
	keyHash := sha1.Sum(publicKeyBits(issuer.cert))
	nameHash := sha1.Sum(issuer.cert.RawSubject)
	single := seq(
		seq(algorithm(oidSHA1, true), octets(nameHash[:]), octets(keyHash[:]), integer(cert.cert.SerialNumber)),
		status, genTime(s.thisUpdate), explicit(0, genTime(s.nextUpdate)),
	)
	tbs := seq(explicit(2, octets(keyHash[:])), genTime(s.thisUpdate), seq(single))
	alg, sig := sign(issuer.key, crypto.SHA256, tbs)
	basic := seq(tbs, alg, tlv(0x03, append([]byte{0}, sig...)))
	return seq(tlv(0x0a, []byte{0}), explicit(0, seq(oid(oidOCSPBasic), octets(basic))))
}

// publicKeyBits is the subjectPublicKey BIT STRING's content of c, which
// OCSP's key hashes are over.
func publicKeyBits(c *x509.Certificate) []byte {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	_, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki)
	must(err)
	return spki.PublicKey.Bytes
}

// revokingCRL is a CRL of issuer, issued at t, listing serial as revoked
// at revokedAt.
func revokingCRL(issuer *cert, t time.Time, serial *big.Int, revokedAt time.Time) []byte {
	der, err := x509.CreateRevocationList(&stream{seed: seed("crl " + serial.String())}, &x509.RevocationList{
		Number: big.NewInt(2), ThisUpdate: t, NextUpdate: t.AddDate(0, 0, 7),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: serial, RevocationTime: revokedAt}},
	}, issuer.cert, issuer.key)
	must(err)
	return der
}
