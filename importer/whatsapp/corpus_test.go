package whatsapp

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// corpus returns the shared real-world corpus folder, skipping when absent.
func corpus(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not present: %v", err)
	}
	return dir
}

// span returns the earliest and latest time of an author's messages.
func span(c *Chat, author string) (first, last time.Time) {
	for _, m := range c.Messages {
		if m.Author != author {
			continue
		}
		if first.IsZero() || m.Time.Before(first) {
			first = m.Time
		}
		if m.Time.After(last) {
			last = m.Time
		}
	}
	return first, last
}

// The sodascience test suite asserts, for the same chat in seven renderings:
// person1 3 messages (first 2022-03-16 15:20:25, last 2022-03-24 20:19:38,
// one location), person2 3 (last 2022-03-26 18:52:15), person3 1, person4 2
// (first 2020-07-14 22:05:54), and the E2E notice is not a message.
func TestCorpusSoda(t *testing.T) {
	dir := corpus(t, "whatsapp")
	for _, tc := range []struct {
		file    string
		minutes bool // Android renderings drop seconds
	}{
		{"soda-ios-en-dmy-24h-lf.txt", false},
		{"soda-ios-en-dmy-24h-crlf.txt", false},
		{"soda-ios-en-mdy-24h-crlf-multiline.txt", false},
		{"soda-android-en-dmy-24h-crlf.txt", true},
		{"soda-android-dd.mm.yyyy-24h.txt", true},
		{"soda-ios-en-dmy-12h.txt", false},
		{"soda-ios-en-mdy-12h.txt", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			c := parseFile(t, filepath.Join(dir, tc.file), Options{})
			s := summarize(c)
			want := map[string]int{"person1": 3, "person2": 3, "person3": 1, "person4": 2}
			if len(s.byAuthor) != len(want) || s.system != 1 {
				t.Errorf("authors %v, system %d", s.byAuthor, s.system)
			}
			for a, n := range want {
				if s.byAuthor[a] != n {
					t.Errorf("%s: %d messages, want %d", a, s.byAuthor[a], n)
				}
			}
			stamp := func(s string) string {
				if tc.minutes {
					return s[:16] + ":00Z"
				}
				return s
			}
			first, last := span(c, "person1")
			wantTime(t, "person1 first", first, stamp("2022-03-16T15:20:25Z"))
			wantTime(t, "person1 last", last, stamp("2022-03-24T20:19:38Z"))
			_, last = span(c, "person2")
			wantTime(t, "person2 last", last, stamp("2022-03-26T18:52:15Z"))
			first, _ = span(c, "person4")
			wantTime(t, "person4 first", first, stamp("2020-07-14T22:05:54Z"))
			locations := 0
			for _, m := range s.people {
				if m.Author == "person1" && bytes.Contains(stripInvisible([]byte(m.Text)), []byte("Location: https://maps.google.com")) {
					locations++
				}
			}
			if locations != 1 {
				t.Errorf("person1 locations %d, want 1", locations)
			}
			if len(c.Warnings) != 2 {
				t.Errorf("backwards times: %q, want the two the file has", c.Warnings)
			}
		})
	}
}

// chat-miner's tests expect six messages, two by John Doe and one each by
// the others (here in file order); "John Doe:.", "created group" and "You
// were added" are not messages of a person.
func TestCorpusChatMiner(t *testing.T) {
	dir := corpus(t, "whatsapp")
	want := []string{"John Doe", "Jahn Doe", "John-John Doe", "John Doe 🤓", "🤓", "John Doe"}
	for _, file := range []string{
		"cm-android-mm-dd-yyyy-es-ampm.txt",
		"cm-ios-bracket-mm-dd-yy-nosec.txt",
		"cm-android-yyyy-mm-dd-slash.txt",
		"cm-android-dd-mm-yy.txt",
	} {
		t.Run(file, func(t *testing.T) {
			c := parseFile(t, filepath.Join(dir, file), Options{})
			var got []string
			for _, m := range summarize(c).people {
				got = append(got, m.Author)
			}
			if !slices.Equal(got, want) {
				t.Errorf("authors %q, want %q", got, want)
			}
			p := summarize(c).people
			if p[2].Text != "Lorem ipsum : dolor sit amet." || p[1].Text != "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero." {
				t.Errorf("texts %q / %q", p[2].Text, p[1].Text)
			}
			wantTime(t, "first", c.Messages[0].Time, "2019-01-01T11:25:00Z")
			wantTime(t, "last", c.Messages[len(c.Messages)-1].Time, "2021-12-30T22:01:00Z")
		})
	}
}

