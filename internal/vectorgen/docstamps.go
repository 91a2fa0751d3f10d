package main

import (
	"bytes"
	"context"
	"crypto"
	_ "crypto/sha1" // the weak-imprint vector
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/tsa"
)

// renewalTime is when the vectors' renewals are timestamped: a year after
// the export, inside every TSA certificate's validity.
var renewalTime = exportTime.AddDate(1, 0, 0)

// docTimestamps: renewed standalone PDFs (bundle-format.md §7.2 item 7),
// PAdES document timestamps appended by pdfseal.AddDocumentTimestamp as
// `custody renew case.pdf` does, then the rules of item 7 broken one at a
// time. Every negative vector whose edit lies in the bytes a timestamp
// covers is timestamped again after the edit (restamp), so that only the
// rule under test is broken.
func (g *generator) docTimestamps() {
	const rule = "bundle-format.md §7.2 item 7"
	signed := g.standalone("renewed", g.base, g.p.signer)
	once := g.renewed(signed, nil)
	vec := func(name string, data []byte, e expectation) { g.add(name, ".pdf", data, e.withSigner("signer.pub")) }
	vec("valid/standalone-renewed", once, passed(rule, "the standalone PDF renewed once: a PAdES document timestamp (/ETSI.RFC3161) over the whole signed PDF, in an incremental update"))
	crl := revokingCRL(g.p.signerCA, renewalTime, g.p.otherSignerCert.cert.SerialNumber, exportTime)
	twice := g.renewed(once, [][]byte{crl})
	vec("valid/standalone-renewed-twice", twice, passed(rule, "renewed twice: the second renewal appends a document security store update (a CRL, the first timestamp's TSA certificate), then a second document timestamp over everything, the first included"))

	byteRange := func(name string, data []byte, desc string) {
		vec("docstamp/"+name, data, failed(rule, desc, "pdf.byte-range", "HASH_FAILURE"))
	}
	byteRange("update-after-redefines-page", incrementalUpdate(once, map[int]string{objectNumberOf(once, "/Type /Page\n"): "<< /Type /Page >>"}),
		"after the document timestamp, an update (covered by nothing) redefines the first page, an object of the signed revision")
	byteRange("field-on-page", g.fieldOnPage(signed),
		"an update lists the document timestamp's field in the first page's /Annots (the page redefined), then the document timestamp over it: timestamped, still not what was signed")
	byteRange("update-new-object-in-signed-bytes", g.renewed(incrementalUpdate(signed, map[int]string{900: atOffset(objectOffset(signed, 7))}), nil),
		"an update defines a new object (900) at an offset inside the signed bytes, then a document timestamp over it")
	byteRange("catalog-entry-removed", g.restamp(lastMatch(once, "/PageMode /UseAttachments", "                         "), tokenSpec{}),
		"the catalog the renewal writes again leaves out a signed entry (/PageMode), timestamped so")
	byteRange("field-visible", g.restamp(swap("/Rect [0 0 0 0] /F 132 /FT /Sig /T (DocTimeStamp1)", "/Rect [0 0 9 9] /F 132 /FT /Sig /T (DocTimeStamp1)")(bytes.Clone(once)), tokenSpec{}),
		"the document timestamp's field is a widget with an area (/Rect [0 0 9 9]), timestamped so")
	byteRange("field-extra-key", g.restamp(swap("/F 132 /FT /Sig /T (DocTimeStamp1)", "/AS /N /FT /Sig /T (DocTimeStamp1)")(bytes.Clone(once)), tokenSpec{}),
		"the document timestamp's field has /AS (an appearance state), not a key of an invisible widget, timestamped so")
	byteRange("catalog-changed", g.restamp(lastMatch(once, "/PageMode /UseAttachments", "/PageMode /UseOutlines   "), tokenSpec{}),
		"the catalog the renewal writes again changes a signed entry (/PageMode), timestamped so")
	byteRange("acroform-sigflags-changed", g.restamp(lastMatch(once, "/SigFlags 3", "/SigFlags 1"), tokenSpec{}),
		"the renewal's /AcroForm changes the signed /SigFlags, timestamped so")

	stamp := func(name, desc, verdict, check string, index int, sub string, data []byte) {
		vec("docstamp/"+name, data, expect(rule, desc, verdict, check, sub).at(index))
	}
	stamp("imprint-mismatch", "the document timestamp's field renamed (/T (DocTimeStamp1) to (DocTimeStampX)) after it was timestamped: its imprint no longer matches",
		Failed, "token.imprint", 1, "HASH_FAILURE", swap("/T (DocTimeStamp1)", "/T (DocTimeStampX)")(bytes.Clone(once)))
	stamp("second-imprint-mismatch", "of two document timestamps, the second's covered bytes changed after it was timestamped",
		Failed, "token.imprint", 2, "HASH_FAILURE", swap("/T (DocTimeStamp2)", "/T (DocTimeStampX)")(bytes.Clone(twice)))
	// What cannot be validated is reported and not used (INFO), whoever
	// appended it; what is broken is FAILED (§7.2, "What a document
	// timestamp that does not hold does").
	notUsed := func(name, desc string, data []byte) { vec("docstamp/"+name, data, passed(rule, desc)) }
	notUsed("untrusted-tsa", "the document timestamp by a TSA no --trust anchor leads to (anyone may append one): reported INFO NO_CERTIFICATE_CHAIN_FOUND and not used as a proof of existence; the verdict is the sealed evidence's",
		g.restamp(once, tokenSpec{tsa: g.p.strangerTSA}))
	notUsed("other-subfilter", "a /DocTimeStamp with /SubFilter /adbe.pkcs7 (not /ETSI.RFC3161), timestamped so: a form this verifier does not implement, reported INFO FORMAT_NOT_IMPLEMENTED and not used",
		g.restamp(swap("/SubFilter /ETSI.RFC3161", "/SubFilter /adbe.pkcs7  ")(bytes.Clone(once)), tokenSpec{}))
	notUsed("weak-imprint", "the document timestamp's imprint is SHA-1 (over the right bytes): it proves nothing today, reported INFO CRYPTO_CONSTRAINTS_FAILURE and not used",
		g.restamp(once, tokenSpec{imprint: crypto.SHA1}))
	untrustedFirst := g.renewed(g.restamp(once, tokenSpec{tsa: g.p.strangerTSA}), nil)
	notUsed("untrusted-then-trusted", "renewed twice, the first document timestamp by an untrusted TSA, the second (trusted) over it: the first is reported and not used, the second proves the whole file",
		untrustedFirst)
	notUsed("trusted-then-untrusted", "renewed twice, the second document timestamp by an untrusted TSA over the first (trusted): the second is reported and not used",
		g.restamp(twice, tokenSpec{tsa: g.p.strangerTSA}))
	vec("docstamp/at-before-renewal", once, passed(rule,
		"valid/standalone-renewed as of a date between the export and the renewal: the document timestamp did not exist then, is reported INFO TRY_LATER and not used").asOf(exportTime.AddDate(0, 6, 0).Format(time.RFC3339)).withSigner("signer.pub"))
	stamp("signature-flipped", "the document timestamp's token with the last byte of the TSA's signature changed: a broken token, not one that cannot be validated",
		Failed, "token.signature", 1, "SIG_CRYPTO_FAILURE", g.restamp(once, tokenSpec{edit: func(r []byte) []byte { return flipped(r, len(r)-1) }}))
	stamp("broken-then-renewed", "the first document timestamp's covered bytes changed after it was made, then a second (trusted, intact) renewal over everything: the second proves only that the first was already broken",
		Failed, "token.imprint", 1, "HASH_FAILURE", g.renewed(swap("/T (DocTimeStamp1)", "/T (DocTimeStampX)")(bytes.Clone(once)), nil))
	stamp("untrusted-imprint-mismatch", "a document timestamp by an untrusted TSA whose covered bytes changed after it was made: broken, FAILED, untrusted or not",
		Failed, "token.imprint", 1, "HASH_FAILURE", swap("/T (DocTimeStamp1)", "/T (DocTimeStampX)")(g.restamp(once, tokenSpec{tsa: g.p.strangerTSA})))
	vec("docstamp/dss-vri", g.restamp(lastMatchRE(twice, `/CRLs \[\d+ 0 R\]`, "/VRI <<>>"), tokenSpec{}), failed(rule,
		"the renewal's document security store holds /VRI (and no longer its CRL), timestamped so by the second document timestamp: the last catalog's store is held to item 6 first",
		"pdf.rendering", "RENDERING_MISMATCH"))
	stamp("fields-reordered", "the second renewal's /AcroForm lists the two document timestamps' fields in the other order, timestamped so: read in /Fields order, the first listed covers the whole file, not the revision before the next",
		Failed, "pdf.document-timestamp", 1, "FORMAT_FAILURE", g.restamp(lastMatchRE(twice, `/Fields \[\d+ 0 R \d+ 0 R \d+ 0 R\]`, ""), tokenSpec{}))
	stamp("appended", "bytes appended after the last document timestamp: its /ByteRange no longer ends at the end of the file",
		Failed, "pdf.document-timestamp", 1, "FORMAT_FAILURE", append(bytes.Clone(once), "\n%x\n"...))
	stamp("contents-not-a-token", "the document timestamp's /Contents holds an empty DER SEQUENCE, not a TimeStampToken",
		Failed, "pdf.document-timestamp", 1, "FORMAT_FAILURE", withContents(once, "3000"))
	stamp("contents-uppercase", "the document timestamp's /Contents in uppercase hex (the same token): not the one form",
		Failed, "pdf.document-timestamp", 1, "FORMAT_FAILURE", upperContents(once))
}

