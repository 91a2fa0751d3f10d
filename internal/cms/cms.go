// Package cms decodes RFC 3161 time-stamp tokens (CMS SignedData over a
// TSTInfo, RFC 5652) and detached CMS signatures, and verifies the
// SignerInfo signature. It only decodes and computes: what counts as
// PASSED, FAILED or INDETERMINATE is decided by its callers
// (internal/tokencheck for a token, package verify for a PDF's
// signature). Its object identifiers (oid.go) are the one table that the
// exporter's CMS writers (pdfseal, tsa) use too, and it builds the one CMS
// the exporter writes, a PDF signature's detached SignedData (build.go,
// on golang.org/x/crypto/cryptobyte).
//
// The decoding is strict DER through encoding/asn1 and keeps the raw bytes
// that signatures and hashes are computed over (the eContent and the signed
// attributes), which general-purpose PKCS#7 libraries tend to re-encode.
package cms

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// SignedData is a decoded CMS SignedData (RFC 5652 §5.1): a
// TimeStampToken (Parse), or a detached signature such as a PDF's
// (ParseDetached).
type SignedData struct {
	Version      int // SignedData version
	EContentType asn1.ObjectIdentifier
	EContent     []byte   // the DER TSTInfo, exactly as signed; nil when detached
	Certificates [][]byte // DER certificates from SignedData.certificates, in the order carried
	HasCRLs      bool     // the optional crls field is present
	SignerInfos  []SignerInfo
}

// ExpectedVersion is the one SignedData version RFC 5652 §5.1 allows for
// this content (certificates other than X.509 are refused by the parser):
// 3 when any SignerInfo is version 3 or the content is not id-data, else 1.
func (sd *SignedData) ExpectedVersion() int {
	if !sd.EContentType.Equal(OIDData) {
		return 3
	}
	for _, si := range sd.SignerInfos {
		if si.SubjectKeyID != nil {
			return 3
		}
	}
	return 1
}

// SignerInfo is one decoded CMS SignerInfo.
type SignerInfo struct {
	// Exactly one of IssuerAndSerial or SubjectKeyID is set.
	Issuer       []byte // raw DER Name of the issuer (IssuerAndSerialNumber)
	Serial       *big.Int
	SubjectKeyID []byte

	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        []byte // DER SET OF Attribute (tag rewritten to SET): the signed bytes; nil when absent
	Attributes         []Attribute
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	Unsigned           []Attribute // unsignedAttrs, e.g. a signature timestamp
}

// Attribute is one signed or unsigned attribute.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

// TSTInfo is the signed content of a token (RFC 3161 §2.4.2).
type TSTInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint MessageImprint
	SerialNumber   *big.Int
	GenTime        time.Time        `asn1:"generalized"`
	Accuracy       Accuracy         `asn1:"optional"`
	Ordering       bool             `asn1:"optional,default:false"`
	Nonce          *big.Int         `asn1:"optional"`
	TSA            asn1.RawValue    `asn1:"optional,tag:0"` // [0] EXPLICIT GeneralName
	Extensions     []pkix.Extension `asn1:"optional,tag:1"`
}

// MessageImprint is the hash of the time-stamped data.
type MessageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

// Accuracy of genTime.
type Accuracy struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0"` // [0] EXPLICIT: the SignedData is in Bytes
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []asn1.RawValue `asn1:"set"`
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional,tag:0"` // [0] EXPLICIT OCTET STRING
}

type signerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

// unmarshalAll decodes b into v and refuses trailing bytes.
func unmarshalAll(b []byte, v any, what string) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		// encoding/asn1 appends a dump of its field parameters: noise
		// for a reader of the report.
		msg := err.Error()
		if i := strings.Index(msg, " {optional:"); i >= 0 {
			msg = msg[:i]
		}
		return fmt.Errorf("%s: %s", what, msg)
	}
	if len(rest) != 0 {
		return fmt.Errorf("%s: %d trailing bytes", what, len(rest))
	}
	return nil
}

// elements checks that the SEQUENCE der holds exactly n elements:
// encoding/asn1 ignores elements after a struct's last field, and no byte
// outside the signed parts may go unread (a PDF's zero padding, say, taken
// into a lengthened outer SEQUENCE).
func elements(der []byte, n int, what string) error {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	got := 0
	for rest := seq.Bytes; len(rest) > 0; got++ {
		var e asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &e); err != nil {
			return fmt.Errorf("%s: element %d: %w", what, got+1, err)
		}
	}
	if got != n {
		return fmt.Errorf("%s: %d elements where %d were read: unread data", what, got, n)
	}
	return nil
}

