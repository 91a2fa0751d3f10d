package telegram

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, path string, opts Options) (*Chat, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	c, err := Parse(data, opts)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c, data
}

// lines returns lines first..last (1-based) of data.
func lines(data []byte, first, last int) string {
	all := strings.Split(string(data), "\n")
	if first < 1 || last > len(all) || first > last {
		return ""
	}
	return strings.Join(all[first-1:last], "\n")
}

func TestOneChat(t *testing.T) {
	c, data := parse(t, "testdata/result.json", Options{})
	if !c.Whole || !bytes.Equal(c.Source, data) || c.Name != "Marta Solé" || c.ID != "4400112233" {
		t.Errorf("chat %q %q whole=%v", c.Name, c.ID, c.Whole)
	}
	if len(c.Messages) != 6 {
		t.Fatalf("%d messages, want 6", len(c.Messages))
	}
	call := c.Messages[0]
	if !call.System || call.Author != "Marta Solé" || call.Text != "Marta Solé phone call" {
		t.Errorf("service message: %+v", call)
	}
	if got := c.Messages[1].Text; got != "Doctora, le envío la analítica de ayer" {
		t.Errorf("entity text %q", got)
	}
	// date_unixtime is the instant; "date" is wall time in an unknown zone.
	if got := c.Messages[1].Time.UTC().Format(time.RFC3339); got != "2024-03-05T18:02:00Z" {
		t.Errorf("time %s", got)
	}
	if m := c.Messages[2].Media; len(m) != 1 || m[0].Path != "photos/photo_1@05-03-2024_19-02-30.jpg" || m[0].Missing {
		t.Errorf("photo %+v", m)
	}
	if m := c.Messages[3].Media; len(m) != 1 || !m[0].Missing || m[0].Name != "informe.pdf" || m[0].MIME != "application/pdf" {
		t.Errorf("file not included %+v", m)
	}
	reply := c.Messages[4]
	if reply.ReplyTo != "102" || !slices.Contains(reply.Flags, "edited") || reply.AuthorID != "user7700" {
		t.Errorf("reply %+v", reply)
	}
	if !slices.Contains(c.Messages[5].Flags, "forwarded") {
		t.Errorf("forwarded %+v", c.Messages[5].Flags)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], `message "106"`) {
		t.Errorf("backwards time not reported: %q", c.Warnings)
	}
	for _, m := range c.Messages {
		text := lines(data, m.FirstLine, m.LastLine)
		if !strings.HasPrefix(strings.TrimSpace(text), "{") || !strings.Contains(text, `"id": `+m.ID+",") {
			t.Errorf("message %s: lines %d-%d do not hold its object:\n%s", m.ID, m.FirstLine, m.LastLine, text)
		}
	}
}

