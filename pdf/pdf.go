// Package pdf renders a sealed conversation as an A4 PDF for a patient's
// medical record.
//
// The caller maps a bundle onto a Document and renders it:
//
//	d := &pdf.Document{Practice: "…", Title: "…", ExportID: "…", Items: items, Integrity: integ}
//	err := pdf.Render(w, d)
//
// Page 1 opens with a header block (practice, title, pseudonymous patient id,
// period, export id, how many messages were selected, attachment count).
// Each message follows with its time, sender, labels, the message it replies
// to, its text with line breaks kept, and its attachments: JPEG and PNG
// images are embedded scaled to fit (JPEGs and, with PNGAsIs, most PNGs
// byte for byte, after a check in place of decoding), anything else (or an image too large or
// broken to decode) is listed with name, type, size and SHA-256. Every page
// has a footer with the export id, "page X of Y" and the first 16 hex digits
// of the manifest digest; the last page, "Integrity and verification",
// carries the digests, signer, timestamps, verification commands and a QR
// code.
//
// Text is text: every character is drawn with an embedded font and can be
// extracted (pdftotext) as it was sent, line breaks kept. Latin, Greek and
// Cyrillic use the Go fonts, Hebrew and Arabic embedded Noto fonts. Right-to-
// left runs are laid out in visual order by a reduced Unicode bidi algorithm
// and Arabic letters keep their isolated forms; with Layout5 (custody-pdf/5)
// Arabic and Persian letters are joined (their presentation forms, whose
// glyphs map back to the letters sent in the ToUnicode map) and paragraphs
// are ordered by the complete algorithm (package internal/uba), brackets
// mirrored. Extractors reorder right-to-left text by their own rules: every
// Hebrew or Arabic word comes back intact, but punctuation between such
// words may move. With
// Layout4, emoji are drawn with an embedded monochrome Noto Emoji and
// extract as sent. A character no font has (CJK, control characters, and
// before Layout4 emoji and anything above U+FFFF) is printed as a visible
// substitute such as "[U+1F44D]", never dropped. The invisible bidi
// controls U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 and the byte-order
// mark U+FEFF are not drawn; the text around them is.
//
// Output is deterministic: the same Document gives the same bytes. The PDF
// carries no creation date unless SOURCE_DATE_EPOCH is set, and no /ID.
//
// Memory does not grow with the number of pages, nor with the images. A
// PDF writer writes nothing until the document is complete (every page
// states the page total, and the page tree, the resources and the font
// subsets, which come before the pages in the file, are known at the end).
// So the PDF writer (internal/gopdf, a fork of gopdf) keeps each finished
// page's operations, the first 2 MB as they are, then deflated, about
// 2 KB a page, up to a budget (8 MB, some 3,000 pages); a longer
// document is drawn twice: a layout pass that drops each page when it is
// finished and ends knowing the page total, the fonts and the images,
// then a writing pass that draws the same pages
// again and writes each as it is finished (internal/gopdf's
// page_stream.go). The bytes are the same either way. Images: the writer
// is handed small stubs, and the image data is streamed from the
// attachments into the output (image.go, internal/pdfpack). A Document
// with Stream set holds no message: Stream hands them, once per pass.
package pdf

import (
	"io"
	"time"

	"github.com/custody-toolkit/custody/internal/lang"
)

