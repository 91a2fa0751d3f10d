package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"regexp"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
)

// The standalone PDF's signature (bundle-format.md §7.2) written other
// ways than the exporter writes it: resign takes a standalone PDF the
// exporter made, lets a vector change its signed bytes (without moving
// anything: same length) and how the CMS is made, and signs it again with
// the sealing key, timestamped by the vectors' TSA. Only the rule under
// test is then broken: the byte range, the signature and the signer hold.

// cmsSpec is how resign writes the CMS; the zero value is what the
// exporter writes (PAdES baseline B-T).
type cmsSpec struct {
	signingTime *time.Time // a CMS signing-time attribute
	essV1       bool       // ESS signing-certificate (v1, SHA-1) instead of v2
	noESS       bool       // no ESS signing-certificate attribute
	essCert     *cert      // the certificate the ESS attribute names (default: the signer's)
	// chain replaces the certificates the PDF carries (signer first).
	chain []*cert
	// edit changes the finished CMS outside its signed attributes (the
	// certificates, CRLs, unsigned attributes): the signature holds.
	edit func(der []byte, chain []*cert) []byte
}

// resign signs pdf again, after edit (nil: none) changed its signed
// bytes.
func (g *generator) resign(pdf []byte, edit func([]byte) []byte, spec cmsSpec) []byte {
	out := bytes.Clone(pdf)
	if edit != nil {
		if out = edit(out); len(out) != len(pdf) {
			panic("vectorgen: an edit of a signed PDF moved its bytes")
		}
	}
	start, end := contentsSpan(out)
	setByteRange(out, start-1, end+1)
	key := g.p.signer
	alg := signerOf(key).Algorithm()
	h := alg.CMSDigest.New()
	h.Write(out[:start-1])
	h.Write(out[end+1:])
	chain := spec.chain
	if chain == nil {
		chain = carriedChain(out[start:end])
	}
	attrs := spec.signedAttributes(h.Sum(nil), chain[0])
	sig, err := signerOf(key).SignMessage(context.Background(), attrs)
	must(err)
	var certs []*x509.Certificate
	for _, c := range chain {
		certs = append(certs, c.cert)
	}
	digestAlg := cms.OIDSHA256
	if alg.CMSDigest == crypto.SHA512 {
		digestAlg = cms.OIDSHA512
	}
	der, err := (&cms.Detached{DigestAlgorithm: digestAlg, Chain: certs, SignedAttributes: attrs,
		SignatureAlgorithm: alg.CMSSignature, Signature: sig, TimeStampToken: tokenOf(g.p.stamp(sig, tokenSpec{}))}).Marshal()
	must(err)
	if spec.edit != nil {
		der = spec.edit(der, chain)
	}
	hexed := hex.EncodeToString(der)
	if len(hexed) > end-start {
		panic("vectorgen: the CMS does not fit /Contents")
	}
	copy(out[start:end], hexed+string(bytes.Repeat([]byte("0"), end-start-len(hexed))))
	return out
}

// signedAttributes are the CMS signed attributes over digest, in DER
// (a SET OF, sorted).
func (s cmsSpec) signedAttributes(digest []byte, leaf *cert) []byte {
	attrs := [][]byte{
		seq(oid(cms.OIDContentType), setOf(oid(cms.OIDData))),
		seq(oid(cms.OIDMessageDigest), setOf(octets(digest))),
	}
	if !s.noESS {
		named := leaf
		if s.essCert != nil {
			named = s.essCert
		}
		attrs = append(attrs, (&tokenSpec{essCert: named, essV1: s.essV1}).essAttribute())
	}
	if s.signingTime != nil {
		attrs = append(attrs, seq(oid(cms.OIDSigningTime), setOf(tlv(0x17, []byte(s.signingTime.UTC().Format("060102150405Z"))))))
	}
	return setOf(attrs...)
}

// contentsSpan is where the hex digits of the signature's /Contents lie.
func contentsSpan(pdf []byte) (start, end int) {
	start = bytes.Index(pdf, []byte("/Contents<")) + len("/Contents<")
	return start, start + bytes.IndexByte(pdf[start:], '>')
}

var byteRangeRE = regexp.MustCompile(`/ByteRange \[0 (\d+) (\d+) (\d+)\]`)

