package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"unicode/utf16"

	"github.com/custody-toolkit/custody/internal/cms"
	"github.com/custody-toolkit/custody/internal/pdfread"
	"github.com/custody-toolkit/custody/internal/tokencheck"
	"github.com/custody-toolkit/custody/internal/verdict"
	"github.com/custody-toolkit/custody/manifest"
)

// maxContents bounds the signature's /Contents: a CMS with a certificate
// chain and a timestamp token is a few KiB; pdfseal reserves 24 KiB plus
// the certificates.
const maxContents = 512 << 10

// maxFormFields bounds the form fields read looking for the signature
// (each is an object read): a sealed export has one.
const maxFormFields = 64

// PDF verifies a standalone PDF: the bundle it embeds, fully (as Bundle
// does), then the PDF's own signature (VerifyPDFSignature), and that the
// PDF was signed by the key that sealed the bundle. A PDF that another tool
// re-saved after signing is verified by resavedPDF. The error is non-nil
// when r is not a PDF, or is a PDF that carries no bundle (ErrNotCustody);
// a standalone PDF whose bundle cannot be read is a FAILED report.
func PDF(r io.ReaderAt, size int64, opts Options) (*Report, error) {
	head := make([]byte, 5)
	if _, err := r.ReadAt(head, 0); err != nil || string(head) != "%PDF-" {
		return nil, errors.New("not a PDF (no %PDF- header)")
	}
	f, err := pdfread.Open(r, size)
	if err != nil {
		return resavedPDF(r, size, opts, "reading the PDF structure: "+err.Error(), nil)
	}
	b, err := extractBundle(f, r, false)
	if err != nil {
		return resavedPDF(r, size, opts, err.Error(), f)
	}
	ahead := digestSignedAhead(f, r, size, opts) // pdfsigned.go
	rep, err := Bundle(b, b.Size(), opts)
	if err != nil {
		return failedPDF(CheckPDFEmbeddedBundle, fmt.Sprintf("the embedded %q is not a bundle: %v", b.Name, err)), nil
	}
	checks := []Check{{Name: CheckPDFEmbeddedBundle, Status: Passed, Detail: fmt.Sprintf("embedded file %q, %d bytes, verified below", b.Name, b.Size())}}
	checks = append(checks, rep.Checks...)
	var pdfRendering func() Check // started before the signature's check, which hashes nearly the whole file
	if rep.Result != Failed {
		pdfRendering = startPDFRendering(f, r, size, b, rep, opts)
	}
	sig, sigChecks := verifyPDFSignature(f, r, size, opts, rep.sealed, ahead)
	checks = append(checks, sigChecks...)
	if sig != nil && b.Offset < sig.ByteRange[2] && sig.ByteRange[1] < b.Offset+b.Size() {
		// Cannot happen with a well-formed /Contents (hex digits only),
		// but the bundle must lie where the signature covers it.
		checks = append(checks, Check{Name: CheckPDFEmbeddedBundle, Status: Failed, Detail: "the embedded bundle overlaps the unsigned /Contents"})
	}
	checks = append(checks, checkPDFSigner(sig, rep)...)
	if pdfRendering != nil {
		checks = append(checks, pdfRendering())
	}
	addSignatureTimestamp(rep, sig)
	checks = append(checks, checkDocTimestamps(r, size, sig, rep, opts)...)
	rep.Checks = checks
	rep.Result = Verdict(checks)
	return rep, nil
}

func failedPDF(name, detail string) *Report {
	checks := []Check{{Name: name, Status: Failed, Detail: detail}}
	return &Report{Result: Failed, Timestamps: []Timestamp{}, Checks: checks}
}

// checkPDFSigner: the PDF must be signed by the key that sealed the
// bundle.
func checkPDFSigner(sig *PDFSignature, rep *Report) []Check {
	switch {
	case sig == nil || sig.Fingerprint == "":
		return nil
	case rep.Signer.Fingerprint == "" && rep.Result == Failed:
		return []Check{{Name: CheckPDFSigner, Status: Failed, Detail: "the bundle's sealing key is unknown: its verification stopped before it"}}
	case rep.Signer.Fingerprint == "":
		// The bundle could not be checked as far as its signer (a later
		// format, say): nothing shows the PDF signed by another key.
		return []Check{{Name: CheckPDFSigner, Status: Indeterminate, Detail: "the bundle's sealing key is not established: its verification stopped before it, without finding anything altered"}}
	case sig.Fingerprint != rep.Signer.Fingerprint:
		return []Check{{Name: CheckPDFSigner, Status: Failed, Detail: fmt.Sprintf(
			"the PDF was signed by key %s, but the bundle was sealed by key %s", sig.Fingerprint, rep.Signer.Fingerprint)}}
	}
	return []Check{{Name: CheckPDFSigner, Status: Passed, Detail: "the PDF was signed by the key that sealed the bundle, " + sig.Fingerprint}}
}

func addSignatureTimestamp(rep *Report, sig *PDFSignature) {
	if sig != nil && sig.Timestamp != nil {
		ts := *sig.Timestamp
		ts.File = "PDF signature"
		rep.Timestamps = append(rep.Timestamps, ts)
	}
}

