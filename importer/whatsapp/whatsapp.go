// Package whatsapp parses the text of a WhatsApp "Export chat" (_chat.txt,
// "WhatsApp Chat with X.txt"), Android or iOS, in any locale.
//
//	chat, err := whatsapp.Parse(f, whatsapp.Options{Location: loc})
//	for _, m := range chat.Messages { ... m.Time, m.Author, m.Text, m.FirstLine ... }
//
// Parse holds the chat; Scan reads a file twice and hands over one message
// at a time, so that an import's memory does not grow with the chat.
//
// Exports carry no time zone and no statement of their date order: Parse
// reads times in Options.Location and infers day-first or month-first from
// the whole file, refusing (rather than guessing) when no date tells.
// Invisible marks (U+200E, U+202F, …) are ignored to recognise headers,
// markers and system lines, but message text is kept exactly as exported
// (line breaks normalised to \n). Messages stay in file order; times that
// run backwards are reported in Chat.Warnings, never sorted.
//
// System lines (group events, encryption notices, security-code changes)
// are recognised three ways: Android writes them without "Name: "; iOS
// gives them a sender (the chat's name, or the actor's) but starts the body
// with U+200E, which it otherwise puts only before media and similar
// markers; and known wordings (English and six other languages) catch
// copies whose marks were lost. They are never attributed to a person.
//
// Parse only reads text: linking media names to files is the importer's job.
package whatsapp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/custody-toolkit/custody/importer/internal/warn"
)

// MaxLineLength bounds one line of an export, MaxMessageLength one message
// of several lines: WhatsApp caps a message at 65,536 characters, so
// anything longer is not an export.
const (
	MaxLineLength    = 1 << 20
	MaxMessageLength = 4 << 20
)

// Date orders accepted in Options.DateOrder.
const (
	DMY = "dmy"
	MDY = "mdy"
	YMD = "ymd"
)

// Options control parsing.
type Options struct {
	// DateOrder forces "dmy", "mdy" or "ymd"; empty infers it from the file.
	DateOrder string
	// Location is the zone the export's times are read in (default time.Local).
	Location *time.Location
}

// Chat is a parsed export.
type Chat struct {
	Messages []Message
	// DateOrder is the order used for dates whose first field is not a
	// four-digit year: given or inferred.
	DateOrder string
	// Warnings are facts an examiner should know: times running backwards,
	// calendars converted, hours read leniently.
	Warnings []string
}

// Message is one entry of the export.
type Message struct {
	Time time.Time
	// Author is the sender's display name as exported, the "~" marking a
	// non-contact removed; empty for system messages.
	Author string
	// System marks group events, encryption notices, security-code changes.
	System bool
	// Text is the message as exported after the header (for a system line,
	// everything after the header, including any name iOS puts in front).
	Text string
	// Media are the attachments the text names or says were omitted.
	Media []Media
	// Flags are "deleted" and "edited".
	Flags []string
	// FirstLine and LastLine locate the message in the file (1-based).
	FirstLine, LastLine int
}

// Media is one attachment a message line refers to.
type Media struct {
	// Name is the file name the export gives ("00000012-PHOTO-….jpg",
	// "IMG-20230101-WA0001.jpg"); empty when it only says media was omitted.
	Name string
	// Kind is "image", "video", "audio", "sticker", "gif", "document",
	// "contact" when the marker says; empty otherwise.
	Kind string
}

// rawMessage is a message whose date is not yet resolved: the date order
// is known only after the whole file is read.
type rawMessage struct {
	h         header
	rest      []string // text after the header, then continuation lines
	size      int      // bytes in rest
	firstLine int
	lastLine  int
}

