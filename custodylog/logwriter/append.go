package logwriter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/manifest"
)

// DefaultLockWait is how long Append waits for another append to the same
// bundle to finish: longer than a TSA round trip.
const DefaultLockWait = time.Minute

// ErrLocked is returned (wrapped) when another append held the bundle
// for longer than AppendOptions.LockWait.
var ErrLocked = errors.New("another custody log append holds the bundle")

// AppendOptions tune Append.
type AppendOptions struct {
	// LockWait bounds the wait for a concurrent append; zero means
	// DefaultLockWait, negative means do not wait.
	LockWait time.Duration
	// Now is the event time when e.Time is empty; zero means the current
	// time.
	Now time.Time
	// Revocation is revocation data the event carries.
	Revocation []Revocation
}

// Append signs e as the next event of the bundle at path and adds it,
// atomically: the bundle is rewritten into a temporary file, its bytes
// unchanged but for the end of its container, and renamed over path. It
// holds an exclusive lock (flock) on the bundle meanwhile, so concurrent
// appends run one after the other and none is lost. Seq, Prev and Bundle
// are set here; Time too when empty. Its memory does not grow with the
// bundle's entries beyond OpenBundle's compact index.
func Append(ctx context.Context, path string, e custodylog.Event, s Signer, opts AppendOptions) (*Record, error) {
	// Through a symbolic link, rewrite the file it points to, not the link.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	f, err := lockBundle(path, opts.LockWait)
	if err != nil {
		return nil, err
	}
	defer f.Close() // releases the lock, after the rename
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b, err := manifest.OpenBundle(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkKeyFormat(b, s.Key.Algorithm()); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := nextEvent(b, &e, opts.Now); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rec, err := Sign(ctx, e, s, opts.Revocation...)
	if err != nil {
		return nil, err
	}
	if err := rewrite(path, b, st, rec.Files()); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rec, nil
}

// checkKeyFormat refuses to sign with an algorithm the bundle's format
// predates (an RSA key in a v2 bundle): the custody log has no format of
// its own, so a verifier of that format's time, which knows no such key,
// would report the event FAILED. The bundle's format says which
// verifiers read it; a format this version does not know is a later one,
// whose verifiers know every algorithm this one signs with.
func checkKeyFormat(b *manifest.Bundle, alg *sigalg.Algorithm) error {
	rc, err := b.OpenManifest()
	if err != nil {
		return nil // the bundle's reader says what is wrong with it
	}
	defer rc.Close()
	head, err := manifest.ReadHead(rc)
	if err != nil {
		return nil // the format is later, or broken (nextEvent's and the verifier's to say)
	}
	if manifest.FormatVersion(head.Format) < alg.SinceFormat {
		return fmt.Errorf("a %s key cannot sign this bundle's custody events: the bundle is %s, and verifiers of that format, which predate %s, would report the event FAILED; sign with an Ed25519 or ECDSA P-256 key",
			alg.Title, head.Format, alg.Name)
	}
	return nil
}

// nextEvent links e to the bundle's seal and to the last event. It refuses
// a log it cannot extend cleanly (an entry outside the naming scheme, a
// gap): signing onto a broken log would bury the break under a valid
// signature.
func nextEvent(b *manifest.Bundle, e *custodylog.Event, now time.Time) error {
	sig, err := b.ReadSmall(manifest.SignatureName, manifest.MaxMetaEntrySize)
	if err != nil {
		return fmt.Errorf("not a sealed bundle: %w", err)
	}
	n, err := custodylog.Count(b.Names())
	if err != nil {
		return fmt.Errorf("%w; run custody-verify", err)
	}
	if n >= custodylog.MaxEvents {
		return fmt.Errorf("the custody log is full (%d events)", custodylog.MaxEvents)
	}
	e.Seq, e.Bundle, e.Prev = n+1, custodylog.Digest(sig), custodylog.ZeroDigest
	e.Tokens, e.PrevSig, e.PrevToken = nil, "", "" // only the exporter seals the manifest's tokens
	if n > 0 {
		if err := linkPrevious(b, e, n); err != nil {
			return err
		}
	}
	if e.Action == custodylog.Renewed {
		if err := coverSeal(b, e); err != nil {
			return err
		}
	}
	if e.Time == "" {
		if now.IsZero() {
			now = time.Now()
		}
		e.Time = custodylog.FormatTime(now)
	}
	return nil
}

// linkPrevious commits e to every part of event n: its entry (prev), its
// signature (prev_sig) and its token, if it has one (prev_token).
func linkPrevious(b *manifest.Bundle, e *custodylog.Event, n int) error {
	digest := func(part string) (string, error) {
		data, err := b.ReadSmall(custodylog.EntryName(n, part), manifest.MaxMetaEntrySize)
		return custodylog.Digest(data), err
	}
	var err error
	if e.Prev, err = digest(custodylog.PartEvent); err != nil {
		return err
	}
	if e.PrevSig, err = digest(custodylog.PartSignature); err != nil {
		return err
	}
	if b.Has(custodylog.EntryName(n, custodylog.PartToken)) {
		e.PrevToken, err = digest(custodylog.PartToken)
	}
	return err
}

// coverSeal commits a renewal to the sealed content and every manifest
// token by digest (docs/long-term.md): its archive timestamp then covers
// them through hashes alone.
func coverSeal(b *manifest.Bundle, e *custodylog.Event) error {
	mDigest, err := entryDigest(b, manifest.ManifestName)
	if err != nil {
		return err
	}
	var tokens [][]byte
	for i := 0; b.Has(manifest.TokenEntryName(i)); i++ {
		tok, err := b.ReadSmall(manifest.TokenEntryName(i), manifest.MaxMetaEntrySize)
		if err != nil {
			return err
		}
		tokens = append(tokens, tok)
	}
	e.Manifest, e.Tokens = mDigest, TokenDigests(tokens)
	return nil
}

// entryDigest streams an entry through SHA-256: a manifest may be large.
func entryDigest(b *manifest.Bundle, name string) (string, error) {
	rc, err := b.Open(name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// rewrite writes the bundle anew next to path and renames it over path:
// the locked original's bytes unchanged, with the new entries added at
// the end of its container (manifest's AppendEntries, which holds none of
// its directory), with the original's permissions.
func rewrite(path string, b *manifest.Bundle, st os.FileInfo, add []File) error {
	out, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer out.Abort()
	if err := out.Chmod(st.Mode().Perm()); err != nil {
		return err
	}
	entries := make([]manifest.StoredEntry, len(add))
	for i, f := range add {
		entries[i] = manifest.StoredEntry(f)
	}
	if err := b.AppendEntries(out, entries); err != nil {
		return err
	}
	return out.Commit(true)
}
