package record

import (
	"fmt"

	"github.com/custody-toolkit/custody/internal/lang"
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
		n.add(e)
	}
	return n
}

// add counts the attachments of one entry.
func (n *Attachments) add(e *manifest.MessageEntry) {
	for _, a := range e.Attachments {
		n.Referenced++
		if !a.Missing {
			n.Included++
		}
	}
}

// String words the counts in English: "162 referenced, 0 included", or "3
// included" when none is missing.
func (n Attachments) String() string { return n.Words(lang.English.Record) }

// Words words the counts in a language, as custody-pdf/4 prints them.
func (n Attachments) Words(w lang.RecordLabels) string {
	if n.Included == n.Referenced {
		return fmt.Sprintf(w.AttachmentsAll, n.Included)
	}
	return fmt.Sprintf(w.AttachmentsSome, n.Referenced, n.Included)
}
