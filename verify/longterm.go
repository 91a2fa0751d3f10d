package verify

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/internal/cms"
)

// Long-term validation (docs/long-term.md): a token proves its time only
// while its TSA's certificate is trustworthy (not expired, not revoked),
// or while a later archive timestamp that still is covers it. The checks
// here run as of a validation time, Options.At or now, after the custody
// log has given the renewals and the revocation data it carries.

// Check names of the long-term checks.
const (
	CheckEvidence         = "evidence"          // the proven existence interval at the validation time
	CheckSignerRevocation = "signer.revocation" // the signer's certificate against the carried revocation data
	CheckRevocation       = "revocation"        // a carried CRL or OCSP response this verifier cannot read
)

// proof is a trusted token: a manifest token or a renewal's archive
// timestamp, with the TSA certificate whose end bounds it.
type proof struct {
	name    string
	ts      Timestamp
	cert    *x509.Certificate
	carried []*x509.Certificate // the token's certificates: issuers of cert
}

// newProof is a trusted token read from der.
func newProof(name string, ts Timestamp, cert *x509.Certificate, der []byte) proof {
	p := proof{name: name, ts: ts, cert: cert}
	for _, raw := range cms.ResponseCertificates(der) {
		if c, err := x509.ParseCertificate(raw); err == nil {
			p.carried = append(p.carried, c)
		}
	}
	return p
}

// revocationData is a CRL or OCSP response the custody log carries,
// covered by its event's signature (checkRevocationEntries).
type revocationData struct {
	entry, kind string
	der         []byte
	unread      error // why der was not read: larger than this verifier reads
}

// revocationStatus is what the carried data says of one certificate.
type revocationStatus struct {
	revoked   bool
	revokedAt time.Time
	source    string   // the entry that says it was revoked
	good      []window // what data saying "good" covers
}

// window is when one CRL or OCSP response saying "good" is current: from
// its thisUpdate to its nextUpdate (zero: unknown, only thisUpdate).
type window struct {
	entry                  string
	thisUpdate, nextUpdate time.Time
}

// covering is the data saying "good" that covers time t: issued at or
// after it (a revocation is not undone), or current at t (thisUpdate ≤ t
// ≤ nextUpdate, RFC 5280 §5.1.2.4–5, RFC 6960 §4.2.2.1).
func (st revocationStatus) covering(t time.Time) (window, bool) {
	for _, w := range st.good {
		if !w.thisUpdate.Before(t) || !w.nextUpdate.IsZero() && !w.thisUpdate.After(t) && !t.After(w.nextUpdate) {
			return w, true
		}
	}
	return window{}, false
}

// evidence is what the long-term checks read, as the steps before them
// proved it: the trusted manifest tokens (checkTimestamps), the trusted
// renewals and the revocation data the custody log carries
// (checkCustodyLog), and the signer's certificate chain when the bundle
// has one (checkSignerCertificates).
type evidence struct {
	sealProofs, renewals []proof
	revocations          []revocationData
	signerChain          []*x509.Certificate
}

// longTermCheck runs the long-term checks of a bundle on its evidence.
type longTermCheck struct {
	*bundleVerifier
	evidence
}

// checkLongTerm runs the long-term checks as of the validation time:
// Options.At when asked (--at), else the time of the bundle's newest
// trusted proof. The default depends on the bundle alone, so a bundle
// gets the same verdict whenever it is verified (a certificate's
// expiry in the years since does not turn PASSED into INDETERMINATE);
// a chain of renewals is still held to its rule, each renewal made
// before the proof it covers ended. Whether the proof has lapsed since,
// as of today, is reported as a fact with the PASSED evidence check,
// and --at today gives ETSI EN 319 102-1's verdict for today.
func (v *longTermCheck) checkLongTerm() {
	at, asked := v.opts.At.UTC(), !v.opts.At.IsZero()
	if !asked {
		at = newestProof(v.sealProofs, v.renewals)
	}
	v.noteUnreadableRevocations()
	seal, renewals := madeBy(v.sealProofs, at), madeBy(v.renewals, at)
	switch {
	case len(seal) > 0:
		v.checkEvidence(seal, renewals, at, asked)
	case len(v.sealProofs) > 0:
		v.indeterminate(CheckEvidence, TryLater, "as of %s no trusted timestamp existed yet: the first is dated %s", at.Format(time.RFC3339), v.sealProofs[0].ts.Time.UTC().Format(time.RFC3339))
	}
	v.checkSignerRevocation(seal, renewals, at)
}

