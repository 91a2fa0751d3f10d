package custody_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestSelectionEdges exports selections at the edges and checks that the
// bundle verifies, reports exactly the withheld runs, marks them in the
// PDF, and leaks nothing of the withheld messages.
func TestSelectionEdges(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	conv := load(t, testbundle.Sample())
	cases := []struct{ name, messages string }{
		{"first withheld", "m2-m7"},
		{"last withheld", "m1-m6"},
		{"one in the middle withheld", "m1-m3,m5-m7"},
		{"single message disclosed", "m4"},
		{"all but the last withheld", "m7"},
		{"none withheld", ""},
		{"runs withheld", "m1,m4,m7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := fx.ExportOptions(t, testbundle.Sample(), custody.Options{Selection: custody.Selection{Messages: tc.messages}})
			picked, err := custody.Select(conv, custody.Selection{Messages: tc.messages})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Result != verify.Passed {
				t.Fatalf("%s %+v", rep.Result, rep.Checks)
			}
			want := withheldRuns(len(conv.Messages), picked)
			d := rep.Disclosure
			if d == nil || d.Disclosed != len(picked) || d.Total != len(conv.Messages) || !slices.Equal(d.Withheld, want) {
				t.Fatalf("disclosure %+v, want withheld %+v", d, want)
			}
			checkMarkers(t, path, want)
			checkNoLeak(t, path, conv, picked, false)
		})
	}
}

// withheldRuns computes the expected runs from the selection, independently
// of manifest.WithheldRanges.
func withheldRuns(n int, picked []int) []verify.WithheldRange {
	out := []verify.WithheldRange{}
	for i := 0; i < n; i++ {
		if slices.Contains(picked, i) {
			continue
		}
		j := i
		for j+1 < n && !slices.Contains(picked, j+1) {
			j++
		}
		out = append(out, verify.WithheldRange{From: i, To: j, Count: j - i + 1})
		i = j
	}
	return out
}

// checkMarkers: the PDF shows one "N messages withheld by the exporter"
// marker per run, with its count (pdftotext, poppler).
func checkMarkers(t *testing.T, bundle string, runs []verify.WithheldRange) {
	t.Helper()
	text := pdfText(t, bundle)
	if text == "" {
		return
	}
	if got := strings.Count(text, "withheld by the exporter"); got != len(runs) {
		t.Errorf("the PDF has %d withheld markers, want %d", got, len(runs))
	}
	for _, r := range runs {
		marker := "1 message withheld by the exporter"
		if r.Count > 1 {
			marker = strings.Replace(marker, "1 message", strconv.Itoa(r.Count)+" messages", 1)
		}
		if !strings.Contains(text, marker) {
			t.Errorf("the PDF lacks the marker %q", marker)
		}
	}
}

// pdfText extracts record.pdf's text with pdftotext, whitespace collapsed
// (the renderer wraps lines); "" when poppler is not installed.
func pdfText(t *testing.T, bundle string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext not installed: PDF text not checked")
		return ""
	}
	p := filepath.Join(t.TempDir(), "record.pdf")
	if err := os.WriteFile(p, entryData(t, bundle, manifest.RecordName), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return collapse(string(out))
}

