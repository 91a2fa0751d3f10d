package main

import (
	"crypto/x509"
	"math/big"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/manifest"
)

// renewals: archive timestamps (docs/long-term.md; custody-log.md,
// rules 10–13) and the revocation data an event carries.
func (g *generator) renewals() {
	const rule = "custody-log.md, What a verifier checks, 10; long-term.md"
	one := g.base.clone()
	one.renew(renewal1Time)
	g.bundleVector("valid/renewed-once", one, passed(rule, "one renewal a year after the export: an archive timestamp over the renewed event, which commits to the manifest and its token; evidence: renewed 2027-12-01, as of the newest proof"))
	two := one.clone()
	two.renew(renewal2Time)
	g.bundleVector("valid/renewed-twice", two, passed(rule, "two chained renewals, a year apart, each timestamped over its event; evidence: renewed 2027-12-01 and 2028-12-01, as of the newest proof"))

	overSig := one.clone()
	overSig.set(custodylog.EntryName(2, custodylog.PartToken), g.p.stamp(overSig.get(custodylog.EntryName(2, custodylog.PartSignature)), tokenSpec{genTime: renewal1Time}))
	g.bundleVector("renewal/token-over-sig", overSig, indeterminate("custody-log.md, NNNN.tsr; long-term.md", "the renewal's archive timestamp is over the event's .sig, not its JSON: a token that does not verify proves nothing, and the seal's own token still holds", "custody.timestamp", "HASH_FAILURE").withSigner("signer.pub").at(2))

	wrong := g.base.clone()
	wrong.renewWith(renewal1Time, func(e *custodylog.Event) { e.Manifest = strings.Repeat("ab", 32) })
	g.bundleVector("renewal/manifest-digest-wrong", wrong, failed("custody-log.md, What a verifier checks, 10", "a renewed event, signed and timestamped, whose manifest digest is not the manifest's", "custody.event", "HASH_FAILURE").withSigner("signer.pub").at(2))

	g.revocationEntries()
	g.revokedTSA()
}

// revokedTSA: the seal's TSA certificate revoked (a CRL of its root that
// a renewal carries), the seal's proof ending then; renewals by another
// TSA, made before that end (the proof carried on) or after it (too
// late: long-term.md, a renewal covers a proof only while it holds).
func (g *generator) revokedTSA() {
	const rule = "long-term.md, Validation over time; Revocation data"
	p := g.p
	by := func(t time.Time) tokenSpec {
		return tokenSpec{tsa: p.tsaUnderIntermediate, certs: []*cert{p.tsaUnderIntermediate, p.intermediate}, genTime: t}
	}
	revoked := func(at, issued time.Time) logwriter.Revocation {
		return logwriter.Revocation{Kind: custodylog.RevocationCRL, DER: revokingCRL(p.root, issued, p.tsa.cert.SerialNumber, at)}
	}
	inTime := g.base.clone()
	inTime.renewBy(by(renewal1Time), nil)
	inTime.renewBy(by(renewal2Time), nil, revoked(renewal2Time.AddDate(0, -6, 0), renewal2Time))
	g.bundleVector("valid/renewed-before-revocation", inTime, passed(rule,
		"the seal's TSA certificate revoked 2028-06-01 (a CRL of its root, carried by the second renewal); the first renewal, by another TSA on 2027-12-01, was made before that end and still holds: evidence renewed"))
	late := g.base.clone()
	late.renewBy(by(renewal1Time), nil, revoked(renewal1Time.AddDate(0, -6, 0), renewal1Time))
	g.bundleVector("renewal/late", late, indeterminate(rule,
		"the seal's TSA certificate revoked 2027-06-01 (a CRL of its root, carried by the renewal); the renewal, by another TSA, was made 2027-12-01, after the proof it covers had ended: nothing proves the manifest existed while its token was trustworthy",
		"evidence", "OUT_OF_BOUNDS_NO_POE").withSigner("signer.pub"))
	byOCSP := g.base.clone()
	revokedAt := renewal1Time.AddDate(0, -6, 0)
	byOCSP.renewBy(by(renewal1Time), nil, logwriter.Revocation{Kind: custodylog.RevocationOCSP,
		DER: ocspResponse(p.tsa, p.root, ocspStatus{thisUpdate: renewal1Time, nextUpdate: renewal1Time.AddDate(0, 0, 7), revokedAt: revokedAt})})
	g.bundleVector("renewal/late-ocsp", byOCSP, indeterminate(rule,
		"as renewal/late, the revocation of the seal's TSA certificate (2027-06-01) told by an OCSP response of its root instead of a CRL",
		"evidence", "OUT_OF_BOUNDS_NO_POE").withSigner("signer.pub"))
}