// constructed refuses a present field that is not encoded as constructed.
func constructed(what string, v asn1.RawValue) error {
	if len(v.FullBytes) > 0 && !v.IsCompound {
		return fmt.Errorf("%s: primitive encoding where DER requires a constructed one", what)
	}
	return nil
}

func present(v asn1.RawValue) int {
	if len(v.FullBytes) > 0 {
		return 1
	}
	return 0
}

// Parse decodes a DER TimeStampToken (ContentInfo wrapping SignedData),
// which must carry its content. The TSTInfo is not decoded here (see
// ParseTSTInfo), so that a token with a broken TSTInfo can still be
// reported on check by check.
func Parse(der []byte) (*SignedData, error) {
	return parse(der, "TimeStampToken", false)
}

// ParseDetached decodes a DER ContentInfo wrapping a detached SignedData
// (no eContent), such as a PDF signature. what names it in errors.
func ParseDetached(der []byte, what string) (*SignedData, error) {
	return parse(der, what, true)
}

func parse(der []byte, what string, detached bool) (*SignedData, error) {
	var ci contentInfo
	if err := unmarshalAll(der, &ci, what+" ContentInfo"); err != nil {
		return nil, err
	}
	if err := elements(der, 2, what+" ContentInfo"); err != nil {
		return nil, err
	}
	if !ci.ContentType.Equal(OIDSignedData) {
		return nil, fmt.Errorf("%s ContentInfo: contentType %v is not id-signedData", what, ci.ContentType)
	}
	var sd signedData
	if err := unmarshalAll(ci.Content.Bytes, &sd, what+" SignedData"); err != nil {
		return nil, err
	}
	if err := elements(ci.Content.Bytes, 4+present(sd.Certificates)+present(sd.CRLs), what+" SignedData"); err != nil {
		return nil, err
	}
	// encoding/asn1 matches a tagged RawValue by class and number only:
	// a constructed field flipped to primitive would read the same.
	if err := constructed(what+" ContentInfo content", ci.Content); err != nil {
		return nil, err
	}
	if err := constructed(what+" SignedData certificates", sd.Certificates); err != nil {
		return nil, err
	}
	if err := constructed(what+" SignedData crls", sd.CRLs); err != nil {
		return nil, err
	}
	t := &SignedData{EContentType: sd.EncapContentInfo.EContentType, Version: sd.Version, HasCRLs: len(sd.CRLs.FullBytes) > 0}
	content, err := eContent(sd.EncapContentInfo.EContent, what, detached)
	if err != nil {
		return nil, err
	}
	t.EContent = content
	if t.Certificates, err = parseCertificateSet(sd.Certificates, what); err != nil {
		return nil, err
	}
	for i, raw := range sd.SignerInfos {
		si, err := parseSignerInfo(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("%s SignedData.signerInfos[%d]: %w", what, i, err)
		}
		t.SignerInfos = append(t.SignerInfos, *si)
	}
	if err := checkDigestAlgorithms(sd.DigestAlgorithms, sd.SignerInfos); err != nil {
		return nil, fmt.Errorf("%s SignedData.digestAlgorithms: %w", what, err)
	}
	return t, nil
}

// eContent returns the content an encapContentInfo carries: required for
// a token, absent for a detached signature.
func eContent(ec asn1.RawValue, what string, detached bool) ([]byte, error) {
	switch {
	case detached && len(ec.FullBytes) != 0:
		return nil, fmt.Errorf("%s SignedData.encapContentInfo: eContent present, a detached signature carries none", what)
	case detached:
		return nil, nil
	case len(ec.FullBytes) == 0:
		return nil, fmt.Errorf("%s SignedData.encapContentInfo: eContent absent (detached), a token must carry its TSTInfo", what)
	}
	if err := constructed(what+" SignedData.encapContentInfo.eContent", ec); err != nil {
		return nil, err
	}
	var inner asn1.RawValue
	if err := unmarshalAll(ec.Bytes, &inner, what+" SignedData.encapContentInfo.eContent"); err != nil {
		return nil, err
	}
	if inner.Class != asn1.ClassUniversal || inner.Tag != asn1.TagOctetString || inner.IsCompound {
		return nil, fmt.Errorf("%s SignedData.encapContentInfo.eContent: not a primitive OCTET STRING", what)
	}
	return inner.Bytes, nil
}

