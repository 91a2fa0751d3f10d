package verify_test

import (
	"bytes"
	"crypto/sha256"
	"hash/crc32"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// digestsElsewhere is an Options.DigestRange that computes what it is
// asked in the caller's goroutine, as the web verifier's digesters do in
// their Web Workers, and keeps the first answer back until a second range
// is asked for: a verifier that waits for each digest before it asks for
// the next never gets its first (the test gives up after a while).
type digestsElsewhere struct {
	mu       sync.Mutex
	asked    int
	second   chan struct{} // closed at the second range asked
	waited   bool          // the first answer waited for the second range
	timedOut bool
}

func newDigestsElsewhere() *digestsElsewhere {
	return &digestsElsewhere{second: make(chan struct{})}
}

func (d *digestsElsewhere) digest(r io.ReaderAt, off, n int64) (sum [32]byte, crc uint32, err error) {
	d.mu.Lock()
	d.asked++
	first := d.asked == 1
	if d.asked == 2 {
		close(d.second)
	}
	d.mu.Unlock()
	if first {
		select {
		case <-d.second:
			d.waited = true
		case <-time.After(20 * time.Second):
			d.timedOut = true
		}
	}
	data, err := io.ReadAll(io.NewSectionReader(r, off, n))
	if err != nil {
		return sum, 0, err
	}
	return sha256.Sum256(data), crc32.ChecksumIEEE(data), nil
}

// TestDigestsAhead: with Options.DigestRange, the files' digests are asked
// for ahead of the file being checked, several at once (the web
// verifier's digesters hash two files at a time), and the report is the
// one verify makes without it, to the byte: for a genuine bundle, one
// whose CRC-32 of a file was edited alone (noted in order,
// CONTAINER_REPACKED), and one whose file was altered (FAILED).
func TestDigestsAhead(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	// Sized entries (no data descriptor), whose CRC-32 can be edited in
	// both headers and the container stay canonical.
	genuine := testbundle.WriteEntries(t, testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{})))
	l := testbundle.Map(t, genuine)
	photo, pdf := l.Part(t, "attachments/000001-01.jpg"), l.Part(t, "record.pdf")
	crcEdited := bytes.Clone(genuine)
	for _, p := range []testbundle.Part{photo, pdf} {
		testbundle.PutUint32(crcEdited, p.Local+14, 0x12345678)
		testbundle.PutUint32(crcEdited, p.Central+16, 0x12345678)
	}
	altered := bytes.Clone(genuine)
	altered[photo.LocalEnd+photo.Size/2] ^= 1
	for _, c := range []struct {
		name   string
		data   []byte
		result verify.Status
	}{{"genuine", genuine, verify.Passed}, {"CRC-32 edited", crcEdited, verify.Indeterminate}, {"altered", altered, verify.Failed}} {
		opts := verify.Options{Trust: fx.Roots, At: time.Now()}
		want := reportJSON(t, verifyBytes(t, c.data, opts))
		elsewhere := newDigestsElsewhere()
		opts.DigestRange = elsewhere.digest
		rep := verifyBytes(t, c.data, opts)
		if got := reportJSON(t, rep); got != want {
			t.Errorf("%s: the report with the digests asked ahead differs from verify's own:\n%s\n%s", c.name, got, want)
		}
		if rep.Result != c.result {
			t.Errorf("%s: %s, want %s", c.name, rep.Result, c.result)
		}
		if c.name != "altered" && (!elsewhere.waited || elsewhere.timedOut) {
			t.Errorf("%s: %d ranges asked; a second range was not asked while the first was hashed", c.name, elsewhere.asked)
		}
	}
}

var _ manifest.RangeDigest = newDigestsElsewhere().digest
