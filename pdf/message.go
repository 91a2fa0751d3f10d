package pdf

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/custody-toolkit/custody/pdf/internal/gopdf"

	"github.com/custody-toolkit/custody/pdf/internal/textlayout"
)

// message draws one message: a meta line (time, sender, role, id), labels,
// the replied-to reference, the text and the attachments.
func (r *renderer) message(index int, m *Message) error {
	// Keep the meta line with the first lines of text.
	r.need(smallLeading + 2*bodyLeading + 6)
	r.y += 4

	top := r.y
	base := r.y + smallLeading*0.8
	x := float64(marginX)
	timeL := r.st.small.Line(m.Time)
	r.drawLine(timeL, x, base, muted, smallSize)
	x += max(timeL.Width+14, 128)

	id := r.st.small.Line("#" + m.ID)
	if m.ID == "" {
		id.Spans, id.Width = nil, 0
	}
	sender := r.st.smallBold.Line(m.SenderName)
	role := r.st.small.Line(m.SenderRole)
	if x+sender.Width+role.Width+8 > pageW-marginX-id.Width-10 {
		// A long name: wrap it under the time instead.
		r.y += smallLeading
		r.paragraph(r.st.smallBold, m.SenderName+"  "+m.SenderRole, marginX, contentW, smallLeading, ink)
	} else {
		r.drawLine(sender, x, base, ink, smallSize)
		r.drawLine(role, x+sender.Width+6, base, muted, smallSize)
		r.y += smallLeading
	}
	r.drawLine(id, pageW-marginX-id.Width, base, faint, smallSize)
	r.y = max(r.y, top+smallLeading)

	if len(m.Labels) > 0 {
		r.paragraph(r.st.small, r.words.Labels+strings.Join(m.Labels, " · "), marginX, contentW, smallLeading, muted)
	}
	if m.ReplyTo != "" {
		t := r.y
		r.paragraph(r.st.small, r.words.InReplyTo+m.ReplyTo, marginX+8, contentW-8, smallLeading, muted)
		r.setStroke(rule)
		r.pdf.SetLineWidth(1.5)
		if r.y > t { // same page
			r.pdf.Line(marginX+2, t+2, marginX+2, r.y-1)
		}
	}
	r.y += 2
	r.continued = fmt.Sprintf("#%s  %s, %s", m.ID, m.SenderName, m.Time)
	defer func() { r.continued = "" }()
	r.paragraph(r.st.body, m.Text, marginX, contentW, bodyLeading, ink)

	for j, a := range m.Attachments {
		if err := r.attachment(a); err != nil {
			return fmt.Errorf("pdf: message %d (%s) attachment %d (%s): %w", index, m.ID, j, a.Name, err)
		}
	}
	r.y += 6
	r.need(4)
	r.hrule(rule, 0.4)
	r.y += 4
	return nil
}

// attachment embeds an image or lists the file.
func (r *renderer) attachment(a Attachment) error {
	if a.Missing {
		r.missingAttachment(a)
		return nil
	}
	if isImage(a) && r.embedded+a.Size > MaxEmbeddedBytes {
		r.listAttachment(a, fmt.Sprintf(r.words.TooManyImages, MaxEmbeddedBytes>>20))
		return nil
	}
	img, reason := loadImage(a, r.d.PNGAsIs, r.d.ImageStandIns)
	if img == nil {
		r.listAttachment(a, reason)
		return nil
	}
	r.embedded += r.embeddedSize(a, img)
	w, h := img.w*0.75, img.h*0.75 // pixels at 96 dpi
	if w > contentW {
		w, h = contentW, h*contentW/w
	}
	caption := 2*smallLeading + 8
	if maxH := bodyBottom - marginTop - caption - 8; h > maxH {
		w, h = w*maxH/h, maxH
	}
	if free := bodyBottom - r.y - caption - 8; h > free {
		// Shrink into the rest of the page if that keeps it legible,
		// else start a page.
		if free > h*0.6 {
			w, h = w*free/h, free
		} else {
			r.newPage()
		}
	}
	r.y += 6
	if err := r.drawImage(img, marginX, r.y, w, h); err != nil {
		r.listAttachment(a, r.words.NotEmbedded)
		return nil
	}
	r.setStroke(rule)
	r.pdf.SetLineWidth(0.4)
	r.pdf.RectFromUpperLeftWithStyle(marginX, r.y, w, h, "D")
	r.y += h + 2
	r.paragraph(r.st.small, fmt.Sprintf("%s  ·  %s  ·  %s", a.Name, a.Type, humanSize(a.Size)), marginX, contentW, smallLeading, muted)
	r.paragraph(r.st.mono, "SHA-256 "+a.SHA256, marginX, contentW, smallLeading, muted)
	return nil
}

