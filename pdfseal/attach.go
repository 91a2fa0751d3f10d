package pdfseal

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/custody-toolkit/custody/internal/pdfread"
	"github.com/custody-toolkit/custody/manifest"
)

// attachment is the rendered PDF followed by an incremental update that
// embeds the bundle as an associated file (PDF/A-3 style): an embedded-file
// stream, its filespec (/AFRelationship /Source), the /EmbeddedFiles name
// tree and a new catalog with /Names and /AF. It is never materialised: its
// parts are concatenated on the fly so that the bundle is read from its
// io.ReaderAt and never copied to memory or disk here.
type attachment struct {
	parts []section
	size  int64

	// What the signature update after it needs: the first free object
	// number, the catalog's number, generation and entries after /Type
	// (serialised, with /Names and /AF), the offset of this update's
	// cross-reference table, and the first page's object number.
	nextObj, root, rootGen int
	catalog                string
	xref                   int64
	firstPage              page
}

type section struct {
	off int64 // offset of the part in the whole
	r   io.ReaderAt
	n   int64
}

// newAttachment writes nothing: it computes the update around the bundle.
// name is the attachment's file name; modTime goes to /Params /ModDate.
func newAttachment(rendered io.ReaderAt, renderedSize int64, bundle io.ReaderAt, bundleSize int64, name string, modTime time.Time) (*attachment, error) {
	if bundleSize <= 0 {
		return nil, errors.New("pdfseal: the bundle is empty")
	}
	prev, err := readRendered(rendered, renderedSize)
	if err != nil {
		return nil, err
	}
	sum, err := md5Of(bundle, bundleSize)
	if err != nil {
		return nil, err
	}

	// Objects of the update, numbered after the rendered PDF's last one.
	n := prev.size
	fileObj, specObj, namesObj, afObj := n, n+1, n+2, n+3
	base := renderedSize
	var head bytes.Buffer
	if !prev.endsInNewline {
		head.WriteString("\n")
	}
	offsets := map[int]int64{}
	start := func(b *bytes.Buffer, off int64, obj int) {
		offsets[obj] = off + int64(b.Len())
		fmt.Fprintf(b, "%d 0 obj\n", obj)
	}

	// The stream is stored raw: the bundle is a ZIP whose entries are
	// already compressed or deliberately stored, and /Length is known.
	start(&head, base, fileObj)
	fmt.Fprintf(&head, "<< /Type /EmbeddedFile /Subtype %s /Params << /Size %d /CheckSum <%x>",
		pdfName(manifest.MediaType), bundleSize, sum)
	if !modTime.IsZero() {
		fmt.Fprintf(&head, " /ModDate %s", pdfLiteral(pdfDate(modTime)))
	}
	fmt.Fprintf(&head, " >> /Length %d >>\nstream\n", bundleSize)

	tailOff := base + int64(head.Len()) + bundleSize
	var tail bytes.Buffer
	tail.WriteString("\nendstream\nendobj\n")
	start(&tail, tailOff, specObj)
	fmt.Fprintf(&tail, "<< /Type /Filespec /F %s /UF %s /Desc %s /AFRelationship /Source /EF << /F %d 0 R /UF %d 0 R >> >>\nendobj\n",
		pdfLiteral(asciiName(name)), pdfText(name),
		pdfLiteral("Sealed chain-of-custody evidence bundle; check it with custody-verify"), fileObj, fileObj)
	start(&tail, tailOff, namesObj)
	fmt.Fprintf(&tail, "<< /EmbeddedFiles << /Names [%s %d 0 R] >> >>\nendobj\n", pdfText(name), specObj)
	// /AF is indirect, so that the signature update, which writes the
	// catalog again, repeats a plain reference.
	start(&tail, tailOff, afObj)
	fmt.Fprintf(&tail, "[%d 0 R]\nendobj\n", specObj)
	start(&tail, tailOff, prev.root)
	pageMode := " /PageMode /UseAttachments" // show the evidence, unless the renderer chose a mode
	if prev.hasPageMode {
		pageMode = ""
	}
	catalog := fmt.Sprintf("%s /Names %d 0 R /AF %d 0 R%s", prev.catalog, namesObj, afObj, pageMode)
	fmt.Fprintf(&tail, "<< /Type /Catalog%s >>\nendobj\n", catalog)

	xref := tailOff + int64(tail.Len())
	fmt.Fprintf(&tail, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n%d 4\n", prev.root, offsets[prev.root], prev.rootGen, fileObj)
	for obj := fileObj; obj <= afObj; obj++ {
		fmt.Fprintf(&tail, "%010d 00000 n \n", offsets[obj])
	}
	fmt.Fprintf(&tail, "trailer\n<<\n/Size %d\n/Root %d %d R\n/Prev %d\n>>\nstartxref\n%d\n%%%%EOF\n",
		afObj+1, prev.root, prev.rootGen, prev.startxref, xref)

	a := &attachment{nextObj: afObj + 1, root: prev.root, rootGen: prev.rootGen, catalog: catalog, xref: xref, firstPage: prev.firstPage}
	a.add(rendered, base)
	a.add(bytes.NewReader(head.Bytes()), int64(head.Len()))
	a.add(bundle, bundleSize)
	a.add(bytes.NewReader(tail.Bytes()), int64(tail.Len()))
	return a, nil
}

func (a *attachment) add(r io.ReaderAt, n int64) {
	a.parts = append(a.parts, section{off: a.size, r: r, n: n})
	a.size += n
}

// ReadAt reads across the parts.
func (a *attachment) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("pdfseal: negative offset")
	}
	read := 0
	for _, s := range a.parts {
		if len(p) == 0 {
			break
		}
		if off >= s.off+s.n || off < s.off {
			continue
		}
		want := min(int64(len(p)), s.off+s.n-off)
		n, err := s.r.ReadAt(p[:want], off-s.off)
		read += n
		if int64(n) < want {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF // the bundle is shorter than said
			}
			return read, err
		}
		p, off = p[n:], off+int64(n)
	}
	if len(p) > 0 {
		return read, io.EOF
	}
	return read, nil
}

