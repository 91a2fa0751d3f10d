package verify_test

// The mutation suite of issue 7: a valid bundle is altered in every way a
// forger with a hex editor and a ZIP library could try, systematically,
// and no alteration may verify PASSED or make the verifier panic. The
// table it prints (go test -v -run TestMutations ./verify) is the one in
// docs/security.md, which go generate ./verify rewrites
// (mutation_docs_test.go).

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/custody-toolkit/custody/verify"
)

// mutationClass counts the outcomes of one kind of alteration.
type mutationClass struct {
	name  string
	tried int
	// detected: FAILED, or unreadable (exit 2); indeterminate is counted
	// apart because it is weaker than FAILED, though not PASSED.
	failed, unreadable, indeterminate int
	// passed counts mutations that verified PASSED: each is a test
	// failure.
	passed int
}

// mutationSuite runs the classes, each in a parallel subtest (parallel):
// a copy of the suite with the subtest's t, sharing the registry of
// classes.
type mutationSuite struct {
	t    *testing.T
	opts verify.Options
	reg  *classRegistry
	// stride samples every stride-th position of the classes: 1 by
	// default (CI: scripts/test --full), shortStride with -short.
	stride int
}

// shortStride is the sample of -short (scripts/test): every 9th byte, and
// of the 256 positions of an entry every 9th, with one bit per byte in the
// every-bit classes (about 3,500 mutations, 8 s of CPU: scripts/test's
// budget). The sample is deterministic, and odd so that the bit flipped
// at byte i (i mod 8) runs through all eight bits.
const shortStride = 9

// bits are the bits to flip at byte i in an every-bit class: all eight,
// or in the -short sample the one flipEntries flips there.
func (s *mutationSuite) bits(i int) []byte {
	if s.stride == 1 {
		return []byte{0, 1, 2, 3, 4, 5, 6, 7}
	}
	return []byte{byte(i % 8)}
}

// classRegistry holds every class, in the order they were made, for the
// table; classes are made from several subtests at once.
type classRegistry struct {
	mu      sync.Mutex
	classes []*mutationClass
}

func (s *mutationSuite) class(name string) *mutationClass {
	c := &mutationClass{name: name}
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	s.reg.classes = append(s.reg.classes, c)
	return c
}

// classRun makes class name and runs f on it in a parallel subtest.
func (s *mutationSuite) classRun(name string, f func(s *mutationSuite, c *mutationClass)) {
	c := s.class(name)
	s.parallel(name, func(s *mutationSuite) { f(s, c) })
}

// parallel runs f as a parallel subtest, with a copy of the suite whose t
// is the subtest's: the classes use both cores, and a failure names its
// subtest. A class's counters are touched by its own subtest only.
func (s *mutationSuite) parallel(name string, f func(s *mutationSuite)) {
	s.t.Run(name, func(t *testing.T) {
		t.Parallel()
		sub := *s
		sub.t = t
		f(&sub)
	})
}

// try verifies mutated and records the outcome: anything but PASSED, and
// no panic, is what every mutation must give. what names the mutation (and
// the field it hit) in the failure message.
func (s *mutationSuite) try(c *mutationClass, what string, mutated []byte) {
	s.t.Helper()
	c.tried++
	rep, panicked, err := verifySafely(mutated, s.opts)
	switch {
	case panicked != nil:
		s.t.Errorf("%s, %s: the verifier panicked: %v", c.name, what, panicked)
	case err != nil:
		c.unreadable++
	default:
		s.count(c, what, rep.Result, rep.Checks)
	}
	if c.tried%streamedEvery == 0 && panicked == nil {
		s.sameStreamed(c, what, mutated, rep, err)
	}
}

// streamedEvery: one mutation in this many is verified again with its
// manifest streamed, as one of more than heldManifestMax bytes is (these
// bundles' are parsed whole), and must give the same report.
const streamedEvery = 5

func (s *mutationSuite) sameStreamed(c *mutationClass, what string, mutated []byte, held *verify.Report, heldErr error) {
	s.t.Helper()
	rep, panicked, err := verifySafely(mutated, verify.StreamingManifest(s.opts))
	switch {
	case panicked != nil:
		s.t.Errorf("%s, %s: the verifier panicked with the manifest streamed: %v", c.name, what, panicked)
	case (err == nil) != (heldErr == nil):
		s.t.Errorf("%s, %s: held, error %v; streamed, error %v", c.name, what, heldErr, err)
	case err == nil && (rep.Result != held.Result || !slices.Equal(rep.Checks, held.Checks)):
		s.t.Errorf("%s, %s: the manifest held gives %s %+v; streamed, %s %+v", c.name, what, held.Result, held.Checks, rep.Result, rep.Checks)
	}
}

// count records a verdict; PASSED fails the test.
func (s *mutationSuite) count(c *mutationClass, what string, result verify.Status, checks []verify.Check) {
	s.t.Helper()
	switch result {
	case verify.Failed:
		c.failed++
	case verify.Indeterminate:
		c.indeterminate++
	default:
		c.passed++
		s.t.Errorf("%s, %s: verifies %s: %+v", c.name, what, result, checks)
	}
}

func verifySafely(data []byte, opts verify.Options) (rep *verify.Report, panicked any, err error) {
	defer func() { panicked = recover() }()
	rep, err = verify.Bundle(bytes.NewReader(data), int64(len(data)), opts)
	return rep, nil, err
}

func zipEntries(data []byte) ([]testbundle.Entry, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var out []testbundle.Entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, testbundle.Entry{Name: f.Name, Data: b})
	}
	return out, nil
}

// positions returns the byte positions of an entry to mutate: every
// stride-th one when every is set, else up to 256/stride spread evenly,
// always with the first and last.
func (s *mutationSuite) positions(size int, every bool) []int {
	step := s.stride
	if !every {
		step = max(1, size/256) * s.stride
	}
	var out []int
	for i := 0; i < size; i += step {
		out = append(out, i)
	}
	if size > 0 && out[len(out)-1] != size-1 {
		out = append(out, size-1)
	}
	return out
}

