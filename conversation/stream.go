package conversation

import (
	"bytes"
	"crypto/sha256"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/custody-toolkit/custody/internal/nofollow"
)

// Stream is a conversation read from its file one message at a time, for
// a reader whose memory must not grow with the conversation (an export of
// a 700,000-message chat). Its Conversation holds everything but the
// messages; Each reads them again from the file, as often as needed.
//
//	s, err := conversation.OpenStream("case/")
//	err = s.Each(func(i int, m *conversation.Message) error { ... })
//
// OpenStream checks the whole conversation as Load does, and reports a
// bad one with Load's own error (naming the message and field), so the
// two never disagree on what is valid.
type Stream struct {
	Conversation // Messages is nil; Count says how many there are
	Count        int

	file, dir string
	inFolder  bool   // given the folder: conversation.json is opened following no link, as Load does
	digest    []byte // of the file as OpenStream checked it
}

// OpenStream opens a conversation (a JSON file, or a folder holding
// conversation.json) and checks it, message by message.
func OpenStream(p string) (*Stream, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	s := &Stream{file: p, dir: filepath.Dir(p)}
	if st.IsDir() {
		s.file, s.dir, s.inFolder = filepath.Join(p, "conversation.json"), p, true
	}
	if err := s.check(); err != nil {
		// A bad conversation is rare and bounded by MaxFileSize: Load
		// names its culprit, with the whole document at hand.
		if _, lerr := Load(p); lerr != nil {
			return nil, lerr
		}
		return nil, fmt.Errorf("%s: %w", s.file, err)
	}
	return s, nil
}

// check reads the header, then every message, checking each as Check
// and CheckFiles do.
func (s *Stream) check() error {
	if err := s.pass(nil); err != nil {
		return err
	}
	s.Conversation.Dir = s.dir
	participants, err := s.checkHeader()
	if err != nil {
		return err
	}
	if err := s.checkSources(); err != nil {
		return err
	}
	if err := s.checkSourceFiles(); err != nil {
		return err
	}
	known := func(id string) bool { return participants[id] }
	seen := map[string]bool{}
	count := 0
	err = s.pass(func(i int, m *Message) error {
		if err := CheckMessage(m, i, known); err != nil {
			return err
		}
		if seen[m.ID] {
			return fmt.Errorf("message %q (#%d), field id: duplicate message id", m.ID, i+1)
		}
		seen[m.ID] = true
		count++
		return s.checkAttachmentFiles(i, m)
	})
	if err != nil {
		return err
	}
	if count == 0 {
		return errNoMessages
	}
	s.Count = count
	return nil
}

// Header is the conversation but its messages.
func (s *Stream) Header() *Conversation { return &s.Conversation }

// Len is the number of messages.
func (s *Stream) Len() int { return s.Count }

// Each calls fn with each message in order, read again from the file.
// A file changed since OpenStream checked it is an error, reported once
// the pass has read it all.
func (s *Stream) Each(fn func(i int, m *Message) error) error {
	return s.pass(fn)
}

// pass reads the file once: the header into s.Conversation when fn is
// nil, else each message to fn. The first pass records the file's
// digest; later ones must read the same bytes.
func (s *Stream) pass(fn func(i int, m *Message) error) error {
	f, err := s.open()
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	r := &limitedReader{r: io.TeeReader(f, h), left: MaxFileSize}
	if err := s.decode(jsontext.NewDecoder(r), fn); err != nil {
		if r.left < 0 {
			return fmt.Errorf("larger than %d bytes", MaxFileSize)
		}
		return err
	}
	return s.sameFile(h)
}

func (s *Stream) open() (*os.File, error) {
	if s.inFolder {
		f, _, err := nofollow.Open(s.dir, "conversation.json")
		return f, err
	}
	return os.Open(s.file)
}

// sameFile compares the digest of a pass with the first one's.
func (s *Stream) sameFile(h hash.Hash) error {
	sum := h.Sum(nil)
	if s.digest == nil {
		s.digest = sum
		return nil
	}
	if !bytes.Equal(sum, s.digest) {
		return fmt.Errorf("%s changed while it was being read", s.file)
	}
	return nil
}

// decode reads the top-level object, strictly as Parse does: unknown and
// duplicate members are errors. The messages go to fn (skipped when fn
// is nil), the other members into s.Conversation (when fn is nil).
func (s *Stream) decode(dec *jsontext.Decoder, fn func(i int, m *Message) error) error {
	if err := readOpening(dec, '{', "invalid conversation: not a JSON object"); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := s.member(dec, name.String(), fn); err != nil {
			return err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return errors.New("invalid conversation: data after the object")
	}
	return nil
}

// member reads one member of the top-level object.
func (s *Stream) member(dec *jsontext.Decoder, name string, fn func(i int, m *Message) error) error {
	if name == "messages" {
		if fn == nil {
			return dec.SkipValue()
		}
		return eachMessage(dec, fn)
	}
	if fn != nil {
		return dec.SkipValue()
	}
	c := &s.Conversation
	field, ok := map[string]any{
		"format": &c.Format, "id": &c.ID, "title": &c.Title, "participants": &c.Participants,
		"time_zone": &c.TimeZone, "sources": &c.Sources,
	}[name]
	if !ok {
		return fmt.Errorf("field %s: unknown member", name)
	}
	return jsonv2.UnmarshalDecode(dec, field, jsonv2.RejectUnknownMembers(true))
}

// eachMessage decodes the messages array one element at a time.
func eachMessage(dec *jsontext.Decoder, fn func(i int, m *Message) error) error {
	if dec.PeekKind() == 'n' {
		return dec.SkipValue() // null: no messages
	}
	if err := readOpening(dec, '[', "field messages: not an array"); err != nil {
		return err
	}
	for i := 0; dec.PeekKind() != ']'; i++ {
		var m Message
		if err := jsonv2.UnmarshalDecode(dec, &m, jsonv2.RejectUnknownMembers(true)); err != nil {
			return err
		}
		if err := fn(i, &m); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// readOpening reads the '{' or '[' that must come next.
func readOpening(dec *jsontext.Decoder, kind jsontext.Kind, otherwise string) error {
	tok, err := dec.ReadToken()
	if err == nil && tok.Kind() != kind {
		err = errors.New(otherwise)
	}
	return err
}

// limitedReader reads at most left bytes, and then fails (left < 0), so
// that a pass knows it stopped at the bound rather than at the end.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errors.New("conversation too large")
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errors.New("conversation too large")
	}
	return n, err
}
