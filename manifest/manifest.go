// Package manifest defines the custody bundle format (docs/bundle-format.md):
// the manifest, its canonical encoding, the message hash chain, the entry
// names of the ZIP container, and strict reading and streaming writing of
// bundles.
//
// A bundle is a ZIP file. Its first entry is "mimetype"; "manifest.json" is
// the one signed document and lists every other entry of the sealed content
// with its SHA-256 and size; META-INF/ holds the signature, the signer's key
// and the RFC 3161 tokens, which cover manifest.json through manifest.sig.
//
// Writing:
//
//	w, _ := manifest.NewWriter(f)
//	d, _ := w.AddFile("attachments/000001-01.jpg", attachmentReader)
//	...
//	data, _ := m.Marshal()            // canonical JSON, what is signed
//	w.AddBytes(manifest.ManifestName, data)
//
// Reading (strict: see OpenBundle):
//
//	b, err := manifest.OpenBundle(r, size)
//	data, err := b.ReadManifest()
//	m, err := manifest.Parse(data)
//
// OpenBundle reads a canonical container's central directory by hand,
// record by record (centraldir.go), rather than through archive/zip: a
// strict reader needs no more of ZIP than the canonical layout, and
// archive/zip holds about 300 bytes per entry (60 MB at MaxEntries)
// where the opened bundle keeps a few numbers. archive/zip still reads
// every container the hand reader does not accept, to say what is wrong
// with it, with the same checks; and every repacked one (OpenRepacked).
// The manifest is not held either: OpenManifest streams it, so that a
// verifier checks its signature and digest in one pass (keys/sigstream).
package manifest

import (
	"bytes"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/keys/sigalg"
)

// Format versions a reader understands. Old versions must keep verifying.
const (
	FormatV1 = "custody.bundle/v1"
	FormatV2 = "custody.bundle/v2" // v1 plus a Merkle tree: selective disclosure (v2.go)
	// FormatV3 is v2 plus optional members: intake (intake.go),
	// rendering's lang and verifier_url (custody-pdf/4), and
	// signer.certificates_sha256 (the signer's chain). An exporter
	// writes v3 whenever it writes one of them, so that a verifier that
	// predates them reads the bundle as a format it does not know
	// (INDETERMINATE), not as a v2 manifest with an unknown member
	// (FAILED, for genuine evidence); other bundles stay v2.
	FormatV3 = "custody.bundle/v3"
	// FormatV4 is v3 plus the optional member transparency_logs: the
	// transparency logs (Rekor v2) the seal was submitted to, whose
	// entries travel under TransparencyDir (docs/bundle-format.md §6.1).
	// Written exactly when that member is, for the reason given for v3.
	FormatV4 = "custody.bundle/v4"
	// FormatV5 is v4 plus the signature algorithm rsa-pkcs1-sha256 (the
	// RSA keys of PKCS#12 files and cards): a new signer.algorithm value,
	// which a verifier that predates it would call a contradiction in a
	// known format (FAILED). Written exactly when the signer's algorithm
	// needs it (sigalg's SinceFormat), for the reason given for v3.
	FormatV5 = "custody.bundle/v5"
)

// formats are the versions this reader reads, oldest first: formats[i] is
// version i+1.
var formats = []string{FormatV1, FormatV2, FormatV3, FormatV4, FormatV5}

// FormatVersion is the number of a format this reader knows (1 for v1),
// 0 for another.
func FormatVersion(f string) int { return slices.Index(formats, f) + 1 }

// FormatName is the identifier of format version v (FormatV5 for 5).
func FormatName(v int) string { return formats[v-1] }

// signerFormat is the first version that defines the manifest's
// signature algorithm, 1 for one this reader does not know (the
// verifier's signature check reports that).
func (m *Manifest) signerFormat() int {
	if alg, ok := sigalg.ByName(m.Signer.Algorithm); ok {
		return alg.SinceFormat
	}
	return 1
}

// UsesV4 reports whether the manifest carries a member that only format
// v4 has.
func (m *Manifest) UsesV4() bool { return len(m.TransparencyLogs) > 0 }

