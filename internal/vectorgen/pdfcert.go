package main

import (
	"github.com/custody-toolkit/custody/internal/testpki"
)

// pdfCertificates: the standalone PDF's certificates and the X.509
// parser (bundle-format.md §7.2, "Order"). A certificate with a negative
// serial number, which Go's parser refuses and lenient ones read, put
// where an attacker would swap it in (FAILED by the checks that need no
// parser), and where a genuine signer's certificate has one
// (INDETERMINATE); a bundle that seals the signer's chain holds the CMS
// certificates to it, byte for byte.
func (g *generator) pdfCertificates() {
	const rule = "bundle-format.md §7.2"
	p := g.p
	vec := func(name string, data []byte, e expectation) {
		g.add(name, ".pdf", data, e.withSigner("signer.pub"))
	}
	pdf := g.standalone("pdfcert", g.base, p.signer)
	self := carriedChain(contentsOf(pdf))[0]

	swapped := g.resign(pdf, nil, cmsSpec{edit: func(der []byte, chain []*cert) []byte {
		return replaceElement(der, chain[0].cert.Raw, negated(chain[0].cert.Raw))
	}})
	vec("pdf/certificate-unparsable-swapped", swapped, failed(rule,
		"the signer's certificate in the CMS replaced by the same with a negative serial number, which Go's parser refuses: the ESS signing-certificate-v2 hash, compared with its bytes before any parsing, no longer matches, whatever the parser",
		"pdf.signature", "SIG_CRYPTO_FAILURE"))

	genuine, err := testpki.WithNegativeSerial(self.cert, p.signer)
	must(err)
	vec("pdf/certificate-unparsable-genuine", g.resign(pdf, nil, cmsSpec{chain: []*cert{{cert: genuine, key: p.signer}}}), indeterminate(rule,
		"the PDF signed by the sealing key under its self-issued certificate issued with a negative serial number (signed, bound by the ESS attribute): the signature verifies with the sealing key, the path is not checked by a verifier whose parser refuses the certificate, nothing is altered",
		"pdf.signature", "CERTIFICATE_CHAIN_GENERAL_FAILURE"))

	chained := p.export(g.dir("pdfcert-chain"), exportOptions{chain: []*cert{p.signerCert, p.signerCA}})
	sealedPDF := g.standalone("pdfcert-chain", chained, p.signer)
	sealedChain := []*cert{p.signerCert, p.signerCA}
	vec("valid/standalone-sealed-chain", g.resign(sealedPDF, nil, cmsSpec{chain: sealedChain}), passed(rule,
		"a bundle sealing the signer's chain (signer-chain.pem) in a PDF whose CMS carries the same certificates, byte for byte"))
	vec("pdf/chain-not-sealed-chain", g.resign(sealedPDF, nil, cmsSpec{chain: sealedChain, edit: func(der []byte, chain []*cert) []byte {
		return replaceElement(der, p.signerCA.cert.Raw, negated(p.signerCA.cert.Raw))
	}}), failed(rule,
		"the CA's certificate in the CMS replaced by the same with a negative serial number (Go's parser refuses it): not the chain the bundle seals, whatever the parser",
		"pdf.signature", "HASH_FAILURE"))
	vec("pdf/chain-self-issued-not-sealed", sealedPDF, failed(rule,
		"a bundle sealing the signer's chain in a PDF whose CMS carries a self-issued certificate instead: the writer MUST carry the sealed chain",
		"pdf.signature", "HASH_FAILURE"))
}

// negated is the certificate der with a negative serial number
// (testpki.NegateSerial): Go's parser refuses it.
func negated(der []byte) []byte {
	out, _, err := testpki.NegateSerial(der)
	must(err)
	return out
}

// contentsOf is the hex digits of the signature's /Contents.
func contentsOf(pdf []byte) []byte {
	start, end := contentsSpan(pdf)
	return pdf[start:end]
}
