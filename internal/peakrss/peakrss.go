// Package peakrss measures a benchmark's peak resident memory on Linux:
// Reset clears the kernel's high-water mark after the setup, Report
// publishes VmHWM as the metric peak-RSS-MB. Elsewhere both do nothing.
// SampleLiveHeap measures what a test keeps live instead (garbage not
// counted), on every system: the bound of tests such as
// TestImportHoldsOneMessage.
package peakrss

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Reset returns memory to the OS and clears the peak; it reports whether
// the peak could be cleared (Linux, /proc/self/clear_refs).
func Reset() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// Report publishes the peak since Reset, if Reset could clear it.
func Report(b *testing.B, reset bool) {
	if mb, ok := PeakMB(); reset && ok {
		b.ReportMetric(mb, "peak-RSS-MB")
	}
}

// PeakMB is the process's peak resident memory (VmHWM) in MB, since the
// last Reset or the start; false where the kernel does not say.
func PeakMB() (float64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err == nil {
				return float64(kb) / 1024, true
			}
		}
	}
	return 0, false
}

// SampleLiveHeap samples the live heap (read after each collection, so
// garbage does not count) every millisecond until the function it
// returns is called, which returns the highest value seen in bytes.
func SampleLiveHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	return func() uint64 {
		runtime.GC() // a last reading of what was live at the end
		close(done)
		wg.Wait()
		return peak
	}
}

// AtMost fails t when live (from SampleLiveHeap) is above bound, saying
// what the test's code then holds, and logs the figure.
func AtMost(t testing.TB, live, bound uint64, holds string) {
	t.Helper()
	if live > bound {
		t.Errorf("%d MB kept live, more than %d MB: %s", live>>20, bound>>20, holds)
	}
	t.Logf("peak live heap: %.1f MB", float64(live)/(1<<20))
}
