package whatsapp

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func parseFile(t *testing.T, path string, opts Options) *Chat {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	c, err := Parse(f, opts)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

func parseErr(t *testing.T, path string, opts Options) error {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Parse(f, opts)
	if err == nil {
		t.Fatalf("%s: parsed, want an error", path)
	}
	return err
}

// summary is what a test asserts about a chat: who said how much, system
// lines apart.
type summary struct {
	byAuthor map[string]int
	system   int
	people   []Message
}

func summarize(c *Chat) summary {
	s := summary{byAuthor: map[string]int{}}
	for _, m := range c.Messages {
		if m.System {
			s.system++
			continue
		}
		s.byAuthor[m.Author]++
		s.people = append(s.people, m)
	}
	return s
}

func wantTime(t *testing.T, what string, got time.Time, want string) {
	t.Helper()
	w, err := time.Parse(time.RFC3339, want)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(w) {
		t.Errorf("%s: time %s, want %s", what, got.Format(time.RFC3339), want)
	}
}

func TestAndroidDMY(t *testing.T) {
	c := parseFile(t, "testdata/android-dmy-24h.txt", Options{Location: mustZone(t, "Europe/Madrid")})
	if c.DateOrder != DMY {
		t.Errorf("date order %q, want dmy", c.DateOrder)
	}
	s := summarize(c)
	if s.system != 2 || s.byAuthor["Dra. Lucía Ferrer"] != 2 || s.byAuthor["Tomás Ibarra"] != 4 || len(s.byAuthor) != 2 {
		t.Errorf("system %d, authors %v", s.system, s.byAuthor)
	}
	m := c.Messages[2]
	if m.Text != "Mejor, gracias.\nYa no tengo fiebre.\n\nSolo algo de cansancio." || m.FirstLine != 3 || m.LastLine != 6 {
		t.Errorf("multi-line message: %q lines %d-%d", m.Text, m.FirstLine, m.LastLine)
	}
	// 15 March 2024 is winter time in Madrid (+01:00).
	wantTime(t, "m2", c.Messages[1].Time, "2024-03-15T09:05:00+01:00")
	if _, off := c.Messages[1].Time.Zone(); off != 3600 {
		t.Errorf("offset %d, want 3600", off)
	}
	if got := c.Messages[3].Media; len(got) != 1 || got[0].Name != "" {
		t.Errorf("<Media omitted>: media %+v", got)
	}
	if got := c.Messages[4].Media; len(got) != 1 || got[0].Name != "IMG-20240315-WA0001.jpg" {
		t.Errorf("file attached: media %+v", got)
	}
	if !slices.Contains(c.Messages[5].Flags, "deleted") || !slices.Contains(c.Messages[6].Flags, "edited") {
		t.Errorf("flags %v / %v", c.Messages[5].Flags, c.Messages[6].Flags)
	}
	if !strings.HasSuffix(c.Messages[6].Text, "<This message was edited>") {
		t.Errorf("edited marker removed from text: %q", c.Messages[6].Text)
	}
	if last := c.Messages[7]; !last.System || last.Author != "" {
		t.Errorf("phone-number change: %+v", last)
	}
}

func TestIOSInvisibleMarks(t *testing.T) {
	c := parseFile(t, "testdata/ios-mdy-12h-nnbsp.txt", Options{})
	s := summarize(c)
	// The E2E notice and "added" carry the chat's name as sender, "created
	// this group" the actor's: all three are system lines; so is the
	// security-code notice.
	if s.system != 4 {
		t.Errorf("system lines %d, want 4", s.system)
	}
	if _, ok := s.byAuthor["Consulta Ferrer"]; ok {
		t.Errorf("the chat's name became a participant: %v", s.byAuthor)
	}
	if s.byAuthor["Marta Solé"] != 4 || s.byAuthor["Lucía Ferrer"] != 3 {
		t.Errorf("authors %v", s.byAuthor)
	}
	att := c.Messages[4]
	if len(att.Media) != 1 || att.Media[0].Name != "00000012-PHOTO-2024-03-05-20-03-39.jpg" {
		t.Errorf("attached: %+v", att.Media)
	}
	if !strings.HasPrefix(att.Text, "\u200e<attached:") {
		t.Errorf("invisible mark not kept in text: %q", att.Text)
	}
	if om := c.Messages[5].Media; len(om) != 1 || om[0].Kind != "image" || om[0].Name != "" {
		t.Errorf("image omitted: %+v", om)
	}
	edited := c.Messages[6]
	if !slices.Contains(edited.Flags, "edited") || !strings.Contains(edited.Text, "\u2068~\u202fMarta Solé\u2069") {
		t.Errorf("edited mention: %q %v", edited.Text, edited.Flags)
	}
	poll := c.Messages[7]
	if poll.System || poll.FirstLine != 8 || poll.LastLine != 11 || !strings.Contains(poll.Text, "OPTION: 10:00") {
		t.Errorf("poll: %+v", poll)
	}
	wantTime(t, "12:30 AM", c.Messages[8].Time, "2024-03-13T00:30:05Z")
	wantTime(t, "12:31 PM", c.Messages[9].Time, "2024-03-13T12:31:00Z")
	if !slices.Contains(c.Messages[8].Flags, "deleted") {
		t.Errorf("deleted: %v", c.Messages[8].Flags)
	}
	last := c.Messages[len(c.Messages)-1]
	if len(last.Media) != 1 || last.Media[0].Name != "00000013-informe.pdf" || last.LastLine != 14 {
		t.Errorf("last line without newline: %+v", last)
	}
}

func TestSpanishMeridiem(t *testing.T) {
	c := parseFile(t, "testdata/android-es-ampm.txt", Options{})
	if c.DateOrder != MDY {
		t.Errorf("order %s", c.DateOrder)
	}
	wantTime(t, "a. m. with NBSP", c.Messages[0].Time, "2023-12-01T11:25:00Z")
	wantTime(t, "12:05 p. m.", c.Messages[1].Time, "2023-12-01T12:05:00Z")
	wantTime(t, "3:41 p.m.", c.Messages[3].Time, "2023-12-01T15:41:00Z")
	wantTime(t, "12:00 a. m.", c.Messages[4].Time, "2023-12-13T00:00:00Z")
	if m := c.Messages[1].Media; len(m) != 1 || m[0].Name != "" {
		t.Errorf("<Multimedia omitido>: %+v", m)
	}
	if m := c.Messages[2].Media; len(m) != 1 || m[0].Kind != "image" {
		t.Errorf("imagen omitida: %+v", m)
	}
	if m := c.Messages[3].Media; len(m) != 1 || m[0].Name != "DOC-20231201-WA0003.pdf" {
		t.Errorf("archivo adjunto: %+v", m)
	}
	if !slices.Contains(c.Messages[4].Flags, "deleted") {
		t.Errorf("Se eliminó este mensaje: %v", c.Messages[4].Flags)
	}
	if !c.Messages[5].System {
		t.Errorf("salió del grupo: not system")
	}
}

// TestArabicScriptDigits: an Arabic iOS export writes its headers in
// Arabic-Indic digits with an RLM after each date component, the Arabic
// comma, and a no-break space before ص (AM) or م (PM); Persian exports
// use Extended Arabic-Indic digits. The text stays as exported.
func TestArabicScriptDigits(t *testing.T) {
	c := parseFile(t, "testdata/ios-ar-arabic-indic.txt", Options{})
	if len(c.Messages) != 6 || c.DateOrder != DMY {
		t.Fatalf("%d messages, order %s", len(c.Messages), c.DateOrder)
	}
	wantTime(t, "٨:٠١:٠٩ م", c.Messages[0].Time, "2024-03-15T20:01:09Z")
	wantTime(t, "٩:١٠:٠٠ ص", c.Messages[3].Time, "2024-03-16T09:10:00Z")
	wantTime(t, "١٢:٣٠:٠٥ م", c.Messages[4].Time, "2024-03-16T12:30:05Z")
	wantTime(t, "١٢:٠٥:٠٠ ص", c.Messages[5].Time, "2024-03-16T00:05:00Z")
	if !c.Messages[0].System {
		t.Errorf("encryption notice: not system")
	}
	if m := c.Messages[1]; m.Author != "أحمد" || m.Text != "مرحبا دكتورة، أرسلت صورة التحليل" {
		t.Errorf("message 2: author %q, text %q", m.Author, m.Text)
	}
	if m := c.Messages[2].Media; len(m) != 1 || m[0].Name != "00000012-PHOTO-2024-03-15-20-03-39.jpg" {
		t.Errorf("<مرفق: …>: %+v", m)
	}
	if got := c.Messages[3].Text; !strings.Contains(got, "٣٨٫٥") {
		t.Errorf("digits in the text changed: %q", got)
	}

	c = parseFile(t, "testdata/android-fa-persian-digits.txt", Options{})
	if len(c.Messages) != 2 || c.Messages[1].Author != "دکتر رضایی" {
		t.Fatalf("Persian: %+v", c.Messages)
	}
	wantTime(t, "۲۱:۰۵", c.Messages[0].Time, "2024-03-17T21:05:00Z")
	wantTime(t, "۰۸:۴۰", c.Messages[1].Time, "2024-03-18T08:40:00Z")

	// A Solar Hijri year (1403) is refused, never read as Gregorian.
	_, err := Parse(strings.NewReader("۲۷/۱۲/۱۴۰۳، ۲۱:۰۵ - مریم: سلام\n"), Options{Location: time.UTC})
	if err == nil || !strings.Contains(err.Error(), "1403") {
		t.Errorf("Solar Hijri year: %v", err)
	}
}

func TestYearFirstAndDots(t *testing.T) {
	c := parseFile(t, "testdata/ymd-dashes.txt", Options{})
	wantTime(t, "leap day", c.Messages[0].Time, "2024-02-29T07:00:01Z")
	wantTime(t, "dot after time", c.Messages[2].Time, "2024-03-01T18:00:00Z")
	if c.Messages[1].Author != "Dr. Pablo Gil" {
		t.Errorf("author %q", c.Messages[1].Author)
	}
	c = parseFile(t, "testdata/ios-de-dots.txt", Options{})
	if c.DateOrder != DMY {
		t.Errorf("order %s", c.DateOrder)
	}
	wantTime(t, "dd.mm.yy", c.Messages[2].Time, "2024-04-25T09:00:00Z")
	if m := c.Messages[1].Media; len(m) != 1 || m[0].Kind != "image" {
		t.Errorf("Bild weggelassen: %+v", m)
	}
	if !slices.Contains(c.Messages[2].Flags, "deleted") || c.Messages[2].System {
		t.Errorf("gelöscht: %+v", c.Messages[2])
	}
}

func TestCRLFAndBOM(t *testing.T) {
	c := parseFile(t, "testdata/crlf-mixed-bom.txt", Options{})
	if len(c.Messages) != 2 || c.Messages[0].Author != "Ana Ruiz" {
		t.Fatalf("messages %+v", c.Messages)
	}
	if got := c.Messages[0].Text; got != "Primera línea\nsegunda línea\ntercera" {
		t.Errorf("text %q", got)
	}
}

func TestBuddhistEra(t *testing.T) {
	c := parseFile(t, "testdata/thai-be.txt", Options{})
	wantTime(t, "BE 2567", c.Messages[0].Time, "2024-02-14T09:15:00Z")
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "Buddhist") {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts Options
		want string
	}{
		{"japanese-era.txt", Options{}, "Japanese era"},
		{"ambiguous.txt", Options{}, "--date-order"},
		{"contradicting.txt", Options{}, "contradict"},
		{"android-dmy-24h.txt", Options{DateOrder: MDY}, "line 1: date 15/03/2024"},
		{"android-dmy-24h.txt", Options{DateOrder: "dym"}, "date order"},
	} {
		err := parseErr(t, filepath.Join("testdata", tc.file), tc.opts)
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want it to mention %q", tc.file, err, tc.want)
		}
	}
	c := parseFile(t, "testdata/ambiguous.txt", Options{DateOrder: DMY})
	wantTime(t, "forced dmy", c.Messages[1].Time, "2024-04-03T10:00:00Z")
	c = parseFile(t, "testdata/ambiguous.txt", Options{DateOrder: MDY})
	wantTime(t, "forced mdy", c.Messages[1].Time, "2024-03-04T10:00:00Z")
}

