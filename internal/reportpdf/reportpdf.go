// Package reportpdf writes the verification report that an expert files
// with a court or a college (custody-verify --report): first, in plain
// words, the verdict and what it means; then what was proven (the file,
// its content digest, the signer and whether its identity was checked, the
// timestamps and their authorities, the trust anchors used), what was
// withheld and the custody timeline; then every check with its status and
// sub-indication (ETSI EN 319 102-1); last, which verifier made it and how
// to repeat the verification independently.
//
// The report is a plain A4 text document written with gopdf and the Go
// fonts: every word can be extracted (pdftotext) and searched. A
// character the fonts lack is written as "[U+XXXX]", never dropped. Output
// is deterministic: the same report, verifier and time give the same
// bytes (no creation date, no random /ID).
package reportpdf

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/internal/plainverdict"
	"github.com/custody-toolkit/custody/verify"
)

// Input is what a report states besides the verify.Report.
type Input struct {
	Report *verify.Report
	// File is the verified file as given; FileSHA256 and FileSize its
	// bytes (a folder has none).
	File       string
	FileSHA256 string
	FileSize   int64
	Anchors    []Anchor // the trust anchors given (--trust)
	// Verifier is the version line of the verifier, VerifierSHA256 the
	// SHA-256 of its executable ("" if unknown).
	Verifier, VerifierSHA256 string
	Time                     time.Time // of the verification
	Command                  string    // how it was run, to repeat it
	// Recorded: the verifier also recorded its verdict in the bundle's
	// custody log (--record), in an event that cites this report's SHA-256.
	Recorded bool
}

// Anchor is a trust anchor as the report names it.
type Anchor struct {
	Subject string
	SHA256  string // of the certificate's DER
}

// AnchorsOf names trust anchors as the report does: subject and the
// SHA-256 of the certificate, to compare with the one published.
func AnchorsOf(certs []*x509.Certificate) []Anchor {
	var anchors []Anchor
	for _, c := range certs {
		sum := sha256.Sum256(c.Raw)
		anchors = append(anchors, Anchor{Subject: c.Subject.String(), SHA256: hex.EncodeToString(sum[:])})
	}
	return anchors
}

// Digest is the SHA-256 (hex) and size of what r holds: the verified
// file, which the report identifies by it.
func Digest(r io.Reader) (string, int64, error) {
	return DigestWith(r, sha256.New())
}

// DigestWith is Digest by h, a SHA-256 (the web verifier's faster one).
func DigestWith(r io.Reader, h hash.Hash) (string, int64, error) {
	n, err := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// Write writes the report as a PDF to w.
func Write(w io.Writer, in Input) (err error) {
	// gopdf panics on some inputs it does not expect: an error, never a
	// crash of the verifier.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("report: writing the PDF failed: %v", p)
		}
	}()
	d, err := newDoc()
	if err != nil {
		return err
	}
	writeVerdict(d, in)
	writeProven(d, in)
	writeWithheld(d, in.Report)
	writeTimeline(d, in.Report)
	writeChecks(d, in.Report)
	writeVerifier(d, in)
	_, err = d.pdf.WriteTo(w)
	return err
}

func writeVerdict(d *doc, in Input) {
	v := plainverdict.Of(in.Report)
	d.title("Verification report")
	d.para(regular, fmt.Sprintf("Of %s, made %s by %s.", in.File, in.Time.UTC().Format("2006-01-02 15:04:05 UTC"), in.Verifier))
	d.heading("1. Verdict")
	d.para(bold, fmt.Sprintf("%s: %s", v.Result, v.Headline))
	d.para(regular, v.Detail)
	d.para(small, "PASSED: every check holds and a timestamp chains to a trust anchor given. FAILED: a check proved that something sealed was altered, forged, added, removed or reordered, or that the signer is not the expected one. INDETERMINATE: nothing was proven altered, but a check could not be made or trust could not be established; the reason is given. (ETSI EN 319 102-1.)")
}

func writeProven(d *doc, in Input) {
	rep := in.Report
	d.heading("2. What was verified and proven")
	d.field("File", in.File)
	if in.FileSHA256 != "" {
		d.field("File SHA-256", fmt.Sprintf("%s (%d bytes)", in.FileSHA256, in.FileSize))
	}
	if rep.Summary != "" {
		d.field("Container", rep.Summary)
	}
	if rep.Format != "" {
		d.field("Format", rep.Format)
		d.field("Export", rep.ExportID+" at "+rep.ExportedAt)
		d.field("Manifest SHA-256", rep.Manifest+" (the digest of the sealed content)")
		d.field("Messages", fmt.Sprintf("%d of %d in the conversation, %d attachments", rep.Messages, rep.Total, rep.Attachments))
		writeIntake(d, rep.Intake)
	}
	if rep.Signer.Fingerprint != "" {
		identity := "identity NOT checked: no expected signer was given"
		if rep.Signer.Checked {
			identity = "identity checked: the expected key"
		}
		d.field("Signer", fmt.Sprintf("key %s (%s), %s", rep.Signer.Fingerprint, rep.Signer.Algorithm, identity))
	}
	for _, ts := range rep.Timestamps {
		trust := "NOT trusted (no trust anchor for it)"
		if ts.Trusted {
			trust = "trusted"
		}
		d.field("Timestamp", fmt.Sprintf("%s by %s, %s", ts.Time.UTC().Format("2006-01-02 15:04:05 UTC"), ts.TSA, trust))
	}
	if len(in.Anchors) == 0 {
		d.field("Trust anchors", "none given")
	}
	for _, a := range in.Anchors {
		d.field("Trust anchor", fmt.Sprintf("%s, certificate SHA-256 %s", a.Subject, a.SHA256))
	}
}

