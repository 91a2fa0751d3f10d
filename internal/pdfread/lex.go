package pdfread

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Object is one PDF value: nil (null), bool, int64, float64, Name, String,
// Array, Dict, Ref, or *Stream (only as an indirect object).
type Object any

// Name is a name object, #-escapes decoded, without the slash.
type Name string

// String is a literal or hexadecimal string; Start and End are the file
// offsets of its first delimiter and just past its last, which is how a
// signature's /Contents is matched with its /ByteRange.
type String struct {
	Bytes      []byte
	Start, End int64
	Hex        bool
}

// Array is an array object.
type Array []Object

// Dict is a dictionary object.
type Dict map[Name]Object

// Ref is an indirect reference.
type Ref struct{ Num, Gen int }

// Stream is a stream object: its dictionary and where its raw (still
// encoded) data lies in the file.
type Stream struct {
	Dict   Dict
	Offset int64
	Length int64
}

// errShort means the window ended inside the object: read more and retry.
var errShort = errors.New("object extends past the bytes read")

// lexer reads PDF tokens from a window of the file that starts at base.
type lexer struct {
	b    []byte
	pos  int
	base int64
	eof  bool // the window ends at the end of the file
}

func (l *lexer) offset() int64 { return l.base + int64(l.pos) }

func (l *lexer) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", l.offset(), fmt.Sprintf(format, args...))
}

func isSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool { return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0 }

func isRegular(c byte) bool { return !isSpace(c) && !isDelim(c) }

// skip passes white space and comments.
func (l *lexer) skip() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// more reports whether a byte is available, or why not.
func (l *lexer) more() error {
	if l.pos < len(l.b) {
		return nil
	}
	if l.eof {
		return l.errorf("unexpected end of file")
	}
	return errShort
}

// word reads a run of regular characters (a number or a keyword).
func (l *lexer) word() (string, error) {
	start := l.pos
	for l.pos < len(l.b) && isRegular(l.b[l.pos]) {
		l.pos++
	}
	if l.pos == len(l.b) && !l.eof {
		return "", errShort
	}
	return string(l.b[start:l.pos]), nil
}

