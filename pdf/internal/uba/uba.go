// Package uba resolves the embedding levels of a paragraph by the Unicode
// Bidirectional Algorithm (UAX #9: explicit embeddings, overrides and
// isolates, weak and neutral types, paired brackets), for the PDF
// renderer's custody-pdf/5.
//
// core.go and bracket.go are golang.org/x/text/unicode/bidi's port of the
// UAX #9 reference implementation, copied from x/text v0.44.0 (BSD
// licence, LICENSE beside them) with only the package name changed. That
// package's exported API is not enough for laying out mixed text:
// Paragraph.Order reduces the levels to a left-to-right or right-to-left
// flag per run, so a number inside an Arabic phrase inside a Spanish
// sentence cannot be placed; Paragraph.Line re-resolves each line as a
// paragraph of its own; and its brackets never pair (both ends are given
// their own rune as pair value). The algorithm itself is complete and
// tested upstream against the Unicode conformance files; this package
// feeds it directly. A copy also freezes it: a renderer must lay out the
// same text the same way forever (docs/bundle-format.md §7.1).
package uba

import (
	"fmt"

	"golang.org/x/text/unicode/bidi"
)

// Class is a character's bidirectional class (x/text's, as a local type
// for core.go's methods).
type Class bidi.Class

// The classes, as core.go names them.
const (
	L   = Class(bidi.L)
	R   = Class(bidi.R)
	EN  = Class(bidi.EN)
	ES  = Class(bidi.ES)
	ET  = Class(bidi.ET)
	AN  = Class(bidi.AN)
	CS  = Class(bidi.CS)
	B   = Class(bidi.B)
	S   = Class(bidi.S)
	WS  = Class(bidi.WS)
	ON  = Class(bidi.ON)
	BN  = Class(bidi.BN)
	NSM = Class(bidi.NSM)
	AL  = Class(bidi.AL)
	LRO = Class(bidi.LRO)
	RLO = Class(bidi.RLO)
	LRE = Class(bidi.LRE)
	RLE = Class(bidi.RLE)
	PDF = Class(bidi.PDF)
	LRI = Class(bidi.LRI)
	RLI = Class(bidi.RLI)
	FSI = Class(bidi.FSI)
	PDI = Class(bidi.PDI)

	unknownClass = ^Class(0)
)

// ClassOf is r's bidirectional class.
func ClassOf(r rune) Class {
	p, _ := bidi.LookupRune(r)
	return Class(p.Class())
}

// openers pairs each closing bracket with its opening one (BD14–BD16); the
// brackets people type in a chat.
var openers = map[rune]rune{')': '(', ']': '[', '}': '{'}

// Levels resolves one paragraph, without its paragraph separator: the
// embedding level of each character (even: left to right, odd: right to
// left), trailing white space at the paragraph's level (rule L1), and
// whether the paragraph is right-to-left (rules P2, P3: its first strong
// character is right-to-left). classes[i] is the class of runes[i], which
// the caller may override (a substitute for a missing glyph reads left to
// right).
func Levels(runes []rune, classes []Class) (levels []int8, rtl bool, err error) {
	if len(runes) == 0 {
		return nil, false, nil
	}
	if len(runes) != len(classes) {
		return nil, false, fmt.Errorf("uba: %d classes for %d characters", len(classes), len(runes))
	}
	pairTypes := make([]bracketType, len(runes))
	pairValues := make([]rune, len(runes))
	for i, r := range runes {
		if o, ok := openers[r]; ok {
			pairTypes[i], pairValues[i] = bpClose, o
		} else if r == '(' || r == '[' || r == '{' {
			pairTypes[i], pairValues[i] = bpOpen, r
		}
	}
	defer func() {
		if p := recover(); p != nil {
			levels, err = nil, fmt.Errorf("uba: %v", p)
		}
	}()
	p, err := newParagraph(classes, pairTypes, pairValues, implicitLevel)
	if err != nil {
		return nil, false, fmt.Errorf("uba: %w", err)
	}
	resolved := p.getLevels([]int{len(runes)})
	levels = make([]int8, len(resolved))
	for i, l := range resolved {
		levels[i] = int8(l)
	}
	return levels, p.embeddingLevel == 1, nil
}
