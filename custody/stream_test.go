package custody_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/peakrss"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/custody-toolkit/custody/verify"
)

// TestExportStreamSameBundle: a conversation exported as a stream
// (conversation.OpenStream, each pass read again from the file) seals
// the same entries and manifest as the conversation held whole, selective
// and whole, with and without the rendering. Only what is random in every
// export differs: the export id, the signatures, and record.pdf, which
// shows the export id.
func TestExportStreamSameBundle(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	in := testbundle.Synthetic(t, 30, nil)
	for _, sel := range []custody.Selection{{}, {Messages: "m3-m9,m20"}, {Participant: "pt-b"}} {
		export := func(c conversation.Reader) []testbundle.Entry {
			opts := options(fx, filepath.Join(t.TempDir(), "case.custody"))
			opts.Selection, opts.Now = sel, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
			if _, err := custody.Export(context.Background(), c, opts); err != nil {
				t.Fatal(err)
			}
			return testbundle.ReadEntries(t, opts.Out)
		}
		whole, err := conversation.Load(in)
		if err != nil {
			t.Fatal(err)
		}
		stream, err := conversation.OpenStream(in)
		if err != nil {
			t.Fatal(err)
		}
		want, got := export(whole), export(stream)
		if len(got) != len(want) {
			t.Fatalf("%+v: %d entries streamed, %d held", sel, len(got), len(want))
		}
		for i := range want {
			name := want[i].Name
			a, b := want[i].Data, got[i].Data
			switch {
			case name == manifest.RecordName, strings.HasPrefix(name, "META-INF/"):
				continue
			case name == manifest.ManifestName:
				a, b = withoutExportID(t, a), withoutExportID(t, b)
			}
			if got[i].Name != name || !bytes.Equal(a, b) {
				t.Errorf("%+v: entry #%d: streamed %s differs from held %s:\n%s\n%s", sel, i, got[i].Name, name, b, a)
			}
		}
	}
}

// withoutExportID is a manifest with its random export id blanked and
// record.pdf, which shows it, left out.
func withoutExportID(t *testing.T, raw []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["export_id"] = ""
	var files []any
	for _, f := range m["files"].([]any) {
		if f.(map[string]any)["path"] != manifest.RecordName {
			files = append(files, f)
		}
	}
	m["files"] = files
	out, _ := json.Marshal(m)
	return out
}

// TestExportHoldsOneMessage: an export from a stream does not hold the
// conversation: of 100,000 messages, what stays live is what grows with
// the bundle's entries (archive/zip's directory, the file list, the
// names), about 35 MB; 66 MB when the manifest's messages were held, 120 MB
// from a held conversation.
func TestExportHoldsOneMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("large conversation")
	}
	c, opts := largeExport(t)
	// The live heap is sampled while the messages are read and written,
	// until the last one. Then the rendering reads their entries back
	// from a file (its pages are the renderer's; the manifest's part is
	// TestExportSealsInBoundedMemory).
	runtime.GC()
	peak := peakrss.SampleLiveHeap()
	var live uint64
	opts.Progress = func(step string, done, total int64) {
		if step == "messages" && done == total {
			live = peak()
		}
	}
	if _, err := custody.Export(context.Background(), c, opts); err != nil {
		t.Fatal(err)
	}
	const bound = 80 << 20
	peakrss.AtMost(t, live, bound, "the export holds the conversation")
}

// TestExportSealsInBoundedMemory: the manifest of 100,000 messages (about
// 40 MB of canonical JSON, 150 MB live when it was encoded whole) is
// written as it streams from the files its lists were spooled to, and
// signed from its file: what stays live for the whole export, without
// the rendering, is what grows with the entries of the ZIP container
// (its directory, the manifest's file list, the names seen) and 32 bytes
// a leaf: about 17 MB at most, 35–39 MB when archive/zip wrote the
// container (a FileHeader and a header kept per entry).
func TestExportSealsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large conversation")
	}
	c, opts := largeExport(t)
	opts.NoRecord, opts.Lang = true, ""
	peakrss.AtMost(t, exportLiveHeap(t, c, opts), 28<<20, "the export holds the manifest or the ZIP directory")
}

// TestExportRendersInBoundedMemory: with record.pdf, what stays live is
// TestExportSealsInBoundedMemory's and the renderer's: its pages packed
// (at most pdf's keptPagesBudget, 8 MB), a withheld gap and a position a
// message. About 29 MB of 100,000 messages; 40 MB when the rendering's
// manifest held a Message a message for their positions (128 bytes each).
func TestExportRendersInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large conversation")
	}
	c, opts := largeExport(t)
	opts.Lang = ""
	peakrss.AtMost(t, exportLiveHeap(t, c, opts), 35<<20, "the rendering holds a Message a message")
}

