package custody

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/manifest"
)

// What an export writes grows with the conversation in three lists: the
// disclosed message entries (read again by the rendering), and the
// manifest's messages and withheld leaves (read again when the manifest is
// encoded, after the last message). None is held: each is spooled to a
// file, one element at a time, as the messages are written.
//
// The files lie next to the bundle being written (the exporter's own
// folder, not the system's temporary one: they are a patient's messages)
// and have no name there (atomicfile.Scratch: unnamed on Linux, unlinked
// at once elsewhere), so that a crash, a kill or a power cut leaves
// nothing behind: the open descriptor is the only way to them, and the
// kernel frees them when it closes. Only where the system refuses to
// unlink an open file (Windows) can a crash leave one (.scratch-*).

// spool is a file of values of type T, each its canonical JSON, length
// first, read back in order as the verifier reads them (manifest.Unmarshal).
type spool[T any] struct {
	f     *os.File
	w     *bufio.Writer
	close func()
}

func newSpool[T any](dir string) (*spool[T], error) {
	f, closeFile, err := atomicfile.Scratch(dir)
	if err != nil {
		return nil, err
	}
	return &spool[T]{f: f, w: bufio.NewWriter(f), close: closeFile}, nil
}

// add appends v.
func (s *spool[T]) add(v *T) error {
	data, err := manifest.Marshal(v)
	if err != nil {
		return err
	}
	s.w.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
	_, err = s.w.Write(data)
	return err
}

// each hands the values to yield in order, read again from the file.
func (s *spool[T]) each(yield func(*T) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	r := bufio.NewReader(io.NewSectionReader(s.f, 0, 1<<62))
	var size [4]byte
	for {
		if _, err := io.ReadFull(r, size[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the spooled values back: %w", err)
		}
		data := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(r, data); err != nil {
			return fmt.Errorf("reading the spooled values back: %w", err)
		}
		v := new(T)
		if err := manifest.Unmarshal(data, v); err != nil {
			return fmt.Errorf("reading the spooled values back: %w", err)
		}
		if err := yield(v); err != nil {
			return err
		}
	}
}

// remove closes the file (and deletes it, where it could not be unlinked
// at creation); nil is a spool never made.
func (s *spool[T]) remove() {
	if s == nil {
		return
	}
	s.close()
}
