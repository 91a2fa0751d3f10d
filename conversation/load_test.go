package conversation_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
)

// validDoc is a small conversation whose second message id contains '-',
// so that the tests see ids that are not just "m<N>".
const validDoc = `{"format": "custody.conversation/v1", "id": "conv-1", "title": "Seguimiento",
 "participants": [{"id": "dr-a", "role": "clinician", "name": "Dra. A"}, {"id": "pt-b", "role": "patient"}],
 "messages": [
  {"id": "m1", "time": "2026-04-12T09:14:03+02:00", "from": "pt-b", "text": "Le envío la analítica",
   "attachments": [{"path": "media/a.txt", "name": "a.txt", "type": "text/plain"}]},
  {"id": "m-2", "time": "2026-04-12T09:40:27+02:00", "from": "dr-a", "text": "TEXT2", "reply_to": "m1"}
 ]}`

// writeConversation writes doc as conversation.json in a fresh folder,
// with the attachment media/a.txt beside it, and returns the folder.
func writeConversation(t *testing.T, doc string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "media", "a.txt"), []byte("PCR 12 mg/L\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conversation.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mutate replaces old by new in validDoc, failing if old is not there, so a
// case can never silently test the valid document.
func mutate(t *testing.T, old, new string) string {
	t.Helper()
	if strings.Count(validDoc, old) != 1 {
		t.Fatalf("test bug: %q occurs %d times in validDoc", old, strings.Count(validDoc, old))
	}
	return strings.Replace(validDoc, old, new, 1)
}

// openers read a conversation whole or as a stream.
var openers = map[string]func(string) (any, error){
	"Load":       func(p string) (any, error) { return conversation.Load(p) },
	"OpenStream": func(p string) (any, error) { return conversation.OpenStream(p) },
}

func TestLoadValid(t *testing.T) {
	dir := writeConversation(t, validDoc)
	for _, in := range []string{dir, filepath.Join(dir, "conversation.json")} {
		c, err := conversation.Load(in)
		if err != nil {
			t.Fatalf("Load(%s): %v", in, err)
		}
		if c.Dir != dir {
			t.Errorf("Load(%s): Dir %q, want %q", in, c.Dir, dir)
		}
		if len(c.Messages) != 2 || c.Messages[1].ID != "m-2" || c.Messages[1].ReplyTo != "m1" {
			t.Errorf("Load(%s): messages %+v", in, c.Messages)
		}
		if c.Messages[0].Text != "Le envío la analítica" {
			t.Errorf("text %q", c.Messages[0].Text)
		}
		a := c.Messages[0].Attachments[0]
		data, err := os.ReadFile(c.FilePath(a.Path))
		if err != nil || string(data) != "PCR 12 mg/L\n" {
			t.Errorf("FilePath(%q) = %s: %q, %v", a.Path, c.FilePath(a.Path), data, err)
		}
		if got := c.Messages[0].ParsedTime().UTC().Format("2006-01-02T15:04:05Z"); got != "2026-04-12T07:14:03Z" {
			t.Errorf("ParsedTime in UTC = %s", got)
		}
	}
}

// A conversation file outside a folder named for it: attachments are
// relative to the file's own folder.
func TestLoadFileElsewhere(t *testing.T) {
	dir := writeConversation(t, validDoc)
	file := filepath.Join(dir, "case-17.json")
	if err := os.Rename(filepath.Join(dir, "conversation.json"), file); err != nil {
		t.Fatal(err)
	}
	c, err := conversation.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != dir {
		t.Errorf("Dir %q, want %q", c.Dir, dir)
	}
	if _, err := conversation.Load(dir); err == nil {
		t.Error("a folder without conversation.json loaded")
	}
}

func TestLoadSample(t *testing.T) {
	sample := filepath.Join("..", "testdata", "sample")
	for _, in := range []string{sample, filepath.Join(sample, "conversation.json")} {
		c, err := conversation.Load(in)
		if err != nil {
			t.Fatalf("Load(%s): %v", in, err)
		}
		if c.ID != "conv-2026-0412" || len(c.Participants) != 3 || len(c.Messages) != 7 {
			t.Fatalf("Load(%s): id %q, %d participants, %d messages", in, c.ID, len(c.Participants), len(c.Messages))
		}
		n := 0
		for _, m := range c.Messages {
			for _, a := range m.Attachments {
				n++
				if st, err := os.Stat(c.FilePath(a.Path)); err != nil || !st.Mode().IsRegular() {
					t.Errorf("message %s: attachment %s: %v", m.ID, a.Path, err)
				}
			}
		}
		if n != 3 {
			t.Errorf("%d attachments, want 3", n)
		}
	}
}

// TestLoadErrors: each bad input of issue 2 gives an error naming the
// message (by id) and the field, and the file.
func TestLoadErrors(t *testing.T) {
	// OpenStream checks each message on its own, and must refuse all
	// that Load refuses.
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error, all required
	}{
		{"unknown top-level field", mutate(t, `"title": "Seguimiento",`, `"title": "Seguimiento", "colour": "red",`),
			[]string{"colour"}},
		{"unknown message field", mutate(t, `"text": "TEXT2",`, `"text": "TEXT2", "colour": "red",`),
			[]string{`"m-2"`, "colour"}},
		{"unknown attachment field", mutate(t, `"type": "text/plain"`, `"type": "text/plain", "size": 12`),
			[]string{`"m1"`, "attachments", "size"}},
		{"unknown participant field", mutate(t, `{"id": "pt-b", "role": "patient"}`, `{"id": "pt-b", "role": "patient", "dni": "1"}`),
			[]string{"participants", "dni"}},
		{"duplicate key", mutate(t, `"text": "TEXT2",`, `"text": "TEXT2", "text": "other",`),
			[]string{`"m-2"`, "text"}},
		{"missing attachment file", mutate(t, `"path": "media/a.txt"`, `"path": "media/nope.jpg"`),
			[]string{`"m1"`, "attachments[0].path", "nope.jpg", "does not exist"}},
		{"attachment is a folder", mutate(t, `"path": "media/a.txt"`, `"path": "media"`),
			[]string{`"m1"`, "attachments[0].path", "not a regular file"}},
		{"duplicate message id", mutate(t, `{"id": "m-2",`, `{"id": "m1",`),
			[]string{`"m1"`, "#2", "field id", "duplicate"}},
		{"unknown participant", mutate(t, `"from": "dr-a"`, `"from": "dr-x"`),
			[]string{`"m-2"`, "field from", `"dr-x"`}},
		{"time without offset", mutate(t, `"2026-04-12T09:14:03+02:00"`, `"2026-04-12T09:14:03"`),
			[]string{`"m1"`, "field time", "2026-04-12T09:14:03", "offset"}},
		{"time not RFC 3339", mutate(t, `"2026-04-12T09:40:27+02:00"`, `"12/04/2026 09:40"`),
			[]string{`"m-2"`, "field time", "12/04/2026 09:40"}},
		{"invalid UTF-8 in text", mutate(t, `"TEXT2"`, "\"caf\xe9\""),
			[]string{`"m-2"`, "text", "UTF-8"}},
		{"bad role", mutate(t, `"role": "patient"`, `"role": "doctor"`),
			[]string{`"pt-b"`, "role", `"doctor"`}},
		{"path traversal", mutate(t, `"path": "media/a.txt"`, `"path": "../x"`),
			[]string{`"m1"`, "attachments[0].path", `"../x"`}},
		{"path traversal inside", mutate(t, `"path": "media/a.txt"`, `"path": "media/../../x"`),
			[]string{`"m1"`, "attachments[0].path", "media/../../x"}},
		{"absolute path", mutate(t, `"path": "media/a.txt"`, `"path": "/etc/passwd"`),
			[]string{`"m1"`, "attachments[0].path", "absolute"}},
		{"backslash path", mutate(t, `"path": "media/a.txt"`, `"path": "media\\a.txt"`),
			[]string{`"m1"`, "attachments[0].path", "separator"}},
		{"bad message id", mutate(t, `{"id": "m-2",`, `{"id": "m 2",`),
			[]string{"#2", "field id", `"m 2"`}},
		{"wrong format", mutate(t, `custody.conversation/v1`, `custody.conversation/v9`),
			[]string{"format", "v9"}},
		{"number as text", mutate(t, `"text": "TEXT2"`, `"text": 42`),
			[]string{`"m-2"`, "text"}},
		{"missing attachment with a path", mutate(t, `"type": "text/plain"`, `"type": "text/plain", "missing": true`),
			[]string{`"m1"`, "attachments[0]", "missing"}},
	}
	for _, tt := range tests {
		for name, open := range openers {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				dir := writeConversation(t, tt.doc)
				c, err := open(dir)
				if err == nil {
					t.Fatalf("loaded: %+v", c)
				}
				msg := err.Error()
				t.Logf("error: %s", msg)
				if !strings.Contains(msg, "conversation.json") {
					t.Errorf("the error does not name the file")
				}
				for _, w := range tt.want {
					if !strings.Contains(msg, w) {
						t.Errorf("the error does not contain %q", w)
					}
				}
			})
		}
	}
}

