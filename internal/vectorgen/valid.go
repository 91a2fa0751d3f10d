package main

import (
	"crypto"

	"github.com/custody-toolkit/custody/custody"
)

// valid: bundles every conformant verifier must report PASSED, among them
// the unusual but legitimate encodings honest TSAs produce.
func (g *generator) valid() {
	const rule = "bundle-format.md §7"
	g.bundleVector("valid/whole", g.base, passed(rule, "the reference exporter's bundle of a whole conversation (v2, Ed25519, custody log)"))
	e := passed(rule, "the same bundle without an expected signer: PASSED, the signer's identity not checked")
	e.Signer = ""
	g.bundleVector("valid/whole-no-signer", g.base, e)

	g.selective = g.p.export(g.dir("selective"), exportOptions{selection: custody.Selection{Label: "urgente"}})
	g.bundleVector("valid/selective", g.selective, passed("bundle-format.md §10", "a selection (the message labelled urgente and those it needs), the other messages withheld"))

	ecdsa := g.p.export(g.dir("ecdsa"), exportOptions{key: g.p.ecdsaSigner})
	g.bundleVector("valid/ecdsa", ecdsa, passed("bundle-format.md §5", "sealed with an ECDSA P-256 key").withSigner("ecdsa-signer.pub"))

	two := g.p.export(g.dir("two-tokens"), exportOptions{tokens: []tokenSpec{{}, {tsa: g.p.tsaUnderIntermediate, certs: []*cert{g.p.tsaUnderIntermediate, g.p.intermediate}}}})
	g.bundleVector("valid/two-tokens", two, passed("bundle-format.md §6", "two tokens, the second from a TSA under an intermediate CA that the token carries"))

	for _, v := range []struct {
		name, desc string
		spec       tokenSpec
	}{
		{"ess-v1", "the token names its certificate with an ESSCertID (SHA-1, RFC 2634) instead of ESSCertIDv2", tokenSpec{essV1: true}},
		{"ess-v2-sha384", "ESSCertIDv2 hashed with SHA-384 (hashAlgorithm written)", tokenSpec{essSHA384: true}},
		{"imprint-sha384", "the message imprint is SHA-384", tokenSpec{imprint: crypto.SHA384}},
		{"imprint-sha512", "the message imprint is SHA-512", tokenSpec{imprint: crypto.SHA512}},
		{"digest-sha384", "the SignerInfo digests with SHA-384 and signs with ECDSA-SHA384", tokenSpec{digest: crypto.SHA384}},
		{"null-parameters", "hash AlgorithmIdentifiers carry NULL parameters", tokenSpec{nullHash: true}},
		{"signing-time", "the signed attributes include a signing time", tokenSpec{signTime: true}},
		{"certs-duplicated", "the TSA certificate carried twice (OpenSSL's TSA with its certificate in its certs file)", tokenSpec{certs: []*cert{g.p.tsa, g.p.tsa}}},
		{"certs-with-root", "the root carried after the TSA certificate", tokenSpec{certs: []*cert{g.p.tsa, g.p.root}}},
		{"certs-root-first", "the root carried before the TSA certificate", tokenSpec{certs: []*cert{g.p.root, g.p.tsa}}},
		{"certs-off-path", "a certificate off the TSA's path carried too", tokenSpec{certs: []*cert{g.p.tsa, g.p.strangerRoot}}},
		{"intermediate-reordered", "a TSA under an intermediate, carried root, intermediate, TSA", tokenSpec{tsa: g.p.tsaUnderIntermediate, certs: []*cert{g.p.root, g.p.intermediate, g.p.tsaUnderIntermediate}}},
		{"no-tsa-name", "the TSTInfo has no tsa name (it is optional)", tokenSpec{noTSAName: true}},
		{"rsa-pkcs1", "an RSA TSA signing with PKCS #1 v1.5 (sha256WithRSAEncryption)", tokenSpec{tsa: g.p.tsaRSA}},
		{"rsa-pss", "an RSA TSA signing with RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32), its parameters honoured", tokenSpec{tsa: g.p.tsaRSA, pss: true}},
		{"unsigned-attribute", "the SignerInfo carries an unsigned attribute (certValues): outside the TSA's signature, sealed by custody event 1, reported", tokenSpec{certValues: g.p.root}},
		{"granted-with-mods", "the TSA answered grantedWithMods (1): reported, the seal covers the status", tokenSpec{status: seq(small(1))}},
	} {
		b := g.p.export(g.dir("valid-"+v.name), exportOptions{tokens: []tokenSpec{v.spec}})
		g.bundleVector("valid/token-"+v.name, b, passed("bundle-format.md §6", v.desc))
	}
}