// flipEntries flips one bit at each chosen position of each entry whose
// name matches, with the CRC-32 fixed: only the sealing can catch it.
// The bit moves with the position (bit i mod 8) so that every bit of a
// byte value is exercised across the entry.
func (s *mutationSuite) flipEntries(c *mutationClass, original []byte, match func(string) bool, every bool) {
	l := testbundle.Map(s.t, original)
	for _, p := range l.Parts {
		if !match(p.Name) {
			continue
		}
		for _, i := range s.positions(p.Size, every) {
			s.try(c, fmt.Sprintf("%s byte %d", p.Name, i), testbundle.FlipData(original, p, i, 1<<(i%8)))
		}
	}
}

// flipEntryBits is flipEntries with all eight bits of each chosen byte:
// one bit per byte misses, among others, the constructed flag of a tag.
func (s *mutationSuite) flipEntryBits(c *mutationClass, original []byte, match func(string) bool) {
	l := testbundle.Map(s.t, original)
	for _, p := range l.Parts {
		if !match(p.Name) {
			continue
		}
		for _, i := range s.positions(p.Size, true) {
			for _, bit := range s.bits(i) {
				s.try(c, fmt.Sprintf("%s byte %d bit %d", p.Name, i, bit), testbundle.FlipData(original, p, i, 1<<bit))
			}
		}
	}
}

// Field names of ZIP headers by offset (APPNOTE 6.3, 4.3.7, 4.3.12, 4.3.16).
var (
	localFields = []struct {
		end  int
		name string
	}{{4, "signature"}, {6, "version needed"}, {8, "flags"}, {10, "method"}, {12, "modification time"},
		{14, "modification date"}, {18, "CRC-32"}, {22, "compressed size"}, {26, "uncompressed size"},
		{28, "name length"}, {30, "extra length"}}
	centralFields = []struct {
		end  int
		name string
	}{{4, "signature"}, {6, "version made by"}, {8, "version needed"}, {10, "flags"}, {12, "method"},
		{14, "modification time"}, {16, "modification date"}, {20, "CRC-32"}, {24, "compressed size"},
		{28, "uncompressed size"}, {30, "name length"}, {32, "extra length"}, {34, "comment length"},
		{36, "disk number"}, {38, "internal attributes"}, {42, "external attributes"}, {46, "local header offset"}}
	descriptorFields = []struct {
		end  int
		name string
	}{{4, "signature"}, {8, "CRC-32"}, {12, "compressed size"}, {16, "uncompressed size"}}
	endFields = []struct {
		end  int
		name string
	}{{4, "signature"}, {6, "disk number"}, {8, "directory disk"}, {10, "entries on disk"},
		{12, "entries"}, {16, "directory size"}, {20, "directory offset"}, {22, "comment length"}}
)

func fieldAt(fields []struct {
	end  int
	name string
}, off int, rest string) string {
	for _, f := range fields {
		if off < f.end {
			return f.name
		}
	}
	return rest
}

// flipHeaders flips one bit of every byte of every local header, central
// record and of the end record, without fixing anything: the ZIP
// structure itself under attack.
func (s *mutationSuite) flipHeaders(c *mutationClass, original []byte) {
	l := testbundle.Map(s.t, original)
	flip := func(at int, field string) {
		m := bytes.Clone(original)
		m[at] ^= 1 << (at % 8)
		s.try(c, fmt.Sprintf("byte %d (%s)", at, field), m)
	}
	name := func(off, fixed, nameLen int) string {
		if off < fixed+nameLen {
			return "name"
		}
		return "extra field or comment"
	}
	for _, p := range l.Parts {
		n := len(p.Name)
		for at := p.Local; at < p.LocalEnd; at += s.stride {
			flip(at, "local "+fieldAt(localFields, at-p.Local, name(at-p.Local, testbundle.LocalLen, n)))
		}
		for at := p.Central; at < p.CentralEnd; at += s.stride {
			flip(at, "central "+fieldAt(centralFields, at-p.Central, name(at-p.Central, testbundle.CentralLen, n)))
		}
	}
	// Data descriptors (streamed entries): between an entry's data and
	// the next local header, or the central directory.
	starts := []int{l.Directory}
	for _, p := range l.Parts {
		starts = append(starts, p.Local)
	}
	slices.Sort(starts)
	for _, p := range l.Parts {
		i, _ := slices.BinarySearch(starts, p.LocalEnd)
		next := starts[i]
		for at := p.LocalEnd + p.Size; at < next; at += s.stride {
			flip(at, "data descriptor "+fieldAt(descriptorFields, at-p.LocalEnd-p.Size, "?"))
		}
	}
	for at := l.End; at < len(original); at++ {
		flip(at, "end "+fieldAt(endFields, at-l.End, "comment"))
	}
}

// entryOps removes, duplicates, renames and reorders each entry, through
// archive/zip, so that the ZIP is otherwise well formed.
func (s *mutationSuite) entryOps(original []byte) {
	entries, err := zipEntries(original)
	if err != nil {
		s.t.Fatal(err)
	}
	write := func(e []testbundle.Entry) []byte { return testbundle.WriteEntries(s.t, e) }
	removed, dup, renamed, reordered := s.class("entry removed"), s.class("entry duplicated"),
		s.class("entry renamed"), s.class("entry moved")
	for i, e := range entries {
		s.try(removed, e.Name, write(slices.Delete(slices.Clone(entries), i, i+1)))
		s.try(dup, e.Name+" twice", write(slices.Insert(slices.Clone(entries), i, e)))
		for _, name := range renames(e.Name) {
			r := slices.Clone(entries)
			r[i].Name = name
			s.try(renamed, e.Name+" as "+name, write(r))
		}
		// Moves: to the front, to the back. The order of the entries is
		// canonical (bundle-format.md §1.5, check "container order").
		for _, to := range []int{0, len(entries) - 1} {
			if to == i {
				continue
			}
			r := slices.Insert(slices.Delete(slices.Clone(entries), i, i+1), to, e)
			s.try(reordered, fmt.Sprintf("%s to position %d", e.Name, to), write(r))
		}
	}
	// The whole custody log dropped. It lies outside the seal by design
	// (docs/custody-log.md: appending must not break the seal), but the
	// signed manifest declares custody_log, so its removal is detected.
	noLog := slices.DeleteFunc(slices.Clone(entries), func(x testbundle.Entry) bool { return strings.HasPrefix(x.Name, manifest.CustodyDir) })
	if len(noLog) < len(entries) {
		s.try(removed, "the whole custody log", write(noLog))
	}
	// Two message entries' contents exchanged under their names.
	a, b := testbundle.Find(entries, "messages/000002.json"), testbundle.Find(entries, "messages/000003.json")
	r := slices.Clone(entries)
	r[a].Data, r[b].Data = r[b].Data, r[a].Data
	s.try(reordered, "messages 2 and 3 exchanged", write(r))
}

