package gopdf

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// cacheContentMarked is a marked-content operator: a /Span with an
// /ActualText to begin, or EMC to end (fork addition).
type cacheContentMarked struct {
	actualText string
	end        bool
}

func (c *cacheContentMarked) write(w io.Writer, protection *PDFProtection) error {
	if c.end {
		_, err := io.WriteString(w, "EMC\n")
		return err
	}
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(c.actualText)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	_, err := fmt.Fprintf(w, "/Span <</ActualText <FEFF%s>>> BDC\n", b.String())
	return err
}

// BeginActualText starts a marked-content span whose text, for extraction
// and search, is text instead of what the glyphs inside it map to (a
// bracket drawn mirrored in right-to-left text stands for the one sent).
// EndActualText closes it.
func (gp *GoPdf) BeginActualText(text string) {
	gp.getContent().listCache.append(&cacheContentMarked{actualText: text})
}

// EndActualText closes the span BeginActualText opened.
func (gp *GoPdf) EndActualText() {
	gp.getContent().listCache.append(&cacheContentMarked{end: true})
}
