package reportpdf

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// doc lays text out top to bottom on A4 pages, wrapping words to the
// width and starting a page when one is full.
type doc struct {
	pdf  *gopdf.GoPdf
	y    float64
	page int
	font string // the font in use, restored after a page's footer
	size float64
}

func newDoc() (*doc, error) {
	d := &doc{pdf: &gopdf.GoPdf{}}
	d.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	d.pdf.SetInfo(gopdf.PdfInfo{Title: "Verification report", Creator: "custody-verify", Producer: "custody-verify"})
	for _, style := range []int{regular, bold, mono} { // in order: the same bytes every time
		if err := d.pdf.AddTTFFontData(fontNames[style], fontData[style]); err != nil {
			return nil, fmt.Errorf("report: font: %w", err)
		}
	}
	d.newPage()
	return d, nil
}

func (d *doc) newPage() {
	font, size := d.font, d.size
	d.pdf.AddPage()
	d.page++
	d.y = margin
	d.setFont(small)
	d.pdf.SetTextColor(90, 90, 90)
	d.pdf.SetXY(margin, pageH-margin/2)
	d.pdf.Text(fmt.Sprintf("custody verification report, page %d", d.page))
	d.pdf.SetTextColor(0, 0, 0)
	if font != "" {
		d.use(font, size)
	}
}

func (d *doc) setFont(style int) { d.use(fontName(style), sizeOf(style)) }

func (d *doc) use(font string, size float64) {
	if err := d.pdf.SetFont(font, "", size); err != nil {
		panic(err) // the fonts were added in newDoc; Write recovers
	}
	d.font, d.size = font, size
}

func (d *doc) title(text string) {
	d.use(fontNames[bold], 18)
	d.line(margin, text, 26)
}

// keepLines starts a page unless n lines of body text fit on this one.
func (d *doc) keepLines(n int) {
	if d.y+float64(n)*sizeOf(regular)*1.35+4 > pageH-margin {
		d.newPage()
	}
}

func (d *doc) heading(text string) {
	d.y += 8
	d.keepLines(4) // keep a heading with what follows
	d.use(fontNames[bold], 12.5)
	d.line(margin, text, 20)
}

// para writes text in style, wrapped, with a little space after.
func (d *doc) para(style int, text string) {
	d.wrapped(style, margin, textW, text)
	d.y += 4
}

// indented writes text under the previous line, indented.
func (d *doc) indented(style int, text string) {
	d.wrapped(style, margin+18, textW-18, text)
	d.y += 4
}

// field writes "Label: value", the value wrapped beside the label.
func (d *doc) field(label, value string) {
	const labelW = 105.0
	d.setFont(bold)
	if d.y+sizeOf(bold) > pageH-margin {
		d.newPage()
	}
	d.pdf.SetXY(margin, d.y+sizeOf(regular)*1.35*0.75) // the baseline of the value's first line
	d.pdf.Text(printable(label))
	d.wrapped(regular, margin+labelW, textW-labelW, value)
	d.y += 2
}

func (d *doc) wrapped(style int, x, width float64, text string) {
	d.setFont(style)
	lead := sizeOf(style) * 1.35
	for _, l := range d.wrap(printable(text), width) {
		d.line(x, l, lead)
	}
}

// line writes one line at x and moves down by lead, on a new page if
// this one is full.
func (d *doc) line(x float64, text string, lead float64) {
	if d.y+lead > pageH-margin {
		d.newPage()
	}
	d.pdf.SetXY(x, d.y+lead*0.75)
	d.pdf.Text(text)
	d.y += lead
}

// wrap breaks text into lines of at most width at spaces, and inside a
// word longer than a line (a digest); line breaks in text are kept.
func (d *doc) wrap(text string, width float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		cur := ""
		for _, word := range strings.Fields(para) {
			next := word
			if cur != "" {
				next = cur + " " + word
			}
			if d.width(next) <= width {
				cur = next
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
			}
			cur = word
			for d.width(cur) > width {
				n := d.fit(cur, width)
				lines = append(lines, cur[:n])
				cur = cur[n:]
			}
		}
		lines = append(lines, cur)
	}
	return lines
}

// fit is how many bytes of s, cut at a character, fit in width (at least
// one character).
func (d *doc) fit(s string, width float64) int {
	n := 0
	for i, r := range s {
		if i > 0 && d.width(s[:i+len(string(r))]) > width {
			break
		}
		n = i + len(string(r))
	}
	return n
}

func (d *doc) width(s string) float64 {
	w, err := d.pdf.MeasureTextWidth(s)
	if err != nil {
		return float64(len(s)) * 10 // unmeasurable: assume wide
	}
	return w
}

// goRegular answers whether the Go fonts draw a character.
var goRegular, _ = sfnt.Parse(goregular.TTF)

// printable replaces what the fonts cannot draw (emoji, CJK, control and
// bidirectional control characters) by a visible "[U+XXXX]": the report
// drops no character, and text from the file cannot reorder or hide the
// report's own lines. Line breaks are kept.
func printable(s string) string {
	var b strings.Builder
	var buf sfnt.Buffer
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\t':
			b.WriteRune(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), !drawable(&buf, r):
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func drawable(buf *sfnt.Buffer, r rune) bool {
	if goRegular == nil {
		return r < 0x80
	}
	i, err := goRegular.GlyphIndex(buf, r)
	return err == nil && i != 0
}
