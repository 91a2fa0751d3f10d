package verify

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/internal/verdict"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/keys/sigstream"
	"github.com/custody-toolkit/custody/manifest"
)

// CustodyEvent is one event of the bundle's chain-of-custody log
// (docs/custody-log.md), as far as the verifier read it.
type CustodyEvent struct {
	Seq    int              `json:"seq"`
	Time   string           `json:"time"` // claimed by the actor
	Action string           `json:"action"`
	Note   string           `json:"note"`
	Actor  custodylog.Actor `json:"actor"` // name and role claimed; fingerprint proven
	// Recognised: the actor's key is in --trust-actors, under KnownAs.
	Recognised bool       `json:"recognised"`
	KnownAs    string     `json:"known_as,omitempty"`
	Timestamp  *Timestamp `json:"timestamp,omitempty"` // the event's RFC 3161 token, if any
}

// clockSkew is how far apart honest clocks may be: an event claiming a time
// earlier than a proven time by more than this is flagged.
const clockSkew = 5 * time.Minute

// checkTokenSeal checks the signer's commitment to the stored tokens: the
// exporter's "sealed" event 1 lists the SHA-256 of each of them, in order,
// signed by the key that sealed the manifest. A token is a TSA's signature
// over ours, so no signature of ours covers its bytes but this one; with
// it, a token removed, added, replaced (even by a valid token of another
// trusted TSA) or edited fails by the signer's own signature, and the
// token checks may read tokens as leniently as honest TSAs need
// (tokensSealed). A bundle without the commitment (sealed before it
// existed, or whose log is missing: checkCustodyLog says so) is checked as
// before. sig is manifest.sig's bytes, tokens the number of stored tokens;
// it returns whether the tokens are sealed, and the SHA-256 of each
// transparency log entry as event 1 commits to them (nil without that
// commitment; checkTransparency holds the entries to it).
func (v *bundleVerifier) checkTokenSeal(m *manifest.Manifest, sig []byte, tokens int) (tokensSealed bool, sealedLogEntries []string) {
	data, err := v.b.ReadSmall(custodylog.EntryName(1, custodylog.PartEvent), manifest.MaxMetaEntrySize)
	if err != nil {
		return false, nil
	}
	e, _, err := parseEvent(data)
	if err != nil || e.Tokens == nil && e.Transparency == nil {
		return false, nil // no commitment; a broken event 1 is checkCustodyLog's to report
	}
	if e.Actor.Fingerprint != m.Signer.Fingerprint || e.Bundle != custodylog.Digest(sig) {
		v.failWith(verdict.CheckID{ID: "token.seal"}, because(SigCryptoFailure, "custody event 1 commits to the timestamp tokens, but is not this seal's own event: key %s, seal %s (this bundle: key %s, seal %s)",
			e.Actor.Fingerprint, e.Bundle, m.Signer.Fingerprint, custodylog.Digest(sig)))
		return false, nil
	}
	lv := &logVerifier{v: v, m: m}
	if err := lv.checkSignature(1, e, data); errors.Is(err, sigalg.ErrConstraint) {
		return false, nil // a key that proves nothing commits to nothing; the seal's check says why
	} else if err != nil {
		v.failWith(verdict.CheckID{ID: "token.seal"}, because(SigCryptoFailure, "custody event 1, which commits to the timestamp tokens: %v", err))
		return false, nil
	}
	if e.Tokens == nil {
		return false, e.Transparency
	}
	if err := v.matchSealedTokens(e.Tokens, tokens); err != nil {
		v.failWith(verdict.CheckID{ID: "token.seal"}, err)
		return false, nil
	}
	v.pass("token seal", "the %d stored timestamp token(s) are byte for byte those the signer sealed (custody event 1, signed by key %s)", tokens, e.Actor.Fingerprint)
	return true, e.Transparency
}

