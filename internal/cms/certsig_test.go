package cms

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"

	"github.com/custody-toolkit/custody/internal/testpki"
)

// TestCheckKeyConstraints: a key restricted to RSASSA-PSS with SHA-256
// and salts of 32 bytes or more (RFC 4055 §3.3) vouches for no other
// scheme, hash or mask, nor for a shorter salt; a longer one is allowed.
func TestCheckKeyConstraints(t *testing.T) {
	o := testpki.NewOpenSSLTSA(t, testpki.TSAConfig{CAKey: "rsa-pss-sha256", TSAKey: "ec"})
	pss := func(hash, mgfHash asn1.ObjectIdentifier, salt int) pkix.AlgorithmIdentifier {
		mgfParams, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: mgfHash, Parameters: asn1.NullRawValue})
		params, err := asn1.Marshal(pssParams{
			Hash:       pkix.AlgorithmIdentifier{Algorithm: hash, Parameters: asn1.NullRawValue},
			MGF:        pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: mgfParams}},
			SaltLength: salt, TrailerField: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		return pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS, Parameters: asn1.RawValue{FullBytes: params}}
	}
	tests := []struct {
		name string
		alg  pkix.AlgorithmIdentifier
		ok   bool
	}{
		{"its parameters", pss(OIDSHA256, OIDSHA256, 32), true},
		{"a longer salt", pss(OIDSHA256, OIDSHA256, 64), true},
		{"a shorter salt", pss(OIDSHA256, OIDSHA256, 20), false},
		{"another hash", pss(OIDSHA384, OIDSHA384, 48), false},
		{"another mask hash", pss(OIDSHA256, OIDSHA384, 32), false},
		{"PKCS#1 v1.5", pkix.AlgorithmIdentifier{Algorithm: OIDSHA256WithRSA, Parameters: asn1.NullRawValue}, false},
	}
	for _, tt := range tests {
		err := CheckKeyConstraints(o.CA, tt.alg)
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrKeyConstraint) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	// Its own certificate's signature meets them, and verifies.
	if err := CheckIssuedBy(o.CA, o.CA); err != nil {
		t.Errorf("self-signature: %v", err)
	}
	if err := CheckIssuedBy(o.TSA, o.CA); err != nil {
		t.Errorf("the TSA certificate: %v", err)
	}
	if err := CheckIssuedBy(o.CA, o.TSA); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("the CA certificate by the TSA's key: %v, want a signature that does not verify", err)
	}
}
