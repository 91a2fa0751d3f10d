package intake

import (
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/peakrss"
)

// TestLoad uploads through many links at once on loopback and checks
// that every upload was sealed, each bundle verifies PASSED, and nothing
// was lost or left unsealed. Bounded in count (CUSTODY_INTAKE_LOAD=N
// uploads, default 24, 4 with -short) and in time (two minutes). It logs
// the uploads per second and the peak memory (docs/performance.md).
func TestLoad(t *testing.T) {
	n, clients := 24, 8
	if testing.Short() {
		n, clients = 4, 4
	}
	if v, err := strconv.Atoi(os.Getenv("CUSTODY_INTAKE_LOAD")); err == nil && v > 0 {
		n = v
	}
	s := newSite(t, func(c *Config) { c.Global = Rate{PerSecond: 1000, Burst: 1000} })
	urls := make(chan string, n)
	for range n {
		url, _ := s.link(t, time.Hour)
		urls <- url
	}
	close(urls)
	photo := file{"photo.png", pngFile(t)}
	scan := file{"scan.pdf", append(append([]byte{}, pdfFile...), make([]byte, 1<<20)...)} // 1 MB
	reset := peakrss.Reset()
	deadline := time.Now().Add(2 * time.Minute)
	start := time.Now()
	var sealed atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for url := range urls {
				if time.Now().After(deadline) {
					t.Error("over two minutes: stopped")
					return
				}
				if status, page := newPatient(t).send(t, url, nil, photo, scan); status != http.StatusOK {
					t.Errorf("%s: %d\n%s", url, status, page)
					continue
				}
				sealed.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	peak, ok := peakrss.PeakMB()
	t.Logf("%d uploads (2 files, 1 MB) by %d clients in %s: %.1f uploads/s; peak RSS %.0f MB (measured: %v)",
		sealed.Load(), clients, elapsed.Round(time.Millisecond), float64(sealed.Load())/elapsed.Seconds(), peak, ok && reset)
	bundles := s.bundles(t)
	if len(bundles) != n || sealed.Load() != int64(n) {
		t.Fatalf("%d uploads answered sealed, %d bundles, want %d", sealed.Load(), len(bundles), n)
	}
	for _, b := range bundles {
		s.verify(t, b)
	}
	s.tmpEmpty(t)
}

// TestConcurrentReuse sends one link's form twice at the same moment: the
// claim lets exactly one upload through.
func TestConcurrentReuse(t *testing.T) {
	s := newSite(t, nil)
	url, _ := s.link(t, time.Hour)
	for round := range 5 {
		if round > 0 {
			url, _ = s.link(t, time.Hour)
		}
		a, b := newPatient(t), newPatient(t)
		_, pageA := a.get(t, url)
		_, pageB := b.get(t, url)
		var statuses [2]int
		var wg sync.WaitGroup
		for i, p := range []struct {
			p    *patient
			page string
		}{{a, pageA}, {b, pageB}} {
			wg.Go(func() {
				statuses[i], _ = p.p.post(t, url, csrfField.FindStringSubmatch(p.page)[1], nil, twoFiles(t)...)
			})
		}
		wg.Wait()
		if !(statuses == [2]int{200, 404} || statuses == [2]int{404, 200}) {
			t.Errorf("round %d: %v, want one 200 and one 404", round, statuses)
		}
	}
	if got := len(s.bundles(t)); got != 5 {
		t.Errorf("%d bundles for 5 links", got)
	}
	s.tmpEmpty(t)
}
