package progress

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSilentOffTerminal: scripts, logs and CI read stderr through pipes
// and files; a progress line there would only garble them.
func TestSilentOffTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, b := range []*Bar{New(w, false, nil), New(&bytes.Buffer{}, false, nil), New(os.Stderr, true, nil)} {
		if b != nil || b.Hook() != nil {
			t.Fatalf("a bar off a terminal (or quiet): %+v", b)
		}
		b.Done() // a nil Bar is usable
	}
}

func TestDraws(t *testing.T) {
	var buf bytes.Buffer
	labels := map[string]string{"messages": "sealing messages"}
	quick := newBar(&buf, labels, time.Now())
	quick.Hook()("messages", 5, 10)
	quick.Done()
	if buf.Len() != 0 {
		t.Errorf("work shorter than %v drew %q", Delay, buf.String())
	}
	long := newBar(&buf, labels, time.Now().Add(-2*Delay))
	hook := long.Hook()
	hook("messages", 5, 10)
	hook("messages", 6, 10) // within Every: not redrawn
	hook("record.pdf", 2_500_000, 0)
	hook("timestamps", 0, 0)
	long.Done()
	want := "\rsealing messages  5/10  50%\rrecord.pdf  2.5 MB" + strings.Repeat(" ", 9) + "\rtimestamps" + strings.Repeat(" ", 8) + "\r" + strings.Repeat(" ", 10) + "\r"
	if got := buf.String(); got != want {
		t.Errorf("drew %q\nwant %q", got, want)
	}
}