// resavedPDF verifies a PDF that is not in the form the exporter signs
// (why: what the strict reading found; strict: its structure, when it
// could be read). A PDF tool that re-saves a standalone PDF rewrites it
// whole (cross-reference and object streams, the embedded file now
// compressed): the PDF's signature cannot cover the new file, but the
// bundle inside is unchanged and carries its own seal. So the bundle is
// verified fully, and the PDF-signature checks that fail are INDETERMINATE
// (CONTAINER_REPACKED), not FAILED: a re-saved file is not a forgery. What
// cannot be told apart is a re-save from an edit of the pages followed by
// a re-save: the signed revision is gone, so the pages are not compared,
// and the report says so; the bundle's record.pdf remains the sealed
// rendering. A bundle that does not verify is FAILED as always
// (docs/bundle-format.md §7.2, "Re-saved PDFs").
func resavedPDF(r io.ReaderAt, size int64, opts Options, why string, strict *pdfread.File) (*Report, error) {
	f, err := pdfread.OpenResaved(r, size)
	if err != nil {
		if !mentionsCustody(r, size) {
			return nil, fmt.Errorf("%w: a PDF whose structure cannot be read, with no trace of a custody bundle", ErrNotCustody)
		}
		return failedPDF(CheckPDFEmbeddedBundle, why), nil
	}
	b, err := extractBundle(f, r, true)
	if err != nil {
		if !mentionsCustody(r, size) && !carriesBundle(f) {
			return nil, fmt.Errorf("%w: a PDF without an embedded custody bundle", ErrNotCustody)
		}
		// Still report on the signature: the expert wants to know
		// whether the file is intact as signed, bundle or not.
		rep := failedPDF(CheckPDFEmbeddedBundle, why)
		if strict == nil {
			strict = f
		}
		_, sigChecks := verifyPDFSignature(strict, r, size, opts, sealedSigner{}, nil)
		rep.Checks = append(rep.Checks, sigChecks...)
		return rep, nil
	}
	defer b.close()
	rep, err := Bundle(b, b.Size(), opts)
	if err != nil {
		return failedPDF(CheckPDFEmbeddedBundle, fmt.Sprintf("the embedded %q is not a bundle: %v", b.Name, err)), nil
	}
	checks := []Check{
		{Name: "pdf.container", Status: Indeterminate, Sub: ContainerRepacked, Detail: "this PDF is not the file that was signed: it was re-saved by another tool (" + why + ")"},
		{Name: CheckPDFEmbeddedBundle, Status: Passed, Detail: fmt.Sprintf("embedded file %q, %d bytes%s, verified below", b.Name, b.Size(), b.decoded)},
	}
	checks = append(checks, rep.Checks...)
	sig, sigChecks := verifyPDFSignature(f, r, size, opts, rep.sealed, nil)
	resigned := FirstFailed(sigChecks) == nil && len(sigChecks) > 0
	for _, c := range sigChecks {
		if c.Status == Failed {
			c.Status, c.Sub = Indeterminate, ContainerRepacked
			c.Detail = "the PDF was re-saved after signing, so its signature no longer covers this file: " + c.Detail
		}
		checks = append(checks, c)
	}
	if resigned {
		checks = append(checks, checkPDFSigner(sig, rep)...)
		addSignatureTimestamp(rep, sig)
	}
	checks = append(checks, Check{Name: CheckPDFRendering, Status: Indeterminate, Sub: ContainerRepacked,
		Detail: "the pages are not compared: the signed revision they were part of is gone, so a re-save cannot be told from an edit of the pages; the bundle's " + manifest.RecordName + " (verified above) remains the sealed rendering"})
	rep.Checks = checks
	rep.Result = Verdict(checks)
	rep.Summary = repackedSummary(rep, resavedPDFHow)
	return rep, nil
}

// custodyMark is in every PDF that carries a bundle, or carried one: in
// the embedded file's /Subtype and, at byte 38 of a bundle stored
// unfiltered, in its mimetype entry.
const custodyMark = "vnd.custody.bundle+zip"

// mentionsCustody tells a damaged standalone PDF (a custody file: it gets
// a verdict) from a PDF that never carried a bundle (not a custody file):
// whether custodyMark is anywhere in its bytes. It reads the file once, in
// blocks; it runs only when no bundle could be extracted.
func mentionsCustody(r io.ReaderAt, size int64) bool {
	const block = 256 << 10
	buf := make([]byte, block+len(custodyMark))
	for off := int64(0); off < size; off += block {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if bytes.Contains(buf[:n], []byte(custodyMark)) {
			return true
		}
	}
	return false
}

// PDFBundle is the bundle embedded in a standalone PDF.
type PDFBundle struct {
	Name   string // the attachment's file name (/UF, else /F)
	Offset int64  // where its bytes start in the PDF; -1 when decoded
	*io.SectionReader

	decoded string // how it was decoded, for the report ("" if stored)
	cleanup func() // removes the file it was decoded into
}

func (b *PDFBundle) close() {
	if b.cleanup != nil {
		b.cleanup()
	}
}

// maxDecodedBundle bounds the bundle decoded out of a compressed embedded
// file (on disk, not in memory): a bundle with hours of video is a few
// GiB.
const maxDecodedBundle = 64 << 30

// ExtractPDFBundle finds the .custody bundle embedded in a standalone PDF:
// the one file of the catalog's /Names /EmbeddedFiles tree, which must
// also be its one associated file (/AF, /AFRelationship /Source), stored
// unfiltered with /Subtype application/vnd.custody.bundle+zip. The bundle
// is read in place from r. An error says why none could be found, naming
// the PDF object at fault.
func ExtractPDFBundle(r io.ReaderAt, size int64) (*PDFBundle, error) {
	f, err := pdfread.Open(r, size)
	if err != nil {
		return nil, fmt.Errorf("reading the PDF structure: %w", err)
	}
	return extractBundle(f, r, false)
}

