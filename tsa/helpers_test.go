package tsa

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// newTestAuthority creates an authority in a temporary directory, with its
// clock fixed at now (zero: the real clock).
func newTestAuthority(t testing.TB, now time.Time) (dir string, a *Authority) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "tsa")
	if err := Init(dir); err != nil {
		t.Fatal(err)
	}
	a, err := LoadAuthority(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !now.IsZero() {
		a.Now = func() time.Time { return now }
	}
	return dir, a
}

// openssl runs the openssl command line tool, skipping the test if it is
// missing, and returns its standard output; a non-zero exit fails the test.
func openssl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runOpenSSL(t, args...)
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return out
}

func runOpenSSL(t *testing.T, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	var out bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return out.String(), err
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