// matchSealedTokens compares the stored tokens (how many: stored) with the
// digests the signer sealed: same number, same order, same bytes.
func (v *bundleVerifier) matchSealedTokens(sealed []string, stored int) error {
	for i := range max(len(sealed), stored) {
		name := manifest.TokenEntryName(i)
		switch {
		case i >= stored:
			return because(SignedDataNotFound, "%s was removed: the signer sealed %d timestamp token(s) (custody event 1), the bundle holds %d", name, len(sealed), stored)
		case i >= len(sealed):
			return because(HashFailure, "%s was added after sealing: the signer sealed %d timestamp token(s) (custody event 1)", name, len(sealed))
		}
		got, err := v.hashEntry(name)
		if err != nil {
			return err
		}
		if got != sealed[i] {
			return because(HashFailure, "%s is not the token the signer sealed: SHA-256 %s, custody event 1 seals %s (replaced or altered)", name, got, sealed[i])
		}
	}
	return nil
}

// checkCustodyLog verifies every event of META-INF/custody/: its
// signature by the key it carries, its link to the event before it, its
// reference to this bundle's seal, its number, and its timestamp. The first
// broken event fails the bundle: what follows it cannot be placed. The log
// lies outside the seal; when the signed manifest declares custody_log, the
// log must be there and begin with the exporter's own "sealed" event, so
// that it can be cut short but not removed or replaced whole. seal is the
// manifest's signature (checkManifest), tokens the number of stored
// tokens, sealProofs the trusted ones; it returns, for the long-term
// checks, the trusted renewals and the revocation data the log carries.
func (v *bundleVerifier) checkCustodyLog(m *manifest.Manifest, seal sealResult, tokens int, sealProofs []proof) (renewals []proof, revocations []revocationData) {
	n, unknownEntries, err := custodylog.CountExtended(v.b.Names())
	if err != nil {
		v.fail("custody log", "%v", err)
		return nil, nil
	}
	if n == 0 {
		if m.CustodyLog {
			v.fail("custody log", "the custody log was removed: manifest.json declares custody_log (the bundle was sealed with one), but there is no event under %s", manifest.CustodyDir)
			return nil, nil
		}
		v.add("custody log", Info, "no custody log in this bundle")
		return nil, nil
	}
	lv := &logVerifier{v: v, m: m, bundle: custodylog.Digest(seal.sig), manifestSHA256: seal.manifestSHA256, tokens: tokens, prev: custodylog.ZeroDigest, keys: map[string]bool{}}
	for _, p := range sealProofs {
		lv.sealProven = later(lv.sealProven, p.ts.Time)
	}
	for seq := 1; seq <= n; seq++ {
		if !lv.event(seq) {
			return lv.renewals, lv.revocations
		}
	}
	lv.checkTimes()
	first, last := v.rep.Custody[0], v.rep.Custody[n-1]
	summary := fmt.Sprintf("%d events from %s to %s: every signature valid, each linked to the one before and to this bundle's seal", n, first.Time, last.Time)
	if len(unknownEntries) > 0 {
		// The extension rule: a later version's part of an event, signed by
		// nothing this verifier can read; not shown altered, not checked.
		v.add("custody log", Indeterminate, "%s; but %s: entries of a later version of the format, which this verifier cannot check (unsigned by anything it can read)", summary, strings.Join(unknownEntries, ", "))
		v.rep.Checks[len(v.rep.Checks)-1].Sub = FormatNotImplemented
	} else {
		v.pass("custody log", "%s", summary)
	}
	lv.noteActors()
	return lv.renewals, lv.revocations
}

type logVerifier struct {
	v          *bundleVerifier
	bundle     string          // digest of manifest.sig
	prev       string          // digest of the previous event's entry
	prevSig    string          // digest of the previous event's signature
	prevToken  string          // digest of the previous event's token; "" without one
	sealProven time.Time       // latest trusted genTime over the manifest
	proven     time.Time       // latest trusted genTime over an event so far
	keys       map[string]bool // fingerprints seen
	times      []eventTime     // each event's claimed and proven times (custodytime.go)
	// What the checks before the log proved: the parsed manifest, the
	// number of stored tokens over manifest.sig, and the manifest's
	// SHA-256 (hex), which renewals cover.
	m              *manifest.Manifest
	tokens         int
	manifestSHA256 string
	// Collected for the long-term checks: the trusted renewals, and the
	// revocation data the events carry.
	renewals    []proof
	revocations []revocationData
}