// Document is what Render draws.
type Document struct {
	Practice  string // practice or clinic name
	Title     string // conversation title
	PatientID string // pseudonymous patient identifier
	Period    string // period covered, as displayed
	ExportID  string

	Selected        int // messages in this export ("K of N messages")
	Total           int // messages in the conversation
	AttachmentCount int

	Items []Item // in conversation order
	// Stream, when set, hands the items that follow Items one at a time,
	// in conversation order, as the pages are laid out: a record of tens
	// of thousands of messages then never holds them all at once. A long
	// record calls it twice (a layout pass, then a writing pass), and
	// both times it must hand the same items.
	Stream    func(yield func(Item) error) error
	Integrity Integrity

	// PNGAsIs embeds PNG images that the PDF writer takes as they are
	// without decoding them, flattens transparency onto white, and counts
	// images against MaxEmbeddedBytes by their own size (custody-pdf/3).
	// Without it PNGs are decoded and re-encoded (custody-pdf/1 and /2).
	PNGAsIs bool

	// ImageStandIns, for a rendering made only to be normalised, puts
	// stand-ins in place of the data of PNGs embedded as they are (see
	// ImageStandIns); nil for a PDF to read.
	ImageStandIns ImageStandIns

	// Layout4 is the layout of custody-pdf/4: the header states Selection,
	// AttachmentCounts and TimeZone in words; missing attachments are
	// outlined boxes that say so (Attachment.Missing), never filled; and
	// the fill colour is known to be the text colour after text (PDF text
	// is drawn in the fill colour), which earlier layouts forgot, filling
	// every box after the first on a page in the colour of the text.
	Layout4 bool
	// Layout5 is the layout of custody-pdf/5, Layout4's and more: Arabic
	// and Persian letters joined (contextual forms, lam-alef ligatures),
	// text ordered by the full Unicode bidirectional algorithm, and dates
	// in the reader's format. It requires Layout4.
	Layout5 bool
	// Labels are the words of the record; nil is English. Earlier
	// layouts are English.
	Labels *lang.RecordLabels
	// Selection says which messages and how chosen ("4 of 15 messages,
	// chosen by the clinician: messages m6, m9–m11"); AttachmentCounts
	// how many are referenced and included; TimeZone the zone the times
	// are shown in. Layout4 only.
	Selection, AttachmentCounts, TimeZone string
	// Dates word the timestamps of the integrity page in the reader's
	// format (Layout5); nil prints them in ISO form. The record gives
	// the message times already worded.
	Dates *lang.DateWords
}

// Item is one entry of the record: a message, or a marker that the exporter
// withheld messages at this position. Exactly one of the fields is set.
type Item struct {
	Message  *Message
	Withheld int // number of messages withheld here
}

// Message is one message as displayed.
type Message struct {
	ID         string
	Time       string // as displayed, with its offset: 2026-04-12 09:14:03 +02:00
	SenderName string
	SenderRole string
	Text       string
	Labels     []string
	// ReplyTo references the replied-to message: its id, and a short
	// excerpt if known.
	ReplyTo     string
	Attachments []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name   string
	Type   string // media type, e.g. image/jpeg
	Size   int64  // bytes
	SHA256 string // lowercase hex
	// Open returns the content; used for images (JPEG, PNG), which are
	// embedded. Nil means the attachment is listed only.
	Open func() (io.ReadCloser, error)
	// Missing: the chat refers to the file but the export did not carry
	// it (Layout4 says so in words; earlier layouts had it in Name).
	Missing bool
}

// Integrity is what the last page states about the seal.
type Integrity struct {
	ManifestSHA256    string // hex
	ChainHead         string // hash-chain head, hex
	SignerFingerprint string // SHA-256 of the signer's public key, hex
	Timestamps        []Timestamp
	Commands          []string // verification commands, one per line
	// QRPayload is what the QR code carries, and QRCaption says what that
	// is. Empty means "custody:<export id>:sha256:<manifest digest>",
	// "QR code: export ID and manifest SHA-256".
	QRPayload, QRCaption string
	// FooterRef ends every page's footer. Empty means "manifest sha256 "
	// and the digest's first 16 hex digits.
	FooterRef string
}

// Timestamp is one RFC 3161 timestamp on the seal.
type Timestamp struct {
	Time time.Time // printed in UTC
	TSA  string    // name of the timestamp authority
	// CertSHA256 is the SHA-256 of the TSA's certificate, hex (Layout4;
	// empty when unknown).
	CertSHA256 string
}

// Limits on images embedded; a larger image is listed instead.
const (
	MaxImageBytes  = 32 << 20
	MaxImagePixels = 40_000_000
	// MaxEmbeddedBytes bounds the images one document embeds in all: the
	// record's size, and the work of a verifier that renders it again
	// (images are streamed into the PDF, not held; see image.go). Further
	// images are listed, with their digests.
	MaxEmbeddedBytes = 48 << 20
)

// Render writes d as a PDF to w.
func Render(w io.Writer, d *Document) error {
	return renderDocument(w, d, false)
}

// RenderUncompressed writes d as Render does but for the streams Render
// deflates (the pages, the font files), which it writes as they are: the
// same objects, without "/Filter /FlateDecode". Once every stream is
// inflated (internal/pdfnorm's canonical form) it is Render's output.
// A verifier compares canonical forms, so it renders this way and does
// not pay for compressing, most of the cost of rendering a short record.
func RenderUncompressed(w io.Writer, d *Document) error {
	return renderDocument(w, d, true)
}

func renderDocument(w io.Writer, d *Document, uncompressed bool) error {
	r, err := newRenderer(d)
	if err != nil {
		return err
	}
	r.uncompressed = uncompressed
	return r.render(w)
}
