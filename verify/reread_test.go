package verify_test

import (
	"bytes"
	"os"
	"sync/atomic"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// changingReader serves data, with one byte changed once change is set.
type changingReader struct {
	data   []byte
	at     int
	change atomic.Bool
}

func (r *changingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := bytes.NewReader(r.data).ReadAt(p, off)
	if i := int64(r.at) - off; r.change.Load() && i >= 0 && i < int64(n) {
		p[i] ^= 0x20
	}
	return n, err
}

// TestManifestChangedWhileRead: the checks after the manifest's read its
// messages again from the bundle, when it is streamed (a manifest of more
// than heldManifestMax bytes); when manifest.json is then not the bytes
// whose signature was checked (the file changed while it was being
// verified), the check that read it is INDETERMINATE (TRY_LATER), and no
// verdict is drawn from bytes other than the checked ones. A smaller
// manifest is parsed from the bytes checked, and not read again.
func TestManifestChangedWhileRead(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	data, err := os.ReadFile(fx.Export(t, testbundle.Sample(), custody.Selection{}))
	if err != nil {
		t.Fatal(err)
	}
	messages := bytes.Index(data, []byte(`"messages":[{`))
	id := bytes.Index(data[messages:], []byte(`"id":"`))
	if messages < 0 || id < 0 {
		t.Fatal("no message id in the manifest")
	}
	for _, streamed := range []bool{true, false} {
		r := &changingReader{data: data, at: messages + id + len(`"id":"`)}
		opts := verify.Options{Trust: fx.Roots, Progress: func(step string, _, _ int64) {
			if step == "files" {
				r.change.Store(true) // after the manifest's check, before the messages'
			}
		}}
		if streamed {
			opts = verify.StreamingManifest(opts)
		}
		rep, err := verify.Bundle(r, int64(len(data)), opts)
		if err != nil {
			t.Fatal(err)
		}
		last := rep.Checks[len(rep.Checks)-1]
		switch {
		case streamed && (rep.Result != verify.Indeterminate || last.Name != "messages" || last.Status != verify.Indeterminate || last.Sub != verify.TryLater):
			t.Errorf("streamed: result %s, last check %+v; want messages INDETERMINATE (TRY_LATER)", rep.Result, last)
		case !streamed && rep.Result != verify.Passed:
			t.Errorf("held: result %s, last check %+v; want PASSED, from the bytes checked", rep.Result, last)
		}
	}
}