// read reads part of event seq: an event, a key or a signature, at most
// 1 MiB (a larger key or signature is none of the format: limits.go).
func (lv *logVerifier) read(seq int, part string) ([]byte, error) {
	name := custodylog.EntryName(seq, part)
	if part == custodylog.PartKey || part == custodylog.PartSignature {
		if err := lv.v.tooLargeForFormat(name); err != nil {
			return nil, err
		}
	}
	return lv.v.b.ReadSmall(name, manifest.MaxMetaEntrySize)
}

// event checks event seq and adds it to the timeline; false stops the log.
func (lv *logVerifier) event(seq int) bool {
	v, id := lv.v, verdict.CustodyCheckID(seq, "custody.event")
	if err := v.tooLarge(custodylog.EntryName(seq, custodylog.PartEvent), manifest.MaxMetaEntrySize); err != nil {
		return lv.unreadEvent(seq, err)
	}
	data, err := lv.read(seq, custodylog.PartEvent)
	if err != nil {
		v.failID(id, "%v", err)
		return false
	}
	e, unknown, err := parseEvent(data)
	if err != nil {
		v.failWith(id, because(FormatFailure, "%s: %v", custodylog.EntryName(seq, custodylog.PartEvent), err))
		return false
	}
	var unproven error // the signature's key, refused by its algorithm's constraints
	ce := CustodyEvent{Seq: e.Seq, Time: e.Time, Action: e.Action, Note: e.Note, Actor: e.Actor}
	if fp := e.Actor.Fingerprint; v.opts.Actors != nil {
		ce.KnownAs, ce.Recognised = v.opts.Actors[fp]
	}
	switch {
	case e.Seq != seq:
		v.failID(id, "the event says it is number %d: moved or renumbered", e.Seq)
	case e.Bundle != lv.bundle:
		v.failID(id, "the event belongs to the bundle sealed by signature %s, not this one (%s): copied from another bundle", e.Bundle, lv.bundle)
	case e.Prev != lv.prev:
		v.failID(id, "prev %s does not match the event before it (%s): an event was removed, reordered or edited", e.Prev, lv.prev)
	case seq == 1 && lv.m.CustodyLog && (e.Action != custodylog.Sealed || e.Actor.Fingerprint != lv.m.Signer.Fingerprint):
		// Without this, removing the log and appending a new event 1
		// would pass for the log the bundle was sealed with.
		v.failID(id, "manifest.json declares custody_log, so event 1 must be the exporter's %q event signed by the manifest's key %s; this one is %q by key %s: the custody log was removed and started again",
			custodylog.Sealed, lv.m.Signer.Fingerprint, e.Action, e.Actor.Fingerprint)
	default:
		err := lv.checkSignature(seq, e, data)
		if errors.Is(err, sigalg.ErrConstraint) {
			// A key its algorithm refuses (an RSA key of 1024 bits) proves
			// nothing, forged or not: the event is reported so, and the
			// events after it, which chain through it, are checked.
			unproven, err = err, nil
		}
		if err == nil {
			err = lv.checkCommitments(seq, e)
		}
		if err == nil {
			err = lv.checkRevocationEntries(seq, e)
		}
		if err == nil && e.Action == custodylog.Renewed {
			err = lv.checkRenewalCovers(e)
		}
		if err != nil {
			v.failWith(id, err)
		}
	}
	if v.stopped {
		return false
	}
	v.rep.Custody = append(v.rep.Custody, ce)
	lv.prev = custodylog.Digest(data)
	lv.prevSig, lv.prevToken = lv.partDigest(seq, custodylog.PartSignature), lv.partDigest(seq, custodylog.PartToken)
	lv.keys[e.Actor.Fingerprint] = true
	stamped := lv.checkToken(seq, e, data, &v.rep.Custody[len(v.rep.Custody)-1])
	if unproven != nil {
		v.addID(id, Indeterminate, "%s by %s, key %s, at %s: linked%s; but its signature cannot establish anything: %v", e.Action, actorName(e.Actor), e.Actor.Fingerprint, e.Time, stamped, unproven)
		v.rep.Checks[len(v.rep.Checks)-1].Sub = CryptoConstraintsFailure
		return true
	}
	detail := fmt.Sprintf("%s by %s, key %s, at %s: signature valid, linked%s", e.Action, actorName(e.Actor), e.Actor.Fingerprint, e.Time, stamped)
	if len(unknown) > 0 {
		v.addID(id, Indeterminate, "%s; but it carries what this verifier does not know (%s): written by a later version of the format, its actor signed it, so nothing is shown altered, and what it says is not checked", detail, strings.Join(unknown, ", "))
		v.rep.Checks[len(v.rep.Checks)-1].Sub = FormatNotImplemented
		return true
	}
	v.addID(id, Passed, "%s", detail)
	return true
}

