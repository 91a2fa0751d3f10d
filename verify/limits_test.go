package verify_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// The reader limits (bundle-format.md §1.6, custody-log.md, Reader
// limits): an entry larger than a verifier reads is hashed as a stream
// against the digest a signature covers; a mismatch is FAILED as any
// edit, a match (or no digest at all) INDETERMINATE
// FORMAT_NOT_IMPLEMENTED, never FAILED for its size alone.

// overLimit is data followed by zeros to one byte over limit.
func overLimit(data []byte, limit int) []byte {
	return append(bytes.Clone(data), make([]byte, limit+1-len(data))...)
}

// firstOf is the first check of rep with status s.
func firstOf(rep *verify.Report, s verify.Status) *verify.Check {
	for i, c := range rep.Checks {
		if c.Status == s {
			return &rep.Checks[i]
		}
	}
	return nil
}

// wantFirst fails t unless rep's verdict is s and its first check of that
// status is named name, with sub-indication sub.
func wantFirst(t *testing.T, rep *verify.Report, s verify.Status, name string, sub verify.SubIndication) {
	t.Helper()
	c := firstOf(rep, s)
	if rep.Result != s || c == nil || c.Name != name || c.SubIndication() != sub {
		t.Fatalf("result %s, first %s check %+v; want %s %s", rep.Result, s, c, name, sub)
	}
}

// A stored token over 1 MiB: sealed by event 1 and intact, or sealed by
// nothing, it is INDETERMINATE (the reader's limit); sealed and altered,
// FAILED by the token seal.
func TestTokenOverLimit(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	opts := verify.Options{Trust: fx.Roots}
	i := testbundle.Find(entries, manifest.TokenName)
	large := overLimit(entries[i].Data, verify.MaxTokenSize)
	sealer := &actor{signer: logwriter.Signer{Key: fx.Signer}}
	withToken := func(sealed []string) []byte {
		es := cloneEntries(entries)
		es[i].Data = large
		es = resign(t, es, 1, sealer, func(e *custodylog.Event) { e.Tokens = sealed })
		return testbundle.WriteEntries(t, es)
	}
	t.Run("sealed", func(t *testing.T) {
		rep := verifyBytes(t, withToken([]string{custodylog.Digest(large)}), opts)
		wantFirst(t, rep, verify.Indeterminate, "timestamp 1", verify.FormatNotImplemented)
		if c := findCheck(rep, "token seal"); c == nil || c.Status != verify.Passed {
			t.Errorf("token seal %+v, want PASSED", c)
		}
	})
	t.Run("unsealed", func(t *testing.T) {
		rep := verifyBytes(t, withToken(nil), opts)
		wantFirst(t, rep, verify.Indeterminate, "timestamp 1", verify.FormatNotImplemented)
	})
	t.Run("altered", func(t *testing.T) {
		other := bytes.Clone(large)
		other[len(other)-1] = 1
		rep := verifyBytes(t, withToken([]string{custodylog.Digest(other)}), opts)
		wantFirst(t, rep, verify.Failed, "token seal", verify.HashFailure)
	})
}

// paddedInLog is a custody case whose event 3 part is padded over 1 MiB,
// and a function giving the bundle with event 4 signed again, committing
// to digest (commit says how): to the padded part's, or to another.
func paddedInLog(t *testing.T, part string, commit func(e *custodylog.Event, digest string)) (c *custodyCase, padded, original []byte, committed func(digest string) []byte) {
	c = newCustodyCase(t)
	entries := testbundle.ReadEntries(t, c.path)
	i := testbundle.Find(entries, custodylog.EntryName(3, part))
	original = entries[i].Data
	padded = overLimit(original, manifest.MaxMetaEntrySize)
	return c, padded, original, func(digest string) []byte {
		es := cloneEntries(entries)
		es[i].Data = padded
		return testbundle.WriteEntries(t, resign(t, es, 4, c.college, func(e *custodylog.Event) { commit(e, digest) }))
	}
}

// A custody event's token over 1 MiB, which the next event commits to
// (prev_token): INDETERMINATE when it is the one committed to, FAILED when
// it is not.
func TestCustodyTokenOverLimit(t *testing.T) {
	t.Parallel()
	c, padded, original, committed := paddedInLog(t, custodylog.PartToken, func(e *custodylog.Event, d string) { e.PrevToken = d })
	opts := verify.Options{Trust: c.fx.Roots}
	wantFirst(t, verifyBytes(t, committed(custodylog.Digest(padded)), opts), verify.Indeterminate, "custody 3 timestamp", verify.FormatNotImplemented)
	wantFirst(t, verifyBytes(t, committed(custodylog.Digest(original)), opts), verify.Failed, "custody 4", verify.HashFailure)
}

