package main

// BenchmarkExportBatch measures custody export-batch (docs/performance.md,
// "Batch export"): bundles per second with --jobs 1 and 2, and the TSA's
// requests and TCP connections per bundle, counted at a local TSA. The
// batch is CUSTODY_BENCH_BATCH conversations (default 50) of two messages;
// CUSTODY_BENCH_NORECORD=1 leaves record.pdf out.
//
//	go test -run '^$' -bench ExportBatch -benchtime 3x ./cmd/custody

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/custody-toolkit/custody/tsa/localtsa"
)

func BenchmarkExportBatch(b *testing.B) {
	n := 50
	if s := os.Getenv("CUSTODY_BENCH_BATCH"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("CUSTODY_BENCH_BATCH=%q: want a positive number", s)
		}
	}
	dir := b.TempDir()
	in := filepath.Join(dir, "in")
	if err := writeChats(in, n); err != nil {
		b.Fatal(err)
	}
	b.Setenv("CUSTODY_PASSPHRASE", "bench passphrase")
	key := filepath.Join(dir, "doctor.key")
	if code := run([]string{"keygen", "--out", key}); code != 0 {
		b.Fatalf("keygen: exit %d", code)
	}
	tsaURL, requests, conns := countingTSA(b, filepath.Join(dir, "tsa"))
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			requests.Store(0)
			conns.Store(0)
			bundles := 0
			for i := 0; b.Loop(); i++ {
				out := filepath.Join(dir, fmt.Sprintf("out-%d-%d", jobs, i))
				args := []string{"export-batch", "--quiet", "--in", in, "--out", out, "--key", key,
					"--tsa", tsaURL, "--jobs", strconv.Itoa(jobs), "--default-role", "patient"}
				if os.Getenv("CUSTODY_BENCH_NORECORD") == "1" {
					args = append(args, "--no-record")
				}
				if code := run(args); code != 0 {
					b.Fatalf("export-batch: exit %d", code)
				}
				bundles += n
			}
			b.ReportMetric(float64(bundles)/b.Elapsed().Seconds(), "bundles/s")
			b.ReportMetric(float64(requests.Load())/float64(bundles), "tsa-requests/bundle")
			b.ReportMetric(float64(conns.Load())/float64(bundles), "tsa-conns/bundle")
		})
	}
}

// countingTSA serves a local TSA made in dir on loopback and counts the
// requests and the TCP connections it receives.
func countingTSA(b *testing.B, dir string) (url string, requests, conns *atomic.Int64) {
	if err := localtsa.Init(dir); err != nil {
		b.Fatal(err)
	}
	a, err := localtsa.LoadAuthority(dir)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	requests, conns = new(atomic.Int64), new(atomic.Int64)
	handler := localtsa.Handler(a)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			handler.ServeHTTP(w, r)
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		},
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String() + "/", requests, conns
}
