package verify_test

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

func verifyBytes(t *testing.T, data []byte, opts verify.Options) *verify.Report {
	t.Helper()
	rep, err := verify.Bundle(bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("unreadable: %v", err)
	}
	return rep
}

func failedCheck(rep *verify.Report) *verify.Check {
	for i, c := range rep.Checks {
		if c.Status == verify.Failed {
			return &rep.Checks[i]
		}
	}
	return nil
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"ed25519", "ecdsa-p256"} {
		t.Run(alg, func(t *testing.T) {
			fx := testbundle.New(t, alg)
			path := fx.Export(t, testbundle.Sample(), custody.Selection{})
			fp, _ := manifest.Fingerprint(fx.PublicKey)

			rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots, SignerFingerprint: fp})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Result != verify.Passed {
				t.Fatalf("result %s, checks %+v", rep.Result, rep.Checks)
			}
			if rep.Messages != 7 || rep.Total != 7 || rep.Attachments != 3 {
				t.Errorf("messages %d of %d, attachments %d; want 7 of 7, 3", rep.Messages, rep.Total, rep.Attachments)
			}
			if !rep.Signer.Checked || rep.Signer.Fingerprint != fp {
				t.Errorf("signer %+v, want checked %s", rep.Signer, fp)
			}
			if len(rep.Timestamps) != 1 || !rep.Timestamps[0].Trusted || rep.Timestamps[0].Time.Location().String() != "UTC" {
				t.Errorf("timestamps %+v", rep.Timestamps)
			}
			for _, name := range []string{"container", "manifest", "files", "messages", "chain", "signature", "signer", "timestamp trust"} {
				if !slices.ContainsFunc(rep.Checks, func(c verify.Check) bool { return c.Name == name && c.Status == verify.Passed }) {
					t.Errorf("check %q did not pass: %+v", name, rep.Checks)
				}
			}
		})
	}
}

func TestTrustVerdicts(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	other := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})

	tests := []struct {
		name string
		opts verify.Options
		want verify.Status
	}{
		{"no trust anchors", verify.Options{}, verify.Indeterminate},
		{"another TSA's root", verify.Options{Trust: other.Roots}, verify.Indeterminate},
		{"the TSA certificate itself as anchor", verify.Options{Trust: tsaCert(t, fx)}, verify.Passed},
		{"wrong signer fingerprint", verify.Options{Trust: fx.Roots, SignerFingerprint: strings.Repeat("ab", 32)}, verify.Failed},
		{"wrong signer key", verify.Options{Trust: fx.Roots, SignerKey: other.PublicKey}, verify.Failed},
		{"right signer key", verify.Options{Trust: fx.Roots, SignerKey: fx.PublicKey}, verify.Passed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := verify.BundleFile(path, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Result != tt.want {
				t.Errorf("result %s, want %s; checks %+v", rep.Result, tt.want, rep.Checks)
			}
		})
	}
}

func tsaCert(t *testing.T, fx *testbundle.Fixture) []*x509.Certificate {
	data, err := os.ReadFile(filepath.Join(fx.TSADir, "tsa.pem"))
	if err != nil {
		t.Fatal(err)
	}
	certs, err := verify.ParseCertificates(data)
	if err != nil {
		t.Fatal(err)
	}
	return certs
}

