package conversation

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	c := &Conversation{
		TimeZone: "Europe/Madrid",
		Participants: []Participant{
			{ID: "dr", Role: "clinician", Name: "Dra. G"}, {ID: "pt", Role: "patient"}, {ID: "system", Role: "system"},
		},
		Messages: []Message{
			{ID: "m1", Time: "2024-03-05T10:00:00+01:00", From: "system"},
			{ID: "m2", Time: "2024-03-05T09:00:00+01:00", From: "pt", Attachments: []Attachment{{Missing: true, Name: "a.jpg"}, {Path: "media/b.jpg"}}},
			{ID: "m3", Time: "2024-03-06T09:00:00+01:00", From: "dr"},
		},
	}
	s := c.Summarize(nil)
	if s.Messages != 3 || len(s.Participants) != 2 || s.Included != 1 || len(s.Missing) != 1 || s.Missing[0].Name != "a.jpg" {
		t.Errorf("all: %+v", s)
	}
	// Times run backwards in m1-m2: the period is earliest to latest.
	if s.First.Format(time.RFC3339) != "2024-03-05T09:00:00+01:00" || s.Last.Format(time.RFC3339) != "2024-03-06T09:00:00+01:00" {
		t.Errorf("period %v to %v", s.First, s.Last)
	}
	// A selection: only its messages, and only the people who sent them.
	s = c.Summarize([]int{2})
	if s.Messages != 1 || len(s.Participants) != 1 || s.Participants[0].ID != "dr" || len(s.Missing) != 0 {
		t.Errorf("selection: %+v", s)
	}
}