// UsesV3 reports whether the manifest carries a member that only format
// v3 has; SetFormat writes v3 exactly then.
func (m *Manifest) UsesV3() bool {
	return m.Intake != nil || m.Signer.CertificatesSHA256 != "" ||
		(m.Rendering != nil && (m.Rendering.Lang != "" || m.Rendering.VerifierURL != ""))
}

// SetFormat sets the newest format the exporter writes for the members
// set: v3 when one of its members is, else v2 (readable by older
// verifiers).
func (m *Manifest) SetFormat() {
	switch {
	case m.signerFormat() >= 5:
		m.Format = FormatV5
	case m.UsesV4():
		m.Format = FormatV4
	case m.UsesV3():
		m.Format = FormatV3
	default:
		m.Format = FormatV2
	}
}

// checkV3Members: the members v3 adds appear in v3 and later only, those
// of v4 in v4 and later, and a signature algorithm in the versions that
// define it.
func (m *Manifest) checkV3Members() error {
	v := FormatVersion(m.Format)
	if m.UsesV3() && v < 3 {
		return fmt.Errorf("format %s carries a member of %s (intake, rendering.lang, rendering.verifier_url or signer.certificates_sha256), which only %s and later have", m.Format, FormatV3, FormatV3)
	}
	if m.UsesV4() && v < 4 {
		return fmt.Errorf("format %s carries transparency_logs, which only %s and later have", m.Format, FormatV4)
	}
	if since := m.signerFormat(); v < since {
		return fmt.Errorf("field signer.algorithm: %q is defined from %s on, not in %s", m.Signer.Algorithm, FormatName(since), m.Format)
	}
	return CheckTransparencyLogs(m.TransparencyLogs)
}

// HasTree reports whether the manifest's format commits to a Merkle tree
// of the conversation (v2 and later).
func (m *Manifest) HasTree() bool { return m.Format != FormatV1 }

// MediaType is the content of the mimetype entry.
const MediaType = "application/vnd.custody.bundle+zip"

// Entry names of the container.
const (
	MimetypeName  = "mimetype"
	ManifestName  = "manifest.json"
	MetaDir       = "META-INF/"
	SignatureName = "META-INF/manifest.sig"
	SignerName    = "META-INF/signer.pem"
	// SignerChainName holds the signer's certificate chain (PEM, leaf
	// first), when the key has one: optional, sealed by the manifest's
	// signer.certificates_sha256 (docs/bundle-format.md §5.1).
	SignerChainName = "META-INF/signer-chain.pem"
	TokenName       = "META-INF/manifest.tsr"
	// CustodyDir holds the chain-of-custody log (docs/custody-log.md):
	// outside the sealed content, so that appending leaves it untouched.
	CustodyDir = "META-INF/custody/"
	// TransparencyDir holds the transparency log entries of a v4 bundle,
	// TransparencyEntryName(i) for the i-th of transparency_logs. It lies
	// under CustodyDir because a verifier that predates v4 tolerates
	// entries there until it reads the manifest, whose unknown format
	// stops it at INDETERMINATE; any other new name under META-INF/ it
	// would call FAILED before reading the manifest.
	TransparencyDir = CustodyDir + "transparency/"
)

// TransparencyEntryName is the entry of the log entry returned by the
// i-th (0-based) log of transparency_logs: META-INF/custody/transparency/1.json, …
func TransparencyEntryName(i int) string {
	return fmt.Sprintf("%s%d.json", TransparencyDir, i+1)
}

// MaxSignerChainSize is the most of SignerChainName a verifier reads
// (docs/bundle-format.md §1.6; the other limits are in reader.go): 8
// certificates are a few kilobytes.
const MaxSignerChainSize = 256 << 10

// TokenEntryName is the entry of the i-th timestamp token (0-based):
// manifest.tsr, manifest.2.tsr, manifest.3.tsr, …
func TokenEntryName(i int) string {
	if i == 0 {
		return TokenName
	}
	return fmt.Sprintf("META-INF/manifest.%d.tsr", i+1)
}

