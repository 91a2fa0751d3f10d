package importer

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/importer/internal/textnorm"
	"github.com/custody-toolkit/custody/importer/telegram"
	"github.com/custody-toolkit/custody/internal/nofollow"
)

// importTelegram reads a Desktop result.json (or the folder holding it);
// media paths are relative to the JSON's folder. The messages are read
// from the copy kept under sources/, one at a time (telegram.Check, then
// telegram.Each), each going to the conversation as it is read.
func importTelegram(src, dir string, b *builder) error {
	jsonPath := src
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		jsonPath = filepath.Join(src, "result.json")
		if _, err := nofollow.Stat(src, "result.json"); err != nil {
			return err
		}
	}
	c := newCopier(dir)
	rel, sum, err := b.telegramSource(c, jsonPath, dir)
	if err != nil {
		return err
	}
	open := func() (io.ReadCloser, error) { return os.Open(filepath.Join(dir, filepath.FromSlash(rel))) }
	chat, err := telegram.Check(open, b.loc)
	if err != nil {
		return fmt.Errorf("%s: %w", jsonPath, err)
	}
	b.warn(chat.Warnings...)
	b.conv.Title = "Telegram chat"
	if b.secret == nil && chat.Name != "" {
		b.conv.Title = chat.Name
	}
	var first *firstMessage
	err = telegram.Each(open, b.loc, func(tm telegram.Message, i int) error {
		if first == nil {
			first = &firstMessage{time: tm.Time, author: tm.AuthorID + "\x00" + tm.Author, text: tm.Text}
		}
		if err := b.addTelegram(c, dir, jsonPath, rel, chat, &tm); err != nil {
			return err
		}
		b.opts.progress("messages", i+1, chat.Count)
		return nil
	})
	if err != nil {
		return err
	}
	b.conv.ID = conversationID("telegram", first, sum)
	return b.dropSources(dir)
}

// telegramSource copies the export into sources/: the whole result.json
// of a one-chat export, read as a stream; for a full-account export, read
// whole, only the chosen chat's object, as the account's other chats must
// not travel. It returns the copy's path and its SHA-256.
func (b *builder) telegramSource(c *copier, jsonPath, dir string) (rel string, sum []byte, err error) {
	f, err := os.Open(jsonPath)
	if err != nil {
		return "", nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return "", nil, err
	}
	// Too large a file goes to the copy, which refuses it naming the limit.
	oneChat := st.Size() > telegram.MaxFileSize
	if !oneChat {
		oneChat, err = telegram.IsOneChat(f)
	}
	f.Close()
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", jsonPath, err)
	}
	if oneChat {
		src := file{name: filepath.Base(jsonPath), size: st.Size(), open: func() (io.ReadCloser, error) { return os.Open(jsonPath) }}
		return b.source(c, src, "telegram-json", telegram.MaxFileSize)
	}
	data, err := readCapped(jsonPath, telegram.MaxFileSize)
	if err != nil {
		return "", nil, err
	}
	chat, id, err := telegram.Extract(data, b.opts.Chat)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", jsonPath, err)
	}
	rel = "sources/telegram-chat.json"
	if id != "" {
		rel = "sources/telegram-chat-" + safeName(id) + ".json"
	}
	if err := os.MkdirAll(filepath.Join(dir, "sources"), 0o700); err != nil {
		return "", nil, err
	}
	if err := writeFileSync(filepath.Join(dir, filepath.FromSlash(rel)), chat); err != nil {
		return "", nil, err
	}
	b.conv.Sources = append(b.conv.Sources, conversation.Source{Path: rel, Type: "telegram-json-chat"})
	h := sha256.Sum256(chat)
	return rel, h[:], nil
}

// addTelegram adds a parsed message, its media copied into dir; replies
// point at Telegram ids, which the conversation numbers in file order.
func (b *builder) addTelegram(c *copier, dir, jsonPath, rel string, chat *telegram.Chat, tm *telegram.Message) error {
	m := conversation.Message{
		Text:   tm.Text,
		Flags:  tm.Flags,
		Origin: &conversation.Origin{Source: rel, FirstLine: tm.FirstLine, LastLine: tm.LastLine, SourceID: tm.ID},
	}
	if pos, ok := chat.Positions[tm.ReplyTo]; ok && tm.ReplyTo != "" {
		m.ReplyTo = "m" + strconv.Itoa(pos)
	}
	if tm.System {
		m.From = b.system()
	} else {
		key := textnorm.Name(tm.Author)
		if tm.AuthorID != "" {
			key = "telegram:" + tm.AuthorID
		}
		m.From = b.participant(key, tm.Author)
	}
	for _, md := range tm.Media {
		a, err := b.telegramAttachment(c, filepath.Dir(jsonPath), md)
		if err != nil {
			return fmt.Errorf("%s, message %q: %w", jsonPath, tm.ID, err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	return b.add(dir, m, tm.Time)
}

func (b *builder) telegramAttachment(c *copier, base string, md telegram.Media) (conversation.Attachment, error) {
	typ := md.MIME
	if typ == "" {
		typ = kindMIME(md.Kind)
	}
	missing := conversation.Attachment{Missing: true, Name: md.Name, Type: typ}
	if md.Missing {
		return missing, nil
	}
	p := path.Clean(strings.ReplaceAll(md.Path, `\`, "/"))
	if !filepath.IsLocal(filepath.FromSlash(p)) {
		b.warn(fmt.Sprintf("media path %q leaves the export folder: recorded as missing", md.Path))
		return missing, nil
	}
	st, err := nofollow.Stat(base, filepath.FromSlash(p))
	var link *nofollow.LinkError
	if errors.As(err, &link) {
		return conversation.Attachment{}, err
	}
	if err != nil {
		return missing, nil
	}
	parts := strings.Split(p, "/")
	for i := range parts {
		parts[i] = safeName(parts[i])
	}
	rel := "media/" + strings.Join(parts, "/")
	f := file{name: p, size: st.Size(), open: func() (io.ReadCloser, error) {
		f, _, err := nofollow.Open(base, filepath.FromSlash(p))
		return f, err
	}}
	if err := c.copy(f, rel, nil, MaxFileSize); err != nil {
		return conversation.Attachment{}, err
	}
	return conversation.Attachment{Path: rel, Name: md.Name, Type: typ}, nil
}

// readCapped reads a whole file of at most limit bytes.
func readCapped(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, limit)
	}
	return data, nil
}
