package monitor_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/custody-toolkit/custody/internal/rekortest"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/translog"
	"github.com/custody-toolkit/custody/translog/logserver"
	"github.com/custody-toolkit/custody/translog/monitor"
	"github.com/custody-toolkit/custody/translog/rekor"
)

// seal logs a seal of manifest by key in srv, as export --rekor does.
func seal(t *testing.T, srv *logserver.Server, key ed25519.PrivateKey, manifest string) {
	t.Helper()
	st, err := translog.NewStatement([]byte(manifest), ed25519.Sign(key, []byte(manifest)), key.Public())
	if err == nil {
		err = st.SignPrehashed(key)
	}
	if err == nil {
		_, err = (&rekor.Log{URL: srv.URL}).Submit(context.Background(), st)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestMonitorRealLog: in the real Rekor v2 log, the monitor finds the two
// seals one key made and none by a key that made none; it keeps the
// checkpoints, proves the next one consistent, and reports a fork.
func TestMonitorRealLog(t *testing.T) {
	srv := rekortest.Start(t)
	_, doctor, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	_, idle, _ := ed25519.GenerateKey(rand.Reader)
	seal(t, srv, doctor, `{"n":1}`)
	seal(t, srv, other, `{"n":2}`)
	seal(t, srv, doctor, `{"n":3}`)
	trusted, err := translog.ParseTrusted([]byte(srv.VerifierKey))
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	run := func(key ed25519.PrivateKey) *monitor.Result {
		t.Helper()
		fp, _ := sigalg.Fingerprint(key.Public())
		res, err := monitor.Run(context.Background(), monitor.Options{Log: srv.TilesDir, Trusted: trusted, Signer: fp, StateDir: state, CheckConsistency: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(doctor)
	want3 := sha512hex(`{"n":3}`)
	if len(res.Seals) != 2 || res.Seals[0].Index != 0 || res.Seals[1].Index != 2 || res.Seals[1].Digest != want3 || res.Read != 3 {
		t.Errorf("doctor's seals: %+v (read %d)", res.Seals, res.Read)
	}
	if res := run(idle); len(res.Seals) != 0 || res.Fork != nil {
		t.Errorf("a key that sealed nothing: %+v, fork %v", res.Seals, res.Fork)
	}
	seal(t, srv, other, `{"n":4}`)
	if res := run(doctor); res.Fork != nil || !strings.Contains(res.Consistency, "consistent with the checkpoint of size 3") {
		t.Errorf("after one more entry: %q, fork %v", res.Consistency, res.Fork)
	}
	// The monitor had seen another history of size 4, signed by the
	// log's key: the next checkpoint cannot extend both.
	forkCheckpoint(t, srv, filepath.Join(state, rekortest.Origin, "4.checkpoint"))
	seal(t, srv, other, `{"n":5}`)
	if res := run(doctor); res.Fork == nil || !strings.Contains(res.Fork.Error(), "FORK") {
		t.Errorf("fork not reported: %q, %v", res.Consistency, res.Fork)
	}
}

// forkCheckpoint writes a checkpoint of size 4 with a made-up root,
// signed by the log's own key.
func forkCheckpoint(t *testing.T, srv *logserver.Server, path string) {
	skey := noteSignerKey(t, srv)
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	root := sha256.Sum256([]byte("another history"))
	cp := log.Checkpoint{Origin: srv.Origin, Size: 4, Hash: root[:]}
	signed, err := note.Sign(&note.Note{Text: string(cp.Marshal())}, signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, signed, 0o600); err != nil {
		t.Fatal(err)
	}
}

func sha512hex(s string) string {
	st, _ := translog.NewStatement([]byte(s), nil, ed25519.PublicKey(make([]byte, 32)))
	return hex.EncodeToString(st.Digest)
}

// noteSignerKey is the note signer key of the log's own Ed25519 key
// (x/mod's encoding: PRIVATE+KEY+name+hash+base64(1 || seed)).
func noteSignerKey(t *testing.T, srv *logserver.Server) string {
	data, err := os.ReadFile(srv.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(srv.VerifierKey, "+") // name+hash+key
	seed := key.(ed25519.PrivateKey).Seed()
	return "PRIVATE+KEY+" + parts[0] + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, seed...))
}
