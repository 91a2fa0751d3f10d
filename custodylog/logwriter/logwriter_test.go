package logwriter_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

func newSigner(t testing.TB, alg string) logwriter.Signer {
	t.Helper()
	key, err := keys.Generate(alg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return logwriter.Signer{Key: s}
}

func received(note string) custodylog.Event {
	return custodylog.Event{Actor: custodylog.Actor{Name: "Dra. Vidal", Role: "expert"}, Action: custodylog.Received, Note: note}
}

// The exporter's "sealed" event and an appended one, read back and checked
// field by field against what was asked.
func TestAppendLinksToSealAndPrevious(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	entries := testbundle.ReadEntries(t, path)
	sig := entries[testbundle.Find(entries, manifest.SignatureName)].Data
	first := entries[testbundle.Find(entries, custodylog.EntryName(1, custodylog.PartEvent))].Data
	sealed, err := custodylog.Parse(first)
	if err != nil {
		t.Fatal(err)
	}
	fp, _ := manifest.Fingerprint(fx.PublicKey)
	if sealed.Seq != 1 || sealed.Action != custodylog.Sealed || sealed.Actor.Role != "clinician" || sealed.Actor.Fingerprint != fp ||
		sealed.Prev != custodylog.ZeroDigest || sealed.Bundle != custodylog.Digest(sig) {
		t.Fatalf("sealed event %+v", sealed)
	}

	s := newSigner(t, "ed25519")
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	rec, err := logwriter.Append(context.Background(), path, received("expediente 2026/113"), s, logwriter.AppendOptions{Now: at})
	if err != nil {
		t.Fatal(err)
	}
	e := rec.Event
	if e.Seq != 2 || e.Prev != custodylog.Digest(first) || e.Bundle != custodylog.Digest(sig) || e.Time != "2026-11-25T09:00:00Z" {
		t.Fatalf("appended %+v", e)
	}
	after := testbundle.ReadEntries(t, path)
	for _, f := range rec.Files() {
		i := testbundle.Find(after, f.Name)
		if i < 0 || !bytes.Equal(after[i].Data, f.Data) {
			t.Fatalf("entry %s not written as signed", f.Name)
		}
	}
	// The signature is the plain Ed25519 signature of the entry's bytes.
	if !ed25519.Verify(s.Key.Public().(ed25519.PublicKey), rec.JSON, rec.Sig) {
		t.Fatal("signature does not verify with crypto/ed25519")
	}
	if len(after) != len(entries)+3 {
		t.Errorf("%d entries after the append, want %d", len(after), len(entries)+3)
	}
}

func TestAppendErrors(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	s := newSigner(t, "ed25519")
	ctx := context.Background()
	good := fx.Export(t, testbundle.Sample(), custody.Selection{})
	dir := t.TempDir()

	notZip := filepath.Join(dir, "notes.txt")
	os.WriteFile(notZip, []byte("hello"), 0o644)
	broken := filepath.Join(dir, "broken.custody")
	var kept []testbundle.Entry
	for _, e := range testbundle.ReadEntries(t, good) {
		if e.Name != custodylog.EntryName(1, custodylog.PartSignature) {
			kept = append(kept, e)
		}
	}
	os.WriteFile(broken, testbundle.WriteEntries(t, kept), 0o644)

	tests := []struct {
		name, path string
		event      custodylog.Event
		want       string
	}{
		{"missing file", filepath.Join(dir, "nothere.custody"), received(""), "no such file"},
		{"not a bundle", notZip, received(""), "not a custody bundle"},
		{"broken log", broken, received(""), "event 1 is missing or incomplete"},
		{"other without note", good, custodylog.Event{Actor: custodylog.Actor{Name: "x"}, Action: custodylog.Other}, "needs a note"},
		{"unknown action", good, custodylog.Event{Action: "lost"}, `field action: "lost"`},
		{"control character", good, received("a\x1b[2Jb"), "field note: control character U+001B"},
		{"long note", good, received(strings.Repeat("x", custodylog.MaxNoteBytes+1)), "field note: 4097 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			_, err := logwriter.Append(ctx, tt.path, tt.event, s, logwriter.AppendOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if after, _ := os.ReadFile(tt.path); !bytes.Equal(before, after) {
				t.Error("the file changed")
			}
			if temps, _ := filepath.Glob(filepath.Join(filepath.Dir(tt.path), ".*.tmp-*")); len(temps) > 0 {
				t.Errorf("temporary files left: %v", temps)
			}
		})
	}
}

