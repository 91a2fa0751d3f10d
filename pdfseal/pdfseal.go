// Package pdfseal turns a rendered health-record PDF into the standalone PDF
// of an export: the PDF with the whole .custody bundle embedded as an
// associated file, signed by the doctor's key with an RFC 3161 signature
// timestamp.
//
//	err := pdfseal.Seal(out, rendered, bundleFile, bundleSize, pdfseal.Options{
//		Signer: key,                 // the key that sealed the bundle
//		TSAURL: "http://127.0.0.1:3161",
//		Time:   exportTime,
//	})
//
// The bundle is added by a small incremental update written here (an
// embedded-file stream with /Subtype application/vnd.custody.bundle+zip, a
// filespec with /AFRelationship /Source, the catalog's /Names
// /EmbeddedFiles and /AF), deterministic for the same inputs. The signature
// is a second incremental update made by github.com/digitorus/pdfsign/sign
// (SubFilter adbe.pkcs7.detached, SHA-256 (SHA-512 with Ed25519), a
// certification signature permitting no change, the timestamp token as the
// unsigned signature-time-stamp attribute). Its /ByteRange covers the whole
// file but the /Contents hex string: nothing can be appended afterwards.
//
// The certificates in the signature carry the key: the doctor's own X.509
// certificate and its issuers up to a self-issued root when given (each
// link checked, see CheckSignerChain), otherwise one certificate the key
// issues to itself. A verifier trusts the PDF because the signing key's
// fingerprint is the bundle's sealing key, not because of the certificate
// (package verify, VerifyPDFSignature and PDF); the chain is checked whole
// so that no byte of it can change unseen.
//
// Memory: pdfsign builds the signed file in memory, copies the signed byte
// ranges once more and encodes them once into a CMS before detaching it,
// so Seal needs about 4.5 times the size of the bundle at its peak
// (measured: a 64 MiB bundle, 290 MB peak RSS, 0.6 s). The bundle is read
// twice from its io.ReaderAt (MD5 checksum, then the copy pdfsign makes).
//
// Ed25519 keys sign with SHA-512 as the CMS digest (RFC 8419); such PDFs
// verify with package verify and OpenSSL's Ed25519, but poppler's pdfsig
// (NSS) reports them as "corrupted" and `openssl cms` 3.0 cannot check
// them: use ECDSA P-256 where PDF readers must show the signature as valid.
package pdfseal

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
)

// DefaultBundleName is the attachment's file name when Options.BundleName
// is empty.
const DefaultBundleName = "case.custody"

// Options configure Seal.
type Options struct {
	// Signer is the doctor's key: Ed25519 or ECDSA P-256 (required).
	Signer crypto.Signer
	// CertificateChain is the doctor's X.509 certificate for Signer's
	// public key, then its issuers in order up to and including a
	// self-issued root (optional; see CheckSignerChain for what it must
	// satisfy). The CMS carries exactly these certificates, in this order.
	// Without it, a certificate the key issues to itself is used (subject
	// "CN=<first 16 hex digits of the key fingerprint>, O=custody
	// signer", valid from Time).
	CertificateChain []*x509.Certificate
	// TSAURL is the RFC 3161 time-stamping service for the signature
	// timestamp (required).
	TSAURL string
	// Time is the export time: the embedded file's /ModDate, the start
	// of a self-issued certificate's validity, and the time at which every
	// certificate of CertificateChain must be valid (required).
	Time time.Time
	// BundleName is the attachment's file name (default "case.custody").
	BundleName string
	// Name, Reason and Location go into the signature dictionary (optional).
	Name, Reason, Location string
}

// Seal writes to w the rendered PDF with the bundle (bundleSize bytes read
// from bundle) embedded and signed. Nothing is written to w if anything
// fails before the final write.
func Seal(w io.Writer, rendered []byte, bundle io.ReaderAt, bundleSize int64, opts Options) error {
	if opts.Signer == nil {
		return errors.New("pdfseal: Options.Signer is required")
	}
	if opts.TSAURL == "" {
		return errors.New("pdfseal: Options.TSAURL is required (the signature needs its timestamp)")
	}
	if opts.Time.IsZero() {
		return errors.New("pdfseal: Options.Time is required")
	}
	name := opts.BundleName
	if name == "" {
		name = DefaultBundleName
	}
	if name != path.Base(name) || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return fmt.Errorf("pdfseal: bundle name %q must be a plain file name", name)
	}
	for field, v := range map[string]string{"Name": opts.Name, "Reason": opts.Reason, "Location": opts.Location} {
		if err := checkSignatureText(v); err != nil {
			return fmt.Errorf("pdfseal: Options.%s: %w", field, err)
		}
	}
	chain, err := signerChain(opts.Signer, opts.CertificateChain, opts.Time)
	if err != nil {
		return err
	}

	att, err := newAttachment(rendered, bundle, bundleSize, name, opts.Time)
	if err != nil {
		return err
	}
	rdr, err := pdf.NewReader(att, att.size)
	if err != nil {
		return fmt.Errorf("pdfseal: re-reading the PDF with the bundle: %w", err)
	}
	var out retainer
	err = sign.Sign(presized{io.NewSectionReader(att, 0, att.size)}, &out, rdr, att.size, sign.SignData{
		Signature: sign.SignDataSignature{
			// A certification signature that permits no change: the
			// PDF is evidence, not a form.
			CertType:   sign.CertificationSignature,
			DocMDPPerm: sign.DoNotAllowAnyChangesPerms,
			Info: sign.SignDataSignatureInfo{
				Name:     opts.Name,
				Reason:   opts.Reason,
				Location: opts.Location,
				Date:     opts.Time,
			},
		},
		Signer:          opts.Signer,
		DigestAlgorithm: digestFor(opts.Signer),
		// pdfsign puts Certificate and then CertificateChains[0][1:]
		// into the CMS certificates, in order: the chain, each once.
		Certificate:       chain[0],
		CertificateChains: [][]*x509.Certificate{chain},
		TSA:               sign.TSA{URL: opts.TSAURL},
	})
	if err != nil {
		return fmt.Errorf("pdfseal: signing: %w", err)
	}
	signed := out.bytes()
	if err := checkSigned(signed, att.size); err != nil {
		return err
	}
	_, err = w.Write(signed)
	return err
}

