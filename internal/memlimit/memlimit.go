// Package memlimit sets the soft memory limit of the custody commands.
//
// Go's garbage collector lets the heap grow to twice what was live after
// the last collection (GOGC=100). A verification of 30,000 messages holds
// about 50 MB live (the parsed manifest, the ZIP directory, the message
// facts, the record being laid out), so its resident memory peaked near
// 120 MB although nothing needed it. A soft limit (runtime/debug
// SetMemoryLimit) makes the collector run earlier instead, and only when
// the heap nears the limit; it is not a cap: a process that truly needs
// more gets more, the collector then using at most about half the CPU.
package memlimit

import (
	"os"
	"runtime/debug"
)

// Limit is the soft memory limit, in bytes, of the Go heap and runtime.
// Resident memory adds the program's code and stacks: about 10 MB more for
// custody-verify, about 33 MB for custody (its code, the cloud KMS clients
// included, is resident once loaded; shared and reclaimable, but counted).
const Limit = 72 << 20

// Apply sets Limit, unless the user chose a limit with GOMEMLIMIT.
func Apply() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(Limit)
	}
}
