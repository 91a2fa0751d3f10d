// Package monitor reads a transparency log (the tlog-tiles layout Rekor v2
// serves, over HTTP or from its folder) and lists every seal a key made
// in it, so that a doctor or their college sees a key misused: a seal
// they did not make is a seal by a stolen key. It also keeps the
// checkpoints it has seen and proves each new one consistent with the
// last (RFC 6962 consistency proofs built from the tiles): a log that
// shows two different histories (a fork) or rolls back is reported.
//
// It reads the log with tessera's client (transparency-dev, the engine
// Rekor v2 is built on), which fetches tiles and entry bundles and builds
// proofs from them.
package monitor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/api/layout"
	"github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"

	"github.com/custody-toolkit/custody/translog"
)

// Options of a monitoring run.
type Options struct {
	Log     string          // the log's tiles: an http(s) URL, or a folder
	Trusted []note.Verifier // the log's key (translog.ParseTrusted)
	Signer  string          // the key's fingerprint: SHA-256 of its DER, hex
	Since   uint64          // the first index to read
	// StateDir, when set, keeps the checkpoints seen; CheckConsistency
	// proves the new one consistent with the last kept.
	StateDir         string
	CheckConsistency bool
}

// Seal is an entry by the monitored key.
type Seal struct {
	Index         uint64
	HashAlgorithm string // SHA2_256 (ECDSA seals) or SHA2_512 (Ed25519)
	Digest        string // hex: of the manifest.json sealed
}

// Result of a run.
type Result struct {
	Checkpoint log.Checkpoint
	KeyName    string // the trusted key that signed the checkpoint
	Read       uint64 // entries read
	Seals      []Seal
	// Consistency says what was proven about the checkpoints kept; Fork,
	// when set, is a proof that the log is not append-only.
	Consistency string
	Fork        error
}

// Run reads the log's checkpoint, verifies it, and every entry from
// Since to its size.
func Run(ctx context.Context, o Options) (*Result, error) {
	f, err := fetcher(o.Log)
	if err != nil {
		return nil, err
	}
	raw, err := f.ReadCheckpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the checkpoint: %w", o.Log, err)
	}
	n, err := note.Open(raw, note.VerifierList(o.Trusted...))
	if err != nil {
		return nil, fmt.Errorf("%s: the checkpoint is not signed by a trusted log key: %w", o.Log, err)
	}
	res := &Result{KeyName: n.Sigs[0].Name}
	if _, err := res.Checkpoint.Unmarshal([]byte(n.Text)); err != nil {
		return nil, fmt.Errorf("%s: the checkpoint: %w", o.Log, err)
	}
	if err := res.scan(ctx, f, o); err != nil {
		return nil, err
	}
	if o.StateDir != "" {
		if err := res.keep(ctx, f, o, raw); err != nil {
			return nil, err
		}
	}
	return res, nil
}

type tiles interface {
	ReadCheckpoint(ctx context.Context) ([]byte, error)
	ReadTile(ctx context.Context, l, i uint64, p uint8) ([]byte, error)
	ReadEntryBundle(ctx context.Context, i uint64, p uint8) ([]byte, error)
}

func fetcher(where string) (tiles, error) {
	if strings.HasPrefix(where, "http://") || strings.HasPrefix(where, "https://") {
		u, err := url.Parse(strings.TrimSuffix(where, "/") + "/")
		if err != nil {
			return nil, err
		}
		return client.NewHTTPFetcher(u, &http.Client{Timeout: time.Minute})
	}
	if _, err := os.Stat(filepath.Join(where, layout.CheckpointPath)); err != nil {
		return nil, fmt.Errorf("%s: not a log's tiles (an http(s) URL, or a folder with a checkpoint): %w", where, err)
	}
	return client.FileFetcher{Root: where}, nil
}

// scan reads the entry bundles from Since to the checkpoint's size and
// keeps the seals by the key.
func (r *Result) scan(ctx context.Context, f tiles, o Options) error {
	size := r.Checkpoint.Size
	for i := o.Since - o.Since%layout.EntryBundleWidth; i < size; i += layout.EntryBundleWidth {
		bundle, err := client.GetEntryBundle(ctx, f.ReadEntryBundle, i/layout.EntryBundleWidth, size)
		if err != nil {
			return fmt.Errorf("%s: %w", o.Log, err)
		}
		for j, data := range bundle.Entries {
			index := i + uint64(j)
			if index < o.Since || index >= size {
				continue
			}
			r.Read++
			if l, ok := translog.ParseLogged(data); ok && fingerprint(l.PublicKey) == o.Signer {
				r.Seals = append(r.Seals, Seal{index, l.HashAlgorithm, hex.EncodeToString(l.Digest)})
			}
		}
	}
	return nil
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// keep stores the checkpoint in the state folder (one file per size,
// named by the log's origin) and, with CheckConsistency, proves it
// consistent with the largest one kept before.
func (r *Result) keep(ctx context.Context, f tiles, o Options, raw []byte) error {
	dir := filepath.Join(o.StateDir, safeName(r.Checkpoint.Origin))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if o.CheckConsistency {
		prev, err := latestKept(dir, o.Trusted)
		if err != nil {
			return err
		}
		r.checkConsistency(ctx, f, prev)
		if r.Fork != nil {
			return nil // keep the evidence as it was: the new checkpoint contradicts it
		}
	}
	// One file per size, never overwritten: two checkpoints of one size
	// with different roots are a fork, whose proof must survive.
	name := filepath.Join(dir, strconv.FormatUint(r.Checkpoint.Size, 10)+".checkpoint")
	if _, err := os.Stat(name); err == nil {
		return nil
	}
	return os.WriteFile(name, raw, 0o600)
}

// checkConsistency: the new checkpoint extends prev (nil: none kept).
func (r *Result) checkConsistency(ctx context.Context, f tiles, prev *log.Checkpoint) {
	cur := r.Checkpoint
	switch {
	case prev == nil:
		r.Consistency = "no earlier checkpoint kept: this one is the first"
		return
	case prev.Size > cur.Size:
		r.Fork = fmt.Errorf("the log rolled back: a checkpoint of size %d was seen before, now size %d", prev.Size, cur.Size)
		return
	case prev.Size == 0:
		r.Consistency = "the earlier checkpoint was of an empty log"
		return
	}
	pb, err := client.NewProofBuilder(ctx, cur.Size, f.ReadTile)
	var hashes [][]byte
	if err == nil {
		hashes, err = pb.ConsistencyProof(ctx, prev.Size, cur.Size)
	}
	if err != nil {
		r.Consistency = fmt.Sprintf("could not build the consistency proof from size %d: %v", prev.Size, err)
		return
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, prev.Size, cur.Size, hashes, prev.Hash, cur.Hash); err != nil {
		r.Fork = fmt.Errorf("FORK: the checkpoint of size %d is not consistent with the one of size %d seen before: the log shows two histories", cur.Size, prev.Size)
		return
	}
	r.Consistency = fmt.Sprintf("consistent with the checkpoint of size %d seen before", prev.Size)
}

// latestKept reads the largest checkpoint in dir, verified again (the
// state folder is not trusted more than the log).
func latestKept(dir string, trusted []note.Verifier) (*log.Checkpoint, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.checkpoint"))
	if err != nil {
		return nil, err
	}
	var best *log.Checkpoint
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		n, err := note.Open(raw, note.VerifierList(trusted...))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var cp log.Checkpoint
		if _, err := cp.Unmarshal([]byte(n.Text)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if best == nil || cp.Size > best.Size {
			best = &cp
		}
	}
	return best, nil
}

func safeName(origin string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, origin)
}