// presized hands pdfsign its input so that the buffer it copies it into
// is allocated once at the final size. pdfsign copies the input into a
// bytes.Buffer with io.Copy (32 KiB writes, growth by doubling) and then
// appends its objects; that would allocate four times the file and keep a
// buffer twice its size for the rest of the signing. Two writes instead:
// half of (size + room for pdfsign's objects), then the rest, which makes
// bytes.Buffer grow once to exactly that.
type presized struct{ *io.SectionReader }

const pdfsignRoom = 1 << 20 // pdfsign's objects: ~20 KiB of signature placeholder and a few small ones

func (p presized) WriteTo(w io.Writer) (int64, error) {
	size := p.Size()
	first := min(size, (size+pdfsignRoom+1)/2)
	buf := make([]byte, first)
	var written int64
	for _, n := range []int64{first, size - first} {
		if n == 0 {
			continue
		}
		if _, err := p.ReadAt(buf[:n], written); err != nil {
			return written, err
		}
		m, err := w.Write(buf[:n])
		written += int64(m)
		if err != nil {
			return written, err
		}
	}
	_, err := p.Seek(written, io.SeekStart)
	return written, err
}

// retainer keeps what pdfsign writes without copying it: pdfsign writes
// its whole in-memory output in one Write and drops it, so keeping the
// slice saves a copy of the size of the bundle. Further writes, should a
// later pdfsign make them, are appended (copied).
type retainer struct{ b []byte }

func (r *retainer) Write(p []byte) (int, error) {
	if r.b == nil {
		r.b = p
	} else {
		r.b = append(r.b[:len(r.b):len(r.b)], p...)
	}
	return len(p), nil
}

func (r *retainer) bytes() []byte { return r.b }

// digestFor is SHA-512 for Ed25519, as CMS requires with signed attributes
// (RFC 8419 §3: OpenSSL refuses Ed25519 over SHA-256 with "invalid
// digest"), SHA-256 otherwise.
func digestFor(s crypto.Signer) crypto.Hash {
	if _, ok := s.Public().(ed25519.PublicKey); ok {
		return crypto.SHA512
	}
	return crypto.SHA256
}

// checkSignatureText refuses text that pdfsign would write unescaped:
// it writes non-ASCII text as raw UTF-16BE inside ( ), so a code unit with
// a byte ( ) \ or CR would break the string.
func checkSignatureText(s string) error {
	if isASCII(s) {
		return nil
	}
	for _, u := range utf16.Encode([]rune(s)) {
		for _, b := range []byte{byte(u >> 8), byte(u)} {
			switch b {
			case '(', ')', '\\', '\r':
				return fmt.Errorf("character U+%04X in %q cannot be written in the signature dictionary", u, s)
			}
		}
	}
	return nil
}

// checkSigned guards against pdfsign's placeholder search (it patches the
// first run of '0's long enough and the first "/ByteRange[0 ***" it finds)
// landing inside the embedded bundle rather than in its own signature
// dictionary, which lies after the first unsigned bytes (unsignedEnd).
func checkSigned(out []byte, unsignedEnd int64) error {
	tail := out[unsignedEnd:]
	i := bytes.Index(tail, []byte("/ByteRange ["))
	if i < 0 {
		return errors.New("pdfseal: pdfsign wrote no /ByteRange in its signature dictionary")
	}
	var br [4]int64
	if _, err := fmt.Sscanf(string(tail[i:min(len(tail), i+80)]), "/ByteRange [%d %d %d %d]", &br[0], &br[1], &br[2], &br[3]); err != nil {
		return fmt.Errorf("pdfseal: reading pdfsign's /ByteRange: %w", err)
	}
	n := int64(len(out))
	if br[0] != 0 || br[1] <= unsignedEnd || br[2] <= br[1] || br[2]+br[3] != n ||
		out[br[1]] != '<' || out[br[2]-1] != '>' {
		return fmt.Errorf("pdfseal: pdfsign placed the signature at %v in a %d-byte file, outside its own dictionary", br, n)
	}
	return nil
}
