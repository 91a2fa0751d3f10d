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
	var d Detector
	for _, t := range texts {
		d.Add(t)
	}
	return d.Code()
}

// Detector is Detect one text at a time, for a caller that does not hold
// them all (an export read from a stream).
type Detector struct {
	counts map[string]int
}

// wordLanguages gives the languages each common word counts for.
var wordLanguages = func() map[string][]string {
	index := map[string][]string{}
	for code, words := range commonWords {
		for _, w := range words {
			index[w] = append(index[w], code)
		}
	}
	return index
}()

// Add counts a text's common words.
func (d *Detector) Add(text string) {
	if d.counts == nil {
		d.counts = map[string]int{}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, code := range wordLanguages[w] {
			d.counts[code]++
		}
	}
}

// Code is the language of the texts added so far.
func (d *Detector) Code() string {
	if d.counts["es"] > d.counts["en"] {
		return "es"
	}
	return English.Code
}
