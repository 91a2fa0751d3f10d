package manifest_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

// TestEncodeIsMarshal: the streamed encoder writes exactly the bytes of
// the whole encoder, for generated v1 and v2 manifests with and without
// withheld messages (an omitempty list), and with ids and texts that need
// escaping.
func TestEncodeIsMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name                string
		disclosed, withheld int
		tree                bool
	}{
		{"v1", 50, 0, false},
		{"v2 whole", 300, 0, true},
		{"v2 selective", 120, 900, true},
		{"v2 one message", 1, 4000, true},
	} {
		m := generatedManifest(rng, tc.disclosed, tc.withheld, tc.tree)
		want, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		head := *m
		head.Messages, head.Withheld, head.Files = nil, nil, nil
		var got bytes.Buffer
		err = manifest.Encode(&got, &head, manifest.Lists{
			Files:    eachOf(m.Files),
			Messages: eachOf(m.Messages),
			Withheld: eachOf(m.Withheld),
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%s: streamed encoding (%d bytes) differs from Marshal (%d bytes)", tc.name, got.Len(), len(want))
		}
		if _, err := manifest.Parse(got.Bytes()); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var held bytes.Buffer // nil functions: the lists held in m
		if err := manifest.Encode(&held, m, manifest.Lists{}); err != nil || !bytes.Equal(held.Bytes(), want) {
			t.Fatalf("%s: Encode of held lists differs from Marshal (%v)", tc.name, err)
		}
	}
}

// TestEncodeStopsOnError: an error of a list (a spool that cannot be
// read back) is Encode's.
func TestEncodeStopsOnError(t *testing.T) {
	m := generatedManifest(rand.New(rand.NewPCG(3, 4)), 3, 0, true)
	broken := func(yield func(*manifest.Message) error) error { return fmt.Errorf("spool unreadable") }
	var out bytes.Buffer
	if err := manifest.Encode(&out, m, manifest.Lists{Messages: broken}); err == nil || !strings.Contains(err.Error(), "spool unreadable") {
		t.Fatalf("error %v, want the list's", err)
	}
}

func eachOf[T any](list []T) func(yield func(*T) error) error {
	return func(yield func(*T) error) error {
		for i := range list {
			if err := yield(&list[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// generatedManifest is a consistent manifest of disclosed and withheld
// messages interleaved at random.
func generatedManifest(rng *rand.Rand, disclosed, withheld int, tree bool) *manifest.Manifest {
	hex64 := func() string {
		var b strings.Builder
		for range 64 {
			b.WriteByte("0123456789abcdef"[rng.IntN(16)])
		}
		return b.String()
	}
	m := sampleManifest()
	m.Messages, m.Files = []manifest.Message{}, nil
	m.Selection = manifest.Selection{Total: disclosed + withheld, Selected: disclosed, Criteria: []string{"participant=pt \"ü\" <&>\u2028"}}
	if tree {
		m.Format = manifest.FormatV2
	}
	for pos := 0; len(m.Messages) < disclosed || len(m.Withheld) < withheld; pos++ {
		if len(m.Messages) == disclosed || (len(m.Withheld) < withheld && rng.IntN(disclosed+withheld) < withheld) {
			w := manifest.Withheld{Position: pos, Leaf: hex64()}
			if rng.IntN(2) == 0 {
				w.Time = "2026-04-12T09:14:03+02:00"
			}
			m.Withheld = append(m.Withheld, w)
			continue
		}
		msg := manifest.Message{ID: fmt.Sprintf("m%d-\"é\"\t%c", pos, rune(0x1F600+rng.IntN(50))),
			SHA256: hex64(), Link: hex64(), Attachments: []string{}}
		if !tree {
			msg.Entry = manifest.MessageEntryName(len(m.Messages))
		} else {
			p := pos
			msg.Entry, msg.Position, msg.Salt = manifest.MessageEntryName(pos), &p, hex64()
		}
		for range rng.IntN(3) {
			msg.Attachments = append(msg.Attachments, hex64())
		}
		m.Messages = append(m.Messages, msg)
		m.Files = append(m.Files, manifest.File{Path: msg.Entry, SHA256: msg.SHA256, Size: int64(rng.IntN(1000))})
	}
	m.Chain = manifest.Chain{Algorithm: manifest.ChainAlgorithm, Length: disclosed, Head: hex64()}
	if tree {
		m.Tree = &manifest.Tree{Algorithm: manifest.TreeAlgorithm, Root: hex64(), Size: disclosed + withheld}
	}
	return m
}

// TestWriterStopsAtMaxEntries: the writer refuses the entry that would
// make a container a reader refuses (more than MaxEntries entries), so
// that an export that large fails instead of sealing a bundle every
// verifier calls FAILED.
func TestWriterStopsAtMaxEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 entries")
	}
	w, err := manifest.NewWriter(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < manifest.MaxEntries; i++ { // and the mimetype
		if _, err := w.AddBytes(manifest.MessageEntryName(i), []byte("{}")); err != nil {
			t.Fatalf("entry %d: %v", i+1, err)
		}
	}
	if _, err := w.AddBytes(manifest.ManifestName, []byte("{}")); err == nil || !strings.Contains(err.Error(), "more than 200000 entries") {
		t.Fatalf("entry %d: %v, want refused", manifest.MaxEntries+1, err)
	}
}