// pdfStreams is the PDF with every stream decompressed (qpdf), so that a
// search sees what the content streams and embedded files hold.
func pdfStreams(t *testing.T, bundle string) []byte {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		return nil
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, entryData(t, bundle, manifest.RecordName), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("qpdf", "--qdf", "--object-streams=disable", "--stream-data=uncompress", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func entryData(t *testing.T, bundle, name string) []byte {
	t.Helper()
	e := testbundle.ReadEntries(t, bundle)
	i := testbundle.Find(e, name)
	if i < 0 {
		t.Fatalf("%s has no %s", bundle, name)
	}
	return e[i].Data
}

// checkNoLeak searches every byte of the bundle, the decompressed PDF and
// its extracted text for each withheld message's text, attachment bytes
// and digest, time (unless revealed) and id as a member, and for the name
// of every participant who sent only withheld messages. As a control, the
// disclosed messages' texts must be found: the search can see.
func checkNoLeak(t *testing.T, bundle string, c *conversation.Conversation, picked []int, timesRevealed bool) {
	t.Helper()
	raw, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, bundle)
	streams := pdfStreams(t, bundle)
	found := func(needle string) string {
		switch {
		case needle == "":
		case bytes.Contains(raw, []byte(needle)):
			return "the bundle"
		case bytes.Contains(streams, []byte(needle)):
			return "the decompressed PDF"
		case text != "" && strings.Contains(text, collapse(needle)):
			return "the PDF's text"
		}
		return ""
	}
	jsonText := func(s string) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // canonical JSON writes < > & literally
		enc.Encode(s)
		return strings.TrimSuffix(b.String(), "\n")[1 : b.Len()-2]
	}
	senders := map[string]bool{}
	for _, i := range picked {
		senders[c.Messages[i].From] = true
		if !bytes.Contains(raw, []byte(jsonText(c.Messages[i].Text))) || (text != "" && !strings.Contains(text, collapse(c.Messages[i].Text))) {
			t.Errorf("control: disclosed message %s's text is not found in the bundle and the PDF's text", c.Messages[i].ID)
		}
	}
	for i, m := range c.Messages {
		if slices.Contains(picked, i) {
			continue
		}
		needles := map[string]string{"text": m.Text, "JSON text": jsonText(m.Text), "id member": `"id":"` + m.ID + `"`}
		if !timesRevealed {
			needles["time"] = m.Time
			if tm, err := time.Parse(time.RFC3339, m.Time); err == nil {
				needles["displayed time"] = tm.Format("2006-01-02 15:04:05")
			}
		}
		for j, a := range m.Attachments {
			if a.Missing {
				continue
			}
			data, err := os.ReadFile(c.FilePath(a.Path))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			needles["attachment "+strconv.Itoa(j+1)+" bytes"] = string(data[:min(len(data), 200)])
			needles["attachment "+strconv.Itoa(j+1)+" SHA-256"] = hex.EncodeToString(sum[:])
		}
		for what, needle := range needles {
			if where := found(needle); where != "" {
				t.Errorf("withheld message %s: its %s is in %s", m.ID, what, where)
			}
		}
	}
	// A disclosed attachment may itself name anyone (a discharge report
	// names the patient): names are searched outside those bytes.
	for _, i := range picked {
		for _, a := range c.Messages[i].Attachments {
			if data, err := os.ReadFile(c.FilePath(a.Path)); err == nil && !a.Missing {
				raw = bytes.ReplaceAll(raw, data, nil)
			}
		}
	}
	for _, p := range c.Participants {
		if !senders[p.ID] {
			if where := found(p.Name); where != "" {
				t.Errorf("participant %s sent only withheld messages, but the name %q is in %s", p.ID, p.Name, where)
			}
		}
	}
}

// TestNoLeakSynthetic runs the leak search on a longer conversation with
// binary attachments and a participant who sent only withheld messages.
func TestNoLeakSynthetic(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	dir := testbundle.Synthetic(t, 12, nil)
	c := load(t, dir)
	sel := custody.Selection{Participant: "pt-b"} // dr-a and dr-c withheld entirely
	path := fx.ExportOptions(t, dir, custody.Options{Selection: sel})
	picked, _ := custody.Select(c, sel)
	checkNoLeak(t, path, c, picked, false)

	// --reveal-withheld-times: the times are there, the rest still is not.
	path = fx.ExportOptions(t, dir, custody.Options{Selection: sel, Disclosure: custody.Disclosure{RevealWithheldTimes: true}})
	m := testbundle.Manifest(t, testbundle.ReadEntries(t, path))
	for _, w := range m.Withheld {
		if w.Time != c.Messages[w.Position].Time {
			t.Errorf("withheld position %d: time %q, want %q", w.Position, w.Time, c.Messages[w.Position].Time)
		}
	}
	checkNoLeak(t, path, c, picked, true)
}

