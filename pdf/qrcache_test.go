package pdf

import (
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/boombuler/barcode"
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

// TestQRCacheKeepsSeveral: payloads rendered in turn (bundles verified at
// once) are each encoded once while at most qrCached of them alternate;
// an older one is encoded again, rightly.
func TestQRCacheKeepsSeveral(t *testing.T) {
	var c qrCache
	payload := func(i int) string { return fmt.Sprintf("custody:e%d:sha256:%02x", i, i) }
	first := map[string]barcode.Barcode{}
	for range 2 {
		for i := range qrCached {
			got, err := c.encode(payload(i))
			if err != nil {
				t.Fatal(err)
			}
			if prev, ok := first[payload(i)]; ok && got != prev {
				t.Errorf("%s encoded again while %d payloads alternate", payload(i), qrCached)
			}
			first[payload(i)] = got
		}
	}
	if _, err := c.encode(payload(qrCached)); err != nil {
		t.Fatal(err)
	}
	got, err := c.encode(payload(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.codes) > qrCached || got.Content() != payload(0) {
		t.Errorf("%d codes kept; encode(%q) gave the code of %q", len(c.codes), payload(0), got.Content())
	}
}
