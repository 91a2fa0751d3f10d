package whatsapp

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/custody-toolkit/custody/importer/internal/textnorm"
	"github.com/custody-toolkit/custody/importer/internal/warn"
)

// header is the date, time and meridiem of a message line, as written.
type header struct {
	a, b, c      string // the three date fields in file order
	hour, minute int
	second       int
	meridiem     byte // 'a', 'p' or 0
	ios          bool // "[…]" header: iOS, which marks system lines with U+200E
}

// headerPattern matches the start of a message line once invisible marks
// are removed, no-break spaces made plain and digits made ASCII: every
// locale's "[d/m/yy, h:mm:ss PM] ", "d.m.yy, HH:MM - ", "yyyy-mm-dd HH:MM. - ",
// Arabic "[١٥/٣/٢٠٢٤، ١٠:٠٥:٣٢ م] " (ص before noon, م after) …
var headerPattern = regexp.MustCompile(`^(\[)?\s*(\d{1,4})([./-])(\d{1,2})([./-])(\d{1,4})\.?,?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\.?\s*_?(?:([AaPp])\.?\s?[Mm]\.?|(ص|م))?\s*(\])?\s*(-\s)?`)

// Arabic meridiem letters: ص (ṣabāḥan, before noon), م (masāʾan, after).
const (
	arabicAM = "ص"
	arabicPM = "م"
)

// headScan bounds how much of a line the header pattern looks at.
const headScan = 96

// headScanner recognises message headers, reusing its buffers from line
// to line (a header is looked for on every line of the export).
type headScanner struct {
	norm []byte
	offs []int
}

// parseHeader recognises a message header and returns the original bytes
// after it.
func (sc *headScanner) parseHeader(line []byte) (header, []byte, bool) {
	norm, offs := sc.normalizeHead(line)
	if len(norm) == 0 || !(norm[0] == '[' || norm[0] >= '0' && norm[0] <= '9') {
		return header{}, nil, false
	}
	m := headerPattern.FindSubmatchIndex(norm)
	if m == nil {
		return header{}, nil, false
	}
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return string(norm[m[2*i]:m[2*i+1]])
	}
	bracketed := m[2] >= 0
	closed := m[24] >= 0
	dashed := m[26] >= 0
	// An iOS header closes its bracket, an Android one ends in " - ";
	// anything else is a date inside a message, not a header. ("_" before
	// AM/PM is a no-break space some tools mangled.)
	if bracketed != closed || (!bracketed && !dashed) || (bracketed && dashed) {
		return header{}, nil, false
	}
	if norm[m[6]] != norm[m[10]] { // the two date separators differ
		return header{}, nil, false
	}
	h := header{ios: bracketed}
	h.a, h.b, h.c = group(2), group(4), group(6)
	h.hour = atoi(norm[m[14]:m[15]])
	h.minute = atoi(norm[m[16]:m[17]])
	if m[18] >= 0 {
		h.second = atoi(norm[m[18]:m[19]])
	}
	switch {
	case m[20] >= 0:
		h.meridiem = norm[m[20]] | 0x20
	case group(11) == arabicAM:
		h.meridiem = 'a'
	case group(11) == arabicPM:
		h.meridiem = 'p'
	}
	return h, line[offs[m[1]]:], true
}

// atoi reads the few ASCII digits the header pattern matched.
func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// normalizeHead returns the first headScan bytes of line without invisible
// marks, with no-break spaces made plain and Arabic-script digits and comma
// made ASCII, and for each byte of the result the offset of the original
// byte it came from (plus one entry for the end).
func (sc *headScanner) normalizeHead(line []byte) ([]byte, []int) {
	norm, offs := sc.norm[:0], sc.offs[:0]
	i := 0
	for i < len(line) && len(norm) < headScan {
		r, size := utf8.DecodeRune(line[i:])
		switch {
		case isInvisible(r):
		case isSpace(r):
			norm = append(norm, ' ')
			offs = append(offs, i)
		case asciiOf(r) != 0:
			norm = append(norm, asciiOf(r))
			offs = append(offs, i)
		default:
			norm = append(norm, line[i:i+size]...)
			for range size {
				offs = append(offs, i)
			}
		}
		i += size
	}
	// A match ending at the scan limit maps to where scanning stopped.
	offs = append(offs, i)
	sc.norm, sc.offs = norm, offs
	return norm, offs
}

// asciiOf returns the ASCII character an Arabic-script export writes r
// for in a header: Arabic-Indic digits (٠-٩, Arabic), Extended
// Arabic-Indic digits (۰-۹, Persian and Urdu), the Arabic comma; else 0.
func asciiOf(r rune) byte {
	switch {
	case r >= '٠' && r <= '٩':
		return byte('0' + r - '٠')
	case r >= '۰' && r <= '۹':
		return byte('0' + r - '۰')
	case r == '،':
		return ','
	}
	return 0
}

var (
	isInvisible = textnorm.IsInvisible
	isSpace     = textnorm.IsSpace
)

