package verify_test

// One value per byte (issue 13, item 7): bytes no signature covers are
// held to the one form the writer MUST produce (docs/bundle-format.md),
// so that no byte of a bundle changes while the verdict stays PASSED.

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/tsa"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestSignerPEMOneForm: signer.pem holds the sealing key in other PEM
// spellings; the fingerprint (of the DER) is the same, the file is not.
func TestSignerPEMOneForm(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	i := testbundle.Find(entries, manifest.SignerName)
	orig := entries[i].Data
	der := pemBody(t, orig)
	b64 := base64.StdEncoding.EncodeToString(der)
	variants := map[string][]byte{
		"CRLF line ends":   bytes.ReplaceAll(orig, []byte("\n"), []byte("\r\n")),
		"no final newline": bytes.TrimSuffix(orig, []byte("\n")),
		"short lines":      []byte("-----BEGIN PUBLIC KEY-----\n" + b64[:20] + "\n" + b64[20:] + "\n-----END PUBLIC KEY-----\n"),
		"a header":         []byte("-----BEGIN PUBLIC KEY-----\nComment: hidden words\n\n" + b64 + "\n-----END PUBLIC KEY-----\n"),
		"a second block":   append(bytes.Clone(orig), orig...),
		"text before":      append([]byte("hidden words\n"), orig...),
		"text after":       append(bytes.Clone(orig), "hidden words\n"...),
	}
	for name, data := range variants {
		t.Run(name, func(t *testing.T) {
			es := cloneEntries(entries)
			es[i].Data = data
			rep := verifyBytes(t, testbundle.WriteEntries(t, es), verify.Options{Trust: fx.Roots})
			f := failedCheck(rep)
			if rep.Result != verify.Failed || f == nil || f.Name != "signature" || f.Sub != verify.FormatFailure {
				t.Fatalf("%s: %s, failed check %+v", name, rep.Result, f)
			}
		})
	}
	if rep := verifyBytes(t, testbundle.WriteEntries(t, entries), verify.Options{Trust: fx.Roots}); rep.Result != verify.Passed {
		t.Fatalf("the control: %s %+v", rep.Result, rep.Checks)
	}
}

// pemBody returns the DER inside a one-block PEM file.
func pemBody(t *testing.T, data []byte) []byte {
	t.Helper()
	s := strings.TrimSpace(string(data))
	lines := strings.Split(s, "\n")
	der, err := base64.StdEncoding.DecodeString(strings.Join(lines[1:len(lines)-1], ""))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestLocalRecordOrder: the entries of an export, their local records in
// another order than the central directory's (or mimetype's not first),
// read the same content; the file is not the sealed one, so never PASSED.
func TestLocalRecordOrder(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	data := testbundle.WriteEntries(t, testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{})))
	for _, pair := range [][2]string{{"mimetype", "attachments/000001-01.jpg"}, {"messages/000002.json", "messages/000003.json"}} {
		rep := verifyBytes(t, testbundle.SwapLocal(t, data, pair[0], pair[1]), verify.Options{Trust: fx.Roots})
		c := findCheck(rep, "container")
		if rep.Result != verify.Indeterminate || c == nil || c.Sub != verify.ContainerRepacked || !strings.Contains(c.Detail, "order") {
			t.Fatalf("%s and %s swapped: %s, container %+v", pair[0], pair[1], rep.Result, c)
		}
	}
}

// TestCRCAlone: an entry's CRC-32, edited in both of its headers while
// its data stays as sealed (zeroed, which archive/zip would not even
// compare, or changed), makes the container not the sealed one:
// INDETERMINATE CONTAINER_REPACKED, never PASSED and never FAILED, like
// any other header field. Data altered under its old CRC-32 is FAILED by
// the seal.
func TestCRCAlone(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	data := testbundle.WriteEntries(t, testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{})))
	l := testbundle.Map(t, data)
	for _, name := range []string{"messages/000002.json", "attachments/000001-01.jpg", manifest.ManifestName, manifest.SignatureName} {
		p := l.Part(t, name)
		for _, crc := range []uint32{0, 0x12345678} {
			edited := bytes.Clone(data)
			testbundle.PutUint32(edited, p.Local+14, crc)
			testbundle.PutUint32(edited, p.Central+16, crc)
			rep := verifyBytes(t, edited, verify.Options{Trust: fx.Roots})
			var found bool
			for _, c := range rep.Checks {
				found = found || c.Name == "container" && c.Status == verify.Indeterminate && c.Sub == verify.ContainerRepacked && strings.Contains(c.Detail, name)
			}
			if rep.Result != verify.Indeterminate || !found {
				t.Errorf("%s's CRC-32 set to %#x: %s, want INDETERMINATE with a container check naming it: %+v", name, crc, rep.Result, rep.Checks)
			}
		}
		altered := bytes.Clone(data)
		altered[p.LocalEnd+p.Size-2] ^= 1
		if rep := verifyBytes(t, altered, verify.Options{Trust: fx.Roots}); rep.Result != verify.Failed {
			t.Errorf("%s altered under its old CRC-32: %s, want FAILED", name, rep.Result)
		}
	}
}

