// Package rfc3161 holds the RFC 3161 structures that the TSA client (tsa)
// and the local authority (tsa/localtsa) both read and write, with the
// words for a refusal; the token itself is internal/tokencheck's.
package rfc3161

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/digitorus/timestamp"

	"github.com/custody-toolkit/custody/internal/cms"
)

// The RFC 3161 structures that the client and the authority read
// themselves. The timestamp
// library parses requests too, but it hides the version and folds an
// unsupported hash into a generic parse error, so a rejection could not say
// badAlg; it has no way to write a statusString either.

// TimeStampReq is TimeStampReq (RFC 3161 §2.4.1).
type TimeStampReq struct {
	Version        int
	MessageImprint MessageImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional,default:false"`
	Extensions     []pkix.Extension      `asn1:"tag:0,optional"`
}

// MessageImprint is MessageImprint (RFC 3161 §2.4.1).
type MessageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

// TimeStampResp is TimeStampResp (RFC 3161 §2.4.2).
type TimeStampResp struct {
	Status         PKIStatusInfo
	TimeStampToken asn1.RawValue `asn1:"optional"`
}

// PKIStatusInfo is PKIStatusInfo (RFC 3161 §2.4.2).
type PKIStatusInfo struct {
	Status       int
	StatusString []asn1.RawValue `asn1:"optional"` // PKIFreeText: UTF8Strings; encoding/asn1 cannot marshal []string as such
	FailInfo     asn1.BitString  `asn1:"optional"`
}

// ImprintHashes are the hash algorithms accepted in a request's imprint.
// SHA-1 and MD5 are refused: collisions make a token over them worthless.
var ImprintHashes = map[string]crypto.Hash{
	cms.OIDSHA256.String(): crypto.SHA256,
	cms.OIDSHA384.String(): crypto.SHA384,
	cms.OIDSHA512.String(): crypto.SHA512,
}

// FailInfoBit encodes a PKIFailureInfo with one bit set, in DER (no
// trailing zero bits).
func FailInfoBit(f timestamp.FailureInfo) asn1.BitString {
	n := int(f)
	b := make([]byte, n/8+1)
	b[n/8] = 0x80 >> (n % 8)
	return asn1.BitString{Bytes: b, BitLength: n + 1}
}

// Failures are the PKIFailureInfo bits of RFC 3161 §2.4.2, by name.
var Failures = []timestamp.FailureInfo{
	timestamp.BadAlgorithm, timestamp.BadRequest, timestamp.BadDataFormat,
	timestamp.TimeNotAvailable, timestamp.UnacceptedPolicy,
	timestamp.UnacceptedExtension, timestamp.AddInfoNotAvailable,
	timestamp.SystemFailure,
}

// failureNames are the RFC's names of the Failures bits.
var failureNames = map[timestamp.FailureInfo]string{
	timestamp.BadAlgorithm: "badAlg", timestamp.BadRequest: "badRequest",
	timestamp.BadDataFormat: "badDataFormat", timestamp.TimeNotAvailable: "timeNotAvailable",
	timestamp.UnacceptedPolicy: "unacceptedPolicy", timestamp.UnacceptedExtension: "unacceptedExtension",
	timestamp.AddInfoNotAvailable: "addInfoNotAvailable", timestamp.SystemFailure: "systemFailure",
}

// statusNames are the RFC's names of the PKIStatus values.
var statusNames = []string{"granted", "grantedWithMods", "rejection", "waiting", "revocationWarning", "revocationNotification"}

// Describe renders a refusal for an error message: the PKIStatus, the
// failure bits (RFC name and meaning) and the TSA's own text, e.g.
//
//	PKIStatus rejection, failInfo badAlg (unrecognized or unsupported Algorithm Identifier), TSA says "…"
func (s PKIStatusInfo) Describe() string {
	var b strings.Builder
	b.WriteString("PKIStatus ")
	if s.Status >= 0 && s.Status < len(statusNames) {
		b.WriteString(statusNames[s.Status])
	} else {
		b.WriteString(strconv.Itoa(s.Status))
	}
	for _, f := range Failures {
		if s.FailInfo.At(int(f)) == 1 {
			fmt.Fprintf(&b, ", failInfo %s (%s)", failureNames[f], f)
		}
	}
	if text := s.Text(); text != "" {
		// Quoted: it is foreign input in our messages.
		fmt.Fprintf(&b, ", TSA says %q", text)
	}
	return b.String()
}

// Text returns the statusString, its UTF8Strings joined.
func (s PKIStatusInfo) Text() string {
	var parts []string
	for _, v := range s.StatusString {
		if v.Class == asn1.ClassUniversal && v.Tag == asn1.TagUTF8String {
			parts = append(parts, string(v.Bytes))
		}
	}
	return strings.Join(parts, " ")
}

// FreeText is s as a PKIFreeText of one UTF8String.
func FreeText(s string) []asn1.RawValue {
	return []asn1.RawValue{{Class: asn1.ClassUniversal, Tag: asn1.TagUTF8String, Bytes: []byte(s)}}
}

// Media types of RFC 3161 §3.4.
const (
	QueryType = "application/timestamp-query"
	ReplyType = "application/timestamp-reply"
)
