// Package custodylog is the chain-of-custody log of a bundle
// (docs/custody-log.md): who held the evidence, when, and what they did
// with it. The log lives under META-INF/custody/, outside the sealed
// content, so that appending an event never changes manifest.json, its
// signature or its timestamps.
//
// Each event is canonical JSON (RFC 8785) signed by its actor's key. It
// names the bundle it belongs to (the SHA-256 of META-INF/manifest.sig) and
// the event before it (the SHA-256 of that event's entry), so an event
// removed, reordered, edited or copied from another bundle breaks the log.
//
// The same signatures seal the bytes nobody else signs for us: RFC 3161
// tokens are a TSA's signature over our signature, so nothing of ours
// covers the token itself. Events written since 2026-11-26 therefore also
// commit to them: the exporter's "sealed" event 1 lists the SHA-256 of
// every manifest token (tokens), each event says whether it has a token of
// its own (timestamped), and each later event names the previous event's
// signature and token (prev_sig, prev_token). A token removed, added,
// replaced or edited then breaks a signature, whatever a verifier thinks
// of the token's encoding. Events without these members (older logs) keep
// verifying as they did. The entries of an event:
//
//	META-INF/custody/0001.json  the event
//	META-INF/custody/0001.sig   the actor's signature over 0001.json
//	META-INF/custody/0001.pem   the actor's public key
//	META-INF/custody/0001.tsr   optional RFC 3161 TimeStampResp over 0001.sig
//
// This package is the format only: the events, their encoding and entry
// names, what a verifier needs to read the log. Signing and appending
// events (with the lock that keeps two appends from losing each other) is
// package custodylog/logwriter; checking signatures and timestamps is
// package verify's, as part of the bundle.
package custodylog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/custody-toolkit/custody/manifest"
)

// Actions an event may record.
const (
	Sealed           = "sealed"
	Transferred      = "transferred"
	Received         = "received"
	Verified         = "verified"
	AttachedToRecord = "attached-to-record"
	Reviewed         = "reviewed"
	Returned         = "returned"
	// Renewed: an archive timestamp (docs/long-term.md). Its token's
	// imprint is the SHA-256 of the event's JSON, which commits by digest
	// to the manifest, its signature, every token and the log before it.
	Renewed = "renewed"
	Other   = "other" // requires a note saying what happened
)

// Actions lists every action, in the order of a typical custody.
var Actions = []string{Sealed, Transferred, Received, Verified, AttachedToRecord, Reviewed, Returned, Renewed, Other}

// Bounds of an event: a log is read whole by verifiers, so every part of it
// is small.
const (
	MaxEvents    = 9999 // four-digit entry numbers
	MaxNoteBytes = 4096
	MaxNameBytes = 256
)

// ZeroDigest is the prev of the first event.
const ZeroDigest = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one entry of the log.
type Event struct {
	Seq    int    `json:"seq"`    // 1, 2, … without gaps; the entry number
	Time   string `json:"time"`   // claimed by the actor: RFC 3339, UTC, whole seconds
	Actor  Actor  `json:"actor"`  //
	Action string `json:"action"` // one of Actions
	Note   string `json:"note"`   // free text, may be empty (not for "other")
	Bundle string `json:"bundle"` // hex SHA-256 of the bytes of META-INF/manifest.sig
	Prev   string `json:"prev"`   // hex SHA-256 of the previous event's entry; ZeroDigest for the first

	// Commitments to the parts no signature of ours covers
	// (docs/custody-log.md). Optional: events written before they existed
	// lack them, and a member is omitted rather than written empty.

	// Tokens, in a "sealed" event 1 only: the SHA-256 of each stored
	// manifest token, META-INF/manifest.tsr, manifest.2.tsr, … in order.
	Tokens []string `json:"tokens,omitempty"`
	// Timestamped: the event's signature was sent to a TSA and its token
	// is stored as NNNN.tsr (written only when true).
	Timestamped bool `json:"timestamped,omitzero"`
	// PrevSig, from event 2 on: the SHA-256 of the previous event's .sig.
	// Its presence also says that PrevToken is absent only when the
	// previous event has no token.
	PrevSig string `json:"prev_sig,omitempty"`
	// PrevToken: the SHA-256 of the previous event's .tsr, when it has one.
	PrevToken string `json:"prev_token,omitempty"`
	// LowS: the event is signed with an ECDSA key and its signature has
	// s ≤ n/2, so that its computable twin is refused (lows.go; written
	// only when true).
	LowS bool `json:"low_s,omitzero"`

	// Manifest, in a "renewed" event only (required there): the SHA-256
	// of manifest.json, so that the archive timestamp covers the sealed
	// content by hash alone, not through the signer's algorithm.
	Manifest string `json:"manifest,omitempty"`
	// Transparency, in a "sealed" event 1 only: the SHA-256 of each
	// transparency log entry of a v4 bundle, META-INF/custody/
	// transparency/1.json, 2.json, … in order (bundle-format.md §6.1).
	// A log entry is the log's statement, not ours: this commits to it.
	Transparency []string `json:"transparency,omitempty"`
	// Revocation lists the revocation data the event carries, entries
	// NNNN.1.crl, NNNN.2.ocsp, … in this order (RevocationEntryName).
	Revocation []Revocation `json:"revocation,omitempty"`
}

