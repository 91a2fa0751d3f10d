package verify

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/custody-toolkit/custody/internal/pdfread"
	"github.com/custody-toolkit/custody/internal/verdict"
)

// Renewed standalone PDFs (bundle-format.md §7.2, item 7): `custody renew
// case.pdf` appends, after the signed revision, incremental updates that
// add a document security store and a PAdES document timestamp (ETSI EN
// 319 142-1 B-LTA: /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161, an RFC
// 3161 token over the bytes its /ByteRange covers). Nobody's key signs
// them, so they are held to adding, never changing: no object of the
// signed revision is redefined, freed or pointed elsewhere but the
// catalog, which keeps every entry of the signed one but /AcroForm (its
// fields, plus the document timestamps' fields) and /DSS (plain streams
// of validation data). What the PDF shows and the bundle it carries are
// then exactly the signed ones, and each timestamp proves that the whole
// file existed at its time.

// docTimestampField is a signature field whose value is a document
// timestamp.
type docTimestampField struct {
	ref          pdfread.Object // the field, as /AcroForm /Fields lists it
	field, value pdfread.Dict
}

// subFilterDocTimestamp is the /SubFilter of a PAdES document timestamp.
const subFilterDocTimestamp = "ETSI.RFC3161"

// docTimestampKeys are the keys a document timestamp's field may have: an
// invisible widget's (widgetKeys), on no page or on a page it cannot be
// added to, since no page of the signed revision may change.
var docTimestampKeys = widgetKeys

// checkLaterUpdates holds the updates after the signed revision (its
// first signedEnd bytes) to what a renewal adds (see above).
func checkLaterUpdates(whole *pdfread.File, r io.ReaderAt, signedEnd int64, stamps []docTimestampField) error {
	signed, err := pdfread.Open(io.NewSectionReader(r, 0, signedEnd), signedEnd)
	if err != nil {
		return fmt.Errorf("the signed revision (bytes 0 to %d) is not a whole PDF: %w", signedEnd, err)
	}
	root, _ := signed.Trailer["Root"].(pdfread.Ref)
	size, ok := signed.Trailer["Size"].(int64)
	if !ok || whole.Trailer["Root"] != pdfread.Object(root) {
		return errors.New("the trailer's /Root is not the signed revision's catalog")
	}
	if err := checkKeptObjects(whole, signed, root, int(size), signedEnd); err != nil {
		return err
	}
	signedCat, err := signed.Dict(root, "the signed catalog")
	if err != nil {
		return err
	}
	cat, err := whole.Dict(root, "the catalog")
	if err != nil {
		return err
	}
	for k, v := range cat {
		if old, had := signedCat[k]; k != "AcroForm" && k != "DSS" && (!had || !sameValue(old, v)) {
			return fmt.Errorf("the catalog's /%s is not the signed one's", k)
		}
	}
	for k := range signedCat {
		if _, kept := cat[k]; !kept {
			return fmt.Errorf("the catalog lost the signed revision's /%s", k)
		}
	}
	if err := checkDSS(whole, cat["DSS"]); err != nil {
		return err
	}
	return checkRenewedForm(whole, signed, cat["AcroForm"], signedCat["AcroForm"], int(size), stamps)
}

// checkKeptObjects: every object number of the signed revision (below its
// /Size) keeps its cross-reference entry, but the catalog, which may be
// written again after it; new objects lie after it.
func checkKeptObjects(whole, signed *pdfread.File, root pdfread.Ref, size int, signedEnd int64) error {
	for num := 1; num < size; num++ {
		off, gen, _ := whole.Entry(num)
		signedOff, signedGen, _ := signed.Entry(num)
		switch {
		case off == signedOff && gen == signedGen:
		case num == root.Num && gen == signedGen && off >= signedEnd:
		default:
			return fmt.Errorf("object %d of the signed revision is redefined, freed or pointed at other bytes", num)
		}
	}
	for _, num := range whole.DefinedBefore(signedEnd) {
		if num >= size {
			return fmt.Errorf("object %d, which the signed revision does not define, is pointed at its bytes", num)
		}
	}
	return nil
}