// checkDigestAlgorithms: the SET digestAlgorithms must list exactly the
// signers' digest algorithms, byte for byte, each once (RFC 5652 §5.1).
func checkDigestAlgorithms(set asn1.RawValue, signers []asn1.RawValue) error {
	if set.Class != asn1.ClassUniversal || set.Tag != asn1.TagSet || !set.IsCompound {
		return errors.New("not a SET")
	}
	want := map[string]bool{}
	for _, raw := range signers {
		var si struct {
			Version            int
			SID                asn1.RawValue
			DigestAlgorithm    asn1.RawValue
			SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
			SignatureAlgorithm asn1.RawValue
			Signature          []byte
			UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
		}
		if _, err := asn1.Unmarshal(raw.FullBytes, &si); err == nil {
			want[string(si.DigestAlgorithm.FullBytes)] = true
		}
	}
	seen := map[string]bool{}
	for rest := set.Bytes; len(rest) > 0; {
		var alg asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &alg); err != nil {
			return err
		}
		if !want[string(alg.FullBytes)] || seen[string(alg.FullBytes)] {
			return errors.New("not exactly the signers' digest algorithms")
		}
		seen[string(alg.FullBytes)] = true
	}
	if len(seen) != len(want) {
		return errors.New("a signer's digest algorithm is missing")
	}
	return nil
}

// parseCertificateSet returns the X.509 certificates of a CertificateSet.
// The other CertificateChoices (attribute certificates, other formats)
// are refused rather than skipped: no byte of a signature's container
// may go unread.
func parseCertificateSet(set asn1.RawValue, what string) ([][]byte, error) {
	var certs [][]byte
	rest := set.Bytes
	for len(rest) > 0 {
		var c asn1.RawValue
		var err error
		rest, err = asn1.Unmarshal(rest, &c)
		if err != nil {
			return nil, fmt.Errorf("%s SignedData.certificates[%d]: %w", what, len(certs), err)
		}
		if c.Class != asn1.ClassUniversal || c.Tag != asn1.TagSequence || !c.IsCompound {
			return nil, fmt.Errorf("%s SignedData.certificates[%d]: not an X.509 certificate (CertificateChoices tag %d, class %d)", what, len(certs), c.Tag, c.Class)
		}
		certs = append(certs, c.FullBytes)
	}
	return certs, nil
}

func parseSignerInfo(der []byte) (*SignerInfo, error) {
	var raw signerInfo
	if err := unmarshalAll(der, &raw, "SignerInfo"); err != nil {
		return nil, err
	}
	if err := elements(der, 5+present(raw.SignedAttrs)+present(raw.UnsignedAttrs), "SignerInfo"); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		v    asn1.RawValue
	}{{"signedAttrs", raw.SignedAttrs}, {"unsignedAttrs", raw.UnsignedAttrs}} {
		if err := constructed(f.name, f.v); err != nil {
			return nil, err
		}
	}
	si := &SignerInfo{
		DigestAlgorithm:    raw.DigestAlgorithm,
		SignatureAlgorithm: raw.SignatureAlgorithm,
		Signature:          raw.Signature,
	}
	switch {
	case raw.SID.Class == asn1.ClassUniversal && raw.SID.Tag == asn1.TagSequence && raw.SID.IsCompound:
		if raw.Version != 1 {
			return nil, fmt.Errorf("version %d, want 1 with an issuerAndSerialNumber (RFC 5652 §5.3)", raw.Version)
		}
		var ias issuerAndSerial
		if err := unmarshalAll(raw.SID.FullBytes, &ias, "sid issuerAndSerialNumber"); err != nil {
			return nil, err
		}
		si.Issuer, si.Serial = ias.Issuer.FullBytes, ias.Serial
	case raw.SID.Class == asn1.ClassContextSpecific && raw.SID.Tag == 0 && !raw.SID.IsCompound:
		if raw.Version != 3 {
			return nil, fmt.Errorf("version %d, want 3 with a subjectKeyIdentifier (RFC 5652 §5.3)", raw.Version)
		}
		si.SubjectKeyID = raw.SID.Bytes
	default:
		return nil, errors.New("sid: neither issuerAndSerialNumber nor subjectKeyIdentifier")
	}
	if len(raw.SignedAttrs.FullBytes) > 0 {
		// The signature covers the DER SET OF, not the [0] IMPLICIT tag
		// (RFC 5652 §5.4): rewrite the first byte, keep the rest as sent.
		signed := bytes.Clone(raw.SignedAttrs.FullBytes)
		signed[0] = 0x31
		si.SignedAttrs = signed
		attrs, err := parseAttributes(raw.SignedAttrs.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signedAttrs: %w", err)
		}
		si.Attributes = attrs
	}
	if len(raw.UnsignedAttrs.FullBytes) > 0 {
		attrs, err := parseAttributes(raw.UnsignedAttrs.Bytes)
		if err != nil {
			return nil, fmt.Errorf("unsignedAttrs: %w", err)
		}
		si.Unsigned = attrs
	}
	return si, nil
}

