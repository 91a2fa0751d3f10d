package custody_test

// Benchmarks of issue 2: export and verify of 2,000 messages with 400 MB of
// attachments, against a single SHA-256 pass over the same bytes. The size
// is CUSTODY_BENCH_MB (default 400); see docs/performance.md for how peak
// memory is measured (/usr/bin/time -v on the compiled test binary).
//
// Attachments are random bytes named .jpg by default: the PDF rendering
// then lists them without embedding them. CUSTODY_BENCH_JPEG=1 makes them
// real JPEG photos (noise, each distinct), which record.pdf embeds;
// CUSTODY_BENCH_PNG=1 makes them 1000×1000 RGB PNG photos (noise, each
// distinct, whatever CUSTODY_BENCH_MB says), embedded as they are;
// CUSTODY_BENCH_NORECORD=1 exports without record.pdf.
// CUSTODY_BENCH_MESSAGES (default 2000) and CUSTODY_BENCH_ATTACHMENTS
// (default 400, spread evenly) change the counts: 30,000 messages test
// the pages, 20 attachments the images.

import (
	"github.com/custody-toolkit/custody/internal/memlimit"
	"github.com/custody-toolkit/custody/internal/peakrss"

	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// benchEnv reads a positive count from the environment variable name.
func benchEnv(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

func benchMB(b *testing.B) int          { return benchEnv(b, "CUSTODY_BENCH_MB", 400) }
func benchMessages(b *testing.B) int    { return benchEnv(b, "CUSTODY_BENCH_MESSAGES", 2000) }
func benchAttachments(b *testing.B) int { return benchEnv(b, "CUSTODY_BENCH_ATTACHMENTS", 400) }

// benchConversation writes 2,000 messages and 400 random attachments
// totalling CUSTODY_BENCH_MB MiB into a temporary folder, and returns the
// folder and the attachment bytes.
func benchConversation(b *testing.B) (dir string, attachmentBytes int64) {
	b.Helper()
	dir = b.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "media"), 0o755); err != nil {
		b.Fatal(err)
	}
	messages, attachments := benchMessages(b), benchAttachments(b)
	if attachments > messages {
		b.Fatalf("%d attachments for %d messages: at most one a message", attachments, messages)
	}
	size := int64(benchMB(b)) << 20 / int64(attachments)
	rng := rand.NewChaCha8([32]byte{1}) // random: attachments are compressed already
	var photo []byte
	if os.Getenv("CUSTODY_BENCH_JPEG") == "1" {
		photo = noiseJPEG(b, size, rng)
	}
	png := os.Getenv("CUSTODY_BENCH_PNG") == "1"
	c := conversation.Conversation{
		Format: conversation.Format, ID: "bench", Title: "benchmark",
		Participants: []conversation.Participant{{ID: "dr-a", Role: "clinician"}, {ID: "pt-b", Role: "patient"}},
	}
	start := time.Date(2026, 4, 12, 9, 0, 0, 0, time.FixedZone("", 2*3600))
	for i := range messages {
		m := conversation.Message{
			ID: fmt.Sprintf("m%d", i+1), Time: start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			From: []string{"pt-b", "dr-a"}[i%2],
			Text: fmt.Sprintf("Mensaje %d: la PCR ha bajado a %d mg/L; ¿sigue con fiebre? ¿Cómo está la herida?", i+1, i%40),
		}
		switch {
		case i%(messages/attachments) != 0 || i/(messages/attachments) >= attachments:
		case png:
			name := fmt.Sprintf("media/%04d.png", len(c.Messages))
			attachmentBytes += writeNoisePNG(b, filepath.Join(dir, name), 1000, rng)
			m.Attachments = []conversation.Attachment{{Path: name, Name: filepath.Base(name), Type: "image/png"}}
		default:
			name := fmt.Sprintf("media/%04d.jpg", len(c.Messages))
			attachmentBytes += writeAttachment(b, filepath.Join(dir, name), size, rng, photo)
			m.Attachments = []conversation.Attachment{{Path: name, Name: filepath.Base(name), Type: "image/jpeg"}}
		}
		c.Messages = append(c.Messages, m)
	}
	data, err := json.Marshal(c)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conversation.json"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir, attachmentBytes
}

// writeAttachment writes size random bytes, or the photo with a comment
// segment of 16 random bytes after its start marker, so that no two
// attachments are equal (random bytes after the end marker would make the
// renderer take each for a truncated JPEG and list it instead of embedding
// it); it returns the bytes written.
func writeAttachment(b *testing.B, path string, size int64, rng io.Reader, photo []byte) int64 {
	data := make([]byte, size)
	if photo != nil {
		data = slices.Concat(photo[:2], []byte{0xFF, 0xFE, 0, 18}, make([]byte, 16), photo[2:])
	}
	random := data
	if photo != nil {
		random = data[6:22]
	}
	if _, err := io.ReadFull(rng, random); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return int64(len(data))
}

