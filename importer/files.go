package importer

import (
	"archive/zip"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/internal/nofollow"
)

// Bounds on what an import copies: a hostile archive must not fill the
// disk or exhaust memory.
const (
	MaxZipEntries = 100_000
	maxZipRatio   = 100      // uncompressed to compressed, per entry and for the whole archive
	zipRatioFloor = 1 << 20  // below this many bytes, any ratio
	MaxFileSize   = 4 << 30  // one media file or source
	MaxTotalSize  = 32 << 30 // everything copied from one export
	// A chat text: its conversation.json, larger, must stay under
	// conversation.MaxFileSize for Load to read it.
	maxSourceBytes = conversation.MaxFileSize / 2
)

// file is a file of an export: on disk or inside a zip.
type file struct {
	name string // base name
	size int64
	open func() (io.ReadCloser, error)
}

// copier copies export files into the conversation folder, once each,
// within the size bounds.
type copier struct {
	dir    string
	total  int64
	copied map[string]string // destination rel path -> source identity
}

func newCopier(dir string) *copier {
	return &copier{dir: dir, copied: map[string]string{}}
}

// copy writes f to dir/rel (rel slash-separated, already safe), hashing it
// into h when h is not nil. Copying the same rel twice is a no-op.
func (c *copier) copy(f file, rel string, h hash.Hash, limit int64) error {
	if _, ok := c.copied[rel]; ok {
		return nil
	}
	if f.size > limit {
		return fmt.Errorf("%s: %d bytes, more than the %d an import accepts", f.name, f.size, limit)
	}
	if c.total+f.size > MaxTotalSize {
		return fmt.Errorf("%s: the export holds more than %d bytes", f.name, int64(MaxTotalSize))
	}
	r, err := f.open()
	if err != nil {
		return err
	}
	defer r.Close()
	dst := filepath.Join(c.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	var w io.Writer = out
	if h != nil {
		w = io.MultiWriter(out, h)
	}
	// The declared size may lie (a crafted zip): read one byte more than
	// the limit to notice.
	n, err := io.Copy(w, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = fmt.Errorf("%s: more than %d bytes", f.name, limit)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copying %s: %w", f.name, err)
	}
	c.total += n
	c.copied[rel] = f.name
	return nil
}

// safeName makes an export's file name a single, clean path element.
func safeName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == ':' {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == ".." {
		return "_"
	}
	return name
}

// folderFiles lists the regular files directly in dir, by name.
func folderFiles(dir string) (map[string]file, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string]file{}
	for _, e := range entries {
		if e.Type()&fs.ModeSymlink != 0 {
			return nil, &nofollow.LinkError{Path: filepath.Join(dir, e.Name())}
		}
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		name := e.Name()
		files[name] = file{name: name, size: info.Size(), open: func() (io.ReadCloser, error) {
			f, _, err := nofollow.Open(dir, name)
			return f, err
		}}
	}
	return files, nil
}

