package localtsa_test

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"math/big"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
	"github.com/digitorus/timestamp"
)

// FuzzRespond feeds arbitrary bytes to Respond: it must never panic and
// always answer a DER TimeStampResp, granted only with a token that matches
// the request, rejected with exactly one failInfo bit. The committed corpus
// in testdata/fuzz/FuzzRespond holds queries made by openssl ts -query.
func FuzzRespond(f *testing.F) {
	d256 := sha256.Sum256([]byte("a"))
	d512 := sha512.Sum512([]byte("a"))
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x00})
	f.Add(tsatest.MarshalReq(f, rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA256), d256[:]), Nonce: big.NewInt(-1), CertReq: true}))
	f.Add(tsatest.MarshalReq(f, rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA512), d512[:]), ReqPolicy: localtsa.PolicyOID}))
	f.Add(tsatest.MarshalReq(f, rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA384), d512[:48]), Nonce: new(big.Int).Lsh(big.NewInt(1), 1000)}))

	_, a := tsatest.NewAuthority(f, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	f.Fuzz(func(t *testing.T, req []byte) {
		resp, err := a.Respond(req)
		if err != nil {
			t.Fatalf("internal error: %v", err)
		}
		var r rfc3161.TimeStampResp
		if rest, err := asn1.Unmarshal(resp, &r); err != nil || len(rest) > 0 {
			t.Fatalf("answer is not a DER TimeStampResp: %v", err)
		}
		switch timestamp.Status(r.Status.Status) {
		case timestamp.Granted:
			var q rfc3161.TimeStampReq
			if _, err := asn1.Unmarshal(req, &q); err != nil {
				t.Fatalf("granted an undecodable request: %v", err)
			}
			ts, err := timestamp.ParseResponse(resp)
			if err != nil {
				t.Fatalf("granted token does not parse: %v", err)
			}
			if !bytes.Equal(ts.HashedMessage, q.MessageImprint.HashedMessage) {
				t.Errorf("imprint %x, request %x", ts.HashedMessage, q.MessageImprint.HashedMessage)
			}
			if (q.Nonce == nil) != (ts.Nonce == nil) || (q.Nonce != nil && q.Nonce.Cmp(ts.Nonce) != 0) {
				t.Errorf("nonce %v, request %v", ts.Nonce, q.Nonce)
			}
		case timestamp.Rejection:
			n := 0
			for _, fi := range rfc3161.Failures {
				n += r.Status.FailInfo.At(int(fi))
			}
			if n != 1 || len(r.TimeStampToken.FullBytes) != 0 {
				t.Errorf("rejection with %d failInfo bits and a %d-byte token", n, len(r.TimeStampToken.FullBytes))
			}
		default:
			t.Errorf("status %d", r.Status.Status)
		}
	})
}

func BenchmarkRespond(b *testing.B) {
	_, a := tsatest.NewAuthority(b, time.Time{})
	d := sha256.Sum256([]byte("manifest.sig"))
	req := tsatest.MarshalReq(b, rfc3161.TimeStampReq{Version: 1, MessageImprint: tsatest.Imprint(tsatest.OIDFor(crypto.SHA256), d[:]), Nonce: big.NewInt(1 << 62), CertReq: true})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Respond(req); err != nil {
			b.Fatal(err)
		}
	}
}
