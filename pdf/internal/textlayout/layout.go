package textlayout

import (
	"fmt"
	"strings"
	"unicode"
)

// Span is a piece of a line drawn with one font, its characters in visual
// (left-to-right drawing) order.
type Span struct {
	Face *Face
	Text string
	X    float64 // offset from the start of the line, in points
	W    float64 // width, in points
	// ActualText, when set, is the text the span stands for, in place of
	// its glyphs' own: a bracket mirrored in right-to-left text is drawn
	// as the other bracket and stands for the one sent.
	ActualText string
}

// Line is one drawn line.
type Line struct {
	Spans []Span
	Width float64
	// RTL is set when the paragraph is right-to-left (its first strong
	// character is Hebrew or Arabic): the caller aligns the line right.
	RTL bool
}

// Setter lays text out in a font size and width.
type Setter struct {
	// Faces in order of preference: the first that has a glyph draws it.
	// Faces[0] draws substitutes and must cover ASCII.
	Faces []*Face
	Size  float64 // font size, points
	Width float64 // line width, points
	// Supplementary draws characters above U+FFFF that a face has
	// (emoji), and leaves out the emoji variation selectors and the zero
	// width joiner, which only steer how a colour emoji font combines
	// them: each emoji of a sequence is drawn. Without it such characters
	// are substituted, as the PDF writer once mishandled their ToUnicode
	// entries (custody-pdf/1 to /3).
	Supplementary bool
	// Shape joins Arabic letters (their contextual presentation forms, and
	// the lam-alef ligatures: shape.go) and orders each paragraph by the
	// complete Unicode bidirectional algorithm (package uba), honouring
	// the bidi controls it does not draw (custody-pdf/5). Without it
	// letters are isolated and the order comes from the reduced algorithm
	// of bidi.go (custody-pdf/1 to /4).
	Shape bool

	cells []cell // reused between calls
}

// A cell is one drawn character (or one character of a substitute).
type cell struct {
	r     rune
	face  *Face
	w     float64
	level int8
	sub   bool // part of a "[U+XXXX]" substitute: keeps its own order in RTL text
	// hidden: a bidi control that steers the order and is not drawn
	// (Shape only).
	hidden bool
}