// Every invisible character the brief lists may surround a header or a
// name: ignored to parse, kept in the text.
func TestInvisibleCharacters(t *testing.T) {
	in := "\ufeff\u202a[01/02/2024,\u00a010:00:00\u202fAM]\u202c \u200fNora Vidal\u200f: \u202btext\u202c \u2068@Ana\u2069\n" +
		"\u200e01/02/2024, 11:00\u00a0- \u202aLeo Paz\u202c: \u200e<Media omitted>\n"
	c, err := Parse(strings.NewReader(in), Options{DateOrder: DMY, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Messages) != 2 || c.Messages[0].Author != "Nora Vidal" || c.Messages[1].Author != "Leo Paz" {
		t.Fatalf("messages %+v", c.Messages)
	}
	if c.Messages[0].Text != "\u202btext\u202c \u2068@Ana\u2069" {
		t.Errorf("text %q", c.Messages[0].Text)
	}
	wantTime(t, "first", c.Messages[0].Time, "2024-02-01T10:00:00Z")
	if len(c.Messages[1].Media) != 1 || c.Messages[1].System {
		t.Errorf("media line %+v", c.Messages[1])
	}
}

func TestNotAnExport(t *testing.T) {
	for _, in := range []string{
		"",
		"hello\n[01/02/24, 10:00] A: b\n",
		"12/03/2024 14:00 meeting with Ana\n", // a date, but no " - " or brackets
		"\xff\xfe[\x0001",
		"31/02/2024, 10:00 - A: no such day\n",
		"15/03/2024, 24:00 - A: no such hour\n",
		"14/02/67 09:15 - A: Thai two-digit BE year\n", // 2067
	} {
		if _, err := Parse(strings.NewReader(in), Options{}); err == nil {
			t.Errorf("%q: parsed, want an error", in)
		}
	}
}

// endless yields n bytes of 'a' without ever allocating them.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	for i := range p {
		p[i] = 'a'
	}
	e.n -= int64(len(p))
	return len(p), nil
}

func TestLongLineBoundedMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	head := strings.NewReader("[01/02/2024, 10:00:00] A: ")
	_, err := Parse(io.MultiReader(head, &endless{n: 100 << 20}), Options{DateOrder: DMY})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "line 1: longer than") {
		t.Fatalf("error %v, want line 1 too long", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("a 100 MB line allocated %d MB", grew>>20)
	}
}

func TestLongMessageBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("[01/02/2024, 10:00:00] A: start\n")
	line := strings.Repeat("x", 1000) + "\n"
	for b.Len() < MaxMessageLength+2000 {
		b.WriteString(line)
	}
	_, err := Parse(strings.NewReader(b.String()), Options{DateOrder: DMY})
	if err == nil || !strings.Contains(err.Error(), "starts on line 1 is longer") {
		t.Errorf("error %v", err)
	}
}

func TestBackwardsKeptInOrder(t *testing.T) {
	in := "[02/03/2024, 10:00:00] A: later\n[01/03/2024, 09:00:00] B: earlier\n[15/03/2024, 09:00:00] A: x\n"
	c, err := Parse(strings.NewReader(in), Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if c.Messages[0].Text != "later" || c.Messages[1].Text != "earlier" {
		t.Errorf("order changed")
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "line 2") {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func TestDaylightSaving(t *testing.T) {
	madrid := mustZone(t, "Europe/Madrid")
	// 31 March 2024 02:30 did not exist in Madrid; 27 October 02:30 twice.
	in := "31/03/2024, 02:30 - A: gap\n27/10/2024, 02:30 - A: fold\n27/10/2024, 12:00 - A: fine\n"
	c, err := Parse(strings.NewReader(in), Options{Location: madrid})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 2 || !strings.Contains(c.Warnings[0], "line 1") || !strings.Contains(c.Warnings[1], "line 2: 02:30 happened twice") {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skip(err)
	}
	return loc
}

func FuzzWhatsApp(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte("[1/2/24, 3:04:05\u202fPM] ~\u202fA: \u200eB added C\n"), "mdy")
	f.Add([]byte("2566/1/2 10:00 - A: x\n"), "ymd")
	f.Fuzz(func(t *testing.T, data []byte, order string) {
		switch order {
		case "", DMY, MDY, YMD:
		default:
			order = ""
		}
		c, err := Parse(bytes.NewReader(data), Options{DateOrder: order, Location: time.UTC})
		if err != nil {
			return
		}
		prevLast := 0
		for _, m := range c.Messages {
			if m.FirstLine <= prevLast || m.LastLine < m.FirstLine {
				t.Fatalf("line ranges out of order: %d-%d after %d", m.FirstLine, m.LastLine, prevLast)
			}
			prevLast = m.LastLine
			if m.System != (m.Author == "") {
				t.Fatalf("system flag and author disagree: %+v", m)
			}
			if y := m.Time.Year(); y < 1970 || y > 2300 {
				t.Fatalf("year %d", y)
			}
		}
	})
}
