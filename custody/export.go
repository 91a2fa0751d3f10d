// Package custody exports a conversation into a sealed bundle: message
// entries and attachments streamed into the container, a manifest that lists
// and chains them, the signer's signature over the manifest and one RFC 3161
// timestamp per TSA over that signature.
//
//	c, _ := conversation.Load("case/")
//	res, err := custody.Export(ctx, c, custody.Options{
//		Out: "case.custody", Signer: signer,
//		Timestampers: []custody.Timestamper{&tsa.Client{URL: url}},
//	})
//
// Export writes atomically: until it returns nil there is nothing at Out.
package custody

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/internal/nofollow"
	"github.com/custody-toolkit/custody/internal/tokencheck"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/keys/sigstream"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/record"
	"github.com/custody-toolkit/custody/translog"
)

// Version is the exporter version recorded in manifests.
const Version = "custody/0.1.0"

// Timestamper obtains an RFC 3161 TimeStampResp (DER) over data.
type Timestamper interface {
	Timestamp(ctx context.Context, data []byte) ([]byte, error)
}

// TransparencyLog logs a seal's statement and returns the entry to store
// (rekor.Encode's form); translog/rekor.Log is one.
type TransparencyLog interface {
	LogURL() string
	Submit(ctx context.Context, st *translog.Statement) ([]byte, error)
}

// Options configure an export.
type Options struct {
	Out   string // the .custody file to write
	Force bool   // replace an existing Out

	// Signer signs the manifest and the custody log's first event
	// (keys.Load opens one).
	Signer *keys.Signer
	// Actor names the signer in the custody log's first event, "sealed"
	// (docs/custody-log.md); the role defaults to "clinician".
	Actor custodylog.Actor

	// Timestampers are asked in order; each adds a token. At least one is
	// needed: a bundle without a timestamp proves no time.
	Timestampers []Timestamper
	// CheckToken, when set, checks each TSA answer before it is sealed in
	// (the exporter wires verify.VerifyToken here).
	CheckToken func(resp, signature []byte) error
	// TransparencyLogs, when set, are the logs (Rekor v2) the seal is
	// submitted to after the TSAs answered. The manifest names them
	// (transparency_logs, format v4) before it is signed, so that an
	// entry removed later is proven removed; a log that refuses or does
	// not answer fails the export.
	TransparencyLogs []TransparencyLog
	// Revocation is revocation data (CRLs, OCSP responses) for the
	// signer's and the TSAs' certificates, stored with the custody log's
	// first event, which the signer signs after the TSAs answered
	// (docs/long-term.md).
	Revocation []logwriter.Revocation

	Selection Selection
	// Disclosure configures the proof of what the selection leaves out.
	Disclosure Disclosure
	// Practice names the practice or clinic on the rendering.
	Practice string
	// Intake, when set, states the purpose and legal basis of the export
	// and names the consent record to seal (intake.go).
	Intake *Intake
	// Policy, when set, is the practice's rules: an export that breaks
	// one is refused before anything is written (policy.go).
	Policy *Policy
	// NoRecord leaves out record.pdf, the PDF rendering sealed in the
	// bundle.
	NoRecord bool
	// Lang is the language of the rendering's labels (lang.Codes); empty
	// means the one the conversation's text is mostly in (lang.Detect).
	// VerifierURL, when set, is where the practice offers the verifier:
	// the rendering names it. Both are sealed in the manifest's rendering,
	// so NoRecord ignores them (the CLI refuses the combination).
	Lang, VerifierURL string
	// Renderer seals record.pdf as an earlier exporter did (one of
	// record.Renderers; empty means record.Renderer), for test vectors
	// that must stay as they were. Lang and VerifierURL are for the
	// renderers that draw them (record.HasLanguage).
	Renderer string
	// Now is the export time; zero means the current time. Whole seconds,
	// UTC, are recorded.
	Now time.Time
	// Progress, when set, is told how the export advances, for a
	// progress bar: step "messages" (done of total, withheld ones
	// included: each is hashed), "record.pdf" (bytes rendered, total 0:
	// not known in advance) and "timestamps" (TSAs asked of total).
	Progress func(step string, done, total int64)
}

// progress reports to Options.Progress, when set.
func (o *Options) progress(step string, done, total int) {
	if o.Progress != nil {
		o.Progress(step, int64(done), int64(total))
	}
}

