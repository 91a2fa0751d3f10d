package testbrowser

import (
	"bufio"
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

// Firefox finds Debian's firefox-esr; the test skips without it.
func Firefox(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no firefox: the web verifier is not tested in Firefox")
	return ""
}

// Marionette is a client of Firefox's Marionette protocol, the remote
// protocol Firefox has built in (geckodriver, which would translate
// WebDriver to it, is not packaged by Debian). It is written here rather
// than taken from a library for the few commands the tests use: each
// message is "LENGTH:JSON"; a command is [0, id, name, parameters], its
// answer [1, id, error, result].
type Marionette struct {
	PID  int // Firefox's main process (its content processes descend from it)
	conn net.Conn
	in   *bufio.Reader
	id   int
}

// StartFirefox starts headless Firefox with Marionette on a port it
// chooses (written into the profile), and connects to it; Firefox stops
// with the test.
func StartFirefox(t testing.TB, exe string) *Marionette {
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
	m := &Marionette{PID: cmd.Process.Pid, conn: conn, in: bufio.NewReader(conn)}
	if _, err := m.read(); err != nil { // Firefox's greeting
		t.Fatalf("Marionette: %v", err)
	}
	m.Do(t, "WebDriver:NewSession", map[string]any{"capabilities": map[string]any{}})
	return m
}

func (m *Marionette) read() (json.RawMessage, error) {
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

// Do sends a command and returns its result.
func (m *Marionette) Do(t testing.TB, name string, params any) any {
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

// Script runs JavaScript in the page and returns what it returns.
func (m *Marionette) Script(t testing.TB, js string) any {
	t.Helper()
	return m.Do(t, "WebDriver:ExecuteScript", map[string]any{"script": js, "args": []any{}}).(map[string]any)["value"]
}

// Upload chooses a file in a file input, as a person would.
func (m *Marionette) Upload(t testing.TB, css, path string) {
	t.Helper()
	found := m.Do(t, "WebDriver:FindElement", map[string]any{"using": "css selector", "value": css}).(map[string]any)["value"].(map[string]any)
	m.Do(t, "WebDriver:ElementSendKeys", map[string]any{"id": found["element-6066-11e4-a52e-4f735466cecf"], "text": path})
}
