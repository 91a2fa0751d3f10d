package pdfseal

import (
	"github.com/custody-toolkit/custody/internal/peakrss"

	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/custody-toolkit/custody/verify"
)

// BenchmarkSeal64MiB seals a 64 MiB bundle read from a file, reporting
// the peak RSS (Linux) of the sealing alone: flat, the bundle is streamed
// (pdfsign, used before 2026-11-25, held about 4.5 times the bundle).
func BenchmarkSeal64MiB(b *testing.B) {
	const size = 64 << 20
	path := filepath.Join(b.TempDir(), "big.custody")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rendered := render(b, "big bundle")
	opts := Options{Signer: signerOf(b, signers(b)["ECDSA-P256"], nil), Timestamper: tsaClient(testTSA(b, exportTime)), Time: exportTime}
	b.SetBytes(size)
	reset := peakrss.Reset()
	for b.Loop() {
		if err := Seal(b.Context(), io.Discard, rendered, f, size, opts); err != nil {
			b.Fatal(err)
		}
	}
	peakrss.Report(b, reset)
}

// BenchmarkVerify64MiB checks the signature of a PDF embedding a 64 MiB
// bundle, as custody-verify does: streamed, in flat memory.
func BenchmarkVerify64MiB(b *testing.B) {
	const size = 64 << 20
	path := filepath.Join(b.TempDir(), "big.pdf")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	big := make([]byte, size)
	rand.Read(big)
	opts := Options{Signer: signerOf(b, signers(b)["ECDSA-P256"], nil), Timestamper: tsaClient(testTSA(b, exportTime)), Time: exportTime}
	if err := Seal(b.Context(), f, render(b, "big bundle"), bytes.NewReader(big), size, opts); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	big = nil
	b.SetBytes(st.Size())
	reset := peakrss.Reset()
	for b.Loop() {
		if _, checks := verify.VerifyPDFSignature(f, st.Size(), verify.Options{}); verify.Verdict(checks) == verify.Failed {
			b.Fatal(checks)
		}
	}
	peakrss.Report(b, reset)
}
