package main

import (
	"testing"

	"github.com/custody-toolkit/custody/internal/testpki"
)

// TestCheckTokenOpenSSLTSA: custody export stores what OpenSSL's TSA
// answers under the settings deployments use (its own certificate twice,
// the chain in the ESS identifiers, ESSCertID v1, a CA key restricted to
// RSASSA-PSS), and still refuses an answer over other data.
func TestCheckTokenOpenSSLTSA(t *testing.T) {
	const data = "manifest signature"
	for name, cfg := range map[string]testpki.TSAConfig{
		"certs with tsa":         {CAKey: "rsa:2048", TSAKey: "rsa:2048", CertsWithTSA: true},
		"ess v1 chain":           {ESSAlg: "sha1", ESSChain: true},
		"pss ca, certs with tsa": {CAKey: "rsa-pss", TSAKey: "rsa:2048", CertsWithTSA: true},
		"pss ca with parameters": {CAKey: "rsa-pss-sha256", TSAKey: "ec", ESSChain: true},
	} {
		t.Run(name, func(t *testing.T) {
			o := testpki.NewOpenSSLTSA(t, cfg)
			tsr, _ := o.Stamp(data, "-sha256", "-cert")
			if err := checkToken(tsr, []byte(data)); err != nil {
				t.Errorf("refused: %v", err)
			}
			if err := checkToken(tsr, []byte(data+"!")); err == nil {
				t.Error("accepted over other data")
			}
		})
	}
}
