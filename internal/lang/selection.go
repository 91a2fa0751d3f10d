package lang

import (
	"fmt"
	"regexp"
	"strings"
)

// SelectionWords are the words DescribeSelection uses, in one language.
// The formats take the counts in the order selected, total.
type SelectionWords struct {
	All    string // "all %[2]d messages": every message, no criteria
	Some   string // "%d of %d messages"
	Chosen string // "%d of %d messages, chosen by the clinician: %s" (the criteria)
	Sep    string // between criteria: "; "
	Keys   map[string]string
}

// DescribeSelection says in words which messages a bundle holds and how
// they were chosen (the manifest's selection: selected of total, and its
// criteria), for every place a person reads a bundle (export summary,
// verify report, PDF): "4 of 15 messages, chosen by the clinician: messages
// m6, m9–m11". The criteria are sealed, so they are shown as sealed, only
// reworded; a value that holds invisible or control characters is quoted
// so that what is shown is what was signed.
func (t Terms) DescribeSelection(selected, total int, criteria []string) string {
	w := t.SelectionWords
	if len(criteria) == 0 {
		if selected == total {
			return fmt.Sprintf(w.All, selected, total)
		}
		return fmt.Sprintf(w.Some, selected, total)
	}
	words := make([]string, len(criteria))
	for i, c := range criteria {
		words[i] = describeCriterion(c, w)
	}
	return fmt.Sprintf(w.Chosen, selected, total, strings.Join(words, w.Sep))
}

// describeCriterion rewords one "key=value" criterion (custody export
// writes from, to, messages, label, participant); other producers' keys
// are shown as written.
func describeCriterion(c string, w SelectionWords) string {
	key, value, ok := strings.Cut(c, "=")
	word, known := w.Keys[key]
	switch {
	case !ok || !known:
		return Shown(c)
	case key == "messages":
		parts := strings.Split(value, ",")
		for i, p := range parts {
			parts[i] = Shown(idRange(strings.TrimSpace(p)))
		}
		return word + " " + strings.Join(parts, ", ")
	}
	return word + " " + Shown(value)
}

// plainRange is an id range whose ids hold no '-' ("m9-m11"): its dash can
// be written as the en dash of a range without misreading an id.
var plainRange = regexp.MustCompile(`^([A-Za-z_]*[0-9]+)-([A-Za-z_]*[0-9]+)$`)

func idRange(p string) string {
	return plainRange.ReplaceAllString(p, "$1–$2")
}
