package verify

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

// TestMessageEntriesHoldFixedSize: the facts kept of each message entry
// are a fixed-size struct and its id and time, whatever the sender; what
// few entries have (attachments, a sender the manifest does not list) is
// kept as read.
func TestMessageEntriesHoldFixedSize(t *testing.T) {
	const n = 50_000
	m := &manifest.Manifest{Conversation: manifest.Conversation{Participants: []manifest.Participant{{ID: "dr-a"}, {ID: "pt-b"}}}}
	for i := range n {
		m.Files = append(m.Files, manifest.File{Path: manifest.MessageEntryName(i)})
	}
	entry := func(i int) *manifest.MessageEntry {
		e := &manifest.MessageEntry{ID: fmt.Sprintf("m%d", i), Time: fmt.Sprintf("2026-04-12T09:%02d:00+02:00", i%60),
			From: strings.Clone([]string{"dr-a", "pt-b"}[i%2])} // strings of their own, as decoded
		switch i {
		case 7:
			e.From = "someone-else"
		case 8:
			e.Attachments = []manifest.AttachmentEntry{{Path: "attachments/000009-01.jpg"}}
		}
		return e
	}
	before := heapInUse()
	es := newMessageEntries(m)
	for i := range n {
		es.add(i, entry(i))
	}
	held := int64(heapInUse()) - int64(before)
	t.Logf("%d bytes held per message entry", held/n)
	if held/n > 120 {
		t.Errorf("%d bytes held per message entry: more than a fixed-size struct and the id and time", held/n)
	}
	for i := range 10 {
		want, got := entry(i), es.byPath(manifest.MessageEntryName(i))
		if got == nil || got.ID != want.ID || got.Time != want.Time || got.From(m) != want.From || len(got.Attachments()) != len(want.Attachments) {
			t.Errorf("entry %d: kept %+v, read %+v", i, got, want)
		}
	}
	if es.byPath("attachments/x") != nil || es.byPath(manifest.MessageEntryName(n)) != nil {
		t.Error("facts of a file that was not read")
	}
	if sent := es.senders(); !sent[0] || !sent[1] {
		t.Errorf("senders %v", sent)
	}
	runtime.KeepAlive(es)
}

func heapInUse() uint64 {
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return s.HeapAlloc
}
