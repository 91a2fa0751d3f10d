package gopdf_test

import (
	"bytes"
	"strconv"
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
// place-holder on every page, as the renderer does.
func draw(t *testing.T, d document, setFont func() error, pages int) []byte {
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
	if err := d.FillInPlaceHoldText("total", strconv.Itoa(pages), upstream.Left); err != nil {
		t.Fatal(err)
	}
	out, err := d.GetBytesPdfReturnErr()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSameBytesAsUpstream: the fork, which packs each finished page, writes
// exactly what github.com/signintech/gopdf v0.33.0 writes, compressed or not.
func TestSameBytesAsUpstream(t *testing.T) {
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
		want := draw(t, &u, func() error { return u.SetFont("regular", "", 10) }, 25)
		got := draw(t, &f, func() error { return f.SetFont("regular", "", 10) }, 25)
		if !bytes.Equal(got, want) {
			t.Errorf("compress %v: the fork's PDF (%d bytes) differs from upstream's (%d bytes)", compress, len(got), len(want))
		}
	}
}
