// Package tsa is a small RFC 3161 Time-Stamp Authority and the client that
// custody uses to timestamp a bundle's signature.
//
// The authority is for tests and air-gapped demonstrations, not a qualified
// trust service: its root key is thrown away at creation and its policy is a
// documentation OID. Create one, load it and serve it over HTTP (custody tsa
// init and custody tsa serve do the same):
//
//	err := tsa.Init("tsa") // tsa/root.pem, tsa/tsa.pem, tsa/tsa.key
//	a, err := tsa.LoadAuthority("tsa")
//	srv := httptest.NewServer(tsa.Handler(a)) // or tsa.Serve(ctx, listener, a)
//
// Verifiers trust tsa/root.pem. Any RFC 3161 server, this one or a public one,
// is used through a Client, which checks each answer before it is kept:
//
//	c := &tsa.Client{URL: srv.URL}
//	tsr, err := c.Timestamp(ctx, sig) // TimeStampResp DER, imprint SHA-256(sig)
//
// or, to keep the nonce for a later check of the token:
//
//	r, err := tsa.NewRequest(sig)
//	st, err := c.Do(ctx, r) // r.Nonce is in the token; st.Response, st.Token
//
// The client checks status, nonce, imprint and the CMS signature against the
// embedded certificate; trust in that certificate (chain, key usage, validity
// at genTime) is for package verify.
package tsa

import "encoding/asn1"

// Policy is the TSA policy OID that this authority writes into every token
// and accepts in requests.
//
// It lies under the IANA enterprise number 32473, reserved for documentation
// (RFC 5612): a token carrying it announces itself as not coming from a real
// trust service. (A 2.25.<UUID> OID cannot be used: its 128-bit arc does not
// fit encoding/asn1's ObjectIdentifier, which the timestamp library uses.)
const Policy = "1.3.6.1.4.1.32473.3161.1"

var policyOID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 3161, 1}

// Media types of RFC 3161 §3.4.
const (
	QueryType = "application/timestamp-query"
	ReplyType = "application/timestamp-reply"
)

// Size caps: a TimeStampReq is about 60 bytes, a TimeStampResp with one
// certificate a few KiB.
const (
	maxRequestSize  = 64 << 10
	maxResponseSize = 1 << 20
)