// A custody event over 1 MiB: its signature is checked over its bytes as
// they stream (custody-log.md rule 14). Signed so by its actor it is
// INDETERMINATE, and the events after it are still held to its digest
// (prev, prev_sig), so an edit of it is FAILED there; padded after it was
// signed, its own signature proves it altered: FAILED.
func TestCustodyEventOverLimit(t *testing.T) {
	t.Parallel()
	c := newCustodyCase(t)
	entries := testbundle.ReadEntries(t, c.path)
	opts := verify.Options{Trust: c.fx.Roots}
	event := testbundle.Find(entries, custodylog.EntryName(3, custodylog.PartEvent))
	padded := overLimit(entries[event].Data, manifest.MaxMetaEntrySize)
	sig, err := c.expert.signer.Key.SignMessage(t.Context(), padded) // event 3 is the expert's
	if err != nil {
		t.Fatal(err)
	}
	// withEvent3 is the case with event 3 padded, signed by sig, and event
	// 4 committing to prev.
	withEvent3 := func(sig []byte, prev string) []byte {
		es := cloneEntries(entries)
		es[event].Data = padded
		es[testbundle.Find(es, custodylog.EntryName(3, custodylog.PartSignature))].Data = sig
		return testbundle.WriteEntries(t, resign(t, es, 4, c.college, func(e *custodylog.Event) {
			e.Prev, e.PrevSig = prev, custodylog.Digest(sig)
		}))
	}
	rep := verifyBytes(t, withEvent3(sig, custodylog.Digest(padded)), opts)
	wantFirst(t, rep, verify.Indeterminate, "custody 3", verify.FormatNotImplemented)
	if len(rep.Custody) != 4 {
		t.Errorf("%d events in the report, want 4", len(rep.Custody))
	}
	if c := findCheck(rep, "custody 4"); c == nil || c.Status != verify.Passed {
		t.Errorf("custody 4: %+v, want PASSED", c)
	}
	original := entries[event].Data
	wantFirst(t, verifyBytes(t, withEvent3(sig, custodylog.Digest(original)), opts), verify.Failed, "custody 4", verify.SigCryptoFailure)
	sig3 := entries[testbundle.Find(entries, custodylog.EntryName(3, custodylog.PartSignature))].Data
	wantFirst(t, verifyBytes(t, withEvent3(sig3, custodylog.Digest(padded)), opts), verify.Failed, "custody 3", verify.SigCryptoFailure)
}

// An event's key or signature over 1 MiB is no key or signature of the
// format: FAILED FORMAT_FAILURE, as signer.pem and manifest.sig are.
func TestCustodyKeyOverLimit(t *testing.T) {
	t.Parallel()
	c := newCustodyCase(t)
	entries := testbundle.ReadEntries(t, c.path)
	for _, part := range []string{custodylog.PartKey, custodylog.PartSignature} {
		es := cloneEntries(entries)
		i := testbundle.Find(es, custodylog.EntryName(4, part))
		es[i].Data = overLimit(es[i].Data, manifest.MaxMetaEntrySize)
		rep := verifyBytes(t, testbundle.WriteEntries(t, es), verify.Options{Trust: c.fx.Roots})
		wantFirst(t, rep, verify.Failed, "custody 4", verify.FormatFailure)
	}
}

// Revocation data over 1 MiB that its event lists: INDETERMINATE
// `revocation` FORMAT_NOT_IMPLEMENTED when its digest matches, FAILED
// when it does not.
func TestRevocationOverLimit(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	expert := newActor(t, "Dra. Vidal", "expert", "ed25519", nil)
	expert.append(t, path, custodylog.Received, "", time.Now())
	entries := testbundle.ReadEntries(t, path)
	large := overLimit([]byte{0x30}, manifest.MaxMetaEntrySize)
	withCRL := func(listed []byte) []byte {
		es := signUnchecked(t, cloneEntries(entries), 2, expert, custodylog.Revocation{Kind: custodylog.RevocationCRL, SHA256: custodylog.Digest(listed)})
		es = append(es, testbundle.Entry{Name: custodylog.RevocationEntryName(2, 1, custodylog.RevocationCRL), Data: large})
		return testbundle.WriteEntries(t, es)
	}
	rep := verifyBytes(t, withCRL(large), verify.Options{Trust: fx.Roots})
	wantFirst(t, rep, verify.Indeterminate, "revocation", verify.FormatNotImplemented)
	rep = verifyBytes(t, withCRL(large[:1]), verify.Options{Trust: fx.Roots})
	wantFirst(t, rep, verify.Failed, "custody 2", verify.HashFailure)
}

