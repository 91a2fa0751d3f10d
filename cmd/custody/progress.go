package main

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressDelay is how long work runs before a bar appears: a short
// export shows nothing but its summary.
const progressDelay = time.Second

// progressLabels name each step of an export as the bar shows it.
var progressLabels = map[string]string{
	"messages":   "sealing messages",
	"record.pdf": "rendering record.pdf",
	"timestamps": "asking the TSAs",
}

// progress draws long work on a terminal. It draws nothing when its
// writer is not a terminal (scripts, logs, CI) or with --quiet: a bar's
// carriage returns and redraws would only garble those.
type progress struct {
	w     io.Writer
	start time.Time
	mu    sync.Mutex // the record is rendered in another goroutine
	step  string
	bar   *progressbar.ProgressBar
}

// newProgress returns a progress that draws on w, or nil when it must not
// draw: quiet, or w is not a terminal.
func newProgress(w io.Writer, quiet bool) *progress {
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{w: w, start: time.Now()}
}

// update is the hook for custody.Options.Progress; a nil progress gives a
// nil hook, so that the export skips reporting altogether.
func (p *progress) update() func(step string, done, total int64) {
	if p == nil {
		return nil
	}
	return func(step string, done, total int64) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if time.Since(p.start) < progressDelay {
			return
		}
		if step != p.step || p.bar == nil {
			p.finishLocked()
			p.step, p.bar = step, p.newBar(step, total)
		}
		_ = p.bar.Set64(done)
	}
}

func (p *progress) newBar(step string, total int64) *progressbar.ProgressBar {
	max := total
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(progressLabels[step]),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),   // the step shows at once, its count when throttling allows
		progressbar.OptionSetSpinnerChangeInterval(0), // no goroutine: redrawn on updates
	}
	if total <= 0 {
		max = -1
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowCount())
	}
	return progressbar.NewOptions64(max, opts...)
}

// done clears the bar before the summary is printed.
func (p *progress) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked()
}

func (p *progress) finishLocked() {
	if p.bar != nil {
		_ = p.bar.Clear()
		p.bar = nil
	}
}
