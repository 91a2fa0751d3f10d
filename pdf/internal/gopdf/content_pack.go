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

// contentPacker compresses the operations of finished pages and
// decompresses them when the document is written, with one reused
// compressor and one reused decompressor.
type contentPacker struct {
	buf bytes.Buffer
	zw  *flate.Writer
	zr  io.ReadCloser
}

// packedContent is a run of a finished page's operations, serialised as
// the content stream has them and deflated. It writes exactly what the
// operations would have written.
type packedContent struct {
	data   []byte
	packer *contentPacker
}

func (p *packedContent) write(w io.Writer, _ *PDFProtection) error {
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

// pack serialises and compresses operations into at most one
// packedContent.
func (p *contentPacker) pack(caches []ICacheContent, protection *PDFProtection) ([]ICacheContent, error) {
	if len(caches) == 0 {
		return nil, nil
	}
	p.buf.Reset()
	if p.zw == nil {
		p.zw, _ = flate.NewWriter(nil, flate.BestSpeed)
	}
	p.zw.Reset(&p.buf)
	for _, cache := range caches {
		if err := cache.write(p.zw, protection); err != nil {
			return nil, err
		}
	}
	if err := p.zw.Close(); err != nil {
		return nil, err
	}
	return []ICacheContent{&packedContent{data: bytes.Clone(p.buf.Bytes()), packer: p}}, nil
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
