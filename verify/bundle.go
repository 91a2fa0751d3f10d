package verify

import (
	"github.com/custody-toolkit/custody/custodylog"

	"bytes"
	"cmp"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/internal/verdict"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/keys/sigstream"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdf"
	"github.com/custody-toolkit/custody/record"
	"github.com/custody-toolkit/custody/translog"
	"golang.org/x/mod/sumdb/note"
)

// Options configure the verification of a bundle.
type Options struct {
	// Trust holds the trust anchors for timestamp tokens: any certificate
	// here is an anchor, root or not.
	Trust []*x509.Certificate
	// Signer, when set, is the expected signer: a key fingerprint (hex) or
	// a public key. Without it the report says the identity was not checked.
	SignerFingerprint string
	SignerKey         crypto.PublicKey
	// TrustSigners holds the anchors for the signer's certificate chain
	// (--trust-signers), when the bundle carries one: the name it gives
	// is verified against them at the proven signing time.
	TrustSigners []*x509.Certificate
	// TrustLogs are the transparency logs' keys the verifier trusts
	// (--trust-log, translog.ParseTrusted); nil: no log's checkpoint is
	// checked, and the report says so (docs/bundle-format.md §6.1).
	TrustLogs []note.Verifier
	// Actors names the keys whose custody events the verifier recognises,
	// by fingerprint (--trust-actors, ParseActors); nil: none checked.
	Actors map[string]string
	// Progress, when set, is told how the verification advances, for a
	// progress bar: step "files" (files hashed of those listed), then
	// "rendering" (waiting for record.pdf's re-rendering, no count).
	// It never changes a verdict.
	Progress func(step string, done, total int64)
	// At is the validation time (--at): whether each timestamp still
	// proves its time then (docs/long-term.md). Zero means the time of
	// the bundle's newest trusted proof.
	At time.Time
	// SHA256, when set, makes the SHA-256 of each of the bundle's files
	// (the bulk of the bytes hashed), of manifest.json, and of the large
	// streams the rendering comparison hashes (pdfnorm.SHA256Threshold:
	// JPEG images, font files, told their size; a PNG image's inflated
	// rows, told the size its /Height gives, or -1: sizes that make room,
	// which the data may not fill or may exceed): the web verifier passes
	// the browser's native SHA-256, many times faster than crypto/sha256
	// compiled to WebAssembly, for the files it can hold.
	// What is hashed and compared stays this package's. It must compute
	// SHA-256; nil: crypto/sha256.
	SHA256 func(size int64) hash.Hash
	// DigestRange, when set, hashes each of the bundle's files that
	// SHA256 would, where its bytes lie in a canonical container
	// (manifest.Bundle.DigestStored: the SHA-256 and the ZIP CRC-32 in
	// one pass), without this package reading them: the web verifier's
	// reads them in JavaScript straight from the browser's File. What is
	// compared stays this package's; it must compute SHA-256 and CRC-32,
	// or fail, and then the file is read and hashed here.
	DigestRange manifest.RangeDigest
	// CompareRecord, when set, compares record.pdf with a fresh rendering
	// in place of this package's background goroutine: the web verifier
	// has a second WebAssembly instance (a Web Worker) do it, since a
	// page's WebAssembly runs on one thread. It must compare the bundle
	// named (RecordRendering) with CompareRecordRendering, or return an error, and
	// then this package compares it itself; the verdict is the same either
	// way.
	CompareRecord func(RecordRendering) (RenderingOutcome, error)
	// ComparePDFPages, likewise, makes a standalone PDF's rendering check
	// (ComparePDFPages on the same file, or a check that
	// ComparePDFPagesAhead made under a seal that PrintsAs the one named)
	// elsewhere, while the PDF's signature is checked here; an error
	// leaves it to this package.
	ComparePDFPages func(PagesRendering) (Check, error)

	// keepLeaves keeps the tree's leaves in the report (Report.leaves),
	// for Consistent: the manifest's messages are read from the bundle,
	// which is closed once verified.
	keepLeaves bool
	// streamManifest streams the manifest whatever its size
	// (parseManifest): for tests of that path, which larger manifests
	// take.
	streamManifest bool
}

// NewSHA256 is a SHA-256 hash for an input of that size: Options.SHA256's,
// or crypto/sha256's.
func (o *Options) NewSHA256(size int64) hash.Hash {
	if o.SHA256 != nil {
		return o.SHA256(size)
	}
	return sha256.New()
}

// ProgressLabels name the steps of Options.Progress for a person.
var ProgressLabels = map[string]string{
	"files":     "hashing the sealed files",
	"rendering": "comparing record.pdf with a fresh rendering",
}

// progress reports to Options.Progress, when set.
func (o *Options) progress(step string, done, total int64) {
	if o.Progress != nil {
		o.Progress(step, done, total)
	}
}

// Report is the outcome of verifying a bundle; its JSON form is documented
// in docs/verify-json.md.
type Report struct {
	Result      Status      `json:"result"`
	File        string      `json:"file,omitempty"`
	Format      string      `json:"format,omitempty"`
	ExportID    string      `json:"export_id,omitempty"`
	ExportedAt  string      `json:"exported_at,omitempty"`
	Manifest    string      `json:"manifest_sha256,omitempty"`
	ChainHead   string      `json:"chain_head,omitempty"`
	Signer      Signer      `json:"signer"`
	Timestamps  []Timestamp `json:"timestamps"`
	Messages    int         `json:"messages"`
	Total       int         `json:"total_messages"`
	Attachments int         `json:"attachments"`
	// Selection says how the sealed messages were chosen, once the
	// manifest could be read.
	Selection *Selection `json:"selection,omitempty"`
	// Intake: why the bundle was exported, as sealed (absent when the
	// manifest states nothing, or could not be read).
	Intake *Intake `json:"intake,omitempty"`
	// Summary, when the verified file is not the sealed container (a
	// re-zipped bundle, an extracted folder, a re-saved PDF), says first
	// and in plain words whether the sealed content is intact.
	Summary string  `json:"summary,omitempty"`
	Checks  []Check `json:"checks"`
	// Custody is the chain-of-custody timeline (docs/custody-log.md).
	Custody []CustodyEvent `json:"custody"`
	// Disclosure: format v2, what was disclosed and withheld (disclosure.go).
	Disclosure *Disclosure `json:"disclosure,omitempty"`
	// Consistency: with --consistent-with (consistency.go).
	Consistency *Consistency `json:"consistency,omitempty"`

	parsed *manifest.Manifest // once the manifest check passed; its messages held, or read from the bundle (parseManifest)
	leaves [][32]byte         // the tree's leaves, with Options.keepLeaves, once the disclosure check passed
	sealed sealedSigner       // the sealing key and chain, for the PDF's signature (pdf.go)
}

// Selection is how the sealed messages were chosen: the manifest's
// criteria, and in words (lang.Terms.DescribeSelection, in English).
type Selection struct {
	Criteria    []string `json:"criteria"`
	Description string   `json:"description"`
}

// Intake is the manifest's intake statement (bundle-format.md §2.5): the
// purpose, the legal basis code and its meaning in English
// (lang.Terms.LegalBasisMeaning), and the sealed consent record.
type Intake struct {
	Purpose    string            `json:"purpose"`
	LegalBasis string            `json:"legal_basis"`
	Meaning    string            `json:"legal_basis_description"`
	Consent    *manifest.Consent `json:"consent,omitempty"`
}

// NewIntake reports a manifest's intake, nil when it has none.
func NewIntake(in *manifest.Intake) *Intake {
	if in == nil {
		return nil
	}
	return &Intake{Purpose: in.Purpose, LegalBasis: in.LegalBasis, Meaning: lang.English.LegalBasisMeaning(in.LegalBasis), Consent: in.Consent}
}

// Words gives the intake to lang.Terms.DescribeIntake, which words it
// for every place a person reads it.
func (in *Intake) Words() lang.Intake {
	w := lang.Intake{Purpose: in.Purpose, LegalBasis: in.LegalBasis}
	if c := in.Consent; c != nil {
		w.ConsentPath, w.ConsentSize, w.ConsentSHA256 = c.Path, c.Size, c.SHA256
	}
	return w
}