func TestFullAccount(t *testing.T) {
	raw, err := os.ReadFile("testdata/full-account.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ chat, want string }{
		{"", "choose one with --chat"},
		{"Jorge Vidal", "2 chats are named"},
		{"Nadie", "no chat has the name or id"},
	} {
		_, err := Parse(raw, Options{Chat: tc.chat})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "4400112233") {
			t.Errorf("--chat %q: error %v, want %q and the list of chats", tc.chat, err, tc.want)
		}
	}
	c, err := Parse(raw, Options{Chat: "marta solé"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Whole || len(c.Messages) != 2 || c.Messages[1].Text != "Hola Marta" {
		t.Errorf("chat by name: %+v", c)
	}
	// The source is the chat's own bytes: a slice of the file, and nothing
	// of the other chats.
	if !bytes.Contains(raw, c.Source) || bytes.Contains(c.Source, []byte("Jorge")) || bytes.Contains(c.Source, []byte("personal_information")) {
		t.Errorf("source extract:\n%s", c.Source)
	}
	if got := lines(c.Source, c.Messages[0].FirstLine, c.Messages[0].LastLine); !strings.Contains(got, `"text": "Hola"`) {
		t.Errorf("origin lines: %q", got)
	}
	c, err = Parse(raw, Options{Chat: "6600"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Messages[0].System || c.Messages[0].Text != `Jorge Vidal create group "Jorge Vidal" Jorge Vidal, Lucía Ferrer` {
		t.Errorf("group by id: %+v", c.Messages[0])
	}
}

func TestStructuredMessages(t *testing.T) {
	in := `{"messages": [
 {"id": 1, "type": "message", "date_unixtime": "1700000000", "from": "A", "text": "", "location_information": {"latitude": 41.38, "longitude": 2.17}},
 {"id": 2, "type": "message", "date_unixtime": "1700000001", "from": "A", "text": "", "contact_information": {"first_name": "Centro", "last_name": "Salud", "phone_number": "+34 900 000 000"}},
 {"id": 3, "type": "message", "date_unixtime": "1700000002", "from": "A", "text": "", "poll": {"question": "¿Hora?", "answers": [{"text": "9:00", "voters": 1}, {"text": "10:00", "voters": 0}]}}
]}`
	c, err := Parse([]byte(in), Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Location: 41.38, 2.17", "Contact: Centro Salud +34 900 000 000", "Poll: ¿Hora?\n- 9:00 (1 votes)\n- 10:00 (0 votes)"}
	for i, w := range want {
		if c.Messages[i].Text != w {
			t.Errorf("message %d: %q, want %q", i+1, c.Messages[i].Text, w)
		}
	}
}

func TestOldFormat(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Skip(err)
	}
	c, _ := parse(t, "testdata/old-format.json", Options{Location: madrid})
	if got := c.Messages[0].Time.Format(time.RFC3339); got != "2020-07-01T09:00:00+02:00" {
		t.Errorf("zone-less date read as %s", got)
	}
	if c.Messages[0].AuthorID != "123" || c.Messages[1].Author != "" || c.Messages[1].AuthorID != "999" {
		t.Errorf("numeric from_id / null from: %+v", c.Messages)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "Europe/Madrid") {
		t.Errorf("warnings %q", c.Warnings)
	}
}

// TestISODates: Telegram-like JSON from other tools writes "date" as an
// RFC 3339 instant, "Z" and milliseconds included: read as that instant,
// with no warning about wall-clock times.
func TestISODates(t *testing.T) {
	in := `{"messages": [
 {"id": 1, "type": "message", "date": "2024-03-05T19:02:30Z", "from": "A", "text": "hola"},
 {"id": 2, "type": "message", "date": "2024-03-05T19:02:31.250Z", "from": "A", "text": "ms"},
 {"id": 3, "type": "message", "date": "2024-03-05T20:02:32+01:00", "from": "A", "text": "offset"}
]}`
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Skip(err)
	}
	c, err := Parse([]byte(in), Options{Location: madrid})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"2024-03-05T20:02:30+01:00", "2024-03-05T20:02:31.25+01:00", "2024-03-05T20:02:32+01:00"} {
		if got := c.Messages[i].Time.Format(time.RFC3339Nano); got != want {
			t.Errorf("message %d: %s, want %s", i+1, got, want)
		}
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings %q: these dates are instants", c.Warnings)
	}
	if _, err := Parse([]byte(`{"messages": [{"id": 1, "type": "message", "date": "5/3/2024", "text": ""}]}`), Options{}); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("bad date: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	for _, in := range []string{
		`[{"sender_id": -1, "message.id": 1}]`,
		`{"name": "x"}`,
		`"just a string"`,
		`{"messages": [{"id": 1, "type": "message"}]}`, // no date
		`{"messages": [{"id": 1, "type": "message", "date_unixtime": "soon", "text": ""}]}`, // bad time
		`{"messages": [{"id": 1, "type": "sticker", "date_unixtime": "1", "text": ""}]}`,    // unknown type
		`{"messages": [{"id": 1, "type": "message", "date_unixtime": "1", "text": 5}]}`,     // bad text
		`{"messages": []}`,
		`{"messages": [`,
		`{"chats": {"list": []}}`,
	} {
		if _, err := Parse([]byte(in), Options{}); err == nil {
			t.Errorf("%s: parsed, want an error", in)
		}
	}
	_, err := Parse([]byte(`[{"sender_id": -1}]`), Options{})
	if err == nil || !strings.Contains(err.Error(), "not a Telegram Desktop export") {
		t.Errorf("array: %v", err)
	}
}

func corpus(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "telegram")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not present: %v", err)
	}
	return dir
}

