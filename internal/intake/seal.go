package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
)

// Role is the intake server's role in the custody log: its key is its
// own, not a clinician's (it lives on a networked machine).
const Role = "intake server"

// consentStatement is intake/consent.json: what the server showed and
// received, recorded by the server. The patient signs nothing.
type consentStatement struct {
	Format     string `json:"format"`
	Link       string `json:"link"` // the token's hash, never the token
	For        string `json:"for"`
	Purpose    string `json:"purpose"`
	LegalBasis string `json:"legal_basis"`
	Lang       string `json:"lang"`
	Text       string `json:"text"`    // the consent sentence shown, in Lang
	Checked    bool   `json:"checked"` // the checkbox's state
	Name       string `json:"name"`    // the name the patient typed
	Time       string `json:"time"`    // the receipt time, RFC 3339
}

const consentFormat = "custody.intake-consent/v1"

// upload is one received upload on its way into a bundle.
type upload struct {
	link  *Link
	dir   string // D/tmp/ID: everything unsealed lives here
	lang  string
	form  *form
	files []received
	at    time.Time // receipt time, with the server's offset
}

// seal writes the upload's bundle into u.dir, adds the "received" event
// and only then moves it into D/bundles/: the practice never collects a
// bundle half-logged. It returns the bundle's path and SHA-256.
func (s *Server) seal(ctx context.Context, u *upload) (string, string, error) {
	consent, err := u.writeConsent(s.cfg.Practice)
	if err != nil {
		return "", "", err
	}
	actor := custodylog.Actor{Name: s.cfg.Practice, Role: Role}
	if actor.Name == "" {
		actor.Name = Role
	}
	tmp := filepath.Join(u.dir, "bundle.custody")
	_, err = custody.Export(ctx, u.conversation(), custody.Options{
		Out: tmp, Signer: s.cfg.Signer, Actor: actor,
		Timestampers: []custody.Timestamper{s.cfg.TSA}, CheckToken: s.cfg.CheckToken,
		Practice: s.cfg.Practice, Lang: u.lang, Now: u.at,
		Intake: &custody.Intake{Purpose: u.link.Purpose, LegalBasis: u.link.LegalBasis, ConsentFile: consent},
	})
	if err != nil {
		return "", "", fmt.Errorf("sealing: %w", err)
	}
	_, err = logwriter.Append(ctx, tmp, custodylog.Event{
		Actor: actor, Action: custodylog.Received,
		Note: "uploaded through intake link " + u.link.ID,
	}, logwriter.Signer{Key: s.cfg.Signer, Timestamp: s.cfg.TSA.Timestamp, CheckToken: s.cfg.CheckToken}, logwriter.AppendOptions{})
	if err != nil {
		return "", "", fmt.Errorf("the received event: %w", err)
	}
	sum, err := fileSHA256(tmp)
	if err != nil {
		return "", "", err
	}
	out := filepath.Join(s.cfg.Dir, "bundles", u.link.ID+".custody")
	if err := os.Rename(tmp, out); err != nil {
		return "", "", err
	}
	return out, sum, nil
}

// conversation is the upload as a chat of one message from the patient,
// named by the link's pseudonym; the files are its attachments.
func (u *upload) conversation() *conversation.Conversation {
	msg := conversation.Message{ID: "m1", Time: u.at.Format(time.RFC3339), From: "patient", Text: u.form.Note}
	for _, f := range u.files {
		msg.Attachments = append(msg.Attachments, conversation.Attachment{Path: f.Path, Name: f.Label, Type: f.Type})
	}
	return &conversation.Conversation{
		Format: conversation.Format, ID: "intake-" + u.link.ID[:32], Title: u.link.For,
		Participants: []conversation.Participant{{ID: "patient", Role: "patient", Name: u.link.For}},
		Messages:     []conversation.Message{msg},
		Dir:          u.dir,
	}
}

// writeConsent writes the consent statement (JSON, its members in the
// struct's order) and returns its path.
func (u *upload) writeConsent(practice string) (string, error) {
	data, err := json.Marshal(consentStatement{
		Format: consentFormat, Link: u.link.ID, For: u.link.For, Purpose: u.link.Purpose,
		LegalBasis: u.link.LegalBasis, Lang: u.lang, Text: consentText(u.lang, practice),
		Checked: u.form.Consent == "yes", Name: u.form.Name, Time: u.at.Format(time.RFC3339),
	})
	if err != nil {
		return "", err
	}
	path := filepath.Join(u.dir, "consent.json")
	return path, os.WriteFile(path, append(data, '\n'), 0o600)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