// extractBundle finds the embedded bundle as ExtractPDFBundle says; with
// resaved (a PDF re-saved by another tool, resavedPDF), the embedded file
// may be compressed with /FlateDecode: it is then decoded, once, into a
// temporary file (the bundle is read by offset), which b.close removes.
func extractBundle(f *pdfread.File, r io.ReaderAt, resaved bool) (*PDFBundle, error) {
	cat, err := f.Dict(f.Trailer["Root"], "catalog (trailer /Root)")
	if err != nil {
		return nil, err
	}
	names, err := f.Dict(cat["Names"], "catalog /Names")
	if err != nil {
		return nil, fmt.Errorf("no embedded files: %w", err)
	}
	tree, err := f.Dict(names["EmbeddedFiles"], "/Names /EmbeddedFiles")
	if err != nil {
		return nil, fmt.Errorf("no embedded files: %w", err)
	}
	if _, ok := tree["Kids"]; ok {
		return nil, errors.New("/EmbeddedFiles name tree has /Kids: one embedded bundle is expected, in a single /Names array")
	}
	pairs, err := f.Array(tree["Names"], "/EmbeddedFiles /Names")
	if err != nil {
		return nil, err
	}
	if len(pairs) != 2 {
		return nil, fmt.Errorf("/EmbeddedFiles lists %d files; exactly one, the bundle, is expected", len(pairs)/2)
	}
	specRef, ok := pairs[1].(pdfread.Ref)
	if !ok {
		return nil, errors.New("/EmbeddedFiles entry is not a reference to a file specification")
	}
	af, err := f.Array(cat["AF"], "catalog /AF")
	if err != nil {
		return nil, fmt.Errorf("the bundle is not an associated file: %w", err)
	}
	if len(af) != 1 || af[0] != specRef {
		return nil, fmt.Errorf("catalog /AF must list exactly the embedded bundle's file specification %d %d R", specRef.Num, specRef.Gen)
	}
	spec, err := f.Dict(specRef, "file specification")
	if err != nil {
		return nil, err
	}
	if rel, _ := spec["AFRelationship"].(pdfread.Name); rel != "Source" {
		return nil, fmt.Errorf("file specification /AFRelationship is %q, want /Source", rel)
	}
	name := fileName(spec)
	ef, err := f.Dict(spec["EF"], "file specification /EF")
	if err != nil {
		return nil, err
	}
	ref, ok := ef["F"].(pdfread.Ref)
	if uf, has := ef["UF"]; has && (!ok || uf != ref) {
		return nil, errors.New("file specification /EF /F and /UF name different streams")
	}
	if !ok {
		return nil, errors.New("file specification /EF /F is not a reference to a stream")
	}
	obj, err := f.Get(ref)
	if err != nil {
		return nil, fmt.Errorf("embedded file: %w", err)
	}
	s, ok := obj.(*pdfread.Stream)
	if !ok {
		return nil, fmt.Errorf("embedded file %d %d R is not a stream", ref.Num, ref.Gen)
	}
	if sub, _ := s.Dict["Subtype"].(pdfread.Name); sub != manifest.MediaType {
		return nil, fmt.Errorf("embedded file %q has /Subtype %q, want %q", name, sub, manifest.MediaType)
	}
	b := &PDFBundle{Name: name, Offset: s.Offset, SectionReader: io.NewSectionReader(r, s.Offset, s.Length)}
	if _, filtered := s.Dict["Filter"]; filtered {
		if !resaved {
			return nil, fmt.Errorf("embedded file %q has a /Filter; the bundle is stored unfiltered", name)
		}
		if b, err = decodeToTemp(f, s, name); err != nil {
			return nil, err
		}
	}
	if params, ok := s.Dict["Params"].(pdfread.Dict); ok {
		if n, ok := params["Size"].(int64); ok && n != b.Size() {
			b.close()
			return nil, fmt.Errorf("embedded file %q: /Params /Size %d but the stream holds %d bytes", name, n, b.Size())
		}
	}
	return b, nil
}

// decodeToTemp decodes a compressed embedded file into a temporary file,
// streaming, up to maxDecodedBundle bytes.
func decodeToTemp(f *pdfread.File, s *pdfread.Stream, name string) (*PDFBundle, error) {
	rd, err := f.Decode(s)
	if err != nil {
		return nil, fmt.Errorf("embedded file %q: %w", name, err)
	}
	tmp, err := os.CreateTemp("", "custody-verify-*.custody")
	if err != nil {
		return nil, err
	}
	b := &PDFBundle{Name: name, Offset: -1, cleanup: func() { tmp.Close(); os.Remove(tmp.Name()) }}
	n, err := io.Copy(tmp, io.LimitReader(rd, maxDecodedBundle+1))
	switch {
	case err != nil:
		err = fmt.Errorf("embedded file %q: decoding its %v: %w", name, s.Dict["Filter"], err)
	case n > maxDecodedBundle:
		err = fmt.Errorf("embedded file %q decodes to more than %d bytes", name, int64(maxDecodedBundle))
	}
	if err != nil {
		b.close()
		return nil, err
	}
	b.SectionReader = io.NewSectionReader(tmp, 0, n)
	b.decoded = fmt.Sprintf(" (stored with /Filter %v, decoded)", s.Dict["Filter"])
	return b, nil
}

// carriesBundle: whether a file attached to the PDF (in its
// /EmbeddedFiles or /AF) is a bundle by its /Subtype or its name
// (*.custody), even if it cannot be extracted as one.
func carriesBundle(f *pdfread.File) bool {
	cat, err := f.Dict(f.Trailer["Root"], "catalog")
	if err != nil {
		return false
	}
	var specs pdfread.Array
	if names, err := f.Dict(cat["Names"], "/Names"); err == nil {
		if tree, err := f.Dict(names["EmbeddedFiles"], "/EmbeddedFiles"); err == nil {
			pairs, _ := f.Array(tree["Names"], "/Names")
			for i := 1; i < len(pairs); i += 2 {
				specs = append(specs, pairs[i])
			}
		}
	}
	af, _ := f.Array(cat["AF"], "/AF")
	for _, o := range append(specs, af...) {
		spec, err := f.Dict(o, "file specification")
		if err != nil {
			continue
		}
		if strings.HasSuffix(strings.ToLower(fileName(spec)), ".custody") {
			return true
		}
		ef, _ := f.Dict(spec["EF"], "/EF")
		if obj, err := f.Resolve(ef["F"]); err == nil {
			if s, ok := obj.(*pdfread.Stream); ok && nameOf(s.Dict["Subtype"]) == manifest.MediaType {
				return true
			}
		}
	}
	return false
}

// fileName is the /UF (text string) or /F of a file specification.
func fileName(spec pdfread.Dict) string {
	for _, k := range []pdfread.Name{"UF", "F"} {
		if s, ok := spec[k].(pdfread.String); ok {
			return textString(s.Bytes)
		}
	}
	return ""
}