// Concurrent appends to the same file run one after the other: none is
// lost, and the result verifies with every event linked.
func TestConcurrentAppends(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		s := newSigner(t, "ed25519")
		wg.Go(func() {
			_, err := logwriter.Append(context.Background(), path, received(fmt.Sprintf("copy %d", i)), s, logwriter.AppendOptions{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed || len(rep.Custody) != n+1 {
		t.Fatalf("result %s with %d events, want PASSED with %d: %+v", rep.Result, len(rep.Custody), n+1, rep.Checks)
	}
	notes := map[string]bool{}
	for _, e := range rep.Custody[1:] {
		notes[e.Note] = true
	}
	if len(notes) != n {
		t.Errorf("%d distinct appended events, want %d", len(notes), n)
	}
}

// An append that cannot get the lock in time fails clearly and leaves the
// bundle alone.
func TestAppendLockBusy(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	holder, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := syscall.Flock(int(holder.Fd()), syscall.LOCK_EX); err != nil {
		t.Skipf("flock: %v", err)
	}
	before, _ := os.ReadFile(path)
	start := time.Now()
	_, err = logwriter.Append(context.Background(), path, received(""), newSigner(t, "ed25519"), logwriter.AppendOptions{LockWait: 200 * time.Millisecond})
	if !errors.Is(err, logwriter.ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v, want ErrLocked naming the file", err)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond || waited > 5*time.Second {
		t.Errorf("waited %v for a 200ms LockWait", waited)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the bundle changed")
	}
	// Released, the next append goes through.
	syscall.Flock(int(holder.Fd()), syscall.LOCK_UN)
	if _, err := logwriter.Append(context.Background(), path, received(""), newSigner(t, "ed25519"), logwriter.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAppend appends to the sample bundle (about 100 KB, growing by
// one event per iteration): lock, read, sign, rewrite, sync, rename.
func BenchmarkAppend(b *testing.B) {
	fx := testbundle.New(b, "ed25519")
	path := fx.Export(b, testbundle.Sample(), custody.Selection{})
	s := newSigner(b, "ed25519")
	for b.Loop() {
		if _, err := logwriter.Append(context.Background(), path, received(""), s, logwriter.AppendOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// Through a symbolic link the bundle it points to grows; the link stays.
func TestAppendThroughSymlink(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	link := filepath.Join(t.TempDir(), "link.custody")
	if err := os.Symlink(path, link); err != nil {
		t.Skip(err)
	}
	if _, err := logwriter.Append(context.Background(), link, received(""), newSigner(t, "ed25519"), logwriter.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if i := testbundle.Find(testbundle.ReadEntries(t, path), custodylog.EntryName(2, custodylog.PartEvent)); i < 0 {
		t.Fatal("the target bundle has no event 2")
	}
}

// The exporter's first event carries the name and role it was given.
func TestExportSealedEventActor(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	c, err := conversation.Load(testbundle.Sample())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "case.custody")
	now := time.Date(2026, 11, 25, 8, 30, 15, 500, time.UTC)
	if _, err := custody.Export(context.Background(), c, custody.Options{Out: out, Signer: fx.Signer,
		Timestampers: []custody.Timestamper{fx}, Now: now, Actor: custodylog.Actor{Name: "Dr. Ruiz", Role: "psychiatrist"}}); err != nil {
		t.Fatal(err)
	}
	entries := testbundle.ReadEntries(t, out)
	e, err := custodylog.Parse(entries[testbundle.Find(entries, custodylog.EntryName(1, custodylog.PartEvent))].Data)
	if err != nil {
		t.Fatal(err)
	}
	if e.Actor.Name != "Dr. Ruiz" || e.Actor.Role != "psychiatrist" || e.Time != "2026-11-25T08:30:15Z" || e.Action != custodylog.Sealed {
		t.Fatalf("sealed event %+v", e)
	}
	if testbundle.Find(entries, custodylog.EntryName(1, custodylog.PartToken)) >= 0 {
		t.Error("the sealed event has a token of its own; the manifest's tokens prove its time")
	}
}

// Sign refuses to write what a verifier does not parse (custody-log.md,
// Reader limits): revocation data, or a TSA's answer, over 1 MiB.
func TestSignRefusesOverLimit(t *testing.T) {
	e := received("")
	e.Seq, e.Time, e.Bundle, e.Prev = 2, custodylog.FormatTime(time.Now()), custodylog.ZeroDigest, custodylog.ZeroDigest
	large := make([]byte, manifest.MaxMetaEntrySize+1)
	s := newSigner(t, "ed25519")
	if _, err := logwriter.Sign(context.Background(), e, s, logwriter.Revocation{Kind: custodylog.RevocationCRL, DER: large}); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Errorf("revocation data over 1 MiB: %v", err)
	}
	s.Timestamp = func(context.Context, []byte) ([]byte, error) { return large, nil }
	if _, err := logwriter.Sign(context.Background(), e, s); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Errorf("a token over 1 MiB: %v", err)
	}
}