// newestProof is the time of the newest trusted proof, the default
// validation time.
func newestProof(lists ...[]proof) time.Time {
	var newest time.Time
	for _, l := range lists {
		for _, p := range l {
			if p.cert != nil && p.ts.Time.After(newest) {
				newest = p.ts.Time
			}
		}
	}
	return newest.UTC()
}

// madeBy keeps the proofs that existed at the validation time.
func madeBy(proofs []proof, at time.Time) []proof {
	return slices.DeleteFunc(slices.Clone(proofs), func(p proof) bool { return p.ts.Time.After(at) || p.cert == nil })
}

// end is when a proof's TSA certificate stops being trustworthy: its
// notAfter, or its revocation when the carried data says it came first.
func (v *longTermCheck) end(p proof) (time.Time, string) {
	end, why := p.cert.NotAfter, "expired"
	if st := v.revocationOf(p.cert); st.revoked && st.revokedAt.Before(end) {
		end, why = st.revokedAt, "revoked ("+st.source+")"
	}
	return end.UTC(), why
}

// holding returns which renewals hold at the validation time, newest
// first decided: a renewal holds when its certificate is still good then,
// or when a later renewal that holds was made before it ended.
func (v *longTermCheck) holding(renewals []proof, at time.Time) []bool {
	holds := make([]bool, len(renewals))
	for k := len(renewals) - 1; k >= 0; k-- {
		holds[k] = v.holdsAt(renewals[k], renewals[k+1:], holds[k+1:], at)
	}
	return holds
}

// holdsAt: p's certificate is good at the validation time, or a later
// proof that holds was made before p's certificate ended.
func (v *longTermCheck) holdsAt(p proof, later []proof, laterHolds []bool, at time.Time) bool {
	end, _ := v.end(p)
	if end.After(at) {
		return true
	}
	for j, q := range later {
		if laterHolds[j] && q.ts.Time.Before(end) && !q.ts.Time.Before(p.ts.Time) {
			return true
		}
	}
	return false
}

// checkEvidence reports the proven existence interval at the validation
// time, or why the seal's time is no longer proven.
func (v *longTermCheck) checkEvidence(seal, renewals []proof, at time.Time, asked bool) {
	earliest, holds := v.proven(seal, renewals, at)
	when := at.Format(time.RFC3339)
	if !asked {
		when = "the newest proof (" + when + ")"
	}
	if earliest != nil {
		detail := fmt.Sprintf("as of %s: existed before %s%s", when, day(earliest.ts.Time), renewedPhrase(renewals, holds))
		if !asked {
			detail += v.lapsedSince(seal, renewals, time.Now().UTC())
		}
		v.pass(CheckEvidence, "%s", detail)
		return
	}
	first := seal[0]
	end, why := v.end(first)
	detail := fmt.Sprintf("as of %s the seal's time is no longer proven: the certificate of %s (%s, %s) %s on %s, and no renewal made before then holds",
		when, first.name, day(first.ts.Time), first.ts.TSA, why, end.Format(time.RFC3339))
	if k := slices.Index(holds, true); k >= 0 {
		detail += fmt.Sprintf("; %s still proves the content existed before %s", renewals[k].name, day(renewals[k].ts.Time))
	}
	v.indeterminate(CheckEvidence, OutOfBoundsNoPOE, "%s", detail)
}