// Revocation is one CRL or OCSP response a custody event carries.
type Revocation struct {
	Kind   string `json:"kind"`   // RevocationCRL or RevocationOCSP
	SHA256 string `json:"sha256"` // of the entry's bytes, hex
}

// Kinds of revocation data, also the extensions of their entries.
const (
	RevocationCRL  = "crl"  // a DER CRL (RFC 5280)
	RevocationOCSP = "ocsp" // a DER OCSPResponse (RFC 6960)
)

// MaxRevocations bounds the revocation data of one event.
const MaxRevocations = 64

// Actor is who did what the event records. Only the fingerprint is proven
// (by the signature); the name and role are what the actor claims.
type Actor struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	Fingerprint string `json:"fingerprint"` // SHA-256 of the DER public key, hex
}

// Marshal encodes the event canonically (RFC 8785): the bytes that are
// signed and stored.
func (e *Event) Marshal() ([]byte, error) {
	if err := e.Check(); err != nil {
		return nil, err
	}
	return manifest.Marshal(e)
}

// Parse decodes an event entry strictly: canonical JSON, no unknown or
// duplicate member, every field well-formed (Check).
func Parse(data []byte) (*Event, error) {
	var e Event
	if err := manifest.Unmarshal(data, &e); err != nil {
		return nil, err
	}
	if err := e.Check(); err != nil {
		return nil, err
	}
	return &e, nil
}

// Check checks each field on its own; how an event fits its bundle and
// the event before it is for the verifier.
func (e *Event) Check() error { return e.check(true) }

