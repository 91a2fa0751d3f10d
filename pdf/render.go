package pdf

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/boombuler/barcode"
	"github.com/custody-toolkit/custody/pdf/internal/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/pdf/fonts"
	"github.com/custody-toolkit/custody/pdf/internal/pdfpack"
	"github.com/custody-toolkit/custody/pdf/internal/textlayout"
)

// Page geometry, in points (A4).
const (
	pageW        = 595.28
	pageH        = 841.89
	marginX      = 56.0
	marginTop    = 56.0
	contentW     = pageW - 2*marginX
	bodyBottom   = pageH - 66 // lowest baseline for body text
	footerY      = pageH - 34 // footer baseline
	labelColumn  = 150.0      // width of the label column in key/value blocks
	bodySize     = 10.0
	bodyLeading  = 13.6
	smallSize    = 8.5
	smallLeading = 11.5
	monoSize     = 7.8
)

// Colours, grey levels 0-255.
const (
	ink    = 25
	muted  = 95
	faint  = 150
	rule   = 200
	shadeB = 244 // box background
)

// styles are the setters text is laid out with.
type styles struct {
	body, bold, small, smallBold, mono, title *textlayout.Setter
}

type renderer struct {
	d            *Document
	pdf          *gopdf.GoPdf
	words        *lang.RecordLabels
	uncompressed bool // RenderUncompressed

	st                             styles
	registered                     map[*textlayout.Face]bool
	face                           *textlayout.Face // current font and size in the PDF, to skip redundant changes
	size                           float64
	textGrey, strokeGrey, fillGrey int

	qr        barcode.Barcode
	qrPayload string

	page      int
	embedded  int64                      // image bytes embedded so far (MaxEmbeddedBytes)
	fills     map[int]pdfpack.Substitute // image data of stubs, by object number
	continued string                     // the message being drawn, for pages it runs onto
	boxes     []box                      // the attachment boxes drawn, for tests that look at them
	y         float64                    // top of the free space on the current page
}

// box is a rectangle on a page, in points from the page's upper left.
type box struct {
	page       int
	x, y, w, h float64
}

// parseFaces parses the fonts a renderer draws with, by name; the emoji
// font from custody-pdf/4 on.
func parseFaces(layout4 bool) (map[string]*textlayout.Face, error) {
	faces := map[string][]byte{
		"regular": goregular.TTF, "bold": gobold.TTF, "mono": gomono.TTF,
		"hebrew": fonts.Hebrew, "arabic": fonts.Arabic,
	}
	if layout4 {
		faces["emoji"] = fonts.Emoji
	}
	f := map[string]*textlayout.Face{}
	for name, ttf := range faces {
		face, err := textlayout.NewFace(name, ttf)
		if err != nil {
			return nil, fmt.Errorf("pdf: %w", err)
		}
		f[name] = face
	}
	return f, nil
}

// fallbackFaces are the faces every setter tries, in order, after its
// own: those for the scripts people write in, and emoji from
// custody-pdf/4 on. A character none of them has is drawn as its
// textlayout.Substitute (and counted by Undrawn).
func fallbackFaces(f map[string]*textlayout.Face, layout4 bool) []*textlayout.Face {
	faces := []*textlayout.Face{f["regular"], f["hebrew"], f["arabic"]}
	if layout4 {
		faces = append(faces, f["emoji"])
	}
	return faces
}

func newRenderer(d *Document) (*renderer, error) {
	if d == nil {
		return nil, errors.New("pdf: nil document")
	}
	for i, it := range d.Items {
		if err := it.check(i); err != nil {
			return nil, err
		}
	}
	code, payload, err := encodeQR(d)
	if err != nil {
		return nil, err
	}
	f, err := parseFaces(d.Layout4)
	if err != nil {
		return nil, err
	}
	set := func(size, width float64, primary ...*textlayout.Face) *textlayout.Setter {
		return &textlayout.Setter{Faces: append(primary, fallbackFaces(f, d.Layout4)...), Supplementary: d.Layout4,
			Shape: d.Layout5, Size: size, Width: width}
	}
	r := &renderer{
		d:          d,
		pdf:        &gopdf.GoPdf{},
		words:      d.Labels,
		registered: map[*textlayout.Face]bool{},
		fills:      map[int]pdfpack.Substitute{},
		qr:         code,
		qrPayload:  payload,
		textGrey:   -1,
		strokeGrey: -1,
		fillGrey:   -1,
	}
	if r.words == nil {
		r.words = &lang.English.Record
	}
	r.st = styles{
		body:      set(bodySize, contentW, f["regular"]),
		bold:      set(bodySize, contentW, f["bold"]),
		small:     set(smallSize, contentW, f["regular"]),
		smallBold: set(smallSize, contentW, f["bold"]),
		mono:      set(monoSize, contentW, f["mono"]),
		title:     set(16, contentW, f["bold"]),
	}
	return r, nil
}

