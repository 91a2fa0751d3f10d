package testbundle

// Byte surgery on ZIP files, as an attacker with a hex editor would do it:
// Map finds where every header, name and data lie; Patch* functions change
// bytes in place (fixing CRC-32s when asked, so that only the checks that
// matter can catch the change); Craft writes archives with headers that
// archive/zip would never produce on its own.

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
	"testing"
)

// ZIP record signatures and fixed lengths (APPNOTE 6.3, 4.3).
const (
	LocalSig       = 0x04034b50
	CentralSig     = 0x02014b50
	EndSig         = 0x06054b50
	LocalLen       = 30
	CentralLen     = 46
	EndLen         = 22
	localCRCOff    = 14
	centralCRCOff  = 16
	centralNameLen = 28
)

// Part is where one entry lies in a ZIP file.
type Part struct {
	Name       string
	Local      int // offset of the local file header
	LocalEnd   int // offset of the data: after the local name and extra field
	Size       int // stored size
	Central    int // offset of the central-directory record
	CentralEnd int // offset after the record's name, extra and comment
}

// Layout maps a ZIP file written without prefix, comment or zip64 records,
// as the exporter writes bundles.
type Layout struct {
	Parts     []Part // in central-directory order
	Directory int    // offset of the central directory
	End       int    // offset of the end-of-central-directory record
}

// Map walks the central directory of data. It fails the test on anything it
// does not understand: it maps valid bundles, it does not validate them.
func Map(t testing.TB, data []byte) *Layout {
	t.Helper()
	end := len(data) - EndLen
	if end < 0 || binary.LittleEndian.Uint32(data[end:]) != EndSig {
		t.Fatal("zipcraft: no end record at the end of the file")
	}
	l := &Layout{End: end, Directory: int(binary.LittleEndian.Uint32(data[end+16:]))}
	for pos := l.Directory; pos < end; {
		if binary.LittleEndian.Uint32(data[pos:]) != CentralSig {
			t.Fatalf("zipcraft: no central record at %d", pos)
		}
		n := int(binary.LittleEndian.Uint16(data[pos+centralNameLen:]))
		m := int(binary.LittleEndian.Uint16(data[pos+30:]))
		k := int(binary.LittleEndian.Uint16(data[pos+32:]))
		local := int(binary.LittleEndian.Uint32(data[pos+42:]))
		ln := int(binary.LittleEndian.Uint16(data[local+26:]))
		lm := int(binary.LittleEndian.Uint16(data[local+28:]))
		l.Parts = append(l.Parts, Part{
			Name:       string(data[pos+CentralLen : pos+CentralLen+n]),
			Local:      local,
			LocalEnd:   local + LocalLen + ln + lm,
			Size:       int(binary.LittleEndian.Uint32(data[pos+20:])),
			Central:    pos,
			CentralEnd: pos + CentralLen + n + m + k,
		})
		pos += CentralLen + n + m + k
	}
	return l
}

// Part returns the part of the named entry.
func (l *Layout) Part(t testing.TB, name string) Part {
	t.Helper()
	i := slices.IndexFunc(l.Parts, func(p Part) bool { return p.Name == name })
	if i < 0 {
		t.Fatalf("zipcraft: no entry %q", name)
	}
	return l.Parts[i]
}

// FlipData returns a copy of data where byte i of p's content is XORed with
// mask, and p's CRC-32 is corrected in both headers: the ZIP stays
// consistent, only the content changed.
func FlipData(data []byte, p Part, i int, mask byte) []byte {
	out := bytes.Clone(data)
	out[p.LocalEnd+i] ^= mask
	FixCRC(out, p)
	return out
}

// FixCRC rewrites p's CRC-32 in its local header and central record from
// its current content.
func FixCRC(data []byte, p Part) {
	sum := crc32.ChecksumIEEE(data[p.LocalEnd : p.LocalEnd+p.Size])
	binary.LittleEndian.PutUint32(data[p.Local+localCRCOff:], sum)
	binary.LittleEndian.PutUint32(data[p.Central+centralCRCOff:], sum)
}

// PutUint16 and PutUint32 patch a little-endian field in place.
func PutUint16(data []byte, off int, v uint16) { binary.LittleEndian.PutUint16(data[off:], v) }
func PutUint32(data []byte, off int, v uint32) { binary.LittleEndian.PutUint32(data[off:], v) }

// SwapLocal exchanges the local records (header and data) of two adjacent
// entries, a before b, and points their central records at the new
// offsets: the same entries, read in another order.
func SwapLocal(t testing.TB, data []byte, a, b string) []byte {
	t.Helper()
	l := Map(t, data)
	pa, pb := l.Part(t, a), l.Part(t, b)
	endB := pb.LocalEnd + pb.Size
	if pa.LocalEnd+pa.Size != pb.Local {
		t.Fatalf("SwapLocal: %s and %s are not adjacent", a, b)
	}
	out := bytes.Clone(data[:pa.Local])
	out = append(out, data[pb.Local:endB]...)
	out = append(out, data[pa.Local:pb.Local]...)
	out = append(out, data[endB:]...)
	PutUint32(out, pb.Central+42, uint32(pa.Local))
	PutUint32(out, pa.Central+42, uint32(pa.Local+endB-pb.Local))
	return out
}

