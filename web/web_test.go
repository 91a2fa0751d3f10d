package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbrowser"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/tsa/localtsa"
)

// buildSite runs scripts/build-web into a temporary folder, as a college
// would to host the page, and returns the page's file:// URL.
func buildSite(t *testing.T) string {
	out := t.TempDir()
	cmd := exec.Command("bash", "../scripts/build-web", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-web: %v\n%s", err, b)
	}
	return "file://" + filepath.Join(out, "index.html")
}

type evidence struct {
	bundle, selected, pdf, altered, repacked, rootPEM, fingerprint, publicKey string
}

func makeEvidence(t *testing.T) evidence {
	fx := testbundle.New(t, "ecdsa-p256")
	var e evidence
	e.bundle = fx.Export(t, testbundle.Sample(), custody.Selection{})
	e.selected = fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"})
	e.rootPEM = fx.RootPEM
	var err error
	if e.fingerprint, err = manifest.Fingerprint(fx.PublicKey); err != nil {
		t.Fatal(err)
	}
	pub, err := manifest.MarshalPublicKeyPEM(fx.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	e.publicKey = filepath.Join(t.TempDir(), "doctor.key.pub")
	if err := os.WriteFile(e.publicKey, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(localtsa.Handler(fx.Authority))
	defer srv.Close()
	e.pdf = filepath.Join(t.TempDir(), "case.pdf")
	if err := custody.WritePDF(t.Context(), e.selected, custody.PDFOptions{Out: e.pdf, Signer: fx.Signer, Timestamper: &tsa.Client{URL: srv.URL}, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	entries := testbundle.ReadEntries(t, e.bundle)
	m := testbundle.Manifest(t, entries)
	i := testbundle.Find(entries, m.Messages[0].Entry)
	entries[i].Data = bytes.Replace(entries[i].Data, []byte(`"text":"`), []byte(`"text":"NOT `), 1)
	e.altered = filepath.Join(t.TempDir(), "altered.custody")
	if err := os.WriteFile(e.altered, testbundle.WriteEntries(t, entries), 0o644); err != nil {
		t.Fatal(err)
	}
	e.repacked = filepath.Join(t.TempDir(), "repacked.custody")
	if err := os.WriteFile(e.repacked, testbundle.Rezip(t, testbundle.ReadEntries(t, e.bundle)), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestPage loads the built page from file:// in headless Chromium, gives
// it a genuine bundle, a genuine PDF and an altered bundle as a person
// would (the file input), and reads the verdicts from the page. With
// CUSTODY_SCREENSHOTS=DIR it saves a screenshot of each into DIR (docs/).
func TestPage(t *testing.T) {
	exe := testbrowser.Chromium(t)
	if testing.Short() {
		t.Skip("builds the WebAssembly and starts a browser")
	}
	page := buildSite(t)
	ev := makeEvidence(t)
	root, err := os.ReadFile(ev.rootPEM)
	if err != nil {
		t.Fatal(err)
	}

	ctx := startBrowser(t, exe, page)
	wasmCheck, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#wasm-check")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wasmCheck, "matches") {
		t.Errorf("the page's WebAssembly hash check: %q", wasmCheck)
	}
	// hash-wasm, which hashes files over 128 MiB, loads and works under
	// the page's Content-Security-Policy from file://.
	abc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const h = await hashwasm.createSHA256();
		h.init(); h.update(new TextEncoder().encode("abc"));
		return h.digest("hex");
	})()`, chromedp.EvalAwaitPromise))
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; abc != want || err != nil {
		t.Errorf("hash-wasm in the page: SHA-256 of abc %q (%v), want %s", abc, err, want)
	}

	for _, c := range pageCases(ev, string(root)) {
		form, _ := json.Marshal(map[string]string{"trust": c.trust, "signer": c.signer})
		if c.signerFile != "" {
			if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#signerfile"), []string{c.signerFile})); err != nil {
				t.Fatal(err)
			}
		}
		err := chromedp.Do(ctx,
			// The options are in a closed <details>: set them as a script.
			chromedp.Evaluate[chromedp.Void](`for (const [id, v] of Object.entries(`+string(form)+`)) document.getElementById(id).value = v`),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{c.file}),
			chromedp.WaitVisible(chromedp.CSS(`body[data-state="done"] #result`)),
		)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		result := text(t, ctx, "#verdict", "data-result")
		headline := text(t, ctx, "#headline", "")
		messages := text(t, ctx, "#messages", "")
		if result != c.result || !strings.Contains(headline, c.headline) {
			t.Errorf("%s: verdict %s, %q; want %s, %q", c.name, result, headline, c.result, c.headline)
		}
		if detail := text(t, ctx, "#detail", ""); c.result == "PASSED" && !strings.Contains(detail, "sealed by the expected key") {
			t.Errorf("%s: the signer's identity not checked: %q", c.name, detail)
		}
		if messages == "" {
			t.Errorf("%s: no messages shown", c.name)
		}
		if c.name == "bundle" {
			showImages(t, ctx)
		}
		if c.name == "pdf" {
			checkReport(t, ctx)
		}
		if c.name == "bundle" || c.name == "pdf" || c.name == "repacked" {
			comparisons := 1 // record.pdf
			if c.name == "pdf" {
				comparisons = 2 // and the PDF's pages
			}
			checkWorkerSameResult(t, ctx, c.name, comparisons)
		}
		if c.name == "bundle" {
			checkDigestersFail(t, ctx)
		}
		if c.name == "pdf" {
			checkDigesterUpdate(t, ctx)
		}
		if c.name == "repacked" {
			// Its compressed record.pdf is decoded into a temporary file,
			// in the page's memory (memfs.js), and compared.
			rendering := checkStatus(t, ctx, "rendering")
			if rendering != "PASSED" {
				t.Errorf("repacked: rendering check %s, want PASSED", rendering)
			}
		}
		screenshot(t, ctx, c.name)
		// The next file must be a change of the input: clear it.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`for (const id of ["file", "signerfile"]) document.getElementById(id).value = ""; document.body.dataset.state = "ready"`)); err != nil {
			t.Fatal(err)
		}
	}
}