// TestWritePDFInBoundedMemory: the standalone PDF of 100,000 messages
// keeps live what the pages' renderer keeps (TestExportRendersInBoundedMemory)
// and the bundle's compact index: its pages go straight into the output
// file, the check of the bundle reads one file entry at a time, and the
// manifest's file list is let go once checked. About 23 MB; 50 MB when the
// pages were held in a buffer for pdfseal.Seal (which grew it by doubling)
// and the file list was held.
func TestWritePDFInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large conversation")
	}
	fx := testbundle.New(t, "ed25519")
	res := exportLarge(t, fx)
	srv := httptest.NewServer(localtsa.Handler(fx.Authority))
	defer srv.Close()
	pdfOpts := custody.PDFOptions{Out: filepath.Join(t.TempDir(), "case.pdf"), Signer: fx.Signer, Timestamper: &tsa.Client{URL: srv.URL}, Time: time.Now()}
	runtime.GC()
	runtime.GC()
	peak := peakrss.SampleLiveHeap()
	if err := custody.WritePDF(t.Context(), res.Path, pdfOpts); err != nil {
		t.Fatal(err)
	}
	peakrss.AtMost(t, peak(), 32<<20, "the standalone PDF holds its pages or the manifest's file list")
}

// TestVerifyInBoundedMemory: the verifier of a bundle of 100,000
// messages keeps live the bundle's compact index, the message entries'
// facts and the manifest's file list held compactly (manifest.ParseStreamed:
// a path, a digest of 32 bytes and a size a file, about 66 bytes, where a
// File and its two strings took 133), the bundle's entry names in one
// string: 23-24 MB, 31 MB when the file list was decoded as
// []manifest.File and each name was a string of its own.
func TestVerifyInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large conversation")
	}
	fx := testbundle.New(t, "ed25519")
	res := exportLarge(t, fx)
	// The lower peak of two runs: the live heap read after a collection
	// also counts what was allocated while it marked, which a loaded
	// machine makes more of (28.7 MB once in CI, on a machine running
	// four test binaries).
	live := uint64(math.MaxUint64)
	for range 2 {
		runtime.GC()
		runtime.GC()
		peak := peakrss.SampleLiveHeap()
		rep, err := verify.BundleFile(res.Path, verify.Options{Trust: fx.Roots})
		if err != nil || rep.Result != verify.Passed {
			t.Fatalf("%v, %+v", err, rep)
		}
		live = min(live, peak())
	}
	peakrss.AtMost(t, live, 27<<20, "the manifest's file list is held as []manifest.File, or a string an entry name")
}

// exportLarge exports a conversation of 100,000 messages
// (largeConversation) without record.pdf.
func exportLarge(t *testing.T, fx *testbundle.Fixture) *custody.Result {
	t.Helper()
	c, err := conversation.OpenStream(largeConversation(t, 100_000))
	if err != nil {
		t.Fatal(err)
	}
	opts := options(fx, filepath.Join(t.TempDir(), "case.custody"))
	opts.NoRecord, opts.Lang = true, ""
	res, err := custody.Export(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// exportLiveHeap is the peak live heap while c is exported.
func exportLiveHeap(t *testing.T, c conversation.Reader, opts custody.Options) uint64 {
	t.Helper()
	// Twice: after one collection the live heap read can still count the
	// fixture's garbage (the 100,000 messages encoded, about 50 MB).
	runtime.GC()
	runtime.GC()
	peak := peakrss.SampleLiveHeap()
	if _, err := custody.Export(context.Background(), c, opts); err != nil {
		t.Fatal(err)
	}
	return peak()
}

// largeExport is a stream of 100,000 messages (largeConversation) and
// the options to export it.
func largeExport(t *testing.T) (conversation.Reader, custody.Options) {
	t.Helper()
	fx := testbundle.New(t, "ed25519")
	c, err := conversation.OpenStream(largeConversation(t, 100_000))
	if err != nil {
		t.Fatal(err)
	}
	return c, options(fx, filepath.Join(t.TempDir(), "case.custody"))
}

// largeConversation writes n messages with 300-byte texts, no
// attachments, and returns the folder.
func largeConversation(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	c := &conversation.Conversation{
		Format: conversation.Format, ID: "large", Title: "large",
		Participants: []conversation.Participant{{ID: "dr-a", Role: "clinician"}, {ID: "pt-b", Role: "patient"}},
	}
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		c.Messages = append(c.Messages, conversation.Message{
			ID: fmt.Sprintf("m%d", i+1), Time: start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			From: []string{"pt-b", "dr-a"}[i%2], Text: fmt.Sprintf("%d %s", i, strings.Repeat("la PCR ha bajado ", 18)),
		})
	}
	testbundle.WriteConversation(t, dir, c)
	return dir
}
