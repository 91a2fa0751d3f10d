package pdfseal

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/custody-toolkit/custody/internal/pdfread"
	"github.com/custody-toolkit/custody/tsa"
)

// Renewal of a standalone PDF: a PAdES document timestamp (ETSI EN 319
// 142-1 B-LTA). Two incremental updates are appended and nothing before
// them changes:
//
//  1. when there is validation data the PDF does not hold yet (revocation
//     data given for the renewal, the TSA certificates of earlier document
//     timestamps), a document security store update: a new /DSS holding
//     the earlier store's entries and the new ones, and the catalog again
//     with it;
//  2. the document timestamp: a signature dictionary /Type /DocTimeStamp,
//     /SubFilter /ETSI.RFC3161, whose /Contents is an RFC 3161 token over
//     the SHA-256 of the bytes its /ByteRange covers (the whole file but
//     that string), an invisible signature field for it (on no page, so no
//     page is written again), and the catalog with the field added to
//     /AcroForm /Fields.
//
// The embedded bundle is not touched: the document timestamp covers the
// whole PDF, the bundle in it included. Written here for the reason
// sign.go gives: the PDF is streamed, never held.

// docTimestampReserve is the room reserved in /Contents for the token: a
// token with its TSA's certificate chain is a few KiB. A variable for the
// test of a token that does not fit.
var docTimestampReserve = 16 << 10

// A DigestTimestamper obtains an RFC 3161 token over a SHA-256 digest it
// is given, checked against the request: *tsa.Client is one.
type DigestTimestamper interface {
	Do(ctx context.Context, r *tsa.Request) (*tsa.Stamp, error)
}

// RenewOptions configure AddDocumentTimestamp.
type RenewOptions struct {
	// Timestamper obtains the document timestamp (required).
	Timestamper DigestTimestamper
	// CRLs and OCSPs are revocation data (DER) to add to the document
	// security store before the timestamp: those `custody renew
	// --revocation` is given.
	CRLs, OCSPs [][]byte
}

// AddDocumentTimestamp writes to w the PDF read from r (size bytes), a
// standalone PDF of an export, followed by the updates of a renewal: the
// document security store when there is data to add, then a document
// timestamp over everything. It returns the timestamp. Nothing is written
// to w if anything fails before the final write.
func AddDocumentTimestamp(ctx context.Context, w io.Writer, r io.ReaderAt, size int64, opts RenewOptions) (*tsa.Stamp, error) {
	if opts.Timestamper == nil {
		return nil, errors.New("pdfseal: RenewOptions.Timestamper is required")
	}
	doc, err := readSigned(r, size)
	if err != nil {
		return nil, err
	}
	dss := doc.dssUpdate(opts)
	room := 2 * docTimestampReserve
	for attempt := 1; ; attempt++ {
		u := doc.timestampUpdate(size+int64(len(dss)), room)
		st, err := u.stamp(ctx, r, size, dss, opts.Timestamper)
		var tl *tooLarge
		if errors.As(err, &tl) && attempt < 3 {
			room = tl.need + 2*1024
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, err := io.CopyBuffer(w, io.NewSectionReader(r, 0, size), make([]byte, 1<<20)); err != nil {
			return nil, err
		}
		if _, err := w.Write(dss); err != nil {
			return nil, err
		}
		_, err = w.Write(u.b)
		return st, err
	}
}

// signedPDF is what the renewal's updates need of the PDF they follow.
type signedPDF struct {
	r          io.ReaderAt
	size       int64 // of the PDF, and where the next update starts
	lead       string
	root       pdfread.Ref
	catalog    pdfread.Dict
	info       pdfread.Object // the trailer's /Info, or nil
	nextObj    int
	prev       int64 // the newest cross-reference table
	fields     pdfread.Array
	timestamps int             // the document timestamps already there
	dss        pdfread.Dict    // nil when there is none
	have       map[string]bool // the validation data the store holds, by content
	newCerts   [][]byte        // the earlier document timestamps' certificates
}

// readSigned reads a standalone PDF with internal/pdfread, the strict
// reader the verifier uses: a PDF another tool re-saved (cross-reference
// streams) is refused, as its signature no longer covers it.
func readSigned(r io.ReaderAt, size int64) (*signedPDF, error) {
	f, err := pdfread.Open(r, size)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: reading the PDF (a standalone PDF as custody export writes it): %w", err)
	}
	d := &signedPDF{r: r, size: size, prev: f.StartXref, info: f.Trailer["Info"], have: map[string]bool{}}
	d.root = f.Trailer["Root"].(pdfread.Ref) // Open requires it
	if d.catalog, err = f.Dict(d.root, "the catalog"); err != nil {
		return nil, fmt.Errorf("pdfseal: %w", err)
	}
	n, _ := f.Trailer["Size"].(int64)
	d.nextObj = int(n)
	form, err := f.Dict(d.catalog["AcroForm"], "the catalog's /AcroForm")
	if err != nil {
		return nil, fmt.Errorf("pdfseal: the PDF is not signed: %w", err)
	}
	if d.fields, err = f.Array(form["Fields"], "/AcroForm /Fields"); err != nil {
		return nil, fmt.Errorf("pdfseal: %w", err)
	}
	if err := d.readTimestamps(f); err != nil {
		return nil, err
	}
	if err := d.readDSS(f); err != nil {
		return nil, err
	}
	var last [1]byte
	if _, err := r.ReadAt(last[:], size-1); err != nil || last[0] != '\n' {
		d.lead = "\n"
	}
	return d, nil
}

