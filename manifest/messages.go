package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Messages read again instead of held.
//
// A verifier's manifest is read from the bundle, and its messages are
// most of it: about 260 bytes a message decoded (a Message, its id, link,
// salt and position), 40 MB at the manifest's cap of 64 MiB. The checks
// that use them (the chain, the tree, the entries, the order, the
// rendering) each go through them once, in order, so a manifest from
// ParseStreamed holds none: EachMessage decodes them again from the
// entry, one at a time, and the reader keeps of each what it needs
// (digests as [32]byte, positions).
//
// The bytes read again are held to the SHA-256 of the bytes checked
// first (whose signature the verifier checked): a reader never acts on
// other bytes. When they differ, the file changed while it was being
// verified, which proves nothing about the sealed bundle: a ChangedError,
// which a verifier reports as INDETERMINATE (try again), not FAILED.
// Manifests from Parse hold their messages, and EachMessage goes through
// them.

// messageList is a manifest's messages when it does not hold them.
type messageList interface {
	len() int
	each(yield func(i int, msg *Message) error) error
}

// messageSource is where a manifest whose messages are not held reads
// them again: the entry, the SHA-256 of its checked bytes and the number
// of messages they list.
type messageSource struct {
	open  func() (io.ReadCloser, error)
	sum   [32]byte
	count int
}

// ChangedError is manifest.json read again with bytes other than those
// checked first: the file changed while it was being read.
type ChangedError struct{ Want, Got [32]byte }

func (e *ChangedError) Error() string {
	return fmt.Sprintf("manifest.json changed while it was being verified: read again, its SHA-256 is %x, not %x as when it was checked", e.Got, e.Want)
}

// MessageCount is the number of messages the manifest lists.
func (m *Manifest) MessageCount() int {
	if m.src != nil {
		return m.src.len()
	}
	return len(m.Messages)
}

// EachMessage calls yield with each message in order, until yield
// returns an error, which it returns. For a manifest that does not hold
// its messages (ParseStreamed) they are decoded again from the entry,
// whose bytes are then read to the end and must be the checked ones: a
// *ChangedError otherwise, whatever yield returned. yield must not keep
// msg.
func (m *Manifest) EachMessage(yield func(i int, msg *Message) error) error {
	if m.src == nil {
		for i := range m.Messages {
			if err := yield(i, &m.Messages[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return m.src.each(yield)
}

// messagesInOrder is EachMessage for listMarshaler.
func (m *Manifest) messagesInOrder(yield func(*Message) error) error {
	return m.EachMessage(func(_ int, msg *Message) error { return yield(msg) })
}

// ReadingFrom returns a copy of m that reads its messages, when it does
// not hold them, through open (the same bytes, as held to the same
// SHA-256): for a reader of the bundle other than the one that parsed it.
func (m *Manifest) ReadingFrom(open func() (io.ReadCloser, error)) *Manifest {
	read, ok := m.src.(*messageSource)
	if !ok {
		return m
	}
	c, src := *m, *read
	src.open = func() (io.ReadCloser, error) { return checkedOpen(open, src.sum) }
	c.src = &src
	return &c
}

func (s *messageSource) len() int { return s.count }

func (s *messageSource) each(yield func(int, *Message) error) error {
	rc, err := s.open()
	if err != nil {
		return fmt.Errorf("manifest.json: %w", err)
	}
	defer rc.Close()
	walkErr := walkMessages(jsontext.NewDecoder(rc), yield)
	// The rest is read, so that the bytes acted on are known to be the
	// checked ones (checkedReader) before any verdict is drawn from them.
	if _, err := io.Copy(io.Discard, rc); err != nil {
		var changed *ChangedError
		if walkErr == nil || errors.As(err, &changed) {
			walkErr = err
		}
	}
	return walkErr
}

// WithPositions returns a copy of m that lists len(positions) messages
// carrying nothing but their positions, positions[k] the k-th's. It reads
// them from positions, which it keeps, rather than holding a Message each
// (128 bytes, 20 MB for the 158,000 messages of a manifest near its cap):
// for laying out the record of a manifest being written, which needs no
// more of its messages than where some were withheld.
func (m *Manifest) WithPositions(positions []int) *Manifest {
	c := *m
	c.Messages, c.src = nil, positionList(positions)
	return &c
}

// positionList is the messages of WithPositions.
type positionList []int

func (p positionList) len() int { return len(p) }

func (p positionList) each(yield func(int, *Message) error) error {
	var msg Message
	for k := range p {
		msg.Position = &p[k]
		if err := yield(k, &msg); err != nil {
			return err
		}
	}
	return nil
}

// walkMessages decodes the members "messages" of the object dec reads,
// element by element, and stops there.
func walkMessages(dec *jsontext.Decoder, yield func(int, *Message) error) error {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return fmt.Errorf("manifest.json: not an object (%v)", err)
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return fmt.Errorf("manifest.json: %w", err)
		}
		if name.String() != "messages" {
			if err := dec.SkipValue(); err != nil {
				return fmt.Errorf("manifest.json: %w", err)
			}
			continue
		}
		return eachElement(dec, yield)
	}
	return errors.New("manifest.json: no member messages")
}

// eachElement decodes the elements of the array dec is at as messages.
func eachElement(dec *jsontext.Decoder, yield func(int, *Message) error) error {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return fmt.Errorf("manifest.json: messages is not an array (%v)", err)
	}
	for i := 0; dec.PeekKind() != ']'; i++ {
		var msg Message
		if err := jsonv2.UnmarshalDecode(dec, &msg); err != nil {
			return fmt.Errorf("manifest.json: messages[%d]: %w", i, err)
		}
		if err := yield(i, &msg); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// checkedOpen opens the entry through open as a reader whose end is an
// error unless the bytes read have SHA-256 want.
func checkedOpen(open func() (io.ReadCloser, error), want [32]byte) (io.ReadCloser, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	return &checkedReader{rc: rc, h: sha256.New(), want: want}, nil
}

// checkedReader reads rc, hashing it; at the end it returns a
// *ChangedError instead of io.EOF when the hash is not want.
type checkedReader struct {
	rc   io.ReadCloser
	h    hash.Hash
	want [32]byte
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF {
		var got [32]byte
		if c.h.Sum(got[:0]); !bytes.Equal(got[:], c.want[:]) {
			return n, &ChangedError{Want: c.want, Got: got}
		}
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.rc.Close() }