// textString decodes a PDF text string: UTF-16BE with a byte-order mark,
// else bytes taken as Latin-1, which PDFDocEncoding matches for letters.
func textString(b []byte) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// PDFSignature is what VerifyPDFSignature found in a standalone PDF.
type PDFSignature struct {
	SubFilter   string            // adbe.pkcs7.detached or ETSI.CAdES.detached
	ByteRange   [4]int64          // as checked: [0, start of /Contents, its end, the rest]
	Certificate *x509.Certificate // the signer's certificate from the CMS
	PublicKey   crypto.PublicKey  // compare with the bundle's sealing key
	Fingerprint string            // manifest.Fingerprint(PublicKey)
	Algorithm   string            // e.g. "ECDSA SHA-256", "Ed25519"
	Token       []byte            // the signature timestamp (DER TimeStampToken); nil if absent
	Timestamp   *Timestamp        // what VerifyToken established from Token

	chain   []*x509.Certificate // the CMS certificates, signer first
	claimed []claimedTime       // the signing times the signer states

	stamps    []docTimestampField // the renewals' document timestamps
	signedEnd int64               // where the signature's revision ends
}

// VerifyPDFSignature checks the one signature of a standalone PDF:
// its /ByteRange must cover the whole file except exactly its /Contents
// hex string (nothing appended after signing, no gap; or, in a renewed
// PDF, the revision before the renewals' updates, which may only add
// document timestamps: checkLaterUpdates), and its CMS signature must
// hold over those bytes. The signature timestamp is checked
// with VerifyToken against opts.Trust. Who signed is returned, not judged:
// the caller compares Fingerprint with the bundle's sealing key. It never
// fails with an error: every finding is a Check (pdf.byte-range,
// pdf.signature, pdf.timestamp …).
func VerifyPDFSignature(r io.ReaderAt, size int64, opts Options) (*PDFSignature, []Check) {
	f, err := pdfread.Open(r, size)
	if err != nil {
		return nil, []Check{{Name: CheckPDFSignature, Status: Failed, Detail: "reading the PDF structure: " + err.Error()}}
	}
	return verifyPDFSignature(f, r, size, opts, sealedSigner{}, nil)
}

// verifyPDFSignature is VerifyPDFSignature on f, read from r; sealed is
// what the embedded bundle established about its signer (zero: nothing);
// ahead, the signed bytes' digest started ahead, or nil.
func verifyPDFSignature(f *pdfread.File, r io.ReaderAt, size int64, opts Options, sealed sealedSigner, ahead *signedDigestAhead) (*PDFSignature, []Check) {
	sig, stamps, contents, ranges, failed := signedRanges(f, size)
	if failed != nil {
		return nil, failed
	}
	signedEnd := ranges[2] + ranges[3]
	detail := fmt.Sprintf("the signature covers all %d bytes of the file but its own /Contents (bytes %d to %d)", size, ranges[1], ranges[2])
	if len(stamps) > 0 {
		if err := checkLaterUpdates(f, r, signedEnd, stamps); err != nil {
			return nil, failCheck(CheckPDFByteRange, "the signature covers the file up to byte %d; the updates after it are not renewals': %v", signedEnd, err)
		}
		detail = fmt.Sprintf("the signature covers the file up to byte %d but its own /Contents (bytes %d to %d); the %d bytes after it are %d renewal(s), which add document timestamps and validation data and change nothing signed",
			signedEnd, ranges[1], ranges[2], size-signedEnd, len(stamps))
	}
	checks := []Check{{Name: CheckPDFByteRange, Status: Passed, Detail: detail}}
	res := &PDFSignature{ByteRange: ranges, stamps: stamps, signedEnd: signedEnd}
	res.SubFilter = string(nameOf(sig["SubFilter"]))
	if res.SubFilter != "adbe.pkcs7.detached" && res.SubFilter != subFilterPAdES {
		return nil, append(checks, failCheck(CheckPDFSignature, "signature /SubFilter %q is not a detached CMS signature", res.SubFilter)...)
	}
	der, err := trimPadding(contents.Bytes)
	if err != nil {
		return nil, append(checks, Check{Name: CheckPDFSignature, Status: Failed, Sub: FormatFailure, Detail: "signature /Contents: " + err.Error()})
	}
	if err := checkContentsForm(r, contents, der); err != nil {
		return nil, append(checks, Check{Name: CheckPDFSignature, Status: Failed, Sub: FormatFailure, Detail: "signature /Contents: " + err.Error()})
	}
	signed := signedBytes{r: r, ranges: ranges, newDigest: signedDigest(opts, ranges[1]+ranges[3]), ahead: ahead.forRanges(ranges)}
	sigValue, detail, err := verifyCMS(der, signed, res, sealed)
	if len(stamps) > 0 {
		detail = strings.Replace(detail, "over the whole file", "over the signed revision", 1)
	}
	checks = append(checks, signatureCheck(detail, err))
	var unparsable *unparsableCertificateError
	if err != nil && !errors.As(err, &unparsable) {
		return res, checks
	}
	// The signature timestamp needs no certificate of the signer's: it is
	// checked even when one cannot be parsed, as a verifier whose parser
	// reads it checks it.
	checks = append(checks, checkSignatureTimestamp(res, sigValue, opts)...)
	res.claimed = append(res.claimed, dictSigningTime(sig)...)
	return res, append(checks, checkSigningTime(res)...)
}

// signedRanges finds f's one signature, its /Contents and the ranges its
// /ByteRange covers, as checked (byteRange); failed is the check that
// failed otherwise. verifyPDFSignature and digestSignedAhead find them
// alike.
func signedRanges(f *pdfread.File, size int64) (sig pdfread.Dict, stamps []docTimestampField, contents pdfread.String, ranges [4]int64, failed []Check) {
	sig, stamps, err := findSignature(f)
	if err != nil {
		// No signature field, or more than one: not the one form the
		// exporter writes (§7.2 item 2), whatever the signature's value.
		return nil, nil, contents, ranges, []Check{{Name: CheckPDFSignature, Status: Failed, Sub: FormatFailure, Detail: err.Error()}}
	}
	contents, ok := sig["Contents"].(pdfread.String)
	if !ok || !contents.Hex {
		return nil, nil, contents, ranges, failCheck(CheckPDFSignature, "signature /Contents is not a hexadecimal string")
	}
	if ranges, err = byteRange(sig["ByteRange"], contents, size, len(stamps) > 0); err != nil {
		return nil, nil, contents, ranges, failCheck(CheckPDFByteRange, "%v", err)
	}
	return sig, stamps, contents, ranges, nil
}

