package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/internal/verifycli"
	"github.com/custody-toolkit/custody/keys"
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

// TestExportOpenSSLTSA: custody export against OpenSSL's TSA as deployments
// configure it (its own certificate carried twice; a CA key restricted to
// RSASSA-PSS), end to end: the bundle verifies PASSED with the CA as
// anchor, the oddity reported as INFO under the token seal, and
// INDETERMINATE without an anchor.
func TestExportOpenSSLTSA(t *testing.T) {
	for name, cfg := range map[string]testpki.TSAConfig{
		"certs with tsa":         {CAKey: "rsa:2048", TSAKey: "rsa:2048", CertsWithTSA: true},
		"pss ca, certs with tsa": {CAKey: "rsa-pss-sha256", TSAKey: "ec", CertsWithTSA: true},
	} {
		t.Run(name, func(t *testing.T) {
			o := testpki.NewOpenSSLTSA(t, cfg)
			srv := o.Server()
			t.Setenv(keys.PassphraseEnv, "pass phrase")
			dir := t.TempDir()
			key, out := filepath.Join(dir, "doctor.key"), filepath.Join(dir, "case.custody")
			if _, stderr, code := keygenExec(t, "", "keygen", "--out", key); code != 0 {
				t.Fatalf("keygen: exit %d: %s", code, stderr)
			}
			if _, stderr, code := keygenExec(t, "", "export", "--in", testbundle.Sample(), "--key", key, "--tsa", srv.URL, "--out", out); code != 0 {
				t.Fatalf("export refused OpenSSL's answer: exit %d: %s", code, stderr)
			}
			ca := filepath.Join(o.Dir, "ca.pem")
			var stdout, stderr bytes.Buffer
			if code := verifycli.Run([]string{"--trust", ca, out}, &stdout, &stderr); code != 0 {
				t.Fatalf("custody-verify --trust ca.pem: exit %d\n%s%s", code, stdout.String(), stderr.String())
			}
			for _, want := range []string{"PASSED        token seal", "INFO          timestamp 1 token.certificates"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, stdout.String())
				}
			}
			if code := verifycli.Run([]string{out}, &stdout, &stderr); code != 3 {
				t.Errorf("custody-verify without --trust: exit %d, want 3", code)
			}
		})
	}
}
