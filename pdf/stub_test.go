package pdf

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// renderHeld renders d with every image handed to gopdf whole, as before
// stubs.
func renderHeld(t *testing.T, d *Document) []byte {
	t.Helper()
	stubImages = false
	defer func() { stubImages = true }()
	return render(t, d)
}

// TestStubsRenderAsHeld: images streamed into the PDF in place of stubs
// give the very bytes of images held by gopdf, for every kind of image and
// both ways of embedding PNGs.
func TestStubsRenderAsHeld(t *testing.T) {
	for name, d := range zooDocuments(t) {
		t.Run(name, func(t *testing.T) {
			stubbed := render(t, d)
			if !bytes.Equal(stubbed, renderHeld(t, d)) {
				t.Error("the rendering with stubs differs from the one with the images held")
			}
		})
	}
}

// TestStubMarkerCannotPoseAsStub: an attachment whose bytes are another
// image's stub (marker and all) is embedded as itself, and the other image
// as itself: stubs are replaced by object number, not found by content.
func TestStubMarkerCannotPoseAsStub(t *testing.T) {
	zoo := imageZoo(t)
	real := bytesAttachment("real.jpg", "image/jpeg", zoo["colour.jpg"])
	img, reason := loadImage(real, true, nil)
	if img == nil || img.fill == nil {
		t.Fatalf("not stubbed: %q", reason)
	}
	impostor := bytesAttachment("impostor.jpg", "image/jpeg", append(bytes.Clone(img.file), 0xFF, 0xD9))
	png, _ := loadImage(bytesAttachment("rgb.png", "image/png", zoo["rgb.png"]), true, nil)
	pngImpostor := bytesAttachment("impostor.png", "image/png", png.file)
	for _, order := range [][]Attachment{{impostor, real, pngImpostor}, {real, impostor, pngImpostor}} {
		d := sampleDocument(t)
		d.PNGAsIs = true
		d.Items = []Item{{Message: &Message{ID: "m1", Text: "x", Attachments: order}}}
		out := render(t, d)
		if !bytes.Equal(out, renderHeld(t, d)) {
			t.Errorf("%s first: the rendering with stubs differs from the one with the images held", order[0].Name)
		}
		if !bytes.Contains(out, zoo["colour.jpg"]) || !bytes.Contains(out, impostor.mustRead(t)) {
			t.Errorf("%s first: an image is not in the PDF as it is", order[0].Name)
		}
	}
}

func (a Attachment) mustRead(t *testing.T) []byte {
	rc, err := a.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// changingAttachment is data for its first checks reads, then later.
func changingAttachment(name, typ string, data []byte, checks int, later func() (io.ReadCloser, error)) Attachment {
	a := bytesAttachment(name, typ, data)
	opened := 0
	first := a.Open
	a.Open = func() (io.ReadCloser, error) {
		if opened++; opened > checks {
			return later()
		}
		return first()
	}
	return a
}

// TestImageChangedWhileRendering: an image that is not, when its data goes
// into the PDF, what was checked (truncated, changed, unreadable) fails the
// rendering rather than give a wrong PDF.
func TestImageChangedWhileRendering(t *testing.T) {
	zoo := imageZoo(t)
	reader := func(b []byte) func() (io.ReadCloser, error) {
		return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	for _, img := range []struct {
		name, typ string
		data      []byte
		checks    int // reads before the data goes in: header, check
	}{{"colour.jpg", "image/jpeg", zoo["colour.jpg"], 2}, {"rgb.png", "image/png", zoo["rgb.png"], 2}, {"split.png", "image/png", zoo["split.png"], 2}} {
		changed := bytes.Clone(img.data)
		changed[len(changed)/2] ^= 1
		for what, later := range map[string]func() (io.ReadCloser, error){
			"truncated":  reader(img.data[:len(img.data)-len(img.data)/3]),
			"changed":    reader(changed),
			"longer":     reader(append(bytes.Clone(img.data), 0)),
			"unreadable": func() (io.ReadCloser, error) { return nil, errors.New("disk on fire") },
		} {
			t.Run(img.name+"/"+what, func(t *testing.T) {
				d := sampleDocument(t)
				d.PNGAsIs = true
				d.Items = []Item{{Message: &Message{ID: "m1", Text: "x", Attachments: []Attachment{
					changingAttachment(img.name, img.typ, img.data, img.checks, later)}}}}
				err := Render(io.Discard, d)
				if err == nil || !strings.Contains(err.Error(), "image") {
					t.Errorf("Render: %v, want an error about the image", err)
				}
			})
		}
	}
}

// TestPNGAsIsReadTwice: a PNG embedded as it is is read whole twice, once
// to check its structure and its rows, once as its data goes into the PDF
// (and its header once more): each read of a file is a round trip to the
// browser in the web verifier.
func TestPNGAsIsReadTwice(t *testing.T) {
	zoo := imageZoo(t)
	for _, name := range []string{"rgb.png", "split.png"} {
		data := zoo[name]
		read := bytesReadRendering(t, Render, bytesAttachment(name, "image/png", data), nil)
		// The header's read is bufio's first 4 KiB at most.
		if max := 2*int64(len(data)) + 4096; read > max {
			t.Errorf("%s: %d bytes read for a %d-byte PNG, want at most %d", name, read, len(data), max)
		}
	}
}

// bytesReadRendering is the bytes read of attachment a to render a
// document that shows it, with render and standIns.
func bytesReadRendering(t *testing.T, render func(io.Writer, *Document) error, a Attachment, standIns ImageStandIns) int64 {
	t.Helper()
	var read int64
	open := a.Open
	a.Open = func() (io.ReadCloser, error) {
		rc, err := open()
		return countingReadCloser{rc, &read}, err
	}
	d := sampleDocument(t)
	d.PNGAsIs = true
	d.ImageStandIns = standIns
	d.Items = []Item{{Message: &Message{ID: "m1", Text: "x", Attachments: []Attachment{a}}}}
	if err := render(io.Discard, d); err != nil {
		t.Fatal(err)
	}
	return read
}

type countingReadCloser struct {
	io.ReadCloser
	n *int64
}

func (c countingReadCloser) Read(b []byte) (int, error) {
	k, err := c.ReadCloser.Read(b)
	*c.n += int64(k)
	return k, err
}