func parseAttributes(b []byte) ([]Attribute, error) {
	var attrs []Attribute
	for len(b) > 0 {
		var a Attribute
		var err error
		b, err = asn1.Unmarshal(b, &a)
		if err != nil {
			return nil, fmt.Errorf("attribute %d: %w", len(attrs), err)
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}

// Attribute returns the single value of the signed attribute typ.
// found is false when it is absent; err is set when it occurs more than
// once or has other than one value (RFC 5652 §11 forbids both).
func (si *SignerInfo) Attribute(typ asn1.ObjectIdentifier) (v asn1.RawValue, found bool, err error) {
	for _, a := range si.Attributes {
		if !a.Type.Equal(typ) {
			continue
		}
		if found {
			return v, true, fmt.Errorf("signed attribute %v occurs more than once", typ)
		}
		if len(a.Values) != 1 {
			return v, true, fmt.Errorf("signed attribute %v has %d values, want 1", typ, len(a.Values))
		}
		v, found = a.Values[0], true
	}
	return v, found, nil
}

// ContentAttributes decodes the two signed attributes a SignerInfo with
// signed attributes must have (RFC 5652 §5.3): the content type and the
// message digest of the content. The error names the one missing or
// malformed.
func (si *SignerInfo) ContentAttributes() (contentType asn1.ObjectIdentifier, digest []byte, err error) {
	ct, found, err := si.Attribute(OIDContentType)
	switch {
	case err != nil:
		return nil, nil, err
	case !found:
		return nil, nil, errors.New("the content-type signed attribute is missing")
	}
	if err := unmarshalAll(ct.FullBytes, &contentType, "the content-type signed attribute"); err != nil {
		return nil, nil, err
	}
	md, found, err := si.Attribute(OIDMessageDigest)
	switch {
	case err != nil:
		return nil, nil, err
	case !found:
		return nil, nil, errors.New("the message-digest signed attribute is missing")
	}
	if err := unmarshalAll(md.FullBytes, &digest, "the message-digest signed attribute"); err != nil {
		return nil, nil, err
	}
	return contentType, digest, nil
}

// ParseTSTInfo decodes the eContent of a token.
func ParseTSTInfo(der []byte) (*TSTInfo, error) {
	var info TSTInfo
	if err := unmarshalAll(der, &info, "TSTInfo"); err != nil {
		return nil, err
	}
	if info.Version != 1 {
		return nil, fmt.Errorf("TSTInfo: version %d, want 1", info.Version)
	}
	if info.SerialNumber == nil {
		return nil, errors.New("TSTInfo: serialNumber missing")
	}
	return &info, nil
}

// GeneralName tags (RFC 5280 §4.2.1.6) a TSTInfo tsa field may use.
const (
	TagRFC822Name    = 1
	TagDNSName       = 2
	TagDirectoryName = 4
	TagURI           = 6
)

// TSAGeneralName returns the optional TSTInfo tsa GeneralName: its
// context tag and content (for a directoryName, the DER Name). ok is false
// when the field is absent or unreadable.
func (t *TSTInfo) TSAGeneralName() (tag int, content []byte, ok bool) {
	if len(t.TSA.FullBytes) == 0 {
		return 0, nil, false
	}
	var inner asn1.RawValue
	if err := unmarshalAll(t.TSA.Bytes, &inner, "tsa"); err != nil || inner.Class != asn1.ClassContextSpecific {
		return 0, nil, false
	}
	return inner.Tag, inner.Bytes, true
}

// ParseName decodes a DER Name.
func ParseName(der []byte) (pkix.Name, error) {
	var rdn pkix.RDNSequence
	var n pkix.Name
	if err := unmarshalAll(der, &rdn, "Name"); err != nil {
		return n, err
	}
	n.FillFromRDNSequence(&rdn)
	return n, nil
}

// TSAName renders the optional TSTInfo tsa GeneralName ("" when absent).
func (t *TSTInfo) TSAName() string {
	tag, content, ok := t.TSAGeneralName()
	switch {
	case !ok:
		return ""
	case tag == TagDirectoryName:
		n, err := ParseName(content)
		if err != nil {
			return ""
		}
		return n.String()
	case tag == TagRFC822Name, tag == TagDNSName, tag == TagURI:
		return string(content) // IA5String
	}
	return ""
}

// TimeStampResp decoding (RFC 3161 §2.4.2).
type pkiStatusInfo struct {
	Status       int
	StatusString []asn1.RawValue `asn1:"optional"`
	FailInfo     asn1.BitString  `asn1:"optional"`
}

type timeStampResp struct {
	Status         pkiStatusInfo
	TimeStampToken asn1.RawValue `asn1:"optional"`
}

var pkiStatusNames = []string{"granted", "grantedWithMods", "rejection", "waiting", "revocationWarning", "revocationNotification"}

var failInfoNames = map[int]string{
	0: "badAlg", 2: "badRequest", 5: "badDataFormat", 14: "timeNotAvailable",
	15: "unacceptedPolicy", 16: "unacceptedExtension", 17: "addInfoNotAvailable", 25: "systemFailure",
}

// IsResponse reports whether der looks like a TimeStampResp rather than a
// bare token: a response starts with a SEQUENCE (PKIStatusInfo), a
// ContentInfo with an OBJECT IDENTIFIER.
func IsResponse(der []byte) bool {
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err != nil || !outer.IsCompound {
		return false
	}
	var first asn1.RawValue
	if _, err := asn1.Unmarshal(outer.Bytes, &first); err != nil {
		return false
	}
	return first.Class == asn1.ClassUniversal && first.Tag == asn1.TagSequence
}

// UnwrapResponse returns the token of a granted TimeStampResp. plain is
// "" when the PKIStatusInfo says granted (0) and nothing else; otherwise it
// describes the rest (grantedWithMods, a statusString, a failInfo), which
// the signature does not cover.
func UnwrapResponse(der []byte) (token []byte, plain string, err error) {
	var r timeStampResp
	if err := unmarshalAll(der, &r, "TimeStampResp"); err != nil {
		return nil, "", err
	}
	st := r.Status.Status
	desc := statusName(st) + failInfo(r.Status.FailInfo) + statusText(r.Status.StatusString)
	if st != 0 && st != 1 {
		return nil, "", fmt.Errorf("TimeStampResp: PKIStatus %s: no token granted", desc)
	}
	if len(r.TimeStampToken.FullBytes) == 0 {
		return nil, "", fmt.Errorf("TimeStampResp: PKIStatus %s but timeStampToken absent", statusName(st))
	}
	if err := elements(der, 2, "TimeStampResp"); err != nil {
		return nil, "", err
	}
	// Plain means these exact bytes: SEQUENCE { INTEGER 0 }.
	var raw struct{ Status asn1.RawValue }
	if _, err := asn1.Unmarshal(der, &raw); err != nil || !bytes.Equal(raw.Status.FullBytes, []byte{0x30, 0x03, 0x02, 0x01, 0x00}) {
		plain = desc
		if st == 0 && plain == statusName(st) {
			plain += " with further status fields"
		}
	}
	return r.TimeStampToken.FullBytes, plain, nil
}

func statusName(st int) string {
	if st >= 0 && st < len(pkiStatusNames) {
		return fmt.Sprintf("%s (%d)", pkiStatusNames[st], st)
	}
	return fmt.Sprintf("unknown (%d)", st)
}

func failInfo(b asn1.BitString) string {
	var names []string
	for i := 0; i < b.BitLength; i++ {
		if b.At(i) == 1 {
			n, ok := failInfoNames[i]
			if !ok {
				n = fmt.Sprintf("bit %d", i)
			}
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf(", failInfo %v", names)
}

func statusText(ss []asn1.RawValue) string {
	var s []string
	for _, v := range ss {
		var t string
		if _, err := asn1.UnmarshalWithParams(v.FullBytes, &t, "utf8"); err == nil {
			s = append(s, t)
		}
	}
	if len(s) == 0 {
		return ""
	}
	return fmt.Sprintf(", statusString %q", s)
}

// ResponseCertificates are the DER certificates the token of a
// TimeStampResp carries (its TSA's, with certReq), nil when it cannot be
// read: for a document security store, or to find the issuer of a TSA's
// certificate among them.
func ResponseCertificates(resp []byte) [][]byte {
	token, _, err := UnwrapResponse(resp)
	if err != nil {
		return nil
	}
	sd, err := Parse(token)
	if err != nil {
		return nil
	}
	return sd.Certificates
}
