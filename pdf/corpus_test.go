package pdf

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// corpusDir is the shared corpus of real exports, beside the module.
func corpusDir(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "corpus", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus %s not present", dir)
	}
	return dir
}

// TestCorpusChatLines renders every line of the real WhatsApp and Signal
// exports as a message (they carry emoji, LRM marks, narrow no-break spaces,
// CRLF) and checks that every word of letters and digits comes back out of
// pdftotext.
func TestCorpusChatLines(t *testing.T) {
	var files []string
	for _, sub := range []string{"whatsapp", "signal"} {
		m, _ := filepath.Glob(filepath.Join(corpusDir(t, sub), "*.txt"))
		files = append(files, m...)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(data), "\n")
			if len(lines) > 400 {
				lines = lines[:400]
			}
			d := sampleDocument(t)
			d.Items = nil
			for i, l := range lines {
				d.Items = append(d.Items, Item{Message: &Message{ID: strconv.Itoa(i), Time: "t", SenderName: "s", SenderRole: "r", Text: l}})
			}
			out := extract(t, render(t, d))
			words := 0
			for _, l := range lines {
				for _, w := range strings.FieldsFunc(l, func(r rune) bool {
					return !(unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic) || unicode.IsDigit(r))
				}) {
					words++
					if !strings.Contains(out, w) {
						t.Errorf("word %q of line %q not extracted", w, l)
					}
				}
			}
			if words == 0 {
				t.Error("no words checked")
			}
		})
	}
}
