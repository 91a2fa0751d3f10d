package gopdf

// custody: this file is not upstream's. It lets a document of any number
// of pages be written in memory that does not grow with the pages.
//
// gopdf writes nothing until the document is complete, for three reasons:
// the page tree (object 2) lists every page, the resources (object 4) every
// font and image, and the font subsets, whose objects come before most
// pages, are known only when the last glyph has been drawn; a "page X of
// Y" place-holder waits for Y as well. So a document is made in two
// passes, by the same calls, on two GoPdf values:
//
//   - the layout pass drops each page when it is finished
//     (DropPagesBeyond), keeping only the type of its objects, and ends
//     with FinishPages: it then holds every object but the pages, final;
//   - the writing pass (WritePagesOf) writes each page as it is finished,
//     after the layout pass's objects numbered before it, with the
//     place-holders filled in from the start (PresetPlaceHolderText), and
//     FinishPages writes the objects that follow the last page and the
//     cross-reference table.
//
// The calls being the same, both passes number their objects alike; the
// writing pass checks that every page it writes is a page in the layout
// pass, at the same number, and that both have as many objects, and fails
// otherwise. The bytes are those WriteTo writes for a document made in one
// pass: nothing but where the bytes wait differs.
//
// Pages are dropped only beyond a budget: a document whose finished pages
// pack into fewer bytes (content_pack.go) stays whole, for one pass and
// WriteTo, and KeptPages says which happened.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
)

// pageKeeping is what a GoPdf does with its finished pages.
type pageKeeping struct {
	budget   int64 // packed bytes kept before pages are dropped
	limited  bool  // budget applies; else every page is kept (upstream)
	packed   int64 // packed bytes kept so far
	dropped  bool  // finished pages are dropped (layout pass)
	sink     *pageSink
	presets  map[string]presetText
	finished map[string][]*SubsetFontObj // fonts of the place-holders on dropped pages
}

// presetText is a place-holder's text known before the pages are drawn.
type presetText struct {
	text  string
	align int
}

// finishedObj stands, in the object list, for the page or content object
// of a page that was finished and dropped or written: only its type is
// still needed (the page tree lists the pages by their numbers). In the
// writing pass it also stands for each image object: the layout pass's
// are written, so the writing pass need not hold a second copy of every
// image that gopdf holds (one decoded and re-encoded).
type finishedObj string

func (finishedObj) init(func() *GoPdf) {}
func (f finishedObj) getType() string  { return string(f) }
func (f finishedObj) write(io.Writer, int) error {
	return fmt.Errorf("gopdf: a %s that was dropped cannot be written", string(f))
}

// kept is what the object list holds of a new object.
func (p *pageKeeping) kept(obj IObj) IObj {
	if p.sink == nil {
		return obj
	}
	switch obj.(type) {
	case *ImageObj, *SMask, *DeviceRGBObj:
		return finishedObj(obj.getType())
	}
	return obj
}

var (
	finishedPage    IObj = finishedObj("Page")
	finishedContent IObj = finishedObj("Content")
)

// DropPagesBeyond makes the document drop its finished pages, from the
// page at which they no longer pack into budget bytes on: the document
// can then be written only by a second pass (WritePagesOf).
func (gp *GoPdf) DropPagesBeyond(budget int64) {
	gp.pages.budget, gp.pages.limited = budget, true
}

// KeptPages reports whether every page is still held, so that WriteTo
// can write the document.
func (gp *GoPdf) KeptPages() bool { return !gp.pages.dropped }

// PresetPlaceHolderText gives a place-holder its text before any is drawn:
// each is filled in when its page is finished (the writing pass).
func (gp *GoPdf) PresetPlaceHolderText(placeHolderName, text string, align int) {
	if gp.pages.presets == nil {
		gp.pages.presets = map[string]presetText{}
	}
	gp.pages.presets[placeHolderName] = presetText{text, align}
}

// WriteError is the first error of the writing pass, if any: nothing is
// written after it.
func (gp *GoPdf) WriteError() error {
	if gp.pages.sink == nil {
		return nil
	}
	if gp.pages.sink.err == nil {
		gp.pages.sink.err = gp.pages.sink.w.err
	}
	return gp.pages.sink.err
}

