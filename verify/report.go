package verify

import (
	"encoding/json"

	"github.com/custody-toolkit/custody/internal/verdict"
)

// ReportVersion is the version of the JSON report (docs/verify-json.md),
// carried in every report as "report_version". Version 2 added the
// members id, subject, index and sub_indication of each check.
const ReportVersion = "2"

// The report's vocabulary is defined once, in internal/verdict, where the
// token check (internal/tokencheck) that the exporter runs too can report
// in it without importing the verifier; these names are its public face.

// Status is the outcome of one check or of a whole verification, after
// ETSI EN 319 102-1 (PASSED, FAILED, INDETERMINATE, INFO): see the
// package doc for the verdict rule.
type Status = verdict.Status

// The statuses.
const (
	Passed        = verdict.Passed
	Failed        = verdict.Failed
	Indeterminate = verdict.Indeterminate
	Info          = verdict.Info
)

// Check is one named check of a report: Name ("timestamp 2
// token.imprint"), Status, Detail and Sub, the reason of a FAILED or
// INDETERMINATE status when the check knows a more precise one than its
// kind's usual (Check.SubIndication). Its identity (Check.ID) is the kind
// of check, its subject and index; the JSON form has them as separate
// members.
type Check = verdict.Check

// CheckID is a check's identity: the kind of check (ID), what it is about
// when a report has several of that kind (Subject) and which one, counted
// from 1 (Index). CheckID.Name composes the name reports show.
type CheckID = verdict.CheckID

// ParseCheckName takes a check name apart (CheckID), for a reader that
// holds only the name (a text report); a Check has its identity (Check.ID).
// The identifiers are listed in docs/verify-json.md.
func ParseCheckName(name string) CheckID { return verdict.ParseCheckName(name) }

// Names of the checks of a token, in report order.
const (
	CheckTokenFormat      = verdict.CheckTokenFormat
	CheckTokenImprint     = verdict.CheckTokenImprint
	CheckTokenSignature   = verdict.CheckTokenSignature
	CheckTokenSigningCert = verdict.CheckTokenSigningCert
	CheckTokenCerts       = verdict.CheckTokenCerts
	CheckTokenEKU         = verdict.CheckTokenEKU
	CheckTokenChain       = verdict.CheckTokenChain
	CheckTokenNonce       = verdict.CheckTokenNonce
)

// Names of the checks of a standalone PDF (custody export --pdf).
const (
	CheckPDFEmbeddedBundle = verdict.CheckPDFEmbeddedBundle
	CheckPDFByteRange      = verdict.CheckPDFByteRange
	CheckPDFSignature      = verdict.CheckPDFSignature
	CheckPDFTimestamp      = verdict.CheckPDFTimestamp
	CheckPDFSigner         = verdict.CheckPDFSigner
	CheckPDFRendering      = verdict.CheckPDFRendering
	CheckPDFSigningTime    = verdict.CheckPDFSigningTime
	CheckPDFDocTimestamp   = verdict.CheckPDFDocTimestamp
)

// SubIndication says why a check is FAILED or INDETERMINATE, after ETSI
// EN 319 102-1 §5.1.3, or with a name of ours where none of ETSI's fits.
type SubIndication = verdict.SubIndication

// Sub-indications of ETSI EN 319 102-1 that custody-verify reports.
const (
	FormatFailure                  = verdict.FormatFailure
	HashFailure                    = verdict.HashFailure
	SigCryptoFailure               = verdict.SigCryptoFailure
	SigConstraintsFailure          = verdict.SigConstraintsFailure
	ChainConstraintsFailure        = verdict.ChainConstraintsFailure
	CertificateChainGeneralFailure = verdict.CertificateChainGeneralFailure
	CryptoConstraintsFailure       = verdict.CryptoConstraintsFailure
	NoSigningCertificateFound      = verdict.NoSigningCertificateFound
	NoCertificateChainFound        = verdict.NoCertificateChainFound
	OutOfBoundsNoPOE               = verdict.OutOfBoundsNoPOE
	TimestampOrderFailure          = verdict.TimestampOrderFailure
	TryLater                       = verdict.TryLater
	Revoked                        = verdict.Revoked
	RevokedNoPOE                   = verdict.RevokedNoPOE
	SignedDataNotFound             = verdict.SignedDataNotFound
)

// Sub-indications of ours, where ETSI has none that fits (their meaning:
// internal/verdict).
const (
	UnexpectedSigner     = verdict.UnexpectedSigner
	RenderingMismatch    = verdict.RenderingMismatch
	RendererUnavailable  = verdict.RendererUnavailable
	ContainerRepacked    = verdict.ContainerRepacked
	Inconsistent         = verdict.Inconsistent
	FormatNotImplemented = verdict.FormatNotImplemented
)

// Timestamp describes one verified RFC 3161 token.
type Timestamp = verdict.Timestamp

// FirstFailed is the first FAILED check, and an error that names it and
// says why; nil when none failed.
func FirstFailed(checks []Check) error { return verdict.FirstFailed(checks) }

// Verdict combines check statuses: any Failed fails; otherwise any
// Indeterminate makes the whole Indeterminate; Info never counts.
func Verdict(checks []Check) Status { return verdict.Verdict(checks) }

// Signer identifies the key that sealed a bundle.
type Signer struct {
	Fingerprint string `json:"fingerprint"` // SHA-256 of the DER public key, hex
	Algorithm   string `json:"algorithm"`
	Checked     bool   `json:"identity_checked"` // --signer given and matched
	// Identity is whom the signer's certificate names, when the bundle
	// carries one (signerchain.go).
	Identity *Identity `json:"identity,omitempty"`
}

// MarshalJSON writes the report with its version first
// (docs/verify-json.md).
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report // without this method
	return json.Marshal(struct {
		Version string `json:"report_version"`
		*plain
	}{ReportVersion, (*plain)(r)})
}
