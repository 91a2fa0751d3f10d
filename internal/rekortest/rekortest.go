// Package rekortest runs the real Rekor v2 log (rekor-tiles' POSIX server,
// at the pinned version) on loopback for tests, with a signing key the
// test makes. We do not write a log of our own: the point of the tests is
// that custody interoperates with the log Sigstore runs.
//
// The server binary is, in this order: $CUSTODY_REKOR_SERVER; a copy
// cached in the user's cache directory; or built there with `go install
// github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix@v2.3.0` (about
// a minute, once). When none works (no network, no module cache), the
// test is skipped, saying why.
package rekortest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/translog"
)

// Version is the pinned rekor-tiles release (v2.4.x needs a dependency
// the module proxy here does not serve).
const Version = "v2.3.0"

const pkg = "github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix"

// Server is a running log.
type Server struct {
	URL         string // http://127.0.0.1:PORT
	Origin      string // the checkpoints' origin line, the key's name
	VerifierKey string // the note verifier key: what --trust-log reads
	Dir         string // the log's tiles and checkpoint (tlog-tiles layout)
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary gives the server's executable, building it once; the test is
// skipped when it cannot be had.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() { binary, buildErr = findOrBuild() })
	if buildErr != nil {
		t.Skipf("the Rekor v2 server (%s@%s) is not available: %v", pkg, Version, buildErr)
	}
	return binary
}

func findOrBuild() (string, error) {
	if p := os.Getenv("CUSTODY_REKOR_SERVER"); p != "" {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "custody-test", "rekor-server-"+Version)
	bin := filepath.Join(dir, "posix")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command("go", "install", pkg+"@"+Version)
	cmd.Dir = os.TempDir() // outside this module: go install pkg@version builds the pinned module alone
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install: %v\n%s", err, out)
	}
	return bin, nil
}

// Start runs a log on loopback until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	pub, keyFile := writeKey(t, dir)
	origin := "rekor.custody.test"
	ports := freePorts(t, 3)
	cmd := exec.Command(bin, "serve",
		"--http-address=127.0.0.1", "--http-port="+ports[0],
		"--grpc-address=127.0.0.1", "--grpc-port="+ports[1], "--http-metrics-port="+ports[2],
		"--hostname="+origin, "--storage-dir="+filepath.Join(dir, "log"), "--signer-filepath="+keyFile,
		"--checkpoint-interval=300ms", "--batch-max-age=50ms")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Skipf("starting the Rekor v2 server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://127.0.0.1:" + ports[0]
	if err := waitHealthy(url); err != nil {
		t.Fatalf("the Rekor v2 server did not start: %v\n%s", err, out.String())
	}
	vkey, err := translog.VerifierKey(origin, pub)
	if err != nil {
		t.Fatal(err)
	}
	return &Server{URL: url, Origin: origin, VerifierKey: vkey, Dir: filepath.Join(dir, "log")}
}

// writeKey makes the log's Ed25519 key, PKCS #8 PEM, as the server reads it.
func writeKey(t testing.TB, dir string) (ed25519.PublicKey, string) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "log-key.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return pub, file
}

func freePorts(t testing.TB, n int) []string {
	var ports []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return ports
}

func waitHealthy(url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer at %s/healthz after 30 s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
