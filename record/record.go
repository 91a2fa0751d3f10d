// Package record turns the content of a bundle into the PDF for the
// medical record. The exporter, `custody render` and the verifier all go
// through Render, so that the verifier can re-render record.pdf from the
// sealed content and compare it byte for byte with the one in the bundle.
//
//	err := record.Render(w, record.Content{Manifest: m, Entries: entries, Open: open}, nil)
//
// The rendering inside the bundle is made before sealing, so it cannot state
// the manifest's digest or the timestamps; the standalone PDF (custody export
// --pdf) is made after, and passes them in Seal.
package record

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdf"
)

// Renderer names the rendering this package produces. A verifier re-renders
// record.pdf only when the manifest names a renderer it has (Renders): a
// later version of the layout gets a new name, and the old ones are kept,
// so that old bundles keep verifying byte for byte.
const Renderer = "custody-pdf/5"

// rendererV4 is Renderer before version 5 (pdf.Document.Layout5) joined
// Arabic letters and ordered right-to-left text by the complete Unicode
// bidirectional algorithm: version 4 draws Arabic letters isolated, and
// puts numbers and brackets inside right-to-left text out of order
// ("14:05" drawn "05:14").
const rendererV4 = "custody-pdf/4"

// rendererV3 is Renderer before version 4 (pdf.Document.Layout4): English
// only, free text drawn as it is, the selection as counts, missing
// attachments named in their file name, and every shaded box after the
// first on a page filled in the colour of the text.
const rendererV3 = "custody-pdf/3"

// rendererV1 is Renderer before 2026-11-26. Its rendering inside a bundle
// ended every footer with an empty "manifest sha256" and captioned the QR
// code as the manifest digest, though it carries the chain head: version 2
// labels both as the chain head. Everything else is identical.
const rendererV1 = "custody-pdf/1"

// rendererV2 is Renderer before version 3 embedded PNG images as they are
// (pdf.Document.PNGAsIs); versions 1 and 2 decode and re-encode every PNG.
const rendererV2 = "custody-pdf/2"

// Renders reports whether Render produces the rendering named name.
func Renders(name string) bool { return slices.Contains(Renderers, name) }

// Renderers are the renderings Render produces, newest first. A standalone
// PDF of a bundle without record.pdf names none: a verifier tries each.
var Renderers = []string{Renderer, rendererV4, rendererV3, rendererV2, rendererV1}

// HasLanguage reports whether the renderer name draws its labels in the
// manifest's rendering.lang and prints its verifier_url (custody-pdf/4 on).
func HasLanguage(name string) bool { return name == Renderer || name == rendererV4 }

// Content is what a rendering shows: the manifest's metadata, the message
// entries in order, and a way to read attachment entries (images are
// embedded).
type Content struct {
	Manifest *manifest.Manifest
	Entries  []*manifest.MessageEntry
	// EachEntry, when Entries is nil, reads the entries in order and
	// hands them to yield one at a time; the layout calls it once for
	// each pass it makes (FromParsed), so that a rendering of tens of
	// thousands of messages holds one entry at a time, not all of them.
	EachEntry func(yield func(*manifest.MessageEntry) error) error
	Open      func(entry string) (io.ReadCloser, error)
}

// each hands the entries to yield in order, from Entries or EachEntry.
func (c Content) each(yield func(*manifest.MessageEntry) error) error {
	if c.EachEntry != nil && c.Entries == nil {
		return c.EachEntry(yield)
	}
	for _, e := range c.Entries {
		if err := yield(e); err != nil {
			return err
		}
	}
	return nil
}

// Seal is what is known only after sealing, for the standalone PDF.
type Seal struct {
	ManifestSHA256 string
	Timestamps     []pdf.Timestamp
	// Renderer lays out the standalone PDF of a bundle without record.pdf,
	// whose manifest names no renderer: empty for Renderer, or one of
	// Renderers to render as an earlier exporter did.
	Renderer string
	// BundleName is the name the standalone PDF gives the bundle it
	// carries, for the command that extracts it (custody-pdf/4).
	BundleName string
}

