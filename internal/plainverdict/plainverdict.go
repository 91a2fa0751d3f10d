// Package plainverdict says a verification's outcome in plain words, for
// readers who are not experts: the web verifier's first line and the
// verification report's first section. The words follow the verdict rule
// (verify.Status): "altered" only when a check proved it; a check that
// could not be made is said to be one, with its reason, never called a
// forgery.
package plainverdict

import (
	"fmt"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/verify"
)

// Verdict is a report's outcome in plain words.
type Verdict struct {
	Result   verify.Status `json:"result"`
	ExitCode int           `json:"exit_code"`
	Headline string        `json:"headline"` // a few words: "Intact and sealed"
	Detail   string        `json:"detail"`   // one or two sentences: what that means here
}

// Of says what rep means.
func Of(rep *verify.Report) Verdict {
	v := Verdict{Result: rep.Result, ExitCode: rep.Result.ExitCode()}
	switch rep.Result {
	case verify.Passed:
		v.Headline = "Intact and sealed"
		v.Detail = "Nothing in this evidence was changed since it was sealed" + provenWhen(rep) + ". " + signerSentence(rep)
	case verify.Failed:
		v.Headline = "Altered or forged: do not rely on this file"
		v.Detail = firstSentence(rep, verify.Failed, "A check proved that something sealed was changed, added, removed or reordered, or that the signer is not the expected one")
	default:
		v.Headline = "Not proven altered, but not fully verified"
		v.Detail = firstSentence(rep, verify.Indeterminate, "A check could not be made") + indeterminateHint(rep)
	}
	return v
}

// NotCustody is the plain statement for an input that has no verdict: not
// a custody file, or unreadable (custody-verify exits 2).
func NotCustody(err error) Verdict {
	return Verdict{Result: "", ExitCode: 2, Headline: "No verdict: this file cannot be verified",
		Detail: err.Error()}
}

// provenWhen: " on … (time proven by …)" from the first trusted timestamp.
func provenWhen(rep *verify.Report) string {
	for _, ts := range rep.Timestamps {
		if ts.Trusted {
			return fmt.Sprintf(" on %s (time proven by %s)", ts.Time.UTC().Format(time.RFC1123), ts.TSA)
		}
	}
	return ""
}

func signerSentence(rep *verify.Report) string {
	if rep.Signer.Checked {
		return "It was sealed by the expected key."
	}
	return "Who sealed it was not compared with an expected signer: check that the key fingerprint below is the one the sender published."
}

// firstSentence: the report's own summary (a repacked container), else the
// first check of that status and why, else fallback.
func firstSentence(rep *verify.Report, s verify.Status, fallback string) string {
	if rep.Summary != "" {
		return upperFirst(rep.Summary) + "."
	}
	for _, c := range rep.Checks {
		if c.Status == s {
			return fmt.Sprintf("Check %q: %s.", c.Name, strings.TrimSuffix(c.Detail, "."))
		}
	}
	return fallback + "."
}

// indeterminateHint says what the reader can do about the most common
// reason: no trust anchor for the timestamps.
func indeterminateHint(rep *verify.Report) string {
	for _, c := range rep.Checks {
		if c.Status == verify.Indeterminate && c.SubIndication() == verify.NoCertificateChainFound {
			return " Add the certificate of the time-stamp authority (its root, in PEM) as a trust anchor to prove when it was sealed."
		}
	}
	return ""
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
