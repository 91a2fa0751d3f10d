package pdf

import (
	"crypto/sha256"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
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

// TestRenderHoldsNoPages: rendering in two passes holds about as much when
// it reaches the last of 30,000 messages (2,309 pages) as at the last of
// 2,000 (154): about 100 bytes a page (object numbers, offsets), where
// holding every finished page packed (one pass) holds about 2 KB a page.
// What is live is read after a collection at that point of each pass.
func TestRenderHoldsNoPages(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 30,000 messages")
	}
	saved := keptPagesBudget
	keptPagesBudget = 0
	defer func() { keptPagesBudget = saved }()
	liveAtLast := func(n int) uint64 {
		var live uint64
		d := streamedMessages(n)
		stream := d.Stream
		d.Stream = func(yield func(Item) error) error {
			return stream(func(it Item) error {
				if it.Message.ID == shortMessage(n-1).ID {
					live = max(live, liveHeap())
				}
				return yield(it)
			})
		}
		if err := Render(sha256.New(), d); err != nil {
			t.Fatal(err)
		}
		return live
	}
	small, large := liveAtLast(2000), liveAtLast(30000)
	t.Logf("live at the last message: %.2f MB of 2,000, %.2f MB of 30,000", float64(small)/(1<<20), float64(large)/(1<<20))
	peakrss.AtMost(t, large, small+1<<20, "the rendering holds its pages")
}

// liveHeap is what is live after a collection.
func liveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
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
