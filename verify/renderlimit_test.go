package verify_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// TestRecordBeyondTheNormaliser: a genuine record.pdf that this verifier's
// normaliser cannot read passes, byte for byte, as it did when the bytes
// were compared first. Here a PNG 17 million pixels wide and one high,
// embedded as it is: its one row is more than pdfnorm holds to un-predict
// it, in the sealed PDF and in the fresh rendering alike.
func TestRecordBeyondTheNormaliser(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	var wide bytes.Buffer
	if err := png.Encode(&wide, image.NewGray(image.Rect(0, 0, 17_000_000, 1))); err != nil {
		t.Fatal(err)
	}
	path := exportWithAttachment(t, fx, "wide.png", "image/png", wide.Bytes())
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	c := findCheck(rep, "rendering")
	if rep.Result != verify.Passed || c == nil || !strings.Contains(c.Detail, "byte-identical") {
		t.Errorf("%s: %+v", rep.Result, c)
	}
}

// exportWithAttachment exports a conversation of two messages, the first
// with one attachment of that name, media type and content.
func exportWithAttachment(t *testing.T, fx *testbundle.Fixture, name, mediaType string, data []byte) string {
	t.Helper()
	in := testbundle.Synthetic(t, 2, func(c *conversation.Conversation) {
		c.Messages[0].Attachments = []conversation.Attachment{{Path: "media/" + name, Name: name, Type: mediaType}}
	})
	if err := os.WriteFile(filepath.Join(in, "media", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return fx.Export(t, in, custody.Selection{})
}