// renames gives names an attacker would try for an entry: another valid
// name, the same under case folding, and a name of a sibling.
func renames(name string) []string {
	out := []string{name + "x", swapCase(name[:1]) + name[1:]}
	switch {
	case strings.HasPrefix(name, manifest.MessagesDir):
		out = append(out, manifest.MessageEntryName(99))
	case name == manifest.TokenName:
		out = append(out, manifest.TokenEntryName(1))
	}
	return out
}

// swaps replaces META-INF entries (and the manifest) with those of other
// valid bundles: the same key and TSA, another key and TSA, another key
// type.
func (s *mutationSuite) swaps(original []byte, donors map[string][]byte) {
	c := s.class("sealing swapped between bundles")
	sets := [][]string{
		{manifest.SignatureName}, {manifest.SignerName}, {manifest.TokenName},
		{manifest.SignatureName, manifest.SignerName}, {manifest.SignatureName, manifest.TokenName},
		{manifest.SignerName, manifest.TokenName}, {manifest.SignatureName, manifest.SignerName, manifest.TokenName},
		{manifest.ManifestName}, {manifest.ManifestName, manifest.SignatureName},
		{manifest.ManifestName, manifest.SignatureName, manifest.SignerName},
		{manifest.ManifestName, manifest.SignatureName, manifest.SignerName, manifest.TokenName},
	}
	ours, err := zipEntries(original)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, donorName := range slices.Sorted(maps.Keys(donors)) {
		theirs, err := zipEntries(donors[donorName])
		if err != nil {
			s.t.Fatal(err)
		}
		for _, set := range sets {
			e := slices.Clone(ours)
			changed := false
			for _, name := range set {
				i, j := testbundle.Find(e, name), testbundle.Find(theirs, name)
				changed = changed || !bytes.Equal(e[i].Data, theirs[j].Data)
				e[i].Data = theirs[j].Data
			}
			if !changed {
				continue // the same key's signer.pem: identical bytes, no mutation
			}
			s.try(c, fmt.Sprintf("%v from %s", set, donorName), testbundle.WriteEntries(s.t, e))
		}
		// The custody log of the donor in place of ours.
		e := slices.DeleteFunc(slices.Clone(ours), func(x testbundle.Entry) bool { return strings.HasPrefix(x.Name, manifest.CustodyDir) })
		for _, x := range theirs {
			if strings.HasPrefix(x.Name, manifest.CustodyDir) {
				e = append(e, x)
			}
		}
		s.try(c, "custody log from "+donorName, testbundle.WriteEntries(s.t, e))
	}
}

// tokenOps removes each timestamp token of a bundle (manifest or custody
// event), adds one where none is, and puts in place of each a valid token
// over the same data by liar's trusted TSA, and each other token.
func (s *mutationSuite) tokenOps(c *mutationClass, original []byte, liar *testbundle.Fixture) {
	entries, err := zipEntries(original)
	if err != nil {
		s.t.Fatal(err)
	}
	write := func(e []testbundle.Entry) []byte { return testbundle.WriteEntries(s.t, e) }
	var tokens []int
	for i, e := range entries {
		if strings.HasSuffix(e.Name, ".tsr") {
			tokens = append(tokens, i)
		}
	}
	for _, i := range tokens {
		name := entries[i].Name
		s.try(c, name+" removed", write(slices.Delete(slices.Clone(entries), i, i+1)))
		// The last custody event's token is pinned by no signature yet (an
		// event cannot sign its own token): a trusted TSA can put its own
		// valid token there, as it can timestamp anything (threat-model.md,
		// a lying TSA). Every other token is sealed.
		if seq, _, err := custodylog.ParseEntryName(name); err != nil || testbundle.Find(entries, custodylog.EntryName(seq+1, custodylog.PartEvent)) >= 0 {
			lying, err := liar.Timestamp(context.Background(), entries[testbundle.Find(entries, stampedData(name))].Data)
			if err != nil {
				s.t.Fatal(err)
			}
			e := slices.Clone(entries)
			e[i].Data = lying
			s.try(c, name+" replaced by another trusted TSA's token over the same data", write(e))
		}
		for _, j := range tokens {
			if j != i {
				e := slices.Clone(entries)
				e[i].Data = entries[j].Data
				s.try(c, name+" replaced by "+entries[j].Name, write(e))
			}
		}
	}
	// A token added: a third manifest token, or one for the sealed event 1.
	for _, add := range []struct{ name, after string }{
		{manifest.TokenEntryName(len(tokens)), manifest.TokenEntryName(len(tokens) - 1)},
		{custodylog.EntryName(1, custodylog.PartToken), custodylog.EntryName(1, custodylog.PartKey)},
	} {
		if testbundle.Find(entries, add.after) < 0 || testbundle.Find(entries, add.name) >= 0 {
			continue
		}
		lying, err := liar.Timestamp(context.Background(), entries[testbundle.Find(entries, stampedData(add.name))].Data)
		if err != nil {
			s.t.Fatal(err)
		}
		s.try(c, add.name+" added", write(withEntry(slices.Clone(entries), testbundle.Entry{Name: add.name, Data: lying}, add.after)))
	}
}

// stampedData names the entry a token entry timestamps: manifest.sig for
// the manifest's, the event's signature for a custody event's.
func stampedData(token string) string {
	if seq, _, err := custodylog.ParseEntryName(token); err == nil {
		return custodylog.EntryName(seq, custodylog.PartSignature)
	}
	return manifest.SignatureName
}