// Parse reads an export whole and returns its messages; Scan reads one
// in two passes, holding one message at a time. A line longer than
// MaxLineLength, a first line that is not a message header, or a date that
// cannot be read is an error naming the line.
func Parse(r io.Reader, opts Options) (*Chat, error) {
	var raws []*rawMessage
	if _, err := splitRaw(r, func(raw *rawMessage) error { raws = append(raws, raw); return nil }); err != nil {
		return nil, err
	}
	replay := func(fn func(*rawMessage) error) (int, error) {
		for _, raw := range raws {
			if err := fn(raw); err != nil {
				return 0, err
			}
		}
		return len(raws), nil
	}
	var messages []Message
	chat, err := scan(replay, opts, func(m Message, _, _ int) error {
		messages = append(messages, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	chat.Messages = messages
	return chat, nil
}

// Scan reads the export that open opens, twice: once to check its lines
// and infer the date order, which may take the last date of the file to
// tell; then again to hand each message to emit, in file order, with its
// place (0-based) and the number of messages. Memory is bounded by one
// message (MaxMessageLength), whatever the file's size. The Chat it
// returns has no Messages.
func Scan(open func() (io.ReadCloser, error), opts Options, emit func(m Message, i, total int) error) (*Chat, error) {
	return scan(func(fn func(*rawMessage) error) (int, error) { return eachRaw(open, fn) }, opts, emit)
}

// scan is Scan over each, which hands every message of the export to fn
// and returns how many there were.
func scan(each func(fn func(*rawMessage) error) (int, error), opts Options, emit func(m Message, i, total int) error) (*Chat, error) {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	switch opts.DateOrder {
	case "", DMY, MDY, YMD:
	default:
		return nil, fmt.Errorf("date order %q: want dmy, mdy or ymd", opts.DateOrder)
	}
	var votes orderVotes
	n, err := each(func(raw *rawMessage) error { votes.add(raw); return nil })
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("no WhatsApp message found (expected lines such as \"[31/12/2023, 18:04:05] Name: text\" or \"31/12/23, 18:04 - Name: text\")")
	}
	order, err := votes.decide(opts.DateOrder)
	if err != nil {
		return nil, err
	}
	d := dater{order: order, loc: opts.Location, latest: time.Now().Add(48 * time.Hour)}
	i := 0
	if _, err := each(func(raw *rawMessage) error {
		t, err := d.time(raw)
		if err != nil {
			return err
		}
		i++
		return emit(classify(raw, t), i-1, n)
	}); err != nil {
		return nil, err
	}
	return &Chat{DateOrder: order, Warnings: d.w.Strings()}, nil
}

// dater reads the messages' times in order, warning when they run
// backwards.
type dater struct {
	order  string
	loc    *time.Location
	w      warn.List
	prev   time.Time
	seen   bool
	latest time.Time // no export holds messages from the future
}

func (d *dater) time(raw *rawMessage) (time.Time, error) {
	t, err := raw.h.time(d.order, d.loc, &d.w, raw.firstLine)
	if err != nil {
		return t, fmt.Errorf("line %d: %w", raw.firstLine, err)
	}
	// A date in the future means the year was misread (e.g. Thai "67" for
	// BE 2567 read as 2067).
	if t.After(d.latest) {
		return t, fmt.Errorf("line %d: date %s is in the future: is the file in another calendar (two-digit Buddhist Era years)? Export the chat again with the Gregorian calendar", raw.firstLine, t.Format("2006-01-02"))
	}
	if d.seen && t.Before(d.prev) {
		d.w.Add("line %d: time %s is earlier than the message before (%s); kept in file order",
			raw.firstLine, t.Format("2006-01-02 15:04:05"), d.prev.Format("2006-01-02 15:04:05"))
	}
	d.prev, d.seen = t, true
	return t, nil
}

// eachRaw opens the export and hands each message to fn as soon as its
// last line is read; it returns how many there were.
func eachRaw(open func() (io.ReadCloser, error), fn func(*rawMessage) error) (int, error) {
	r, err := open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return splitRaw(r, fn)
}

// splitRaw splits the export into messages: a header line starts one, any
// other line continues it.
func splitRaw(r io.Reader, fn func(*rawMessage) error) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var cur *rawMessage
	count := 0
	flush := func() error {
		if cur == nil {
			return nil
		}
		count++
		raw := cur
		cur = nil
		return fn(raw)
	}
	var buf []byte
	var sc headScanner
	for n := 1; ; n++ {
		line, err := readLine(br, buf[:0])
		buf = line
		if err == io.EOF && len(line) == 0 {
			return count, flush()
		}
		if err != nil && err != io.EOF {
			return count, fmt.Errorf("line %d: %w", n, err)
		}
		if !utf8.Valid(line) {
			return count, fmt.Errorf("line %d: not valid UTF-8 (WhatsApp exports are UTF-8)", n)
		}
		if h, rest, ok := sc.parseHeader(line); ok {
			if err := flush(); err != nil {
				return count, err
			}
			cur = &rawMessage{h: h, rest: []string{string(rest)}, size: len(rest), firstLine: n, lastLine: n}
		} else if cur != nil {
			cur.rest = append(cur.rest, string(line))
			cur.lastLine = n
			if cur.size += len(line) + 1; cur.size > MaxMessageLength {
				return count, fmt.Errorf("line %d: the message that starts on line %d is longer than %d bytes", n, cur.firstLine, MaxMessageLength)
			}
		} else if count == 0 && len(bytes.TrimSpace(stripInvisible(line))) > 0 {
			if era := eraPrefix(line); era != "" {
				return count, fmt.Errorf("line %d: date %q is in a Japanese era calendar, which is not supported: export the chat again with the Gregorian calendar", n, era)
			}
			return count, fmt.Errorf("line %d: not a WhatsApp message header (expected e.g. \"[31/12/2023, 18:04:05] Name: text\" or \"31/12/23, 18:04 - Name: text\"), got %q", n, clip(line))
		}
		if err == io.EOF {
			return count, flush()
		}
	}
}

// readLine reads one line without its LF or CRLF, at most MaxLineLength
// bytes, so that memory stays bounded whatever the input.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLineLength+2 {
			return nil, fmt.Errorf("longer than %d bytes", MaxLineLength)
		}
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		if len(buf) > MaxLineLength {
			return nil, fmt.Errorf("longer than %d bytes", MaxLineLength)
		}
		return buf, err
	}
}

