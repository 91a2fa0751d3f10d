package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/pdf"
)

// periodLayout writes a message time with its offset: unambiguous
// whatever zone the reader is in.
const periodLayout = "2006-01-02 15:04:05 -07:00"

// maxNamed bounds how many missing attachments a warning names one by one.
const maxNamed = 10

// printConversation writes what a person should check before filing a
// record that can never be corrected: who is who, how many messages over
// which period in which zone, and which attachments are missing.
// machineZone says the zone was not given but taken from this machine.
func printConversation(w io.Writer, s conversation.Summary, machineZone bool) {
	var people []string
	for _, p := range s.Participants {
		who := p.ID
		if p.Name != "" {
			who = fmt.Sprintf("%q (%q)", p.Name, p.ID)
		}
		people = append(people, who+" "+p.Role)
	}
	fmt.Fprintf(w, "  participants: %s\n", strings.Join(people, "; "))
	if s.Messages > 0 {
		fmt.Fprintf(w, "  period:       %s to %s\n", s.First.Format(periodLayout), s.Last.Format(periodLayout))
	}
	if s.TimeZone != "" {
		zone := s.TimeZone
		if machineZone {
			zone += " (this machine's zone: pass --tz if the chat's times were written in another)"
		}
		fmt.Fprintf(w, "  time zone:    %s\n", zone)
	}
	fmt.Fprintf(w, "  attachments:  %d included, %d missing from the source export\n", s.Included, len(s.Missing))
}

// warnMissing warns, naming them, of attachments the source export
// referred to but did not hold: they are sealed as missing, for ever.
func warnMissing(w io.Writer, prefix string, s conversation.Summary) {
	if len(s.Missing) == 0 {
		return
	}
	var names []string
	for _, a := range s.Missing[:min(len(s.Missing), maxNamed)] {
		switch {
		case a.Name != "":
			names = append(names, fmt.Sprintf("%q", a.Name))
		case a.Type != "":
			names = append(names, "an unnamed "+a.Type)
		default:
			names = append(names, "an unnamed file")
		}
	}
	if more := len(s.Missing) - len(names); more > 0 {
		names = append(names, fmt.Sprintf("and %d more", more))
	}
	fmt.Fprintf(w, "%swarning: %d attachment(s) the chat refers to are missing from the source export (the record shows them as missing): %s\n",
		prefix, len(s.Missing), strings.Join(names, ", "))
}

// undrawn is what the record cannot draw: the characters no embedded font
// has a glyph for (shown as [U+XXXX] in record.pdf, for ever), each once,
// and how many messages hold one.
type undrawn struct {
	chars    []rune
	messages int
}

// summarizeSealed describes the sealed messages (positions, or all when
// nil) and, with record, finds in them and in the participants' names
// the characters the record cannot draw: one pass over the conversation,
// which export reads from its file.
func summarizeSealed(r conversation.Reader, positions []int, record bool) (conversation.Summary, undrawn, error) {
	h := r.Header()
	z := conversation.NewSummarizer(h.TimeZone)
	var u undrawn
	seen := map[rune]bool{}
	note := func(text string) (bool, error) {
		if !record {
			return false, nil
		}
		missing, err := pdf.Undrawn(text)
		for _, c := range missing {
			if !seen[c] {
				seen[c] = true
				u.chars = append(u.chars, c)
			}
		}
		return len(missing) > 0, err
	}
	for _, p := range h.Participants {
		if _, err := note(p.Name); err != nil {
			return conversation.Summary{}, u, err
		}
	}
	each := func(_ int, m *conversation.Message) error {
		z.Add(m)
		found, err := note(m.Text)
		if found {
			u.messages++
		}
		return err
	}
	err := conversation.EachSelected(r, positions, each)
	return z.Summary(h.Participants), u, err
}

// warnUndrawn warns, naming them, of characters the sealed record shows
// as code points: the bundle keeps the text exact, but the PDF a doctor
// files cannot show them.
func warnUndrawn(w io.Writer, prefix string, u undrawn) {
	if len(u.chars) == 0 {
		return
	}
	var named []string
	for _, c := range u.chars[:min(len(u.chars), maxNamed)] {
		named = append(named, fmt.Sprintf("%q (U+%04X)", c, c))
	}
	if more := len(u.chars) - len(named); more > 0 {
		named = append(named, fmt.Sprintf("and %d more", more))
	}
	fmt.Fprintf(w, "%swarning: record.pdf has no glyph for %d character(s), in %d message(s) or names, and shows each as [U+XXXX] (the bundle keeps the text exact): %s\n",
		prefix, len(u.chars), u.messages, strings.Join(named, ", "))
}
