package localtsa_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
)

func TestHandler(t *testing.T) {
	_, a := tsatest.NewAuthority(t, time.Time{})
	srv := httptest.NewServer(localtsa.Handler(a))
	defer srv.Close()
	d := sha256.Sum256(nil)
	query := tsatest.MarshalReq(t, rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA256), d[:])})
	cases := []struct {
		name, method, ctype string
		body                []byte
		status              int
	}{
		{"ok", http.MethodPost, rfc3161.QueryType, query, http.StatusOK},
		{"ok with parameters", http.MethodPost, rfc3161.QueryType + "; charset=binary", query, http.StatusOK},
		{"rejection is still 200", http.MethodPost, rfc3161.QueryType, []byte("junk"), http.StatusOK},
		{"GET", http.MethodGet, "", nil, http.StatusMethodNotAllowed},
		{"wrong type", http.MethodPost, "application/octet-stream", query, http.StatusUnsupportedMediaType},
		{"too large", http.MethodPost, rfc3161.QueryType, make([]byte, localtsa.MaxRequestSize+1), http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+"/any/path", bytes.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.status == http.StatusOK {
				if ct := resp.Header.Get("Content-Type"); ct != rfc3161.ReplyType {
					t.Errorf("Content-Type %q", ct)
				}
				var r rfc3161.TimeStampResp
				if rest, err := asn1.Unmarshal(body, &r); err != nil || len(rest) > 0 {
					t.Errorf("body is not a TimeStampResp: %v", err)
				}
			}
		})
	}
}

// Serve stops when its context is done, and lets the request in flight
// finish.
func TestServeShutdown(t *testing.T) {
	_, a := tsatest.NewAuthority(t, time.Time{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- localtsa.Serve(ctx, ln, a) }()
	c := &tsa.Client{URL: "http://" + ln.Addr().String() + "/"}
	if _, err := c.Timestamp(context.Background(), []byte("d")); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := c.Timestamp(context.Background(), []byte("d")); err == nil {
		t.Error("server still answering after shutdown")
	}
}

// TestClientRefusesNonTSACertificate: a token whose signer certificate is
// not a TSA's to RFC 3161 §2.3 (here: the EKU not critical, as Go's x509
// writes it by default) proves no time to a verifier (INDETERMINATE,
// token.eku), so the exporter's client refuses it instead of sealing it.
// (Here, not in package tsa, because it builds an Authority around a
// certificate that LoadAuthority would refuse.)
func TestClientRefusesNonTSACertificate(t *testing.T) {
	root, rootKey := newCA(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "tsa"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root, key.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(localtsa.Handler(localtsa.AuthorityOf(cert, key)))
	defer srv.Close()
	_, err = (&tsa.Client{URL: srv.URL}).Stamp(t.Context(), []byte("signature bytes"))
	if err == nil || !strings.Contains(err.Error(), "token.eku") {
		t.Fatalf("Stamp: %v, want a refusal naming token.eku", err)
	}
}
