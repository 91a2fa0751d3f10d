package tsa

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"github.com/custody-toolkit/custody/tsa/localtsa"
)

// newTestAuthority creates an authority in a temporary directory, with its
// clock fixed at now (zero: the real clock).
func newTestAuthority(t testing.TB, now time.Time) (dir string, a *localtsa.Authority) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "tsa")
	if err := localtsa.Init(dir); err != nil {
		t.Fatal(err)
	}
	a, err := localtsa.LoadAuthority(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !now.IsZero() {
		a.Now = func() time.Time { return now }
	}
	return dir, a
}

// The helpers of tsatest, under the names these tests use.
var (
	marshalReq = tsatest.MarshalReq
	imprint    = tsatest.Imprint
	oidFor     = tsatest.OIDFor
	openssl    = tsatest.OpenSSL
	runOpenSSL = tsatest.RunOpenSSL
	writeFile  = tsatest.WriteFile
	readFile   = tsatest.ReadFile
)
