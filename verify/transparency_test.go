package verify_test

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	rekorpb "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"golang.org/x/mod/sumdb/note"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/rekortest"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/translog/logserver"
	"github.com/custody-toolkit/custody/translog/rekor"
	"github.com/custody-toolkit/custody/verify"
)

// exportLogged exports the sample conversation, logged in srv.
func exportLogged(t *testing.T, fx *testbundle.Fixture, srv *logserver.Server) []byte {
	t.Helper()
	return exportSample(t, custody.Options{Signer: fx.Signer, Timestampers: []custody.Timestamper{fx}, Lang: testbundle.Lang, NoRecord: true,
		TransparencyLogs: []custody.TransparencyLog{&rekor.Log{URL: srv.URL}}})
}

func verifyLogged(t *testing.T, data []byte, fx *testbundle.Fixture, logKeys ...string) (*verify.Report, verify.Check) {
	t.Helper()
	opts := verify.Options{Trust: fx.Roots}
	for _, k := range logKeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			t.Fatal(err)
		}
		opts.TrustLogs = append(opts.TrustLogs, v)
	}
	rep, err := verify.Bundle(bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.Name, "transparency") {
			return rep, c
		}
	}
	return rep, verify.Check{}
}

// TestTransparencyRealLog: a bundle logged in the real Rekor v2 server
// (its POSIX backend on loopback) verifies offline with the log's key;
// the stored proof or checkpoint altered, the entry removed or added, is
// FAILED; a log key not trusted is INDETERMINATE; no --trust-log leaves
// the check unmade (INFO) and the verdict as it was.
func TestTransparencyRealLog(t *testing.T) {
	srv := rekortest.Start(t)
	for _, alg := range []string{"ed25519", "ecdsa-p256"} {
		t.Run(alg, func(t *testing.T) {
			fx := testbundle.New(t, alg)
			first := exportLogged(t, fx, srv) // the next entry then has a non-empty inclusion proof
			data := exportLogged(t, fx, srv)
			if m := testbundle.Manifest(t, testbundle.ReadEntries(t, writeTemp(t, data))); m.Format != manifest.FormatV4 || m.TransparencyLogs[0] != srv.URL {
				t.Fatalf("manifest: format %s, logs %v", m.Format, m.TransparencyLogs)
			}
			rep, c := verifyLogged(t, data, fx, srv.VerifierKey)
			if rep.Result != verify.Passed || c.Status != verify.Passed || !strings.Contains(c.Detail, "in "+srv.Origin+", checkpoint of size") {
				t.Fatalf("trusted log: %s; %s %s: %s", rep.Result, c.Name, c.Status, c.Detail)
			}
			rep, c = verifyLogged(t, data, fx)
			if rep.Result != verify.Passed || c.Status != verify.Info {
				t.Errorf("no --trust-log: %s; %s %s: %s", rep.Result, c.Name, c.Status, c.Detail)
			}
			_, otherKey, _ := note.GenerateKey(rand.Reader, srv.Origin)
			rep, c = verifyLogged(t, data, fx, otherKey)
			if rep.Result != verify.Indeterminate || c.Status != verify.Indeterminate || c.SubIndication() != verify.NoCertificateChainFound {
				t.Errorf("untrusted log key: %s; %s %s %s: %s", rep.Result, c.Name, c.Status, c.SubIndication(), c.Detail)
			}
			// another seal's genuine entry, by the same key in the same log
			entryName := manifest.TransparencyEntryName(0)
			donor := testbundle.ReadEntries(t, writeTemp(t, first))[testbundle.Find(testbundle.ReadEntries(t, writeTemp(t, first)), entryName)].Data
			rep, c = verifyLogged(t, replaceEntry(t, data, entryName, func([]byte) []byte { return donor }), fx, srv.VerifierKey)
			if rep.Result != verify.Failed || !strings.Contains(c.Detail, "is not the entry the signer sealed") {
				t.Errorf("another seal's entry: %s; %s %s: %s", rep.Result, c.Name, c.Status, c.Detail)
			}
			checkSealedLogEntry(t, data, entryName)
			// Bundles whose event 1 does not commit to the entries (sealed
			// before it did): the entry's own checks catch what they can.
			uncommitted := withoutLogCommitment(t, data, fx)
			if rep, _ := verifyLogged(t, uncommitted, fx, srv.VerifierKey); rep.Result != verify.Passed {
				t.Fatalf("event 1 without transparency: %s", rep.Result)
			}
			for name, tc := range transparencyTampers(t) {
				rep, c := verifyLogged(t, tc.edit(t, uncommitted), fx, srv.VerifierKey)
				t.Logf("%s: %s %s %s: %s", name, c.Name, c.Status, c.SubIndication(), c.Detail)
				if rep.Result != tc.want || c.Status != tc.want || !strings.Contains(c.Detail, tc.detail) {
					t.Errorf("%s: %s; %s %s %s: %s", name, rep.Result, c.Name, c.Status, c.SubIndication(), c.Detail)
				}
				// With the commitment, any change of the entry fails by the
				// signer's signature (a removal or addition by the manifest's).
				want := "is not the entry the signer sealed"
				if tc.counted {
					want = tc.detail
				}
				rep, c = verifyLogged(t, tc.edit(t, data), fx, srv.VerifierKey)
				if rep.Result != verify.Failed || c.Status != verify.Failed || !strings.Contains(c.Detail, want) {
					t.Errorf("%s, sealed by event 1: %s; %s %s %s: %s", name, rep.Result, c.Name, c.Status, c.SubIndication(), c.Detail)
				}
			}
		})
	}
}

