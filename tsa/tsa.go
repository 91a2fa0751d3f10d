// Package tsa is the RFC 3161 client that custody uses to timestamp a
// bundle's signature. It checks each answer before it is kept:
//
//	c := &tsa.Client{URL: "https://tsa.example"}
//	tsr, err := c.Timestamp(ctx, sig) // TimeStampResp DER, imprint SHA-256(sig)
//
// or, to keep the nonce for a later check of the token:
//
//	r, err := tsa.NewRequest(sig)
//	st, err := c.Do(ctx, r) // r.Nonce is in the token; st.Response, st.Token
//
// The client checks status, nonce, imprint and the CMS signature against the
// embedded certificate; trust in that certificate (chain, key usage, validity
// at genTime) is for package verify. A local authority to ask, for tests and
// air-gapped demonstrations, is package tsa/localtsa.
package tsa

import "github.com/custody-toolkit/custody/tsa/internal/rfc3161"

// Media types of RFC 3161 §3.4.
const (
	QueryType = rfc3161.QueryType
	ReplyType = rfc3161.ReplyType
)

// maxResponseSize caps an answer: a TimeStampResp with one certificate is
// a few KiB.
const maxResponseSize = 1 << 20
