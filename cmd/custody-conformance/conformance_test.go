package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCustodyVerifyConforms builds custody-verify from this tree and runs
// it over every vector: our verifier reaches every expected verdict, at
// the expected check, with the expected sub-indication.
func TestCustodyVerifyConforms(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "custody-verify")
	if out, err := exec.Command("go", "build", "-o", bin, "../custody-verify").CombinedOutput(); err != nil {
		t.Fatalf("building custody-verify: %v\n%s", err, out)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"-vectors", filepath.Join("..", "..", "testdata", "vectors"), "--", bin, "--json"}, &out, &errOut)
	if code != 0 {
		t.Errorf("custody-conformance exited %d:\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), " 0 differ") {
		t.Errorf("summary: %s", out.String())
	}
	t.Log(strings.TrimSpace(out.String()))
}

// TestRunnerReportsDifferences: a verifier that says PASSED to everything
// is caught, and so is one that cannot be run.
func TestRunnerReportsDifferences(t *testing.T) {
	vectors := filepath.Join("..", "..", "testdata", "vectors", "conformance")
	var out, errOut bytes.Buffer
	if code := run([]string{"-vectors", vectors, "-run", "signature/", "--", "sh", "-c", `echo '{"result":"PASSED","checks":[]}'`}, &out, &errOut); code != 1 {
		t.Errorf("a verifier that passes everything: exit %d, want 1\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "DIFFERS") {
		t.Errorf("no difference reported:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"-vectors", vectors, "-run", "valid/whole\\.", "--", "/nonexistent/verifier"}, &out, &errOut); code != 1 || !strings.Contains(out.String(), "cannot run") {
		t.Errorf("a verifier that cannot run: exit %d\n%s", code, out.String())
	}
	if code := run([]string{"--"}, &out, &errOut); code != 2 {
		t.Errorf("no command: exit %d, want 2", code)
	}
}
