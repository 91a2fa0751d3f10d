package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/translog"
)

// entry is one ZIP entry of a bundle.
type entry struct {
	name string
	data []byte
}

// bundle is a bundle as its entries, in order, and the keys that sealed
// it, so that a vector can change a member and seal it again.
type bundle struct {
	p       *pki
	entries []entry
	key     crypto.Signer // the sealing key
	tokens  []tokenSpec   // one per stored token
	logs    []*vectorLog  // the transparency logs that log each seal (v4)
	// revocation is the revocation data custody event 1 carries.
	revocation []logwriter.Revocation
}

func (b *bundle) clone() *bundle {
	c := *b
	c.entries = slices.Clone(b.entries)
	c.tokens = slices.Clone(b.tokens)
	c.logs = slices.Clone(b.logs)
	return &c
}

func (b *bundle) find(name string) int {
	return slices.IndexFunc(b.entries, func(e entry) bool { return e.name == name })
}

func (b *bundle) get(name string) []byte {
	i := b.find(name)
	if i < 0 {
		panic("vectorgen: no entry " + name)
	}
	return b.entries[i].data
}

func (b *bundle) set(name string, data []byte) {
	b.entries[b.find(name)].data = data
}

func (b *bundle) remove(name string) {
	b.entries = slices.Delete(b.entries, b.find(name), b.find(name)+1)
}

// insertBefore adds an entry before the named one.
func (b *bundle) insertBefore(before string, e entry) {
	b.entries = slices.Insert(b.entries, b.find(before), e)
}

func (b *bundle) manifest() *manifest.Manifest {
	m, err := manifest.Parse(b.get(manifest.ManifestName))
	must(err)
	return m
}

// zip writes the entries in the canonical layout (bundle-format.md §1).
func (b *bundle) zip() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range b.entries {
		w, err := zw.CreateRaw(manifest.StoredHeader(e.name, e.data))
		must(err)
		_, err = w.Write(e.data)
		must(err)
	}
	must(zw.Close())
	return buf.Bytes()
}

// signerOf is key as the exporter, the custody log and the PDF signer take
// it.
func signerOf(key crypto.Signer) *keys.Signer { return certifiedSigner(key, nil) }

// certifiedSigner is key with the certificate chain chain (none when
// empty).
func certifiedSigner(key crypto.Signer, chain []*cert) *keys.Signer {
	var certs []*x509.Certificate
	for _, c := range chain {
		certs = append(certs, c.cert)
	}
	s, err := keys.NewSigner(key, certs)
	must(err)
	return s
}

// signBytes signs as manifest.sig is signed (§5).
func signBytes(key crypto.Signer, msg []byte) []byte {
	if k, ok := key.(ed25519.PrivateKey); ok {
		return ed25519.Sign(k, msg)
	}
	_, sig := sign(key, crypto.SHA256, msg)
	return sig
}

// reseal writes the manifest m, signs it with the bundle's key, stamps
// the signature with each token spec and seals the tokens in a new custody
// event 1 (later events are dropped): a bundle whose only flaw is the one
// the vector put into m.
func (b *bundle) reseal(m *manifest.Manifest) {
	raw, err := m.Marshal()
	must(err)
	b.resealRaw(raw)
}

// resealRaw is reseal with the manifest's bytes as given (non-canonical
// JSON, an unknown member).
func (b *bundle) resealRaw(raw []byte) {
	b.set(manifest.ManifestName, raw)
	sig := signBytes(b.key, raw)
	b.set(manifest.SignatureName, sig)
	pemBytes, err := manifest.MarshalPublicKeyPEM(b.key.Public())
	must(err)
	b.set(manifest.SignerName, pemBytes)
	var tokens [][]byte
	for i, spec := range b.tokens {
		tok := b.p.stamp(sig, spec)
		tokens = append(tokens, tok)
		b.set(manifest.TokenEntryName(i), tok)
	}
	logged := b.logSeal(raw, sig)
	b.dropEventsFrom(1)
	if b.manifestDeclaresLog(raw) {
		b.sealEvent(sig, tokens, logged)
	}
}

// logSeal submits the seal to the bundle's transparency logs and stores
// their answers, as the exporter does after the TSAs answered (§6.1).
func (b *bundle) logSeal(raw, sig []byte) [][]byte {
	if len(b.logs) == 0 {
		return nil
	}
	st, err := translog.NewStatement(raw, sig, b.key.Public())
	must(err)
	must(st.SignPrehashed(b.key))
	var entries [][]byte
	for i, l := range b.logs {
		data, err := l.Submit(context.Background(), st)
		must(err)
		b.set(manifest.TransparencyEntryName(i), data)
		entries = append(entries, data)
	}
	return entries
}

func (b *bundle) manifestDeclaresLog(raw []byte) bool {
	var m struct {
		CustodyLog bool `json:"custody_log"`
	}
	json.Unmarshal(raw, &m)
	return m.CustodyLog
}

// sealEvent writes event 1, the exporter's "sealed" event, committing to
// the tokens and the transparency log entries.
func (b *bundle) sealEvent(sig []byte, tokens, logged [][]byte) {
	e := custodylog.Event{
		Time: custodylog.FormatTime(exportTime), Action: custodylog.Sealed,
		Actor: custodylog.Actor{Name: "Dra. Vectores", Role: "clinician"},
	}
	if len(logged) > 0 {
		e.Transparency = logwriter.TokenDigests(logged)
	}
	rec, err := logwriter.First(context.Background(), e, sig, tokens, b.actor(b.key, nil), b.revocation...)
	must(err)
	for _, f := range rec.Files() {
		b.entries = append(b.entries, entry{f.Name, f.Data})
	}
}

