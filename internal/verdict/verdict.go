// Package verdict is the vocabulary of a verification: a check's status
// (PASSED, FAILED, INDETERMINATE, INFO, after ETSI EN 319 102-1), its
// identifier and sub-indication, and how statuses combine into a verdict.
//
// It is a leaf so that every check can report in it wherever the check
// lives: package verify re-exports it as its public report API, and the
// token check (internal/tokencheck), which the exporter also runs on the
// tokens it gets, reports in it without importing the verifier.
package verdict

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Status is the outcome of one check or of a whole verification, after
// ETSI EN 319 102-1.
//
// The verdict rule (docs/bundle-format.md, "Verdicts"): a check is FAILED
// only when it proves that something sealed was altered, forged, added,
// removed or reordered, or that the signer is not the expected one. A
// check that cannot be made (an algorithm not implemented, a certificate
// that cannot be parsed, a crypto constraint, a missing trust anchor, an
// unknown renderer) is INDETERMINATE, with the reason.
type Status string

const (
	// Passed: the check holds.
	Passed Status = "PASSED"
	// Failed: proven altered, forged, added, removed, reordered, or not
	// the expected signer.
	Failed Status = "FAILED"
	// Indeterminate: the check could not be made, or trust could not be
	// established; nothing was proven altered.
	Indeterminate Status = "INDETERMINATE"
	// Info: a fact worth reporting that is not a check (e.g. "the signer's
	// identity was not checked").
	Info Status = "INFO"
)

// ExitCode maps a verdict to the process exit code of custody-verify.
func (s Status) ExitCode() int {
	switch s {
	case Passed:
		return 0
	case Indeterminate:
		return 3
	default:
		return 1
	}
}

// Check is one named check of a report.
//
// Name is what the reports show ("timestamp 2 token.imprint"); its JSON
// form adds the check's identity (CheckID: id, subject and index as
// separate members) and its sub-indication (SubIndication).
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	// Sub is the reason of a FAILED or INDETERMINATE status when the check
	// knows a more precise one than its kind's usual (SubIndication).
	Sub SubIndication `json:"-"`
	// Identity is the identity of a check that repeats (per token, per
	// custody event, the PDF's signature timestamp), set with Name by
	// CheckID.Check, Check.Of or UnreadableToken; zero for a check a report
	// has once, whose identity follows from its Name (ID).
	Identity CheckID `json:"-"`
}

// ID is the check's identity: Identity, or for a check a report has once
// its name with dots for spaces ("timestamp trust": "timestamp.trust").
func (c Check) ID() CheckID {
	if c.Identity != (CheckID{}) {
		return c.Identity
	}
	return plainID(c.Name)
}

// MarshalJSON writes a check with its identifier, subject and index as
// separate members and its sub-indication (docs/verify-json.md).
func (c Check) MarshalJSON() ([]byte, error) {
	id := c.ID()
	return json.Marshal(struct {
		Name    string        `json:"name"`
		ID      string        `json:"id"`
		Subject string        `json:"subject,omitempty"`
		Index   int           `json:"index,omitempty"`
		Status  Status        `json:"status"`
		Sub     SubIndication `json:"sub_indication,omitempty"`
		Detail  string        `json:"detail"`
	}{c.Name, id.ID, id.Subject, id.Index, c.Status, c.SubIndication(), c.Detail})
}