// BundleFile verifies the bundle at path. The error is non-nil only when
// the file cannot be read as a bundle at all (exit 2); every finding about
// its content is in the report.
func BundleFile(path string, opts Options) (*Report, error) {
	return verifyPath(path, opts, Bundle)
}

// Bundle verifies a bundle read from r. A ZIP that breaks the canonical
// container but holds a bundle's files (re-zipped by another tool) is
// verified through manifest.OpenRepacked: every content check, then a
// container check that is INDETERMINATE, never PASSED (docs/bundle-format.md
// §1.1). The error is non-nil when r is not a custody bundle at all
// (ErrNotCustody).
func Bundle(r io.ReaderAt, size int64, opts Options) (*Report, error) {
	v := newBundleVerifier(opts)
	b, err := manifest.OpenBundle(r, size)
	var cerr *manifest.ContainerError
	switch {
	case v.manifestTooLarge(err):
		return v.finish(), nil
	case errors.As(err, &cerr):
		return v.verifyRepacked(r, size, cerr.Reason)
	case err != nil && hasCustodyHeader(r):
		v.fail("container", "the ZIP structure of this custody bundle cannot be read: %v", err)
		return v.finish(), nil
	case err != nil:
		return nil, notCustody(r, size)
	}
	v.b = b
	v.run()
	return v.finish(), nil
}

func newBundleVerifier(opts Options) *bundleVerifier {
	return &bundleVerifier{opts: opts, rep: &Report{Timestamps: []Timestamp{}, Checks: []Check{}, Custody: []CustodyEvent{}}}
}

// verifyRepacked verifies the content of a ZIP that is not the sealed
// container (why: the strict reader's reason).
func (v *bundleVerifier) verifyRepacked(r io.ReaderAt, size int64, why string) (*Report, error) {
	b, err := manifest.OpenRepacked(r, size)
	var cerr *manifest.ContainerError
	switch {
	case v.manifestTooLarge(err):
		return v.finish(), nil
	case errors.As(err, &cerr):
		v.fail("container", "%s", cerr.Reason)
		return v.finish(), nil
	case err != nil:
		return nil, err // a ZIP, but not a bundle: OpenRepacked says what it is
	}
	defer b.Close()
	v.b, v.repacked = b, repacking{how: repackedZip, why: "the ZIP container is not the sealed one: " + why}
	v.run()
	return v.finish(), nil
}

// manifestTooLarge reports a manifest larger than this verifier reads,
// when err says so: the bundle cannot be checked (INDETERMINATE), which
// proves nothing altered; a later verifier may read it.
func (v *bundleVerifier) manifestTooLarge(err error) bool {
	var large *manifest.TooLargeError
	if !errors.As(err, &large) {
		return false
	}
	v.rep.Checks = append(v.rep.Checks, Check{Name: "manifest", Status: Indeterminate, Sub: FormatNotImplemented,
		Detail: large.Error() + ": this verifier cannot check the bundle"})
	v.stopped = true
	return true
}

// bundleVerifier runs the checks in order; a check whose premise failed
// stops the run (the report then ends with the failed check). Its fields
// are what every step shares: the bundle and the options it is verified
// with, the report the steps add to, and whether one failed; what a step
// proves for the ones after it is its result, passed by run.
type bundleVerifier struct {
	buf     []byte        // copy buffer, reused for every entry
	ahead   *digestsAhead // while checkFiles runs, with DigestRange
	opts    Options
	rep     *Report
	b       *manifest.Bundle
	stopped bool
	// repacked says how and why the container is not the sealed one, when
	// the bundle's files were read from another container (OpenRepacked,
	// OpenDir); zero for the sealed container.
	repacked repacking
}

// run runs the steps in order, each given what the steps before it
// proved: the number of stored tokens (checkContainer), the signature
// over the manifest (checkManifest), the message entries' facts
// (checkFiles), whether the tokens are sealed (checkTokenSeal), the
// trusted tokens (checkTimestamps), the signer's chain
// (checkSignerCertificates) and what the custody log carries
// (checkCustodyLog); and, to every step after checkManifest, the parsed
// manifest. record.pdf is rendered again in the background from then on,
// for checkRendering. A failed step stops the run: the steps after it
// would build on it.
func (v *bundleVerifier) run() {
	v.b.TolerateCRC() // checkCRC reports a CRC-32 that the seal shows to be the only change
	tokens := v.checkContainer()
	if v.stopped {
		return
	}
	m, seal := v.checkManifest()
	if v.stopped {
		return
	}
	rendering := v.startRendering(m)
	defer rendering.wait() // before the bundle's reader is closed
	entries := v.checkFiles(m)
	if entries == nil && !v.stopped {
		// A message entry was not read (checkFiles): the checks after
		// files need every entry's content, but not the signature, which
		// alone can still prove the manifest forged.
		v.checkSignature(m, seal)
		v.stopped = true
		return
	}
	if v.runUntilFailed(func() { v.checkMessages(m, entries) }, func() { v.checkChain(m) }, func() { v.checkDisclosure(m) }) {
		return
	}
	signer := v.checkSignature(m, seal)
	if v.runUntilFailed(func() { v.checkSignerIdentity(signer) }, func() { v.checkRendering(m, rendering) }) {
		return
	}
	tokensSealed, sealedLogEntries := v.checkTokenSeal(m, seal.sig, tokens)
	if v.stopped {
		return
	}
	ev := evidence{sealProofs: v.checkTimestamps(m, seal.sig, tokens, tokensSealed)}
	if v.stopped {
		return
	}
	ev.signerChain = v.checkSignerCertificates(m, signer, ev.sealProofs)
	if v.runUntilFailed(func() { v.checkTransparency(m, seal.logStatement, sealedLogEntries) }, func() { v.checkMessageTimes(m, entries, ev.sealProofs) }) {
		return
	}
	ev.renewals, ev.revocations = v.checkCustodyLog(m, seal, tokens, ev.sealProofs)
	v.runUntilFailed((&longTermCheck{v, ev}).checkLongTerm, v.checkCRC, func() { v.checkEntryOrder(m, tokens, entries) })
}

// checkCRC runs when every entry read was held to the seal: an entry
// whose ZIP CRC-32 does not match its data, whose data matched its
// digest or signature, is a container not the sealed one
// (CONTAINER_REPACKED), as for any other header field edited alone: the
// CRC-32 is framing, not content. Altered data fails its own check before
// this one (bundle-format.md §1.1).
func (v *bundleVerifier) checkCRC() {
	wrong := v.b.CRCMismatches()
	if len(wrong) == 0 {
		return
	}
	why := fmt.Sprintf("the ZIP CRC-32 of %s does not match its data, which matches its seal", strings.Join(wrong, ", "))
	if v.repacked.how == "" {
		v.repacked = repacking{how: repackedZip, why: why}
	}
	v.rep.Checks = append(v.rep.Checks, Check{Name: "container", Status: Indeterminate, Sub: ContainerRepacked,
		Detail: why + ": the container is not the sealed one (its CRC-32 fields are not sealed)"})
}

// runUntilFailed runs steps that need nothing from one another, in
// order, until one fails; it says whether one did (or one before them).
func (v *bundleVerifier) runUntilFailed(steps ...func()) (stopped bool) {
	for _, step := range steps {
		if v.stopped {
			return true
		}
		step()
	}
	return v.stopped
}

func (v *bundleVerifier) add(name string, s Status, format string, args ...any) {
	v.rep.Checks = append(v.rep.Checks, Check{Name: name, Status: s, Detail: fmt.Sprintf(format, args...)})
}

// addID adds a check that repeats (per token, per custody event), by its
// identity.
func (v *bundleVerifier) addID(id CheckID, s Status, format string, args ...any) {
	v.rep.Checks = append(v.rep.Checks, id.Check(s, fmt.Sprintf(format, args...)))
}