// zipFiles lists the files of a WhatsApp zip by base name, skipping macOS
// metadata (__MACOSX/, ._*) and directories, and refusing archives beyond
// the bounds. Entry paths are never used to write: only base names are.
//
// A zip bomb is refused before anything is written: the entries kept may
// not expand to more than maxZipRatio times the archive (zipSize bytes),
// nor one entry to more than maxZipRatio times its compressed size, past
// a floor that small archives need. Real exports hold compressed media
// (about 1:1) and chat text (about 1:10). archive/zip refuses an entry
// that inflates past its declared size, so the declared sizes bound what
// is written.
func zipFiles(zr *zip.Reader, zipSize int64, warn func(...string)) (map[string]file, error) {
	if len(zr.File) > MaxZipEntries {
		return nil, fmt.Errorf("the zip has %d entries, more than the %d an import accepts", len(zr.File), MaxZipEntries)
	}
	var total uint64
	files := map[string]file{}
	for _, zf := range zr.File {
		name := zf.Name
		base := path.Base(name)
		switch {
		case strings.HasSuffix(name, "/"), zf.FileInfo().IsDir():
			continue
		case strings.HasPrefix(name, "__MACOSX/"), strings.HasPrefix(base, "._"), base == ".DS_Store":
			continue
		case !filepath.IsLocal(filepath.FromSlash(name)) || strings.Contains(name, `\`):
			warn(fmt.Sprintf("zip entry %q ignored: its path leaves the archive", name))
			continue
		}
		if zf.UncompressedSize64 > MaxFileSize {
			return nil, fmt.Errorf("zip entry %q: %d bytes, more than the %d an import accepts", name, zf.UncompressedSize64, int64(MaxFileSize))
		}
		if _, dup := files[base]; dup {
			warn(fmt.Sprintf("zip entry %q ignored: another entry has the same name", name))
			continue
		}
		if size := zf.UncompressedSize64; size > zipRatioFloor && size/maxZipRatio > zf.CompressedSize64 {
			return nil, fmt.Errorf("zip entry %q expands %d bytes to %d, more than %d times: refused as a zip bomb", name, zf.CompressedSize64, size, maxZipRatio)
		}
		if total += zf.UncompressedSize64; total > zipRatioFloor && total/maxZipRatio > uint64(max(zipSize, 0)) {
			return nil, fmt.Errorf("the zip's %d bytes expand to more than %d: more than %d times, refused as a zip bomb", zipSize, total, maxZipRatio)
		}
		zf := zf
		files[base] = file{name: base, size: int64(zf.UncompressedSize64), open: func() (io.ReadCloser, error) { return zf.Open() }}
	}
	return files, nil
}

// chatText picks the chat's text among an export's files: _chat.txt (iOS),
// "WhatsApp Chat with X.txt" (Android), or the only .txt there is.
func chatText(files map[string]file, where string) (file, error) {
	var txts []string
	for name := range files {
		if strings.EqualFold(path.Ext(name), ".txt") {
			txts = append(txts, name)
		}
	}
	if f, ok := files["_chat.txt"]; ok {
		return f, nil
	}
	var chats []string
	for _, n := range txts {
		if strings.HasPrefix(strings.ToLower(n), "whatsapp chat") {
			chats = append(chats, n)
		}
	}
	switch {
	case len(chats) == 1:
		return files[chats[0]], nil
	case len(txts) == 1:
		return files[txts[0]], nil
	case len(txts) == 0:
		return file{}, fmt.Errorf("%s holds no .txt: expected a WhatsApp export (_chat.txt or \"WhatsApp Chat with ….txt\")", where)
	}
	return file{}, fmt.Errorf("%s holds several .txt files (%q): pass the chat's .txt itself", where, txts)
}

// source copies an original export file into sources/ and records it.
func (b *builder) source(c *copier, f file, typ string, limit int64) (rel string, sum []byte, err error) {
	rel = "sources/" + safeName(f.name)
	h := sha256.New()
	if err := c.copy(f, rel, h, limit); err != nil {
		return "", nil, err
	}
	b.conv.Sources = append(b.conv.Sources, conversation.Source{Path: rel, Type: typ})
	return rel, h.Sum(nil), nil
}

// dropSources removes sources/ for a pseudonymised import: the original
// export is full of names, so it cannot travel with a pseudonymised
// conversation. Origins still give the lines in the original file, which
// the practice keeps.
func (b *builder) dropSources(dir string) error {
	if b.secret == nil {
		return nil
	}
	b.conv.Sources = nil
	return os.RemoveAll(filepath.Join(dir, "sources"))
}

// mimeTypes is a fixed table, so that the same export gives the same
// conversation on every machine (mime.TypeByExtension reads system files).
var mimeTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".webp": "image/webp", ".heic": "image/heic", ".mp4": "video/mp4", ".mov": "video/quicktime",
	".3gp": "video/3gpp", ".opus": "audio/ogg", ".ogg": "audio/ogg", ".m4a": "audio/mp4",
	".mp3": "audio/mpeg", ".aac": "audio/aac", ".wav": "audio/wav", ".pdf": "application/pdf",
	".vcf": "text/vcard", ".txt": "text/plain", ".doc": "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

func mimeOf(name string) string {
	return mimeTypes[strings.ToLower(path.Ext(name))]
}

// kindMIME renders an attachment kind a marker names ("image omitted").
func kindMIME(kind string) string {
	switch kind {
	case "image", "sticker", "photo":
		return "image/*"
	case "video", "gif", "video_file", "animation", "video_message":
		return "video/*"
	case "audio", "voice_message", "audio_file":
		return "audio/*"
	case "contact":
		return "text/vcard"
	}
	return ""
}