// writeNoisePNG writes a side×side RGB PNG of noise (rows unfiltered,
// deflated at level 1, as /work/shared/bench/gen_conversation.py makes
// them) and returns its size.
func writeNoisePNG(b *testing.B, path string, side int, rng io.Reader) int64 {
	rows := make([]byte, side*(1+3*side))
	for y := range side {
		if _, err := io.ReadFull(rng, rows[y*(1+3*side)+1:(y+1)*(1+3*side)]); err != nil {
			b.Fatal(err)
		}
	}
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, 1)
	zw.Write(rows)
	zw.Close()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		out.WriteString(kind)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(kind), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(side)), uint32(side))
	chunk("IHDR", append(ihdr, 8, 2, 0, 0, 0))
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return int64(out.Len())
}

// noiseJPEG encodes a noise image of about size bytes: noise does not
// compress, like the detail of a photo of a lab report.
func noiseJPEG(b *testing.B, size int64, rng io.Reader) []byte {
	side := 256
	for range 2 {
		img := image.NewGray(image.Rect(0, 0, side, side))
		if _, err := io.ReadFull(rng, img.Pix); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			b.Fatal(err)
		}
		if int64(buf.Len()) >= size*9/10 || side > 4000 {
			return buf.Bytes()
		}
		side = int(float64(side) * math.Sqrt(float64(size)/float64(buf.Len())))
	}
	b.Fatalf("cannot make a %d-byte JPEG", size)
	return nil
}

func benchExport(b *testing.B, fx *testbundle.Fixture, in, out string) {
	b.Helper()
	c, err := conversation.Load(in)
	if err != nil {
		b.Fatal(err)
	}
	opts := options(fx, out)
	opts.Force = true
	opts.NoRecord = os.Getenv("CUSTODY_BENCH_NORECORD") == "1"
	if _, err := custody.Export(context.Background(), c, opts); err != nil {
		b.Fatal(err)
	}
}

