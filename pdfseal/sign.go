package pdfseal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
)

// The signature is written here rather than by a PDF signing library so
// that the PDF is never held in memory: the signed byte ranges are hashed
// in one pass over the rendering, the bundle (read from its io.ReaderAt)
// and the signature update, and written in a second pass. The signature
// update is a second incremental update after the attachment's
// (newSignatureUpdate).

// contentsReserve is the room reserved in /Contents for the CMS beyond the
// certificates it carries: the signed attributes, the signature and the
// signature timestamp token with its TSA's certificates (a few KiB). A
// variable for the test of a CMS that does not fit.
var contentsReserve = 24 << 10

const (
	byteRangeWidth         = 10 // digits of each /ByteRange number, zero-padded
	signatureFieldName     = "Signature1"
	signatureWidgetFlags   = 132 // Print + Locked
	signatureFieldSigFlags = 3   // SignaturesExist + AppendOnly
)

// signatureUpdate is the signature's incremental update, with the
// /Contents hex string still to fill.
type signatureUpdate struct {
	b                  []byte
	contentsAt, hexLen int // offset in b of the hex digits, and their count
	rangeAt            int // offset in b of the /ByteRange's last three numbers
}

// beginSignatureValue writes a signature value's dictionary from head
// (its type and filters) to its /Contents digits: a /ByteRange of
// fixed-width zeros, filled by fillByteRange once the update's length is
// known, then hexLen zeros, which the signature replaces. contents is
// "/Contents<" or "/Contents <", as each writer has always spelled it.
func beginSignatureValue(b *bytes.Buffer, head, contents string, hexLen int) *signatureUpdate {
	b.WriteString(head + " /ByteRange [0 ")
	u := &signatureUpdate{rangeAt: b.Len(), hexLen: hexLen}
	fmt.Fprintf(b, "%0*d %0*d %0*d] %s", byteRangeWidth, 0, byteRangeWidth, 0, byteRangeWidth, 0, contents)
	u.contentsAt = b.Len()
	b.WriteString(strings.Repeat("0", hexLen))
	return u
}

// fillByteRange writes the byte range of an update that starts at offset
// base of the file: everything but the /Contents string, < and >
// included.
func (u *signatureUpdate) fillByteRange(base int64) {
	gapStart := base + int64(u.contentsAt) - 1
	gapEnd := base + int64(u.contentsAt+u.hexLen) + 1
	total := base + int64(len(u.b))
	copy(u.b[u.rangeAt:], fmt.Sprintf("%0*d %0*d %0*d", byteRangeWidth, gapStart, byteRangeWidth, gapEnd, byteRangeWidth, total-gapEnd))
}

// objectWriter writes the objects of an update starting at offset base of
// the file, and their cross-reference table.
type objectWriter struct {
	b       bytes.Buffer
	base    int64
	offsets map[int]int64
	gens    map[int]int
}

func (w *objectWriter) start(obj, gen int) {
	w.offsets[obj], w.gens[obj] = w.base+int64(w.b.Len()), gen
	fmt.Fprintf(&w.b, "%d %d obj\n", obj, gen)
}

// stream writes a whole stream object of data.
func (w *objectWriter) stream(obj int, dict string, data []byte) {
	w.start(obj, 0)
	fmt.Fprintf(&w.b, "<<%s /Length %d >>\nstream\n", dict, len(data))
	w.b.Write(data)
	w.b.WriteString("\nendstream\nendobj\n")
}

// xref writes the cross-reference table of the objects written, one
// subsection per run of consecutive numbers, and returns its offset.
func (w *objectWriter) xref() int64 {
	at := w.base + int64(w.b.Len())
	nums := slices.Sorted(maps.Keys(w.offsets))
	w.b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		fmt.Fprintf(&w.b, "%d %d\n", nums[i], j-i)
		for _, n := range nums[i:j] {
			fmt.Fprintf(&w.b, "%010d %05d n \n", w.offsets[n], w.gens[n])
		}
		i = j
	}
	return at
}

