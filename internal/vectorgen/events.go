package main

import (
	"crypto/elliptic"
	"encoding/asn1"
	"math/big"
	"strings"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/manifest"
)

// resignedValid is event 2 of logged without its token, signed again: the
// control for malformedEvents (it verifies).
func (g *generator) resignedValid(logged *bundle) {
	b := logged.clone()
	b.dropEventsFrom(3)
	b.remove(custodylog.EntryName(2, custodylog.PartToken))
	n := custodylog.EntryName(2, custodylog.PartEvent)
	data := []byte(strings.Replace(string(b.get(n)), `,"timestamped":true`, ``, 1))
	b.set(n, data)
	b.set(custodylog.EntryName(2, custodylog.PartSignature), signBytes(g.p.other, data))
	g.bundleVector("valid/custody-event-resigned", b, passed("custody-log.md", "event 2 without a token, as the vectors of custody/event-* are before their change"))
}

// resigned is logged cut after event 2, whose event edit rewrites and
// its own actor signs again, so that only the edit differs.
func (g *generator) resigned(logged *bundle, edit func(event string) string) *bundle {
	b := logged.clone()
	b.dropEventsFrom(3)
	// Without its token, which covered the old signature.
	b.remove(custodylog.EntryName(2, custodylog.PartToken))
	n := custodylog.EntryName(2, custodylog.PartEvent)
	data := []byte(edit(strings.Replace(string(b.get(n)), `,"timestamped":true`, ``, 1)))
	b.set(n, data)
	b.set(custodylog.EntryName(2, custodylog.PartSignature), signBytes(g.p.other, data))
	return b
}

// replaceOnceIn is an edit for resigned: old replaced by new, once.
func replaceOnceIn(old, new string) func(string) string {
	return func(e string) string {
		if !strings.Contains(e, old) {
			panic("vectorgen: no " + old + " in " + e)
		}
		return strings.Replace(e, old, new, 1)
	}
}

// malformedEvents: event 2 rewritten against a rule of custody-log.md,
// then signed again by its own actor, so that only the rule is broken.
func (g *generator) malformedEvents(logged *bundle) {
	const rule = "custody-log.md, What a verifier checks"
	resign := func(name, desc, sub string, edit func(event string) string) {
		g.bundleVector("custody/event-"+name, g.resigned(logged, edit), failed(rule, desc, "custody.event", sub).withSigner("signer.pub").at(2))
	}
	replace := replaceOnceIn
	resign("written-empty", "event 2 with a known optional member written empty (prev_token \"\"), signed: not its one form", "FORMAT_FAILURE", replace(`"seq":`, `"prev_token":"","seq":`))
	resign("not-canonical", "event 2 with a space after a colon, signed", "FORMAT_FAILURE", replace(`"action":`, `"action": `))
	resign("seq-wrong", "event 2 saying seq 3, signed", "SIG_CRYPTO_FAILURE", replace(`"seq":2`, `"seq":3`))
	resign("bundle-other", "event 2 naming another bundle's manifest.sig, signed (copied from another bundle)", "SIG_CRYPTO_FAILURE", func(e string) string {
		i := strings.Index(e, `"bundle":"`) + len(`"bundle":"`)
		return e[:i] + strings.Repeat("ab", 32) + e[i+64:]
	})
	resign("prev-wrong", "event 2 whose prev is not event 1's digest, signed", "SIG_CRYPTO_FAILURE", func(e string) string {
		i := strings.Index(e, `"prev":"`) + len(`"prev":"`)
		return e[:i] + strings.Repeat("cd", 32) + e[i+64:]
	})
	resign("time-fraction", "event 2's time with a fraction of a second, signed", "FORMAT_FAILURE", replace(`:00Z"`, `:00.5Z"`))
	resign("fingerprint-other", "event 2 naming another key than its .pem's, signed by the .pem's key", "SIG_CRYPTO_FAILURE", func(e string) string {
		fp, _ := manifest.Fingerprint(g.p.signer.Public())
		i := strings.Index(e, `"fingerprint":"`) + len(`"fingerprint":"`)
		return e[:i] + fp + e[i+64:]
	})
}

