package pdf

import (
	"crypto/sha256"
	"hash"
	"sync"
	"testing"
)

// TestContentSHA256Hook: ContentSHA256 makes both hashes that hold an
// image to its attachment's content (while it is checked, told the size
// the attachment states, or -1 if it states none; then of its size as
// checked, as it is written), and the rendering is the same bytes as with
// crypto/sha256.
func TestContentSHA256Hook(t *testing.T) {
	zoo := imageZoo(t)
	d := sampleDocument(t)
	d.PNGAsIs = true // as record.pdf embeds PNGs (custody-pdf/3)
	unstated := bytesAttachment("grey.png", "image/png", zoo["grey.png"])
	unstated.Size = 0
	d.Items = []Item{{Message: &Message{ID: "m1", Text: "x", Attachments: []Attachment{
		bytesAttachment("photo.png", "image/png", zoo["rgb.png"]),
		bytesAttachment("photo.jpg", "image/jpeg", zoo["colour.jpg"]),
		unstated,
	}}}}
	want := render(t, d)
	var mu sync.Mutex
	asked := map[int64]int{}
	ContentSHA256 = func(size int64) hash.Hash {
		mu.Lock()
		defer mu.Unlock()
		asked[size]++
		return sha256.New()
	}
	defer func() { ContentSHA256 = nil }()
	if got := render(t, d); string(got) != string(want) {
		t.Error("the rendering differs with ContentSHA256")
	}
	for _, name := range []string{"rgb.png", "colour.jpg"} {
		if n := asked[int64(len(zoo[name]))]; n != 2 {
			t.Errorf("%s: ContentSHA256 asked %d times for its %d bytes, want 2: checked and written (asked: %v)", name, n, len(zoo[name]), asked)
		}
	}
	if asked[-1] != 1 || asked[int64(len(zoo["grey.png"]))] != 1 {
		t.Errorf("an attachment that states no size: ContentSHA256 asked %d times for unknown size and %d for its size, want 1 and 1 (asked: %v)",
			asked[-1], asked[int64(len(zoo["grey.png"]))], asked)
	}
}
