package main

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"strings"

	"github.com/custody-toolkit/custody/manifest"
)

// zipWith writes the entries with archive/zip, letting header change each
// entry's header (method, extra field, time, flags) as another tool
// would write it; nil keeps the canonical header.
func zipWith(entries []entry, header func(i int, h *zip.FileHeader), comment string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, e := range entries {
		h := manifest.StoredHeader(e.name, e.data)
		if header != nil {
			header(i, h)
		}
		var w interface{ Write([]byte) (int, error) }
		var err error
		if h.Method == zip.Deflate || h.Flags&0x8 != 0 {
			h.CompressedSize64, h.UncompressedSize64, h.CRC32 = 0, 0, 0
			w, err = zw.CreateHeader(h)
		} else {
			w, err = zw.CreateRaw(h)
		}
		must(err)
		_, err = w.Write(e.data)
		must(err)
	}
	if comment != "" {
		must(zw.SetComment(comment))
	}
	must(zw.Close())
	return buf.Bytes()
}

// localHeaders returns the offset of each local file header of a ZIP
// written in the canonical layout.
func localHeaders(data []byte) []int {
	var offs []int
	for pos := 0; pos+30 <= len(data) && binary.LittleEndian.Uint32(data[pos:]) == 0x04034b50; {
		offs = append(offs, pos)
		n := int(binary.LittleEndian.Uint16(data[pos+26:]))
		m := int(binary.LittleEndian.Uint16(data[pos+28:]))
		size := int(binary.LittleEndian.Uint32(data[pos+18:]))
		pos += 30 + n + m + size
	}
	return offs
}

