// Package webverify is what the web verifier (web/) runs in the browser,
// compiled to WebAssembly: verify.Bundle or verify.PDF on a file that the
// page reads in slices, the verdict in plain words (plainverdict), and the
// evidence's messages and attachments for reading. It holds no browser
// code (web/wasm does: the JavaScript bridge), so that it is tested as any
// package is, and so that the page's verdict is custody-verify's: the same
// verify package, called the same way.
package webverify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/internal/plainverdict"
	"github.com/custody-toolkit/custody/internal/reportpdf"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// Input is what the page's form gives besides the file.
type Input struct {
	Name     string // the file's name, shown in the report
	TrustPEM []byte // trust anchors for the timestamps (PEM, any number)
	Signer   string // expected signer: a key fingerprint or a public key PEM; "" for none
	// SHA256 is verify.Options.SHA256: the browser's SHA-256 (web/wasm).
	SHA256 func(size int64) hash.Hash
	// DigestRange is verify.Options.DigestRange: the page's JavaScript
	// hashes the large sealed files straight from the File (web/wasm).
	DigestRange manifest.RangeDigest
	// CompareRecord is verify.Options.CompareRecord: the page's Web
	// Worker, which runs CompareRecord on the same File; nil: verify
	// compares record.pdf itself.
	CompareRecord func(verify.RecordRendering) (verify.RenderingOutcome, error)
	// ComparePDFPages is verify.Options.ComparePDFPages: the page's Web
	// Worker again; nil: verify makes a standalone PDF's rendering check
	// itself.
	ComparePDFPages func(verify.PagesRendering) (verify.Check, error)
}

// Result is what the page shows, in order: the verdict in plain words,
// then the report (who, when, what was withheld, the custody timeline,
// every check), then the messages.
type Result struct {
	Verdict  plainverdict.Verdict `json:"verdict"`
	Report   *verify.Report       `json:"report,omitempty"`
	Messages []Message            `json:"messages,omitempty"`
	// MessagesNote says why messages could not be listed, if so.
	MessagesNote string `json:"messages_note,omitempty"`
}

