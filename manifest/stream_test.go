package manifest_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/custody-toolkit/custody/manifest"
)

// parseBoth parses data with Parse and with ParseStream, which must agree:
// the same manifest, or the same error in the same words.
func parseBoth(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := manifest.Parse(data)
	opens := 0
	got, gotErr := manifest.ParseStream(func() (io.ReadCloser, error) {
		opens++
		return io.NopCloser(bytes.NewReader(data)), nil
	})
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseStream: %v, %v; Parse: %v, %v", got != nil, gotErr, want != nil, wantErr)
	}
	if wantErr == nil && opens != 4 {
		t.Errorf("a valid manifest read %d times, want 4 streamed passes", opens)
	}
	parseStreamedAgrees(t, data, want, wantErr)
}

// parseStreamedAgrees: ParseStreamed gives Parse's manifest (its
// messages read again) or Parse's error.
func parseStreamedAgrees(t *testing.T, data []byte, want *manifest.Manifest, wantErr error) {
	t.Helper()
	streamed, err := manifest.ParseStreamed(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, sha256.Sum256(data))
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("ParseStreamed: %v; Parse: %v", err, wantErr)
	}
	if err != nil {
		return
	}
	if streamed.Messages != nil {
		t.Fatalf("ParseStreamed holds the messages")
	}
	held, err := manifest.Held(streamed)
	if err != nil || !reflect.DeepEqual(held, want) {
		t.Fatalf("ParseStreamed, messages read again: %v; differs from Parse's manifest", err)
	}
	if streamed.MessageCount() != len(want.Messages) {
		t.Fatalf("MessageCount %d, Parse has %d messages", streamed.MessageCount(), len(want.Messages))
	}
	if streamed.Files != nil || streamed.FileCount() != len(want.Files) {
		t.Fatalf("ParseStreamed holds %d files, lists %d; Parse has %d", len(streamed.Files), streamed.FileCount(), len(want.Files))
	}
	for i, f := range want.Files {
		if j, ok := streamed.FileIndex(f.Path); !ok || j != i {
			t.Fatalf("FileIndex(%q) = %d, %v; Parse lists it at %d", f.Path, j, ok, i)
		}
		if _, ok := streamed.FileIndex(f.Path + "\x00"); ok {
			t.Fatalf("FileIndex(%q) finds a file Parse does not list", f.Path+"\x00")
		}
	}
}

// TestParseStreamedChanged: bytes other than those whose SHA-256 was
// checked, in the parsing's passes or read again later, are a
// ChangedError, even when the walk stopped early: nothing is drawn from
// them.
func TestParseStreamedChanged(t *testing.T) {
	data := vectorManifest(t)
	sum := sha256.Sum256(data)
	var changed *manifest.ChangedError
	other := sha256.Sum256([]byte("other"))
	if _, err := manifest.ParseStreamed(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, other); !errors.As(err, &changed) {
		t.Fatalf("parsed against another digest: %v, want a ChangedError", err)
	}
	current := data
	m, err := manifest.ParseStreamed(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(current)), nil }, sum)
	if err != nil {
		t.Fatal(err)
	}
	current = bytes.Replace(data, []byte(`"id":"`), []byte(`"id":"X`), 1)
	stop := errors.New("stop")
	for _, yield := range []func(int, *manifest.Message) error{
		func(int, *manifest.Message) error { return nil },
		func(int, *manifest.Message) error { return stop },
	} {
		if err := m.EachMessage(yield); !errors.As(err, &changed) {
			t.Errorf("messages read from changed bytes: %v, want a ChangedError", err)
		}
	}
	current = data
	if err := m.EachMessage(func(int, *manifest.Message) error { return stop }); err != stop {
		t.Errorf("messages read from the checked bytes: %v, want yield's error", err)
	}
}