// custodyForms: an event's commitments and encodings other than the one
// form a writer writes (custody-log.md, What a verifier checks, 4–5).
func (g *generator) custodyForms(logged *bundle) {
	const rule = "custody-log.md, What a verifier checks"
	// Event 2 signed again without its token (it commits: prev_sig), then
	// the token put back: added where the event says there is none.
	added := logged.clone()
	added.dropEventsFrom(3)
	tsr := custodylog.EntryName(2, custodylog.PartToken)
	token := added.get(tsr)
	added.remove(tsr)
	n := custodylog.EntryName(2, custodylog.PartEvent)
	data := []byte(strings.Replace(string(added.get(n)), `,"timestamped":true`, ``, 1))
	added.set(n, data)
	added.set(custodylog.EntryName(2, custodylog.PartSignature), signBytes(g.p.other, data))
	added.entries = append(added.entries, entry{tsr, token})
	g.bundleVector("custody/event-2-token-added", added, failed(rule, "a token added to event 2, which commits (prev_sig) and does not say timestamped", "custody.event", "HASH_FAILURE").withSigner("signer.pub").at(2))

	// Event 3's key in another PEM spelling (CRLF line ends).
	crlf := logged.clone()
	k := custodylog.EntryName(3, custodylog.PartKey)
	crlf.set(k, []byte(strings.ReplaceAll(string(crlf.get(k)), "\n", "\r\n")))
	g.lowSTwin(logged)
	g.bundleVector("custody/event-pem-crlf", crlf, failed(rule, "event 3's .pem with CRLF line ends: not the one PEM form (bundle-format.md §5)", "custody.event", "FORMAT_FAILURE").withSigner("signer.pub").at(3))
}

// lowSTwin: an ECDSA actor's event, its signature exchanged for its twin
// (r, n−s), which verifies too but is not the low-s one the event declares.
func (g *generator) lowSTwin(logged *bundle) {
	b := logged.clone()
	b.appendEvent(g.p.ecdsaSigner, custodylog.Event{Action: custodylog.Reviewed, Note: "x", Actor: custodylog.Actor{Name: "Perito ECDSA", Role: "expert"}}, nil)
	s := custodylog.EntryName(4, custodylog.PartSignature)
	var sig struct{ R, S *big.Int }
	_, err := asn1.Unmarshal(b.get(s), &sig)
	must(err)
	sig.S.Sub(elliptic.P256().Params().N, sig.S)
	twin, err := asn1.Marshal(sig)
	must(err)
	b.set(s, twin)
	g.bundleVector("custody/event-high-s-twin", b, failed("custody-log.md, What a verifier checks", "event 4, signed with ECDSA and declaring low_s, its signature exchanged for the twin (r, n−s), which verifies as well", "custody.event", "FORMAT_FAILURE").withSigner("signer.pub").at(4))
}

// laterVersionEvents: the extension rule (custody-log.md, Extensions).
// What a later version of the format may add to a log, signed by its
// actor and chained, is INDETERMINATE (not implemented), never FAILED;
// a part of no event is still FAILED.
func (g *generator) laterVersionEvents(logged *bundle) {
	const rule = "custody-log.md, Extensions"
	later := func(name, desc string, edit func(event string) string) {
		e := indeterminate(rule, desc, "custody.event", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub").at(2)
		g.bundleVector("custody/event-"+name, g.resigned(logged, edit), e)
	}
	later("unknown-member", "event 2 with a member this version does not know, signed and chained: a later version's", replaceOnceIn(`"action":`, `"a_note":"x","action":`))
	later("action-unknown", "event 2 with an action this version does not know, signed and chained: a later version's", replaceOnceIn(`"action":"transferred"`, `"action":"destroyed"`))

	chained := g.resigned(logged, replaceOnceIn(`"actor":{`, `"actor":{"email":"perito@example.org",`))
	chained.appendEvent(g.p.signer, custodylog.Event{Action: custodylog.Received, Actor: custodylog.Actor{Name: "Dra. Vectores", Role: "clinician"}}, nil)
	g.bundleVector("custody/event-later-chained", chained, indeterminate(rule, "event 2 with a member inside actor this version does not know; event 3 chains through it (prev, prev_sig) and passes", "custody.event", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub").at(2))

	part := logged.clone()
	part.entries = append(part.entries, entry{manifest.CustodyDir + "0002.later", []byte("a later version's part of event 2")})
	g.bundleVector("custody/entry-later-part", part, indeterminate(rule, "an entry 0002.later, a part of event 2 this version does not know: signed by nothing it can read, not shown altered", "custody.log", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub"))

	orphan := logged.clone()
	orphan.entries = append(orphan.entries, entry{manifest.CustodyDir + "0009.later", []byte("no event 9")})
	g.bundleVector("custody/entry-later-part-no-event", orphan, failed(rule, "an entry 0009.later of an event that does not exist: a gap in the log", "custody.log", "HASH_FAILURE").withSigner("signer.pub"))
}
