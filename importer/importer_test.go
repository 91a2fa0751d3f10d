package importer

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
)

const iosFixture = "whatsapp/testdata/ios-mdy-12h-nnbsp.txt"

// importTo imports src into a fresh folder and loads the result.
func importTo(t *testing.T, src string, opts Options) (*conversation.Conversation, []string) {
	t.Helper()
	var warnings []string
	opts.Warn = func(w string) { warnings = append(warnings, w) }
	if opts.TimeZone == "" {
		opts.TimeZone = "UTC"
	}
	if opts.DefaultRole == "" && opts.Name == "" && len(opts.Clinicians) == 0 && opts.RolesFile == "" {
		opts.DefaultRole = "patient" // these tests are not about roles
	}
	out := filepath.Join(t.TempDir(), "case")
	if err := Import(src, out, opts); err != nil {
		t.Fatalf("import %s: %v", src, err)
	}
	c, err := conversation.Load(out)
	if err != nil {
		t.Fatalf("load %s: %v", out, err)
	}
	return c, warnings
}

func writeZip(t *testing.T, path string, entries map[string][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(entries[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestWhatsAppZip(t *testing.T) {
	chat, err := os.ReadFile(iosFixture)
	if err != nil {
		t.Fatal(err)
	}
	photo := []byte("\xff\xd8\xff synthetic photo \xff\xd9")
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "WhatsApp Chat - Consulta Ferrer.zip")
	writeZip(t, zipPath, map[string][]byte{
		"_chat.txt":                              chat,
		"00000012-PHOTO-2024-03-05-20-03-39.jpg": photo,
		"__MACOSX/._chat.txt":                    []byte("\x00\x05\x16\x07 AppleDouble"),
		"../escape.jpg":                          []byte("must not be written"),
	})
	c, warnings := importTo(t, zipPath, Options{})
	if c.Title != "Consulta Ferrer" || !strings.HasPrefix(c.ID, "whatsapp-") || c.TimeZone != "UTC" {
		t.Errorf("title %q id %q zone %q", c.Title, c.ID, c.TimeZone)
	}
	att := c.Messages[4].Attachments
	if len(att) != 1 || att[0].Path != "media/00000012-PHOTO-2024-03-05-20-03-39.jpg" || att[0].Type != "image/jpeg" {
		t.Fatalf("linked attachment %+v", att)
	}
	if got, _ := os.ReadFile(c.FilePath(att[0].Path)); !bytes.Equal(got, photo) {
		t.Error("media copied wrongly")
	}
	last := c.Messages[len(c.Messages)-1].Attachments
	if len(last) != 1 || !last[0].Missing || last[0].Name != "00000013-informe.pdf" {
		t.Errorf("missing attachment %+v", last)
	}
	if omitted := c.Messages[5].Attachments; len(omitted) != 1 || !omitted[0].Missing || omitted[0].Type != "image/*" {
		t.Errorf("image omitted %+v", omitted)
	}
	if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "../escape.jpg") }) {
		t.Errorf("traversal entry not reported: %q", warnings)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(c.Dir), "escape.jpg")); err == nil {
		t.Error("a zip entry escaped the output folder")
	}
	// The source is the zip's _chat.txt byte for byte, as unzip extracts it.
	src, err := os.ReadFile(c.FilePath("sources/_chat.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := chat
	if unzip, err := exec.LookPath("unzip"); err == nil {
		if want, err = exec.Command(unzip, "-p", zipPath, "_chat.txt").Output(); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(src, want) {
		t.Error("sources/_chat.txt differs from the zip's _chat.txt")
	}
	if len(c.Sources) != 1 || c.Sources[0] != (conversation.Source{Path: "sources/_chat.txt", Type: "whatsapp-txt"}) {
		t.Errorf("sources %+v", c.Sources)
	}
	checkOrigins(t, c)
	system := 0
	for _, m := range c.Messages {
		if m.From == SystemID {
			system++
		}
	}
	if system != 4 || c.Participants[0] != (conversation.Participant{ID: "system", Role: "system"}) {
		t.Errorf("system messages %d, participants %+v", system, c.Participants)
	}
}

// checkOrigins holds each message against the lines its Origin names.
func checkOrigins(t *testing.T, c *conversation.Conversation) {
	t.Helper()
	sources := map[string][]string{}
	types := map[string]string{}
	for _, s := range c.Sources {
		types[s.Path] = s.Type
		data, err := os.ReadFile(c.FilePath(s.Path))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "\r\n", "\n")
		sources[s.Path] = strings.Split(text, "\n")
	}
	for i, m := range c.Messages {
		o := m.Origin
		lines, ok := sources[o.Source]
		if !ok || o.FirstLine < 1 || o.LastLine < o.FirstLine || o.LastLine > len(lines) {
			t.Fatalf("message %s: origin %+v outside its source", m.ID, o)
		}
		if m.ID != "m"+strconv.Itoa(i+1) {
			t.Fatalf("message #%d has id %s", i+1, m.ID)
		}
		held := strings.Join(lines[o.FirstLine-1:o.LastLine], "\n")
		// WhatsApp text is the lines' own; Telegram's is assembled from JSON.
		if types[o.Source] == "whatsapp-txt" && !strings.Contains(held, m.Text) {
			t.Fatalf("message %s: text %q not in lines %d-%d", m.ID, m.Text, o.FirstLine, o.LastLine)
		}
		if o.SourceID != "" && !regexp.MustCompile(`"id": ?`+regexp.QuoteMeta(o.SourceID)+`\b`).MatchString(held) {
			t.Fatalf("message %s: Telegram id %s not in lines %d-%d", m.ID, o.SourceID, o.FirstLine, o.LastLine)
		}
	}
}

func TestTelegramFolder(t *testing.T) {
	c, warnings := importTo(t, "testdata/tg-export", Options{TimeZone: "Europe/Madrid", Clinicians: []string{"Dra. Lucía Ferrer"}})
	if len(c.Messages) != 6 || c.Title != "Marta Solé" {
		t.Fatalf("%d messages, title %q", len(c.Messages), c.Title)
	}
	photo := c.Messages[2].Attachments
	if len(photo) != 1 || photo[0].Path != "media/photos/photo_1@05-03-2024_19-02-30.jpg" {
		t.Fatalf("photo %+v", photo)
	}
	orig, _ := os.ReadFile("testdata/tg-export/photos/photo_1@05-03-2024_19-02-30.jpg")
	if got, _ := os.ReadFile(c.FilePath(photo[0].Path)); !bytes.Equal(got, orig) {
		t.Error("photo copied wrongly")
	}
	if pdf := c.Messages[3].Attachments; len(pdf) != 1 || !pdf[0].Missing || pdf[0].Name != "informe.pdf" {
		t.Errorf("not downloaded %+v", pdf)
	}
	if c.Messages[4].ReplyTo != "m2" || c.Messages[4].Origin.SourceID != "105" {
		t.Errorf("reply %q origin %+v", c.Messages[4].ReplyTo, c.Messages[4].Origin)
	}
	if c.Messages[0].From != SystemID {
		t.Errorf("service message from %q", c.Messages[0].From)
	}
	// 1709661720 is 2024-03-05T18:02:00Z, 19:02 in Madrid (+01:00 in March).
	if c.Messages[1].Time != "2024-03-05T19:02:00+01:00" {
		t.Errorf("time %s", c.Messages[1].Time)
	}
	roles := map[string]string{}
	for _, p := range c.Participants {
		roles[p.Name] = p.Role
	}
	if roles["Dra. Lucía Ferrer"] != "clinician" || roles["Marta Solé"] != "patient" {
		t.Errorf("roles %v", roles)
	}
	if len(warnings) != 1 {
		t.Errorf("warnings %q", warnings)
	}
	src, _ := os.ReadFile(c.FilePath("sources/result.json"))
	orig, _ = os.ReadFile("testdata/tg-export/result.json")
	if !bytes.Equal(src, orig) {
		t.Error("sources/result.json differs from the original")
	}
}

func TestTelegramFullAccount(t *testing.T) {
	_, _, err := Open("telegram/testdata/full-account.json", Options{TimeZone: "UTC"})
	if err == nil || !strings.Contains(err.Error(), "--chat") {
		t.Fatalf("no --chat: %v", err)
	}
	c, _ := importTo(t, "telegram/testdata/full-account.json", Options{Chat: "4400112233"})
	if len(c.Sources) != 1 || c.Sources[0].Path != "sources/telegram-chat-4400112233.json" {
		t.Fatalf("sources %+v", c.Sources)
	}
	extract, _ := os.ReadFile(c.FilePath(c.Sources[0].Path))
	full, _ := os.ReadFile("telegram/testdata/full-account.json")
	if !bytes.Contains(full, extract) || bytes.Contains(extract, []byte("Jorge")) {
		t.Error("the source extract is not the chat's own bytes")
	}
}

func hmacOpenSSL(t *testing.T, key, msg string) string {
	t.Helper()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	cmd := exec.Command(openssl, "dgst", "-sha256", "-hmac", key)
	cmd.Stdin = strings.NewReader(msg)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`[0-9a-f]{64}`).Find(out)
	if m == nil {
		t.Fatalf("openssl output %q", out)
	}
	return string(m)
}