// unreadEvent notes event seq, larger than this verifier reads (err says
// so), INDETERMINATE: what it says is not known. Its signature is still
// checked, with the key stored beside it, over its bytes as they stream
// (custody-log.md, rule 14): a genuine event always verifies so, whatever
// its size, so one that does not is proof that the event, its key or its
// signature was altered. The log goes on: the next event's prev commits
// to its bytes, hashed in the same read, so an edit of them is still
// FAILED there.
func (lv *logVerifier) unreadEvent(seq int, err error) bool {
	v, id := lv.v, verdict.CustodyCheckID(seq, "custody.event")
	name := custodylog.EntryName(seq, custodylog.PartEvent)
	signed, alg := lv.storedKeyVerifier(seq)
	var also []io.Writer
	if signed != nil {
		also = append(also, signed)
	}
	digest, herr := v.hashEntry(name, also...)
	if herr != nil {
		v.failID(id, "%v", herr)
		return false
	}
	if signed != nil && !signed.Verify() {
		v.failWith(id, because(SigCryptoFailure, "the %s signature with the key stored beside it does not verify over %s, read as it streams: the event, its key or its signature was altered", alg.Name, name))
		return false
	}
	v.addID(id, Indeterminate, "%v: not checked, and the events after it are only checked against its digest", err)
	v.rep.Checks[len(v.rep.Checks)-1].Sub = FormatNotImplemented
	v.rep.Custody = append(v.rep.Custody, CustodyEvent{Seq: seq})
	lv.prev = digest
	lv.prevSig, lv.prevToken = lv.partDigest(seq, custodylog.PartSignature), lv.partDigest(seq, custodylog.PartToken)
	return true
}

// storedKeyVerifier starts the check of event seq's signature with the key
// stored beside it, to be written the event's bytes; nil when the key or
// signature cannot be used: the event then stays unread (INDETERMINATE),
// and a key or signature over its own limit is not judged here either, as
// nothing of the event is (whose key it names is unknown).
func (lv *logVerifier) storedKeyVerifier(seq int) (*sigstream.Verifier, *sigalg.Algorithm) {
	pemBytes, err := lv.read(seq, custodylog.PartKey)
	if err != nil {
		return nil, nil
	}
	pub, err := manifest.ParsePublicKey(pemBytes)
	if err != nil {
		return nil, nil
	}
	alg, ok := sigalg.ForKey(pub)
	if !ok || alg.CheckKey(pub) != nil {
		return nil, nil
	}
	sig, err := lv.read(seq, custodylog.PartSignature)
	if err != nil {
		return nil, nil
	}
	return sigstream.NewVerifier(alg, pub, sig), alg
}

