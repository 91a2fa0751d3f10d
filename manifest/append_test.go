package manifest_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
)

func appendEntries(t testing.TB, data []byte, add []testbundle.Entry) []byte {
	t.Helper()
	b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := b.AppendEntries(&out, stored(add)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func stored(entries []testbundle.Entry) []manifest.StoredEntry {
	s := make([]manifest.StoredEntry, len(entries))
	for i, e := range entries {
		s[i] = manifest.StoredEntry(e)
	}
	return s
}

// event is what the custody log adds: an event's entries.
func event(seq int) []testbundle.Entry {
	name := fmt.Sprintf("META-INF/custody/%04d", seq)
	return []testbundle.Entry{
		{Name: name + ".json", Data: fmt.Appendf(nil, `{"seq":%d}`, seq)},
		{Name: name + ".sig", Data: bytes.Repeat([]byte{0xa5}, 64)},
		{Name: name + ".pem", Data: []byte("-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n")},
		{Name: name + ".tsr", Data: []byte{}},
	}
}

// TestAppendEntriesSameBytesAsArchiveZip: on every conformance vector that
// opens (with and without custody events, in every descriptor form), and
// on bundles around 65,535 entries (where the Zip64 end records begin)
// and of 158,000, the entries added come out byte for byte as the custody
// log's rewrite through archive/zip wrote them; twice, as a second event
// follows the first; and the result opens.
func TestAppendEntriesSameBytesAsArchiveZip(t *testing.T) {
	bundles := map[string][]byte{"100 entries": testbundle.WrittenBundle(t, 100)}
	vectors, _ := filepath.Glob("../testdata/vectors/*/*/*.custody")
	for _, path := range vectors {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data))); err == nil {
			bundles[path] = data
		}
	}
	if len(bundles) < 100 {
		t.Fatalf("only %d bundles open: the vectors were not found", len(bundles))
	}
	if !testing.Short() {
		bundles["65,531 entries"] = testbundle.WrittenBundle(t, 65_531)   // 65,535 with an event
		bundles["65,540 entries"] = testbundle.WrittenBundle(t, 65_540)   // Zip64 end records already
		bundles["158,000 entries"] = testbundle.WrittenBundle(t, 158_000) // the largest bundle
	}
	for name, data := range bundles {
		got, want := data, data
		for seq := 9001; seq <= 9002; seq++ { // numbers no vector's log has
			got, want = appendEntries(t, got, event(seq)), testbundle.AppendWithArchiveZip(t, want, event(seq))
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, event %d: %d bytes, archive/zip wrote %d", name, seq, len(got), len(want))
			}
		}
		if _, err := manifest.OpenBundle(bytes.NewReader(got), int64(len(got))); err != nil {
			t.Errorf("%s: the bundle appended to does not open: %v", name, err)
		}
	}
}

// TestAppendEntriesRefuses: names the bundle could not hold, and a bundle
// not read in the canonical layout, are refused with nothing written.
func TestAppendEntriesRefuses(t *testing.T) {
	data := testbundle.WrittenBundle(t, 10)
	b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for name, add := range map[string][]manifest.StoredEntry{
		"an existing name":         {{Name: manifest.ManifestName}},
		"an existing name's case":  {{Name: "Manifest.JSON"}},
		"twice the same name":      {{Name: "META-INF/custody/0002.json"}, {Name: "META-INF/custody/0002.JSON"}},
		"a name outside the rules": {{Name: "../escape"}},
	} {
		var out bytes.Buffer
		if err := b.AppendEntries(&out, add); err == nil || out.Len() > 0 {
			t.Errorf("%s: %v, %d bytes written", name, err, out.Len())
		}
	}
	repacked, err := manifest.OpenRepacked(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := repacked.AppendEntries(&out, stored(event(2))); err == nil || out.Len() > 0 {
		t.Errorf("a repacked bundle: %v, %d bytes written", err, out.Len())
	}
}
