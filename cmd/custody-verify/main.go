// Command custody-verify checks a custody evidence bundle offline:
// container, file digests, hash chain, signature, signer identity and
// RFC 3161 timestamps. It has no network code at all.
//
//	custody-verify --trust tsa-root.pem --signer FINGERPRINT case.custody
//	custody-verify tsr --data FILE --trust ROOTS.pem TOKEN.tsr
//
// Exit codes (ETSI EN 319 102-1): 0 PASSED, 1 FAILED, 3 INDETERMINATE,
// 2 usage error or unreadable input.
package main

import (
	"os"

	"github.com/custody-toolkit/custody/internal/verifycli"
)

func main() { os.Exit(verifycli.Main()) }
