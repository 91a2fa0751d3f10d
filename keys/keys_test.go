package keys

import (
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/custody-toolkit/custody/manifest"

	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var algorithms = []string{Ed25519, ECDSAP256}

func staticPassphrase(p string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(p), nil }
}

// writeTestKey generates and writes a key of algorithm under passphrase
// "correct horse" in a fresh directory and returns its path.
func writeTestKey(t *testing.T, algorithm string) (path string, key crypto.Signer) {
	t.Helper()
	key, err := Generate(algorithm)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "doctor.key")
	if err := WritePrivate(path, key, []byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	return path, key
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, alg := range algorithms {
		t.Run(alg, func(t *testing.T) {
			path, key := writeTestKey(t, alg)
			for p, want := range map[string]os.FileMode{path: 0o600, path + ".pub": 0o644} {
				info, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if info.Mode().Perm() != want {
					t.Errorf("%s: mode %04o, want %04o", p, info.Mode().Perm(), want)
				}
			}
			privPEM, _ := os.ReadFile(path)
			if !bytes.HasPrefix(privPEM, []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")) {
				t.Errorf("private key file starts %q", privPEM[:40])
			}

			sv, pub, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("correct horse")})
			if err != nil {
				t.Fatal(err)
			}
			if !publicKeysEqual(pub, key.Public()) {
				t.Fatal("loaded public key differs from the generated one")
			}
			pubPEM, _ := os.ReadFile(path + ".pub")
			filePub, err := manifest.ParsePublicKey(pubPEM)
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte(`{"manifest":"test"}`)
			sig, err := sv.SignMessage(bytes.NewReader(msg))
			if err != nil {
				t.Fatal(err)
			}
			// Check with the standard library alone, as the verifier will.
			if !stdlibVerify(filePub, msg, sig) {
				t.Fatal("signature does not verify with the .pub key")
			}
			if stdlibVerify(filePub, append(msg, ' '), sig) {
				t.Fatal("signature verifies over a different message")
			}
			if err := sv.VerifySignature(bytes.NewReader(sig), bytes.NewReader(msg)); err != nil {
				t.Fatalf("sigstore verifier: %v", err)
			}
		})
	}
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}

// stdlibVerify checks the bundle signature formats: pure Ed25519, or ECDSA
// ASN.1 over SHA-256.
func stdlibVerify(pub crypto.PublicKey, msg, sig []byte) bool {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return ed25519.Verify(k, msg, sig)
	case *ecdsa.PublicKey:
		d := sha256.Sum256(msg)
		return ecdsa.VerifyASN1(k, d[:], sig)
	}
	return false
}

func TestGenerateUnknownAlgorithm(t *testing.T) {
	t.Parallel()
	if _, err := Generate("rsa"); err == nil || !strings.Contains(err.Error(), `"rsa"`) {
		t.Fatalf("Generate(rsa) error = %v", err)
	}
	k, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	if ec, ok := k.(*ecdsa.PrivateKey); !ok || ec.Curve != elliptic.P256() {
		t.Fatalf("default algorithm gave %T, want ECDSA P-256", k)
	}
}

func TestLoadWrongPassphrase(t *testing.T) {
	t.Parallel()
	path, _ := writeTestKey(t, Ed25519)
	for _, pass := range []func() ([]byte, error){
		staticPassphrase("wrong horse"),
		staticPassphrase(""),
		func() ([]byte, error) { return nil, nil },
	} {
		_, _, err := loadSigner(path, LoadOptions{Passphrase: pass})
		if err == nil || !strings.Contains(err.Error(), "wrong passphrase") || strings.Contains(err.Error(), "asn1") {
			t.Errorf("error = %v, want wrong passphrase", err)
		}
	}
	_, _, err := loadSigner(path, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "no passphrase") {
		t.Errorf("nil Passphrase: error = %v", err)
	}
	boom := errors.New("boom")
	_, _, err = loadSigner(path, LoadOptions{Passphrase: func() ([]byte, error) { return nil, boom }})
	if !errors.Is(err, boom) {
		t.Errorf("failing Passphrase: error = %v", err)
	}
}

func TestLoadPermissions(t *testing.T) {
	t.Parallel()
	path, _ := writeTestKey(t, Ed25519)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("correct horse")})
	if err == nil || !strings.Contains(err.Error(), "0644") || !strings.Contains(err.Error(), path) {
		t.Fatalf("0644 key: error = %v", err)
	}
	if _, _, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("correct horse"), InsecurePermissions: true}); err != nil {
		t.Fatalf("InsecurePermissions: %v", err)
	}
}

func TestLoadBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain, _ := Generate(Ed25519)
	der, _ := x509.MarshalPKCS8PrivateKey(plain)
	for name, tc := range map[string]struct {
		content []byte
		want    string
	}{
		"missing.key":  {nil, "no such file"},
		"empty.key":    {[]byte{}, "no PEM block"},
		"plain.key":    {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), "not encrypted"},
		"cert.key":     {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), `"CERTIFICATE"`},
		"garbage.key":  {pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: []byte("{]")}), "garbage.key"},
		"huge.key":     {bytes.Repeat([]byte("A"), maxKeyFileSize+1), "larger than"},
		"truncated.pk": {[]byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n"), "no PEM block"},
	} {
		path := filepath.Join(dir, name)
		if tc.content != nil {
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		_, _, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("x")})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want %q", name, err, tc.want)
		}
	}
	if _, _, err := loadSigner(dir, LoadOptions{Passphrase: staticPassphrase("x")}); err == nil {
		t.Error("a directory loaded as a key")
	}
}

func TestWriteRefusesOverwrite(t *testing.T) {
	t.Parallel()
	path, first := writeTestKey(t, Ed25519)
	before, _ := os.ReadFile(path)
	second, _ := Generate(Ed25519)
	err := WritePrivate(path, second, []byte("pw"))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("overwrite: error = %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("existing key was changed")
	}

	// A stale .pub alone also blocks, and nothing is left behind.
	dir := t.TempDir()
	lone := filepath.Join(dir, "k")
	os.WriteFile(lone+".pub", []byte("stale"), 0o644)
	if err := WritePrivate(lone, second, []byte("pw")); err == nil {
		t.Fatal("stale .pub was overwritten")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the stale .pub", len(entries))
	}

	// ReplacePrivate does replace both halves.
	if err := ReplacePrivate(path, second, []byte("pw")); err != nil {
		t.Fatal(err)
	}
	_, pub, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("pw")})
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, _ := os.ReadFile(path + ".pub")
	filePub, _ := manifest.ParsePublicKey(pubPEM)
	if !publicKeysEqual(pub, second.Public()) || !publicKeysEqual(filePub, second.Public()) || publicKeysEqual(pub, first.Public()) {
		t.Fatal("ReplacePrivate did not install the new key pair")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 2 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func TestWriteRefusesEmptyPassphraseAndWeakRSA(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key, _ := Generate(Ed25519)
	if err := WritePrivate(filepath.Join(dir, "a"), key, nil); err == nil {
		t.Error("empty passphrase accepted")
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	if err := WritePrivate(filepath.Join(dir, "b"), rsaKey, []byte("pw")); err == nil {
		t.Error("RSA-1024 signing key accepted")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written on error: %v", entries)
	}
}

// requireTool skips the test when an external checker is missing.
func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func TestFingerprintMatchesOpenSSL(t *testing.T) {
	t.Parallel()
	requireTool(t, "openssl")
	requireTool(t, "sh")
	requireTool(t, "sha256sum")
	for _, alg := range algorithms {
		path, key := writeTestKey(t, alg)
		fp, err := manifest.Fingerprint(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		out := run(t, "sh", "-c", `openssl pkey -pubin -in "$1" -outform DER | sha256sum`, "sh", path+".pub")
		want := strings.Fields(string(out))[0]
		if fp != want {
			t.Errorf("%s: Fingerprint = %s, openssl | sha256sum = %s", alg, fp, want)
		}
	}
}

func TestSignatureVerifiesWithOpenSSL(t *testing.T) {
	t.Parallel()
	requireTool(t, "openssl")
	for _, alg := range algorithms {
		t.Run(alg, func(t *testing.T) {
			path, _ := writeTestKey(t, alg)
			sv, _, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("correct horse")})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			msg := filepath.Join(dir, "manifest.json")
			sigPath := filepath.Join(dir, "manifest.sig")
			content := []byte(`{"version":1,"entries":[]}`)
			os.WriteFile(msg, content, 0o644)
			sig, err := sv.SignMessage(bytes.NewReader(content))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(sigPath, sig, 0o644)
			var args []string
			if alg == Ed25519 {
				args = []string{"pkeyutl", "-verify", "-pubin", "-inkey", path + ".pub", "-rawin", "-in", msg, "-sigfile", sigPath}
			} else {
				args = []string{"dgst", "-sha256", "-verify", path + ".pub", "-signature", sigPath, msg}
			}
			run(t, "openssl", args...)
			// And openssl rejects it over altered content.
			os.WriteFile(msg, append(content, '\n'), 0o644)
			if out, err := exec.Command("openssl", args...).CombinedOutput(); err == nil {
				t.Fatalf("openssl accepted the signature over altered content:\n%s", out)
			}
		})
	}
}

// TestLoadOpenSSLEncryptedPKCS8 loads keys encrypted by openssl, not by us.
func TestLoadOpenSSLEncryptedPKCS8(t *testing.T) {
	t.Parallel()
	requireTool(t, "openssl")
	for alg, genArgs := range map[string][]string{
		Ed25519:   {"-algorithm", "ed25519"},
		ECDSAP256: {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "k.pem")
		run(t, "openssl", append(append([]string{"genpkey"}, genArgs...), "-aes-256-cbc", "-pass", "pass:s3cret", "-out", path)...)
		os.Chmod(path, 0o600)
		run(t, "openssl", "pkey", "-in", path, "-passin", "pass:s3cret", "-pubout", "-out", path+".pub")
		pubPEM, _ := os.ReadFile(path + ".pub")
		want, err := manifest.ParsePublicKey(pubPEM)
		if err != nil {
			t.Fatal(err)
		}
		_, pub, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("s3cret")})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if !publicKeysEqual(pub, want) {
			t.Fatalf("%s: loaded key differs from openssl's public key", alg)
		}
		_, _, err = loadSigner(path, LoadOptions{Passphrase: staticPassphrase("nope")})
		if err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
			t.Fatalf("%s: wrong passphrase on PKCS#8: %v", alg, err)
		}
	}
}