// Result describes a written bundle.
type Result struct {
	Path string
	// Positions are the sealed messages' positions in the conversation.
	Positions []int
	// Manifest is the manifest sealed, without its lists of files,
	// messages and withheld leaves, which were never held whole (read them
	// from the bundle); Files counts the first, WithheldRanges groups the
	// withheld positions.
	Manifest       *manifest.Manifest
	Files          int
	WithheldRanges []manifest.Range
	// ManifestSHA256 is the SHA-256 (hex) of manifest.json's bytes.
	ManifestSHA256 string
	Signature      []byte
	Fingerprint    string
	Tokens         [][]byte
	// LogEntries are the transparency log entries stored, one per
	// Options.TransparencyLogs.
	LogEntries [][]byte
	// EphemeralSalts: the leaf salts were random (an ECDSA key and no
	// salt secret), so no later export can be proven consistent with this one.
	EphemeralSalts bool
}

// Export writes the selected messages of c into a sealed bundle at
// opts.Out.
// c is a held conversation (conversation.Load) or a stream
// (conversation.OpenStream), whose messages are read again from the file
// at each pass and never all held, but for the record's rendering.
func Export(ctx context.Context, c conversation.Reader, opts Options) (*Result, error) {
	if err := checkOptions(&opts); err != nil {
		return nil, err
	}
	picked, err := Select(c, opts.Selection)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Absent(opts.Out, opts.Force); err != nil {
		return nil, err
	}
	f, err := atomicfile.Create(opts.Out)
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	res, err := writeBundle(ctx, f, c, picked, opts)
	if err != nil {
		return nil, err
	}
	if err := f.Commit(opts.Force); err != nil {
		return nil, err
	}
	res.Path, res.Positions = opts.Out, picked
	return res, nil
}

