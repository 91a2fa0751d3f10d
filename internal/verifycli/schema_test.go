package verifycli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestReportSchema holds the JSON reports of custody-verify to the schema
// published beside docs/verify-json.md: a passed, an indeterminate and a
// failed bundle, one stating its intake, an extracted one, a consistency
// report, a token report and a renewed PDF whose document timestamp is
// reported and not used (INFO with a sub-indication).
func TestReportSchema(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	schemaPath := filepath.Join(filepath.Dir(file), "..", "..", "docs", "verify-report.schema.json")
	c := jsonschema.NewCompiler()
	schema, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}

	vectors := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "vectors", "conformance")
	fx := testbundle.New(t, "ed25519")
	dir := t.TempDir()
	whole := fx.Export(t, testbundle.Sample(), custody.Selection{})
	part := fx.Export(t, testbundle.Sample(), custody.Selection{Messages: "m1,m3"})
	consent := filepath.Join(dir, "consent.pdf")
	if err := os.WriteFile(consent, []byte("%PDF-1.4 consent"), 0o644); err != nil {
		t.Fatal(err)
	}
	stated := fx.ExportOptions(t, testbundle.Sample(), custody.Options{
		Intake: &custody.Intake{Purpose: "second opinion", LegalBasis: "gdpr-9-2-h", ConsentFile: consent}})
	entries := testbundle.ReadEntries(t, whole)
	entries[testbundle.Find(entries, "messages/000002.json")].Data[10] ^= 1
	tampered := filepath.Join(dir, "tampered.custody")
	if err := os.WriteFile(tampered, testbundle.WriteEntries(t, entries), 0o644); err != nil {
		t.Fatal(err)
	}
	extracted := filepath.Join(dir, "extracted")
	for _, e := range testbundle.ReadEntries(t, whole) {
		path := filepath.Join(extracted, filepath.FromSlash(e.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, e.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sig := filepath.Join(dir, "manifest.sig")
	tsr := filepath.Join(dir, "manifest.tsr")
	for name, path := range map[string]string{manifest.SignatureName: sig, manifest.TokenName: tsr} {
		if err := os.WriteFile(path, entries[testbundle.Find(entries, name)].Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	large := filepath.Join(dir, "large.tsr")
	if err := os.WriteFile(large, largeDER(verify.MaxTokenSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--trust", fx.RootPEM, whole},
		{"--trust", fx.RootPEM, stated},
		{whole},
		{"--trust", fx.RootPEM, tampered},
		{"--trust", fx.RootPEM, extracted},
		{"--trust", fx.RootPEM, "--consistent-with", part, whole},
		{"tsr", "--trust", fx.RootPEM, "--data", sig, tsr},
		{"tsr", "--data", tampered, tsr},
		// INFO checks with a sub-indication: a document timestamp not used.
		{"--trust", filepath.Join(vectors, "keys", "tsa-root.pem"), filepath.Join(vectors, "docstamp", "untrusted-tsa.pdf")},
		{"tsr", "--data", sig, large},
	} {
		var out, errOut bytes.Buffer
		if args[0] == "tsr" {
			Run(append([]string{"tsr", "--json"}, args[1:]...), &out, &errOut)
		} else {
			Run(append([]string{"--json"}, args...), &out, &errOut)
		}
		report, err := jsonschema.UnmarshalJSON(bytes.NewReader(firstJSON(t, out.Bytes(), errOut.String())))
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if err := schema.Validate(report); err != nil {
			t.Errorf("%v: the report does not follow the schema: %v\n%s", args, err, out.Bytes())
		}
		// The schema holds the report to something: a check without its
		// sub-indication, or a member it does not document, is refused.
		bad := bytes.Replace(out.Bytes(), []byte(`"report_version"`), []byte(`"undocumented": 1, "report_version"`), 1)
		if report, _ := jsonschema.UnmarshalJSON(bytes.NewReader(firstJSON(t, bad, ""))); schema.Validate(report) == nil {
			t.Errorf("%v: the schema accepts an undocumented member", args)
		}
	}
}

// firstJSON is the first JSON value of out.
func firstJSON(t *testing.T, out []byte, stderr string) []byte {
	t.Helper()
	var v json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(out)).Decode(&v); err != nil {
		t.Fatalf("no JSON report: %v\n%s\n%s", err, out, stderr)
	}
	return v
}