// rendered describes what the update needs of the rendered PDF.
type renderedInfo struct {
	size        int    // trailer /Size: the first free object number
	root        int    // catalog object number
	rootGen     int    // and generation
	startxref   int64  // offset of its cross-reference table (for /Prev)
	catalog     string // its catalog entries other than /Type, serialised
	hasPageMode bool
	firstPage   page
	// endsInNewline: the rendering's last byte is a line feed, which
	// the update then need not write first.
	endsInNewline bool
}

// page is a page object of the rendering, which the signature update
// writes again with /Annots listing the signature's widget.
type page struct {
	num, gen int
	entries  string // its dictionary as the rendering wrote it, without the closing >>
}

// readRendered reads what the updates need of the rendered PDF (its
// trailer, catalog and first page) with internal/pdfread, the strict
// reader the verifier uses: the rendering is ours, so what that reader
// refuses (cross-reference streams, object streams) is never in it.
func readRendered(rendered io.ReaderAt, size int64) (info renderedInfo, err error) {
	f, err := pdfread.Open(rendered, size)
	if err != nil {
		return info, fmt.Errorf("pdfseal: reading the rendered PDF: %w", err)
	}
	rootRef := f.Trailer["Root"].(pdfread.Ref) // Open requires it
	root, err := f.Dict(rootRef, "the catalog")
	if err != nil || root["Type"] != pdfread.Name("Catalog") {
		return info, errors.New("pdfseal: the rendered PDF has no catalog (trailer /Root)")
	}
	objects, _ := f.Trailer["Size"].(int64)
	info.size = int(objects)
	info.root, info.rootGen = rootRef.Num, rootRef.Gen
	info.startxref = f.StartXref
	if info.size <= info.root || info.root <= 0 {
		return info, fmt.Errorf("pdfseal: the rendered PDF's trailer /Size %d does not exceed its /Root %d", info.size, info.root)
	}
	if info.catalog, info.hasPageMode, err = catalogEntries(root); err != nil {
		return info, err
	}
	num, err := firstPage(f, root["Pages"])
	if err != nil {
		return info, err
	}
	if info.firstPage, err = pageEntries(f, rendered, size, num); err != nil {
		return info, err
	}
	last := make([]byte, 1)
	if _, err := rendered.ReadAt(last, size-1); err != nil {
		return info, fmt.Errorf("pdfseal: reading the rendered PDF: %w", err)
	}
	info.endsInNewline = last[0] == '\n'
	return info, nil
}

