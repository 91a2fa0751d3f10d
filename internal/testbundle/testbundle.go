// Package testbundle builds real bundles for tests: a local TSA in
// process, a fresh signing key, and the exporter, so that every test
// verifies what the exporter actually writes. It also rewrites bundles
// entry by entry, as an attacker would.
package testbundle

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/custody-toolkit/custody/verify"
)

// Fixture is a signer and a TSA.
type Fixture struct {
	TSADir    string // root.pem, tsa.pem, tsa.key
	RootPEM   string // path of the TSA's root certificate
	Roots     []*x509.Certificate
	Authority *localtsa.Authority
	Key       crypto.Signer
	Signer    *keys.Signer
	PublicKey crypto.PublicKey
}

// New makes a TSA and a key of the given algorithm ("ed25519",
// "ecdsa-p256").
func New(t testing.TB, algorithm string) *Fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tsa")
	if err := localtsa.Init(dir); err != nil {
		t.Fatal(err)
	}
	a, err := localtsa.LoadAuthority(dir)
	if err != nil {
		t.Fatal(err)
	}
	rootPEM, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots, err := verify.ParseCertificates(rootPEM)
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.Generate(algorithm)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := keys.NewSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Fixture{TSADir: dir, RootPEM: filepath.Join(dir, "root.pem"), Roots: roots,
		Authority: a, Key: key, Signer: sv, PublicKey: key.Public()}
}

// SignerWith is the fixture's signer with the certificate chain chain.
func (f *Fixture) SignerWith(t testing.TB, chain []*x509.Certificate) *keys.Signer {
	t.Helper()
	s, err := f.Signer.WithChain(chain)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Timestamp makes the fixture's TSA a custody.Timestamper, in process.
func (f *Fixture) Timestamp(_ context.Context, data []byte) ([]byte, error) {
	digest := sha256.Sum256(data)
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	req, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest[:], Certificates: true, Nonce: nonce}).Marshal()
	if err != nil {
		return nil, err
	}
	return f.Authority.Respond(req)
}

// Sample is the path of the repository's sample conversation.
func Sample() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "sample")
}

// Lang is the language of the fixture's renderings: English, which tests
// read, though the sample chat is in Spanish (the exporter would pick es).
const Lang = "en"

// Export exports the conversation at in (a folder or file) with the
// fixture's key and TSA, and returns the bundle's path.
func (f *Fixture) Export(t testing.TB, in string, sel custody.Selection) string {
	t.Helper()
	return f.ExportWith(t, in, custody.Options{Selection: sel})
}

// ExportWith is Export with more options: opts' Out, Timestampers and
// Lang are the fixture's, and so is Signer unless opts gives one.
func (f *Fixture) ExportWith(t testing.TB, in string, opts custody.Options) string {
	t.Helper()
	c, err := conversation.Load(in)
	if err != nil {
		t.Fatal(err)
	}
	opts.Out = filepath.Join(t.TempDir(), "case.custody")
	opts.Timestampers, opts.Lang = []custody.Timestamper{f}, Lang
	if opts.Signer == nil {
		opts.Signer = f.Signer
	}
	if _, err = custody.Export(context.Background(), c, opts); err != nil {
		t.Fatal(err)
	}
	return opts.Out
}

// Entry is one ZIP entry of a bundle being rewritten.
type Entry struct {
	Name string
	Data []byte
}

// ReadEntries returns a bundle's entries in order (small bundles only).
func ReadEntries(t testing.TB, path string) []Entry {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var entries []Entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, Entry{f.Name, data})
	}
	return entries
}

// WriteEntries writes entries as a bundle would be laid out (mimetype
// raw and first if present, every entry stored), so that only what the
// test changed differs.
func WriteEntries(t testing.TB, entries []Entry) []byte {
	t.Helper()
	return WriteEntriesStreaming(t, entries, func(string) bool { return false })
}

// WriteEntriesStreaming is WriteEntries, but writes the entries for which
// streamed is true with a data descriptor (flag 8), as manifest.Writer
// streams an entry.
func WriteEntriesStreaming(t testing.TB, entries []Entry, streamed func(name string) bool) []byte {
	t.Helper()
	return writeZip(t, entries, func(zw *zip.Writer, e Entry) (io.Writer, error) {
		if streamed(e.Name) {
			return zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Store})
		}
		return zw.CreateRaw(manifest.StoredHeader(e.Name, e.Data))
	})
}

// Find returns the index of the entry with that name, or -1.
func Find(entries []Entry, name string) int {
	for i, e := range entries {
		if e.Name == name {
			return i
		}
	}
	return -1
}

// Manifest decodes the manifest entry.
func Manifest(t testing.TB, entries []Entry) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Parse(entries[Find(entries, manifest.ManifestName)].Data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Rezip zips entries again, compressed, as a person who unzipped a bundle
// and zipped it with another tool would: the sealed content intact in a
// container that is not the sealed one.
func Rezip(t testing.TB, entries []Entry) []byte {
	t.Helper()
	return writeZip(t, entries, func(zw *zip.Writer, e Entry) (io.Writer, error) {
		return zw.Create(e.Name) // deflated
	})
}

// writeZip writes entries into a ZIP, each created by create.
func writeZip(t testing.TB, entries []Entry, create func(*zip.Writer, Entry) (io.Writer, error)) []byte {
	t.Helper()
	return writeZipAfter(t, nil, entries, create)
}

// writeZipAfter writes a ZIP of the entries of another, copied raw, then
// entries, each created by create.
func writeZipAfter(t testing.TB, copied []*zip.File, entries []Entry, create func(*zip.Writer, Entry) (io.Writer, error)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range copied {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range entries {
		w, err := create(zw, e)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WithTSA is a copy of the fixture whose TSA is tsaCert with its key
// (issued by root, which becomes the only trust anchor), its clock at now
// when now is set: for tests whose TSA certificates expire at chosen
// dates.
func (f *Fixture) WithTSA(t testing.TB, tsaCert *x509.Certificate, tsaKey crypto.Signer, root *x509.Certificate, now func() time.Time) *Fixture {
	t.Helper()
	dir := t.TempDir()
	key, err := x509.MarshalPKCS8PrivateKey(tsaKey)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		localtsa.RootFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}),
		localtsa.CertFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tsaCert.Raw}),
		localtsa.KeyFile:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	a, err := localtsa.LoadAuthority(dir)
	if err != nil {
		t.Fatal(err)
	}
	a.Now = now
	g := *f
	g.TSADir, g.RootPEM, g.Roots, g.Authority = dir, filepath.Join(dir, localtsa.RootFile), []*x509.Certificate{root}, a
	return &g
}
