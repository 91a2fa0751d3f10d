package manifest_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
)

// TestOpenRepackedEntryCap: a repacked container of more than MaxEntries
// records is refused before archive/zip parses its directory (about 300
// bytes a record, held): as a bundle that breaks the cap when a record
// has a bundle's name, as not a bundle otherwise (what archive/zip's
// reader said of such a ZIP before).
func TestOpenRepackedEntryCap(t *testing.T) {
	data := testbundle.ManyEntries(manifest.MaxEntries + 1)
	var err error
	alloc := allocated(func() { _, err = manifest.OpenRepacked(bytes.NewReader(data), int64(len(data))) })
	var cerr *manifest.ContainerError
	if !errors.As(err, &cerr) {
		t.Fatalf("error %v; want a ContainerError", err)
	}
	t.Logf("%d bytes: %v, %d MB allocated", len(data), err, alloc>>20)
	if alloc > int64(len(data)) {
		t.Errorf("allocated %d bytes for a %d-byte input", alloc, len(data))
	}
	foreign := bytes.Replace(data, []byte("mimetype"), []byte("mimetypf"), -1)
	if _, err := manifest.OpenRepacked(bytes.NewReader(foreign), int64(len(foreign))); !errors.Is(err, manifest.ErrNotBundle) {
		t.Fatalf("a ZIP of %d records without a bundle's names: %v, want ErrNotBundle", manifest.MaxEntries+1, err)
	}
}