// readTimestamps counts the document timestamps already in the PDF and
// keeps their tokens' certificates, which the store gets before the next
// one (B-LTA: the validation data of each timestamp is stored before the
// timestamp that covers it).
func (d *signedPDF) readTimestamps(f *pdfread.File) error {
	for i, o := range d.fields {
		field, err := f.Dict(o, fmt.Sprintf("/AcroForm /Fields[%d]", i))
		if err != nil {
			return fmt.Errorf("pdfseal: %w", err)
		}
		v, err := f.Dict(field["V"], "a signature field's /V")
		if err != nil || v["Type"] != pdfread.Name("DocTimeStamp") {
			continue
		}
		d.timestamps++
		var token asn1.RawValue // /Contents is padded with zero bytes after it
		if s, ok := v["Contents"].(pdfread.String); ok {
			if _, err := asn1.Unmarshal(s.Bytes, &token); err == nil {
				d.newCerts = dssCertificates(nil, d.newCerts, tokenCertificates(token.FullBytes))
			}
		}
	}
	return nil
}

// readDSS reads the document security store, when there is one, and what
// it holds, so that nothing is stored twice.
func (d *signedPDF) readDSS(f *pdfread.File) error {
	if _, ok := d.catalog["DSS"]; !ok {
		return nil
	}
	dss, err := f.Dict(d.catalog["DSS"], "the catalog's /DSS")
	if err != nil {
		return fmt.Errorf("pdfseal: %w", err)
	}
	d.dss = dss
	for _, key := range dssKeys {
		items, _ := f.Array(dss[key], "/DSS /"+string(key))
		for _, o := range items {
			ref, _ := o.(pdfread.Ref)
			obj, err := f.Get(ref)
			s, ok := obj.(*pdfread.Stream)
			if err != nil || !ok {
				return fmt.Errorf("pdfseal: /DSS /%s holds %v, not a stream", key, o)
			}
			data := make([]byte, s.Length)
			if _, err := d.r.ReadAt(data, s.Offset); err != nil {
				return fmt.Errorf("pdfseal: reading /DSS /%s: %w", key, err)
			}
			d.have[string(data)] = true
		}
	}
	return nil
}

// dssKeys are the arrays of a document security store, in the order the
// exporter writes them.
var dssKeys = []pdfread.Name{"Certs", "CRLs", "OCSPs"}

// dssUpdate lays out the document security store update, or returns nil
// when the store already holds everything.
func (d *signedPDF) dssUpdate(opts RenewOptions) []byte {
	add := map[pdfread.Name][][]byte{"Certs": d.newCerts, "CRLs": opts.CRLs, "OCSPs": opts.OCSPs}
	n := 0
	for _, key := range dssKeys {
		add[key] = slices.DeleteFunc(slices.Clone(add[key]), func(b []byte) bool { return d.have[string(b)] })
		n += len(add[key])
	}
	if n == 0 {
		return nil
	}
	w := &objectWriter{base: d.size + int64(len(d.lead)), offsets: map[int]int64{}, gens: map[int]int{}}
	dssObj := d.nextObj
	next := dssObj + 1
	store := pdfread.Dict{}
	for _, key := range dssKeys {
		items, _ := d.dss[key].(pdfread.Array)
		items = slices.Clone(items)
		for range add[key] {
			items = append(items, pdfread.Ref{Num: next})
			next++
		}
		if len(items) > 0 {
			store[key] = items
		}
	}
	w.start(dssObj, 0)
	fmt.Fprintf(&w.b, "%s\nendobj\n", pdfValue(store))
	next = dssObj + 1
	for _, key := range dssKeys {
		for _, data := range add[key] {
			w.stream(next, "", data)
			next++
		}
	}
	d.catalog = maps.Clone(d.catalog)
	d.catalog["DSS"] = pdfread.Ref{Num: dssObj}
	d.nextObj = next
	d.endUpdate(w)
	out := append([]byte(d.lead), w.b.Bytes()...)
	d.size, d.lead = d.size+int64(len(out)), ""
	return out
}

