package main

import (
	"archive/zip"
	"bytes"
	"crypto"
	"strings"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/manifest"
)

// limits: the reader limits (bundle-format.md §1.6, custody-log.md,
// Reader limits), each just over its limit, sealed and intact
// (INDETERMINATE FORMAT_NOT_IMPLEMENTED) and altered (FAILED by the
// digest that seals it). The padding is zeros or one repeated letter:
// git packs each such vector in a few KB. An INDETERMINATE vector must
// be stored, as the container rules require (about 1 MiB in a checkout);
// an altered one, and the message entry over 16 MiB, are stored with the
// large entry deflated (a few KB on disk): a repacked container, which
// a FAILED check outranks, and which leaves an intact bundle
// INDETERMINATE whatever the first reason.
func (g *generator) limits() {
	g.tokenOverLimit()
	g.messageOverLimit()
	g.revocationOverLimit()
	g.signerChainOverLimit()
	g.eventOverLimit()
	g.eventKeyOverLimit()
	g.eventTokenOverLimit()
	g.unsealedTokenOverLimit()
}

const limitsRule = "bundle-format.md §1.6"

// padded is data followed by zeros to one byte over limit.
func padded(data []byte, limit int) []byte {
	return append(bytes.Clone(data), make([]byte, limit+1-len(data))...)
}

// deflating is b's ZIP with entry name deflated: a repacked container
// of the same files.
func deflating(b *bundle, name string) []byte {
	return zipWith(b.entries, func(_ int, h *zip.FileHeader) {
		if h.Name == name {
			h.Method = zip.Deflate
		}
	}, "")
}