// TestLoadRSA: an openssl RSA key of 2048 bits signs (rsa-pkcs1-sha256);
// one of 1024 bits is refused with its size.
func TestLoadRSA(t *testing.T) {
	t.Parallel()
	requireTool(t, "openssl")
	for bits, want := range map[string]string{"2048": "", "1024": "RSA key of 1024 bits"} {
		path := filepath.Join(t.TempDir(), "rsa.pem")
		run(t, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:"+bits, "-aes-256-cbc", "-pass", "pass:pw", "-out", path)
		os.Chmod(path, 0o600)
		_, _, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("pw")})
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("RSA-%s key: error = %v, want %q", bits, err, want)
		}
	}
}

func selfSignedPEM(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "Dr Test"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1<<31, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestParsePublicKey(t *testing.T) {
	t.Parallel()
	edKey, _ := Generate(Ed25519)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	pemOf := func(pub crypto.PublicKey) []byte {
		b, err := manifest.MarshalPublicKeyPEM(pub)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, pub := range []crypto.PublicKey{edKey.Public(), p384.Public(), rsa2048.Public()} {
		got, err := manifest.ParsePublicKey(pemOf(pub))
		if err != nil || !publicKeysEqual(got, pub) {
			t.Errorf("%T: %v", pub, err)
		}
	}
	// A certificate chain: the first certificate's key.
	chain := append(selfSignedPEM(t, edKey), selfSignedPEM(t, p384)...)
	if got, err := manifest.ParsePublicKey(chain); err != nil || !publicKeysEqual(got, edKey.Public()) {
		t.Errorf("certificate chain: %v", err)
	}

	for name, tc := range map[string]struct {
		in   []byte
		want string
	}{
		"garbage":  {[]byte("not a key"), "no PEM block"},
		"empty":    {nil, "no PEM block"},
		"rsa1024":  {pemOf(rsa1024.Public()), "1024 bits"},
		"p521":     {pemOf(p521.Public()), "P-521"},
		"rsa1024c": {selfSignedPEM(t, rsa1024), "1024 bits"},
		"badDER":   {pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{0x30, 0x03, 1, 2, 3}}), "public key"},
		"privkey":  {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}), `"PRIVATE KEY"`},
	} {
		if _, err := manifest.ParsePublicKey(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want %q", name, err, tc.want)
		}
	}
}

