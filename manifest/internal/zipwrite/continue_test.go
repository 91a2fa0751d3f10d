package zipwrite

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"testing"
)

// TestContinueWritesNewsBytes: a container continued with entries is,
// byte for byte, the container New writes with all of them at once, for
// every shape of TestSameBytesAsArchiveZip cut at several places, and
// where the entries added bring in the Zip64 end records (65,535 entries)
// or find them there already.
func TestContinueWritesNewsBytes(t *testing.T) {
	shapes := map[string]struct {
		entries []spec
		cuts    []int // how many entries the container continued holds
	}{
		"sized":                          {many(20, 0), []int{0, 1, 10, 19, 20}},
		"mixed":                          {many(200, 3), []int{1, 3, 4, 199}},
		"long name":                      {[]spec{{name: "a", data: []byte("x")}, {name: string(bytes.Repeat([]byte("n"), 65535)), data: []byte("y"), streamed: true}, {name: "b", data: nil}}, []int{1, 2}},
		"into Zip64 end records":         {many(65_537, 7), []int{65_531, 65_534}},
		"with Zip64 end records already": {many(70_000, 10), []int{65_535, 69_997}},
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			var want bytes.Buffer
			withZipwrite(t, &want, shape.entries)
			for _, cut := range shape.cuts {
				var old, got bytes.Buffer
				withZipwrite(t, &old, shape.entries[:cut])
				entries, dir := sections(t, old.Bytes())
				zw, err := Continue(&got, entries, dir)
				if err != nil {
					t.Fatal(err)
				}
				add(t, zw, shape.entries[cut:])
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("%d entries and %d added: %d bytes, New wrote %d; first difference at byte %d",
						cut, len(shape.entries)-cut, got.Len(), want.Len(), firstDifference(got.Bytes(), want.Bytes()))
				}
			}
		})
	}
}

// TestContinuePast4GiB: the same where the sizes and offsets of the
// container continued, or of the entries added, pass 2³²−1.
func TestContinuePast4GiB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 3 × 4 GiB")
	}
	small := func(name string) spec { return spec{name: name, data: []byte(name)} }
	shapes := map[string]struct {
		entries []spec
		cut     int
	}{
		// The old records have Zip64 fields; the entries added, offsets past 2³²−1.
		"continued past 4 GiB": {[]spec{small("mimetype"), {name: "sized-4GiB", zeros: 1 << 32}, small("after"), small("added"), {name: "attachments/added", data: []byte("s"), streamed: true}}, 3},
		// No Zip64 in the container continued, whose directory starts
		// 10 bytes before 2³²−1: the second entry added starts past it.
		"added past 4 GiB": {[]spec{small("mimetype"), {name: "attachments/a", zeros: 1<<32 - 1 - 10 - (30 + 8 + 8) - (30 + 13 + 16), streamed: true}, small("x"), small("past")}, 2},
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			want, got := &zeroRuns{}, &zeroRuns{}
			withZipwrite(t, want, shape.entries)
			old := &zeroRuns{}
			withZipwrite(t, old, shape.entries[:shape.cut])
			entries, dir := sectionsOf(t, old)
			zw, err := Continue(got, entries, dir)
			if err != nil {
				t.Fatal(err)
			}
			add(t, zw, shape.entries[shape.cut:])
			if !want.equal(got) {
				t.Errorf("the containers differ: %d parts, New %d", len(got.parts), len(want.parts))
			}
		})
	}
}

