package pdf

import (
	"crypto/sha256"
	"hash"
	"sync"
	"testing"
)

// TestContentSHA256Hook: ContentSHA256 makes both hashes that hold an
// image to its attachment's content (of unknown size while it is
// checked, then of its size as it is written), and the rendering is the
// same bytes as with crypto/sha256.
func TestContentSHA256Hook(t *testing.T) {
	zoo := imageZoo(t)
	d := sampleDocument(t)
	d.PNGAsIs = true // as record.pdf embeds PNGs (custody-pdf/3)
	d.Items = []Item{{Message: &Message{ID: "m1", Text: "x", Attachments: []Attachment{
		bytesAttachment("photo.png", "image/png", zoo["rgb.png"]),
		bytesAttachment("photo.jpg", "image/jpeg", zoo["colour.jpg"]),
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
		if asked[int64(len(zoo[name]))] == 0 {
			t.Errorf("%s: ContentSHA256 not asked for its %d bytes as it was written (asked: %v)", name, len(zoo[name]), asked)
		}
	}
	if asked[-1] < 2 {
		t.Errorf("ContentSHA256 asked %d times for content of unknown size, want 2 (asked: %v)", asked[-1], asked)
	}
}