// proven is the earliest seal proof that holds at the validation time,
// and which renewals hold then.
func (v *longTermCheck) proven(seal, renewals []proof, at time.Time) (*proof, []bool) {
	holds := v.holding(renewals, at)
	var earliest *proof
	for i := range seal {
		if v.holdsAt(seal[i], renewals, holds, at) && (earliest == nil || seal[i].ts.Time.Before(earliest.ts.Time)) {
			earliest = &seal[i]
		}
	}
	return earliest, holds
}

// lapsedSince says, when it is so, that as of now no proof holds any
// more: every certificate the chain of proofs rests on has ended and no
// renewal came before. A fact for the reader (renew, or ask --at), not
// a verdict: the verdict must not change with the day it is computed.
func (v *longTermCheck) lapsedSince(seal, renewals []proof, now time.Time) string {
	if p, _ := v.proven(seal, renewals, now); p != nil {
		return ""
	}
	last := seal[len(seal)-1]
	for _, r := range renewals {
		if r.ts.Time.After(last.ts.Time) {
			last = r
		}
	}
	end, why := v.end(last)
	return fmt.Sprintf("; as of today (%s) the newest proof's TSA certificate (%s) ended on %s (%s): renew the bundle (custody renew) to keep its time proven; custody-verify --at %s gives ETSI EN 319 102-1's verdict for today",
		day(now), last.name, day(end), why, now.Format(time.RFC3339))
}