// withStampedEvents appends two timestamped custody events to a bundle:
// event 3 commits to event 2's token, nothing yet to event 3's.
func withStampedEvents(t *testing.T, bundle []byte, fx *testbundle.Fixture) []byte {
	t.Helper()
	path := writeTemp(t, bundle)
	expert := newActor(t, "Dra. Vidal", "expert", "ed25519", fx.Timestamp)
	expert.append(t, path, custodylog.Received, "", time.Now())
	expert.append(t, path, custodylog.Reviewed, "", time.Now())
	return readFile(t, path)
}

func swapCase(s string) string {
	if u := strings.ToUpper(s); u != s {
		return u
	}
	return strings.ToLower(s)
}

func (s *mutationSuite) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-60s %7s %7s %7s %7s %7s\n", "mutation class", "tried", "FAILED", "exit 2", "INDET.", "PASSED")
	for _, c := range s.reg.classes {
		fmt.Fprintf(&b, "%-60s %7d %7d %7d %7d %7d\n", c.name, c.tried, c.failed, c.unreadable, c.indeterminate, c.passed)
	}
	total := s.total()
	fmt.Fprintf(&b, "%-60s %7d %7d %7d %7d %7d\n", "total", total.tried, total.failed, total.unreadable, total.indeterminate, total.passed)
	return b.String()
}

// total sums the counts of every class.
func (s *mutationSuite) total() mutationClass {
	var total mutationClass
	for _, c := range s.reg.classes {
		total.tried += c.tried
		total.failed += c.failed
		total.unreadable += c.unreadable
		total.indeterminate += c.indeterminate
		total.passed += c.passed
	}
	return total
}

// exportLean exports the sample without record.pdf: the classes that only
// reach META-INF (signature, key, token, custody log, ZIP headers) are run
// on it, because with record.pdf every mutation that gets as far as the
// timestamp check also re-renders the PDF (~40 ms), which the rendering
// classes already cover.
func exportLean(t *testing.T, fx *testbundle.Fixture) []byte {
	t.Helper()
	c, err := conversation.Load(testbundle.Sample())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "lean.custody")
	_, err = custody.Export(context.Background(), c, custody.Options{Out: out, Signer: fx.Signer, Timestampers: []custody.Timestamper{fx}, NoRecord: true})
	if err != nil {
		t.Fatal(err)
	}
	return readFile(t, out)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestMutations(t *testing.T) {
	t.Parallel()
	start := time.Now()
	fx := testbundle.New(t, "ed25519")
	stranger := testbundle.New(t, "ed25519")
	ecdsaFx := testbundle.New(t, "ecdsa-p256")
	full := readFile(t, fx.Export(t, sampleWithSource(t), custody.Selection{}))
	lean := exportLean(t, fx)
	donors := map[string][]byte{
		"another export, same key and TSA":     readFile(t, fx.Export(t, testbundle.Sample(), custody.Selection{})),
		"a selective export, same key and TSA": readFile(t, fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"})),
		"another Ed25519 key and TSA":          readFile(t, stranger.Export(t, testbundle.Sample(), custody.Selection{})),
		"an ECDSA P-256 key and its TSA":       readFile(t, ecdsaFx.Export(t, testbundle.Sample(), custody.Selection{})),
	}
	// Every TSA is trusted: a swapped token must fail on its content, not
	// merely on trust.
	trust := slices.Concat(fx.Roots, stranger.Roots, ecdsaFx.Roots)
	s := &mutationSuite{t: t, opts: verify.Options{Trust: trust}, reg: &classRegistry{}, stride: 1}
	if testing.Short() {
		s.stride = shortStride
	}
	for name, b := range map[string][]byte{"full": full, "lean": lean} {
		if rep, err := verify.Bundle(bytes.NewReader(b), int64(len(b)), s.opts); err != nil || rep.Result != verify.Passed {
			t.Fatalf("the %s bundle does not verify: %v %+v", name, err, rep)
		}
	}

	// The classes run in parallel subtests of one group: the group returns
	// when all of them are done, and the table is then complete.
	t.Run("classes", func(t *testing.T) {
		s := *s
		s.t = t
		s.runClasses(full, lean, donors, fx, stranger, ecdsaFx)
	})
	table := s.table()
	t.Logf("mutation suite, %s:\n%s", time.Since(start).Round(time.Second), table)
	s.checkSecurityTable(t, time.Since(start))
	if testing.Verbose() {
		fmt.Print(table)
	}
	total := 0
	for _, c := range s.reg.classes {
		total += c.tried
		if c.tried == 0 {
			// A class that tries nothing proves nothing, and would pass.
			t.Errorf("mutation class %q tried no mutation", c.name)
		}
	}
	if !testing.Short() && total < 10_000 {
		t.Errorf("only %d mutations tried, the suite promises at least 10,000", total)
	}
}

// runClasses runs every class of the suite, each in a parallel subtest.
func (s *mutationSuite) runClasses(full, lean []byte, donors map[string][]byte, fx, stranger, ecdsaFx *testbundle.Fixture) {
	t := s.t
	entries := func(name string, bundle []byte, match func(string) bool, every bool) {
		s.classRun(name, func(s *mutationSuite, c *mutationClass) { s.flipEntries(c, bundle, match, every) })
	}
	is := func(names ...string) func(string) bool {
		return func(n string) bool { return slices.Contains(names, n) }
	}
	prefix := func(p string) func(string) bool { return func(n string) bool { return strings.HasPrefix(n, p) } }
	entries("manifest.json: every byte", full, is(manifest.ManifestName), true)
	entries("messages/*.json: every byte", full, prefix(manifest.MessagesDir), true)
	entries("mimetype: every byte", full, is(manifest.MimetypeName), true)
	entries("attachments/*: 256 bytes each", full, prefix(manifest.AttachmentsDir), false)
	entries("sources/*: 256 bytes each", full, prefix(manifest.SourcesDir), false)
	entries("record.pdf: 256 bytes", full, is(manifest.RecordName), false)
	entries("manifest.sig: every byte (lean)", lean, is(manifest.SignatureName), true)
	entries("signer.pem: every byte (lean)", lean, is(manifest.SignerName), true)
	s.classRun("manifest.tsr: every byte (lean)", func(s *mutationSuite, c *mutationClass) { s.flipToken(c, lean) })
	s.classRun("manifest.tsr: every bit, verified as a token", func(s *mutationSuite, c *mutationClass) { s.flipTokenBits(c, lean) })
	entries("META-INF/custody/*: every byte (lean)", lean, prefix(manifest.CustodyDir), true)
	s.classRun("ZIP headers and descriptors: every byte, no fix-up (lean)", func(s *mutationSuite, c *mutationClass) { s.flipHeaders(c, lean) })
	s.parallel("entries removed, duplicated, renamed, moved", func(s *mutationSuite) { s.entryOps(full) })
	s.parallel("sealing swapped between bundles", func(s *mutationSuite) { s.swaps(full, donors) })
	// The tokens no signature of ours used to cover: the manifest's, under
	// the signer's token seal, and the custody events', under the events'
	// commitments. ecdsaFx's TSA, trusted, plays a lying TSA.
	twoTSAs := exportTwoTSAs(t, fx, stranger)
	entries("manifest.2.tsr: every byte (two TSAs)", twoTSAs, is(manifest.TokenEntryName(1)), true)
	s.classRun("stored tokens removed, added, substituted (two TSAs)", func(s *mutationSuite, c *mutationClass) { s.tokenOps(c, twoTSAs, ecdsaFx) })
	stamped := withStampedEvents(t, lean, fx)
	entries("custody event tokens: every byte (2 events)", stamped, func(n string) bool {
		return strings.HasPrefix(n, manifest.CustodyDir) && strings.HasSuffix(n, "."+custodylog.PartToken)
	}, true)
	// Issue 13, item 9: the last event's token, which no signature commits
	// to yet, read in the bundle as the verifier reads it (not as a token
	// alone): every bit of it, never PASSED.
	s.classRun("last custody event token: every bit", func(s *mutationSuite, c *mutationClass) {
		s.flipEntryBits(c, stamped, is(custodylog.EntryName(3, custodylog.PartToken)))
	})
	s.classRun("custody event tokens removed, added, substituted", func(s *mutationSuite, c *mutationClass) { s.tokenOps(c, stamped, ecdsaFx) })
	// The committed fixture (custody export --pdf, written by package
	// pdfseal: see pdf_test.go), and two PDFs made now, one under a chain.
	fixturePDF := readFile(t, filepath.Join("testdata", "pdf", "sealed-ecdsa.pdf"))
	anchors, err := verify.ParseCertificates(readFile(t, filepath.Join("testdata", "pdf", "tsa.pem")))
	if err != nil {
		t.Fatal(err)
	}
	fixtureOpts := verify.Options{Trust: anchors}
	chainOpts := verify.Options{Trust: ecdsaFx.Roots}
	s.classRun("standalone PDF: every 8th byte (signature)", func(s *mutationSuite, c *mutationClass) { s.flipPDF(c, fixturePDF, fixtureOpts) })
	s.classRun("standalone PDF: every bit of its CMS, hex re-encoded", func(s *mutationSuite, c *mutationClass) { s.flipPDFCMSBits(c, fixturePDF, fixtureOpts) })
	chained, selfIssued := standalonePDFs(t, ecdsaFx)
	s.classRun("standalone PDF with the doctor's chain: every bit of its CMS", func(s *mutationSuite, c *mutationClass) { s.flipPDFCMSBits(c, chained, chainOpts) })
	s.classRun("standalone PDF: CMS swapped, revision appended, cut", func(s *mutationSuite, c *mutationClass) {
		s.pdfOps(c, chained, selfIssued, fixturePDF, chainOpts)
	})
}

// sampleWithSource is the sample conversation with an original export file
// (a WhatsApp .txt) among its sources, so that a whole export carries
// sources/ and the mutation class for them tries something.
func sampleWithSource(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "sample")
	if err := os.CopyFS(dir, os.DirFS(testbundle.Sample())); err != nil {
		t.Fatal(err)
	}
	c, err := conversation.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	const source = "sources/WhatsApp Chat.txt"
	if err := os.MkdirAll(filepath.Join(dir, "sources"), 0o755); err != nil {
		t.Fatal(err)
	}
	chat := "12/04/2026, 09:14 - Paciente: Le envío la analítica\n12/04/2026, 09:40 - Dra. García: Gracias, la reviso\n"
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(source)), []byte(chat), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Sources = append(c.Sources, conversation.Source{Path: source, Type: "whatsapp-txt"})
	testbundle.WriteConversation(t, dir, c)
	return dir
}

