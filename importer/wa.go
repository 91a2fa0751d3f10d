package importer

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/importer/internal/textnorm"
	"github.com/custody-toolkit/custody/importer/whatsapp"
)

// importWhatsApp reads a .txt (media looked up beside it), a .zip or an
// unzipped folder.
func importWhatsApp(src, dir string, b *builder) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	var files map[string]file
	var chat file
	title := ""
	switch {
	case st.IsDir():
		if files, err = folderFiles(src); err != nil {
			return err
		}
		if chat, err = chatText(files, src); err != nil {
			return err
		}
		title = strings.TrimSuffix(chat.name, filepath.Ext(chat.name))
		if chatTitle(title) == defaultTitle {
			title = filepath.Base(filepath.Clean(src))
		}
	case strings.EqualFold(filepath.Ext(src), ".zip"):
		zr, err := zip.OpenReader(src)
		if err != nil {
			return fmt.Errorf("%s: not a readable zip: %w", src, err)
		}
		defer zr.Close()
		if files, err = zipFiles(&zr.Reader, st.Size(), b.warn); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		if chat, err = chatText(files, src); err != nil {
			return err
		}
		title = strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	default:
		if files, err = folderFiles(filepath.Dir(src)); err != nil {
			return err
		}
		chat = files[filepath.Base(src)]
		if chat.open == nil {
			return fmt.Errorf("%s: not a regular file", src)
		}
		title = strings.TrimSuffix(chat.name, filepath.Ext(chat.name))
	}

	c := newCopier(dir)
	rel, sum, err := b.source(c, chat, "whatsapp-txt", maxSourceBytes)
	if err != nil {
		return err
	}
	// Read from the copy in dir, twice (whatsapp.Scan), one message at a
	// time: each goes to the conversation as it is read.
	open := func() (io.ReadCloser, error) { return os.Open(filepath.Join(dir, filepath.FromSlash(rel))) }
	var first *firstMessage
	parsed, err := whatsapp.Scan(open, whatsapp.Options{DateOrder: b.opts.DateOrder, Location: b.loc}, func(pm whatsapp.Message, i, total int) error {
		if first == nil {
			first = &firstMessage{time: pm.Time, author: pm.Author, text: pm.Text}
		}
		if err := b.addWhatsApp(c, files, dir, rel, &pm); err != nil {
			return err
		}
		b.opts.progress("messages", i+1, total)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", chat.name, err)
	}
	b.warn(parsed.Warnings...)
	b.conv.ID = conversationID("whatsapp", first, sum)
	b.conv.Title = defaultTitle
	if b.secret == nil {
		b.conv.Title = chatTitle(title)
	}
	return b.dropSources(dir)
}

// addWhatsApp adds a parsed message, its media copied into dir.
func (b *builder) addWhatsApp(c *copier, files map[string]file, dir, rel string, pm *whatsapp.Message) error {
	m := conversation.Message{
		Text:   pm.Text,
		Flags:  pm.Flags,
		Origin: &conversation.Origin{Source: rel, FirstLine: pm.FirstLine, LastLine: pm.LastLine},
	}
	if pm.System {
		m.From = b.system()
	} else {
		m.From = b.participant(textnorm.Name(pm.Author), pm.Author)
	}
	for _, md := range pm.Media {
		a, err := b.attachment(c, files, md)
		if err != nil {
			return fmt.Errorf("line %d: %w", pm.FirstLine, err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	return b.add(dir, m, pm.Time)
}

// attachment links a media reference to its file when the export holds
// it, and records it as missing when it does not.
func (b *builder) attachment(c *copier, files map[string]file, md whatsapp.Media) (conversation.Attachment, error) {
	if md.Name == "" {
		return conversation.Attachment{Missing: true, Type: kindMIME(md.Kind)}, nil
	}
	f, ok := files[md.Name]
	if !ok {
		return conversation.Attachment{Missing: true, Name: md.Name, Type: mimeOf(md.Name)}, nil
	}
	rel := "media/" + safeName(md.Name)
	if err := c.copy(f, rel, nil, MaxFileSize); err != nil {
		return conversation.Attachment{}, err
	}
	return conversation.Attachment{Path: rel, Name: md.Name, Type: mimeOf(md.Name)}, nil
}

// chatTitle takes the chat's name from the export's file name
// ("WhatsApp Chat with Ana", "WhatsApp Chat - Ana").
func chatTitle(base string) string {
	for _, prefix := range []string{"WhatsApp Chat with ", "WhatsApp Chat - ", "WhatsApp Chat mit ", "Chat de WhatsApp con "} {
		if rest, ok := strings.CutPrefix(base, prefix); ok && rest != "" {
			return rest
		}
	}
	return defaultTitle
}

const defaultTitle = "WhatsApp chat"

func (b *builder) warn(list ...string) { b.opts.warn(list) }