// keyword expects the keyword kw next.
func (l *lexer) keyword(kw string) error {
	l.skip()
	if err := l.more(); err != nil {
		return err
	}
	w, err := l.word()
	if err != nil {
		return err
	}
	if w != kw {
		return l.errorf("want %q, found %q", kw, truncate(w))
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// value parses one object; depth bounds the nesting of arrays and dicts.
func (l *lexer) value(depth int) (Object, error) {
	if depth > maxDepth {
		return nil, l.errorf("objects nested more than %d deep", maxDepth)
	}
	l.skip()
	if err := l.more(); err != nil {
		return nil, err
	}
	switch c := l.b[l.pos]; {
	case c == '/':
		return l.name()
	case c == '(':
		return l.literal()
	case c == '[':
		return l.array(depth)
	case c == '<':
		if l.pos+1 >= len(l.b) {
			return nil, l.more2()
		}
		if l.b[l.pos+1] == '<' {
			return l.dict(depth)
		}
		return l.hex()
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return l.number()
	case isRegular(c):
		w, err := l.word()
		if err != nil {
			return nil, err
		}
		switch w {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		return nil, l.errorf("unexpected keyword %q", truncate(w))
	default:
		return nil, l.errorf("unexpected %q", c)
	}
}

// more2 is more() for a two-byte lookahead.
func (l *lexer) more2() error {
	if l.eof {
		return l.errorf("unexpected end of file")
	}
	return errShort
}

func (l *lexer) name() (Name, error) {
	l.pos++ // '/'
	start := l.pos
	w, err := l.word()
	if err != nil {
		return "", err
	}
	if !bytes.Contains([]byte(w), []byte("#")) {
		return Name(w), nil
	}
	var out []byte
	for i := 0; i < len(w); i++ {
		if w[i] != '#' {
			out = append(out, w[i])
			continue
		}
		if i+2 >= len(w) {
			return "", fmt.Errorf("at byte %d: bad #-escape in name", l.base+int64(start))
		}
		v, err := strconv.ParseUint(w[i+1:i+3], 16, 8)
		if err != nil || v == 0 {
			return "", fmt.Errorf("at byte %d: bad #-escape in name", l.base+int64(start))
		}
		out = append(out, byte(v))
		i += 2
	}
	return Name(out), nil
}

func (l *lexer) number() (Object, error) {
	w, err := l.word()
	if err != nil {
		return nil, err
	}
	if i, err := strconv.ParseInt(w, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(w, 64)
	if err != nil || bytes.ContainsAny([]byte(w), "eExXnN_pP") {
		return nil, l.errorf("bad number %q", truncate(w))
	}
	return f, nil
}

// literal reads a (string): balanced parentheses and backslash escapes.
func (l *lexer) literal() (String, error) {
	s := String{Start: l.offset()}
	l.pos++
	var out []byte
	nest := 1
	for {
		if err := l.more(); err != nil {
			return s, err
		}
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			nest++
		case ')':
			nest--
			if nest == 0 {
				s.Bytes, s.End = out, l.offset()
				return s, nil
			}
		case '\\':
			if err := l.more(); err != nil {
				return s, err
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r', '\n':
				if e == '\r' && l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue // line continuation
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
}

func (l *lexer) hex() (String, error) {
	s := String{Start: l.offset(), Hex: true}
	l.pos++
	var out []byte
	var hi byte
	half := false
	for {
		if err := l.more(); err != nil {
			return s, err
		}
		c := l.b[l.pos]
		l.pos++
		var v byte
		switch {
		case c == '>':
			if half {
				out = append(out, hi<<4)
			}
			s.Bytes, s.End = out, l.offset()
			return s, nil
		case isSpace(c):
			continue
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return s, l.errorf("%q in a hexadecimal string", c)
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
}

func (l *lexer) array(depth int) (Array, error) {
	l.pos++
	a := Array{}
	for {
		l.skip()
		if err := l.more(); err != nil {
			return nil, err
		}
		if l.b[l.pos] == ']' {
			l.pos++
			return a, nil
		}
		if len(a) >= maxElements {
			return nil, l.errorf("array of more than %d elements", maxElements)
		}
		v, err := l.refOrValue(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
}

func (l *lexer) dict(depth int) (Dict, error) {
	l.pos += 2
	d := Dict{}
	for {
		l.skip()
		if err := l.more(); err != nil {
			return nil, err
		}
		if l.b[l.pos] == '>' {
			if l.pos+1 >= len(l.b) {
				return nil, l.more2()
			}
			if l.b[l.pos+1] != '>' {
				return nil, l.errorf("want >> closing a dictionary")
			}
			l.pos += 2
			return d, nil
		}
		if l.b[l.pos] != '/' {
			return nil, l.errorf("dictionary key is not a name")
		}
		k, err := l.name()
		if err != nil {
			return nil, err
		}
		if _, dup := d[k]; dup {
			// Two readers could pick different values: refuse.
			return nil, l.errorf("duplicate dictionary key /%s", k)
		}
		if len(d) >= maxElements {
			return nil, l.errorf("dictionary of more than %d entries", maxElements)
		}
		v, err := l.refOrValue(depth + 1)
		if err != nil {
			return nil, err
		}
		d[k] = v
	}
}

// refOrValue reads a value, turning "num gen R" into a Ref.
func (l *lexer) refOrValue(depth int) (Object, error) {
	v, err := l.value(depth)
	if err != nil {
		return nil, err
	}
	num, ok := v.(int64)
	if !ok || num < 0 {
		return v, nil
	}
	save := l.pos
	l.skip()
	if l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '9' {
		w, err := l.word()
		if err != nil {
			return nil, err
		}
		gen, gerr := strconv.ParseInt(w, 10, 32)
		l.skip()
		if l.pos == len(l.b) && !l.eof {
			return nil, errShort
		}
		if gerr == nil && l.pos < len(l.b) && l.b[l.pos] == 'R' && (l.pos+1 == len(l.b) || !isRegular(l.b[l.pos+1])) {
			if l.pos+1 == len(l.b) && !l.eof {
				return nil, errShort
			}
			l.pos++
			if num > maxObjectNumber {
				return nil, l.errorf("object number %d too large", num)
			}
			return Ref{Num: int(num), Gen: int(gen)}, nil
		}
	} else if l.pos == len(l.b) && !l.eof {
		return nil, errShort
	}
	l.pos = save
	return v, nil
}
