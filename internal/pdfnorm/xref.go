package pdfnorm

import (
	"fmt"
	"regexp"
	"strconv"
)

var (
	subsection = regexp.MustCompile(`^0 ([1-9][0-9]{0,9})\n$`)
	trailerEnd = regexp.MustCompile(`^([0-9]{1,15})\n$`)
	sizeKey    = regexp.MustCompile(`/Size ([0-9]{1,10})\s`)
)

// xref validates the cross-reference table that starts at start (its
// "xref" line was read) against the objects read, then reads the trailer
// up to "%%EOF". The table itself stays out of the canonical form: only
// its size goes in, and the trailer as it is.
func (n *normaliser) xref(start int64) error {
	line, err := n.line()
	if err != nil {
		return err
	}
	m := subsection.FindSubmatch(line)
	if m == nil {
		return n.layout("the xref table is not one subsection from object 0")
	}
	size, _ := strconv.Atoi(string(m[1]))
	if size != len(n.offsets)+1 {
		return n.layout("the xref table lists %d objects, the file defines %d", size-1, len(n.offsets))
	}
	if err := n.xrefEntry("0000000000 65535 f \n", 0); err != nil {
		return err
	}
	for i, off := range n.offsets {
		if err := n.xrefEntry(fmt.Sprintf("%010d 00000 n \n", off), i+1); err != nil {
			return err
		}
	}
	if err := n.emitString(fmt.Sprintf("xref %d\n", size)); err != nil {
		return err
	}
	return n.trailer(start, size)
}

// xrefEntry reads one entry, which must be exactly want: object num's
// offset, or for object 0 the head of the free list.
func (n *normaliser) xrefEntry(want string, num int) error {
	line, err := n.line()
	if err != nil {
		return err
	}
	if string(line) != want {
		return n.layout("xref entry of object %d is %.20q, want %q (it must point exactly at its object, and only object 0 is free)", num, line, want)
	}
	return nil
}

// trailer reads the trailer dictionary, startxref (which must point at
// the table, at xrefStart) and "%%EOF".
func (n *normaliser) trailer(xrefStart int64, size int) error {
	line, err := n.line()
	if err != nil {
		return err
	}
	if string(line) != "trailer\n" {
		return n.layout("no trailer after the xref table")
	}
	var dict []byte
	for {
		if line, err = n.line(); err != nil {
			return err
		}
		if string(line) == "startxref\n" {
			break
		}
		if dict = append(dict, line...); len(dict) > maxDict {
			return n.layout("trailer over %d bytes", maxDict)
		}
	}
	if m := sizeKey.FindAllSubmatch(dict, 2); len(m) != 1 || string(m[0][1]) != strconv.Itoa(size) {
		return n.layout("the trailer's /Size is not the xref table's %d", size)
	}
	if line, err = n.line(); err != nil {
		return err
	}
	if m := trailerEnd.FindSubmatch(line); m == nil || string(m[1]) != strconv.FormatInt(xrefStart, 10) {
		return n.layout("startxref is not the xref table's offset %d", xrefStart)
	}
	if line, err = n.line(); err != nil {
		return err
	}
	if string(line) != "%%EOF\n" {
		return n.layout("no %%%%EOF after startxref")
	}
	if err := n.emitString("trailer\n"); err != nil {
		return err
	}
	if err := n.emit(dict); err != nil {
		return err
	}
	return n.emit(line)
}
