package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"regexp"
	"strconv"
	"strings"
)

// pdfRules: rules of §7.2 the vectors of pades.go and revisions.go leave
// out: a filtered embedded file, a key of the document security store
// beyond the four it may hold, a second signature field, and updates
// whose cross-reference entries point into the rendering's bytes.
func (g *generator) pdfRules() {
	const rule = "bundle-format.md §7.2"
	pdf := g.standalone("pdf-rules", g.base, g.p.signer)
	vec := func(name string, data []byte, e expectation) { g.add(name, ".pdf", data, e.withSigner("signer.pub")) }

	vec("pdf/embedded-file-filtered", g.resign(pdf, flateEmbeddedFile, cmsSpec{}), indeterminate(rule,
		"the embedded bundle stored with /Filter /FlateDecode (stored deflate blocks, the same bundle), in the signed update: not the exporter's form, so the PDF is read as a re-saved one; the bundle inside verifies",
		"pdf.container", "CONTAINER_REPACKED"))
	vec("pdf/dss-extra-key", g.resign(pdf, dssExtraKey, cmsSpec{}), failed(rule,
		"the document security store holds a key besides /Type, /Certs, /OCSPs and /CRLs", "pdf.rendering", "RENDERING_MISMATCH"))
	vec("pdf/two-signature-fields", g.resign(g.secondSignatureField(), listSecondField, cmsSpec{}), failed(rule,
		"the /AcroForm lists two signature fields: the exporter's, and an empty one an update before it added", "pdf.signature", "FORMAT_FAILURE"))

	const pages = "bundle-format.md §7.2, the pages"
	into := g.sealPages(g.base, func(p []byte) []byte {
		return incrementalUpdate(p, map[int]string{6: atOffset(objectOffset(p, 7))})
	})
	vec("pdf/update-points-into-rendering", into, failed(pages,
		"an incremental update, signed with the rest, points the first page's content stream (object 6) at the bytes of another object of the rendering", "pdf.rendering", "RENDERING_MISMATCH"))
	newInto := g.sealPages(g.base, func(p []byte) []byte {
		return incrementalUpdate(p, map[int]string{900: atOffset(objectOffset(p, 6))})
	})
	vec("pdf/update-new-object-in-rendering", newInto, failed(pages,
		"an incremental update, signed with the rest, defines a new object (900) at an offset inside the rendering's bytes instead of its own", "pdf.rendering", "RENDERING_MISMATCH"))
}

// atOffset, as the definition of an object in incrementalUpdate, points
// its cross-reference entry at offset without writing the object.
func atOffset(offset int) string { return fmt.Sprintf("(at %d)", offset) }

var atOffsetRE = regexp.MustCompile(`^\(at (\d+)\)$`)

// objectOffset is where "n 0 obj" begins in pdf.
func objectOffset(pdf []byte, n int) int {
	i := bytes.Index(pdf, []byte(fmt.Sprintf("\n%d 0 obj", n)))
	if i < 0 {
		panic(fmt.Sprintf("vectorgen: no object %d", n))
	}
	return i + 1
}

var embeddedFileRE = regexp.MustCompile(`<< /Type /EmbeddedFile (/Subtype \S+) /Params << /Size (\d+) (/CheckSum <[0-9a-f]+> )(/ModDate \([^)]*\)) >> /Length (\d+) >>\nstream\n`)

