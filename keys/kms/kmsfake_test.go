package kms_test

import (
	"crypto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/verify"
)

// What every fake key service's test checks of a key it holds
// (gcp_test.go, azure_test.go).

// sealsAndVerifies opens the KMS key uri, checks that its public key is
// the one the service holds (want) and that a signature verifies with
// it, then seals a bundle with it (custody export's path) and verifies
// it (custody-verify's) against that key.
func sealsAndVerifies(t *testing.T, fx *testbundle.Fixture, uri string, want crypto.PublicKey) {
	t.Helper()
	s, err := keys.Load(uri, keys.LoadOptions{})
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	if !s.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(want) {
		t.Fatalf("%s: the opened key is not the service's", uri)
	}
	msg := []byte("custody kms test")
	sig, err := s.SignMessage(t.Context(), msg)
	alg, ok := sigalg.ForKey(s.Public())
	if err != nil || !ok || !alg.Verify(s.Public(), msg, sig) {
		t.Fatalf("%s: signature %x: %v; it does not verify with the opened key", uri, sig, err)
	}
	path := fx.ExportWith(t, testbundle.Sample(), custody.Options{Signer: s})
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots, SignerKey: want})
	if err != nil || rep.Result != verify.Passed {
		t.Fatalf("%s: %v, %s: %+v", uri, err, rep.Result, rep.Checks)
	}
}

// refusedAtSignature opens the KMS key uri and checks that sealing with
// it fails with an error holding want, writing no bundle.
func refusedAtSignature(t *testing.T, fx *testbundle.Fixture, uri, want string) {
	t.Helper()
	s, err := keys.Load(uri, keys.LoadOptions{})
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	c, err := conversation.Load(testbundle.Sample())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "refused.custody")
	opts := custody.Options{Signer: s, Out: out, Timestampers: []custody.Timestamper{fx}, Lang: testbundle.Lang}
	_, err = custody.Export(t.Context(), c, opts)
	t.Logf("%s: %v", uri, err)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: %v, want it refused with %q", uri, err, want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s: a bundle was written", uri)
	}
}

// refusedWhenOpened checks that opening the KMS key uri fails with an
// error naming the URI and holding want (the service's error, say).
func refusedWhenOpened(t *testing.T, uri, want string) {
	t.Helper()
	_, err := keys.Load(uri, keys.LoadOptions{})
	t.Logf("%s: %v", uri, err)
	if err == nil || !strings.HasPrefix(err.Error(), uri+": ") || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: %v, want an error naming the URI and %q", uri, err, want)
	}
}