func fileSize(b *testing.B, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// BenchmarkExport2000: Load and Export, the work of `custody export`, with
// the in-process TSA.
func BenchmarkExport2000(b *testing.B) {
	memlimit.Apply(memlimit.Export) // as the commands do; GOMEMLIMIT=off measures without
	fx := testbundle.New(b, "ed25519")
	in, n := benchConversation(b)
	out := filepath.Join(b.TempDir(), "bench.custody")
	b.SetBytes(n)
	reset := peakrss.Reset()
	for b.Loop() {
		benchExport(b, fx, in, out)
	}
	peakrss.Report(b, reset)
}

// benchBundle exports the benchmark conversation once, outside the timing.
func benchBundle(b *testing.B) (*testbundle.Fixture, string) {
	fx := testbundle.New(b, "ed25519")
	in, _ := benchConversation(b)
	out := filepath.Join(b.TempDir(), "bench.custody")
	benchExport(b, fx, in, out)
	return fx, out
}

// BenchmarkVerify2000: verify.BundleFile of the exported bundle, all checks.
func BenchmarkVerify2000(b *testing.B) {
	memlimit.Apply(memlimit.Verify) // as the commands do; GOMEMLIMIT=off measures without
	fx, out := benchBundle(b)
	benchVerify(b, fx, out, func(rep *verify.Report) bool {
		return rep.Messages == benchMessages(b) && rep.Attachments == benchAttachments(b)
	})
}

// BenchmarkVerifySample: verify.BundleFile of the sample conversation's
// bundle (a short record.pdf with a JPEG and a PNG), where re-rendering
// record.pdf is most of the work, as in the test suites and the web
// verifier's usual bundle.
func BenchmarkVerifySample(b *testing.B) {
	fx := testbundle.New(b, "ed25519")
	out := fx.Export(b, testbundle.Sample(), custody.Selection{})
	benchVerify(b, fx, out, func(*verify.Report) bool { return true })
}

// benchVerify times verify.BundleFile of out, which must be PASSED and
// as expected.
func benchVerify(b *testing.B, fx *testbundle.Fixture, out string, expected func(*verify.Report) bool) {
	b.SetBytes(fileSize(b, out))
	reset := peakrss.Reset()
	cpu, cpuKnown := processCPU()
	for b.Loop() {
		rep, err := verify.BundleFile(out, verify.Options{Trust: fx.Roots})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Result != verify.Passed || !expected(rep) {
			b.Fatalf("%s, %d of %d messages, %d attachments: %+v", rep.Result, rep.Messages, rep.Total, rep.Attachments, rep.Checks)
		}
	}
	if end, ok := processCPU(); ok && cpuKnown {
		b.ReportMetric(float64(end-cpu)/float64(b.N), "cpu-ns/op")
	}
	peakrss.Report(b, reset)
}

// processCPU is the CPU time the process has used (user and system, all
// threads: the background rendering and the collector count), from
// /proc/self/stat; false where there is none. Wall time is noisy on a
// shared machine, CPU time less so.
func processCPU() (time.Duration, bool) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	// The fields after the command name (which may hold spaces) in
	// parentheses: utime and stime are the 12th and 13th, in ticks of
	// 1/100 s (USER_HZ on Linux).
	_, rest, ok := strings.Cut(string(data), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}

// BenchmarkSHA256Baseline: one streamed SHA-256 pass over the bundle's
// bytes (1 MiB buffer), the floor verify is measured against.
func BenchmarkSHA256Baseline(b *testing.B) {
	_, out := benchBundle(b)
	b.SetBytes(fileSize(b, out))
	reset := peakrss.Reset()
	for b.Loop() {
		f, err := os.Open(out)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.CopyBuffer(h, f, make([]byte, 1<<20)); err != nil {
			b.Fatal(err)
		}
		f.Close()
		h.Sum(nil)
	}
	peakrss.Report(b, reset)
}

// BenchmarkVerifyHostile verifies a bundle that is large and legal, as a
// hostile one may be (issue 13, item 8): a conversation of
// CUSTODY_BENCH_TREE (default 330,000) messages, of which
// CUSTODY_BENCH_MESSAGES (default 80,000) are disclosed (format v2): the
// manifest lists every disclosed message and every withheld leaf. No
// record.pdf: the manifest, the entries and the tree are what is measured.
func BenchmarkVerifyHostile(b *testing.B) {
	memlimit.Apply(memlimit.Verify) // as the commands do; GOMEMLIMIT=off measures without
	total, disclosed := benchEnv(b, "CUSTODY_BENCH_TREE", 330_000), benchEnv(b, "CUSTODY_BENCH_MESSAGES", 80_000)
	if disclosed > total {
		b.Fatalf("%d disclosed of %d", disclosed, total)
	}
	fx := testbundle.New(b, "ed25519")
	c := &conversation.Conversation{
		Format: conversation.Format, ID: "hostile", Title: "hostile",
		Participants: []conversation.Participant{{ID: "dr-a", Role: "clinician"}, {ID: "pt-b", Role: "patient"}},
	}
	start := time.Date(2026, 4, 12, 9, 0, 0, 0, time.UTC)
	every := total / disclosed
	for i := range total {
		m := conversation.Message{ID: fmt.Sprintf("m%d", i+1), Time: start.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
			From: []string{"pt-b", "dr-a"}[i%2], Text: fmt.Sprintf("Mensaje %d", i+1)}
		if i%every == 0 && i/every < disclosed {
			m.Labels = []string{"disclosed"}
		}
		c.Messages = append(c.Messages, m)
	}
	out := filepath.Join(b.TempDir(), "hostile.custody")
	opts := options(fx, out)
	opts.NoRecord = true
	opts.Selection.Label = "disclosed"
	if _, err := custody.Export(context.Background(), c, opts); err != nil {
		b.Fatal(err)
	}
	c = nil
	benchVerify(b, fx, out, func(rep *verify.Report) bool { return rep.Messages == disclosed && rep.Total == total })
}

// BenchmarkVerifyLiveHeap is BenchmarkVerify2000 measured by what the
// verifier keeps live (peakrss.SampleLiveHeap: garbage not counted, no
// soft limit needed), as live-MB: the figure that must not grow with the
// number of messages (docs/performance.md, "Verify's memory per
// message"). CUSTODY_BENCH_NORECORD=1 leaves out the re-rendering.
func BenchmarkVerifyLiveHeap(b *testing.B) {
	fx, out := benchBundle(b)
	runtime.GC() // the export's live heap is not the verifier's
	stop := peakrss.SampleLiveHeap()
	for b.Loop() {
		rep, err := verify.BundleFile(out, verify.Options{Trust: fx.Roots})
		if err != nil || rep.Result != verify.Passed {
			b.Fatalf("%v, %+v", err, rep)
		}
	}
	b.ReportMetric(float64(stop())/(1<<20), "live-MB")
}