// revocationEntries: a renewal carrying a CRL from the vectors' TSA root
// that revokes nothing, and that CRL's entry added to, removed, altered.
func (g *generator) revocationEntries() {
	const rule = "custody-log.md, What a verifier checks, 11"
	carried := g.base.clone()
	carried.renewWith(renewal1Time, nil, logwriter.Revocation{Kind: custodylog.RevocationCRL, DER: g.p.emptyCRL(renewal1Time)})
	g.bundleVector("valid/renewed-with-crl", carried, passed(rule, "a renewal carrying a CRL of the TSA root that revokes nothing"))

	crl := custodylog.RevocationEntryName(2, 1, custodylog.RevocationCRL)
	tamper := func(name, desc, sub string, edit func(b *bundle)) {
		b := carried.clone()
		edit(b)
		g.bundleVector("revocation/"+name, b, failed(rule, desc, "custody.event", sub).withSigner("signer.pub").at(2))
	}
	tamper("entry-removed", "the CRL the renewed event lists removed", "SIGNED_DATA_NOT_FOUND", func(b *bundle) { b.remove(crl) })
	tamper("entry-altered", "one bit of the CRL the renewed event lists changed", "HASH_FAILURE", func(b *bundle) { b.set(crl, flipped(b.get(crl), 40)) })
	tamper("entry-added", "an OCSP response added to the renewed event, which lists only its CRL", "HASH_FAILURE", func(b *bundle) {
		b.entries = append(b.entries, entry{custodylog.RevocationEntryName(2, 2, custodylog.RevocationOCSP), []byte("x")})
	})
}

// renew appends a renewed event made at t by the sealing key.
func (b *bundle) renew(t time.Time) { b.renewWith(t, nil) }

// renewWith is renew with the event edited before signing, carrying
// revocation.
func (b *bundle) renewWith(t time.Time, edit func(e *custodylog.Event), revocation ...logwriter.Revocation) {
	b.renewBy(tokenSpec{genTime: t}, edit, revocation...)
}

// renewBy is renewWith timestamped as stamp says (its TSA), at its
// genTime.
func (b *bundle) renewBy(stamp tokenSpec, edit func(e *custodylog.Event), revocation ...logwriter.Revocation) {
	e := custodylog.Event{
		Time: custodylog.FormatTime(stamp.genTime), Action: custodylog.Renewed, Note: "archive timestamp",
		Actor:    custodylog.Actor{Name: "Dra. Vectores", Role: "clinician"},
		Manifest: custodylog.Digest(b.get(manifest.ManifestName)), Tokens: logwriter.TokenDigests(b.storedTokens()),
	}
	if edit != nil {
		edit(&e)
	}
	b.appendEvent(b.key, e, &stamp, revocation...)
}

// storedTokens are the bytes of the bundle's tokens, in order.
func (b *bundle) storedTokens() [][]byte {
	var tokens [][]byte
	for i := 0; b.find(manifest.TokenEntryName(i)) >= 0; i++ {
		tokens = append(tokens, b.get(manifest.TokenEntryName(i)))
	}
	return tokens
}

// emptyCRL is a CRL of the vectors' TSA root, issued at t, revoking
// nothing.
func (p *pki) emptyCRL(t time.Time) []byte {
	der, err := x509.CreateRevocationList(&stream{seed: seed("crl")}, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: t, NextUpdate: t.AddDate(1, 0, 0),
	}, p.root.cert, p.root.key)
	must(err)
	return der
}