func (g *generator) container() {
	const rule = "bundle-format.md §1"
	ok := g.base.zip()
	entries := g.base.entries
	notCustody := func(name, ext string, data []byte, desc string) {
		g.add("container/"+name, ext, data, expectation{Rule: "bundle-format.md §1.1", Description: desc, Verdict: NotCustody})
	}
	notCustody("empty", ".custody", nil, "an empty file is not a custody file: no verdict (exit 2)")
	notCustody("text", ".custody", []byte("hola\n"), "a text file is not a custody file")
	notCustody("whatsapp-zip", ".zip", zipWith([]entry{{"_chat.txt", []byte("12/3/26, 9:00 - A: hola\n")}}, nil, ""), "a ZIP without the custody mimetype (a WhatsApp export) is not a custody file")
	notCustody("nested-folder", ".zip", zipWith([]entry{{"case/manifest.json", g.base.get(manifest.ManifestName)}}, nil, ""), "a bundle zipped inside a top folder is not a bundle")

	damaged := func(name, desc string, data []byte) {
		g.add("container/"+name, ".custody", data, failed(rule, desc, "container", "FORMAT_FAILURE").withSigner("signer.pub"))
	}
	damaged("truncated", "the bundle cut in half: starts with the canonical mimetype, its ZIP structure unreadable", ok[:len(ok)/2])
	damaged("no-end-record", "the end-of-central-directory record removed", ok[:len(ok)-22])

	// Tricks that make two readers see different content: FAILED.
	trick := func(name, desc string, es []entry, header func(i int, h *zip.FileHeader)) {
		damaged(name, desc, zipWith(es, header, ""))
	}
	withEntry := func(e entry) []entry { return append(append([]entry{}, entries...), e) }
	trick("dot-dot-name", "an entry named messages/../x.json: not a clean relative path", withEntry(entry{"messages/../x.json", []byte("{}")}), nil)
	trick("absolute-name", "an entry named /etc/x: not relative", withEntry(entry{"/x.json", []byte("{}")}), nil)
	trick("case-duplicate", "MANIFEST.JSON next to manifest.json: two names equal ignoring case", withEntry(entry{"MANIFEST.JSON", []byte("{}")}), nil)
	trick("exact-duplicate", "manifest.json twice", withEntry(entry{manifest.ManifestName, g.base.get(manifest.ManifestName)}), nil)
	trick("symlink", "an entry that is a symbolic link", withEntry(entry{"messages/link.json", []byte("000001.json")}), func(i int, h *zip.FileHeader) {
		if h.Name == "messages/link.json" {
			h.CreatorVersion = 3<<8 | 20
			h.ExternalAttrs = 0o120777 << 16
		}
	})
	trick("encrypted", "an entry flagged encrypted (bit 0)", entries, func(i int, h *zip.FileHeader) {
		if h.Name == "messages/000001.json" {
			h.Flags |= 1
		}
	})
	trick("bad-name-chars", "an entry name with a space, outside A-Z a-z 0-9 . _ - /", withEntry(entry{"messages/a b.json", []byte("{}")}), nil)
	trick("backslash-name", "an entry name with a backslash", withEntry(entry{`messages\000001.json`, []byte("{}")}), nil)

	crc := append([]byte(nil), ok...)
	off := localHeaders(crc)[3]
	crc[off+14] ^= 1
	g.add("container/bad-crc", ".custody", crc, indeterminate("bundle-format.md §1.1", "a local header's CRC-32 changed: ZIP framing, which the seal does not cover; the content is verified by its digests", "container", "CONTAINER_REPACKED").withSigner("signer.pub"))

	// Another tool's container around intact content: INDETERMINATE.
	repacked := func(name, desc string, data []byte) {
		g.add("container/"+name, ".custody", data, indeterminate("bundle-format.md §1.1", desc, "container", "CONTAINER_REPACKED").withSigner("signer.pub"))
	}
	junk := append(append([]entry{}, entries...), entry{".DS_Store", []byte{0, 0, 0, 1}}, entry{"__MACOSX/._manifest.json", []byte{0, 5, 22, 7}})
	repacked("repacked-with-junk", "re-zipped by a file manager that added .DS_Store and __MACOSX/: left out, listed as INFO", zipWith(junk, func(i int, h *zip.FileHeader) {
		h.Method = zip.Deflate
	}, ""))
	repacked("deflated", "every entry deflated (zip -r): the content intact, the container not the sealed one", zipWith(entries, func(i int, h *zip.FileHeader) {
		if i > 0 {
			h.Method = zip.Deflate
		}
	}, ""))
	repacked("mimetype-deflated", "the mimetype entry deflated", zipWith(entries, func(i int, h *zip.FileHeader) {
		if i == 0 {
			h.Method = zip.Deflate
		}
	}, ""))
	repacked("modified-time", "entries carry a modification time", zipWith(entries, func(i int, h *zip.FileHeader) {
		//lint:ignore SA1019 the raw MS-DOS fields, set as a zip tool writes them (Modified would also add an extended-timestamp extra field)
		h.ModifiedTime, h.ModifiedDate = 0x4000, 0x5b82 // 2025-12-02 08:00
	}, ""))
	repacked("extra-field", "an entry carries an extra field", zipWith(entries, func(i int, h *zip.FileHeader) {
		if i == 2 {
			h.Extra = []byte{0xfe, 0xca, 0, 0}
		}
	}, ""))
	repacked("comment", "the archive carries a comment", zipWith(entries, nil, "repacked"))
	repacked("entry-comment", "an entry carries a comment", zipWith(entries, func(i int, h *zip.FileHeader) {
		if i == 1 {
			h.Comment = "x"
		}
	}, ""))
	repacked("version-made-by", "version made by 3.0 (Unix), as Info-ZIP writes it", zipWith(entries, func(i int, h *zip.FileHeader) {
		h.CreatorVersion = 3<<8 | 30
	}, ""))
	mimeLast := append(append([]entry{}, entries[1:]...), entries[0])
	repacked("mimetype-last", "the mimetype entry last, as zip -r writes it", zipWith(mimeLast, nil, ""))
	added := failed("bundle-format.md §1", "", "files", "HASH_FAILURE").withSigner("signer.pub")
	added.Description = "a .DS_Store added to the sealed container: every other byte canonical, so an addition to the sealed file"
	g.add("container/added-ds-store", ".custody", zipWith(append(append([]entry{}, entries...), entry{".DS_Store", []byte{0, 0, 0, 1}}), nil, ""), added)
	repacked("directory-entries", "directory entries added (messages/, META-INF/)", zipWith(withDirs(entries), func(i int, h *zip.FileHeader) {
		if h.Name[len(h.Name)-1] == '/' {
			h.ExternalAttrs = 0o40755 << 16
			h.CreatorVersion = 3<<8 | 20
		}
	}, ""))
	prefix := append([]byte("JUNK"), ok...)
	fixOffsets(prefix, 4)
	repacked("prefixed", "4 bytes before the first entry, offsets adjusted (a self-extracting stub)", prefix)
	repacked("trailing-bytes", "bytes after the end record", append(append([]byte(nil), ok...), 0, 0, 0, 0))

	// Record order and data descriptors (§1.4, §1.5).
	swap := g.base.clone()
	i, j := swap.find("messages/000001.json"), swap.find("messages/000003.json")
	swap.entries[i], swap.entries[j] = swap.entries[j], swap.entries[i]
	g.bundleVector("container/order-swapped", swap, indeterminate("bundle-format.md §1.5", "two message entries swapped in the ZIP, every header canonical: the content verifies, the container is not the sealed one", "container.order", "CONTAINER_REPACKED").withSigner("signer.pub"))
	g.add("container/descriptor-on-message", ".custody", zipWith(entries, func(i int, h *zip.FileHeader) {
		if h.Name == "messages/000001.json" {
			h.Flags |= 0x8
		}
	}, ""), indeterminate("bundle-format.md §1.4", "a message entry written with a data descriptor: only streamed entries (attachments, sources, record.pdf) may have one", "container", "CONTAINER_REPACKED").withSigner("signer.pub"))
	g.add("valid/descriptor-on-attachments", ".custody", zipWith(entries, func(i int, h *zip.FileHeader) {
		if strings.HasPrefix(h.Name, "attachments/") {
			h.Flags |= 0x8
		}
	}, ""), passed("bundle-format.md §1.4", "attachments written with data descriptors, as the exporter streams them"))
	g.add("container/descriptor-on-one-attachment", ".custody", zipWith(entries, func(i int, h *zip.FileHeader) {
		if h.Name == "attachments/000002-01.txt" {
			h.Flags |= 0x8
		}
	}, ""), indeterminate("bundle-format.md §1.4", "one attachment with a data descriptor, the other without: a form no writer wrote (descriptor forms), so a repacked container", "container.order", "CONTAINER_REPACKED").withSigner("signer.pub"))

	// Changes of the sealed entries that keep the container canonical.
	g.bundleVector("container/unlisted-entry", withAdded(g.base, entry{"messages/000007.json", []byte(`{"from":"pt","id":"m7","text":"x","time":"2026-11-30T10:00:00+01:00"}`)}, manifest.ManifestName),
		failed("bundle-format.md §2.4", "a message entry that the manifest's files does not list: an addition", "files", "HASH_FAILURE").withSigner("signer.pub"))
	g.bundleVector("container/unlisted-meta-inf", withAdded(g.base, entry{"META-INF/notes.txt", []byte("x")}, "META-INF/manifest.tsr"),
		failed(rule, "an entry under META-INF/ that the format does not define", "container", "FORMAT_FAILURE").withSigner("signer.pub"))
	g.bundleVector("container/unlisted-top", withAdded(g.base, entry{"notes.txt", []byte("x")}, manifest.ManifestName),
		failed(rule, "an entry outside META-INF/ that files does not list", "files", "HASH_FAILURE").withSigner("signer.pub"))
	for _, name := range []string{"messages/000002.json", "attachments/000002-01.txt", "manifest.json", "META-INF/manifest.sig", "META-INF/signer.pem"} {
		b := g.base.clone()
		b.remove(name)
		check, sub := "files", "HASH_FAILURE"
		switch name {
		case "manifest.json", "META-INF/manifest.sig", "META-INF/signer.pem":
			check, sub = "container", "FORMAT_FAILURE"
		}
		g.bundleVector("container/removed-"+slug(name), b, failed(rule, "the entry "+name+" removed", check, sub).withSigner("signer.pub"))
	}
}