func (v *bundleVerifier) pass(name, format string, args ...any) { v.add(name, Passed, format, args...) }

// fail records a failed check and stops: later checks would build on it.
func (v *bundleVerifier) fail(name, format string, args ...any) {
	v.add(name, Failed, format, args...)
	v.stopped = true
}

// failID is fail for a check that repeats, by its identity.
func (v *bundleVerifier) failID(id CheckID, format string, args ...any) {
	v.addID(id, Failed, format, args...)
	v.stopped = true
}

func (v *bundleVerifier) finish() *Report {
	if v.rep.parsed != nil {
		// What the report keeps the manifest for (rendering it again,
		// a consistency proof) reads the messages, not the file list,
		// which holds 150,000 paths and digests in a bundle of as many
		// messages: 10 MB.
		v.rep.parsed.DropFiles()
	}
	v.rep.Result = Verdict(v.rep.Checks)
	if v.repacked.how != "" {
		v.rep.Summary = repackedSummary(v.rep, v.repacked.how)
	}
	return v.rep
}

// checkContainer: OpenBundle checked the ZIP itself; here, which entries
// exist outside the listed content. A container that is not the sealed one
// is INDETERMINATE (CONTAINER_REPACKED): its own bytes are not sealed, so
// nothing in it is proven altered, but this is not the file that was.
// It returns the number of stored timestamp tokens.
func (v *bundleVerifier) checkContainer() (tokens int) {
	tokens, ok := v.checkMetaEntries()
	if !ok {
		return 0
	}
	if len(v.b.Ignored) > 0 {
		v.add("container", Info, "not part of the bundle, ignored: %s", strings.Join(v.b.Ignored, ", "))
	}
	if v.repacked.how != "" {
		v.rep.Checks = append(v.rep.Checks, Check{Name: "container", Status: Indeterminate, Sub: ContainerRepacked,
			Detail: v.repacked.why + "; its own bytes are not covered by the seal: the sealed files are verified below, one by one"})
		return tokens
	}
	v.pass("container", "ZIP container well-formed: mimetype first, %d entries, all stored, no duplicate, hidden or path-tricking entry", len(v.b.Names()))
	return tokens
}

// checkMetaEntries: META-INF holds the signature, the signer's key, the
// tokens numbered from 1 without a gap, and the custody log. It returns
// the number of tokens.
func (v *bundleVerifier) checkMetaEntries() (tokens int, ok bool) {
	var meta []string
	for name := range v.b.EachName() {
		switch {
		case name == manifest.SignatureName, name == manifest.SignerName:
		case name == manifest.SignerChainName: // checked by checkSignerCertificates
		case strings.HasPrefix(name, manifest.CustodyDir): // checked by checkCustodyLog
		case strings.HasPrefix(name, manifest.MetaDir):
			meta = append(meta, name)
		}
	}
	tokenNames := map[string]bool{}
	for i := range meta {
		tokenNames[manifest.TokenEntryName(i)] = true
	}
	for _, name := range meta {
		if !tokenNames[name] {
			v.fail("container", "unexpected entry %s (tokens must be manifest.tsr, manifest.2.tsr, … without a gap)", name)
			return 0, false
		}
	}
	for _, need := range []string{manifest.SignatureName, manifest.SignerName} {
		if !v.b.Has(need) {
			v.fail("container", "%s is missing", need)
			return 0, false
		}
	}
	return len(meta), true
}

// checkManifest reads the manifest, and checks the signature over its
// bytes (reported by checkSignature): it returns both.
func (v *bundleVerifier) checkManifest() (m *manifest.Manifest, seal sealResult) {
	head, err := v.manifestHead()
	var unknown *manifest.UnknownFormatError
	if errors.As(err, &unknown) {
		v.checkUnknownFormat(err)
		return nil, seal
	}
	if err == nil {
		// The signature is checked now, reported in its turn
		// (checkSignature), in the pass that takes the manifest's
		// SHA-256 (digestManifest): the bytes signed are the bytes the
		// tokens' digest is compared with, read once as they stream,
		// held only when they are few (heldManifestMax; up to 64 MB).
		seal = v.verifySeal(head.Format, head.Signer.Fingerprint, head.Signer.Algorithm, true)
	}
	if !seal.digest.taken {
		if seal.digest, err = v.digestManifest(); err != nil {
			v.fail("manifest", "%v", err)
			return nil, seal
		}
	}
	digest := seal.digest
	seal.digest.data = nil // the seal is kept; the bytes only for the parsing
	sum, size := digest.sum, digest.size
	m, err = v.parseManifest(digest)
	if errors.As(err, &unknown) {
		v.checkUnknownFormat(err)
		return nil, seal
	}
	if v.changed(verdict.CheckID{ID: "manifest"}, err) {
		return nil, seal
	}
	if err != nil {
		v.fail("manifest", "%v", err)
		return nil, seal
	}
	v.rep.parsed = m
	v.rep.Format, v.rep.ExportID, v.rep.ExportedAt = m.Format, m.ExportID, m.ExportedAt
	v.rep.Manifest = hex.EncodeToString(sum[:])
	v.rep.Messages, v.rep.Total = m.MessageCount(), m.Selection.Total
	v.rep.Selection = &Selection{Criteria: m.Selection.Criteria, Description: lang.English.DescribeSelection(m.Selection.Selected, m.Selection.Total, m.Selection.Criteria)}
	v.rep.Intake = NewIntake(m.Intake)
	v.pass("manifest", "%s in canonical JSON, %d bytes, SHA-256 %s", m.Format, size, v.rep.Manifest)
	seal.manifestSHA256 = v.rep.Manifest
	return m, seal
}

// manifestHead reads the manifest's format and signer (manifest.ReadHead)
// as it streams.
func (v *bundleVerifier) manifestHead() (*manifest.Head, error) {
	rc, err := v.b.OpenManifest()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return manifest.ReadHead(rc)
}

// parseManifest parses the manifest whose digest d is: from the bytes the
// digest was taken from when they were kept (a manifest of up to
// heldManifestMax bytes), its messages then held; else streamed, its
// messages read again, held to the digest, by each check that needs them
// (manifest.ParseStreamed). Either way the result, and any error, are
// manifest.Parse's for the bytes whose digest, and signature, were
// checked.
func (v *bundleVerifier) parseManifest(d manifestDigest) (*manifest.Manifest, error) {
	if d.data != nil {
		return manifest.Parse(d.data)
	}
	return manifest.ParseStreamed(func() (io.ReadCloser, error) { return v.b.Open(manifest.ManifestName) }, d.sum)
}

// heldManifestMax is the largest manifest parsed whole (parseManifest):
// about 5,000 messages. Streamed, a manifest is read and hashed again for
// each pass of its parsing and each check that walks its messages, ten
// times or so: in the web verifier, with crypto/sha256 compiled to
// WebAssembly, about half the page's own work on a bundle of 2,000
// messages (docs/performance.md). Held, a manifest of this size and its
// decoded messages take about as much memory as a streamed manifest of
// 100,000 messages.
const heldManifestMax = 4 << 20

// manifestDigest is manifest.json's SHA-256 and size, taken as it streams,
// and its bytes if it has at most heldManifestMax.
type manifestDigest struct {
	sum   [sha256.Size]byte
	size  int64
	taken bool
	data  []byte
}

// digestManifest reads manifest.json once, as it streams, into its
// SHA-256 and into also (the signature's hash, the log statement's),
// keeping its bytes if they are few enough (heldManifestMax).
func (v *bundleVerifier) digestManifest(also ...io.Writer) (manifestDigest, error) {
	rc, err := v.b.OpenManifest()
	if err != nil {
		return manifestDigest{}, err
	}
	defer rc.Close()
	size, ok := v.b.Size(manifest.ManifestName)
	if !ok {
		size = -1
	}
	h := v.opts.NewSHA256(size)
	if v.buf == nil {
		v.buf = make([]byte, 1<<20)
	}
	kept := &cappedBuffer{max: heldManifestMax}
	if v.opts.streamManifest {
		kept.max = -1
	}
	n, err := io.CopyBuffer(io.MultiWriter(append([]io.Writer{h, kept}, also...)...), rc, v.buf)
	if err != nil {
		return manifestDigest{}, fmt.Errorf("reading %s: %w", manifest.ManifestName, err)
	}
	d := manifestDigest{size: n, taken: true, data: kept.bytes()}
	h.Sum(d.sum[:0])
	return d, nil
}