// TestTokenRootCopyAltered: a token carries a copy of its TSA's root, a
// certificate path validation does not need (the anchor is the verifier's
// own). Altered in a stored token, the token seal (custody event 1
// commits to the token's bytes) makes it FAILED; in the last custody
// event's token, which nothing commits to yet, the copy must still form
// the chain with every signature verified, or the token is INDETERMINATE.
func TestTokenRootCopyAltered(t *testing.T) {
	t.Parallel()
	// OpenSSL's TSA, configured as many deployments are, sends its CA's
	// certificate with every token.
	o := testpki.NewOpenSSLTSA(t, testpki.TSAConfig{})
	stamp := &tsa.Client{URL: o.Server().URL}
	fx := testbundle.New(t, "ed25519")
	c, err := conversation.Load(testbundle.Sample())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "case.custody")
	if _, err := custody.Export(context.Background(), c, custody.Options{Out: path, Signer: fx.Signer,
		Timestampers: []custody.Timestamper{stamp}}); err != nil {
		t.Fatal(err)
	}
	newActor(t, "Dra. Vidal", "expert", "ed25519", stamp.Timestamp).append(t, path, custodylog.Received, "", time.Now())
	entries := testbundle.ReadEntries(t, path)
	root := o.CA.Raw
	alter := func(es []testbundle.Entry, name string) []testbundle.Entry {
		es = cloneEntries(es)
		i := testbundle.Find(es, name)
		at := bytes.Index(es[i].Data, root)
		if at < 0 {
			t.Fatalf("%s carries no copy of the TSA's root", name)
		}
		es[i].Data = bytes.Clone(es[i].Data)
		es[i].Data[at+len(root)-3] ^= 0x01 // in its signature: it still parses
		return es
	}
	opts := verify.Options{Trust: []*x509.Certificate{o.CA}}
	rep := verifyBytes(t, testbundle.WriteEntries(t, alter(entries, manifest.TokenName)), opts)
	if f := failedCheck(rep); rep.Result != verify.Failed || f == nil || f.Name != "token seal" {
		t.Fatalf("%s with an altered root copy: %s, failed check %+v", manifest.TokenName, rep.Result, f)
	}
	rep = verifyBytes(t, testbundle.WriteEntries(t, alter(entries, custodylog.EntryName(2, custodylog.PartToken))), opts)
	if rep.Result != verify.Indeterminate {
		t.Fatalf("the last event's token with an altered root copy: %s %+v", rep.Result, rep.Checks)
	}
	if rep := verifyBytes(t, testbundle.WriteEntries(t, entries), opts); rep.Result != verify.Passed {
		t.Fatalf("the control: %s %+v", rep.Result, rep.Checks)
	}
}

// TestDescriptorForms: an entry's data-descriptor flag is not sealed, so
// a bundle must be in a form some writer of its format produced
// (bundle-format.md §1, descriptor forms); any other flag on any one
// entry is a repack, never PASSED, and never FAILED for that alone.
func TestDescriptorForms(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	isAttachment := func(name string) bool { return strings.HasPrefix(name, manifest.AttachmentsDir) }
	first := ""
	for _, e := range entries {
		if isAttachment(e.Name) && first == "" {
			first = e.Name
		}
	}
	cases := []struct {
		name     string
		streamed func(string) bool
		want     verify.Status
	}{
		{"every streamed entry with a descriptor (the exporter)", manifest.Streamed, verify.Passed},
		{"no descriptor (the conformance vectors)", func(string) bool { return false }, verify.Passed},
		{"attachments with, record.pdf without (the v2 exporter before 904cd81; never v3)", isAttachment, verify.Indeterminate},
		{"one attachment with, the others without", func(n string) bool { return n == first }, verify.Indeterminate},
		{"record.pdf with, the attachments without", func(n string) bool { return n == manifest.RecordName }, verify.Indeterminate},
		{"every streamed entry but one attachment", func(n string) bool { return manifest.Streamed(n) && n != first }, verify.Indeterminate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := verifyBytes(t, testbundle.WriteEntriesStreaming(t, entries, tc.streamed), verify.Options{Trust: fx.Roots})
			if rep.Result != tc.want {
				t.Fatalf("%s, want %s: %+v", rep.Result, tc.want, rep.Checks)
			}
			if tc.want == verify.Passed {
				return
			}
			c := findCheck(rep, "container order")
			if c == nil || c.Status != verify.Indeterminate || c.Sub != verify.ContainerRepacked || !strings.Contains(c.Detail, "descriptor") {
				t.Fatalf("container order: %+v", c)
			}
		})
	}
}
