package conversation

import "time"

// Summary is what a person should check in a conversation before sealing
// it, since a sealed record can never be corrected: who is who, how many
// messages over which period in which zone, and which attachments the
// source export referred to without holding them.
type Summary struct {
	// Participants are the people who sent the messages described, in
	// the conversation's order (system excluded).
	Participants []Participant
	Messages     int
	// First and Last are the earliest and latest message times (zero when
	// there are no messages).
	First, Last time.Time
	// TimeZone is the zone an importer read the source's times in.
	TimeZone string
	// Included counts the attachments present; Missing lists those the
	// source referred to but did not hold.
	Included int
	Missing  []Attachment
}

// Summarize describes the messages at the given positions (all of them
// when positions is nil).
func (c *Conversation) Summarize(positions []int) Summary {
	s, _ := Summarize(c, positions) // held messages: no read error
	return s
}

// Summarize describes the messages of r at the given positions
// (ascending; all of them when positions is nil), in one pass.
func Summarize(r Reader, positions []int) (Summary, error) {
	h := r.Header()
	z := NewSummarizer(h.TimeZone)
	err := EachSelected(r, positions, func(_ int, m *Message) error { z.Add(m); return nil })
	return z.Summary(h.Participants), err
}

// Summarizer makes a Summary one message at a time, for a writer that
// does not hold the messages (the importers).
type Summarizer struct {
	s       Summary
	senders map[string]bool
}

// NewSummarizer starts the summary of a conversation read in timeZone.
func NewSummarizer(timeZone string) *Summarizer {
	return &Summarizer{s: Summary{TimeZone: timeZone}, senders: map[string]bool{}}
}

// Add counts a message in.
func (z *Summarizer) Add(m *Message) {
	s := &z.s
	z.senders[m.From] = true
	s.Messages++
	t := m.ParsedTime()
	if s.First.IsZero() || t.Before(s.First) {
		s.First = t
	}
	if t.After(s.Last) {
		s.Last = t
	}
	for _, a := range m.Attachments {
		if a.Missing {
			s.Missing = append(s.Missing, a)
		} else {
			s.Included++
		}
	}
}

// Summary returns the summary of the messages added, naming those of the
// participants who sent one.
func (z *Summarizer) Summary(participants []Participant) Summary {
	s := z.s
	s.Participants = nil
	for _, p := range participants {
		if z.senders[p.ID] && p.Role != "system" {
			s.Participants = append(s.Participants, p)
		}
	}
	return s
}