func TestCorpusChatMinerOld(t *testing.T) {
	dir := corpus(t, "whatsapp")
	for _, tc := range []struct {
		file        string
		order       string
		n           int
		first, last string
	}{
		{"cm-old-android-m-d-yyyy-pm-nocomma.txt", "", 4, "2019-09-24T23:30:00Z", "2019-12-24T11:30:00Z"},
		{"cm-old-android-nbsp-in-p.m.txt", MDY, 3, "2022-09-10T22:37:00Z", "2022-09-10T22:37:00Z"},
		{"cm-old-android-yyyy-mm-dd-dot-after-time.txt", "", 4, "2022-12-14T13:34:00Z", "2022-12-21T17:02:00Z"},
		{"cm-old-ios-bracket-sec-p.m.txt", DMY, 4, "2022-10-09T23:37:00Z", "2022-10-12T14:37:00Z"},
		{"cm-old-ios-mm.dd.yy-dots.txt", "", 4, "2021-10-21T15:21:45Z", "2021-10-24T15:21:48Z"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if tc.order != "" {
				// The file cannot tell its date order; refusing is right.
				parseErr(t, filepath.Join(dir, tc.file), Options{})
			}
			c := parseFile(t, filepath.Join(dir, tc.file), Options{DateOrder: tc.order})
			if s := summarize(c); len(s.people) != tc.n || s.system != 0 {
				t.Errorf("%d messages (%d system), want %d", len(s.people), s.system, tc.n)
			}
			wantTime(t, "first", c.Messages[0].Time, tc.first)
			wantTime(t, "last", c.Messages[len(c.Messages)-1].Time, tc.last)
		})
	}
}

func TestCorpusLangChain(t *testing.T) {
	dir := corpus(t, "whatsapp")
	c := parseFile(t, filepath.Join(dir, "langchain-ios-en-US-12h-lrm.txt"), Options{})
	s := summarize(c)
	if s.system != 1 || s.people[0].Text != "I spotted a rare Hyacinth Macaw yesterday in the Amazon Rainforest. Such a magnificent creature!" {
		t.Errorf("system %d, first message %q", s.system, s.people[0].Text)
	}
	omitted := 0
	for _, m := range s.people {
		if len(m.Media) == 1 && m.Media[0].Kind == "image" {
			omitted++
		}
	}
	if omitted != 3 {
		t.Errorf("image omitted: %d, want 3", omitted)
	}

	// langchain's document loader keeps 8 messages, dropping the media and
	// the deleted one; we keep those too, flagged.
	c = parseFile(t, filepath.Join(dir, "langchain-mixed-formats.txt"), Options{})
	var kept []string
	for _, m := range summarize(c).people {
		if len(m.Media) == 0 && !slices.Contains(m.Flags, "deleted") {
			kept = append(kept, m.Author)
		}
	}
	want := []string{"James", "User name", "User 2", "User 1", "User name 2", "User 2", "User 1", "User 2"}
	if !slices.Equal(kept, want) || len(c.Messages) != 10 {
		t.Errorf("authors %q (of %d), want %q (of 10)", kept, len(c.Messages), want)
	}
}

// The 2025 iOS group export: every "<attached: …>", edit and deletion
// marker of the file is found, and the system lines iOS attributes to the
// group's name or to the actor are not a person's.
func TestCorpusTreeSitter(t *testing.T) {
	dir := corpus(t, "whatsapp")
	path := filepath.Join(dir, "tsw-ios-en-US-2025-nnbsp-real.txt")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := parseFile(t, path, Options{})
	s := summarize(c)
	if s.system != 4 {
		t.Errorf("system lines %d, want 4", s.system)
	}
	if _, ok := s.byAuthor["SF PARC"]; ok {
		t.Error("the group's name became a participant")
	}
	var attached, edited, deleted int
	for _, m := range s.people {
		for _, md := range m.Media {
			if md.Name != "" {
				attached++
			}
		}
		if slices.Contains(m.Flags, "edited") {
			edited++
		}
		if slices.Contains(m.Flags, "deleted") {
			deleted++
		}
	}
	if want := bytes.Count(raw, []byte("<attached: ")); attached != want {
		t.Errorf("attached %d, file has %d", attached, want)
	}
	if want := bytes.Count(raw, []byte("<This message was edited>")); edited != want {
		t.Errorf("edited %d, file has %d", edited, want)
	}
	if want := bytes.Count(raw, []byte("This message was deleted.")); deleted != want {
		t.Errorf("deleted %d, file has %d", deleted, want)
	}
	if c.Messages[len(c.Messages)-1].LastLine != bytes.Count(raw, []byte("\n"))+1 && c.Messages[len(c.Messages)-1].LastLine != bytes.Count(raw, []byte("\n")) {
		t.Errorf("last message ends at line %d", c.Messages[len(c.Messages)-1].LastLine)
	}

	// The partly normalised copy lost its invisible marks: the notices are
	// still recognised by their wording.
	c = parseFile(t, filepath.Join(dir, "tsw-ios-en-US-partly-normalized.txt"), Options{})
	s = summarize(c)
	if s.system != 3 || s.byAuthor["SF PARC"] != 0 {
		t.Errorf("system %d, authors %v", s.system, s.byAuthor)
	}
}

// A Signal text export shares iOS WhatsApp's line shape; chat-miner expects
// two messages.
func TestCorpusSignal(t *testing.T) {
	dir := corpus(t, "signal")
	c := parseFile(t, filepath.Join(dir, "chatminer-signal-export.txt"), Options{})
	if len(c.Messages) != 2 || c.Messages[0].Author != "Jane Doe" || c.Messages[1].Text != "Hello\nJane!" {
		t.Errorf("messages %+v", c.Messages)
	}
	wantTime(t, "first", c.Messages[0].Time, "2019-12-24T12:23:00Z")
	wantTime(t, "last", c.Messages[1].Time, "2020-01-17T21:49:00Z")
}
