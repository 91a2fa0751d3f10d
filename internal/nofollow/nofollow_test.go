package nofollow_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/nofollow"
)

func TestOpen(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "doctor.key")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mustMkdir(t, filepath.Join(dir, "media"))
	mustWrite(t, filepath.Join(dir, "media", "ok.jpg"), "photo")
	must(t, os.Symlink(secret, filepath.Join(dir, "media", "key.jpg")))
	must(t, os.Symlink(outside, filepath.Join(dir, "linked")))
	must(t, os.Symlink("ok.jpg", filepath.Join(dir, "media", "inside.jpg"))) // stays inside: still a link

	f, info, err := nofollow.Open(dir, "media/ok.jpg")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(f)
	f.Close()
	if string(data) != "photo" || info.Size() != 5 {
		t.Errorf("read %q, size %d", data, info.Size())
	}
	for rel, want := range map[string]string{
		"media/key.jpg":     "media/key.jpg is a symbolic link",
		"linked/doctor.key": "linked is a symbolic link",
		"media/inside.jpg":  "media/inside.jpg is a symbolic link",
		"../outside":        "leaves the folder",
		"media":             "is not a regular file",
		"media/none.jpg":    "does not exist",
	} {
		if _, _, err := nofollow.Open(dir, rel); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%s): %v, want %q", rel, err, want)
		}
		if _, err := nofollow.Stat(dir, rel); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Stat(%s): %v, want %q", rel, err, want)
		}
	}
	var le *nofollow.LinkError
	if _, err := nofollow.Stat(dir, "media/key.jpg"); !errors.As(err, &le) {
		t.Errorf("a link is not a *LinkError: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustMkdir(t *testing.T, p string)       { must(t, os.Mkdir(p, 0o755)) }
func mustWrite(t *testing.T, p, data string) { must(t, os.WriteFile(p, []byte(data), 0o644)) }
