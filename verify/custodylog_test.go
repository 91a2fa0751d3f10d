package verify_test

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// actor is a key that signs custody events, through sigstore as the CLI
// does.
type actor struct {
	name, role string
	signer     logwriter.Signer
	fp         string
}

func newActor(t testing.TB, name, role, alg string, stamp func(context.Context, []byte) ([]byte, error)) *actor {
	t.Helper()
	key, err := keys.Generate(alg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	fp, _ := manifest.Fingerprint(key.Public())
	return &actor{name: name, role: role, fp: fp, signer: logwriter.Signer{
		Key:       s,
		Timestamp: stamp,
	}}
}

func (a *actor) append(t testing.TB, path, action, note string, at time.Time) *logwriter.Record {
	t.Helper()
	rec, err := logwriter.Append(context.Background(), path, custodylog.Event{
		Actor: custodylog.Actor{Name: a.name, Role: a.role}, Action: action, Note: note,
	}, a.signer, logwriter.AppendOptions{Now: at})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// custodyCase is a bundle sealed by a doctor, then passed to an expert and
// a college: three appends with three keys, each timestamped.
type custodyCase struct {
	fx                      *testbundle.Fixture
	path                    string
	doctor, expert, college *actor
}

func newCustodyCase(t *testing.T) *custodyCase {
	fx := testbundle.New(t, "ed25519")
	c := &custodyCase{fx: fx, path: fx.Export(t, testbundle.Sample(), custody.Selection{})}
	doctorFP, _ := manifest.Fingerprint(fx.PublicKey)
	c.doctor = &actor{name: "", role: "clinician", fp: doctorFP}
	c.expert = newActor(t, "Dra. Vidal", "expert", "ed25519", fx.Timestamp)
	c.college = newActor(t, "Colegio de Médicos", "college", "ecdsa-p256", fx.Timestamp)
	courier := newActor(t, "Mensajería Ruiz", "courier", "ed25519", fx.Timestamp)
	now := time.Now()
	for _, step := range []struct {
		a            *actor
		action, note string
	}{
		{courier, custodylog.Transferred, "Entregado en mano, expediente 2026/113"},
		{c.expert, custodylog.Received, "Recibido por correo certificado, expediente 2026/113"},
		{c.college, custodylog.AttachedToRecord, "Incorporado al expediente disciplinario"},
	} {
		sealedBefore, entriesBefore := sealedPart(t, c.path), testbundle.ReadEntries(t, c.path)
		step.a.append(t, c.path, step.action, step.note, now)
		if after := sealedPart(t, c.path); !bytes.HasPrefix(after, sealedBefore) {
			t.Fatalf("appending %s changed the entries written before it (%s)", step.action, firstByteDiff(sealedBefore, after))
		}
		entriesAfter := testbundle.ReadEntries(t, c.path)
		for i, e := range entriesBefore {
			if entriesAfter[i].Name != e.Name || !bytes.Equal(entriesAfter[i].Data, e.Data) {
				t.Fatalf("appending %s changed entry %s", step.action, e.Name)
			}
		}
	}
	return c
}

// sealedPart returns the bytes of a bundle before its central directory:
// every entry, headers included. An append must keep all of them and only
// add after them.
func sealedPart(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	eocd := data[len(data)-22:]
	if binary.LittleEndian.Uint32(eocd) != 0x06054b50 {
		t.Fatal("no end of central directory record at the end")
	}
	return data[:binary.LittleEndian.Uint32(eocd[16:])]
}

func firstByteDiff(a, b []byte) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at byte %d of %d", i, len(a))
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

func TestCustodyLogTimeline(t *testing.T) {
	t.Parallel()
	c := newCustodyCase(t)
	rep, err := verify.BundleFile(c.path, verify.Options{Trust: c.fx.Roots, Actors: map[string]string{
		c.doctor.fp: "Dr. Ruiz", c.expert.fp: "Dra. Vidal, perito judicial",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed {
		t.Fatalf("result %s: %+v", rep.Result, rep.Checks)
	}
	want := []struct {
		action, fp string
		known      bool
		stamped    bool
	}{
		{custodylog.Sealed, c.doctor.fp, true, false},
		{custodylog.Transferred, "", false, true},
		{custodylog.Received, c.expert.fp, true, true},
		{custodylog.AttachedToRecord, c.college.fp, false, true},
	}
	if len(rep.Custody) != len(want) {
		t.Fatalf("timeline of %d events, want %d: %+v", len(rep.Custody), len(want), rep.Custody)
	}
	for i, w := range want {
		ev := rep.Custody[i]
		if ev.Seq != i+1 || ev.Action != w.action || ev.Recognised != w.known || (ev.Timestamp != nil) != w.stamped {
			t.Errorf("event %d: %+v, want %+v", i+1, ev, w)
		}
		if w.fp != "" && ev.Actor.Fingerprint != w.fp {
			t.Errorf("event %d by %s, want %s", i+1, ev.Actor.Fingerprint, w.fp)
		}
		if w.stamped && !ev.Timestamp.Trusted {
			t.Errorf("event %d: timestamp not trusted", i+1)
		}
	}
	if rep.Custody[2].Note != "Recibido por correo certificado, expediente 2026/113" || rep.Custody[3].Actor.Name != "Colegio de Médicos" {
		t.Errorf("notes or names lost: %+v", rep.Custody)
	}
	// The unrecognised actors are reported, but are not failures.
	for _, name := range []string{"custody 2 actor", "custody 4 actor"} {
		if c := findCheck(rep, name); c == nil || c.Status != verify.Info || !strings.Contains(c.Detail, "not in --trust-actors") {
			t.Errorf("check %q: %+v", name, c)
		}
	}
	if c := findCheck(rep, "custody 3 actor"); c != nil {
		t.Errorf("a recognised actor is reported: %+v", c)
	}
}

func findCheck(rep *verify.Report, name string) *verify.Check {
	for i, c := range rep.Checks {
		if c.Name == name {
			return &rep.Checks[i]
		}
	}
	return nil
}

// Every way of tampering with the log fails the bundle, naming the event.
func TestCustodyLogTampering(t *testing.T) {
	t.Parallel()
	c := newCustodyCase(t)
	other := newCustodyCase(t)
	entries := testbundle.ReadEntries(t, c.path)
	otherEntries := testbundle.ReadEntries(t, other.path)
	forger := newActor(t, "Dra. Vidal", "expert", "ed25519", nil)

	name := custodylog.EntryName
	tests := []struct {
		name   string
		edit   func([]testbundle.Entry) []testbundle.Entry
		check  string
		detail string
	}{
		{"middle event removed", func(es []testbundle.Entry) []testbundle.Entry {
			return without(es, "META-INF/custody/0002.")
		}, "custody log", "event 2 is missing"},
		{"first event removed", func(es []testbundle.Entry) []testbundle.Entry {
			return without(es, "META-INF/custody/0001.")
		}, "custody log", "event 1 is missing"},
		{"events reordered", func(es []testbundle.Entry) []testbundle.Entry {
			for i := range es {
				switch {
				case strings.HasPrefix(es[i].Name, "META-INF/custody/0002."):
					es[i].Name = strings.Replace(es[i].Name, "0002", "0003", 1)
				case strings.HasPrefix(es[i].Name, "META-INF/custody/0003."):
					es[i].Name = strings.Replace(es[i].Name, "0003", "0002", 1)
				}
			}
			return es
		}, "custody 2", "number 3"},
		{"note edited", func(es []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(es, name(3, "json"))
			es[i].Data = bytes.Replace(es[i].Data, []byte("2026/113"), []byte("2026/114"), 1)
			return es
		}, "custody 3", "signature does not verify"},
		{"signature of another event", func(es []testbundle.Entry) []testbundle.Entry {
			es[testbundle.Find(es, name(3, "sig"))].Data = es[testbundle.Find(es, name(2, "sig"))].Data
			return es
		}, "custody 3", "signature does not verify"},
		{"key swapped", func(es []testbundle.Entry) []testbundle.Entry {
			es[testbundle.Find(es, name(3, "pem"))].Data = es[testbundle.Find(es, name(2, "pem"))].Data
			return es
		}, "custody 3", "but the event names key"},
		{"key file padded", func(es []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(es, name(2, "pem"))
			es[i].Data = append([]byte("comment\n"), es[i].Data...)
			return es
		}, "custody 2", "canonical form"},
		{"event re-signed by a forger", func(es []testbundle.Entry) []testbundle.Entry {
			return resign(t, es, 3, forger, func(e *custodylog.Event) { e.Note = "Recibido en mano" })
		}, "custody 4", "an event was removed, reordered or edited"},
		{"event copied from another bundle", func(es []testbundle.Entry) []testbundle.Entry {
			es = without(es, "META-INF/custody/0002.")
			for _, e := range otherEntries {
				if strings.HasPrefix(e.Name, "META-INF/custody/0002.") {
					es = append(es, e)
				}
			}
			return es
		}, "custody 2", "copied from another bundle"},
		{"token altered", func(es []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(es, name(3, "tsr"))
			es[i].Data = bytes.Clone(es[i].Data)
			es[i].Data[len(es[i].Data)-10] ^= 1
			return es
		}, "custody 4", name(3, "tsr") + " is not the token this event's signer sealed"},
		{"token of another event", func(es []testbundle.Entry) []testbundle.Entry {
			es[testbundle.Find(es, name(3, "tsr"))].Data = es[testbundle.Find(es, name(2, "tsr"))].Data
			return es
		}, "custody 4", name(3, "tsr") + " is not the token this event's signer sealed"},
		{"signature removed", func(es []testbundle.Entry) []testbundle.Entry {
			return without(es, name(4, "sig"))
		}, "custody log", "event 4 is missing or incomplete"},
		{"unexpected entry", func(es []testbundle.Entry) []testbundle.Entry {
			return append(es, testbundle.Entry{Name: "META-INF/custody/notes.txt", Data: []byte("x")})
		}, "custody log", "unexpected entry META-INF/custody/notes.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.edit(cloneEntries(entries))
			rep := verifyBytes(t, testbundle.WriteEntries(t, es), verify.Options{Trust: c.fx.Roots})
			f := failedCheck(rep)
			if rep.Result != verify.Failed || f == nil {
				t.Fatalf("result %s, want FAILED: %+v", rep.Result, rep.Checks)
			}
			if f.Name != tt.check || !strings.Contains(f.Detail, tt.detail) {
				t.Errorf("failed check %q: %s\nwant %q containing %q", f.Name, f.Detail, tt.check, tt.detail)
			}
		})
	}
	t.Run("untouched copy passes", func(t *testing.T) {
		rep := verifyBytes(t, testbundle.WriteEntries(t, cloneEntries(entries)), verify.Options{Trust: c.fx.Roots})
		if rep.Result != verify.Passed {
			t.Fatalf("result %s: %+v", rep.Result, rep.Checks)
		}
	})
	// A hash chain cannot show that its newest links were cut off: the
	// shorter log is a valid log. docs/custody-log.md says so; the
	// defence is the copy each recipient keeps.
	t.Run("last event removed is a shorter valid log", func(t *testing.T) {
		rep := verifyBytes(t, testbundle.WriteEntries(t, without(cloneEntries(entries), "META-INF/custody/0004.")), verify.Options{Trust: c.fx.Roots})
		if rep.Result != verify.Passed || len(rep.Custody) != 3 {
			t.Fatalf("result %s, %d events", rep.Result, len(rep.Custody))
		}
	})
}

func cloneEntries(es []testbundle.Entry) []testbundle.Entry {
	out := make([]testbundle.Entry, len(es))
	copy(out, es)
	return out
}

func without(es []testbundle.Entry, prefix string) []testbundle.Entry {
	var out []testbundle.Entry
	for _, e := range es {
		if !strings.HasPrefix(e.Name, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// resign replaces event seq by an edited copy signed with a's key, with a
// valid link to the event before it: what a forger can do without the
// other actors' keys.
func resign(t *testing.T, es []testbundle.Entry, seq int, a *actor, edit func(*custodylog.Event)) []testbundle.Entry {
	t.Helper()
	e, err := custodylog.Parse(es[testbundle.Find(es, custodylog.EntryName(seq, "json"))].Data)
	if err != nil {
		t.Fatal(err)
	}
	edit(e)
	rec, err := logwriter.Sign(context.Background(), *e, a.signer)
	if err != nil {
		t.Fatal(err)
	}
	es = without(es, custodylog.EntryName(seq, ""))
	for _, f := range rec.Files() {
		es = append(es, testbundle.Entry{Name: f.Name, Data: f.Data})
	}
	return es
}

// An event that claims a time before the proven time of the event before
// it is flagged INDETERMINATE: it is intact, but its time is contradicted.
func TestCustodyLogBackdated(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	expert := newActor(t, "Dra. Vidal", "expert", "ed25519", fx.Timestamp)
	expert.append(t, path, custodylog.Received, "", time.Now())
	expert.append(t, path, custodylog.Reviewed, "", time.Now().Add(-time.Hour))
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	c := findCheck(rep, "custody 3 time")
	if rep.Result != verify.Indeterminate || c == nil || c.Status != verify.Indeterminate || !strings.Contains(c.Detail, "earlier than the proven time") {
		t.Fatalf("result %s, check %+v", rep.Result, c)
	}
	// Without trust anchors no time is proven, so no proof contradicts the
	// claim; event 2's claim does (the bundle is INDETERMINATE for its own
	// timestamp anyway).
	rep, _ = verify.BundleFile(path, verify.Options{})
	if c := findCheck(rep, "custody 3 time"); c == nil || strings.Contains(c.Detail, "proven") || !strings.Contains(c.Detail, "earlier than event 2 claims") {
		t.Errorf("without anchors: %+v", c)
	}
	// An event dated before the manifest's own timestamp is flagged too.
	path2 := fx.Export(t, testbundle.Sample(), custody.Selection{})
	expert.append(t, path2, custodylog.Received, "", time.Now().Add(-time.Hour))
	rep, _ = verify.BundleFile(path2, verify.Options{Trust: fx.Roots})
	if c := findCheck(rep, "custody 2 time"); c == nil || rep.Result != verify.Indeterminate {
		t.Errorf("event before the seal not flagged: %s %+v", rep.Result, rep.Checks)
	}
}

// TestCustodyLogTimeRules (issue 13, item 4): claimed times that run
// backwards against the chain, or lie after a time at which a token
// proves the event already existed, are INDETERMINATE; an honest log is
// not.
func TestCustodyLogTimeRules(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	now := time.Now()
	stamped := newActor(t, "Dra. Vidal", "expert", "ed25519", fx.Timestamp)
	unstamped := newActor(t, "Mensajería Ruiz", "courier", "ed25519", nil)
	tests := []struct {
		name   string
		events func(path string)
		check  string // "" for none
		detail string
	}{
		{"honest, a few minutes apart", func(path string) {
			unstamped.append(t, path, custodylog.Transferred, "", now.Add(time.Minute))
			stamped.append(t, path, custodylog.Received, "", now.Add(2*time.Minute))
		}, "", ""},
		{"claims running backwards, no proof between them", func(path string) {
			unstamped.append(t, path, custodylog.Transferred, "", now.Add(3*time.Hour))
			unstamped.append(t, path, custodylog.Returned, "", now.Add(time.Hour))
		}, "custody 3 time", "earlier than event 2 claims"},
		{"a claim after its own token", func(path string) {
			stamped.append(t, path, custodylog.Received, "", now.Add(time.Hour))
		}, "custody 2 time", "when the timestamp of event 2 proves it already existed"},
		{"a claim after a later event's token", func(path string) {
			unstamped.append(t, path, custodylog.Transferred, "", now.Add(time.Hour))
			stamped.append(t, path, custodylog.Received, "", now.Add(2*time.Hour))
		}, "custody 2 time", "when the timestamp of event 3 proves it already existed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fx.Export(t, testbundle.Sample(), custody.Selection{})
			tt.events(path)
			rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
			if err != nil {
				t.Fatal(err)
			}
			if tt.check == "" {
				if rep.Result != verify.Passed {
					t.Fatalf("%s: %+v", rep.Result, rep.Checks)
				}
				return
			}
			c := findCheck(rep, tt.check)
			if rep.Result != verify.Indeterminate || c == nil || c.Status != verify.Indeterminate || c.SubIndication() != verify.TimestampOrderFailure || !strings.Contains(c.Detail, tt.detail) {
				t.Fatalf("%s, %s: %+v", rep.Result, tt.check, c)
			}
		})
	}
}

// A bundle written before the custody log existed still verifies: its
// manifest has no custody_log member, and the log is optional for it. The
// v1 vector, sealed before the member existed, stands for such a bundle.
func TestCustodyLogAbsent(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "testdata", "vectors", "v1")
	roots, err := verify.ParseCertificates(mustReadFile(t, filepath.Join(dir, "tsa-root.pem")))
	if err != nil {
		t.Fatal(err)
	}
	opts := verify.Options{Trust: roots}
	entries := testbundle.ReadEntries(t, filepath.Join(dir, "sample.custody"))
	if testbundle.Manifest(t, entries).CustodyLog {
		t.Fatal("the v1 vector declares custody_log: it no longer stands for an old bundle")
	}
	entries = without(entries, manifest.CustodyDir)
	rep := verifyBytes(t, testbundle.WriteEntries(t, entries), opts)
	if rep.Result != verify.Passed || len(rep.Custody) != 0 {
		t.Fatalf("result %s, %d events: %+v", rep.Result, len(rep.Custody), rep.Checks)
	}
	if c := findCheck(rep, "custody log"); c == nil || c.Status != verify.Info || !strings.Contains(c.Detail, "no custody log") {
		t.Errorf("custody log check: %+v", c)
	}
	// And appending to it starts the log at 1, with any actor.
	path := filepath.Join(t.TempDir(), "old.custody")
	if err := os.WriteFile(path, testbundle.WriteEntries(t, entries), 0o644); err != nil {
		t.Fatal(err)
	}
	newActor(t, "Dra. Vidal", "expert", "ed25519", nil).append(t, path, custodylog.Received, "", time.Now())
	rep, _ = verify.BundleFile(path, opts)
	if rep.Result != verify.Passed || len(rep.Custody) != 1 || rep.Custody[0].Action != custodylog.Received {
		t.Fatalf("result %s, timeline %+v", rep.Result, rep.Custody)
	}
}

// A bundle sealed with a log (every export since custody_log exists) says
// so in its signed manifest: the log, outside the seal, cannot be removed
// whole, nor removed and started again, without the bundle failing.
func TestCustodyLogRemoved(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	entries := testbundle.ReadEntries(t, path)
	if !testbundle.Manifest(t, entries).CustodyLog {
		t.Fatal("the export does not declare custody_log")
	}
	opts := verify.Options{Trust: fx.Roots}
	if rep := verifyBytes(t, testbundle.WriteEntries(t, entries), opts); rep.Result != verify.Passed {
		t.Fatalf("the untouched export: %s %+v", rep.Result, rep.Checks)
	}
	noLog := without(cloneEntries(entries), manifest.CustodyDir)
	if len(noLog) == len(entries) {
		t.Fatal("the export wrote no custody log")
	}
	rep := verifyBytes(t, testbundle.WriteEntries(t, noLog), opts)
	f := failedCheck(rep)
	if rep.Result != verify.Failed || f == nil || f.Name != "custody log" ||
		!strings.Contains(f.Detail, "removed") || !strings.Contains(f.Detail, "custody_log") {
		t.Fatalf("log dropped: result %s, failed check %+v", rep.Result, f)
	}
	if len(rep.Custody) != 0 {
		t.Errorf("timeline of a removed log: %+v", rep.Custody)
	}

	// Removed, then started again by custody log append with another key,
	// or with an event that claims to be the seal: still FAILED.
	expert := newActor(t, "Dra. Vidal", "expert", "ed25519", nil)
	for _, action := range []string{custodylog.Received, custodylog.Sealed} {
		restarted := filepath.Join(t.TempDir(), "restarted.custody")
		if err := os.WriteFile(restarted, testbundle.WriteEntries(t, noLog), 0o644); err != nil {
			t.Fatal(err)
		}
		expert.append(t, restarted, action, "", time.Now())
		rep, err := verify.BundleFile(restarted, opts)
		if err != nil {
			t.Fatal(err)
		}
		f := failedCheck(rep)
		if rep.Result != verify.Failed || f == nil || f.Name != "custody 1" || !strings.Contains(f.Detail, "custody_log") {
			t.Errorf("log restarted with %q: result %s, failed check %+v", action, rep.Result, f)
		}
	}

	// Cutting the tail, down to event 1, stays possible (docs/custody-log.md,
	// Limits): the exporter's event 1 alone is a valid log.
	expert.append(t, path, custodylog.Received, "", time.Now())
	cut := without(testbundle.ReadEntries(t, path), custodylog.EntryName(2, ""))
	if rep := verifyBytes(t, testbundle.WriteEntries(t, cut), opts); rep.Result != verify.Passed || len(rep.Custody) != 1 {
		t.Errorf("log cut to event 1: result %s, %d events", rep.Result, len(rep.Custody))
	}
}

func TestParseActors(t *testing.T) {
	t.Parallel()
	fp := strings.Repeat("ab", 32)
	got, err := verify.ParseActors([]byte("# college list\n\n" + strings.ToUpper(fp) + "\tDra. Vidal, perito\r\n"))
	if err != nil || len(got) != 1 || got[fp] != "Dra. Vidal, perito" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []struct{ in, want string }{
		{fp + " Dra. Vidal\n", "line 1: want FINGERPRINT<TAB>NAME"},
		{"# x\nabc\tDra. Vidal\n", "line 2: \"abc\" is not a SHA-256"},
		{fp + "\tA\n" + fp + "\tB\n", "line 2: fingerprint " + fp + " is listed twice"},
		{fp + "\t \n", "line 1: want"},
	} {
		if _, err := verify.ParseActors([]byte(bad.in)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.in, err, bad.want)
		}
	}
}

func FuzzParseActors(f *testing.F) {
	f.Add([]byte("# c\n" + strings.Repeat("0", 64) + "\tName\n"))
	f.Add([]byte("\t\n\r\n#"))
	f.Fuzz(func(t *testing.T, data []byte) {
		actors, err := verify.ParseActors(data)
		if err != nil {
			return
		}
		for fp, name := range actors {
			if _, ok := manifest.ParseDigest(fp); !ok || name == "" {
				t.Fatalf("accepted %q -> %q", fp, name)
			}
		}
	})
}

// custodyByHandScript is the sh block of docs/custody-log.md: the test runs
// the documentation itself.
func custodyByHandScript(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "custody-log.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("no sh block in docs/custody-log.md")
	}
	return string(m[1])
}

func runCustodyByHand(t *testing.T, bundle, root string, n int) (string, error) {
	cmd := exec.Command("bash", "-c", custodyByHandScript(t))
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "BUNDLE="+bundle, "ROOT="+root, fmt.Sprintf("N=%d", n))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestCustodyLogByHand(t *testing.T) {
	t.Parallel()
	requireTools(t, "bash", "unzip", "jq", "sha256sum", "openssl", "cmp")
	c := newCustodyCase(t)
	wantActions := []string{"sealed by", "transferred by Mensajería Ruiz (courier)", "received by Dra. Vidal (expert)", "attached-to-record by Colegio de Médicos (college)"}
	for i, want := range wantActions {
		out, err := runCustodyByHand(t, c.path, c.fx.RootPEM, i+1)
		if err != nil {
			t.Fatalf("event %d: the documented commands failed on a valid log: %v\n%s", i+1, err, out)
		}
		if !strings.Contains(out, fmt.Sprintf("event %d: %s", i+1, want)) {
			t.Errorf("event %d: output lacks %q:\n%s", i+1, want, out)
		}
		if i > 0 && !strings.Contains(out, "Verification: OK") {
			t.Errorf("event %d: the token was not verified:\n%s", i+1, out)
		}
	}
	entries := testbundle.ReadEntries(t, c.path)
	other := testbundle.ReadEntries(t, newCustodyCase(t).path)
	forger := newActor(t, "Dra. Vidal", "expert", "ed25519", nil)
	for _, tt := range []struct {
		name string
		n    int
		edit func([]testbundle.Entry) []testbundle.Entry
	}{
		{"note edited", 3, func(es []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(es, custodylog.EntryName(3, "json"))
			es[i].Data = bytes.Replace(es[i].Data, []byte("2026/113"), []byte("2026/114"), 1)
			return es
		}},
		{"re-signed by a forger", 4, func(es []testbundle.Entry) []testbundle.Entry {
			return resign(t, es, 3, forger, func(e *custodylog.Event) { e.Note = "Recibido en mano" })
		}},
		{"copied from another bundle", 2, func(es []testbundle.Entry) []testbundle.Entry {
			es = without(es, custodylog.EntryName(2, ""))
			for _, e := range other {
				if strings.HasPrefix(e.Name, custodylog.EntryName(2, "")) {
					es = append(es, e)
				}
			}
			return es
		}},
		{"token of another event", 3, func(es []testbundle.Entry) []testbundle.Entry {
			es[testbundle.Find(es, custodylog.EntryName(3, "tsr"))].Data = es[testbundle.Find(es, custodylog.EntryName(2, "tsr"))].Data
			return es
		}},
		{"the previous event's token removed", 3, func(es []testbundle.Entry) []testbundle.Entry {
			return without(es, custodylog.EntryName(2, "tsr"))
		}},
		{"the event's own token removed", 4, func(es []testbundle.Entry) []testbundle.Entry {
			return without(es, custodylog.EntryName(4, "tsr"))
		}},
		{"the manifest's token replaced", 1, func(es []testbundle.Entry) []testbundle.Entry {
			es[testbundle.Find(es, manifest.TokenName)].Data = other[testbundle.Find(other, manifest.TokenName)].Data
			return es
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.custody")
			os.WriteFile(bad, testbundle.WriteEntries(t, tt.edit(cloneEntries(entries))), 0o644)
			out, err := runCustodyByHand(t, bad, c.fx.RootPEM, tt.n)
			if err == nil {
				t.Fatalf("the documented commands accepted event %d:\n%s", tt.n, out)
			}
			t.Logf("rejected: %v\n%s", err, out)
		})
	}
}

// exportTwoTSAs exports the sample, without record.pdf, timestamped by
// fx's TSA then by second's: manifest.tsr and manifest.2.tsr.
func exportTwoTSAs(t testing.TB, fx, second *testbundle.Fixture) []byte {
	t.Helper()
	return exportSample(t, custody.Options{Signer: fx.Signer, Timestampers: []custody.Timestamper{fx, second}, NoRecord: true})
}

// exportSample exports the sample conversation with opts (Out is set
// here) and returns the bundle's bytes.
func exportSample(t testing.TB, opts custody.Options) []byte {
	t.Helper()
	c, err := conversation.Load(testbundle.Sample())
	if err != nil {
		t.Fatal(err)
	}
	opts.Out = filepath.Join(t.TempDir(), "case.custody")
	if _, err = custody.Export(context.Background(), c, opts); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(opts.Out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withEntry puts e in place of the entry of its name, or inserts it after
// the entry named after.
func withEntry(es []testbundle.Entry, e testbundle.Entry, after string) []testbundle.Entry {
	if i := testbundle.Find(es, e.Name); i >= 0 {
		es[i] = e
		return es
	}
	return slices.Insert(es, testbundle.Find(es, after)+1, e)
}

// The stored timestamp tokens are sealed by the signer's own signature
// (custody event 1, tokens): a token removed, added, replaced by a valid
// token of another trusted TSA, or edited, is FAILED by that signature,
// whatever the token's own checks say. A lying TSA that the verifier
// trusts cannot replace the honest tokens of the others.
func TestTokenSeal(t *testing.T) {
	t.Parallel()
	fx, second, liar := testbundle.New(t, "ed25519"), testbundle.New(t, "ecdsa-p256"), testbundle.New(t, "ed25519")
	opts := verify.Options{Trust: slices.Concat(fx.Roots, second.Roots, liar.Roots)}
	entries := testbundle.ReadEntries(t, writeTemp(t, exportTwoTSAs(t, fx, second)))
	rep := verifyBytes(t, testbundle.WriteEntries(t, entries), opts)
	if c := findCheck(rep, "token seal"); rep.Result != verify.Passed || c == nil || c.Status != verify.Passed || len(rep.Timestamps) != 2 {
		t.Fatalf("the export: %s, token seal %+v, %d timestamps", rep.Result, c, len(rep.Timestamps))
	}
	sig := entries[testbundle.Find(entries, manifest.SignatureName)].Data
	token2 := manifest.TokenEntryName(1)
	lying, err := liar.Timestamp(context.Background(), sig)
	if err != nil {
		t.Fatal(err)
	}
	another := testbundle.ReadEntries(t, writeTemp(t, exportTwoTSAs(t, fx, second)))
	tests := []struct {
		name, detail string
		edit         func([]testbundle.Entry) []testbundle.Entry
	}{
		{"manifest.2.tsr removed", token2 + " was removed", func(es []testbundle.Entry) []testbundle.Entry {
			return without(es, token2)
		}},
		{"a third token added, valid, by a trusted TSA", "manifest.3.tsr was added", func(es []testbundle.Entry) []testbundle.Entry {
			return withEntry(es, testbundle.Entry{Name: manifest.TokenEntryName(2), Data: lying}, token2)
		}},
		{"manifest.2.tsr replaced by a valid token of another trusted TSA", token2 + " is not the token the signer sealed", func(es []testbundle.Entry) []testbundle.Entry {
			return withEntry(es, testbundle.Entry{Name: token2, Data: lying}, "")
		}},
		{"manifest.tsr replaced by the same TSA's token of another export", manifest.TokenName + " is not the token", func(es []testbundle.Entry) []testbundle.Entry {
			return withEntry(es, another[testbundle.Find(another, manifest.TokenName)], "")
		}},
		{"the two tokens exchanged", manifest.TokenName + " is not the token", func(es []testbundle.Entry) []testbundle.Entry {
			i, j := testbundle.Find(es, manifest.TokenName), testbundle.Find(es, token2)
			es[i].Data, es[j].Data = es[j].Data, es[i].Data
			return es
		}},
		{"a byte of manifest.2.tsr", token2 + " is not the token", func(es []testbundle.Entry) []testbundle.Entry {
			i := testbundle.Find(es, token2)
			es[i].Data = bytes.Clone(es[i].Data)
			es[i].Data[len(es[i].Data)/2] ^= 0x10
			return es
		}},
		{"event 1 of another export by the same key", "not this seal's own event", func(es []testbundle.Entry) []testbundle.Entry {
			for _, part := range []string{custodylog.PartEvent, custodylog.PartSignature} {
				es = withEntry(es, another[testbundle.Find(another, custodylog.EntryName(1, part))], "")
			}
			return es
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := verifyBytes(t, testbundle.WriteEntries(t, tt.edit(cloneEntries(entries))), opts)
			f := failedCheck(rep)
			if rep.Result != verify.Failed || f == nil || f.Name != "token seal" || !strings.Contains(f.Detail, tt.detail) {
				t.Fatalf("result %s, failed check %+v; want token seal: %q", rep.Result, f, tt.detail)
			}
			if got, want := f.SubIndication(), sealSub(f.Detail); got != want {
				t.Errorf("sub-indication %s, want %s", got, want)
			}
		})
	}
	// Bundles sealed before the commitment existed verify as they did,
	// with no token seal to report.
	for _, v := range []string{"v1", "v2"} {
		dir := filepath.Join("..", "testdata", "vectors", v)
		roots, err := verify.ParseCertificates(mustReadFile(t, filepath.Join(dir, "tsa-root.pem")))
		if err != nil {
			t.Fatal(err)
		}
		rep := verifyBytes(t, mustReadFile(t, filepath.Join(dir, "sample.custody")), verify.Options{Trust: roots})
		if rep.Result != verify.Passed || findCheck(rep, "token seal") != nil {
			t.Errorf("vector %s: %s, token seal %+v", v, rep.Result, findCheck(rep, "token seal"))
		}
	}
}

func writeTemp(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "case.custody")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Each event commits to its own token (timestamped) and to the previous
// event's signature and token (prev_sig, prev_token): a token removed,
// added or replaced is FAILED by an actor's signature, and a token that no
// signature pins yet (the last event's) never leaves a damaged token
// PASSED.
func TestCustodyEventTokens(t *testing.T) {
	t.Parallel()
	c := newCustodyCase(t)
	entries := testbundle.ReadEntries(t, c.path)
	liar := testbundle.New(t, "ed25519")
	opts := verify.Options{Trust: slices.Concat(c.fx.Roots, liar.Roots)}
	name := custodylog.EntryName
	lying, err := liar.Timestamp(context.Background(), entries[testbundle.Find(entries, name(2, "sig"))].Data)
	if err != nil {
		t.Fatal(err)
	}
	flipped := func(es []testbundle.Entry, seq int) []testbundle.Entry {
		i := testbundle.Find(es, name(seq, "tsr"))
		es[i].Data = bytes.Clone(es[i].Data)
		es[i].Data[len(es[i].Data)/2] ^= 0x04
		return es
	}
	tests := []struct {
		name          string
		edit          func([]testbundle.Entry) []testbundle.Entry
		check, detail string // the failed check, or "" for INDETERMINATE
	}{
		{"a middle event's token removed", func(es []testbundle.Entry) []testbundle.Entry {
			return without(es, name(3, "tsr"))
		}, "custody 3", "signed as timestamped, but " + name(3, "tsr") + " is missing"},
		{"the last event's token removed", func(es []testbundle.Entry) []testbundle.Entry {
			return without(es, name(4, "tsr"))
		}, "custody 4", "is missing: removed"},
		{"a token added to the sealed event 1", func(es []testbundle.Entry) []testbundle.Entry {
			return withEntry(es, testbundle.Entry{Name: name(1, "tsr"), Data: lying}, name(1, "pem"))
		}, "custody 1", name(1, "tsr") + " was added"},
		{"a token replaced by a valid one of another trusted TSA", func(es []testbundle.Entry) []testbundle.Entry {
			return withEntry(es, testbundle.Entry{Name: name(2, "tsr"), Data: lying}, "")
		}, "custody 3", name(2, "tsr") + " is not the token this event's signer sealed"},
		{"a middle event's token damaged", func(es []testbundle.Entry) []testbundle.Entry {
			return flipped(es, 2)
		}, "custody 3", name(2, "tsr") + " is not the token"},
		{"the last event's token damaged", func(es []testbundle.Entry) []testbundle.Entry {
			return flipped(es, 4)
		}, "", "custody 4 timestamp"},
		{"the last event's token from another event", func(es []testbundle.Entry) []testbundle.Entry {
			return withEntry(es, testbundle.Entry{Name: name(4, "tsr"), Data: es[testbundle.Find(es, name(3, "tsr"))].Data}, "")
		}, "", "custody 4 timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := verifyBytes(t, testbundle.WriteEntries(t, tt.edit(cloneEntries(entries))), opts)
			if tt.check == "" {
				if c := findCheck(rep, tt.detail); rep.Result != verify.Indeterminate || c == nil || c.Status != verify.Indeterminate {
					t.Fatalf("result %s, check %q: %+v", rep.Result, tt.detail, rep.Checks)
				}
				return
			}
			f := failedCheck(rep)
			if rep.Result != verify.Failed || f == nil || f.Name != tt.check || !strings.Contains(f.Detail, tt.detail) {
				t.Fatalf("result %s, failed check %+v; want %s: %q", rep.Result, f, tt.check, tt.detail)
			}
			if got, want := f.SubIndication(), sealSub(f.Detail); got != want {
				t.Errorf("sub-indication %s, want %s", got, want)
			}
		})
	}
}

// sealSub is the sub-indication of a commitment that does not hold: the
// token is missing, or is not the one committed to.
func sealSub(detail string) verify.SubIndication {
	switch {
	case strings.Contains(detail, "not this seal's own"):
		return verify.SigCryptoFailure
	case strings.Contains(detail, "removed"):
		return verify.SignedDataNotFound
	}
	return verify.HashFailure
}

// Removing the token that proves an event's time used to hide a backdated
// later event (the contradiction vanished with the proof): the later
// event committed to that token, so its removal is FAILED.
func TestCustodyLogBackdatedTokenRemoved(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	expert := newActor(t, "Dra. Vidal", "expert", "ed25519", fx.Timestamp)
	expert.append(t, path, custodylog.Received, "", time.Now())
	newActor(t, "Dra. Vidal", "expert", "ed25519", nil).append(t, path, custodylog.Reviewed, "", time.Now().Add(-time.Hour))
	opts := verify.Options{Trust: fx.Roots}
	if rep, _ := verify.BundleFile(path, opts); rep.Result != verify.Indeterminate || findCheck(rep, "custody 3 time") == nil {
		t.Fatalf("the backdated event is not flagged: %s %+v", rep.Result, rep.Checks)
	}
	rep := verifyBytes(t, testbundle.WriteEntries(t, without(testbundle.ReadEntries(t, path), custodylog.EntryName(2, "tsr"))), opts)
	if f := failedCheck(rep); rep.Result != verify.Failed || f == nil || f.Name != "custody 2" {
		t.Fatalf("its proof removed: %s, failed check %+v", rep.Result, f)
	}
}

// An ECDSA signature has a twin anyone can compute, (r, n−s), which
// verifies as well: an event without a token of its own has its signature
// pinned by the next event (prev_sig), and, since low_s, by itself.
func TestCustodyEventSignatureTwin(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	newActor(t, "Colegio", "college", "ecdsa-p256", nil).append(t, path, custodylog.Received, "", time.Now())
	newActor(t, "Dra. Vidal", "expert", "ed25519", nil).append(t, path, custodylog.Reviewed, "", time.Now())
	entries := testbundle.ReadEntries(t, path)
	i := testbundle.Find(entries, custodylog.EntryName(2, "sig"))
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(entries[i].Data, &sig); err != nil {
		t.Fatal(err)
	}
	sig.S.Sub(elliptic.P256().Params().N, sig.S)
	twin, err := asn1.Marshal(sig)
	if err != nil {
		t.Fatal(err)
	}
	entries[i].Data = twin
	rep := verifyBytes(t, testbundle.WriteEntries(t, entries), verify.Options{Trust: fx.Roots})
	if f := failedCheck(rep); rep.Result != verify.Failed || f == nil || f.Name != "custody 2" || !strings.Contains(f.Detail, "low_s") {
		t.Fatalf("the twin signature: %s, failed check %+v", rep.Result, f)
	}
	// Without the next event, the event's own low_s refuses it (issue 13,
	// item 7): the writer keeps the twin whose s is low.
	rep = verifyBytes(t, testbundle.WriteEntries(t, without(entries, custodylog.EntryName(3, ""))), verify.Options{Trust: fx.Roots})
	if f := failedCheck(rep); rep.Result != verify.Failed || f == nil || f.Name != "custody 2" || !strings.Contains(f.Detail, "low_s") {
		t.Fatalf("the twin alone: %s, failed check %+v", rep.Result, f)
	}
}
