package verify_test

import (
	"testing"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestManifestTooLargeToRead: a manifest larger than this verifier reads
// (manifest.MaxManifestSize, a limit of the reader that the format does
// not state, and that an exporter of about 160,000 messages passes)
// cannot be checked: INDETERMINATE, never FAILED, in a canonical
// container and in a repacked one.
func TestManifestTooLargeToRead(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a bundle of 64 MiB")
	}
	entries := []testbundle.Entry{
		{Name: manifest.MimetypeName, Data: []byte(manifest.MediaType)},
		{Name: manifest.ManifestName, Data: make([]byte, manifest.MaxManifestSize+1)},
	}
	for name, data := range map[string][]byte{
		"canonical": testbundle.WriteEntries(t, entries),
		"repacked":  testbundle.Rezip(t, entries),
	} {
		rep := verifyBytes(t, data, verify.Options{})
		if rep.Result != verify.Indeterminate {
			t.Errorf("%s: %s, want INDETERMINATE: %+v", name, rep.Result, rep.Checks)
		}
		t.Logf("%s: %+v", name, rep.Checks)
	}
}
