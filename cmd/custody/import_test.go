package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
)

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "_chat.txt")
	os.WriteFile(src, []byte("[02/03/2024, 10:00:00] Dra. Lucía Ferrer: hola\n[01/03/2024, 09:00:00] Tomás Ibarra: antes\n[15/03/2024, 09:00:00] Tomás Ibarra: foto\n"), 0o644)
	out := filepath.Join(dir, "case")
	stdout, stderr, code := keygenExec(t, "", "import", "--in", src, "--out", out, "--tz", "Europe/Madrid", "--clinician", "Dra. Lucía Ferrer")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, out) || !strings.Contains(stderr, "warning: line 2") {
		t.Errorf("stdout %q, stderr %q (want the backwards time reported)", stdout, stderr)
	}
	c, err := conversation.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != "Europe/Madrid" || c.Messages[0].Time != "2024-03-02T10:00:00+01:00" || c.Participants[0].Role != "clinician" {
		t.Errorf("zone %q, time %s, participants %+v", c.TimeZone, c.Messages[0].Time, c.Participants)
	}

	// Writing over the result is refused; nothing changes.
	if _, stderr, code := keygenExec(t, "", "import", "--in", src, "--out", out); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("existing --out: exit %d, %q", code, stderr)
	}
	junk := filepath.Join(dir, "notes.bin")
	os.WriteFile(junk, []byte{0, 1, 2}, 0o644)
	if _, stderr, code := keygenExec(t, "", "import", "--in", junk, "--out", filepath.Join(dir, "x")); code != 1 || !strings.Contains(stderr, "expected a WhatsApp export") {
		t.Errorf("junk: exit %d, %q", code, stderr)
	}
}

func TestImportUsage(t *testing.T) {
	for _, args := range [][]string{
		{"import", "--out", "x"},
		{"import", "--in", "x"},
		{"import", "--in", "x", "--out", "y", "--date-order", "dym"},
		{"import", "--in", "x", "--out", "y", "--format", "signal"},
		{"import", "--in", "x", "--out", "y", "--pseudonymize"},
		{"import", "--in", "x", "--out", "y", "--secret-file", "s"},
		{"import", "--in", "x", "--out", "y", "--no-such-flag"},
	} {
		if _, _, code := keygenExec(t, "", args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

func TestAddImportFlags(t *testing.T) {
	cmd := newImportCmd()
	for _, name := range []string{"format", "date-order", "tz", "chat", "pseudonymize", "secret-file", "clinician", "roles", "default-role"} {
		if cmd.Flags().Lookup(name) == nil {
			t.Errorf("flag --%s missing", name)
		}
	}
	if err := cmd.Flags().Parse([]string{"--clinician", "A", "--clinician", "B", "--tz", "UTC"}); err != nil {
		t.Fatal(err)
	}
	if got := cmd.Flags().Lookup("clinician").Value.String(); got != "[A,B]" {
		t.Errorf("repeated --clinician: %s", got)
	}
}