// Manifest is the signed description of a bundle.
//
// The fields of Manifest, and of every type it holds, are in the order of
// their JSON names as RFC 8785 sorts them, so that encoding/json writes the
// canonical form directly: Marshal need not reorder, and Unmarshal
// compares without a copy (canonical.go; TestCanonicalFieldOrder).
type Manifest struct {
	Chain Chain `json:"chain"`
	// Format v2 only (v2.go).
	Consistency  []Consistency `json:"consistency,omitempty"`
	Conversation Conversation  `json:"conversation"`

	// CustodyLog declares that the bundle was sealed together with a
	// custody log (CustodyDir) whose event 1 is the exporter's "sealed"
	// event: the log lies outside the seal, so only this signed member
	// lets a verifier tell a log removed whole from a bundle that never
	// had one. Written only when true (omitzero: "custody_log":false is
	// not canonical and Unmarshal refuses it); absent in older bundles.
	CustodyLog bool `json:"custody_log,omitzero"`

	ExportID   string `json:"export_id"`
	ExportedAt string `json:"exported_at"` // RFC 3339, UTC, whole seconds
	Exporter   string `json:"exporter"`
	// Files, sorted by path: what a writer fills. A reader goes through
	// FileCount, FileAt, EachFile and FileIndex, since a manifest from
	// ParseStreamed holds its files compactly, Files nil (files.go).
	Files  []File `json:"files"`
	Format string `json:"format"`
	// Intake states the purpose and legal basis of the export, and seals
	// its consent record (intake.go); optional, absent in older bundles.
	Intake    *Intake    `json:"intake,omitempty"`
	Messages  []Message  `json:"messages"`
	Practice  string     `json:"practice,omitempty"`
	Rendering *Rendering `json:"rendering,omitempty"`
	Selection Selection  `json:"selection"`
	Signer    Signer     `json:"signer"`
	// TransparencyLogs are the URLs of the transparency logs (Rekor v2)
	// the seal was submitted to, in order, each entry stored at
	// TransparencyEntryName(i): signed, so that an entry removed is
	// proven removed. Format v4 only; absent in older bundles.
	TransparencyLogs []string `json:"transparency_logs,omitempty"`
	// Format v2 only (v2.go).
	Tree     *Tree      `json:"tree,omitempty"`
	Withheld []Withheld `json:"withheld,omitempty"`

	// src, when set, is where the messages are read from: Messages is
	// then nil (ParseStreamed, WithPositions, messages.go).
	src messageList
	// withheld, when set, is the withheld list held compactly: Withheld
	// is then nil (ParseStreamed, withheld.go).
	withheld *compactWithheld
	// files, when set, is the files list held compactly: Files is then
	// nil (ParseStreamed, files.go).
	files *compactFiles
}

// Rendering names the PDF rendering sealed in the bundle and the renderer
// that made it, which a verifier must know to re-render it.
type Rendering struct {
	// Lang is the language of the rendering's labels ("en", "es"), and
	// VerifierURL where the practice offers the verifier (printed on the
	// integrity page): both shape the pages, so a verifier needs them to
	// render again. From custody-pdf/4 on; absent before. (Fields in the
	// order of their JSON names: canonical by construction.)
	Lang        string `json:"lang,omitempty"`
	Path        string `json:"path"`     // RecordName
	Renderer    string `json:"renderer"` // e.g. custody-pdf/2
	VerifierURL string `json:"verifier_url,omitempty"`
}

// Signer names the key expected to have signed manifest.json, so that a
// signature and signer.pem swapped in from elsewhere cannot verify.
type Signer struct {
	Algorithm string `json:"algorithm"` // "ed25519" or "ecdsa-p256-sha256"
	// CertificatesSHA256 is the SHA-256 (hex) of SignerChainName, the
	// signer's certificate chain, when the bundle carries one (§5.1):
	// signed with the manifest, so that the chain can be neither added,
	// removed nor replaced unseen. Absent in bundles without a chain.
	CertificatesSHA256 string `json:"certificates_sha256,omitempty"`
	Fingerprint        string `json:"fingerprint"` // SHA-256 of the DER PKIX public key
}