func checkOptions(o *Options) error {
	switch {
	case o.Out == "":
		return errors.New("no output file")
	case o.Signer == nil:
		return errors.New("no signing key")
	case len(o.Timestampers) == 0:
		return errors.New("no TSA: a bundle needs at least one RFC 3161 timestamp")
	case o.Renderer != "" && !record.Renders(o.Renderer):
		return fmt.Errorf("renderer %q: want one of %s", o.Renderer, strings.Join(record.Renderers, ", "))
	case o.Renderer != "" && !record.HasLanguage(o.Renderer) && (o.Lang != "" || o.VerifierURL != ""):
		return fmt.Errorf("renderer %s has no language nor verifier URL", o.Renderer)
	}
	if o.Lang != "" {
		if _, err := lang.Lookup(o.Lang); err != nil {
			return err
		}
	}
	if o.Policy != nil {
		if err := o.Policy.Check(o.Intake); err != nil {
			return err
		}
	}
	if err := o.Intake.Check(); err != nil {
		return err
	}
	if err := manifest.CheckTransparencyLogs(logURLs(o.TransparencyLogs)); err != nil {
		return fmt.Errorf("--rekor: %w", err)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Actor.Role == "" {
		o.Actor.Role = "clinician"
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	return nil
}

// writeBundle streams the content, then seals it.
func writeBundle(ctx context.Context, out io.Writer, c conversation.Reader, picked []int, opts Options) (*Result, error) {
	zw, err := manifest.NewWriter(out)
	if err != nil {
		return nil, err
	}
	m, err := newManifest(c, picked, opts)
	if err != nil {
		return nil, err
	}
	if _, err := writeSources(zw, c.Header(), len(picked) == c.Len(), m); err != nil {
		return nil, err
	}
	if err := writeIntake(zw, opts.Intake, m); err != nil {
		return nil, err
	}
	dir := filepath.Dir(opts.Out)
	lists, err := newManifestLists(dir)
	if err != nil {
		return nil, err
	}
	defer lists.remove()
	var entries *spool[manifest.MessageEntry]
	if !opts.NoRecord {
		if entries, err = newSpool[manifest.MessageEntry](dir); err != nil {
			return nil, err
		}
		defer entries.remove()
	}
	ephemeral, err := writeMessages(zw, c, picked, m, lists, entries, opts)
	if err != nil {
		return nil, err
	}
	if !opts.NoRecord {
		if m.Rendering, err = rendering(c, picked, opts); err != nil {
			return nil, err
		}
		m.SetFormat() // before the record, which shows it
		if err := writeRecord(zw, c, picked, m.WithPositions(picked), entries.each, opts.Progress); err != nil {
			return nil, err
		}
	}
	m.SetFormat()
	res, err := seal(ctx, zw, m, lists, opts)
	if res != nil {
		res.EphemeralSalts = ephemeral
	}
	return res, err
}

func newManifest(c conversation.Reader, picked []int, opts Options) (*manifest.Manifest, error) {
	fp, err := opts.Signer.Fingerprint()
	if err != nil {
		return nil, err
	}
	meta, err := conversationMeta(c, picked)
	if err != nil {
		return nil, err
	}
	if chain := signerChainPEM(opts.Signer); len(chain) > manifest.MaxSignerChainSize {
		return nil, fmt.Errorf("the signer's certificate chain is %d bytes of PEM, more than the %d a verifier reads", len(chain), manifest.MaxSignerChainSize)
	}
	id := make([]byte, 8)
	rand.Read(id)
	return &manifest.Manifest{
		Format:     manifest.FormatV2,
		Exporter:   Version,
		ExportID:   "x-" + opts.Now.Format("20060102") + "-" + hex.EncodeToString(id),
		ExportedAt: opts.Now.Format(time.RFC3339),
		Signer: manifest.Signer{Algorithm: opts.Signer.Algorithm().Name, Fingerprint: fp,
			CertificatesSHA256: sha256Hex(signerChainPEM(opts.Signer))},
		Conversation: meta,
		Selection: manifest.Selection{
			Total: c.Len(), Selected: len(picked), Criteria: nonNil(opts.Selection.criteria()),
		},
		Messages:         []manifest.Message{},
		Practice:         opts.Practice,
		TransparencyLogs: logURLs(opts.TransparencyLogs),
	}, nil
}

// logURLs names the transparency logs in the manifest, which is signed
// before they are asked: a stored entry removed is then proven removed.
func logURLs(logs []TransparencyLog) []string {
	var urls []string
	for _, l := range logs {
		urls = append(urls, l.LogURL())
	}
	return urls
}

// signerChainPEM is the signer's certificate chain as the bundle carries
// it (META-INF/signer-chain.pem: CERTIFICATE blocks, leaf first); nil
// for a key without one.
func signerChainPEM(s *keys.Signer) []byte {
	var out []byte
	for _, c := range s.Chain() {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// sha256Hex is the hex SHA-256 of data; "" for none.
func sha256Hex(data []byte) string {
	if data == nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// conversationMeta keeps only participants who sent a selected message:
// a selective export names nobody else.
func conversationMeta(r conversation.Reader, picked []int) (manifest.Conversation, error) {
	senders := map[string]bool{}
	err := conversation.EachAt(r, picked, func(_ int, m *conversation.Message) error {
		senders[m.From] = true
		return nil
	})
	c := r.Header()
	meta := manifest.Conversation{ID: c.ID, Title: c.Title, TimeZone: c.TimeZone, Participants: []manifest.Participant{}}
	for _, p := range c.Participants {
		if senders[p.ID] {
			meta.Participants = append(meta.Participants, manifest.Participant{ID: p.ID, Role: p.Role, Name: p.Name})
		}
	}
	return meta, err
}

// writeSources carries the original export files, but only when the whole
// conversation is exported: a selective export must not smuggle the
// withheld messages in through the source file.
func writeSources(zw *manifest.Writer, c *conversation.Conversation, whole bool, m *manifest.Manifest) (map[string]string, error) {
	entries := map[string]string{}
	if !whole {
		return entries, nil
	}
	for i, s := range c.Sources {
		name := manifest.SourceEntryName(i, s.Path)
		if _, err := addFile(zw, name, c.Dir, s.Path); err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Path, err)
		}
		entries[s.Path] = name
		m.Conversation.Sources = append(m.Conversation.Sources, manifest.Source{Path: name, Type: s.Type})
	}
	return entries, nil
}

// writeMessage streams a message's attachments and writes its entry.
func writeMessage(zw contentSink, dir string, k int, msg *conversation.Message, sources map[string]string) (manifest.Message, *manifest.MessageEntry, error) {
	e := manifest.MessageEntry{
		ID: msg.ID, Time: msg.Time, From: msg.From, Text: msg.Text,
		Labels: msg.Labels, ReplyTo: msg.ReplyTo, Flags: msg.Flags,
	}
	if o := msg.Origin; o != nil {
		src := o.Source
		if name, ok := sources[src]; ok {
			src = name
		}
		// No line numbers: the gaps between those of disclosed messages
		// would give the length of the withheld ones, and an entry is the
		// same in every export (its leaf must not depend on the selection).
		e.Origin = &manifest.Origin{Source: src, SourceID: o.SourceID}
	}
	out := manifest.Message{ID: msg.ID, Entry: manifest.MessageEntryName(k), Attachments: []string{}}
	for j, a := range msg.Attachments {
		ae := manifest.AttachmentEntry{Name: a.Name, Type: a.Type, Missing: a.Missing}
		if !a.Missing {
			name := manifest.AttachmentEntryName(k, j, a.Path)
			f, err := addFile(zw, name, dir, a.Path)
			if err != nil {
				return out, nil, fmt.Errorf("message %q, attachment %s: %w", msg.ID, a.Path, err)
			}
			ae.Path, ae.Size, ae.SHA256 = name, f.Size, f.SHA256
			out.Attachments = append(out.Attachments, f.SHA256)
		}
		e.Attachments = append(e.Attachments, ae)
	}
	data, err := manifest.Marshal(&e)
	if err != nil {
		return out, nil, fmt.Errorf("message %q: %w", msg.ID, err)
	}
	if len(data) > manifest.MaxMessageSize {
		// A verifier need not read it (bundle-format.md §1.6).
		return out, nil, fmt.Errorf("message %q: its entry is %d bytes, more than the %d a verifier reads of one", msg.ID, len(data), manifest.MaxMessageSize)
	}
	f, err := zw.AddBytes(out.Entry, data)
	if err != nil {
		return out, nil, err
	}
	out.SHA256 = f.SHA256
	return out, &e, nil
}

// rendering names the renderer of record.pdf and, for the newest, the
// language and verifier URL it draws.
func rendering(c conversation.Reader, picked []int, opts Options) (*manifest.Rendering, error) {
	r := &manifest.Rendering{Path: manifest.RecordName, Renderer: opts.Renderer}
	if r.Renderer == "" {
		r.Renderer = record.Renderer
	}
	if !record.HasLanguage(r.Renderer) {
		return r, nil
	}
	r.Lang, r.VerifierURL = opts.Lang, opts.VerifierURL
	if r.Lang == "" {
		var d lang.Detector
		err := conversation.EachAt(c, picked, func(_ int, m *conversation.Message) error {
			d.Add(m.Text)
			return nil
		})
		if err != nil {
			return nil, err
		}
		r.Lang = d.Code()
	}
	return r, nil
}

// writeRecord renders the PDF for the medical record from exactly what is
// sealed (the message entries and the attachments' bytes), so that a
// verifier can render it again and compare.
func writeRecord(zw *manifest.Writer, c conversation.Reader, picked []int, m *manifest.Manifest,
	entries func(yield func(*manifest.MessageEntry) error) error, progress func(step string, done, total int64)) error {
	// The attachments were streamed into the bundle; read them again from
	// their files, under their entry names.
	files := map[string]string{}
	err := conversation.EachAt(c, picked, func(i int, msg *conversation.Message) error {
		for j, a := range msg.Attachments { // v2 names entries by conversation position
			if !a.Missing {
				files[manifest.AttachmentEntryName(i, j, a.Path)] = a.Path
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	dir := c.Header().Dir
	open := func(entry string) (io.ReadCloser, error) {
		f, _, err := nofollow.Open(dir, filepath.FromSlash(files[entry]))
		return f, err
	}
	// Streamed into the bundle as it is rendered, never held whole (a
	// stored entry with a data descriptor, as the attachments are).
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(record.Render(pw, record.Content{Manifest: m, EachEntry: entries, Open: open}, nil))
	}()
	var rendered io.Reader = pr
	if progress != nil {
		rendered = &countingReader{r: pr, count: func(n int64) { progress("record.pdf", n, 0) }}
	}
	_, err = zw.AddFile(manifest.RecordName, rendered)
	pr.CloseWithError(errors.New("record.pdf abandoned")) // unblocks the rendering on error
	if err != nil {
		return fmt.Errorf("rendering %w", err) // "rendering record.pdf: …"
	}
	return nil
}

// countingReader tells count how many bytes were read so far.
type countingReader struct {
	r     io.Reader
	n     int64
	count func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.count(c.n)
	return n, err
}

// addFile adds the file at rel (slash-separated) inside the conversation's
// folder dir, following no link: the folder's author must not be able to
// seal a file from outside it.
func addFile(zw contentSink, name, dir, rel string) (manifest.File, error) {
	src, _, err := nofollow.Open(dir, filepath.FromSlash(rel))
	if err != nil {
		return manifest.File{}, err
	}
	defer src.Close()
	return zw.AddFile(name, src)
}

// seal writes manifest.json, signs it, timestamps the signature and writes
// META-INF. The manifest is encoded as it streams from lists, to a file
// (encodedManifest), and never held.
func seal(ctx context.Context, zw *manifest.Writer, m *manifest.Manifest, lists *manifestLists, opts Options) (*Result, error) {
	m.CustodyLog = true // writeSealedEvent below starts the log; if it fails, so does the export
	enc, err := encodeManifest(filepath.Dir(opts.Out), m, lists.encoded(zw))
	if err != nil {
		return nil, err
	}
	defer enc.close()
	raw, _ := enc.open()
	if _, err := zw.AddSized(manifest.ManifestName, raw, enc.size, enc.crc); err != nil {
		return nil, err
	}
	sig, err := opts.Signer.SignWith(ctx, func(alg *sigalg.Algorithm, key crypto.Signer) ([]byte, error) {
		return sigstream.SignReader(alg, key, enc.open)
	})
	if err != nil {
		return nil, fmt.Errorf("signing the manifest: %w", err)
	}
	pubPEM, err := manifest.MarshalPublicKeyPEM(opts.Signer.Public())
	if err != nil {
		return nil, err
	}
	res := &Result{Manifest: m, Files: zw.FileCount(), WithheldRanges: lists.ranges,
		ManifestSHA256: hex.EncodeToString(enc.sha256[:]), Signature: sig, Fingerprint: m.Signer.Fingerprint}
	chainPEM := signerChainPEM(opts.Signer)
	for i, ts := range opts.Timestampers {
		opts.progress("timestamps", i, len(opts.Timestampers))
		resp, err := ts.Timestamp(ctx, sig)
		if err != nil {
			return nil, err
		}
		if len(resp) > tokencheck.MaxSize {
			// A verifier need not read it (bundle-format.md §1.6): the
			// bundle could never be more than INDETERMINATE.
			return nil, fmt.Errorf("TSA #%d answered %d bytes, more than the %d a verifier reads of a token", i+1, len(resp), tokencheck.MaxSize)
		}
		if opts.CheckToken != nil {
			if err := opts.CheckToken(resp, sig); err != nil {
				return nil, fmt.Errorf("TSA #%d answered a token that does not verify: %w", i+1, err)
			}
		}
		res.Tokens = append(res.Tokens, resp)
	}
	if res.LogEntries, err = submitToLogs(ctx, enc, sig, opts); err != nil {
		return nil, err
	}
	if _, err := zw.AddBytes(manifest.SignatureName, sig); err != nil {
		return nil, err
	}
	if _, err := zw.AddBytes(manifest.SignerName, pubPEM); err != nil {
		return nil, err
	}
	if chainPEM != nil {
		if _, err := zw.AddBytes(manifest.SignerChainName, chainPEM); err != nil {
			return nil, err
		}
	}
	for i, tok := range res.Tokens {
		if _, err := zw.AddBytes(manifest.TokenEntryName(i), tok); err != nil {
			return nil, err
		}
	}
	for i, entry := range res.LogEntries {
		if _, err := zw.AddBytes(manifest.TransparencyEntryName(i), entry); err != nil {
			return nil, err
		}
	}
	if err := writeSealedEvent(ctx, zw, sig, res, opts); err != nil {
		return nil, err
	}
	return res, zw.Close()
}

// submitToLogs logs the seal in each transparency log, in the order the
// manifest names them (docs/bundle-format.md §6.1).
func submitToLogs(ctx context.Context, enc *encodedManifest, sig []byte, opts Options) ([][]byte, error) {
	if len(opts.TransparencyLogs) == 0 {
		return nil, nil
	}
	raw, _ := enc.open()
	st, err := translog.NewStatementFrom(raw, sig, opts.Signer.Public())
	if err != nil {
		return nil, err
	}
	if err := st.SignPrehashed(opts.Signer.Key()); err != nil {
		return nil, err
	}
	var entries [][]byte
	for _, l := range opts.TransparencyLogs {
		entry, err := l.Submit(ctx, st)
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry)
	}
	return entries, nil
}

// writeSealedEvent starts the custody log: the signer sealed the bundle at
// the export time. The manifest's timestamps already prove that time, so
// the event gets no token of its own; it commits instead to the exact
// bytes of every stored token, which no other signature of ours covers
// (docs/custody-log.md): a token removed, added, replaced or edited then
// fails by the signer's own signature. Likewise the transparency log
// entries (v4): the event is signed after the logs answered.
func writeSealedEvent(ctx context.Context, zw *manifest.Writer, sig []byte, res *Result, opts Options) error {
	e := custodylog.Event{Time: custodylog.FormatTime(opts.Now), Actor: opts.Actor, Action: custodylog.Sealed}
	if len(res.LogEntries) > 0 {
		e.Transparency = logwriter.TokenDigests(res.LogEntries)
	}
	rec, err := logwriter.First(ctx, e, sig, res.Tokens, logwriter.Signer{Key: opts.Signer}, opts.Revocation...)
	if err != nil {
		return err
	}
	for _, f := range rec.Files() {
		if _, err := zw.AddBytes(f.Name, f.Data); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clip(s)
}
