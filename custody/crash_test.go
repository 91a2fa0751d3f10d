package custody_test

// Crash behaviour of issue 7: an export killed with SIGKILL at any moment
// never leaves a file at the output path (a file there is a complete,
// verifying bundle), nor, where internal/atomicfile writes unnamed files
// (Linux O_TMPFILE), anything else in the output folder; and a full disk
// or a read-only folder fails cleanly without leaving its temporary file
// behind.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// Environment of the child process that TestExportKilled re-executes.
const (
	crashInEnv   = "CUSTODY_CRASH_IN"   // conversation folder
	crashOutEnv  = "CUSTODY_CRASH_OUT"  // bundle to write
	crashRootEnv = "CUSTODY_CRASH_ROOT" // where the child's TSA root goes, outside the output folder
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
	_, err = custody.Export(context.Background(), c, custody.Options{Out: out, Signer: fx.Signer, Timestampers: []custody.Timestamper{fx}, NoRecord: true})
	return err
}

// TestExportCrashChild is the process TestExportKilled kills: it runs only
// when re-executed with the crash environment.
func TestExportCrashChild(t *testing.T) {
	t.Parallel()
	in, out, rootPEM := os.Getenv(crashInEnv), os.Getenv(crashOutEnv), os.Getenv(crashRootEnv)
	if in == "" || out == "" || rootPEM == "" {
		t.Skip("runs only as the child of TestExportKilled")
	}
	fx := testbundle.New(t, "ed25519")
	root, err := os.ReadFile(fx.RootPEM)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rootPEM, root, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := crashExport(fx, in, out); err != nil {
		t.Fatal(err)
	}
}

func TestExportKilled(t *testing.T) {
	t.Parallel()
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
	// Unnamed files (O_TMPFILE) leave nothing when killed; named temporary
	// files, where the file system lacks O_TMPFILE, leave themselves.
	unnamed := atomicfile.Unnamed(outDir)
	rootPEM := filepath.Join(dir, "root.pem")
	child := func(out string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestExportCrashChild$", "-test.count=1")
		// The child's temporary folders (its TSA) go under ours, so that a
		// killed child leaves nothing behind after the test.
		cmd.Env = append(os.Environ(), crashInEnv+"="+in, crashOutEnv+"="+out, crashRootEnv+"="+rootPEM, "TMPDIR="+dir)
		return cmd
	}
	// One run to completion: it verifies, and it times the export.
	full := filepath.Join(outDir, "complete.custody")
	begin := time.Now()
	if out, err := child(full).CombinedOutput(); err != nil {
		t.Fatalf("child export: %v\n%s", err, out)
	}
	took := time.Since(begin)
	checkBundle(t, full, rootPEM)

	os.Remove(full)
	assertEmpty(t, outDir)
	finished, killed, midWrite, litter := 0, 0, 0, 0
	for i := range 20 {
		out := filepath.Join(outDir, fmt.Sprintf("case-%02d.custody", i))
		cmd := child(out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(took) * 6 / 5)))
		writing := openIn(cmd.Process.Pid, outDir)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		finish, tmp := leftAfterKill(t, outDir, filepath.Base(out), unnamed)
		if writing && !finish {
			midWrite++
		}
		// Clear the hidden temporary files (named files only) for the next run.
		litter += len(tmp)
		for _, f := range tmp {
			os.Remove(filepath.Join(outDir, f))
		}
		if finish {
			// The export completed before the kill: the file must be whole.
			finished++
			checkBundle(t, out, rootPEM)
			os.Remove(out)
			continue
		}
		if err == nil {
			t.Errorf("run %d: the child succeeded but %s does not exist", i, out)
		}
		killed++
	}
	how := "unnamed (O_TMPFILE): the output folder unchanged"
	if !unnamed {
		how = fmt.Sprintf("named temporary files, no O_TMPFILE here: %d left", litter)
	}
	t.Logf("export of 32 MiB takes %v; 20 kills: %d before the end (%d of them while the output was open; no file at the output path; %s), %d after it (complete bundle)",
		took.Round(time.Millisecond), killed, midWrite, how, finished)
	if killed == 0 {
		t.Error("no kill landed during an export: the test proves nothing")
	}

	// Random kills may all miss the write itself: one more, aimed at it.
	if runtime.GOOS != "linux" {
		return // openIn needs /proc
	}
	if real, err := filepath.EvalSymlinks(outDir); err == nil {
		outDir = real // as /proc shows it
	}
	for try := 0; ; try++ {
		out := filepath.Join(outDir, "aimed.custody")
		cmd := child(out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		caught := false
		for deadline := time.Now().Add(took * 10); !caught && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			caught = openIn(cmd.Process.Pid, outDir)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		finish, tmp := leftAfterKill(t, outDir, filepath.Base(out), unnamed)
		for _, f := range tmp {
			os.Remove(filepath.Join(outDir, f))
		}
		if finish {
			os.Remove(out)
		}
		switch {
		case caught && finish:
			t.Error("the output was complete while the exporter still had it open")
		case caught && !unnamed && len(tmp) != 1:
			t.Errorf("killed while writing a named temporary file: left %q, want that one file", tmp)
		case caught:
			t.Logf("aimed kill, with the output open: %d temporary files left", len(tmp))
			return
		case try == 2:
			t.Error("3 exports, none caught with its output open: the aimed kill proves nothing")
			return
		}
	}
}

// openIn reports whether process pid has a file open in dir, by /proc
// (Linux). An unnamed file (O_TMPFILE) shows there as "dir/#inode (deleted)".
func openIn(pid int, dir string) bool {
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(fds)
	if err != nil {
		return false
	}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(fds, e.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// leftAfterKill reads the output folder after a killed export of name:
// whether the output is there, and which hidden temporary files are. Any
// other entry is an error, and so is any temporary file where the exporter
// writes unnamed files.
func leftAfterKill(t *testing.T, dir, name string, unnamed bool) (finished bool, tmp []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch {
		case e.Name() == name:
			finished = true
		case !unnamed && strings.HasPrefix(e.Name(), "."+name+".tmp-"):
			tmp = append(tmp, e.Name())
		default:
			t.Errorf("killed export of %s left %s in the output folder", name, e.Name())
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return finished, tmp
}

// checkBundle verifies a bundle the child wrote, with the child's TSA root.
func checkBundle(t *testing.T, path, rootPEM string) {
	t.Helper()
	root, err := os.ReadFile(rootPEM)
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
	t.Parallel()
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
	t.Parallel()
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
