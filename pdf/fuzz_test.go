package pdf

import (
	"bytes"
	"testing"
)

// FuzzRender feeds arbitrary text, names and labels to Render: it must
// never panic nor fail, and always give a complete PDF.
func FuzzRender(f *testing.F) {
	f.Add("Buenos días\nLínea dos", "Dra. Ñúñez", "post-op", "EXP-1", 0)
	f.Add("שלום, מה שלומך? 123 مرحبا", "דוד", "תווית", "א", 2)
	f.Add("👍\ufe0f\u200d\u202e\x00\x07\xff", "\u2067x\u2069", "\t", "\r\n", 1)
	f.Add(string(bytes.Repeat([]byte("palabra "), 2000)), "", "", "", 0)
	f.Fuzz(func(t *testing.T, text, name, label, exportID string, withheld int) {
		d := &Document{Practice: name, Title: text, PatientID: label, ExportID: exportID, Period: text,
			Integrity: Integrity{ManifestSHA256: exportID, Commands: []string{text}, Timestamps: []Timestamp{{TSA: name}}}}
		d.Items = []Item{{Message: &Message{ID: exportID, Time: label, SenderName: name, SenderRole: label, Text: text,
			Labels: []string{label, text}, ReplyTo: text,
			Attachments: []Attachment{{Name: name, Type: label, Size: int64(withheld), SHA256: text}}}}}
		if withheld > 0 {
			d.Items = append(d.Items, Item{Withheld: withheld%1000 + 1})
		}
		if len(exportID) > 1000 {
			return // over what a QR code can carry: an error, tested elsewhere
		}
		var b bytes.Buffer
		if err := Render(&b, d); err != nil {
			t.Fatalf("Render: %v", err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) || !bytes.HasSuffix(b.Bytes(), []byte("%%EOF\n")) {
			t.Fatal("incomplete PDF")
		}
	})
}