// checkRenewedForm: the /AcroForm holds the signed revision's fields and
// flags, then one new field per document timestamp, each an invisible
// widget that can draw or run nothing.
func checkRenewedForm(whole, signed *pdfread.File, formObj, signedFormObj pdfread.Object, size int, stamps []docTimestampField) error {
	form, err := whole.Dict(formObj, "catalog /AcroForm")
	if err != nil {
		return err
	}
	signedForm, err := signed.Dict(signedFormObj, "the signed catalog's /AcroForm")
	if err != nil {
		return err
	}
	for k, v := range form {
		if k != "Fields" && (k != "SigFlags" || !sameValue(v, signedForm[k])) {
			return fmt.Errorf("the /AcroForm's /%s is not the signed one's", k)
		}
	}
	fields, _ := form["Fields"].(pdfread.Array)
	signedFields, _ := signedForm["Fields"].(pdfread.Array)
	if len(fields) != len(signedFields)+len(stamps) || !slices.EqualFunc(fields[:len(signedFields)], signedFields, sameValue) {
		return errors.New("the /AcroForm's fields are not the signed ones followed by the document timestamps")
	}
	for i, st := range stamps {
		ref, ok := st.ref.(pdfread.Ref)
		if !ok || ref.Num < size || !sameValue(fields[len(signedFields)+i], st.ref) {
			return fmt.Errorf("document timestamp %d is not a new field after the signed ones", i+1)
		}
		for k := range st.field {
			if !docTimestampKeys[k] {
				return fmt.Errorf("document timestamp %d's field has /%s; an invisible widget has none", i+1, k)
			}
		}
		if nameOf(st.field["Subtype"]) != "Widget" || !zeroArea(st.field["Rect"]) {
			return fmt.Errorf("document timestamp %d's field is not an invisible widget (/Rect [0 0 0 0])", i+1)
		}
	}
	return nil
}

// checkDocTimestamps verifies each document timestamp of a renewed PDF:
// its /ByteRange covers the file up to the end of its own update (the
// last one's, the whole file) but its /Contents, which holds, in the one
// form of §7.2 item 3, an RFC 3161 token whose imprint is over those
// bytes, checked as any token (trust through --trust). Each is added to
// the report's timestamps.
//
// A document timestamp is evidence of existence only, and anyone can
// append one with a TSA of their own: one that cannot be validated (a
// TSA no --trust anchor leads to, an algorithm or /SubFilter this
// verifier does not implement, a certificate it cannot read, one made
// after the --at validation time) is reported, INFO with the reason it
// would have had, and not used (ETSI EN 319 102-1: a time-stamp that
// cannot be validated is no proof of existence, and no evidence against
// the signature either). No check of this version needs one: the
// `evidence` interval is the bundle's (docs/long-term.md, Limits). One
// that is broken (its bytes changed after it was made, a signature that
// does not verify, not a token, not laid out as item 7 says) is FAILED,
// as any byte appended after the signed revision that no renewal
// accounts for (bundle-format.md §7.2, "What a document timestamp that
// does not hold does").
func checkDocTimestamps(r io.ReaderAt, size int64, sig *PDFSignature, rep *Report, opts Options) []Check {
	if sig == nil {
		return nil
	}
	var checks []Check
	prevEnd := sig.signedEnd
	for i, st := range sig.stamps {
		n := i + 1
		id := verdict.CheckID{ID: CheckPDFDocTimestamp, Subject: verdict.SubjectPDFDocTimestamp, Index: n}
		der, ranges, err := docTimestampToken(r, size, st, i < len(sig.stamps)-1)
		if err == nil && ranges[2]+ranges[3] <= prevEnd {
			err = fmt.Errorf("its /ByteRange ends at byte %d, not after the revision before it (byte %d)", ranges[2]+ranges[3], prevEnd)
		}
		var notImplemented *notImplementedError
		switch {
		case errors.As(err, &notImplemented):
			checks = append(checks, notUsed(id.Check(Indeterminate, err.Error()), FormatNotImplemented))
			continue
		case err != nil:
			return append(checks, withSub(id.Check(Failed, "document timestamp "+fmt.Sprint(n)+": "+err.Error()), FormatFailure))
		}
		prevEnd = ranges[2] + ranges[3]
		covered := io.MultiReader(io.NewSectionReader(r, 0, ranges[1]), io.NewSectionReader(r, ranges[2], ranges[3]))
		tr, err := VerifyToken(der, covered, TokenOptions{Roots: opts.Trust, Unsealed: true})
		if err != nil {
			return append(checks, withSub(id.Check(Failed, fmt.Sprintf("document timestamp %d cannot be read: %v", n, err)), FormatFailure))
		}
		ts := tr.Timestamp
		ts.File = fmt.Sprintf("PDF document timestamp %d", n)
		rep.Timestamps = append(rep.Timestamps, ts)
		checks = append(checks, docTimestampCheck(id, ts, tr.Checks, prevEnd, opts))
		for _, c := range tr.Checks {
			checks = append(checks, unusedIfIndeterminate(c.Of(verdict.SubjectPDFDocTimestamp, n)))
		}
	}
	return checks
}