// tokenRegion is a named span of a TimeStampResp's or a CMS's DER: it
// names the field a mutation hit in the failure message.
type tokenRegion struct {
	start, end int
	name       string
}

// derElement reads the DER tag and length at off: header and content
// length, or ok false.
func derElement(b []byte, off int) (hdr, n int, ok bool) {
	if off+2 > len(b) {
		return 0, 0, false
	}
	l := int(b[off+1])
	if l < 0x80 {
		return 2, l, off+2+l <= len(b)
	}
	k := l & 0x7f
	if k == 0 || k > 3 || off+2+k > len(b) {
		return 0, 0, false
	}
	n = 0
	for _, c := range b[off+2 : off+2+k] {
		n = n<<8 | int(c)
	}
	return 2 + k, n, off+2+k+n <= len(b)
}

// children lists the elements inside the constructed element at off.
func children(t *testing.T, b []byte, off int) []int {
	t.Helper()
	hdr, n, ok := derElement(b, off)
	if !ok {
		t.Fatalf("token: bad DER at %d", off)
	}
	var out []int
	for p := off + hdr; p < off+hdr+n; {
		h, m, ok := derElement(b, p)
		if !ok {
			t.Fatalf("token: bad DER at %d", p)
		}
		out = append(out, p)
		p += h + m
	}
	return out
}

// tokenRegions maps the fields of a TimeStampResp (RFC 3161 §2.4.2) that
// a verifier either reads or ignores.
func tokenRegions(t *testing.T, der []byte) []tokenRegion {
	t.Helper()
	resp := children(t, der, 0)
	regions := []tokenRegion{{resp[0], elementEnd(der, resp[0]), "TimeStampResp status (outside the token)"}}
	return append(regions, cmsRegions(t, der, resp[1], "")...)
}

func elementEnd(der []byte, off int) int { h, n, _ := derElement(der, off); return off + h + n }

