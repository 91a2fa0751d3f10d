package intake

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits bound what one upload may hold. They are checked as bytes
// arrive: nothing beyond them is read, let alone written.
type Limits struct {
	MaxFileBytes  int64 // one file
	MaxFiles      int   // files in one upload
	MaxTotalBytes int64 // the whole request body, form fields included
}

// DefaultLimits suit photos from a phone and scanned documents.
var DefaultLimits = Limits{MaxFileBytes: 20 << 20, MaxFiles: 10, MaxTotalBytes: 100 << 20}

// maxFieldBytes bounds a text field (the name, the note, the CSRF token).
const maxFieldBytes = 4 << 10

// form is what the patient sent besides the files.
type form struct {
	CSRF, Consent, Name, Note string
}

// received is one uploaded file, stored under the upload's folder by
// its position, never by its name.
type received struct {
	Path  string // relative to the upload's folder: files/N.ext
	Label string // the upload's name, cleaned: a label, never a path
	Type  string // the MIME type sniffed from its content
}

// refusal is an upload error the patient is told about (a cap, a type,
// a missing consent), as opposed to a failure of the server.
type refusal struct {
	status int
	key    string // the message's key in the page's texts
	detail string // for the server's log
}

func (r *refusal) Error() string { return r.key + ": " + r.detail }

func refuse(status int, key, format string, args ...any) error {
	return &refusal{status: status, key: key, detail: fmt.Sprintf(format, args...)}
}

// readUpload streams the multipart body part by part (never
// ParseMultipartForm, which would buffer or spill where we do not
// choose): text fields first, as the form orders them, and the files
// into dir/files/. check is called once the fields are read, before any
// file is written, and may refuse the upload.
func readUpload(r *http.Request, dir string, lim Limits, check func(*form) error) (*form, []received, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, refuse(http.StatusBadRequest, "bad_request", "not a multipart form: %v", err)
	}
	var f form
	var files []received
	checked := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, bodyError(err)
		}
		if p.FileName() == "" && p.FormName() != "files" {
			if err := readField(p, &f); err != nil {
				return nil, nil, err
			}
			continue
		}
		if !checked {
			if err := check(&f); err != nil {
				return nil, nil, err
			}
			checked = true
		}
		if p.FileName() == "" { // the file input left empty
			continue
		}
		if len(files) == lim.MaxFiles {
			return nil, nil, refuse(http.StatusRequestEntityTooLarge, "too_many", "more than %d files", lim.MaxFiles)
		}
		rec, err := saveFile(p, dir, len(files)+1, lim.MaxFileBytes)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, rec)
	}
	if !checked {
		if err := check(&f); err != nil {
			return nil, nil, err
		}
	}
	if len(files) == 0 {
		return nil, nil, refuse(http.StatusBadRequest, "no_files", "no file uploaded")
	}
	return &f, files, nil
}

// bodyError words a failure to read the body: over the size cap, or the
// connection dropped.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return refuse(http.StatusRequestEntityTooLarge, "too_large", "request body over %d bytes", tooBig.Limit)
	}
	return refuse(http.StatusBadRequest, "bad_request", "reading the upload: %v", err)
}

func readField(p *multipart.Part, f *form) error {
	data, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
	if err != nil {
		return bodyError(err)
	}
	if len(data) > maxFieldBytes || !utf8.Valid(data) {
		return refuse(http.StatusBadRequest, "bad_request", "field %q too long or not UTF-8", p.FormName())
	}
	v := strings.TrimSpace(string(data))
	switch p.FormName() {
	case "csrf":
		f.CSRF = v
	case "consent":
		f.Consent = v
	case "name":
		f.Name = v
	case "note":
		f.Note = v
	}
	return nil
}

// saveFile streams one part to dir/files/N.ext, the extension from its
// sniffed type, and refuses a file over max bytes or of a type not
// accepted. A refused file's bytes are removed with dir by the caller.
func saveFile(p *multipart.Part, dir string, n int, max int64) (received, error) {
	br := bufio.NewReaderSize(p, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return received{}, bodyError(err)
	}
	typ, ext := sniff(head)
	if typ == "" {
		return received{}, refuse(http.StatusUnsupportedMediaType, "bad_type", "file %d: not a JPEG, PNG, HEIC or PDF", n)
	}
	rel := fmt.Sprintf("files/%d%s", n, ext)
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return received{}, err
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return received{}, err
	}
	written, err := io.Copy(out, io.LimitReader(br, max+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return received{}, bodyError(err)
	}
	if written > max {
		return received{}, refuse(http.StatusRequestEntityTooLarge, "file_too_large", "file %d over %d bytes", n, max)
	}
	if written == 0 {
		return received{}, refuse(http.StatusBadRequest, "bad_type", "file %d is empty", n)
	}
	return received{Path: rel, Label: label(p.FileName(), n), Type: typ}, nil
}

// sniffBytes is as much of a file as its type is decided on.
const sniffBytes = 512

// sniff decides a file's type by its first bytes, never by its name:
// http.DetectContentType knows JPEG, PNG and PDF (the WHATWG algorithm);
// HEIC, a phone camera's format, it does not, so its ISO BMFF brand is
// read here.
func sniff(head []byte) (typ, ext string) {
	switch http.DetectContentType(head) {
	case "image/jpeg":
		return "image/jpeg", ".jpg"
	case "image/png":
		return "image/png", ".png"
	case "application/pdf":
		return "application/pdf", ".pdf"
	}
	if isHEIC(head) {
		return "image/heic", ".heic"
	}
	return "", ""
}

// heicBrands are the ISO BMFF brands of HEIF images coded in HEVC
// (ISO/IEC 23008-12 Annex B); mif1 and msf1 say only "an image file",
// which AVIF uses too, and count when an HEVC brand is listed with them.
var heicBrands = []string{"heic", "heix", "heim", "heis", "hevc", "hevx"}

// isHEIC reads the file type box that opens an HEIF file: its size, "ftyp",
// the major brand, a version, then the compatible brands.
func isHEIC(head []byte) bool {
	if len(head) < 16 || !bytes.Equal(head[4:8], []byte("ftyp")) {
		return false
	}
	major := string(head[8:12])
	if slices.Contains(heicBrands, major) {
		return true
	}
	if major != "mif1" && major != "msf1" {
		return false
	}
	end := min(int(binary.BigEndian.Uint32(head[:4])), len(head))
	for i := 16; i+4 <= end; i += 4 {
		if slices.Contains(heicBrands, string(head[i:i+4])) {
			return true
		}
	}
	return false
}

// label keeps the upload's name as words for the record: its last path
// element, control characters dropped, at most 200 bytes; a name that
// leaves nothing becomes "file N".
func label(name string, n int) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		if isControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if strings.TrimSpace(name) == "" {
		return fmt.Sprintf("file %d", n)
	}
	return name
}