// endUpdate writes the catalog, the cross-reference table and the
// trailer of an update, which the next update's /Prev points at.
func (d *signedPDF) endUpdate(w *objectWriter) {
	w.start(d.root.Num, d.root.Gen)
	fmt.Fprintf(&w.b, "%s\nendobj\n", pdfValue(d.catalog))
	xref := w.xref()
	fmt.Fprintf(&w.b, "trailer\n<<\n/Size %d\n/Root %d %d R\n", d.nextObj, d.root.Num, d.root.Gen)
	if d.info != nil {
		fmt.Fprintf(&w.b, "/Info %s\n", pdfValue(d.info))
	}
	fmt.Fprintf(&w.b, "/Prev %d\n>>\nstartxref\n%d\n%%%%EOF\n", d.prev, xref)
	d.prev = xref
}

// timestampUpdate lays out the document timestamp's update, starting at
// base, with hexLen digits of /Contents to fill.
func (d *signedPDF) timestampUpdate(base int64, hexLen int) *signatureUpdate {
	dd := *d // laid out again when the token does not fit
	dd.catalog = maps.Clone(d.catalog)
	sigObj, fieldObj := d.nextObj, d.nextObj+1
	dd.nextObj = fieldObj + 1
	w := &objectWriter{base: base + int64(len(d.lead)), offsets: map[int]int64{}, gens: map[int]int{}}
	b := &w.b
	w.start(sigObj, 0)
	u := beginSignatureValue(b, "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161", "/Contents <", hexLen)
	b.WriteString("> >>\nendobj\n")
	w.start(fieldObj, 0)
	fmt.Fprintf(b, "<< /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F %d /FT /Sig /T %s /V %d 0 R >>\nendobj\n",
		signatureWidgetFlags, pdfLiteral("DocTimeStamp"+strconv.Itoa(d.timestamps+1)), sigObj)
	form := pdfread.Dict{"Fields": append(slices.Clone(d.fields), pdfread.Ref{Num: fieldObj}), "SigFlags": int64(signatureFieldSigFlags)}
	dd.catalog["AcroForm"] = form
	dd.endUpdate(w)
	u.b = append([]byte(d.lead), b.Bytes()...)
	u.contentsAt += len(d.lead)
	u.rangeAt += len(d.lead)
	u.fillByteRange(base)
	return u
}

// stamp hashes what the document timestamp covers (the PDF, the store's
// update, the timestamp's update but its /Contents), obtains the token and
// fills /Contents with it. It fails with a *tooLarge when the token does
// not fit.
func (u *signatureUpdate) stamp(ctx context.Context, r io.ReaderAt, size int64, dss []byte, ts DigestTimestamper) (*tsa.Stamp, error) {
	h := sha256.New()
	if _, err := io.CopyBuffer(h, io.NewSectionReader(r, 0, size), make([]byte, 1<<20)); err != nil {
		return nil, fmt.Errorf("pdfseal: reading the PDF to timestamp: %w", err)
	}
	before, after := u.signed()
	h.Write(dss)
	h.Write(before)
	h.Write(after)
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	req := &tsa.Request{Nonce: new(big.Int).SetBytes(nonce)}
	h.Sum(req.Digest[:0])
	st, err := ts.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: the document timestamp: %w", err)
	}
	if 2*len(st.Token) > u.hexLen {
		return nil, &tooLarge{need: 2 * len(st.Token)}
	}
	hex.Encode(u.b[u.contentsAt:], st.Token)
	return st, nil
}

// pdfValue writes a value read by pdfread back in PDF syntax, dictionary
// keys in sorted order (the catalogs the renewal writes again).
func pdfValue(o pdfread.Object) string {
	switch v := o.(type) {
	case pdfread.Ref:
		return fmt.Sprintf("%d %d R", v.Num, v.Gen)
	case pdfread.Name:
		return pdfName(string(v))
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	case pdfread.String:
		if v.Hex {
			return "<" + hex.EncodeToString(v.Bytes) + ">"
		}
		return pdfLiteral(string(v.Bytes))
	case pdfread.Array:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pdfValue(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case pdfread.Dict:
		var b bytes.Buffer
		b.WriteString("<<")
		for _, k := range slices.Sorted(maps.Keys(v)) {
			fmt.Fprintf(&b, " %s %s", pdfName(string(k)), pdfValue(v[k]))
		}
		b.WriteString(" >>")
		return b.String()
	}
	return "null" // unreachable: pdfread returns no other type
}
