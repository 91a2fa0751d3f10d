package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestReleaseReproducible builds custody-verify for Windows as
// scripts/release does, twice, the second time with an empty build cache
// so that nothing is reused, and requires the same bytes: anyone can
// rebuild a release from its tag and compare it with SHA256SUMS.
func TestReleaseReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles custody-verify twice, once from scratch")
	}
	dir := t.TempDir()
	build := func(name string, env ...string) []byte {
		out := filepath.Join(dir, name)
		cmd := exec.Command("bash", "../../scripts/release-build", "custody-verify", out)
		cmd.Env = append(os.Environ(), append([]string{"GOOS=windows", "GOARCH=amd64", "CUSTODY_VERSION=v0.0.0-test"}, env...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("scripts/release-build: %v\n%s", err, b)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first := build("first.exe")
	second := build("second.exe", "GOCACHE="+filepath.Join(dir, "cache"))
	if !bytes.Equal(first, second) {
		t.Fatalf("two builds of the same commit differ (%d and %d bytes)", len(first), len(second))
	}
	if !bytes.Contains(first, []byte("v0.0.0-test")) {
		t.Error("the version is not stamped into the binary")
	}
}
