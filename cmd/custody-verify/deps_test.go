package main

import (
	"os/exec"
	"strings"
	"testing"
)

// deps lists what custody-verify links, and which of it is third-party.
func deps(t *testing.T) (all, thirdParty []string) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		all = append(all, path)
		if std == "false" && !strings.HasPrefix(path, "github.com/custody-toolkit/custody/") {
			thirdParty = append(thirdParty, path)
		}
	}
	return all, thirdParty
}

// The verifier is attacked by the files it reads and must be trusted
// offline: it must not contain network code, the exporter, the TSA server,
// the signing stack, or a lenient CMS parser.
func TestVerifierDependencies(t *testing.T) {
	all, _ := deps(t)
	forbidden := []string{
		"net/http", "crypto/tls",
		"github.com/custody-toolkit/custody/custody",
		"github.com/custody-toolkit/custody/tsa",
		"github.com/custody-toolkit/custody/pdfseal",
		"github.com/custody-toolkit/custody/importer",
		// keys (for --record) may use sigstore's key encryption
		// (pkg/cryptoutils), never its signing stack.
		"github.com/sigstore/sigstore/pkg/signature", "github.com/digitorus/pdfsign",
		// CMS (tokens, the PDF's signature) is read by verify's own strict
		// DER parser; a lenient BER library would let bytes go unread.
		"github.com/digitorus/pkcs7",
		// the Rekor client: the verifier reads stored entries only
		"github.com/sigstore/rekor-tiles/", "google.golang.org/grpc",
		"github.com/custody-toolkit/custody/translog/rekor",
		// translog reads a stored entry with its own strict reader of
		// the one message; Sigstore's generated types and protojson are
		// the writer's (translog/rekor).
		"google.golang.org/protobuf", "github.com/sigstore/protobuf-specs",
		// --record signs with a custody key file; a doctor's PKCS#12 file
		// is the exporter's (keys/p12).
		"software.sslmate.com/src/go-pkcs12",
		// nor a KMS key: keys/kms links the clouds' SDKs.
		"github.com/custody-toolkit/custody/keys/kms",
	}
	for _, dep := range all {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f) && strings.HasSuffix(f, "/") || strings.HasPrefix(dep, f+"/") {
				t.Errorf("custody-verify depends on %s", dep)
			}
		}
	}
}

// thirdPartyAllowed is every third-party module custody-verify may link,
// with why. A new one fails the test: the verifier links only what it
// checks with (docs/architecture.md).
var thirdPartyAllowed = map[string]string{
	"github.com/transparency-dev/merkle": "the bundle's Merkle tree (manifest)",
	"golang.org/x/sys/unix":              "flock for --record's append, atomic writes",
	"github.com/spf13/cobra":             "the command line",
	"github.com/spf13/pflag":             "the command line",
	// keys, for --record: an encrypted key and its passphrase.
	"github.com/sigstore/sigstore/pkg/cryptoutils":                "--record: the encrypted key's format",
	"github.com/secure-systems-lab/go-securesystemslib/encrypted": "--record: the encrypted key's format",
	"github.com/youmark/pkcs8":                                    "--record: PKCS#8 keys",
	"golang.org/x/crypto":                                         "--record: scrypt, secretbox, pbkdf2 of the encrypted key; internal/cms's cryptobyte (the CMS builder is linked, unused); ocsp, to read the OCSP responses a bundle carries (docs/long-term.md)",
	"golang.org/x/term":                                           "--record: the passphrase prompt",
	// The rendering check renders a bundle again and compares
	// (docs/architecture.md, "What the verifier links").
	"github.com/signintech/gopdf":  "the rendering check: the renderer's PDF writer",
	"github.com/phpdave11/gofpdi":  "the rendering check: gopdf's dependency",
	"github.com/pkg/errors":        "the rendering check: gopdf's dependency",
	"github.com/boombuler/barcode": "the rendering check: the QR code of each page",
	"golang.org/x/image":           "the rendering check: the fonts and their metrics",
	"golang.org/x/text":            "the rendering check: bidirectional text, gopdf's encodings",
	// --trust-log: a v4 bundle's transparency log entry, checked offline
	// (translog, which reads the entry's JSON itself); the Rekor client
	// (rekor-tiles) and protobuf are not linked.
	"github.com/cyberphone/json-canonicalization": "--trust-log: the entry's one encoding (RFC 8785)",
	"github.com/transparency-dev/formats/log":     "--trust-log: the log's checkpoint",
	"golang.org/x/mod/sumdb/note":                 "--trust-log: the checkpoint's signed note",
	// The manifest's Ed25519 signature verified as it streams
	// (keys/sigstream): crypto/ed25519 verifies only a slice.
	"filippo.io/edwards25519": "the manifest's signature, verified over a stream",
}

func TestVerifierThirdParty(t *testing.T) {
	_, third := deps(t)
	for _, dep := range third {
		ok := false
		for mod := range thirdPartyAllowed {
			ok = ok || dep == mod || strings.HasPrefix(dep, mod+"/")
		}
		if !ok {
			t.Errorf("custody-verify links %s, which is not in thirdPartyAllowed", dep)
		}
	}
}

// maxPackages bounds what custody-verify links, standard library
// included: 260 on 2026-12-03, after translog's own entry reader replaced
// protobuf (299 before; 239 before the transparency check); 264 on
// 2026-12-04: three for the manifest's signature verified over a stream
// (keys/sigstream, filippo.io/edwards25519 and its field), one for
// manifest/internal/zipwrite, manifest's ZIP writer (the verifier links
// manifest to read bundles, and since 2026-12-04 the writer's code too:
// `--record` appends its event through Bundle.AppendEntries, in place of
// archive/zip's Writer); 265 with keys/internal/scryptmem, which unlocks the key
// file of `custody-verify --record --key` (an expert's signed event) in
// half the memory. Raise it only for a package the verifier checks with,
// and say so in docs/architecture.md.
const maxPackages = 265

func TestVerifierPackageCount(t *testing.T) {
	if all, _ := deps(t); len(all) > maxPackages {
		t.Errorf("custody-verify links %d packages, more than %d", len(all), maxPackages)
	}
}
