package tsa

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/digitorus/timestamp"
)

func TestClientSuccess(t *testing.T) {
	dir, a := tsatest.NewAuthority(t, time.Time{})
	srv := httptest.NewServer(localtsa.Handler(a))
	defer srv.Close()
	data := []byte("signature bytes")
	r, err := NewRequest(data)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{URL: srv.URL}
	st, err := c.Do(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	resp := st.Response
	ts, err := timestamp.ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	// The stamp carries the token inside the response, read once.
	if !bytes.Equal(st.Token, ts.RawToken) || !st.Time.Equal(ts.Time) || st.SignerCert == nil {
		t.Errorf("stamp: token %d bytes (want %d), time %v (want %v), signer %v", len(st.Token), len(ts.RawToken), st.Time, ts.Time, st.SignerCert)
	}
	if d := sha256.Sum256(data); !bytes.Equal(ts.HashedMessage, d[:]) || ts.Nonce.Cmp(r.Nonce) != 0 {
		t.Errorf("token imprint %x nonce %v, want %x %v", ts.HashedMessage, ts.Nonce, d, r.Nonce)
	}
	if r.Nonce.BitLen() < 64 {
		t.Errorf("nonce %v has fewer than 64 bits", r.Nonce)
	}
	// What the client keeps verifies with openssl against the root.
	work := t.TempDir()
	out := tsatest.OpenSSL(t, "ts", "-verify", "-data", tsatest.WriteFile(t, filepath.Join(work, "data"), data),
		"-in", tsatest.WriteFile(t, filepath.Join(work, "r.tsr"), resp), "-CAfile", filepath.Join(dir, localtsa.RootFile))
	if !strings.Contains(out, "Verification: OK") {
		t.Errorf("openssl ts -verify: %s", out)
	}

	// Timestamp draws a fresh nonce each time.
	r1, err := c.Timestamp(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := c.Timestamp(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	t1, _ := timestamp.ParseResponse(r1)
	t2, _ := timestamp.ParseResponse(r2)
	if t1.Nonce.Cmp(t2.Nonce) == 0 {
		t.Error("two requests carried the same nonce")
	}
}

func TestClientFailures(t *testing.T) {
	_, a := tsatest.NewAuthority(t, time.Time{})
	_, expired := tsatest.NewAuthority(t, time.Now().AddDate(50, 0, 0))

	var once sync.Once
	var first []byte
	cases := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
		want    []string
	}{
		{"HTTP 500", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, 0, []string{"HTTP 500"}},
		{"HTML page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>captive portal</html>")
		}, 0, []string{"Content-Type", "text/html"}},
		{"garbage", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", rfc3161.ReplyType)
			io.WriteString(w, "garbage")
		}, 0, []string{"not a DER TimeStampResp"}},
		{"too large", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", rfc3161.ReplyType)
			w.Write(make([]byte, maxResponseSize+1))
		}, 0, []string{"larger than"}},
		{"too slow", func(w http.ResponseWriter, r *http.Request) {
			// Reading the body lets the server notice the client leave.
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, 100 * time.Millisecond, []string{"no answer within 100ms"}},
		{"rejection", localtsa.Handler(expired).ServeHTTP, 0,
			[]string{"refused", "PKIStatus rejection", "failInfo systemFailure", "system failure", "not valid at"}},
		{"replayed answer", func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { first = respond(t, a, r, nil) })
			reply(w, first)
		}, 0, []string{"token.nonce", "differs from the request's"}},
		{"other imprint", func(w http.ResponseWriter, r *http.Request) {
			reply(w, respond(t, a, r, func(q *rfc3161.TimeStampReq) { q.MessageImprint.HashedMessage[0] ^= 1 }))
		}, 0, []string{"imprint"}},
		{"tampered token", func(w http.ResponseWriter, r *http.Request) {
			resp := respond(t, a, r, nil)
			resp[len(resp)-1] ^= 1 // in the signature value
			reply(w, resp)
		}, 0, []string{"invalid token", "token.signature"}},
		{"no certificate", func(w http.ResponseWriter, r *http.Request) {
			reply(w, respond(t, a, r, func(q *rfc3161.TimeStampReq) { q.CertReq = false }))
		}, 0, []string{"no certificate of its signer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			cl := &Client{URL: srv.URL + "/tsa", Timeout: c.timeout}
			if c.name == "replayed answer" { // the first exchange is genuine
				if _, err := cl.Timestamp(context.Background(), []byte("d")); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			resp, err := cl.Timestamp(context.Background(), []byte("d"))
			if err == nil {
				t.Fatalf("no error; response %x", resp)
			}
			t.Log(err)
			for _, w := range append(c.want, srv.URL+"/tsa") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

func TestClientConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := &Client{URL: "http://user:secret@" + addr + "/"}
	_, err = c.Timestamp(context.Background(), []byte("d"))
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	msg := err.Error()
	t.Log(msg)
	if !strings.Contains(msg, addr) || !strings.Contains(msg, "connection refused") || !strings.Contains(msg, "cannot reach") {
		t.Errorf("error %q should name %s and say connection refused", msg, addr)
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("error %q leaks the URL's password", msg)
	}
}

func TestClientRequestWithoutNonce(t *testing.T) {
	_, err := (&Client{URL: "http://127.0.0.1:1/"}).Do(context.Background(), &Request{})
	if err == nil || !strings.Contains(err.Error(), "no nonce") {
		t.Errorf("Do without a nonce: %v", err)
	}
}

func TestClientBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://example.org/", "127.0.0.1:3161", "http://[::1"} {
		if _, err := (&Client{URL: u}).Timestamp(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "URL") {
			t.Errorf("URL %q: error %v", u, err)
		}
	}
}