// Conversation is the metadata of the exported conversation.
type Conversation struct {
	ID           string        `json:"id"`
	Participants []Participant `json:"participants"`
	Sources      []Source      `json:"sources,omitempty"`
	TimeZone     string        `json:"time_zone,omitempty"`
	Title        string        `json:"title"`
}

// Participant as in the conversation format.
type Participant struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Role string `json:"role"`
}

// Source is an original export file carried in the bundle.
type Source struct {
	Path string `json:"path"` // entry name, under sources/
	Type string `json:"type"` // importer's name for it
}

// Selection records which messages of the conversation the bundle holds.
type Selection struct {
	Criteria []string `json:"criteria"` // e.g. "from=2026-04-01", "label=x"; empty: all
	Selected int      `json:"selected"` // messages in this bundle
	Total    int      `json:"total"`    // messages in the conversation
}

// Message is one sealed message: its content lives in Entry, whose SHA-256
// is chained.
type Message struct {
	Attachments []string `json:"attachments"`
	Entry       string   `json:"entry"` // messages/000001.json
	ID          string   `json:"id"`
	Link        string   `json:"link"` // chain link after this message

	// Format v2 only: the message's 0-based position in the whole
	// conversation and the salt of its leaf (hex).
	Position *int   `json:"position,omitempty"`
	Salt     string `json:"salt,omitempty"`
	SHA256   string `json:"sha256"` // of the entry's bytes
}

// Chain is the head of the message hash chain.
type Chain struct {
	Algorithm string `json:"algorithm"` // ChainAlgorithm
	Head      string `json:"head"`
	Length    int    `json:"length"`
}

// File is an entry of the sealed content.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// MessageEntry is the content of a messages/NNNNNN.json entry. Its fields,
// and those of Origin and AttachmentEntry, are in RFC 8785 order of their
// JSON names: their plain encoding is then canonical (canonical.go), and
// parsing an entry compares its bytes with its value as it is encoded,
// where it would otherwise encode, reorder and compare: about a tenth of
// a verification's rendering comparison in the web verifier, which parses
// every entry in each pass of the layout (docs/performance.md).
type MessageEntry struct {
	Attachments []AttachmentEntry `json:"attachments,omitempty"`
	Flags       []string          `json:"flags,omitempty"`
	From        string            `json:"from"`
	ID          string            `json:"id"`
	Labels      []string          `json:"labels,omitempty"`
	Origin      *Origin           `json:"origin,omitempty"`
	ReplyTo     string            `json:"reply_to,omitempty"`
	Text        string            `json:"text"`
	Time        string            `json:"time"`
}

// Origin as in the conversation format.
type Origin struct {
	FirstLine int    `json:"first_line,omitempty"`
	LastLine  int    `json:"last_line,omitempty"`
	Source    string `json:"source"`
	SourceID  string `json:"source_id,omitempty"`
}

// AttachmentEntry describes an attachment of a message. A missing one (seen
// in the source, not in the export) has no Path, SHA256 or Size.
type AttachmentEntry struct {
	Missing bool   `json:"missing,omitempty"`
	Name    string `json:"name,omitempty"`
	Path    string `json:"path,omitempty"` // entry name, under attachments/
	SHA256  string `json:"sha256,omitempty"`
	Size    int64  `json:"size,omitempty"`
	Type    string `json:"type,omitempty"`
}

// Marshal encodes v (a Manifest or MessageEntry) canonically: RFC 8785
// (members sorted, no insignificant whitespace, minimal string escapes).
func Marshal(v any) ([]byte, error) {
	data, err := jsonv2.Marshal(v)
	if err != nil || canonicalByConstruction(reflect.TypeOf(v)) {
		return data, err
	}
	val := jsontext.Value(data)
	if err := val.Canonicalize(); err != nil {
		return nil, err
	}
	return val, nil
}

// Marshal encodes the manifest canonically.
func (m *Manifest) Marshal() ([]byte, error) { return Marshal(m) }

