// Package importer turns chat exports into native conversations
// (custody.conversation/v1): WhatsApp "Export chat" (.txt, .zip or the
// unzipped folder) and Telegram Desktop JSON (one chat's result.json, or a
// full-account export with Options.Chat). Native input is loaded as is.
//
//	c, cleanup, err := importer.Open("WhatsApp Chat - Ana.zip", importer.Options{TimeZone: "Europe/Madrid"})
//	if err != nil { ... }
//	defer cleanup()
//	// c.Dir holds media/ and sources/; c.Each gives the messages, whose
//	// Origin points into sources/.
//
// Import writes the same result to a folder, atomically:
//
//	err := importer.Import("result.json", "case/", importer.Options{Clinicians: []string{"Dr. Ruiz"}})
//
// What an import keeps for the examiner: the original export files byte for
// byte under sources/ (for a full-account Telegram export, only the chosen
// chat's own JSON object, so other chats do not travel), and on every
// message an Origin naming the source file and its lines. Messages stay in
// the file's order; anomalies (times running backwards, calendars converted)
// are reported through Options.Warn, never "fixed".
//
// Participants get ids derived from their names ("ana-garcia"), or with
// Pseudonymize, "p-" and 12 hex digits of HMAC-SHA-256(secret, name) over
// the name in lower case without invisible marks: the same person gets the
// same id in every export made with the same secret, and no participant
// name, chat title or source file enters the output (the sources are full
// of names; Origins still give the lines of the original, which the
// practice keeps). Message text is never altered: names written inside it,
// system notices included, stay. Roles come from Clinicians, a roles file
// ("name<TAB>role" lines) and DefaultRole ("patient" unless set); system
// notices belong to the participant "system".
package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/custody-toolkit/custody/conversation"
)

// Formats accepted in Options.Format.
const (
	WhatsApp = "whatsapp"
	Telegram = "telegram"
	Native   = "native"
)

// Options control an import. The zero value detects the format, reads
// times in the machine's zone and names participants by name.
type Options struct {
	// Format forces "whatsapp", "telegram" or "native"; empty detects it.
	Format string
	// DateOrder forces how WhatsApp dates are read: "dmy", "mdy" or "ymd".
	DateOrder string
	// TimeZone is the IANA zone WhatsApp times (and old Telegram dates) are
	// read in; empty means the machine's zone.
	TimeZone string
	// Chat chooses a chat of a Telegram full-account export, by name or id.
	Chat string

	// Pseudonymize replaces names by HMAC-derived ids; SecretFile holds
	// the practice secret (at least 16 bytes).
	Pseudonymize bool
	SecretFile   string

	// Name is the sealing clinician's name: the participant of that name
	// (or id), if any, is a clinician.
	Name string
	// Clinicians are names (or participant ids) given the role clinician.
	Clinicians []string
	// RolesFile maps names (or ids) to roles, one "name<TAB>role" a line.
	RolesFile string
	// DefaultRole is the role of everyone else. Empty means "patient",
	// but a chat of several people without a clinician is then refused:
	// only a stated DefaultRole makes them all that role.
	DefaultRole string

	// Warn receives each warning (nil: discarded).
	Warn func(string)
	// Progress, when set, is told how the import goes, for a progress
	// line (internal/progress): the steps "reading" (the export is read
	// and parsed), "messages" (done of total, attachments copied with
	// them) and "writing" (the folder is written and checked).
	Progress func(step string, done, total int64)
}

func (o *Options) progress(step string, done, total int) {
	if o.Progress != nil {
		o.Progress(step, int64(done), int64(total))
	}
}

func (o *Options) warn(list []string) {
	if o.Warn == nil {
		return
	}
	for _, w := range list {
		o.Warn(w)
	}
}

// Open returns the conversation at src, checked and read message by
// message (conversation.OpenStream), never held whole: native input is
// read where it is; an export is imported into a temporary folder that
// cleanup removes.
func Open(src string, opts Options) (c *conversation.Stream, cleanup func() error, err error) {
	format, err := Detect(src, opts.Format)
	if err != nil {
		return nil, nil, err
	}
	if format == Native {
		c, err := conversation.OpenStream(src)
		if err != nil {
			return nil, nil, err
		}
		return c, func() error { return nil }, nil
	}
	tmp, err := os.MkdirTemp("", "custody-import-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup = func() error { return os.RemoveAll(tmp) }
	dir := filepath.Join(tmp, "conversation")
	if err := os.Mkdir(dir, 0o700); err != nil {
		cleanup()
		return nil, nil, err
	}
	if _, err := importInto(src, dir, format, &opts); err != nil {
		cleanup()
		return nil, nil, err
	}
	c, err = conversation.OpenStream(dir)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("import produced an invalid conversation (a bug): %w", err)
	}
	return c, cleanup, nil
}

// Import converts the export at src into a native conversation folder dst
// (conversation.json, media/, sources/). dst must not exist or be empty;
// nothing is left at dst unless the import succeeded. What is written is
// readable by its owner only: it is a patient's record.
func Import(src, dst string, opts Options) error {
	_, err := ImportSummary(src, dst, opts)
	return err
}

// ImportSummary is Import, and returns the summary of what it wrote (as
// conversation.Summarize would give it), made as the messages were
// written: an import holds one message at a time, and so can its caller.
func ImportSummary(src, dst string, opts Options) (conversation.Summary, error) {
	format, err := Detect(src, opts.Format)
	if err != nil {
		return conversation.Summary{}, err
	}
	if format == Native {
		return conversation.Summary{}, fmt.Errorf("%s is already a native conversation: export it directly", src)
	}
	if err := checkEmptyOrAbsent(dst); err != nil {
		return conversation.Summary{}, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dst)), ".custody-import-*")
	if err != nil {
		return conversation.Summary{}, err
	}
	sum, err := importInto(src, tmp, format, &opts)
	if err == nil {
		err = moveInto(tmp, dst)
	}
	if err != nil {
		os.RemoveAll(tmp)
	}
	return sum, err
}

// moveInto syncs the imported folder tmp and renames it to dst.
func moveInto(tmp, dst string) error {
	for _, d := range []string{"media", "sources", "."} {
		if err := syncDir(filepath.Join(tmp, d)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	// An empty dst (checked by the caller) is replaced; a racing writer
	// makes the rename fail rather than be overwritten.
	_ = os.Remove(dst)
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(filepath.Clean(dst)))
}

func checkEmptyOrAbsent(dst string) error {
	entries, err := os.ReadDir(dst)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		if st, serr := os.Stat(dst); serr == nil && !st.IsDir() {
			return fmt.Errorf("%s exists and is not a folder: choose another output folder", dst)
		}
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s exists and is not empty: choose another output folder", dst)
	}
	return nil
}

// importInto imports src into the existing empty folder dir. The result
// is checked as conversation.Load would, files included.
func importInto(src, dir, format string, opts *Options) (conversation.Summary, error) {
	b, err := newBuilder(opts)
	if err != nil {
		return conversation.Summary{}, err
	}
	defer b.close()
	opts.progress("reading", 0, 0)
	switch format {
	case WhatsApp:
		err = importWhatsApp(src, dir, b)
	case Telegram:
		err = importTelegram(src, dir, b)
	default:
		err = fmt.Errorf("format %q: want whatsapp, telegram or native", format)
	}
	if err == nil {
		opts.progress("writing", 0, 0)
		err = b.write(dir)
	}
	return b.summary(), err
}
