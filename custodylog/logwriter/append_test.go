package logwriter_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/peakrss"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// appendAsBefore appends e to the bundle at path and checks that the file
// is, byte for byte, what the rewrite through archive/zip made of it.
func appendAsBefore(t *testing.T, path string, e custodylog.Event, s logwriter.Signer, opts logwriter.AppendOptions) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := logwriter.Append(context.Background(), path, e, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var added []testbundle.Entry
	for _, f := range rec.Files() {
		added = append(added, testbundle.Entry(f))
	}
	if want := testbundle.AppendWithArchiveZip(t, before, added); !bytes.Equal(after, want) {
		t.Fatalf("event %d (%s): %d bytes, the rewrite through archive/zip wrote %d", rec.Event.Seq, e.Action, len(after), len(want))
	}
}

// TestAppendSameBytesAsArchiveZip: appended events, with and without a
// token, a renewal and revocation entries, leave the bundle as the
// rewrite through archive/zip did; and the bundle still verifies.
func TestAppendSameBytesAsArchiveZip(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	other := filepath.Join(t.TempDir(), "other.custody")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, stamped := newSigner(t, "ed25519"), newSigner(t, "ecdsa-p256")
	stamped.Timestamp = fx.Timestamp
	appendAsBefore(t, path, received("by post"), s, logwriter.AppendOptions{})
	appendAsBefore(t, path, custodylog.Event{Actor: custodylog.Actor{Name: "Lab"}, Action: custodylog.Transferred, Note: "to the lab"}, stamped, logwriter.AppendOptions{})
	appendAsBefore(t, path, custodylog.Event{Action: custodylog.Renewed, Note: "archive timestamp"}, stamped, logwriter.AppendOptions{})
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed || len(rep.Custody) != 4 {
		t.Fatalf("result %s with %d events, want PASSED with 4: %+v", rep.Result, len(rep.Custody), rep.Checks)
	}
	// Revocation entries follow the event's (their content is not checked here).
	revocation := []logwriter.Revocation{{Kind: custodylog.RevocationCRL, DER: []byte("a CRL")}, {Kind: custodylog.RevocationOCSP, DER: []byte("an OCSP response")}}
	appendAsBefore(t, other, received(""), s, logwriter.AppendOptions{Revocation: revocation})
}

// TestAppendInBoundedMemory: appending to a bundle of 158,000 entries
// (the largest an export makes) keeps live the bundle's compact index and
// the event, not the container's directory: about 11 MB, where the
// rewrite through archive/zip kept 129 MB (a zip.File per entry read, a
// header per entry written).
func TestAppendInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a bundle of 158,000 entries")
	}
	path := filepath.Join(t.TempDir(), "many.custody")
	if err := os.WriteFile(path, testbundle.WrittenBundle(t, 158_000), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSigner(t, "ed25519")
	runtime.GC() // twice: after one, the live heap read can still count the bundle written
	runtime.GC()
	peak := peakrss.SampleLiveHeap()
	if _, err := logwriter.Append(context.Background(), path, received(""), s, logwriter.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	peakrss.AtMost(t, peak(), 24<<20, "the append holds the container's directory")
	if _, err := manifest.OpenBundle(mustOpen(t, path)); err != nil {
		t.Fatalf("the bundle appended to does not open: %v", err)
	}
}

func mustOpen(t testing.TB, path string) (*os.File, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, st.Size()
}

// BenchmarkAppendLarge appends to a bundle of 158,000 entries (the
// largest an export makes), one event more each iteration: the time of
// the rewrite, and its peak resident memory (peak-RSS-MB, Linux).
func BenchmarkAppendLarge(b *testing.B) {
	path := filepath.Join(b.TempDir(), "many.custody")
	if err := os.WriteFile(path, testbundle.WrittenBundle(b, 158_000), 0o600); err != nil {
		b.Fatal(err)
	}
	s := newSigner(b, "ed25519")
	reset := peakrss.Reset()
	for b.Loop() {
		if _, err := logwriter.Append(context.Background(), path, received(""), s, logwriter.AppendOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	peakrss.Report(b, reset)
}