// signUnchecked signs event seq again by a, listing revocation as its
// data: what logwriter.Sign refuses to write for data over the limit.
func signUnchecked(t *testing.T, es []testbundle.Entry, seq int, a *actor, revocation ...custodylog.Revocation) []testbundle.Entry {
	t.Helper()
	e, err := custodylog.Parse(es[testbundle.Find(es, custodylog.EntryName(seq, custodylog.PartEvent))].Data)
	if err != nil {
		t.Fatal(err)
	}
	e.Revocation = revocation
	data, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := a.signer.Key.SignMessage(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct {
		name string
		data []byte
	}{{custodylog.PartEvent, data}, {custodylog.PartSignature, sig}} {
		es[testbundle.Find(es, custodylog.EntryName(seq, part.name))].Data = part.data
	}
	return es
}

// A message entry over 16 MiB: the exporter refuses to write it.
func TestExportRefusesLargeMessage(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	in := testbundle.Synthetic(t, 3, func(c *conversation.Conversation) {
		c.Messages[0].Text = strings.Repeat("a", manifest.MaxMessageSize)
	})
	_, err := fx.TryExport(in, filepath.Join(t.TempDir(), "out.custody"), custody.Options{})
	if err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("export: %v, want the limit named", err)
	}
}

// paddingTSA answers its fixture's token followed by zeros, over 1 MiB.
type paddingTSA struct{ *testbundle.Fixture }

func (p paddingTSA) Timestamp(ctx context.Context, data []byte) ([]byte, error) {
	tok, err := p.Fixture.Timestamp(ctx, data)
	return overLimit(tok, verify.MaxTokenSize), err
}

// A TSA's answer over 1 MiB: the exporter refuses to store it, so that no
// bundle it writes is INDETERMINATE for its size.
func TestExportRefusesLargeToken(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	c, err := conversation.Load(testbundle.Sample())
	if err != nil {
		t.Fatal(err)
	}
	_, err = custody.Export(context.Background(), c, custody.Options{Out: filepath.Join(t.TempDir(), "out.custody"),
		Signer: fx.Signer, Timestampers: []custody.Timestamper{paddingTSA{fx}}, Lang: testbundle.Lang})
	if err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("export: %v, want the limit named", err)
	}
}

// A message entry over 16 MiB whose digest matches a forged manifest: the
// signature, checked although the messages are not, proves the forgery.
func TestMessageOverLimitForgedManifest(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "testdata", "vectors", "conformance")
	roots, err := verify.ParseCertificates(mustReadFile(t, filepath.Join(dir, "keys", "tsa-root.pem")))
	if err != nil {
		t.Fatal(err)
	}
	data := mustReadFile(t, filepath.Join(dir, "messages", "entry-over-16mib.custody"))
	rep := verifyBytes(t, data, verify.Options{Trust: roots})
	wantFirst(t, rep, verify.Indeterminate, "container", verify.ContainerRepacked)
	if c := findCheck(rep, "files"); c == nil || c.Status != verify.Indeterminate || c.SubIndication() != verify.FormatNotImplemented {
		t.Fatalf("files: %+v, want INDETERMINATE FORMAT_NOT_IMPLEMENTED", c)
	}
	es := testbundle.ReadEntries(t, writeTemp(t, data))
	i := testbundle.Find(es, manifest.SignatureName)
	es[i].Data = bytes.Clone(es[i].Data)
	es[i].Data[10] ^= 1
	wantFirst(t, verifyBytes(t, testbundle.Rezip(t, es), verify.Options{Trust: roots}), verify.Failed, "signature", verify.SigCryptoFailure)
}

// A signer certificate chain over 256 KiB of PEM: the exporter refuses to
// seal it, so that no bundle it writes is INDETERMINATE for its size.
func TestExportRefusesLargeSignerChain(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	template := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Dra. Grande"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Value: make([]byte, manifest.MaxSignerChainSize)}}}
	der, err := x509.CreateCertificate(rand.Reader, template, template, fx.PublicKey, fx.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fx.TryExport(testbundle.Sample(), filepath.Join(t.TempDir(), "out.custody"), custody.Options{Signer: fx.SignerWith(t, []*x509.Certificate{cert})})
	if err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("export: %v, want the limit named", err)
	}
}