// TestConsistencyAcrossExports: an export of the first 20 messages of a
// conversation, and a later export of all 30.
func TestConsistencyAcrossExports(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	first20 := func(c *conversation.Conversation) { c.Messages = c.Messages[:20] }
	older := fx.ExportOptions(t, testbundle.Synthetic(t, 30, first20), custody.Options{})
	olderPartial := fx.ExportOptions(t, testbundle.Synthetic(t, 30, first20), custody.Options{Selection: custody.Selection{Messages: "m3-m7,m12"}})
	all30 := testbundle.Synthetic(t, 30, nil)

	t.Run("extends, proof carried", func(t *testing.T) {
		newer := fx.ExportOptions(t, all30, custody.Options{Selection: custody.Selection{Messages: "m21-m30"},
			Disclosure: custody.Disclosure{Extends: older}})
		m := testbundle.Manifest(t, testbundle.ReadEntries(t, newer))
		if len(m.Consistency) != 1 || m.Consistency[0].Size != 20 || len(m.Consistency[0].Proof) == 0 {
			t.Fatalf("consistency member %+v", m.Consistency)
		}
		expectConsistent(t, fx, older, newer)
		expectConsistent(t, fx, olderPartial, newer) // computed from the listed leaves
	})
	t.Run("no proof carried, whole exports", func(t *testing.T) {
		expectConsistent(t, fx, older, fx.ExportOptions(t, all30, custody.Options{}))
	})

	edited := testbundle.Synthetic(t, 30, func(c *conversation.Conversation) { c.Messages[4].Text += " (corregido)" })
	dropped := testbundle.Synthetic(t, 30, func(c *conversation.Conversation) { c.Messages = slices.Delete(c.Messages, 9, 10) })
	inserted := testbundle.Synthetic(t, 30, func(c *conversation.Conversation) {
		extra := c.Messages[3]
		extra.ID, extra.Text = "m3b", "un mensaje añadido después"
		c.Messages = slices.Insert(c.Messages, 3, extra)
	})
	shorter := testbundle.Synthetic(t, 30, func(c *conversation.Conversation) { c.Messages = c.Messages[:15] })
	for _, tc := range []struct {
		name, dir string
		position  int // 1-based, as reported
	}{
		{"message 5 edited", edited, 5},
		{"message 10 dropped", dropped, 10},
		{"a message inserted after message 3", inserted, 4},
		{"the conversation cut to 15 messages", shorter, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fx.TryExport(tc.dir, filepath.Join(t.TempDir(), "x.custody"), custody.Options{Disclosure: custody.Disclosure{Extends: older}})
			if err == nil || !strings.Contains(err.Error(), "position "+strconv.Itoa(tc.position)+" ") {
				t.Fatalf("export --extends: %v; want an error naming position %d", err, tc.position)
			}
			newer := fx.ExportOptions(t, tc.dir, custody.Options{Selection: custody.Selection{Messages: "m2"}})
			for _, o := range []string{older, olderPartial} {
				rep, err := verify.Consistent(o, newer, verify.Options{Trust: fx.Roots}, verify.Options{Trust: fx.Roots})
				if err != nil {
					t.Fatal(err)
				}
				c := rep.Consistency
				if rep.Result != verify.Failed || c.Status != verify.Failed || c.FirstDifference == nil || *c.FirstDifference != tc.position-1 ||
					!strings.Contains(c.Detail, "position "+strconv.Itoa(tc.position)+" ") {
					t.Fatalf("%s: consistency %s %+v", o, rep.Result, c)
				}
			}
		})
	}
}