// Render writes the rendering of c. With seal nil it is the rendering
// sealed inside the bundle.
func Render(w io.Writer, c Content, seal *Seal) error {
	return render(w, c, seal, pdf.Render)
}

// RenderUncompressed writes the rendering of c with its streams not
// deflated (pdf.RenderUncompressed): Render's output once every stream is
// inflated, which is all a verifier compares, made without the cost of
// compressing. With standIns, the data of PNGs embedded as they are may be
// stand-ins (pdf.ImageStandIns): then only the normaliser that made them
// can read the output.
func RenderUncompressed(w io.Writer, c Content, seal *Seal, standIns pdf.ImageStandIns) error {
	return render(w, c, seal, func(w io.Writer, d *pdf.Document) error {
		d.ImageStandIns = standIns
		return pdf.RenderUncompressed(w, d)
	})
}

func render(w io.Writer, c Content, seal *Seal, renderPDF func(io.Writer, *pdf.Document) error) error {
	d, err := document(c, seal)
	if err != nil {
		return err
	}
	return renderPDF(w, d)
}

// renderer is the rendering to lay out: the one the manifest names, else
// the one the standalone PDF's seal asks for, else the newest.
func renderer(m *manifest.Manifest, seal *Seal) string {
	switch {
	case m.Rendering != nil:
		return m.Rendering.Renderer
	case seal != nil && seal.Renderer != "":
		return seal.Renderer
	}
	return Renderer
}

func document(c Content, seal *Seal) (*pdf.Document, error) {
	m := c.Manifest
	sum, err := summarize(c)
	if err != nil {
		return nil, err
	}
	if sum.count != m.MessageCount() {
		return nil, fmt.Errorf("record: %d message entries for %d messages", sum.count, m.MessageCount())
	}
	people := map[string]manifest.Participant{}
	patient := ""
	for _, p := range m.Conversation.Participants {
		people[p.ID] = p
		if p.Role == "patient" && patient == "" {
			patient = p.ID
		}
	}
	version := renderer(m, seal)
	d := &pdf.Document{
		Practice:        m.Practice,
		Title:           m.Conversation.Title,
		PatientID:       patient,
		Period:          period(sum, "%s to %s", isoDay),
		ExportID:        m.ExportID,
		Selected:        m.Selection.Selected,
		Total:           m.Selection.Total,
		AttachmentCount: sum.attachments.Referenced,
		PNGAsIs:         version != rendererV1 && version != rendererV2,
	}
	var v4 *layout4
	if HasLanguage(version) {
		if v4, err = newLayout4(m); err != nil {
			return nil, err
		}
		if version == Renderer {
			d.Layout5, v4.dates = true, &v4.terms.Dates
		}
		v4.header(d, m, sum)
	}
	replied, err := repliedTexts(c, sum.replyTargets)
	if err != nil {
		return nil, err
	}
	gaps, err := withheldGaps(m)
	if err != nil {
		return nil, err
	}
	d.Stream = func(yield func(pdf.Item) error) error {
		k := 0
		err := c.each(func(e *manifest.MessageEntry) error {
			if gaps[k] > 0 {
				if err := yield(pdf.Item{Withheld: gaps[k]}); err != nil {
					return err
				}
			}
			k++
			return yield(pdf.Item{Message: message(e, people, replied, c.Open, v4)})
		})
		if n := gaps[len(gaps)-1]; err == nil && n > 0 {
			err = yield(pdf.Item{Withheld: n})
		}
		return err
	}
	d.Integrity = integrity(m, seal)
	if v4 != nil {
		v4.integrity(&d.Integrity, m, seal)
	}
	return d, nil
}

// summary is what the first page states about all the entries, gathered
// in a pass before the pages are laid out.
type summary struct {
	count       int
	first, last string // the first and the last entry's time
	attachments Attachments
	// replyTargets are the ids that entries reply to.
	replyTargets map[string]bool
}

func summarize(c Content) (summary, error) {
	sum := summary{replyTargets: map[string]bool{}}
	err := c.each(func(e *manifest.MessageEntry) error {
		if sum.count == 0 {
			sum.first = e.Time
		}
		sum.count++
		sum.last = e.Time
		sum.attachments.add(e)
		if e.ReplyTo != "" {
			sum.replyTargets[e.ReplyTo] = true
		}
		return nil
	})
	return sum, err
}