// parseEvent reads an event under the extension rule
// (docs/custody-log.md, Extensions): strictly, or else as an event of a
// later version, whose unknown action or members it returns. Only the
// strict error is reported: the event is broken as this version reads it.
func parseEvent(data []byte) (*custodylog.Event, []string, error) {
	e, err := custodylog.Parse(data)
	if err == nil {
		return e, nil, nil
	}
	if later, unknown, lerr := custodylog.ParseExtended(data); lerr == nil {
		return later, unknown, nil
	}
	return nil, nil, err
}

// checkSignature verifies the event's signature with the key stored next
// to it, which must be the key the event names.
func (lv *logVerifier) checkSignature(seq int, e *custodylog.Event, data []byte) error {
	pemBytes, err := lv.read(seq, custodylog.PartKey)
	if err != nil {
		return err
	}
	pub, err := manifest.ParsePublicKey(pemBytes)
	var unsupported *manifest.UnsupportedKeyError
	if errors.As(err, &unsupported) && unsupported.Key != nil {
		pub, err = unsupported.Key, nil // its algorithm's constraints say below why it is refused
	}
	if err != nil {
		return fmt.Errorf("%s: %v", custodylog.EntryName(seq, custodylog.PartKey), err)
	}
	// Pin every byte of the entry: the canonical PEM of the key, nothing
	// around it, so the file cannot change while the key stays the same.
	if !manifest.IsCanonicalPublicKeyPEM(pemBytes, pub) {
		// The writer's one form (bundle-format.md §5), as for signer.pem.
		return because(FormatFailure, "%s is not exactly one PUBLIC KEY PEM block in canonical form", custodylog.EntryName(seq, custodylog.PartKey))
	}
	alg, ok := sigalg.ForKey(pub)
	if !ok {
		return fmt.Errorf("%s: a %T key cannot sign custody events (%s)", custodylog.EntryName(seq, custodylog.PartKey), pub, sigalg.Names())
	}
	if fp, _ := manifest.Fingerprint(pub); fp != e.Actor.Fingerprint {
		return fmt.Errorf("%s holds key %s, but the event names key %s", custodylog.EntryName(seq, custodylog.PartKey), fp, e.Actor.Fingerprint)
	}
	if err := alg.CheckKey(pub); err != nil {
		return fmt.Errorf("%s: %w", custodylog.EntryName(seq, custodylog.PartKey), err)
	}
	sig, err := lv.read(seq, custodylog.PartSignature)
	if err != nil {
		return err
	}
	if !alg.Verify(pub, data, sig) {
		return fmt.Errorf("the %s signature does not verify over %s: the event was edited or its signature replaced", alg.Name, custodylog.EntryName(seq, custodylog.PartEvent))
	}
	return checkLowS(seq, e, pub, sig)
}

// checkLowS: an event that declares low_s holds its ECDSA signature to the
// one twin of the two that verify (custodylog/lows.go); events written
// before the member existed, and Ed25519 events, do not declare it.
func checkLowS(seq int, e *custodylog.Event, pub crypto.PublicKey, sig []byte) error {
	_, isECDSA := pub.(*ecdsa.PublicKey)
	switch {
	case e.LowS && !isECDSA:
		return because(FormatFailure, "%s declares low_s, which only an ECDSA key's event may", custodylog.EntryName(seq, custodylog.PartEvent))
	case e.LowS && !custodylog.IsLowS(pub, sig):
		return because(FormatFailure, "%s is the twin (r, n−s) of the signature the actor made, whose s is the low one the event declares (low_s): replaced", custodylog.EntryName(seq, custodylog.PartSignature))
	}
	return nil
}

