package record

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdf"
)

// layout4 is what custody-pdf/4 adds to the mapping of a bundle onto a
// pdf.Document: labels in the sealed language, the selection and the
// attachment counts in words, the time zone named, free text that cannot
// draw lines of its own, and an integrity page that says where to get the
// verifier and how to extract the bundle by its real name.
type layout4 struct {
	terms       lang.Terms
	verifierURL string
	// dates word the times in the reader's format (custody-pdf/5); nil
	// keeps custody-pdf/4's ISO form.
	dates *lang.DateWords
}

// DefaultLang is the language of a custody-pdf/4 rendering whose manifest
// names none (a standalone PDF of a bundle without record.pdf).
const DefaultLang = "en"

func newLayout4(m *manifest.Manifest) (*layout4, error) {
	code, url := DefaultLang, ""
	if r := m.Rendering; r != nil {
		if r.Lang != "" {
			code = r.Lang
		}
		url = r.VerifierURL
	}
	terms, err := lang.Lookup(code)
	if err != nil {
		return nil, fmt.Errorf("record: rendering: %w", err)
	}
	return &layout4{terms: terms, verifierURL: url}, nil
}

func (l *layout4) words() *lang.RecordLabels { return &l.terms.Record }

// header fills what the first page states.
func (l *layout4) header(d *pdf.Document, m *manifest.Manifest, sum summary) {
	d.Layout4 = true
	d.Labels = l.words()
	d.Practice = lang.Shown(d.Practice)
	d.Title = lang.Shown(d.Title)
	d.PatientID = lang.Shown(d.PatientID)
	d.Period = period(sum, l.words().Span, l.day)
	d.Dates = l.dates
	d.Selection = l.terms.DescribeSelection(m.Selection.Selected, m.Selection.Total, m.Selection.Criteria)
	d.AttachmentCounts = sum.attachments.Words(*l.words())
	d.TimeZone = l.words().ZoneOffsets
	if z := m.Conversation.TimeZone; z != "" {
		d.TimeZone = lang.Shown(z)
	}
}

// day words a message's day for the period covered.
func (l *layout4) day(t time.Time) string {
	if l.dates == nil {
		return isoDay(t)
	}
	return l.dates.Day(t)
}

// moment words a message's time.
func (l *layout4) moment(t time.Time) string {
	if l.dates == nil {
		return isoMoment(t)
	}
	return l.dates.Moment(t)
}

// escape shows a message's one-line free text (names, roles, labels, ids,
// file names) with visible escapes where it holds control or invisible
// characters: a name with a line break could otherwise draw a line that
// looks like the record's own. The message text keeps its line breaks,
// drawn inside the message.
func (l *layout4) escape(msg *pdf.Message) {
	if role, ok := l.words().Roles[msg.SenderRole]; ok {
		msg.SenderRole = role
	}
	for _, s := range []*string{&msg.ID, &msg.SenderName, &msg.SenderRole, &msg.ReplyTo} {
		*s = lang.Shown(*s)
	}
	for i := range msg.Labels {
		msg.Labels[i] = lang.Shown(msg.Labels[i])
	}
	for i := range msg.Attachments {
		msg.Attachments[i].Name = lang.Shown(msg.Attachments[i].Name)
	}
}

// notInExport ends the reference to a replied-to message the bundle does
// not hold.
func notInExport(l *layout4) string {
	if l == nil {
		return lang.English.Record.NotInExport
	}
	return l.words().NotInExport
}

// integrity rewrites the verification steps: where to get the verifier,
// then the commands, with the bundle's real name in the standalone PDF.
func (l *layout4) integrity(in *pdf.Integrity, m *manifest.Manifest, seal *Seal) {
	w := l.words()
	var steps []string
	if l.verifierURL != "" {
		steps = append(steps, fmt.Sprintf(w.GetVerifier, lang.Shown(l.verifierURL)))
	}
	steps = append(steps, w.Releases, "")
	trust := "custody-verify --trust TSA-ROOT.pem --signer " + m.Signer.Fingerprint
	if seal == nil {
		in.QRCaption = w.QRCaption
		in.FooterRef = fmt.Sprintf(w.FooterChain, short(m.Chain.Head))
		in.Commands = append(steps, w.SealedInside, trust+" BUNDLE.custody")
		return
	}
	in.QRCaption = w.QRCaptionManifest
	in.FooterRef = fmt.Sprintf(w.FooterManifest, short(seal.ManifestSHA256))
	name := seal.BundleName
	if name == "" {
		name = "case.custody"
	}
	quoted := shellQuote(name)
	in.Commands = append(steps,
		fmt.Sprintf(w.CarriesBundle, lang.Shown(name)),
		trust+" THIS.pdf",
		w.OrExtract,
		"qpdf --show-attachment="+quoted+" THIS.pdf > "+quoted,
		trust+" "+quoted)
}

// shellQuote quotes a file name for a POSIX shell when it needs it, so
// that the printed command works as printed.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !plainShellRune(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func plainShellRune(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-+,@%/=:", r))
}
