package pdf

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// boxesDocument has, on its first page, a message with missing
// attachments and listed files (not images) after one another: the
// boxes after the first on a page are where custody-pdf/1 to /3 fill with
// the text's colour.
func boxesDocument(layout4 bool) *Document {
	missing := func(name string) Attachment {
		a := Attachment{Name: name, Type: "image/jpeg", Size: 48213, SHA256: strings.Repeat("ab", 32)}
		if layout4 {
			a.Missing = true
		} else {
			a.Name += " (missing from the source export)"
		}
		return a
	}
	listed := Attachment{Name: "informe.pdf", Type: "application/pdf", Size: 1200, SHA256: strings.Repeat("cd", 32)}
	msg := &Message{ID: "m1", Time: "2026-04-12 09:14:03 +02:00", SenderName: "Ana", SenderRole: "patient",
		Text:        "Le mando las fotos",
		Attachments: []Attachment{missing("IMG-0001.jpg"), missing("IMG-0002.jpg"), listed, missing("IMG-0003.jpg")}}
	d := &Document{Title: "Consulta", ExportID: "x1", Selected: 1, Total: 1, Items: []Item{{Message: msg}},
		Layout4: layout4, Selection: "all 1 messages", AttachmentCounts: "4 referenced, 1 included", TimeZone: "Europe/Madrid"}
	return d
}

// renderBoxes renders d and returns the PDF and the boxes drawn.
func renderBoxes(t *testing.T, d *Document) ([]byte, []box) {
	t.Helper()
	r, err := newRenderer(d)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.render(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), r.boxes
}

// TestAttachmentBoxesAreLight rasterises the first page and measures each
// attachment box: a box must read as a light box with text, never as a
// dark block a reader takes for something blacked out. The earlier
// layouts' bug is kept (their renderings are sealed) and shown, so that
// the measure is known to see it.
func TestAttachmentBoxesAreLight(t *testing.T) {
	for _, layout4 := range []bool{true, false} {
		data, boxes := renderBoxes(t, boxesDocument(layout4))
		if len(boxes) != 4 {
			t.Fatalf("layout4=%v: %d boxes drawn, want 4", layout4, len(boxes))
		}
		page := rasterise(t, data, 1)
		for i, b := range boxes {
			mean := page.mean(b)
			t.Logf("layout4=%v box %d: mean luminance %.0f", layout4, i+1, mean)
			dark := mean < 200
			if layout4 && dark {
				t.Errorf("custody-pdf/4: box %d has mean luminance %.0f: a dark block", i+1, mean)
			}
			if !layout4 && i > 0 && !dark {
				t.Errorf("custody-pdf/3: box %d has mean luminance %.0f; the measure no longer sees the known dark box", i+1, mean)
			}
		}
		if layout4 {
			text := run(t, "pdftotext", "-enc", "UTF-8", writeTemp(t, data), "-")
			if n := strings.Count(text, "Not included in the source export"); n != 3 {
				t.Errorf("%d boxes say the file is not included, want 3:\n%s", n, text)
			}
		}
	}
}

// grey is a rasterised page at 72 dpi: one pixel per point.
type grey struct {
	w, h int
	pix  []byte
}

// mean is the mean luminance (0 black, 255 white) inside b, its border
// left out.
func (g grey) mean(b box) float64 {
	var sum, n float64
	for y := int(b.y) + 2; y < int(b.y+b.h)-1 && y < g.h; y++ {
		for x := int(b.x) + 2; x < int(b.x+b.w)-1 && x < g.w; x++ {
			sum += float64(g.pix[y*g.w+x])
			n++
		}
	}
	return sum / n
}

// rasterise renders page n of a PDF with poppler's pdftoppm, in grey.
func rasterise(t *testing.T, pdf []byte, n int) grey {
	t.Helper()
	out := filepath.Join(t.TempDir(), "page")
	page := fmt.Sprint(n)
	run(t, "pdftoppm", "-gray", "-r", "72", "-f", page, "-l", page, "-singlefile", writeTemp(t, pdf), out)
	f, err := os.Open(out + ".pgm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var g grey
	var maxval int
	if _, err := fmt.Fscan(br, new(string), &g.w, &g.h, &maxval); err != nil || maxval != 255 {
		t.Fatalf("pdftoppm output: %v (maxval %d)", err, maxval)
	}
	br.ReadByte() // the one whitespace after the header
	g.pix = make([]byte, g.w*g.h)
	if _, err := io.ReadFull(br, g.pix); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestEmojiDrawnAndExtracted: custody-pdf/4 draws emoji with the embedded
// monochrome font, and a text extractor gets them back (the ToUnicode
// map of characters above U+FFFF, fixed in the gopdf fork); earlier
// layouts keep their visible substitutes.
func TestEmojiDrawnAndExtracted(t *testing.T) {
	text := "Me tomé un paracetamol 😷 y gracias ❤️ 👍"
	for _, layout4 := range []bool{true, false} {
		d := boxesDocument(layout4)
		d.Items[0].Message.Text = text
		d.Items[0].Message.Attachments = nil
		got := run(t, "pdftotext", "-enc", "UTF-8", writeTemp(t, render(t, d)), "-")
		if layout4 {
			for _, want := range []string{"paracetamol 😷", "❤", "👍"} {
				if !strings.Contains(got, want) {
					t.Errorf("custody-pdf/4: the text lacks %q:\n%s", want, got)
				}
			}
			if strings.Contains(got, "[U+") {
				t.Errorf("custody-pdf/4: a substitute printed:\n%s", got)
			}
		} else if !strings.Contains(got, "paracetamol [U+1F637]") {
			t.Errorf("earlier layouts: the substitute is gone:\n%s", got)
		}
	}
}
