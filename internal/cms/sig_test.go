package cms

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
)

func algID(oid asn1.ObjectIdentifier) pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}
}

// pssAlg builds an RSASSA-PSS AlgorithmIdentifier; a nil hash leaves the
// field out (SHA-1 by default).
func pssAlg(t *testing.T, hash, mgfHash asn1.ObjectIdentifier, salt int) pkix.AlgorithmIdentifier {
	t.Helper()
	var p pssParams
	if hash != nil {
		p.Hash = algID(hash)
	}
	if mgfHash != nil {
		inner, err := asn1.Marshal(algID(mgfHash))
		if err != nil {
			t.Fatal(err)
		}
		p.MGF = pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: inner}}
	}
	p.SaltLength = salt
	p.TrailerField = 1
	der, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS, Parameters: asn1.RawValue{FullBytes: der}}
}

func TestVerifyPSSParameters(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("signed attributes")
	digest := sha256.Sum256(msg)
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		alg  pkix.AlgorithmIdentifier
		want string // "" = verifies
		weak bool
	}{
		{"sha256 salt 32", pssAlg(t, OIDSHA256, OIDSHA256, 32), "", false},
		{"default hash is SHA-1", pssAlg(t, nil, OIDSHA256, 32), "defaults to SHA-1", true},
		{"default MGF", pssAlg(t, OIDSHA256, nil, 32), "not MGF1", false},
		{"MGF1 SHA-1", pssAlg(t, OIDSHA256, oidSHA1, 32), "SHA-1", true},
		{"MGF1 other hash", pssAlg(t, OIDSHA256, OIDSHA512, 32), "differs", false},
		{"wrong salt length", pssAlg(t, OIDSHA256, OIDSHA256, 20), "does not verify", false},
		{"hash mismatch", pssAlg(t, OIDSHA384, OIDSHA384, 32), "does not verify", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			name, err := VerifySignature(&key.PublicKey, c.alg, crypto.SHA256, msg, sig)
			if c.want == "" {
				if err != nil || !strings.Contains(name, "RSASSA-PSS") {
					t.Fatalf("%q, %v", name, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if errors.Is(err, ErrWeakHash) != c.weak {
				t.Errorf("errors.Is(ErrWeakHash) = %v", !c.weak)
			}
		})
	}
}

func TestVerifySignatureRefusesWeakHashes(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("m")
	for _, oid := range []asn1.ObjectIdentifier{oidSHA1WithRSA, oidMD5WithRSA, oidECDSAWithSHA1} {
		if _, err := VerifySignature(&key.PublicKey, algID(oid), crypto.SHA256, msg, []byte{1}); !errors.Is(err, ErrWeakHash) {
			t.Errorf("%v: %v", oid, err)
		}
	}
	// rsaEncryption takes the hash from the digest algorithm.
	d := sha256.Sum256(msg)
	sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	if _, err := VerifySignature(&key.PublicKey, algID(oidRSA), crypto.SHA256, msg, sig); err != nil {
		t.Error(err)
	}
	if _, err := VerifySignature(&key.PublicKey, algID(oidSHA384RSA), crypto.SHA256, msg, sig); err == nil {
		t.Error("sha384WithRSA accepted a SHA-256 signature")
	}
	for _, oid := range []asn1.ObjectIdentifier{oidSHA1, oidMD5, oidSHA224, {1, 2, 3}} {
		if _, err := Hash(oid); err == nil {
			t.Errorf("Hash(%v) accepted", oid)
		}
	}
}
