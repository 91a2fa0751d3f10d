package verify_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// reseal rewrites a tampered bundle as a careful forger would: the files
// list, entry digests, counts and hash chain all made to agree with the
// tampered content again, so that only the Merkle tree (and the signature,
// checked after it) can tell.
func reseal(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []byte {
	t.Helper()
	digest := map[string][32]byte{}
	m.Files = m.Files[:0]
	for _, x := range e {
		if x.Name == manifest.MimetypeName || x.Name == manifest.ManifestName || strings.HasPrefix(x.Name, manifest.MetaDir) {
			continue
		}
		d := sha256.Sum256(x.Data)
		digest[x.Name] = d
		m.Files = append(m.Files, manifest.File{Path: x.Name, SHA256: hex.EncodeToString(d[:]), Size: int64(len(x.Data))})
	}
	slices.SortFunc(m.Files, func(a, b manifest.File) int { return strings.Compare(a.Path, b.Path) })
	link := manifest.ChainStart
	for i := range m.Messages {
		d := digest[m.Messages[i].Entry]
		m.Messages[i].SHA256 = hex.EncodeToString(d[:])
		link = manifest.NextLink(link, d)
		m.Messages[i].Link = hex.EncodeToString(link[:])
	}
	m.Chain.Length, m.Selection.Selected, m.Chain.Head = len(m.Messages), len(m.Messages), hex.EncodeToString(link[:])
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	e[testbundle.Find(e, manifest.ManifestName)].Data = data
	return testbundle.WriteEntries(t, e)
}

func setEntry(e []testbundle.Entry, name string, data []byte) []testbundle.Entry {
	if i := testbundle.Find(e, name); i >= 0 {
		e[i].Data = data
		return e
	}
	return append(e, testbundle.Entry{Name: name, Data: data})
}

func leafOf(m manifest.Message) string {
	salt, _ := manifest.ParseDigest(m.Salt)
	d, _ := manifest.ParseDigest(m.SHA256)
	l := manifest.LeafHash(salt, d)
	return hex.EncodeToString(l[:])
}

// TestDisclosureTampering: every way of changing what a selective export
// discloses, or what it says about the rest, gives FAILED, and the check
// that catches it (before the signature) is the tree's or the manifest's.
func TestDisclosureTampering(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	// m1, m2, m4, m6 disclosed; positions 2, 4 and 6 (0-based) withheld.
	path := fx.ExportOptions(t, testbundle.Sample(), custody.Options{Selection: custody.Selection{Messages: "m1-m2,m4,m6"}, NoRecord: true})
	original := testbundle.ReadEntries(t, path)
	// Control: resealing without a change leaves a bundle that passes, so
	// each failure below is the tampering's.
	if rep := verifyBytes(t, reseal(t, slices.Clone(original), testbundle.Manifest(t, original)), verify.Options{Trust: fx.Roots}); rep.Result != verify.Passed {
		t.Fatalf("untouched: %s %+v", rep.Result, rep.Checks)
	}
	type tamper func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry
	cases := []struct {
		name  string
		do    tamper
		check string
	}{
		{"disclosed message edited", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			i := testbundle.Find(e, m.Messages[1].Entry)
			e[i].Data = []byte(strings.Replace(string(e[i].Data), "12 mg/L", "2 mg/L", 1))
			return e
		}, "disclosure"},
		{"disclosed message removed", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			gone := m.Messages[2]
			m.Messages = slices.Delete(m.Messages, 2, 3)
			return slices.DeleteFunc(e, func(x testbundle.Entry) bool { return x.Name == gone.Entry })
		}, "manifest"},
		{"disclosed message removed, a made-up withheld leaf in its place", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			gone := m.Messages[2]
			m.Messages = slices.Delete(m.Messages, 2, 3)
			m.Withheld = append(m.Withheld, manifest.Withheld{Position: *gone.Position, Leaf: strings.Repeat("ab", 32)})
			slices.SortFunc(m.Withheld, func(a, b manifest.Withheld) int { return a.Position - b.Position })
			return slices.DeleteFunc(e, func(x testbundle.Entry) bool { return x.Name == gone.Entry })
		}, "disclosure"},
		{"message added in a withheld position", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			pos := m.Withheld[0].Position
			m.Withheld = m.Withheld[1:]
			entry := []byte(`{"from":"pt-7f3a","id":"m3","text":"Estoy perfectamente.","time":"2026-04-12T10:02:55+02:00"}`)
			name := manifest.MessageEntryName(pos)
			msg := manifest.Message{ID: "m3", Entry: name, Attachments: []string{}, Position: &pos, Salt: strings.Repeat("00", 32)}
			m.Messages = slices.Insert(m.Messages, 2, msg)
			return setEntry(e, name, entry)
		}, "disclosure"},
		{"two disclosed messages' contents swapped", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			a, b := testbundle.Find(e, m.Messages[0].Entry), testbundle.Find(e, m.Messages[1].Entry)
			// Swap the contents and ids, keep names and salts.
			e[a].Data, e[b].Data = e[b].Data, e[a].Data
			m.Messages[0].ID, m.Messages[1].ID = m.Messages[1].ID, m.Messages[0].ID
			m.Messages[0].Attachments, m.Messages[1].Attachments = m.Messages[1].Attachments, m.Messages[0].Attachments
			return e
		}, "messages"}, // m1's attachment is named after position 1: the swap shows before the tree
		{"disclosed messages reordered in the manifest", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			m.Messages[0], m.Messages[1] = m.Messages[1], m.Messages[0]
			return e
		}, "manifest"},
		{"withheld leaf changed", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			m.Withheld[1].Leaf = leafOf(m.Messages[0])
			return e
		}, "disclosure"},
		{"withheld position changed", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			m.Withheld[0].Position++
			return e
		}, "manifest"},
		{"disclosed message moved to a withheld position (names and positions coherent)", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			// m4 (position 3) claims position 2; the withheld leaf of
			// position 2 moves to 3.
			old := m.Messages[2].Entry
			two := 2
			m.Messages[2].Position, m.Messages[2].Entry = &two, manifest.MessageEntryName(2)
			m.Withheld[0].Position = 3
			e[testbundle.Find(e, old)].Name = manifest.MessageEntryName(2)
			return e
		}, "disclosure"},
		{"salt of a disclosed message changed", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			m.Messages[3].Salt = strings.Repeat("11", 32)
			return e
		}, "disclosure"},
		{"tree size grown with a made-up withheld message", func(t *testing.T, e []testbundle.Entry, m *manifest.Manifest) []testbundle.Entry {
			m.Withheld = append(m.Withheld, manifest.Withheld{Position: 7, Leaf: strings.Repeat("cd", 32)})
			m.Tree.Size, m.Selection.Total = 8, 8
			return e
		}, "disclosure"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := slices.Clone(original)
			for i := range e {
				e[i].Data = slices.Clone(e[i].Data)
			}
			m := testbundle.Manifest(t, e)
			e = tc.do(t, e, m)
			rep := verifyBytes(t, reseal(t, e, m), verify.Options{Trust: fx.Roots})
			c := failedCheck(rep)
			if rep.Result != verify.Failed || c == nil || c.Name != tc.check {
				t.Fatalf("verdict %s, failed check %+v; want FAILED at %q", rep.Result, c, tc.check)
			}
		})
	}
}

