package verify_test

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/pdfnorm"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestSHA256Hook: Options.SHA256 hashes every sealed file that is not a
// message entry, and manifest.json, told its size (the web verifier's
// faster SHA-256 then covers the bulk of the bytes hashed); the rendering
// comparison hashes canonical forms, not a fresh record.pdf.
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
	entries := testbundle.ReadEntries(t, path)
	for _, e := range entries {
		if e.Name == manifest.ManifestName {
			want[int64(len(e.Data))]++
		}
	}
	m := testbundle.Manifest(t, entries)
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

// TestSHA256HookRendering: the rendering comparison hashes a large image
// it stores as it is (a JPEG) with Options.SHA256 too, told its size, in
// the sealed record.pdf and in the fresh rendering: besides the file
// itself, twice.
func TestSHA256HookRendering(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	photo := noiseJPEG(t, 400)
	if len(photo) < pdfnorm.SHA256Threshold {
		t.Fatalf("a photo of %d bytes, under the threshold", len(photo))
	}
	path := exportWithAttachment(t, fx, "photo.jpg", "image/jpeg", photo)
	var mu sync.Mutex
	asked := map[int64]int{}
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots, SHA256: func(size int64) hash.Hash {
		mu.Lock()
		defer mu.Unlock()
		asked[size]++
		return sha256.New()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed || asked[int64(len(photo))] != 3 {
		t.Errorf("%s; SHA256 asked %d times for the photo's %d bytes, want 3 (asked: %v)", rep.Result, asked[int64(len(photo))], len(photo), asked)
	}
}

// noiseJPEG is a JPEG of side×side pixels of noise: large for its size.
func noiseJPEG(t *testing.T, side int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
