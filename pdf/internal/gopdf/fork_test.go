package gopdf_test

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	upstream "github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/goregular"

	fork "github.com/custody-toolkit/custody/pdf/internal/gopdf"
)

// document is the subset of gopdf's API a test document is drawn with,
// which the fork and the upstream package share.
type document interface {
	AddPage()
	SetXY(x, y float64)
	Text(s string) error
	SetTextColor(r, g, b uint8)
	Line(x1, y1, x2, y2 float64)
	PlaceHolderText(name string, width float64) error
	FillInPlaceHoldText(name, text string, align int) error
	GetBytesPdfReturnErr() ([]byte, error)
}

// draw lays out pages of text, colour changes, lines and a "page X of Y"
// place-holder on every page, as the renderer does, and writes them.
func draw(t *testing.T, d document, setFont func() error, pages, align int) []byte {
	t.Helper()
	drawPages(t, d, setFont, pages)
	if err := d.FillInPlaceHoldText("total", strconv.Itoa(pages), align); err != nil {
		t.Fatal(err)
	}
	out, err := d.GetBytesPdfReturnErr()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// drawPages draws the pages of draw.
func drawPages(t *testing.T, d document, setFont func() error, pages int) {
	t.Helper()
	for p := 1; p <= pages; p++ {
		d.AddPage()
		if err := setFont(); err != nil {
			t.Fatal(err)
		}
		for i := range 40 {
			d.SetTextColor(uint8(i), 0, 0)
			d.SetXY(50, float64(60+i*18))
			if err := d.Text("Línea " + strconv.Itoa(i) + " de la página " + strconv.Itoa(p) + " ¿qué tal?"); err != nil {
				t.Fatal(err)
			}
			d.Line(50, float64(62+i*18), 500, float64(62+i*18))
		}
		d.SetXY(280, 820)
		if err := d.Text("page " + strconv.Itoa(p) + " of "); err != nil {
			t.Fatal(err)
		}
		if err := d.PlaceHolderText("total", 30); err != nil {
			t.Fatal(err)
		}
		if err := d.Text(" (end)"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSameBytesAsUpstream: the fork, which packs each finished page, writes
// exactly what github.com/signintech/gopdf v0.33.0 writes, compressed or
// not, with its finished pages kept as they are, deflated, or the first
// ones as they are and the next deflated (RawPagesMax).
func TestSameBytesAsUpstream(t *testing.T) {
	defer func(saved int64) { fork.RawPagesMax = saved }(fork.RawPagesMax)
	for _, raw := range []int64{fork.RawPagesMax, 0, 20_000} {
		fork.RawPagesMax = raw
		sameBytesAsUpstream(t)
	}
}

func sameBytesAsUpstream(t *testing.T) {
	for _, compress := range []bool{false, true} {
		var u upstream.GoPdf
		u.Start(upstream.Config{PageSize: *upstream.PageSizeA4, Unit: upstream.UnitPT})
		var f fork.GoPdf
		f.Start(fork.Config{PageSize: *fork.PageSizeA4, Unit: fork.UnitPT})
		if !compress {
			u.SetNoCompression()
			f.SetNoCompression()
		}
		if err := u.AddTTFFontData("regular", goregular.TTF); err != nil {
			t.Fatal(err)
		}
		if err := f.AddTTFFontData("regular", goregular.TTF); err != nil {
			t.Fatal(err)
		}
		want := draw(t, &u, func() error { return u.SetFont("regular", "", 10) }, 25, upstream.Left)
		got := draw(t, &f, func() error { return f.SetFont("regular", "", 10) }, 25, fork.Left)
		if !bytes.Equal(got, want) {
			t.Errorf("compress %v, RawPagesMax %d: the fork's PDF (%d bytes) differs from upstream's (%d bytes)", compress, fork.RawPagesMax, len(got), len(want))
		}
	}
}

// upstreamPDF is draw's document as github.com/signintech/gopdf writes it.
func upstreamPDF(t *testing.T, compress bool, pages, align int) []byte {
	var u upstream.GoPdf
	u.Start(upstream.Config{PageSize: *upstream.PageSizeA4, Unit: upstream.UnitPT})
	if !compress {
		u.SetNoCompression()
	}
	if err := u.AddTTFFontData("regular", goregular.TTF); err != nil {
		t.Fatal(err)
	}
	return draw(t, &u, func() error { return u.SetFont("regular", "", 10) }, pages, align)
}

// forkPDF starts draw's document with the fork, font added.
func forkPDF(t *testing.T, compress bool) (*fork.GoPdf, func() error) {
	f := &fork.GoPdf{}
	f.Start(fork.Config{PageSize: *fork.PageSizeA4, Unit: fork.UnitPT})
	if !compress {
		f.SetNoCompression()
	}
	if err := f.AddTTFFontData("regular", goregular.TTF); err != nil {
		t.Fatal(err)
	}
	return f, func() error { return f.SetFont("regular", "", 10) }
}

// TestTwoPassesWriteAsUpstream: a layout pass that drops its pages and a
// writing pass that writes each as it is finished give, together, what
// upstream writes in one pass, compressed or not, with the page total
// aligned left or right; so does a document that drops its pages only
// past a budget.
func TestTwoPassesWriteAsUpstream(t *testing.T) {
	const pages = 25
	for _, compress := range []bool{false, true} {
		for _, align := range []int{fork.Left, fork.Right} {
			for _, budget := range []int64{0, 8 << 10} {
				layout, setFont := forkPDF(t, compress)
				layout.DropPagesBeyond(budget)
				drawPages(t, layout, setFont, pages)
				if layout.KeptPages() {
					t.Fatalf("budget %d: the layout pass kept its pages", budget)
				}
				if err := layout.FinishPages(); err != nil {
					t.Fatal(err)
				}
				if err := layout.FillInPlaceHoldText("total", strconv.Itoa(pages), align); err != nil {
					t.Fatal(err)
				}
				writing, setFont := forkPDF(t, compress)
				var got bytes.Buffer
				if err := layout.WritePagesOf(writing, &got); err != nil {
					t.Fatal(err)
				}
				writing.PresetPlaceHolderText("total", strconv.Itoa(pages), align)
				drawPages(t, writing, setFont, pages)
				if err := writing.FinishPages(); err != nil {
					t.Fatal(err)
				}
				if want := upstreamPDF(t, compress, pages, align); !bytes.Equal(got.Bytes(), want) {
					t.Errorf("compress %v, align %d, budget %d: two passes wrote %d bytes, upstream %d, not the same",
						compress, align, budget, got.Len(), len(want))
				}
			}
		}
	}
}

// TestWritingPassOutOfStep: a writing pass that draws fewer pages, or an
// object more, than the layout pass fails; it never writes a wrong PDF.
func TestWritingPassOutOfStep(t *testing.T) {
	for name, draw := range map[string]func(w *fork.GoPdf, setFont func() error){
		"a page fewer": func(w *fork.GoPdf, setFont func() error) { drawPages(t, w, setFont, 2) },
		"a font more": func(w *fork.GoPdf, setFont func() error) {
			if err := w.AddTTFFontData("other", goregular.TTF); err != nil {
				t.Fatal(err)
			}
			drawPages(t, w, setFont, 3)
		},
	} {
		layout, setFont := forkPDF(t, false)
		layout.DropPagesBeyond(0)
		drawPages(t, layout, setFont, 3)
		if err := layout.FinishPages(); err != nil {
			t.Fatal(err)
		}
		writing, setFont := forkPDF(t, false)
		if err := layout.WritePagesOf(writing, io.Discard); err != nil {
			t.Fatal(err)
		}
		draw(writing, setFont)
		if err := writing.FinishPages(); err == nil || !strings.Contains(err.Error(), "writing pass") {
			t.Errorf("%s: FinishPages: %v, want an error about the writing pass", name, err)
		}
	}
}