// actor is a custody-log signer for key, timestamping with spec when set.
func (b *bundle) actor(key crypto.Signer, spec *tokenSpec) logwriter.Signer {
	s := logwriter.Signer{Key: signerOf(key)}
	if spec != nil {
		s.Timestamp = func(_ context.Context, data []byte) ([]byte, error) { return b.p.stamp(data, *spec), nil }
	}
	return s
}

// dropEventsFrom removes custody events seq and later.
func (b *bundle) dropEventsFrom(seq int) {
	b.entries = slices.DeleteFunc(b.entries, func(e entry) bool {
		n, _, err := custodylog.ParseEntryName(e.name)
		return err == nil && n >= seq
	})
}

// events is the number of custody events.
func (b *bundle) events() int {
	n := 0
	for _, e := range b.entries {
		if seq, _, err := custodylog.ParseEntryName(e.name); err == nil && seq > n {
			n = seq
		}
	}
	return n
}

// appendEvent signs and appends the next custody event, carrying
// revocation when given.
func (b *bundle) appendEvent(key crypto.Signer, e custodylog.Event, stamp *tokenSpec, revocation ...logwriter.Revocation) {
	n := b.events()
	e.Seq, e.Bundle = n+1, custodylog.Digest(b.get(manifest.SignatureName))
	if e.Time == "" {
		e.Time = custodylog.FormatTime(exportTime.Add(24 * 60 * 60e9))
	}
	prev := custodylog.EntryName(n, custodylog.PartEvent)
	e.Prev = custodylog.Digest(b.get(prev))
	e.PrevSig = custodylog.Digest(b.get(custodylog.EntryName(n, custodylog.PartSignature)))
	if i := b.find(custodylog.EntryName(n, custodylog.PartToken)); i >= 0 {
		e.PrevToken = custodylog.Digest(b.entries[i].data)
	}
	rec, err := logwriter.Sign(context.Background(), e, b.actor(key, stamp), revocation...)
	must(err)
	for _, f := range rec.Files() {
		b.entries = append(b.entries, entry{f.Name, f.Data})
	}
}

// timestamper makes a tokenSpec a custody.Timestamper.
type timestamper struct {
	p    *pki
	spec tokenSpec
}

func (t timestamper) Timestamp(_ context.Context, data []byte) ([]byte, error) {
	return t.p.stamp(data, t.spec), nil
}

// exportOptions configures a base export.
type exportOptions struct {
	key        crypto.Signer
	tokens     []tokenSpec
	selection  custody.Selection
	disclosure custody.Disclosure
	record     bool // seal record.pdf
	conv       func(c *conversation.Conversation)
	intake     *custody.Intake        // ConsentFile relative to the export's folder
	chain      []*cert                // the sealing key's certificate chain (§5.1)
	logs       []*vectorLog           // transparency logs (v4, §6.1)
	revocation []logwriter.Revocation // carried by custody event 1
}

// export runs the reference exporter on the vectors' conversation and
// seals the result again with a fixed export id (the exporter draws one
// at random).
func (p *pki) export(dir string, o exportOptions) *bundle {
	if o.key == nil {
		o.key = p.signer
	}
	if o.tokens == nil {
		o.tokens = []tokenSpec{{}}
	}
	in := writeConversation(dir, o.conv)
	c, err := conversation.Load(in)
	must(err)
	var raw crypto.Signer = o.key
	if k, ok := o.key.(deterministic); ok {
		raw = k.PrivateKey // the signatures are made again by reseal
	}
	var ts []custody.Timestamper
	for _, s := range o.tokens {
		ts = append(ts, timestamper{p, s})
	}
	if o.intake != nil && o.intake.ConsentFile != "" {
		in := *o.intake
		in.ConsentFile = filepath.Join(dir, in.ConsentFile)
		must(os.WriteFile(in.ConsentFile, consentRecord, 0o644))
		o.intake = &in
	}
	var logs []custody.TransparencyLog
	for _, l := range o.logs {
		logs = append(logs, l)
	}
	out := filepath.Join(dir, fmt.Sprintf("export-%d.custody", len(mustReadDir(dir))))
	_, err = custody.Export(context.Background(), c, custody.Options{
		Out: out, Signer: certifiedSigner(raw, o.chain), Timestampers: ts, Now: exportTime,
		Selection: o.selection, Disclosure: o.disclosure, NoRecord: !o.record, Intake: o.intake,
		Renderer: "custody-pdf/3", // the vectors were made by it; custody-pdf/4 has its own
		Actor:    custodylog.Actor{Name: "Dra. Vectores", Role: "clinician"}, TransparencyLogs: logs,
		Revocation: o.revocation,
	})
	must(err)
	b := &bundle{p: p, key: o.key, tokens: o.tokens, logs: o.logs, revocation: o.revocation, entries: readZip(out)}
	m := b.manifest()
	m.ExportID = "x-20261201-0123456789abcdef"
	b.reseal(m)
	return b
}

func mustReadDir(dir string) []os.DirEntry {
	d, err := os.ReadDir(dir)
	must(err)
	return d
}

func readZip(path string) []entry {
	zr, err := zip.OpenReader(path)
	must(err)
	defer zr.Close()
	var out []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		must(err)
		data, err := io.ReadAll(rc)
		must(err)
		rc.Close()
		out = append(out, entry{f.Name, data})
	}
	return out
}
