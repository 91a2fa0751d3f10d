package main

import (
	"github.com/custody-toolkit/custody/manifest"

	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
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
		if _, err := keys.Load(out, keys.LoadOptions{Passphrase: func() ([]byte, error) { return []byte("pass phrase"), nil }}); err != nil {
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

// TestKeygenDefaultAlgorithm: without --algorithm the key is ECDSA P-256,
// the key whose PDF signatures poppler and Acrobat validate.
func TestKeygenDefaultAlgorithm(t *testing.T) {
	t.Setenv(keys.PassphraseEnv, "pass phrase")
	out := filepath.Join(t.TempDir(), "doctor.key")
	if _, stderr, code := keygenExec(t, "", "keygen", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(out + ".pub")
	pub, err := manifest.ParsePublicKey(b)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := pub.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Fatalf("default key %T, want ECDSA P-256", pub)
	}
}

func TestKeygenMnemonicRestore(t *testing.T) {
	t.Setenv(keys.PassphraseEnv, "pass phrase")
	for _, tc := range []struct {
		alg, other string
		args       []string
	}{
		{keys.ECDSAP256, keys.Ed25519, nil}, // the default
		{keys.Ed25519, keys.ECDSAP256, []string{"--algorithm", keys.Ed25519}},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			dir := t.TempDir()
			orig := filepath.Join(dir, "orig.key")
			stdout, stderr, code := keygenExec(t, "", append([]string{"keygen", "--out", orig, "--mnemonic"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) != 2 || len(strings.Fields(lines[1])) != 25 || strings.Fields(lines[1])[0] != tc.alg {
				t.Fatalf("stdout %q: want a fingerprint line, then %s and 24 words", stdout, tc.alg)
			}
			if !strings.Contains(stderr, "ARE the private key") {
				t.Errorf("no warning on stderr: %q", stderr)
			}
			words := lines[1]
			bare := strings.Join(strings.Fields(words)[1:], " ")
			fp := fingerprintOf(t, orig+".pub")
			restore := func(stdin string, args ...string) (string, string, int, string) {
				t.Helper()
				out := filepath.Join(t.TempDir(), "restored.key")
				stdout, stderr, code := keygenExec(t, stdin, append([]string{"keygen", "--out", out, "--restore"}, args...)...)
				if code != 0 {
					if _, err := os.Stat(out); err == nil {
						t.Fatalf("a failed restore wrote %s", out)
					}
					return stdout, stderr, code, ""
				}
				return stdout, stderr, code, fingerprintOf(t, out+".pub")
			}

			// From standard input, with or without a matching --algorithm…
			for _, args := range [][]string{nil, {"--algorithm", tc.alg}} {
				stdout, stderr, code, got := restore(words+"\n", args...)
				if code != 0 || stdout != "fingerprint: "+fp+"\n" || got != fp {
					t.Fatalf("restore %q from stdin: exit %d, %q, %q; want fingerprint %s", args, code, stdout, stderr, fp)
				}
				if !strings.Contains(stderr, "restored an "+tc.alg+" key") || !strings.Contains(stderr, "fingerprint") {
					t.Errorf("stderr %q: want the algorithm and a reminder to compare fingerprints", stderr)
				}
			}
			// …and from the environment.
			t.Setenv(keys.MnemonicEnv, words)
			if stdout, stderr, code, got := restore(""); code != 0 || got != fp {
				t.Fatalf("restore from env: exit %d, %q, %q", code, stdout, stderr)
			}
			os.Unsetenv(keys.MnemonicEnv)

			// The other algorithm: refused when the words name theirs.
			if _, stderr, code, _ := restore(words, "--algorithm", tc.other); code != 1 || !strings.Contains(stderr, "not "+tc.other) {
				t.Fatalf("restore as %s: exit %d, %q", tc.other, code, stderr)
			}
			// Bare words need --algorithm; under the wrong one they make
			// another key, whose fingerprint shows it.
			if _, stderr, code, _ := restore(bare); code != 1 || !strings.Contains(stderr, "--algorithm ed25519") {
				t.Fatalf("bare words without --algorithm: exit %d, %q", code, stderr)
			}
			if _, stderr, code, got := restore(bare, "--algorithm", tc.alg); code != 0 || got != fp {
				t.Fatalf("bare words with --algorithm %s: exit %d, %q", tc.alg, code, stderr)
			}
			if _, stderr, code, got := restore(bare, "--algorithm", tc.other); code != 0 || got == fp {
				t.Fatalf("bare words with --algorithm %s: exit %d, %q, fingerprint %s", tc.other, code, stderr, got)
			}

			// A wrong word fails, naming its position; so does no input.
			bad := strings.Replace(words, strings.Fields(words)[1], "notaword", 1)
			if _, stderr, code, _ := restore(bad); code != 1 || !strings.Contains(stderr, "word 1") {
				t.Fatalf("bad word: exit %d, %q", code, stderr)
			}
			if _, stderr, code, _ := restore(""); code != 1 || !strings.Contains(stderr, "no mnemonic") {
				t.Fatalf("empty stdin: exit %d, %q", code, stderr)
			}
		})
	}
}

func TestKeygenUsageErrors(t *testing.T) {
	t.Setenv(keys.PassphraseEnv, "pass phrase")
	out := filepath.Join(t.TempDir(), "k")
	for _, args := range [][]string{
		{"keygen"},
		{"keygen", "--out", out, "--algorithm", "rsa"},
		{"keygen", "--out", out, "--algorithm", "ecdsa-p384"},
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