// render lays the document out and writes it: in one pass while its
// finished pages pack into keptPagesBudget bytes, else in two (see
// internal/gopdf's page_stream.go): the first counts the pages and
// gathers every glyph and image, the second draws the pages again and
// writes each as it is finished. Memory then does not grow with the pages.
func (r *renderer) render(w io.Writer) (err error) {
	// gopdf panics on some inputs it does not expect; a record must fail
	// with an error, never take the exporter down.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdf: rendering failed: %v", p)
		}
	}()
	if err := r.layOut(); err != nil {
		return err
	}
	onePass := r.pdf.KeptPages()
	if err := r.pdf.FinishPages(); err != nil { // nothing to finish in one pass
		return err
	}
	if err := r.pdf.FillInPlaceHoldText(totalPages, strconv.Itoa(r.page), gopdf.Left); err != nil {
		return fmt.Errorf("pdf: page count: %w", err)
	}
	if onePass {
		return r.pack(w, func(out io.Writer) error {
			_, err := r.pdf.WriteTo(out)
			return err
		})
	}
	return r.pack(w, r.drawAgain)
}

// keptPagesBudget is how many bytes of packed pages a document keeps to
// be written in one pass: the first gopdf.RawPagesMax bytes as they are
// (about 140 pages), then about 2 KB a page, some 3,000 pages in all;
// tests set it to 0 to make every document in two.
var keptPagesBudget int64 = 8 << 20

// layOut draws the document from its start.
func (r *renderer) layOut() error {
	info := gopdf.PdfInfo{Title: r.d.Title, Subject: "Export " + r.d.ExportID, Creator: "custody", Producer: "custody"}
	if v, ok := os.LookupEnv("SOURCE_DATE_EPOCH"); ok && v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("pdf: SOURCE_DATE_EPOCH %q is not a number of seconds", v)
		}
		info.CreationDate = time.Unix(sec, 0).UTC()
	}
	r.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	r.pdf.SetNoCompression() // pdfpack deflates the pages, see there why
	if r.uncompressed {
		r.pdf.SetFontFilesUncompressed()
	}
	r.pdf.SetInfo(info)
	r.pdf.DropPagesBeyond(keptPagesBudget)

	r.newPage()
	r.header()
	if err := r.items(); err != nil {
		return err
	}
	r.integrityPage()
	// The font the page total is measured in (FillInPlaceHoldText).
	return r.setFont(r.st.small.Faces[0], smallSize)
}

// drawAgain is the writing pass: a fresh renderer draws the document again
// onto a fresh gopdf, which writes each page as it is finished, with the
// page total known, among the objects of r's layout pass.
func (r *renderer) drawAgain(out io.Writer) error {
	again, err := newRenderer(r.d)
	if err != nil {
		return err
	}
	again.uncompressed = r.uncompressed
	if err := r.pdf.WritePagesOf(again.pdf, out); err != nil {
		return err
	}
	again.pdf.PresetPlaceHolderText(totalPages, strconv.Itoa(r.page), gopdf.Left)
	if err := again.layOut(); err != nil {
		return err
	}
	if err := again.pdf.FinishPages(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	if again.page != r.page || !maps.EqualFunc(again.fills, r.fills, func(a, b pdfpack.Substitute) bool { return bytes.Equal(a.Stub, b.Stub) }) {
		return errors.New("pdf: the second pass drew another document than the first (an attachment changed while it was read?)")
	}
	return nil
}

// items draws d.Items, then what d.Stream hands, checked as they come.
func (r *renderer) items() error {
	i := 0
	draw := func(it Item) error {
		if err := it.check(i); err != nil {
			return err
		}
		i++
		if it.Message != nil {
			return r.message(i-1, it.Message)
		}
		r.withheld(it.Withheld)
		return nil
	}
	for _, it := range r.d.Items {
		if err := draw(it); err != nil {
			return err
		}
	}
	if r.d.Stream == nil {
		return nil
	}
	return r.d.Stream(draw)
}

// check: exactly one of an item's fields is set.
func (it Item) check(i int) error {
	if (it.Message == nil) == (it.Withheld <= 0) {
		return fmt.Errorf("pdf: item %d: exactly one of Message or a positive Withheld must be set", i)
	}
	return nil
}

// pack streams gopdf's uncompressed output, written by write in a
// goroutine, through pdfpack, which compresses the pages and fills in the
// images. The writer's error comes first: the writing pass checks, after
// its last byte, that it drew the document of the layout pass.
func (r *renderer) pack(w io.Writer, write func(io.Writer) error) error {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	var writeErr error
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				writeErr = fmt.Errorf("pdf: writing failed: %v", p)
				if e, ok := p.(error); ok {
					writeErr = fmt.Errorf("pdf: writing failed: %w", e)
				}
			}
			pw.CloseWithError(cmp.Or(writeErr, io.EOF))
		}()
		writeErr = write(pw)
	}()
	pack := pdfpack.Pack
	if r.uncompressed {
		pack = pdfpack.PackUncompressed
	}
	err := pack(w, pr, r.fills)
	pr.CloseWithError(errAbandoned) // unblocks the writer on error
	<-done                          // the writing pass stops at its next page (newPage)
	if writeErr != nil && !errors.Is(writeErr, errAbandoned) {
		return writeErr
	}
	return err
}

