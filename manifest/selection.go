package manifest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Describe says in words which messages the bundle holds and how they were
// chosen, for every place a person reads a bundle (export summary, verify
// report, PDF): "4 of 15 messages, chosen by the clinician: messages m6,
// m9–m11". The criteria are sealed, so they are shown as sealed, only
// reworded; a value that holds invisible or control characters is quoted
// so that what is shown is what was signed.
func (s Selection) Describe() string {
	if len(s.Criteria) == 0 {
		if s.Selected == s.Total {
			return fmt.Sprintf("all %d messages", s.Total)
		}
		return fmt.Sprintf("%d of %d messages", s.Selected, s.Total)
	}
	words := make([]string, len(s.Criteria))
	for i, c := range s.Criteria {
		words[i] = describeCriterion(c)
	}
	return fmt.Sprintf("%d of %d messages, chosen by the clinician: %s", s.Selected, s.Total, strings.Join(words, "; "))
}

// describeCriterion rewords one "key=value" criterion (custody export
// writes from, to, messages, label, participant); other producers' keys
// are shown as written.
func describeCriterion(c string) string {
	key, value, ok := strings.Cut(c, "=")
	if !ok {
		return shown(c)
	}
	switch key {
	case "from", "to", "label":
		return key + " " + shown(value)
	case "participant":
		return "sent by " + shown(value)
	case "messages":
		parts := strings.Split(value, ",")
		for i, p := range parts {
			parts[i] = shown(idRange(strings.TrimSpace(p)))
		}
		return "messages " + strings.Join(parts, ", ")
	}
	return shown(c)
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
