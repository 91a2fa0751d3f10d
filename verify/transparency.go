package verify

import (
	"fmt"
	"strings"

	"github.com/custody-toolkit/custody/internal/verdict"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/translog"
)

// checkTransparency checks the transparency log entries of a v4 bundle
// (docs/bundle-format.md §6.1), one check "transparency N" each: exactly
// the entries the signed manifest declares (one removed or added is
// FAILED), each stating this seal, its inclusion proof leading to its
// checkpoint, and the checkpoint signed by a log key of --trust-log.
// Without --trust-log the checkpoint's signature is not checked: the
// check is INFO, as signer.certificates is without --trust-signers (a
// question not asked); with it, a log key not trusted is INDETERMINATE.
//
// stmt is what the entries must state, from the signature check (nil: it
// cannot be stated for this key); sealed, the entries' SHA-256 as custody
// event 1 commits to them (checkTokenSeal; nil without the commitment).
func (v *bundleVerifier) checkTransparency(m *manifest.Manifest, stmt *translog.Statement, sealed []string) {
	declared := m.TransparencyLogs
	err := v.checkTransparencyEntries(declared)
	if err == nil {
		err = v.checkSealedLogEntries(sealed, len(declared))
	}
	if err != nil {
		c := transparencyID(err.n).Check(Failed, err.err.Error())
		c.Sub = err.sub
		v.rep.Checks, v.stopped = append(v.rep.Checks, c), true
		return
	}
	for i, url := range declared {
		v.checkTransparencyEntry(i, url, stmt)
		if v.stopped {
			return
		}
	}
}

type entryCountError struct {
	n   int
	sub SubIndication
	err error
}

// checkTransparencyEntries: the entries under TransparencyDir are
// exactly TransparencyEntryName(0 … n-1), for the n logs declared.
func (v *bundleVerifier) checkTransparencyEntries(declared []string) *entryCountError {
	n := len(declared)
	for name := range v.b.EachName() {
		if !strings.HasPrefix(name, manifest.TransparencyDir) {
			continue
		}
		if !isDeclaredEntry(name, n) {
			return &entryCountError{n + 1, HashFailure, fmt.Errorf("%s was added: the signed manifest declares %d transparency log entries (transparency_logs)", name, n)}
		}
	}
	for i := range n {
		if !v.b.Has(manifest.TransparencyEntryName(i)) {
			return &entryCountError{i + 1, SignedDataNotFound, fmt.Errorf("%s was removed: the signed manifest declares that the seal was logged in %s", manifest.TransparencyEntryName(i), declared[i])}
		}
	}
	return nil
}

// checkSealedLogEntries holds the entries to custody event 1's
// commitment (transparency), when the signer made one: a log entry is the
// log's statement, not ours, so no other signature of ours covers its
// bytes; with it, an entry replaced, altered or re-encoded fails by the
// signer's own signature instead of reading as a damaged entry.
func (v *bundleVerifier) checkSealedLogEntries(sealed []string, n int) *entryCountError {
	if sealed == nil {
		return nil
	}
	if len(sealed) != n {
		return &entryCountError{min(len(sealed), n) + 1, HashFailure, fmt.Errorf("custody event 1 seals %d transparency log entries, the signed manifest declares %d", len(sealed), n)}
	}
	for i, want := range sealed {
		name := manifest.TransparencyEntryName(i)
		got, err := v.hashEntry(name)
		if err != nil {
			return &entryCountError{i + 1, FormatFailure, err}
		}
		if got != want {
			return &entryCountError{i + 1, HashFailure, fmt.Errorf("%s is not the entry the signer sealed: SHA-256 %s, custody event 1 seals %s (replaced or altered)", name, got, want)}
		}
	}
	return nil
}

func isDeclaredEntry(name string, n int) bool {
	for i := range n {
		if name == manifest.TransparencyEntryName(i) {
			return true
		}
	}
	return false
}

func (v *bundleVerifier) checkTransparencyEntry(i int, url string, stmt *translog.Statement) {
	id := transparencyID(i + 1)
	name := manifest.TransparencyEntryName(i)
	data, err := v.b.ReadSmall(name, translog.MaxEntrySize)
	if err != nil { // larger than an entry may be (§6.1): not a log entry, not a changed one
		v.failWith(id, because(FormatFailure, "%s: %v", name, err))
		return
	}
	if stmt == nil {
		v.addID(id, Indeterminate, "%s: this verifier cannot state what the entry must say for this key", name)
		return
	}
	entry, err := translog.Parse(data)
	if err == nil {
		var p *translog.Proof
		p, err = translog.Verify(entry, stmt, v.opts.TrustLogs)
		if err == nil {
			v.reportLogged(id, p, url)
			return
		}
	}
	prob := translog.AsProblem(err)
	c := id.Check(prob.Status, fmt.Sprintf("%s (%s): %v", name, url, prob.Err))
	c.Sub = prob.Sub
	v.rep.Checks = append(v.rep.Checks, c)
	v.stopped = v.stopped || prob.Status == Failed
}

// reportLogged: PASSED when a trusted key signed the checkpoint; INFO
// when no log key was given to check it with.
func (v *bundleVerifier) reportLogged(id CheckID, p *translog.Proof, url string) {
	where := fmt.Sprintf("logged at index %d in %s, checkpoint of size %d", p.Index, p.Origin, p.TreeSize)
	if p.KeyName != "" {
		v.addID(id, Passed, "%s signed by %s (a trusted log key); the entry states this manifest's digest, signature and key; submitted to %s", where, p.KeyName, url)
		return
	}
	v.addID(id, Info, "%s signed by %s, not checked: no --trust-log names the log's key (the entry states this seal and its inclusion proof holds); submitted to %s",
		where, strings.Join(p.Unsigned, ", "), url)
}

func transparencyID(n int) CheckID { return verdict.TransparencyCheckID(n) }
