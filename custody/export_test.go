package custody_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/record"
	"github.com/custody-toolkit/custody/verify"
)

// copySample copies the repository's sample conversation into a fresh
// folder the test may damage.
func copySample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := testbundle.Sample()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func load(t testing.TB, in string) *conversation.Conversation {
	t.Helper()
	c, err := conversation.Load(in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func options(fx *testbundle.Fixture, out string, ts ...custody.Timestamper) custody.Options {
	if len(ts) == 0 {
		ts = []custody.Timestamper{fx}
	}
	// The fixture's chat is in Spanish; the tests read the English labels.
	return custody.Options{Out: out, Signer: fx.Signer, Timestampers: ts, Lang: "en"}
}

// listDir returns the names in dir, so a test can see stray temp files.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// requireNothingWritten: the output folder holds exactly what it held
// before, with no temporary file left behind.
func requireNothingWritten(t *testing.T, dir string, before []string) {
	t.Helper()
	if after := listDir(t, dir); !slices.Equal(after, before) {
		t.Errorf("output folder holds %q, want %q", after, before)
	}
}

func verifyFile(t *testing.T, fx *testbundle.Fixture, path string) *verify.Report {
	t.Helper()
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestExportExistingOutput(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	c := load(t, testbundle.Sample())
	dir := t.TempDir()
	out := filepath.Join(dir, "case.custody")
	previous := []byte("an earlier bundle the doctor still needs\n")
	if err := os.WriteFile(out, previous, 0o644); err != nil {
		t.Fatal(err)
	}

	_, err := custody.Export(context.Background(), c, options(fx, out))
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), out) {
		t.Fatalf("err = %v, want %s already exists", err, out)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, previous) {
		t.Fatalf("the existing file was changed: %q", got)
	}
	requireNothingWritten(t, dir, []string{"case.custody"})

	opts := options(fx, out)
	opts.Force = true
	res, err := custody.Export(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	requireNothingWritten(t, dir, []string{"case.custody"})
	if res.Path != out {
		t.Errorf("Path %q, want %q", res.Path, out)
	}
	if rep := verifyFile(t, fx, out); rep.Result != verify.Passed {
		t.Errorf("the forced bundle: %s %+v", rep.Result, rep.Checks)
	}
}

// A symlink at the output path is an existing file too: following it
// would write somewhere the user did not name.
func TestExportExistingSymlink(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	dir := t.TempDir()
	out := filepath.Join(dir, "case.custody")
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), out); err != nil {
		t.Skip(err)
	}
	_, err := custody.Export(context.Background(), load(t, testbundle.Sample()), options(fx, out))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v, want already exists", err)
	}
	requireNothingWritten(t, dir, []string{"case.custody"})
}

// An output that appears while the export runs (another export, a sync
// client) is not clobbered either: the check at the start is not enough.
func TestExportOutputAppearsMeanwhile(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	dir := t.TempDir()
	out := filepath.Join(dir, "case.custody")
	intruder := []byte("written by someone else during the export")
	ts := timestamperFunc(func(ctx context.Context, data []byte) ([]byte, error) {
		if err := os.WriteFile(out, intruder, 0o644); err != nil {
			return nil, err
		}
		return fx.Timestamp(ctx, data)
	})
	_, err := custody.Export(context.Background(), load(t, testbundle.Sample()), options(fx, out, ts))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v, want already exists", err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, intruder) {
		t.Fatalf("the other file was replaced: %d bytes", len(got))
	}
	requireNothingWritten(t, dir, []string{"case.custody"})
}