// tokenOverLimit: the stored token padded to 1 MiB + 1 byte before the
// signer sealed it (custody event 1), then one byte of the padding
// changed after.
func (g *generator) tokenOverLimit() {
	b := g.base.clone()
	b.tokens = []tokenSpec{{edit: func(r []byte) []byte { return padded(r, manifest.MaxMetaEntrySize) }}}
	b.reseal(b.manifest())
	g.bundleVector("token/over-1mib", b, indeterminate(limitsRule,
		"META-INF/manifest.tsr is the TSA's answer followed by zeros to 1 MiB + 1 byte (1,048,577), sealed so by custody event 1: bytes the signer sealed, which a verifier does not parse, §1.6 (stored: the vector is 1.0 MB)",
		"token.format", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub").at(1))
	altered := b.clone()
	tok := altered.get(manifest.TokenName)
	altered.set(manifest.TokenName, flipped(tok, len(tok)-1))
	g.add("token/over-1mib-altered", ".custody", deflating(altered, manifest.TokenName), failed(limitsRule,
		"token/over-1mib with the token's last byte changed after sealing (the entry deflated): larger than a verifier reads, and shown altered by the token seal, hashed as a stream",
		"token.seal", "HASH_FAILURE").withSigner("signer.pub"))
}

// messageOverLimit: message 1's text made 16 MiB of one letter, every
// digest computed again and sealed, the entry deflated; then one letter
// changed after sealing.
func (g *generator) messageOverLimit() {
	const m1 = "messages/000001.json"
	b := g.withEntries(g.base, func(b *bundle, _ *manifest.Manifest) {
		b.set(m1, replaceOnce(b.get(m1), `"text":"`, `"text":"`+strings.Repeat("a", manifest.MaxMessageSize)))
	})
	g.add("messages/entry-over-16mib", ".custody", deflating(b, m1), indeterminate(limitsRule,
		"messages/000001.json holds a text of 16 MiB, sealed (the entry is 16 MiB + 90 bytes, 16,777,306, deflated to 16 KB): larger than a verifier reads, never FAILED for that; the deflated entry makes the container a repacked one, reported first",
		"container", "CONTAINER_REPACKED").withSigner("signer.pub"))
	altered := b.clone()
	entry := altered.get(m1)
	altered.set(m1, flipped(entry, len(entry)/2))
	g.add("messages/entry-over-16mib-altered", ".custody", deflating(altered, m1), failed(limitsRule,
		"messages/entry-over-16mib with one letter of the text changed after sealing: larger than a verifier reads, and shown altered by its digest, hashed as a stream",
		"files", "HASH_FAILURE").withSigner("signer.pub"))
}

// revocationOverLimit: a custody event 2 by another clinician lists a
// CRL entry of 1 MiB + 1 byte (a CRL padded with zeros), signed so; then
// the entry's last byte changed after signing.
func (g *generator) revocationOverLimit() {
	b := g.base.clone()
	b.appendEvent(g.p.other, custodylog.Event{Action: custodylog.Received, Actor: custodylog.Actor{Name: "Perito", Role: "expert"}}, nil)
	crl := padded(g.p.emptyCRL(exportTime), manifest.MaxMetaEntrySize)
	name := custodylog.RevocationEntryName(2, 1, custodylog.RevocationCRL)
	signEventWith(b, 2, g.p.other, func(e *custodylog.Event) {
		e.Revocation = []custodylog.Revocation{{Kind: custodylog.RevocationCRL, SHA256: custodylog.Digest(crl)}}
	})
	b.entries = append(b.entries, entry{name, crl})
	g.bundleVector("revocation/crl-over-1mib", b, indeterminate("custody-log.md, Reader limits",
		"custody event 2 carries "+name+", a CRL followed by zeros to 1 MiB + 1 byte (1,048,577), signed so: revocation data a verifier does not parse, custody-log.md (stored: the vector is 1.0 MB)",
		"revocation", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub"))
	altered := b.clone()
	altered.set(name, flipped(crl, len(crl)-1))
	g.add("revocation/crl-over-1mib-altered", ".custody", deflating(altered, name), failed("custody-log.md, Reader limits",
		"revocation/crl-over-1mib with the CRL entry's last byte changed after signing (the entry deflated): shown altered by the event's digest, hashed as a stream",
		"custody.event", "HASH_FAILURE").withSigner("signer.pub").at(2))
}

// signEventWith signs the last event seq again with key (Ed25519, no
// token) after edit: what the log writer refuses to sign, an event
// listing revocation data over the limit.
func signEventWith(b *bundle, seq int, key crypto.Signer, edit func(e *custodylog.Event)) {
	name := custodylog.EntryName(seq, custodylog.PartEvent)
	e, err := custodylog.Parse(b.get(name))
	must(err)
	edit(e)
	data, err := e.Marshal()
	must(err)
	b.set(name, data)
	b.set(custodylog.EntryName(seq, custodylog.PartSignature), signBytes(key, data))
}

// signerChainOverLimit: signer-chain.pem, the chain followed by zeros to
// 256 KiB + 1 byte, sealed so by the manifest; then its last byte changed
// after sealing.
func (g *generator) signerChainOverLimit() {
	b := g.p.export(g.dir("signer-chain-over-limit"), exportOptions{chain: []*cert{g.p.signerCert, g.p.signerCA}})
	chain := padded(b.get(manifest.SignerChainName), manifest.MaxSignerChainSize)
	b.set(manifest.SignerChainName, chain)
	m := b.manifest()
	m.Signer.CertificatesSHA256 = sum(chain)
	b.reseal(m)
	g.bundleVector("signer-chain/over-256kib", b, indeterminate(limitsRule,
		"META-INF/signer-chain.pem is the chain followed by zeros to 256 KiB + 1 byte (262,145), sealed so by signer.certificates_sha256: bytes the signer sealed, which a verifier does not parse, §1.6 (stored: the vector is 270 KB)",
		"signer.certificates", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub"))
	altered := b.clone()
	altered.set(manifest.SignerChainName, flipped(chain, len(chain)-1))
	g.add("signer-chain/over-256kib-altered", ".custody", deflating(altered, manifest.SignerChainName), failed(limitsRule,
		"signer-chain/over-256kib with the entry's last byte changed after sealing (the entry deflated): shown altered by its sealed digest, hashed as a stream",
		"signer.certificates", "HASH_FAILURE").withSigner("signer.pub"))
}

const logLimitsRule = "custody-log.md, Reader limits"

// eventOverLimit: custody event 2, by another clinician, followed by zeros
// to 1 MiB + 1 byte and signed so by its key; then the same padding after
// the event was signed.
func (g *generator) eventOverLimit() {
	b := g.base.clone()
	b.appendEvent(g.p.other, custodylog.Event{Action: custodylog.Received, Actor: custodylog.Actor{Name: "Perito", Role: "expert"}}, nil)
	name := custodylog.EntryName(2, custodylog.PartEvent)
	unsigned := b.clone()
	unsigned.set(name, padded(b.get(name), manifest.MaxMetaEntrySize))
	signed := unsigned.clone()
	signed.set(custodylog.EntryName(2, custodylog.PartSignature), signBytes(g.p.other, signed.get(name)))
	g.bundleVector("custody/event-over-1mib", signed, indeterminate(logLimitsRule,
		"custody event 2 followed by zeros to 1 MiB + 1 byte (1,048,577) and signed so by its key: its signature verifies over its bytes as they stream, its other rules cannot be read, rule 14 (stored: the vector is 1.0 MB)",
		"custody.event", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub").at(2))
	g.add("custody/event-over-1mib-unsigned", ".custody", deflating(unsigned, name), failed(logLimitsRule,
		"custody event 2 followed by zeros to 1 MiB + 1 byte after it was signed (the entry deflated): its own signature, checked as the bytes stream, shows it altered, rule 14",
		"custody.event", "SIG_CRYPTO_FAILURE").withSigner("signer.pub").at(2))
}

// eventKeyOverLimit: custody event 2's key file, then its signature file,
// followed by zeros to 1 MiB + 1 byte: no key or signature of the format.
func (g *generator) eventKeyOverLimit() {
	b := g.base.clone()
	b.appendEvent(g.p.other, custodylog.Event{Action: custodylog.Received, Actor: custodylog.Actor{Name: "Perito", Role: "expert"}}, nil)
	for _, part := range []struct{ part, vector, what string }{
		{custodylog.PartKey, "custody/event-key-over-1mib", "key"},
		{custodylog.PartSignature, "custody/event-sig-over-1mib", "signature"},
	} {
		name := custodylog.EntryName(2, part.part)
		over := b.clone()
		over.set(name, padded(b.get(name), manifest.MaxMetaEntrySize))
		g.add(part.vector, ".custody", deflating(over, name), failed(logLimitsRule,
			"custody event 2's "+part.what+" file followed by zeros to 1 MiB + 1 byte (the entry deflated): no "+part.what+" of the format comes near that size, rule 15",
			"custody.event", "FORMAT_FAILURE").withSigner("signer.pub").at(2))
	}
}

// eventTokenOverLimit: custody event 2, the last, timestamped, its token
// followed by zeros to 1 MiB + 1 byte: no later event commits to it.
func (g *generator) eventTokenOverLimit() {
	b := g.base.clone()
	b.appendEvent(g.p.other, custodylog.Event{Action: custodylog.Received, Actor: custodylog.Actor{Name: "Perito", Role: "expert"}}, &tokenSpec{})
	name := custodylog.EntryName(2, custodylog.PartToken)
	b.set(name, padded(b.get(name), manifest.MaxMetaEntrySize))
	g.bundleVector("custody/event-token-over-1mib", b, indeterminate(logLimitsRule,
		"custody event 2, the last, carries a token followed by zeros to 1 MiB + 1 byte (1,048,577): no later event commits to it, a verifier does not parse it, and the event's time is only claimed, rule 16 (stored: the vector is 1.0 MB)",
		"custody.timestamp", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub").at(2))
}

// unsealedTokenOverLimit: a bundle without the token seal (no custody
// log, as before 2026-12-03) whose token is followed by zeros to 1 MiB +
// 1 byte: covered by no signature of ours, and not parsed.
func (g *generator) unsealedTokenOverLimit() {
	b := g.base.clone()
	b.tokens = []tokenSpec{{edit: func(r []byte) []byte { return padded(r, manifest.MaxMetaEntrySize) }}}
	m := b.manifest()
	m.CustodyLog = false
	b.reseal(m)
	g.bundleVector("token/unsealed-over-1mib", b, indeterminate(limitsRule,
		"META-INF/manifest.tsr is the TSA's answer followed by zeros to 1 MiB + 1 byte (1,048,577), in a bundle without the token seal (no custody log): covered by no signature of ours, and a verifier does not parse it, §1.6 (stored: the vector is 1.0 MB)",
		"token.format", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub").at(1))
}
