package web_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testbrowser"
)

// TestPageFirefox gives the built page, loaded from file:// in headless
// Firefox (Debian's firefox-esr; the test skips without it), the same
// files as TestPage and reads the verdicts from the page. With
// CUSTODY_SCREENSHOTS=DIR it saves web-firefox-NAME.png into DIR.
// Firefox is driven through its Marionette protocol (testbrowser).
func TestPageFirefox(t *testing.T) {
	exe := testbrowser.Firefox(t)
	if testing.Short() {
		t.Skip("builds the WebAssembly and starts a browser")
	}
	page := buildSite(t)
	ev := makeEvidence(t)
	root, err := os.ReadFile(ev.rootPEM)
	if err != nil {
		t.Fatal(err)
	}
	ff := testbrowser.StartFirefox(t, exe)
	ff.Do(t, "WebDriver:Navigate", map[string]any{"url": page})
	waitState(t, ff, "ready")
	if check := ff.Script(t, `return document.getElementById("wasm-check").textContent`); !strings.Contains(check.(string), "matches") {
		t.Errorf("the page's WebAssembly hash check: %q", check)
	}
	// Every sealed file, however small, is hashed by the digesters (Web
	// Workers reading the File with FileReaderSync), in Firefox too.
	ff.Script(t, `(window.wrappedJSObject || window).custodyDigestRange.min = 0`)
	// The page's warm-up compares a record.pdf of its own, counted apart.
	waitWarmedUp(t, ff)
	warmUp := ff.Script(t, `return (window.wrappedJSObject || window).custodyWorker.compared`).(float64)
	for _, c := range pageCases(ev, string(root)) {
		form, _ := json.Marshal(map[string]string{"trust": c.trust, "signer": c.signer})
		ff.Script(t, `for (const [id, v] of Object.entries(`+string(form)+`)) document.getElementById(id).value = v;
			for (const id of ["file", "signerfile"]) document.getElementById(id).value = "";
			document.body.dataset.state = "ready"`)
		if c.signerFile != "" {
			ff.Upload(t, "#signerfile", c.signerFile)
		}
		ff.Upload(t, "#file", c.file)
		waitState(t, ff, "done")
		got := ff.Script(t, `return [document.getElementById("verdict").dataset.result, document.getElementById("headline").textContent,
			document.getElementById("messages").textContent.length]`).([]any)
		if got[0] != c.result || !strings.Contains(got[1].(string), c.headline) || got[2].(float64) == 0 {
			t.Errorf("%s in Firefox: verdict %v, %q, %v characters of messages; want %s, %q", c.name, got[0], got[1], got[2], c.result, c.headline)
		}
		if dir := os.Getenv("CUSTODY_SCREENSHOTS"); dir != "" {
			shot := ff.Do(t, "WebDriver:TakeScreenshot", map[string]any{"full": true}).(map[string]any)["value"].(string)
			png, err := base64.StdEncoding.DecodeString(shot)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "web-firefox-"+c.name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// record.pdf was compared by the page's Web Worker (a second
	// WebAssembly instance), in Firefox too.
	// (Marionette's scripts see the page's own globals through wrappedJSObject.)
	if compared := ff.Script(t, `return (window.wrappedJSObject || window).custodyWorker.compared`); compared.(float64) == warmUp {
		t.Error("Firefox: the page's Web Worker compared no record.pdf")
	}
	if hashed := ff.Script(t, `return (window.wrappedJSObject || window).custodyDigesters.hashed`); hashed.(float64) == 0 {
		t.Error("Firefox: the digesters hashed no sealed file")
	}
}

// TestPageFirefoxLarge measures the page in Firefox on a large file, as
// TestPageLarge does in Chromium (CUSTODY_WEB_LARGE=FILE,ROOT.pem[,SITE],
// CUSTODY_WEB_LARGE_AT_ONCE):
// it logs the time, the CPU time of Firefox's content processes by thread
// (the page's main thread and its DOM Worker) and asserts only that the
// page finished.
func TestPageFirefoxLarge(t *testing.T) {
	file, root, page := largeInput(t)
	ff := testbrowser.StartFirefox(t, testbrowser.Firefox(t))
	ff.Do(t, "WebDriver:Navigate", map[string]any{"url": page})
	waitState(t, ff, "ready")
	if os.Getenv("CUSTODY_WEB_LARGE_AT_ONCE") == "" { // as TestPageLarge
		waitWarmedUp(t, ff)
	}
	form, _ := json.Marshal(map[string]string{"trust": string(root)})
	ff.Script(t, `for (const [id, v] of Object.entries(`+string(form)+`)) document.getElementById(id).value = v`)
	content := func() map[string]float64 { return threadCPU(descendants(ff.PID, "-contentproc")) }
	before := content()
	start := time.Now()
	ff.Upload(t, "#file", file)
	waitState(t, ff, "done")
	t.Logf("%s: %v in Firefox (%s)", file, ff.Script(t, `return document.getElementById("verdict").dataset.result`), time.Since(start).Round(100*time.Millisecond))
	t.Logf("page status: %v", ff.Script(t, `return document.getElementById("status").textContent`))
	logThreadCPU(t, before, content())
}

// waitWarmedUp waits until the page has stopped warming up
// (body[data-warm], app.js).
func waitWarmedUp(t *testing.T, m *testbrowser.Marionette) {
	t.Helper()
	for m.Script(t, `return document.body.dataset.warm`) == "warming" {
		time.Sleep(100 * time.Millisecond)
	}
}

// waitState waits until the page's body has data-state=state.
func waitState(t *testing.T, m *testbrowser.Marionette, state string) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		got := m.Script(t, `return document.body.dataset.state + " " + document.getElementById("status").textContent`).(string)
		if strings.HasPrefix(got, state+" ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page is still %q, not %s", got, state)
		}
	}
}