func clip(b []byte) string {
	s := string(b)
	if len(s) > 60 {
		s = strings.ToValidUTF8(s[:60], "") + "…"
	}
	return s
}

// orderVotes collects, message by message, which date orders the file's
// dates allow, for decide.
type orderVotes struct {
	dmyOut, mdyOut, differ bool
	// The first line that rules out each order, and the first whose day
	// and month differ (for the error messages).
	dayFirstLine, monthFirstLine, ambiguousLine int
}

func (v *orderVotes) add(raw *rawMessage) {
	h := &raw.h
	if len(h.a) == 4 {
		return
	}
	a, _ := strconv.Atoi(h.a)
	b, _ := strconv.Atoi(h.b)
	if b > 12 && !v.dmyOut {
		v.dmyOut, v.monthFirstLine = true, raw.firstLine
	}
	if a > 12 && !v.mdyOut {
		v.mdyOut, v.dayFirstLine = true, raw.firstLine
	}
	if a != b && !v.differ {
		v.differ, v.ambiguousLine = true, raw.firstLine
	}
}

// decide says how to read dates whose first field is not a year: the
// option when given, else the one order every date in the file allows.
func (v *orderVotes) decide(forced string) (string, error) {
	if forced != "" {
		return forced, nil
	}
	dmyOK, mdyOK := !v.dmyOut, !v.mdyOut
	switch {
	case dmyOK && !mdyOK:
		return DMY, nil
	case mdyOK && !dmyOK:
		return MDY, nil
	case !dmyOK && !mdyOK:
		return "", fmt.Errorf("dates contradict each other: line %d is day-first, line %d month-first; pass --date-order dmy, mdy or ymd", v.dayFirstLine, v.monthFirstLine)
	case !v.differ:
		return DMY, nil // day and month equal everywhere: both orders read the same dates
	default:
		return "", fmt.Errorf("cannot tell the date order: no date in the file has a day above 12 (e.g. line %d); pass --date-order dmy or mdy", v.ambiguousLine)
	}
}