// add writes the entries to zw, ending each, and closes it.
func add(t testing.TB, zw *Writer, entries []spec) {
	t.Helper()
	for _, s := range entries {
		var w io.Writer
		var err error
		if s.streamed {
			w, err = zw.CreateStreamed(s.name)
		} else {
			w, err = zw.CreateSized(s.name, s.size(), s.crc())
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyBuffer(w, s.content(), copyBuffer); err != nil {
			t.Fatal(err)
		}
		if err := zw.EndEntry(); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// sections are a container's entries and central-directory records, as
// its end records say.
func sections(t testing.TB, data []byte) (entries, dir *io.SectionReader) {
	t.Helper()
	start, end := directoryOf(t, bytes.NewReader(data), int64(len(data)))
	r := bytes.NewReader(data)
	return io.NewSectionReader(r, 0, start), io.NewSectionReader(r, start, end-start)
}

func sectionsOf(t testing.TB, z *zeroRuns) (entries, dir *io.SectionReader) {
	t.Helper()
	r := z.readerAt()
	start, end := directoryOf(t, r, z.size())
	return io.NewSectionReader(r, 0, start), io.NewSectionReader(r, start, end-start)
}

// directoryOf finds where a container's central directory starts and
// ends, from its end record and, when that one's fields are saturated,
// the Zip64 end record before it.
func directoryOf(t testing.TB, r io.ReaderAt, size int64) (start, end int64) {
	t.Helper()
	e := make([]byte, endLen)
	if _, err := r.ReadAt(e, size-endLen); err != nil || binary.LittleEndian.Uint32(e) != 0x06054b50 {
		t.Fatalf("no end record: %v", err)
	}
	u16, u32, u64 := binary.LittleEndian.Uint16, binary.LittleEndian.Uint32, binary.LittleEndian.Uint64
	if u16(e[10:]) != uint16max && u32(e[12:]) != uint32max && u32(e[16:]) != uint32max {
		start = int64(u32(e[16:]))
		return start, start + int64(u32(e[12:]))
	}
	z := make([]byte, end64Len)
	if _, err := r.ReadAt(z, size-endLen-end64LocatorLen-end64Len); err != nil || u32(z) != 0x06064b50 {
		t.Fatalf("no Zip64 end record: %v", err)
	}
	start = int64(u64(z[48:]))
	return start, start + int64(u64(z[40:]))
}

// TestContinueRefusesABrokenDirectory: the directory continued must be
// whole records; a short container, or a directory that is not one, is
// an error rather than a container with a hole.
func TestContinueRefusesABrokenDirectory(t *testing.T) {
	var old bytes.Buffer
	withZipwrite(t, &old, many(5, 2))
	data := old.Bytes()
	entries, dir := sections(t, data)
	start, end := directoryOf(t, bytes.NewReader(data), int64(len(data)))
	r := bytes.NewReader(data)
	cases := map[string]struct{ entries, dir *io.SectionReader }{
		"directory cut inside a record": {entries, io.NewSectionReader(r, start, end-start-1)},
		"not a directory":               {entries, io.NewSectionReader(r, 0, end-start)},
		"entries past the end":          {io.NewSectionReader(bytes.NewReader(data[:10]), 0, entries.Size()), dir},
	}
	for name, c := range cases {
		zw, err := Continue(io.Discard, c.entries, c.dir)
		if err == nil {
			err = zw.Close()
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// readerAt reads the stream z recorded.
func (z *zeroRuns) readerAt() io.ReaderAt {
	starts := make([]int64, len(z.parts)+1)
	for i, p := range z.parts {
		starts[i+1] = starts[i] + max(p.zeros, 1)
	}
	return zeroRunsReader{z, starts}
}

func (z *zeroRuns) size() int64 {
	var n int64
	for _, p := range z.parts {
		n += max(p.zeros, 1)
	}
	return n
}

type zeroRunsReader struct {
	z      *zeroRuns
	starts []int64 // of each part, and the end
}

func (r zeroRunsReader) ReadAt(p []byte, off int64) (int, error) {
	i, _ := slices.BinarySearch(r.starts, off+1) // the part holding off is i-1
	n := 0
	for i--; n < len(p) && i < len(r.z.parts); i++ {
		part, at := r.z.parts[i], off+int64(n)-r.starts[i]
		if part.zeros == 0 {
			p[n] = part.literal
			n++
			continue
		}
		k := int(min(int64(len(p)-n), part.zeros-at))
		clear(p[n : n+k])
		n += k
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
