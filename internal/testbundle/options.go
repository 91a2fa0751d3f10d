package testbundle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
)

// ExportOptions exports the conversation at in with the fixture's key and
// TSA and the other options given (selection, disclosure, …), and returns
// the bundle's path; an export error fails the test.
func (f *Fixture) ExportOptions(t testing.TB, in string, opts custody.Options) string {
	t.Helper()
	path, err := f.TryExport(in, filepath.Join(t.TempDir(), "case.custody"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TryExport is ExportOptions writing to out and returning the export error.
func (f *Fixture) TryExport(in, out string, opts custody.Options) (string, error) {
	c, err := conversation.Load(in)
	if err != nil {
		return "", err
	}
	opts.Out = out
	if opts.Signer == nil { // a test may give the fixture's key with a chain
		opts.Signer = f.Signer
	}
	opts.Timestampers = []custody.Timestamper{f}
	if opts.Lang == "" && opts.Renderer == "" {
		opts.Lang = Lang
	}
	_, err = custody.Export(context.Background(), c, opts)
	return out, err
}

// Synthetic writes a conversation of n messages into a fresh folder and
// returns it: id "synthetic-1", three participants taking turns, each text
// unique ("message N: …"), every third message with a unique binary
// attachment. edit, when set, changes the conversation before it is
// written (truncate it, edit a text, drop or insert a message).
func Synthetic(t testing.TB, n int, edit func(c *conversation.Conversation)) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &conversation.Conversation{
		Format: "custody.conversation/v1", ID: "synthetic-1", Title: "Synthetic follow-up",
		Participants: []conversation.Participant{
			{ID: "dr-a", Role: "clinician", Name: "Dra. Alba Doctora"},
			{ID: "pt-b", Role: "patient", Name: "Paciente Bernardo"},
			{ID: "dr-c", Role: "colleague", Name: "Dr. Casimiro Colega"},
		},
	}
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.FixedZone("", 2*3600))
	for i := range n {
		m := conversation.Message{
			ID: fmt.Sprintf("m%d", i+1), Time: start.Add(time.Duration(i) * 37 * time.Minute).Format(time.RFC3339),
			From: c.Participants[i%3].ID, Text: fmt.Sprintf("message %d: texto número %d del seguimiento", i+1, i+1),
		}
		if i%3 == 2 {
			name := fmt.Sprintf("media/file-%02d.bin", i+1)
			data := bytes.Repeat([]byte(fmt.Sprintf("attachment of message %d, unique bytes %08x;", i+1, (i+1)*2654435761)), 20)
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
			m.Attachments = []conversation.Attachment{{Path: name, Name: fmt.Sprintf("informe-%02d.bin", i+1), Type: "application/octet-stream"}}
		}
		c.Messages = append(c.Messages, m)
	}
	if edit != nil {
		edit(c)
	}
	WriteConversation(t, dir, c)
	return dir
}

// WriteConversation writes c as dir's conversation.json.
func WriteConversation(t testing.TB, dir string, c *conversation.Conversation) {
	t.Helper()
	data, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conversation.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
