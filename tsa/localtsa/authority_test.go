package localtsa_test

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"math/big"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
	"github.com/digitorus/timestamp"
)

// openssl makes the queries and checks our tokens: chain to root.pem,
// critical timeStamping EKU, ESSCertIDv2, signature, imprint and nonce.
func TestRespondOpenSSL(t *testing.T) {
	dir, a := tsatest.NewAuthority(t, time.Time{})
	work := t.TempDir()
	data := tsatest.WriteFile(t, filepath.Join(work, "data"), []byte("manifest.sig bytes\n"))
	for _, alg := range []string{"sha256", "sha384", "sha512"} {
		t.Run(alg, func(t *testing.T) {
			query := filepath.Join(work, alg+".tsq")
			reply := filepath.Join(work, alg+".tsr")
			tsatest.OpenSSL(t, "ts", "-query", "-data", data, "-"+alg, "-cert", "-out", query)
			resp, err := a.Respond(tsatest.ReadFile(t, query))
			if err != nil {
				t.Fatal(err)
			}
			tsatest.WriteFile(t, reply, resp)

			out := tsatest.OpenSSL(t, "ts", "-verify", "-data", data, "-in", reply, "-CAfile", filepath.Join(dir, localtsa.RootFile))
			if !strings.Contains(out, "Verification: OK") {
				t.Errorf("openssl ts -verify -data: %s", out)
			}
			// -queryfile also compares the nonce and the imprint.
			out = tsatest.OpenSSL(t, "ts", "-verify", "-queryfile", query, "-in", reply, "-CAfile", filepath.Join(dir, localtsa.RootFile))
			if !strings.Contains(out, "Verification: OK") {
				t.Errorf("openssl ts -verify -queryfile: %s", out)
			}

			qtext := tsatest.OpenSSL(t, "ts", "-query", "-in", query, "-text")
			rtext := tsatest.OpenSSL(t, "ts", "-reply", "-in", reply, "-text")
			nonce := field(t, qtext, "Nonce")
			if got := field(t, rtext, "Nonce"); got != nonce {
				t.Errorf("reply nonce %s, query nonce %s", got, nonce)
			}
			if got := field(t, rtext, "Policy OID"); !strings.Contains(got, localtsa.Policy) {
				t.Errorf("policy %q, want %s", got, localtsa.Policy)
			}
			if got := field(t, rtext, "Hash Algorithm"); got != alg {
				t.Errorf("hash algorithm %q, want %s", got, alg)
			}
			if got := field(t, rtext, "Accuracy"); got != "0x01 seconds, unspecified millis, unspecified micros" {
				t.Errorf("accuracy %q", got)
			}
			if got := field(t, rtext, "Time stamp"); !strings.HasSuffix(got, " GMT") {
				t.Errorf("genTime %q not in UTC", got)
			}
			if got := field(t, rtext, "Status"); got != "Granted." {
				t.Errorf("status %q", got)
			}
		})
	}
}

// A SHA-1 query from openssl is rejected in the RFC 3161 way: a
// TimeStampResp with status rejection and failInfo badAlg.
func TestRespondRejectsSHA1OpenSSL(t *testing.T) {
	_, a := tsatest.NewAuthority(t, time.Time{})
	work := t.TempDir()
	data := tsatest.WriteFile(t, filepath.Join(work, "data"), []byte("x"))
	query := filepath.Join(work, "q.tsq")
	tsatest.OpenSSL(t, "ts", "-query", "-data", data, "-sha1", "-cert", "-out", query)
	resp, err := a.Respond(tsatest.ReadFile(t, query))
	if err != nil {
		t.Fatal(err)
	}
	rtext := tsatest.OpenSSL(t, "ts", "-reply", "-in", tsatest.WriteFile(t, filepath.Join(work, "r.tsr"), resp), "-text")
	if got := field(t, rtext, "Status"); got != "Rejected." {
		t.Errorf("status %q, want Rejected.", got)
	}
	if got := field(t, rtext, "Failure info"); got != "unrecognized or unsupported algorithm identifier" {
		t.Errorf("failure info %q", got)
	}
}

