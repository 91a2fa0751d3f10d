// Package telegram parses Telegram Desktop JSON exports: the result.json of
// one chat, and the full-account export ("Export Telegram data") whose
// chats.list holds every chat, one of which is chosen by name or id.
//
//	chat, err := telegram.Parse(data, telegram.Options{Chat: "Dr. Ruiz", Location: loc})
//	os.WriteFile("sources/chat.json", chat.Source, 0o644) // the bytes the lines refer to
//
// Text given as a string or as an array of entities is concatenated as
// shown; date_unixtime is preferred, then a "date" with a zone ("Z" or an
// offset, as Telegram-like exports of other tools write); a zone-less
// "date" is read in Options.Location. Service messages (group created,
// member added, call, …) are System. Media that Telegram did not download
// ("(File not included. …)") is reported Missing. A JSON array, as Telethon
// or API dumps write, is refused: it is not a Desktop export.
//
// Parse holds the export and its messages in memory. An importer reads an
// export of any size in the memory of one message: Scan tells a one-chat
// export, read in place, from a full-account one and locates each chat of
// the latter (Export.Select picks one, or lists them all when it cannot),
// so that the chosen chat's bytes are copied out without holding the
// account; Check and Each then stream that chat object from its copy.
package telegram

import (
	"bufio"
	"bytes"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/importer/internal/warn"
)

// MaxFileSize bounds the JSON a Parse reads (it is held in memory) and
// the chat an importer accepts: a one-chat result.json, or the chosen
// chat's object of a full-account export (which Scan reads as a stream,
// whatever its size).
const MaxFileSize = 256 << 20

// Options control parsing.
type Options struct {
	// Chat selects a chat of a full-account export by name or id; it may
	// be empty when the export holds a single chat.
	Chat string
	// Location reads "date" values when date_unixtime is missing (old
	// exports); default time.Local.
	Location *time.Location
}

// Chat is one parsed chat.
type Chat struct {
	Name string
	ID   string
	Type string // "personal_chat", "private_group", …
	// Source is the JSON the message line numbers refer to: the whole file
	// for a one-chat export, the chat's own object (its bytes as they are in
	// the file) for a full-account export, whose other chats must not travel.
	Source []byte
	// Whole reports that Source is the whole input.
	Whole    bool
	Messages []Message
	Warnings []string
	// Count is the number of messages; Positions gives the 1-based
	// position in the file of each Telegram message id, which replies
	// point at.
	Count     int
	Positions Positions
}

// Positions maps Telegram message ids to their 1-based positions in the
// file; a later message with the same id wins. It is held for the whole
// import (a reply may point forward), so it is compact: Desktop numbers
// the messages of a chat with increasing integers, which are kept as two
// sorted slices (12 bytes a message, where a map of strings took about
// 50); any other id, or one out of order, goes to a map.
type Positions struct {
	ids   []int64
	pos   []int32
	other map[string]int
}

func (p *Positions) add(id string, pos int) {
	n, err := strconv.ParseInt(id, 10, 64)
	canonical := err == nil && strconv.FormatInt(n, 10) == id && pos <= math.MaxInt32
	if canonical && (len(p.ids) == 0 || n > p.ids[len(p.ids)-1]) {
		p.ids, p.pos = append(p.ids, n), append(p.pos, int32(pos))
		return
	}
	if p.other == nil {
		p.other = map[string]int{}
	}
	p.other[id] = pos
}

