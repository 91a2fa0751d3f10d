package pdf

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
)

// TestUncompressedHasTheSameForm: RenderUncompressed's output is Render's
// once every stream is inflated (the canonical form a verifier compares),
// for the pinned documents, every kind of image and a streamed
// conversation, in one pass and (the sample) in two; and it deflates
// nothing itself (the only /FlateDecode streams left are images, which go
// in as they come).
func TestUncompressedHasTheSameForm(t *testing.T) {
	docs := goldenDocuments(t)
	for name, d := range zooDocuments(t) {
		if !testing.Short() || !strings.HasPrefix(name, "broken") {
			docs["zoo-"+name] = d
		}
	}
	docs["boxes-layout4"] = boxesDocument(true)
	docs["streamed"] = streamedMessages(300)
	docs["sample"] = sampleDocument(t)
	for name, d := range docs {
		budgets := []int64{math.MaxInt64}
		if name == "sample" {
			budgets = append(budgets, 0)
		}
		for _, budget := range budgets {
			want := form(t, name, renderWithBudget(t, d, budget))
			saved := keptPagesBudget
			keptPagesBudget = budget
			var out bytes.Buffer
			err := RenderUncompressed(&out, d)
			keptPagesBudget = saved
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got := form(t, name, out.Bytes()); got != want {
				t.Errorf("%s, budget %d: uncompressed, the canonical form is %x (%d bytes), compressed %x (%d bytes)",
					name, budget, got.SHA256, got.Size, want.SHA256, want.Size)
			}
			if n, images := bytes.Count(out.Bytes(), []byte("/FlateDecode")), bytes.Count(out.Bytes(), []byte("/Subtype /Image")); n > images {
				t.Errorf("%s: %d /FlateDecode streams, only %d images", name, n, images)
			}
		}
	}
}

func form(t *testing.T, name string, pdf []byte) pdfnorm.Form {
	t.Helper()
	f, err := pdfnorm.Whole(bytes.NewReader(pdf), 0)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	f.Revision = 0 // the input's length, which compression changes
	return f
}
