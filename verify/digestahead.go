package verify

import (
	"errors"
	"io"
	"strings"

	"github.com/custody-toolkit/custody/manifest"
)

// Files are checked one at a time, in the manifest's order. With
// Options.DigestRange, hashing a file is a request to someone else (the
// web verifier's digesters, Web Workers on other cores), which can hash
// several at once: so checkFiles asks for the next large files' digests
// ahead of the file it checks, up to digestsInFlight at a time, and
// checks each file with its own digest when it gets there. Every check,
// and the order of the checks, the CRC-32 notes and the report, stay as
// without it: only when a digest is computed changes.

// digestsInFlight is the most digests asked for ahead and not yet taken:
// enough to keep a few digesters busy; each holds no more than its result
// here.
const digestsInFlight = 4

// digestWindow is how far ahead of the file being checked checkFiles looks
// for large files to hash: the files in between (message entries, read
// here) are not held.
const digestWindow = 256

// digestsAhead are the digests asked for ahead of the file being checked.
type digestsAhead struct {
	v       *bundleVerifier
	m       *manifest.Manifest
	next    int                       // the next file to consider asking for
	started map[string]*pendingDigest // by path, until checkFile takes it
}

// pendingDigest is a digest asked for ahead: DigestRange's answer for
// [off, off+n) of r, once done is closed.
type pendingDigest struct {
	off, n int64
	done   chan struct{}
	sum    [32]byte
	crc    uint32
	err    error
}

// errAsked is what the starter hands DigestStored to make it stop there,
// without comparing anything: the digest is under way.
var errAsked = errors.New("digest asked for ahead")

// newDigestsAhead returns the digests ahead for m's files, or nil when
// nothing is hashed elsewhere (no DigestRange).
func (v *bundleVerifier) newDigestsAhead(m *manifest.Manifest) *digestsAhead {
	if v.opts.DigestRange == nil {
		return nil
	}
	return &digestsAhead{v: v, m: m, started: map[string]*pendingDigest{}}
}

// askUpTo asks for the digests of the large files after i, within
// digestWindow, while fewer than digestsInFlight are under way.
func (a *digestsAhead) askUpTo(i int) {
	if a == nil {
		return
	}
	a.next = max(a.next, i)
	for a.next < a.m.FileCount() && a.next <= i+digestWindow && len(a.started) < digestsInFlight {
		a.ask(a.m.FileAt(a.next))
		a.next++
	}
}

// ask starts f's digest if checkFile would hash it through DigestRange:
// a listed file that is not a message entry (those are read here), of the
// size listed. DigestStored says where its bytes lie (or that they cannot
// be hashed so: then nothing is asked).
func (a *digestsAhead) ask(f manifest.File) {
	if strings.HasPrefix(f.Path, manifest.MessagesDir) {
		return
	}
	if size, ok := a.v.b.Size(f.Path); !ok || size != f.Size {
		return
	}
	a.v.b.DigestStored(f.Path, func(r io.ReaderAt, off, n int64) ([32]byte, uint32, error) {
		p := &pendingDigest{off: off, n: n, done: make(chan struct{})}
		a.started[f.Path] = p
		go func() {
			defer close(p.done)
			p.sum, p.crc, p.err = a.v.opts.DigestRange(r, off, n)
		}()
		return [32]byte{}, 0, errAsked
	})
}

// digestFor is the RangeDigest that hashEntry hands DigestStored for
// name: the digest asked for ahead, if it was, else DigestRange itself.
func (a *digestsAhead) digestFor(name string) manifest.RangeDigest {
	if a == nil {
		return nil
	}
	p, ok := a.started[name]
	if !ok {
		return a.v.opts.DigestRange
	}
	delete(a.started, name)
	return func(r io.ReaderAt, off, n int64) ([32]byte, uint32, error) {
		if off != p.off || n != p.n {
			return a.v.opts.DigestRange(r, off, n) // not what was asked for: never so, but not assumed
		}
		<-p.done
		return p.sum, p.crc, p.err
	}
}
