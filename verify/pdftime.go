package verify

import (
	"encoding/asn1"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
	"github.com/custody-toolkit/custody/internal/pdfread"
)

var oidSigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

// claimedTime is a signing time the signer states: the CMS signing-time
// attribute, or the signature dictionary's /M.
type claimedTime struct {
	where string
	at    time.Time
}

// cmsSigningTime reads the CMS signing-time signed attribute, when present.
func cmsSigningTime(si *cms.SignerInfo) ([]claimedTime, error) {
	v, found, err := si.Attribute(oidSigningTime)
	if err != nil || !found {
		return nil, err
	}
	var at time.Time
	if rest, err := asn1.Unmarshal(v.FullBytes, &at); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("the CMS signing-time attribute is not a time: %v", err)
	}
	return []claimedTime{{"the CMS signing-time attribute", at}}, nil
}

// pdfDatePattern is a PDF date (ISO 32000-1 §7.9.4): D:YYYY, then
// optionally MM DD HH mm SS, then Z or an offset HH'mm' (the minutes and
// apostrophes optional; "Z00'00'" as some writers put it).
var pdfDatePattern = regexp.MustCompile(`^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z)(?:00'?00'?)?|([+-])(\d{2})(?:'?(\d{2})'?)?)?$`)

// pdfDate reads a PDF date; ok is false for anything else: such a /M
// states no time this verifier can hold to the timestamp.
func pdfDate(s string) (time.Time, bool) {
	m := pdfDatePattern.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	n := func(i, def int) int {
		if m[i] == "" {
			return def
		}
		v, _ := strconv.Atoi(m[i])
		return v
	}
	zone := time.UTC // Z, or no zone at all (unknown: read as UTC)
	if m[8] != "" {
		secs := (n(9, 0)*60 + n(10, 0)) * 60
		if m[8] == "-" {
			secs = -secs
		}
		zone = time.FixedZone("", secs)
	}
	return time.Date(n(1, 0), time.Month(n(2, 1)), n(3, 1), n(4, 0), n(5, 0), n(6, 0), 0, zone), true
}

// dictSigningTime reads the signature dictionary's /M, when it states one.
func dictSigningTime(sig pdfread.Dict) []claimedTime {
	s, ok := sig["M"].(pdfread.String)
	if !ok {
		return nil
	}
	at, ok := pdfDate(string(s.Bytes))
	if !ok {
		return nil
	}
	return []claimedTime{{"the signature dictionary's /M", at}}
}

// checkSigningTime: the timestamp proves that the signature existed at its
// genTime, so the signing happened then or before. The signer's
// certificates must be valid then (an expired certificate gives no proof
// that it was used while valid: INDETERMINATE, OUT_OF_BOUNDS_NO_POE; one
// not valid yet was issued after the proven signature); and no signing
// time the signer claims may lie after it, beyond honest clock skew. An
// earlier claim contradicts nothing proven: the exporter claims its
// export time, which precedes the signature by the export's duration.
// Neither proves the sealed content altered, so neither is FAILED.
func checkSigningTime(res *PDFSignature) []Check {
	ts := res.Timestamp
	if ts == nil || !ts.Trusted {
		return nil // nothing proven: the timestamp's own checks say why
	}
	proven := ts.Time
	when := proven.UTC().Format(time.RFC3339)
	for i, c := range res.chain {
		if c.NotAfter.Before(proven) {
			return []Check{{Name: CheckPDFSigningTime, Status: Indeterminate, Sub: OutOfBoundsNoPOE, Detail: fmt.Sprintf(
				"certificate %d ('%s') expired on %s, before the time the signature timestamp proves (%s): nothing proves it was used while valid",
				i+1, c.Subject, c.NotAfter.UTC().Format(time.RFC3339), when)}}
		}
		if c.NotBefore.After(proven.Add(clockSkew)) {
			return []Check{{Name: CheckPDFSigningTime, Status: Indeterminate, Sub: TimestampOrderFailure, Detail: fmt.Sprintf(
				"certificate %d ('%s') is valid only from %s, after the time the signature timestamp proves (%s): the signature existed before it",
				i+1, c.Subject, c.NotBefore.UTC().Format(time.RFC3339), when)}}
		}
	}
	for _, c := range res.claimed {
		if c.at.After(proven.Add(clockSkew)) {
			return []Check{{Name: CheckPDFSigningTime, Status: Indeterminate, Sub: TimestampOrderFailure, Detail: fmt.Sprintf(
				"%s claims the signature was made at %s, after the time its timestamp proves it existed (%s)",
				c.where, c.at.UTC().Format(time.RFC3339), when)}}
		}
	}
	return []Check{{Name: CheckPDFSigningTime, Status: Passed, Detail: fmt.Sprintf(
		"the signer's certificates are valid at %s, the time the signature timestamp proves, and no claimed signing time lies after it", when)}}
}
