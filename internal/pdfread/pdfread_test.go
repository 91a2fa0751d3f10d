package pdfread

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm/pdfnormtest"
)

func parse(t *testing.T, src string) (Object, error) {
	t.Helper()
	l := &lexer{b: []byte(src), eof: true}
	return l.refOrValue(0)
}

func TestValues(t *testing.T) {
	for src, want := range map[string]Object{
		"42":                            int64(42),
		"-3.5":                          -3.5,
		"true":                          true,
		"null":                          nil,
		"/application#2Fzip":            Name("application/zip"),
		"12 0 R":                        Ref{12, 0},
		"<< /A 1 /B [2 0 R] >>":         Dict{"A": int64(1), "B": Array{Ref{2, 0}}},
		"[1 2 3]":                       Array{int64(1), int64(2), int64(3)},
		"% comment\n /X":                Name("X"),
		"<</Length 5/F(a)>>":            Dict{"Length": int64(5), "F": String{Bytes: []byte("a"), Start: 13, End: 16}},
		"(a\\(b\\)c (nested) \\101\\n)": String{Bytes: []byte("a(b)c (nested) A\n"), Start: 0, End: 25},
		"<48 65 6c6C 6>":                String{Bytes: []byte("Hell`"), Start: 0, End: 14, Hex: true},
	} {
		got, err := parse(t, src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %#v, want %#v", src, got, want)
		}
	}
}

func TestValueErrors(t *testing.T) {
	for src, want := range map[string]string{
		"<< /A 1 /A 2 >>":       "duplicate dictionary key /A",
		"<< 1 2 >>":             "key is not a name",
		"<zz>":                  "hexadecimal string",
		"(unterminated":         "end of file",
		strings.Repeat("[", 40): "nested more than",
		"/bad#zz":               "#-escape",
		"1e5":                   "bad number",
		"{":                     "unexpected",
	} {
		_, err := parse(t, src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

// build writes a PDF with the given object bodies and a classic xref.
var build = pdfnormtest.Build

func TestOpenGet(t *testing.T) {
	data := build("<< /Type /Catalog /S 2 0 R >>", "<< /Length 5 >>\nstream\nhello\nendstream")
	f, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	s := catalogStream(t, f, "S")
	if got := string(data[s.Offset : s.Offset+s.Length]); got != "hello" {
		t.Errorf("stream data %q", got)
	}
}

// catalogStream is the stream the catalog names with key.
func catalogStream(t *testing.T, f *File, key Name) *Stream {
	t.Helper()
	cat, err := f.Dict(f.Trailer["Root"], "catalog")
	if err != nil || cat["Type"] != Name("Catalog") {
		t.Fatalf("catalog %v, %v", cat, err)
	}
	o, err := f.Resolve(cat[key])
	if err != nil {
		t.Fatal(err)
	}
	s, ok := o.(*Stream)
	if !ok {
		t.Fatalf("catalog /%s is %T, not a stream", key, o)
	}
	return s
}

func TestGetErrors(t *testing.T) {
	for _, tc := range []struct {
		obj, want string
	}{
		{"<< /Length 3 >>\nstream\nhello\nendstream", "not followed by endstream"},
		{"<< /Length 2 0 R >>\nstream\nhello\nendstream", "not a direct integer"},
		{"<< /Length 99999 >>\nstream\nhello\nendstream", "past the end"},
		{"(x) garbage", "want endobj"},
	} {
		data := build("<< /Type /Catalog >>", tc.obj)
		f, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Get(Ref{2, 0}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.obj, err, tc.want)
		}
	}
	data := build("<< /Type /Catalog >>")
	bad := bytes.Replace(data, []byte("1 0 obj"), []byte("7 0 obj"), 1)
	f, err := Open(bytes.NewReader(bad), int64(len(bad)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get(Ref{1, 0}); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mismatched header: %v", err)
	}
	if _, err := f.Get(Ref{1, 3}); err == nil || !strings.Contains(err.Error(), "generation") {
		t.Errorf("wrong generation: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	good := build("<< /Type /Catalog >>")
	xref := bytes.Index(good, []byte("xref\n"))
	loop := bytes.Replace(good, []byte("/Root 1 0 R >>"), fmt.Appendf(nil, "/Root 1 0 R /Prev %d >>", xref), 1)
	for _, tc := range []struct {
		what string
		data []byte
		want string
	}{
		{"no header", append([]byte("%XDF"), good[4:]...), "no %PDF- header"},
		{"xref stream", bytes.Replace(good, []byte("xref\n0 2"), []byte("9 0 obj"), 1), "cross-reference streams"},
		{"bad entry", bytes.Replace(good, []byte(" n \n"), []byte(" x \n"), 1), "malformed"},
		{"prev loop", loop, "/Prev loop"},
		{"no startxref", bytes.Replace(good, []byte("startxref"), []byte("startxrex"), 1), "no startxref"},
	} {
		_, err := Open(bytes.NewReader(tc.data), int64(len(tc.data)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.what, err, tc.want)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(build("<< /Type /Catalog /S 2 0 R >>", "<< /Length 5 >>\nstream\nhello\nendstream"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for num := range 4 {
			if o, err := pf.Get(Ref{num, 0}); err == nil {
				if s, ok := o.(*Stream); ok && (s.Offset < 0 || s.Offset+s.Length > int64(len(data))) {
					t.Fatalf("stream outside the file: %+v", s)
				}
			}
		}
	})
}
