// Package localtsa is a small RFC 3161 Time-Stamp Authority, for tests and
// air-gapped demonstrations, not a qualified trust service: its root key is
// thrown away at creation and its policy is a documentation OID. Create
// one, load it and serve it over HTTP (custody tsa init and custody tsa
// serve do the same):
//
//	err := localtsa.Init("tsa") // tsa/root.pem, tsa/tsa.pem, tsa/tsa.key
//	a, err := localtsa.LoadAuthority("tsa")
//	srv := httptest.NewServer(localtsa.Handler(a)) // or localtsa.Serve(ctx, listener, a)
//
// Verifiers trust tsa/root.pem. It is used like any RFC 3161 server,
// through package tsa's Client. It is a package apart from the client so
// that what only asks for timestamps (the exporter, pdfseal) does not link
// the authority's signing, key files and HTTP server.
package localtsa

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

// maxRequestSize caps a query: a TimeStampReq is about 60 bytes.
const maxRequestSize = 64 << 10