// field returns the value of "Name: value" in openssl's text output.
func field(t *testing.T, text, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `: *(.*)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %q in openssl output:\n%s", name, text)
	}
	return strings.TrimSpace(m[1])
}

func TestRespondToken(t *testing.T) {
	// A clock in another zone, with nanoseconds: genTime must come out UTC
	// and whole seconds.
	clock := time.Date(2031, 3, 4, 5, 6, 7, 890_000_000, time.FixedZone("CET", 3600))
	_, a := tsatest.NewAuthority(t, time.Time{})
	a.Now = func() time.Time { return clock }
	digest := sha256.Sum256([]byte("data"))
	nonce := new(big.Int).Lsh(big.NewInt(0xdeadbeef), 100)

	for _, certReq := range []bool{true, false} {
		req := tsatest.MarshalReq(t, rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA256), digest[:]), Nonce: nonce, CertReq: certReq})
		resp, err := a.Respond(req)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := timestamp.ParseResponse(resp)
		if err != nil {
			t.Fatal(err)
		}
		if !ts.Time.Equal(clock.Truncate(time.Second)) || ts.Time.Location() != time.UTC {
			t.Errorf("genTime %v, want %v in UTC", ts.Time, clock.UTC().Truncate(time.Second))
		}
		if ts.Nonce.Cmp(nonce) != 0 {
			t.Errorf("nonce %v, want %v", ts.Nonce, nonce)
		}
		if ts.Accuracy != time.Second || !ts.Policy.Equal(localtsa.PolicyOID) || ts.SerialNumber.BitLen() < 128-16 {
			t.Errorf("accuracy %v, policy %v, serial %v", ts.Accuracy, ts.Policy, ts.SerialNumber)
		}
		if got := len(ts.Certificates); (got == 1) != certReq {
			t.Errorf("certReq %v: %d certificates embedded", certReq, got)
		}
	}
}

func TestRespondRejections(t *testing.T) {
	_, a := tsatest.NewAuthority(t, time.Time{})
	d256 := sha256.Sum256(nil)
	d1 := sha1.Sum(nil)
	oidMD5 := asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}
	good := rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA256), d256[:])}
	valid := tsatest.MarshalReq(t, good)
	with := func(f func(*rfc3161.TimeStampReq)) []byte {
		q := good
		f(&q)
		return tsatest.MarshalReq(t, q)
	}
	cases := []struct {
		name string
		req  []byte
		fail timestamp.FailureInfo
	}{
		{"empty", nil, timestamp.BadDataFormat},
		{"garbage", []byte("GET / HTTP/1.1\r\n"), timestamp.BadDataFormat},
		{"trailing data", append(append([]byte{}, valid...), 0), timestamp.BadDataFormat},
		{"truncated", valid[:len(valid)-1], timestamp.BadDataFormat},
		{"version 2", with(func(q *rfc3161.TimeStampReq) { q.Version = 2 }), timestamp.BadRequest},
		{"sha1", with(func(q *rfc3161.TimeStampReq) { q.MessageImprint = tsatest.Imprint(tsatest.OIDFor(crypto.SHA1), d1[:]) }), timestamp.BadAlgorithm},
		{"md5", with(func(q *rfc3161.TimeStampReq) { q.MessageImprint = tsatest.Imprint(oidMD5, make([]byte, 16)) }), timestamp.BadAlgorithm},
		{"short digest", with(func(q *rfc3161.TimeStampReq) { q.MessageImprint.HashedMessage = d256[:31] }), timestamp.BadDataFormat},
		{"other policy", with(func(q *rfc3161.TimeStampReq) { q.ReqPolicy = asn1.ObjectIdentifier{1, 2, 3, 4, 1} }), timestamp.UnacceptedPolicy},
		{"extension", with(func(q *rfc3161.TimeStampReq) {
			q.Extensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte{5, 0}}}
		}), timestamp.UnacceptedExtension},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := a.Respond(c.req)
			if err != nil {
				t.Fatal(err)
			}
			var r rfc3161.TimeStampResp
			if rest, err := asn1.Unmarshal(resp, &r); err != nil || len(rest) > 0 {
				t.Fatalf("not a DER TimeStampResp: %v", err)
			}
			if r.Status.Status != int(timestamp.Rejection) || len(r.TimeStampToken.FullBytes) != 0 {
				t.Errorf("status %d with token %v, want a rejection", r.Status.Status, len(r.TimeStampToken.FullBytes) > 0)
			}
			for _, f := range rfc3161.Failures {
				if got := r.Status.FailInfo.At(int(f)) == 1; got != (f == c.fail) {
					t.Errorf("failInfo bit %v (%v) = %v", int(f), f, got)
				}
			}
			if r.Status.Text() == "" {
				t.Error("no status text")
			}
		})
	}
	// Asking for our own policy is fine.
	resp, err := a.Respond(with(func(q *rfc3161.TimeStampReq) { q.ReqPolicy = localtsa.PolicyOID }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := timestamp.ParseResponse(resp); err != nil {
		t.Errorf("request for policy %s: %v", localtsa.Policy, err)
	}
}

// Outside the TSA certificate's validity the authority refuses to issue a
// token that no verifier would accept.
func TestRespondOutsideCertificateValidity(t *testing.T) {
	_, a := tsatest.NewAuthority(t, time.Now().AddDate(50, 0, 0))
	d := sha256.Sum256(nil)
	resp, err := a.Respond(tsatest.MarshalReq(t, rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA256), d[:])}))
	if err != nil {
		t.Fatal(err)
	}
	var r rfc3161.TimeStampResp
	if _, err := asn1.Unmarshal(resp, &r); err != nil {
		t.Fatal(err)
	}
	if r.Status.Status != int(timestamp.Rejection) || r.Status.FailInfo.At(int(timestamp.SystemFailure)) != 1 {
		t.Errorf("status %v, want a rejection with systemFailure", r.Status.Describe())
	}
}
