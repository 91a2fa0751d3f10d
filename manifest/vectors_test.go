package manifest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

var update = flag.Bool("update", false, "regenerate testdata/vectors/v2 (the format's published vectors: only for a deliberate change); v1 is frozen, the exporter writes v2")

var vectorDir = filepath.Join("..", "testdata", "vectors", "v1")

// expectedVector is testdata/vectors/v1/expected.json.
type expectedVector struct {
	ManifestSHA256 string    `json:"manifest_sha256"`
	EntrySHA256    []string  `json:"entry_sha256"`
	Links          []string  `json:"links"`
	ChainHead      string    `json:"chain_head"`
	Fingerprint    string    `json:"signer_fingerprint"`
	GenTime        time.Time `json:"gen_time"`
}

// TestVectors checks the published bundle: an old bundle must keep
// verifying, and every derived value must stay what the spec says.
func TestVectors(t *testing.T) {
	bundle := filepath.Join(vectorDir, "sample.custody")
	var want expectedVector
	data, err := os.ReadFile(filepath.Join(vectorDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	got := derive(t, bundle)
	if got.ManifestSHA256 != want.ManifestSHA256 || got.ChainHead != want.ChainHead || got.Fingerprint != want.Fingerprint {
		t.Errorf("derived %+v\nwant %+v", got, want)
	}
	for i := range want.Links {
		if i >= len(got.Links) || got.Links[i] != want.Links[i] || got.EntrySHA256[i] != want.EntrySHA256[i] {
			t.Errorf("link %d differs", i+1)
		}
	}
	rep, err := verify.BundleFile(bundle, vectorOptions(t, vectorDir))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed || len(rep.Timestamps) != 1 || !rep.Timestamps[0].Time.Equal(want.GenTime) {
		t.Fatalf("the published vector no longer verifies: %s %+v", rep.Result, rep.Checks)
	}
}

// derive recomputes the vector's values from the bytes, with the chain
// rule of docs/bundle-format.md §4 written out again here.
func derive(t *testing.T, bundle string) expectedVector {
	entries := testbundle.ReadEntries(t, bundle)
	raw := entries[testbundle.Find(entries, manifest.ManifestName)].Data
	m := testbundle.Manifest(t, entries)
	sum := sha256.Sum256(raw)
	v := expectedVector{ManifestSHA256: hex.EncodeToString(sum[:]), Fingerprint: m.Signer.Fingerprint}
	link := make([]byte, 32)
	for _, msg := range m.Messages {
		d := sha256.Sum256(entries[testbundle.Find(entries, msg.Entry)].Data)
		h := sha256.New()
		h.Write([]byte("custody-chain-v1\x00"))
		h.Write(link)
		h.Write(d[:])
		link = h.Sum(nil)
		v.EntrySHA256 = append(v.EntrySHA256, hex.EncodeToString(d[:]))
		v.Links = append(v.Links, hex.EncodeToString(link))
	}
	v.ChainHead = hex.EncodeToString(link)
	return v
}

// vectorOptions trusts a vector folder's TSA root and expects its signer.
func vectorOptions(t *testing.T, dir string) verify.Options {
	t.Helper()
	roots, err := verify.ParseCertificates(mustRead(t, filepath.Join(dir, "tsa-root.pem")))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := manifest.ParsePublicKey(mustRead(t, filepath.Join(dir, "signer.pub")))
	if err != nil {
		t.Fatal(err)
	}
	return verify.Options{Trust: roots, SignerKey: pub}
}

func copyFile(t *testing.T, from, to string) {
	if err := os.WriteFile(to, mustRead(t, from), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
