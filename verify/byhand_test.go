package verify_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
)

// byHandScript extracts the sh block of docs/verify-by-hand.md: the test
// runs the documentation itself, so the documented commands stay true.
func byHandScript(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "verify-by-hand.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) < 2 {
		t.Fatal("docs/verify-by-hand.md: want the main sh block and the v2 tree block")
	}
	var script string
	for _, b := range blocks {
		script += string(b[1])
	}
	return script
}

func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (.ci/run installs it)", tool)
		}
	}
}

func runByHand(t *testing.T, bundle, root string) (string, error) {
	dir := t.TempDir()
	cmd := exec.Command("bash", "-c", byHandScript(t))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BUNDLE="+bundle, "ROOT="+root)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestVerifyByHand(t *testing.T) {
	t.Parallel()
	requireTools(t, "bash", "unzip", "jq", "sha256sum", "xxd", "openssl", "dd")
	for _, alg := range []string{"ed25519", "ecdsa-p256"} {
		t.Run(alg, func(t *testing.T) {
			if testing.Short() && alg != "ecdsa-p256" {
				t.Skip("-short: the default algorithm's commands only; --full (CI) runs the Ed25519 ones too")
			}
			fx := testbundle.New(t, alg)
			bundle := fx.Export(t, testbundle.Sample(), custody.Selection{})
			out, err := runByHand(t, bundle, fx.RootPEM)
			if err != nil {
				t.Fatalf("the documented commands failed on a valid bundle: %v\n%s", err, out)
			}
			fp, _ := manifest.Fingerprint(fx.PublicKey)
			for _, want := range []string{"chain: 7 messages", "signer: " + fp, "Verification: OK", "tree: 7 messages, 7 disclosed"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
	t.Run("a selection: the tree over withheld leaves", func(t *testing.T) {
		fx := testbundle.New(t, "ed25519")
		out, err := runByHand(t, fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"}), fx.RootPEM)
		if err != nil || !strings.Contains(out, "tree: 7 messages, 2 disclosed") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("catches tampering", func(t *testing.T) {
		fx := testbundle.New(t, "ed25519")
		entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
		i := testbundle.Find(entries, "messages/000002.json")
		entries[i].Data = []byte(strings.Replace(string(entries[i].Data), "PCR", "PCT", 1))
		bad := filepath.Join(t.TempDir(), "bad.custody")
		os.WriteFile(bad, testbundle.WriteEntries(t, entries), 0o644)
		if out, err := runByHand(t, bad, fx.RootPEM); err == nil {
			t.Fatalf("the documented commands accepted an altered message:\n%s", out)
		}
	})
	t.Run("rejects an untrusted TSA", func(t *testing.T) {
		fx, other := testbundle.New(t, "ed25519"), testbundle.New(t, "ed25519")
		if out, err := runByHand(t, fx.Export(t, testbundle.Sample(), custody.Selection{}), other.RootPEM); err == nil {
			t.Fatalf("openssl accepted a token under another root:\n%s", out)
		}
	})
}