// checkWorkerSameResult verifies the file the page holds again, three
// times: as the page does, record.pdf compared by its Web Worker (the
// verifier's second WebAssembly instance, on another core) and the sealed
// files (and a PDF's signed bytes) hashed from the File in JavaScript
// (custodyDigestRange, asked here for every range, however small); with
// no worker, on the
// page's one thread; and with neither, every file read through the
// verifier. The worker must have made the comparisons (a PDF's pages
// ahead, their check taken), JavaScript must have hashed files, and the
// results (verdict, report, messages) must be the same, to the byte.
func checkWorkerSameResult(t *testing.T, ctx context.Context, name string, comparisons int) {
	t.Helper()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(async () => {
		// The page's warm-up (app.js) verifies a bundle of its own while
		// it runs: counted here, its comparisons would be this file's.
		while (document.body.dataset.warm === "warming") await new Promise((r) => setTimeout(r, 50));
		const file = document.getElementById("file").files[0];
		const form = [document.getElementById("trust").value, await signerText()];
		const before = custodyWorker.compared, hashedBefore = custodyDigesters.hashed;
		const elsewhere = window.custodyElsewhere, digest = window.custodyDigestRange;
		const asked = [];
		window.custodyElsewhere = (fn, ...args) => { asked.push(fn); return elsewhere(fn, ...args); };
		let digested = 0;
		const counted = (f) => (...args) => { digested++; return f(...args); };
		window.custodyDigestRange = Object.assign(counted(digest), { min: 0, update: counted(digest.update), readInto: counted(digest.readInto) });
		try {
			const worker = await custodyVerify(file, ...form);
			const compared = custodyWorker.compared - before, hashedElsewhere = custodyDigesters.hashed - hashedBefore;
			delete window.custodyElsewhere;
			const single = await custodyVerify(file, ...form);
			delete window.custodyDigestRange;
			const plain = await custodyVerify(file, ...form);
			return { worker, compared, asked: asked.join(" "), digested, hashedElsewhere, single, plain, elsewhere: typeof elsewhere };
		} finally {
			window.custodyElsewhere = elsewhere;
			window.custodyDigestRange = digest;
		}
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: verifying with and without the worker: %v", name, err)
	}
	if res["compared"] != float64(comparisons) {
		t.Errorf("%s: the worker made %v comparisons, want %d (custodyElsewhere: %v)", name, res["compared"], comparisons, res["elsewhere"])
	}
	// A standalone PDF's pages are compared ahead, under the seal its
	// bundle states, and that check is the one taken: the worker is not
	// asked again.
	want := "custodyCompareRecord"
	if comparisons == 2 {
		want += " custodyComparePagesAhead"
	}
	if res["asked"] != want {
		t.Errorf("%s: the worker was asked for %q, want %q", name, res["asked"], want)
	}
	if digested, _ := res["digested"].(float64); digested == 0 && name != "repacked" {
		t.Errorf("%s: no sealed file hashed from the File in JavaScript", name)
	}
	if hashed, _ := res["hashedElsewhere"].(float64); hashed == 0 && name != "repacked" {
		t.Errorf("%s: no sealed file hashed by the digesters (Web Workers)", name)
	}
	if res["worker"] != res["single"] {
		t.Errorf("%s: the result with the worker differs from the one on one thread:\n%s\n%s", name, res["worker"], res["single"])
	}
	if res["worker"] != res["plain"] {
		t.Errorf("%s: the result with the files hashed in JavaScript differs from the one with them read through the verifier:\n%s\n%s", name, res["worker"], res["plain"])
	}
}

// checkDigestersFail verifies the file the page holds again with two
// more digesters, which fail on the range they are given: the page hashes
// those ranges itself, leaves the failed digesters out, and the result is
// the same, to the byte.
func checkDigestersFail(t *testing.T, ctx context.Context) {
	t.Helper()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(async () => {
		const file = document.getElementById("file").files[0];
		const form = [document.getElementById("trust").value, await signerText()];
		const digest = window.custodyDigestRange;
		window.custodyDigestRange = Object.assign((...args) => digest(...args), digest, { min: 0 });
		try {
			const before = await custodyVerify(file, ...form);
			const failed = custodyDigesters.failed;
			const broken = new Blob(["onmessage = () => { throw new Error('a broken digester'); };"], { type: "text/javascript" });
			custodyDigest.startWorkers(URL.createObjectURL(broken), 2);
			const after = await custodyVerify(file, ...form);
			return { same: before === after, failed: custodyDigesters.failed - failed, again: (await custodyVerify(file, ...form)) === before };
		} finally {
			window.custodyDigestRange = digest;
		}
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("verifying with broken digesters: %v", err)
	}
	if res["same"] != true || res["again"] != true || res["failed"] != float64(2) {
		t.Errorf("with two broken digesters: same result %v (and after %v), %v digesters failed (want 2)", res["same"], res["again"], res["failed"])
	}
}

// checkDigesterUpdate: a hash-wasm SHA-256 fed two sections of the File
// through the digesters (custodyDigestRange.update: the hash's state goes
// to a digester and back, as for a large PDF's signed bytes) gives the
// digest of the same bytes hashed here.
func checkDigesterUpdate(t *testing.T, ctx context.Context) {
	t.Helper()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(async () => {
		const file = document.getElementById("file").files[0];
		const hashed = custodyDigesters.hashed;
		const h = await hashwasm.createSHA256();
		h.init();
		await custodyDigestRange.update(h, file, 0, 1000);
		await custodyDigestRange.update(h, file, 1000, file.size - 1007);
		const here = await hashwasm.createSHA256();
		here.init();
		here.update(new Uint8Array(await file.slice(0, file.size - 7).arrayBuffer()));
		return { got: h.digest("hex"), want: here.digest("hex"), elsewhere: custodyDigesters.hashed - hashed };
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("a SHA-256 fed through the digesters: %v", err)
	}
	if res["got"] != res["want"] || res["elsewhere"] != float64(2) {
		t.Errorf("a SHA-256 fed two sections through the digesters (%v of them there): %v, want %v", res["elsewhere"], res["got"], res["want"])
	}
}

// pageCase is a file given to the page and the verdict it must show.
type pageCase struct {
	name, file, trust, signer, result, headline string
	signerFile                                  string // the expected signer as a .pub file
}

// pageCases are the files every browser is given: genuine, without a
// trust anchor, re-zipped, altered.
func pageCases(ev evidence, root string) []pageCase {
	return []pageCase{
		{"bundle-no-trust", ev.selected, "", "", "INDETERMINATE", "Not proven altered", ""},
		{"bundle", ev.bundle, root, ev.fingerprint, "PASSED", "Intact and sealed", ""},
		{"pdf", ev.pdf, root, "", "PASSED", "Intact and sealed", ev.publicKey},
		{"repacked", ev.repacked, root, ev.fingerprint, "INDETERMINATE", "Not proven altered", ""},
		{"altered", ev.altered, root, ev.fingerprint, "FAILED", "Altered or forged", ""},
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("CUSTODY_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "web-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// text reads an element's text, or its attribute if one is named.
func text(t *testing.T, ctx context.Context, css, attribute string) string {
	t.Helper()
	if attribute != "" {
		a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(css), attribute))
		if err != nil {
			t.Fatal(err)
		}
		return a.Value
	}
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// showImages clicks every "Show" of an image attachment and waits for the
// images: the page hands out an attachment only if it matches its seal.
func showImages(t *testing.T, ctx context.Context) {
	t.Helper()
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const buttons = [...document.querySelectorAll("#messages button")].filter((b) => b.textContent === "Show");
		buttons.forEach((b) => b.click());
		return buttons.length;
	})()`))
	if err != nil || shown == 0 {
		t.Fatalf("image attachments to show: %d, %v", shown, err)
	}
	// Every image decodes: the bytes handed out are the sealed image's.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(async () => {
		while (document.querySelectorAll("#messages img").length < `+strconv.Itoa(shown)+`) {
			await new Promise((r) => setTimeout(r, 50));
		}
		const images = [...document.querySelectorAll("#messages img")];
		await Promise.all(images.map((i) => i.decode()));
		return images.filter((i) => i.naturalWidth > 0).length;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || loaded != shown {
		t.Errorf("%d images shown of %d: %v", loaded, shown, err)
	}
}

// startBrowser starts headless Chromium and loads page until the verifier
// is ready; the browser stops with the test.
func startBrowser(t *testing.T, exe, page string) context.Context {
	t.Helper()
	ctx := testbrowser.Start(t, exe)
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`body[data-state="ready"]`))); err != nil {
		t.Fatalf("loading %s: %v", page, err)
	}
	return ctx
}

// TestPageLarge measures the page on a large bundle (docs/performance.md):
// CUSTODY_WEB_LARGE=BUNDLE,ROOT.pem[,SITE]: SITE, a site built by
// scripts/build-web (an earlier one, to compare), instead of this tree's.
// The file is given once the page has warmed up, as a person choosing it
// gives it (CUSTODY_WEB_LARGE_AT_ONCE=1: as soon as the page is ready).
// It logs the times and the CPU time the page took and asserts only the
// verdict. CUSTODY_WEB_PROFILE=OUT.cpuprofile: a V8 profile of the page's
// main thread during the verification (function names need a site built
// with CUSTODY_WEB_SYMBOLS=1).
func TestPageLarge(t *testing.T) {
	bundle, root, page := largeInput(t)
	opened := time.Now()
	ctx := startBrowser(t, testbrowser.Chromium(t), page)
	ready := time.Since(opened)
	if os.Getenv("CUSTODY_WEB_LARGE_AT_ONCE") == "" {
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`body[data-warm="done"]`))); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("page ready %s after it was opened, file given %s after (peak RSS of its renderer then: %d MiB)", ready.Round(10*time.Millisecond), time.Since(opened).Round(10*time.Millisecond), rendererPeakRSS(ctx))
	form, _ := json.Marshal(map[string]string{"trust": string(root), "signer": ""})
	cpu := pageCPU(t, ctx)
	threads := rendererThreadCPU(ctx)
	profile := os.Getenv("CUSTODY_WEB_PROFILE")
	if profile != "" {
		if _, err := chromedp.Call(ctx, profiler.Enable, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, profiler.Start, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`for (const [id, v] of Object.entries(`+string(form)+`)) document.getElementById(id).value = v`),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bundle}),
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="done"] #result`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if profile != "" {
		writeProfile(t, ctx, profile)
	}
	t.Logf("%s: %s in the page (%s)", bundle, text(t, ctx, "#verdict", "data-result"), time.Since(start).Round(100*time.Millisecond))
	t.Logf("page status: %s", text(t, ctx, "#status", ""))
	after := pageCPU(t, ctx)
	t.Logf("CPU time of the page's process: %.1f s (of its main thread: %.1f s)", after.process-cpu.process, after.thread-cpu.thread)
	logThreadCPU(t, threads, rendererThreadCPU(ctx))
	t.Logf("peak RSS of the page's renderer process: %d MiB", rendererPeakRSS(ctx))
	memory, err := chromedp.Run(ctx, chromedp.Evaluate[int](`custodyMemory()`))
	t.Logf("WebAssembly memory after verifying: %d MiB (%v)", memory>>20, err)
}

// largeInput reads CUSTODY_WEB_LARGE=FILE,ROOT.pem[,SITE] (the test skips
// without it): the file, the trust anchor's PEM and the page's URL (SITE's,
// or a site built from this tree).
func largeInput(t *testing.T) (file string, rootPEM []byte, page string) {
	large := os.Getenv("CUSTODY_WEB_LARGE")
	if large == "" {
		t.Skip("set CUSTODY_WEB_LARGE=FILE,ROOT.pem to measure")
	}
	file, rest, _ := strings.Cut(large, ",")
	rootPath, site, _ := strings.Cut(rest, ",")
	rootPEM, err := os.ReadFile(rootPath)
	if err != nil {
		t.Fatal(err)
	}
	if site == "" {
		return file, rootPEM, buildSite(t)
	}
	return file, rootPEM, "file://" + filepath.Join(site, "index.html")
}

// cpuTimes are the CPU times, in seconds, of the page's renderer process
// and of its main thread (DevTools' Performance.getMetrics): unlike the
// wall time, they hardly change with the load of a shared machine.
type cpuTimes struct{ process, thread float64 }

func pageCPU(t *testing.T, ctx context.Context) cpuTimes {
	t.Helper()
	if _, err := chromedp.Call(ctx, performance.Enable, performance.EnableParams{TimeDomain: performance.EnableTimeDomainThreadTicks}); err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Call(ctx, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	var c cpuTimes
	for _, m := range res.Metrics {
		switch m.Name {
		case "ProcessTime":
			c.process = m.Value
		case "ThreadTime":
			c.thread = m.Value
		}
	}
	return c
}

// rendererThreadCPU sums the CPU time, in seconds, of the threads of the
// browser's renderer processes by thread name (Linux's /proc; empty
// elsewhere): the page's main thread (CrRendererMain) and its Web Worker
// (DedicatedWorker) are the WebAssembly's two instances. The longer of the
// two bounds the page's wall time on an idle machine of two cores, which a
// loaded one cannot show.
func rendererThreadCPU(ctx context.Context) map[string]float64 {
	return threadCPU(rendererProcesses(ctx))
}

// threadCPU sums the CPU time of the threads of the processes at procs
// (/proc/PID) by thread name, in seconds.
func threadCPU(procs []string) map[string]float64 {
	cpu := map[string]float64{}
	for _, proc := range procs {
		tasks, _ := filepath.Glob(proc + "/task/[0-9]*")
		for _, task := range tasks {
			name, seconds := taskCPU(task + "/stat")
			cpu[name] += seconds
		}
	}
	return cpu
}

// rendererProcesses are the /proc folders of the browser's renderer
// processes (none off Linux).
func rendererProcesses(ctx context.Context) []string {
	c := chromedp.FromContext(ctx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		return nil
	}
	return descendants(c.Browser.Process().Pid, "--type=renderer")
}

// descendants are the /proc folders of the processes descending from
// root whose command line contains marker.
func descendants(root int, marker string) []string {
	var found []string
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, proc := range procs {
		cmdline, _ := os.ReadFile(proc + "/cmdline")
		if bytes.Contains(cmdline, []byte(marker)) && descends(proc, root) {
			found = append(found, proc)
		}
	}
	return found
}

// rendererPeakRSS is the largest peak resident set size (VmHWM) of the
// browser's renderer processes, in MiB: the page's, with its worker.
func rendererPeakRSS(ctx context.Context) int {
	peak := 0
	for _, proc := range rendererProcesses(ctx) {
		status, _ := os.ReadFile(proc + "/status")
		for line := range strings.Lines(string(status)) {
			if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(kb), " kB"))
				peak = max(peak, n>>10)
			}
		}
	}
	return peak
}

// statFields are the fields of a /proc stat file after its "(comm)", and
// comm.
func statFields(path string) (comm string, fields []string) {
	stat, err := os.ReadFile(path)
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if err != nil || open < 0 || end < open {
		return "", nil
	}
	return string(stat[open+1 : end]), strings.Fields(string(stat[end+1:]))
}

// descends: the process at proc (/proc/PID) is a descendant of ancestor
// (renderers are the children of the browser's zygote).
func descends(proc string, ancestor int) bool {
	for range 8 {
		_, f := statFields(proc + "/stat")
		if len(f) < 2 {
			return false
		}
		parent, _ := strconv.Atoi(f[1])
		if parent == ancestor {
			return true
		}
		if parent <= 1 {
			return false
		}
		proc = "/proc/" + f[1]
	}
	return false
}

// taskCPU is a thread's name and its user + system CPU time (clock ticks
// of 1/100 s, Linux's USER_HZ).
func taskCPU(stat string) (string, float64) {
	comm, f := statFields(stat)
	if len(f) < 13 {
		return comm, 0
	}
	user, _ := strconv.ParseFloat(f[11], 64)
	system, _ := strconv.ParseFloat(f[12], 64)
	return comm, (user + system) / 100
}

func logThreadCPU(t *testing.T, before, after map[string]float64) {
	t.Helper()
	var parts []string
	for name, seconds := range after {
		if d := seconds - before[name]; d >= 0.05 {
			parts = append(parts, fmt.Sprintf("%s %.1f s", name, d))
		}
	}
	slices.Sort(parts)
	t.Logf("CPU time of the page's processes by thread: %s", strings.Join(parts, ", "))
}

// checkStatus reads the status of the named check from the page's table.
func checkStatus(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	status, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const row = [...document.querySelectorAll("#checks tbody tr")].find((r) => r.cells[1].textContent === `+strconv.Quote(name)+`);
		return row ? row.cells[0].textContent : "absent";
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	return status
}

// TestBuildReproducible builds the site twice, the second time with an
// empty build cache so that nothing is reused, and requires the same
// bytes: a college can rebuild the page it hosts and compare the
// WebAssembly's SHA-256 with the published one.
func TestBuildReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the WebAssembly twice, once from scratch")
	}
	build := func(env ...string) []byte {
		out := t.TempDir()
		cmd := exec.Command("bash", "../scripts/build-web", out)
		cmd.Env = append(os.Environ(), append([]string{"CUSTODY_VERSION=v0.0.0-test"}, env...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("scripts/build-web: %v\n%s", err, b)
		}
		sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		return sums
	}
	first := build()
	if second := build("GOCACHE=" + t.TempDir()); !bytes.Equal(first, second) {
		t.Fatalf("two builds of the site differ:\n%s\n%s", first, second)
	}
}

