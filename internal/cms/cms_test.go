package cms

import (
	"bytes"
	"encoding/asn1"
	"strings"
	"testing"
)

// der encodes one element: tag byte, DER length, content.
func der(tag byte, parts ...[]byte) []byte {
	content := bytes.Join(parts, nil)
	n := len(content)
	var length []byte
	switch {
	case n < 0x80:
		length = []byte{byte(n)}
	case n < 0x100:
		length = []byte{0x81, byte(n)}
	default:
		length = []byte{0x82, byte(n >> 8), byte(n)}
	}
	return append(append([]byte{tag}, length...), content...)
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signedDataParts are the elements of a minimal SignedData, each a DER
// element a test may replace; build assembles a ContentInfo from them.
type signedDataParts struct {
	version, digestAlgorithms, encap, certificates, signerInfos []byte
	extra                                                       []byte // appended after signerInfos
}

func minimalParts(t *testing.T, detached bool) signedDataParts {
	sha256 := der(0x30, mustMarshal(t, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}), []byte{0x05, 0x00})
	ecdsa := der(0x30, mustMarshal(t, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}))
	name := der(0x30, der(0x31, der(0x30, mustMarshal(t, asn1.ObjectIdentifier{2, 5, 4, 3}), der(0x0c, []byte("Test")))))
	signer := der(0x30,
		mustMarshal(t, 1),
		der(0x30, name, mustMarshal(t, 7)), // issuerAndSerialNumber
		sha256, ecdsa, der(0x04, []byte("signature")))
	encap := der(0x30, mustMarshal(t, OIDTSTInfo), der(0xa0, der(0x04, []byte("tstinfo"))))
	if detached {
		encap = der(0x30, mustMarshal(t, OIDData))
	}
	return signedDataParts{
		version:          mustMarshal(t, 3),
		digestAlgorithms: der(0x31, sha256),
		encap:            encap,
		certificates:     der(0xa0, der(0x30, []byte{0x02, 0x01, 0x01})), // parsed as X.509 later, not here
		signerInfos:      der(0x31, signer),
	}
}

func (p signedDataParts) build(t *testing.T) []byte {
	sd := der(0x30, p.version, p.digestAlgorithms, p.encap, p.certificates, p.signerInfos, p.extra)
	return der(0x30, mustMarshal(t, OIDSignedData), der(0xa0, sd))
}

func TestParseStrict(t *testing.T) {
	good := minimalParts(t, false)
	if sd, err := Parse(good.build(t)); err != nil || len(sd.SignerInfos) != 1 || len(sd.Certificates) != 1 || string(sd.EContent) != "tstinfo" {
		t.Fatalf("the minimal token does not parse: %v %+v", err, sd)
	}
	detached := minimalParts(t, true)
	detached.version = mustMarshal(t, 1)
	sd, err := ParseDetached(detached.build(t), "test CMS")
	if err != nil || sd.EContent != nil || sd.ExpectedVersion() != 1 {
		t.Fatalf("the minimal detached CMS: %v %+v", err, sd)
	}
	if _, err := ParseDetached(good.build(t), "test CMS"); err == nil || !strings.Contains(err.Error(), "eContent present") {
		t.Errorf("content where a detached signature is expected: %v", err)
	}
	if _, err := Parse(detached.build(t)); err == nil || !strings.Contains(err.Error(), "eContent absent") {
		t.Errorf("no content where a token is expected: %v", err)
	}

	tests := []struct {
		name   string
		change func(*signedDataParts)
		want   string
	}{
		{"digestAlgorithms not a SET", func(p *signedDataParts) { p.digestAlgorithms[0] = 0x30 }, "digestAlgorithms: not a SET"},
		{"digestAlgorithms with another tag", func(p *signedDataParts) { p.digestAlgorithms[0] = 0x39 }, "digestAlgorithms: not a SET"},
		{"an attribute certificate", func(p *signedDataParts) { p.certificates = der(0xa0, der(0xa1, []byte{0x02, 0x01, 0x01})) }, "not an X.509 certificate"},
		{"an element after signerInfos", func(p *signedDataParts) { p.extra = mustMarshal(t, 5) }, "unread data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimalParts(t, false)
			tt.change(&p)
			if _, err := Parse(p.build(t)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("an element after the ContentInfo's content", func(t *testing.T) {
		b := good.build(t)
		// Re-wrap the ContentInfo with one more element inside.
		var outer asn1.RawValue
		if _, err := asn1.Unmarshal(b, &outer); err != nil {
			t.Fatal(err)
		}
		padded := der(0x30, outer.Bytes, []byte{0x05, 0x00})
		if _, err := Parse(padded); err == nil || !strings.Contains(err.Error(), "unread data") {
			t.Errorf("error %v", err)
		}
	})
}

func TestUnwrapResponseStatus(t *testing.T) {
	token := minimalParts(t, false).build(t)
	tests := []struct {
		name, status string
		plain        string
		err          bool
	}{
		{"granted", "\x02\x01\x00", "", false},
		{"grantedWithMods", "\x02\x01\x01", "grantedWithMods (1)", false},
		{"granted with a statusString", "\x02\x01\x00" + string(der(0x30, der(0x0c, []byte("ok")))), `granted (0), statusString ["ok"]`, false},
		{"rejection", "\x02\x01\x02", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := der(0x30, der(0x30, []byte(tt.status)), token)
			got, plain, err := UnwrapResponse(resp)
			if tt.err {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil || !bytes.Equal(got, token) || plain != tt.plain {
				t.Errorf("got %v %q, want %q", err, plain, tt.plain)
			}
		})
	}
}