func TestDisclosureReport(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.ExportOptions(t, testbundle.Sample(), custody.Options{Selection: custody.Selection{Messages: "m1-m2,m4,m6"}})
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed {
		t.Fatalf("%s %+v", rep.Result, rep.Checks)
	}
	d := rep.Disclosure
	want := []verify.WithheldRange{{From: 2, To: 2, Count: 1}, {From: 4, To: 4, Count: 1}, {From: 6, To: 6, Count: 1}}
	if d == nil || d.Disclosed != 4 || d.Total != 7 || !slices.Equal(d.Withheld, want) {
		t.Fatalf("disclosure %+v", d)
	}
	if got := d.String(); got != "4 of 7 messages disclosed; withheld (positions counted from 1): 3 (1), 5 (1), 7 (1)" {
		t.Errorf("text %q", got)
	}
}

// TestConsistencyWithV1: a v1 bundle commits to no tree: consistency
// cannot be proven (INDETERMINATE), not FAILED; the v1 bundle itself still
// verifies.
func TestConsistencyWithV1(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "testdata", "vectors")
	roots, err := verify.ParseCertificates(mustReadFile(t, filepath.Join(dir, "v1", "tsa-root.pem")))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Consistent(filepath.Join(dir, "v1", "sample.custody"), filepath.Join(dir, "v2", "sample.custody"), verify.Options{Trust: roots}, verify.Options{Trust: roots})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Consistency
	if c.Older.Result != verify.Passed || c.Status != verify.Indeterminate || c.FirstDifference != nil || rep.Result == verify.Passed {
		t.Fatalf("older %s, consistency %s %q, result %s", c.Older.Result, c.Status, c.Detail, rep.Result)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