// checkReport has the page make the verification report PDF of the file
// it verified, and reads it with pdftotext when installed.
func checkReport(t *testing.T, ctx context.Context) {
	t.Helper()
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const pdf = await custodyReport(document.getElementById("file").files[0], document.getElementById("trust").value,
			await signerText(), CUSTODY_WASM.sha256, Date.UTC(2026, 11, 3, 12, 0, 0));
		let bin = "";
		for (const b of pdf) bin += String.fromCharCode(b);
		return btoa(bin);
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the page's report is not a PDF (%d bytes, %v)", len(pdf), err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PASSED: Intact and sealed", "custody web verifier", "2026-12-03 12:00:00 UTC", "identity checked: the expected key", "pdf.signature"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the page's report lacks %q:\n%s", want, out)
		}
	}
}

// TestWasmUnderNode runs web/wasm's own tests compiled to WebAssembly,
// under Node (Debian's nodejs, which has Web Crypto as browsers do): the
// browser's SHA-256 bridge must give crypto/sha256's digests. Skips
// without node.
func TestWasmUnderNode(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node: web/wasm's tests are not run")
	}
	if testing.Short() {
		t.Skip("compiles web/wasm's tests to WebAssembly")
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "go_js_wasm_exec")
	cmd := exec.Command("go", "test", "-count=1", "-exec="+run, "./wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test ./web/wasm under node: %v\n%s", err, out)
	}
}

// writeProfile stops the page's V8 profiler and writes its profile to
// path, as DevTools saves one (.cpuprofile).
func writeProfile(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	res, err := chromedp.Call(ctx, profiler.Stop, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res.Profile)
	if err == nil {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("profile of the page's main thread: %s", path)
}