func TestCorpus(t *testing.T) {
	dir := corpus(t)
	// langchain's test: 4 messages by these two, the first "i refuse to
	// converse with you".
	c, _ := parse(t, filepath.Join(dir, "langchain-tg-desktop-result.json"), Options{})
	var authors []string
	for _, m := range c.Messages {
		authors = append(authors, m.Author)
	}
	if !slices.Equal(authors, []string{"Jimmeny Marvelton", "Batman & Robin", "Jimmeny Marvelton", "Jimmeny Marvelton"}) ||
		c.Messages[0].Text != "i refuse to converse with you" {
		t.Errorf("authors %q, first %q", authors, c.Messages[0].Text)
	}
	if got := c.Messages[0].Time.UTC().Format(time.RFC3339); got != "2023-08-23T20:11:23Z" {
		t.Errorf("first time %s (date_unixtime 1692821483)", got)
	}

	// chat-miner's test: two messages, the second's entities joined.
	c, _ = parse(t, filepath.Join(dir, "chatminer-tg-full-account-export.json"), Options{})
	if len(c.Messages) != 2 || c.Messages[0].Text != "Minimal Message" || c.Messages[1].Author != "Author 2" || c.Messages[1].Text != "Link:https://telegram.org/" {
		t.Errorf("messages %+v", c.Messages)
	}

	c, _ = parse(t, filepath.Join(dir, "langchain-tg-old-format-mojibake.json"), Options{})
	if len(c.Messages) != 3 || c.Messages[2].AuthorID != "4720225552" {
		t.Errorf("old format: %+v", c.Messages)
	}

	data, err := os.ReadFile(filepath.Join(dir, "langchain-telethon-channel-NOT-desktop.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(data, Options{}); err == nil || !strings.Contains(err.Error(), "not a Telegram Desktop export") {
		t.Errorf("Telethon dump: %v", err)
	}
}

func FuzzTelegram(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte(`{"chats":{"list":[{"name":"a","id":1,"messages":[{"type":"message","date_unixtime":"1","text":["x",{"text":"y"}]}]}]}}`), "1")
	f.Fuzz(func(t *testing.T, data []byte, chat string) {
		c, err := Parse(data, Options{Chat: chat, Location: time.UTC})
		if err != nil {
			return
		}
		if !bytes.Contains(data, c.Source) {
			t.Fatal("source is not a slice of the input")
		}
		n := bytes.Count(c.Source, []byte("\n")) + 1
		for _, m := range c.Messages {
			if m.FirstLine < 1 || m.LastLine < m.FirstLine || m.LastLine > n {
				t.Fatalf("lines %d-%d of %d", m.FirstLine, m.LastLine, n)
			}
		}
	})
}

// A 100 MB single-line export (one huge message) is read within a few
// times its size: the parser holds the file, not copies per message.
func TestLargeSingleLine(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB")
	}
	const size = 100 << 20
	var b bytes.Buffer
	b.Grow(size + 200)
	b.WriteString(`{"name":"x","type":"personal_chat","id":1,"messages":[{"id":1,"type":"message","date_unixtime":"1700000000","from":"A","from_id":"user1","text":"`)
	b.Write(bytes.Repeat([]byte("a"), size))
	b.WriteString(`"}]}`)
	data := b.Bytes()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := Parse(data, Options{Location: time.UTC})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Messages) != 1 || len(c.Messages[0].Text) != size || c.Messages[0].FirstLine != 1 {
		t.Fatalf("parsed %d messages", len(c.Messages))
	}
	grew := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d MB for a %d MB file", grew>>20, size>>20)
	if grew > 6*size {
		t.Errorf("allocated %d MB for a %d MB file", grew>>20, size>>20)
	}
}