// check checks the fields; without knownAction (an action of a later
// version, ParseExtended) it skips the rules that depend on the action,
// which that version defines.
func (e *Event) check(knownAction bool) error {
	switch {
	case e.Seq < 1 || e.Seq > MaxEvents:
		return fmt.Errorf("field seq: %d is not in 1…%d", e.Seq, MaxEvents)
	case knownAction && !slices.Contains(Actions, e.Action):
		return fmt.Errorf("field action: %q is not one of %s", e.Action, strings.Join(Actions, ", "))
	case e.Action == Other && strings.TrimSpace(e.Note) == "":
		return fmt.Errorf("field note: action %q needs a note saying what happened", Other)
	case !isHex64(e.Bundle):
		return fmt.Errorf("field bundle: %q is not a SHA-256 in lowercase hex", e.Bundle)
	case !isHex64(e.Prev):
		return fmt.Errorf("field prev: %q is not a SHA-256 in lowercase hex", e.Prev)
	case !isHex64(e.Actor.Fingerprint):
		return fmt.Errorf("field actor.fingerprint: %q is not a SHA-256 in lowercase hex", e.Actor.Fingerprint)
	case e.Seq == 1 && e.Prev != ZeroDigest:
		return fmt.Errorf("field prev: the first event's prev must be %d zeros", len(ZeroDigest))
	}
	if _, err := ParseTime(e.Time); err != nil {
		return err
	}
	if err := e.checkCommitments(knownAction); err != nil {
		return err
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"actor.name", e.Actor.Name, MaxNameBytes}, {"actor.role", e.Actor.Role, MaxNameBytes}, {"note", e.Note, MaxNoteBytes}} {
		if err := checkText(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	return nil
}

// checkCommitments: each commitment only where it can mean something, so
// that one log has one encoding (where, for an action of a later version,
// that version says).
func (e *Event) checkCommitments(knownAction bool) error {
	switch {
	case knownAction && e.Tokens != nil && !(e.Seq == 1 && e.Action == Sealed) && e.Action != Renewed:
		return fmt.Errorf("field tokens: only the %q event 1 and %q events commit to the manifest's tokens", Sealed, Renewed)
	case e.Action == Renewed && (e.Tokens == nil || !isHex64(e.Manifest) || !e.Timestamped):
		return fmt.Errorf("fields tokens, manifest, timestamped: a %q event commits to the manifest and its tokens and carries its archive timestamp", Renewed)
	case knownAction && e.Transparency != nil && !(e.Seq == 1 && e.Action == Sealed):
		return fmt.Errorf("field transparency: only the %q event 1 commits to the transparency log entries", Sealed)
	case knownAction && e.Manifest != "" && e.Action != Renewed:
		return fmt.Errorf("field manifest: only in a %q event", Renewed)
	case e.Revocation != nil && len(e.Revocation) == 0, len(e.Revocation) > MaxRevocations:
		return fmt.Errorf("field revocation: %d entries, want 1…%d", len(e.Revocation), MaxRevocations)
	case e.Seq == 1 && (e.PrevSig != "" || e.PrevToken != ""):
		return errors.New("field prev_sig, prev_token: event 1 has no previous event")
	case e.PrevToken != "" && e.PrevSig == "":
		return errors.New("field prev_token: only with prev_sig")
	case e.PrevSig != "" && !isHex64(e.PrevSig):
		return fmt.Errorf("field prev_sig: %q is not a SHA-256 in lowercase hex", e.PrevSig)
	case e.PrevToken != "" && !isHex64(e.PrevToken):
		return fmt.Errorf("field prev_token: %q is not a SHA-256 in lowercase hex", e.PrevToken)
	}
	for _, list := range []struct {
		field   string
		digests []string
	}{{"tokens", e.Tokens}, {"transparency", e.Transparency}} {
		for i, d := range list.digests {
			if !isHex64(d) {
				return fmt.Errorf("field %s[%d]: %q is not a SHA-256 in lowercase hex", list.field, i, d)
			}
		}
	}
	for i, r := range e.Revocation {
		if r.Kind != RevocationCRL && r.Kind != RevocationOCSP || !isHex64(r.SHA256) {
			return fmt.Errorf("field revocation[%d]: want kind %q or %q and a SHA-256 in lowercase hex", i, RevocationCRL, RevocationOCSP)
		}
	}
	return nil
}

// Commits reports whether the event commits to every part around it
// (tokens, timestamped, prev_sig): then a token it does not declare was
// added. Events written before the commitments existed do not.
func (e *Event) Commits() bool { return e.PrevSig != "" || e.Tokens != nil }

// ParseTime reads an event time: RFC 3339, UTC ("Z"), whole seconds.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || !strings.HasSuffix(s, "Z") || strings.Contains(s, ".") {
		return time.Time{}, fmt.Errorf("field time: %q is not an RFC 3339 UTC time in whole seconds", s)
	}
	return t, nil
}

// FormatTime is the event form of t.
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// checkText refuses control characters other than newline and tab: a note
// shown in a terminal or a report must not be able to rewrite what is
// displayed around it.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("field %s: %d bytes, more than the %d allowed", field, len(s), max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("field %s: not valid UTF-8", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("field %s: control character %U is not allowed", field, r)
		}
	}
	return nil
}

// Digest is the lowercase hex SHA-256 of data: what bundle and prev hold.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func isHex64(s string) bool { _, ok := manifest.ParseDigest(s); return ok }

// The parts of an event, each an entry of the log.
const (
	PartEvent     = "json" // the event
	PartSignature = "sig"  // the actor's signature over the event
	PartKey       = "pem"  // the actor's public key
	PartToken     = "tsr"  // optional RFC 3161 token over the signature
)

// EntryName is the name of part of event seq: META-INF/custody/0001.json.
func EntryName(seq int, part string) string {
	return fmt.Sprintf("%s%04d.%s", manifest.CustodyDir, seq, part)
}

