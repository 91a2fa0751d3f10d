package verify

import (
	"fmt"
	"time"
)

// Status is the outcome of one check or of a whole verification, after
// ETSI EN 319 102-1.
type Status string

const (
	// Passed: the check holds.
	Passed Status = "PASSED"
	// Failed: something was altered, forged or is missing.
	Failed Status = "FAILED"
	// Indeterminate: intact, but trust could not be established.
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
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
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
}

// Signer identifies the key that sealed a bundle.
type Signer struct {
	Fingerprint string `json:"fingerprint"` // SHA-256 of the DER public key, hex
	Algorithm   string `json:"algorithm"`
	Checked     bool   `json:"identity_checked"` // --signer given and matched
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
