package custody

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/custody-toolkit/custody/manifest"
)

// entrySpool keeps the disclosed message entries for the rendering, which
// lays them out in passes after they were sealed: on disk, next to the
// bundle being written (the exporter's own folder, not the system's
// temporary one: they are a patient's messages), so that the export holds
// one message at a time. Each entry is its sealed JSON, length first; the
// rendering reads it back as the verifier reads it from the bundle.
type entrySpool struct {
	f *os.File
	w *bufio.Writer
}

func newEntrySpool(dir string) (*entrySpool, error) {
	f, err := os.CreateTemp(dir, ".custody-entries-*")
	if err != nil {
		return nil, err
	}
	return &entrySpool{f: f, w: bufio.NewWriter(f)}, nil
}

// add appends an entry.
func (s *entrySpool) add(e *manifest.MessageEntry) error {
	data, err := manifest.Marshal(e)
	if err != nil {
		return err
	}
	s.w.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
	_, err = s.w.Write(data)
	return err
}

// each hands the entries to yield in order, read again from the file
// (record.Content.EachEntry).
func (s *entrySpool) each(yield func(*manifest.MessageEntry) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	r := bufio.NewReader(io.NewSectionReader(s.f, 0, 1<<62))
	var size [4]byte
	for {
		if _, err := io.ReadFull(r, size[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the entries back: %w", err)
		}
		data := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(r, data); err != nil {
			return fmt.Errorf("reading the entries back: %w", err)
		}
		e, err := manifest.ParseMessageEntry(data)
		if err != nil {
			return fmt.Errorf("reading the entries back: %w", err)
		}
		if err := yield(e); err != nil {
			return err
		}
	}
}

// remove deletes the file.
func (s *entrySpool) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}