// Unmarshal decodes canonical JSON strictly into v: the bytes must be
// exactly the canonical encoding (so that signer and verifier can never read
// two different documents), with no duplicate or unknown member.
//
// One value, one encoding: the bytes must be exactly what v encodes to
// canonically, so that a missing member, an empty optional array written
// out, or any other variant that decodes to the same value is refused, and
// no two different byte strings carry one meaning. That comparison also
// proves the bytes canonical; only when it fails are they canonicalised on
// their own, to say which of the two they are not. For a type that is
// canonical by construction (canonical.go), the comparison is made as the
// value is encoded, without a copy.
func Unmarshal(data []byte, v any) error {
	err := jsonv2.Unmarshal(data, v, jsonv2.RejectUnknownMembers(true))
	if err == nil {
		err = checkIntegers(data)
	}
	if err == nil && canonicalByConstruction(reflect.TypeOf(v)) && encodesAs(v, data) {
		return nil
	}
	if err == nil {
		var again []byte
		if again, err = Marshal(v); err == nil && string(again) == string(data) {
			return nil
		} else if err == nil {
			err = fmt.Errorf("not the canonical encoding of its content (members missing, or optional members written empty): %s", firstDifference(data, again))
		}
	}
	val := jsontext.Value(slices.Clone(data))
	if cerr := val.Canonicalize(); cerr != nil {
		return cerr
	}
	if string(val) != string(data) {
		return fmt.Errorf("not in canonical JSON encoding (RFC 8785): %s", firstDifference(data, val))
	}
	return err
}

// MaxInteger is the largest integer the format uses (2^53−1, the
// largest that every JSON reader represents exactly, RFC 7493 §2.2).
const MaxInteger = 1<<53 - 1

// checkIntegers refuses any number that is not an integer in
// 0…MaxInteger: the format has no other numbers, and a larger one would
// read differently in another language's JSON library.
func checkIntegers(data []byte) error {
	return checkIntegerTokens(jsontext.NewDecoder(bytes.NewReader(data)))
}

func checkIntegerTokens(d *jsontext.Decoder) error {
	for {
		tok, err := d.ReadToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if tok.Kind() != '0' {
			continue
		}
		if n, err := strconv.ParseUint(tok.String(), 10, 64); err != nil || n > MaxInteger {
			return fmt.Errorf("number %s at %s: the format's numbers are integers in 0…2^53−1", tok.String(), d.StackPointer())
		}
	}
}

// checkParticipants: each participant once, and each one the sender of a
// message (the message check holds the entries to the list; here, that
// the list names no one twice).
func (m *Manifest) checkParticipants() error {
	seen := map[string]bool{}
	for i, p := range m.Conversation.Participants {
		if seen[p.ID] {
			return fmt.Errorf("conversation.participants[%d]: id %q listed twice", i, p.ID)
		}
		seen[p.ID] = true
	}
	return nil
}

func firstDifference(got, want []byte) string {
	n := min(len(got), len(want))
	for i := range n {
		if got[i] != want[i] {
			return fmt.Sprintf("first difference at byte %d", i)
		}
	}
	return fmt.Sprintf("length %d, canonical length %d", len(got), len(want))
}

// UnknownFormatError is a manifest of a format version this reader does not
// know: perhaps a later one, which this reader cannot check; not proof that
// anything was altered.
type UnknownFormatError struct{ Format string }

func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("manifest.json: unknown format %q (this verifier reads %s and %s)", e.Format, strings.Join(formats[:len(formats)-1], ", "), formats[len(formats)-1])
}

// knownFormat reports whether this reader reads manifests of format f.
func knownFormat(f string) bool { return FormatVersion(f) > 0 }

// Parse decodes a manifest strictly and checks its internal consistency
// (see Check). It does not look at the container.
func Parse(data []byte) (*Manifest, error) {
	var probe struct {
		Format string `json:"format"`
	}
	if err := jsonv2.Unmarshal(data, &probe, jsonv2.RejectUnknownMembers(false)); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if !knownFormat(probe.Format) {
		return nil, &UnknownFormatError{Format: probe.Format}
	}
	var m Manifest
	if err := Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	return &m, nil
}