// docTimestampCheck is the check that sums up document timestamp id: a
// proof of existence (PASSED), or, when it cannot be validated or came
// after the validation time, not used (INFO, with the reason). A broken
// token fails in its own checks, which follow; this one then says so
// (INFO: the FAILED check is the one that proves it).
func docTimestampCheck(id verdict.CheckID, ts Timestamp, tokenChecks []Check, end int64, opts Options) Check {
	c := id.Check(Passed, fmt.Sprintf("document timestamp %d at %s by TSA %q (%s): over the file's first %d bytes but its /Contents",
		id.Index, ts.Time.UTC().Format("2006-01-02 15:04:05 UTC"), ts.TSA, trustWord(ts.Trusted, chainHolds(tokenChecks)), end))
	if i := slices.IndexFunc(tokenChecks, func(tc Check) bool { return tc.Status == Failed }); i >= 0 {
		c.Status = Info
		c.Detail += fmt.Sprintf("; broken: its %s is FAILED (below): this renewal's bytes or token are not what its TSA made", tokenChecks[i].Name)
		return c
	}
	for _, tc := range tokenChecks {
		if tc.Status == Indeterminate {
			c.Detail += fmt.Sprintf("; its %s cannot be validated (%s)", tc.Name, tc.SubIndication())
			return notUsed(c, tc.SubIndication())
		}
	}
	if at := opts.At; !at.IsZero() && ts.Time.After(at) {
		c.Detail += "; made after the validation time " + at.UTC().Format(time.RFC3339) + ", so it did not exist then"
		return notUsed(c, TryLater)
	}
	return c
}

// notUsed reports a document timestamp, or one of its token's checks,
// that cannot be validated: INFO with the reason (sub) it would have had,
// as no check needs the proof of existence it would give.
func notUsed(c Check, sub SubIndication) Check {
	c.Status, c.Sub = Info, sub
	c.Detail += ": not used as a proof of existence; the verdict is that of the evidence without it"
	return c
}

// unusedIfIndeterminate: a token check that could not be made, in a
// document timestamp, is reported and not used (notUsed); a FAILED one
// stays FAILED.
func unusedIfIndeterminate(c Check) Check {
	if c.Status != Indeterminate {
		return c
	}
	return notUsed(c, c.SubIndication())
}

// docTimestampToken reads a document timestamp's token and byte range.
func docTimestampToken(r io.ReaderAt, size int64, st docTimestampField, later bool) ([]byte, [4]int64, error) {
	var ranges [4]int64
	if sf := nameOf(st.value["SubFilter"]); sf != subFilterDocTimestamp {
		return nil, ranges, &notImplementedError{fmt.Sprintf("a document timestamp with /SubFilter %q, which this verifier does not implement (it reads %s)", sf, subFilterDocTimestamp)}
	}
	contents, ok := st.value["Contents"].(pdfread.String)
	if !ok || !contents.Hex {
		return nil, ranges, errors.New("/Contents is not a hexadecimal string")
	}
	ranges, err := byteRange(st.value["ByteRange"], contents, size, later)
	if err != nil {
		return nil, ranges, err
	}
	der, err := trimPadding(contents.Bytes)
	if err == nil {
		err = checkContentsForm(r, contents, der)
	}
	if err != nil {
		return nil, ranges, fmt.Errorf("/Contents: %w", err)
	}
	return der, ranges, nil
}

// notImplementedError: a form this verifier cannot check, which proves
// nothing either way (INDETERMINATE, FORMAT_NOT_IMPLEMENTED).
type notImplementedError struct{ why string }

func (e *notImplementedError) Error() string { return e.why }

func withSub(c Check, sub SubIndication) Check {
	c.Sub = sub
	return c
}

// trustWord says whether a document timestamp is trusted; chained: its
// TSA chains to a --trust anchor (a token that does not hold is not
// trusted even so).
func trustWord(trusted, chained bool) string {
	switch {
	case trusted:
		return "trusted"
	case chained:
		return "not trusted: its TSA chains to a --trust anchor, but the token does not hold"
	}
	return "not trusted: its TSA leads to no --trust anchor"
}

// chainHolds: the token's chain check passed.
func chainHolds(tokenChecks []Check) bool {
	return slices.ContainsFunc(tokenChecks, func(c Check) bool { return c.Name == CheckTokenChain && c.Status == Passed })
}
