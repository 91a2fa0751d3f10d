package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/translog"
)

// remaining: the spec's last rules without a vector (issue 14, item 1:
// every MUST enforced by the code and by a vector).
func (g *generator) remaining() {
	g.validationTime()
	g.oversizedLogEntry()
	g.oversizedSignature()
	g.renewalUpdates()
	g.revokedWithoutPOE()
}

// validationTime: verdicts as of a date (--at, the expectation's `at`;
// docs/long-term.md, The question a verifier answers, and when). The
// vectors' TSA certificates end 2046-01-01.
func (g *generator) validationTime() {
	const rule = "long-term.md, The question a verifier answers, and when"
	twice := g.base.clone()
	twice.renew(renewal1Time)
	twice.renew(renewal2Time)
	g.bundleVector("evidence/at-after-expiry", twice, indeterminate(rule,
		"valid/renewed-twice as of 2047-01-01: every TSA certificate (the seal's and both renewals') ended 2046-01-01 and no later renewal covers them; nothing proves the manifest existed while a token was trustworthy",
		"evidence", "OUT_OF_BOUNDS_NO_POE").withSigner("signer.pub").asOf("2047-01-01T00:00:00Z"))
	g.bundleVector("evidence/at-before-expiry", twice, passed(rule,
		"valid/renewed-twice as of 2045-12-31, the day before every TSA certificate ends: the seal's token still holds, renewed 2027-12-01 and 2028-12-01").asOf("2045-12-31T00:00:00Z"))
	g.bundleVector("evidence/at-before-renewals", twice, passed(rule,
		"valid/renewed-twice as of 2027-06-01, after the seal's token (2026-12-01) and before both renewals, which are ignored: the seal's token holds then").asOf("2027-06-01T00:00:00Z"))
	g.bundleVector("evidence/at-before-seal", g.base, indeterminate(rule,
		"valid/whole as of 2026-11-01, before its token's genTime (2026-12-01): no trusted timestamp existed yet",
		"evidence", "TRY_LATER").withSigner("signer.pub").asOf("2026-11-01T00:00:00Z"))
}

// asOf sets the validation time the verifier is asked for (--at, RFC 3339).
func (e expectation) asOf(t string) expectation { e.AsOf = t; return e }

// oversizedLogEntry: a stored transparency log entry one byte over the
// 1 MiB a verifier reads (§6.1), as the log answered it and custody
// event 1 sealed it, so that its size, not the commitment, decides. The
// vector is about 1 MiB: the entry is stored, not deflated.
func (g *generator) oversizedLogEntry() {
	logged := g.p.export(g.dir("logged-oversized"), exportOptions{logs: []*vectorLog{newVectorLog(trustedLogKey)}})
	over := g.relogged(logged, func(l *vectorLog) {
		l.raw = func(b []byte) []byte { return append(b, bytes.Repeat([]byte(" "), translog.MaxEntrySize+1-len(b))...) }
	})
	g.bundleVector("transparency/entry-over-1mib", over, failed(transparencyRule,
		"the entry as the log answered it, followed by spaces to 1 MiB + 1 byte (1,048,577), sealed by custody event 1: larger than an entry may be",
		"transparency", "FORMAT_FAILURE").withSigner("signer.pub").trustingLog("log.note").at(1))
}

// oversizedSignature: manifest.sig one byte over the 1 MiB a verifier
// reads of it (§5), the signature followed by zeros; stored, so the
// vector is about 1 MiB.
func (g *generator) oversizedSignature() {
	b := g.base.clone()
	sig := b.get(manifest.SignatureName)
	b.set(manifest.SignatureName, append(bytes.Clone(sig), make([]byte, manifest.MaxMetaEntrySize+1-len(sig))...))
	g.bundleVector("signature/sig-over-1mib", b, failed("bundle-format.md §5",
		"META-INF/manifest.sig is the signature followed by zeros to 1 MiB + 1 byte (1,048,577): no signature of the format is that large",
		"signature", "FORMAT_FAILURE").withSigner("signer.pub"))
}

// renewalUpdates: §7.2 item 7's rules on what a renewal appends that no
// docstamp/ vector broke yet, each timestamped by the renewal after it.
func (g *generator) renewalUpdates() {
	const rule = "bundle-format.md §7.2 item 7"
	signed := g.standalone("renewed-updates", g.base, g.p.signer)
	once := g.renewed(signed, nil)
	vec := func(name string, data []byte, e expectation) { g.add(name, ".pdf", data, e.withSigner("signer.pub")) }
	vec("docstamp/root-moved", g.renewed(g.rootMoved(signed), nil), failed(rule,
		"an update copies the signed catalog to a new object and points the trailer's /Root at it, then a document timestamp over it: the same entries, but not the signed revision's catalog",
		"pdf.byte-range", "HASH_FAILURE"))
	vec("docstamp/dss-filtered", g.renewed(g.filteredDSS(once), nil), failed(rule,
		"after the first renewal, an update adds a document security store whose CRL stream has /Filter /ASCIIHexDecode, then the second document timestamp over it: /DSS holds unfiltered streams only",
		"pdf.byte-range", "HASH_FAILURE"))
	vec("docstamp/range-ends-in-previous", g.sharedStampValue(g.renewed(g.renewed(once, nil), nil)), expect(rule,
		"of three document timestamps, the second's field takes the first's value (signature dictionary), timestamped so by the third: the second's /ByteRange ends where the first's does, inside the revision before it",
		Failed, "pdf.document-timestamp", "FORMAT_FAILURE").at(2))
}