// ParseMessageEntry decodes a message entry strictly.
func ParseMessageEntry(data []byte) (*MessageEntry, error) {
	var e MessageEntry
	if err := Unmarshal(data, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// Check checks what can be checked on the manifest alone: well-formed
// fields, sorted unique files, entry names inside the content folders, and
// counts that agree.
func (m *Manifest) Check() error {
	if err := m.checkVersionMembers(); err != nil {
		return err
	}
	if t, err := time.Parse(time.RFC3339, m.ExportedAt); err != nil || t.UTC().Format(time.RFC3339) != m.ExportedAt {
		return fmt.Errorf("field exported_at: %q is not an RFC 3339 UTC time in whole seconds (Z)", m.ExportedAt)
	}
	if err := m.checkParticipants(); err != nil {
		return err
	}
	if err := m.checkV3Members(); err != nil {
		return err
	}
	if err := m.checkIntake(); err != nil {
		return err
	}
	if !isHex(m.Signer.Fingerprint, 64) {
		return fmt.Errorf("field signer.fingerprint: %q is not a SHA-256 in lowercase hex", m.Signer.Fingerprint)
	}
	if c := m.Signer.CertificatesSHA256; c != "" && !isHex(c, 64) {
		return fmt.Errorf("field signer.certificates_sha256: %q is not a SHA-256 in lowercase hex", c)
	}
	if m.Chain.Algorithm != ChainAlgorithm {
		return fmt.Errorf("field chain.algorithm: %q, want %q", m.Chain.Algorithm, ChainAlgorithm)
	}
	if n := m.MessageCount(); m.Chain.Length != n || m.Selection.Selected != n {
		return fmt.Errorf("field chain.length %d and selection.selected %d must both equal the %d messages",
			m.Chain.Length, m.Selection.Selected, n)
	}
	if m.Selection.Total < m.Selection.Selected {
		return fmt.Errorf("field selection.total %d is less than selection.selected %d", m.Selection.Total, m.Selection.Selected)
	}
	if r := m.Rendering; r != nil {
		if _, ok := m.FileByPath(r.Path); !ok || r.Path != RecordName || r.Renderer == "" {
			return fmt.Errorf("field rendering: %s must be a listed file named %s, with a renderer", r.Path, RecordName)
		}
	}
	for i, f := range m.EachFile() {
		if err := CheckContentPath(f.Path); err != nil {
			return fmt.Errorf("files[%d]: %w", i, err)
		}
		if !isHex(f.SHA256, 64) || f.Size < 0 {
			return fmt.Errorf("files[%d] %q: bad sha256 or size", i, f.Path)
		}
		if i > 0 && m.filePath(i-1) >= f.Path {
			return fmt.Errorf("files[%d] %q: files must be sorted by path, without duplicates", i, f.Path)
		}
	}
	return m.EachMessage(func(i int, msg *Message) error {
		if !isHex(msg.SHA256, 64) || !isHex(msg.Link, 64) {
			return fmt.Errorf("messages[%d] %q: bad sha256 or link", i, msg.ID)
		}
		for _, a := range msg.Attachments {
			if !isHex(a, 64) {
				return fmt.Errorf("messages[%d] %q: bad attachment digest %q", i, msg.ID, a)
			}
		}
		return nil
	})
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// CheckTransparencyLogs: each log named once, by an absolute http(s) URL
// of printable ASCII, so that the report can name it unambiguously.
func CheckTransparencyLogs(urls []string) error {
	seen := map[string]bool{}
	for i, u := range urls {
		ok := (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && len(u) <= 2048
		for _, r := range u {
			ok = ok && r > ' ' && r < 0x7f
		}
		if !ok || seen[u] {
			return fmt.Errorf("field transparency_logs[%d]: %q is not an http(s) URL, or is named twice", i, u)
		}
		seen[u] = true
	}
	return nil
}