// Message is one sealed message as the page shows it.
type Message struct {
	ID   string `json:"id"`
	Time string `json:"time"`
	From string `json:"from"`
	Text string `json:"text"`
	// Intact: the entry's bytes match the manifest's SHA-256 (the report
	// says whether the manifest itself holds).
	Intact      bool         `json:"intact"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is an attachment of a message; Path is what Entry reads.
type Attachment struct {
	Path    string `json:"path,omitempty"`
	Name    string `json:"name,omitempty"`
	Type    string `json:"type,omitempty"`
	Size    int64  `json:"size,omitempty"`
	Missing bool   `json:"missing,omitempty"`
}

// Verify verifies the custody file (bundle or standalone PDF) that r
// holds. A form value that cannot be read (a trust anchor, the signer) or
// a file that is not a custody file gives a Result with no report and
// exit code 2, as custody-verify does.
func Verify(r io.ReaderAt, size int64, in Input) Result {
	opts, err := options(in)
	if err != nil {
		return Result{Verdict: plainverdict.NotCustody(err)}
	}
	// The messages are listed while the file is verified: in the page,
	// the WebAssembly's one thread mostly waits for the File's slices,
	// the browser's SHA-256 and the worker meanwhile, and the listing
	// reads only the small message entries.
	type listing struct {
		messages []Message
		err      error
	}
	listed := make(chan listing, 1)
	go func() {
		msgs, err := Messages(r, size)
		listed <- listing{msgs, err}
	}()
	rep, err := verifyFile(r, size, opts)
	list := <-listed
	if err != nil {
		return Result{Verdict: plainverdict.NotCustody(fmt.Errorf("%s: %w", in.Name, err))}
	}
	rep.File = in.Name
	res := Result{Verdict: plainverdict.Of(rep), Report: rep, Messages: list.messages}
	if list.err != nil {
		res.MessagesNote = "the messages cannot be listed: " + list.err.Error()
	}
	return res
}

// verifyFile is verify.File for a file that is not on a disk.
func verifyFile(r io.ReaderAt, size int64, opts verify.Options) (*verify.Report, error) {
	if verify.IsPDF(r) {
		return verify.PDF(r, size, opts)
	}
	return verify.Bundle(r, size, opts)
}

var fingerprintPattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// options reads the form as custody-verify reads --trust and --signer.
func options(in Input) (verify.Options, error) {
	opts := verify.Options{SHA256: in.SHA256, DigestRange: in.DigestRange, CompareRecord: in.CompareRecord, ComparePDFPages: in.ComparePDFPages}
	var err error
	if len(bytes.TrimSpace(in.TrustPEM)) > 0 {
		if opts.Trust, err = verify.ParseCertificates(in.TrustPEM); err != nil {
			return opts, fmt.Errorf("trust anchors: %w", err)
		}
	}
	signer := strings.TrimSpace(in.Signer)
	switch {
	case signer == "":
	case fingerprintPattern.MatchString(signer):
		opts.SignerFingerprint = strings.ToLower(signer)
	default:
		if opts.SignerKey, err = manifest.ParsePublicKey([]byte(signer)); err != nil {
			return opts, fmt.Errorf("expected signer: neither a 64-hex-digit fingerprint nor a public key PEM: %w", err)
		}
	}
	return opts, nil
}

// maxMessageEntry bounds a message entry read for display, as the
// verifier bounds it.
const maxMessageEntry = manifest.MaxMessageSize

// Messages lists the sealed messages of the custody file r holds, in the
// manifest's order, each marked intact or not against the manifest.
func Messages(r io.ReaderAt, size int64) ([]Message, error) {
	b, m, err := openContent(r, size)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	msgs := make([]Message, 0, len(m.Messages))
	for _, mm := range m.Messages {
		data, err := b.ReadSmall(mm.Entry, maxMessageEntry)
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, message(mm, data))
	}
	return msgs, nil
}

func message(mm manifest.Message, data []byte) Message {
	sum := sha256.Sum256(data)
	msg := Message{ID: mm.ID, Intact: hex.EncodeToString(sum[:]) == mm.SHA256}
	e, err := manifest.ParseMessageEntry(data)
	if err != nil {
		msg.Intact = false
		msg.Text = "(this message entry cannot be read: " + err.Error() + ")"
		return msg
	}
	msg.Time, msg.From, msg.Text = e.Time, e.From, e.Text
	for _, a := range e.Attachments {
		msg.Attachments = append(msg.Attachments, Attachment{Path: a.Path, Name: a.Name, Type: a.Type, Size: a.Size, Missing: a.Missing})
	}
	return msg
}

// MaxEntry bounds an attachment handed to the page: it is held in memory
// to be shown or saved.
const MaxEntry = 512 << 20

// Entry reads a sealed file of the bundle (an attachment) for the page,
// only if the manifest lists it and its bytes match the manifest's SHA-256:
// the page never shows a byte that is not the sealed one.
func Entry(r io.ReaderAt, size int64, path string) ([]byte, error) {
	b, m, err := openContent(r, size)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	f, ok := m.FileByPath(path)
	if !ok {
		return nil, fmt.Errorf("%s is not a sealed file of this bundle", path)
	}
	if f.Size > MaxEntry {
		return nil, fmt.Errorf("%s is %d bytes, too large to open in the page (more than %d): use custody-verify and unzip", path, f.Size, MaxEntry)
	}
	rc, err := b.Open(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, f.Size+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != f.SHA256 {
		return nil, fmt.Errorf("%s does not match its seal (altered): not shown", path)
	}
	return data, nil
}

// openContent opens the bundle that r holds (a PDF's embedded one, or r
// itself, canonical or repacked) and parses its manifest.
func openContent(r io.ReaderAt, size int64) (*manifest.Bundle, *manifest.Manifest, error) {
	c, err := openSealed(r, size, nil)
	return c.bundle, c.manifest, err
}

// sealedContent is a bundle opened as verify.Bundle opens it, its
// manifest parsed.
type sealedContent struct {
	bundle         *manifest.Bundle
	manifest       *manifest.Manifest
	manifestSHA256 string // hex, of manifest.json's bytes
	repacked       bool   // read through manifest.OpenRepacked
}

// openSealed opens the bundle that r holds as the verifier does: a PDF's
// embedded one (as verify.PDF finds it), or r itself, its sealed container
// or else repacked. With newSHA256, it takes the SHA-256 of manifest.json
// (the page's: crypto/sha256 compiled to WebAssembly takes tens of
// milliseconds for a manifest of 2,000 messages); without, it leaves it
// out.
func openSealed(r io.ReaderAt, size int64, newSHA256 func(int64) hash.Hash) (sealedContent, error) {
	var c sealedContent
	if verify.IsPDF(r) {
		pb, err := verify.ExtractPDFBundle(r, size)
		if err != nil {
			return c, err
		}
		r, size = pb.SectionReader, pb.Size()
	}
	b, err := manifest.OpenBundle(r, size)
	var cerr *manifest.ContainerError
	if errors.As(err, &cerr) {
		b, err = manifest.OpenRepacked(r, size)
		c.repacked = true
	}
	if err != nil {
		return c, err
	}
	data, err := b.ReadSmall(manifest.ManifestName, manifest.MaxManifestSize)
	if err == nil {
		c.manifest, err = manifest.Parse(data)
	}
	if err != nil {
		b.Close()
		return c, err
	}
	c.bundle = b
	if newSHA256 != nil {
		h := newSHA256(int64(len(data)))
		h.Write(data)
		c.manifestSHA256 = hex.EncodeToString(h.Sum(nil))
	}
	return c, nil
}

// ComparedRecord is what the page's Web Worker found (CompareRecord):
// the comparison of record.pdf, and the bundle it compared.
type ComparedRecord struct {
	Which   verify.RecordRendering  `json:"which"`
	Outcome verify.RenderingOutcome `json:"outcome"`
}

// CompareRecord compares the record.pdf of the custody file r holds with
// a fresh rendering (verify.CompareRecordRendering), and says which bundle
// it read: what the page's Web Worker runs on the same File, from the
// start of a verification, so that the rendering is compared on a second
// core while the first checks and hashes (For then hands it to
// verify.Options.CompareRecord).
func CompareRecord(r io.ReaderAt, size int64, newSHA256 func(int64) hash.Hash) (ComparedRecord, error) {
	opts := verify.Options{SHA256: newSHA256}
	c, err := openSealed(r, size, opts.NewSHA256)
	if err != nil {
		return ComparedRecord{}, err
	}
	defer c.bundle.Close()
	// The page's instance checks every entry's CRC-32, and its
	// comparison reads on past one that does not match, as here.
	c.bundle.SkipCRC()
	out, err := verify.CompareRecordRendering(c.bundle, c.manifest, opts)
	return ComparedRecord{Which: verify.RecordRendering{ManifestSHA256: c.manifestSHA256, Repacked: c.repacked}, Outcome: out}, err
}

// For is the outcome for verify.Options.CompareRecord, asked for the
// bundle which: an error if the worker compared another one (then the
// verification compares record.pdf itself).
func (c ComparedRecord) For(which verify.RecordRendering) (verify.RenderingOutcome, error) {
	if c.Which != which {
		return verify.RenderingOutcome{}, fmt.Errorf("the worker read another bundle (manifest %s, repacked %t) than the one verified (%s, %t)",
			c.Which.ManifestSHA256, c.Which.Repacked, which.ManifestSHA256, which.Repacked)
	}
	return c.Outcome, nil
}

// ComparedPages is what the page's Web Worker found (ComparePagesAhead):
// the rendering check of a standalone PDF's pages, and the seal it
// compared them under.
type ComparedPages struct {
	Which verify.PagesRendering `json:"which"`
	Check verify.Check          `json:"check"`
}

// ComparePagesAhead makes the rendering check of the standalone PDF r
// holds under the seal its embedded bundle states, before the page's
// verification establishes it (verify.ComparePDFPagesAhead): what the
// page's Web Worker runs once it has compared record.pdf, so that the
// pages are compared while the page still checks the bundle (For then
// hands the check to verify.Options.ComparePDFPages).
func ComparePagesAhead(r io.ReaderAt, size int64, newSHA256 func(int64) hash.Hash) (ComparedPages, error) {
	which, check, err := verify.ComparePDFPagesAhead(r, size, verify.Options{SHA256: newSHA256})
	return ComparedPages{Which: which, Check: check}, err
}

// For is the check for verify.Options.ComparePDFPages, asked for the seal
// which: an error if the worker compared the pages under a seal that
// prints otherwise (then the pages are compared again under which).
func (c ComparedPages) For(which verify.PagesRendering) (verify.Check, error) {
	if !c.Which.PrintsAs(which) {
		return verify.Check{}, fmt.Errorf("the worker compared the pages under another seal (manifest %s, %d timestamps) than the one verified (%s, %d)",
			c.Which.ManifestSHA256, len(c.Which.Timestamps), which.ManifestSHA256, len(which.Timestamps))
	}
	return c.Check, nil
}

// Report verifies the custody file r holds, as Verify does, and writes
// the verification report PDF (internal/reportpdf) that an expert can
// file: the same report as custody-verify --report, naming the web
// verifier (its version line and the SHA-256 of its WebAssembly) and the
// time at.
func Report(r io.ReaderAt, size int64, in Input, verifier, verifierSHA256 string, at time.Time) ([]byte, error) {
	opts, err := options(in)
	if err != nil {
		return nil, err
	}
	rep, err := verifyFile(r, size, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Name, err)
	}
	rep.File = in.Name
	report := reportpdf.Input{Report: rep, File: in.Name, Anchors: reportpdf.AnchorsOf(opts.Trust),
		Verifier: verifier, VerifierSHA256: verifierSHA256, Time: at.UTC().Truncate(time.Second),
		Command: "the web verifier, with " + describeOptions(in)}
	if report.FileSHA256, report.FileSize, err = reportpdf.DigestWith(io.NewSectionReader(r, 0, size), opts.NewSHA256(size)); err != nil {
		return nil, fmt.Errorf("%s: %w", in.Name, err)
	}
	var buf bytes.Buffer
	if err := reportpdf.Write(&buf, report); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// describeOptions says what the page was given, as a command line would.
func describeOptions(in Input) string {
	trust := "no trust anchor"
	if len(bytes.TrimSpace(in.TrustPEM)) > 0 {
		trust = "the trust anchors below"
	}
	signer := "no expected signer"
	if s := strings.TrimSpace(in.Signer); s != "" {
		signer = "an expected signer"
		if fingerprintPattern.MatchString(s) {
			signer = "expected signer " + strings.ToLower(s)
		}
	}
	return trust + " and " + signer
}
