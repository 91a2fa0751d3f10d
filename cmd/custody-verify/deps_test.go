package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The verifier is attacked by the files it reads and must be trusted
// offline: it must not contain network code, the exporter, the TSA server,
// the signing stack, or a lenient CMS parser.
func TestVerifierDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{
		"net/http", "crypto/tls",
		"github.com/custody-toolkit/custody/custody",
		"github.com/custody-toolkit/custody/tsa",
		"github.com/custody-toolkit/custody/pdfseal",
		// keys (for --record) may use sigstore's key encryption
		// (pkg/cryptoutils), never its signing stack.
		"github.com/sigstore/sigstore/pkg/signature", "github.com/digitorus/pdfsign",
		// CMS (tokens, the PDF's signature) is read by verify's own strict
		// DER parser; a lenient BER library would let bytes go unread.
		"github.com/digitorus/pkcs7",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f) && strings.HasSuffix(f, "/") || strings.HasPrefix(dep, f+"/") {
				t.Errorf("custody-verify depends on %s", dep)
			}
		}
	}
}
