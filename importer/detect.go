package importer

import (
	"bufio"
	"bytes"
	"encoding/json/jsontext"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/importer/whatsapp"
)

const expected = "expected a WhatsApp export (.txt, .zip or its unzipped folder), a Telegram Desktop JSON export (result.json or its folder), or a native conversation (conversation.json or its folder)"

// Detect tells the format of src: "whatsapp", "telegram" or "native".
// A non-empty forced format is checked for being one of those and returned.
func Detect(src, forced string) (string, error) {
	switch forced {
	case WhatsApp, Telegram, Native:
		return forced, nil
	case "":
	default:
		return "", fmt.Errorf("format %q: want whatsapp, telegram or native", forced)
	}
	st, err := os.Stat(src)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return detectFolder(src)
	}
	switch strings.ToLower(filepath.Ext(src)) {
	case ".zip", ".txt":
		return WhatsApp, nil // the parser says precisely what is wrong, if anything
	case ".html", ".htm":
		return "", fmt.Errorf("%s: Telegram's HTML export is not supported: export again choosing the \"Machine-readable JSON\" format", src)
	}
	head, err := readHead(src, 4096)
	if err != nil {
		return "", err
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	switch trimmed := bytes.TrimSpace(head); {
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		return detectJSON(src)
	case looksLikeWhatsApp(head):
		return WhatsApp, nil
	}
	return "", fmt.Errorf("%s: unrecognised input: %s", src, expected)
}

func detectFolder(dir string) (string, error) {
	has := func(name string) bool {
		st, err := os.Stat(filepath.Join(dir, name))
		return err == nil && st.Mode().IsRegular()
	}
	switch {
	case has("conversation.json"):
		return Native, nil
	case has("result.json"):
		return Telegram, nil
	case has("messages.html"):
		return "", fmt.Errorf("%s: Telegram's HTML export is not supported: export again choosing the \"Machine-readable JSON\" format", dir)
	}
	files, err := folderFiles(dir)
	if err != nil {
		return "", err
	}
	for name := range files {
		if strings.EqualFold(filepath.Ext(name), ".txt") {
			return WhatsApp, nil // the importer says which .txt it wants, if in doubt
		}
	}
	return "", fmt.Errorf("%s: unrecognised folder: %s", dir, expected)
}

// detectJSON tells a native conversation from a Telegram export by the
// top-level "format" member, read as a stream: a Telegram result.json may
// be hundreds of MB. What is neither is left to the Telegram parser,
// whose errors say what it expected.
func detectJSON(src string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if formatMember(bufio.NewReader(f)) == conversation.Format {
		return Native, nil
	}
	return Telegram, nil
}

// formatMember returns the top-level "format" string of a JSON object, or
// "" when r holds no such member or is not JSON: only a hint, the loader
// reports errors.
func formatMember(r io.Reader) string {
	dec := jsontext.NewDecoder(r)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return ""
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return ""
		}
		if name.String() == "format" && dec.PeekKind() == '"' {
			v, err := dec.ReadToken()
			if err != nil {
				return ""
			}
			return v.String()
		}
		if err := dec.SkipValue(); err != nil {
			return ""
		}
	}
	return ""
}

// looksLikeWhatsApp reports whether the first non-empty line of head is a
// WhatsApp message header.
func looksLikeWhatsApp(head []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(head))
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		_, err := whatsapp.Parse(bytes.NewReader(sc.Bytes()), whatsapp.Options{DateOrder: whatsapp.DMY})
		if err == nil {
			return true
		}
		// The same line read month-first may be a valid date.
		_, err = whatsapp.Parse(bytes.NewReader(sc.Bytes()), whatsapp.Options{DateOrder: whatsapp.MDY})
		return err == nil
	}
	return false
}

func readHead(p string, n int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}