// repliedTexts returns the text of each entry that another replies to, by
// id (the last entry of an id, should two share one).
func repliedTexts(c Content, targets map[string]bool) (map[string]string, error) {
	texts := map[string]string{}
	if len(targets) == 0 {
		return texts, nil
	}
	err := c.each(func(e *manifest.MessageEntry) error {
		if targets[e.ID] {
			texts[e.ID] = e.Text
		}
		return nil
	})
	return texts, err
}

// withheldGaps counts, for each disclosed message, the messages withheld
// right before it, and at the end those withheld after the last one (format
// v2: the positions were checked by manifest.Parse; v1 marks nothing).
func withheldGaps(m *manifest.Manifest) ([]int, error) {
	n := m.MessageCount()
	gaps := make([]int, n+1)
	if m.Tree == nil {
		return gaps, nil
	}
	prev := -1
	err := m.EachMessage(func(k int, msg *manifest.Message) error {
		if msg.Position != nil {
			gaps[k] = max(*msg.Position-prev-1, 0)
			prev = *msg.Position
		}
		return nil
	})
	gaps[n] = max(m.Tree.Size-prev-1, 0)
	return gaps, err
}

func message(e *manifest.MessageEntry, people map[string]manifest.Participant, replied map[string]string, open func(string) (io.ReadCloser, error), v4 *layout4) *pdf.Message {
	sender := people[e.From]
	name := sender.Name
	if name == "" {
		name = sender.ID
	}
	moment := isoMoment
	if v4 != nil {
		moment = v4.moment
	}
	msg := &pdf.Message{
		ID: e.ID, Time: displayTime(e.Time, moment), SenderName: name, SenderRole: sender.Role,
		Text: e.Text, Labels: e.Labels,
	}
	if e.ReplyTo != "" {
		msg.ReplyTo = e.ReplyTo
		if text, ok := replied[e.ReplyTo]; ok {
			msg.ReplyTo += ": “" + excerpt(text, 60) + "”"
		} else {
			msg.ReplyTo += notInExport(v4)
		}
	}
	for _, a := range e.Attachments {
		pa := pdf.Attachment{Name: a.Name, Type: a.Type, Size: a.Size, SHA256: a.SHA256}
		if a.Missing && v4 != nil {
			pa.Missing = true
		} else if a.Missing {
			pa.Name = a.Name + " (missing from the source export)"
		} else if isImage(a.Type) && open != nil {
			path := a.Path
			pa.Open = func() (io.ReadCloser, error) { return open(path) }
		}
		msg.Attachments = append(msg.Attachments, pa)
	}
	if v4 != nil {
		v4.escape(msg)
	}
	return msg
}

func integrity(m *manifest.Manifest, seal *Seal) pdf.Integrity {
	in := pdf.Integrity{ChainHead: m.Chain.Head, SignerFingerprint: m.Signer.Fingerprint}
	verifyCmd := "custody-verify --trust TSA-ROOT.pem --signer " + m.Signer.Fingerprint + " BUNDLE.custody"
	if seal == nil {
		in.QRPayload = "custody:" + m.ExportID + ":chain:" + m.Chain.Head
		if renderer(m, seal) != rendererV1 {
			// Sealed inside the bundle, the record cannot show the
			// manifest's digest: it names the chain head it shows.
			in.QRCaption = "QR code: export ID and hash-chain head"
			in.FooterRef = "chain head " + short(m.Chain.Head)
		}
		in.Commands = []string{
			"This rendering is sealed inside the bundle (record.pdf); the manifest digest and",
			"the timestamps are in the bundle's manifest.json and META-INF/. To verify:",
			verifyCmd,
		}
		return in
	}
	in.ManifestSHA256 = seal.ManifestSHA256
	in.Timestamps = seal.Timestamps
	in.Commands = []string{
		"This PDF carries the bundle as an attachment (case.custody) and is signed. To verify both:",
		"custody-verify --trust TSA-ROOT.pem --signer " + m.Signer.Fingerprint + " THIS.pdf",
		"or extract the bundle (qpdf --show-attachment=case.custody THIS.pdf > case.custody) and:",
		verifyCmd,
	}
	return in
}

