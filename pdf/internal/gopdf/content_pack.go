package gopdf

// custody: this file is not upstream's. It keeps a finished page's
// operations as compressed bytes: upstream holds one struct per operation
// (about 270 bytes for each run of text) for every page until the document
// is written, 54 MB for a record of 30,000 short messages.

import (
	"bytes"
	"compress/flate"
	"io"
)

// contentPacker serialises the operations of finished pages, keeps the
// first RawPagesMax bytes of them as they are and compresses the rest,
// and decompresses them when the document is written, with one reused
// compressor and one reused decompressor.
type contentPacker struct {
	buf  bytes.Buffer // a run, serialised
	zbuf bytes.Buffer // a run, deflated
	zw   *flate.Writer
	zr   io.ReadCloser
	raw  int64 // bytes of the runs kept as they are
}

// RawPagesMax is how many bytes of finished pages' operations a document
// keeps as they are serialised, before it deflates those of the next
// pages: deflating a page when it is finished and inflating it when the
// document is written took a twentieth of the web verifier's rendering
// comparison of a record of 141 pages, 2 MB of operations
// (docs/performance.md). Beyond it, a page packs about five times smaller.
// The raw bytes count against a document's budget of kept pages as they
// are (DropPagesBeyond), so that what a document holds stays bounded by
// that budget. A variable for tests, which pack every page or some.
var RawPagesMax int64 = 2 << 20

// packedContent is a run of a finished page's operations, serialised as
// the content stream has them, and deflated unless raw. It writes exactly
// what the operations would have written.
type packedContent struct {
	data   []byte
	raw    bool
	packer *contentPacker
}

func (p *packedContent) write(w io.Writer, _ *PDFProtection) error {
	if p.raw {
		_, err := w.Write(p.data)
		return err
	}
	return p.packer.unpack(w, p.data)
}

// pack replaces the operations of a finished page by packedContent runs.
// A place-holder text stays as it is, between two runs, because it is
// filled in when the document is complete (FillInPlaceHoldText). If
// packing fails the page keeps its operations, which write the same. It
// returns the bytes the page now holds packed.
func (c *ContentObj) pack(p *contentPacker) (size int64) {
	var packed []ICacheContent
	start := 0
	for i, cache := range c.listCache.caches {
		if text, ok := cache.(*cacheContentText); ok && text.isPlaceHolder {
			run, err := p.pack(c.listCache.caches[start:i], c.protection())
			if err != nil {
				return 0
			}
			packed = append(append(packed, run...), cache)
			start = i + 1
		}
	}
	run, err := p.pack(c.listCache.caches[start:], c.protection())
	if err != nil {
		return 0
	}
	c.listCache.caches = append(packed, run...)
	for _, cache := range c.listCache.caches {
		if run, ok := cache.(*packedContent); ok {
			size += int64(len(run.data))
		}
	}
	return size
}

// pack serialises operations into at most one packedContent, compressed
// once RawPagesMax bytes are kept as they are.
func (p *contentPacker) pack(caches []ICacheContent, protection *PDFProtection) ([]ICacheContent, error) {
	if len(caches) == 0 {
		return nil, nil
	}
	p.buf.Reset()
	for _, cache := range caches {
		if err := cache.write(&p.buf, protection); err != nil {
			return nil, err
		}
	}
	if n := int64(p.buf.Len()); p.raw+n <= RawPagesMax {
		p.raw += n
		return []ICacheContent{&packedContent{data: bytes.Clone(p.buf.Bytes()), raw: true, packer: p}}, nil
	}
	p.zbuf.Reset()
	if p.zw == nil {
		p.zw, _ = flate.NewWriter(nil, flate.BestSpeed)
	}
	p.zw.Reset(&p.zbuf)
	if _, err := p.zw.Write(p.buf.Bytes()); err != nil {
		return nil, err
	}
	if err := p.zw.Close(); err != nil {
		return nil, err
	}
	return []ICacheContent{&packedContent{data: bytes.Clone(p.zbuf.Bytes()), packer: p}}, nil
}

func (p *contentPacker) unpack(w io.Writer, data []byte) error {
	if p.zr == nil {
		p.zr = flate.NewReader(bytes.NewReader(data))
	} else if err := p.zr.(flate.Resetter).Reset(bytes.NewReader(data), nil); err != nil {
		return err
	}
	_, err := io.Copy(w, p.zr)
	return err
}
