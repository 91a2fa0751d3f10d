package verify_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// FuzzVerifyBundle: a real bundle, altered anywhere, never verifies PASSED
// unless the bytes are the original ones: every byte of a bundle is either
// sealed (digest, signature, token) or pinned by the container rules.
//
// The fuzzer's input is an alteration (where, which bits, how many bytes
// cut, what inserted), not a bundle: each fuzzing process exports its own
// bundle with its own fresh key and TSA, so a bundle handed from one
// process to another could never verify PASSED there, and the property
// would hold vacuously.
func FuzzVerifyBundle(f *testing.F) {
	original, opts := smallVerifiedBundle(f)
	f.Add(uint32(len(original)/2), byte(1), uint16(0), []byte(nil))
	f.Add(uint32(40), byte(0x20), uint16(0), []byte(nil))           // mimetype content
	f.Add(uint32(len(original)-1), byte(0), uint16(1), []byte(nil)) // truncated
	f.Add(uint32(len(original)), byte(0), uint16(0), []byte{0})     // appended
	f.Add(uint32(0), byte(0), uint16(0), []byte("PK\x03\x04"))      // prefixed
	// The second entry's local header starts right after the mimetype
	// entry (30-byte header, 8-byte name, 34-byte content). Its version,
	// time, date and CRC-32 fields are covered by no digest or signature:
	// a verifier that does not hold them against the central directory
	// (and the format's fixed values) lets the file change under PASSED.
	const second = 30 + len("mimetype") + len("application/vnd.custody.bundle+zip")
	for _, field := range []uint32{4 /* version needed */, 10 /* time */, 12 /* date */, 14 /* CRC-32 */} {
		f.Add(uint32(second)+field, byte(1), uint16(0), []byte(nil))
	}
	// Found by this fuzzer in its first second: the mimetype entry's time.
	f.Add(uint32(11), byte(0x67), uint16(0), []byte(nil))
	// Fields of the first central-directory record and of the end record
	// that no reader uses: version made by, internal and external
	// attributes, disk numbers.
	cd := uint32(bytes.Index(original, []byte("PK\x01\x02")))
	end := uint32(len(original) - 22)
	for _, at := range []uint32{cd + 4, cd + 36, cd + 38, end + 4} {
		f.Add(at, byte(1), uint16(0), []byte(nil))
	}
	f.Fuzz(func(t *testing.T, at uint32, xor byte, cut uint16, insert []byte) {
		data := alter(original, int(at%uint32(len(original)+1)), xor, int(cut), insert)
		rep, err := verify.Bundle(bytes.NewReader(data), int64(len(data)), opts)
		if err != nil || bytes.Equal(data, original) {
			return // unreadable (exit 2), or not altered
		}
		if rep.Result == verify.Passed {
			t.Fatalf("altered at byte %d (xor %#x, %d cut, %d inserted), still PASSED: %+v", at, xor, cut, len(insert), rep.Checks)
		}
	})
}

// alter flips bits of the byte at i, then cuts n bytes there and inserts
// ins in their place.
func alter(original []byte, i int, xor byte, n int, ins []byte) []byte {
	data := bytes.Clone(original)
	if i < len(data) {
		data[i] ^= xor
	}
	return slices.Concat(data[:i], ins, data[min(i+n, len(data)):])
}

// smallVerifiedBundle exports two messages of the sample, one with a small
// attachment, without the PDF rendering (small inputs fuzz fast), and
// checks that it verifies PASSED.
func smallVerifiedBundle(f *testing.F) ([]byte, verify.Options) {
	fx := testbundle.New(f, "ed25519")
	c, err := conversation.Load(testbundle.Sample())
	if err != nil {
		f.Fatal(err)
	}
	out := filepath.Join(f.TempDir(), "small.custody")
	_, err = custody.Export(context.Background(), c, custody.Options{Out: out, Signer: fx.Signer, Timestampers: []custody.Timestamper{fx}, NoRecord: true,
		Selection: custody.Selection{Messages: "m2,m7"}})
	if err != nil {
		f.Fatal(err)
	}
	original, err := os.ReadFile(out)
	if err != nil {
		f.Fatal(err)
	}
	opts := verify.Options{Trust: fx.Roots}
	if rep, err := verify.Bundle(bytes.NewReader(original), int64(len(original)), opts); err != nil || rep.Result != verify.Passed {
		f.Fatalf("the original does not verify: %v %+v", err, rep)
	}
	return original, opts
}