func renewedPhrase(renewals []proof, holds []bool) string {
	var days []string
	for k, r := range renewals {
		if holds[k] {
			days = append(days, day(r.ts.Time))
		}
	}
	switch len(days) {
	case 0:
		return ""
	case 1:
		return ", renewed " + days[0]
	}
	return ", renewed " + strings.Join(days[:len(days)-1], ", ") + " and " + days[len(days)-1]
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// checkSignerRevocation checks the signer's certificate against the
// carried revocation data at the proven signing time: revoked before it
// is FAILED (the key was no longer the holder's to use), after it INFO.
func (v *longTermCheck) checkSignerRevocation(seal, renewals []proof, at time.Time) {
	if len(v.signerChain) == 0 {
		return
	}
	cert := v.signerChain[0]
	st := v.revocationOf(cert)
	signed, ok := provenSigningTime(v.sealProofs)
	name := fmt.Sprintf("the signer's certificate (serial %s)", cert.SerialNumber.Text(16))
	switch {
	case st.revoked && ok && !st.revokedAt.After(signed):
		v.failSub(CheckSignerRevocation, Revoked, "%s was revoked on %s (%s), before the proven signing time %s",
			name, st.revokedAt.UTC().Format(time.RFC3339), st.source, signed.Format(time.RFC3339))
	case st.revoked && ok:
		v.add(CheckSignerRevocation, Info, "%s was revoked on %s (%s), after the proven signing time %s: the seal was made while it was valid",
			name, st.revokedAt.UTC().Format(time.RFC3339), st.source, signed.Format(time.RFC3339))
	case st.revoked:
		v.indeterminate(CheckSignerRevocation, RevokedNoPOE, "%s was revoked on %s (%s), and no trusted timestamp proves the seal came before", name, st.revokedAt.UTC().Format(time.RFC3339), st.source)
	case len(st.good) == 0:
		v.add(CheckSignerRevocation, Info, "revocation of %s not checked: the bundle carries no revocation data for it", name)
	case !ok:
		v.indeterminate(CheckSignerRevocation, TryLater, "no trusted timestamp proves the signing time, so the revocation data for %s cannot be placed", name)
	default:
		w, covered := st.covering(signed)
		if !covered {
			w = st.good[len(st.good)-1]
			v.indeterminate(CheckSignerRevocation, TryLater, "the revocation data for %s (%s, this update %s, next update %s) does not cover the proven signing time %s: it does not say the certificate was good then",
				name, w.entry, w.thisUpdate.UTC().Format(time.RFC3339), orNone(w.nextUpdate), signed.Format(time.RFC3339))
			return
		}
		v.pass(CheckSignerRevocation, "%s was not revoked at the proven signing time %s (%s, this update %s, next update %s)",
			name, signed.Format(time.RFC3339), w.entry, w.thisUpdate.UTC().Format(time.RFC3339), orNone(w.nextUpdate))
	}
}

func orNone(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

// revocationOf reads what the carried data says of cert: data counts only
// when its signature verifies with the key of cert's issuer (a trust
// anchor, a certificate of the signer's chain, or a TSA's).
func (v *longTermCheck) revocationOf(cert *x509.Certificate) revocationStatus {
	var st revocationStatus
	for _, issuer := range v.issuerCandidates(cert) {
		for _, r := range v.revocations {
			revoked, at, w, ok := readRevocation(r, cert, issuer)
			switch {
			case !ok:
			case revoked && (!st.revoked || at.Before(st.revokedAt)):
				st.revoked, st.revokedAt, st.source = true, at, r.entry
			case !revoked:
				st.good = append(st.good, w)
			}
		}
	}
	return st
}

// readRevocation: whether r, signed by issuer, says cert is revoked (and
// since when) or good (and when that is current); ok false when r is not
// about cert or not signed by issuer.
func readRevocation(r revocationData, cert, issuer *x509.Certificate) (revoked bool, at time.Time, w window, ok bool) {
	w.entry = r.entry
	if r.kind == custodylog.RevocationOCSP {
		resp, err := ocsp.ParseResponseForCert(r.der, cert, issuer)
		if err != nil || resp.Status == ocsp.Unknown {
			return false, at, w, false
		}
		w.thisUpdate, w.nextUpdate = resp.ThisUpdate, resp.NextUpdate
		return resp.Status == ocsp.Revoked, resp.RevokedAt, w, true
	}
	crl, err := x509.ParseRevocationList(r.der)
	if err != nil || crl.CheckSignatureFrom(issuer) != nil || string(crl.RawIssuer) != string(cert.RawIssuer) {
		return false, at, w, false
	}
	w.thisUpdate, w.nextUpdate = crl.ThisUpdate, crl.NextUpdate
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			return true, e.RevocationTime, w, true
		}
	}
	return false, at, w, true
}

// issuerCandidates are the certificates that may have issued cert.
func (v *longTermCheck) issuerCandidates(cert *x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	pool := slices.Concat(v.opts.Trust, v.opts.TrustSigners, v.signerChain)
	for _, p := range slices.Concat(v.sealProofs, v.renewals) {
		pool = append(append(pool, p.cert), p.carried...)
	}
	for _, c := range pool {
		if c != nil && string(c.RawSubject) == string(cert.RawIssuer) && cert.CheckSignatureFrom(c) == nil {
			out = append(out, c)
		}
	}
	return out
}

// noteUnreadableRevocations: carried data this verifier cannot read is
// INDETERMINATE, never ignored: its bytes are signed by an actor, so it
// is no forgery, but what it would say is not known.
func (v *longTermCheck) noteUnreadableRevocations() {
	for _, r := range v.revocations {
		if r.unread != nil {
			v.indeterminate(CheckRevocation, FormatNotImplemented, "%v: what it says is not known", r.unread)
			continue
		}
		var err error
		if r.kind == custodylog.RevocationOCSP {
			_, err = ocsp.ParseResponse(r.der, nil)
		} else {
			_, err = x509.ParseRevocationList(r.der)
		}
		if err != nil {
			v.indeterminate(CheckRevocation, FormatNotImplemented, "%s cannot be read as a %s: %v", r.entry, strings.ToUpper(r.kind), err)
		}
	}
}
