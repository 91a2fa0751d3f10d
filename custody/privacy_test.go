package custody_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/importer"
	"github.com/custody-toolkit/custody/internal/testbundle"
)

// TestWithheldCannotBeGuessed runs the dictionary attack a curious reader
// of a selective bundle would: it knows the chat's format and every
// disclosed message, guesses the withheld first reply (a short word, its
// sender, its minute), rebuilds the chat file for each guess and looks for
// anything derived from it in the bundle: the conversation id as an import
// derives it (from the first message, and formerly from the whole file),
// and line numbers that would give the withheld message's length. The
// attack finds the truth against the import's own id, and nothing in the
// bundle.
func TestWithheldCannotBeGuessed(t *testing.T) {
	t.Parallel()
	const header = "15/03/2024, 09:02 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
	rest := "15/03/2024, 09:20 - Dra. Lucía Ferrer: ¿Ha tomado la dosis de la mañana?\n" +
		"15/03/2024, 09:31 - Tomás Ibarra: Ya está, gracias\n" +
		"15/03/2024, 09:40 - Dra. Lucía Ferrer: Perfecto, seguimos mañana\n"
	withheld := "15/03/2024, 09:07 - Tomás Ibarra: Sí\n" // the secret
	chat := header + withheld + rest

	native := importChat(t, chat)
	c, err := conversation.Load(native)
	if err != nil {
		t.Fatal(err)
	}
	// Withhold the system notice's successor and everything before the
	// last three: m1 (notice) and m2 (the reply) are withheld.
	fx := testbundle.New(t, "ed25519")
	bundle, err := os.ReadFile(fx.ExportOptions(t, native, custody.Options{Selection: custody.Selection{Messages: "m3-m5"}}))
	if err != nil {
		t.Fatal(err)
	}

	truth := guessIDs(t, chat)[1]
	words := []string{"Sí", "No", "Vale", "Ok", "OK", "Gracias", "Bien", "Mal", "Mejor", "Peor", "Ya", "Claro", "👍", "Hecho", "Sí, gracias"}
	if testing.Short() {
		words = words[:3] // the truth ("Sí") and two others; --full (CI) tries all
	}
	senders := []string{"Tomás Ibarra", "Dra. Lucía Ferrer"}
	found := 0
	for _, word := range words {
		for _, sender := range senders {
			for minute := 3; minute <= 12; minute++ {
				line := fmt.Sprintf("15/03/2024, 09:%02d - %s: %s\n", minute, sender, word)
				guess := header + line + rest
				for i, id := range guessIDs(t, guess) {
					if i == 1 && id == truth {
						found++ // the attack works against an id of the whole file
					}
					if bytes.Contains(bundle, []byte(id)) || bytes.Contains(bundle, []byte(strings.TrimPrefix(id, "whatsapp-"))) {
						t.Errorf("the bundle holds %s, derived from the guess %q", id, line)
					}
				}
			}
		}
	}
	if found == 0 {
		t.Fatal("the attack does not even find the truth against an id of the file: it tests nothing")
	}
	if lines := regexp.MustCompile(`"(first|last)_line":[1-9]`).Find(bundle); lines != nil {
		t.Errorf("the bundle holds line numbers: %s", lines)
	}
	for _, leak := range []string{"Sí\"", "09:07", c.ID} {
		if bytes.Contains(bundle, []byte(leak)) {
			t.Errorf("the bundle holds %s", leak)
		}
	}
}

// guessIDs are the conversation ids an import would give the chat file
// text: from its first message, and (before 2026-12) from the whole file.
func guessIDs(t *testing.T, text string) []string {
	t.Helper()
	c, err := conversation.Load(importChat(t, text))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(text))
	return []string{c.ID, "whatsapp-" + hex.EncodeToString(sum[:])[:16]}
}

// TestGrownWhatsAppChatExtends: a WhatsApp chat exported, then grown and
// exported again, imports to the same conversation (its id comes from the
// first message), so the later bundle proves it extends the earlier one.
func TestGrownWhatsAppChatExtends(t *testing.T) {
	t.Parallel()
	early := "15/03/2024, 09:05 - Dra. Lucía Ferrer: Buenos días, ¿cómo sigue la tos?\n" +
		"15/03/2024, 09:07 - Tomás Ibarra: Mejor, gracias.\n"
	later := early + "16/03/2024, 10:00 - Tomás Ibarra: Hoy sin fiebre\n" +
		"16/03/2024, 10:02 - Dra. Lucía Ferrer: Estupendo\n"
	fx := testbundle.New(t, "ed25519")
	export := func(text string, d custody.Disclosure) string {
		return fx.ExportOptions(t, importChat(t, text), custody.Options{Selection: custody.Selection{Messages: "m2"}, Disclosure: d})
	}
	older := export(early, custody.Disclosure{})
	newer := export(later, custody.Disclosure{Extends: older})
	expectConsistent(t, fx, older, newer)
}

// importChat imports a WhatsApp chat text, as an export's .txt, into a
// native conversation folder and returns the folder.
func importChat(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "WhatsApp Chat.txt")
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	native := filepath.Join(dir, "case")
	if err := importer.Import(src, native, importer.Options{TimeZone: "Europe/Madrid", Clinicians: []string{"Dra. Lucía Ferrer"}}); err != nil {
		t.Fatal(err)
	}
	return native
}