func TestRSA1024RefusedViaOpenSSL(t *testing.T) {
	t.Parallel()
	requireTool(t, "openssl")
	dir := t.TempDir()
	k := filepath.Join(dir, "rsa.pem")
	run(t, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", k)
	pub := run(t, "openssl", "pkey", "-in", k, "-pubout")
	if _, err := manifest.ParsePublicKey(pub); err == nil || !strings.Contains(err.Error(), "RSA key of 1024 bits") {
		t.Fatalf("openssl RSA-1024: error = %v", err)
	}
	x25519 := filepath.Join(dir, "x.pem")
	run(t, "openssl", "genpkey", "-algorithm", "X25519", "-out", x25519)
	if _, err := manifest.ParsePublicKey(run(t, "openssl", "pkey", "-in", x25519, "-pubout")); err == nil || !strings.Contains(err.Error(), "not accepted") {
		t.Fatalf("X25519: error = %v", err)
	}
}

func TestPassphraseFromEnv(t *testing.T) {
	t.Setenv(PassphraseEnv, "from env")
	p, err := PassphraseFromEnvOrTerminal("unused: ", true)()
	if err != nil || string(p) != "from env" {
		t.Fatalf("got %q, %v", p, err)
	}
}

func TestPassphraseNoTerminal(t *testing.T) {
	t.Setenv(PassphraseEnv, "") // restored after the test…
	os.Unsetenv(PassphraseEnv)  // …which runs with the variable unset
	saved := openTerminal
	t.Cleanup(func() { openTerminal = saved })
	openTerminal = func() (*terminal, error) { return nil, errors.New("no tty") }
	_, err := PassphraseFromEnvOrTerminal("p: ", false)()
	if err == nil || !strings.Contains(err.Error(), PassphraseEnv) {
		t.Fatalf("error = %v, want a hint about %s", err, PassphraseEnv)
	}
}

func TestAskPassphraseConfirm(t *testing.T) {
	t.Parallel()
	answers := func(a ...string) func() ([]byte, error) {
		return func() ([]byte, error) {
			if len(a) == 0 {
				return nil, errors.New("no more input")
			}
			s := a[0]
			a = a[1:]
			return []byte(s), nil
		}
	}
	var prompts bytes.Buffer
	p, err := askPassphrase(&prompts, answers("s3cret", "s3cret"), "New passphrase: ", true)
	if err != nil || string(p) != "s3cret" {
		t.Fatalf("matching: %q, %v", p, err)
	}
	if strings.Contains(prompts.String(), "s3cret") {
		t.Fatal("passphrase echoed to the prompt stream")
	}
	if _, err := askPassphrase(&prompts, answers("s3cret", "s3cre7"), "p: ", true); err == nil {
		t.Error("different passphrases accepted")
	}
	if _, err := askPassphrase(&prompts, answers("", ""), "p: ", true); err == nil {
		t.Error("empty new passphrase accepted")
	}
	if p, err := askPassphrase(&prompts, answers("once"), "p: ", false); err != nil || string(p) != "once" {
		t.Errorf("no confirm: %q, %v", p, err)
	}
}

func TestKeysPackageHasNoNetworkCode(t *testing.T) {
	t.Parallel()
	requireTool(t, "go")
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net/http" || dep == "crypto/tls" {
			t.Fatalf("package keys depends on %s; the verifier imports it", dep)
		}
	}
}

