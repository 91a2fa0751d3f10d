package gopdf

import (
	"testing"

	"golang.org/x/image/font/gofont/goregular"
)

// TestFinishedPagesArePacked: once the next page is added, a page holds
// its operations as packed runs around its place-holder, not one struct
// per operation.
func TestFinishedPagesArePacked(t *testing.T) {
	var p GoPdf
	p.Start(Config{PageSize: *PageSizeA4, Unit: UnitPT})
	if err := p.AddTTFFontData("regular", goregular.TTF); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		p.AddPage()
		if err := p.SetFont("regular", "", 10); err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			p.SetXY(50, float64(60+i*20))
			p.SetTextColor(uint8(i), 0, 0)
			if err := p.Text("text"); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.PlaceHolderText("total", 30); err != nil {
			t.Fatal(err)
		}
		p.Line(50, 800, 500, 800)
	}
	var contents []*ContentObj
	for _, o := range p.pdfObjs {
		if c, ok := o.(*ContentObj); ok {
			contents = append(contents, c)
		}
	}
	if len(contents) != 3 {
		t.Fatalf("%d content objects, want 3", len(contents))
	}
	for i, c := range contents[:2] {
		caches := c.listCache.caches
		_, before := caches[0].(*packedContent)
		text, holder := caches[1].(*cacheContentText)
		_, after := caches[len(caches)-1].(*packedContent)
		if len(caches) != 3 || !before || !holder || !text.isPlaceHolder || !after {
			t.Errorf("page %d holds %d operations (%T ...), want a packed run, the place-holder, a packed run", i+1, len(caches), caches[0])
		}
	}
	if n := len(contents[2].listCache.caches); n < 32 {
		t.Errorf("the page being drawn holds %d operations: it was packed before it was finished", n)
	}
}