// Dropped reports whether r is an invisible bidi or byte-order control that
// is not drawn. The text around it is drawn as usual, and the layout does its
// own ordering, so nothing visible is lost: these marks only steer ordering
// in software that runs the Unicode bidi algorithm.
func Dropped(r rune) bool {
	switch {
	case r == '\u200e', r == '\u200f', r == '\ufeff':
		return true
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// emojiControl reports whether r is an emoji presentation selector
// (U+FE0E, U+FE0F) or the zero width joiner (U+200D).
func emojiControl(r rune) bool { return r == '\ufe0e' || r == '\ufe0f' || r == '\u200d' }

// Substitute is the visible text drawn for a character no font can show.
func Substitute(r rune) string { return fmt.Sprintf("[U+%04X]", r) }

// tabWidth is how many spaces a tab at the start of a line becomes.
const tabWidth = 4

// Lines lays out text: one paragraph per line of the input ("\n", "\r\n" or
// "\r" end a line), each wrapped to the width. An empty text gives no line;
// an empty paragraph gives an empty line.
func (s *Setter) Lines(text string) []Line {
	if text == "" {
		return nil
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var lines []Line
	for para := range strings.SplitSeq(text, "\n") {
		lines = s.paragraph(para, lines)
	}
	return lines
}

// Line lays out text on a single line without wrapping (for short labels).
func (s *Setter) Line(text string) Line {
	rtl := s.prepare(text)
	return s.line(s.cells, rtl)
}

// prepare puts the paragraph's cells into s.cells, shaped and with their
// levels, and reports whether it is right-to-left.
func (s *Setter) prepare(para string) (rtl bool) {
	s.cells = s.appendCells(s.cells[:0], para)
	if !s.Shape {
		return resolveLevels(s.cells)
	}
	s.cells = s.shape(s.cells)
	return resolveUBA(s.cells)
}

func (s *Setter) paragraph(para string, lines []Line) []Line {
	rtl := s.prepare(para)
	cells := s.cells
	if len(cells) == 0 {
		return append(lines, Line{RTL: rtl})
	}
	for len(cells) > 0 {
		n, next := s.fit(cells)
		if n == 0 && next < len(cells) {
			cells = cells[next:] // an indent wider than the line
			continue
		}
		lines = append(lines, s.line(cells[:n], rtl))
		cells = cells[next:]
	}
	return lines
}

// fit returns how many cells go on the line and where the next line starts:
// it breaks after the last space that fits, dropping the spaces at the
// break, or inside a word longer than the line.
func (s *Setter) fit(cells []cell) (n, next int) {
	var w float64
	lastSpace := -1
	for i, c := range cells {
		if c.r == ' ' {
			lastSpace = i
		}
		w += c.w
		if w > s.Width && c.r != ' ' {
			if lastSpace > 0 {
				n = lastSpace
				for n > 0 && cells[n-1].r == ' ' {
					n--
				}
				if n > 0 {
					return n, lastSpace + 1
				}
				return 0, lastSpace + 1 // only spaces before the break: skip them
			}
			if i == 0 {
				return 1, 1 // a single glyph wider than the line
			}
			return i, i
		}
	}
	n = len(cells)
	for n > 0 && cells[n-1].r == ' ' {
		n-- // trailing spaces are not drawn and would overflow the width
	}
	return n, len(cells)
}

// line reorders cells visually and groups them into spans.
func (s *Setter) line(cells []cell, rtl bool) Line {
	visual := reorder(cells)
	l := Line{RTL: rtl}
	var b strings.Builder
	var cur Span
	flush := func() {
		if b.Len() > 0 {
			cur.Text = b.String()
			l.Spans = append(l.Spans, cur)
			b.Reset()
		}
	}
	for _, c := range visual {
		if c.hidden {
			continue
		}
		drawn, mirrored := c.r, false
		if s.Shape && c.level%2 == 1 {
			drawn, mirrored = mirror(c.r)
		}
		if c.face != cur.Face || b.Len() == 0 || mirrored || cur.ActualText != "" {
			flush()
			cur = Span{Face: c.face, X: l.Width}
		}
		if mirrored {
			cur.ActualText = string(c.r)
		}
		b.WriteRune(drawn)
		cur.W += c.w
		l.Width += c.w
	}
	flush()
	return l
}

// Draws reports whether the setter draws r as itself (a glyph of one of
// its fonts, or the nothing or spaces a control or tab stands for), as
// opposed to its Substitute.
func (s *Setter) Draws(r rune) bool {
	switch {
	case Dropped(r), s.Supplementary && emojiControl(r), r == '\t', r == '\n', r == '\r':
		return true
	}
	return s.faceFor(r) != nil
}

// appendCells maps each character of a paragraph to a font, or to its
// substitute, and measures it.
func (s *Setter) appendCells(cells []cell, para string) []cell {
	for _, r := range para {
		switch {
		case s.Shape && Dropped(r):
			cells = append(cells, cell{r: r, face: s.Faces[0], hidden: true})
			continue
		case Dropped(r), s.Supplementary && emojiControl(r):
			continue
		case r == '\t':
			// A tab indents at the start of a line; elsewhere it is one
			// space, as a wide gap inside a line makes text extractors
			// see two columns and split the sentence.
			n := 1
			if indent(cells) {
				n = tabWidth
			}
			for range n {
				cells = s.appendRune(cells, ' ', false)
			}
			continue
		}
		if face := s.faceFor(r); face != nil {
			cells = append(cells, cell{r: r, face: face, w: face.Advance(r) * s.Size})
			continue
		}
		for _, sr := range Substitute(r) {
			cells = s.appendRune(cells, sr, true)
		}
	}
	return cells
}

func indent(cells []cell) bool {
	for _, c := range cells {
		if c.r != ' ' {
			return false
		}
	}
	return true
}

func (s *Setter) appendRune(cells []cell, r rune, sub bool) []cell {
	f := s.Faces[0]
	return append(cells, cell{r: r, face: f, w: max(f.Advance(r), 0) * s.Size, sub: sub})
}

// faceFor picks the first face with a glyph for r, or nil when r must be
// substituted: no glyph anywhere, a control character, or a character above
// U+FFFF (the PDF writer's ToUnicode map mishandles those, which would break
// text extraction).
func (s *Setter) faceFor(r rune) *Face {
	if (r > 0xffff && !s.Supplementary) || unicode.IsControl(r) || r == '\ufffd' {
		return nil
	}
	for _, f := range s.Faces {
		if f.Has(r) {
			return f
		}
	}
	return nil
}
