package pdf

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
)

// goldenDocuments are documents whose renderings are pinned by
// TestRenderingsUnchanged: many pages (the page total is filled in at the
// end), withheld markers, right-to-left text, characters no font has, and
// PNG images both ways. No JPEG: a JPEG goes in as it is, and the test's
// JPEGs come from image/jpeg, whose output may change between Go releases.
func goldenDocuments(t testing.TB) map[string]*Document {
	zoo := imageZoo(t)
	docs := map[string]*Document{}
	for _, asIs := range []bool{false, true} {
		suffix := map[bool]string{false: "-reencoded", true: "-as-is"}[asIs]
		many := manyMessages(400)
		many.PNGAsIs = asIs
		for i := 0; i < len(many.Items); i += 37 {
			m := many.Items[i].Message
			m.Text += "\nשלום, מה שלומך? مرحبا بكم 👍 " + strconv.Itoa(i)
			m.Labels = []string{"etiqueta " + strconv.Itoa(i)}
			many.Items[i+1] = Item{Withheld: i + 1}
		}
		many.Items[200].Message.Attachments = []Attachment{
			bytesAttachment("rgb.png", "image/png", zoo["rgb.png"]),
			bytesAttachment("palette.png", "image/png", zoo["palette.png"]),
			bytesAttachment("grey.png", "image/png", zoo["grey.png"]),
		}
		docs["many"+suffix] = many

		sample := sampleDocument(t)
		sample.PNGAsIs = asIs
		for _, it := range sample.Items {
			if it.Message != nil && len(it.Message.Attachments) == 1 && it.Message.Attachments[0].Type == "image/jpeg" {
				it.Message.Attachments = []Attachment{bytesAttachment("alpha.png", "image/png", zoo["alpha.png"])}
			}
		}
		docs["sample"+suffix] = sample
	}
	docs["many-layout4"] = rightToLeftDocument(false)
	docs["many-layout5"] = rightToLeftDocument(true)
	return docs
}

// rightToLeftDocument is a record in custody-pdf/4's layout, or with
// layout5 in custody-pdf/5's, whose messages hold Arabic, Persian and
// Hebrew among Latin text, with numbers, times and punctuation: the text
// custody-pdf/5 shapes and orders differently, pinned for /4 so that the
// two stay apart.
func rightToLeftDocument(layout5 bool) *Document {
	d := manyMessages(60)
	d.PNGAsIs, d.Layout4, d.Layout5 = true, true, layout5
	d.Selection, d.AttachmentCounts, d.TimeZone = "60 of 60 messages", "0 referenced, 0 included", "Asia/Riyadh"
	texts := []string{
		"مرحبا دكتور، الحرارة 38,5 منذ الساعة 14:05. هل آخذ الدواء؟",
		"Paciente dice: «لا أستطيع النوم» (desde el 3/12) y pide cita.",
		"سلام دکتر، امروز ۳ قرص خوردم و حالم بهتر است.",
		"שלום, מה שלומך? החום 37.8 (בבוקר).",
		"٣ أقراص يومياً لمدة ١٠ أيام 👍",
	}
	for i := 0; i < len(d.Items); i += 3 {
		d.Items[i].Message.Text = texts[i/3%len(texts)]
	}
	return d
}

// goldenForms are the SHA-256 digests of the canonical forms (pdfnorm:
// streams inflated, image rows un-predicted, so independent of the
// compressor) of goldenDocuments as rendered with the unmodified
// github.com/signintech/gopdf v0.33.0, before it was forked into
// internal/gopdf.
var goldenForms = map[string]string{
	"many-reencoded":   "97c167dcfc5eb41905798716ad86303e829c638a21544e01a229288b8ef63ca3",
	"many-as-is":       "97c167dcfc5eb41905798716ad86303e829c638a21544e01a229288b8ef63ca3",
	"sample-reencoded": "46bee92cb9b93f69a4424bac07531f8e8cd1a858c913aa5378c2101d28dae24f",
	"sample-as-is":     "af5a2767e6c2720c4b29db0b519cb6d64b697b9c87516111c677cd685b6a1b66",
	// Rendered by the fork, custody-pdf/4, before custody-pdf/5 was added.
	"many-layout4": "ceadf6ce53b805a148d0308d7b82cf5bd7ddcf11e1360890dae05a5ac4a12865",
	"many-layout5": "6f962b22689266b5b36f2182390b283713669b7219a2a94e1ff92151dff0983d",
}

// TestRenderingsUnchanged: the renderer's output is what it was with the
// upstream gopdf, in every byte a reader interprets (records sealed by
// custody-pdf/1 to /3 must render again exactly as sealed), and
// custody-pdf/4's what it was when custody-pdf/5 was added.
func TestRenderingsUnchanged(t *testing.T) {
	for name, d := range goldenDocuments(t) {
		form, err := pdfnorm.Whole(bytes.NewReader(render(t, d)), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := hex.EncodeToString(form.SHA256[:])
		if want := goldenForms[name]; got != want {
			t.Errorf("%s: canonical form %s, want %s", name, got, want)
		}
	}
}