var errAbandoned = errors.New("pdf: output abandoned")

const totalPages = "total-pages"

// newPage starts a page and draws its footer; the page total is a
// placeholder filled in when the last page is known.
func (r *renderer) newPage() {
	r.pdf.AddPage()
	if err := r.pdf.WriteError(); err != nil {
		panic(err) // the writing pass cannot write: no use drawing on
	}
	r.page++
	r.y = marginTop
	r.textGrey, r.strokeGrey, r.fillGrey = -1, -1, -1 // each page starts in black

	r.setStroke(rule)
	r.pdf.SetLineWidth(0.5)
	r.pdf.Line(marginX, footerY-11, pageW-marginX, footerY-11)

	s := r.st.small
	left := s.Line(r.words.Export + r.d.ExportID)
	r.drawLine(left, marginX, footerY, muted, smallSize)

	ref := r.d.Integrity.FooterRef
	if ref == "" {
		digest := r.d.Integrity.ManifestSHA256
		if len(digest) > 16 {
			digest = digest[:16]
		}
		ref = "manifest sha256 " + digest
	}
	right := s.Line(ref)
	r.drawLine(right, pageW-marginX-right.Width, footerY, muted, smallSize)

	// "page X of " then the total, centred on a guessed total width.
	pg := s.Line(fmt.Sprintf(r.words.Page, r.page))
	x := pageW/2 - (pg.Width+12)/2
	r.drawLine(pg, x, footerY, muted, smallSize)
	r.pdf.SetXY(x+pg.Width, footerY)
	_ = r.pdf.PlaceHolderText(totalPages, 30)

	if r.continued != "" {
		// A message split over pages says whose it is at the top.
		r.paragraph(r.st.small, r.continued+r.words.Continued, marginX, contentW, smallLeading, faint)
		r.y += 4
	}
}

// need makes sure h points of height are free on the page, or starts a new one.
func (r *renderer) need(h float64) {
	if r.y+h > bodyBottom {
		r.newPage()
	}
}

// setText, setStroke and setFill change a colour only when it differs:
// every change is an operation gopdf holds in memory until the end.
func (r *renderer) setText(g int) {
	if g != r.textGrey {
		r.pdf.SetTextColor(uint8(g), uint8(g), uint8(g))
		r.textGrey = g
	}
}

func (r *renderer) setStroke(g int) {
	if g != r.strokeGrey {
		r.pdf.SetStrokeColor(uint8(g), uint8(g), uint8(g))
		r.strokeGrey = g
	}
}

func (r *renderer) setFill(g int) {
	if g != r.fillGrey {
		r.pdf.SetFillColor(uint8(g), uint8(g), uint8(g))
		r.fillGrey = g
	}
}

func (r *renderer) setFont(f *textlayout.Face, size float64) error {
	if !r.registered[f] {
		opt := gopdf.TtfOption{Style: gopdf.Regular, OnGlyphNotFoundSubstitute: gopdf.DefaultOnGlyphNotFoundSubstitute}
		if r.d.Layout5 {
			opt.ToUnicode = textlayout.Letters // joined letters extract as the letters sent
		}
		if err := r.pdf.AddTTFFontDataWithOption(f.Name, f.TTF, opt); err != nil {
			return fmt.Errorf("pdf: font %s: %w", f.Name, err)
		}
		r.registered[f] = true
		r.face = nil
	}
	if f == r.face && size == r.size {
		return nil
	}
	if err := r.pdf.SetFont(f.Name, "", size); err != nil {
		return fmt.Errorf("pdf: font %s: %w", f.Name, err)
	}
	r.face, r.size = f, size
	return nil
}