// TestParseStreamAgrees: ParseStream applies Parse's rules, through
// Parse's code, to the vectors' manifests and to every single-byte change
// of one (the changes Parse refuses, in Parse's words).
func TestParseStreamAgrees(t *testing.T) {
	orig := vectorManifest(t)
	parseBoth(t, orig)
	m := sampleManifest()
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	parseBoth(t, data)
	for _, variant := range [][]byte{
		bytes.Replace(data, []byte(`"size":180`), []byte(`"size":1.8e2`), 1),
		bytes.Replace(data, []byte(`"title":"Seguimiento`), []byte(`"time_zone":"","title":"Seguimiento`), 1),
		bytes.Replace(data, []byte(`{"chain":`), []byte(`{ "chain":`), 1),
		bytes.Replace(data, []byte(`"format":"custody.bundle/v1"`), []byte(`"format":"custody.bundle/v9"`), 1),
		append(bytes.Clone(data), '\n'),
		bytes.Replace(data, []byte(`{"attachments":`), []byte(`{"aaa":1,"attachments":`), 1),
		bytes.Replace(data, []byte(`"messages":[`), []byte(`"messages":null,"x":[`), 1),
		[]byte(`{"format":`),
		nil,
	} {
		parseBoth(t, variant)
	}
	for _, variant := range filesVariants(data) {
		parseBoth(t, variant)
	}
	everyByteChanged(t, orig)
}

// filesVariants are changes of data's files list that the compact list of
// ParseStreamed cannot hold (a digest not in lowercase hex, a list that
// is not an array), or that it holds: an empty list (which Parse accepts
// when nothing refers to a file), a member other than path, sha256 and
// size (which Parse refuses).
func filesVariants(data []byte) [][]byte {
	files := bytes.Index(data, []byte(`"files":[`))
	digest := files + bytes.Index(data[files:], []byte(`"sha256":"`)) + len(`"sha256":"`)
	upper := bytes.Clone(data)
	copy(upper[digest:], bytes.ToUpper(upper[digest:digest+64]))
	empty := bytes.Clone(data[:files+len(`"files":[`)])
	empty = append(empty, data[files+bytes.Index(data[files:], []byte(`}],`))+1:]...)
	return [][]byte{
		upper,
		bytes.Replace(data, []byte(`"files":[`), []byte(`"files":null,"x":[`), 1),
		empty,
		bytes.Replace(data, []byte(`"files":[{"path"`), []byte(`"files":[{"aaa":1,"path"`), 1),
	}
}

// everyByteChanged parses orig with each of its bytes changed, by
// parseBoth.
func everyByteChanged(t *testing.T, orig []byte) {
	t.Helper()
	// -short: every 7th byte; --full (CI) every one.
	step := 1
	if testing.Short() {
		step = 7
	}
	for i := 0; i < len(orig); i += step {
		for _, b := range []byte{'0', '"', ' '} {
			if orig[i] == b {
				continue
			}
			changed := bytes.Clone(orig)
			changed[i] = b
			parseBoth(t, changed)
		}
	}
}

// TestParseStreamAgreesV2: the same for a manifest that withholds
// messages, whose withheld list ParseStreamed holds compactly, and for
// the withheld lists it cannot hold so (which Parse refuses).
func TestParseStreamAgreesV2(t *testing.T) {
	orig := []byte(readVectorManifest(t))
	parseBoth(t, orig)
	first := bytes.Index(orig, []byte(`"withheld":[{"leaf":"`)) + len(`"withheld":[{"leaf":"`)
	upper := bytes.Clone(orig)
	upper[first] = 'D'
	withTime := bytes.Replace(orig, []byte(`,"position":2}`), []byte(`,"position":2,"time":"2026-04-12T09:00:00Z"}`), 1)
	for _, variant := range [][]byte{
		upper,
		withTime,
		bytes.Replace(orig, []byte(`"withheld":[`), []byte(`"withheld":[],"x":[`), 1),
		bytes.Replace(orig, []byte(`"withheld":[`), []byte(`"withheld":null,"x":[`), 1),
		bytes.Replace(orig, []byte(`,"position":2}`), []byte(`,"position":2,"extra":1}`), 1),
	} {
		parseBoth(t, variant)
	}
	everyByteChanged(t, orig)
}