// An empty conversation proves nothing: "no messages" is an error.
func TestLoadNoMessages(t *testing.T) {
	doc := `{"format": "custody.conversation/v1", "id": "c", "title": "", "participants": [], "messages": []}`
	_, err := conversation.Load(writeConversation(t, doc))
	if err == nil || !strings.Contains(err.Error(), "field messages") || !strings.Contains(err.Error(), "no messages") {
		t.Fatalf("err = %v, want field messages: no messages", err)
	}
}

func TestLoadUnreadable(t *testing.T) {
	if _, err := conversation.Load(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("a missing path loaded")
	}
	dir := writeConversation(t, "{")
	if _, err := conversation.Load(dir); err == nil || !strings.Contains(err.Error(), "conversation.json") {
		t.Errorf("truncated JSON: %v", err)
	}
}

// Load follows no symbolic link inside the folder: a linked attachment,
// media folder or conversation.json is refused, naming it.
func TestLoadFollowsNoLink(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "doctor.key")
	if err := os.WriteFile(secret, []byte("secret key"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, link := range map[string]func(dir string) error{
		"a linked attachment": func(dir string) error {
			p := filepath.Join(dir, "media", "a.txt")
			return errors.Join(os.Remove(p), os.Symlink(secret, p))
		},
		"a linked media folder": func(dir string) error {
			other := filepath.Join(filepath.Dir(secret), "media")
			return errors.Join(os.Mkdir(other, 0o755), os.Symlink(secret, filepath.Join(other, "a.txt")),
				os.RemoveAll(filepath.Join(dir, "media")), os.Symlink(other, filepath.Join(dir, "media")))
		},
		"a linked conversation.json": func(dir string) error {
			p, moved := filepath.Join(dir, "conversation.json"), filepath.Join(t.TempDir(), "conversation.json")
			return errors.Join(os.Rename(p, moved), os.Symlink(moved, p))
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeConversation(t, validDoc)
			if err := link(dir); err != nil {
				t.Fatal(err)
			}
			_, err := conversation.Load(dir)
			if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
				t.Fatalf("Load: %v, want a refusal naming the link", err)
			}
		})
	}
}