// checkCommitments holds a signed event to what it commits to beyond prev
// (events written since the members exist; older ones commit to none of
// them): its own token (timestamped), and the previous event's signature
// and token (prev_sig, prev_token), which no signature covered until now.
func (lv *logVerifier) checkCommitments(seq int, e *custodylog.Event) error {
	own := custodylog.EntryName(seq, custodylog.PartToken)
	switch has := lv.v.b.Has(own); {
	case e.Timestamped && !has:
		return because(SignedDataNotFound, "the event was signed as timestamped, but %s is missing: removed", own)
	case !e.Timestamped && has && e.Commits():
		return because(HashFailure, "%s was added: the event was signed as having no timestamp", own)
	case e.PrevSig == "":
		return nil
	}
	prevSig, prevToken := custodylog.EntryName(seq-1, custodylog.PartSignature), custodylog.EntryName(seq-1, custodylog.PartToken)
	switch {
	case e.PrevSig != lv.prevSig:
		return because(HashFailure, "%s is not the signature this event was linked to (prev_sig %s): replaced", prevSig, e.PrevSig)
	case e.PrevToken == lv.prevToken:
		return nil
	case lv.prevToken == "":
		return because(SignedDataNotFound, "%s was removed: this event's signer sealed it (prev_token %s)", prevToken, e.PrevToken)
	case e.PrevToken == "":
		return because(HashFailure, "%s was added: this event's signer sealed event %d without a token", prevToken, seq-1)
	}
	return because(HashFailure, "%s is not the token this event's signer sealed: SHA-256 %s, prev_token %s (replaced or altered)", prevToken, lv.prevToken, e.PrevToken)
}

// checkRevocationEntries holds the event's revocation entries to its
// revocation list: every byte of revocation data is covered by the
// event's signature, and collected for the long-term checks.
func (lv *logVerifier) checkRevocationEntries(seq int, e *custodylog.Event) error {
	listed := map[string]bool{}
	for k, r := range e.Revocation {
		name := custodylog.RevocationEntryName(seq, k+1, r.Kind)
		listed[name] = true
		if !lv.v.b.Has(name) {
			return because(SignedDataNotFound, "%s was removed: the event was signed with it (revocation[%d])", name, k)
		}
		data, err := lv.readRevocation(name, r)
		if err != nil {
			return err
		}
		lv.revocations = append(lv.revocations, data)
	}
	for name := range lv.v.b.EachName() {
		if !strings.HasPrefix(name, manifest.CustodyDir) {
			continue // a message or file: not parsed, each would make an error
		}
		at, part, err := custodylog.ParseEntryName(name)
		if err == nil && at == seq && strings.Contains(part, ".") && !listed[name] { // NNNN.K.crl|ocsp
			return because(HashFailure, "%s was added: the event was signed without it", name)
		}
	}
	return nil
}

// readRevocation reads revocation entry name, which the event lists as
// r: its bytes must be those the event was signed with. One larger than
// this verifier reads is hashed as a stream, and kept unread.
func (lv *logVerifier) readRevocation(name string, r custodylog.Revocation) (revocationData, error) {
	data := revocationData{entry: name, kind: r.Kind}
	var digest string
	var err error
	if data.unread = lv.v.tooLarge(name, manifest.MaxMetaEntrySize); data.unread != nil {
		digest, err = lv.v.hashEntry(name)
	} else if data.der, err = lv.v.b.ReadSmall(name, manifest.MaxMetaEntrySize); err == nil {
		digest = custodylog.Digest(data.der)
	}
	switch {
	case err != nil:
		return data, err
	case digest != r.SHA256:
		return data, because(HashFailure, "%s is not the revocation data the event was signed with: SHA-256 %s, listed %s (replaced or altered)", name, digest, r.SHA256)
	}
	return data, nil
}

// checkRenewalCovers: a renewal commits to this seal's manifest and to
// its tokens exactly, as event 1 does (matchSealedTokens).
func (lv *logVerifier) checkRenewalCovers(e *custodylog.Event) error {
	if e.Manifest != lv.manifestSHA256 {
		return because(HashFailure, "the renewal covers manifest.json with SHA-256 %s, but this bundle's is %s", e.Manifest, lv.manifestSHA256)
	}
	return lv.v.matchSealedTokens(e.Tokens, lv.tokens)
}

// partDigest is the digest of a part of event seq, hashed as a stream
// whatever its size (a token the reader will not parse is still
// committed to); "" when it is absent or unreadable (then no commitment
// can match it).
func (lv *logVerifier) partDigest(seq int, part string) string {
	name := custodylog.EntryName(seq, part)
	if !lv.v.b.Has(name) {
		return ""
	}
	digest, err := lv.v.hashEntry(name)
	if err != nil {
		return ""
	}
	return digest
}