// TestTampering alters a valid bundle as an attacker could, entry by
// entry, and expects FAILED from the named check.
func TestTampering(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	otherPath := fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"})
	stranger := testbundle.New(t, "ed25519")
	strangerPath := stranger.Export(t, testbundle.Sample(), custody.Selection{})
	other := testbundle.ReadEntries(t, otherPath)
	strangers := testbundle.ReadEntries(t, strangerPath)

	type edit func(t *testing.T, e []testbundle.Entry) []testbundle.Entry
	set := func(e []testbundle.Entry, name string, data []byte) []testbundle.Entry {
		e[testbundle.Find(e, name)].Data = data
		return e
	}
	flip := func(data []byte, at int) []byte {
		data = slices.Clone(data)
		data[at] ^= 0x01
		return data
	}
	tests := []struct {
		name  string
		edit  edit
		check string
	}{
		{"a byte of an attachment", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(e, "attachments/000001-01.jpg")
			e[i].Data = flip(e[i].Data, len(e[i].Data)/2)
			return e
		}, "files"},
		{"a message's text", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(e, "messages/000004.json")
			e[i].Data = bytes.Replace(e[i].Data, []byte("dolor"), []byte("calor"), 1)
			return e
		}, "files"},
		{"a message removed", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return slices.Delete(e, testbundle.Find(e, "messages/000003.json"), testbundle.Find(e, "messages/000003.json")+1)
		}, "files"},
		{"a message added", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return slices.Insert(e, 2, testbundle.Entry{Name: "messages/000008.json", Data: e[testbundle.Find(e, "messages/000002.json")].Data})
		}, "files"},
		{"two messages reordered", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			a, b := testbundle.Find(e, "messages/000002.json"), testbundle.Find(e, "messages/000003.json")
			e[a].Data, e[b].Data = e[b].Data, e[a].Data
			return e
		}, "files"},
		{"an extra file", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return append(e, testbundle.Entry{Name: "attachments/000009-01.jpg", Data: []byte("not sealed")})
		}, "files"},
		{"an extra META-INF file", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return append(e, testbundle.Entry{Name: "META-INF/notes.txt", Data: []byte("hidden")})
		}, "container"},
		{"an attachment removed", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(e, "attachments/000006-01.png")
			return slices.Delete(e, i, i+1)
		}, "files"},
		{"the manifest edited (a message dropped from it)", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			// A careful forger drops message 7 everywhere: from the
			// manifest's messages, chain, counts and files, and from the ZIP.
			m := testbundle.Manifest(t, e)
			// Format v2: and lists it as withheld, with its true leaf, so
			// that the tree still holds.
			salt, _ := manifest.ParseDigest(m.Messages[6].Salt)
			digest, _ := manifest.ParseDigest(m.Messages[6].SHA256)
			leaf := manifest.LeafHash(salt, digest)
			m.Withheld = []manifest.Withheld{{Position: 6, Leaf: hex.EncodeToString(leaf[:])}}
			m.Messages = m.Messages[:6]
			m.Chain.Length, m.Selection.Selected = 6, 6
			m.Chain.Head = m.Messages[5].Link
			m.Files = slices.DeleteFunc(m.Files, func(f manifest.File) bool {
				return f.Path == "messages/000007.json" || f.Path == "attachments/000007-01.pdf"
			})
			data, _ := m.Marshal()
			e = set(e, manifest.ManifestName, data)
			return slices.DeleteFunc(e, func(x testbundle.Entry) bool {
				return x.Name == "messages/000007.json" || x.Name == "attachments/000007-01.pdf"
			})
		}, "signature"},
		{"the manifest re-sealed with another file list, signature kept", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			m := testbundle.Manifest(t, e)
			m.Conversation.Title = "Otro título"
			data, _ := m.Marshal()
			return set(e, manifest.ManifestName, data)
		}, "signature"},
		{"the manifest in non-canonical JSON", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(e, manifest.ManifestName)
			e[i].Data = bytes.Replace(e[i].Data, []byte(`{"`), []byte(`{ "`), 1)
			return e
		}, "manifest"},
		{"a signature from another bundle", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return set(e, manifest.SignatureName, other[testbundle.Find(other, manifest.SignatureName)].Data)
		}, "signature"},
		{"a token from another bundle", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return set(e, manifest.TokenName, other[testbundle.Find(other, manifest.TokenName)].Data)
		}, "token seal"},
		{"signature and key of a stranger", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			e = set(e, manifest.SignatureName, strangers[testbundle.Find(strangers, manifest.SignatureName)].Data)
			return set(e, manifest.SignerName, strangers[testbundle.Find(strangers, manifest.SignerName)].Data)
		}, "signature"},
		{"the token removed", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(e, manifest.TokenName)
			return slices.Delete(e, i, i+1)
		}, "token seal"},
		{"a byte of the token", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(e, manifest.TokenName)
			e[i].Data = flip(e[i].Data, len(e[i].Data)-20)
			return e
		}, ""},
		{"a duplicate entry", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return append(e, e[testbundle.Find(e, "messages/000001.json")])
		}, "container"},
		{"a case-folded duplicate", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return append(e, testbundle.Entry{Name: "Messages/000001.json", Data: []byte("x")})
		}, "container"},
		{"a path-tricking entry", func(t *testing.T, e []testbundle.Entry) []testbundle.Entry {
			return append(e, testbundle.Entry{Name: "attachments/../../evil.sh", Data: []byte("x")})
		}, "container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := tt.edit(t, testbundle.ReadEntries(t, path))
			rep := verifyBytes(t, testbundle.WriteEntries(t, entries), verify.Options{Trust: fx.Roots})
			if rep.Result != verify.Failed {
				t.Fatalf("result %s, want FAILED; checks %+v", rep.Result, rep.Checks)
			}
			if c := failedCheck(rep); tt.check != "" && (c == nil || c.Name != tt.check) {
				t.Errorf("failed check %+v, want %q", c, tt.check)
			}
		})
	}
	t.Run("the rewrite itself is faithful", func(t *testing.T) {
		rep := verifyBytes(t, testbundle.WriteEntries(t, testbundle.ReadEntries(t, path)), verify.Options{Trust: fx.Roots})
		if rep.Result != verify.Passed {
			t.Fatalf("unchanged rewrite: %s %+v", rep.Result, rep.Checks)
		}
	})
}

