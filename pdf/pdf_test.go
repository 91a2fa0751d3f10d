package pdf

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/bidi"

	"github.com/custody-toolkit/custody/pdf/internal/textlayout"
)

var updateDocs = flag.Bool("docs", false, "rewrite docs/record-page1.png and docs/record-integrity.png from the sample")

func render(t testing.TB, d *Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, d); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.Bytes()
}

// tool returns the path of an external checker, or skips the test.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt-get install poppler-utils qpdf zbar-tools)", name)
	}
	return p
}

func writeTemp(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "record.pdf")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runOut(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := runOut(tool(t, name), args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// normalize makes extracted and expected text comparable: pdftotext wraps
// right-to-left lines in embedding marks and lays wrapped lines out with
// its own spacing, so bidi controls go and runs of white space become one
// space.
func normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		if textlayout.Dropped(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// footer matches the page footers pdftotext interleaves with a message
// that runs over a page break.
var footer = regexp.MustCompile(`Export \S+ page \d+ of \d+ manifest sha256 [0-9a-f]+ ?`)

// extract returns the text of a PDF, normalized, without page footers.
func extract(t testing.TB, pdf []byte) string {
	t.Helper()
	return footer.ReplaceAllString(normalize(run(t, "pdftotext", "-enc", "UTF-8", writeTemp(t, pdf), "-")), "")
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// rtlWords returns the maximal runs of right-to-left letters of s.
func rtlWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		p, _ := bidi.LookupRune(r)
		return p.Class() != bidi.R && p.Class() != bidi.AL
	})
}

func TestTextExtraction(t *testing.T) {
	cases := []struct {
		text, want string
		rtl        bool // compare right-to-left words, see below
	}{
		{text: "Acentos: á é í ó ú ñ ü Á É Í Ó Ú Ñ Ü ¿Qué tal? ¡Bien! Son 12,50 € y 37,8 °C."},
		{text: "Línea uno\nLínea dos\n\nLínea cuatro tras una vacía\r\ny cinco\ry seis"},
		{text: "Ελληνικά: Καλημέρα, πώς είστε; Πόνος στην κοιλιά."},
		{text: "Кириллица: Добрый день, как вы себя чувствуете? Ёжик."},
		{text: "שלום מה שלומך היום"},
		{text: "مرحبا كيف حالك اليوم"},
		{text: "שלום, מה שלומך היום? תודה רבה", rtl: true},
		{text: "مرحبا، كيف حالك اليوم؟ شكرا", rtl: true},
		{text: "Paciente dice: שלום עולם y luego مرحبا بالعالم fin.", rtl: true},
		{text: "Emoji 👍 y corazón ❤️ y familia 👨\u200d👩\u200d👧 y CJK 漢字 fin",
			want: "Emoji [U+1F44D] y corazón [U+2764][U+FE0F] y familia [U+1F468]\u200d[U+1F469]\u200d[U+1F467] y CJK [U+6F22][U+5B57] fin"},
		{text: "Marcas\u200e invisibles\u200f y \u202bincrustadas\u202c y \u2067aisladas\u2069 y \ufeffBOM",
			want: "Marcas invisibles y incrustadas y aisladas y BOM"},
		{text: "Control\x07 y tab\tfin", want: "Control[U+0007] y tab fin"},
		{text: "Inválido \xff\xfe fin", want: "Inválido [U+FFFD][U+FFFD] fin"},
		{text: strings.Repeat("Texto largo que debe partirse en varias líneas sin perder ninguna palabra. ", 60)},
		{text: "Unapalabramuylargaquenocabeenunasolalíneayquehayquepartirporlafuerzasinperderningunaletra" +
			"niunasolaniunasolaniunasolaniunasolaniunasolaniunasolaniunasola"},
	}
	d := sampleDocument(t)
	d.Items = nil
	for i, c := range cases {
		d.Items = append(d.Items, Item{Message: &Message{ID: "t" + strconv.Itoa(i), Time: "2026-04-12 09:14:03 +02:00",
			SenderName: "Dr. Test", SenderRole: "clinician", Text: c.text}})
	}
	out := extract(t, render(t, d))
	for i, c := range cases {
		want := c.want
		if want == "" {
			want = c.text
		}
		want = normalize(want)
		switch {
		case c.rtl:
			// poppler reorders right-to-left text with its own heuristic
			// (neutral punctuation between words may move): require every
			// right-to-left word intact and every character present.
			for _, w := range rtlWords(want) {
				if !strings.Contains(out, w) {
					t.Errorf("case %d: right-to-left word %q not extracted intact", i, w)
				}
			}
		case !strings.Contains(out, want) && !strings.Contains(squeeze(out), squeeze(want)):
			// A word longer than a line is broken, which extraction shows
			// as a space: hence the second comparison without spaces.
			t.Errorf("case %d: extracted text lacks %q\ngot: %s", i, want, out)
		}
	}
}

func TestSampleChecks(t *testing.T) {
	data := render(t, sampleDocument(t))
	path := writeTemp(t, data)
	if out := run(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	text := extract(t, data)
	for _, want := range []string{
		"Centro de Salud San Rafael", "P-7F3A-21", "EXP-2026-04-13-0042", "6 of 8 messages", "3 attachments",
		"2 messages withheld by the exporter", "informe_alta_hospital.pdf", "application/pdf",
		"In reply to m-0001", "Labels: postoperatorio · herida quirúrgica",
		"Integrity and verification", "custody-verify --trust tsa-roots.pem EXP-2026-04-13-0042.custody",
		"2026-04-13 11:32:05 UTC", "FreeTSA.org",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("sample lacks %q", want)
		}
	}
	for _, it := range sampleDocument(t).Items {
		if it.Message != nil && !strings.Contains(text, normalize(strings.ReplaceAll(it.Message.Text, "👍", "[U+1F44D]"))) {
			t.Errorf("message %s text not extracted intact", it.Message.ID)
		}
	}
	// Both images embedded: the JPEG as DCT, the PNG with its alpha mask.
	list := run(t, "pdfimages", "-list", path)
	if n := countImages(list); n != 2 {
		t.Errorf("pdfimages: %d images, want 2\n%s", n, list)
	}
	if !strings.Contains(list, " jpeg ") {
		t.Errorf("JPEG not embedded as DCT:\n%s", list)
	}
	if *updateDocs {
		writeDocs(t, path)
	}
}

func writeDocs(t *testing.T, path string) {
	pages := pageCount(t, path)
	dir := t.TempDir()
	for _, p := range []struct {
		page int
		name string
	}{{1, "record-page1"}, {pages, "record-integrity"}} {
		n := strconv.Itoa(p.page)
		run(t, "pdftoppm", "-r", "60", "-png", "-singlefile", "-f", n, "-l", n, path, filepath.Join(dir, p.name))
		data, err := os.ReadFile(filepath.Join(dir, p.name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", p.name+".png"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func pageCount(t testing.TB, path string) int {
	t.Helper()
	for line := range strings.Lines(run(t, "pdfinfo", path)) {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("pdfinfo: no page count")
	return 0
}

// countImages counts the images (not soft masks) in pdfimages -list output.
func countImages(list string) int {
	n := 0
	for line := range strings.Lines(list) {
		if f := strings.Fields(line); len(f) > 2 && f[2] == "image" {
			n++
		}
	}
	return n
}