// failCheck is a failed check of one name and detail.
func failCheck(name, format string, args ...any) []Check {
	return []Check{{Name: name, Status: Failed, Detail: fmt.Sprintf(format, args...)}}
}

// signatureCheck is the pdf.signature check of verifyCMS's outcome.
func signatureCheck(detail string, err error) Check {
	var unparsable *unparsableCertificateError
	var notBaseline *notBaselineError
	var notForm *notOneFormError
	var notSealed *sealedChainError
	switch {
	case err == nil:
		return Check{Name: CheckPDFSignature, Status: Passed, Detail: detail}
	case errors.Is(err, cms.ErrUnsupported):
		// An algorithm this verifier does not implement: the signature is
		// not checked, which proves nothing either way.
		return Check{Name: CheckPDFSignature, Status: Indeterminate, Sub: CryptoConstraintsFailure, Detail: "the signature cannot be checked: " + err.Error()}
	case errors.As(err, &unparsable):
		return Check{Name: CheckPDFSignature, Status: Indeterminate, Sub: CertificateChainGeneralFailure, Detail: err.Error()}
	case errors.As(err, &notBaseline) || errors.As(err, &notForm):
		return Check{Name: CheckPDFSignature, Status: Failed, Sub: FormatFailure, Detail: err.Error()}
	case errors.As(err, &notSealed):
		return Check{Name: CheckPDFSignature, Status: Failed, Sub: HashFailure, Detail: err.Error()}
	}
	return Check{Name: CheckPDFSignature, Status: Failed, Detail: err.Error()}
}

func nameOf(o pdfread.Object) pdfread.Name {
	n, _ := o.(pdfread.Name)
	return n
}

// findSignature returns the value of the one signature field of the
// catalog's /AcroForm, and the fields of the document timestamps that
// renewals appended after it (PAdES B-LTA), in /Fields order.
func findSignature(f *pdfread.File) (pdfread.Dict, []docTimestampField, error) {
	cat, err := f.Dict(f.Trailer["Root"], "catalog (trailer /Root)")
	if err != nil {
		return nil, nil, err
	}
	if _, ok := cat["AcroForm"]; !ok {
		return nil, nil, errors.New("the PDF is not signed (its catalog has no /AcroForm)")
	}
	form, err := f.Dict(cat["AcroForm"], "catalog /AcroForm")
	if err != nil {
		return nil, nil, err
	}
	fields, err := f.Array(form["Fields"], "/AcroForm /Fields")
	if err != nil {
		return nil, nil, err
	}
	if len(fields) > maxFormFields {
		return nil, nil, fmt.Errorf("/AcroForm has %d fields; a sealed export has one, and one more per renewal", len(fields))
	}
	var sig pdfread.Object
	var stamps []docTimestampField
	n := 0
	for i, o := range fields {
		fd, err := f.Dict(o, fmt.Sprintf("/AcroForm /Fields[%d]", i))
		if err != nil {
			return nil, nil, err
		}
		if _, ok := fd["Kids"]; ok {
			return nil, nil, fmt.Errorf("/AcroForm /Fields[%d] has /Kids: nested form fields are not accepted", i)
		}
		if nameOf(fd["FT"]) != "Sig" {
			continue
		}
		if v, err := f.Dict(fd["V"], "signature field /V"); err == nil && nameOf(v["Type"]) == "DocTimeStamp" {
			stamps = append(stamps, docTimestampField{ref: o, field: fd, value: v})
			continue
		}
		n++
		sig = fd["V"]
	}
	switch {
	case n == 0:
		return nil, nil, errors.New("the PDF is not signed (no signature field)")
	case n > 1:
		return nil, nil, fmt.Errorf("the PDF has %d signature fields; a sealed export has exactly one (and document timestamps)", n)
	}
	d, err := f.Dict(sig, "signature field /V")
	if err != nil {
		return nil, nil, err
	}
	if t, ok := d["Type"]; ok && nameOf(t) != "Sig" {
		return nil, nil, fmt.Errorf("signature dictionary has /Type %v, want /Sig", t)
	}
	return d, stamps, nil
}

// byteRange checks that /ByteRange [0 a b c] leaves out exactly the
// /Contents string and reaches the end of the file; with later, the end
// of a revision before it (document timestamps follow), which
// checkLaterUpdates then holds to that.
func byteRange(o pdfread.Object, contents pdfread.String, size int64, later bool) ([4]int64, error) {
	var br [4]int64
	a, ok := o.(pdfread.Array)
	if !ok || len(a) != 4 {
		return br, errors.New("the signature's /ByteRange is not an array of 4 integers")
	}
	for i, v := range a {
		if br[i], ok = v.(int64); !ok || br[i] < 0 {
			return br, errors.New("the signature's /ByteRange is not an array of 4 non-negative integers")
		}
	}
	switch {
	case br[0] != 0:
		return br, fmt.Errorf("the signature does not cover the start of the file (/ByteRange starts at %d)", br[0])
	case br[1] != contents.Start || br[2] != contents.End:
		return br, fmt.Errorf("the unsigned gap %d..%d of /ByteRange is not the signature's /Contents (bytes %d to %d)",
			br[1], br[2], contents.Start, contents.End)
	case br[2]+br[3] < size && !later:
		return br, fmt.Errorf("the signature covers the file up to byte %d but it has %d: %d bytes are unsigned (added after signing, or the /ByteRange was altered)",
			br[2]+br[3], size, size-br[2]-br[3])
	case br[2]+br[3] > size:
		return br, fmt.Errorf("the signature covers %d bytes but the file has only %d: it was truncated", br[2]+br[3], size)
	case br[2]+br[3] == size && later:
		return br, errors.New("the signature covers the whole file, so the document timestamps are not after it: a renewal appends them")
	}
	return [4]int64{br[0], br[1], br[2], br[3]}, nil
}

