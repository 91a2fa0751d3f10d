// Package conversation reads and checks conversations in the native format
// custody.conversation/v1 (docs/conversation-format.md).
//
// A conversation is a JSON file, or a folder holding conversation.json, whose
// attachment paths are relative to that folder. Load reads it strictly: an
// unknown field, a duplicate key, invalid UTF-8, an unknown participant or
// role, a duplicate message id, a time without an offset, or an attachment
// that is not there is an error naming the message and the field.
//
//	c, err := conversation.Load("case/")
//	for _, m := range c.Messages { ... c.AttachmentPath(a) ... }
//
// OpenStream checks the same file but keeps no message: Each reads them
// again from the file, one at a time, for an export whose memory must not
// grow with the conversation. Both are a Reader.
//
// Importers (WhatsApp, Telegram) produce the same Conversation value, so the
// exporter sees a single model whatever the source.
package conversation

import (
	"time"
)

// Format is the value of the "format" field of a native conversation.
const Format = "custody.conversation/v1"

// Roles a participant may have.
var Roles = []string{"clinician", "patient", "colleague", "lab", "staff", "system"}

// Conversation is one chat between participants, messages in the order the
// source gives them (never re-sorted).
type Conversation struct {
	Format       string        `json:"format"`
	ID           string        `json:"id"`
	Title        string        `json:"title"`
	Participants []Participant `json:"participants"`
	Messages     []Message     `json:"messages"`

	// TimeZone is the IANA zone the importer assumed for times written
	// without an offset in the source (WhatsApp), empty for native input.
	TimeZone string `json:"time_zone,omitempty"`
	// Sources lists original export files, relative to the conversation's
	// folder, that an importer read; they travel into the bundle under
	// sources/ so an expert can hold the parse against them.
	Sources []Source `json:"sources,omitempty"`

	// Dir is the folder attachment and source paths are relative to.
	Dir string `json:"-"`
}

// Participant is a person or the system. Name is optional: a pseudonymised
// import leaves it empty so that no name enters the bundle.
type Participant struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	Name string `json:"name,omitempty"`
}

// Message is one entry of the conversation.
type Message struct {
	ID          string       `json:"id"`
	Time        string       `json:"time"` // RFC 3339 with an explicit offset
	From        string       `json:"from"`
	Text        string       `json:"text"`
	Labels      []string     `json:"labels,omitempty"`
	ReplyTo     string       `json:"reply_to,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`

	// Flags an importer records: "edited", "deleted", "forwarded".
	Flags []string `json:"flags,omitempty"`
	// Origin is where an importer found the message in its source.
	Origin *Origin `json:"origin,omitempty"`
}

// Attachment is a file sent with a message. Path is relative to the
// conversation's folder. An importer that saw a media line whose file is not
// in the export sets Missing and leaves Path empty.
type Attachment struct {
	Path    string `json:"path,omitempty"`
	Name    string `json:"name,omitempty"`
	Type    string `json:"type,omitempty"`
	Missing bool   `json:"missing,omitempty"`
}

// Origin locates a message in an original export file: Source is a path of
// Conversation.Sources, lines are 1-based and inclusive. Telegram messages
// carry their source message id in SourceID instead of lines.
type Origin struct {
	Source    string `json:"source"`
	FirstLine int    `json:"first_line,omitempty"`
	LastLine  int    `json:"last_line,omitempty"`
	SourceID  string `json:"source_id,omitempty"`
}

// Source is an original export file.
type Source struct {
	Path string `json:"path"`
	Type string `json:"type"` // "whatsapp-txt", "telegram-json", …
}

// ParsedTime returns the message time; Load has already checked it.
func (m *Message) ParsedTime() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, m.Time)
	return t
}

// Reader gives a conversation's messages in order, as often as needed:
// held in memory (a *Conversation) or read again from the file each time
// (a *Stream, whose memory does not grow with the conversation).
type Reader interface {
	// Header is the conversation but its messages: id, participants,
	// sources, Dir.
	Header() *Conversation
	// Len is the number of messages.
	Len() int
	// Each calls fn with each message in order; it stops at fn's error.
	Each(fn func(i int, m *Message) error) error
}

// Header returns c, whose fields but Messages are the header.
func (c *Conversation) Header() *Conversation { return c }

// Len is the number of messages.
func (c *Conversation) Len() int { return len(c.Messages) }

// Each calls fn with each message in order.
func (c *Conversation) Each(fn func(i int, m *Message) error) error {
	for i := range c.Messages {
		if err := fn(i, &c.Messages[i]); err != nil {
			return err
		}
	}
	return nil
}

// EachSelected calls fn with the messages at the given positions
// (ascending), or with every message when positions is nil, in one pass
// over r.
func EachSelected(r Reader, positions []int, fn func(i int, m *Message) error) error {
	if positions == nil {
		return r.Each(fn)
	}
	return EachAt(r, positions, fn)
}

// EachAt calls fn with the messages at the given positions (ascending),
// in one pass over r.
func EachAt(r Reader, positions []int, fn func(i int, m *Message) error) error {
	next := 0
	return r.Each(func(i int, m *Message) error {
		if next >= len(positions) || positions[next] != i {
			return nil
		}
		next++
		return fn(i, m)
	})
}
