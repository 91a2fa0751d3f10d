// Package rekortest runs the real Rekor v2 log (rekor-tiles' POSIX server,
// at the pinned version) on loopback for tests, with a signing key made
// for the test (translog/logserver). We do not write a log of our own:
// the point of the tests is that custody interoperates with the log
// Sigstore runs.
//
// The server binary is, in this order: $CUSTODY_REKOR_SERVER; one on PATH
// (logserver.FindBinary); a copy cached in the user's cache directory; or
// built there with `go install
// github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix@v2.3.0` (about
// a minute, once). When none works (no network, no module cache), the
// test is skipped, saying why.
package rekortest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/translog/logserver"
)

// Origin names the test logs.
const Origin = "rekor.custody.test"

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary gives the server's executable, building it once; err says why
// there is none.
func Binary() (string, error) {
	buildOnce.Do(func() { binary, buildErr = findOrBuild() })
	return binary, buildErr
}

func findOrBuild() (string, error) {
	if p := os.Getenv("CUSTODY_REKOR_SERVER"); p != "" {
		return p, nil
	}
	if p, err := logserver.FindBinary(); err == nil {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "custody-test", "rekor-server-"+logserver.Version)
	bin := filepath.Join(dir, "posix")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command("go", "install", logserver.Package+"@"+logserver.Version)
	cmd.Dir = os.TempDir() // outside this module: go install pkg@version builds the pinned module alone
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %v\n%s", logserver.Package, logserver.Version, err, out)
	}
	return bin, nil
}

// Launch starts a log in dir on a free loopback port; the caller stops it.
// A port found free can be taken before the server binds it (a busy
// machine, tests in parallel): a server that does not come up is tried
// again on other ports.
func Launch(dir string) (*logserver.Server, *bytes.Buffer, error) {
	bin, err := Binary()
	if err != nil {
		return nil, nil, err
	}
	for attempt := 1; ; attempt++ {
		srv, out, err := launch(bin, dir)
		if err == nil || attempt == 3 {
			return srv, out, err
		}
	}
}

func launch(bin, dir string) (*logserver.Server, *bytes.Buffer, error) {
	addr, err := logserver.FreeAddr("127.0.0.1")
	if err != nil {
		return nil, nil, err
	}
	var out bytes.Buffer
	srv, err := logserver.Start(context.Background(), logserver.Config{
		Binary: bin, Dir: dir, Origin: Origin, HTTPAddr: addr, CheckpointInterval: 300 * time.Millisecond, Output: &out,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w\n%s", err, out.String())
	}
	return srv, &out, nil
}

// Start runs a log on loopback until the test ends; the test is skipped
// when the server cannot be had.
func Start(t testing.TB) *logserver.Server {
	t.Helper()
	if _, err := Binary(); err != nil {
		t.Skipf("the Rekor v2 server is not available: %v", err)
	}
	srv, _, err := Launch(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}