type transparencyTamper struct {
	edit    func(*testing.T, []byte) []byte
	want    verify.Status
	detail  string
	counted bool // a removal or addition, which the manifest's count catches
}

func transparencyTampers(t *testing.T) map[string]transparencyTamper {
	entryName := manifest.TransparencyEntryName(0)
	return map[string]transparencyTamper{
		"proof hash flipped": {editEntry(entryName, func(e *rekorpb.TransparencyLogEntry) { e.InclusionProof.Hashes[0][0] ^= 1 }), verify.Failed, "inclusion proof", false},
		"index changed": {editEntry(entryName, func(e *rekorpb.TransparencyLogEntry) {
			e.LogIndex--
			e.InclusionProof.LogIndex--
		}), verify.Failed, "inclusion proof", false},
		"checkpoint root changed": {editEntry(entryName, func(e *rekorpb.TransparencyLogEntry) {
			cp := e.InclusionProof.Checkpoint
			lines := strings.SplitN(cp.Envelope, "\n", 4)
			lines[2] = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
			cp.Envelope = strings.Join(lines, "\n")
		}), verify.Failed, "checkpoint's signature", false},
		"body edited": {editEntry(entryName, func(e *rekorpb.TransparencyLogEntry) {
			e.CanonicalizedBody = bytes.Replace(e.CanonicalizedBody, []byte(`"spec"`), []byte(`"spec" `), 1)
		}), verify.Failed, "inclusion proof", false},
		"entry removed": {func(t *testing.T, data []byte) []byte {
			entries := testbundle.ReadEntries(t, writeTemp(t, data))
			i := testbundle.Find(entries, entryName)
			return testbundle.WriteEntries(t, append(entries[:i:i], entries[i+1:]...))
		}, verify.Failed, "was removed", true},
		"entry added": {func(t *testing.T, data []byte) []byte {
			entries := testbundle.ReadEntries(t, writeTemp(t, data))
			i := testbundle.Find(entries, entryName)
			added := testbundle.Entry{Name: manifest.TransparencyEntryName(1), Data: entries[i].Data}
			return testbundle.WriteEntries(t, append(entries[:i+1:i+1], append([]testbundle.Entry{added}, entries[i+1:]...)...))
		}, verify.Failed, "was added", true},
		"entry re-encoded": {func(t *testing.T, data []byte) []byte {
			return replaceEntry(t, data, entryName, func(b []byte) []byte { return append(b, '\n') })
		}, verify.Indeterminate, "canonical encoding", false},
	}
}

// editEntry changes the stored entry's content, stored again in its
// canonical encoding: what a forger who knows the format would do.
func editEntry(name string, edit func(*rekorpb.TransparencyLogEntry)) func(*testing.T, []byte) []byte {
	return func(t *testing.T, data []byte) []byte {
		return replaceEntry(t, data, name, func(b []byte) []byte {
			var e rekorpb.TransparencyLogEntry
			if err := protojson.Unmarshal(b, &e); err != nil {
				t.Fatal(err)
			}
			edit(&e)
			out, err := rekor.Encode(&e)
			if err != nil {
				t.Fatal(err)
			}
			return out
		})
	}
}

func replaceEntry(t *testing.T, data []byte, name string, edit func([]byte) []byte) []byte {
	entries := testbundle.ReadEntries(t, writeTemp(t, data))
	i := testbundle.Find(entries, name)
	entries[i].Data = edit(bytes.Clone(entries[i].Data))
	return testbundle.WriteEntries(t, entries)
}

// checkSealedLogEntry: the exporter's event 1 commits to the stored
// transparency log entry (transparency), and a re-encoded entry, only
// damaged without that, is FAILED HASH_FAILURE with it.
func checkSealedLogEntry(t *testing.T, data []byte, entryName string) {
	t.Helper()
	entries := testbundle.ReadEntries(t, writeTemp(t, data))
	e, err := custodylog.Parse(entries[testbundle.Find(entries, custodylog.EntryName(1, custodylog.PartEvent))].Data)
	if err != nil {
		t.Fatal(err)
	}
	if want := custodylog.Digest(entries[testbundle.Find(entries, entryName)].Data); len(e.Transparency) != 1 || e.Transparency[0] != want {
		t.Fatalf("event 1 commits to %q, want [%s]", e.Transparency, want)
	}
}

// withoutLogCommitment is data with its event 1 signed again, by the
// sealing key, without the transparency member: a bundle sealed before
// event 1 committed to the entries.
func withoutLogCommitment(t *testing.T, data []byte, fx *testbundle.Fixture) []byte {
	t.Helper()
	es := resign(t, testbundle.ReadEntries(t, writeTemp(t, data)), 1, &actor{signer: logwriter.Signer{Key: fx.Signer}}, func(e *custodylog.Event) { e.Transparency = nil })
	return testbundle.WriteEntries(t, es)
}