// checkToken verifies the event's optional timestamp and places the event's
// claimed time against the proven ones. It returns a phrase for the
// event's check.
func (lv *logVerifier) checkToken(seq int, e *custodylog.Event, data []byte, ce *CustodyEvent) string {
	v, id := lv.v, verdict.CustodyCheckID(seq, "custody.timestamp")
	claimed, _ := custodylog.ParseTime(e.Time) // Parse checked it
	bound := lv.proven
	if !(seq == 1 && e.Action == custodylog.Sealed) {
		// Only the exporter's own "sealed" event comes before the
		// manifest's timestamp; every later event comes after it.
		bound = later(bound, lv.sealProven)
	}
	lv.times = append(lv.times, eventTime{seq: seq, claimed: claimed, after: bound})
	entry := custodylog.EntryName(seq, custodylog.PartToken)
	if !v.b.Has(entry) {
		return ""
	}
	res, err := lv.verifyToken(seq, entry, e, data)
	if subOf(err) == FormatNotImplemented {
		v.addID(id, Indeterminate, "%v: the event's time %s is only claimed", err, e.Time)
		v.rep.Checks[len(v.rep.Checks)-1].Sub = FormatNotImplemented
		return ", timestamp not read"
	}
	if err != nil {
		// Never silently ignored, and FAILED only when proven altered: the
		// token's presence is the event's own commitment (checkCommitments)
		// and its bytes the next event's (prev_token); unsealed, a token
		// that does not verify may be a damaged one or a TSA's own fault.
		v.addID(id, Indeterminate, "%s does not verify (%v): damaged, or not a token over this event's signature; the event's time %s is only claimed", entry, err, e.Time)
		v.rep.Checks[len(v.rep.Checks)-1].Sub = subOf(err)
		return ", timestamp does not verify"
	}
	ts := res.Timestamp
	ts.File = entry
	ce.Timestamp = &ts
	if !ts.Trusted {
		v.addID(id, Info, "%s is intact but does not chain to a --trust anchor: the event's time %s is only claimed", entry, e.Time)
		return ", timestamp not trusted"
	}
	lv.proven = later(lv.proven, ts.Time)
	lv.times[len(lv.times)-1].proven = ts.Time
	if e.Action == custodylog.Renewed {
		der, _ := v.b.ReadSmall(entry, manifest.MaxMetaEntrySize) // read by verifyToken
		lv.renewals = append(lv.renewals, newProof(fmt.Sprintf("renewal (custody event %d)", seq), ts, res.SignerCert, der))
		return fmt.Sprintf(", archive timestamp %s by %s", ts.Time.UTC().Format(time.RFC3339), ts.TSA)
	}
	return fmt.Sprintf(", timestamped %s by %s", ts.Time.UTC().Format(time.RFC3339), ts.TSA)
}

// verifyToken verifies event seq's token over its signature. An error is
// a token that is not intact: unreadable, or a check other than the chain
// to a --trust anchor did not pass (an intact token from a TSA the
// verifier does not trust is no defect; it only proves nothing).
func (lv *logVerifier) verifyToken(seq int, entry string, e *custodylog.Event, data []byte) (*TokenResult, error) {
	if err := lv.v.tooLarge(entry, MaxTokenSize); err != nil {
		return nil, err
	}
	der, err := lv.v.b.ReadSmall(entry, MaxTokenSize)
	if err != nil {
		return nil, err
	}
	sig, _ := lv.read(seq, custodylog.PartSignature) // read by checkSignature
	if e.Action == custodylog.Renewed {
		sig = data // an archive timestamp covers the event's JSON (docs/long-term.md)
	}
	// Under Unsealed whether or not the next event commits to
	// the token: an oddity in its certificates is INDETERMINATE, never INFO.
	res, err := VerifyToken(der, bytes.NewReader(sig), TokenOptions{Roots: lv.v.opts.Trust, Stored: true, Unsealed: true})
	if err != nil {
		return nil, err
	}
	for _, c := range res.Checks {
		if c.Status != Passed && c.Name != CheckTokenChain {
			// The token check's own reason: what is wrong with the token.
			return nil, because(c.SubIndication(), "%s: %s", c.Name, c.Detail)
		}
	}
	return res, nil
}

