package manifest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// SelectionWords are the words Describe uses, in one language. The
// formats take the counts in the order selected, total.
type SelectionWords struct {
	All    string // "all %[2]d messages": every message, no criteria
	Some   string // "%d of %d messages"
	Chosen string // "%d of %d messages, chosen by the clinician: %s" (the criteria)
	Sep    string // between criteria: "; "
	Keys   map[string]string
}

// EnglishSelection are the selection's words in English, the language of
// the JSON report.
var EnglishSelection = SelectionWords{
	All: "all %[2]d messages", Some: "%d of %d messages", Chosen: "%d of %d messages, chosen by the clinician: %s",
	Sep:  "; ",
	Keys: map[string]string{"from": "from", "to": "to", "label": "label", "participant": "sent by", "messages": "messages"},
}

// Describe says in words which messages the bundle holds and how they were
// chosen, for every place a person reads a bundle (export summary, verify
// report, PDF): "4 of 15 messages, chosen by the clinician: messages m6,
// m9–m11". The criteria are sealed, so they are shown as sealed, only
// reworded; a value that holds invisible or control characters is quoted
// so that what is shown is what was signed.
func (s Selection) Describe() string { return s.DescribeIn(EnglishSelection) }

// DescribeIn is Describe in the language of w.
func (s Selection) DescribeIn(w SelectionWords) string {
	if len(s.Criteria) == 0 {
		if s.Selected == s.Total {
			return fmt.Sprintf(w.All, s.Selected, s.Total)
		}
		return fmt.Sprintf(w.Some, s.Selected, s.Total)
	}
	words := make([]string, len(s.Criteria))
	for i, c := range s.Criteria {
		words[i] = describeCriterion(c, w)
	}
	return fmt.Sprintf(w.Chosen, s.Selected, s.Total, strings.Join(words, w.Sep))
}

// describeCriterion rewords one "key=value" criterion (custody export
// writes from, to, messages, label, participant); other producers' keys
// are shown as written.
func describeCriterion(c string, w SelectionWords) string {
	key, value, ok := strings.Cut(c, "=")
	word, known := w.Keys[key]
	switch {
	case !ok || !known:
		return shown(c)
	case key == "messages":
		parts := strings.Split(value, ",")
		for i, p := range parts {
			parts[i] = shown(idRange(strings.TrimSpace(p)))
		}
		return word + " " + strings.Join(parts, ", ")
	}
	return word + " " + shown(value)
}

// plainRange is an id range whose ids hold no '-' ("m9-m11"): its dash can
// be written as the en dash of a range without misreading an id.
var plainRange = regexp.MustCompile(`^([A-Za-z_]*[0-9]+)-([A-Za-z_]*[0-9]+)$`)

func idRange(p string) string {
	return plainRange.ReplaceAllString(p, "$1–$2")
}

// shown quotes a sealed value that a terminal or PDF would not show as it
// is: control, format (bidi) and other invisible characters.
func shown(v string) string {
	if strings.IndexFunc(v, func(r rune) bool { return !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
		return strconv.Quote(v)
	}
	return v
}
