package layering

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/custody-toolkit/custody/"

// layers, from the bottom. A package must be in exactly one.
var layers = []struct {
	name string
	pkgs []string
}{
	{"leaves", []string{
		"internal/nofollow", "internal/regfile", "internal/atomicfile", "internal/pngrows",
		"internal/cms", "internal/verdict", "internal/lang", "internal/progress", "internal/buildinfo", "keys/internal/bip39",
		"importer/internal/textnorm", "importer/internal/warn",
		"pdf/fonts", "pdf/internal/pdfpack", "pdf/internal/uba", "pdf/internal/gopdf",
		"internal/memlimit", "internal/graceful",
		"manifest/internal/zipwrite", // the bundle's ZIP container, written in bounded memory
		"keys/internal/scryptmem",    // the key file's scrypt in half the memory
	}},
	{"primitives", []string{
		"keys/sigalg", "internal/pdfread", "internal/pdfnorm", "internal/tokencheck",
		"tsa/internal/rfc3161", "pdf/internal/textlayout", "translog",
	}},
	{"formats", []string{
		"manifest", "custodylog", "conversation", "keys",
		"keys/sigstream", // a manifest signed and verified as it streams (Ed25519 over filippo.io/edwards25519)
	}},
	{"rendering", []string{
		"pdf", "record",
	}},
	{"use cases", []string{
		// sealing
		"importer", "importer/whatsapp", "importer/telegram",
		"tsa", "tsa/localtsa", "pdfseal", "custodylog/logwriter", "custody", "translog/rekor", "translog/logserver", "translog/monitor",
		"keys/p12",    // a doctor's PKCS#12 file for keys.Load, linked by custody only
		"keys/pkcs11", // a signing key on a card or HSM (cgo), linked only into custody
		"keys/kms",    // a signing key in Vault, AWS, Google Cloud or Azure (sigstore's providers), linked only into custody
		// verification
		"verify",
	}},
	{"presentation", []string{
		// the verdict in plain words, as a PDF report, in the web page
		"internal/plainverdict", "internal/reportpdf", "internal/webverify", "internal/versioncmd",
	}},
	{"programs", []string{
		"internal/verifycli", "internal/intake", "cmd/custody", "cmd/custody-verify", "cmd/custody-conformance", "web",
	}},
	{"test support", []string{
		"internal/testpki", "internal/testbundle", "internal/testbrowser", "internal/peakrss",
		"internal/pdfnorm/pdfnormtest", "internal/layering", "internal/vectorgen",
		"tsa/internal/tsatest", "internal/rekortest",
	}},
}

// sameLayer are the imports allowed within a layer, and why. Anything
// else within a layer is refused: verify imports no use case of sealing,
// and no writer imports the verifier.
var sameLayer = map[string]string{
	"custodylog -> manifest":                      "a custody event names the bundle's seal and lives in its container",
	"record -> pdf":                               "record lays a bundle out; pdf draws it",
	"importer -> importer/whatsapp":               "the importer reads each chat format through its parser",
	"importer -> importer/telegram":               "the importer reads each chat format through its parser",
	"pdfseal -> tsa":                              "the PDF signature is timestamped through the one TSA client",
	"custody -> pdfseal":                          "the standalone PDF is sealed by pdfseal",
	"custody -> custodylog/logwriter":             "export writes the custody log's first event",
	"cmd/custody -> internal/verifycli":           "custody verify is custody-verify's command",
	"cmd/custody -> internal/intake":              "custody intake serve runs the intake server",
	"cmd/custody-verify -> internal/verifycli":    "custody-verify is its command line",
	"internal/reportpdf -> internal/plainverdict": "the report PDF opens with the verdict in plain words",
	"internal/webverify -> internal/plainverdict": "the web page opens with the verdict in plain words",
	"internal/webverify -> internal/reportpdf":    "the web page offers the same report PDF as custody-verify --report",

	// test support
	"internal/vectorgen -> internal/pdfnorm/pdfnormtest": "the vectors' record.pdf as another compressor, or a forger, writes it",
	"internal/vectorgen -> internal/testpki":             "the vectors' certificates with a negative serial, which Go cannot parse",
}

func layerOf(t *testing.T) map[string]int {
	m := map[string]int{}
	for i, l := range layers {
		for _, p := range l.pkgs {
			if _, dup := m[p]; dup {
				t.Errorf("%s is in two layers", p)
			}
			m[p] = i
		}
	}
	return m
}

// imports lists each package of the module with the module's packages it
// imports (tests excluded: a test may use any package as an oracle).
func imports(t *testing.T) map[string][]string {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		from := strings.TrimPrefix(f[0], module)
		m[from] = []string{}
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, module) {
				m[from] = append(m[from], strings.TrimPrefix(imp, module))
			}
		}
	}
	return m
}

func TestLayers(t *testing.T) {
	layer := layerOf(t)
	used := map[string]bool{}
	for from, imps := range imports(t) {
		lf, ok := layer[from]
		if !ok {
			t.Errorf("package %s is in no layer: place it in layering_test.go and docs/architecture.md", from)
			continue
		}
		for _, to := range imps {
			lt := layer[to]
			edge := from + " -> " + to
			switch {
			case lt < lf:
			case lt == lf && sameLayer[edge] != "":
				used[edge] = true
			case lt == lf:
				t.Errorf("%s: both in layer %q, and the edge is not one of those allowed", edge, layers[lf].name)
			default:
				t.Errorf("%s: layer %q imports layer %q above it", edge, layers[lf].name, layers[lt].name)
			}
		}
	}
	for edge := range sameLayer {
		if !used[edge] {
			t.Errorf("allowed edge %s is not used any more: remove it", edge)
		}
	}
}

// Leaves import nothing of the module: they are what every layer above
// may share without pulling anything else in.
func TestLeaves(t *testing.T) {
	all := imports(t)
	for _, p := range layers[0].pkgs {
		if len(all[p]) > 0 {
			t.Errorf("leaf %s imports %v", p, all[p])
		}
	}
}

// What only asks for timestamps links the RFC 3161 client, not the local
// authority (its signing key files, HTTP server and init): the authority
// is for `custody tsa` and for tests.
func TestTimestampClientsLinkNoAuthority(t *testing.T) {
	for _, p := range []string{"tsa", "pdfseal", "custody", "custodylog/logwriter", "cmd/custody-verify"} {
		cmd := exec.Command("go", "list", "-deps", "./"+p)
		cmd.Dir = "../.."
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), module+"tsa/localtsa\n") {
			t.Errorf("%s links tsa/localtsa, the local TSA server", p)
		}
	}
}
