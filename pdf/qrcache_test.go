package pdf

import (
	"image"
	"image/color"
	"testing"

	"github.com/boombuler/barcode/qr"
)

// TestQRCacheFollowsPayload: the cached code is the payload's own, never
// the previous payload's, and equals a fresh encoding.
func TestQRCacheFollowsPayload(t *testing.T) {
	var c qrCache
	for _, payload := range []string{"custody:a:sha256:00", "custody:b:sha256:11", "custody:b:sha256:11", "custody:a:sha256:00"} {
		got, err := c.encode(payload)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := qr.Encode(payload, qr.M, qr.Auto)
		if got.Content() != payload || !sameModules(got, want) {
			t.Errorf("encode(%q) gave the code of %q", payload, got.Content())
		}
	}
}

func sameModules(a, b interface {
	Bounds() image.Rectangle
	At(x, y int) color.Color
}) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := range a.Bounds().Max.Y {
		for x := range a.Bounds().Max.X {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
