// Package verify checks custody evidence offline: a bundle (.custody), the
// standalone PDF that carries one, a folder a bundle was extracted into,
// or any RFC 3161 timestamp token. It is the whole of custody-verify but
// its command line, and what an integrator embeds to verify evidence.
//
// # Use
//
//	anchors, err := verify.ReadCertificateFiles([]string{"tsa-root.pem"}) // --trust
//	rep, err := verify.File("case.custody", verify.Options{Trust: anchors, SignerFingerprint: fp})
//	if errors.Is(err, verify.ErrNotCustody) { … }  // not a custody file at all: no verdict
//	switch rep.Result { case verify.Passed: …; case verify.Failed: …; case verify.Indeterminate: … }
//	for _, c := range rep.Checks { fmt.Println(c.Status, c.Name, c.SubIndication(), c.Detail) }
//
// File recognises what it is given; Bundle, PDF and Dir take a bundle, a
// standalone PDF and an extracted folder, VerifyToken a single token over
// its data, Consistent two exports of one conversation.
//
// # Verdicts
//
// Every finding is a Check in the Report, in the order the checks ran;
// the Report's Result combines them (Verdict) after ETSI EN 319 102-1:
//
//   - Failed: a check proves that something sealed was altered, forged,
//     added, removed or reordered, or that the signer is not the expected
//     one;
//   - Indeterminate: nothing was proven altered, but a check could not be
//     made (an algorithm or a format version this verifier does not
//     implement, a certificate it cannot parse, a renderer it does not
//     have, a container that is not the sealed one) or trust could not be
//     established (no timestamp chains to Options.Trust);
//   - Passed: every check holds and a timestamp chains to a trust anchor;
//   - Info checks are facts, never counted.
//
// A check that is Failed or Indeterminate says why with a sub-indication
// (SubIndication: HASH_FAILURE, NO_CERTIFICATE_CHAIN_FOUND, …). An error
// instead of a report means the input could not be read, or is not a
// custody file (ErrNotCustody): custody-verify exits 2 then.
//
// The checks, their names and identifiers, and the JSON form of a Report
// (versioned by ReportVersion) are documented in docs/verify-json.md, with
// a JSON Schema beside it; the rules they apply are the format's,
// docs/bundle-format.md and docs/custody-log.md.
//
// # What it trusts
//
// Nothing in the file: every digest, signature, token and certificate is
// checked against the bytes it covers, offline and at the time a token
// proves. Only Options says whom to trust: the TSAs' anchors, the expected
// signer, the custody log's known actors. Revocation is not checked.
//
// Whatever a third party wrote into a bundle (a TSA's token and the
// certificates it carries) is read tolerantly where the signer's own
// signature seals its bytes (the token seal of custody event 1), and held
// to one encoding where nothing does (bundles sealed before 2026-12-03).
package verify
