package atomicfile

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// eachPath runs test once with unnamed files (O_TMPFILE) and once with the
// named temporary file, skipping the first where the system lacks it.
func eachPath(t *testing.T, test func(t *testing.T, dir string, unnamed bool)) {
	for _, unnamed := range []bool{true, false} {
		name := map[bool]string{true: "unnamed", false: "named"}[unnamed]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			setUnnamed(t, unnamed)
			if unnamed && !Unnamed(dir) {
				t.Skipf("no O_TMPFILE in %s on %s", dir, runtime.GOOS)
			}
			test(t, dir, unnamed)
		})
	}
}

func setUnnamed(t *testing.T, on bool) {
	old := tryUnnamed
	tryUnnamed = on
	t.Cleanup(func() { tryUnnamed = old })
}

// list is the folder's entries, sorted.
func list(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func randomData(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(n)}).Read(b)
	return b
}

// create starts path with data written, and checks the folder shows only
// what the path in use allows while writing: nothing new when unnamed,
// one hidden temporary file when not.
func create(t *testing.T, path string, data []byte, unnamed bool) *File {
	t.Helper()
	dir := filepath.Dir(path)
	before := list(t, dir)
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	during := list(t, dir)
	if unnamed {
		if !slices.Equal(during, before) {
			t.Errorf("while writing unnamed: folder %q, want it unchanged %q", during, before)
		}
	} else {
		added := slices.DeleteFunc(during, func(n string) bool { return slices.Contains(before, n) })
		prefix := "." + filepath.Base(path) + ".tmp-"
		if len(added) != 1 || !strings.HasPrefix(added[0], prefix) {
			t.Errorf("while writing named: new entries %q, want one %s*", added, prefix)
		}
	}
	return f
}

func checkFile(t *testing.T, path string, want []byte, mode fs.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes, not the %d written", path, len(got), len(want))
	}
	if runtime.GOOS == "windows" {
		return // no Unix permission bits
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode() != mode {
		t.Errorf("%s: mode %v, want %v", path, st.Mode(), mode)
	}
}

func TestCommit(t *testing.T) {
	eachPath(t, func(t *testing.T, dir string, unnamed bool) {
		path := filepath.Join(dir, "case.custody")
		data := randomData(1 << 20)
		f := create(t, path, data, unnamed)
		defer f.Abort()
		if err := f.Commit(false); err != nil {
			t.Fatal(err)
		}
		// 0o600 is what os.CreateTemp gave before O_TMPFILE, umask 022 or 077.
		checkFile(t, path, data, 0o600)
		if got := list(t, dir); !slices.Equal(got, []string{"case.custody"}) {
			t.Errorf("folder after Commit: %q, want only case.custody", got)
		}
		if err := f.Commit(false); err == nil {
			t.Error("a second Commit succeeded")
		}
		f.Abort() // after Commit: must not remove anything
		checkFile(t, path, data, 0o600)
	})
}

func TestWriteFileMode(t *testing.T) {
	eachPath(t, func(t *testing.T, dir string, unnamed bool) {
		for _, perm := range []fs.FileMode{0o600, 0o644, 0o640} {
			path := filepath.Join(dir, perm.String())
			data := randomData(int(perm))
			if err := WriteFile(path, data, perm, false); err != nil {
				t.Fatal(err)
			}
			checkFile(t, path, data, perm)
		}
		if got := list(t, dir); len(got) != 3 {
			t.Errorf("folder: %q, want the 3 files only", got)
		}
	})
}

func TestAbort(t *testing.T) {
	eachPath(t, func(t *testing.T, dir string, unnamed bool) {
		if err := os.WriteFile(filepath.Join(dir, "other"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := list(t, dir)
		f := create(t, filepath.Join(dir, "case.custody"), randomData(4096), unnamed)
		f.Abort()
		f.Abort()
		if got := list(t, dir); !slices.Equal(got, before) {
			t.Errorf("folder after Abort: %q, want %q", got, before)
		}
		if err := f.Commit(false); err == nil {
			t.Error("Commit after Abort succeeded")
		}
		if got := list(t, dir); !slices.Equal(got, before) {
			t.Errorf("folder after Commit of an aborted file: %q, want %q", got, before)
		}
	})
}

func TestNoClobber(t *testing.T) {
	eachPath(t, func(t *testing.T, dir string, unnamed bool) {
		path := filepath.Join(dir, "case.custody")
		old := []byte("the existing bundle")
		if err := os.WriteFile(path, old, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Absent(path, false); err == nil {
			t.Error("Absent(existing, false) = nil")
		}
		if err := Absent(path, true); err != nil {
			t.Errorf("Absent(existing, true) = %v", err)
		}
		f := create(t, path, randomData(4096), unnamed)
		err := f.Commit(false)
		if err == nil || !strings.Contains(err.Error(), path+" already exists") {
			t.Errorf("Commit(false) onto an existing file: %v, want %q already exists", err, path)
		}
		checkFile(t, path, old, 0o644)
		if got := list(t, dir); !slices.Equal(got, []string{"case.custody"}) {
			t.Errorf("folder after refused Commit: %q, want only case.custody", got)
		}
	})
}

// TestNoClobberRace: writers racing for one name, none forcing: exactly
// one wins, whole, and the others fail without a trace.
func TestNoClobberRace(t *testing.T) {
	eachPath(t, func(t *testing.T, dir string, unnamed bool) {
		path := filepath.Join(dir, "case.custody")
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs[i] = WriteFile(path, randomData(1000+i), 0o600, false)
			})
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Errorf("writers %d and %d both succeeded", winner, i)
			case err == nil:
				winner = i
			case !strings.Contains(err.Error(), "already exists"):
				t.Errorf("writer %d: %v, want already exists", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no writer succeeded")
		}
		checkFile(t, path, randomData(1000+winner), 0o600)
		if got := list(t, dir); !slices.Equal(got, []string{"case.custody"}) {
			t.Errorf("folder: %q, want only case.custody", got)
		}
	})
}

func TestForce(t *testing.T) {
	eachPath(t, func(t *testing.T, dir string, unnamed bool) {
		path := filepath.Join(dir, "case.custody")
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Absent(path, true); err != nil {
			t.Fatal(err)
		}
		data := randomData(8192)
		f := create(t, path, data, unnamed)
		if err := f.Commit(true); err != nil {
			t.Fatal(err)
		}
		checkFile(t, path, data, 0o600) // the new file, mode included
		if got := list(t, dir); !slices.Equal(got, []string{"case.custody"}) {
			t.Errorf("folder after forced Commit: %q, want only case.custody", got)
		}
		// Forcing onto nothing simply creates.
		fresh := filepath.Join(dir, "fresh")
		if err := WriteFile(fresh, data, 0o644, true); err != nil {
			t.Fatal(err)
		}
		checkFile(t, fresh, data, 0o644)
	})
}

func TestMissingFolder(t *testing.T) {
	eachPath(t, func(t *testing.T, dir string, unnamed bool) {
		path := filepath.Join(dir, "gone", "case.custody")
		_, err := Create(path)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(dir, "gone")) {
			t.Errorf("Create in a missing folder: %v, want not-exist naming the folder", err)
		}
	})
}

