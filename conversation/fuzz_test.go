package conversation_test

import (
	jsonv2 "encoding/json/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
)

// FuzzConversationParse: Parse never panics, and what it accepts survives
// a marshal and re-parse unchanged (the exporter relies on one reading of
// a conversation). Seeds: the sample, the tests' valid document and the
// files in testdata/fuzz/FuzzConversationParse.
func FuzzConversationParse(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "testdata", "sample", "conversation.json")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(validDoc))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := conversation.Parse(data)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a conversation and the error %v", err)
			}
			return
		}
		once, err := jsonv2.Marshal(c)
		if err != nil {
			t.Fatalf("accepted, but does not marshal: %v", err)
		}
		c2, err := conversation.Parse(once)
		if err != nil {
			t.Fatalf("accepted, but its own encoding is refused: %v\n%s", err, once)
		}
		twice, err := jsonv2.Marshal(c2)
		if err != nil {
			t.Fatal(err)
		}
		if string(once) != string(twice) {
			t.Fatalf("re-parse changed the conversation:\n%s\n%s", once, twice)
		}
	})
}
