package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/digitorus/timestamp"
)

// FuzzCheck feeds arbitrary TSA answers to the client's checks: they must
// never panic, and accept only a token for the request.
func FuzzCheck(f *testing.F) {
	_, a := tsatest.NewAuthority(f, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	r := &Request{Digest: sha256.Sum256([]byte("sig")), Nonce: big.NewInt(424242)}
	query := tsatest.MarshalReq(f, rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA256), r.Digest[:]), Nonce: r.Nonce, CertReq: true})
	good, err := a.Respond(query)
	if err != nil {
		f.Fatal(err)
	}
	rejected, err := a.Respond(query[:len(query)-1])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(rejected)
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, resp []byte) {
		if _, err := check(resp, r); err == nil {
			ts, err := timestamp.ParseResponse(resp)
			if err != nil || ts.Nonce.Cmp(r.Nonce) != 0 || !bytes.Equal(ts.HashedMessage, r.Digest[:]) {
				t.Fatalf("accepted an answer that is not a token for the request: %v", err)
			}
		}
	})
}

// BenchmarkTimestampHTTP is a whole client round trip to a local server:
// request, HTTP, token, checks.
func BenchmarkTimestampHTTP(b *testing.B) {
	_, a := tsatest.NewAuthority(b, time.Time{})
	srv := httptest.NewServer(localtsa.Handler(a))
	defer srv.Close()
	c := &Client{URL: srv.URL}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Timestamp(context.Background(), []byte("manifest.sig")); err != nil {
			b.Fatal(err)
		}
	}
}
