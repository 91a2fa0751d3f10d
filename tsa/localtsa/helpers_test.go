package localtsa

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
)

// newTestAuthority creates an authority in a temporary directory, with its
// clock fixed at now (zero: the real clock).
func newTestAuthority(t testing.TB, now time.Time) (dir string, a *Authority) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "tsa")
	if err := Init(dir); err != nil {
		t.Fatal(err)
	}
	a, err := LoadAuthority(dir)
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
	writeFile  = tsatest.WriteFile
	readFile   = tsatest.ReadFile
)