// setByteRange writes the byte range around the gap [a, b) in the
// fixed-width numbers the exporter reserved.
func setByteRange(pdf []byte, a, b int) {
	m := byteRangeRE.FindSubmatchIndex(pdf)
	for i, v := range []int{a, b, len(pdf) - b} {
		at, to := m[2+2*i], m[3+2*i]
		copy(pdf[at:to], fmt.Sprintf("%0*d", to-at, v))
	}
}

// carriedChain is the certificates the CMS in the hex digits carries.
func carriedChain(hexDigits []byte) []*cert {
	der, err := hex.DecodeString(string(hexDigits))
	must(err)
	full, _ := element(der)
	sd, err := cms.ParseDetached(full, "the PDF signature")
	must(err)
	var chain []*cert
	for _, raw := range sd.Certificates {
		c, err := x509.ParseCertificate(raw)
		must(err)
		chain = append(chain, &cert{cert: c})
	}
	return chain
}

// swap replaces the one occurrence of old after the first revision's
// %%EOF (the updates) with new, of the same length.
func swap(old, new string) func([]byte) []byte {
	if len(old) != len(new) {
		panic(fmt.Sprintf("vectorgen: swap %q for %q changes the length", old, new))
	}
	return func(pdf []byte) []byte {
		from := bytes.Index(pdf, []byte("%%EOF"))
		if n := bytes.Count(pdf[from:], []byte(old)); n != 1 {
			panic(fmt.Sprintf("vectorgen: %q occurs %d times in the updates", old, n))
		}
		i := from + bytes.Index(pdf[from:], []byte(old))
		copy(pdf[i:], new)
		return pdf
	}
}

// pdfDateAt is the signature dictionary's /M for t, as the exporter
// writes it.
func pdfDateAt(t time.Time) string { return "(D:" + t.UTC().Format("20060102150405") + "Z)" }

