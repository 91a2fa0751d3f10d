package custody

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/custody-toolkit/custody/internal/tokencheck"
	"github.com/custody-toolkit/custody/internal/verdict"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/keys/sigstream"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdf"
	"github.com/custody-toolkit/custody/record"
)

// checkSealed is the exporter's own check of a bundle before it makes a
// standalone PDF of it, with the primitives the verifier also uses, not
// its verdict: manifest.json is signed by the key the manifest names,
// every listed file has its sealed size and SHA-256, and every token
// timestamps manifest.sig. It returns what the PDF's pages state after
// sealing: the manifest's digest and the timestamps, read as a verifier
// reads them (tokencheck). Judging a bundle someone else made is
// custody-verify's work; this refuses only a PDF of a bundle that does not
// hold together.
func checkSealed(b *manifest.Bundle) (*manifest.Manifest, *record.Seal, error) {
	// manifest.json is read as it streams, never held (up to 64 MiB): its
	// digest once, then the value without its messages, each reading held
	// to that digest (manifest.ParseStreamed), then the signature.
	open := func() (io.ReadCloser, error) { return b.OpenManifest() }
	var sum [sha256.Size]byte
	h := sha256.New()
	if err := copyManifest(open, h); err != nil {
		return nil, nil, err
	}
	h.Sum(sum[:0])
	m, err := manifest.ParseStreamed(open, sum)
	if err != nil {
		return nil, nil, err
	}
	sig, err := checkManifestSignature(b, m, open)
	if err != nil {
		return nil, nil, err
	}
	files := newFileCheck()
	for _, f := range m.EachFile() {
		if err := files.check(b, f); err != nil {
			return nil, nil, err
		}
	}
	// Checked, and not shown on the pages: a file for each message, the
	// list of 150,000 is 10 MB, not held while the pages are laid out.
	m.DropFiles()
	seal := &record.Seal{ManifestSHA256: hex.EncodeToString(sum[:])}
	for i := 0; b.Has(manifest.TokenEntryName(i)); i++ {
		ts, err := checkSealedToken(b, manifest.TokenEntryName(i), sig)
		if err != nil {
			return nil, nil, err
		}
		seal.Timestamps = append(seal.Timestamps, ts)
	}
	if len(seal.Timestamps) == 0 {
		return nil, nil, fmt.Errorf("no RFC 3161 timestamp token (%s missing)", manifest.TokenName)
	}
	return m, seal, nil
}

// checkManifestSignature verifies manifest.sig over manifest.json (open
// gives its bytes as they stream) with the key in signer.pem, which must be
// the one the manifest names, and returns the signature (what the tokens
// timestamp).
func checkManifestSignature(b *manifest.Bundle, m *manifest.Manifest, open func() (io.ReadCloser, error)) ([]byte, error) {
	pemBytes, err := b.ReadSmall(manifest.SignerName, manifest.MaxMetaEntrySize)
	if err != nil {
		return nil, err
	}
	sig, err := b.ReadSmall(manifest.SignatureName, manifest.MaxMetaEntrySize)
	if err != nil {
		return nil, err
	}
	pub, err := manifest.ParsePublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", manifest.SignerName, err)
	}
	if fp, _ := manifest.Fingerprint(pub); fp != m.Signer.Fingerprint {
		return nil, fmt.Errorf("%s holds key %s, but the manifest was sealed for key %s", manifest.SignerName, fp, m.Signer.Fingerprint)
	}
	alg, ok := sigalg.ByName(m.Signer.Algorithm)
	if !ok || !alg.Fits(pub) {
		return nil, fmt.Errorf("%s does not verify as a %q signature of %s", manifest.SignatureName, m.Signer.Algorithm, manifest.ManifestName)
	}
	signed := sigstream.NewVerifier(alg, pub, sig)
	if err := copyManifest(open, signed); err != nil {
		return nil, err
	}
	if !signed.Verify() {
		return nil, fmt.Errorf("%s does not verify as a %q signature of %s", manifest.SignatureName, m.Signer.Algorithm, manifest.ManifestName)
	}
	return sig, nil
}

// copyManifest writes manifest.json's bytes, as open gives them, into w.
func copyManifest(open func() (io.ReadCloser, error), w io.Writer) error {
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := io.Copy(w, rc); err != nil {
		return fmt.Errorf("reading %s: %w", manifest.ManifestName, err)
	}
	return nil
}

// fileCheck checks entries against the manifest's File values with one
// hash and one buffer: a bundle may have 150,000 entries, and a buffer
// each was 5 GB of garbage to collect.
type fileCheck struct {
	h   hash.Hash
	buf []byte
}

func newFileCheck() *fileCheck { return &fileCheck{h: sha256.New(), buf: make([]byte, 64<<10)} }

// check: entry f.Path has the size and SHA-256 the manifest seals.
func (c *fileCheck) check(b *manifest.Bundle, f manifest.File) error {
	rc, err := b.Open(f.Path)
	if err != nil {
		return err
	}
	defer rc.Close()
	c.h.Reset()
	n, err := io.CopyBuffer(struct{ io.Writer }{c.h}, struct{ io.Reader }{rc}, c.buf)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	var sum [sha256.Size]byte
	if n != f.Size || hex.EncodeToString(c.h.Sum(sum[:0])) != f.SHA256 {
		return fmt.Errorf("%s is not the file the manifest seals (size or SHA-256 differs)", f.Path)
	}
	return nil
}

// checkSealedToken verifies the token stored as name over the manifest's
// signature, without trust anchors (trust is the verifier's business).
func checkSealedToken(b *manifest.Bundle, name string, sig []byte) (pdf.Timestamp, error) {
	der, err := b.ReadSmall(name, manifest.MaxMetaEntrySize)
	if err != nil {
		return pdf.Timestamp{}, err
	}
	res, err := tokencheck.Verify(der, bytes.NewReader(sig), tokencheck.Options{Stored: true})
	if err == nil {
		err = verdict.FirstFailed(res.Checks)
	}
	if err != nil {
		return pdf.Timestamp{}, fmt.Errorf("%s: %w", name, err)
	}
	return pdf.Timestamp{Time: res.Timestamp.Time, TSA: res.Timestamp.TSA, CertSHA256: res.Timestamp.TSACertSHA256}, nil
}