// trimPadding returns the DER CMS at the start of contents: signers
// reserve /Contents in advance and pad it with zero bytes.
func trimPadding(contents []byte) ([]byte, error) {
	if len(contents) > maxContents {
		return nil, fmt.Errorf("%d bytes, more than the %d accepted", len(contents), maxContents)
	}
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(contents, &raw)
	if err != nil {
		return nil, fmt.Errorf("not a DER CMS: %w", err)
	}
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return nil, errors.New("non-zero bytes after the CMS")
	}
	return raw.FullBytes, nil
}

// checkContentsForm holds the /Contents string, which no signature
// covers, to the one form the writer MUST produce (bundle-format.md §7.2):
// the CMS in lowercase hex, then ASCII '0' up to the room reserved, no
// whitespace. Otherwise the case of every hex letter and whitespace in the
// padding could carry hidden bytes under a valid signature.
func checkContentsForm(r io.ReaderAt, contents pdfread.String, der []byte) error {
	n := contents.End - contents.Start - 2
	if n != 2*int64(len(contents.Bytes)) || n > 2*maxContents {
		return errors.New("the hexadecimal string has whitespace or an odd number of digits; the exporter writes none")
	}
	raw := make([]byte, n)
	if _, err := r.ReadAt(raw, contents.Start+1); err != nil {
		return err
	}
	digits := hex.EncodeToString(der)
	if !bytes.HasPrefix(raw, []byte(digits)) {
		return errors.New("the CMS is not written in lowercase hexadecimal digits only, as the exporter writes it")
	}
	if len(bytes.TrimLeft(raw[len(digits):], "0")) != 0 {
		return errors.New("the room after the CMS is not filled with '0' digits only, as the exporter fills it")
	}
	return nil
}

// verifyCMS checks a detached CMS SignedData with one signer over signed,
// fills res with the signer and the timestamp token, and returns the
// signature value (what the timestamp's imprint covers). The CMS is read
// as strictly as a timestamp token (package cms: DER, every field at
// the one value RFC 5652 allows), and its certificates must be exactly the
// signer's chain up to a self-issued certificate, in order, each link
// verified (CheckCertificateChain): no byte of the signature's container
// can change without the verdict changing.
//
// The checks that need no X.509 parser come first (bundle-format.md §7.2,
// "Order"): the signed attributes, the ESS binding against the first
// certificate's raw bytes, the certificates against the bundle's sealed
// chain. Parsers differ, and a certificate swapped for one that this
// verifier's parser refuses must be FAILED here as it is by a verifier
// whose parser reads it. Only then are the certificates parsed; one that
// cannot be is unparsableCertificateError, once the signature has been
// verified with the bundle's sealing key (sealed.key), which needs no
// certificate.
func verifyCMS(der []byte, signed signedBytes, res *PDFSignature, sealed sealedSigner) (sigValue []byte, detail string, err error) {
	sd, err := cms.ParseDetached(der, "PDF signature CMS")
	if err != nil {
		return nil, "", fmt.Errorf("the signature's CMS cannot be read: %w", err)
	}
	if err := checkCMSForm(sd); err != nil {
		return nil, "", &notOneFormError{err}
	}
	si := &sd.SignerInfos[0]
	h, err := cms.Hash(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return nil, "", fmt.Errorf("the CMS digest algorithm: %w", err)
	}
	if err := checkRawBytes(sd, si, h, signed, res.SubFilter, sealed.chain); err != nil {
		return nil, "", err
	}
	if res.claimed, err = cmsSigningTime(si); err != nil {
		return nil, "", err
	}
	if res.Token, err = signatureTimestamp(si); err != nil {
		return nil, "", &notOneFormError{err}
	}
	chain, err := parseCMSPath(sd.Certificates)
	var unparsable *unparsableCertificateError
	if errors.As(err, &unparsable) {
		return si.Signature, "", verifyWithSealingKey(si, h, sealed.key, res, unparsable)
	}
	if err != nil {
		return nil, "", err
	}
	if detail, err = verifySignerCertificates(si, h, chain, res); err != nil {
		return nil, "", err
	}
	return si.Signature, detail, nil
}

// checkCMSForm checks the SignedData fields the writer holds to one
// value: one signer, id-data, the version RFC 5652 gives, no CRLs, a
// certificate.
func checkCMSForm(sd *cms.SignedData) error {
	switch {
	case len(sd.SignerInfos) != 1:
		return fmt.Errorf("the CMS has %d signers; exactly one is expected", len(sd.SignerInfos))
	case !sd.EContentType.Equal(cms.OIDData):
		return fmt.Errorf("the CMS eContentType is %v, want id-data for a detached PDF signature", sd.EContentType)
	case sd.Version != sd.ExpectedVersion():
		return fmt.Errorf("the CMS SignedData version is %d, want %d (RFC 5652 §5.1)", sd.Version, sd.ExpectedVersion())
	case sd.HasCRLs:
		return errors.New("the CMS carries CRLs; a sealed export's signature carries none")
	case len(sd.Certificates) == 0:
		return errors.New("the CMS does not carry its signer's certificate")
	}
	return nil
}

// checkRawBytes makes the checks of the CMS that no X.509 parser decides:
// the signed attributes (content type, message digest of the signed
// bytes, the ESS binding to the first certificate's bytes, the PAdES
// baseline) and, when the bundle seals the signer's chain, the CMS
// certificates against it.
func checkRawBytes(sd *cms.SignedData, si *cms.SignerInfo, h crypto.Hash, signed signedBytes, subFilter string, sealedChain [][]byte) error {
	if err := checkCMSAttributes(si, sd.Certificates[0], h, signed); err != nil {
		return err
	}
	if err := checkCAdESBaseline(si, subFilter); err != nil {
		return err
	}
	return checkSealedChain(sd.Certificates, sealedChain)
}

