package rekor_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/custody-toolkit/custody/internal/rekortest"
	"github.com/custody-toolkit/custody/translog"
	"github.com/custody-toolkit/custody/translog/rekor"
)

// TestSubmitRealLog logs a seal made with each key type in the real
// Rekor v2 server and verifies what it answered, offline, with the log's key.
func TestSubmitRealLog(t *testing.T) {
	srv := rekortest.Start(t)
	trusted, err := translog.ParseTrusted([]byte(srv.VerifierKey + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	manifest := []byte(`{"format":"custody.bundle/v4"}`)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	digest := sha256.Sum256(manifest)
	ecSig, _ := ecKey.Sign(rand.Reader, digest[:], nil)
	for name, tc := range map[string]struct {
		pub  any
		sig  []byte
		sign func(*translog.Statement) error
	}{
		"ed25519": {edKey.Public(), ed25519.Sign(edKey, manifest), func(st *translog.Statement) error { return st.SignPrehashed(edKey) }},
		"ecdsa":   {ecKey.Public(), ecSig, func(*translog.Statement) error { return nil }},
	} {
		t.Run(name, func(t *testing.T) {
			st, err := translog.NewStatement(manifest, tc.sig, tc.pub)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.sign(st); err != nil {
				t.Fatal(err)
			}
			log := &rekor.Log{URL: srv.URL}
			data, err := log.Submit(context.Background(), st)
			if err != nil {
				t.Fatal(err)
			}
			entry, err := translog.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			p, err := translog.Verify(entry, st, trusted)
			if err != nil {
				t.Fatal(err)
			}
			if p.Origin != srv.Origin || p.KeyName != srv.Origin || p.TreeSize < uint64(p.Index)+1 {
				t.Errorf("proof %+v", p)
			}
			_, otherKey, _ := note.GenerateKey(rand.Reader, srv.Origin) // same name, another key
			other, _ := note.NewVerifier(otherKey)
			if _, err := translog.Verify(entry, st, []note.Verifier{other}); err == nil || translog.AsProblem(err).Status != "INDETERMINATE" {
				t.Errorf("untrusted log key: %v", err)
			}
		})
	}
}

// TestSubmitUnreachable: a log that does not answer fails the submission,
// naming the log.
func TestSubmitUnreachable(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	st, _ := translog.NewStatement([]byte("{}"), nil, edKey.Public())
	_ = st.SignPrehashed(edKey)
	_, err := (&rekor.Log{URL: "http://127.0.0.1:1"}).Submit(context.Background(), st)
	if err == nil || !strings.Contains(err.Error(), "http://127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
}