// TestFreeTextQuoted (issue 13, item 4): a chat's id, name and type, and a
// message id, are written by whoever made the export; printed raw, a
// newline in them would draw lines that look like the importer's own (a
// fake chat in the list, a fake warning). They are quoted, escapes
// visible.
func TestFreeTextQuoted(t *testing.T) {
	fake := "1\n  4400112233\t\"Marta Solé\"\tpersonal_chat"
	raw := []byte(`{"chats": {"list": [
 {"name": "A\nB", "type": "personal_chat\n  666\t\"Dr. X\"", "id": ` + strconv.Quote(fake) + `, "messages": []},
 {"name": "C", "type": "personal_chat", "id": 2, "messages": []}]}}`)
	_, err := Parse(raw, Options{})
	if err == nil {
		t.Fatal("no error for two chats")
	}
	for _, line := range strings.Split(err.Error(), "\n")[1:] {
		if fields := strings.Split(strings.TrimSpace(line), "\t"); len(fields) != 3 || !strings.HasPrefix(fields[0], `"`) {
			t.Errorf("a line of the chat list not drawn by the importer: %q", line)
		}
	}
	chat := []byte(`{"name": "N", "type": "personal_chat", "id": 1, "messages": [
 {"id": 1, "type": "message", "date": "2024-01-10T10:05:00", "date_unixtime": "1704881100", "from": "A", "from_id": "user1", "text": "b"},
 {"id": "2\nwarning: all good", "type": "message", "date": "2024-01-10T10:00:00", "date_unixtime": "1704880800", "from": "A", "from_id": "user1", "text": "a"}]}`)
	c, err := Parse(chat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || strings.Contains(c.Warnings[0], "\n") || !strings.Contains(c.Warnings[0], `message "2\nwarning: all good"`) {
		t.Errorf("warnings %q", c.Warnings)
	}
}

// TestStreamMatchesParse: Check and Each, which an importer uses to read
// a chat from its file one message at a time, give the chat Parse gives
// from memory (the fixtures and the corpus' exports), and Scan, reading
// a file as a stream, tells the two kinds of export apart and locates the
// chat Parse chooses.
func TestStreamMatchesParse(t *testing.T) {
	paths := []string{"testdata/result.json", "testdata/old-format.json", "testdata/full-account.json"}
	if _, err := os.Stat(filepath.Join("..", "..", "..", "shared", "corpus", "telegram")); err == nil {
		dir := corpus(t)
		paths = append(paths, filepath.Join(dir, "langchain-tg-desktop-result.json"),
			filepath.Join(dir, "langchain-tg-old-format-mojibake.json"), filepath.Join(dir, "chatminer-tg-full-account-export.json"))
	}
	for _, p := range paths {
		chat := ""
		if p == "testdata/full-account.json" {
			chat = "Marta Solé"
		}
		want, data := parse(t, p, Options{Chat: chat})
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		top, err := Scan(f)
		f.Close()
		if err != nil || top.OneChat != want.Whole {
			t.Fatalf("%s: Scan = %+v, %v; Parse says whole=%v", p, top, err, want.Whole)
		}
		open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(want.Source)), nil }
		if !want.Whole {
			e, err := top.Select(chat)
			if err != nil || !bytes.Equal(data[e.Start:e.End], want.Source) || e.ID != want.ID || e.Name != want.Name || e.Type != want.Type {
				t.Errorf("%s: Select = %+v, %v", p, e, err)
			}
		}
		got, err := Check(open, time.UTC)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		err = Each(open, time.UTC, func(m Message, i int) error {
			got.Messages = append(got.Messages, m)
			if i != len(got.Messages)-1 {
				t.Errorf("%s: message %d numbered %d", p, len(got.Messages)-1, i)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		got.Source, got.Whole = want.Source, want.Whole
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: streamed\n%+v\nparsed\n%+v", p, got, want)
		}
	}
}

// TestPositions: the compact id map answers as a map of every id to its
// last position would, whatever the ids: increasing integers (Desktop's),
// repeated or out of order, not canonical decimals, or not numbers.
func TestPositions(t *testing.T) {
	ids := []string{"1", "2", "5", "3", "5", "007", "7", "abc", "9", "-4", "9", "10", "18446744073709551616", "11"}
	var p Positions
	want := map[string]int{}
	for i, id := range ids {
		p.add(id, i+1)
		want[id] = i + 1
	}
	for _, id := range append(ids, "4", "6", "07", "", "12") {
		pos, ok := p.Get(id)
		if wantPos, wantOK := want[id]; pos != wantPos || ok != wantOK {
			t.Errorf("Get(%q) = %d, %v; want %d, %v", id, pos, ok, wantPos, wantOK)
		}
	}
	// The increasing run 1 2 5 7 9 10 11 is in the slices; the rest (3,
	// 5 again, 007, abc, -4, 9 again, one beyond int64) in the map.
	if !slices.Equal(p.ids, []int64{1, 2, 5, 7, 9, 10, 11}) || len(p.other) != 7 {
		t.Errorf("slices %v, map %v", p.ids, p.other)
	}
}
