package verifycli

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// safe makes a string taken from a verified file harmless on a terminal.
// A hostile bundle must not rewrite the report an expert reads: an escape
// sequence that moves the cursor or clears the screen, a carriage return
// or a newline that starts a forged "PASSED" line, a bidirectional
// override that reorders what is shown. Control characters (C0, DEL, C1)
// and invalid UTF-8 become \xNN, bidirectional controls <U+NNNN>; every
// other character, accents and scripts included, is kept. The JSON report
// needs none of this: encoding/json escapes what it must.
func safe(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return true
		}
	}
	return false
}