// cmsRegions maps a CMS ContentInfo holding a SignedData (RFC 5652 §5) at
// off. Certificates are copies: the verifier takes the TSA's from the
// token but must authenticate it through the anchor, and the PDF signer's
// key by its fingerprint, so they are marked unsigned here and a PASSED
// flip in them must leave the established facts unchanged.
func cmsRegions(t *testing.T, der []byte, off int, prefix string) []tokenRegion {
	t.Helper()
	var regions []tokenRegion
	add := func(off int, name string) {
		regions = append(regions, tokenRegion{off, elementEnd(der, off), prefix + name})
	}
	contentInfo := children(t, der, off)
	signedData := children(t, der, children(t, der, contentInfo[1])[0])
	add(signedData[0], "SignedData version")
	add(signedData[1], "SignedData digestAlgorithms")
	if len(children(t, der, signedData[2])) > 1 {
		add(signedData[2], "encapContentInfo (the TSTInfo)")
	} else {
		// Detached (a PDF signature): only eContentType, which RFC 5652
		// §5.6 says must equal the signed content-type attribute.
		add(signedData[2], "detached encapContentInfo's eContentType")
	}
	for _, off := range signedData[3:] {
		switch der[off] {
		case 0xa0:
			add(off, "certificates (copies, not the trust anchor)")
		case 0xa1:
			add(off, "crls")
		case 0x31:
			si := children(t, der, children(t, der, off)[0])
			add(si[0], "SignerInfo version")
			add(si[1], "SignerInfo sid")
			add(si[2], "SignerInfo digestAlgorithm")
			for _, f := range si[3:] {
				switch der[f] {
				case 0xa0:
					add(f, "signedAttrs")
				case 0xa1:
					// A PDF signature's timestamp token: mapped in turn.
					attr := children(t, der, children(t, der, f)[0])
					regions = append(regions, cmsRegions(t, der, children(t, der, attr[1])[0], prefix+"its timestamp token: ")...)
					add(f, "unsignedAttrs")
				case 0x04:
					add(f, "signature")
				default:
					add(f, "SignerInfo signatureAlgorithm")
				}
			}
		}
	}
	return regions
}

func regionAt(regions []tokenRegion, off int) tokenRegion {
	for _, r := range regions {
		if r.start <= off && off < r.end {
			return r
		}
	}
	return tokenRegion{name: "tags and lengths of the CMS structure"}
}

// flipToken flips every byte of manifest.tsr (CRC fixed), naming the
// field of the token each flip hits.
func (s *mutationSuite) flipToken(c *mutationClass, original []byte) {
	p := testbundle.Map(s.t, original).Part(s.t, manifest.TokenName)
	regions := tokenRegions(s.t, original[p.LocalEnd:p.LocalEnd+p.Size])
	for _, i := range s.positions(p.Size, true) {
		what := fmt.Sprintf("byte %d (%s)", i, regionAt(regions, i).name)
		s.try(c, what, testbundle.FlipData(original, p, i, 1<<(i%8)))
	}
}

// flipTokenBits flips each of the 8 bits of every byte of manifest.tsr
// and verifies the token alone (as a bundle stores it, over manifest.sig),
// which is what the bundle's timestamp check does: one bit per byte, as
// flipToken, can miss a flag such as the constructed bit of a tag.
func (s *mutationSuite) flipTokenBits(c *mutationClass, bundle []byte) {
	entries, err := zipEntries(bundle)
	if err != nil {
		s.t.Fatal(err)
	}
	tsr := entries[testbundle.Find(entries, manifest.TokenName)].Data
	sig := entries[testbundle.Find(entries, manifest.SignatureName)].Data
	opts := verify.TokenOptions{Roots: s.opts.Trust, Stored: true, Unsealed: true}
	regions := tokenRegions(s.t, tsr)
	for i := 0; i < len(tsr); i += s.stride {
		for _, bit := range s.bits(i) {
			m := bytes.Clone(tsr)
			m[i] ^= 1 << bit
			c.tried++
			what := fmt.Sprintf("byte %d bit %d (%s)", i, bit, regionAt(regions, i).name)
			res, err := verify.VerifyToken(m, bytes.NewReader(sig), opts)
			if err != nil {
				c.unreadable++
				continue
			}
			s.count(c, what, res.Status, res.Checks)
		}
	}
}

// flipPDFCMSBits flips each of the 8 bits of every byte of a standalone
// PDF's CMS and writes it back as a forger would, in hex of the same case,
// so that only the CMS's own checks stand in the way.
func (s *mutationSuite) flipPDFCMSBits(c *mutationClass, data []byte, opts verify.Options) {
	contents, hexEnd, cms := pdfContents(s.t, data)
	upper := bytes.ContainsAny(data[contents:hexEnd], "ABCDEF")
	regions := cmsRegions(s.t, cms, 0, "")
	// The DER itself; what follows it is the zero padding pdfsign reserves.
	end := elementEnd(cms, 0)
	for i := 0; i < end; i += s.stride {
		for _, bit := range s.bits(i) {
			mc := bytes.Clone(cms)
			mc[i] ^= 1 << bit
			h := hex.EncodeToString(mc)
			if upper {
				h = strings.ToUpper(h)
			}
			m := bytes.Clone(data)
			copy(m[contents:hexEnd], h)
			c.tried++
			what := fmt.Sprintf("CMS byte %d bit %d (%s)", i, bit, regionAt(regions, i).name)
			_, checks := verify.VerifyPDFSignature(bytes.NewReader(m), int64(len(m)), opts)
			s.count(c, what, verify.Verdict(checks), checks)
		}
	}
}

// pdfContents locates the signature's /Contents hex string of a standalone
// PDF and decodes it.
func pdfContents(t *testing.T, data []byte) (start, end int, cms []byte) {
	t.Helper()
	start = bytes.Index(data, []byte("/Contents<")) + len("/Contents<")
	end = start + bytes.IndexByte(data[start:], '>')
	cms, err := hex.DecodeString(string(data[start:end]))
	if err != nil {
		t.Fatal(err)
	}
	return start, end, cms
}

