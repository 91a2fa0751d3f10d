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
	"strings"

	"github.com/custody-toolkit/custody/internal/cms"
)

// The signature is written here rather than by a PDF signing library so
// that the PDF is never held in memory: the signed byte ranges are hashed
// in one pass over the rendering, the bundle (read from its io.ReaderAt)
// and the signature update, and written in a second pass. The signature
// update is a second incremental update after the attachment's: a
// signature dictionary (/SubFilter /adbe.pkcs7.detached), an invisible
// signature field and the catalog again, with /AcroForm.

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
}

// newSignatureUpdate lays out the update that follows the attachment
// (whose bytes end at base). Every number in it is known before signing:
// the /ByteRange has fixed-width numbers and /Contents a fixed size.
func newSignatureUpdate(a *attachment, base int64, hexLen int, opts Options) *signatureUpdate {
	sigObj, widgetObj := a.nextObj, a.nextObj+1
	var b bytes.Buffer
	offsets := map[int]int64{}
	start := func(obj int) {
		offsets[obj] = base + int64(b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n", obj)
	}
	start(sigObj)
	b.WriteString("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 ")
	rangeAt := b.Len()
	fmt.Fprintf(&b, "%0*d %0*d %0*d] /Contents<", byteRangeWidth, 0, byteRangeWidth, 0, byteRangeWidth, 0)
	u := &signatureUpdate{contentsAt: b.Len(), hexLen: hexLen}
	b.WriteString(strings.Repeat("0", hexLen))
	fmt.Fprintf(&b, "> /M %s", pdfLiteral(pdfDate(opts.Time)))
	for _, f := range []struct{ key, v string }{{"Name", opts.Name}, {"Reason", opts.Reason}, {"Location", opts.Location}} {
		if f.v != "" {
			fmt.Fprintf(&b, " /%s %s", f.key, pdfText(f.v))
		}
	}
	b.WriteString(" >>\nendobj\n")
	start(widgetObj)
	fmt.Fprintf(&b, "<< /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F %d /P %d 0 R /FT /Sig /T %s /V %d 0 R >>\nendobj\n",
		signatureWidgetFlags, a.firstPage, pdfLiteral(signatureFieldName), sigObj)
	start(a.root)
	fmt.Fprintf(&b, "<< /Type /Catalog%s /AcroForm << /Fields [%d 0 R] /SigFlags %d >> >>\nendobj\n",
		a.catalog, widgetObj, signatureFieldSigFlags)
	xref := base + int64(b.Len())
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n%d 2\n%010d 00000 n \n%010d 00000 n \n",
		a.root, offsets[a.root], a.rootGen, sigObj, offsets[sigObj], offsets[widgetObj])
	fmt.Fprintf(&b, "trailer\n<<\n/Size %d\n/Root %d %d R\n/Prev %d\n>>\nstartxref\n%d\n%%%%EOF\n",
		widgetObj+1, a.root, a.rootGen, a.xref, xref)
	u.b = b.Bytes()

	// The byte range: everything but the /Contents string, < and > included.
	gapStart := base + int64(u.contentsAt) - 1
	gapEnd := base + int64(u.contentsAt+hexLen) + 1
	total := base + int64(len(u.b))
	copy(u.b[rangeAt:], fmt.Sprintf("%0*d %0*d %0*d", byteRangeWidth, gapStart, byteRangeWidth, gapEnd, byteRangeWidth, total-gapEnd))
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
// whole PDF to w. When the CMS does not fit the room reserved (a TSA
// whose token carries a long chain, say), it lays out again with the room
// it needs and signs again: one more pass over the bundle and one more
// timestamp, rather than a failed export.
func writeSigned(ctx context.Context, w io.Writer, a *attachment, chain []*x509.Certificate, opts Options) error {
	room := contentsRoom(chain)
	for attempt := 0; ; attempt++ {
		u := newSignatureUpdate(a, a.size, room, opts)
		err := u.sign(ctx, a, chain, opts)
		var tl *tooLarge
		if errors.As(err, &tl) && attempt == 0 {
			room = tl.need + 2*1024 // and some slack: the new token may be a few bytes longer
			continue
		}
		if err != nil {
			return err
		}
		if _, err := io.CopyBuffer(w, io.NewSectionReader(a, 0, a.size), make([]byte, 1<<20)); err != nil {
			return err
		}
		_, err = w.Write(u.b)
		return err
	}
}

// sign hashes the signed bytes (the attachment, then the update around
// /Contents), signs them as a CMS with the signature timestamp, and fills
// /Contents. It fails with a *tooLarge when the CMS does not fit.
func (u *signatureUpdate) sign(ctx context.Context, a *attachment, chain []*x509.Certificate, opts Options) error {
	h := opts.Signer.Algorithm().CMSDigest // SHA-512 for Ed25519 (RFC 8419 §3)
	d := h.New()
	if _, err := io.CopyBuffer(d, io.NewSectionReader(a, 0, a.size), make([]byte, 1<<20)); err != nil {
		return fmt.Errorf("pdfseal: reading the PDF to sign: %w", err)
	}
	before, after := u.signed()
	d.Write(before)
	d.Write(after)
	cms, err := signCMS(ctx, d.Sum(nil), h, chain, opts)
	if err != nil {
		return err
	}
	if 2*len(cms) > u.hexLen {
		return &tooLarge{need: 2 * len(cms)}
	}
	hex.Encode(u.b[u.contentsAt:], cms)
	return nil
}

// signCMS makes the detached CMS SignedData of the PDF signature: the
// signer's certificate path, signed attributes (content type id-data, the
// signing time, the message digest, the ESS signing-certificate-v2
// binding) and, unsigned, the RFC 3161 timestamp over the signature value.
// It is what verify reads (bundle-format.md §7.2).
func signCMS(ctx context.Context, digest []byte, h crypto.Hash, chain []*x509.Certificate, opts Options) ([]byte, error) {
	signedAttrs, err := cms.SignedAttributes(digest, opts.Time, chain[0])
	if err != nil {
		return nil, fmt.Errorf("pdfseal: the signed attributes: %w", err)
	}
	sig, err := opts.Signer.SignMessage(ctx, signedAttrs)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: signing: %w", err)
	}
	token, err := timestampSignature(ctx, sig, opts.Timestamper)
	if err != nil {
		return nil, err
	}
	digestAlg := cms.OIDSHA256
	if h == crypto.SHA512 {
		digestAlg = cms.OIDSHA512
	}
	return (&cms.Detached{
		DigestAlgorithm: digestAlg, Chain: chain, SignedAttributes: signedAttrs,
		SignatureAlgorithm: opts.Signer.Algorithm().CMSSignature, Signature: sig, TimeStampToken: token,
	}).Marshal()
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