// short is the first 16 hex digits of a digest, for a footer.
func short(digest string) string { return digest[:min(16, len(digest))] }

// displayTime shows a message time as the participants saw it, with its
// offset, worded by moment; a time that does not parse is shown as sealed.
func displayTime(s string, moment func(time.Time) string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return moment(t)
}

// isoMoment and isoDay are the forms of custody-pdf/1 to /4:
// 2026-04-12 09:14:03 +02:00, 2026-04-12.
func isoMoment(t time.Time) string { return t.Format("2006-01-02 15:04:05 -07:00") }
func isoDay(t time.Time) string    { return t.Format("2006-01-02") }

// period is the days the entries cover, from the first's time to the
// last's, each worded by day in its own offset; a range is worded by the
// format span ("%s to %s").
func period(sum summary, span string, day func(time.Time) string) string {
	if sum.count == 0 {
		return ""
	}
	first, last := displayTime(sum.first, day), displayTime(sum.last, day)
	if first == last {
		return first
	}
	return fmt.Sprintf(span, first, last)
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func isImage(mediaType string) bool {
	return mediaType == "image/jpeg" || mediaType == "image/png"
}

// FromBundle reads the content of an opened bundle. It checks nothing
// beyond what parsing needs: verify the bundle first.
func FromBundle(b *manifest.Bundle) (Content, error) {
	data, err := b.ReadManifest()
	if err != nil {
		return Content{}, err
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return Content{}, err
	}
	return FromParsed(b, m)
}

// FromParsed is FromBundle for a bundle whose manifest m was parsed
// already: a verifier holds one parsed manifest, not two (megabytes each
// for tens of thousands of messages). When m does not hold its messages
// (manifest.ParseStreamed, a verifier's), each pass reads them again from
// b's manifest.json, held to the digest m was parsed from: the rendering
// holds a number a message (the withheld gap before it), not the list.
func FromParsed(b *manifest.Bundle, m *manifest.Manifest) (Content, error) {
	m = m.ReadingFrom(func() (io.ReadCloser, error) { return b.Open(manifest.ManifestName) })
	each := func(yield func(e *manifest.MessageEntry, size int) error) error {
		return m.EachMessage(func(_ int, msg *manifest.Message) error {
			data, err := b.ReadSmall(msg.Entry, manifest.MaxMessageSize)
			if err != nil {
				return err
			}
			e, err := manifest.ParseMessageEntry(data)
			if err != nil {
				return fmt.Errorf("%s: %w", msg.Entry, err)
			}
			return yield(e, len(data))
		})
	}
	// Every entry is read once here, so that one that cannot be read is
	// an error now, before the rendering starts. The layout reads them
	// again in each of its passes (three or four), and parsing an entry
	// strictly costs more than laying it out; so they are held, parsed,
	// if their bytes add up to at most heldEntriesMax, and read again in
	// each pass only beyond that.
	var held []*manifest.MessageEntry
	size := 0
	err := each(func(e *manifest.MessageEntry, n int) error {
		if size += n + entryOverhead; size <= heldEntriesMax {
			held = append(held, e)
		} else {
			held = nil // let go at once: the rest of the pass holds one entry
		}
		return nil
	})
	switch {
	case err != nil:
		return Content{}, err
	case size <= heldEntriesMax:
		return Content{Manifest: m, Entries: held, Open: b.Open}, nil
	}
	stream := func(yield func(*manifest.MessageEntry) error) error {
		return each(func(e *manifest.MessageEntry, _ int) error { return yield(e) })
	}
	return Content{Manifest: m, EachEntry: stream, Open: b.Open}, nil
}

// heldEntriesMax is the most of message entries' bytes FromParsed holds
// parsed, each counted with entryOverhead (the parsed entry's own size):
// some 15,000 messages of a chat (an entry of 300 bytes counts 556), 8 MiB
// and about as much again parsed; a larger conversation is read again in
// each pass, one entry at a time.
var heldEntriesMax = 8 << 20

const entryOverhead = 256
