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
// media paths are relative to the JSON's folder.
func importTelegram(src, dir string, b *builder) error {
	jsonPath := src
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		jsonPath = filepath.Join(src, "result.json")
		if _, err := nofollow.Stat(src, "result.json"); err != nil {
			return err
		}
	}
	data, err := readCapped(jsonPath, telegram.MaxFileSize)
	if err != nil {
		return err
	}
	chat, err := telegram.Parse(data, telegram.Options{Chat: b.opts.Chat, Location: b.loc})
	if err != nil {
		return fmt.Errorf("%s: %w", jsonPath, err)
	}
	b.warn(chat.Warnings...)

	c := newCopier(dir)
	var rel string
	if chat.Whole {
		st, err := os.Stat(jsonPath)
		if err != nil {
			return err
		}
		f := file{name: filepath.Base(jsonPath), size: st.Size(), open: func() (io.ReadCloser, error) { return os.Open(jsonPath) }}
		if rel, _, err = b.source(c, f, "telegram-json", telegram.MaxFileSize); err != nil {
			return err
		}
	} else {
		// Only the chosen chat's object travels: the account export holds
		// every other chat of the account.
		rel = "sources/telegram-chat.json"
		if chat.ID != "" {
			rel = "sources/telegram-chat-" + safeName(chat.ID) + ".json"
		}
		if err := os.MkdirAll(filepath.Join(dir, "sources"), 0o700); err != nil {
			return err
		}
		if err := writeFileSync(filepath.Join(dir, filepath.FromSlash(rel)), chat.Source); err != nil {
			return err
		}
		b.conv.Sources = append(b.conv.Sources, conversation.Source{Path: rel, Type: "telegram-json-chat"})
	}
	sum := sha256.Sum256(chat.Source)
	var first *firstMessage
	if len(chat.Messages) > 0 {
		m := chat.Messages[0]
		first = &firstMessage{time: m.Time, author: m.AuthorID + "\x00" + m.Author, text: m.Text}
	}
	b.conv.ID = conversationID("telegram", first, sum[:])
	b.conv.Title = "Telegram chat"
	if b.secret == nil && chat.Name != "" {
		b.conv.Title = chat.Name
	}

	// Replies point at Telegram ids; the conversation numbers messages in
	// file order, so map one onto the other first.
	byTelegramID := map[string]string{}
	for i, m := range chat.Messages {
		if m.ID != "" {
			byTelegramID[m.ID] = "m" + strconv.Itoa(i+1)
		}
	}
	base := filepath.Dir(jsonPath)
	for i := range chat.Messages {
		tm := &chat.Messages[i]
		m := conversation.Message{
			Text:    tm.Text,
			Flags:   tm.Flags,
			ReplyTo: byTelegramID[tm.ReplyTo],
			Origin:  &conversation.Origin{Source: rel, FirstLine: tm.FirstLine, LastLine: tm.LastLine, SourceID: tm.ID},
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
			a, err := b.telegramAttachment(c, base, md)
			if err != nil {
				return fmt.Errorf("%s, message %q: %w", jsonPath, tm.ID, err)
			}
			m.Attachments = append(m.Attachments, a)
		}
		if err := b.add(dir, m, tm.Time); err != nil {
			return err
		}
		b.opts.progress("messages", i+1, len(chat.Messages))
	}
	return b.dropSources(dir)
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
