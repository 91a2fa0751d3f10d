package custody

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/conversation"
)

// Selection says which messages of a conversation to export. Empty fields
// select everything; set fields combine (a message must match all).
type Selection struct {
	// From and To bound the message time, inclusive: RFC 3339, or a date
	// YYYY-MM-DD compared with the message's own calendar date (the date
	// the participants saw).
	From, To string
	// Messages lists ids and id ranges in conversation order: "m3,m7-m12".
	Messages string
	// Label keeps messages that carry it.
	Label string
	// Participant keeps messages sent by that participant id.
	Participant string
}

// criteria describes the selection for the manifest.
func (s Selection) criteria() []string {
	var c []string
	for _, kv := range [][2]string{{"from", s.From}, {"to", s.To}, {"messages", s.Messages}, {"label", s.Label}, {"participant", s.Participant}} {
		if kv[1] != "" {
			c = append(c, kv[0]+"="+kv[1])
		}
	}
	return c
}

// Select returns the positions of the selected messages, in conversation
// order. Selecting nothing is an error: an empty bundle proves nothing.
func Select(c conversation.Reader, s Selection) ([]int, error) {
	from, err := parseBound(s.From)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	to, err := parseBound(s.To)
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	inRange, err := idRanges(c, s.Messages)
	if err != nil {
		return nil, fmt.Errorf("--messages: %w", err)
	}
	var picked []int
	err = c.Each(func(i int, m *conversation.Message) error {
		switch {
		case !from.admits(m, false), !to.admits(m, true):
		case inRange != nil && !inRange[i]:
		case s.Label != "" && !slices.Contains(m.Labels, s.Label):
		case s.Participant != "" && m.From != s.Participant:
		default:
			picked = append(picked, i)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(picked) == 0 {
		return nil, fmt.Errorf("the selection (%s) matches none of the %d messages", strings.Join(s.criteria(), ", "), c.Len())
	}
	return picked, nil
}

// bound is one end of a time selection.
type bound struct {
	set     bool
	date    string    // YYYY-MM-DD, compared with the message's local date
	instant time.Time // when an RFC 3339 time was given
}

func parseBound(s string) (bound, error) {
	if s == "" {
		return bound{}, nil
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return bound{set: true, date: s}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return bound{}, fmt.Errorf("%q is neither YYYY-MM-DD nor an RFC 3339 time", s)
	}
	return bound{set: true, instant: t}, nil
}

func (b bound) admits(m *conversation.Message, upper bool) bool {
	if !b.set {
		return true
	}
	t := m.ParsedTime()
	if b.date != "" {
		d := t.Format(time.DateOnly) // in the message's own offset
		if upper {
			return d <= b.date
		}
		return d >= b.date
	}
	if upper {
		return !t.After(b.instant)
	}
	return !t.Before(b.instant)
}

// idRanges resolves "m3,m7-m12" to a set of positions; a range runs from
// the first id to the second in conversation order.
func idRanges(c conversation.Reader, spec string) (map[int]bool, error) {
	if spec == "" {
		return nil, nil
	}
	pos := make(map[string]int, c.Len()) // the ids only, for --messages
	err := c.Each(func(i int, m *conversation.Message) error {
		pos[m.ID] = i
		return nil
	})
	if err != nil {
		return nil, err
	}
	set := map[int]bool{}
	for _, part := range strings.Split(spec, ",") {
		a, b, err := resolveRange(strings.TrimSpace(part), pos)
		if err != nil {
			return nil, err
		}
		for i := a; i <= b; i++ {
			set[i] = true
		}
	}
	return set, nil
}

// resolveRange reads "ID" or "ID-ID". Ids may contain '-' themselves, so
// every '-' is tried as the separator; exactly one reading must name two
// known ids.
func resolveRange(part string, pos map[string]int) (int, int, error) {
	if i, ok := pos[part]; ok {
		return i, i, nil
	}
	var readings [][2]int
	for k := 0; k < len(part); k++ {
		if part[k] != '-' {
			continue
		}
		a, okA := pos[part[:k]]
		b, okB := pos[part[k+1:]]
		if okA && okB {
			readings = append(readings, [2]int{a, b})
		}
	}
	switch {
	case len(readings) == 0:
		return 0, 0, unknownID(part, pos)
	case len(readings) > 1:
		return 0, 0, fmt.Errorf("%q can be read as more than one range of ids", part)
	case readings[0][1] < readings[0][0]:
		return 0, 0, fmt.Errorf("range %q runs backwards", part)
	}
	return readings[0][0], readings[0][1], nil
}

// unknownID names the id a failed range reading lacks: the second one
// when the first is known.
func unknownID(part string, pos map[string]int) error {
	for k := 0; k < len(part); k++ {
		if _, ok := pos[part[:k]]; ok && part[k] == '-' {
			return fmt.Errorf("no message with id %q", part[k+1:])
		}
	}
	first, _, _ := strings.Cut(part, "-")
	return fmt.Errorf("no message with id %q", first)
}