// rootMoved is pdf after an update that defines a copy of its catalog as
// a new object and names it the trailer's /Root.
func (g *generator) rootMoved(pdf []byte) []byte {
	root := lastRoot(pdf)
	moved := sizeOf(pdf)
	out := incrementalUpdate(pdf, map[int]string{moved: lastObjectBody(pdf, root)})
	return withLastRoot(out, moved)
}

// filteredDSS is pdf after an update that adds a document security store
// holding one CRL stream in ASCII hex (/Filter /ASCIIHexDecode), and the
// catalog with it in place of the signed store.
func (g *generator) filteredDSS(pdf []byte) []byte {
	root, next := lastRoot(pdf), sizeOf(pdf)
	crl := hex.EncodeToString(g.p.emptyCRL(renewalTime)) + ">"
	catalog := lastObjectBody(pdf, root)
	catalog = dssRefRE.ReplaceAllString(catalog, fmt.Sprintf("/DSS %d 0 R", next+1))
	return incrementalUpdate(pdf, map[int]string{
		next:     fmt.Sprintf("<< /Length %d /Filter /ASCIIHexDecode >>\nstream\n%s\nendstream", len(crl), crl),
		next + 1: fmt.Sprintf("<< /Type /DSS /CRLs [%d 0 R] >>", next),
		root:     catalog,
	})
}

var dssRefRE = regexp.MustCompile(`/DSS \d+ 0 R`)

var stampValueRE = regexp.MustCompile(`/T \(DocTimeStamp(\d)\) /V (\d+) 0 R`)

// sharedStampValue points the second document timestamp's field at the
// first's value, then timestamps the last again over the edit.
func (g *generator) sharedStampValue(pdf []byte) []byte {
	values := map[string]string{}
	for _, m := range stampValueRE.FindAllStringSubmatch(string(pdf), -1) {
		values[m[1]] = m[2]
	}
	if len(values["1"]) != len(values["2"]) {
		panic("vectorgen: the first two document timestamps' values differ in width")
	}
	old := "/T (DocTimeStamp2) /V " + values["2"] + " 0 R"
	return g.restamp(swap(old, "/T (DocTimeStamp2) /V "+values["1"]+" 0 R")(bytes.Clone(pdf)), tokenSpec{})
}

// lastRoot is the object number of the last trailer's /Root.
func lastRoot(pdf []byte) int {
	all := rootRE.FindAllSubmatch(pdf, -1)
	var n int
	_, err := fmt.Sscanf(string(all[len(all)-1][1]), "%d 0 R", &n)
	must(err)
	return n
}

// withLastRoot names object n the last trailer's /Root.
func withLastRoot(pdf []byte, n int) []byte {
	all := rootRE.FindAllSubmatchIndex(pdf, -1)
	at := all[len(all)-1]
	return slices.Concat(pdf[:at[2]], []byte(fmt.Sprintf("%d 0 R", n)), pdf[at[3]:])
}

// lastObjectBody is the text of object num's last definition, between
// "num 0 obj" and "endobj".
func lastObjectBody(pdf []byte, num int) string {
	head := []byte(fmt.Sprintf("\n%d 0 obj\n", num))
	start := bytes.LastIndex(pdf, head) + len(head)
	return string(pdf[start : start+bytes.Index(pdf[start:], []byte("\nendobj"))])
}

// revokedWithoutPOE: the signer's certificate revoked (a CRL of its CA,
// carried by custody event 1) and no trusted timestamp to place the seal
// before it: signer.revocation says REVOKED_NO_POE, never FAILED. No
// vector can name it the first check: a proven signing time is missing
// only when no seal token chains to a --trust anchor, and timestamp.trust
// (INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND) comes first in report order.
func (g *generator) revokedWithoutPOE() {
	p := g.p
	crl := logwriter.Revocation{Kind: custodylog.RevocationCRL, DER: revokingCRL(p.signerCA, exportTime.Add(time.Hour), p.signerCert.cert.SerialNumber, exportTime.Add(-24*time.Hour))}
	b := p.export(g.dir("signer-revocation-no-poe"), exportOptions{chain: []*cert{p.signerCert, p.signerCA}, revocation: []logwriter.Revocation{crl}})
	e := indeterminate("long-term.md, Revocation data",
		"signer-revocation/crl-revoked-before verified with another TSA's root as --trust: the signer's certificate revoked, and no trusted timestamp proves the seal came before; timestamp.trust is reported first, then signer.certificates OUT_OF_BOUNDS_NO_POE and signer.revocation REVOKED_NO_POE, never FAILED",
		"timestamp.trust", "NO_CERTIFICATE_CHAIN_FOUND").withSigner("signer.pub")
	e.Trust, e.TrustSigners = []string{"stranger-root.pem"}, []string{"signer-ca.pem"}
	g.bundleVector("signer-revocation/revoked-no-poe", b, e)
}