// pades: the standalone PDF's signature and signed updates, every rule of
// §7.2 that the exporter's own PDF cannot break, broken one at a time.
func (g *generator) pades() {
	const rule = "bundle-format.md §7.2"
	pdf := g.standalone("pades", g.base, g.p.signer)
	vec := func(name string, data []byte, e expectation) {
		g.add(name, ".pdf", data, e.withSigner("signer.pub"))
	}
	fail := func(desc, check, sub string) expectation { return failed(rule, desc, check, sub) }
	ind := func(desc, check, sub string) expectation { return indeterminate(rule, desc, check, sub) }
	ok := func(desc string) expectation { return passed(rule, desc) }
	at := func(d time.Duration) *time.Time { t := exportTime.Add(d); return &t }
	adbe := swap("/SubFilter /ETSI.CAdES.detached", "/SubFilter /adbe.pkcs7.detached")
	mAt := func(d time.Duration) func([]byte) []byte {
		return swap("/M "+pdfDateAt(exportTime), "/M "+pdfDateAt(exportTime.Add(d)))
	}

	// The signature's form (item 3): CAdES under ETSI.CAdES.detached.
	vec("valid/standalone-resigned", g.resign(pdf, nil, cmsSpec{}), ok("the PDF signed again as the exporter signs (the control for the vectors below)"))
	vec("pdf/cades-signing-time", g.resign(pdf, nil, cmsSpec{signingTime: at(0)}),
		fail("/SubFilter ETSI.CAdES.detached with a CMS signing-time attribute (PAdES baseline B-B forbids it; the writer MUST NOT write it)", "pdf.signature", "FORMAT_FAILURE"))
	vec("pdf/cades-ess-v1", g.resign(pdf, nil, cmsSpec{essV1: true}),
		fail("/SubFilter ETSI.CAdES.detached with an ESS signing-certificate (v1) instead of v2 (the writer MUST write v2)", "pdf.signature", "FORMAT_FAILURE"))
	vec("pdf/cades-no-ess", g.resign(pdf, nil, cmsSpec{noESS: true}),
		fail("/SubFilter ETSI.CAdES.detached without the ESS signing-certificate-v2 attribute", "pdf.signature", "FORMAT_FAILURE"))
	vec("pdf/ess-other-certificate", g.resign(pdf, nil, cmsSpec{essCert: g.p.signerCA}),
		fail("the ESS signing-certificate-v2 attribute names another certificate than the signer's", "pdf.signature", "SIG_CRYPTO_FAILURE"))
	vec("valid/standalone-adbe", g.resign(pdf, adbe, cmsSpec{signingTime: at(0)}),
		ok("/SubFilter adbe.pkcs7.detached with a CMS signing-time, as exports before PAdES were signed: they keep verifying"))
	vec("valid/standalone-adbe-ess-v1", g.resign(pdf, adbe, cmsSpec{signingTime: at(0), essV1: true}),
		ok("adbe.pkcs7.detached with an ESS signing-certificate (v1): the CAdES baseline rules apply to ETSI.CAdES.detached only"))
	vec("valid/standalone-adbe-no-ess", g.resign(pdf, adbe, cmsSpec{signingTime: at(0), noESS: true}),
		ok("adbe.pkcs7.detached without an ESS signing-certificate attribute (optional there)"))

	// /Contents: the one form, which no signature covers.
	start, end := contentsSpan(pdf)
	upper := bytes.Clone(pdf)
	i := start + bytes.IndexAny(upper[start:end], "abcdef")
	upper[i] -= 'a' - 'A'
	vec("pdf/contents-uppercase", upper, fail("one hex digit of the CMS in /Contents written uppercase: the same bytes, another spelling (the writer MUST write lowercase)", "pdf.signature", "FORMAT_FAILURE"))
	space := bytes.Clone(pdf)
	space[end-1] = ' '
	vec("pdf/contents-padding-space", space, fail("the last padding digit of /Contents replaced by a space", "pdf.signature", "FORMAT_FAILURE"))
	nonzero := bytes.Clone(pdf)
	nonzero[end-1] = '1'
	vec("pdf/contents-padding-nonzero", nonzero, fail("the last padding digit of /Contents is 1: a byte after the CMS that is not zero", "pdf.signature", "FORMAT_FAILURE"))

	// The certificates: one certification path, signer first.
	signerCA := []*cert{g.p.signerCert, g.p.signerCA}
	vec("valid/standalone-certified", g.resign(pdf, nil, cmsSpec{chain: signerCA}), ok("the signer's certificate issued by a CA, carried as the path signer, CA (as with --pdf-cert)"))
	vec("pdf/chain-extra-certificate", g.resign(pdf, nil, cmsSpec{chain: append(signerCA, g.p.strangerRoot)}),
		fail("a certificate off the signer's path carried after it", "pdf.signature", "SIG_CRYPTO_FAILURE"))
	vec("pdf/chain-repeated", g.resign(pdf, nil, cmsSpec{chain: []*cert{g.p.signerCert, g.p.signerCert, g.p.signerCA}}),
		fail("the signer's certificate carried twice", "pdf.signature", "SIG_CRYPTO_FAILURE"))
	vec("pdf/chain-without-root", g.resign(pdf, nil, cmsSpec{chain: []*cert{g.p.signerCert}}),
		fail("the signer's certificate alone, its issuer not carried: the path does not end with a self-issued certificate", "pdf.signature", "SIG_CRYPTO_FAILURE"))

	vec("pdf/cms-crls", g.resign(pdf, nil, cmsSpec{edit: func(der []byte, chain []*cert) []byte {
		certs := certificateSet(chain)
		return replaceElement(der, certs, append(bytes.Clone(certs), 0xa1, 0)) // an empty [1] crls after them
	}}), fail("the CMS carries a crls field (empty), which the writer never writes", "pdf.signature", "FORMAT_FAILURE"))
	vec("pdf/unsigned-attribute-added", g.resign(pdf, nil, cmsSpec{edit: func(der []byte, chain []*cert) []byte {
		sd, err := cms.ParseDetached(der, "the PDF signature")
		must(err)
		token := sd.SignerInfos[0].Unsigned[0]
		attr := seq(oid(token.Type), setOf(token.Values[0].FullBytes))
		certValues := seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 23}), setOf(seq(chain[0].cert.Raw)))
		return replaceElement(der, tlv(0xa1, attr), tlv(0xa1, attr, certValues))
	}}), fail("a second unsigned attribute (certValues) beside the signature timestamp: the unsigned attributes are exactly the one token", "pdf.signature", "FORMAT_FAILURE"))
	vec("valid/standalone-info-changed", g.resign(pdf, swap("/Creator (custody)", "/Creator (another)"), cmsSpec{}),
		ok("the document information (/Info) written otherwise, signed: it is drawn on no page and not read"))

	// The signing time (item 4), against the signature timestamp's genTime T.
	vec("valid/standalone-m-within-skew", g.resign(pdf, mAt(4*time.Minute), cmsSpec{}), ok("/M claims T + 4 minutes: within the 5 minutes of clock skew"))
	vec("pdf/m-after-timestamp", g.resign(pdf, mAt(time.Hour), cmsSpec{}),
		ind("/M claims T + 1 hour: after the timestamp that proves the signature existed", "pdf.signing-time", "TIMESTAMP_ORDER_FAILURE"))
	vec("pdf/signing-time-after-timestamp", g.resign(pdf, adbe, cmsSpec{signingTime: at(time.Hour)}),
		ind("adbe.pkcs7.detached whose CMS signing-time claims T + 1 hour", "pdf.signing-time", "TIMESTAMP_ORDER_FAILURE"))
	vec("valid/standalone-m-before-timestamp", g.resign(pdf, mAt(-time.Hour), cmsSpec{}), ok("/M claims T − 1 hour: a claim before T contradicts nothing proven"))
	vec("pdf/certificate-expired", g.resign(pdf, nil, cmsSpec{chain: []*cert{g.p.signerExpired, g.p.signerCA}}),
		ind("the signer's certificate expired the day before T", "pdf.signing-time", "OUT_OF_BOUNDS_NO_POE"))
	vec("pdf/certificate-not-yet-valid", g.resign(pdf, nil, cmsSpec{chain: []*cert{g.p.signerNotYet, g.p.signerCA}}),
		ind("the signer's certificate is valid only from the day after T", "pdf.signing-time", "TIMESTAMP_ORDER_FAILURE"))

	// The signed update (item 6): what it may add, and nothing else.
	update := func(name, desc, old, new string) {
		vec("pdf/"+name, g.resign(pdf, swap(old, new), cmsSpec{}), fail(desc, "pdf.rendering", "RENDERING_MISMATCH"))
	}
	update("widget-visible", "the signature widget's /Rect encloses an area: a visible signature, which could draw", "/Rect [0 0 0 0]", "/Rect [0 0 9 9]")
	update("widget-action", "the signature widget carries additional actions (/AA)", "/T (Signature1)", "/AA << >> /T ()")
	update("page-annots-other", "the first page's /Annots lists the signature dictionary instead of its widget", "/Annots [29 0 R]", "/Annots [28 0 R]")
	update("page-entry-changed", "the redefined first page changes an entry of the rendering's page (its resources)", "/Resources 4 0 R", "/Resources 6 0 R")
	update("catalog-open-action", "the final catalog adds /OpenAction", "/PageMode /UseAttachments /AcroForm", "/OpenAction [5 0 R /Fit]  /AcroForm")
	update("acroform-xfa", "the /AcroForm holds an XFA form", "/SigFlags 3", "/XFA 28 0 R")
	update("metadata-filtered", "the XMP metadata stream is filtered", "/Subtype /XML", "/Filter /AHx ")
	update("dss-vri", "the document security store holds /VRI", "<< /Certs [", "<< /VRI   [")

	// The attachment (item 1).
	vec("pdf/attachment-two-names", g.resign(pdf, swap("/Names [(case.custody) 25 0 R]", "/Names [(a) 25 0 R (b) 25 0 R]"), cmsSpec{}),
		fail("/EmbeddedFiles names two files", "pdf.embedded-bundle", "FORMAT_FAILURE"))
	vec("pdf/attachment-relationship", g.resign(pdf, swap("/AFRelationship /Source", "/AFRelationship /Data  "), cmsSpec{}),
		fail("the bundle's file specification is not the /Source associated file", "pdf.embedded-bundle", "FORMAT_FAILURE"))
}

// certificateSet is the CMS's [0] IMPLICIT certificates holding chain.
func certificateSet(chain []*cert) []byte {
	var raws [][]byte
	for _, c := range chain {
		raws = append(raws, c.cert.Raw)
	}
	return tlv(0xa0, raws...)
}
