package manifest_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

// sampleManifest is a small, internally consistent manifest.
func sampleManifest() *manifest.Manifest {
	digest := strings.Repeat("ab", 32)
	return &manifest.Manifest{
		Format: manifest.FormatV1, Exporter: "custody/0.1.0", ExportID: "x-20260412-0011223344556677",
		ExportedAt: "2026-04-12T09:14:03Z",
		Signer:     manifest.Signer{Algorithm: "ed25519", Fingerprint: digest},
		Conversation: manifest.Conversation{ID: "conv-1", Title: "Seguimiento postoperatorio",
			Participants: []manifest.Participant{{ID: "pt-7f3a", Role: "patient", Name: "Paciente 7F3A"}}},
		Selection: manifest.Selection{Total: 3, Selected: 1, Criteria: []string{"messages=m1"}},
		Messages:  []manifest.Message{{ID: "m1", Entry: "messages/000001.json", SHA256: digest, Attachments: []string{digest}, Link: digest}},
		Chain:     manifest.Chain{Algorithm: manifest.ChainAlgorithm, Length: 1, Head: digest},
		Files: []manifest.File{
			{Path: "attachments/000001-01.jpg", SHA256: digest, Size: 21110},
			{Path: "messages/000001.json", SHA256: digest, Size: 180},
		},
	}
}

// FuzzManifestParse: Parse never panics, and a manifest it accepts is
// exactly the canonical encoding of what it decoded: one document, one
// byte string, so the signed bytes and the verified fields cannot differ.
func FuzzManifestParse(f *testing.F) {
	m := sampleManifest()
	data, err := m.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(bytes.Replace(data, []byte(`"size":180`), []byte(`"size":1.8e2`), 1))
	// Canonical, but an omitempty member written out empty: Marshal never
	// writes it, so two byte strings would decode to one manifest.
	f.Add(bytes.Replace(data, []byte(`"title":"Seguimiento`), []byte(`"time_zone":"","title":"Seguimiento`), 1))
	f.Add(bytes.Replace(data, []byte(`"format":"custody.bundle/v1"`), []byte(`"format":"custody.bundle/v1","format":"x"`), 1))
	// custody_log: true is its only encoding; false is written by nobody.
	m.CustodyLog = true
	withLog, err := m.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(withLog)
	f.Add(bytes.Replace(withLog, []byte(`"custody_log":true`), []byte(`"custody_log":false`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.Parse(data)
		if err != nil {
			if m != nil {
				t.Fatalf("Parse returned a manifest and the error %v", err)
			}
			return
		}
		again, err := m.Marshal()
		if err != nil {
			t.Fatalf("accepted, but does not marshal: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("accepted bytes are not the canonical encoding of the decoded manifest:\n%s\n%s", data, again)
		}
	})
}

// FuzzParseMessageEntry: the same property for message entries.
func FuzzParseMessageEntry(f *testing.F) {
	e := manifest.MessageEntry{ID: "m1", Time: "2026-04-12T09:14:03+02:00", From: "pt-7f3a",
		Text: "Le envío la analítica\n¿fiebre? \u2028 \"ok\"", Labels: []string{"revisión-pendiente"},
		Attachments: []manifest.AttachmentEntry{{Path: "attachments/000001-01.jpg", Name: "analitica.jpg",
			Type: "image/jpeg", Size: 21110, SHA256: zeros}, {Name: "IMG-2.jpg", Missing: true}},
		Origin: &manifest.Origin{Source: "sources/01.txt", FirstLine: 3, LastLine: 4}}
	data, err := manifest.Marshal(&e)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := manifest.ParseMessageEntry(data)
		if err != nil {
			return
		}
		again, err := manifest.Marshal(e)
		if err != nil {
			t.Fatalf("accepted, but does not marshal: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("accepted bytes are not the canonical encoding of the decoded entry:\n%s\n%s", data, again)
		}
	})
}