// renewed is pdf after `custody renew case.pdf` with the vectors' TSA
// (crls: the --revocation data), its token made reproducible.
func (g *generator) renewed(pdf []byte, crls [][]byte) []byte {
	ts := g.newPDFTSA()
	defer ts.srv.Close()
	var out bytes.Buffer
	_, err := pdfseal.AddDocumentTimestamp(context.Background(), &out, bytes.NewReader(pdf), int64(len(pdf)),
		pdfseal.RenewOptions{Timestamper: &tsa.Client{URL: ts.srv.URL}, CRLs: crls})
	must(err)
	return g.restamp(out.Bytes(), tokenSpec{})
}

var docStampRE = regexp.MustCompile(`/Type /DocTimeStamp [^\n]*/ByteRange \[0 (\d+) (\d+) (\d+)\] /Contents <`)

// restamp fills the last document timestamp's /Contents with a token the
// TSA of spec (by default the vectors' trusted one) makes, at
// renewalTime, over the bytes its /ByteRange covers as they are now: the
// timestamp of an honest renewal, without the client's random nonce, or
// of an edited one.
func (g *generator) restamp(pdf []byte, spec tokenSpec) []byte {
	all := docStampRE.FindAllSubmatch(pdf, -1)
	if len(all) == 0 {
		panic("vectorgen: no document timestamp")
	}
	m := all[len(all)-1]
	a, _ := strconv.Atoi(string(m[1]))
	b, _ := strconv.Atoi(string(m[2]))
	c, _ := strconv.Atoi(string(m[3]))
	if spec.imprint == 0 {
		spec.imprint = crypto.SHA256
	}
	h := spec.imprint.New()
	h.Write(pdf[:a])
	h.Write(pdf[b : b+c])
	spec.hashed = h.Sum(nil)
	if spec.genTime.IsZero() {
		spec.genTime = renewalTime
	}
	token := hex.EncodeToString(tokenOf(g.p.stamp(nil, spec)))
	room := pdf[a+1 : b-1]
	if len(token) > len(room) {
		panic("vectorgen: the document timestamp's token does not fit")
	}
	out := bytes.Clone(pdf)
	copy(out[a+1:b-1], token+string(bytes.Repeat([]byte("0"), len(room)-len(token))))
	return out
}

