package main

import (
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/manifest"

	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/keys"
)

// keygenExec runs `custody ARGS` in process with stdin and returns its
// output and exit code, as run would.
func keygenExec(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRootCmd()
	root.SetArgs(args)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.Execute()
	var u usageError
	switch {
	case err == nil:
	case errors.As(err, &u):
		code = 2
	default:
		code = 1
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), code
}

func fingerprintOf(t *testing.T, pubPath string) string {
	t.Helper()
	b, err := os.ReadFile(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := manifest.ParsePublicKey(b)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := manifest.Fingerprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func TestKeygen(t *testing.T) {
	t.Setenv(keys.PassphraseEnv, "pass phrase")
	for _, alg := range []string{"ed25519", "ecdsa-p256"} {
		out := filepath.Join(t.TempDir(), "doctor.key")
		stdout, stderr, code := keygenExec(t, "", "keygen", "--out", out, "--algorithm", alg)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", alg, code, stderr)
		}
		want := "fingerprint: " + fingerprintOf(t, out+".pub") + "\n"
		if stdout != want {
			t.Fatalf("%s: stdout %q, want %q", alg, stdout, want)
		}
		if strings.Contains(stdout+stderr, "pass phrase") {
			t.Fatal("passphrase printed")
		}
		if _, _, err := custody.LoadSigner(out, keys.LoadOptions{Passphrase: func() ([]byte, error) { return []byte("pass phrase"), nil }}); err != nil {
			t.Fatalf("%s: written key does not load: %v", alg, err)
		}

		// No overwrite without --force; with it, a new key.
		before, _ := os.ReadFile(out)
		if _, stderr, code := keygenExec(t, "", "keygen", "--out", out, "--algorithm", alg); code != 1 || !strings.Contains(stderr, "already exists") {
			t.Fatalf("%s: overwrite: exit %d, %q", alg, code, stderr)
		}
		if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
			t.Fatal("key changed without --force")
		}
		if _, stderr, code := keygenExec(t, "", "keygen", "--out", out, "--algorithm", alg, "--force"); code != 0 {
			t.Fatalf("%s: --force: exit %d, %s", alg, code, stderr)
		}
		if fingerprintOf(t, out+".pub") == strings.TrimPrefix(strings.TrimSpace(want), "fingerprint: ") {
			t.Fatal("--force kept the old key")
		}
	}
}

func TestKeygenMnemonicRestore(t *testing.T) {
	t.Setenv(keys.PassphraseEnv, "pass phrase")
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.key")
	stdout, stderr, code := keygenExec(t, "", "keygen", "--out", orig, "--mnemonic")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || len(strings.Fields(lines[1])) != 24 {
		t.Fatalf("stdout %q: want a fingerprint line and 24 words", stdout)
	}
	if !strings.Contains(stderr, "ARE the private key") {
		t.Errorf("no warning on stderr: %q", stderr)
	}
	words := lines[1]
	fp := fingerprintOf(t, orig+".pub")

	// From standard input…
	fromStdin := filepath.Join(dir, "stdin.key")
	stdout, stderr, code = keygenExec(t, words+"\n", "keygen", "--out", fromStdin, "--restore")
	if code != 0 || stdout != "fingerprint: "+fp+"\n" {
		t.Fatalf("restore from stdin: exit %d, %q, %q; want fingerprint %s", code, stdout, stderr, fp)
	}
	// …and from the environment.
	t.Setenv(keys.MnemonicEnv, words)
	fromEnv := filepath.Join(dir, "env.key")
	if stdout, stderr, code = keygenExec(t, "", "keygen", "--out", fromEnv, "--restore"); code != 0 || fingerprintOf(t, fromEnv+".pub") != fp {
		t.Fatalf("restore from env: exit %d, %q, %q", code, stdout, stderr)
	}
	os.Unsetenv(keys.MnemonicEnv)

	// A wrong word fails and writes nothing.
	bad := strings.Replace(words, strings.Fields(words)[0], "notaword", 1)
	failed := filepath.Join(dir, "bad.key")
	if _, stderr, code := keygenExec(t, bad, "keygen", "--out", failed, "--restore"); code != 1 || !strings.Contains(stderr, "word 1") {
		t.Fatalf("bad word: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(failed); err == nil {
		t.Fatal("key written from a bad mnemonic")
	}
	if _, stderr, code := keygenExec(t, "", "keygen", "--out", failed, "--restore"); code != 1 || !strings.Contains(stderr, "no mnemonic") {
		t.Fatalf("empty stdin: exit %d, %q", code, stderr)
	}
}

func TestKeygenUsageErrors(t *testing.T) {
	t.Setenv(keys.PassphraseEnv, "pass phrase")
	out := filepath.Join(t.TempDir(), "k")
	for _, args := range [][]string{
		{"keygen"},
		{"keygen", "--out", out, "--algorithm", "rsa"},
		{"keygen", "--out", out, "--algorithm", "ecdsa-p256", "--mnemonic"},
		{"keygen", "--out", out, "--algorithm", "ecdsa-p256", "--restore"},
		{"keygen", "--out", out, "--mnemonic", "--restore"},
		{"keygen", "--out", out, "extra"},
		{"keygen", "--bogus"},
	} {
		if _, stderr, code := keygenExec(t, "", args...); code != 2 {
			t.Errorf("%q: exit %d (%s), want 2", args, code, stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a usage error wrote a key")
	}
}
