package record_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/importer"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/record"
)

// TestArabicRecordsVerify exports an Arabic conversation with the
// exporter's default renderer (custody-pdf/5, joined letters) and with
// custody-pdf/4 (isolated letters): the two records differ, and the
// verifier renders each again by the renderer its manifest names and finds
// it identical.
func TestArabicRecordsVerify(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	chat := testbundle.Synthetic(t, 6, func(c *conversation.Conversation) {
		c.TimeZone = "Asia/Riyadh"
		c.Messages[1].Text = "مرحبا دكتور، الحرارة 38,5 منذ الساعة 14:05. هل آخذ الدواء؟"
		c.Messages[2].Text = "سلام دکتر، امروز ۳ قرص خوردم (بعد از غذا)."
	})
	records := map[string]string{}
	for _, renderer := range []string{"", "custody-pdf/4"} {
		path := fx.ExportOptions(t, chat, custody.Options{Renderer: renderer, Lang: "es"})
		want := renderer
		if want == "" {
			want = record.Renderer
		}
		requireRendered(t, fx, path, want)
		records[want] = recordText(t, path)
	}
	v5, v4 := records[record.Renderer], records["custody-pdf/4"]
	if v5 == v4 {
		t.Fatal("custody-pdf/5 and /4 records read the same")
	}
	for _, w := range []string{"14:05", "38,5", "مرحبا", "دكتور", "الساعة", "سلام", "دکتر"} {
		if !strings.Contains(v5, w) {
			t.Errorf("custody-pdf/5 record lacks %q", w)
		}
	}
	if !strings.Contains(v4, "05:14") {
		t.Errorf("custody-pdf/4 no longer draws 14:05 inside Arabic as 05:14: its rendering changed")
	}
}

// TestArabicWhatsAppExport seals a real-format Arabic iOS WhatsApp export
// (Eastern Arabic-Indic digits, the importer's fixture) with the default
// renderer: the verifier renders the record again identically, and the
// record's text gives back every Arabic word and number as sent.
func TestArabicWhatsAppExport(t *testing.T) {
	const src = "../importer/whatsapp/testdata/ios-ar-arabic-indic.txt"
	chat := filepath.Join(t.TempDir(), "chat")
	if err := importer.Import(src, chat, importer.Options{TimeZone: "Asia/Riyadh", Clinicians: []string{"د. سلمى"}, DefaultRole: "patient"}); err != nil {
		t.Fatal(err)
	}
	fx := testbundle.New(t, "ed25519")
	path := fx.ExportOptions(t, chat, custody.Options{Lang: "en"})
	requireRendered(t, fx, path, record.Renderer)
	text := recordText(t, path)
	// A mark that ends a line's leftmost word ("يومياً", "شكراً") comes
	// out of pdftotext apart from it, with custody-pdf/4 as with /5:
	// the letters are compared there.
	for _, w := range []string{"مرحبا", "دكتورة", "التحليل", "الحرارة", "٣٨٫٥", "الدواء", "مرتين", "يوميا", "شكرا", "تماماً", "منتصف", "الليل"} {
		if !strings.Contains(text, w) {
			t.Errorf("the record lacks %q", w)
		}
	}
}