// cappedBuffer keeps what is written to it while it is at most max
// bytes, and nothing once it is more.
type cappedBuffer struct {
	data []byte
	max  int64
	over bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if !c.over && int64(len(c.data)+len(p)) <= c.max {
		c.data = append(c.data, p...)
	} else {
		c.over, c.data = true, nil
	}
	return len(p), nil
}

// bytes is what was kept: nil if it was more than max (or nothing).
func (c *cappedBuffer) bytes() []byte { return c.data }

// checkUnknownFormat reports a manifest of a format this verifier does
// not read (a later version, perhaps): it cannot be checked, which is
// INDETERMINATE, unless its signature proves it altered. The signature is
// checked when the manifest names a signer in the form this verifier
// knows, so that editing the format member of a sealed manifest cannot
// turn FAILED into INDETERMINATE.
func (v *bundleVerifier) checkUnknownFormat(err error) {
	v.stopped = true
	var probe struct {
		Signer struct {
			Fingerprint string `json:"fingerprint"`
			Algorithm   string `json:"algorithm"`
		} `json:"signer"`
	}
	// A format this verifier does not know has no stream reader here:
	// its bytes are read whole (up to MaxManifestSize), once, for the
	// probe, and nothing else is held yet.
	if data, rerr := v.b.ReadManifest(); rerr == nil && json.Unmarshal(data, &probe) == nil && probe.Signer.Fingerprint != "" {
		if res := v.verifySeal("", probe.Signer.Fingerprint, probe.Signer.Algorithm, false); res.check.Status == Failed {
			v.rep.Checks = append(v.rep.Checks, Check{Name: "manifest", Status: Failed, Sub: SigCryptoFailure,
				Detail: fmt.Sprintf("%v, and its signature proves it altered: %s", err, res.check.Detail)})
			return
		} else if res.check.Status == Passed {
			err = fmt.Errorf("%w; its signature by key %s verifies", err, res.fingerprint)
		}
	}
	v.rep.Checks = append(v.rep.Checks, Check{Name: "manifest", Status: Indeterminate, Sub: FormatNotImplemented,
		Detail: err.Error() + ": this verifier cannot check the rest"})
}

// checkFiles hashes every listed entry once, and refuses entries that are
// not listed. Message entries are small: they are parsed on the way, and
// their facts returned; nil, without stopping, when one is larger than
// this verifier reads (INDETERMINATE, bundle-format.md §1.6).
func (v *bundleVerifier) checkFiles(m *manifest.Manifest) (entries *messageEntries) {
	for name := range v.b.EachName() {
		if name == manifest.MimetypeName || name == manifest.ManifestName || strings.HasPrefix(name, manifest.MetaDir) {
			continue
		}
		if _, listed := m.FileIndex(name); !listed {
			v.fail("files", "entry %s is not listed in the manifest (added after sealing)", name)
			return nil
		}
	}
	entries = newMessageEntries(m)
	var total int64
	var unread error // the first message entry over the limit, whose digest matched
	v.ahead = v.newDigestsAhead(m)
	defer func() { v.ahead = nil }()
	for i, f := range m.EachFile() {
		v.ahead.askUpTo(i)
		err := v.checkFile(i, f, entries)
		if subOf(err) == FormatNotImplemented {
			unread = cmp.Or(unread, err)
		} else if err != nil {
			v.failWith(verdict.CheckID{ID: "files"}, err)
			return nil
		}
		total += f.Size
		v.opts.progress("files", int64(i+1), int64(m.FileCount()))
	}
	if unread != nil {
		// Every file is hashed, so any altered one has failed; the checks
		// after this one need every entry's content, but the signature
		// (run, bundle-format.md §1.6).
		v.indeterminate("files", FormatNotImplemented, "%v: its SHA-256 matches the manifest, so nothing is shown altered, but this verifier cannot check the messages", unread)
		return nil
	}
	v.pass("files", "%d files, %d bytes: every SHA-256 and size matches the manifest", m.FileCount(), total)
	return entries
}

// checkFile checks f, the i-th listed file, against its entry; a message
// entry's facts go to entries.
func (v *bundleVerifier) checkFile(i int, f manifest.File, entries *messageEntries) error {
	size, ok := v.b.Size(f.Path)
	if !ok {
		return fmt.Errorf("%s is listed in the manifest but missing from the bundle", f.Path)
	}
	if size != f.Size {
		return fmt.Errorf("%s: size %d, the manifest says %d", f.Path, size, f.Size)
	}
	var digest string
	var unread error // a message entry this verifier will not read, once hashed
	isEntry := strings.HasPrefix(f.Path, manifest.MessagesDir)
	if isEntry {
		unread = v.tooLarge(f.Path, manifest.MaxMessageSize)
	}
	if isEntry && unread == nil {
		data, err := v.b.ReadSmall(f.Path, manifest.MaxMessageSize)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		digest = hex.EncodeToString(sum[:])
		if digest == f.SHA256 {
			e, err := manifest.ParseMessageEntry(data)
			if err != nil {
				return because(FormatFailure, "%s: %v", f.Path, err)
			}
			entries.add(i, e)
		}
	} else {
		var err error
		if digest, err = v.hashEntry(f.Path); err != nil {
			return err
		}
	}
	if digest != f.SHA256 {
		return fmt.Errorf("%s: SHA-256 %s, the manifest says %s (altered)", f.Path, digest, f.SHA256)
	}
	return unread // sealed and intact, but not read: a reader's limit
}

