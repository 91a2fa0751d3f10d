package importer

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/importer/internal/textnorm"
)

// SystemID is the participant that system notices belong to.
const SystemID = "system"

// minSecret is the shortest practice secret accepted for pseudonyms.
const minSecret = 16

// builder assembles a Conversation: participants with ids and roles,
// messages numbered in file order.
type builder struct {
	opts   *Options
	loc    *time.Location
	secret []byte
	// roles maps a normalised name, or a participant id, to a role;
	// matched records which entries met a participant.
	roles   map[string]string
	matched map[string]bool
	// statedDefault: Options.DefaultRole was given, not assumed.
	statedDefault bool
	// nameKey is the roles entry Options.Name added, which, unlike the
	// others, may match nobody: the sealer need not be in the chat.
	nameKey string

	// conv holds everything but the messages, which go to msgs as they
	// are added; first is the first message, kept for the checks.
	conv  conversation.Conversation
	msgs  *messageFile
	first *conversation.Message
	sum   *conversation.Summarizer
	byKey map[string]int // participant key -> index in conv.Participants
	ids   map[string]bool
	names map[string]string // participant id -> name, kept for errors even when pseudonymised
}

func newBuilder(opts *Options) (*builder, error) {
	b := &builder{
		opts:    opts,
		roles:   map[string]string{},
		matched: map[string]bool{},
		byKey:   map[string]int{},
		ids:     map[string]bool{SystemID: true},
		names:   map[string]string{},
	}
	b.conv.Format = conversation.Format
	var err error
	if b.loc, b.conv.TimeZone, err = zone(opts.TimeZone); err != nil {
		return nil, err
	}
	b.statedDefault = opts.DefaultRole != ""
	if !b.statedDefault {
		opts.DefaultRole = "patient"
	}
	if err := checkRole(opts.DefaultRole); err != nil {
		return nil, fmt.Errorf("default role: %w", err)
	}
	if opts.Pseudonymize {
		if b.secret, err = readSecret(opts.SecretFile); err != nil {
			return nil, err
		}
	} else if opts.SecretFile != "" {
		return nil, errors.New("a secret file is only used with pseudonymize")
	}
	if opts.RolesFile != "" {
		if err := b.readRoles(opts.RolesFile); err != nil {
			return nil, err
		}
	}
	for _, name := range opts.Clinicians {
		b.roles[roleKey(name)] = "clinician"
	}
	if key := roleKey(opts.Name); key != "" {
		if _, named := b.roles[key]; !named {
			b.roles[key], b.nameKey = "clinician", key
		}
	}
	return b, nil
}

// zone resolves the time zone: the given IANA name, else the machine's.
func zone(name string) (*time.Location, string, error) {
	if name == "" {
		name = localZoneName()
		if name == "" {
			return nil, "", errors.New("cannot tell the name of this machine's time zone: pass a zone such as --tz Europe/Madrid")
		}
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, "", fmt.Errorf("time zone %q: not an IANA zone name such as Europe/Madrid", name)
	}
	return loc, name, nil
}

// localZoneName finds the IANA name of time.Local, which Go does not
// expose: from $TZ, or the /etc/localtime link.
func localZoneName() string {
	if tz, ok := os.LookupEnv("TZ"); ok && tz != "" {
		tz = strings.TrimPrefix(tz, ":")
		if !filepath.IsAbs(tz) {
			return tz
		}
	}
	if target, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
		if _, after, found := strings.Cut(target, "zoneinfo/"); found {
			return after
		}
	}
	if time.Local.String() == "UTC" {
		return "UTC"
	}
	return ""
}

func readSecret(path string) ([]byte, error) {
	if path == "" {
		return nil, errors.New("pseudonymize needs a secret file (--secret-file): the practice's secret, the same for every export")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	// A trailing newline is how editors and echo end files, not part of
	// the secret: without trimming, one secret would give two pseudonyms.
	data = bytes.TrimRight(data, "\r\n")
	if len(data) < minSecret {
		return nil, fmt.Errorf("secret file %s: %d bytes, want at least %d", path, len(data), minSecret)
	}
	return data, nil
}

func (b *builder) readRoles(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("roles file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, role, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("roles file %s, line %d: want \"name<TAB>role\"", path, n)
		}
		role = strings.TrimSpace(role)
		if err := checkRole(role); err != nil {
			return fmt.Errorf("roles file %s, line %d: %w", path, n, err)
		}
		b.roles[roleKey(name)] = role
	}
	return sc.Err()
}

