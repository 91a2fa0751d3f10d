package localtsa

import (
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
)

// newTestAuthority creates an authority in a temporary directory, with its
// clock fixed at now (zero: the real clock).
func newTestAuthority(t testing.TB, now time.Time) (dir string, a *Authority) {
	dir, a = tsatest.NewAuthority(t, Init, LoadAuthority)
	a.Now = tsatest.Clock(now)
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