func TestPseudonymize(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("practice-secret-0123456789\n"), 0o600)
	opts := Options{Pseudonymize: true, SecretFile: secret, Clinicians: []string{"Dra. Lucía Ferrer"}}
	c, _ := importTo(t, "testdata/names-only-in-headers.txt", opts)
	data, err := os.ReadFile(filepath.Join(c.Dir, "conversation.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Lucía", "Ferrer", "Tomás", "Ibarra", "Marta", "Solé"} {
		if bytes.Contains(data, []byte(name)) {
			t.Errorf("name %q in the pseudonymised conversation", name)
		}
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "sources")); err == nil || len(c.Sources) != 0 {
		t.Error("sources (full of names) written with pseudonymize")
	}
	// The id is HMAC-SHA-256(secret, normalised name), as openssl computes it.
	want := map[string]string{
		"p-" + hmacOpenSSL(t, "practice-secret-0123456789", "dra. lucía ferrer")[:12]: "clinician",
		"p-" + hmacOpenSSL(t, "practice-secret-0123456789", "tomás ibarra")[:12]:      "patient",
		"p-" + hmacOpenSSL(t, "practice-secret-0123456789", "marta solé")[:12]:        "patient",
	}
	for _, p := range c.Participants {
		if want[p.ID] != p.Role || p.Name != "" {
			t.Errorf("participant %+v, want one of %v", p, want)
		}
	}
	if len(c.Participants) != 3 {
		t.Errorf("participants %+v", c.Participants)
	}
	// Stable across exports with the same secret, different with another.
	again, _ := importTo(t, "testdata/names-only-in-headers.txt", opts)
	if again.Messages[1].From != c.Messages[1].From {
		t.Error("pseudonym not stable")
	}
	os.WriteFile(secret, []byte("another-secret-0123456789"), 0o600)
	other, _ := importTo(t, "testdata/names-only-in-headers.txt", opts)
	if other.Messages[1].From == c.Messages[1].From {
		t.Error("pseudonym does not depend on the secret")
	}
	os.WriteFile(secret, []byte("short"), 0o600)
	if err := Import("testdata/names-only-in-headers.txt", filepath.Join(dir, "x"), opts); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
}