// writeIntake shows why the bundle was exported, as sealed, in the words
// of the text report (lang.Terms.DescribeIntake).
func writeIntake(d *doc, in *verify.Intake) {
	if in == nil {
		return
	}
	for _, l := range lang.English.DescribeIntake(in.Words()) {
		d.field(strings.ToUpper(l.Label[:1])+l.Label[1:], l.Text)
	}
}

func writeWithheld(d *doc, rep *verify.Report) {
	d.heading("3. What was withheld")
	if rep.Disclosure == nil {
		d.para(regular, "Not stated: this bundle format (v1) does not account for messages left out.")
		return
	}
	d.para(regular, rep.Disclosure.String()+". Withheld messages are not in the file, but the seal accounts for them: none can be added or removed unseen.")
}

func writeTimeline(d *doc, rep *verify.Report) {
	d.heading("4. Custody timeline")
	if len(rep.Custody) == 0 {
		d.para(regular, "No custody log.")
	}
	for _, e := range rep.Custody {
		who := e.Actor.Name
		if who == "" {
			who = "(no name)"
		}
		if e.Actor.Role != "" {
			who += " (" + e.Actor.Role + ")"
		}
		line := fmt.Sprintf("#%d %s, %s, by %s, key %s", e.Seq, e.Time, e.Action, who, e.Actor.Fingerprint)
		if e.Recognised {
			line += fmt.Sprintf(", recognised as %q", e.KnownAs)
		}
		if e.Timestamp != nil {
			line += fmt.Sprintf("; timestamp %s by %s", e.Timestamp.Time.UTC().Format("2006-01-02 15:04:05 UTC"), e.Timestamp.TSA)
		}
		if e.Note != "" {
			line += fmt.Sprintf("; note %q", e.Note)
		}
		d.para(regular, line)
	}
}

func writeChecks(d *doc, rep *verify.Report) {
	d.heading("5. Every check")
	d.para(small, "In the order they ran: status, check, sub-indication (the reason, for a check that is not PASSED), detail. The checks are described in docs/verify-json.md.")
	for _, c := range rep.Checks {
		head := fmt.Sprintf("%s  %s", c.Status, c.Name)
		if sub := c.SubIndication(); sub != "" {
			head += "  [" + string(sub) + "]"
		}
		d.keepLines(2) // a check's name with its detail
		d.para(bold, head)
		d.indented(regular, c.Detail)
	}
}

func writeVerifier(d *doc, in Input) {
	d.heading("6. The verifier, and how to repeat this verification")
	d.field("Verifier", in.Verifier)
	if in.VerifierSHA256 != "" {
		d.field("Its SHA-256", in.VerifierSHA256)
	}
	d.field("Verified at", in.Time.UTC().Format("2006-01-02 15:04:05 UTC"))
	if in.Command != "" {
		d.field("Command", in.Command)
	}
	if in.Recorded {
		d.para(regular, "This verification is also recorded in the bundle's custody log, in a \"verified\" event signed by the expert, whose note cites the SHA-256 of this report.")
	}
	d.para(regular, "Anyone can repeat it: with custody-verify (release binaries with their SHA256SUMS, or built from source), with the web verifier, which runs the same checks in a browser without uploading the file, or by hand with unzip, sha256sum and openssl, as docs/verify-by-hand.md describes. Give the same file, the same trust anchors (compare their SHA-256 above) and the same expected signer.")
}

// Fonts and sizes of the report.
const (
	regular = iota
	bold
	mono
	small
)

var fontData = map[int][]byte{regular: goregular.TTF, bold: gobold.TTF, mono: gomono.TTF}

func fontName(style int) string {
	if style == small {
		return fontNames[regular]
	}
	return fontNames[style]
}

var fontNames = map[int]string{regular: "regular", bold: "bold", mono: "mono"}

// Page geometry, in points (A4).
const (
	pageW, pageH = 595.28, 841.89
	margin       = 56.0
	textW        = pageW - 2*margin
)

func sizeOf(style int) float64 {
	if style == small {
		return 8.5
	}
	return 10
}