// verifySignerCertificates checks the parsed path: the first certificate
// is the one the SignerInfo names, the links hold, the ESS issuerSerial
// names it, and the signature verifies with its key. It fills res with
// the signer and says what was established.
func verifySignerCertificates(si *cms.SignerInfo, h crypto.Hash, chain []*x509.Certificate, res *PDFSignature) (detail string, err error) {
	if !tokencheck.Identifies(si, chain[0]) {
		return "", &notOneFormError{errors.New("the CMS's first certificate is not its signer's: the certificates must be the signer's chain, signer first")}
	}
	if err := tokencheck.CheckCertificateChain(chain); err != nil {
		return "", fmt.Errorf("the CMS certificates: %w", err)
	}
	cert := chain[0]
	if _, _, err := tokencheck.SigningCertificates(si, cert); err != nil {
		return "", fmt.Errorf("the CMS signing-certificate attribute: %w", err)
	}
	res.Certificate, res.PublicKey, res.chain = cert, cert.PublicKey, chain
	fp, err := manifest.Fingerprint(cert.PublicKey)
	if err != nil {
		return "", err
	}
	res.Fingerprint = fp
	alg, err := cms.VerifySignature(cert.PublicKey, si.SignatureAlgorithm, h, si.SignedAttrs, si.Signature)
	if err != nil {
		return "", fmt.Errorf("the CMS signature does not verify with its certificate's key: %w", err)
	}
	res.Algorithm = string(alg)
	return fmt.Sprintf("%s signature (%s) over the whole file by key %s (certificate chain %s)",
		alg, signatureForm(res.SubFilter), res.Fingerprint, tokencheck.ChainNames(chain)), nil
}

// verifyWithSealingKey is what remains to check when a CMS certificate
// cannot be parsed (unparsable): the signature over the signed
// attributes, with the bundle's sealing key, which the bundle gives
// independently of the certificates. One that does not verify with it is
// FAILED, as a verifier that parses the certificate finds it either not
// verifying with the certificate's key or made by another key than the
// sealing key. One that verifies leaves the path unchecked: unparsable,
// INDETERMINATE. Without the sealing key (the PDF's signature alone, or
// a bundle whose seal did not verify) nothing more can be checked.
func verifyWithSealingKey(si *cms.SignerInfo, h crypto.Hash, key crypto.PublicKey, res *PDFSignature, unparsable *unparsableCertificateError) error {
	if key == nil {
		return unparsable
	}
	alg, err := cms.VerifySignature(key, si.SignatureAlgorithm, h, si.SignedAttrs, si.Signature)
	if err != nil {
		if errors.Is(err, cms.ErrUnsupported) {
			return err
		}
		return fmt.Errorf("the CMS signature does not verify with the bundle's sealing key (altered, or made by another key): %w", err)
	}
	res.PublicKey, res.Algorithm = key, string(alg)
	res.Fingerprint, _ = manifest.Fingerprint(key)
	unparsable.verified = fmt.Sprintf("%s signature by the bundle's sealing key %s, the ESS attribute binding the first certificate's bytes", alg, res.Fingerprint)
	return unparsable
}

// parseCMSPath parses the CMS certificates that form the path: from the
// signer's, each in turn, up to the first self-issued one. A certificate
// after it is on no path, whatever it holds, and is not parsed (§7.2:
// "each certificate once, ending with the first self-issued
// certificate"), so that whether it parses cannot change the verdict.
func parseCMSPath(certs [][]byte) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for i, raw := range certs {
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			return nil, &unparsableCertificateError{n: i + 1, err: err}
		}
		chain = append(chain, c)
		if bytes.Equal(c.RawIssuer, c.RawSubject) && i+1 < len(certs) {
			return nil, fmt.Errorf("the CMS certificates: certificate %d ('%s') is self-issued, the end of the path, but %d more certificates follow it", i+1, c.Subject, len(certs)-i-1)
		}
	}
	return chain, nil
}

// checkSealedChain holds the CMS certificates to the signer's chain the
// bundle seals (META-INF/signer-chain.pem, bundle-format.md §5.1), byte
// for byte: the exporter writes the same certificates into both, so the
// CMS's begin with the sealed ones (a root absent from the sealed chain
// may follow). A difference is a certificate that no signature covers
// replaced, added or removed: FAILED whatever the X.509 parser makes of
// it. Without a sealed chain (nil) there is nothing to compare.
func checkSealedChain(certs, sealed [][]byte) error {
	if len(sealed) == 0 {
		return nil
	}
	if len(certs) < len(sealed) {
		return &sealedChainError{fmt.Sprintf("the CMS carries %d certificates, but the bundle seals a chain of %d (%s)", len(certs), len(sealed), manifest.SignerChainName)}
	}
	for i, want := range sealed {
		if !bytes.Equal(certs[i], want) {
			return &sealedChainError{fmt.Sprintf("the CMS certificate %d is not certificate %d of the chain the bundle seals (%s)", i+1, i+1, manifest.SignerChainName)}
		}
	}
	return nil
}

// sealedChainError: the CMS certificates are not the chain the bundle
// seals. FAILED, HASH_FAILURE: not the bytes sealed.
type sealedChainError struct{ why string }

func (e *sealedChainError) Error() string { return e.why }

// sealedSigner is what the bundle establishes about its signer without the
// PDF: the sealing key (signer.pem, once the manifest's signature verified
// with it), and the signer's certificate chain when the bundle seals one
// (signer-chain.pem, its bytes matching the seal; DER, not parsed). The
// PDF's CMS is checked against them before any of its certificates is
// parsed.
type sealedSigner struct {
	key   crypto.PublicKey
	chain [][]byte
}

// signedDigest makes the hash of a PDF signature's signed bytes (size
// bytes: nearly the whole PDF): Options.SHA256's for SHA-256.
func signedDigest(opts Options, size int64) func(crypto.Hash) hash.Hash {
	return func(h crypto.Hash) hash.Hash {
		if h == crypto.SHA256 {
			return opts.NewSHA256(size)
		}
		return h.New()
	}
}

