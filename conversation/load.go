package conversation

import (
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/custody-toolkit/custody/internal/nofollow"
)

// MaxFileSize bounds the conversation.json a Load will read: messages are
// text, attachments live beside it.
const MaxFileSize = 256 << 20

// Load reads a conversation from a JSON file or from a folder holding
// conversation.json, and checks it (see Check).
func Load(p string) (*Conversation, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	file, dir := p, filepath.Dir(p)
	var f *os.File
	if st.IsDir() {
		// Inside the folder, conversation.json is read like every file
		// there: following no link.
		file, dir = filepath.Join(p, "conversation.json"), p
		f, _, err = nofollow.Open(dir, "conversation.json")
	} else {
		f, err = os.Open(file)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", file, MaxFileSize)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c.Dir = dir
	if err := c.CheckFiles(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// Parse decodes a native conversation strictly and checks it. It does not
// look at attachment files (CheckFiles does).
func Parse(data []byte) (*Conversation, error) {
	var c Conversation
	err := jsonv2.Unmarshal(data, &c, jsonv2.RejectUnknownMembers(true))
	if err != nil {
		return nil, describeDecodeError(data, err)
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// describeDecodeError turns a decoder error into one that names the message
// (by id when it can be read) and the field.
func describeDecodeError(data []byte, err error) error {
	var pointer jsontext.Pointer
	var semErr *jsonv2.SemanticError
	var synErr *jsontext.SyntacticError
	switch {
	case errors.As(err, &semErr):
		pointer = semErr.JSONPointer
	case errors.As(err, &synErr):
		pointer = synErr.JSONPointer
	}
	where := describePointer(data, pointer)
	if where == "" {
		return fmt.Errorf("invalid conversation: %w", err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

var messagePointer = regexp.MustCompile(`^/messages/(\d+)(/.*)?$`)

func describePointer(data []byte, p jsontext.Pointer) string {
	m := messagePointer.FindStringSubmatch(string(p))
	if m == nil {
		if p == "" {
			return ""
		}
		return "field " + strings.TrimPrefix(string(p), "/")
	}
	i, _ := strconv.Atoi(m[1])
	field := strings.TrimPrefix(m[2], "/")
	where := fmt.Sprintf("message #%d", i+1)
	if id := messageIDAt(data, i); id != "" {
		where = fmt.Sprintf("message %q (#%d)", id, i+1)
	}
	if field != "" {
		where += ", field " + field
	}
	return where
}

// messageIDAt reads the id of the i-th message from a document that failed
// to decode as a whole, best effort.
func messageIDAt(data []byte, i int) string {
	var loose struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	// Loose on purpose: this only names the culprit of another error.
	_ = jsonv2.Unmarshal(data, &loose, jsonv2.RejectUnknownMembers(false), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	if i < len(loose.Messages) && utf8.ValidString(loose.Messages[i].ID) {
		return loose.Messages[i].ID
	}
	return ""
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// Check validates everything that does not need the file system.
func (c *Conversation) Check() error {
	participants, err := c.checkHeader()
	if err != nil {
		return err
	}
	if len(c.Messages) == 0 {
		return errNoMessages
	}
	seen := map[string]bool{}
	for i := range c.Messages {
		m := &c.Messages[i]
		err := CheckMessage(m, i, func(id string) bool { return participants[id] })
		if err == nil && seen[m.ID] {
			err = fmt.Errorf("message %q (#%d), field id: duplicate message id", m.ID, i+1)
		}
		if err != nil {
			return err
		}
		seen[m.ID] = true
	}
	return c.checkSources()
}

var errNoMessages = errors.New("field messages: the conversation has no messages")

// checkHeader checks the format, id and participants, and returns the
// participants' ids.
func (c *Conversation) checkHeader() (map[string]bool, error) {
	if c.Format != Format {
		return nil, fmt.Errorf("field format: got %q, want %q", c.Format, Format)
	}
	if !idPattern.MatchString(c.ID) {
		return nil, fmt.Errorf("field id: %q is not a valid id (letters, digits, . _ : -; at most 128)", c.ID)
	}
	participants := map[string]bool{}
	for i, p := range c.Participants {
		if !idPattern.MatchString(p.ID) {
			return nil, fmt.Errorf("participant #%d, field id: %q is not a valid id", i+1, p.ID)
		}
		if participants[p.ID] {
			return nil, fmt.Errorf("participant %q: duplicate id", p.ID)
		}
		participants[p.ID] = true
		if !slices.Contains(Roles, p.Role) {
			return nil, fmt.Errorf("participant %q, field role: %q is not one of %s", p.ID, p.Role, strings.Join(Roles, ", "))
		}
	}
	return participants, nil
}

func (c *Conversation) checkSources() error {
	for _, s := range c.Sources {
		if err := checkRelPath(s.Path); err != nil {
			return fmt.Errorf("source %q: %w", s.Path, err)
		}
	}
	return nil
}

// CheckMessage checks the i-th message (0-based) as Check does, but for
// the uniqueness of its id: for a writer that streams a conversation's
// messages (the importers) rather than holding them. known tells the
// participants' ids.
func CheckMessage(m *Message, i int, known func(id string) bool) error {
	if err := checkMessage(m, known); err != nil {
		if m.ID != "" {
			return fmt.Errorf("message %q (#%d), %w", m.ID, i+1, err)
		}
		return fmt.Errorf("message #%d, %w", i+1, err)
	}
	return nil
}

func checkMessage(m *Message, known func(id string) bool) error {
	switch {
	case !idPattern.MatchString(m.ID):
		return fmt.Errorf("field id: %q is not a valid id", m.ID)
	case !known(m.From):
		return fmt.Errorf("field from: unknown participant %q", m.From)
	}
	if err := checkTime(m.Time); err != nil {
		return fmt.Errorf("field time: %w", err)
	}
	if m.ReplyTo != "" && !idPattern.MatchString(m.ReplyTo) {
		return fmt.Errorf("field reply_to: %q is not a valid id", m.ReplyTo)
	}
	for j, a := range m.Attachments {
		if a.Missing {
			if a.Path != "" {
				return fmt.Errorf("field attachments[%d]: a missing attachment has no path", j)
			}
			continue
		}
		if err := checkRelPath(a.Path); err != nil {
			return fmt.Errorf("field attachments[%d].path: %w", j, err)
		}
	}
	return nil
}

// checkTime accepts RFC 3339 with an explicit offset (Z or ±hh:mm) only.
func checkTime(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if len(s) >= 19 && !strings.ContainsAny(s[19:], "Z+-") {
			return fmt.Errorf("%q has no UTC offset (write e.g. 2026-04-12T09:14:03+02:00)", s)
		}
		return fmt.Errorf("%q is not an RFC 3339 time with offset", s)
	}
	if t.Year() < 1970 || t.Year() > 9999 {
		return fmt.Errorf("%q is out of range", s)
	}
	return nil
}

// checkRelPath accepts a clean, relative, slash-separated path that stays
// inside the conversation's folder.
func checkRelPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case strings.Contains(p, `\`):
		return fmt.Errorf("%q: use / as separator", p)
	case path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return fmt.Errorf("%q: absolute path", p)
	case path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == "..":
		return fmt.Errorf("%q: not a clean path inside the conversation folder", p)
	}
	return nil
}

// CheckFiles checks that every attachment and source is a regular file.
func (c *Conversation) CheckFiles() error {
	for i := range c.Messages {
		if err := c.checkAttachmentFiles(i, &c.Messages[i]); err != nil {
			return err
		}
	}
	return c.checkSourceFiles()
}

// checkAttachmentFiles checks that the attachments of the i-th message
// are regular files.
func (c *Conversation) checkAttachmentFiles(i int, m *Message) error {
	for j, a := range m.Attachments {
		if a.Missing {
			continue
		}
		if _, err := nofollow.Stat(c.Dir, filepath.FromSlash(a.Path)); err != nil {
			return fmt.Errorf("message %q (#%d), field attachments[%d].path: %w", m.ID, i+1, j, err)
		}
	}
	return nil
}

func (c *Conversation) checkSourceFiles() error {
	for _, s := range c.Sources {
		if _, err := nofollow.Stat(c.Dir, filepath.FromSlash(s.Path)); err != nil {
			return fmt.Errorf("source %q: %w", s.Path, err)
		}
	}
	return nil
}

// FilePath returns the file-system path of a path relative to the
// conversation's folder.
func (c *Conversation) FilePath(rel string) string {
	return filepath.Join(c.Dir, filepath.FromSlash(rel))
}
