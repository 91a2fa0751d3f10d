package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/internal/testpki"
)

// TestFetchRevocation: custody revocation fetch asks the OCSP responder
// and downloads the CRL a certificate names, and keeps what parses as such.
func TestFetchRevocation(t *testing.T) {
	now := time.Now()
	ca := testpki.Issue(t, now, testpki.CA("Fetch CA"), testpki.P256Key(t), nil)
	var leaf *testpki.Cert
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/crl":
			crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now, NextUpdate: now.Add(time.Hour)}, ca.Cert, ca.Key)
			if err != nil {
				t.Error(err)
			}
			w.Write(crl)
		case "/ocsp":
			if _, err := io.ReadAll(r.Body); err != nil {
				t.Error(err)
			}
			resp, err := ocsp.CreateResponse(ca.Cert, ca.Cert, ocsp.Response{Status: ocsp.Good, SerialNumber: leaf.Cert.SerialNumber, ThisUpdate: now, NextUpdate: now.Add(time.Hour)}, ca.Key)
			if err != nil {
				t.Error(err)
			}
			w.Write(resp)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	tmpl := testpki.Leaf("Dra. Núñez")
	tmpl.CRLDistributionPoints, tmpl.OCSPServer = []string{srv.URL + "/crl", srv.URL + "/missing"}, []string{srv.URL + "/ocsp"}
	leaf = testpki.Issue(t, now, tmpl, testpki.P256Key(t), ca)

	got := fetchRevocation(context.Background(), srv.Client(), leaf.Cert, issuerOf(leaf.Cert, []*x509.Certificate{leaf.Cert, ca.Cert}))
	kinds := map[string]int{}
	for _, f := range got {
		if f.err == nil {
			kinds[f.kind]++
		}
	}
	if len(got) != 3 || kinds[custodylog.RevocationOCSP] != 1 || kinds[custodylog.RevocationCRL] != 1 {
		t.Errorf("fetched %d (%v); want one OCSP response, one CRL and one failure (404)", len(got), kinds)
	}
	for _, f := range got {
		if f.err == nil {
			if r, err := classifyRevocation(f.der); err != nil || r.Kind != f.kind {
				t.Errorf("%s: fetched as %s, read back as %s (%v)", f.url, f.kind, r.Kind, err)
			}
		}
	}
}