// catalogEntries serialises the catalog's entries other than /Type, in
// the order of their names, for the catalog the updates write again.
func catalogEntries(root pdfread.Dict) (entries string, hasPageMode bool, err error) {
	var cat strings.Builder
	for _, key := range slices.Sorted(maps.Keys(root)) {
		switch key {
		case "Type":
			continue
		case "Names", "AF", "AcroForm":
			// Merging them is not needed for our renderer's output.
			return "", false, fmt.Errorf("pdfseal: the rendered PDF's catalog already has /%s", key)
		}
		hasPageMode = hasPageMode || key == "PageMode"
		switch v := root[key].(type) {
		case pdfread.Ref:
			fmt.Fprintf(&cat, " /%s %d %d R", key, v.Num, v.Gen)
		case pdfread.Name:
			fmt.Fprintf(&cat, " /%s %s", key, pdfName(string(v)))
		default:
			return "", false, fmt.Errorf("pdfseal: the rendered PDF's catalog entry /%s is a direct %T, not supported", key, v)
		}
	}
	return cat.String(), hasPageMode, nil
}

// firstPage descends the page tree to its first leaf: the signature
// field's widget names its page (/P).
func firstPage(f *pdfread.File, node pdfread.Object) (int, error) {
	for depth := 0; depth < 32; depth++ {
		ref, ok := node.(pdfread.Ref)
		if !ok {
			return 0, errors.New("pdfseal: the rendered PDF's page tree holds a direct object")
		}
		d, err := f.Dict(ref, "a page tree node")
		if err != nil {
			return 0, fmt.Errorf("pdfseal: the rendered PDF: %w", err)
		}
		if d["Type"] == pdfread.Name("Page") {
			return ref.Num, nil
		}
		kids, err := f.Array(d["Kids"], "/Kids")
		if err != nil || len(kids) == 0 {
			return 0, errors.New("pdfseal: the rendered PDF has no page")
		}
		node = kids[0]
	}
	return 0, errors.New("pdfseal: the rendered PDF's page tree is too deep")
}

// maxPageObject bounds the page object pageEntries copies.
const maxPageObject = 64 << 10

// pageEntries copies the page object num of the rendering as it was
// written, so that the page the signature update writes again differs from
// it by /Annots alone (the verifier holds it to exactly that).
func pageEntries(f *pdfread.File, rendered io.ReaderAt, size int64, num int) (page, error) {
	off, gen, _ := f.Entry(num)
	d, err := f.Dict(pdfread.Ref{Num: num, Gen: gen}, "the first page")
	if err != nil {
		return page{}, fmt.Errorf("pdfseal: the rendered PDF: %w", err)
	}
	if _, ok := d["Annots"]; ok {
		// Merging them is not needed for our renderer's output.
		return page{}, errors.New("pdfseal: the rendered PDF's first page already has /Annots")
	}
	// A page dictionary of ours is a few hundred bytes: what does not end
	// within maxPageObject is not one.
	obj := make([]byte, min(maxPageObject, size-off))
	if n, err := rendered.ReadAt(obj, off); n < len(obj) {
		return page{}, fmt.Errorf("pdfseal: reading the rendered PDF: %w", err)
	}
	begin := bytes.Index(obj, []byte("obj"))
	end := bytes.Index(obj, []byte("endobj"))
	if begin < 0 || end < begin {
		return page{}, fmt.Errorf("pdfseal: the rendered PDF's page object %d cannot be copied", num)
	}
	body := bytes.TrimSpace(obj[begin+len("obj") : end])
	if !bytes.HasPrefix(body, []byte("<<")) || !bytes.HasSuffix(body, []byte(">>")) || bytes.Contains(body, []byte("stream")) {
		return page{}, fmt.Errorf("pdfseal: the rendered PDF's page object %d is not a plain dictionary", num)
	}
	return page{num: num, gen: gen, entries: string(body[:len(body)-2])}, nil
}

func md5Of(r io.ReaderAt, n int64) ([]byte, error) {
	h := md5.New() // /CheckSum is defined as MD5 (ISO 32000 7.11.4)
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, n)); err != nil {
		return nil, fmt.Errorf("pdfseal: reading the bundle: %w", err)
	}
	return h.Sum(nil), nil
}

// pdfName writes a name object, #-escaping what is not a regular character.
func pdfName(s string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("#/()<>[]{}%", c) >= 0 {
			fmt.Fprintf(&b, "#%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pdfLiteral writes a literal string of bytes, escaping delimiters and
// anything not printable ASCII.
func pdfLiteral(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// pdfText writes a text string: ASCII as is, anything else as UTF-16BE
// with a byte-order mark (ISO 32000 7.9.2.2).
func pdfText(s string) string {
	if isASCII(s) {
		return pdfLiteral(s)
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return b.String()
}

// asciiName is the /F fallback file name for old readers.
func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r >= 0x7f {
			return '_'
		}
		return r
	}, s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func pdfDate(t time.Time) string {
	return "D:" + t.UTC().Format("20060102150405") + "Z"
}
