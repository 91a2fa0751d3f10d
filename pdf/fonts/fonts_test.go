package fonts

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestFontsPinned: the renderers embed these exact files, and a verifier
// renders a sealed record again with them (docs/bundle-format.md §7.1): a
// changed font is a new renderer version, never an update in place.
func TestFontsPinned(t *testing.T) {
	for name, c := range map[string]struct {
		ttf    []byte
		sha256 string
	}{
		"Noto Sans Arabic": {Arabic, "504d7407d86875acf7d04dfaa0fd7524d0b8797723bc4aa18022f29db25b0b6e"},
		"Noto Sans Hebrew": {Hebrew, "436900d5ad77d33e4234247f3076eaecd25b92b9bea0519514f684140e3566a7"},
		"Noto Emoji":       {Emoji, "24aaa2a20c9c06ffe9bf04284bfd1f14376a329d10122f902abe2770817eb504"},
	} {
		sum := sha256.Sum256(c.ttf)
		if got := hex.EncodeToString(sum[:]); got != c.sha256 {
			t.Errorf("%s: SHA-256 %s, pinned %s", name, got, c.sha256)
		}
	}
}
