package verify_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestDigestRangeHook: Options.DigestRange hashes every sealed file that
// is not a message entry where it lies in the container, and the report
// is the one without it, to the byte: for the genuine bundle, for one
// whose CRC-32 alone was edited (CONTAINER_REPACKED, from the CRC-32 the
// hook gives), for altered data (FAILED), and with a hook that cannot
// (the files are then read here).
func TestDigestRangeHook(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	data := testbundle.WriteEntries(t, entries)
	l := testbundle.Map(t, data)
	photo := l.Part(t, "attachments/000001-01.jpg")
	crcEdited := bytes.Clone(data)
	testbundle.PutUint32(crcEdited, photo.Local+14, 0x12345678)
	testbundle.PutUint32(crcEdited, photo.Central+16, 0x12345678)
	altered := bytes.Clone(data)
	altered[photo.LocalEnd+photo.Size-2] ^= 1

	var mu sync.Mutex
	var asked, genuineAsked []int64
	digest := func(r io.ReaderAt, off, n int64) (sum [32]byte, crc uint32, err error) {
		mu.Lock()
		asked = append(asked, n)
		mu.Unlock()
		b := make([]byte, n)
		if _, err := r.ReadAt(b, off); err != nil {
			return sum, 0, err
		}
		return sha256.Sum256(b), crc32.ChecksumIEEE(b), nil
	}
	cannot := func(io.ReaderAt, int64, int64) ([32]byte, uint32, error) {
		return [32]byte{}, 0, errors.New("not here")
	}
	for name, bundle := range map[string][]byte{"genuine": data, "CRC-32 edited": crcEdited, "altered": altered} {
		want := reportJSON(t, verifyBytes(t, bundle, verify.Options{Trust: fx.Roots}))
		for hookName, hook := range map[string]manifest.RangeDigest{"hook": digest, "failing hook": cannot} {
			asked = nil
			if got := reportJSON(t, verifyBytes(t, bundle, verify.Options{Trust: fx.Roots, DigestRange: hook})); got != want {
				t.Errorf("%s, with a %s: the report differs:\n%s\nwithout:\n%s", name, hookName, got, want)
			}
			if name == "genuine" && hookName == "hook" {
				genuineAsked = asked
			}
		}
	}
	for _, f := range testbundle.Manifest(t, entries).Files {
		if strings.HasPrefix(f.Path, manifest.MessagesDir) {
			continue
		}
		if !slices.Contains(genuineAsked, f.Size) {
			t.Errorf("DigestRange not asked for %s (%d bytes): %v", f.Path, f.Size, genuineAsked)
		}
	}
}

func reportJSON(t *testing.T, rep *verify.Report) string {
	t.Helper()
	out, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
