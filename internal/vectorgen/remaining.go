package main

import (
	"bytes"

	"github.com/custody-toolkit/custody/translog"
)

// remaining: the spec's last rules without a vector (issue 14, item 1:
// every MUST enforced by the code and by a vector).
func (g *generator) remaining() {
	g.validationTime()
	g.oversizedLogEntry()
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
