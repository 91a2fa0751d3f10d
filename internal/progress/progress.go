// Package progress shows long work on a terminal: one line on stderr,
// redrawn at most ten times a second ("sealing messages  12345/30000  41%"),
// cleared when the work ends, and only once the work has run for a second,
// so that short runs print nothing but their result. When its writer is not
// a terminal (scripts, logs, CI) or the user asked for quiet, it draws
// nothing at all: carriage returns and redraws would only garble those.
//
//	bar := progress.New(os.Stderr, quiet, map[string]string{"files": "hashing files"})
//	err := work(bar.Hook()) // calls hook("files", done, total) as it goes
//	bar.Done()
//
// It is custody's own rather than github.com/schollz/progressbar, which
// imports net/http (for download bars): custody-verify must contain no
// network code (cmd/custody-verify/deps_test.go), and both programs should
// show progress the same way.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// Delay is how long work runs before anything is drawn; Every bounds how
// often a step's line is redrawn.
const (
	Delay = time.Second
	Every = 100 * time.Millisecond
)

// Bar draws the progress of one command. A nil *Bar draws nothing and
// gives a nil hook.
type Bar struct {
	w      io.Writer
	labels map[string]string
	start  time.Time

	mu    sync.Mutex // work may report from several goroutines
	step  string
	drawn time.Time
	width int // of the line on screen, to clear it
}

// New returns a Bar drawing on w with the given label for each step, or
// nil when it must not draw: quiet, or w is not a terminal.
func New(w io.Writer, quiet bool, labels map[string]string) *Bar {
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return newBar(w, labels, time.Now())
}

func newBar(w io.Writer, labels map[string]string, start time.Time) *Bar {
	return &Bar{w: w, labels: labels, start: start}
}

// Hook returns the function work reports to: done of total for a step
// (total 0: a count of bytes whose end is not known; done 0 too: a step
// that only names itself). Nil for a nil Bar, so
// that the work can skip reporting altogether.
func (b *Bar) Hook() func(step string, done, total int64) {
	if b == nil {
		return nil
	}
	return b.report
}

func (b *Bar) report(step string, done, total int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if now.Sub(b.start) < Delay || step == b.step && now.Sub(b.drawn) < Every {
		return
	}
	b.step, b.drawn = step, now
	label := b.labels[step]
	if label == "" {
		label = step
	}
	line := label
	switch {
	case total > 0:
		line = fmt.Sprintf("%s  %d/%d  %d%%", label, done, total, done*100/total)
	case done > 0:
		line = fmt.Sprintf("%s  %.1f MB", label, float64(done)/1e6)
	}
	b.draw(line)
}

// draw replaces the line on screen.
func (b *Bar) draw(line string) {
	width := utf8.RuneCountInString(line)
	fmt.Fprintf(b.w, "\r%s%s", line, strings.Repeat(" ", max(b.width-width, 0)))
	b.width = width
}

// Done clears the line, before the command prints its result.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.width > 0 {
		fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", b.width))
		b.width = 0
	}
}
