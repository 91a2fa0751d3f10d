package record_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/record"
)

// pinnedRecords are the canonical forms (pdfnorm) of the v2 sample
// vector's content rendered by each renderer that draws labels in a
// language, in Spanish: what a verifier must render again forever.
var pinnedRecords = map[string]string{
	// Unchanged since custody-pdf/5 was added (checked against the tree
	// before it).
	"custody-pdf/4": "5535c7b3e79c85bc81b3a4bab4c01c9b9dc090326fda091b1515effee6d2a859",
	"custody-pdf/5": "a1b2732e3bc0ff7fc5fdabbc85d39f0615b40bb1bbdc04f7d5b4f555891c68d9",
}

func TestRenderingsPinned(t *testing.T) {
	data, err := os.ReadFile("../testdata/vectors/v2/sample.custody")
	if err != nil {
		t.Fatal(err)
	}
	b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := record.FromBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	for renderer, want := range pinnedRecords {
		c.Manifest.Rendering = &manifest.Rendering{Path: manifest.RecordName, Renderer: renderer, Lang: "es"}
		var pdf bytes.Buffer
		if err := record.Render(&pdf, c, nil); err != nil {
			t.Fatal(err)
		}
		form, err := pdfnorm.Whole(bytes.NewReader(pdf.Bytes()), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(form.SHA256[:]); got != want {
			t.Errorf("%s: canonical form %s, want %s", renderer, got, want)
		}
	}
}