func checkRole(role string) error {
	if role == "system" || !slices.Contains(conversation.Roles, role) {
		return fmt.Errorf("role %q: want one of clinician, patient, colleague, lab, staff", role)
	}
	return nil
}

func roleKey(name string) string { return textnorm.Name(name) }

// participant returns the id of the person known by key (a normalised
// name, or a platform user id), adding them on first sight.
func (b *builder) participant(key, name string) string {
	if i, ok := b.byKey[key]; ok {
		return b.conv.Participants[i].ID
	}
	base := textnorm.Slug(name)
	if base == "" {
		base = "participant"
	}
	if b.secret != nil {
		mac := hmac.New(sha256.New, b.secret)
		subject := textnorm.Name(name)
		if subject == "" {
			subject = key
		}
		mac.Write([]byte(subject))
		base = "p-" + hex.EncodeToString(mac.Sum(nil))[:12]
	}
	id := base
	for n := 2; b.ids[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	role := b.opts.DefaultRole
	for _, k := range []string{textnorm.Name(name), id} {
		if r, ok := b.roles[k]; ok && k != "" {
			role, b.matched[k] = r, true
			break
		}
	}
	p := conversation.Participant{ID: id, Role: role}
	if b.secret == nil {
		p.Name = name
	}
	b.ids[id] = true
	b.names[id] = name
	b.byKey[key] = len(b.conv.Participants)
	b.conv.Participants = append(b.conv.Participants, p)
	return id
}

// system returns the system participant's id, adding it on first use.
func (b *builder) system() string {
	if _, ok := b.byKey["\x00system"]; !ok {
		b.byKey["\x00system"] = len(b.conv.Participants)
		b.conv.Participants = append(b.conv.Participants, conversation.Participant{ID: SystemID, Role: "system"})
	}
	return SystemID
}

// add writes out a message numbered in file order, checked as
// conversation.Load will check it, into the conversation folder dir.
func (b *builder) add(dir string, m conversation.Message, t time.Time) error {
	if b.msgs == nil {
		var err error
		if b.msgs, err = newMessageFile(dir); err != nil {
			return err
		}
	}
	i := b.msgs.count
	m.ID = "m" + strconv.Itoa(i+1)
	m.Time = t.In(b.loc).Format(time.RFC3339)
	if err := conversation.CheckMessage(&m, i, func(id string) bool { return b.ids[id] }); err != nil {
		return fmt.Errorf("import produced an invalid conversation (a bug): %w", err)
	}
	if err := b.checkFiles(dir, &m, i); err != nil {
		return err
	}
	if b.first == nil {
		b.first = &m
		b.sum = conversation.NewSummarizer(b.conv.TimeZone)
	}
	b.sum.Add(&m)
	if err := b.msgs.add(&m); err != nil {
		if errors.Is(err, errTooLarge) {
			return tooLarge(i + 1)
		}
		return err
	}
	return nil
}

// checkFiles checks that a message's attachments are in the folder, as
// conversation.CheckFiles does.
func (b *builder) checkFiles(dir string, m *conversation.Message, i int) error {
	one := conversation.Conversation{Dir: dir, Messages: []conversation.Message{*m}}
	if err := one.CheckFiles(); err != nil {
		return fmt.Errorf("import produced an invalid conversation (a bug): message #%d: %w", i+1, err)
	}
	return nil
}

// summary describes the conversation imported, as conversation.Summarize
// would.
func (b *builder) summary() conversation.Summary {
	if b.sum == nil {
		return conversation.NewSummarizer(b.conv.TimeZone).Summary(nil)
	}
	return b.sum.Summary(b.conv.Participants)
}

// close removes the messages' file, if any.
func (b *builder) close() {
	if b.msgs != nil {
		b.msgs.remove()
	}
}

// checkRoles refuses roles that would be sealed wrong without anyone
// noticing: a --clinician or roles entry that named nobody (a typo would
// make the doctor a patient), a --name that is nobody while no clinician
// is named otherwise, and a chat of several people without a clinician
// when no default role was stated.
func (b *builder) checkRoles() error {
	for k := range b.roles {
		if !b.matched[k] && k != b.nameKey {
			return fmt.Errorf("role given for %q, but no participant has that name or id; participants: %s", k, b.participantList())
		}
	}
	if b.hasClinician() {
		return nil
	}
	if b.nameKey != "" && !b.matched[b.nameKey] {
		return fmt.Errorf("--name %q is not a participant of the chat, and no participant is named a clinician: "+
			"name the clinician with --clinician NAME (or --roles); participants: %s", b.opts.Name, b.participantList())
	}
	if people := len(b.conv.Participants) - b.systemCount(); people > 1 && !b.statedDefault {
		return fmt.Errorf("the chat has %d participants and none is named a clinician: name the clinician with --clinician NAME "+
			"(or --roles FILE), or state everyone's role with --default-role ROLE; participants: %s", people, b.participantList())
	}
	return nil
}

func (b *builder) hasClinician() bool {
	for _, p := range b.conv.Participants {
		if p.Role == "clinician" {
			return true
		}
	}
	return false
}

func (b *builder) systemCount() int {
	if _, ok := b.byKey["\x00system"]; ok {
		return 1
	}
	return 0
}

// participantList names every participant but the system, for errors:
// "\"Ana García\" (ana-garcia), …".
func (b *builder) participantList() string {
	var known []string
	for _, p := range b.conv.Participants {
		if p.ID != SystemID {
			known = append(known, fmt.Sprintf("%q (%q)", b.names[p.ID], p.ID))
		}
	}
	return strings.Join(known, ", ")
}

// write checks the conversation and writes dir/conversation.json. Each
// message was checked as it was added; Check sees the first one.
func (b *builder) write(dir string) error {
	if err := b.checkRoles(); err != nil {
		return err
	}
	b.conv.Dir = dir
	head := b.conv
	if b.first != nil {
		head.Messages = []conversation.Message{*b.first}
	}
	if err := head.Check(); err != nil {
		return fmt.Errorf("import produced an invalid conversation (a bug): %w", err)
	}
	if err := head.CheckFiles(); err != nil {
		return fmt.Errorf("import produced an invalid conversation (a bug): %w", err)
	}
	return writeConversation(filepath.Join(dir, "conversation.json"), &b.conv, b.msgs)
}

// maxConversationSize is conversation.MaxFileSize, smaller in tests.
var maxConversationSize = conversation.MaxFileSize

// writeConversation writes c, whose messages are in msgs, into the file
// at path, as jsonv2 with two spaces of indent would encode c holding
// them, and refuses a conversation.json that conversation.Load would
// refuse: a chat of about 75 MB of text or more was imported, then
// failed as "an invalid conversation (a bug)". Nothing is left at path on
// error.
func writeConversation(path string, c *conversation.Conversation, msgs *messageFile) (err error) {
	head := *c
	head.Messages = []conversation.Message{}
	var frame bytes.Buffer
	if err := jsonv2.MarshalWrite(&frame, &head, jsontext.WithIndent("  ")); err != nil {
		return err
	}
	// The one place for the messages: a key's quotes are never escaped,
	// a string's always are, so no value can hold this.
	before, after, ok := bytes.Cut(frame.Bytes(), []byte(`"messages": []`))
	if !ok {
		return errors.New("conversation.json: no messages member (a bug)")
	}
	count, size := 0, frame.Len()+len("\n  \n")
	if msgs != nil {
		count, size = msgs.count, size+maxConversationSize-msgs.room
	}
	if size > maxConversationSize {
		return tooLarge(count)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.Write(before)
	bw.WriteString(`"messages": [`)
	if msgs != nil {
		r, err := msgs.reader()
		if err != nil {
			return err
		}
		if _, err := io.Copy(bw, r); err != nil {
			return err
		}
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
	bw.Write(after)
	bw.WriteString("\n")
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// conversationID derives the conversation's id from its first message:
// the same when the chat has grown and is exported again, so that a later
// bundle can be proven to extend an earlier one. It is derived from
// content, so bundles never carry it as it is: an export keys it
// (docs/bundle-format.md §10). sum, of the whole source, stands in for a
// chat without messages.
func conversationID(prefix string, first *firstMessage, sum []byte) string {
	if first != nil {
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%s", first.time.UTC().Format(time.RFC3339Nano), first.author, first.text)
		sum = h.Sum(nil)
	}
	return prefix + "-" + hex.EncodeToString(sum)[:16]
}

// firstMessage is what identifies a chat across exports of it.
type firstMessage struct {
	time         time.Time
	author, text string
}
