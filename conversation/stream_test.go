package conversation_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/internal/peakrss"
)

// TestStreamReadsWhatLoadReads: the header and every message, in order,
// on the sample, the small document and one whose messages come before
// the participants (members in any order, as JSON allows).
func TestStreamReadsWhatLoadReads(t *testing.T) {
	reordered := `{"messages": [{"id": "m1", "time": "2026-04-12T09:14:03Z", "from": "p", "text": "x"}],
	 "format": "custody.conversation/v1", "id": "c", "title": "", "participants": [{"id": "p", "role": "patient"}]}`
	for _, in := range []string{
		filepath.Join("..", "testdata", "sample"),
		filepath.Join("..", "testdata", "sample", "conversation.json"),
		writeConversation(t, validDoc),
		writeConversation(t, reordered),
	} {
		want, err := conversation.Load(in)
		if err != nil {
			t.Fatal(err)
		}
		s, err := conversation.OpenStream(in)
		if err != nil {
			t.Fatalf("OpenStream(%s): %v", in, err)
		}
		got := s.Conversation
		for pass := 0; pass < 2; pass++ { // Each can be called again
			got.Messages = nil
			err = s.Each(func(i int, m *conversation.Message) error {
				if i != len(got.Messages) {
					t.Errorf("message #%d given as #%d", len(got.Messages), i)
				}
				got.Messages = append(got.Messages, *m)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&got, want) || s.Count != len(want.Messages) {
				t.Errorf("%s: the stream read\n%+v (%d messages), Load\n%+v", in, got, s.Count, want)
			}
		}
	}
}

// A conversation edited between two passes is not read half old, half
// new without notice.
func TestStreamFileChanged(t *testing.T) {
	dir := writeConversation(t, validDoc)
	s, err := conversation.OpenStream(dir)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(validDoc, "TEXT2", "TEXT3", 1)
	if err := os.WriteFile(filepath.Join(dir, "conversation.json"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	err = s.Each(func(int, *conversation.Message) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "changed while it was being read") {
		t.Fatalf("err = %v, want: changed while it was being read", err)
	}
}

func TestStreamNoMessages(t *testing.T) {
	for _, messages := range []string{"[]", "null"} {
		doc := `{"format": "custody.conversation/v1", "id": "c", "title": "", "participants": [], "messages": ` + messages + `}`
		_, err := conversation.OpenStream(writeConversation(t, doc))
		if err == nil || !strings.Contains(err.Error(), "no messages") {
			t.Errorf("messages %s: err = %v, want no messages", messages, err)
		}
	}
}

// TestStreamHoldsOneMessage: opening and reading 100,000 messages (about
// 16 MB of conversation.json) keeps a few MB live, not the conversation
// (Load holds about 60 MB of it).
func TestStreamHoldsOneMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("large conversation")
	}
	dir := writeLargeConversation(t, 100_000)
	runtime.GC()
	peak := peakrss.SampleLiveHeap()
	s, err := conversation.OpenStream(dir)
	n := 0
	if err == nil {
		err = s.Each(func(int, *conversation.Message) error { n++; return nil })
	}
	live := peak()
	if err != nil {
		t.Fatal(err)
	}
	if n != 100_000 {
		t.Fatalf("%d messages read", n)
	}
	// The ids seen (for duplicates) stay: 100,000 short strings.
	const bound = 12 << 20
	peakrss.AtMost(t, live, bound, "reading holds the messages")
}

// writeLargeConversation writes a conversation of n messages with
// 100-byte texts and returns its folder.
func writeLargeConversation(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "conversation.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprint(f, `{"format": "custody.conversation/v1", "id": "big", "title": "", "participants": [{"id": "p", "role": "patient"}], "messages": [`)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		m := conversation.Message{ID: fmt.Sprintf("m%d", i+1), Time: start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			From: "p", Text: strings.Repeat("texto ", 16) + fmt.Sprint(i)}
		data, _ := json.Marshal(m)
		if i > 0 {
			f.WriteString(",\n")
		}
		f.Write(data)
	}
	if _, err := fmt.Fprint(f, "]}"); err != nil {
		t.Fatal(err)
	}
	return dir
}
