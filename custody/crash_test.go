package custody_test

// Crash behaviour of issue 7: an export killed with SIGKILL at any moment
// never leaves a file at the output path (a file there is a complete,
// verifying bundle), and a full disk or a read-only folder fails cleanly
// without leaving its temporary file behind.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// Environment of the child process that TestExportKilled re-executes.
const (
	crashInEnv  = "CUSTODY_CRASH_IN"  // conversation folder
	crashOutEnv = "CUSTODY_CRASH_OUT" // bundle to write; its TSA root goes to OUT.root.pem
)

// crashConversation writes messages with attachments of random bytes
// (incompressible, like photos) totalling mb MiB.
func crashConversation(t *testing.T, dir string, messages, mb int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.NewChaCha8([32]byte{7})
	c := conversation.Conversation{Format: conversation.Format, ID: "crash", Title: "crash",
		Participants: []conversation.Participant{{ID: "dr", Role: "clinician"}, {ID: "pt", Role: "patient"}}}
	start := time.Date(2026, 4, 12, 9, 0, 0, 0, time.UTC)
	per := mb << 20 / messages
	for i := range messages {
		name := fmt.Sprintf("media/%03d.jpg", i)
		data := make([]byte, per)
		rng.Read(data)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		c.Messages = append(c.Messages, conversation.Message{ID: fmt.Sprintf("m%d", i+1),
			Time: start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), From: []string{"pt", "dr"}[i%2],
			Text: "foto", Attachments: []conversation.Attachment{{Path: name, Name: "foto.jpg", Type: "image/jpeg"}}})
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conversation.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func crashExport(fx *testbundle.Fixture, in, out string) error {
	c, err := conversation.Load(in)
	if err != nil {
		return err
	}
	_, err = custody.Export(context.Background(), c, custody.Options{Out: out, Signer: fx.Signer,
		PublicKey: fx.PublicKey, Timestampers: []custody.Timestamper{fx}, NoRecord: true})
	return err
}

// TestExportCrashChild is the process TestExportKilled kills: it runs only
// when re-executed with the crash environment.
func TestExportCrashChild(t *testing.T) {
	in, out := os.Getenv(crashInEnv), os.Getenv(crashOutEnv)
	if in == "" || out == "" {
		t.Skip("runs only as the child of TestExportKilled")
	}
	fx := testbundle.New(t, "ed25519")
	root, err := os.ReadFile(fx.RootPEM)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out+".root.pem", root, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := crashExport(fx, in, out); err != nil {
		t.Fatal(err)
	}
}

func TestExportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary 21 times")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	crashConversation(t, in, 40, 32)
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	child := func(out string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestExportCrashChild$", "-test.count=1")
		// The child's temporary folders (its TSA) go under ours, so that a
		// killed child leaves nothing behind after the test.
		cmd.Env = append(os.Environ(), crashInEnv+"="+in, crashOutEnv+"="+out, "TMPDIR="+dir)
		return cmd
	}
	// One run to completion: it verifies, and it times the export.
	full := filepath.Join(outDir, "complete.custody")
	begin := time.Now()
	if out, err := child(full).CombinedOutput(); err != nil {
		t.Fatalf("child export: %v\n%s", err, out)
	}
	took := time.Since(begin)
	checkBundle(t, full)

	os.Remove(full)
	finished, killed, litter := 0, 0, 0
	for i := range 20 {
		out := filepath.Join(outDir, fmt.Sprintf("case-%02d.custody", i))
		cmd := child(out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(took) * 6 / 5)))
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		// A kill during the write leaves the hidden temporary file (see
		// internal/atomicfile): count it, and clear it for the next run.
		tmp, _ := filepath.Glob(filepath.Join(outDir, "."+filepath.Base(out)+".tmp-*"))
		litter += len(tmp)
		for _, f := range tmp {
			os.Remove(f)
		}
		if _, statErr := os.Lstat(out); statErr == nil {
			// The export completed before the kill: the file must be whole.
			finished++
			checkBundle(t, out)
			os.Remove(out)
			continue
		}
		if err == nil {
			t.Errorf("run %d: the child succeeded but %s does not exist", i, out)
		}
		killed++
	}
	t.Logf("export of 32 MiB takes %v; 20 kills: %d before the end (no file at the output path; %d of them during the write, leaving the temporary file), %d after it (complete bundle)",
		took.Round(time.Millisecond), killed, litter, finished)
	if killed == 0 {
		t.Error("no kill landed during an export: the test proves nothing")
	}
}

// checkBundle verifies a bundle the child wrote, with the child's TSA.
func checkBundle(t *testing.T, path string) {
	t.Helper()
	root, err := os.ReadFile(path + ".root.pem")
	if err != nil {
		t.Fatal(err)
	}
	roots, err := verify.ParseCertificates(root)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.BundleFile(path, verify.Options{Trust: roots})
	if err != nil || rep.Result != verify.Passed {
		t.Fatalf("%s: %v %+v", path, err, rep)
	}
}

// mountTmpfs mounts a small tmpfs at a new folder, or skips the test when
// it cannot (not root, no mount namespace).
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// assertEmpty: nothing at the output path, and no temporary file.
func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestExportDiskFull(t *testing.T) {
	dir := mountTmpfs(t, "size=1m")
	in := filepath.Join(t.TempDir(), "in")
	crashConversation(t, in, 4, 3)
	fx := testbundle.New(t, "ed25519")
	err := crashExport(fx, in, filepath.Join(dir, "case.custody"))
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("error %v, want one saying the disk is full", err)
	}
	assertEmpty(t, dir)
}

func TestExportReadOnlyFolder(t *testing.T) {
	dir := mountTmpfs(t, "size=1m,ro")
	in := filepath.Join(t.TempDir(), "in")
	crashConversation(t, in, 2, 1)
	fx := testbundle.New(t, "ed25519")
	err := crashExport(fx, in, filepath.Join(dir, "case.custody"))
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("error %v, want one saying the folder is read-only", err)
	}
	assertEmpty(t, dir)
}