// flateEmbeddedFile stores the embedded bundle with /Filter /FlateDecode
// in stored (uncompressed) deflate blocks, without moving any other byte:
// the zlib framing is paid for by leaving out the optional /CheckSum.
func flateEmbeddedFile(pdf []byte) []byte {
	m := embeddedFileRE.FindSubmatchIndex(pdf)
	if m == nil {
		panic("vectorgen: no embedded file dictionary")
	}
	n, _ := strconv.Atoi(string(pdf[m[10]:m[11]]))
	data := pdf[m[1] : m[1]+n]
	stream := zlibStored(data)
	dict := fmt.Sprintf("<< /Type /EmbeddedFile %s /Filter /FlateDecode /Params << /Size %s %s >> /Length %d >>\nstream\n",
		pdf[m[2]:m[3]], pdf[m[4]:m[5]], pdf[m[8]:m[9]], len(stream))
	old := m[1] - m[0] + n
	pad := old - len(dict) - len(stream)
	if pad < 0 {
		panic("vectorgen: the filtered embedded file does not fit")
	}
	dict = strings.Replace(dict, " >> /Length", strings.Repeat(" ", pad)+" >> /Length", 1)
	out := bytes.Clone(pdf)
	copy(out[m[0]:], append([]byte(dict), stream...))
	return out
}

// zlibStored is data as a zlib stream (RFC 1950) of stored deflate
// blocks (RFC 1951 §3.2.4): FlateDecode decodes it to data.
func zlibStored(data []byte) []byte {
	sum := adler32.Checksum(data)
	out := []byte{0x78, 0x01}
	for len(data) > 0 || len(out) == 2 {
		chunk := data[:min(len(data), 0xffff)]
		data = data[len(chunk):]
		final := byte(0)
		if len(data) == 0 {
			final = 1
		}
		out = append(out, final, byte(len(chunk)), byte(len(chunk)>>8), ^byte(len(chunk)), ^byte(len(chunk)>>8))
		out = append(out, chunk...)
	}
	return binary.BigEndian.AppendUint32(out, sum)
}

var dssRE = regexp.MustCompile(`<< /Certs \[ ([0-9 R]*)\] >>`)

// dssExtraKey adds a key /A to the document security store.
func dssExtraKey(pdf []byte) []byte {
	return sameLength(pdf, dssRE, func(m [][]byte) string {
		return "<</Certs[" + strings.TrimSpace(string(m[1])) + "]/A 1"
	}, ">>")
}

var fieldsRE = regexp.MustCompile(`/PageMode /UseAttachments /AcroForm << /Fields \[(\d+ 0 R)\] /SigFlags 3 >>`)

// listSecondField lists object 900, a second signature field, in the
// /AcroForm; /PageMode, which the exporter adds and may leave out, makes
// room.
func listSecondField(pdf []byte) []byte {
	return sameLength(pdf, fieldsRE, func(m [][]byte) string {
		return "/AcroForm << /Fields [" + string(m[1]) + " 900 0 R] /SigFlags 3"
	}, " >>")
}

// sameLength replaces the one match of re after the first revision with
// head(match), spaces, and tail, as long as the match.
func sameLength(pdf []byte, re *regexp.Regexp, head func(m [][]byte) string, tail string) []byte {
	from := bytes.Index(pdf, []byte("%%EOF"))
	ms := re.FindAllSubmatchIndex(pdf[from:], -1)
	if len(ms) != 1 {
		panic(fmt.Sprintf("vectorgen: %s matches %d times in the updates", re, len(ms)))
	}
	at := ms[0]
	var groups [][]byte
	for i := 0; i < len(at); i += 2 {
		groups = append(groups, pdf[from+at[i]:from+at[i+1]])
	}
	h := head(groups)
	pad := at[1] - at[0] - len(h) - len(tail)
	if pad < 0 {
		panic("vectorgen: the replacement does not fit")
	}
	out := bytes.Clone(pdf)
	copy(out[from+at[0]:], h+strings.Repeat(" ", pad)+tail)
	return out
}

// secondSignatureField is the standalone PDF of the base bundle whose
// pages carry, in an update before the exporter's, a second signature
// field (900) with an empty signature dictionary (901).
func (g *generator) secondSignatureField() []byte {
	return g.sealPages(g.base, func(p []byte) []byte {
		return incrementalUpdate(p, map[int]string{
			900: "<< /FT /Sig /T (Signature2) /V 901 0 R >>",
			901: "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 0 0 0] /Contents <00> >>",
		})
	})
}
