package record

import (
	"io"

	"github.com/custody-toolkit/custody/manifest"
)

// Standalone writes the pages of bundle b's standalone PDF: its content,
// with seal (the manifest's digest and the timestamps, known only after
// sealing). m is b's manifest, parsed already (nil: parsed here). The
// exporter lays the PDF out through it and the verifier re-renders
// through it to compare, so that both agree by construction.
func Standalone(w io.Writer, b *manifest.Bundle, m *manifest.Manifest, seal *Seal) error {
	var c Content
	var err error
	if m == nil {
		c, err = FromBundle(b)
	} else {
		c, err = FromParsed(b, m)
	}
	if err != nil {
		return err
	}
	return Render(w, c, seal)
}
