package pdf

import (
	"sync"

	"golang.org/x/image/font/gofont/goregular"

	"github.com/custody-toolkit/custody/pdf/fonts"
	"github.com/custody-toolkit/custody/pdf/internal/textlayout"
)

// undrawnSetter is a setter with the fonts the current renderer draws
// message text with; its faces cache glyph widths, hence the lock.
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
		var faces []*textlayout.Face
		for _, f := range []struct {
			name string
			ttf  []byte
		}{{"regular", goregular.TTF}, {"hebrew", fonts.Hebrew}, {"arabic", fonts.Arabic}, {"emoji", fonts.Emoji}} {
			face, err := textlayout.NewFace(f.name, f.ttf)
			if err != nil {
				u.err = err
				return
			}
			faces = append(faces, face)
		}
		u.s = &textlayout.Setter{Faces: faces, Supplementary: true}
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