// Crafted is one entry of a crafted archive. Header is written as given by
// zip.Writer.CreateRaw; zero versions become 2.0, and a zero CRC32 and zero
// sizes are filled in from Data (sizes only when Header.Method is Store).
type Crafted struct {
	Header zip.FileHeader
	Data   []byte
}

// Stored returns a plain stored entry.
func Stored(name string, data []byte) Crafted {
	return Crafted{Header: zip.FileHeader{Name: name, Method: zip.Store}, Data: data}
}

// Craft writes entries as a ZIP, with the bundle's mimetype entry first
// unless the first entry is already named "mimetype".
func Craft(t testing.TB, entries ...Crafted) []byte {
	t.Helper()
	if len(entries) == 0 || entries[0].Header.Name != "mimetype" {
		entries = append([]Crafted{Stored("mimetype", []byte("application/vnd.custody.bundle+zip"))}, entries...)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		hdr := e.Header
		// The canonical layout's version 2.0 (bundle-format.md §1), unless
		// the test chose another.
		if hdr.CreatorVersion&0xff == 0 {
			hdr.CreatorVersion |= 20
		}
		if hdr.ReaderVersion == 0 {
			hdr.ReaderVersion = 20
		}
		if hdr.CRC32 == 0 {
			hdr.CRC32 = crc32.ChecksumIEEE(e.Data)
		}
		if hdr.Method == zip.Store && hdr.CompressedSize64 == 0 && hdr.UncompressedSize64 == 0 {
			hdr.CompressedSize64, hdr.UncompressedSize64 = uint64(len(e.Data)), uint64(len(e.Data))
		}
		w, err := zw.CreateRaw(&hdr)
		if err != nil {
			t.Fatalf("zipcraft: %s: %v", hdr.Name, err)
		}
		if _, err := w.Write(e.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ManyEntries returns a ZIP whose central directory lists n entries that
// all point at the local header of one small entry after mimetype: a
// central directory of n*52 bytes, cheap to build, expensive to trust.
func ManyEntries(n int) []byte {
	var buf bytes.Buffer
	mt := []byte("application/vnd.custody.bundle+zip")
	local := func(name string, data []byte) {
		var h [LocalLen]byte
		binary.LittleEndian.PutUint32(h[0:], LocalSig)
		binary.LittleEndian.PutUint16(h[4:], 20)
		binary.LittleEndian.PutUint32(h[localCRCOff:], crc32.ChecksumIEEE(data))
		binary.LittleEndian.PutUint32(h[18:], uint32(len(data)))
		binary.LittleEndian.PutUint32(h[22:], uint32(len(data)))
		binary.LittleEndian.PutUint16(h[26:], uint16(len(name)))
		buf.Write(h[:])
		buf.WriteString(name)
		buf.Write(data)
	}
	central := func(name string, data []byte, offset int) {
		var h [CentralLen]byte
		binary.LittleEndian.PutUint32(h[0:], CentralSig)
		binary.LittleEndian.PutUint16(h[4:], 20)
		binary.LittleEndian.PutUint16(h[6:], 20)
		binary.LittleEndian.PutUint32(h[centralCRCOff:], crc32.ChecksumIEEE(data))
		binary.LittleEndian.PutUint32(h[20:], uint32(len(data)))
		binary.LittleEndian.PutUint32(h[24:], uint32(len(data)))
		binary.LittleEndian.PutUint16(h[centralNameLen:], uint16(len(name)))
		binary.LittleEndian.PutUint32(h[42:], uint32(offset))
		buf.Write(h[:])
		buf.WriteString(name)
	}
	local("mimetype", mt)
	second := buf.Len()
	local("x", []byte("x"))
	dir := buf.Len()
	central("mimetype", mt, 0)
	for i := 1; i < n; i++ {
		central(fmt.Sprintf("%06x", i), []byte("x"), second)
	}
	var end [EndLen]byte
	binary.LittleEndian.PutUint32(end[0:], EndSig)
	// Go's reader, like others, compares only the low 16 bits of the
	// count with the records it found: no zip64 record is needed.
	count := uint16(n)
	binary.LittleEndian.PutUint16(end[8:], count)
	binary.LittleEndian.PutUint16(end[10:], count)
	binary.LittleEndian.PutUint32(end[12:], uint32(buf.Len()-dir))
	binary.LittleEndian.PutUint32(end[16:], uint32(dir))
	buf.Write(end[:])
	return buf.Bytes()
}