// drawLine draws a laid-out line with its left edge at x and its baseline
// at y.
func (r *renderer) drawLine(l textlayout.Line, x, y float64, grey int, size float64) {
	r.setText(grey)
	for _, sp := range l.Spans {
		if strings.TrimSpace(sp.Text) == "" {
			continue
		}
		if err := r.setFont(sp.Face, size); err != nil {
			panic(err) // the embedded fonts are known good
		}
		r.pdf.SetXY(x+sp.X, y)
		if sp.ActualText != "" {
			r.pdf.BeginActualText(sp.ActualText)
		}
		if err := r.pdf.Text(sp.Text); err != nil {
			panic(fmt.Errorf("pdf: text: %w", err))
		}
		if sp.ActualText != "" {
			r.pdf.EndActualText()
		}
		if r.d.Layout4 {
			r.fillGrey = grey // text is drawn in the fill colour
		}
	}
}

// paragraph lays out and draws text at x in the given width, breaking pages
// as needed, and advances y.
func (r *renderer) paragraph(s *textlayout.Setter, text string, x, width, leading float64, grey int) {
	saved := s.Width
	s.Width = width
	lines := s.Lines(text)
	s.Width = saved
	for _, l := range lines {
		r.need(leading)
		lx := x
		if l.RTL {
			lx = x + width - l.Width
		}
		r.drawLine(l, lx, r.y+leading*0.78, grey, s.Size)
		r.y += leading
	}
}

// keyValue draws a label in the left column and its value beside it.
func (r *renderer) keyValue(label, value string, valueStyle *textlayout.Setter, leading float64) {
	r.need(leading)
	top := r.y
	r.paragraph(r.st.small, label, marginX, labelColumn-8, leading, muted)
	r.y = top
	r.paragraph(valueStyle, value, marginX+labelColumn, contentW-labelColumn, leading, ink)
	r.y = max(r.y, top+leading)
}

func (r *renderer) hrule(grey int, width float64) {
	r.setStroke(grey)
	r.pdf.SetLineWidth(width)
	r.pdf.Line(marginX, r.y, pageW-marginX, r.y)
}

func (r *renderer) header() {
	d := r.d
	if d.Practice != "" {
		r.paragraph(r.st.title, d.Practice, marginX, contentW, 21, ink)
	}
	if d.Title != "" {
		t := *r.st.bold
		t.Size = 12.5
		r.paragraph(&t, d.Title, marginX, contentW, 17, ink)
	}
	r.y += 6
	r.hrule(ink, 0.9)
	r.y += 8
	w := r.words
	r.keyValue(w.PatientID, d.PatientID, r.st.body, 15)
	r.keyValue(w.Period, d.Period, r.st.body, 15)
	if d.Layout4 {
		r.keyValue(w.TimeZone, d.TimeZone, r.st.body, 15)
	}
	r.keyValue(w.ExportID, d.ExportID, r.st.body, 15)
	if d.Layout4 {
		r.keyValue(w.Messages, d.Selection, r.st.body, 15)
		r.keyValue(w.Attachments, d.AttachmentCounts, r.st.body, 15)
	} else {
		r.keyValue(w.Messages, fmt.Sprintf("%d of %d messages", d.Selected, d.Total), r.st.body, 15)
		r.keyValue(w.Attachments, plural(d.AttachmentCount, "attachment"), r.st.body, 15)
	}
	r.y += 6
	r.hrule(ink, 0.9)
	r.y += 14
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func (r *renderer) withheld(n int) {
	r.need(28)
	r.y += 4
	text := r.words.WithheldOne
	if n != 1 {
		text = fmt.Sprintf(r.words.WithheldMany, n)
	}
	l := r.st.small.Line(text)
	mid := r.y + 8
	r.setStroke(faint)
	r.pdf.SetLineWidth(0.5)
	gap := l.Width/2 + 10
	r.pdf.Line(marginX, mid, pageW/2-gap, mid)
	r.pdf.Line(pageW/2+gap, mid, pageW-marginX, mid)
	r.drawLine(l, pageW/2-l.Width/2, mid+3, muted, smallSize)
	r.y += 24
}
