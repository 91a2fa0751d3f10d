package atomicfile

import (
	"os"
	"path/filepath"
)

// Scratch creates a file in dir for data a process needs only while it
// runs (an exporter's spools of a patient's messages, kept beside the
// output rather than in the system's temporary folder), such that a crash
// leaves nothing visible: on Linux it is unnamed from the start (O_TMPFILE);
// elsewhere it gets a temporary name that is unlinked at once, where the
// system allows it (not Windows, which refuses to unlink an open file:
// there a crash can leave ".scratch-*"). Close it with the function
// returned, which also removes a name that could not be unlinked.
func Scratch(dir string) (*os.File, func(), error) {
	if tryUnnamed {
		f, err := createUnnamed(dir, filepath.Join(dir, ".scratch"))
		if err == nil {
			return f, func() { f.Close() }, nil
		}
		if err != errUnsupported {
			return nil, nil, err
		}
	}
	f, err := os.CreateTemp(dir, ".scratch-*")
	if err != nil {
		return nil, nil, err
	}
	if os.Remove(f.Name()) == nil {
		return f, func() { f.Close() }, nil
	}
	return f, func() { f.Close(); os.Remove(f.Name()) }, nil
}