// Get returns the position of the message with Telegram id id. An id in
// the map came after any equal one in the slices (those only grow), so
// the map is asked first.
func (p *Positions) Get(id string) (int, bool) {
	if pos, ok := p.other[id]; ok {
		return pos, true
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != id {
		return 0, false
	}
	if i, found := slices.BinarySearch(p.ids, n); found {
		return int(p.pos[i]), true
	}
	return 0, false
}

// Message is one message or service entry.
type Message struct {
	ID   string // Telegram's message id, empty in exports that omit it
	Time time.Time
	// Author is the sender's name ("from", or "actor" for a service
	// message), AuthorID its stable id ("from_id"); either may be empty.
	Author, AuthorID string
	System           bool
	Text             string
	Media            []Media
	Flags            []string // "edited", "forwarded"
	ReplyTo          string
	// FirstLine and LastLine locate the message's JSON object in Source.
	FirstLine, LastLine int
}

// Media is a file of a message, Path relative to the export's folder.
type Media struct {
	Path    string // empty when Missing
	Name    string
	Kind    string // "photo", "video_file", "voice_message", "sticker", …
	MIME    string
	Missing bool
}

// ChatEntry names a chat of a full-account export and locates its
// object in the file: bytes [Start, End), as they are in the file.
type ChatEntry struct {
	Name, ID, Type string
	Start, End     int64
}

// Export is what Scan found at the top of a Desktop export: a one-chat
// export (its messages are in the file itself), or the chats of a
// full-account export.
type Export struct {
	OneChat bool
	Chats   []ChatEntry
}

// Parse reads a Telegram Desktop JSON export.
func Parse(data []byte, opts Options) (*Chat, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	// A *bytes.Buffer lets the decoder read in place, without a copy.
	top, err := Scan(bytes.NewBuffer(data))
	if err != nil {
		return nil, err
	}
	if top.OneChat {
		c, err := parseChat(data, opts.Location)
		if err != nil {
			return nil, err
		}
		c.Whole = true
		return c, nil
	}
	e, err := top.Select(opts.Chat)
	if err != nil {
		return nil, err
	}
	return parseChat(data[e.Start:e.End], opts.Location)
}

// Scan reads an export as a stream, in the memory of one message: it
// tells a one-chat export from a full-account one and, for the latter,
// names and locates every chat of its lists (chats and left_chats), so
// that an importer copies the chosen chat's bytes without holding the
// account. It fails on what is not a Desktop export.
func Scan(r io.Reader) (*Export, error) {
	dec := jsontext.NewDecoder(r)
	switch dec.PeekKind() {
	case '{':
	case '[':
		return nil, errors.New("a JSON array of messages is not a Telegram Desktop export (Telethon and API dumps look like this): expected the result.json of \"Export chat history\" (an object with \"messages\") or of \"Export Telegram data\" (an object with \"chats\")")
	default:
		return nil, errors.New("not a Telegram Desktop export: expected a JSON object with \"messages\" or \"chats\"")
	}
	top, accounts, err := scanTop(dec)
	if err != nil {
		return nil, fmt.Errorf("not a Telegram Desktop export: %w", err)
	}
	if !top.OneChat && !accounts {
		return nil, errors.New("not a Telegram Desktop export: the JSON object has neither \"messages\" (one chat) nor \"chats\" (full account)")
	}
	return top, nil
}

// scanTop walks the top-level object, listing the chats of an account
// export; accounts reports a "chats" or "left_chats" member.
func scanTop(dec *jsontext.Decoder) (top *Export, accounts bool, err error) {
	top = &Export{}
	err = eachMember(dec, func(name string) error {
		switch name {
		case "messages":
			top.OneChat = true
		case "chats", "left_chats":
			accounts = true
			if dec.PeekKind() == '{' {
				return eachMember(dec, func(name string) error {
					if name != "list" {
						return dec.SkipValue()
					}
					return eachElement(dec, func() error {
						e, err := scanChat(dec, len(top.Chats)+1)
						top.Chats = append(top.Chats, e)
						return err
					})
				})
			}
		}
		return dec.SkipValue()
	})
	if err != nil {
		return nil, false, err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil, false, errors.New("data after the top-level object")
	}
	return top, accounts, nil
}

// scanChat reads the n-th chat object of a list, keeping its name, id,
// type and place in the file, and skipping its messages token by token.
func scanChat(dec *jsontext.Decoder, n int) (ChatEntry, error) {
	if dec.PeekKind() != '{' {
		return ChatEntry{}, fmt.Errorf("chat #%d of the list is not a JSON object", n)
	}
	if err := readDelim(dec, '{'); err != nil {
		return ChatEntry{}, err
	}
	e := ChatEntry{Start: dec.InputOffset() - 1}
	err := restOfObject(dec, func(name string) error {
		switch name {
		case "name":
			return readScalar(dec, &e.Name)
		case "id":
			return readScalar(dec, &e.ID)
		case "type":
			return readScalar(dec, &e.Type)
		}
		return dec.SkipValue()
	})
	e.End = dec.InputOffset()
	return e, err
}

// Select picks the chat whose id or name is want; with one chat, want
// may be empty. When it cannot choose, the error lists every chat.
func (x *Export) Select(want string) (ChatEntry, error) {
	list := x.Chats
	if len(list) == 0 {
		return ChatEntry{}, errors.New("the export's chats list is empty")
	}
	if want == "" && len(list) == 1 {
		return list[0], nil
	}
	var byID, byName []int
	for i, e := range list {
		if want != "" && e.ID == want {
			byID = append(byID, i)
		}
		if want != "" && strings.EqualFold(strings.TrimSpace(e.Name), strings.TrimSpace(want)) {
			byName = append(byName, i)
		}
	}
	switch {
	case len(byID) == 1:
		return list[byID[0]], nil
	case len(byID) == 0 && len(byName) == 1:
		return list[byName[0]], nil
	}
	var b strings.Builder
	switch {
	case want == "":
		fmt.Fprintf(&b, "the export holds %d chats: choose one with --chat NAME or ID:", len(list))
	case len(byName) > 1:
		fmt.Fprintf(&b, "%d chats are named %q: choose one with --chat ID:", len(byName), want)
	default:
		fmt.Fprintf(&b, "no chat has the name or id %q; the export holds:", want)
	}
	for _, e := range list {
		// Every field quoted: a chat's id, name or type, written by
		// whoever made the export, cannot draw a line of this list.
		fmt.Fprintf(&b, "\n  %q\t%q\t%q", e.ID, e.Name, e.Type)
	}
	return ChatEntry{}, errors.New(b.String())
}

// parseChat reads one chat object held in memory, in one pass; line
// numbers are relative to data.
func parseChat(data []byte, loc *time.Location) (*Chat, error) {
	var messages []Message
	// A *bytes.Buffer lets the decoder read in place, without a copy.
	c, err := checkChat(bytes.NewBuffer(data), bytes.NewReader(data), loc, func(m *Message, _ int) error {
		messages = append(messages, *m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Source, c.Messages = data, messages
	return c, nil
}

// Check and Each read one chat object (a one-chat result.json, or the
// chat Scan located in a full-account export) one message at a time, so
// that a chat of any size takes the memory of one message. Check reads
// every message and returns the chat's name, id, warnings, message count
// and the position of each Telegram id (a reply may point forward), with
// no Source and no Messages; Each then hands the messages to fn in file
// order. Each pass opens the input twice, the second time to count lines.
func Check(open func() (io.ReadCloser, error), loc *time.Location) (c *Chat, err error) {
	err = withInput(open, func(r, lr io.Reader) error {
		c, err = checkChat(r, lr, loc, func(*Message, int) error { return nil })
		return err
	})
	return c, err
}

// Each hands every message of a chat Check accepted to fn (see Check).
func Each(open func() (io.ReadCloser, error), loc *time.Location, fn func(m Message, i int) error) error {
	if loc == nil {
		loc = time.Local
	}
	return withInput(open, func(r, lr io.Reader) error {
		var ignored warn.List // Check returned them
		return readChat(r, lr, loc, &Chat{}, &ignored, func(m *Message, i int) error { return fn(*m, i) })
	})
}

// withInput opens the input twice, for the decoder and for line numbers.
func withInput(open func() (io.ReadCloser, error), fn func(r, lr io.Reader) error) error {
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	lr, err := open()
	if err != nil {
		return err
	}
	defer lr.Close()
	return fn(r, lr)
}

// checkChat reads a chat object, calling each with every message, and
// returns the chat with its count, positions and warnings.
func checkChat(r, lr io.Reader, loc *time.Location, each func(m *Message, i int) error) (*Chat, error) {
	if loc == nil {
		loc = time.Local
	}
	c := &Chat{}
	var w, order warn.List
	var prev time.Time
	err := readChat(r, lr, loc, c, &w, func(m *Message, i int) error {
		if m.ID != "" {
			c.Positions.add(m.ID, i+1)
		}
		if i > 0 && m.Time.Before(prev) {
			order.Add("message %q (line %d): time %s is earlier than the message before; kept in file order",
				m.ID, m.FirstLine, m.Time.Format(time.RFC3339))
		}
		prev = m.Time
		c.Count = i + 1
		return each(m, i)
	})
	if err != nil {
		return nil, err
	}
	if c.Count == 0 {
		return nil, fmt.Errorf("chat %q has no messages", c.Name)
	}
	// The order warnings come after the messages' own, as when they were
	// made once every message was read.
	w.Append(&order)
	c.Warnings = w.Strings()
	return c, nil
}

// readChat makes one pass over a chat object from r (lr reads the same
// bytes, for line numbers), calling each with every message in file
// order and filling c's name, id and type.
func readChat(r, lr io.Reader, loc *time.Location, c *Chat, w *warn.List, each func(m *Message, i int) error) error {
	lines := &lineCounter{r: bufio.NewReader(lr)}
	dec := jsontext.NewDecoder(r)
	n := 0
	err := eachMember(dec, func(name string) error {
		switch name {
		case "name":
			return readScalar(dec, &c.Name)
		case "id":
			return readScalar(dec, &c.ID)
		case "type":
			return readScalar(dec, &c.Type)
		case "messages":
			return eachElement(dec, func() error {
				v, err := dec.ReadValue()
				if err != nil {
					return err
				}
				end := dec.InputOffset()
				first, err := lines.at(end - int64(len(v)))
				if err != nil {
					return err
				}
				m, err := parseMessage(v, loc, w)
				if err != nil {
					return fmt.Errorf("message #%d (line %d): %w", n+1, first, err)
				}
				if m.LastLine, err = lines.at(end - 1); err != nil {
					return err
				}
				m.FirstLine = first
				n++
				return each(&m, n-1)
			})
		}
		return dec.SkipValue()
	})
	if err != nil {
		return fmt.Errorf("not a Telegram Desktop chat: %w", err)
	}
	return nil
}

// rawMessage is the part of a Desktop message the importer reads.
type rawMessage struct {
	ID            jsontext.Value `json:"id"`
	Type          string         `json:"type"`
	Date          string         `json:"date"`
	DateUnix      jsontext.Value `json:"date_unixtime"`
	Edited        string         `json:"edited"`
	From          *string        `json:"from"`
	FromID        jsontext.Value `json:"from_id"`
	Actor         *string        `json:"actor"`
	ActorID       jsontext.Value `json:"actor_id"`
	Action        string         `json:"action"`
	Title         string         `json:"title"`
	Members       []*string      `json:"members"`
	Text          text           `json:"text"`
	ReplyTo       jsontext.Value `json:"reply_to_message_id"`
	ForwardedFrom *string        `json:"forwarded_from"`
	Photo         string         `json:"photo"`
	File          string         `json:"file"`
	FileName      string         `json:"file_name"`
	MediaType     string         `json:"media_type"`
	MIMEType      string         `json:"mime_type"`
	Location      *struct {
		Latitude  jsontext.Value `json:"latitude"`
		Longitude jsontext.Value `json:"longitude"`
	} `json:"location_information"`
	Contact *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Phone     string `json:"phone_number"`
	} `json:"contact_information"`
	Poll *struct {
		Question string `json:"question"`
		Answers  []struct {
			Text   string `json:"text"`
			Voters int    `json:"voters"`
		} `json:"answers"`
	} `json:"poll"`
}

func parseMessage(v jsontext.Value, loc *time.Location, w *warn.List) (Message, error) {
	var r rawMessage
	if err := jsonv2.Unmarshal(v, &r); err != nil {
		return Message{}, err
	}
	var m Message
	m.ID = scalar(r.ID)
	t, err := messageTime(&r, loc, w)
	if err != nil {
		return Message{}, err
	}
	m.Time = t
	m.Text = string(r.Text)
	if m.Text == "" {
		m.Text = structuredText(&r)
	}
	switch r.Type {
	case "service":
		m.System = true
		m.Author, m.AuthorID = deref(r.Actor), scalar(r.ActorID)
		if m.Text == "" {
			m.Text = describeAction(&r)
		}
	case "message", "":
		m.Author, m.AuthorID = deref(r.From), scalar(r.FromID)
	default:
		return Message{}, fmt.Errorf("field type: unknown message type %q", r.Type)
	}
	if r.Edited != "" {
		m.Flags = append(m.Flags, "edited")
	}
	if r.ForwardedFrom != nil {
		m.Flags = append(m.Flags, "forwarded")
	}
	m.ReplyTo = scalar(r.ReplyTo)
	m.Media = media(&r)
	return m, nil
}

// messageTime prefers date_unixtime (an instant); "date" is wall time in
// the exporting computer's zone, which the export does not record.
func messageTime(r *rawMessage, loc *time.Location, w *warn.List) (time.Time, error) {
	if s := scalar(r.DateUnix); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil || sec < 0 || sec > 253402300799 {
			return time.Time{}, fmt.Errorf("field date_unixtime: %q is not a Unix time", s)
		}
		return time.Unix(sec, 0).In(loc), nil
	}
	if r.Date == "" {
		return time.Time{}, errors.New("field date: missing (and no date_unixtime)")
	}
	// Telegram-like exports from other tools write ISO 8601 instants,
	// with "Z" or an offset and often milliseconds: those are instants
	// too, and need no zone.
	if t, err := time.Parse(time.RFC3339Nano, r.Date); err == nil {
		return t.In(loc), nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", r.Date, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("field date: %q is neither a Telegram date (2006-01-02T15:04:05) nor an RFC 3339 time", r.Date)
	}
	w.AddOnce("date", "no date_unixtime: times read as wall-clock times in %s", loc)
	return t, nil
}

// text is a message text given as a string or as an array of strings and
// entity objects ({"type":"bold","text":"…"}), joined as the user saw it.
// It decodes from the token stream, so that a long text is copied once.
type text string

func (t *text) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '"':
		tok, err := dec.ReadToken()
		*t = text(tok.String())
		return err
	case '[':
	default:
		return errors.New("neither a string nor an array of text entities")
	}
	var b strings.Builder
	n := 0
	err := eachElement(dec, func() error {
		n++
		switch dec.PeekKind() {
		case '"':
			tok, err := dec.ReadToken()
			b.WriteString(tok.String())
			return err
		case '{':
			return eachMember(dec, func(name string) error {
				if name != "text" || dec.PeekKind() != '"' {
					return dec.SkipValue()
				}
				tok, err := dec.ReadToken()
				b.WriteString(tok.String())
				return err
			})
		}
		return fmt.Errorf("entity #%d is neither a string nor an object", n)
	})
	*t = text(b.String())
	return err
}

