package verify

import "github.com/custody-toolkit/custody/manifest"

// messageEntries are the facts of the bundle's message entries that the
// checks after the hashing use (messages, message times, container
// order), read once as each entry is hashed. They are kept by the entry's
// index in the manifest's files, in a struct of fixed size holding two
// short strings (the entry's id and time): a bundle has up to
// manifest.MaxEntries message entries, and a map by path to a struct of
// strings, the sender's among them, was a fifth of what a verifier of
// 100,000 messages held (docs/performance.md).
type messageEntries struct {
	m            *manifest.Manifest
	facts        []entryFacts     // by index in m.Files; read is false for other files
	participants map[string]int32 // the index of each participant, by id
}

// entryFacts is what the checks use of a message entry: not its text,
// which only the renderer reads. The sender is the index of the
// manifest's participant it names; the rest, which few entries have (a
// sender the manifest does not list, attachments), is apart.
type entryFacts struct {
	ID, Time string
	from     int32 // index in m.Conversation.Participants; -1: rest.from
	read     bool
	rest     *entryRest
}

// entryRest is what few message entries have.
type entryRest struct {
	from        string // a sender who is not a participant
	attachments []manifest.AttachmentEntry
}

func newMessageEntries(m *manifest.Manifest) *messageEntries {
	participants := map[string]int32{}
	for i, p := range m.Conversation.Participants {
		participants[p.ID] = int32(i)
	}
	return &messageEntries{m: m, facts: make([]entryFacts, len(m.Files)), participants: participants}
}

// add keeps the facts of e, the entry of the file of that index.
func (es *messageEntries) add(file int, e *manifest.MessageEntry) {
	f := entryFacts{ID: e.ID, Time: e.Time, from: -1, read: true}
	if i, ok := es.participants[e.From]; ok {
		f.from = i
	}
	if f.from < 0 || len(e.Attachments) > 0 {
		f.rest = &entryRest{attachments: e.Attachments}
		if f.from < 0 {
			f.rest.from = e.From
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
	in []bool // by index in m.Files
}

func newFileSet(m *manifest.Manifest) fileSet {
	return fileSet{m: m, in: make([]bool, len(m.Files))}
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
