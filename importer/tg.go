package importer

import (
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
	rel, sum, err := b.telegramSource(c, jsonPath)
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
// of a one-chat export; for a full-account export only the chosen chat's
// object, as the account's other chats must not travel. Both are read as
// streams (telegram.Scan, then the copy). It returns the copy's path and
// its SHA-256.
func (b *builder) telegramSource(c *copier, jsonPath string) (rel string, sum []byte, err error) {
	f, err := os.Open(jsonPath)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", nil, err
	}
	// An account export may pass the cap, which bounds the chosen chat;
	// the copy refuses a chat above it, naming the limit.
	top, err := telegram.Scan(f)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", jsonPath, err)
	}
	if top.OneChat {
		src := file{name: filepath.Base(jsonPath), size: st.Size(), open: func() (io.ReadCloser, error) { return os.Open(jsonPath) }}
		return b.source(c, src, "telegram-json", telegram.MaxFileSize)
	}
	chat, err := top.Select(b.opts.Chat)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", jsonPath, err)
	}
	name := "telegram-chat.json"
	if chat.ID != "" {
		name = "telegram-chat-" + safeName(chat.ID) + ".json"
	}
	section := file{name: name, size: chat.End - chat.Start, open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.NewSectionReader(f, chat.Start, chat.End-chat.Start)), nil
	}}
	return b.source(c, section, "telegram-json-chat", telegram.MaxFileSize)
}

// addTelegram adds a parsed message, its media copied into dir; replies
// point at Telegram ids, which the conversation numbers in file order.
func (b *builder) addTelegram(c *copier, dir, jsonPath, rel string, chat *telegram.Chat, tm *telegram.Message) error {
	m := conversation.Message{
		Text:   tm.Text,
		Flags:  tm.Flags,
		Origin: &conversation.Origin{Source: rel, FirstLine: tm.FirstLine, LastLine: tm.LastLine, SourceID: tm.ID},
	}
	if pos, ok := chat.Positions.Get(tm.ReplyTo); ok && tm.ReplyTo != "" {
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
