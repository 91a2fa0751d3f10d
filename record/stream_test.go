package record_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/record"
)

// TestStreamedEntriesRenderAsHeld: a rendering from FromParsed beyond the
// entries it holds, which reads them again as the pages are laid out, is
// byte for byte the one made from the entries it holds parsed, and the
// exporter's record.pdf; for
// the committed vectors (replies, withheld runs) and a selective export
// with replies to messages in and out of the export, missing photos and a
// withheld run at each end.
func TestStreamedEntriesRenderAsHeld(t *testing.T) {
	fx := testbundle.New(t, "ed25519")
	chat := testbundle.Synthetic(t, 15, func(c *conversation.Conversation) {
		c.Messages[6].ReplyTo = c.Messages[2].ID  // withheld
		c.Messages[8].ReplyTo = c.Messages[10].ID // later, in the export
		c.Messages[10].ReplyTo = c.Messages[6].ID
		c.Messages[5].Attachments = append(c.Messages[5].Attachments,
			conversation.Attachment{Name: "IMG-0001.jpg", Type: "image/jpeg", Missing: true})
	})
	exported := fx.ExportOptions(t, chat, custody.Options{Selection: custody.Selection{Messages: "m6-m11"}})
	bundles := []string{exported}
	for _, v := range []string{"v1/sample", "v2/sample", "v2/older"} {
		bundles = append(bundles, filepath.Join("..", "testdata", "vectors", v+".custody"))
	}
	for i, path := range bundles {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		data, err = b.ReadManifest()
		if err != nil {
			t.Fatal(err)
		}
		m, err := manifest.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		held, err := record.FromParsed(b, m)
		if err != nil {
			t.Fatal(err)
		}
		if held.EachEntry != nil || len(held.Entries) != m.MessageCount() {
			t.Fatalf("%s: FromParsed holds %d of %d entries (EachEntry set: %t), where all fit", path, len(held.Entries), m.MessageCount(), held.EachEntry != nil)
		}
		restore := record.SetHeldEntriesMax(0)
		streamed, err := record.FromParsed(b, m)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		if streamed.EachEntry == nil || streamed.Entries != nil {
			t.Fatalf("%s: FromParsed holds the entries beyond its limit", path)
		}
		var a, h bytes.Buffer
		if err := record.Render(&a, streamed, nil); err != nil {
			t.Fatal(err)
		}
		if err := record.Render(&h, held, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), h.Bytes()) {
			t.Errorf("%s: the streamed rendering differs from the held one", path)
		}
		if i == 0 {
			sealed, err := b.ReadSmall(manifest.RecordName, 64<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), sealed) {
				t.Errorf("%s: the streamed rendering differs from the exporter's record.pdf", path)
			}
		}
	}
}