// structuredText renders a location, contact or poll, which Desktop
// exports as fields rather than text, so that they are not lost.
func structuredText(r *rawMessage) string {
	switch {
	case r.Location != nil:
		return fmt.Sprintf("Location: %s, %s", r.Location.Latitude, r.Location.Longitude)
	case r.Contact != nil:
		return strings.TrimSpace(fmt.Sprintf("Contact: %s %s %s", r.Contact.FirstName, r.Contact.LastName, r.Contact.Phone))
	case r.Poll != nil:
		var b strings.Builder
		b.WriteString("Poll: " + r.Poll.Question)
		for _, a := range r.Poll.Answers {
			fmt.Fprintf(&b, "\n- %s (%d votes)", a.Text, a.Voters)
		}
		return b.String()
	}
	return ""
}

// describeAction renders a service message that has no text.
func describeAction(r *rawMessage) string {
	parts := []string{}
	if a := deref(r.Actor); a != "" {
		parts = append(parts, a)
	}
	if r.Action != "" {
		parts = append(parts, strings.ReplaceAll(r.Action, "_", " "))
	}
	if r.Title != "" {
		parts = append(parts, strconv.Quote(r.Title))
	}
	var members []string
	for _, m := range r.Members {
		members = append(members, deref(m))
	}
	if len(members) > 0 {
		parts = append(parts, strings.Join(members, ", "))
	}
	return strings.Join(parts, " ")
}

