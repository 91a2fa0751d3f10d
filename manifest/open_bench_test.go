package manifest_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/custody-toolkit/custody/internal/peakrss"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/keys/sigstream"
	"github.com/custody-toolkit/custody/manifest"
)

// BenchmarkOpenAndSeal measures what a verifier holds while it opens a
// bundle and checks the manifest's signature and digest, the steps
// before the manifest is decoded: CUSTODY_BENCH_ENTRIES message entries
// (default 150,000) and a manifest of CUSTODY_BENCH_MANIFEST_MB (default
// 60, near MaxManifestSize), signed with Ed25519. It reports the peak
// live heap (live-MB, garbage not counted) and peak RSS.
func BenchmarkOpenAndSeal(b *testing.B) {
	entries, mb := envInt(b, "CUSTODY_BENCH_ENTRIES", 150_000), envInt(b, "CUSTODY_BENCH_MANIFEST_MB", 60)
	path := filepath.Join(b.TempDir(), "open.custody")
	pub, sig := writeOpenBench(b, path, entries, mb)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	runtime.GC()
	reset := peakrss.Reset()
	stop := peakrss.SampleLiveHeap()
	for b.Loop() {
		bundle, err := manifest.OpenBundle(f, st.Size())
		if err != nil {
			b.Fatal(err)
		}
		rc, err := bundle.OpenManifest()
		if err != nil {
			b.Fatal(err)
		}
		digest, signed := sha256.New(), sigstream.NewVerifier(sigalg.Ed25519, pub, sig)
		if _, err := io.Copy(io.MultiWriter(digest, signed), rc); err != nil || !signed.Verify() {
			b.Fatalf("the manifest's signature does not verify (%v)", err)
		}
		rc.Close()
	}
	b.ReportMetric(float64(stop())/(1<<20), "live-MB")
	peakrss.Report(b, reset)
}

func envInt(b *testing.B, name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// writeOpenBench writes a bundle of n tiny message entries and a manifest
// of mb MiB (not JSON: only its bytes are read here), and returns the key
// and signature over the manifest.
func writeOpenBench(b *testing.B, path string, n, mb int) (ed25519.PublicKey, []byte) {
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	w, err := manifest.NewWriter(out)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := w.AddBytes(manifest.MessageEntryName(i), []byte("{}")); err != nil {
			b.Fatal(err)
		}
	}
	body := make([]byte, mb<<20)
	rand.Read(body)
	if _, err := w.AddBytes(manifest.ManifestName, body); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return pub, ed25519.Sign(priv, body)
}