// finishPage is called when the current page is complete: a new page
// starts, or FinishPages.
func (gp *GoPdf) finishPage() error {
	if gp.numOfPagesObj == 0 {
		return nil
	}
	switch {
	case gp.pages.sink != nil:
		return gp.writeFinishedPage()
	case gp.pages.dropped:
		gp.dropFinishedPage()
	case gp.indexOfContent > -1:
		gp.pages.packed += gp.pdfObjs[gp.indexOfContent].(*ContentObj).pack(&gp.contentPacker)
		if gp.pages.limited && gp.pages.packed > gp.pages.budget {
			gp.dropFinishedPages()
		}
	}
	return nil
}

// dropFinishedPage drops the current page, finished.
func (gp *GoPdf) dropFinishedPage() {
	gp.pdfObjs[gp.curr.IndexOfPageObj] = finishedPage
	if gp.indexOfContent > -1 {
		gp.pdfObjs[gp.indexOfContent] = finishedContent
	}
	gp.forgetPlaceHolders()
}

// dropFinishedPages drops every page, all finished, when the packed pages
// pass the budget.
func (gp *GoPdf) dropFinishedPages() {
	for i, obj := range gp.pdfObjs {
		switch obj.(type) {
		case *PageObj:
			gp.pdfObjs[i] = finishedPage
		case *ContentObj:
			gp.pdfObjs[i] = finishedContent
		}
	}
	gp.forgetPlaceHolders()
	gp.pages.dropped, gp.pages.packed = true, 0
}

// forgetPlaceHolders lets go of the place-holders of finished pages,
// keeping their fonts: FillInPlaceHoldText adds the characters of the text
// to them.
func (gp *GoPdf) forgetPlaceHolders() {
	for name, infos := range gp.placeHolderTexts {
		for _, info := range infos {
			if !slices.Contains(gp.pages.finished[name], info.fontISubset) {
				if gp.pages.finished == nil {
					gp.pages.finished = map[string][]*SubsetFontObj{}
				}
				gp.pages.finished[name] = append(gp.pages.finished[name], info.fontISubset)
			}
		}
		delete(gp.placeHolderTexts, name)
	}
}

// FinishPages ends the layout pass (the last page is dropped like the
// others) or the writing pass (the last page is written, then every
// object after it and the cross-reference table). A document that kept
// its pages is left as it is, for WriteTo.
func (gp *GoPdf) FinishPages() error {
	if gp.pages.sink == nil && !gp.pages.dropped {
		return nil
	}
	if err := gp.finishPage(); err != nil {
		return err
	}
	if gp.pages.sink != nil {
		return gp.pages.sink.close(len(gp.pdfObjs))
	}
	return nil
}

// WritePagesOf writes the document made by gp, a layout pass ended by
// FinishPages, to w as next, the writing pass made by the same calls from
// the start, finishes its pages: next's FinishPages writes the end and
// reports the first error.
func (gp *GoPdf) WritePagesOf(next *GoPdf, w io.Writer) error {
	if !gp.pages.dropped {
		return errors.New("gopdf: WritePagesOf needs a layout pass that dropped its pages")
	}
	if gp.isUseProtection() {
		return errors.New("gopdf: a document written in two passes cannot be encrypted")
	}
	gp.prepare()
	out := bufio.NewWriterSize(w, 64<<10)
	s := &pageSink{layout: gp, out: out, w: newCountingWriter(out), offsets: make([]int64, 0, len(gp.pdfObjs))}
	fmt.Fprint(s.w, "%PDF-1.7\n%����\n\n")
	next.pages.sink = s
	return nil
}

