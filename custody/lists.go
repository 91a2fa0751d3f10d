package custody

import (
	"github.com/custody-toolkit/custody/manifest"
)

// manifestLists are the manifest's messages and withheld leaves of an
// export, spooled as the messages are written (spool.go) and read back
// by manifest.Encode, with what the export's result says of them. (The
// third long list, the files, is the bundle writer's.)
type manifestLists struct {
	messages *spool[manifest.Message]
	withheld *spool[manifest.Withheld]
	// disclosed counts the messages; ranges are the withheld positions,
	// grouped (manifest.Manifest.WithheldRanges), for the summary.
	disclosed int
	ranges    []manifest.Range
}

func newManifestLists(dir string) (*manifestLists, error) {
	messages, err := newSpool[manifest.Message](dir)
	if err != nil {
		return nil, err
	}
	withheld, err := newSpool[manifest.Withheld](dir)
	if err != nil {
		messages.remove()
		return nil, err
	}
	return &manifestLists{messages: messages, withheld: withheld}, nil
}

func (l *manifestLists) addMessage(msg *manifest.Message) error {
	l.disclosed++
	return l.messages.add(msg)
}

func (l *manifestLists) addWithheld(w *manifest.Withheld) error {
	l.ranges = manifest.AppendPosition(l.ranges, w.Position)
	return l.withheld.add(w)
}

// encoded is what manifest.Encode reads the lists from: these two, and
// the files zw wrote.
func (l *manifestLists) encoded(zw *manifest.Writer) manifest.Lists {
	return manifest.Lists{Files: zw.EachFile, Messages: l.messages.each, Withheld: l.withheld.each}
}

func (l *manifestLists) remove() {
	l.messages.remove()
	l.withheld.remove()
}