// newSignatureUpdate lays out the update that follows the attachment
// (whose bytes end at base), as PAdES baseline asks (ETSI EN 319 142-1):
// the signature dictionary (/SubFilter /ETSI.CAdES.detached), its
// invisible widget, which is the signature field and is listed in the
// first page's /Annots (so the page is written again, unchanged but for
// /Annots), the document information and XMP metadata, the document
// security store (/DSS /Certs: dss, the certificates a validator needs
// later), and the catalog with /AcroForm, /Metadata and /DSS. Every number
// in it is known before signing: the /ByteRange has fixed-width numbers
// and /Contents a fixed size.
func newSignatureUpdate(a *attachment, base int64, hexLen int, dss [][]byte, opts Options) *signatureUpdate {
	sigObj, widgetObj, infoObj, metaObj, dssObj := a.nextObj, a.nextObj+1, a.nextObj+2, a.nextObj+3, a.nextObj+4
	w := &objectWriter{base: base, offsets: map[int]int64{}, gens: map[int]int{}}
	b := &w.b
	w.start(sigObj, 0)
	u := beginSignatureValue(b, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached", "/Contents<", hexLen)
	fmt.Fprintf(b, "> /M %s", pdfLiteral(pdfDate(opts.Time)))
	for _, f := range []struct{ key, v string }{{"Name", opts.Name}, {"Reason", opts.Reason}, {"Location", opts.Location}} {
		if f.v != "" {
			fmt.Fprintf(b, " /%s %s", f.key, pdfText(f.v))
		}
	}
	b.WriteString(" >>\nendobj\n")
	w.start(widgetObj, 0)
	fmt.Fprintf(b, "<< /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F %d /P %d %d R /FT /Sig /T %s /V %d 0 R >>\nendobj\n",
		signatureWidgetFlags, a.firstPage.num, a.firstPage.gen, pdfLiteral(signatureFieldName), sigObj)
	w.start(a.firstPage.num, a.firstPage.gen)
	fmt.Fprintf(b, "%s/Annots [%d 0 R]\n>>\nendobj\n", a.firstPage.entries, widgetObj)
	w.start(infoObj, 0)
	fmt.Fprintf(b, "%s\nendobj\n", infoDict(opts.Document, opts.Time))
	w.stream(metaObj, " /Type /Metadata /Subtype /XML", xmpPacket(opts.Document, opts.Time))
	w.start(dssObj, 0)
	// The store's streams follow it, numbered in this order.
	groups := []struct {
		key     string
		streams [][]byte
	}{{"Certs", dss}, {"CRLs", opts.ValidationCRLs}, {"OCSPs", opts.ValidationOCSPs}}
	next := dssObj + 1
	b.WriteString("<<")
	for _, g := range groups {
		if g.key != "Certs" && len(g.streams) == 0 {
			continue
		}
		fmt.Fprintf(b, " /%s [", g.key)
		for range g.streams {
			fmt.Fprintf(b, " %d 0 R", next)
			next++
		}
		b.WriteString(" ]")
	}
	b.WriteString(" >>\nendobj\n")
	next = dssObj + 1
	for _, g := range groups {
		for _, data := range g.streams {
			w.stream(next, "", data)
			next++
		}
	}
	w.start(a.root, a.rootGen)
	fmt.Fprintf(b, "<< /Type /Catalog%s /AcroForm << /Fields [%d 0 R] /SigFlags %d >> /Metadata %d 0 R /DSS %d 0 R >>\nendobj\n",
		a.catalog, widgetObj, signatureFieldSigFlags, metaObj, dssObj)
	xref := w.xref()
	fmt.Fprintf(b, "trailer\n<<\n/Size %d\n/Root %d %d R\n/Info %d 0 R\n/Prev %d\n>>\nstartxref\n%d\n%%%%EOF\n",
		next, a.root, a.rootGen, infoObj, a.xref, xref)
	u.b = b.Bytes()
	u.fillByteRange(base)
	return u
}

// signed is the update without its /Contents string: what the signature
// covers of it, in two parts.
func (u *signatureUpdate) signed() (before, after []byte) {
	return u.b[:u.contentsAt-1], u.b[u.contentsAt+u.hexLen+1:]
}

// tooLarge is a CMS that did not fit the /Contents reserved: need is the
// room it needs, in hex digits.
type tooLarge struct{ need int }

func (e *tooLarge) Error() string {
	return fmt.Sprintf("pdfseal: the signature needs %d bytes, more than reserved", e.need/2)
}

// writeSigned lays out the signature update, signs it, and writes the
// whole PDF to w. It lays out and signs again (one more pass over the
// bundle and one more timestamp, rather than a failed or incomplete
// export) when the CMS does not fit the room reserved (a TSA whose token
// carries a long chain, say), or when the signature timestamp's TSA
// certificates are not yet in the document security store: they are known
// only once a token is received, and the store is signed with the rest.
// The first from bytes of the attachment are not written (w has them).
func writeSigned(ctx context.Context, w io.Writer, a *attachment, from int64, chain []*x509.Certificate, opts Options) error {
	const attempts = 3
	room := contentsRoom(chain)
	dss := dssCertificates(chain, opts.ValidationCertificates)
	for attempt := 1; ; attempt++ {
		u := newSignatureUpdate(a, a.size, room, dss, opts)
		token, err := u.sign(ctx, a, chain, opts)
		var tl *tooLarge
		if errors.As(err, &tl) && attempt < attempts {
			room = tl.need + 2*1024 // and some slack: the new token may be a few bytes longer
			continue
		}
		if err != nil {
			return err
		}
		if tsaCerts := tokenCertificates(token); lacks(dss, tsaCerts) && attempt < attempts {
			dss = dssCertificates(nil, dss, tsaCerts)
			continue
		}
		if _, err := io.CopyBuffer(w, io.NewSectionReader(a, from, a.size-from), make([]byte, 1<<20)); err != nil {
			return err
		}
		_, err = w.Write(u.b)
		return err
	}
}

// sign hashes the signed bytes (the attachment, then the update around
// /Contents), signs them as a CMS with the signature timestamp, fills
// /Contents, and returns the timestamp token. It fails with a *tooLarge
// when the CMS does not fit.
func (u *signatureUpdate) sign(ctx context.Context, a *attachment, chain []*x509.Certificate, opts Options) ([]byte, error) {
	h := opts.Signer.Algorithm().CMSDigest // SHA-512 for Ed25519 (RFC 8419 §3)
	d := h.New()
	if _, err := io.CopyBuffer(d, io.NewSectionReader(a, 0, a.size), make([]byte, 1<<20)); err != nil {
		return nil, fmt.Errorf("pdfseal: reading the PDF to sign: %w", err)
	}
	before, after := u.signed()
	d.Write(before)
	d.Write(after)
	cms, token, err := signCMS(ctx, d.Sum(nil), h, chain, opts)
	if err != nil {
		return nil, err
	}
	if 2*len(cms) > u.hexLen {
		return nil, &tooLarge{need: 2 * len(cms)}
	}
	hex.Encode(u.b[u.contentsAt:], cms)
	return token, nil
}

// signCMS makes the detached CMS SignedData of the PDF signature, a
// CAdES baseline signature as PAdES B-T has it: the signer's certificate
// path, signed attributes (content type id-data, the message digest, the
// ESS signing-certificate-v2 binding; no signing-time: the claimed time is
// the signature dictionary's /M) and, unsigned, the RFC 3161 timestamp
// over the signature value, which it also returns. It is what verify
// reads (bundle-format.md §7.2).
func signCMS(ctx context.Context, digest []byte, h crypto.Hash, chain []*x509.Certificate, opts Options) (der, token []byte, err error) {
	signedAttrs, err := cms.SignedAttributes(digest, time.Time{}, chain[0])
	if err != nil {
		return nil, nil, fmt.Errorf("pdfseal: the signed attributes: %w", err)
	}
	sig, err := opts.Signer.SignMessage(ctx, signedAttrs)
	if err != nil {
		return nil, nil, fmt.Errorf("pdfseal: signing: %w", err)
	}
	if token, err = timestampSignature(ctx, sig, opts.Timestamper); err != nil {
		return nil, nil, err
	}
	digestAlg := cms.OIDSHA256
	if h == crypto.SHA512 {
		digestAlg = cms.OIDSHA512
	}
	der, err = (&cms.Detached{
		DigestAlgorithm: digestAlg, Chain: chain, SignedAttributes: signedAttrs,
		SignatureAlgorithm: opts.Signer.Algorithm().CMSSignature, Signature: sig, TimeStampToken: token,
	}).Marshal()
	return der, token, err
}

// timestampSignature asks the TSA for a token over the signature value
// (the id-aa-signatureTimeStampToken of RFC 3161 appendix A). The
// timestamper has checked it (tsa.Client.Do: the imprint over sig, the
// nonce, the TSA's signature) and hands over the token it read.
func timestampSignature(ctx context.Context, sig []byte, ts Timestamper) ([]byte, error) {
	st, err := ts.Stamp(ctx, sig)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: the signature timestamp: %w", err)
	}
	return st.Token, nil
}

// contentsRoom is the /Contents size reserved for chain: the certificates
// the CMS carries, and contentsReserve for the rest; in hex digits.
func contentsRoom(chain []*x509.Certificate) int {
	n := contentsReserve
	for _, c := range chain {
		n += len(c.Raw)
	}
	return 2 * n
}
