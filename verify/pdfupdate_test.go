package verify_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/verify"
)

// TestPDFUpdateChangesPages: the key holder (a doctor answering a
// complaint, say) makes a standalone PDF that starts with the true
// rendering and attaches the genuine bundle, but adds, before signing, an
// incremental update that changes what the pages show. The signature is
// valid and by the sealing key; only pdf.rendering's rule on updates
// catches it.
func TestPDFUpdateChangesPages(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	bundle, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Bundle(bytes.NewReader(bundle), int64(len(bundle)), verify.Options{Trust: fx.Roots})
	if err != nil || rep.Result != verify.Passed {
		t.Fatalf("%v %+v", err, rep)
	}
	b, err := manifest.OpenBundle(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		t.Fatal(err)
	}
	var pages bytes.Buffer
	if err := verify.StandaloneRendering(&pages, b, rep); err != nil {
		t.Fatal(err)
	}
	rendering := pages.Bytes()
	srv := httptest.NewServer(tsa.Handler(fx.Authority))
	defer srv.Close()
	seal := func(t *testing.T, shown []byte) *verify.Report {
		var out bytes.Buffer
		err := pdfseal.Seal(&out, shown, bytes.NewReader(bundle), int64(len(bundle)), pdfseal.Options{
			Signer: fx.Key, TSAURL: srv.URL, Time: time.Now(), BundleName: "case.custody", Reason: "test"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := verify.PDF(bytes.NewReader(out.Bytes()), int64(out.Len()), verify.Options{Trust: fx.Roots})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := seal(t, rendering); r.Result != verify.Passed {
		t.Fatalf("control: %s %+v", r.Result, r.Checks)
	}

	size, startxref := verify.PDFTrailerNumbers(t, rendering)
	contents := regexp.MustCompile(`/Contents\s+(\d+) 0 R`).FindSubmatch(rendering)
	if contents == nil {
		t.Fatal("no page /Contents in the rendering")
	}
	contentsNum, err := strconv.Atoi(string(contents[1]))
	if err != nil {
		t.Fatal(err)
	}
	altered := "BT /F1 24 Tf 72 700 Td (nothing to see here) Tj ET"
	tests := []struct {
		name    string
		objects map[int]string
		root    int
		want    string
	}{
		{"a page's content redefined", map[int]string{contentsNum: fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(altered), altered)}, 1,
			"object " + string(contents[1]) + " of the rendering is redefined"},
		{"the catalog pointed at other pages", map[int]string{
			size:     fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 /MediaBox [0 0 595 842] >>", size+1),
			size + 1: fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>", size, size+2),
			size + 2: fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(altered), altered),
			size + 3: fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", size)}, size + 3,
			"the catalog's /Pages is not the rendering's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown := verify.AppendPDFUpdate(rendering, tt.objects, tt.root, size, startxref)
			r := seal(t, shown)
			var got *verify.Check
			for i := range r.Checks {
				if r.Checks[i].Name == verify.CheckPDFRendering {
					got = &r.Checks[i]
				}
			}
			if r.Result != verify.Failed || got == nil || got.Status != verify.Failed || !strings.Contains(got.Detail, tt.want) {
				t.Errorf("%s: %+v", r.Result, got)
			}
		})
	}
}