func TestRoles(t *testing.T) {
	dir := t.TempDir()
	roles := filepath.Join(dir, "roles.tsv")
	os.WriteFile(roles, []byte("# name<TAB>role\nTomás Ibarra\tcolleague\n"), 0o600)
	c, _ := importTo(t, "testdata/names-only-in-headers.txt", Options{
		Clinicians: []string{"dra. lucía  ferrer"}, RolesFile: roles, DefaultRole: "lab",
	})
	got := map[string]string{}
	for _, p := range c.Participants {
		got[p.ID] = p.Role
	}
	want := map[string]string{"dra-lucia-ferrer": "clinician", "tomas-ibarra": "colleague", "marta-sole": "lab"}
	if len(got) != len(want) {
		t.Errorf("roles %v, want %v", got, want)
	}
	for id, r := range want {
		if got[id] != r {
			t.Errorf("%s: role %q, want %q", id, got[id], r)
		}
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Clinicians: []string{"Dr. Nobody"}}, "no participant has that name"},
		{Options{DefaultRole: "doctor"}, "role \"doctor\""},
		{Options{RolesFile: roles + ".missing"}, "roles file"},
	} {
		tc.opts.TimeZone = "UTC"
		err := Import("testdata/names-only-in-headers.txt", filepath.Join(dir, "out"), tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.opts, err, tc.want)
		}
	}
	os.WriteFile(roles, []byte("Tomás Ibarra\tdoctor\n"), 0o600)
	err := Import("testdata/names-only-in-headers.txt", filepath.Join(dir, "out"), Options{RolesFile: roles, TimeZone: "UTC"})
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad role in file: %v", err)
	}
}

