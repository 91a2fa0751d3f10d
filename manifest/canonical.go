package manifest

import (
	"bytes"
	"encoding"
	"encoding/json"
	jsonv2 "encoding/json/v2"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"
)

// Canonical by construction: encoding/json writes a struct's members in
// the order of its fields, and strings and integers as RFC 8785 does; so
// for a type whose fields are in sorted order of their JSON names, the
// plain encoding is the canonical one. Marshal then need not reorder, and
// Unmarshal can compare bytes with their value's encoding as it is
// written, without holding a copy: a manifest of tens of thousands of
// messages is megabytes, and reordering and comparing it cost three more
// copies at once.

// canonicalTypes caches canonicalByConstruction, by reflect.Type.
var canonicalTypes sync.Map

// canonicalByConstruction reports whether the plain encoding of values of
// type t is canonical: structs with fields in RFC 8785 order of their JSON
// names (UTF-16 code units), holding only strings, integers, booleans, and
// pointers to, slices of and structs of those; no maps, floats, byte
// slices, custom marshalers or tag options other than omitempty and
// omitzero. A type this does not recognise takes the slow path, which is
// always right.
func canonicalByConstruction(t reflect.Type) bool {
	if v, ok := canonicalTypes.Load(t); ok {
		return v.(bool)
	}
	ok := canonicalType(t, map[reflect.Type]bool{})
	canonicalTypes.Store(t, ok) // only decided answers: goroutines share the cache
	return ok
}

// canonicalType decides t; visiting holds the types being decided above
// it, which a recursive type refers back to: assumed canonical there (the
// answer for the outermost one decides). The assumption stays local to
// this decision: published in the shared cache, a concurrent reader could
// take it for the answer.
func canonicalType(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if v, ok := canonicalTypes.Load(t); ok {
		return v.(bool)
	}
	if visiting[t] {
		return true
	}
	visiting[t] = true
	defer delete(visiting, t)
	return checkCanonical(t, visiting)
}

var (
	marshalerV1   = reflect.TypeFor[json.Marshaler]()
	marshalerV2   = reflect.TypeFor[jsonv2.MarshalerTo]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

func checkCanonical(t reflect.Type, visiting map[reflect.Type]bool) bool {
	for _, m := range []reflect.Type{marshalerV1, marshalerV2, textMarshaler} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return false
		}
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	case reflect.Pointer:
		return canonicalType(t.Elem(), visiting)
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8 && canonicalType(t.Elem(), visiting)
	case reflect.Struct:
		return canonicalStruct(t, visiting)
	}
	return false
}

func canonicalStruct(t reflect.Type, visiting map[reflect.Type]bool) bool {
	var prev []uint16
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, has := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		if f.Anonymous && !has {
			return false
		}
		name, opts, _ := strings.Cut(tag, ",")
		for o := range strings.SplitSeq(opts, ",") {
			if o != "" && o != "omitempty" && o != "omitzero" {
				return false
			}
		}
		if name == "" {
			name = f.Name
		}
		units := utf16.Encode([]rune(name))
		if prev != nil && slices.Compare(prev, units) >= 0 {
			return false
		}
		prev = units
		if !canonicalType(f.Type, visiting) {
			return false
		}
	}
	return true
}

// encodesAs reports whether v's plain encoding is exactly data, comparing
// as the encoder writes: nothing is held.
func encodesAs(v any, data []byte) bool {
	c := &comparer{want: data}
	return jsonv2.MarshalWrite(c, v) == nil && c.off == len(data)
}

var errDiffers = errors.New("differs")

// comparer is a writer that compares what is written with want.
type comparer struct {
	want []byte
	off  int
}

func (c *comparer) Write(p []byte) (int, error) {
	if len(p) > len(c.want)-c.off || !bytes.Equal(p, c.want[c.off:c.off+len(p)]) {
		return 0, errDiffers
	}
	c.off += len(p)
	return len(p), nil
}
