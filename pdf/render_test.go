package pdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestDeterministic(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	os.Unsetenv("SOURCE_DATE_EPOCH")
	a, b := render(t, sampleDocument(t)), render(t, sampleDocument(t))
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same document differ")
	}
	if bytes.Contains(a, []byte("/CreationDate")) {
		t.Error("CreationDate written without SOURCE_DATE_EPOCH")
	}
}

func TestSourceDateEpoch(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1776000000") // 2026-04-12 13:20:00 UTC
	data := render(t, sampleDocument(t))
	info := run(t, "pdfinfo", "-isodates", writeTemp(t, data))
	if !strings.Contains(info, "2026-04-12T13:20:00") {
		t.Errorf("pdfinfo does not show the SOURCE_DATE_EPOCH creation date:\n%s", info)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if err := Render(io.Discard, sampleDocument(t)); err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
		t.Errorf("bad SOURCE_DATE_EPOCH: err = %v", err)
	}
}

// hugePNG is a valid PNG header declaring width×height pixels, with no
// pixel data: decoding its configuration is cheap, decoding it is not.
func hugePNG(width, height uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestBadImagesAreListed(t *testing.T) {
	jpg := labReportJPEG(t)
	failing := bytesAttachment("falla.jpg", "image/jpeg", jpg)
	failing.Open = func() (io.ReadCloser, error) { return nil, errors.New("disk on fire") }
	oversized := bytesAttachment("enorme.jpg", "image/jpeg", jpg)
	oversized.Size = MaxImageBytes + 1
	atts := []Attachment{
		bytesAttachment("truncada.jpg", "image/jpeg", jpg[:len(jpg)/3]),
		bytesAttachment("basura.png", "image/png", []byte("\x89PNG\r\n\x1a\nnot really a png")),
		bytesAttachment("gigante.png", "image/png", hugePNG(10000, 5000)),
		bytesAttachment("texto.jpg", "image/jpeg", []byte("hello")),
		failing,
		oversized,
		{Name: "sin_contenido.png", Type: "image/png", Size: 10, SHA256: "00"},
	}
	d := sampleDocument(t)
	d.Items = []Item{{Message: &Message{ID: "m1", Time: "2026-04-12 09:14:03 +02:00", SenderName: "P", SenderRole: "patient",
		Text: "Fotos", Attachments: atts}}}
	data := render(t, d)
	path := writeTemp(t, data)
	if n := countImages(run(t, "pdfimages", "-list", path)); n != 0 {
		t.Errorf("%d images embedded, want 0", n)
	}
	text := extract(t, data)
	for _, a := range atts {
		if !strings.Contains(text, "Attachment: "+a.Name) {
			t.Errorf("%s not listed", a.Name)
		}
	}
	if got := strings.Count(text, "Image not shown:"); got != len(atts) {
		t.Errorf("%d reasons given, want %d", got, len(atts))
	}
	for _, want := range []string{"10000×5000 pixels", "over 32 MB", "corrupt image"} {
		if !strings.Contains(text, want) {
			t.Errorf("no reason %q in:\n%s", want, text)
		}
	}
	run(t, "qpdf", "--check", path)
}

// manyMessages is a conversation of n short text messages.
func manyMessages(n int) *Document {
	d := &Document{Practice: "Consulta", Title: "Seguimiento", PatientID: "P-1", ExportID: "EXP-1",
		Selected: n, Total: n, Integrity: Integrity{ManifestSHA256: strings.Repeat("ab", 32)}}
	for i := range n {
		d.Items = append(d.Items, Item{Message: shortMessage(i)})
	}
	return d
}

// shortMessage is the i-th message of manyMessages.
func shortMessage(i int) *Message {
	return &Message{
		ID: "m-" + strconv.Itoa(i), Time: "2026-04-12 09:14:03 +02:00", SenderName: "Dra. Lucía Martínez", SenderRole: "clinician",
		Text: "Buenos días, ¿cómo se encuentra hoy? Recuerde tomarse la temperatura y enviarme una foto de la herida si nota enrojecimiento. " + strconv.Itoa(i),
	}
}

func TestPageFooter(t *testing.T) {
	data := render(t, manyMessages(40))
	path := writeTemp(t, data)
	run(t, "qpdf", "--check", path)
	pages := pageCount(t, path)
	if pages < 3 {
		t.Fatalf("%d pages, want at least 3 for this test", pages)
	}
	for p := 1; p <= pages; p++ {
		n := strconv.Itoa(p)
		text := normalize(run(t, "pdftotext", "-f", n, "-l", n, path, "-"))
		if want := "page " + n + " of " + strconv.Itoa(pages); !strings.Contains(text, want) {
			t.Errorf("page %d lacks %q: %s", p, want, text)
		}
		if !strings.Contains(text, "Export EXP-1") || !strings.Contains(text, "manifest sha256 abababababababab") {
			t.Errorf("page %d footer incomplete: %s", p, text)
		}
	}
	last := normalize(run(t, "pdftotext", "-f", strconv.Itoa(pages), "-l", strconv.Itoa(pages), path, "-"))
	if !strings.HasPrefix(last, "Integrity and verification") {
		t.Errorf("last page is not the integrity page: %s", last)
	}
}

// TestQRCode decodes the printed QR code with zbarimg.
func TestQRCode(t *testing.T) {
	zbar := tool(t, "zbarimg")
	d := sampleDocument(t)
	path := writeTemp(t, render(t, d))
	last := strconv.Itoa(pageCount(t, path))
	png := filepath.Join(t.TempDir(), "integrity")
	run(t, "pdftoppm", "-r", "150", "-png", "-singlefile", "-f", last, "-l", last, path, png)
	// Stdout only: zbarimg complains on stderr when there is no D-Bus.
	stdout, err := exec.Command(zbar, "--raw", "-q", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	out := string(stdout)
	want := "custody:EXP-2026-04-13-0042:sha256:" + d.Integrity.ManifestSHA256
	if strings.TrimSpace(out) != want {
		t.Errorf("QR code carries %q, want %q", out, want)
	}
}

func TestInvalidItems(t *testing.T) {
	for i, it := range []Item{{}, {Message: &Message{}, Withheld: 2}, {Withheld: -1}} {
		d := sampleDocument(t)
		d.Items = []Item{{Message: &Message{ID: "ok"}}, it}
		err := Render(io.Discard, d)
		if err == nil || !strings.Contains(err.Error(), "item 1") {
			t.Errorf("case %d: err = %v, want one naming item 1", i, err)
		}
	}
	if err := Render(io.Discard, nil); err == nil {
		t.Error("nil document accepted")
	}
}

// BenchmarkRender20000 renders 20,000 text messages; it reports the peak
// heap in use as observed after the render (Go frees as it goes, so the
// resident peak is checked with /usr/bin/time -v in the report).
func BenchmarkRender20000(b *testing.B) {
	d := manyMessages(20000)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Render(&buf, d); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(size)/1e6, "MB-pdf")
	b.ReportMetric(float64(ms.Sys)/1e6, "MB-sys")
}

func TestQRPayloadTooLong(t *testing.T) {
	d := sampleDocument(t)
	d.Integrity.QRPayload = strings.Repeat("x", 5000)
	err := Render(io.Discard, d)
	if err == nil || !strings.Contains(err.Error(), "QR payload") {
		t.Errorf("err = %v, want one naming the QR payload", err)
	}
}

func TestWithheldMarker(t *testing.T) {
	d := sampleDocument(t)
	d.Items = append(d.Items, Item{Withheld: 1})
	text := extract(t, render(t, d))
	for _, want := range []string{"2 messages withheld by the exporter", "1 message withheld by the exporter"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q", want)
		}
	}
}

func solidPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i % 251)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImagesFitThePage checks, from pdfimages' resolution figures, that a
// very tall and a very wide image are drawn within the text area.
func TestImagesFitThePage(t *testing.T) {
	d := sampleDocument(t)
	d.Items = []Item{{Message: &Message{ID: "m1", Text: "Imágenes", Attachments: []Attachment{
		bytesAttachment("alta.png", "image/png", solidPNG(t, 200, 3000)),
		bytesAttachment("ancha.png", "image/png", solidPNG(t, 3000, 200)),
	}}}}
	list := run(t, "pdfimages", "-list", writeTemp(t, render(t, d)))
	if n := countImages(list); n != 2 {
		t.Fatalf("%d images, want 2:\n%s", n, list)
	}
	for line := range strings.Lines(list) {
		f := strings.Fields(line)
		if len(f) < 14 || f[2] != "image" {
			continue
		}
		w, _ := strconv.ParseFloat(f[3], 64)
		h, _ := strconv.ParseFloat(f[4], 64)
		xppi, _ := strconv.ParseFloat(f[12], 64)
		yppi, _ := strconv.ParseFloat(f[13], 64)
		// Drawn size in points = pixels / ppi × 72.
		if dw, dh := w/xppi*72, h/yppi*72; dw > contentW+2 || dh > bodyBottom-marginTop {
			t.Errorf("image %v×%v px drawn %.0f×%.0f pt, outside the %.0f×%.0f text area", w, h, dw, dh, contentW, bodyBottom-marginTop)
		}
	}
}