// withDirs adds a directory entry before the first entry of each folder.
func withDirs(es []entry) []entry {
	var out []entry
	seen := map[string]bool{}
	for _, e := range es {
		if i := bytes.LastIndexByte([]byte(e.name), '/'); i > 0 && !seen[e.name[:i+1]] {
			seen[e.name[:i+1]] = true
			out = append(out, entry{e.name[:i+1], nil})
		}
		out = append(out, e)
	}
	return out
}

// withAdded is b with e inserted before the entry named before.
func withAdded(b *bundle, e entry, before string) *bundle {
	c := b.clone()
	c.insertBefore(before, e)
	return c
}

// fixOffsets shifts every offset of a canonical ZIP after n bytes were
// prepended to it.
func fixOffsets(data []byte, n int) {
	end := len(data) - 22
	dir := int(binary.LittleEndian.Uint32(data[end+16:]))
	binary.LittleEndian.PutUint32(data[end+16:], uint32(dir+n))
	for _, c := range centralRecordsAt(data, dir+n, end) {
		local := binary.LittleEndian.Uint32(data[c+42:])
		binary.LittleEndian.PutUint32(data[c+42:], local+uint32(n))
	}
}

func centralRecordsAt(data []byte, dir, end int) []int {
	var offs []int
	for pos := dir; pos < end; {
		offs = append(offs, pos)
		n := int(binary.LittleEndian.Uint16(data[pos+28:]))
		m := int(binary.LittleEndian.Uint16(data[pos+30:]))
		k := int(binary.LittleEndian.Uint16(data[pos+32:]))
		pos += 46 + n + m + k
	}
	return offs
}

// slug makes an entry name part of a vector name.
func slug(name string) string {
	out := []byte(name)
	for i, c := range out {
		if c == '/' || c == '.' {
			out[i] = '-'
		}
	}
	return string(out)
}

var _ = crc32.ChecksumIEEE
