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
//
// The goal is a peak resident memory under 100 MB whatever the input. The
// limit counts the Go heap and runtime, not the program's code, which is
// resident too, and what a command holds live differs: so each command
// has its own limit, measured (docs/performance.md, section expcap).
package memlimit

import (
	"os"
	"runtime/debug"
)

// Verify is the limit of the commands that verify a bundle (custody-verify;
// custody render, log, disclose) and of custody's others: a verification
// of the largest bundles holds more than Export allows (custody render of
// 158,000 messages: about 52 MB live at its peak, since the manifest's
// file list and the bundle's entry names are held compactly; 65 MB
// before, when 72 MiB was the least its collector ran at without nearly
// twice the CPU). At 64 MiB that render peaks at 89.6 MB resident for
// 51 s of CPU (97–99 MB, 43 s at 72 MiB; 89 MB, 59 s at 60 MiB),
// custody-verify of it at 74 MB for 30 s (82 MB, 24 s at 72 MiB)
// (docs/performance.md, section filelist). custody-verify's code is
// about 10 MB resident, custody's about 33 MB (the cloud KMS clients
// included: shared and reclaimable, but counted; 27 to 39 MB for the
// whole process at rest, depending on how the page cache holds the
// binary).
const Verify = 64 << 20

// Export is custody export's limit: the largest export it accepts
// (158,000 messages, a manifest near 64 MiB) holds about 42 MB live with
// record.pdf, and custody's code adds about 33 MB resident. At 56 MiB its
// peak is 87–88 MB resident for no measurable CPU; at 72 MiB it was
// 95–104 MB. export-batch's too: its exports run at once, but within a
// budget of messages (cmd/custody's batchMessageBudget) that the largest
// single export fills alone.
const Export = 56 << 20

// Apply sets limit (bytes), unless the user chose a limit with GOMEMLIMIT.
func Apply(limit int64) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
}
