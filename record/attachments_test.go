package record

import (
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

func TestCountAttachments(t *testing.T) {
	entries := []*manifest.MessageEntry{
		{Attachments: []manifest.AttachmentEntry{{Name: "a.jpg", Missing: true}, {Name: "b.jpg", Path: "attachments/b.jpg"}}},
		{},
		{Attachments: []manifest.AttachmentEntry{{Missing: true}}},
	}
	n := CountAttachments(entries)
	if n != (Attachments{Referenced: 3, Included: 1}) || n.String() != "3 referenced, 1 included" {
		t.Errorf("%+v %q", n, n)
	}
	if s := CountAttachments(entries[1:2]).String(); s != "0 included" {
		t.Errorf("none: %q", s)
	}
}