func expectConsistent(t *testing.T, fx *testbundle.Fixture, older, newer string) {
	t.Helper()
	rep, err := verify.Consistent(older, newer, verify.Options{Trust: fx.Roots}, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed || rep.Consistency.Status != verify.Passed || rep.Consistency.Older.Result != verify.Passed {
		t.Fatalf("%s %+v\n%+v", rep.Result, rep.Consistency, rep.Checks)
	}
}

// deviceKey is an ECDSA key the exporter does not hold, as a card's, an
// HSM's or a KMS's: its signatures are not known to be deterministic.
type deviceKey struct{ crypto.Signer }

// TestSaltsECDSA: an ECDSA key the exporter does not hold in memory
// randomises its signatures, so without a salt secret the salts are
// random, and two exports cannot be shown consistent; with a salt secret
// they can, and a withheld leaf stays the same.
func TestSaltsECDSA(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	dir := testbundle.Synthetic(t, 6, nil)
	c := load(t, dir)
	device, err := keys.NewSigner(deviceKey{fx.Key}, fx.Signer.Chain())
	if err != nil {
		t.Fatal(err)
	}
	opts := func(secret []byte) custody.Options {
		o := options(fx, filepath.Join(t.TempDir(), "case.custody"))
		o.Signer = device
		o.Selection = custody.Selection{Messages: "m1-m3"}
		o.Disclosure.SaltSecret = secret
		return o
	}
	a, err := custody.Export(t.Context(), c, opts(nil))
	if err != nil {
		t.Fatal(err)
	}
	b, err := custody.Export(t.Context(), c, opts(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !a.EphemeralSalts || a.Manifest.Tree.Root == b.Manifest.Tree.Root {
		t.Fatalf("ephemeral %v, roots %s %s: random salts expected", a.EphemeralSalts, a.Manifest.Tree.Root, b.Manifest.Tree.Root)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	a, err = custody.Export(t.Context(), c, opts(secret))
	if err != nil {
		t.Fatal(err)
	}
	b, err = custody.Export(t.Context(), c, opts(secret))
	if err != nil {
		t.Fatal(err)
	}
	if a.EphemeralSalts || a.Manifest.Tree.Root != b.Manifest.Tree.Root || sealed(t, a).Withheld[0].Leaf != sealed(t, b).Withheld[0].Leaf {
		t.Fatalf("with a salt secret the tree must be the same in both exports")
	}
	if _, err := custody.Export(t.Context(), c, opts(secret[:31])); err == nil || !strings.Contains(err.Error(), "salt secret") {
		t.Fatalf("a 31-byte secret: %v", err)
	}
	expectConsistent(t, fx, a.Path, b.Path)
}

// TestSaltsECDSAKey: with the private key in memory and no salt secret, an ECDSA key derives the salts from its RFC 6979 signature as an
// Ed25519 key does: two exports have the same salts, a later export of the
// grown conversation proves it extends an earlier one, and the salts are
// those of the spec (docs/bundle-format.md §10), recomputed with Python's
// cryptography (OpenSSL) when it is installed.
func TestSaltsECDSAKey(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	first4 := func(c *conversation.Conversation) { c.Messages = c.Messages[:4] }
	older := load(t, testbundle.Synthetic(t, 6, first4))
	all6 := load(t, testbundle.Synthetic(t, 6, nil))
	export := func(c *conversation.Conversation, sel string, d custody.Disclosure) *custody.Result {
		t.Helper()
		o := options(fx, filepath.Join(t.TempDir(), "case.custody"))
		o.Selection = custody.Selection{Messages: sel}
		o.Disclosure = d
		res, err := custody.Export(t.Context(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	withKey := custody.Disclosure{}
	a := export(older, "m1,m3", withKey)
	b := export(older, "m1,m3", withKey)
	if a.EphemeralSalts || b.EphemeralSalts || a.Manifest.Tree.Root != b.Manifest.Tree.Root ||
		sealed(t, a).Messages[0].Salt != sealed(t, b).Messages[0].Salt || sealed(t, a).Withheld[0].Leaf != sealed(t, b).Withheld[0].Leaf {
		t.Fatal("an ECDSA key in memory must give the same salts in every export")
	}
	newer := export(all6, "m5-m6", custody.Disclosure{Extends: a.Path})
	if len(newer.Manifest.Consistency) != 1 || newer.Manifest.Consistency[0].Size != 4 {
		t.Fatalf("consistency member %+v", newer.Manifest.Consistency)
	}
	expectConsistent(t, fx, a.Path, newer.Path)
	expectConsistent(t, fx, b.Path, export(all6, "m2", withKey).Path)

	// The salt of m1 as the spec derives it, from an independent
	// implementation of ECDSA with RFC 6979 nonces.
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed: no independent check of the salt derivation")
	}
	d, err := fx.Key.(*ecdsa.PrivateKey).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("python3", "-c", pythonSalt, hex.EncodeToString(d), older.ID, "m1").CombinedOutput()
	if err != nil {
		t.Skipf("python3 cryptography with deterministic ECDSA unavailable: %v: %s", err, out)
	}
	first := sealed(t, a).Messages[0]
	if got, want := first.Salt, strings.TrimSpace(string(out)); first.ID != "m1" || got != want {
		t.Fatalf("salt of %s %s, want %s (python)", first.ID, got, want)
	}
}

// pythonSalt prints the leaf salt of docs/bundle-format.md §10 for an
// ECDSA P-256 key (raw scalar in hex), a conversation id and a message id.
const pythonSalt = `
import sys, hashlib, hmac
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
key = ec.derive_private_key(int(sys.argv[1], 16), ec.SECP256R1())
sig = key.sign(b"custody-salt-key-v2\x00" + sys.argv[2].encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
K = hashlib.sha256(sig).digest()
print(hmac.new(K, b"custody-salt-v2\x00" + sys.argv[2].encode() + b"\x00" + sys.argv[3].encode(), hashlib.sha256).hexdigest())
`

// TestExtendsRefusesBadBundle: --extends a bundle that does not verify, or
// of another conversation, fails naming it.
func TestExtendsRefusesBadBundle(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	other := fx.ExportOptions(t, testbundle.Sample(), custody.Options{})
	dir := testbundle.Synthetic(t, 5, nil)
	_, err := fx.TryExport(dir, filepath.Join(t.TempDir(), "x.custody"), custody.Options{Disclosure: custody.Disclosure{Extends: other}})
	if err == nil || !strings.Contains(err.Error(), "conversation") {
		t.Fatalf("another conversation: %v", err)
	}
	good := fx.ExportOptions(t, dir, custody.Options{})
	e := testbundle.ReadEntries(t, good)
	i := testbundle.Find(e, "messages/000002.json")
	e[i].Data = bytes.Replace(e[i].Data, []byte("message 2"), []byte("message X"), 1)
	bad := filepath.Join(t.TempDir(), "bad.custody")
	os.WriteFile(bad, testbundle.WriteEntries(t, e), 0o644)
	check := func(path string) error {
		rep, err := verify.BundleFile(path, verify.Options{})
		if err == nil && rep.Result == verify.Failed {
			return os.ErrInvalid
		}
		return err
	}
	_, err = fx.TryExport(dir, filepath.Join(t.TempDir(), "x.custody"), custody.Options{Disclosure: custody.Disclosure{Extends: bad, CheckExtends: check}})
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("a tampered earlier bundle: %v", err)
	}
}

// BenchmarkSelectiveExport: one message disclosed out of 3,000 (the
// others built, hashed and committed to), against all 3,000 disclosed.
func BenchmarkSelectiveExport(b *testing.B) {
	fx := testbundle.New(b, "ed25519")
	dir := testbundle.Synthetic(b, 3000, nil)
	c := load(b, dir)
	for _, sel := range []string{"m1500", ""} {
		b.Run("messages="+sel, func(b *testing.B) {
			for b.Loop() {
				o := options(fx, filepath.Join(b.TempDir(), "x.custody"))
				o.Selection, o.NoRecord = custody.Selection{Messages: sel}, true
				if _, err := custody.Export(b.Context(), c, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestConsistencyNamesSigners: anyone can seal a conversation that begins
// like another, so a consistency between bundles sealed by different keys
// is INDETERMINATE unless both keys are expected ones; it then passes,
// naming both.
func TestConsistencyNamesSigners(t *testing.T) {
	t.Parallel()
	doctor, other := testbundle.New(t, "ed25519"), testbundle.New(t, "ed25519")
	secret := make([]byte, 32)
	rand.Read(secret)
	export := func(fx *testbundle.Fixture, n int) string {
		c := load(t, testbundle.Synthetic(t, 6, func(c *conversation.Conversation) { c.Messages = c.Messages[:n] }))
		o := options(fx, filepath.Join(t.TempDir(), "case.custody"))
		o.Disclosure.SaltSecret = secret
		if _, err := custody.Export(t.Context(), c, o); err != nil {
			t.Fatal(err)
		}
		return o.Out
	}
	older, newer := export(doctor, 4), export(other, 6)
	trust := append(slices.Clone(doctor.Roots), other.Roots...)
	doctorFP, _ := manifest.Fingerprint(doctor.PublicKey)
	otherFP, _ := manifest.Fingerprint(other.PublicKey)
	for _, tc := range []struct {
		name         string
		newer, older string // expected signers
		want         verify.Status
		detail       string
	}{
		{"no signer named", "", "", verify.Indeterminate, "sealed by different keys"},
		{"only the newer named", otherFP, "", verify.Indeterminate, "not both expected"},
		{"both named", otherFP, doctorFP, verify.Passed, "sealed by different keys, both expected: " + doctorFP + " (older) and " + otherFP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := verify.Consistent(older, newer, verify.Options{Trust: trust, SignerFingerprint: tc.newer},
				verify.Options{Trust: trust, SignerFingerprint: tc.older})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Consistency.Status != tc.want || rep.Result != tc.want || !strings.Contains(rep.Consistency.Detail, tc.detail) {
				t.Fatalf("%s / %s: %s, want %s and %q", rep.Result, rep.Consistency.Status, rep.Consistency.Detail, tc.want, tc.detail)
			}
		})
	}
}

// TestSaltsRSA: an RSA key (a PKCS#12 file's, a card's) signs
// deterministically (RSASSA-PKCS1-v1_5), so without a salt secret two
// exports have the same salts, and can be proven consistent.
func TestSaltsRSA(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.NewSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := load(t, testbundle.Synthetic(t, 6, nil))
	export := func() *custody.Result {
		o := options(fx, filepath.Join(t.TempDir(), "case.custody"))
		o.Signer, o.Selection = signer, custody.Selection{Messages: "m1-m3"}
		res, err := custody.Export(t.Context(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := export(), export()
	if a.EphemeralSalts || a.Manifest.Tree.Root != b.Manifest.Tree.Root || a.Manifest.Format != manifest.FormatV5 {
		t.Fatalf("ephemeral %v, roots %s %s, format %s: the same salts, in v5, expected", a.EphemeralSalts, a.Manifest.Tree.Root, b.Manifest.Tree.Root, a.Manifest.Format)
	}
}