// stripInvisible returns b without invisible marks and with exotic spaces
// made plain: the form markers and system phrases are matched against.
func stripInvisible(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case isInvisible(r):
		case isSpace(r):
			out = append(out, ' ')
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

var eraPattern = regexp.MustCompile(`^\[?\s*((?:明治|大正|昭和|平成|令和|[MTSHR])\s?\d{1,2}[./年-]\d{1,2}[./月-]\d{1,2}日?)`)

// eraPrefix returns a Japanese-era date at the start of line, if any, so
// that such an export is refused instead of read with a wrong year.
func eraPrefix(line []byte) string {
	m := eraPattern.FindSubmatch(stripInvisible(line))
	if m == nil {
		return ""
	}
	return string(m[1])
}

// time resolves the header in the given date order and zone.
func (h *header) time(order string, loc *time.Location, w *warn.List, line int) (time.Time, error) {
	var ys, ms, ds string
	switch {
	case len(h.a) == 4 || order == YMD:
		ys, ms, ds = h.a, h.b, h.c
	case order == DMY:
		ds, ms, ys = h.a, h.b, h.c
	default:
		ms, ds, ys = h.a, h.b, h.c
	}
	if len(ms) > 2 || len(ds) > 2 {
		return time.Time{}, fmt.Errorf("date %s/%s/%s cannot be read in %s order", h.a, h.b, h.c, order)
	}
	y, _ := strconv.Atoi(ys)
	mo, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	y, err := gregorianYear(ys, y, w)
	if err != nil {
		return time.Time{}, err
	}
	hour, err := h.hour24(w, line)
	if err != nil {
		return time.Time{}, err
	}
	if h.minute > 59 || h.second > 59 {
		return time.Time{}, fmt.Errorf("time %d:%02d:%02d is not a time of day", h.hour, h.minute, h.second)
	}
	t := time.Date(y, time.Month(mo), d, hour, h.minute, h.second, 0, loc)
	if mo < 1 || mo > 12 || t.Day() != d || t.Month() != time.Month(mo) {
		return time.Time{}, fmt.Errorf("date %s/%s/%s (%s) is not a calendar date", h.a, h.b, h.c, order)
	}
	checkWallClock(t, hour, h.minute, loc, w, line)
	return t, nil
}

// checkWallClock reports the times a daylight-saving change makes
// doubtful: a wall time that does not exist (skipped hour) or exists twice.
func checkWallClock(t time.Time, hour, minute int, loc *time.Location, w *warn.List, line int) {
	wall := fmt.Sprintf("%02d:%02d", hour, minute)
	switch {
	case t.Hour() != hour || t.Minute() != minute:
		w.Add("line %d: %s does not exist on %s in %s (clocks moved forward); read as %s", line, wall, t.Format("2006-01-02"), loc, t.Format(time.RFC3339))
	case sameWall(t, t.Add(time.Hour)) || sameWall(t, t.Add(-time.Hour)):
		w.Add("line %d: %s happened twice on %s in %s (clocks moved back); read as %s", line, wall, t.Format("2006-01-02"), loc, t.Format(time.RFC3339))
	}
}

func sameWall(a, b time.Time) bool {
	return a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Day() == b.Day()
}

// gregorianYear reads two-digit years as 20yy and converts Thai Buddhist
// Era years (25xx), which no Gregorian chat can carry, with a warning.
func gregorianYear(s string, y int, w *warn.List) (int, error) {
	switch {
	case len(s) <= 2:
		return 2000 + y, nil
	case len(s) == 4 && y >= 1970 && y <= 2200:
		return y, nil
	case len(s) == 4 && y >= 1970+543 && y <= 2799:
		// From BE 2513 (1970): an earlier "Buddhist" year would be a
		// Gregorian date before any chat, so it is not read as one.
		w.AddOnce("be", "year %d read as Buddhist Era (BE) and converted to %d (Gregorian = BE − 543)", y, y-543)
		return y - 543, nil
	}
	return 0, fmt.Errorf("year %s is neither Gregorian nor Buddhist Era: export the chat again with the Gregorian calendar", s)
}

// hour24 applies AM/PM. Some exports write "13:37 p.m." or "00:08 a. m.":
// those hours are already 24-hour and are kept, with a warning.
func (h *header) hour24(w *warn.List, line int) (int, error) {
	hr := h.hour
	switch {
	case h.meridiem == 0:
		if hr > 23 {
			return 0, fmt.Errorf("hour %d is not a time of day", hr)
		}
		return hr, nil
	case hr == 0 || hr > 12:
		if hr > 23 {
			return 0, fmt.Errorf("hour %d is not a time of day", hr)
		}
		w.Add("line %d: hour %d with %cm read as a 24-hour time", line, hr, h.meridiem)
		return hr, nil
	case h.meridiem == 'a':
		return hr % 12, nil
	default:
		return hr%12 + 12, nil
	}
}
