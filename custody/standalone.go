package custody

import (
	"context"
	"github.com/custody-toolkit/custody/internal/regfile"

	"bufio"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/internal/tokencheck"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/record"
)

// PDFOptions configure the standalone PDF for the medical record.
type PDFOptions struct {
	Out   string
	Force bool
	// Signer signs the PDF: the key that sealed the bundle. Its chain
	// (optional) is the doctor's certificate, then its issuers up to a
	// self-issued root (a PKCS#12 file's, or ReadCertificateChain's);
	// without one the key issues itself a certificate.
	Signer      *keys.Signer
	Timestamper pdfseal.Timestamper // the signature's RFC 3161 timestamp: a *tsa.Client
	Time        time.Time
	// CheckWritten, when set, reads back the PDF written, as a verifier
	// will, before it is left at Out: a PDF whose signature does not hold
	// is refused (the exporter wires verify.VerifyPDFSignature here; the
	// writer does not import the verifier).
	CheckWritten func(r io.ReaderAt, size int64) error
	// Renderer lays out the pages of a bundle without record.pdf as an
	// earlier exporter did (record.Seal's Renderer; empty for the newest),
	// for test vectors that must stay as they were.
	Renderer string
}

// maxCertificateFile bounds what ReadCertificateChain reads: a chain of a
// few certificates is a few kilobytes.
const maxCertificateFile = 1 << 20

// ReadCertificateChain reads a PEM file holding the doctor's X.509
// certificate for signer, then its issuers in order, up to and including a
// self-issued root, and checks it as the PDF signature needs it
// (pdfseal.CheckSignerChain): each link verified, the first certificate
// for signer, all valid at time at. Errors name the file and the
// certificate at fault.
func ReadCertificateChain(path string, signer crypto.PublicKey, at time.Time) ([]*x509.Certificate, error) {
	f, size, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > maxCertificateFile {
		return nil, fmt.Errorf("%s: %d bytes is too large for a certificate chain (at most %d)", path, size, maxCertificateFile)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCertificateFile))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	chain, err := tokencheck.ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := pdfseal.CheckSignerChain(signer, chain, at); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return chain, nil
}

// WritePDF writes the standalone PDF of a sealed bundle: its pages (the
// messages, the manifest digest, the timestamps), the whole bundle as an
// associated file, and a PDF signature with a signature timestamp. The
// bundle is checked first (checkSealed: its signature, files and tokens,
// without trust anchors): a PDF is never made of a bundle that does not
// hold together.
func WritePDF(ctx context.Context, bundlePath string, opts PDFOptions) error {
	if opts.Signer == nil || opts.Timestamper == nil || opts.Out == "" {
		return errors.New("the PDF needs a key, a TSA and an output path")
	}
	f, size, err := regfile.Open(bundlePath)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := manifest.OpenBundle(f, size)
	if err != nil {
		return err
	}
	m, seal, err := checkSealed(b)
	if err != nil {
		return fmt.Errorf("%s does not verify (%w); no PDF made of it", bundlePath, err)
	}
	// The pages name the bundle by the name the PDF gives it.
	seal.BundleName, seal.Renderer = filepath.Base(bundlePath), opts.Renderer
	if err := atomicfile.Absent(opts.Out, opts.Force); err != nil {
		return err
	}
	out, err := atomicfile.Create(opts.Out)
	if err != nil {
		return err
	}
	defer out.Abort()
	// The pages go straight into the output file, which pdfseal.Append
	// reads back: they are not held (17 MB at 150,000 messages).
	pagesSize, err := renderPages(out, b, m, seal)
	if err != nil {
		return fmt.Errorf("rendering the PDF: %w", err)
	}
	err = pdfseal.Append(ctx, out, out, pagesSize, f, size, pdfseal.Options{
		Signer: opts.Signer, Timestamper: opts.Timestamper,
		Time: opts.Time, BundleName: seal.BundleName,
		Reason:   "Sealed clinical conversation " + m.ExportID,
		Document: pdfDocument(m), ValidationCertificates: tsaCertificates(b),
		ValidationCRLs: revocationData(b, custodylog.RevocationCRL), ValidationOCSPs: revocationData(b, custodylog.RevocationOCSP),
	})
	if err != nil {
		return fmt.Errorf("signing the PDF: %w", err)
	}
	if err := checkWritten(out, opts.CheckWritten); err != nil {
		return err
	}
	return out.Commit(opts.Force)
}

// checkWritten reads back the PDF written with check, when set.
func checkWritten(out *atomicfile.File, check func(io.ReaderAt, int64) error) error {
	if check == nil {
		return nil
	}
	st, err := out.Stat()
	if err != nil {
		return err
	}
	if err := check(out, st.Size()); err != nil {
		return fmt.Errorf("the PDF written does not verify: %w", err)
	}
	return nil
}

// renderPages lays out the standalone PDF's pages (the bundle's content
// with its seal, as the verifier renders them again to compare) into w,
// and returns their size.
func renderPages(w io.Writer, b *manifest.Bundle, m *manifest.Manifest, seal *record.Seal) (int64, error) {
	c, err := record.FromParsed(b, m)
	if err != nil {
		return 0, err
	}
	var count countingWriter
	bw := bufio.NewWriterSize(io.MultiWriter(w, &count), 64<<10)
	if err := record.Render(bw, c, seal); err != nil {
		return 0, err
	}
	return count.n, bw.Flush()
}

// pdfDocument describes the export for the PDF's document information and
// XMP metadata, from the sealed manifest: the conversation's title, the
// clinicians, the export id and time.
func pdfDocument(m *manifest.Manifest) pdfseal.Document {
	var clinicians []string
	for _, p := range m.Conversation.Participants {
		if p.Role == "clinician" && p.Name != "" {
			clinicians = append(clinicians, p.Name)
		}
	}
	created, _ := time.Parse(time.RFC3339, m.ExportedAt)
	return pdfseal.Document{Title: m.Conversation.Title, Author: strings.Join(clinicians, ", "), ExportID: m.ExportID, Created: created}
}

// tsaCertificates are the certificates the bundle's timestamp tokens
// carry, for the PDF's document security store.
func tsaCertificates(b *manifest.Bundle) [][]byte {
	var certs [][]byte
	for i := 0; b.Has(manifest.TokenEntryName(i)); i++ {
		rc, err := b.Open(manifest.TokenEntryName(i))
		if err != nil {
			return certs
		}
		resp, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return certs
		}
		certs = append(certs, pdfseal.ResponseCertificates(resp)...)
	}
	return certs
}

// revocationData is the revocation data of that kind the bundle's custody
// log carries (docs/long-term.md), in entry order, for the PDF's document
// security store. Entries that cannot be read are left out: the store is
// a convenience for PDF validators, the bundle is the evidence.
func revocationData(b *manifest.Bundle, kind string) [][]byte {
	var out [][]byte
	for name := range b.EachName() {
		if !strings.HasPrefix(name, manifest.CustodyDir) {
			continue // a message or file: not parsed, each would make an error
		}
		if _, part, err := custodylog.ParseEntryName(name); err != nil || !strings.HasSuffix(part, "."+kind) {
			continue
		}
		if data, err := b.ReadSmall(name, manifest.MaxMetaEntrySize); err == nil {
			out = append(out, data)
		}
	}
	return out
}
