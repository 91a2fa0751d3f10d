package custody_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/importer"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// TestCorpusExportsVerify takes every real-world export of the shared
// corpus (WhatsApp in several locales and both platforms, Telegram, a
// Signal-style text) straight through the exporter, as a practice would with
// `custody export --in SRC`, and verifies the bundle: PASSED, every message
// sealed, the original export carried byte for byte under sources/.
func TestCorpusExportsVerify(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not present: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "whatsapp", "*"))
	tg, _ := filepath.Glob(filepath.Join(root, "telegram", "*.json"))
	files = append(append(files, tg...), filepath.Join(root, "signal", "chatminer-signal-export.txt"))
	// Two synthetic files cannot tell their date order by themselves (the
	// importer refuses to guess); SOURCES.tsv says which they are.
	orders := map[string]string{"cm-old-android-nbsp-in-p.m.txt": "mdy", "cm-old-ios-bracket-sec-p.m.txt": "dmy"}
	fx := testbundle.New(t, "ed25519")
	for _, f := range files {
		base := filepath.Base(f)
		if strings.Contains(base, "NOT-desktop") {
			continue // not an export the importers accept: refused in importer's tests
		}
		t.Run(base, func(t *testing.T) {
			// Not about roles: everyone is stated a patient.
			conv, cleanup, err := importer.Open(f, importer.Options{DateOrder: orders[base], TimeZone: "Europe/Madrid", DefaultRole: "patient"})
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			out := filepath.Join(t.TempDir(), "case.custody")
			_, err = custody.Export(context.Background(), conv, custody.Options{
				Out: out, Signer: fx.Signer, Timestampers: []custody.Timestamper{fx},
			})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := verify.File(out, verify.Options{Trust: fx.Roots})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Result != verify.Passed || rep.Messages != conv.Len() {
				t.Fatalf("%s, %d of %d messages: %+v", rep.Result, rep.Messages, conv.Len(), rep.Checks)
			}
			m := testbundle.Manifest(t, testbundle.ReadEntries(t, out))
			if len(m.Conversation.Sources) != 1 {
				t.Errorf("sources %+v, want the original export", m.Conversation.Sources)
			}
		})
	}
}
