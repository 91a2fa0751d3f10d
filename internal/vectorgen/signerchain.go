package main

import (
	"bytes"

	"github.com/custody-toolkit/custody/manifest"
)

// signerChain: bundles sealed by a key a CA certified, which carry its
// certificate chain (bundle-format.md §5.1): META-INF/signer-chain.pem,
// sealed by the manifest's signer.certificates_sha256.
func (g *generator) signerChain() {
	const rule = "bundle-format.md §5.1"
	p := g.p
	g.keys["signer-ca.pem"] = p.signerCA.pem()
	chained := func(name string, chain ...*cert) *bundle {
		return p.export(g.dir("signer-chain-"+name), exportOptions{chain: chain})
	}
	trusted := func(e expectation) expectation { e.TrustSigners = []string{"signer-ca.pem"}; return e }

	base := chained("valid", p.signerCert, p.signerCA)
	g.bundleVector("valid/signer-chain", base, passed(rule, "sealed by a certified key: the chain (leaf, CA) in signer-chain.pem, sealed by signer.certificates_sha256 (format v3); without --trust-signers the name is reported, INFO"))
	g.bundleVector("valid/signer-chain-trusted", base, trusted(passed(rule, "the same bundle with --trust-signers naming the CA: the chain is valid at the proven signing time")))
	g.bundleVector("valid/signer-chain-leaf-only", chained("leaf-only", p.signerCert), trusted(passed(rule, "the chain without its root (the root may be absent), the CA given with --trust-signers")))
	g.bundleVector("valid/signer-chain-qualified", chained("qualified", p.signerQualified, p.signerCA), trusted(passed(rule,
		"the signer's certificate declares QcCompliance, QcSSCD and QcType esign (ETSI EN 319 412-5): reported as declared, a fact about the certificate, not trust")))

	ind := func(desc, sub string) expectation {
		return indeterminate(rule, desc, "signer.certificates", sub).withSigner("signer.pub")
	}
	fail := func(desc, sub string) expectation {
		return failed(rule, desc, "signer.certificates", sub).withSigner("signer.pub")
	}
	untrusted := ind("--trust-signers names another CA (the vectors' TSA root): no path to an anchor; nothing sealed is altered", "NO_CERTIFICATE_CHAIN_FOUND")
	untrusted.TrustSigners = []string{"tsa-root.pem"}
	g.bundleVector("signer-chain/untrusted", base, untrusted)
	g.bundleVector("signer-chain/expired-at-signing", chained("expired", p.signerExpired, p.signerCA), trusted(ind("the signer's certificate expired the day before the proven signing time (genTime)", "OUT_OF_BOUNDS_NO_POE")))
	g.bundleVector("signer-chain/not-yet-valid", chained("not-yet", p.signerNotYet, p.signerCA), trusted(ind("the signer's certificate is valid only from the day after the proven signing time", "OUT_OF_BOUNDS_NO_POE")))

	// The seal: the entry and the member both or neither, the entry's bytes
	// the sealed ones.
	unsealed := g.base.clone()
	unsealed.insertBefore(manifest.TokenEntryName(0), entry{manifest.SignerChainName, base.get(manifest.SignerChainName)})
	g.bundleVector("signer-chain/entry-unsealed", unsealed, fail("signer-chain.pem added to a bundle whose manifest declares no certificates: an unsealed addition", "HASH_FAILURE"))
	removed := base.clone()
	removed.remove(manifest.SignerChainName)
	g.bundleVector("signer-chain/entry-removed", removed, fail("signer-chain.pem removed; the manifest declares it", "HASH_FAILURE"))
	altered := base.clone()
	altered.set(manifest.SignerChainName, append(bytes.Clone(base.get(manifest.SignerChainName)), '\n'))
	g.bundleVector("signer-chain/entry-altered", altered, fail("one byte (a LF) appended to signer-chain.pem: its SHA-256 is not the sealed one", "HASH_FAILURE"))
	swapped := base.clone()
	swapped.set(manifest.SignerChainName, pems(p.otherSignerCert, p.signerCA))
	g.bundleVector("signer-chain/entry-swapped", swapped, fail("signer-chain.pem replaced by another clinician's chain, the manifest left as sealed", "HASH_FAILURE"))

	// Sealed, but wrong: the writer sealed what it must not write.
	resealed := func(name, desc string, data []byte, e expectation) {
		b := base.clone()
		b.set(manifest.SignerChainName, data)
		m := b.manifest()
		m.Signer.CertificatesSHA256 = sum(data)
		b.reseal(m)
		e.Description = desc
		g.bundleVector("signer-chain/"+name, b, e)
	}
	resealed("other-key", "the sealed chain's first certificate is another clinician's: the bundle names a signer who did not seal it",
		pems(p.otherSignerCert, p.signerCA), fail("", "UNEXPECTED_SIGNER"))
	resealed("issuer-first", "the sealed chain lists the CA before the signer's certificate (the signer's certificate MUST come first)",
		pems(p.signerCA, p.signerCert), fail("", "UNEXPECTED_SIGNER"))
	resealed("not-pem", "signer-chain.pem, sealed, holds no PEM CERTIFICATE block: nothing is shown altered, nothing can be read",
		[]byte("not a certificate\n"), ind("", "FORMAT_NOT_IMPLEMENTED"))
	resealed("nine-certificates", "nine certificates, sealed: more than the 8 a verifier reads",
		bytes.Repeat(p.signerCert.pem(), 9), ind("", "FORMAT_NOT_IMPLEMENTED"))
	v2 := base.clone()
	m := v2.manifest()
	m.Format = manifest.FormatV2
	v2.reseal(m)
	g.bundleVector("signer-chain/member-in-v2", v2, failed("bundle-format.md §8", "signer.certificates_sha256, a v3 member, in a manifest that says custody.bundle/v2: a writer MUST write v3 with it", "manifest", "FORMAT_FAILURE").withSigner("signer.pub"))
}

// pems is the certificates as signer-chain.pem holds them.
func pems(certs ...*cert) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, c.pem()...)
	}
	return out
}
