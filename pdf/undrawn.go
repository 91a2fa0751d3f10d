package pdf

import (
	"sync"

	"github.com/custody-toolkit/custody/pdf/internal/textlayout"
)

// undrawnSetter is a setter with the faces the current renderer falls
// back on for every text (fallbackFaces); its faces cache glyph widths,
// hence the lock.
var undrawnSetter struct {
	once sync.Once
	mu   sync.Mutex
	s    *textlayout.Setter
	err  error
}

// Undrawn returns the characters of text that the current renderer
// (custody-pdf/4 and later) has no glyph for, each once, in the order
// they first appear. The record shows each as [U+XXXX], for ever: the
// exporter counts and names them before the doctor files the PDF.
func Undrawn(text string) ([]rune, error) {
	u := &undrawnSetter
	u.once.Do(func() {
		f, err := parseFaces(true)
		u.s, u.err = &textlayout.Setter{Faces: fallbackFaces(f, true), Supplementary: true}, err
	})
	if u.err != nil {
		return nil, u.err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	var missing []rune
	seen := map[rune]bool{}
	for _, r := range text {
		if !seen[r] && !u.s.Draws(r) {
			missing = append(missing, r)
		}
		seen[r] = true
	}
	return missing, nil
}