// TestReadOnlyFolder: Create fails at once, with the system's reason,
// and leaves nothing.
func TestReadOnlyFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no read-only folders by permission bits on Windows")
	}
	for _, unnamed := range []bool{true, false} {
		t.Run(map[bool]string{true: "unnamed", false: "named"}[unnamed], func(t *testing.T) {
			dir := readOnlyDir(t)
			setUnnamed(t, unnamed)
			before := list(t, dir)
			path := filepath.Join(dir, "case.custody")
			f, err := Create(path)
			if err == nil {
				f.Abort()
				t.Fatal("Create in a read-only folder succeeded")
			}
			if !errors.Is(err, fs.ErrPermission) && !strings.Contains(err.Error(), "read-only file system") {
				t.Errorf("error %v, want permission denied or read-only file system", err)
			}
			if err := WriteFile(path, []byte("x"), 0o644, true); err == nil {
				t.Error("WriteFile in a read-only folder succeeded")
			}
			if got := list(t, dir); !slices.Equal(got, before) {
				t.Errorf("folder: %q, want %q", got, before)
			}
		})
	}
}

// readOnlyDir is a folder this process cannot write: by permission bits,
// or, as root (whom they do not stop), a read-only tmpfs mount.
func readOnlyDir(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return dir
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("running as root, whom permission bits do not stop, and cannot mount a read-only tmpfs: %v %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// Environment of the child process that TestKilled re-executes.
const (
	killPathEnv  = "ATOMICFILE_KILL_PATH"
	killNamedEnv = "ATOMICFILE_KILL_NAMED"
)

// TestKilledChild writes half a file and waits to be killed: it runs only
// when re-executed by TestKilled.
func TestKilledChild(t *testing.T) {
	path := os.Getenv(killPathEnv)
	if path == "" {
		t.Skip("runs only as the child of TestKilled")
	}
	tryUnnamed = os.Getenv(killNamedEnv) == ""
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(randomData(1 << 20)); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("written\n")
	io.Copy(io.Discard, os.Stdin) // until killed, or the parent is gone
}

// TestKilled kills a process in the middle of its write: unnamed, it
// leaves the folder exactly as it was; named, one hidden temporary file.
func TestKilled(t *testing.T) {
	eachPath(t, func(t *testing.T, dir string, unnamed bool) {
		if err := os.WriteFile(filepath.Join(dir, "other"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		before := list(t, dir)
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killPathEnv+"="+filepath.Join(dir, "case.custody"))
		if !unnamed {
			cmd.Env = append(cmd.Env, killNamedEnv+"=1")
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if line != "written\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child: %q %v", line, err)
		}
		cmd.Process.Kill() // SIGKILL: no defer, no Abort runs
		cmd.Wait()
		after := list(t, dir)
		if unnamed {
			if !slices.Equal(after, before) {
				t.Errorf("folder after the kill: %q, want it unchanged %q", after, before)
			}
			return
		}
		added := slices.DeleteFunc(after, func(n string) bool { return slices.Contains(before, n) })
		if len(added) != 1 || !strings.HasPrefix(added[0], ".case.custody.tmp-") {
			t.Errorf("named: new entries after the kill %q, want the one temporary file", added)
		}
	})
}

// TestScratch: a scratch file is readable and writable and leaves no
// entry in its folder, unnamed or not.
func TestScratch(t *testing.T) {
	for _, unnamed := range []bool{true, false} {
		tryUnnamed = unnamed
		dir := t.TempDir()
		f, done, err := Scratch(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("spooled"); err != nil {
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("unnamed %v: the folder shows %v while the file is open", unnamed, entries)
		}
		buf := make([]byte, 7)
		if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "spooled" {
			t.Errorf("unnamed %v: read back %q, %v", unnamed, buf, err)
		}
		done()
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("unnamed %v: the folder shows %v after", unnamed, entries)
		}
	}
	tryUnnamed = true
}
