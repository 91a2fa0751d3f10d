package reportpdf

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/verify"
)

func sampleInput() Input {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	rep := &verify.Report{Result: verify.Failed, Format: "custody.bundle/v2", Messages: 2, Total: 5,
		Signer:     verify.Signer{Fingerprint: strings.Repeat("ab", 32), Algorithm: "ecdsa-p256-sha256"},
		Timestamps: []verify.Timestamp{{Time: at, TSA: "CN=TSA", Trusted: true}},
		Disclosure: &verify.Disclosure{Disclosed: 2, Total: 5, Withheld: []verify.WithheldRange{{From: 0, To: 2, Count: 3}}},
		Checks: []verify.Check{
			{Name: "files", Status: verify.Failed, Detail: "messages/000001.json: SHA-256 " + strings.Repeat("0", 64) + ", the manifest says … (altered)"},
			{Name: "chain", Status: verify.Passed, Detail: "hash chain intact 👍 \u202eevil\u202c"},
		}}
	return Input{Report: rep, File: "case.custody", Verifier: "custody-verify v1 go1.27.3", Time: at}
}

// TestDeterministic: the same report, verifier and time give the same
// bytes, so that a report can be rebuilt and compared.
func TestDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, sampleInput()); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, sampleInput()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two reports of the same input differ")
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF-")) || bytes.Contains(a.Bytes(), []byte("/CreationDate")) {
		t.Error("not a PDF without a creation date")
	}
}

// TestPrintable: what the fonts cannot draw, and the controls that would
// reorder the report's lines, are shown as code points, never dropped.
func TestPrintable(t *testing.T) {
	got := printable("ok 👍 \u202eevil\u202c\x1b[2J é α я\nnext")
	want := "ok [U+1F44D] [U+202E]evil[U+202C][U+001B][2J é α я\nnext"
	if got != want {
		t.Errorf("printable = %q, want %q", got, want)
	}
}

// TestIntakeShown: the report says why the bundle was exported, as the
// text report does (pdftotext, when installed, reads the page).
func TestIntakeShown(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed")
	}
	in := sampleInput()
	in.Report.Intake = &verify.Intake{Purpose: "second opinion", LegalBasis: "gdpr-9-2-h"}
	var out bytes.Buffer
	if err := Write(&out, in); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pdftotext, "-layout", "-", "-")
	cmd.Stdin = &out
	text, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Purpose", "second opinion", "Legal basis", "gdpr-9-2-h (health care", "no consent record sealed"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
}
