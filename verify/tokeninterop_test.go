package verify

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/testpki"
)

// TestVerifyTokenOpenSSLConfigs: tokens of OpenSSL's TSA under the
// settings real deployments use verify PASSED with the CA as anchor and
// INDETERMINATE without one, whatever certificates they carry (the TSA's
// own twice when the `certs` file holds it too), whichever ESS identifiers
// (v1, v2, the whole chain), and under a CA whose key is restricted to
// RSASSA-PSS (id-RSASSA-PSS SubjectPublicKeyInfo, which crypto/x509 does
// not read; OpenSSL signs its certificates with the longest salt, which
// crypto/x509 does not verify either).
func TestVerifyTokenOpenSSLConfigs(t *testing.T) {
	t.Parallel()
	const data = "custody interop\n"
	// -short (scripts/test) runs a third of the 24 combinations: the k-th
	// pair of keys with every third setting from the k-th, so that each
	// pair and each setting appears; --full (CI) runs all.
	for pair, keys := range []struct{ ca, tsa string }{
		{"ec", "ec"}, {"rsa:2048", "rsa:2048"}, {"rsa-pss", "rsa:2048"}, {"rsa-pss-sha256", "ec"},
	} {
		setting := -1
		for _, withTSA := range []bool{false, true} {
			for _, ess := range []struct {
				alg   string
				chain bool
			}{{"sha256", false}, {"sha256", true}, {"sha1", false}, {"sha1", true}} {
				if ess.chain && withTSA {
					// ESS identifiers TSA, CA, TSA: openssl ts -verify
					// itself refuses them ("ess cert id wrong order").
					continue
				}
				if setting++; testing.Short() && (setting-pair)%3 != 0 {
					continue
				}
				cfg := testpki.TSAConfig{CAKey: keys.ca, TSAKey: keys.tsa, ESSAlg: ess.alg, ESSChain: ess.chain, CertsWithTSA: withTSA}
				name := strings.NewReplacer(" ", "", "{", "", "}", "").Replace(keys.ca + "/" + keys.tsa)
				t.Run(name+"/"+tsaSettings(cfg), func(t *testing.T) {
					t.Parallel() // each runs openssl several times: both cores
					o := testpki.NewOpenSSLTSA(t, cfg)
					tsr, nonce := o.Stamp(data, "-sha256", "-cert")
					wantCerts := Passed
					if withTSA {
						wantCerts = Info
					}
					r := verifyString(t, tsr, data, TokenOptions{Roots: []*x509.Certificate{o.CA}, Nonce: nonce})
					checkResult(t, r, Passed, "", true)
					if c := findCheck(t, r.Checks, CheckTokenCerts); c.Status != wantCerts {
						t.Errorf("%s: %s %q, want %s", c.Name, c.Status, c.Detail, wantCerts)
					}
					r = verifyString(t, tsr, data, TokenOptions{})
					checkResult(t, r, Indeterminate, CheckTokenChain, false)
					// Stored in a bundle with nothing of ours over its bytes,
					// the repeat cannot be told from a change.
					if withTSA {
						r = verifyString(t, tsr, data, TokenOptions{Roots: []*x509.Certificate{o.CA}, Unsealed: true})
						checkResult(t, r, Indeterminate, CheckTokenCerts, false)
					}
				})
			}
		}
	}
}

func tsaSettings(c testpki.TSAConfig) string {
	s := "ess-" + c.ESSAlg
	if c.ESSChain {
		s += "-chain"
	}
	if c.CertsWithTSA {
		s += "/certs-with-tsa"
	}
	return s
}

func verifyString(t *testing.T, der []byte, data string, opts TokenOptions) *TokenResult {
	t.Helper()
	r, err := VerifyToken(der, strings.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestVerifyTokenPSSKeys: a TSA whose own key is restricted to
// RSASSA-PSS, under an RSA and under an RSASSA-PSS CA (openssl ts cannot
// sign with such a key: the TSTInfo is re-signed with openssl cms, which
// must accept the result). A flipped signature bit stays FAILED.
func TestVerifyTokenPSSKeys(t *testing.T) {
	t.Parallel()
	const data = "pss keys\n"
	for _, keys := range []struct{ ca, tsa string }{
		{"rsa:2048", "rsa-pss"}, {"rsa-pss", "rsa-pss"}, {"rsa-pss-sha256", "rsa-pss-sha256"},
	} {
		t.Run(keys.ca+"/"+keys.tsa, func(t *testing.T) {
			o := testpki.NewOpenSSLTSA(t, testpki.TSAConfig{CAKey: keys.ca, TSAKey: "rsa:2048"})
			pss := o.IssueTSA("pss", keys.tsa)
			o.TSTInfo(data, "-sha256")
			o.Run("cms", "-sign", "-binary", "-nodetach", "-in", "tstinfo.der", "-econtent_type", "id-smime-ct-TSTInfo",
				"-signer", "pss.pem", "-inkey", "pss.key", "-md", "sha256", "-keyopt", "rsa_padding_mode:pss",
				"-keyopt", "rsa_pss_saltlen:32", "-cades", "-nosmimecap", "-certfile", "ca.pem", "-outform", "DER", "-out", "pss.p7s")
			o.Run("cms", "-verify", "-purpose", "any", "-CAfile", "ca.pem", "-inform", "DER", "-in", "pss.p7s", "-binary", "-out", "/dev/null")
			der := o.Read("pss.p7s")
			roots := TokenOptions{Roots: []*x509.Certificate{o.CA}}
			r := verifyString(t, der, data, roots)
			checkResult(t, r, Passed, "", false)
			if c := findCheck(t, r.Checks, CheckTokenSignature); !strings.Contains(c.Detail, "RSASSA-PSS SHA-256") {
				t.Errorf("%s: %q", c.Name, c.Detail)
			}
			checkResult(t, verifyString(t, der, data, TokenOptions{}), Indeterminate, CheckTokenChain, false)
			// The TSA certificate as the only anchor (EU trusted lists).
			checkResult(t, verifyString(t, der, data, TokenOptions{Roots: []*x509.Certificate{pss}}), Passed, "", false)

			bad := bytes.Clone(der)
			bad[len(bad)-1] ^= 1 // the signature ends the token
			checkResult(t, verifyString(t, bad, data, roots), Failed, CheckTokenSignature, false)
		})
	}
}