// TestParseStreamOpenFails: an entry that cannot be read again is an
// error naming manifest.json, never a manifest.
func TestParseStreamOpenFails(t *testing.T) {
	m, err := manifest.ParseStream(func() (io.ReadCloser, error) { return nil, io.ErrUnexpectedEOF })
	if m != nil || err == nil || !strings.Contains(err.Error(), "manifest.json") {
		t.Fatalf("got %v, %v", m, err)
	}
}

// TestReadHeadKnowsParseFormats: ReadHead knows exactly the formats Parse
// reads (a format it did not know would make a verifier call genuine
// evidence of that format unknown).
func TestReadHeadKnowsParseFormats(t *testing.T) {
	for _, f := range []string{manifest.FormatV1, manifest.FormatV2, manifest.FormatV3, manifest.FormatV4} {
		if _, err := manifest.ReadHead(strings.NewReader(`{"format":"` + f + `"}`)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	var unknown *manifest.UnknownFormatError
	if _, err := manifest.ReadHead(strings.NewReader(`{"format":"custody.bundle/v99"}`)); !errors.As(err, &unknown) {
		t.Errorf("v99: %v, want an UnknownFormatError", err)
	}
}

// TestParseStreamSharesFileStrings: a message's entry name and digest
// are the files record's strings, not copies (about 100 bytes a message
// of the decoded manifest), and the long slices are not grown by
// doubling: what ParseStream decodes is still exactly Parse's value
// (TestParseStreamAgrees).
func TestParseStreamSharesFileStrings(t *testing.T) {
	data, err := sampleManifest().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.ParseStream(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range m.Messages {
		i, ok := m.FileIndex(msg.Entry)
		if !ok {
			t.Fatalf("message %s: entry %s not listed", msg.ID, msg.Entry)
		}
		f := m.Files[i]
		if unsafe.StringData(msg.Entry) != unsafe.StringData(f.Path) || unsafe.StringData(msg.SHA256) != unsafe.StringData(f.SHA256) {
			t.Errorf("message %s: its entry name or digest is a copy of the files record's", msg.ID)
		}
	}
	if cap(m.Messages) != len(m.Messages) || cap(m.Files) != len(m.Files) {
		t.Errorf("capacities %d and %d for %d messages and %d files", cap(m.Messages), cap(m.Files), len(m.Messages), len(m.Files))
	}
}

// TestParseStreamedHoldsNoMessages: a manifest from ParseStreamed holds
// its files compactly (path, digest and size: about 66 bytes each, where
// a File and its two strings took 133) and nothing a message: the
// verifier's largest holdings were the decoded messages, about 260 bytes
// each more, then the files (docs/performance.md).
func TestParseStreamedHoldsNoMessages(t *testing.T) {
	const n = 20_000
	m := sampleManifest()
	m.Messages, m.Files = nil, nil
	for i := range n {
		digest, link := fmt.Sprintf("%064x", i), fmt.Sprintf("%064x", n+i)
		m.Messages = append(m.Messages, manifest.Message{ID: fmt.Sprintf("m%d", i), Entry: manifest.MessageEntryName(i), SHA256: digest, Link: link})
		m.Files = append(m.Files, manifest.File{Path: manifest.MessageEntryName(i), SHA256: digest, Size: 180})
	}
	m.Chain.Length, m.Selection.Selected, m.Selection.Total, m.Selection.Criteria = n, n, n, nil
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m = nil
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	for _, c := range []struct {
		name  string
		parse func() (*manifest.Manifest, error)
		bound int64
	}{
		{"ParseStreamed", func() (*manifest.Manifest, error) { return manifest.ParseStreamed(open, sha256.Sum256(data)) }, 80},
		{"ParseStream", func() (*manifest.Manifest, error) { return manifest.ParseStream(open) }, 1 << 20},
	} {
		before := heapAlloc()
		parsed, err := c.parse()
		if err != nil {
			t.Fatal(err)
		}
		held := (int64(heapAlloc()) - int64(before)) / n
		t.Logf("%s: %d bytes held a message (files included)", c.name, held)
		if held > c.bound {
			t.Errorf("%s: %d bytes held a message, more than %d", c.name, held, c.bound)
		}
		if parsed.MessageCount() != n {
			t.Errorf("%s: %d messages", c.name, parsed.MessageCount())
		}
		runtime.KeepAlive(parsed)
	}
}

// heapAlloc is the live heap: twice collected, so that buffers in pools
// (the JSON encoder's) are gone too.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return s.HeapAlloc
}

// TestParseStreamedHoldsWithheldCompactly: a manifest from
// ParseStreamed holds a withheld message as its leaf's 32 bytes and its
// position, where the decoded Withheld and its leaf in hex take about
// 110 bytes: a manifest of 64 MiB lists up to about 700,000.
func TestParseStreamedHoldsWithheldCompactly(t *testing.T) {
	const n = 50_000
	digest := func(i int) string { return fmt.Sprintf("%064x", i) }
	m := sampleManifest()
	m.Format = manifest.FormatV2
	position := 0
	m.Messages[0].Position, m.Messages[0].Salt = &position, digest(1)
	m.Tree = &manifest.Tree{Algorithm: manifest.TreeAlgorithm, Root: digest(2), Size: n + 1}
	m.Selection = manifest.Selection{Criteria: []string{"messages=m1"}, Selected: 1, Total: n + 1}
	for i := range n {
		m.Withheld = append(m.Withheld, manifest.Withheld{Leaf: digest(i), Position: i + 1})
	}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m = nil
	before := heapAlloc()
	parsed, err := manifest.ParseStreamed(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, sha256.Sum256(data))
	if err != nil {
		t.Fatal(err)
	}
	held := (int64(heapAlloc()) - int64(before)) / n
	t.Logf("%d bytes held a withheld message", held)
	if held > 48 {
		t.Errorf("%d bytes held a withheld message, more than its leaf and position", held)
	}
	if parsed.Withheld != nil || parsed.WithheldCount() != n || len(parsed.WithheldRanges()) != 1 {
		t.Errorf("withheld: %d listed, %d held, %d ranges", parsed.WithheldCount(), len(parsed.Withheld), len(parsed.WithheldRanges()))
	}
	runtime.KeepAlive(parsed)
}

// TestWithPositionsHoldsNoMessage: the manifest WithPositions returns
// lists the positions given, in order, and holds no Message for them
// (128 bytes each when custody's export built the list itself).
func TestWithPositionsHoldsNoMessage(t *testing.T) {
	const n = 100_000
	positions := make([]int, n)
	for k := range positions {
		positions[k] = 2*k + 1
	}
	m := sampleManifest()
	before := heapAlloc()
	r := m.WithPositions(positions)
	held := int64(heapAlloc()) - int64(before)
	if held > 1<<16 {
		t.Errorf("WithPositions holds %d bytes for %d positions", held, n)
	}
	if r.MessageCount() != n || len(r.Messages) != 0 {
		t.Fatalf("%d messages, %d held; want %d, none held", r.MessageCount(), len(r.Messages), n)
	}
	seen := 0
	err := r.EachMessage(func(k int, msg *manifest.Message) error {
		if k != seen || msg.Position == nil || *msg.Position != positions[k] || msg.ID != "" {
			return fmt.Errorf("message %d: %+v", k, msg)
		}
		seen++
		return nil
	})
	if err != nil || seen != n {
		t.Fatalf("%d of %d walked: %v", seen, n, err)
	}
	if m.MessageCount() != len(m.Messages) {
		t.Error("WithPositions changed the manifest it copies")
	}
	runtime.KeepAlive(r)
}