// reasoned is an error that knows its sub-indication.
type reasoned struct {
	sub SubIndication
	err error
}

func (r reasoned) Error() string { return r.err.Error() }

func because(sub SubIndication, format string, args ...any) error {
	return reasoned{sub, fmt.Errorf(format, args...)}
}

// subOf is err's sub-indication, "" (the check's usual one) if it has none.
func subOf(err error) SubIndication {
	var r reasoned
	if errors.As(err, &r) {
		return r.sub
	}
	return ""
}

// failWith fails check id with err as its detail and reason.
func (v *bundleVerifier) failWith(id CheckID, err error) {
	v.failID(id, "%v", err)
	v.rep.Checks[len(v.rep.Checks)-1].Sub = subOf(err)
}

// noteActors says whose events the verifier recognised: the signatures
// prove which key acted, only --trust-actors says whose key it is.
func (lv *logVerifier) noteActors() {
	v := lv.v
	if v.opts.Actors == nil {
		v.add("custody actors", Info, "the actors' identities were NOT checked (no --trust-actors): %d events by %d keys", len(v.rep.Custody), len(lv.keys))
		return
	}
	for _, ce := range v.rep.Custody {
		if !ce.Recognised {
			v.addID(verdict.CustodyCheckID(ce.Seq, "custody.actor"), Info, "unrecognised: key %s (claiming to be %s) is not in --trust-actors", ce.Actor.Fingerprint, actorName(ce.Actor))
		}
	}
}

func actorName(a custodylog.Actor) string {
	name := a.Name
	if name == "" {
		name = "(no name)"
	}
	if a.Role != "" {
		name += " (" + a.Role + ")"
	}
	return fmt.Sprintf("%q", name)
}

func isDigest(s string) bool { _, ok := manifest.ParseDigest(s); return ok }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ParseActors reads a --trust-actors file: one "FINGERPRINT<TAB>NAME" per
// line, where FINGERPRINT is the SHA-256 of the actor's DER public key in
// hex; blank lines and lines starting with # are ignored. It returns the
// names by lowercase fingerprint.
func ParseActors(data []byte) (map[string]string, error) {
	actors := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fp, name, ok := strings.Cut(text, "\t")
		fp, name = strings.ToLower(strings.TrimSpace(fp)), strings.TrimSpace(name)
		switch {
		case !ok || name == "":
			return nil, fmt.Errorf("line %d: want FINGERPRINT<TAB>NAME", line)
		case !isDigest(fp):
			return nil, fmt.Errorf("line %d: %q is not a SHA-256 fingerprint (64 hex digits)", line, fp)
		case actors[fp] != "":
			return nil, fmt.Errorf("line %d: fingerprint %s is listed twice", line, fp)
		}
		actors[fp] = name
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line too long or unreadable: %w", err)
	}
	return actors, nil
}

// RecordNote words a verification's verdict for the note of a "verified"
// custody event: custody-verify --record and custody log append --action
// verified record the same sentence.
func (r *Report) RecordNote() string {
	note := fmt.Sprintf("custody-verify verdict: %s; manifest SHA-256 %s; %d custody events before this one", r.Result, r.Manifest, len(r.Custody))
	for _, c := range r.Checks {
		if c.Status == Failed || c.Status == Indeterminate {
			note += fmt.Sprintf("; %s %s: %s", c.Status, c.Name, c.Detail)
			break
		}
	}
	if len(note) > custodylog.MaxNoteBytes/2 {
		note = note[:custodylog.MaxNoteBytes/2] + "…"
	}
	return note
}