// checkCMSAttributes checks the signed attributes: content type id-data,
// the message digest of the PDF's signed bytes and, when present, the
// ESS signing-certificate binding to the signer's certificate, by its
// hash of first, the DER of the CMS's first certificate (its issuerSerial
// is compared once the certificate is parsed).
func checkCMSAttributes(si *cms.SignerInfo, first []byte, h crypto.Hash, signed signedBytes) error {
	if si.SignedAttrs == nil {
		return errors.New("the CMS has no signed attributes")
	}
	ct, want, err := si.ContentAttributes()
	if err != nil {
		return fmt.Errorf("the CMS: %w", err)
	}
	if !ct.Equal(cms.OIDData) {
		return fmt.Errorf("the CMS content-type signed attribute is %v, not id-data", ct)
	}
	got, err := signed.digest(h)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("the signed bytes of the PDF were altered: their %s is %x, the signature says %x", h, got, want)
	}
	if err := tokencheck.SigningCertificateHashes(si, first); err != nil {
		return fmt.Errorf("the CMS signing-certificate attribute: %w", err)
	}
	return nil
}

// unparsableCertificateError: a certificate of the CMS that this
// verifier's X.509 parser refuses. Parsers differ (Go's refuses negative
// serial numbers, for one, which real CAs have issued), so this proves
// nothing altered: the path cannot be checked, INDETERMINATE
// (bundle-format.md, Conventions, "a certificate that cannot be parsed").
// It is reached only after every check that needs no parser held
// (verifyCMS): a certificate altered so that some parser refuses it is
// FAILED there, whatever this verifier's parser makes of it. verified
// says what the bundle's sealing key established, when it could be used.
type unparsableCertificateError struct {
	n        int
	err      error
	verified string
}

func (e *unparsableCertificateError) Error() string {
	if e.verified != "" {
		return fmt.Sprintf("%s; but the CMS certificate %d cannot be parsed by this verifier (%v), so the certificate path is not checked", e.verified, e.n, e.err)
	}
	return fmt.Sprintf("the CMS certificate %d cannot be parsed by this verifier (%v), so the signature cannot be checked", e.n, e.err)
}

// notOneFormError: a CMS whose structure around the signature (one
// signer, its version, no CRLs, the signer's certificate first, the one
// signature timestamp as its only unsigned attribute) is not
// the one form the writer MUST write (bundle-format.md §7.2). (A chain
// that breaks CheckCertificateChain stays SIG_CRYPTO_FAILURE: its errors
// mix form and links that do not verify.)
// No signature covers these bytes; holding them to one form is what keeps
// them from changing unseen. FAILED with FORMAT_FAILURE: not a signature
// that does not verify, but one in a container the exporter never writes.
type notOneFormError struct{ error }

func (e *notOneFormError) Unwrap() error { return e.error }

// subFilterPAdES is the /SubFilter of a PAdES signature (ETSI EN 319
// 142-1), which the exporter writes since issue 15; earlier exports have
// adbe.pkcs7.detached, held to the rules of checkCMSAttributes alone.
const subFilterPAdES = "ETSI.CAdES.detached"

// notBaselineError: a signature that claims PAdES (its /SubFilter) but
// whose CMS breaks a rule of the baseline: not an alteration (the sealing
// key signed it so), but not the form the exporter writes.
type notBaselineError struct{ why string }

func (e *notBaselineError) Error() string {
	return "the signature's /SubFilter is " + subFilterPAdES + ", but its CMS " + e.why + " (PAdES baseline, ETSI EN 319 142-1 §6.3)"
}

// signatureForm names the form of the signature for the report.
func signatureForm(subFilter string) string {
	if subFilter == subFilterPAdES {
		return "PAdES baseline, " + subFilter
	}
	return subFilter
}

// checkCAdESBaseline holds a PAdES signature's CMS to the baseline's
// signed attributes: the ESS signing-certificate-v2 binding (not the
// SHA-1 signing-certificate), and no signing-time: the time claimed is
// the signature dictionary's /M, the time proven the signature timestamp.
func checkCAdESBaseline(si *cms.SignerInfo, subFilter string) error {
	if subFilter != subFilterPAdES {
		return nil
	}
	for _, a := range []struct {
		oid  asn1.ObjectIdentifier
		want bool
		why  string
	}{
		{cms.OIDSigningCertV2, true, "has no signing-certificate-v2 attribute"},
		{cms.OIDSigningCert, false, "has a signing-certificate (v1) attribute"},
		{cms.OIDSigningTime, false, "has a signing-time attribute"},
	} {
		if _, found, _ := si.Attribute(a.oid); found != a.want {
			return &notBaselineError{a.why}
		}
	}
	return nil
}

// signatureTimestamp returns the one unsigned attribute a sealed export's
// signature has: its RFC 3161 signature timestamp token.
func signatureTimestamp(si *cms.SignerInfo) ([]byte, error) {
	switch {
	case len(si.Unsigned) == 0:
		return nil, nil // reported by checkSignatureTimestamp
	case len(si.Unsigned) != 1 || !si.Unsigned[0].Type.Equal(cms.OIDSignatureTimeStampToken):
		return nil, errors.New("the CMS unsigned attributes must be exactly one signature timestamp")
	case len(si.Unsigned[0].Values) != 1:
		return nil, fmt.Errorf("the CMS signature timestamp attribute has %d values; exactly one is expected", len(si.Unsigned[0].Values))
	}
	return si.Unsigned[0].Values[0].FullBytes, nil
}

// checkSignatureTimestamp verifies the signature timestamp: an RFC 3161
// token over the signature value (the unsigned attribute
// id-aa-signatureTimeStampToken).
func checkSignatureTimestamp(res *PDFSignature, sigValue []byte, opts Options) []Check {
	if res.Token == nil {
		return []Check{{Name: CheckPDFTimestamp, Status: Failed, Detail: "the PDF signature has no RFC 3161 signature timestamp"}}
	}
	tr, err := VerifyToken(res.Token, bytes.NewReader(sigValue), TokenOptions{Roots: opts.Trust, Unsealed: true})
	if err != nil {
		return []Check{{Name: CheckPDFTimestamp, Status: Failed, Detail: "the signature timestamp cannot be read: " + err.Error()}}
	}
	res.Timestamp = &tr.Timestamp
	checks := make([]Check, 0, len(tr.Checks))
	for _, c := range tr.Checks {
		checks = append(checks, c.Of(verdict.SubjectPDFTimestamp, 0))
	}
	return checks
}
