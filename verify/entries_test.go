package verify

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

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
	if held/n > 88 {
		t.Errorf("%d bytes held per message entry: more than a fixed-size struct and the id", held/n)
	}
	for i := range 10 {
		want, got := entry(i), es.byPath(manifest.MessageEntryName(i))
		if got == nil || got.ID != want.ID || got.TimeText() != want.Time || got.From(m) != want.From || len(got.Attachments()) != len(want.Attachments) {
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

// TestEntryTimeGivesTextBack: an entry's time held as numbers gives its
// text back exactly, and the parsing's error; a text that numbers cannot
// give back is kept as it is.
func TestEntryTimeGivesTextBack(t *testing.T) {
	m := &manifest.Manifest{Conversation: manifest.Conversation{Participants: []manifest.Participant{{ID: "dr-a"}}}}
	texts := []string{"2026-04-12T09:14:03+02:00", "2026-04-12T09:14:03Z", "2026-04-12T09:14:03.5-05:30",
		"2026-04-12T09:14:03+00:00", "2026-04-12T09:14:03.500Z", "2026-04-12t09:14:03z", "2026-04-12 09:14", "", "2026-04-12T23:59:60Z"}
	for i := range texts {
		m.Files = append(m.Files, manifest.File{Path: manifest.MessageEntryName(i)})
	}
	es := newMessageEntries(m)
	for i, text := range texts {
		es.add(i, &manifest.MessageEntry{ID: "m", From: "dr-a", Time: text})
		e := es.byPath(manifest.MessageEntryName(i))
		got, gotErr := e.Time()
		want, wantErr := time.Parse(time.RFC3339Nano, text)
		if e.TimeText() != text || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !got.Equal(want) {
			t.Errorf("%q: kept %q, %v, %v; parsed %v, %v", text, e.TimeText(), got, gotErr, want, wantErr)
		}
	}
	if !es.byPath(manifest.MessageEntryName(0)).time.valid || es.byPath(manifest.MessageEntryName(3)).time.valid {
		t.Error("a time written as exporters write it is not held as numbers, or +00:00 is")
	}
}
