// Command custody-verify checks a custody evidence bundle offline:
// container, file digests, hash chain, signature, signer identity and
// RFC 3161 timestamps. It has no network code at all.
//
//	custody-verify --trust tsa-root.pem --signer FINGERPRINT case.custody
//	custody-verify --trust tsa-root.pem case.pdf      # a standalone PDF
//	custody-verify --trust tsa-root.pem case/         # an extracted bundle
//	custody-verify tsr --data FILE --trust ROOTS.pem TOKEN.tsr
//
// Exit codes (ETSI EN 319 102-1): 0 PASSED, 1 FAILED, 3 INDETERMINATE
// (also for intact content in a container that is not the sealed one:
// re-zipped, re-saved, extracted), 2 usage error, unreadable input, or not
// a custody file.
package main

import (
	"os"

	"github.com/custody-toolkit/custody/internal/memlimit"
	"github.com/custody-toolkit/custody/internal/verifycli"
)

func main() {
	memlimit.Apply(memlimit.Verify)
	os.Exit(verifycli.Main())
}