// UnmarshalJSON reads a check as MarshalJSON writes it, its identity from
// the id, subject and index members.
func (c *Check) UnmarshalJSON(data []byte) error {
	var v struct {
		Name    string        `json:"name"`
		ID      string        `json:"id"`
		Subject string        `json:"subject"`
		Index   int           `json:"index"`
		Status  Status        `json:"status"`
		Sub     SubIndication `json:"sub_indication"`
		Detail  string        `json:"detail"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*c = Check{Name: v.Name, Status: v.Status, Detail: v.Detail, Sub: v.Sub}
	if v.Subject != "" {
		c.Identity = CheckID{ID: v.ID, Subject: v.Subject, Index: v.Index}
	}
	return nil
}

// CheckID is a check's identity: the kind of check (ID), what it is about
// when a report has several of that kind (Subject: SubjectTimestamp,
// SubjectCustody, SubjectPDFTimestamp) and which one, counted from 1
// (Index; none for the PDF's one signature timestamp).
type CheckID struct {
	ID      string
	Subject string
	Index   int
}

// Subjects of the checks that repeat.
const (
	SubjectTimestamp    = "timestamp"     // a token of the bundle, by number
	SubjectCustody      = "custody"       // a custody event, by sequence number
	SubjectPDFTimestamp = "pdf.timestamp" // the PDF signature's timestamp
	// SubjectPDFDocTimestamp: a document timestamp of a renewed
	// standalone PDF (PAdES B-LTA), by number in /AcroForm /Fields.
	SubjectPDFDocTimestamp = CheckPDFDocTimestamp
	SubjectTransparency    = "transparency" // a transparency log entry of the bundle, by number
)

// TokenCheckID is check id of the bundle's n-th token: a token check
// (CheckTokenImprint…) or "timestamp.clock".
func TokenCheckID(n int, id string) CheckID {
	return CheckID{ID: id, Subject: SubjectTimestamp, Index: n}
}

// CustodyCheckID is check id of custody event seq: "custody.event" (the
// event itself), "custody.timestamp", "custody.time", "custody.actor".
func CustodyCheckID(seq int, id string) CheckID {
	return CheckID{ID: id, Subject: SubjectCustody, Index: seq}
}

// Name composes the name reports show for the check: "timestamp 2
// token.imprint", "timestamp 2 clock", "custody 3", "custody 3 time",
// "pdf.timestamp token.chain"; for a check a report has once, its ID with
// spaces for dots, except the names that keep their dots (pdf.*, the
// token checks) and plainNames. ParseCheckName is its inverse.
// TransparencyCheckID is the check of the n-th transparency log entry
// (docs/bundle-format.md §6.1).
func TransparencyCheckID(n int) CheckID {
	return CheckID{ID: SubjectTransparency, Subject: SubjectTransparency, Index: n}
}

func (id CheckID) Name() string {
	n := strconv.Itoa(id.Index)
	switch id.Subject {
	case SubjectTimestamp:
		if strings.HasPrefix(id.ID, "token.") {
			return "timestamp " + n + " " + id.ID
		}
		return "timestamp " + n + " " + strings.TrimPrefix(id.ID, "timestamp.")
	case SubjectCustody:
		if id.ID == "custody.event" {
			return "custody " + n
		}
		return "custody " + n + " " + strings.TrimPrefix(id.ID, "custody.")
	case SubjectPDFTimestamp:
		return SubjectPDFTimestamp + " " + id.ID
	case SubjectPDFDocTimestamp:
		if id.ID == CheckPDFDocTimestamp {
			return SubjectPDFDocTimestamp + " " + n
		}
		return SubjectPDFDocTimestamp + " " + n + " " + id.ID
	case SubjectTransparency:
		return "transparency " + n
	}
	if name, ok := plainNames[id.ID]; ok {
		return name
	}
	if strings.HasPrefix(id.ID, "pdf.") || strings.HasPrefix(id.ID, "token.") {
		return id.ID
	}
	return strings.ReplaceAll(id.ID, ".", " ")
}

// plainNames are the names of checks a report has once that are not their
// identifier with spaces for dots, nor an identifier that keeps its dots.
var plainNames = map[string]string{
	"consistency.older": "older bundle",
	"token.seal":        "token seal", // the signer's seal over the tokens, not a token check
}

// Check is the check id with its name composed (Name), status s and
// detail.
func (id CheckID) Check(s Status, detail string) Check {
	c := Check{Name: id.Name(), Status: s, Detail: detail}
	if id.Subject != "" {
		c.Identity = id
	}
	return c
}

// Of is c, a check that the token check reports once (token.imprint…),
// as the check of one token among several: subject and index added to
// its identity and name.
func (c Check) Of(subject string, index int) Check {
	id := CheckID{ID: c.ID().ID, Subject: subject, Index: index}
	c.Name, c.Identity = id.Name(), id
	return c
}

// UnreadableToken is the check of the bundle's n-th token when it cannot
// be read at all: the token's format check (CheckTokenFormat), though the
// reports name it "timestamp N", not "timestamp N token.format": the name
// says that no check of that token could be made.
func UnreadableToken(n int, s Status, detail string) Check {
	id := TokenCheckID(n, CheckTokenFormat)
	return Check{Name: "timestamp " + strconv.Itoa(n), Status: s, Detail: detail, Identity: id}
}

// plainID is the identity of a check a report has once, from its name.
func plainID(name string) CheckID {
	if name == plainNames["consistency.older"] {
		return CheckID{ID: "consistency.older"}
	}
	return CheckID{ID: strings.ReplaceAll(name, " ", ".")}
}

// Names of the checks of a token, in report order.
const (
	CheckTokenFormat      = "token.format"
	CheckTokenImprint     = "token.imprint"
	CheckTokenSignature   = "token.signature"
	CheckTokenSigningCert = "token.signing-certificate"
	CheckTokenCerts       = "token.certificates"
	CheckTokenEKU         = "token.eku"
	CheckTokenChain       = "token.chain"
	CheckTokenNonce       = "token.nonce"
)

// Names of the checks of a standalone PDF (custody export --pdf).
const (
	CheckPDFEmbeddedBundle = "pdf.embedded-bundle"
	CheckPDFByteRange      = "pdf.byte-range"
	CheckPDFSignature      = "pdf.signature"
	CheckPDFTimestamp      = "pdf.timestamp"
	CheckPDFSigner         = "pdf.signer"

	// CheckPDFRendering: the standalone PDF shows exactly the embedded
	// bundle.
	CheckPDFRendering = "pdf.rendering"

	// CheckPDFSigningTime: the PDF signer's certificates are valid at the
	// time the signature timestamp proves, and no claimed signing time
	// lies after it.
	CheckPDFSigningTime = "pdf.signing-time"

	// CheckPDFDocTimestamp: a document timestamp a renewal appended to
	// the standalone PDF (its field, byte range and /Contents); its token's
	// checks follow under the same subject and number.
	CheckPDFDocTimestamp = "pdf.document-timestamp"
)

// indexedName matches the names of checks that repeat per token or per
// custody event: "timestamp 2 token.imprint", "custody 3", "custody 3 time".
var indexedName = regexp.MustCompile(`^(timestamp|custody|transparency|pdf\.document-timestamp) ([1-9][0-9]*)(?: (.+))?$`)

// ParseCheckName takes a check name apart, for a reader that holds only
// the name (a text report): the inverse of CheckID.Name. A report's checks
// carry their identity (Check.ID); this is for reading. One name is not
// CheckID.Name's: "timestamp N", an unreadable token (UnreadableToken),
// takes the identity of its format check, like "timestamp N token.format".
// The identifiers are listed in docs/verify-json.md.
func ParseCheckName(name string) CheckID {
	if m := indexedName.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[2])
		switch {
		case m[1] == SubjectTimestamp && (m[3] == "" || strings.HasPrefix(m[3], "token.")):
			return TokenCheckID(n, cmp.Or(m[3], CheckTokenFormat))
		case m[1] == SubjectTransparency:
			return TransparencyCheckID(n)
		case m[1] == SubjectPDFDocTimestamp:
			return CheckID{ID: cmp.Or(m[3], CheckPDFDocTimestamp), Subject: SubjectPDFDocTimestamp, Index: n}
		case m[3] == "":
			return CustodyCheckID(n, "custody.event")
		default:
			return CheckID{ID: m[1] + "." + m[3], Subject: m[1], Index: n}
		}
	}
	if sub, token, ok := strings.Cut(name, " "); ok && sub == SubjectPDFTimestamp {
		return CheckID{ID: token, Subject: sub}
	}
	return plainID(name)
}

// SubIndication says why a check is FAILED or INDETERMINATE, after ETSI
// EN 319 102-1 §5.1.3, or with a name of ours where none of ETSI's fits.
type SubIndication string

// Sub-indications of ETSI EN 319 102-1 that custody-verify reports.
const (
	FormatFailure                  SubIndication = "FORMAT_FAILURE"                    // not in the format the specification requires
	HashFailure                    SubIndication = "HASH_FAILURE"                      // a digest does not match the data it covers
	SigCryptoFailure               SubIndication = "SIG_CRYPTO_FAILURE"                // a signature does not verify with its key
	SigConstraintsFailure          SubIndication = "SIG_CONSTRAINTS_FAILURE"           // a signed attribute breaks a constraint
	ChainConstraintsFailure        SubIndication = "CHAIN_CONSTRAINTS_FAILURE"         // a certificate breaks a path constraint (EKU, key usage)
	CertificateChainGeneralFailure SubIndication = "CERTIFICATE_CHAIN_GENERAL_FAILURE" // the certificates cannot be built into a path
	CryptoConstraintsFailure       SubIndication = "CRYPTO_CONSTRAINTS_FAILURE"        // an algorithm or key size not accepted (SHA-1, short RSA)
	NoSigningCertificateFound      SubIndication = "NO_SIGNING_CERTIFICATE_FOUND"      // the signer's certificate is not available
	NoCertificateChainFound        SubIndication = "NO_CERTIFICATE_CHAIN_FOUND"        // no path to a trust anchor
	OutOfBoundsNoPOE               SubIndication = "OUT_OF_BOUNDS_NO_POE"              // a certificate not valid at the proven time
	TimestampOrderFailure          SubIndication = "TIMESTAMP_ORDER_FAILURE"           // claimed and proven times contradict each other
	TryLater                       SubIndication = "TRY_LATER"                         // the data needed may become available later
	SignedDataNotFound             SubIndication = "SIGNED_DATA_NOT_FOUND"             // what was signed is not there
	Revoked                        SubIndication = "REVOKED"                           // the certificate was revoked before the proven time
	RevokedNoPOE                   SubIndication = "REVOKED_NO_POE"                    // revoked, and no proof the signature came before
)

// Sub-indications of ours, where ETSI has none that fits.
const (
	// UnexpectedSigner: sealed by another key than the one expected
	// (--signer). ETSI's SIG_CONSTRAINTS_FAILURE is an INDETERMINATE
	// sub-indication; a wrong signer is FAILED here.
	UnexpectedSigner SubIndication = "UNEXPECTED_SIGNER"
	// RenderingMismatch: a PDF does not show the sealed content.
	RenderingMismatch SubIndication = "RENDERING_MISMATCH"
	// RendererUnavailable: this verifier cannot re-render a PDF (a renderer
	// it does not have), so what it shows is not compared.
	RendererUnavailable SubIndication = "RENDERER_UNAVAILABLE"
	// ContainerRepacked: the content is intact but the file is not the
	// container that was sealed (re-zipped, re-saved, extracted).
	ContainerRepacked SubIndication = "CONTAINER_REPACKED"
	// Inconsistent: a newer bundle does not extend an older one.
	Inconsistent SubIndication = "INCONSISTENT"
	// FormatNotImplemented: a format version this verifier does not read.
	FormatNotImplemented SubIndication = "FORMAT_NOT_IMPLEMENTED"
)

// SubIndication is the reason of a FAILED or INDETERMINATE check: the one
// the check set (Sub), else the usual reason for its kind
// (usualSubIndications). PASSED checks have none, nor INFO ones but
// those that set Sub (something reported and not used, and why).
func (c Check) SubIndication() SubIndication {
	if c.Status == Info {
		// An INFO check has one only when it reports something not used
		// for the reason given (a document timestamp that cannot be
		// validated: bundle-format.md §7.2 item 7).
		return c.Sub
	}
	if c.Status != Failed && c.Status != Indeterminate {
		return ""
	}
	if c.Sub != "" {
		return c.Sub
	}
	id := c.ID().ID
	if subs, ok := usualSubIndications[id]; ok {
		if c.Status == Failed {
			return subs.failed
		}
		return subs.indeterminate
	}
	if c.Status == Failed {
		return FormatFailure
	}
	return ""
}

// usualSubIndications: for each kind of check, the reason it usually has
// when FAILED and when INDETERMINATE. One table, so that every report
// names its reasons the same way; a check with a more precise reason sets
// Check.Sub.
var usualSubIndications = map[string]struct{ failed, indeterminate SubIndication }{
	"container":            {FormatFailure, ContainerRepacked},
	"container.order":      {FormatFailure, ContainerRepacked},
	"manifest":             {FormatFailure, FormatFailure},
	"files":                {HashFailure, SignedDataNotFound},
	"messages":             {HashFailure, FormatFailure},
	"chain":                {HashFailure, FormatFailure},
	"disclosure":           {HashFailure, FormatFailure},
	"signature":            {SigCryptoFailure, CryptoConstraintsFailure},
	"signer":               {UnexpectedSigner, NoSigningCertificateFound},
	"signer.certificates":  {UnexpectedSigner, NoCertificateChainFound},
	"rendering":            {RenderingMismatch, RendererUnavailable},
	"timestamp":            {SignedDataNotFound, TryLater},
	"timestamp.trust":      {NoCertificateChainFound, NoCertificateChainFound},
	"timestamp.clock":      {TimestampOrderFailure, TimestampOrderFailure},
	"message.times":        {TimestampOrderFailure, TimestampOrderFailure},
	"token.seal":           {HashFailure, FormatFailure},
	CheckTokenFormat:       {FormatFailure, FormatFailure},
	CheckTokenImprint:      {HashFailure, CryptoConstraintsFailure},
	CheckTokenSignature:    {SigCryptoFailure, CryptoConstraintsFailure},
	CheckTokenSigningCert:  {SigConstraintsFailure, NoSigningCertificateFound},
	CheckTokenCerts:        {CertificateChainGeneralFailure, CertificateChainGeneralFailure},
	CheckTokenEKU:          {ChainConstraintsFailure, ChainConstraintsFailure},
	CheckTokenChain:        {NoCertificateChainFound, NoCertificateChainFound},
	CheckTokenNonce:        {FormatFailure, FormatFailure},
	"custody.log":          {HashFailure, FormatFailure},
	SubjectTransparency:    {HashFailure, NoCertificateChainFound},
	"custody.event":        {SigCryptoFailure, CryptoConstraintsFailure},
	"custody.time":         {TimestampOrderFailure, TimestampOrderFailure},
	"custody.timestamp":    {HashFailure, NoCertificateChainFound},
	CheckPDFEmbeddedBundle: {FormatFailure, FormatFailure},
	CheckPDFByteRange:      {HashFailure, FormatFailure},
	CheckPDFSignature:      {SigCryptoFailure, CryptoConstraintsFailure},
	CheckPDFSigner:         {UnexpectedSigner, NoSigningCertificateFound},
	CheckPDFRendering:      {RenderingMismatch, RendererUnavailable},
	CheckPDFSigningTime:    {TimestampOrderFailure, OutOfBoundsNoPOE}, // never FAILED: it sets Sub
	CheckPDFDocTimestamp:   {FormatFailure, FormatFailure},
	"pdf.container":        {FormatFailure, ContainerRepacked},
	"consistency":          {Inconsistent, FormatFailure},
	"evidence":             {FormatFailure, OutOfBoundsNoPOE}, // never FAILED
	"signer.revocation":    {Revoked, TryLater},
	"revocation":           {FormatFailure, FormatNotImplemented}, // never FAILED
	"consistency.older":    {FormatFailure, NoCertificateChainFound},
}

// Timestamp describes one verified RFC 3161 token.
type Timestamp struct {
	File    string    `json:"file,omitempty"` // entry in the bundle
	Time    time.Time `json:"time"`           // genTime, UTC
	TSA     string    `json:"tsa"`            // signer certificate subject, or TSA name
	Policy  string    `json:"policy,omitempty"`
	Hash    string    `json:"hash,omitempty"` // imprint algorithm: SHA-256, …
	Serial  string    `json:"serial,omitempty"`
	Trusted bool      `json:"trusted"`
	// TSACertSHA256 is the SHA-256 of the TSA's signing certificate
	// (DER), hex: what a reader compares with the TSA's published one.
	TSACertSHA256 string `json:"tsa_certificate_sha256,omitempty"`
}

// FirstFailed is the first FAILED check, and an error that names it and
// says why; nil when none failed. Callers that refuse what does not hold
// (an exporter checking a TSA's answer, say) report it as is.
func FirstFailed(checks []Check) error {
	for _, c := range checks {
		if c.Status == Failed {
			return fmt.Errorf("%s: %s", c.Name, c.Detail)
		}
	}
	return nil
}

// Verdict combines check statuses: any Failed fails; otherwise any
// Indeterminate makes the whole Indeterminate; Info never counts.
func Verdict(checks []Check) Status {
	v := Passed
	for _, c := range checks {
		switch c.Status {
		case Failed:
			return Failed
		case Indeterminate:
			v = Indeterminate
		}
	}
	return v
}
