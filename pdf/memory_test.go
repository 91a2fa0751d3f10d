package pdf

import (
	"crypto/sha256"
	"math"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/custody-toolkit/custody/internal/peakrss"
)

// streamedMessages is manyMessages(n) handed one at a time through
// Document.Stream, as record.FromParsed hands a bundle's entries: the
// Document itself then holds no message, and what the rendering keeps
// live is the renderer's own.
func streamedMessages(n int) *Document {
	d := manyMessages(0)
	d.Selected, d.Total = n, n
	d.Stream = func(yield func(Item) error) error {
		for i := range n {
			if err := yield(Item{Message: shortMessage(i)}); err != nil {
				return err
			}
		}
		return nil
	}
	return d
}

// TestRenderHoldsNoPages: rendering in two passes keeps live about as
// much for 30,000 messages (2,309 pages) as for 2,000 (154): about 100
// bytes a page (object numbers and offsets; measured 1 MB more, the
// collector's timing included), where holding every finished page packed
// (one pass) keeps about 2 KB a page (measured 4.3 MB more).
func TestRenderHoldsNoPages(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 30,000 messages")
	}
	saved := keptPagesBudget
	keptPagesBudget = 0
	defer func() { keptPagesBudget = saved }()
	peak := func(n int) uint64 {
		runtime.GC()
		stop := peakrss.SampleLiveHeap()
		if err := Render(sha256.New(), streamedMessages(n)); err != nil {
			t.Fatal(err)
		}
		return stop()
	}
	peak(100) // what every rendering sets up once (fonts, caches)
	small, large := peak(2000), peak(30000)
	t.Logf("peak live heap: %.1f MB for 2,000 messages, %.1f MB for 30,000", float64(small)/(1<<20), float64(large)/(1<<20))
	peakrss.AtMost(t, large, small+5<<19, "the rendering holds its pages")
}

// BenchmarkRenderMessages renders CUSTODY_BENCH_MESSAGES (default 30,000)
// streamed messages into a SHA-256, as a verifier does, and reports the
// peak live heap (sampled after each collection), the peak RSS of the
// timed part and the page count: "shipped" as Render does, "one-pass"
// holding every page packed until the end (as before two passes),
// "two-passes" dropping every page when it is finished.
func BenchmarkRenderMessages(b *testing.B) {
	n := 30000
	if v := os.Getenv("CUSTODY_BENCH_MESSAGES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	d := streamedMessages(n)
	for _, c := range []struct {
		name   string
		budget int64
	}{{"shipped", keptPagesBudget}, {"one-pass", math.MaxInt64}, {"two-passes", 0}} {
		b.Run(c.name, func(b *testing.B) {
			saved := keptPagesBudget
			keptPagesBudget = c.budget
			defer func() { keptPagesBudget = saved }()
			reset := peakrss.Reset()
			stop := peakrss.SampleLiveHeap()
			var pages int
			for b.Loop() {
				r, err := newRenderer(d)
				if err != nil {
					b.Fatal(err)
				}
				if err := r.render(sha256.New()); err != nil {
					b.Fatal(err)
				}
				pages = r.page
			}
			live := stop()
			b.ReportMetric(float64(live)/(1<<20), "live-heap-MB")
			b.ReportMetric(float64(pages), "pages")
			peakrss.Report(b, reset)
		})
	}
}