// respond answers an HTTP time-stamp query with a, after edit changes the
// request: a misbehaving TSA.
func respond(t *testing.T, a *localtsa.Authority, r *http.Request, edit func(*rfc3161.TimeStampReq)) []byte {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Error(err)
		return nil
	}
	if edit != nil {
		var q rfc3161.TimeStampReq
		if _, err := asn1.Unmarshal(body, &q); err != nil {
			t.Error(err)
			return nil
		}
		edit(&q)
		body = tsatest.MarshalReq(t, q)
	}
	resp, err := a.Respond(body)
	if err != nil {
		t.Error(err)
	}
	return resp
}

func reply(w http.ResponseWriter, resp []byte) {
	w.Header().Set("Content-Type", rfc3161.ReplyType)
	w.Write(resp)
}

// The client accepts tokens from a TSA it was not written with: openssl ts
// -reply, signing with the key and certificate made by Init (openssl also
// refuses a signer certificate unfit for time stamping).
func TestClientAgainstOpenSSLTSA(t *testing.T) {
	dir, _ := tsatest.NewAuthority(t, time.Time{})
	work := t.TempDir()
	tsatest.WriteFile(t, filepath.Join(work, "serial"), []byte("01\n"))
	cnf := tsatest.WriteFile(t, filepath.Join(work, "tsa.cnf"), []byte(`
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = `+filepath.Join(work, "serial")+`
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
`))
	var mu sync.Mutex // one openssl at a time: they share the serial file
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		query := tsatest.WriteFile(t, filepath.Join(work, "q.tsq"), body)
		out := filepath.Join(work, "r.tsr")
		if msg, err := tsatest.RunOpenSSL(t, "ts", "-reply", "-config", cnf, "-queryfile", query,
			"-signer", filepath.Join(dir, localtsa.CertFile), "-inkey", filepath.Join(dir, localtsa.KeyFile), "-out", out); err != nil {
			t.Errorf("openssl ts -reply: %v\n%s", err, msg)
			http.Error(w, "openssl failed", http.StatusInternalServerError)
			return
		}
		reply(w, tsatest.ReadFile(t, out))
	}))
	defer srv.Close()
	r, err := NewRequest([]byte("sig"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := (&Client{URL: srv.URL}).Do(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := timestamp.ParseResponse(st.Response)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Nonce.Cmp(r.Nonce) != 0 || !ts.Policy.Equal(asn1.ObjectIdentifier{1, 2, 3, 4, 1}) {
		t.Errorf("token from openssl: nonce %v policy %v", ts.Nonce, ts.Policy)
	}
}
