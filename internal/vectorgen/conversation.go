package main

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/custody-toolkit/custody/conversation"
)

// writeConversation writes the vectors' conversation into dir and returns
// the path of its conversation.json: six short messages between a doctor
// and a patient, with a present attachment, a missing one, a label, a
// reply and a flag, so that every member of a message entry occurs. edit,
// when set, changes it first.
func writeConversation(dir string, edit func(c *conversation.Conversation)) string {
	media := filepath.Join(dir, "media")
	must(os.MkdirAll(media, 0o755))
	must(os.WriteFile(filepath.Join(media, "analitica.txt"), []byte("Hemoglobina 13.2 g/dL\n"), 0o644))
	must(os.WriteFile(filepath.Join(media, "informe.pdf.bin"), []byte("%informe de alta (vector)\n"), 0o644))
	c := &conversation.Conversation{
		Format: "custody.conversation/v1", ID: "vectors-1", Title: "Seguimiento (vectores)",
		Participants: []conversation.Participant{
			{ID: "dr", Role: "clinician", Name: "Dra. Vectores"},
			{ID: "pt", Role: "patient", Name: "Paciente Prueba"},
		},
		Messages: []conversation.Message{
			{ID: "m1", Time: "2026-11-30T09:00:00+01:00", From: "pt", Text: "Buenos días, doctora."},
			{ID: "m2", Time: "2026-11-30T09:05:00+01:00", From: "pt", Text: "Le envío la analítica.",
				Attachments: []conversation.Attachment{
					{Path: "media/analitica.txt", Name: "analitica.txt", Type: "text/plain"},
					{Missing: true, Name: "foto.jpg"},
				}},
			{ID: "m3", Time: "2026-11-30T09:20:00+01:00", From: "dr", Text: "Todo en orden.", Labels: []string{"urgente"}, ReplyTo: "m2"},
			{ID: "m4", Time: "2026-11-30T09:21:00+01:00", From: "pt", Text: "Sí", Flags: []string{"edited"}},
			{ID: "m5", Time: "2026-11-30T09:30:00+01:00", From: "dr", Text: "Adjunto el informe.",
				Attachments: []conversation.Attachment{{Path: "media/informe.pdf.bin", Name: "informe.PDF", Type: "application/pdf"}}},
			{ID: "m6", Time: "2026-11-30T09:31:00+01:00", From: "pt", Text: "Gracias 🙏"},
		},
	}
	if edit != nil {
		edit(c)
	}
	data, err := json.MarshalIndent(c, "", " ")
	must(err)
	path := filepath.Join(dir, "conversation.json")
	must(os.WriteFile(path, data, 0o644))
	return path
}

// truncate keeps the first n messages.
func truncate(n int) func(c *conversation.Conversation) {
	return func(c *conversation.Conversation) { c.Messages = c.Messages[:n] }
}

// editText changes the text of message i.
func editText(i int, text string) func(c *conversation.Conversation) {
	return func(c *conversation.Conversation) { c.Messages[i].Text = text }
}
