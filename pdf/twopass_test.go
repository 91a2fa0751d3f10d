package pdf

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
)

// renderWithBudget renders d keeping finished pages up to budget bytes
// packed: math.MaxInt64 renders in one pass (every page held until the
// end), 0 in two from the first page, anything between switches from one
// to two in the course of the document.
func renderWithBudget(t testing.TB, d *Document, budget int64) []byte {
	t.Helper()
	saved := keptPagesBudget
	keptPagesBudget = budget
	defer func() { keptPagesBudget = saved }()
	return render(t, d)
}

// TestTwoPassesRenderAsOne: a document written in two passes, each page as
// it is finished, is byte for byte the document written in one pass with
// every page held, for the pinned documents (both PNG embeddings, both
// newer layouts), every kind of image (stubs and images held, repeated,
// broken), boxes, the sample and a long streamed conversation; and so is
// one that switches from holding its pages to dropping them midway.
func TestTwoPassesRenderAsOne(t *testing.T) {
	docs := goldenDocuments(t)
	for name, d := range zooDocuments(t) {
		docs["zoo-"+name] = d
	}
	docs["sample"] = sampleDocument(t)
	docs["boxes"] = boxesDocument(false)
	docs["boxes-layout4"] = boxesDocument(true)
	docs["streamed"] = streamedMessages(3000)
	for name, d := range docs {
		t.Run(name, func(t *testing.T) {
			if testing.Short() && (strings.HasPrefix(name, "zoo-broken") || name == "streamed") {
				t.Skip("7 s of the 9")
			}
			one := renderWithBudget(t, d, math.MaxInt64)
			for _, budget := range []int64{0, 20 << 10} {
				if two := renderWithBudget(t, d, budget); !bytes.Equal(one, two) {
					t.Errorf("budget %d: the rendering in two passes differs from the one in one pass", budget)
				}
			}
		})
	}
}

// TestSecondPassDrawsAnotherDocument: an image that is no longer what it
// was when the second pass reads it (here: listed instead of embedded)
// fails the rendering, never writes a wrong PDF.
func TestSecondPassDrawsAnotherDocument(t *testing.T) {
	zoo := imageZoo(t)
	broken := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("not an image")), nil }
	d := sampleDocument(t)
	d.PNGAsIs = true
	// The first pass reads the JPEG twice (header, check).
	d.Items = []Item{{Message: &Message{ID: "m1", Text: "x", Attachments: []Attachment{
		changingAttachment("colour.jpg", "image/jpeg", zoo["colour.jpg"], 2, broken)}}}}
	saved := keptPagesBudget
	keptPagesBudget = 0
	defer func() { keptPagesBudget = saved }()
	err := Render(io.Discard, d)
	if err == nil || !strings.Contains(err.Error(), "another document") && !strings.Contains(err.Error(), "writing pass") {
		t.Errorf("Render: %v, want an error saying the passes differ", err)
	}
	t.Log(err)
}