// TestContainerBytes alters the ZIP file itself rather than its entries.
func TestContainerBytes(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	data, err := os.ReadFile(fx.Export(t, testbundle.Sample(), custody.Selection{}))
	if err != nil {
		t.Fatal(err)
	}
	// Bytes outside the entries are not sealed: the content verifies, the
	// file is not the sealed one (docs/bundle-format.md §1.1).
	t.Run("data appended", func(t *testing.T) {
		wantRepacked(t, verifyBytes(t, append(slices.Clone(data), "extra"...), verify.Options{Trust: fx.Roots}))
	})
	t.Run("data prepended", func(t *testing.T) {
		wantRepacked(t, verifyBytes(t, append([]byte("MZ"), data...), verify.Options{Trust: fx.Roots}))
	})
	t.Run("not a ZIP is not a custody file, not a verdict", func(t *testing.T) {
		_, err := verify.Bundle(bytes.NewReader([]byte("hello")), 5, verify.Options{})
		if !errors.Is(err, verify.ErrNotCustody) || !strings.Contains(err.Error(), "a text file") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("a truncated bundle is damaged evidence", func(t *testing.T) {
		rep := verifyBytes(t, data[:len(data)/2], verify.Options{Trust: fx.Roots})
		if c := failedCheck(rep); rep.Result != verify.Failed || c == nil || c.Name != "container" {
			t.Errorf("result %s, checks %+v", rep.Result, rep.Checks)
		}
	})
	t.Run("every single-byte flip of the manifest region fails", func(t *testing.T) {
		start := bytes.Index(data, []byte(`{"chain"`))
		if start < 0 {
			t.Fatal("manifest not found")
		}
		for i := start; i < start+600; i += 7 {
			mutated := slices.Clone(data)
			mutated[i] ^= 0x20
			rep, err := verify.Bundle(bytes.NewReader(mutated), int64(len(mutated)), verify.Options{Trust: fx.Roots})
			if err == nil && rep.Result == verify.Passed {
				t.Fatalf("flip at %d passed", i)
			}
		}
	})
}

func TestSelection(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	tests := []struct {
		sel    custody.Selection
		want   []string
		people []string // participants named in the manifest
	}{
		{custody.Selection{Label: "urgente"}, []string{"m4", "m5"}, []string{"dr-garcia", "pt-7f3a"}},
		{custody.Selection{Messages: "m2,m5-m7"}, []string{"m2", "m5", "m6", "m7"}, []string{"dr-garcia", "dr-ruiz"}},
		{custody.Selection{From: "2026-04-13", To: "2026-04-13"}, []string{"m4", "m5"}, []string{"dr-garcia", "pt-7f3a"}},
		{custody.Selection{From: "2026-04-14T12:31:00+02:00"}, []string{"m6", "m7"}, []string{"dr-garcia", "dr-ruiz"}},
		{custody.Selection{Participant: "dr-ruiz"}, []string{"m6"}, []string{"dr-ruiz"}},
	}
	for _, tt := range tests {
		path := fx.Export(t, testbundle.Sample(), tt.sel)
		rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
		if err != nil || rep.Result != verify.Passed {
			t.Fatalf("%+v: %v %+v", tt.sel, err, rep)
		}
		m := testbundle.Manifest(t, testbundle.ReadEntries(t, path))
		var ids []string
		for _, msg := range m.Messages {
			ids = append(ids, msg.ID)
		}
		if !slices.Equal(ids, tt.want) || m.Selection.Total != 7 || m.Selection.Selected != len(tt.want) {
			t.Errorf("%+v: selected %v (%d of %d), want %v of 7", tt.sel, ids, m.Selection.Selected, m.Selection.Total, tt.want)
		}
		// Only senders of selected messages are named.
		var people []string
		for _, p := range m.Conversation.Participants {
			people = append(people, p.ID)
		}
		slices.Sort(people)
		if !slices.Equal(people, tt.people) {
			t.Errorf("%+v: participants %v, want %v", tt.sel, people, tt.people)
		}
		if len(m.Conversation.Sources) != 0 {
			t.Errorf("a selective export carries sources %v", m.Conversation.Sources)
		}
	}
}

// wantRepacked: the content verified, the container is not the sealed one.
func wantRepacked(t *testing.T, rep *verify.Report) {
	t.Helper()
	if rep.Result != verify.Indeterminate || !strings.HasPrefix(rep.Summary, "the sealed content is intact; ") {
		t.Fatalf("result %s, summary %q; checks %+v", rep.Result, rep.Summary, rep.Checks)
	}
	for _, c := range rep.Checks {
		switch {
		case c.Name == "container" && c.Status == verify.Indeterminate && c.Sub == verify.ContainerRepacked:
			return
		case c.Status != verify.Passed && c.Status != verify.Info && !strings.HasSuffix(c.Name, "timestamp trust"):
			t.Errorf("check %+v", c)
		}
	}
	t.Errorf("no INDETERMINATE container check: %+v", rep.Checks)
}

// TestRepacked: the entries of a bundle rewritten by another tool, in
// another order, deflated, with directory entries and junk: every content
// check runs; intact content is INDETERMINATE, altered content FAILED.
func TestRepacked(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	rezip := func(entries []testbundle.Entry, method uint16) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, dir := range []string{"messages/", "META-INF/"} {
			if _, err := zw.Create(dir); err != nil {
				t.Fatal(err)
			}
		}
		for _, e := range entries {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: method, Modified: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.Data)
		}
		zw.SetComment("repacked")
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	reversed := slices.Clone(entries)
	slices.Reverse(reversed)
	t.Run("deflated, reversed, with folders and a comment", func(t *testing.T) {
		rep := verifyBytes(t, rezip(reversed, zip.Deflate), verify.Options{Trust: fx.Roots})
		wantRepacked(t, rep)
		for _, name := range []string{"files", "chain", "signature", "timestamp trust", "custody log"} {
			if c := findCheck(rep, name); c == nil || c.Status != verify.Passed {
				t.Errorf("check %s: %+v", name, c)
			}
		}
	})
	t.Run("junk is ignored and said so", func(t *testing.T) {
		junk := append(slices.Clone(entries), testbundle.Entry{Name: ".DS_Store", Data: []byte("x")},
			testbundle.Entry{Name: "__MACOSX/._manifest.json", Data: []byte("x")})
		rep := verifyBytes(t, rezip(junk, zip.Store), verify.Options{Trust: fx.Roots})
		wantRepacked(t, rep)
		if c := findCheck(rep, "container"); c == nil || c.Status != verify.Info || !strings.Contains(c.Detail, ".DS_Store, __MACOSX/._manifest.json") {
			t.Errorf("junk not reported: %+v", c)
		}
	})
	t.Run("one altered file is FAILED", func(t *testing.T) {
		altered := slices.Clone(reversed)
		i := testbundle.Find(altered, "messages/000002.json")
		altered[i].Data = append(slices.Clone(altered[i].Data), ' ')
		rep := verifyBytes(t, rezip(altered, zip.Deflate), verify.Options{Trust: fx.Roots})
		if c := failedCheck(rep); rep.Result != verify.Failed || c == nil || c.Name != "files" || !strings.HasPrefix(rep.Summary, "the content was altered") {
			t.Errorf("result %s, summary %q, failed %+v", rep.Result, rep.Summary, c)
		}
	})
	t.Run("a foreign ZIP is not a custody file", func(t *testing.T) {
		data := rezip([]testbundle.Entry{{Name: "_chat.txt", Data: []byte("[1/2/23, 10:00:00] A: hi")}}, zip.Deflate)
		_, err := verify.Bundle(bytes.NewReader(data), int64(len(data)), verify.Options{})
		if !errors.Is(err, verify.ErrNotCustody) || !strings.Contains(err.Error(), "(a WhatsApp export?)") {
			t.Errorf("error %v", err)
		}
	})
}