func TestExportForceOverDirectory(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	dir := t.TempDir()
	out := filepath.Join(dir, "case.custody")
	if err := os.WriteFile(filepath.Join(dir, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := options(fx, out)
	opts.Force = true
	if _, err := custody.Export(context.Background(), load(t, testbundle.Sample()), opts); err == nil {
		t.Fatal("exported over a directory")
	}
	requireNothingWritten(t, dir, []string{"case.custody", "keep"})
	if st, err := os.Stat(out); err != nil || !st.IsDir() {
		t.Errorf("the directory was replaced: %v", err)
	}
}

type timestamperFunc func(ctx context.Context, data []byte) ([]byte, error)

func (f timestamperFunc) Timestamp(ctx context.Context, data []byte) ([]byte, error) {
	return f(ctx, data)
}

var errTSADown = errors.New("tsa.example: connection refused")

func TestExportTSAFailure(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	down := timestamperFunc(func(context.Context, []byte) ([]byte, error) { return nil, errTSADown })
	garbage := timestamperFunc(func(context.Context, []byte) ([]byte, error) { return []byte("<html>502</html>"), nil })
	// Stands in for verify.VerifyToken: refuses the garbage, passes the rest.
	rejectGarbage := func(resp, sig []byte) error {
		if bytes.HasPrefix(resp, []byte("<html>")) {
			return errors.New("not a TimeStampResp")
		}
		return nil
	}

	tests := []struct {
		name  string
		ts    []custody.Timestamper
		check func(resp, sig []byte) error
		want  string
	}{
		{"only TSA down", []custody.Timestamper{down}, nil, errTSADown.Error()},
		{"second TSA down", []custody.Timestamper{fx, down}, nil, errTSADown.Error()},
		{"answer refused by CheckToken", []custody.Timestamper{garbage}, rejectGarbage, "TSA #1"},
		{"second answer refused", []custody.Timestamper{fx, garbage}, rejectGarbage, "TSA #2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := options(fx, filepath.Join(dir, "case.custody"), tt.ts...)
			opts.CheckToken = tt.check
			_, err := custody.Export(context.Background(), load(t, testbundle.Sample()), opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			requireNothingWritten(t, dir, nil)
		})
	}
}

func TestExportNoTSA(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	dir := t.TempDir()
	opts := options(fx, filepath.Join(dir, "case.custody"))
	opts.Timestampers = nil
	_, err := custody.Export(context.Background(), load(t, testbundle.Sample()), opts)
	if err == nil || !strings.Contains(err.Error(), "TSA") {
		t.Fatalf("err = %v, want no TSA", err)
	}
	requireNothingWritten(t, dir, nil)
}

// Input that goes bad between Load and Export (a file deleted or replaced
// by a folder): an error naming the message and the file, nothing written.
func TestExportBadAttachment(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	tests := []struct {
		name   string
		damage func(in string) error
	}{
		{"deleted", func(in string) error { return os.Remove(filepath.Join(in, "media", "rx-torax.png")) }},
		{"now a folder", func(in string) error {
			p := filepath.Join(in, "media", "rx-torax.png")
			if err := os.Remove(p); err != nil {
				return err
			}
			return os.Mkdir(p, 0o755)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := copySample(t)
			c := load(t, in)
			if err := tt.damage(in); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			_, err := custody.Export(context.Background(), c, options(fx, filepath.Join(dir, "case.custody")))
			if err == nil || !strings.Contains(err.Error(), `"m6"`) || !strings.Contains(err.Error(), "media/rx-torax.png") {
				t.Fatalf("err = %v, want it to name message \"m6\" and media/rx-torax.png", err)
			}
			requireNothingWritten(t, dir, nil)
		})
	}
}

func TestExportBadOutputFolder(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	c := load(t, testbundle.Sample())
	parent := t.TempDir()
	out := filepath.Join(parent, "no-such-folder", "case.custody")
	if _, err := custody.Export(context.Background(), c, options(fx, out)); err == nil {
		t.Fatal("exported into a missing folder")
	}
	requireNothingWritten(t, parent, nil)

	// A file where the folder should be.
	if err := os.WriteFile(filepath.Join(parent, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := custody.Export(context.Background(), c, options(fx, filepath.Join(parent, "file", "case.custody"))); err == nil {
		t.Fatal("exported under a regular file")
	}
	requireNothingWritten(t, parent, []string{"file"})
}

// A selection error is found before anything is written.
func TestExportSelectionErrors(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	c := load(t, testbundle.Sample())
	tests := []struct {
		sel  custody.Selection
		want []string
	}{
		{custody.Selection{Messages: "m3,m99"}, []string{"--messages", `"m99"`}},
		{custody.Selection{Messages: "m2-m99"}, []string{"--messages", `"m99"`}},
		{custody.Selection{Messages: "m5-m2"}, []string{"--messages", "m5-m2", "backwards"}},
		{custody.Selection{From: "2026-13-01"}, []string{"--from", "2026-13-01"}},
		{custody.Selection{To: "12/04/2026"}, []string{"--to", "12/04/2026"}},
		{custody.Selection{From: "2026-04-12T09:00:00"}, []string{"--from", "2026-04-12T09:00:00"}},
		{custody.Selection{Label: "no-such-label"}, []string{"label=no-such-label", "none", "7"}},
		{custody.Selection{From: "2026-04-15"}, []string{"from=2026-04-15", "none"}},
		{custody.Selection{Label: "urgente", Participant: "dr-ruiz"}, []string{"label=urgente", "participant=dr-ruiz", "none"}},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		opts := options(fx, filepath.Join(dir, "case.custody"))
		opts.Selection = tt.sel
		_, err := custody.Export(context.Background(), c, opts)
		if err == nil {
			t.Errorf("%+v: exported", tt.sel)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: err = %v, want it to contain %q", tt.sel, err, w)
			}
		}
		requireNothingWritten(t, dir, nil)
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	c := load(t, testbundle.Sample())
	ids := func(picked []int) string {
		var s []string
		for _, i := range picked {
			s = append(s, c.Messages[i].ID)
		}
		return strings.Join(s, ",")
	}
	tests := []struct {
		sel  custody.Selection
		want string
	}{
		{custody.Selection{}, "m1,m2,m3,m4,m5,m6,m7"},
		{custody.Selection{Messages: "m3,m5-m7"}, "m3,m5,m6,m7"},
		{custody.Selection{Messages: "m7,m1"}, "m1,m7"}, // conversation order, not the spec's
		{custody.Selection{Messages: " m2 , m4 "}, "m2,m4"},
		{custody.Selection{Messages: "m4-m4"}, "m4"},
		{custody.Selection{Label: "urgente"}, "m4,m5"},
		{custody.Selection{Participant: "pt-7f3a"}, "m1,m3,m4"},
		// Dates are compared with the message's own calendar date.
		{custody.Selection{From: "2026-04-13", To: "2026-04-13"}, "m4,m5"},
		// m4 is 2026-04-13T22:47:10+02:00, i.e. 20:47:10Z: instants compare as instants.
		{custody.Selection{From: "2026-04-13T20:47:10Z", To: "2026-04-13T21:00:00Z"}, "m4"},
		{custody.Selection{To: "2026-04-12T08:00:00Z"}, "m1,m2"},
		{custody.Selection{From: "2026-04-12", Label: "urgente", Participant: "dr-garcia"}, "m5"},
	}
	for _, tt := range tests {
		picked, err := custody.Select(c, tt.sel)
		if err != nil {
			t.Errorf("%+v: %v", tt.sel, err)
			continue
		}
		if got := ids(picked); got != tt.want {
			t.Errorf("%+v: selected %s, want %s", tt.sel, got, tt.want)
		}
	}
}

// Ids may contain '-' (the conversation format allows it), and ranges of
// such ids must work: "a-1-a-3" is the range from a-1 to a-3.
func TestSelectIDsWithDash(t *testing.T) {
	t.Parallel()
	c := &conversation.Conversation{Messages: []conversation.Message{
		{ID: "msg-1", Time: "2026-04-12T09:00:00Z"},
		{ID: "msg-2", Time: "2026-04-12T09:01:00Z"},
		{ID: "msg-3", Time: "2026-04-12T09:02:00Z"},
		{ID: "msg-4", Time: "2026-04-12T09:03:00Z"},
	}}
	tests := []struct{ spec, want string }{
		{"msg-2", "1"},
		{"msg-2,msg-4", "1,3"},
		{"msg-2-msg-3", "1,2"},
		{"msg-1-msg-4", "0,1,2,3"},
	}
	for _, tt := range tests {
		picked, err := custody.Select(c, custody.Selection{Messages: tt.spec})
		if err != nil {
			t.Errorf("--messages %s: %v", tt.spec, err)
			continue
		}
		var got []string
		for _, i := range picked {
			got = append(got, string(rune('0'+i)))
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("--messages %s: positions %v, want %s", tt.spec, got, tt.want)
		}
	}
	if _, err := custody.Select(c, custody.Selection{Messages: "msg-3-msg-1"}); err == nil || !strings.Contains(err.Error(), "backwards") {
		t.Errorf("--messages msg-3-msg-1: err = %v, want backwards", err)
	}
	if _, err := custody.Select(c, custody.Selection{Messages: "msg-2-msg-9"}); err == nil || !strings.Contains(err.Error(), `"msg-9"`) {
		t.Errorf("--messages msg-2-msg-9: err = %v, want it to name msg-9", err)
	}
	// "a-b-c" reads as a..b-c and as a-b..c: refused, never guessed.
	amb := &conversation.Conversation{Messages: []conversation.Message{
		{ID: "a", Time: "2026-04-12T09:00:00Z"}, {ID: "a-b", Time: "2026-04-12T09:01:00Z"},
		{ID: "b-c", Time: "2026-04-12T09:02:00Z"}, {ID: "c", Time: "2026-04-12T09:03:00Z"},
	}}
	if picked, err := custody.Select(amb, custody.Selection{Messages: "a-b-c"}); err == nil {
		t.Errorf("--messages a-b-c: selected %v from an ambiguous range", picked)
	}
}

// A selective export holds only the selected messages, records "K of N"
// and its criteria, names only the participants who wrote them, and
// verifies.
func TestExportSelection(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	c := load(t, testbundle.Sample())
	out := filepath.Join(t.TempDir(), "sel.custody")
	opts := options(fx, out)
	opts.Selection = custody.Selection{Messages: "m2-m3"}
	res, err := custody.Export(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := sealed(t, res)
	if m.Selection.Total != 7 || m.Selection.Selected != 2 || !slices.Equal(m.Selection.Criteria, []string{"messages=m2-m3"}) {
		t.Errorf("selection %+v", m.Selection)
	}
	if len(m.Messages) != 2 || m.Messages[0].ID != "m2" || m.Messages[1].ID != "m3" {
		t.Errorf("messages %+v", m.Messages)
	}
	var who []string
	for _, p := range m.Conversation.Participants {
		who = append(who, p.ID)
	}
	if !slices.Equal(who, []string{"dr-garcia", "pt-7f3a"}) {
		t.Errorf("participants %v: dr-ruiz wrote no selected message", who)
	}
	rep := verifyFile(t, fx, out)
	if rep.Result != verify.Passed || rep.Messages != 2 || rep.Total != 7 || rep.Attachments != 0 {
		t.Errorf("verify: %s, %d of %d, %d attachments: %+v", rep.Result, rep.Messages, rep.Total, rep.Attachments, rep.Checks)
	}
	// Nothing of the withheld messages is in the file.
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, withheld := range []string{"Ruiz", "dolor en el costado", "informe de alta"} {
		if bytes.Contains(data, []byte(withheld)) {
			t.Errorf("the bundle contains %q from a withheld message or participant", withheld)
		}
	}
}

// The exported attachment bytes are the input's, unchanged (stored, never
// recompressed), checked with archive/zip rather than our reader.
func TestExportAttachmentsStored(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	entries := testbundle.ReadEntries(t, path)
	for name, src := range map[string]string{
		"attachments/000001-01.jpg": "media/analitica.jpg",
		"attachments/000006-01.png": "media/rx-torax.png",
		"attachments/000007-01.pdf": "media/informe-alta.pdf",
	} {
		want, err := os.ReadFile(filepath.Join(testbundle.Sample(), src))
		if err != nil {
			t.Fatal(err)
		}
		i := testbundle.Find(entries, name)
		if i < 0 {
			t.Errorf("no entry %s", name)
			continue
		}
		if !bytes.Equal(entries[i].Data, want) {
			t.Errorf("%s differs from %s", name, src)
		}
	}
}

// The same with Info-ZIP, an implementation we did not write: `unzip -t`
// tests every entry's CRC, `zipinfo` shows every entry stored, and
// `unzip -p | sha256sum` gives each attachment's digest in the manifest.
func TestExportUnzip(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"unzip", "zipinfo", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	if out, err := exec.Command("unzip", "-tq", path).CombinedOutput(); err != nil {
		t.Fatalf("unzip -t: %v\n%s", err, out)
	}
	out, err := exec.Command("zipinfo", "-l", path).Output()
	if err != nil {
		t.Fatalf("zipinfo: %v", err)
	}
	entries := 0
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 10 || !strings.HasPrefix(f[0], "-") {
			continue // header or totals
		}
		entries++
		if method := f[6]; method != "stor" {
			t.Errorf("zipinfo: %s is %s, want stor", f[len(f)-1], method)
		}
	}
	m := testbundle.Manifest(t, testbundle.ReadEntries(t, path))
	if entries < len(m.Files)+2 {
		t.Fatalf("zipinfo lists %d entries, the manifest %d files", entries, len(m.Files))
	}
	for _, f := range m.Files {
		cmd := exec.Command("sh", "-c", `unzip -p "$1" "$2" | sha256sum`, "sh", path, f.Path)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("unzip -p %s | sha256sum: %v", f.Path, err)
		}
		if got := strings.Fields(string(out))[0]; got != f.SHA256 {
			t.Errorf("%s: sha256sum %s, manifest %s", f.Path, got, f.SHA256)
		}
	}
}

// TestRecordNamesChainHead: record.pdf is sealed inside the bundle, so it
// cannot show the manifest's digest; its footer and QR caption name the
// chain head it does show (renderer custody-pdf/2 and later), and it is re-rendered
// byte for byte by the verifier.
func TestRecordNamesChainHead(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	out := filepath.Join(t.TempDir(), "case.custody")
	res, err := custody.Export(context.Background(), load(t, testbundle.Sample()), options(fx, out))
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Manifest.Rendering; r == nil || r.Renderer != record.Renderer {
		t.Fatalf("rendering %+v", r)
	}
	if rep := verifyFile(t, fx, out); rep.Result != verify.Passed {
		t.Fatalf("%s: %+v", rep.Result, rep.Checks)
	}
	text := pdfText(t, out)
	if text == "" {
		t.Skip("pdftotext not installed")
	}
	head := res.Manifest.Chain.Head
	for _, want := range []string{"chain head " + head[:16], "QR code: export ID and hash-chain head", "custody:" + res.Manifest.ExportID + ":chain:"} {
		if !strings.Contains(text, want) {
			t.Errorf("record.pdf lacks %q", want)
		}
	}
	if strings.Contains(text, "manifest sha256") || strings.Contains(text, "export ID and manifest SHA-256") {
		t.Error("record.pdf labels the manifest digest it cannot know")
	}
}

// TestExportProgress: the export tells its hook how far each step is, for
// the CLI's progress bar, and which messages it sealed.
func TestExportProgress(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	c := load(t, testbundle.Sample())
	opts := options(fx, filepath.Join(t.TempDir(), "case.custody"))
	opts.Selection = custody.Selection{Label: "urgente"}
	last := map[string][2]int64{}
	var mu sync.Mutex // record.pdf is rendered in another goroutine
	opts.Progress = func(step string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		last[step] = [2]int64{done, total}
	}
	res, err := custody.Export(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(c.Messages))
	if last["messages"] != [2]int64{n, n} || last["record.pdf"][0] == 0 || last["timestamps"] != [2]int64{0, 1} {
		t.Errorf("progress %v, want every message, record bytes, the TSA asked", last)
	}
	if n := len(sealed(t, res).Messages); len(res.Positions) != n {
		t.Errorf("positions %v for %d sealed messages", res.Positions, n)
	}
}

// sealed is the manifest of the bundle res describes, read back from it
// (res.Manifest lacks the lists, which the export never holds), after
// checking that res gives its SHA-256, its members but the lists, and
// what it says of those.
func sealed(t *testing.T, res *custody.Result) *manifest.Manifest {
	t.Helper()
	entries := testbundle.ReadEntries(t, res.Path)
	raw := entries[testbundle.Find(entries, manifest.ManifestName)].Data
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != res.ManifestSHA256 {
		t.Fatalf("Result.ManifestSHA256 %s is not the SHA-256 of manifest.json", res.ManifestSHA256)
	}
	m := testbundle.Manifest(t, entries)
	withoutLists := func(m *manifest.Manifest) string {
		c := *m
		c.Messages, c.Withheld, c.Files = nil, nil, nil
		data, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if got, want := withoutLists(res.Manifest), withoutLists(m); got != want {
		t.Fatalf("Result.Manifest %s differs from the sealed manifest's members %s", got, want)
	}
	if res.Files != len(m.Files) || !reflect.DeepEqual(m.WithheldRanges(), res.WithheldRanges) {
		t.Fatalf("Result.Files %d, WithheldRanges %v; sealed %d, %v", res.Files, res.WithheldRanges, len(m.Files), m.WithheldRanges())
	}
	return m
}
