package verify_test

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"strings"
	"sync"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestSHA256Hook: Options.SHA256 hashes every sealed file that is not a
// message entry, told its size (the web verifier's faster SHA-256 then
// covers the bulk of the bytes hashed); the rendering comparison hashes
// canonical forms, not a fresh record.pdf.
func TestSHA256Hook(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	var mu sync.Mutex
	asked := map[int64]int{}
	opts := verify.Options{Trust: fx.Roots, SHA256: func(size int64) hash.Hash {
		mu.Lock()
		defer mu.Unlock()
		asked[size]++
		return sha256.New()
	}}
	rep, err := verify.BundleFile(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed {
		t.Fatalf("result %s, checks %+v", rep.Result, rep.Checks)
	}
	want := map[int64]int{}
	m := testbundle.Manifest(t, testbundle.ReadEntries(t, path))
	for _, f := range m.Files {
		if !strings.HasPrefix(f.Path, manifest.MessagesDir) {
			want[f.Size]++
		}
	}
	for size, n := range want {
		if asked[size] != n {
			t.Errorf("SHA256 asked %d times for %d bytes, want %d (asked: %v)", asked[size], size, n, asked)
		}
	}
}

// TestSHA256HookPDF: in a standalone PDF, Options.SHA256 also hashes the
// bytes the PDF signature covers (nearly the whole file), told their size.
func TestSHA256HookPDF(t *testing.T) {
	t.Parallel()
	rendering, sign, _ := standaloneSignerAs(t, testbundle.Sample(), custody.Options{}, "")
	signed := sign(t, rendering)
	var mu sync.Mutex
	asked := map[int64]int{}
	opts := verify.Options{SHA256: func(size int64) hash.Hash {
		mu.Lock()
		defer mu.Unlock()
		asked[size]++
		return sha256.New()
	}}
	r := bytes.NewReader(signed)
	rep, err := verify.PDF(r, r.Size(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result == verify.Failed {
		t.Fatalf("result %s, checks %+v", rep.Result, rep.Checks)
	}
	sig, _ := verify.VerifyPDFSignature(r, r.Size(), verify.Options{})
	if sig == nil {
		t.Fatal("no signature")
	}
	covered := sig.ByteRange[1] + sig.ByteRange[3]
	if asked[covered] == 0 {
		t.Errorf("SHA256 not asked for the %d bytes the signature covers (asked: %v)", covered, asked)
	}
}