// hashEntry is entry name's SHA-256 (hex), taken as it streams; its bytes
// are also written into also (a signature checked over the same read).
func (v *bundleVerifier) hashEntry(name string, also ...io.Writer) (string, error) {
	if v.opts.DigestRange != nil && len(also) == 0 {
		digest := v.opts.DigestRange
		if ahead := v.ahead.digestFor(name); ahead != nil {
			digest = ahead
		}
		sum, done, err := v.b.DigestStored(name, digest)
		if err != nil {
			return "", fmt.Errorf("%s: %v", name, err) // as io.CopyBuffer's below
		}
		if done {
			return hex.EncodeToString(sum[:]), nil
		}
	}
	rc, err := v.b.Open(name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	size, _ := v.b.Size(name)
	h := v.opts.NewSHA256(size)
	if v.buf == nil {
		v.buf = make([]byte, 1<<20)
	}
	var w io.Writer = h
	if len(also) > 0 {
		w = io.MultiWriter(append([]io.Writer{h}, also...)...)
	}
	if _, err := io.CopyBuffer(w, rc, v.buf); err != nil {
		return "", fmt.Errorf("%s: %v", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkMessages ties each manifest message to its entry and attachments,
// and every content file to exactly one message or source (entries: the
// message entries' facts, checkFiles').
func (v *bundleVerifier) checkMessages(m *manifest.Manifest, entries *messageEntries) {
	used := newFileSet(m)
	attachments := 0
	err := m.EachMessage(func(i int, msg *manifest.Message) error {
		n, err := v.checkMessage(m, i, msg, entries.byPath(msg.Entry), used)
		if err != nil {
			return fmt.Errorf("message %q (#%d): %w", msg.ID, i+1, err)
		}
		attachments += n
		return nil
	})
	if err != nil {
		v.failWalk(verdict.CheckID{ID: "messages"}, err)
		return
	}
	if err := v.checkSenders(m, entries); err != nil {
		v.failWith(verdict.CheckID{ID: "messages"}, err)
		return
	}
	if err := v.checkSources(m); err != nil {
		v.failWith(verdict.CheckID{ID: "messages"}, err)
		return
	}
	if r := m.Rendering; r != nil {
		used.add(r.Path)
	}
	if in := m.Intake; in != nil && in.Consent != nil {
		used.add(in.Consent.Path) // named and matched to its files record by manifest.Check
	}
	for _, s := range m.Conversation.Sources {
		if _, ok := m.FileByPath(s.Path); !ok {
			v.fail("messages", "source %s is not a listed file under %s", s.Path, manifest.SourcesDir)
			return
		}
		used.add(s.Path)
	}
	for i, f := range m.EachFile() {
		if !used.in[i] {
			v.fail("messages", "file %s belongs to no message, source or consent record", f.Path)
			return
		}
	}
	v.rep.Attachments = attachments
	v.pass("messages", "%d of %d messages selected, %d attachments; every entry matches its message", m.MessageCount(), m.Selection.Total, attachments)
}

// checkMessage ties message i to e, the facts of its entry (nil when
// unreadable), and to its attachments.
func (v *bundleVerifier) checkMessage(m *manifest.Manifest, i int, msg *manifest.Message, e *entryFacts, used fileSet) (int, error) {
	if want := manifest.MessageEntryName(m.EntryIndexOf(i, msg)); msg.Entry != want {
		return 0, fmt.Errorf("entry %s, expected %s (reordered?)", msg.Entry, want)
	}
	f, ok := m.FileByPath(msg.Entry)
	if !ok || f.SHA256 != msg.SHA256 {
		return 0, fmt.Errorf("entry %s is not listed with the message's SHA-256", msg.Entry)
	}
	used.add(msg.Entry)
	switch {
	case e == nil:
		return 0, fmt.Errorf("entry %s unreadable", msg.Entry)
	case e.ID != msg.ID:
		return 0, fmt.Errorf("entry %s holds message %q", msg.Entry, e.ID)
	case e.from < 0:
		return 0, fmt.Errorf("sender %q is not a participant of the manifest", e.From(m))
	}
	if _, err := e.Time(); err != nil {
		return 0, because(FormatFailure, "time %q: %v", e.TimeText(), err)
	}
	var digests []string
	for j, a := range e.Attachments() {
		if a.Missing {
			if a.Path != "" || a.SHA256 != "" || a.Size != 0 {
				return 0, because(FormatFailure, "attachment %d is marked missing but has content (a path, digest or size other than 0)", j+1)
			}
			continue
		}
		if err := manifest.CheckAttachmentName(a.Path, m.EntryIndexOf(i, msg), j); err != nil {
			return 0, reasoned{FormatFailure, err}
		}
		af, ok := m.FileByPath(a.Path)
		switch {
		case !ok || !strings.HasPrefix(a.Path, manifest.AttachmentsDir):
			return 0, fmt.Errorf("attachment %s is not a listed file under %s", a.Path, manifest.AttachmentsDir)
		case af.SHA256 != a.SHA256 || af.Size != a.Size:
			return 0, fmt.Errorf("attachment %s: digest or size differs from the manifest's files", a.Path)
		case used.holds(a.Path):
			return 0, fmt.Errorf("attachment %s is claimed twice", a.Path)
		}
		used.add(a.Path)
		digests = append(digests, a.SHA256)
	}
	if !slices.Equal(digests, msg.Attachments) && !(len(digests) == 0 && len(msg.Attachments) == 0) {
		return 0, errors.New("the manifest's attachment digests differ from the message entry's")
	}
	return len(digests), nil
}

// checkSenders holds conversation.participants to the senders of the
// sealed messages: each participant sent at least one of them (a
// selective bundle lists no one who only sent withheld messages).
func (v *bundleVerifier) checkSenders(m *manifest.Manifest, entries *messageEntries) error {
	sent := entries.senders()
	for i, p := range m.Conversation.Participants {
		if !sent[i] {
			return because(FormatFailure, "participant %q sent none of the sealed messages: the manifest lists the senders and no one else", p.ID)
		}
	}
	return nil
}

// checkSources: sources travel only in a bundle that withholds nothing
// (a source file holds every message), named sources/01, 02, … in the
// order of conversation.sources.
func (v *bundleVerifier) checkSources(m *manifest.Manifest) error {
	sources := m.Conversation.Sources
	if len(sources) > 0 && m.Selection.Selected != m.Selection.Total {
		return because(FormatFailure, "the bundle carries sources/ but holds %d of %d messages: a source would disclose the others", m.Selection.Selected, m.Selection.Total)
	}
	for i, s := range sources {
		if err := manifest.CheckSourceName(s.Path, i); err != nil {
			return reasoned{FormatFailure, err}
		}
	}
	return nil
}

// checkEntryOrder runs last, so that a specific check names a missing,
// added or reordered message or event first (tokens: how many are stored;
// entries: the message entries' facts).
func (v *bundleVerifier) checkEntryOrder(m *manifest.Manifest, tokens int, entries *messageEntries) {
	if v.repacked.how != "" {
		return // the order is the container's, already not the sealed one
	}
	err := v.checkLayoutChoices(m, tokens, entries)
	if v.changed(verdict.CheckID{ID: "container.order"}, err) {
		return
	}
	if err != nil {
		// The order of entries is the container's, not sealed: every
		// content check above held, so this file is a bundle repacked in
		// another order, not a forgery (bundle-format.md §1.1).
		v.repacked = repacking{how: repackedZip, why: err.Error()}
		v.rep.Checks = append(v.rep.Checks, Check{Name: "container order", Status: Indeterminate, Sub: ContainerRepacked,
			Detail: fmt.Sprintf("%v: the container is not the sealed one (neither the order of entries nor their form is sealed)", err)})
		return
	}
	v.pass("container order", "the entries are in the canonical order and form")
}

// checkLayoutChoices checks the two choices of the canonical layout that
// depend on the manifest: the order of entries, and the data-descriptor
// form, which must be one that a writer of the bundle's format wrote
// (bundle-format.md §1, rule 4).
func (v *bundleVerifier) checkLayoutChoices(m *manifest.Manifest, tokens int, entries *messageEntries) error {
	if err := v.checkOrder(m, tokens, entries); err != nil {
		return err
	}
	return v.b.CheckDescriptorForm(m.Format)
}

// revocationEntries are event seq's revocation entries present, by
// number: NNNN.1.crl, NNNN.2.ocsp, …
func revocationEntries(b *manifest.Bundle, seq int) []string {
	var names []string
	for k := 1; k <= custodylog.MaxRevocations; k++ {
		found := false
		for _, kind := range []string{custodylog.RevocationCRL, custodylog.RevocationOCSP} {
			if name := custodylog.RevocationEntryName(seq, k, kind); b.Has(name) {
				names, found = append(names, name), true
			}
		}
		if !found {
			break
		}
	}
	return names
}

// checkOrder requires the canonical order of entries
// (docs/bundle-format.md §1): mimetype; the sources; the consent record; each message's
// attachments then its entry; record.pdf; manifest.json; the signature, the
// signer's key and the tokens; the transparency log entries; then each
// custody event's parts (tokens: how many are stored; entries: the
// message entries' facts, for their attachments). With the canonical
// layout, no byte of a bundle is left free.
func (v *bundleVerifier) checkOrder(m *manifest.Manifest, tokens int, entries *messageEntries) error {
	o := &orderCheck{names: v.b.Names()}
	o.want(manifest.MimetypeName)
	for _, s := range m.Conversation.Sources {
		o.want(s.Path)
	}
	if in := m.Intake; in != nil && in.Consent != nil {
		o.want(in.Consent.Path)
	}
	err := m.EachMessage(func(_ int, msg *manifest.Message) error {
		for _, a := range entries.byPath(msg.Entry).Attachments() {
			if !a.Missing {
				o.want(a.Path)
			}
		}
		o.want(msg.Entry)
		return nil
	})
	if err != nil {
		return err
	}
	if m.Rendering != nil {
		o.want(m.Rendering.Path)
	}
	o.want(manifest.ManifestName, manifest.SignatureName, manifest.SignerName)
	if v.b.Has(manifest.SignerChainName) {
		o.want(manifest.SignerChainName)
	}
	for i := range tokens {
		o.want(manifest.TokenEntryName(i))
	}
	for i := range m.TransparencyLogs {
		o.want(manifest.TransparencyEntryName(i))
	}
	for seq := 1; o.wanted < len(o.names); seq++ {
		before := o.wanted
		for _, part := range []string{custodylog.PartEvent, custodylog.PartSignature, custodylog.PartKey, custodylog.PartToken} {
			if name := custodylog.EntryName(seq, part); v.b.Has(name) {
				o.want(name)
			}
		}
		o.want(revocationEntries(v.b, seq)...)
		if o.wanted == before {
			break
		}
	}
	return o.result()
}

// orderCheck compares the bundle's entries with the canonical order as
// its names are given, one at a time, without a list of them (a bundle
// has up to manifest.MaxEntries).
type orderCheck struct {
	names  []string // the bundle's entries, in order
	wanted int      // names given so far
	first  error    // the first entry out of place
}

// want says that the next entries are these.
func (o *orderCheck) want(names ...string) {
	for _, name := range names {
		if i := o.wanted; o.first == nil && i < len(o.names) && o.names[i] != name {
			o.first = fmt.Errorf("entries are not in the canonical order: entry %d is %s, expected %s", i+1, o.names[i], name)
		}
		o.wanted++
	}
}

// result is the first entry out of place, else an entry too many or too
// few.
func (o *orderCheck) result() error {
	switch {
	case o.first != nil:
		return o.first
	case o.wanted < len(o.names):
		return fmt.Errorf("entries are not in the canonical order: entry %d is %s, expected nothing", o.wanted+1, o.names[o.wanted])
	case o.wanted != len(o.names):
		return fmt.Errorf("entries are not in the canonical order: %d entries, expected %d", len(o.names), o.wanted)
	}
	return nil
}

// checkChain recomputes the hash chain over the message entries.
func (v *bundleVerifier) checkChain(m *manifest.Manifest) {
	link := manifest.ChainStart
	err := m.EachMessage(func(i int, msg *manifest.Message) error {
		d, _ := manifest.ParseDigest(msg.SHA256)
		link = manifest.NextLink(link, d)
		if hex.EncodeToString(link[:]) != msg.Link {
			return fmt.Errorf("link %d (message %q) does not follow from the messages before it", i+1, msg.ID)
		}
		return nil
	})
	if err != nil {
		v.failWalk(verdict.CheckID{ID: "chain"}, err)
		return
	}
	head := hex.EncodeToString(link[:])
	if head != m.Chain.Head {
		v.fail("chain", "head %s, the manifest says %s", head, m.Chain.Head)
		return
	}
	v.rep.ChainHead = head
	v.pass("chain", "hash chain over %d messages intact, head %s", m.MessageCount(), head)
}

// checkRendering renders record.pdf again from the sealed messages and
// attachments and compares it with the sealed one (compareRendering:
// identical once decompressed): the PDF a doctor files shows
// exactly what was sealed, nothing more or less. rendering is the one
// startRendering began.
func (v *bundleVerifier) checkRendering(m *manifest.Manifest, rendering *backgroundRendering) {
	r := m.Rendering
	if r == nil {
		v.add("rendering", Info, "the bundle holds no PDF rendering")
		return
	}
	if !record.Renders(r.Renderer) {
		v.rep.Checks = append(v.rep.Checks, Check{Name: "rendering", Status: Indeterminate, Sub: RendererUnavailable, Detail: fmt.Sprintf(
			"%s was made by renderer %q, which this verifier does not have: its digest is checked, but whether it shows the sealed content cannot be", r.Path, r.Renderer)})
		return
	}
	v.opts.progress("rendering", 0, 0)
	res := rendering.wait()
	v.rep.Checks = append(v.rep.Checks, Check{Name: "rendering", Status: res.status, Sub: res.sub,
		Detail: fmt.Sprintf("%s (%s): %s", r.Path, r.Renderer, res.detail)})
	v.stopped = v.stopped || res.status == Failed
}

// startRendering renders record.pdf again in the background while the
// files are hashed: on two cores, verifying then costs about one pass
// over the bundle, not a pass plus a rendering. It reads the content on its
// own (message entries are small); whether that content is the sealed one
// is what the other checks establish, and checkRendering reports only
// after they passed. It returns nil when there is nothing to render.
func (v *bundleVerifier) startRendering(m *manifest.Manifest) *backgroundRendering {
	r := m.Rendering
	if r == nil || !record.Renders(r.Renderer) {
		return nil
	}
	job := &backgroundRendering{done: make(chan struct{})}
	go func() {
		defer close(job.done)
		if res, ok := v.compareElsewhere(); ok {
			job.result = res
			return
		}
		job.result = v.compareRecord(m, r.Path)
	}()
	return job
}

// backgroundRendering is a comparison of record.pdf with a fresh
// rendering, under way (startRendering).
type backgroundRendering struct {
	done   chan struct{} // closed when result is set
	result renderingComparison
}

// wait waits for the comparison to end and returns it; a nil rendering
// (none started) returns at once.
func (job *backgroundRendering) wait() renderingComparison {
	if job == nil {
		return renderingComparison{}
	}
	<-job.done
	return job.result
}

// compareRecord compares the sealed record.pdf with a fresh rendering.
func (v *bundleVerifier) compareRecord(m *manifest.Manifest, path string) renderingComparison {
	sealed, err := v.b.Section(path)
	if err != nil {
		// Its digest is the files check's business: not being able to
		// read it here (no temporary file for a compressed entry, in a
		// browser or on a full disk) proves nothing altered.
		return renderingComparison{status: Indeterminate, detail: "it cannot be compared: " + err.Error()}
	}
	f, _ := m.FileByPath(path)
	digest, _ := hex.DecodeString(f.SHA256)
	return compareRecord(v.b, m, sealed, digest, v.opts.NewSHA256)
}

// compareRecord compares sealed, a bundle's record.pdf of SHA-256 digest,
// with a fresh rendering of the bundle's content; m is the bundle's
// manifest, parsed (nil: parse it here); newSHA256 makes the SHA-256
// hashes (Options.NewSHA256).
func compareRecord(b *manifest.Bundle, m *manifest.Manifest, sealed *io.SectionReader, digest []byte, newSHA256 func(int64) hash.Hash) renderingComparison {
	c, err := content(b, m)
	if err != nil {
		return renderingComparison{status: Indeterminate, detail: "it cannot be compared: reading the sealed content to render it: " + err.Error()}
	}
	// The first rendering takes the content read above, a second one
	// (compareRendering's byte comparison, when its normaliser cannot read
	// its own rendering) reads it again: nothing holds every message
	// entry while the pages are laid out.
	render := func(w io.Writer, compressed bool, standIns pdf.ImageStandIns) error {
		if c.Manifest == nil {
			if c, err = content(b, m); err != nil {
				return err
			}
		}
		first := c
		c = record.Content{}
		return renderRecord(w, first, nil, compressed, standIns)
	}
	return compareRendering(sealed, true, digest, render, newSHA256)
}

// checkSignature verifies manifest.sig over the exact bytes of
// manifest.json with the key in signer.pem, which must be the key the
// manifest names. It reports seal, checked by checkManifest, and returns
// the fingerprint of the key that sealed the bundle.
func (v *bundleVerifier) checkSignature(m *manifest.Manifest, seal sealResult) (signer string) {
	if seal.fingerprint != "" {
		v.rep.Signer = Signer{Fingerprint: seal.fingerprint, Algorithm: m.Signer.Algorithm}
	}
	v.rep.Checks = append(v.rep.Checks, seal.check)
	v.stopped = seal.check.Status == Failed
	if seal.check.Status == Passed {
		v.rep.sealed.key = seal.key
	}
	return seal.fingerprint
}

// sealResult is what verifySeal established: the check, and the
// fingerprint of the key in signer.pem once it is known; once the
// signature is read, its bytes, which the timestamp tokens and the
// custody events are over; when it verifies in a v4 manifest, what the
// bundle's transparency log entries must state (transparency.go); once
// the manifest is read (checkManifest), its SHA-256 (hex), which renewals
// commit to.
type sealResult struct {
	check          Check
	key            crypto.PublicKey // signer.pem's key, once the signature verified with it
	fingerprint    string
	sig            []byte
	logStatement   *translog.Statement
	manifestSHA256 string
	digest         manifestDigest // manifest.json's, taken in the pass that checked the signature
}

// verifySeal checks manifest.sig over manifest.json with signer.pem, for
// the key fingerprint and algorithm the manifest names (manifestFormat:
// the manifest's format, when known). Each format defines its signers
// (sigalg's SinceFormat: Ed25519 and ECDSA P-256 from v1, RSA from v5):
// in a manifest of a known format another key type or algorithm is one no
// exporter of that format writes (FAILED); in a manifest of a format this
// verifier does not know, perhaps a later one's (INDETERMINATE). A key of
// a defined type that its algorithm's constraints refuse (an RSA key of
// 1024 bits) proves nothing either way (INDETERMINATE).
func (v *bundleVerifier) verifySeal(manifestFormat, wantFP, alg string, knownFormat bool) sealResult {
	var sig []byte // manifest.sig, once read
	check := func(s Status, sub SubIndication, format string, args ...any) Check {
		return Check{Name: "signature", Status: s, Sub: sub, Detail: fmt.Sprintf(format, args...)}
	}
	notImplemented := func(fp string, err error) sealResult {
		if knownFormat {
			return sealResult{fingerprint: fp, sig: sig, check: check(Failed, FormatFailure, "%v: %s does not define this signer", err, manifestFormat)}
		}
		return sealResult{fingerprint: fp, sig: sig, check: check(Indeterminate, CryptoConstraintsFailure, "this verifier cannot check the signature: %v", err)}
	}
	constrained := func(fp string, err error) sealResult {
		return sealResult{fingerprint: fp, sig: sig, check: check(Indeterminate, CryptoConstraintsFailure, "the signature cannot establish anything: %v", err)}
	}
	// The container check found both entries; one that cannot be read
	// within 1 MiB holds no key or signature of the format (§5: the
	// largest, RSA-4096's signature, is 512 bytes).
	pemBytes, err := v.b.ReadSmall(manifest.SignerName, manifest.MaxMetaEntrySize)
	if err != nil {
		return sealResult{check: check(Failed, FormatFailure, "%v", err)}
	}
	sig, err = v.b.ReadSmall(manifest.SignatureName, manifest.MaxMetaEntrySize)
	if err != nil {
		return sealResult{check: check(Failed, FormatFailure, "%v", err)}
	}
	pub, err := manifest.ParsePublicKey(pemBytes)
	var unsupported *manifest.UnsupportedKeyError
	switch {
	case errors.As(err, &unsupported) && unsupported.Fingerprint != wantFP:
		return sealResult{sig: sig, check: check(Failed, UnexpectedSigner, "%s holds key %s, but the manifest was sealed for key %s", manifest.SignerName, unsupported.Fingerprint, wantFP)}
	case errors.As(err, &unsupported) && definedIn(unsupported.Key, manifestFormat, knownFormat):
		return constrained(wantFP, fmt.Errorf("%s holds the sealing key %s: %w", manifest.SignerName, wantFP, err))
	case errors.As(err, &unsupported):
		return notImplemented(wantFP, fmt.Errorf("%s holds the sealing key %s: %w", manifest.SignerName, wantFP, err))
	case err != nil:
		return sealResult{sig: sig, check: check(Failed, FormatFailure, "%s: %v", manifest.SignerName, err)}
	}
	fp, _ := manifest.Fingerprint(pub)
	if fp != wantFP {
		return sealResult{fingerprint: fp, sig: sig, check: check(Failed, UnexpectedSigner, "%s holds key %s, but the manifest was sealed for key %s", manifest.SignerName, fp, wantFP)}
	}
	if !manifest.IsCanonicalPublicKeyPEM(pemBytes, pub) {
		// The fingerprint pins the key's DER, not the file: the writer
		// MUST write the one canonical PEM (bundle-format.md §5).
		return sealResult{fingerprint: fp, sig: sig, check: check(Failed, FormatFailure, "%s holds the sealing key but is not exactly one PUBLIC KEY PEM block in canonical form (64-column lines, LF, no headers, nothing else)", manifest.SignerName)}
	}
	if keyAlg, ok := sigalg.ForKey(pub); ok && !definedIn(pub, manifestFormat, knownFormat) {
		return notImplemented(fp, fmt.Errorf("%s holds a %s key, whose algorithm came with %s", manifest.SignerName, keyAlg.Title, manifest.FormatName(keyAlg.SinceFormat)))
	}
	// The log entries state the manifest's digest: taken in the same
	// pass. Only v4 and later list transparency logs (manifest.Parse
	// refuses them before).
	var statement *translog.Statement
	var statementHash hash.Hash
	if knownFormat && manifest.FormatVersion(manifestFormat) >= 4 {
		statement, statementHash, _ = translog.NewStatementHash(sig, pub)
	}
	var digest manifestDigest
	read := func(signed io.Writer) (err error) {
		also := []io.Writer{signed}
		if statementHash != nil {
			also = append(also, statementHash)
		}
		digest, err = v.digestManifest(also...)
		return err
	}
	if err := verifySignature(pub, alg, sig, read); errors.Is(err, errAlgorithmNotImplemented) {
		return notImplemented(fp, err)
	} else if errors.Is(err, sigalg.ErrConstraint) {
		return constrained(fp, err)
	} else if errors.Is(err, errManifestUnread) {
		return sealResult{fingerprint: fp, sig: sig, check: check(Failed, FormatFailure, "%v", err)}
	} else if err != nil {
		return sealResult{fingerprint: fp, sig: sig, digest: digest, check: check(Failed, SigCryptoFailure, "%v", err)}
	}
	res := sealResult{key: pub, fingerprint: fp, sig: sig, digest: digest, check: check(Passed, "", "%s signature over manifest.json is valid, key %s", alg, fp)}
	if statement != nil {
		statement.Digest = statementHash.Sum(nil)
		res.logStatement = statement
	}
	return res
}

// errManifestUnread: manifest.json could not be read through for its
// signature (an I/O error; the opening read it through once).
var errManifestUnread = errors.New("manifest.json could not be read")

// errAlgorithmNotImplemented: a signature algorithm this verifier does not
// implement, which leaves a signature unchecked rather than failed.
var errAlgorithmNotImplemented = errors.New("signature algorithm not implemented by this verifier")

// definedIn reports whether key, decoded but refused by the key reader
// (manifest.UnsupportedKeyError), is of a type whose algorithm the format
// defines (any format, when the manifest's is not known): then a
// constraint refuses it, not the format.
func definedIn(key crypto.PublicKey, format string, knownFormat bool) bool {
	alg, ok := sigalg.ForKey(key)
	return ok && (!knownFormat || manifest.FormatVersion(format) >= alg.SinceFormat)
}

// verifySignature: the key decides the algorithm, and the manifest's
// algorithm name must agree with it. A name this verifier does not know,
// for a key that none of its algorithms uses (a later version's, say), is
// errAlgorithmNotImplemented: the signature cannot be checked. For a key
// it does sign with, a name that does not fit is a contradiction in what
// was sealed.
// The message is what read writes into the writer it is given, as it
// streams (keys/sigstream).
func verifySignature(pub crypto.PublicKey, name string, sig []byte, read func(io.Writer) error) error {
	alg, known := sigalg.ByName(name)
	_, implemented := sigalg.ForKey(pub)
	switch {
	case !known && !implemented:
		return fmt.Errorf("%w: %q with a %T key (this verifier implements %s)", errAlgorithmNotImplemented, name, pub, sigalg.Names())
	case !known || !alg.Fits(pub):
		return fmt.Errorf("signature algorithm %q does not fit the signer's %T key", name, pub)
	}
	if err := alg.CheckKey(pub); err != nil {
		return err
	}
	signed := sigstream.NewVerifier(alg, pub, sig)
	if err := read(signed); err != nil {
		return fmt.Errorf("%w: %v", errManifestUnread, err)
	}
	if !signed.Verify() {
		return fmt.Errorf("%s signature does not verify (manifest.json or manifest.sig altered)", alg.Title)
	}
	return nil
}

// checkSignerIdentity holds signer, the fingerprint of the key that
// sealed the bundle, to the expected one (--signer).
func (v *bundleVerifier) checkSignerIdentity(signer string) {
	want := strings.ToLower(v.opts.SignerFingerprint)
	if v.opts.SignerKey != nil {
		want, _ = manifest.Fingerprint(v.opts.SignerKey)
	}
	if want == "" {
		v.add("signer", Info, "the signer's identity was NOT checked (no --signer): key %s sealed this bundle", signer)
		return
	}
	if want != signer {
		v.fail("signer", "sealed by key %s, not by the expected %s", signer, want)
		return
	}
	v.rep.Signer.Checked = true
	v.pass("signer", "sealed by the expected key %s", want)
}

// checkTimestamps verifies every token (of the tokens stored) over sig,
// manifest.sig's bytes; tokensSealed: the signer's own signature (custody
// event 1) commits to the exact bytes of every stored token, and they
// match (checkTokenSeal), so a token's check need not refuse an encoding
// to keep its bytes fixed. A token whose content is wrong fails the
// bundle; one that is intact but does not chain to --trust only counts if
// no other token does. It returns the trusted tokens, for the long-term
// checks.
func (v *bundleVerifier) checkTimestamps(m *manifest.Manifest, sig []byte, tokens int, tokensSealed bool) (sealProofs []proof) {
	if tokens == 0 {
		v.fail("timestamp", "no RFC 3161 timestamp token (%s missing)", manifest.TokenName)
		return nil
	}
	trusted := 0
	for i := range tokens {
		name := manifest.TokenEntryName(i)
		if err := v.tooLarge(name, MaxTokenSize); err != nil {
			v.rep.Checks = append(v.rep.Checks, withSub(verdict.UnreadableToken(i+1, Indeterminate, unparsedToken(err, tokensSealed)), FormatNotImplemented))
			continue
		}
		der, err := v.b.ReadSmall(name, MaxTokenSize)
		if err != nil {
			v.fail("timestamp", "%v", err)
			return sealProofs
		}
		// Under the token seal no byte of a stored token can change unseen
		// (checkTokenSeal): what honest TSAs may put in a token, duplicate
		// or extra certificates, is only reported. Without it, the old
		// bundles' tokens are held to exactly one verified chain.
		res, err := VerifyToken(der, bytes.NewReader(sig), TokenOptions{Roots: v.opts.Trust, Stored: true, Unsealed: !tokensSealed})
		if err != nil {
			// Unreadable: the token seal, when there is one, has already
			// proven it altered; without it nothing proves more than that
			// it cannot be read.
			status := Indeterminate
			if tokensSealed {
				status = Failed
			}
			v.rep.Checks = append(v.rep.Checks, verdict.UnreadableToken(i+1, status, fmt.Sprintf("%s cannot be read: %v", name, err)))
			continue
		}
		ts := res.Timestamp
		ts.File = name
		v.rep.Timestamps = append(v.rep.Timestamps, ts)
		if ts.Trusted {
			trusted++
			sealProofs = append(sealProofs, newProof("timestamp "+strconv.Itoa(i+1), ts, res.SignerCert, der))
		}
		for _, c := range res.Checks {
			c = c.Of(verdict.SubjectTimestamp, i+1)
			if c.Identity.ID == CheckTokenChain && c.Status == Indeterminate {
				c.Status = Info
			}
			v.rep.Checks = append(v.rep.Checks, c)
		}
		v.noteClock(m, i, ts)
	}
	if trusted > 0 {
		v.pass("timestamp trust", "%d of %d timestamps chain to a trust anchor", trusted, tokens)
		return sealProofs
	}
	detail := "no timestamp chains to a --trust anchor: the time and the TSA are not established"
	if len(v.opts.Trust) == 0 {
		detail = "no --trust anchors given: the timestamps are intact but their TSA is not trusted"
	}
	v.add("timestamp trust", Indeterminate, "%s", detail)
	return sealProofs
}

// checkMessageTimes: a trusted timestamp proves the sealed content existed
// at its genTime, so a message dated later claims a future. The dates come
// from phones whose clocks may be wrong, and a message's time is what the
// source said: not proof of forgery, but nothing the bundle can vouch for
// (INDETERMINATE), reported with the first such message. entries are the
// message entries' facts, sealProofs the trusted tokens.
func (v *bundleVerifier) checkMessageTimes(m *manifest.Manifest, entries *messageEntries, sealProofs []proof) {
	var proven time.Time
	for _, p := range sealProofs {
		proven = later(proven, p.ts.Time)
	}
	if proven.IsZero() || m == nil {
		return
	}
	late, first := 0, ""
	err := m.EachMessage(func(_ int, msg *manifest.Message) error {
		e := entries.byPath(msg.Entry)
		if e == nil {
			return nil
		}
		t, err := e.Time()
		if err == nil && t.After(proven.Add(clockSkew)) {
			if late++; late == 1 {
				first = fmt.Sprintf("message %q is dated %s", e.ID, e.TimeText())
			}
		}
		return nil
	})
	if v.changed(verdict.CheckID{ID: "message.times"}, err) {
		return
	}
	if late > 0 {
		v.rep.Checks = append(v.rep.Checks, Check{Name: "message times", Status: Indeterminate, Sub: TimestampOrderFailure,
			Detail: fmt.Sprintf("%d messages are dated after the latest proven time %s, when the sealed content already existed (%s): the source's clock was wrong, or the dates were made up",
				late, proven.UTC().Format(time.RFC3339), first)})
		return
	}
	v.pass("message times", "no message is dated after the latest proven time %s", proven.UTC().Format(time.RFC3339))
}

// noteClock reports an export time later than the token's time: the
// manifest cannot have existed before the time it states, so the
// exporter's clock was wrong. A fact for the expert, not a forgery.
func (v *bundleVerifier) noteClock(m *manifest.Manifest, i int, ts Timestamp) {
	exported, err := time.Parse(time.RFC3339, m.ExportedAt)
	if err == nil && exported.Sub(ts.Time) > 5*time.Minute {
		v.addID(verdict.TokenCheckID(i+1, "timestamp.clock"), Info,
			"the manifest's export time %s is later than the token's time %s: the exporter's clock was ahead",
			m.ExportedAt, ts.Time.UTC().Format(time.RFC3339))
	}
}

// failWalk fails check id with err, from a walk of the manifest's
// messages, unless err is manifest.json changed while it was read again
// (changed).
func (v *bundleVerifier) failWalk(id CheckID, err error) {
	if !v.changed(id, err) {
		v.failWith(id, err)
	}
}

// changed reports check id INDETERMINATE, and stops, when err is
// manifest.json read again with bytes other than those checked: the file
// changed while it was being verified. That proves nothing about the
// sealed bundle, whose bytes were checked (its signature) before; what
// was read after cannot be vouched for, so no verdict is drawn from it
// (TRY_LATER: verify the file again once nothing writes it).
func (v *bundleVerifier) changed(id CheckID, err error) bool {
	var changed *manifest.ChangedError
	if !errors.As(err, &changed) {
		return false
	}
	c := id.Check(Indeterminate, changed.Error()+": verify it again once nothing writes it")
	c.Sub = TryLater
	v.rep.Checks = append(v.rep.Checks, c)
	v.stopped = true
	return true
}
