package verify

import (
	"time"

	"github.com/custody-toolkit/custody/manifest"
)

// messageEntries are the facts of the bundle's message entries that the
// checks after the hashing use (messages, message times, container
// order), read once as each entry is hashed. They are kept by the entry's
// index in the manifest's files, in a struct of fixed size holding one
// short string (the entry's id) and the time as numbers: a bundle has up to
// manifest.MaxEntries message entries, and a map by path to a struct of
// strings, the sender's among them, was a fifth of what a verifier of
// 100,000 messages held (docs/performance.md).
type messageEntries struct {
	m            *manifest.Manifest
	facts        []entryFacts     // by index in m's files; read is false for other files
	participants map[string]int32 // the index of each participant, by id
}

// entryFacts is what the checks use of a message entry: not its text,
// which only the renderer reads. The sender is the index of the
// manifest's participant it names; the rest, which few entries have (a
// sender the manifest does not list, attachments), is apart.
type entryFacts struct {
	ID   string
	time entryTime
	from int32 // index in m.Conversation.Participants; -1: rest.from
	read bool
	rest *entryRest
}

// entryRest is what few message entries have.
type entryRest struct {
	from        string // a sender who is not a participant
	attachments []manifest.AttachmentEntry
	time        string // the time's text, when entryTime cannot give it back
}

// entryTime is an entry's time as numbers (16 bytes, where its text took
// 48, a tenth of what the verifier held a message): the instant and the
// offset east of UTC, valid when formatting them in RFC 3339 gives the
// entry's text exactly, as it does for what exporters write. Other texts
// (a time that does not parse, "+00:00" for "Z") stay text, in rest.
type entryTime struct {
	unix   int64
	nsec   int32
	offset int32 // seconds east of UTC
	valid  bool
}

// newEntryTime is text as an entryTime, when it gives text back.
func newEntryTime(text string) entryTime {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return entryTime{}
	}
	_, offset := t.Zone()
	et := entryTime{unix: t.Unix(), nsec: int32(t.Nanosecond()), offset: int32(offset), valid: true}
	if et.value().Format(time.RFC3339Nano) != text {
		return entryTime{}
	}
	return et
}

func (et entryTime) value() time.Time {
	return time.Unix(et.unix, int64(et.nsec)).In(time.FixedZone("", int(et.offset)))
}

// TimeText is the entry's time as the entry writes it.
func (e *entryFacts) TimeText() string {
	if e.time.valid {
		return e.time.value().Format(time.RFC3339Nano)
	}
	return e.rest.time
}

// Time is the entry's time, or the error of parsing its text.
func (e *entryFacts) Time() (time.Time, error) {
	if e.time.valid {
		return e.time.value(), nil
	}
	return time.Parse(time.RFC3339Nano, e.rest.time)
}

func newMessageEntries(m *manifest.Manifest) *messageEntries {
	participants := map[string]int32{}
	for i, p := range m.Conversation.Participants {
		participants[p.ID] = int32(i)
	}
	return &messageEntries{m: m, facts: make([]entryFacts, m.FileCount()), participants: participants}
}

// add keeps the facts of e, the entry of the file of that index.
func (es *messageEntries) add(file int, e *manifest.MessageEntry) {
	f := entryFacts{ID: e.ID, time: newEntryTime(e.Time), from: -1, read: true}
	if i, ok := es.participants[e.From]; ok {
		f.from = i
	}
	if f.from < 0 || len(e.Attachments) > 0 || !f.time.valid {
		f.rest = &entryRest{attachments: e.Attachments}
		if f.from < 0 {
			f.rest.from = e.From
		}
		if !f.time.valid {
			f.rest.time = e.Time
		}
	}
	es.facts[file] = f
}

// byPath returns the facts of the message entry at path, nil when it is
// not a listed file or was not read as a message entry.
func (es *messageEntries) byPath(path string) *entryFacts {
	i, ok := es.m.FileIndex(path)
	if !ok || !es.facts[i].read {
		return nil
	}
	return &es.facts[i]
}

// From is the entry's sender.
func (e *entryFacts) From(m *manifest.Manifest) string {
	if e.from < 0 {
		return e.rest.from
	}
	return m.Conversation.Participants[e.from].ID
}

// Attachments are the entry's attachments.
func (e *entryFacts) Attachments() []manifest.AttachmentEntry {
	if e == nil || e.rest == nil {
		return nil
	}
	return e.rest.attachments
}

// senders says, for each participant of the manifest, whether one of the
// entries read names it as its sender.
func (es *messageEntries) senders() []bool {
	sent := make([]bool, len(es.m.Conversation.Participants))
	for _, f := range es.facts {
		if f.read && f.from >= 0 {
			sent[f.from] = true
		}
	}
	return sent
}

// fileSet is a set of the manifest's files, a bit each where a set of
// paths held a map entry each.
type fileSet struct {
	m  *manifest.Manifest
	in []bool // by index in m's files
}

func newFileSet(m *manifest.Manifest) fileSet {
	return fileSet{m: m, in: make([]bool, m.FileCount())}
}

// add adds the listed file at path (callers add listed files only).
func (s fileSet) add(path string) {
	if i, ok := s.m.FileIndex(path); ok {
		s.in[i] = true
	}
}

// holds reports whether the file at path was added.
func (s fileSet) holds(path string) bool {
	i, ok := s.m.FileIndex(path)
	return ok && s.in[i]
}
