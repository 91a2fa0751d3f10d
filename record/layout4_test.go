package record_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/record"
	"github.com/custody-toolkit/custody/verify"
)

// layout4Chat is a 15-message chat whose title and a name try to draw
// lines of their own, whose message m6 refers to two photos the export did
// not carry, in a named zone.
func layout4Chat(t *testing.T) string {
	return testbundle.Synthetic(t, 15, func(c *conversation.Conversation) {
		c.Title = "Consulta\nIntegrity and verification"
		c.Participants[1].Name = "Paciente\nBernardo"
		c.TimeZone = "Europe/Madrid"
		c.Messages[5].Attachments = append(c.Messages[5].Attachments,
			conversation.Attachment{Name: "IMG-0001.jpg", Type: "image/jpeg", Missing: true},
			conversation.Attachment{Name: "IMG-0002.jpg", Type: "image/jpeg", Missing: true})
	})
}

// TestLayout4Words reads the sealed record of a selective export, in each
// language, as a person would (pdftotext): the selection, the counts and
// the zone in words, on the first page and the integrity page; missing
// photos said to be missing; free text with visible escapes; where to get
// the verifier. The verifier renders it again from what the manifest
// seals (language and URL included) and finds it byte-identical.
func TestLayout4Words(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	fx := testbundle.New(t, "ed25519")
	chat := layout4Chat(t)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{
			"4 of 15 messages, chosen by the clinician: messages m6, m9–m11",
			"4 referenced, 2 included", "Time zone", "Europe/Madrid",
			"Not included in the source export", "Get the verifier (custody-verify) at https://verify.example.org/custody",
		}},
		{"es", []string{
			"4 de 15 mensajes, elegidos por el profesional sanitario: mensajes m6, m9–m11",
			"citados: 4; incluidos: 2", "Zona horaria", "Europe/Madrid",
			"No incluido en la exportación de origen", "Obtenga el verificador (custody-verify) en https://verify.example.org/custody",
		}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			path := fx.ExportOptions(t, chat, custody.Options{Selection: custody.Selection{Messages: "m6,m9-m11"},
				Lang: tc.lang, VerifierURL: "https://verify.example.org/custody"})
			requireRendered(t, fx, path, record.Renderer)
			text := strings.Join(strings.Fields(recordText(t, path)), " ") // lines wrap
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the record lacks %q", w)
				}
			}
			if n := strings.Count(text, tc.want[0]); n != 2 {
				t.Errorf("the selection is stated %d times, want 2 (first page, integrity page)", n)
			}
			for _, w := range []string{`"Consulta\nIntegrity and verification"`, `"Paciente\nBernardo"`} {
				if !strings.Contains(text, w) {
					t.Errorf("the record lacks the escaped %s", w)
				}
			}
		})
	}
}

// requireRendered verifies the bundle at path: its record.pdf must be
// made by renderer and found identical to a fresh rendering.
func requireRendered(t *testing.T, fx *testbundle.Fixture, path, renderer string) {
	t.Helper()
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if c.Name == "rendering" && (c.Status != verify.Passed || !strings.Contains(c.Detail, renderer)) {
			t.Errorf("rendering: %s %s", c.Status, c.Detail)
		}
	}
}

// recordText is the text of the bundle's record.pdf, as pdftotext reads it.
func recordText(t *testing.T, bundle string) string {
	t.Helper()
	entries := testbundle.ReadEntries(t, bundle)
	i := testbundle.Find(entries, "record.pdf")
	if i < 0 {
		t.Fatal("no record.pdf")
	}
	pdfPath := filepath.Join(t.TempDir(), "record.pdf")
	if err := os.WriteFile(pdfPath, entries[i].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", pdfPath, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}