// objectNumberOf is the number of the first object whose text holds s.
func objectNumberOf(pdf []byte, s string) int {
	at := bytes.Index(pdf, []byte(s))
	start := bytes.LastIndex(pdf[:at], []byte(" 0 obj"))
	line := bytes.LastIndexByte(pdf[:start], '\n') + 1
	n, err := strconv.Atoi(string(pdf[line:start]))
	must(err)
	return n
}

// lastMatch replaces the last occurrence of old, in the renewal's update,
// by new, as long.
func lastMatch(pdf []byte, old, new string) []byte {
	if len(old) != len(new) {
		panic(fmt.Sprintf("vectorgen: %q and %q differ in length", old, new))
	}
	at := bytes.LastIndex(pdf, []byte(old))
	out := bytes.Clone(pdf)
	copy(out[at:], new)
	return out
}

// upperContents writes the last document timestamp's /Contents in
// uppercase hex digits.
func upperContents(pdf []byte) []byte {
	start, end := lastStampContents(pdf)
	out := bytes.Clone(pdf)
	copy(out[start:end], bytes.ToUpper(pdf[start:end]))
	return out
}

// withContents fills the last document timestamp's /Contents with the
// hex digits given, padded with 0.
func withContents(pdf []byte, digits string) []byte {
	start, end := lastStampContents(pdf)
	out := bytes.Clone(pdf)
	copy(out[start:end], digits+strings.Repeat("0", end-start-len(digits)))
	return out
}