// writeFinishedPage fills in the current page's place-holders, hands the
// page to the sink, and drops it.
func (gp *GoPdf) writeFinishedPage() error {
	for name, preset := range gp.pages.presets {
		if err := gp.fillPlaceHolders(name, preset.text, preset.align); err != nil {
			return err
		}
	}
	page := gp.pdfObjs[gp.curr.IndexOfPageObj].(*PageObj)
	var content IObj
	if gp.indexOfContent > -1 {
		page.Contents = fmt.Sprintf(" %d 0 R ", gp.indexOfContent+1) // as prepare lists them
		content = gp.pdfObjs[gp.indexOfContent]
	}
	err := gp.pages.sink.page(gp.curr.IndexOfPageObj, page, gp.indexOfContent, content)
	gp.dropFinishedPage()
	return err
}

// fillPlaceHolders fills in the current page's place-holders of a name
// as FillInPlaceHoldText fills them all, measuring the text in each
// place-holder's own font.
func (gp *GoPdf) fillPlaceHolders(name, text string, align int) error {
	for _, info := range gp.placeHolderTexts[name] {
		info.fontISubset.AddChars(text)
		info.text.text = text
		if align != Right && align != Center {
			continue
		}
		_, _, widthPDF, err := createContent(info.fontISubset, text, info.fontSize, info.charSpacing, nil)
		if err != nil {
			return err
		}
		diff := info.placeHolderWidth - pointsToUnits(gp.config, widthPDF)
		if align == Center {
			diff /= 2
		}
		info.text.x += diff
	}
	return nil
}

// pageSink writes the document of a layout pass, taking its pages from the
// writing pass.
type pageSink struct {
	layout  *GoPdf
	out     *bufio.Writer
	w       *countingWriter
	offsets []int64 // of the objects written, in order
	err     error   // the first error; nothing is written after it
}

// page writes the layout pass's objects up to a finished page of the
// writing pass, then the page and its content.
func (s *pageSink) page(pageIndex int, page IObj, contentIndex int, content IObj) error {
	s.writeLayoutBefore(pageIndex, "Page")
	s.writeObject(page)
	if content != nil {
		s.writeLayoutBefore(contentIndex, "Content")
		s.writeObject(content)
	}
	return s.err
}

// writeLayoutBefore writes the layout pass's objects before index, which
// must be an object of the given type that the writing pass supplies.
func (s *pageSink) writeLayoutBefore(index int, typ string) {
	objs := s.layout.pdfObjs
	if s.err == nil && (index < len(s.offsets) || index >= len(objs) || objs[index] != finishedObj(typ)) {
		s.err = fmt.Errorf("gopdf: the writing pass made object %d a %s, which the layout pass did not", index+1, typ)
	}
	s.writeLayoutUpTo(index)
}

// writeLayoutUpTo writes the layout pass's objects from the next one up to
// end (excluded), which must all be the layout pass's own.
func (s *pageSink) writeLayoutUpTo(end int) {
	for s.err == nil && len(s.offsets) < end {
		obj := s.layout.pdfObjs[len(s.offsets)]
		if _, ok := obj.(finishedObj); ok {
			s.err = fmt.Errorf("gopdf: the writing pass has no %s at object %d", obj.getType(), len(s.offsets)+1)
			return
		}
		s.writeObject(obj)
	}
}

// writeObject writes the next object, as compilePdf does.
func (s *pageSink) writeObject(obj IObj) {
	if s.err != nil {
		return
	}
	id := len(s.offsets) + 1
	s.offsets = append(s.offsets, s.w.offset)
	fmt.Fprintf(s.w, "%d 0 obj\n", id)
	if err := obj.write(s.w, id); err != nil {
		s.err = fmt.Errorf("gopdf: object %d: %w", id, err)
		return
	}
	io.WriteString(s.w, "endobj\n\n")
}

// close writes the objects after the last page and the cross-reference
// table, once the writing pass has made as many objects as the layout
// pass.
func (s *pageSink) close(objects int) error {
	if s.err == nil && objects != len(s.layout.pdfObjs) {
		s.err = fmt.Errorf("gopdf: the writing pass made %d objects, the layout pass %d", objects, len(s.layout.pdfObjs))
	}
	s.writeLayoutUpTo(len(s.layout.pdfObjs))
	if s.err != nil {
		return s.err
	}
	s.layout.xref(s.w, s.w.offset, s.offsets, len(s.offsets))
	if err := s.out.Flush(); err != nil {
		return err
	}
	return s.w.err
}