func FuzzParsePublicKey(f *testing.F) {
	ed, _ := Generate(Ed25519)
	ec, _ := Generate(ECDSAP256)
	for _, k := range []crypto.Signer{ed, ec} {
		b, _ := manifest.MarshalPublicKeyPEM(k.Public())
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("garbage"))
	f.Add(selfSignedPEM(f, ed))
	f.Add(selfSignedPEM(f, ec))
	f.Fuzz(func(t *testing.T, in []byte) {
		pub, err := manifest.ParsePublicKey(in)
		if err != nil {
			return
		}
		if _, err := manifest.Fingerprint(pub); err != nil {
			t.Fatalf("accepted key has no fingerprint: %v", err)
		}
		// Re-encoding and parsing again gives the same key.
		b, err := manifest.MarshalPublicKeyPEM(pub)
		if err != nil {
			t.Fatal(err)
		}
		again, err := manifest.ParsePublicKey(b)
		if err != nil || !publicKeysEqual(again, pub) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

// TestPassphraseHelper is the child process of TestPassphraseTerminalNoEcho.
func TestPassphraseHelper(t *testing.T) {
	t.Parallel()
	if os.Getenv("KEYS_TEST_TERMINAL_HELPER") != "1" {
		t.Skip("helper process only")
	}
	p, err := PassphraseFromEnvOrTerminal("New passphrase: ", true)()
	if err != nil {
		fmt.Println("helper error:", err)
		os.Exit(1)
	}
	fmt.Printf("helper got sha256 %x\n", sha256.Sum256(p))
	os.Exit(0)
}

// TestPassphraseTerminalNoEcho types a passphrase twice into a real
// pseudo-terminal (driven by Python's pty module) and checks that it is read
// and never echoed.
func TestPassphraseTerminalNoEcho(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	const script = `
import os, pty, select, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.environ.pop(sys.argv[2], None)
    os.environ["KEYS_TEST_TERMINAL_HELPER"] = "1"
    os.execv(sys.argv[1], [sys.argv[1], "-test.run=^TestPassphraseHelper$"])
out = b""
def drain(sec):
    global out
    end = time.time() + sec
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
        if b"passphrase: " in out.split(b"\n")[-1] or b"sha256" in out:
            return
def type_when_echo_off(line):
    # Type only once the reader has switched echo off, as a person would.
    end = time.time() + 5
    while time.time() < end and termios.tcgetattr(fd)[3] & termios.ECHO:
        time.sleep(0.01)
    os.write(fd, line)
drain(5); type_when_echo_off(b"hunter22-secret\n")
drain(5); type_when_echo_off(b"hunter22-secret\n")
drain(5)
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
`
	out := run(t, "python3", "-c", script, os.Args[0], PassphraseEnv)
	want := fmt.Sprintf("helper got sha256 %x", sha256.Sum256([]byte("hunter22-secret")))
	if !bytes.Contains(out, []byte(want)) {
		t.Fatalf("terminal session:\n%s\nwant %q", out, want)
	}
	if bytes.Contains(out, []byte("hunter22")) {
		t.Fatalf("passphrase echoed on the terminal:\n%s", out)
	}
	if !bytes.Contains(out, []byte("Repeat the passphrase")) {
		t.Fatalf("no confirmation asked:\n%s", out)
	}
}

// FuzzDecryptPrivateKey feeds arbitrary key files to the parsing and
// decryption steps of LoadSigner: errors, never a panic.
func FuzzDecryptPrivateKey(f *testing.F) {
	dir := f.TempDir()
	for _, alg := range algorithms {
		key, _ := Generate(alg)
		path := filepath.Join(dir, alg)
		if err := WritePrivate(path, key, []byte("x")); err != nil {
			f.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		priv, err := decryptPrivateKey("fuzz.key", in, staticPassphrase("x"))
		if err == nil && priv == nil {
			t.Fatal("no key and no error")
		}
	})
}

func BenchmarkLoadSigner(b *testing.B) {
	for _, alg := range algorithms {
		b.Run(alg, func(b *testing.B) {
			key, _ := Generate(alg)
			path := filepath.Join(b.TempDir(), "k")
			if err := WritePrivate(path, key, []byte("pw")); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, _, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("pw")}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWritePrivate(b *testing.B) {
	key, _ := Generate(Ed25519)
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		if err := WritePrivate(filepath.Join(dir, fmt.Sprint(i)), key, []byte("pw")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignManifest signs a 4 KiB manifest-sized message.
func BenchmarkSignManifest(b *testing.B) {
	msg := bytes.Repeat([]byte("m"), 4<<10)
	for _, alg := range algorithms {
		b.Run(alg, func(b *testing.B) {
			key, _ := Generate(alg)
			path := filepath.Join(b.TempDir(), "k")
			WritePrivate(path, key, []byte("pw"))
			sv, _, err := loadSigner(path, LoadOptions{Passphrase: staticPassphrase("pw")})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := sv.SignMessage(bytes.NewReader(msg)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParsePublicKeyAndFingerprint(b *testing.B) {
	key, _ := Generate(Ed25519)
	pemBytes, _ := manifest.MarshalPublicKeyPEM(key.Public())
	for b.Loop() {
		pub, err := manifest.ParsePublicKey(pemBytes)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := manifest.Fingerprint(pub); err != nil {
			b.Fatal(err)
		}
	}
}

// loadSigner is what the exporter does with a key file (custody.LoadSigner).
func loadSigner(path string, opts LoadOptions) (signature.SignerVerifier, crypto.PublicKey, error) {
	key, err := LoadKey(path, opts)
	if err != nil {
		return nil, nil, err
	}
	sv, err := signature.LoadSignerVerifier(key, crypto.SHA256)
	return sv, key.Public(), err
}

// TestLoadPKCS12Unregistered: a program that does not import keys/p12
// (custody-verify) refuses a .p12 key file, saying what it reads, before
// asking for a passphrase.
func TestLoadPKCS12Unregistered(t *testing.T) {
	t.Parallel()
	p12 := filepath.Join(t.TempDir(), "doctor.p12")
	if err := os.WriteFile(p12, []byte("a PKCS#12 file"), 0o600); err != nil {
		t.Fatal(err)
	}
	asked := false
	_, err := Load(p12, LoadOptions{Passphrase: func() ([]byte, error) { asked = true; return nil, nil }})
	if err == nil || !strings.Contains(err.Error(), "custody key files only") || asked {
		t.Errorf("Load(%s) = %v (passphrase asked: %v), want a refusal naming what this program reads", p12, err, asked)
	}
}
