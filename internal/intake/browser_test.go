package intake

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/custody-toolkit/custody/internal/testbrowser"
)

// TestBrowser is the patient's path in Debian's headless chromium: open
// the link, consent, type a name, upload two files, and see them sealed;
// the bundle verifies PASSED. The spent link, and an expired one, are
// then refused. The page holds no script: the browser only fills a form.
func TestBrowser(t *testing.T) {
	exe := testbrowser.Chromium(t)
	if testing.Short() {
		t.Skip("starts a browser")
	}
	s := newSite(t, nil)
	url, _ := s.link(t, time.Hour)
	files := []string{writeTemp(t, "análisis.png", pngFile(t)), writeTemp(t, "informe.pdf", pdfFile)}
	ctx := testbrowser.Start(t, exe)
	err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("form")),
		chromedp.Click(chromedp.CSS("#consent")),
		chromedp.SendKeys(chromedp.CSS("#name"), "María López"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), files),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS("#result")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The style sheet is the page's own, which the CSP lets in.
	width, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("main")).maxWidth`))
	if err != nil || width != "576px" {
		t.Errorf("the style sheet is not applied: main's max-width %q, %v", width, err)
	}
	title := pageText(t, ctx, "#result")
	if title != "Received and sealed" {
		t.Fatalf("after sending: %q (%s)", title, pageText(t, ctx, "#message"))
	}
	bundles := s.bundles(t)
	if len(bundles) != 1 {
		t.Fatalf("bundles: %v", bundles)
	}
	if rep := s.verify(t, bundles[0]); rep.Attachments != 2 {
		t.Errorf("%d attachments sealed, want 2", rep.Attachments)
	}
	if sum, _ := fileSHA256(bundles[0]); pageText(t, ctx, "#fingerprint") != sum {
		t.Errorf("the page's fingerprint is not the bundle's SHA-256 %s", sum)
	}
	s.tmpEmpty(t)

	// The spent link, and an expired one, show the same refusal.
	expired, _, err := NewLink(s.dir, LinkOptions{For: "P", Purpose: "x", LegalBasis: "gdpr-9-2-h",
		Expires: time.Hour, Now: time.Now().Add(-2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for name, u := range map[string]string{"reused": url, "expired": s.srv.URL + "/u/" + expired} {
		if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#result"))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if msg := pageText(t, ctx, "#message"); !strings.Contains(msg, "This link is not valid") {
			t.Errorf("%s link: %q", name, msg)
		}
	}
	if len(s.bundles(t)) != 1 {
		t.Error("a refused link sealed a bundle")
	}
}

func pageText(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(s)
}

func writeTemp(t *testing.T, name string, data []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
