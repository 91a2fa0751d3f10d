package verifycli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/verify"
)

func TestSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Dra. María Núñez, Ελένη, Анна, שרה, مريم", "Dra. María Núñez, Ελένη, Анна, שרה, مريم"},
		{"\x1b[2J\rPASSED", `\x1b[2J\x0dPASSED`},
		{"one\ntwo\ttab", `one\x0atwo\x09tab`},
		{"\u202edcba\u2066x\u2069", "<U+202E>dcba<U+2066>x<U+2069>"},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bad \xff utf-8", `bad \xff utf-8`},
	}
	for _, tt := range tests {
		if got := safe(tt.in); got != tt.want {
			t.Errorf("safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestReportCannotBeForged: strings from a hostile bundle (a certificate
// subject, a check's detail naming it, a custody note) reach the human
// report, but cannot clear the screen, return the cursor, start a line of
// their own or reorder the text.
func TestReportCannotBeForged(t *testing.T) {
	forged := "\x1b[1A\x1b[2K\rPASSED  case.custody\n\u202e"
	rep := &verify.Report{
		Result:     verify.Failed,
		File:       "case.custody",
		Timestamps: []verify.Timestamp{{Time: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), TSA: "Evil TSA" + forged}},
		Checks:     []verify.Check{{Name: "signature", Status: verify.Failed, Detail: "bad signature" + forged}},
		Custody:    []verify.CustodyEvent{{Seq: 1, Time: "2026-11-25T09:00:00Z", Action: "received", Note: "line one" + forged + "\nline two"}},
	}
	rep.Custody[0].Actor.Name = "Dr. X" + forged
	var out bytes.Buffer
	printBundleReport(&out, rep, lang.English)
	text := out.String()
	for i, r := range text {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' {
			t.Fatalf("control or bidi character %U at byte %d of the report:\n%s", r, i, text)
		}
	}
	for _, line := range strings.Split(text, "\n")[1:] {
		if strings.HasPrefix(line, "PASSED") {
			t.Errorf("a forged line starts with PASSED: %q", line)
		}
	}
	if !strings.HasPrefix(text, "FAILED  case.custody\n") {
		t.Errorf("report starts %q", text[:min(40, len(text))])
	}
}

// A note cannot draw lines that look like the report's own: an event's
// key and recognition, another event. It stays on one quoted line.
func TestNoteCannotImitateTheTimeline(t *testing.T) {
	imitation := "Enviado\n       key 0123, recognised as \"Colegio de Médicos\"\n  #2   2026-11-26 09:00:00 UTC  verified           \"Perito judicial\""
	rep := &verify.Report{Result: verify.Passed, File: "case.custody",
		Custody: []verify.CustodyEvent{{Seq: 1, Time: "2026-11-25T09:00:00Z", Action: "transferred", Note: imitation}}}
	var out bytes.Buffer
	printBundleReport(&out, rep, lang.English)
	lines := strings.Split(out.String(), "\n")
	for _, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "key 0123") || strings.HasPrefix(strings.TrimSpace(line), "#2") {
			t.Errorf("the note drew a line of its own: %q\n%s", line, out.String())
		}
	}
	if !strings.Contains(out.String(), `       note "Enviado\n       key 0123, recognised as \"Colegio de Médicos\"\n`) {
		t.Errorf("the note is not quoted on one line:\n%s", out.String())
	}
}
