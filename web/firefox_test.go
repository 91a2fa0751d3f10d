package web_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPageFirefox gives the built page, loaded from file:// in headless
// Firefox (Debian's firefox-esr; the test skips without it), the same
// files as TestPage and reads the verdicts from the page. With
// CUSTODY_SCREENSHOTS=DIR it saves web-firefox-NAME.png into DIR.
//
// Firefox is driven through Marionette, the remote protocol it has built
// in (geckodriver, which would translate WebDriver to it, is not packaged
// by Debian): a few JSON commands over a local TCP connection, written
// here (marionette) rather than depending on a client library for five
// commands.
func TestPageFirefox(t *testing.T) {
	exe := firefox(t)
	if testing.Short() {
		t.Skip("builds the WebAssembly and starts a browser")
	}
	page := buildSite(t)
	ev := makeEvidence(t)
	root, err := os.ReadFile(ev.rootPEM)
	if err != nil {
		t.Fatal(err)
	}
	ff := startFirefox(t, exe)
	ff.do(t, "WebDriver:Navigate", map[string]any{"url": page})
	ff.waitState(t, "ready")
	if check := ff.script(t, `return document.getElementById("wasm-check").textContent`); !strings.Contains(check.(string), "matches") {
		t.Errorf("the page's WebAssembly hash check: %q", check)
	}
	for _, c := range pageCases(ev, string(root)) {
		form, _ := json.Marshal(map[string]string{"trust": c.trust, "signer": c.signer})
		ff.script(t, `for (const [id, v] of Object.entries(`+string(form)+`)) document.getElementById(id).value = v;
			for (const id of ["file", "signerfile"]) document.getElementById(id).value = "";
			document.body.dataset.state = "ready"`)
		if c.signerFile != "" {
			ff.upload(t, "#signerfile", c.signerFile)
		}
		ff.upload(t, "#file", c.file)
		ff.waitState(t, "done")
		got := ff.script(t, `return [document.getElementById("verdict").dataset.result, document.getElementById("headline").textContent,
			document.getElementById("messages").textContent.length]`).([]any)
		if got[0] != c.result || !strings.Contains(got[1].(string), c.headline) || got[2].(float64) == 0 {
			t.Errorf("%s in Firefox: verdict %v, %q, %v characters of messages; want %s, %q", c.name, got[0], got[1], got[2], c.result, c.headline)
		}
		if dir := os.Getenv("CUSTODY_SCREENSHOTS"); dir != "" {
			shot := ff.do(t, "WebDriver:TakeScreenshot", map[string]any{"full": true}).(map[string]any)["value"].(string)
			png, err := base64.StdEncoding.DecodeString(shot)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "web-firefox-"+c.name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// firefox finds Debian's firefox-esr; the test skips without it (.ci/run
// installs it).
func firefox(t *testing.T) string {
	for _, name := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no firefox: the web verifier is not tested in Firefox")
	return ""
}

// marionette is a client of Firefox's Marionette protocol: each message
// is "LENGTH:JSON"; a command is [0, id, name, parameters], its answer
// [1, id, error, result].
type marionette struct {
	conn net.Conn
	in   *bufio.Reader
	id   int
}

// startFirefox starts headless Firefox with Marionette on a port it
// chooses (written into the profile), and connects to it; Firefox stops
// with the test.
func startFirefox(t *testing.T, exe string) *marionette {
	t.Helper()
	profile := t.TempDir()
	prefs := `user_pref("marionette.port", 0);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
`
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(prefs), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "--headless", "--marionette", "--no-remote", "--profile", profile, "about:blank")
	cmd.Env = append(os.Environ(), "MOZ_HEADLESS=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var port []byte
	for deadline := time.Now().Add(2 * time.Minute); len(port) == 0; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Firefox did not open its Marionette port")
		}
		port, _ = os.ReadFile(filepath.Join(profile, "MarionetteActivePort"))
	}
	conn, err := net.Dial("tcp", "127.0.0.1:"+strings.TrimSpace(string(port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Minute))
	m := &marionette{conn: conn, in: bufio.NewReader(conn)}
	if _, err := m.read(); err != nil { // Firefox's greeting
		t.Fatalf("Marionette: %v", err)
	}
	m.do(t, "WebDriver:NewSession", map[string]any{"capabilities": map[string]any{}})
	return m
}

func (m *marionette) read() (json.RawMessage, error) {
	length, err := m.in.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(length, ":"))
	if err != nil {
		return nil, fmt.Errorf("message length %q", length)
	}
	msg := make([]byte, n)
	_, err = io.ReadFull(m.in, msg)
	return msg, err
}

// do sends a command and returns its result.
func (m *marionette) do(t *testing.T, name string, params any) any {
	t.Helper()
	m.id++
	cmd, _ := json.Marshal([]any{0, m.id, name, params})
	if _, err := fmt.Fprintf(m.conn, "%d:%s", len(cmd), cmd); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	msg, err := m.read()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var answer []any
	if err := json.Unmarshal(msg, &answer); err != nil || len(answer) != 4 {
		t.Fatalf("%s: answer %s", name, msg)
	}
	if answer[2] != nil {
		t.Fatalf("%s: %v", name, answer[2])
	}
	return answer[3]
}

// script runs JavaScript in the page and returns what it returns.
func (m *marionette) script(t *testing.T, js string) any {
	t.Helper()
	return m.do(t, "WebDriver:ExecuteScript", map[string]any{"script": js, "args": []any{}}).(map[string]any)["value"]
}

// upload chooses a file in a file input, as a person would.
func (m *marionette) upload(t *testing.T, css, path string) {
	t.Helper()
	found := m.do(t, "WebDriver:FindElement", map[string]any{"using": "css selector", "value": css}).(map[string]any)["value"].(map[string]any)
	m.do(t, "WebDriver:ElementSendKeys", map[string]any{"id": found["element-6066-11e4-a52e-4f735466cecf"], "text": path})
}

// waitState waits until the page's body has data-state=state.
func (m *marionette) waitState(t *testing.T, state string) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		got := m.script(t, `return document.body.dataset.state + " " + document.getElementById("status").textContent`).(string)
		if strings.HasPrefix(got, state+" ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page is still %q, not %s", got, state)
		}
	}
}
