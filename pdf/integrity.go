package pdf

import (
	"fmt"
	"image/color"
	"sync"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// integrityPage draws the last page: what identifies the sealed bundle and
// how to check it.
func (r *renderer) integrityPage() {
	in := r.d.Integrity
	r.newPage()
	w := r.words
	r.paragraph(r.st.title, w.IntegrityTitle, marginX, contentW, 22, ink)
	r.y += 2
	r.paragraph(r.st.small, w.IntegrityIntro, marginX, contentW, smallLeading, muted)
	r.y += 6
	r.hrule(ink, 0.9)
	r.y += 8

	r.keyValue(w.ExportID, r.d.ExportID, r.st.body, 15)
	if r.d.Layout4 {
		r.keyValue(w.Messages, r.d.Selection, r.st.body, 15)
		r.keyValue(w.Attachments, r.d.AttachmentCounts, r.st.body, 15)
	}
	r.keyValue(w.ManifestSHA256, orDash(in.ManifestSHA256), r.st.mono, 15)
	r.keyValue(w.ChainHead, orDash(in.ChainHead), r.st.mono, 15)
	r.keyValue(w.SignerFingerprint, orDash(in.SignerFingerprint), r.st.mono, 15)
	if len(in.Timestamps) == 0 {
		r.keyValue(w.Timestamps, w.None, r.st.body, 15)
	}
	for i, ts := range in.Timestamps {
		at := ts.Time.UTC().Format("2006-01-02 15:04:05 UTC")
		if r.d.Dates != nil {
			at = r.d.Dates.UTC(ts.Time)
		}
		r.keyValue(fmt.Sprintf(w.TimestampN, i+1), at, r.st.body, 15)
		r.y -= 2
		r.paragraph(r.st.small, w.By+orDash(ts.TSA), marginX+labelColumn, contentW-labelColumn, smallLeading, muted)
		if r.d.Layout4 && ts.CertSHA256 != "" {
			r.paragraph(r.st.mono, w.TSACertificate+" "+ts.CertSHA256, marginX+labelColumn, contentW-labelColumn, smallLeading, muted)
		}
		r.y += 3
	}

	if len(in.Commands) > 0 {
		r.y += 10
		r.need(smallLeading * 3)
		r.paragraph(r.st.smallBold, w.ToVerify, marginX, contentW, smallLeading+3, ink)
		r.codeBlock(in.Commands)
	}

	r.y += 16
	r.drawQR(r.qr, r.qrPayload)
}

// encodeQR makes the QR code up front, so that a payload too long for one
// fails before any page is drawn.
func encodeQR(d *Document) (barcode.Barcode, string, error) {
	payload := d.Integrity.QRPayload
	if payload == "" {
		payload = fmt.Sprintf("custody:%s:sha256:%s", d.ExportID, d.Integrity.ManifestSHA256)
	}
	code, err := recentQR.encode(payload)
	if err != nil {
		return nil, "", fmt.Errorf("pdf: integrity QR payload: %w", err)
	}
	return code, payload, nil
}

// recentQR keeps the codes of the last payloads encoded. Choosing a QR
// code's mask scores all eight (boombuler/barcode's calcPenalty), a third
// of a small bundle's rendering; a bundle is rendered up to four times in
// one process with the same payload (export: record.pdf, the standalone
// PDF's pages and their read-back; verification: record.pdf, the
// standalone PDF's pages), and a process may verify several bundles at
// once (a test suite, a server), so a few payloads are kept, not one. The
// code is a function of the payload, and is only read.
var recentQR qrCache

// qrCached is how many payloads recentQR keeps, a few kilobytes each.
const qrCached = 8

type qrCache struct {
	mu    sync.Mutex
	codes []cachedQR // the most recent last
}

type cachedQR struct {
	payload string
	code    barcode.Barcode
}

func (c *qrCache) encode(payload string) (barcode.Barcode, error) {
	if code := c.find(payload); code != nil {
		return code, nil
	}
	code, err := qr.Encode(payload, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.codes) == qrCached {
		c.codes = append(c.codes[:0], c.codes[1:]...)
	}
	c.codes = append(c.codes, cachedQR{payload, code})
	return code, nil
}

func (c *qrCache) find(payload string) barcode.Barcode {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.codes {
		if e.payload == payload {
			return e.code
		}
	}
	return nil
}

// drawQR draws the code as filled modules (vector, so it prints sharp at
// any size) with its payload printed beneath as text.
func (r *renderer) drawQR(code barcode.Barcode, payload string) {
	n := code.Bounds().Max.X
	const quiet = 4 // modules of white border
	module := min(2.8, 140/float64(n+2*quiet))
	side := module * float64(n+2*quiet)
	r.need(side + 3*smallLeading)
	x0, y0 := marginX, r.y
	r.setFill(0)
	for y := range n {
		for x := 0; x < n; {
			if !dark(code.At(x, y)) {
				x++
				continue
			}
			run := x
			for run < n && dark(code.At(run, y)) {
				run++
			}
			// Overlap by a hair so viewers draw no seams between modules.
			r.pdf.RectFromUpperLeftWithStyle(x0+float64(x+quiet)*module, y0+float64(y+quiet)*module,
				float64(run-x)*module+0.05, module+0.05, "F")
			x = run
		}
	}
	r.y += side
	caption := r.d.Integrity.QRCaption
	if caption == "" {
		caption = "QR code: export ID and manifest SHA-256"
	}
	r.paragraph(r.st.small, caption, marginX+quiet*module, contentW, smallLeading, muted)
	r.paragraph(r.st.mono, payload, marginX+quiet*module, contentW, smallLeading, muted)
}

func dark(c color.Color) bool {
	g := color.GrayModel.Convert(c).(color.Gray)
	return g.Y < 128
}

// codeBlock draws command lines in monospace on a shaded box.
func (r *renderer) codeBlock(lines []string) {
	const pad = 6.0
	w := contentW - 2*pad
	saved := r.st.mono.Width
	r.st.mono.Width = w
	n := 0
	for _, c := range lines {
		n += len(r.st.mono.Lines(c))
	}
	r.st.mono.Width = saved
	h := float64(n)*smallLeading + 2*pad
	if h <= bodyBottom-marginTop {
		r.need(h)
	}
	if r.y+h <= bodyBottom { // a block longer than a page goes unshaded
		r.setFill(shadeB)
		r.pdf.RectFromUpperLeftWithStyle(marginX, r.y, contentW, h, "F")
	}
	r.y += pad
	for _, c := range lines {
		r.paragraph(r.st.mono, c, marginX+pad, w, smallLeading, ink)
	}
	r.y += pad
}
