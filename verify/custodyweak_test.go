package verify_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestCustodyEventWeakRSAKey: an event signed by an RSA key too short to
// prove anything (1024 bits) is neither forged nor genuine: INDETERMINATE
// (CRYPTO_CONSTRAINTS_FAILURE), and the log goes on, the next event
// chaining through it.
func TestCustodyEventWeakRSAKey(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	expert := newActor(t, "Dra. Vidal", "expert", "ed25519", nil)
	expert.append(t, path, custodylog.Received, "", time.Now())

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	es, err := zipEntries(data)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	e, err := custodylog.Parse(es[testbundle.Find(es, custodylog.EntryName(2, custodylog.PartEvent))].Data)
	if err != nil {
		t.Fatal(err)
	}
	e.Actor.Fingerprint, _ = manifest.Fingerprint(&weak.PublicKey)
	event, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(event)
	sig, err := rsa.SignPKCS1v15(rand.Reader, weak, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := manifest.MarshalPublicKeyPEM(&weak.PublicKey)
	for part, b := range map[string][]byte{custodylog.PartEvent: event, custodylog.PartSignature: sig, custodylog.PartKey: pub} {
		es[testbundle.Find(es, custodylog.EntryName(2, part))].Data = b
	}
	path = filepath.Join(t.TempDir(), "weak.custody")
	if err := os.WriteFile(path, testbundle.WriteEntries(t, es), 0o600); err != nil {
		t.Fatal(err)
	}
	expert.append(t, path, custodylog.Reviewed, "", time.Now())

	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if c := findCheck(rep, "custody 2"); rep.Result != verify.Indeterminate || c == nil || c.Status != verify.Indeterminate || c.Sub != verify.CryptoConstraintsFailure {
		t.Fatalf("result %s, custody 2 %+v", rep.Result, c)
	}
	if c := findCheck(rep, "custody 3"); c == nil || c.Status != verify.Passed {
		t.Errorf("custody 3 %+v, want PASSED: it chains through event 2", c)
	}
}