// standalonePDFs makes two standalone PDFs of one bundle with fx's key:
// one under a doctor's certificate chain (root, intermediate, doctor:
// custody export --pdf-cert), one under the certificate the key issues
// itself.
func standalonePDFs(t *testing.T, fx *testbundle.Fixture) (chained, selfIssued []byte) {
	t.Helper()
	now := time.Now()
	root := testpki.Issue(t, now, testpki.CA("Mutation Root"), testpki.P256Key(t), nil)
	inter := testpki.Issue(t, now, testpki.CA("Mutation CA"), testpki.P256Key(t), root)
	doctor := testpki.Issue(t, now, testpki.Leaf("Dra. Mutación"), fx.Key, inter)
	srv := httptest.NewServer(localtsa.Handler(fx.Authority))
	defer srv.Close()
	bundle := fx.Export(t, testbundle.Sample(), custody.Selection{})
	write := func(chain []*x509.Certificate) []byte {
		out := filepath.Join(t.TempDir(), "case.pdf")
		err := custody.WritePDF(t.Context(), bundle, custody.PDFOptions{Out: out, Signer: fx.SignerWith(t, chain), Timestamper: &tsa.Client{URL: srv.URL}, Time: now})
		if err != nil {
			t.Fatal(err)
		}
		return readFile(t, out)
	}
	chained = write([]*x509.Certificate{doctor.Cert, inter.Cert, root.Cert})
	selfIssued = write(nil)
	for _, pdf := range [][]byte{chained, selfIssued} {
		if rep, err := verify.PDF(bytes.NewReader(pdf), int64(len(pdf)), verify.Options{Trust: fx.Roots}); err != nil || rep.Result != verify.Passed {
			t.Fatalf("a standalone PDF does not verify: %v %+v", err, rep)
		}
	}
	return chained, selfIssued
}

// pdfOps alters two valid standalone PDFs of one bundle and key as a
// whole: each one's CMS put into the other (padded, as signers reserve
// room), a revision appended after signing, the end cut off. Each is
// verified in full (verify.PDF: the embedded bundle too).
func (s *mutationSuite) pdfOps(c *mutationClass, a, b, another []byte, opts verify.Options) {
	tryPDF := func(what string, m []byte) {
		c.tried++
		rep, err := verify.PDF(bytes.NewReader(m), int64(len(m)), opts)
		if err != nil {
			c.unreadable++
			return
		}
		s.count(c, what, rep.Result, rep.Checks)
	}
	swap := func(into, from []byte) ([]byte, bool) {
		start, end, _ := pdfContents(s.t, into)
		_, _, cms := pdfContents(s.t, from)
		h := hex.EncodeToString(cms)
		if len(h) > end-start {
			return nil, false
		}
		m := bytes.Clone(into)
		copy(m[start:end], h+strings.Repeat("0", end-start-len(h)))
		return m, true
	}
	if m, ok := swap(a, b); ok {
		tryPDF("the self-issued PDF's signature in the chained PDF", m)
	}
	if m, ok := swap(b, a); ok {
		tryPDF("the chained PDF's signature in the self-issued PDF", m)
	}
	for name, pdf := range map[string][]byte{"chained": a, "self-issued": b} {
		if m, ok := swap(pdf, another); ok {
			tryPDF("another bundle's PDF signature in the "+name+" PDF", m)
		}
		// An incremental update: what a PDF editor appends to change a page.
		update := fmt.Sprintf("\n1 0 obj\n<</Type/Catalog>>\nendobj\ntrailer\n<</Size 2/Root 1 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n",
			bytes.LastIndex(pdf, []byte("startxref")), len(pdf)+1)
		tryPDF("a revision appended to the "+name+" PDF", append(bytes.Clone(pdf), update...))
		tryPDF("the "+name+" PDF cut by 100 bytes", bytes.Clone(pdf[:len(pdf)-100]))
		tryPDF("the "+name+" PDF with a byte appended", append(bytes.Clone(pdf), ' '))
	}
}