// TestRolesNeverGuessed: a role is sealed for ever, so an import refuses
// to guess one, and --name makes the sealing clinician a clinician.
func TestRolesNeverGuessed(t *testing.T) {
	const chat = "testdata/names-only-in-headers.txt"
	roleOf := func(c *conversation.Conversation, id string) string {
		for _, p := range c.Participants {
			if p.ID == id {
				return p.Role
			}
		}
		return ""
	}
	c, _ := importTo(t, chat, Options{Name: "Dra. Lucía Ferrer"})
	if r := roleOf(c, "dra-lucia-ferrer"); r != "clinician" {
		t.Errorf("--name: role %q, want clinician", r)
	}
	if r := roleOf(c, "marta-sole"); r != "patient" {
		t.Errorf("others: role %q, want patient", r)
	}
	// A --name that is not in the chat is fine when --clinician names one.
	c, _ = importTo(t, chat, Options{Name: "Dr. Sustituto", Clinicians: []string{"Dra. Lucía Ferrer"}})
	if r := roleOf(c, "dra-lucia-ferrer"); r != "clinician" {
		t.Errorf("--clinician with another --name: role %q, want clinician", r)
	}
	// A stated default role is a decision, not a guess.
	c, _ = importTo(t, chat, Options{DefaultRole: "patient"})
	if r := roleOf(c, "dra-lucia-ferrer"); r != "patient" {
		t.Errorf("--default-role patient: role %q", r)
	}
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, `the chat has 3 participants and none is named a clinician: name the clinician with --clinician NAME`},
		{Options{Name: "Dra. Lucia Ferrero"}, `--name "Dra. Lucia Ferrero" is not a participant of the chat`},
		{Options{Name: "Dr. Nadie", DefaultRole: "patient"}, `--name "Dr. Nadie" is not a participant`},
		// Named a clinician of the chat too: then a typo, as any --clinician.
		{Options{Name: "Dr. Nadie", Clinicians: []string{"Dr. Nadie", "Dra. Lucía Ferrer"}}, `role given for "dr. nadie"`},
	} {
		tc.opts.TimeZone = "UTC"
		err := Import(chat, filepath.Join(t.TempDir(), "out"), tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"Tomás Ibarra" ("tomas-ibarra")`) {
			t.Errorf("%+v: error %v, want %q and the participants", tc.opts, err, tc.want)
		}
	}
	// One person talking (and system notices) needs no clinician.
	one := filepath.Join(t.TempDir(), "one.txt")
	os.WriteFile(one, []byte("25/03/2024, 20:01 - Ana: hola\n25/03/2024, 20:02 - Ana: 13/8\n"), 0o600)
	if err := Import(one, filepath.Join(t.TempDir(), "out"), Options{TimeZone: "UTC"}); err != nil {
		t.Errorf("one participant: %v", err)
	}
}

func TestAtomicOutput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "case")
	os.Mkdir(out, 0o755)
	os.WriteFile(filepath.Join(out, "keep"), []byte("x"), 0o644)
	if err := Import(iosFixture, out, Options{TimeZone: "UTC"}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty --out: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "keep")); string(data) != "x" {
		t.Error("existing folder touched")
	}
	// A failing import leaves nothing behind, not even its temporary folder.
	failed := filepath.Join(dir, "failed")
	if err := Import("whatsapp/testdata/ambiguous.txt", failed, Options{TimeZone: "UTC"}); err == nil || !strings.Contains(err.Error(), "--date-order") {
		t.Errorf("ambiguous dates: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	// An empty folder is fine.
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if err := Import(iosFixture, empty, Options{TimeZone: "UTC", DefaultRole: "patient"}); err != nil {
		t.Errorf("empty --out: %v", err)
	}
}

func TestOpen(t *testing.T) {
	c, cleanup, err := Open("testdata/tg-export", Options{TimeZone: "UTC", DefaultRole: "patient"})
	if err != nil {
		t.Fatal(err)
	}
	tmp := c.Dir
	if _, err := os.Stat(c.FilePath("media/photos/photo_1@05-03-2024_19-02-30.jpg")); err != nil {
		t.Error(err)
	}
	if err := cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("cleanup left the temporary folder")
	}
	// A native folder, or its conversation.json, is loaded where it is.
	native, _ := importTo(t, iosFixture, Options{})
	if f, err := Detect(filepath.Join(native.Dir, "conversation.json"), ""); f != Native || err != nil {
		t.Errorf("native file detected as %q, %v", f, err)
	}
	c, cleanup, err = Open(native.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if c.Dir != native.Dir || c.Len() != len(native.Messages) {
		t.Errorf("native: dir %s, %d messages", c.Dir, c.Len())
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "notes.bin")
	os.WriteFile(junk, []byte("\x00\x01 hello"), 0o644)
	html := filepath.Join(dir, "messages.html")
	os.WriteFile(html, []byte("<html>"), 0o644)
	for _, tc := range []struct{ src, want string }{
		{iosFixture, WhatsApp},
		{"testdata/tg-export", Telegram},
		{"testdata/tg-export/result.json", Telegram},
		{"telegram/testdata/telethon-array.json", Telegram}, // refused by the parser, see below
	} {
		got, err := Detect(tc.src, "")
		if err != nil || got != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.src, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ src, want string }{
		{junk, "expected a WhatsApp export"},
		{html, "HTML export is not supported"},
		{t.TempDir(), "unrecognised folder"},
	} {
		if _, err := Detect(tc.src, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.src, err, tc.want)
		}
	}
	_, _, err := Open("telegram/testdata/telethon-array.json", Options{TimeZone: "UTC"})
	if err == nil || !strings.Contains(err.Error(), "not a Telegram Desktop export") {
		t.Errorf("Telethon array: %v", err)
	}
	if _, err := Detect(iosFixture, "signal"); err == nil {
		t.Error("unknown forced format accepted")
	}
}

func TestTimeZones(t *testing.T) {
	c, _ := importTo(t, "whatsapp/testdata/android-dmy-24h.txt", Options{TimeZone: "America/New_York"})
	if c.TimeZone != "America/New_York" {
		t.Errorf("zone %q", c.TimeZone)
	}
	// DST began in New York on 10 March 2024: 15 March is -04:00.
	if c.Messages[1].Time != "2024-03-15T09:05:00-04:00" {
		t.Errorf("time %s", c.Messages[1].Time)
	}
	if err := Import(iosFixture, filepath.Join(t.TempDir(), "x"), Options{TimeZone: "Mars/Olympus"}); err == nil {
		t.Error("unknown zone accepted")
	}
}

// Every corpus export imports into a conversation that loads, with its
// sources byte for byte (checked with sha256sum) and origins that hold.
func TestCorpusImports(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not present: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "whatsapp", "*"))
	files = append(files, filepath.Join(root, "signal", "chatminer-signal-export.txt"))
	tg, _ := filepath.Glob(filepath.Join(root, "telegram", "*.json"))
	files = append(files, tg...)
	orders := map[string]string{"cm-old-android-nbsp-in-p.m.txt": "mdy", "cm-old-ios-bracket-sec-p.m.txt": "dmy"}
	for _, f := range files {
		base := filepath.Base(f)
		if strings.Contains(base, "NOT-desktop") {
			continue
		}
		t.Run(base, func(t *testing.T) {
			c, _ := importTo(t, f, Options{DateOrder: orders[base], TimeZone: "Europe/Madrid"})
			checkOrigins(t, c)
			checkOffsets(t, c, "Europe/Madrid")
			if len(c.Sources) != 1 {
				t.Fatalf("sources %+v", c.Sources)
			}
			if strings.HasSuffix(base, ".zip") || strings.Contains(base, "full-account") {
				return // the source is an entry or an extract, checked elsewhere
			}
			if got, want := sha256sum(t, c.FilePath(c.Sources[0].Path)), sha256sum(t, f); got != want {
				t.Errorf("source %s: sha256 %s, original %s", c.Sources[0].Path, got, want)
			}
		})
	}
}

func checkOffsets(t *testing.T, c *conversation.Conversation, zone string) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Skip(err)
	}
	for _, m := range c.Messages {
		tm := m.ParsedTime()
		_, got := tm.Zone()
		_, want := tm.In(loc).Zone()
		if got != want {
			t.Fatalf("message %s: time %s has offset %d, %s had %d then", m.ID, m.Time, got, zone, want)
		}
	}
}

// sha256sum hashes with the coreutils tool when present.
func sha256sum(t *testing.T, path string) string {
	t.Helper()
	if tool, err := exec.LookPath("sha256sum"); err == nil {
		out, err := exec.Command(tool, path).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(out))[0]
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// The unzipped folder and the .txt alone find media beside the chat.
func TestWhatsAppFolderAndText(t *testing.T) {
	dir := t.TempDir()
	chat, err := os.ReadFile("whatsapp/testdata/android-dmy-24h.txt")
	if err != nil {
		t.Fatal(err)
	}
	txt := filepath.Join(dir, "WhatsApp Chat with Tomás Ibarra.txt")
	os.WriteFile(txt, chat, 0o644)
	os.WriteFile(filepath.Join(dir, "IMG-20240315-WA0001.jpg"), []byte("jpeg"), 0o644)
	for _, src := range []string{dir, txt} {
		c, _ := importTo(t, src, Options{})
		if c.Title != "Tomás Ibarra" {
			t.Errorf("%s: title %q", src, c.Title)
		}
		att := c.Messages[4].Attachments
		if len(att) != 1 || att[0].Path != "media/IMG-20240315-WA0001.jpg" {
			t.Errorf("%s: attachment %+v", src, att)
		}
		if omitted := c.Messages[3].Attachments; len(omitted) != 1 || !omitted[0].Missing {
			t.Errorf("%s: <Media omitted> %+v", src, omitted)
		}
		if c.Sources[0].Path != "sources/WhatsApp Chat with Tomás Ibarra.txt" {
			t.Errorf("%s: sources %+v", src, c.Sources)
		}
		checkOrigins(t, c)
	}
	// Two chats in one folder: the user must say which.
	os.WriteFile(filepath.Join(dir, "WhatsApp Chat with Otra.txt"), chat, 0o644)
	if err := Import(dir, filepath.Join(t.TempDir(), "x"), Options{TimeZone: "UTC"}); err == nil || !strings.Contains(err.Error(), "several .txt") {
		t.Errorf("two chats: %v", err)
	}
}

func TestZipBounds(t *testing.T) {
	dir := t.TempDir()
	noChat := filepath.Join(dir, "photos.zip")
	writeZip(t, noChat, map[string][]byte{"a.jpg": []byte("x"), "__MACOSX/._chat.txt": []byte("junk")})
	if err := Import(noChat, filepath.Join(dir, "out"), Options{TimeZone: "UTC"}); err == nil || !strings.Contains(err.Error(), "no .txt") {
		t.Errorf("zip without chat: %v", err)
	}
	notZip := filepath.Join(dir, "broken.zip")
	os.WriteFile(notZip, []byte("PK\x03\x04 truncated"), 0o644)
	if err := Import(notZip, filepath.Join(dir, "out"), Options{TimeZone: "UTC"}); err == nil || !strings.Contains(err.Error(), "not a readable zip") {
		t.Errorf("broken zip: %v", err)
	}
	entries := map[string][]byte{"_chat.txt": []byte("[01/02/2024, 10:00:00] A: x\n")}
	for i := range MaxZipEntries + 1 {
		entries[strconv.Itoa(i)+".jpg"] = nil
	}
	many := filepath.Join(dir, "many.zip")
	writeZip(t, many, entries)
	if err := Import(many, filepath.Join(dir, "out"), Options{TimeZone: "UTC"}); err == nil || !strings.Contains(err.Error(), "entries") {
		t.Errorf("too many entries: %v", err)
	}
}

// An import follows no symbolic link in its input, file or folder: a
// folder with links would otherwise seal the doctor's key file or
// /etc/passwd. It refuses, naming the entry.
func TestImportFollowsNoLink(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "doctor.key")
	if err := os.WriteFile(secret, []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"), 0o600); err != nil {
		t.Fatal(err)
	}
	copyDir := func(t *testing.T, src string) string {
		dst := filepath.Join(t.TempDir(), "in")
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	t.Run("whatsapp folder, a linked file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "WhatsApp Chat")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		chat, _ := os.ReadFile(iosFixture)
		if err := os.WriteFile(filepath.Join(dir, "_chat.txt"), chat, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(secret, filepath.Join(dir, "00000016-PHOTO-2025-11-05-14-03-24.jpg")); err != nil {
			t.Fatal(err)
		}
		err := Import(dir, filepath.Join(t.TempDir(), "case"), Options{TimeZone: "UTC"})
		if err == nil || !strings.Contains(err.Error(), "00000016-PHOTO-2025-11-05-14-03-24.jpg is a symbolic link") {
			t.Fatalf("import: %v, want a refusal naming the link", err)
		}
	})
	t.Run("telegram folder, a linked media folder", func(t *testing.T) {
		dir := copyDir(t, "testdata/tg-export")
		if err := os.RemoveAll(filepath.Join(dir, "photos")); err != nil {
			t.Fatal(err)
		}
		linked := filepath.Join(t.TempDir(), "photos")
		if err := os.Mkdir(linked, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(secret, filepath.Join(linked, "photo_1@05-03-2024_19-02-30.jpg")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(linked, filepath.Join(dir, "photos")); err != nil {
			t.Fatal(err)
		}
		err := Import(dir, filepath.Join(t.TempDir(), "case"), Options{TimeZone: "UTC"})
		if err == nil || !strings.Contains(err.Error(), "photos is a symbolic link") {
			t.Fatalf("import: %v, want a refusal naming the link", err)
		}
	})
	t.Run("telegram folder, a linked result.json", func(t *testing.T) {
		dir := copyDir(t, "testdata/tg-export")
		moved := filepath.Join(t.TempDir(), "result.json")
		if err := os.Rename(filepath.Join(dir, "result.json"), moved); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(moved, filepath.Join(dir, "result.json")); err != nil {
			t.Fatal(err)
		}
		err := Import(dir, filepath.Join(t.TempDir(), "case"), Options{Format: "telegram", TimeZone: "UTC"})
		if err == nil || !strings.Contains(err.Error(), "result.json is a symbolic link") {
			t.Fatalf("import: %v, want a refusal naming the link", err)
		}
	})
}

// A zip bomb is refused before anything is written: one entry that
// expands more than 100 times past 1 MiB, or small entries that together
// expand more than 100 times the archive.
func TestZipBomb(t *testing.T) {
	chat, err := os.ReadFile(iosFixture)
	if err != nil {
		t.Fatal(err)
	}
	for name, entries := range map[string]map[string][]byte{
		"one entry":    {"_chat.txt": chat, "00000016-PHOTO-2025-11-05-14-03-24.jpg": make([]byte, 20<<20)},
		"many entries": {"_chat.txt": chat, "a.bin": make([]byte, 1<<20), "b.bin": make([]byte, 1<<20), "c.bin": make([]byte, 1<<20)},
	} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "WhatsApp Chat.zip")
			writeZip(t, src, entries)
			out := filepath.Join(t.TempDir(), "case")
			err := Import(src, out, Options{TimeZone: "UTC"})
			if err == nil || !strings.Contains(err.Error(), "refused as a zip bomb") {
				t.Fatalf("import: %v, want a zip bomb refused", err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after the refusal", out)
			}
		})
	}
}

// TestZipBombLyingSizes: a zip whose headers declare a small photo while
// its deflated data expands to 64 MiB passes the ratio checks, which read
// the declared sizes; the copy must still stop near the declared size
// (archive/zip ends an entry there), long before the disk fills.
func TestZipBombLyingSizes(t *testing.T) {
	chat, err := os.ReadFile(iosFixture)
	if err != nil {
		t.Fatal(err)
	}
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 64 {
		fw.Write(zeros)
	}
	fw.Close()
	src := filepath.Join(t.TempDir(), "WhatsApp Chat.zip")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("_chat.txt")
	w.Write(chat)
	const declared = 4096
	w, err = zw.CreateRaw(&zip.FileHeader{Name: "00000016-PHOTO-2025-11-05-14-03-24.jpg", Method: zip.Deflate,
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: declared, CRC32: crc32.ChecksumIEEE(zeros[:declared])})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	work := t.TempDir() // the output and the importer's temporary files
	t.Setenv("TMPDIR", work)
	out := filepath.Join(work, "case")
	err = Import(src, out, Options{TimeZone: "UTC"})
	if err == nil {
		t.Fatal("imported a zip whose entry expands past its declared size")
	}
	var written int64
	filepath.Walk(work, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			written += fi.Size()
		}
		return nil
	})
	if written > 1<<20 {
		t.Errorf("%d bytes written before the refusal (%v)", written, err)
	}
}
