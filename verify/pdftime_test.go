package verify_test

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/verify"
)

// TestPDFSigningTime (issue 13, item 5): the standalone PDF's signature
// timestamp proves when the signature existed; a signer certificate not
// valid then, or a claimed signing time after it, is reported, and the
// verdict is INDETERMINATE: nothing sealed is proven altered.
func TestPDFSigningTime(t *testing.T) {
	t.Parallel()
	rendering, sign, check := standaloneSignerAs(t, testbundle.Sample(), custody.Options{}, "")
	now := time.Now()
	doctor := func(notBefore, notAfter time.Time) func(*pdfseal.Options) {
		return func(o *pdfseal.Options) {
			rootKey := testpki.P256Key(t)
			root := testpki.Issue(t, now, testpki.CA("Colegio de Médicos"), rootKey, nil)
			tmpl := testpki.Leaf("Dra. Núñez")
			tmpl.NotBefore, tmpl.NotAfter = notBefore, notAfter
			leaf := testpki.Issue(t, now, tmpl, o.Signer.Key(), root)
			var err error
			if o.Signer, err = o.Signer.WithChain([]*x509.Certificate{leaf.Cert, root.Cert}); err != nil {
				t.Fatal(err)
			}
		}
	}
	at := func(when time.Time) func(*pdfseal.Options) { return func(o *pdfseal.Options) { o.Time = when } }
	tests := []struct {
		name   string
		edits  []func(*pdfseal.Options)
		status verify.Status
		sub    verify.SubIndication
		detail string
	}{
		{"the exporter's PDF", nil, verify.Passed, "", "valid at"},
		{"the doctor's certificate, valid", []func(*pdfseal.Options){doctor(now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))}, verify.Passed, "", "valid at"},
		{"the doctor's certificate expired before the timestamp", []func(*pdfseal.Options){at(now.Add(-2 * time.Hour)), doctor(now.AddDate(-1, 0, 0), now.Add(-time.Hour))},
			verify.Indeterminate, verify.OutOfBoundsNoPOE, "expired on"},
		{"a signing time claimed after the timestamp", []func(*pdfseal.Options){at(now.Add(time.Hour)), doctor(now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0))},
			verify.Indeterminate, verify.TimestampOrderFailure, "after the time its timestamp proves"},
		{"a certificate issued after the timestamp", []func(*pdfseal.Options){at(now.Add(time.Hour))},
			verify.Indeterminate, verify.TimestampOrderFailure, "is valid only from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(t, sign(t, rendering, tt.edits...))
			c := findCheck(r, verify.CheckPDFSigningTime)
			if r.Result != tt.status || c == nil || c.Status != tt.status || c.Sub != tt.sub || !strings.Contains(c.Detail, tt.detail) {
				t.Fatalf("%s: %+v", r.Result, c)
			}
		})
	}
}