// lastStampContents is where the hex digits of the last document
// timestamp's /Contents lie.
func lastStampContents(pdf []byte) (start, end int) {
	all := docStampRE.FindAllSubmatchIndex(pdf, -1)
	start = all[len(all)-1][1]
	return start, start + bytes.IndexByte(pdf[start:], '>')
}

// lastMatchRE replaces the last match of re by with, padded with spaces
// to the match's length; with "" swaps the last two references of the
// match (a list of fields in another order).
func lastMatchRE(pdf []byte, re, with string) []byte {
	all := regexp.MustCompile(re).FindAllIndex(pdf, -1)
	at := all[len(all)-1]
	match := string(pdf[at[0]:at[1]])
	if with == "" {
		refs := regexp.MustCompile(`\d+ 0 R`).FindAllString(match, -1)
		n := len(refs)
		with = strings.Replace(match, refs[n-2]+" "+refs[n-1], refs[n-1]+" "+refs[n-2], 1)
	}
	return lastMatch(pdf, match, with+strings.Repeat(" ", len(match)-len(with)))
}

var annotsRE = regexp.MustCompile(`/Annots \[([^\]]*)\]`)

// fieldOnPage renews signed after an update that redefines its first
// page, listing in its /Annots the field the renewal then adds: the
// document timestamp's field drawn on a page.
func (g *generator) fieldOnPage(signed []byte) []byte {
	page := objectNumberOf(signed, "/Type /Page\n")
	body := lastObjectBody(signed, page)
	field := sizeOf(signed) + 1 // the renewal's signature dictionary, then its field
	body = annotsRE.ReplaceAllString(body, fmt.Sprintf("/Annots [$1 %d 0 R]", field))
	out := g.renewed(incrementalUpdate(signed, map[int]string{page: body}), nil)
	if objectNumberOf(out, "/T (DocTimeStamp1)") != field {
		panic("vectorgen: the document timestamp's field is not the one the page lists")
	}
	return out
}

// sizeOf is the last trailer's /Size.
func sizeOf(pdf []byte) int {
	all := sizeRE.FindAllSubmatch(pdf, -1)
	n, err := strconv.Atoi(string(all[len(all)-1][1]))
	must(err)
	return n
}
