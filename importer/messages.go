package importer

import (
	"bufio"
	"bytes"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/custody-toolkit/custody/conversation"
)

// messageFile holds an import's messages on disk as they are made, each
// encoded as conversation.json holds it, so that an import keeps one
// message in memory whatever the chat's size: a 64 MB chat of 700,000
// messages held as values took 614 MB to import. writeConversation then
// puts the file's bytes in place of the conversation's messages.
type messageFile struct {
	f     *os.File
	w     *bufio.Writer
	count int
	room  int // bytes left under maxConversationSize
}

// messagesIndent is where a message sits in conversation.json: inside the
// top-level object's "messages" array, as jsontext.WithIndent("  ") lays
// it out.
const messagesIndent = "    "

func newMessageFile(dir string) (*messageFile, error) {
	f, err := os.CreateTemp(dir, ".messages-*.json")
	if err != nil {
		return nil, err
	}
	return &messageFile{f: f, w: bufio.NewWriterSize(f, 1<<20), room: maxConversationSize}, nil
}

// errTooLarge: the messages alone pass what conversation.json may hold.
var errTooLarge = errors.New("conversation.json over its size limit")

func (mf *messageFile) add(m *conversation.Message) error {
	sep := "\n" + messagesIndent
	if mf.count > 0 {
		sep = "," + sep
	}
	var buf bytes.Buffer
	buf.WriteString(sep)
	if err := jsonv2.MarshalWrite(&buf, m, jsontext.WithIndent("  "), jsontext.WithIndentPrefix(messagesIndent)); err != nil {
		return err
	}
	if buf.Len() > mf.room {
		return errTooLarge
	}
	mf.room -= buf.Len()
	mf.count++
	_, err := mf.w.Write(buf.Bytes())
	return err
}

// reader returns the messages written so far, from the start.
func (mf *messageFile) reader() (io.Reader, error) {
	if err := mf.w.Flush(); err != nil {
		return nil, err
	}
	if _, err := mf.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return mf.f, nil
}

// remove deletes the file; the import's folder must not keep it.
func (mf *messageFile) remove() {
	mf.f.Close()
	os.Remove(mf.f.Name())
}

// tooLarge is the error that names the limit a chat passed.
func tooLarge(messages int) error {
	return fmt.Errorf("the chat is too large: its %d messages make a conversation.json of more than %d bytes (%d MB), the most a conversation may have",
		messages, maxConversationSize, maxConversationSize>>20)
}
