// Package pdfseal turns a rendered health-record PDF into the standalone PDF
// of an export: the PDF with the whole .custody bundle embedded as an
// associated file, signed by the doctor's key with an RFC 3161 signature
// timestamp.
//
//	err := pdfseal.Seal(ctx, out, rendered, bundleFile, bundleSize, pdfseal.Options{
//		Signer:      signer, // the key that sealed the bundle (keys.Load)
//		Timestamper: &tsa.Client{URL: "http://127.0.0.1:3161"},
//		Time:        exportTime,
//	})
//
// Append does the same for a rendering already written into the output
// file (custody.WritePDF renders the pages there), reading it back rather
// than holding it.
//
// The bundle is added by a small incremental update written here (an
// embedded-file stream with /Subtype application/vnd.custody.bundle+zip, a
// filespec with /AFRelationship /Source, the catalog's /Names
// /EmbeddedFiles and /AF), deterministic for the same inputs. The signature
// is a second incremental update, also written here (sign.go), a PAdES
// baseline signature (ETSI EN 319 142-1) at level B-LT: a signature
// dictionary (SubFilter ETSI.CAdES.detached), an invisible signature field
// whose widget is in the first page's /Annots, the document information
// and XMP metadata (Document), a document security store with the
// signer's and the TSA's certificates, and the catalog with /AcroForm,
// /Metadata and /DSS. Its CMS has SHA-256 (SHA-512 with Ed25519, RFC 8419)
// signed attributes with the ESS signing-certificate-v2 binding and no
// signing-time (B-B), and the RFC 3161 token over the signature value as
// the unsigned signature-time-stamp attribute (B-T). Its /ByteRange covers
// the whole file but the /Contents hex string: nothing can be appended
// afterwards, so the store is inside the signed update rather than in a
// later one (revocation data would go there too).
//
// The certificates in the signature carry the key: the doctor's own X.509
// certificate and its issuers up to a self-issued root when given (each
// link checked, see CheckSignerChain), otherwise one certificate the key
// issues to itself. A verifier trusts the PDF because the signing key's
// fingerprint is the bundle's sealing key, not because of the certificate
// (package verify, VerifyPDFSignature and PDF); the chain is checked whole
// so that no byte of it can change unseen.
//
// Memory: nothing of the size of the bundle is held. The signed bytes are
// hashed in one pass (the rendering, the bundle read from its io.ReaderAt,
// the updates) and written in a second: a 64 MiB bundle seals in 0.13 s at
// 14 MB peak RSS (BenchmarkSeal64MiB). The bundle is read three times
// (its MD5 checksum for /Params, the digest, the copy to w).
//
// Ed25519 keys sign with SHA-512 as the CMS digest; such PDFs
// verify with package verify and OpenSSL's Ed25519, but poppler's pdfsig
// (NSS) reports them as "corrupted" and `openssl cms` 3.0 cannot check
// them: use ECDSA P-256 where PDF readers must show the signature as valid.
package pdfseal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/tsa"
)

// DefaultBundleName is the attachment's file name when Options.BundleName
// is empty.
const DefaultBundleName = "case.custody"

// A Timestamper obtains an RFC 3161 token over data, checked against the
// request it answers: *tsa.Client is one.
type Timestamper interface {
	Stamp(ctx context.Context, data []byte) (*tsa.Stamp, error)
}

// Options configure Seal.
type Options struct {
	// Signer is the doctor's key: Ed25519, ECDSA P-256 or RSA (required). Its
	// certificate chain (optional: the doctor's X.509 certificate, then its
	// issuers in order up to and including a self-issued root; see
	// CheckSignerChain for what it must satisfy) is what the CMS carries,
	// exactly these certificates in this order. Without one, a
	// certificate the key issues to itself is used (subject "CN=<first 16
	// hex digits of the key fingerprint>, O=custody signer", valid from
	// Time).
	Signer *keys.Signer
	// Timestamper obtains the signature's RFC 3161 timestamp (required):
	// the export's *tsa.Client.
	Timestamper Timestamper
	// Time is the export time: the embedded file's /ModDate, the start
	// of a self-issued certificate's validity, and the time at which every
	// certificate of the Signer's chain must be valid (required).
	Time time.Time
	// BundleName is the attachment's file name (default "case.custody").
	BundleName string
	// Name, Reason and Location go into the signature dictionary (optional).
	Name, Reason, Location string
	// Document describes the export for the document information and the
	// XMP metadata (optional).
	Document Document
	// ValidationCertificates are certificates a validator will need later
	// besides the signer's chain and the signature timestamp's TSA
	// certificates, which are always there (optional: the bundle's TSAs',
	// DER). They go into the document security store.
	ValidationCertificates [][]byte
	// ValidationCRLs and ValidationOCSPs are revocation data a validator
	// will need (DER CRLs and OCSP responses: those the bundle's custody
	// log carries). They go into the document security store, /CRLs and
	// /OCSPs (PAdES B-LT, ETSI EN 319 142-1 §5.4).
	ValidationCRLs, ValidationOCSPs [][]byte
}

// Seal writes to w the rendered PDF with the bundle (bundleSize bytes read
// from bundle) embedded and signed. Nothing is written to w if anything
// fails before the final write.
func Seal(ctx context.Context, w io.Writer, rendered []byte, bundle io.ReaderAt, bundleSize int64, opts Options) error {
	return sealTo(ctx, w, bytes.NewReader(rendered), int64(len(rendered)), false, bundle, bundleSize, opts)
}

// Append is Seal for a rendering already written: w's file starts with the
// renderedSize bytes of the rendering, which Append reads back through
// rendered, and Append writes what follows them (the attachment and the
// signature updates). Use it to seal a rendering that was written straight
// into the output file, rather than held in memory: the pages of a
// conversation of 150,000 messages are about 17 MB. Nothing is written to
// w if anything fails before the final write.
func Append(ctx context.Context, w io.Writer, rendered io.ReaderAt, renderedSize int64, bundle io.ReaderAt, bundleSize int64, opts Options) error {
	return sealTo(ctx, w, rendered, renderedSize, true, bundle, bundleSize, opts)
}

// sealTo is Seal and Append: written says whether w already has the
// rendering.
func sealTo(ctx context.Context, w io.Writer, rendered io.ReaderAt, renderedSize int64, written bool, bundle io.ReaderAt, bundleSize int64, opts Options) error {
	if opts.Signer == nil {
		return errors.New("pdfseal: Options.Signer is required")
	}
	if opts.Timestamper == nil {
		return errors.New("pdfseal: Options.Timestamper is required (the signature needs its timestamp)")
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
	chain, err := signerChain(opts.Signer.Key(), opts.Signer.Chain(), opts.Time)
	if err != nil {
		return err
	}

	att, err := newAttachment(rendered, renderedSize, bundle, bundleSize, name, opts.Time)
	if err != nil {
		return err
	}
	var from int64 // what of the attachment w has already
	if written {
		from = renderedSize
	}
	return writeSigned(ctx, w, att, from, chain, opts)
}
