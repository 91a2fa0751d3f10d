package textlayout

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/goregular"

	"github.com/custody-toolkit/custody/pdf/fonts"
)

func setter(t testing.TB, width float64) *Setter {
	t.Helper()
	var faces []*Face
	for _, f := range []struct {
		name string
		ttf  []byte
	}{{"regular", goregular.TTF}, {"hebrew", fonts.Hebrew}, {"arabic", fonts.Arabic}} {
		face, err := NewFace(f.name, f.ttf)
		if err != nil {
			t.Fatal(err)
		}
		faces = append(faces, face)
	}
	return &Setter{Faces: faces, Size: 10, Width: width}
}

// text returns a line's characters in drawing order.
func text(l Line) string {
	var b strings.Builder
	for _, s := range l.Spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func TestWrapKeepsEveryWordWithinWidth(t *testing.T) {
	s := setter(t, 200)
	in := strings.Repeat("Leucocitos elevados, proteína C reactiva 18,4 mg/L. ", 12) + "\nFin\n\nOtra"
	lines := s.Lines(in)
	var words []string
	for _, l := range lines {
		if l.Width > s.Width+0.001 {
			t.Errorf("line %q is %.1f pt wide, over %.1f", text(l), l.Width, s.Width)
		}
		words = append(words, strings.Fields(text(l))...)
	}
	if got, want := strings.Join(words, " "), strings.Join(strings.Fields(in), " "); got != want {
		t.Errorf("words changed by wrapping:\n got %q\nwant %q", got, want)
	}
	if text(lines[len(lines)-2]) != "" {
		t.Errorf("empty paragraph lost: %q", text(lines[len(lines)-2]))
	}
}

func TestWidthsMatchTheFont(t *testing.T) {
	s := setter(t, 1000)
	l := s.Line("ab")
	if a, b := s.Faces[0].Advance('a'), s.Faces[0].Advance('b'); l.Width != (a+b)*s.Size || a <= 0 {
		t.Errorf("width %.3f, want (%.3f+%.3f)×%v", l.Width, a, b, s.Size)
	}
	// Go Regular is not monospaced: widths come from the font, not a guess.
	if s.Faces[0].Advance('i') >= s.Faces[0].Advance('m') {
		t.Error("i is not narrower than m")
	}
}

func TestLongWordIsBroken(t *testing.T) {
	s := setter(t, 50)
	word := strings.Repeat("x", 60)
	var got string
	for _, l := range s.Lines(word) {
		if l.Width > s.Width {
			t.Errorf("line over width: %.1f", l.Width)
		}
		got += text(l)
	}
	if got != word {
		t.Errorf("broken word reassembles to %q", got)
	}
}

func TestSubstitutesAndDropped(t *testing.T) {
	s := setter(t, 1000)
	got := text(s.Line("ok 👍\u200e y\u2067 ❤\ufe0f\x07 漢"))
	want := "ok [U+1F44D] y [U+2764][U+FE0F][U+0007] [U+6F22]"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestHebrewIsDrawnRightToLeft(t *testing.T) {
	s := setter(t, 1000)
	l := s.Line("שלום עולם")
	if !l.RTL {
		t.Error("Hebrew paragraph not marked right-to-left")
	}
	if got := text(l); got != reverse("שלום עולם") {
		t.Errorf("visual order %q", got)
	}
	for _, sp := range l.Spans {
		if strings.TrimSpace(sp.Text) != "" && sp.Face.Name != "hebrew" {
			t.Errorf("span %q drawn with %s", sp.Text, sp.Face.Name)
		}
	}
}

func TestMixedDirections(t *testing.T) {
	s := setter(t, 1000)
	// A left-to-right sentence quoting Hebrew: only the Hebrew run turns.
	if got, want := text(s.Line("dice שלום עולם hoy")), "dice "+reverse("שלום עולם")+" hoy"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Numbers inside right-to-left text keep their order.
	if got, want := text(s.Line("מחיר 125 שקל")), reverse("שקל")+" 125 "+reverse("מחיר"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Arabic text: letters reversed, the substitute readable.
	if got, want := text(s.Line("مرحبا 👍")), "[U+1F44D] "+reverse("مرحبا"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzLines(f *testing.F) {
	for _, seed := range []string{"", "a b c", "שלום 12 world", "مرحبا، كيف؟", "\t\tx\r\ny", "👍\ufe0f\u200d", "\xff\xfe", strings.Repeat("w", 300)} {
		f.Add(seed, 120.0)
	}
	s := setter(f, 100)
	f.Fuzz(func(t *testing.T, in string, width float64) {
		if width != width || width < 1 || width > 1e4 {
			width = 100
		}
		s.Width = width
		s.Shape = len(in)%2 == 1 // both layouts, custody-pdf/5's and the earlier
		lines := s.Lines(in)
		var n int
		for _, l := range lines {
			for _, sp := range l.Spans {
				if !utf8.ValidString(sp.Text) || sp.Face == nil {
					t.Fatalf("bad span %+v", sp)
				}
				n += utf8.RuneCountInString(sp.Text)
			}
			// Only a single glyph wider than the line may overflow.
			if l.Width > width+1e-9 && utf8.RuneCountInString(text(l)) > 1 {
				t.Fatalf("line %q %.1f wide, limit %.1f", text(l), l.Width, width)
			}
		}
		if strings.TrimSpace(in) != "" && n == 0 && strings.IndexFunc(in, func(r rune) bool { return !Dropped(r) && r > ' ' }) >= 0 {
			t.Fatalf("visible input %q vanished", in)
		}
	})
}
