package textlayout

import "unicode"

// joinType is how a character joins its neighbours (Unicode's
// Joining_Type, reduced to what the presentation forms can show).
type joinType int8

const (
	nonJoining  joinType = iota
	rightJoin            // joins the letter before it only (alef, dal, reh, waw…)
	dualJoin             // joins on both sides (beh, seen, lam…)
	joinCausing          // tatweel, zero width joiner: its neighbours join it
	transparent          // a mark: joining looks through it
)

func joiningOf(c cell) joinType {
	if c.sub || c.hidden && c.r != '\u200d' {
		return nonJoining
	}
	switch {
	case c.r == '\u0640' || c.r == '\u200d':
		return joinCausing
	case c.r >= 0x0600 && unicode.Is(unicode.Mn, c.r):
		return transparent
	}
	f, ok := arabicForms[c.r]
	switch {
	case !ok || f[final] == 0:
		return nonJoining
	case f[initial] == 0:
		return rightJoin
	}
	return dualJoin
}

// shape replaces, in a paragraph in logical order, each Arabic letter by
// its contextual presentation form when the cell's font has it, and lam
// followed by alef by their ligature. It returns the cells, fewer by one
// for each ligature.
func (s *Setter) shape(cells []cell) []cell {
	types := make([]joinType, len(cells))
	for i, c := range cells {
		types[i] = joiningOf(c)
	}
	// neighbour is the next non-transparent character from i in direction
	// step, or -1.
	neighbour := func(i, step int) int {
		for j := i + step; j >= 0 && j < len(cells); j += step {
			if types[j] != transparent {
				return j
			}
		}
		return -1
	}
	out := cells[:0]
	for i := 0; i < len(cells); i++ {
		c, t := cells[i], types[i]
		if t != rightJoin && t != dualJoin {
			out = append(out, c)
			continue
		}
		prev, next := neighbour(i, -1), neighbour(i, 1)
		joinsBefore := prev >= 0 && (types[prev] == dualJoin || types[prev] == joinCausing)
		joinsAfter := t == dualJoin && next >= 0 && types[next] != nonJoining
		if lig, ok := lamAlef[runeAt(cells, i+1)]; ok && c.r == '\u0644' && s.shaped(&c, lig[b2i(joinsBefore)]) {
			out = append(out, c)
			i++ // the alef is in the ligature
			continue
		}
		form := arabicForms[c.r][isolated]
		switch {
		case joinsBefore && joinsAfter:
			form = arabicForms[c.r][medial]
		case joinsBefore:
			form = arabicForms[c.r][final]
		case joinsAfter:
			form = arabicForms[c.r][initial]
		}
		if form != arabicForms[c.r][isolated] {
			s.shaped(&c, form) // an isolated letter is drawn as itself
		}
		out = append(out, c)
	}
	return out
}

// shaped draws c as form when c's font has it.
func (s *Setter) shaped(c *cell, form rune) bool {
	if form == 0 || !c.face.Has(form) {
		return false
	}
	c.r, c.w = form, c.face.Advance(form)*s.Size
	return true
}

func runeAt(cells []cell, i int) rune {
	if i < len(cells) {
		return cells[i].r
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// letters maps each presentation form back to the letters it shows.
var letters = func() map[rune]string {
	m := map[rune]string{}
	for letter, forms := range arabicForms {
		for _, f := range forms {
			if f != 0 {
				m[f] = string(letter)
			}
		}
	}
	for alef, forms := range lamAlef {
		for _, f := range forms {
			// In drawing order, alef then lam: extractors (poppler,
			// pdf.js) reverse the characters of a right-to-left run,
			// a ligature's too, to give it back in logical order.
			m[f] = string(alef) + "\u0644"
		}
	}
	return m
}()

// Letters is the text a drawn character stands for: the letters of an
// Arabic presentation form (a ligature stands for two, in drawing order),
// else the character itself. The PDF maps each glyph to it, so that the
// text is extracted and searched as it was sent, not as presentation forms.
func Letters(r rune) string {
	if s, ok := letters[r]; ok {
		return s
	}
	return string(r)
}

// mirrors are the characters drawn mirrored in right-to-left text (rule
// L4), as their mirror image: the brackets and quotation marks people
// type.
var mirrors = map[rune]rune{
	'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{',
	'<': '>', '>': '<', '«': '»', '»': '«', '‹': '›', '›': '‹',
}

// mirror is the character drawn for r in right-to-left text, and whether
// it differs from r.
func mirror(r rune) (rune, bool) {
	m, ok := mirrors[r]
	if !ok {
		return r, false
	}
	return m, true
}
