package lang

import (
	"strings"
	"unicode"
)

// commonWords are frequent short words of each language, the cheapest
// signal of what a chat is written in: a chat is long, and clinicians and
// patients write these whatever the subject.
var commonWords = map[string][]string{
	"en": {"the", "and", "you", "is", "it", "to", "of", "in", "for", "with", "my", "have", "i", "what", "this"},
	"es": {"que", "el", "la", "los", "las", "y", "es", "por", "con", "para", "una", "un", "mi", "no", "del", "le", "se", "lo"},
}

// Detect says which language of Codes texts are mostly written in, by
// their common words; English when no word tells.
func Detect(texts []string) string {
	counts := map[string]int{}
	index := map[string][]string{}
	for code, words := range commonWords {
		for _, w := range words {
			index[w] = append(index[w], code)
		}
	}
	for _, t := range texts {
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) }) {
			for _, code := range index[w] {
				counts[code]++
			}
		}
	}
	if counts["es"] > counts["en"] {
		return "es"
	}
	return English.Code
}
