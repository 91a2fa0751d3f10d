package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
)

// TestWarnMissing: each missing attachment is named, quoted, up to a
// bound; the rest are counted.
func TestWarnMissing(t *testing.T) {
	var s conversation.Summary
	s.Missing = append(s.Missing, conversation.Attachment{Type: "image/*"}, conversation.Attachment{})
	for i := range 12 {
		s.Missing = append(s.Missing, conversation.Attachment{Name: fmt.Sprintf("IMG-%02d\n.jpg", i)})
	}
	var buf bytes.Buffer
	warnMissing(&buf, "custody: ", s)
	got := buf.String()
	for _, want := range []string{"custody: warning: 14 attachment(s)", "an unnamed image/*, an unnamed file, ", `"IMG-00\n.jpg"`, `"IMG-07\n.jpg", and 4 more` + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("warning %q lacks %q", got, want)
		}
	}
	buf.Reset()
	warnMissing(&buf, "", conversation.Summary{})
	if buf.Len() != 0 {
		t.Errorf("nothing missing, warned %q", buf.String())
	}
}