// notDownloaded is how Desktop writes a file it did not export.
func notDownloaded(p string) bool {
	return strings.HasPrefix(p, "(File ") || strings.HasPrefix(p, "(Photo ")
}

func media(r *rawMessage) []Media {
	var out []Media
	add := func(p, kind, mime string) {
		if p == "" {
			return
		}
		m := Media{Kind: kind, MIME: mime}
		if notDownloaded(p) {
			m.Missing = true
			m.Name = r.FileName
		} else {
			m.Path = p
			m.Name = path.Base(strings.ReplaceAll(p, `\`, "/"))
			if r.FileName != "" {
				m.Name = r.FileName
			}
		}
		out = append(out, m)
	}
	add(r.Photo, "photo", "image/jpeg")
	kind := r.MediaType
	if kind == "" {
		kind = "file"
	}
	add(r.File, kind, r.MIMEType)
	return out
}

// lineCounter maps byte offsets, asked in increasing order, to 1-based
// line numbers by reading the same input alongside the decoder: the
// decoder does not count lines, and an index of every line of a large
// export would grow with it.
type lineCounter struct {
	r    *bufio.Reader
	off  int64 // bytes read so far
	line int   // newlines among them
}

func (lc *lineCounter) at(off int64) (int, error) {
	for lc.off < off {
		b, err := lc.r.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("reading the export again for line numbers: %w", err)
		}
		lc.off++
		if b == '\n' {
			lc.line++
		}
	}
	return lc.line + 1, nil
}

// eachMember calls fn with each member name of the next JSON object; fn
// must consume the member's value.
func eachMember(dec *jsontext.Decoder, fn func(name string) error) error {
	if err := readDelim(dec, '{'); err != nil {
		return err
	}
	return restOfObject(dec, fn)
}

// readDelim reads the next token, which must open an object or array.
func readDelim(dec *jsontext.Decoder, want jsontext.Kind) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != want {
		what := map[jsontext.Kind]string{'{': "object", '[': "array"}[want]
		return fmt.Errorf("expected a JSON %s, got %v", what, tok.Kind())
	}
	return nil
}

// restOfObject is eachMember after the object's '{'.
func restOfObject(dec *jsontext.Decoder, fn func(name string) error) error {
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := fn(name.String()); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken() // '}', or the syntax error that stopped the loop
	return err
}

// eachElement calls fn for each element of the next JSON array; fn must
// consume the element.
func eachElement(dec *jsontext.Decoder, fn func() error) error {
	if err := readDelim(dec, '['); err != nil {
		return err
	}
	for !slices.Contains([]jsontext.Kind{']', 0}, dec.PeekKind()) {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// readScalar reads a string or number member as scalar renders it; any
// other value is skipped token by token and reads as "", so that a
// crafted name or id is never held whole.
func readScalar(dec *jsontext.Decoder, dst *string) error {
	if k := dec.PeekKind(); k != '"' && k != '0' {
		*dst = ""
		return dec.SkipValue()
	}
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	*dst = scalar(v)
	return nil
}

// scalar renders a JSON string or number as a string; anything else as "".
func scalar(v jsontext.Value) string {
	switch v.Kind() {
	case '"':
		var s string
		_ = jsonv2.Unmarshal(v, &s)
		return s
	case '0':
		return string(v)
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
