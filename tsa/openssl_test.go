package tsa

import (
	"context"
	"testing"

	"github.com/custody-toolkit/custody/internal/testpki"
)

// TestClientOpenSSLTSA: the client (what custody export uses to accept
// a TSA's answer) takes what OpenSSL's TSA answers under the settings
// deployments use: its own certificate twice (a certs file that holds
// it), the whole chain in the ESS identifiers, ESSCertID v1, a CA key
// restricted to RSASSA-PSS (as D-Trust's).
func TestClientOpenSSLTSA(t *testing.T) {
	for name, cfg := range map[string]testpki.TSAConfig{
		"ec":                     {},
		"rsa, certs with tsa":    {CAKey: "rsa:2048", TSAKey: "rsa:2048", CertsWithTSA: true},
		"ess v1 chain":           {ESSAlg: "sha1", ESSChain: true},
		"pss ca":                 {CAKey: "rsa-pss", TSAKey: "rsa:2048", CertsWithTSA: true},
		"pss ca with parameters": {CAKey: "rsa-pss-sha256", TSAKey: "ec", ESSChain: true},
	} {
		t.Run(name, func(t *testing.T) {
			o := testpki.NewOpenSSLTSA(t, cfg)
			srv := o.Server()
			c := &Client{URL: srv.URL}
			if _, err := c.Timestamp(context.Background(), []byte("custody interop")); err != nil {
				t.Fatal(err)
			}
		})
	}
}