// TestForgedAlgorithms re-seals a bundle as a forger holding a key would:
// a new manifest naming the forger's key, signed, timestamped by a
// trusted TSA. Only a key of a type v1 defines, signing with the algorithm
// its type decides, verifies; the manifest's algorithm name never chooses.
func TestForgedAlgorithms(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	// Without record.pdf, which shows the signer's fingerprint and would
	// have to be rendered again.
	entries, err := zipEntries(exportLean(t, fx))
	if err != nil {
		t.Fatal(err)
	}
	// The custody log's first event is bound to the old signature: drop
	// the log (its absence is only reported) so that the seal alone counts.
	entries = slices.DeleteFunc(entries, func(e testbundle.Entry) bool { return strings.HasPrefix(e.Name, manifest.CustodyDir) })

	edPub, edKey, _ := ed25519.GenerateKey(rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signEd := func(msg []byte) []byte { return ed25519.Sign(edKey, msg) }
	signECDSA := func(k *ecdsa.PrivateKey) func([]byte) []byte {
		return func(msg []byte) []byte {
			h := sha256.Sum256(msg)
			sig, _ := ecdsa.SignASN1(rand.Reader, k, h[:])
			return sig
		}
	}
	signRSA := func(k *rsa.PrivateKey) func([]byte) []byte {
		return func(msg []byte) []byte {
			h := sha256.Sum256(msg)
			sig, _ := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
			return sig
		}
	}
	signPSS := func(k *rsa.PrivateKey) func([]byte) []byte {
		return func(msg []byte) []byte {
			h := sha256.Sum256(msg)
			sig, _ := rsa.SignPSS(rand.Reader, k, crypto.SHA256, h[:], nil)
			return sig
		}
	}
	none := func([]byte) []byte { return nil }

	tests := []struct {
		name      string
		pub       crypto.PublicKey
		algorithm string
		sign      func([]byte) []byte
		want      verify.Status
		format    string // the manifest's, when not the fixture's (v2)
		check     string // the failed check, when not signature
	}{
		{"control: the forger's Ed25519 key, honestly named", edPub, "ed25519", signEd, verify.Passed, "", ""},
		{"control: the forger's P-256 key, honestly named", &p256.PublicKey, "ecdsa-p256-sha256", signECDSA(p256), verify.Passed, "", ""},
		{"algorithm none, empty signature", edPub, "none", none, verify.Failed, "", ""},
		{"algorithm none, Ed25519 signature", edPub, "none", signEd, verify.Failed, "", ""},
		{"Ed25519 key named ecdsa-p256-sha256", edPub, "ecdsa-p256-sha256", signEd, verify.Failed, "", ""},
		{"P-256 key named ed25519", &p256.PublicKey, "ed25519", signECDSA(p256), verify.Failed, "", ""},
		{"P-384 key named ecdsa-p256-sha256", &p384.PublicKey, "ecdsa-p256-sha256", signECDSA(p384), verify.Failed, "", ""},
		{"RSA-1024 key (not a v2 signer)", &rsa1024.PublicKey, "rsa-pkcs1-sha256", signRSA(rsa1024), verify.Failed, "", "manifest"},
		{"RSA-2048 key (not a v2 signer)", &rsa2048.PublicKey, "rsa-pkcs1-sha256", signRSA(rsa2048), verify.Failed, "", "manifest"},
		{"RSA-2048 key named ed25519", &rsa2048.PublicKey, "ed25519", signRSA(rsa2048), verify.Failed, "", ""},
		{"control: the forger's RSA-2048 key, honestly named, in v5", &rsa2048.PublicKey, "rsa-pkcs1-sha256", signRSA(rsa2048), verify.Passed, manifest.FormatV5, ""},
		{"RSA-2048 key named ecdsa-p256-sha256, in v5", &rsa2048.PublicKey, "ecdsa-p256-sha256", signRSA(rsa2048), verify.Failed, manifest.FormatV5, ""},
		{"RSA-2048 key, PSS signature, in v5", &rsa2048.PublicKey, "rsa-pkcs1-sha256", signPSS(rsa2048), verify.Failed, manifest.FormatV5, ""},
		// A key too weak to prove anything: neither forged nor genuine.
		{"RSA-1024 key, in v5", &rsa1024.PublicKey, "rsa-pkcs1-sha256", signRSA(rsa1024), verify.Indeterminate, manifest.FormatV5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forged := resealAsFormat(t, fx, entries, tt.format, tt.pub, tt.algorithm, tt.sign)
			rep, err := verify.Bundle(bytes.NewReader(forged), int64(len(forged)), verify.Options{Trust: fx.Roots})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Result != tt.want {
				t.Fatalf("result %s, want %s: %+v", rep.Result, tt.want, rep.Checks)
			}
			if tt.want == verify.Failed {
				want := cmp.Or(tt.check, "signature")
				if c := failedCheck(rep); c == nil || c.Name != want {
					t.Errorf("failed check %+v, want %s", c, want)
				}
				return
			}
			if tt.want == verify.Indeterminate {
				if c := findCheck(rep, "signature"); c == nil || c.Status != verify.Indeterminate || c.Sub != verify.CryptoConstraintsFailure {
					t.Errorf("signature check %+v, want INDETERMINATE %s", c, verify.CryptoConstraintsFailure)
				}
				return
			}
			// A well-formed re-seal is only caught by naming the expected
			// signer (docs/threat-model.md: substitution).
			rep, err = verify.Bundle(bytes.NewReader(forged), int64(len(forged)), verify.Options{Trust: fx.Roots, SignerKey: fx.PublicKey})
			if err != nil || rep.Result != verify.Failed || failedCheck(rep).Name != "signer" {
				t.Errorf("with the expected signer: %v %+v", err, rep)
			}
		})
	}
}

// resealAs replaces the manifest's signer, signs it with sign, and
// timestamps the signature with the fixture's (trusted) TSA.
func resealAs(t *testing.T, fx *testbundle.Fixture, entries []testbundle.Entry, pub crypto.PublicKey, algorithm string, sign func([]byte) []byte) []byte {
	t.Helper()
	return resealAsFormat(t, fx, entries, "", pub, algorithm, sign)
}

// resealAsFormat is resealAs with the manifest's format set to format
// ("": left as it is).
func resealAsFormat(t *testing.T, fx *testbundle.Fixture, entries []testbundle.Entry, format string, pub crypto.PublicKey, algorithm string, sign func([]byte) []byte) []byte {
	t.Helper()
	e := slices.Clone(entries)
	m := testbundle.Manifest(t, e)
	m.Format = cmp.Or(format, m.Format)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(der)
	m.Signer.Algorithm, m.Signer.Fingerprint = algorithm, hex.EncodeToString(fp[:])
	// The forger drops the custody log (its event 1 is bound to the old
	// signature) and, holding a key, declares none: the seal alone counts.
	m.CustodyLog = false
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sig := sign(raw)
	tsr, err := fx.Timestamp(context.Background(), sig)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{manifest.ManifestName: raw, manifest.SignatureName: sig,
		manifest.SignerName: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), manifest.TokenName: tsr} {
		e[testbundle.Find(e, name)].Data = data
	}
	return testbundle.WriteEntries(t, e)
}

// flipPDF flips sampled bytes of a standalone PDF and checks the PDF's
// own signature, which covers every byte but the /Contents hex string:
// inside it, the CMS must hold every byte to one value.
func (s *mutationSuite) flipPDF(c *mutationClass, data []byte, opts verify.Options) {
	if _, checks := verify.VerifyPDFSignature(bytes.NewReader(data), int64(len(data)), opts); verify.Verdict(checks) != verify.Passed {
		s.t.Fatalf("the PDF fixture does not verify: %+v", checks)
	}
	contents, hexEnd, cms := pdfContents(s.t, data)
	regions := cmsRegions(s.t, cms, 0, "")
	for i := 0; i < len(data); i += 8 * s.stride {
		m := bytes.Clone(data)
		m[i] ^= 1 << (i % 8)
		c.tried++
		what := fmt.Sprintf("byte %d (outside /Contents)", i)
		if contents <= i && i < hexEnd {
			what = fmt.Sprintf("byte %d (CMS: %s)", i, regionAt(regions, (i-contents)/2).name)
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					s.t.Errorf("PDF %s: panic: %v", what, p)
				}
			}()
			_, checks := verify.VerifyPDFSignature(bytes.NewReader(m), int64(len(m)), opts)
			s.count(c, what, verify.Verdict(checks), checks)
		}()
	}
}
