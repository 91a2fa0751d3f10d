package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestProgressSilentOffTerminal: scripts, logs and CI read stderr through
// pipes and files; a progress bar there would only garble them.
func TestProgressSilentOffTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, p := range []*progress{newProgress(w, false), newProgress(&bytes.Buffer{}, false), newProgress(os.Stderr, true)} {
		if p != nil || p.update() != nil {
			t.Fatalf("a progress off a terminal (or quiet): %+v", p)
		}
		p.done() // a nil progress is usable
	}
}

func TestProgressDraws(t *testing.T) {
	var buf bytes.Buffer
	quick := &progress{w: &buf, start: time.Now()}
	quick.update()("messages", 5, 10)
	quick.done()
	if buf.Len() != 0 {
		t.Errorf("work shorter than %v drew %q", progressDelay, buf.String())
	}
	long := &progress{w: &buf, start: time.Now().Add(-2 * progressDelay)}
	hook := long.update()
	hook("messages", 10, 10)
	hook("record.pdf", 4096, 0)
	long.done()
	for _, want := range []string{"sealing messages", "/10)", "rendering record.pdf"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("drew %q, want %q", buf.String(), want)
		}
	}
}