// RevocationEntryName is the name of the k-th (from 1) revocation entry of
// event seq: META-INF/custody/0003.1.crl.
func RevocationEntryName(seq, k int, kind string) string {
	return EntryName(seq, strconv.Itoa(k)+"."+kind)
}

// ParseEntryName splits a name under META-INF/custody/ into its event
// number and part (json, sig, pem, tsr, or K.crl / K.ocsp for revocation
// data); anything else there is an error.
func ParseEntryName(name string) (seq int, part string, err error) {
	rest, ok := strings.CutPrefix(name, manifest.CustodyDir)
	num, part, dot := strings.Cut(rest, ".")
	if !ok || !dot || len(num) != 4 || !slices.Contains([]string{PartEvent, PartSignature, PartKey, PartToken}, part) && !isRevocationPart(part) {
		return 0, "", unexpectedEntry(name)
	}
	seq, err = strconv.Atoi(num)
	if err != nil || seq < 1 || strings.ContainsAny(num, "+-") {
		return 0, "", unexpectedEntry(name)
	}
	return seq, part, nil
}

// unexpectedEntry is the error for a name the log cannot hold, made only
// when there is one: callers parse every name of the log.
func unexpectedEntry(name string) error {
	return fmt.Errorf("unexpected entry %s (the log holds only NNNN.json, .sig, .pem, .tsr and NNNN.K.crl / .ocsp)", name)
}

// isRevocationPart: K.crl or K.ocsp, K a decimal number from 1 without
// leading zeros (one spelling per entry).
func isRevocationPart(part string) bool {
	k, kind, ok := strings.Cut(part, ".")
	n, err := strconv.Atoi(k)
	return ok && err == nil && n >= 1 && n <= MaxRevocations && strconv.Itoa(n) == k &&
		(kind == RevocationCRL || kind == RevocationOCSP)
}

// Count returns n when the entries under META-INF/custody/ among names are
// the parts of events 1…n, each with its event, signature and key, and
// nothing else but the transparency log entries of a v4 bundle
// (manifest.TransparencyDir), which the verifier checks on their own.
func Count(names []string) (int, error) {
	n, unknown, err := CountExtended(names)
	if err == nil && len(unknown) > 0 {
		err = unexpectedEntry(unknown[0])
	}
	return n, err
}

// CountExtended is Count under the extension rule: it also accepts, and
// returns, entries NNNN.<part> of an existing event whose part this
// version does not know (a later version's). Anything else out of place
// is still an error: a name that is no event's, or events with gaps or
// without their .json, .sig or .pem.
func CountExtended(names []string) (n int, unknown []string, err error) {
	parts := map[int]map[string]bool{}
	for _, name := range names {
		if !strings.HasPrefix(name, manifest.CustodyDir) || strings.HasPrefix(name, manifest.TransparencyDir) {
			continue
		}
		seq, part, err := ParseEntryName(name)
		if err != nil {
			if seq, err = laterPartSeq(name); err != nil {
				return 0, nil, err
			}
			unknown = append(unknown, name)
		}
		if parts[seq] == nil {
			parts[seq] = map[string]bool{}
		}
		parts[seq][part] = true
	}
	for seq := 1; seq <= len(parts); seq++ {
		p := parts[seq]
		if !p[PartEvent] || !p[PartSignature] || !p[PartKey] {
			return 0, nil, fmt.Errorf("the custody log is broken: event %d is missing or incomplete (%d events expected, numbered without gaps, each with .json, .sig and .pem)", seq, len(parts))
		}
	}
	return len(parts), unknown, nil
}

// laterPartSeq reads a name META-INF/custody/NNNN.<part> whose part this
// version does not know: the event number, if the name has that form.
func laterPartSeq(name string) (int, error) {
	rest, _ := strings.CutPrefix(name, manifest.CustodyDir)
	num, part, _ := strings.Cut(rest, ".")
	seq, err := strconv.Atoi(num)
	if len(num) != 4 || err != nil || seq < 1 || strings.ContainsAny(num, "+-") || part == "" || strings.Contains(part, "/") {
		return 0, fmt.Errorf("unexpected entry %s (the log holds only NNNN.json, .sig, .pem, .tsr and NNNN.K.crl / .ocsp, and parts NNNN.<part> of an event)", name)
	}
	return seq, nil
}