// embeddedSize is what an image counts against MaxEmbeddedBytes: with
// PNGAsIs its size as sealed, which no toolchain changes (a re-encoded
// PNG's size depends on the compressor); before, the bytes embedded.
func (r *renderer) embeddedSize(a Attachment, img *embeddedImage) int64 {
	if r.d.PNGAsIs {
		return a.Size
	}
	return img.size
}

// drawImage places an image, turning a panic of the PDF writer on an odd
// image into an error so the attachment is listed instead. For a stub, it
// notes the number of the image object gopdf makes of it (the first object
// it adds, and none when the same image is in the PDF already), for
// pdfpack to fill in.
func (r *renderer) drawImage(img *embeddedImage, x, y, w, h float64) (err error) {
	file, fill := img.file, img.fill
	if fill != nil && !stubImages {
		if file, err = img.data.whole(); err != nil {
			return err
		}
		fill = nil
	}
	object := r.pdf.GetNextObjectID()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("image: %v", p)
		}
		if fill != nil && r.pdf.GetNextObjectID() > object {
			r.fills[object] = *fill
		}
	}()
	holder := &imageHolder{id: img.id, Reader: bytes.NewReader(file)}
	return r.pdf.ImageByHolder(holder, x, y, &gopdf.Rect{W: w, H: h})
}

// stubImages is false in tests that compare renderings with and without
// stubs.
var stubImages = true

// imageHolder hands gopdf an image under a given identity.
type imageHolder struct {
	id string
	*bytes.Reader
}

func (h *imageHolder) ID() string { return h.id }

// listAttachment draws a boxed entry: name, type and size, SHA-256, and why
// an image is not shown.
func (r *renderer) listAttachment(a Attachment, reason string) {
	why := ""
	if reason != "" {
		why = r.words.ImageNotShown + reason
	}
	r.attachmentBox(a, false, boxLine{r.st.small, why, muted})
}

// missingAttachment draws the box of a file the chat refers to but the
// export did not carry: outlined and never filled, so that no reader takes
// it for something blacked out, and saying so in words.
func (r *renderer) missingAttachment(a Attachment) {
	r.attachmentBox(a, true, boxLine{r.st.smallBold, r.words.NotIncluded, ink})
}

// missingDetails: the bundle knows a missing file's type at most, not its
// size nor its digest, which would read as "0 bytes" and a dash.
func (r *renderer) missingDetails(a Attachment) []boxLine {
	return []boxLine{{r.st.small, orDash(a.Type), muted}}
}

// boxLine is a paragraph of an attachment box.
type boxLine struct {
	s    *textlayout.Setter
	text string
	grey int
}

// attachmentBox draws an attachment's name, type and size, SHA-256 and a
// last line, in a box that is shaded unless outlineOnly.
func (r *renderer) attachmentBox(a Attachment, outlineOnly bool, last boxLine) {
	name := a.Name
	if name == "" {
		name = r.words.Unnamed
	}
	in, w := marginX+8.0, contentW-16.0
	details := []boxLine{
		{r.st.small, fmt.Sprintf("%s  ·  %s", orDash(a.Type), humanSize(a.Size)), muted},
		{r.st.mono, "SHA-256 " + orDash(a.SHA256), muted},
	}
	if outlineOnly {
		details = r.missingDetails(a)
	}
	lines := append([]boxLine{{r.st.smallBold, r.words.Attachment + name, ink}}, details...)
	lines = append(lines, last)
	// Measure first so the box fits what wraps.
	n := 0
	for _, l := range lines {
		saved := l.s.Width
		l.s.Width = w
		n += len(l.s.Lines(l.text))
		l.s.Width = saved
	}
	h := float64(n)*smallLeading + 8
	r.need(h + 6)
	r.y += 5
	if !outlineOnly {
		r.setFill(shadeB)
		r.pdf.RectFromUpperLeftWithStyle(marginX, r.y, contentW, h, "F")
	}
	r.setStroke(rule)
	r.pdf.SetLineWidth(0.4)
	if outlineOnly {
		r.setStroke(muted)
		r.pdf.SetLineWidth(0.8)
	}
	r.pdf.RectFromUpperLeftWithStyle(marginX, r.y, contentW, h, "D")
	r.boxes = append(r.boxes, box{r.page, marginX, r.y, contentW, h})
	r.y += 4
	for _, l := range lines {
		r.paragraph(l.s, l.text, in, w, smallLeading, l.grey)
	}
	r.y += 6
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// humanSize prints a byte count with its exact value, as records are read
// by people and checked by machines.
func humanSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB (%d bytes)", float64(n)/1024, n)
	default:
		return fmt.Sprintf("%.1f MB (%d bytes)", float64(n)/(1<<20), n)
	}
}
