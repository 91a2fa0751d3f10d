package record

import (
	"fmt"

	"github.com/custody-toolkit/custody/manifest"
)

// Attachments counts the attachments the sealed messages refer to and
// those the bundle holds: a chat exported without its media refers to
// photos it does not carry, and a record that said "162 attachments" when
// none is included would mislead its reader.
type Attachments struct {
	Referenced, Included int
}

// CountAttachments counts the attachments of the sealed message entries.
func CountAttachments(entries []*manifest.MessageEntry) Attachments {
	var n Attachments
	for _, e := range entries {
		for _, a := range e.Attachments {
			n.Referenced++
			if !a.Missing {
				n.Included++
			}
		}
	}
	return n
}

// String words the counts for the record: "162 referenced, 0 included",
// or "3 included" when none is missing. It is for a later renderer
// version: the current ones must keep rendering old bundles as they did.
func (n Attachments) String() string {
	if n.Included == n.Referenced {
		return fmt.Sprintf("%d included", n.Included)
	}
	return fmt.Sprintf("%d referenced, %d included", n.Referenced, n.Included)
}
